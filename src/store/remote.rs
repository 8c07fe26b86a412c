//! What servers sharing a database tell each other: a batch's written keys and key events
//! (sent inside the batch's transaction, so only a commit is heard of), messages PUBLISHed,
//! and changes to Redis Functions' libraries. Encoded as text, as PostgreSQL's NOTIFY carries
//! it: a kind, then fields in base64, so that binary keys and payloads pass unchanged.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;

use super::{EventClass, KeyEvent};

/// A message from another server.
#[derive(Clone, Debug, PartialEq)]
pub enum Remote {
    /// A batch committed: whether it emptied the keyspace, the keys it wrote (clients blocked
    /// on them may now be served; cached values of them are stale) and its key events, in
    /// order.
    Committed {
        cleared: bool,
        written: Vec<Bytes>,
        events: Vec<KeyEvent>,
    },
    /// A message PUBLISHed there, for subscribers here.
    Published { channel: Bytes, payload: Bytes },
    /// Function libraries were loaded or deleted there: read them again.
    FunctionsChanged,
}

const COMMITTED: &str = "C";
const PUBLISHED: &str = "P";
const FUNCTIONS_CHANGED: &str = "F";

impl Remote {
    pub fn encode(&self) -> String {
        match self {
            Self::Committed {
                cleared,
                written,
                events,
            } => encode_committed(*cleared, written.iter(), events),
            Self::Published { channel, payload } => {
                let mut text = PUBLISHED.to_owned();
                push_field(&mut text, channel);
                push_field(&mut text, payload);
                text
            }
            Self::FunctionsChanged => FUNCTIONS_CHANGED.to_owned(),
        }
    }

    /// The message `text` encodes; `None` for text this release does not understand (a newer
    /// server's), which is passed over.
    pub fn decode(text: &str) -> Option<Self> {
        let mut fields = text.split(' ');
        match fields.next()? {
            COMMITTED => {
                let cleared = fields.next()? == "1";
                let count: usize = fields.next()?.parse().ok()?;
                let written = (0..count).map(|_| field(fields.next()?)).collect::<Option<_>>()?;
                let mut events = Vec::new();
                while let Some(head) = fields.next() {
                    let (letter, name) = head.split_once(':')?;
                    events.push(KeyEvent {
                        class: EventClass::of_letter(letter.chars().next()?)?,
                        name: event_name(name),
                        key: field(fields.next()?)?,
                    });
                }
                Some(Self::Committed {
                    cleared,
                    written,
                    events,
                })
            }
            PUBLISHED => Some(Self::Published {
                channel: field(fields.next()?)?,
                payload: field(fields.next()?)?,
            }),
            FUNCTIONS_CHANGED => Some(Self::FunctionsChanged),
            _ => None,
        }
    }
}

/// A [`Remote::Committed`] message, encoded from what the batch holds, without copying it.
pub(super) fn encode_committed<'a>(
    cleared: bool,
    written: impl ExactSizeIterator<Item = &'a Bytes>,
    events: &[KeyEvent],
) -> String {
    let mut text = format!("{COMMITTED} {} {}", u8::from(cleared), written.len());
    for key in written {
        push_field(&mut text, key);
    }
    for event in events {
        text.push(' ');
        text.push(event.class.letter());
        text.push(':');
        text.push_str(event.name);
        push_field(&mut text, &event.key);
    }
    text
}

fn push_field(text: &mut String, bytes: &[u8]) {
    text.push(' ');
    STANDARD.encode_string(bytes, text);
}

fn field(text: &str) -> Option<Bytes> {
    STANDARD.decode(text).ok().map(Bytes::from)
}

/// An event's name as the code names it: every name is a literal of the code, so a name
/// from another server is found among the few seen, or kept for the life of the process.
fn event_name(name: &str) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = names.iter().find(|known| **known == name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.push(leaked);
    leaked
}

/// Told of what other servers PUBLISHed and changed, as it is heard.
pub trait RemoteListener: Send + Sync {
    /// A message PUBLISHed on another server, for this one's subscribers.
    fn published(&self, channel: Bytes, payload: Bytes);
    /// Function libraries changed on another server.
    fn functions_changed(&self);
}

/// How often clients blocked on keys are looked at again, in case a push elsewhere was not
/// heard of (a message lost while the listening connection was being made again).
const RECHECK_BLOCKED: std::time::Duration = std::time::Duration::from_secs(1);

/// The parts of a store that act on what other servers tell.
pub(super) struct Hearing {
    pub(super) writer: super::writer::Writer,
    /// The read cache, if one is kept on this shared database: what others wrote is forgotten.
    pub(super) cache: std::sync::Arc<super::cache::Cache>,
    pub(super) blocked_count: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub(super) listeners: std::sync::Arc<super::events::Listeners>,
    pub(super) stop: std::sync::Arc<tokio::sync::Notify>,
}

impl Hearing {
    /// Acts on each message heard until the store closes: clients blocked on a key another
    /// server wrote are served (by a job of this server's writer, under the key's lock, so an
    /// element goes to one client only); key events reach this server's listener; the rest
    /// goes to the engine's [`RemoteListener`].
    pub(super) async fn run(self, mut heard: tokio::sync::mpsc::UnboundedReceiver<super::backend::Heard>) {
        use super::backend::Heard;
        let mut recheck = tokio::time::interval(RECHECK_BLOCKED);
        loop {
            tokio::select! {
                () = self.stop.notified() => break,
                next = heard.recv() => match next {
                    None => break,
                    Some(Heard::Message(text)) => match Remote::decode(&text) {
                        Some(message) => self.act_on(message).await,
                        None => tracing::warn!(message = %text, "a message from another server was not understood"),
                    },
                    Some(Heard::Reconnected) => {
                        // What was told meanwhile is lost: nothing cached can be trusted.
                        self.cache.clear();
                        self.wake(None).await;
                    }
                },
                _ = recheck.tick() => self.wake(None).await,
            }
        }
    }

    async fn act_on(&self, message: Remote) {
        match message {
            Remote::Committed {
                cleared,
                written,
                events,
            } => {
                match cleared {
                    true => self.cache.clear(),
                    false => written.iter().for_each(|key| self.cache.write(key, None)),
                }
                self.wake(Some(written)).await;
                if !events.is_empty()
                    && let Some(listener) = self.listeners.wanting()
                {
                    listener.committed(events);
                }
            }
            Remote::Published { channel, payload } => {
                if let Some(listener) = self.listeners.remote() {
                    listener.published(channel, payload);
                }
            }
            Remote::FunctionsChanged => {
                if let Some(listener) = self.listeners.remote() {
                    listener.functions_changed();
                }
            }
        }
    }

    /// Serves the clients blocked on `keys` (every key waited on, for `None`) that can be now.
    async fn wake(&self, keys: Option<Vec<Bytes>>) {
        if self.blocked_count.load(std::sync::atomic::Ordering::Acquire) == 0 {
            return;
        }
        let (reply, _) = tokio::sync::oneshot::channel();
        let op = super::writer::WriteOp::job(super::blocked::Wake(keys), reply);
        if self.writer.submit(op).await.is_err() {
            tracing::debug!("the writer stopped; blocked clients are no longer woken");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_decodes_to_itself_binary_fields_included() {
        let messages = [
            Remote::Committed {
                cleared: false,
                written: vec![Bytes::from_static(b"queue"), Bytes::from_static(b"\x00\xff bin key")],
                events: vec![
                    KeyEvent {
                        class: EventClass::List,
                        name: "rpush",
                        key: Bytes::from_static(b"queue"),
                    },
                    KeyEvent {
                        class: EventClass::Generic,
                        name: "del",
                        key: Bytes::from_static(b"\x00\xff bin key"),
                    },
                ],
            },
            Remote::Committed {
                cleared: true,
                written: vec![],
                events: vec![],
            },
            Remote::Published {
                channel: Bytes::from_static(b"news"),
                payload: Bytes::from_static(b"\x00 spaces, \n and \xfe"),
            },
            Remote::FunctionsChanged,
        ];
        for message in messages {
            assert_eq!(Remote::decode(&message.encode()), Some(message));
        }
    }

    #[test]
    fn text_of_an_unknown_kind_or_damaged_is_passed_over() {
        assert_eq!(Remote::decode("Z whatever"), None);
        assert_eq!(Remote::decode("P !!!"), None);
        assert_eq!(Remote::decode("C 0 2 YQ=="), None);
    }
}
