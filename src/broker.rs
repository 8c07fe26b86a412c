//! Pub/sub: channels and patterns, the subscribers of each, and delivery of what is
//! published to them, whatever door publishes and whatever door listens.
//!
//! Each subscriber has an inbox that publishers add to without waiting. What a subscriber
//! has not taken yet counts against a byte limit, as Redis's `client-output-buffer-limit
//! pubsub` does: a subscriber past it gets nothing more and is told, so a client that does
//! not keep up cannot grow the server's memory without bound.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::{mpsc, watch};

use crate::glob::Glob;

/// A published message, as one subscriber receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// On a channel the subscriber named.
    Message { channel: Bytes, payload: Bytes },
    /// On a channel matching a pattern the subscriber named.
    PMessage {
        pattern: Bytes,
        channel: Bytes,
        payload: Bytes,
    },
}

impl Message {
    fn size(&self) -> usize {
        match self {
            Self::Message { channel, payload } => channel.len() + payload.len(),
            Self::PMessage {
                pattern,
                channel,
                payload,
            } => pattern.len() + channel.len() + payload.len(),
        }
    }
}

/// Why a subscriber receives no more.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Ended {
    #[error(
        "ERR this client's pub/sub messages passed the buffer limit of {limit} bytes (--max-pubsub-buffer-bytes) \
         before it read them: reconnect, and read faster"
    )]
    Overflow { limit: usize },
    /// The server is stopping ([`Broker::close`]).
    #[error("ERR the server is shutting down")]
    Closed,
}

/// Every channel and pattern with its subscribers.
#[derive(Debug)]
pub struct Broker {
    subscribers: Mutex<Subscribers>,
    next_id: AtomicU64,
    /// Bytes a subscriber may leave unread before it is cut off.
    buffer_limit: usize,
    /// Set when the server stops: every subscriber's wait ends.
    closed: watch::Sender<bool>,
    /// Where a PUBLISH goes beyond this server's subscribers: the other servers sharing its
    /// database, if any.
    forward: std::sync::OnceLock<Forward>,
}

/// Sends a PUBLISHed message (channel, payload) to other servers.
pub struct Forward(pub Box<dyn SendMessage>);

/// What a [`Forward`] calls with a channel and a payload.
pub trait SendMessage: Fn(&Bytes, &Bytes) + Send + Sync {}

impl<F: Fn(&Bytes, &Bytes) + Send + Sync> SendMessage for F {}

impl std::fmt::Debug for Forward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Forward")
    }
}

#[derive(Debug, Default)]
struct Subscribers {
    channels: HashMap<Bytes, HashMap<u64, Arc<Inbox>>>,
    patterns: HashMap<Bytes, HashMap<u64, Arc<Inbox>>>,
}

/// Where messages for one subscriber wait.
#[derive(Debug)]
struct Inbox {
    sender: mpsc::UnboundedSender<Message>,
    /// Bytes sent and not yet taken.
    unread: AtomicUsize,
    overflowed: AtomicBool,
}

impl Inbox {
    /// Delivers `message` unless the subscriber is past its limit; whether it was delivered.
    fn deliver(&self, message: Message, limit: usize) -> bool {
        if self.overflowed.load(Ordering::Acquire) {
            return false;
        }
        let size = message.size();
        if self.unread.fetch_add(size, Ordering::AcqRel) + size > limit {
            self.overflowed.store(true, Ordering::Release);
            return false;
        }
        self.sender.send(message).is_ok()
    }
}

impl Broker {
    pub fn new(buffer_limit: usize) -> Self {
        Self {
            subscribers: Mutex::default(),
            next_id: AtomicU64::new(0),
            buffer_limit,
            closed: watch::Sender::new(false),
            forward: std::sync::OnceLock::new(),
        }
    }

    /// Sends every message PUBLISHed here to other servers too, through `forward`, from now on.
    pub fn forward_to(&self, forward: Forward) {
        let _ = self.forward.set(forward);
    }

    /// PUBLISH: delivers `payload` here (see [`Broker::deliver`]) and to the other servers
    /// sharing the database, if any; returns how many receivers it reached here (as Redis
    /// Cluster's PUBLISH counts a node's own).
    pub fn publish(&self, channel: &Bytes, payload: &Bytes) -> usize {
        if let Some(Forward(forward)) = self.forward.get() {
            forward(channel, payload);
        }
        self.deliver(channel, payload)
    }

    /// Ends every subscriber's wait for messages, now and from now on: the server stops, and
    /// streams that would never end must.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Resolves once the broker is closed.
    pub async fn closing(&self) {
        // The sender lives as long as `self`, so the wait can only end by closing.
        let _ = self.closed.subscribe().wait_for(|closed| *closed).await;
    }

    fn subscribers(&self) -> MutexGuard<'_, Subscribers> {
        // A panic while holding the lock leaves maps that are still consistent.
        self.subscribers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Delivers `payload` to this server's subscribers of `channel` and of every pattern
    /// matching it; returns how many receivers it reached.
    pub fn deliver(&self, channel: &Bytes, payload: &Bytes) -> usize {
        let subscribers = self.subscribers();
        let direct = subscribers
            .channels
            .get(channel)
            .into_iter()
            .flatten()
            .filter(|(_, inbox)| {
                let message = Message::Message {
                    channel: channel.clone(),
                    payload: payload.clone(),
                };
                inbox.deliver(message, self.buffer_limit)
            });
        let mut receivers = direct.count();
        for (pattern, inboxes) in &subscribers.patterns {
            if !Glob::new(pattern).matches(channel) {
                continue;
            }
            receivers += inboxes
                .values()
                .filter(|inbox| {
                    let message = Message::PMessage {
                        pattern: pattern.clone(),
                        channel: channel.clone(),
                        payload: payload.clone(),
                    };
                    inbox.deliver(message, self.buffer_limit)
                })
                .count();
        }
        receivers
    }

    /// A new subscriber, subscribed to nothing yet.
    pub fn subscriber(self: &Arc<Self>) -> Subscription {
        let (sender, receiver) = mpsc::unbounded_channel();
        Subscription {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            broker: Arc::clone(self),
            inbox: Arc::new(Inbox {
                sender,
                unread: AtomicUsize::new(0),
                overflowed: AtomicBool::new(false),
            }),
            receiver,
            closed: self.closed.subscribe(),
            channels: BTreeSet::new(),
            patterns: BTreeSet::new(),
        }
    }

    /// Channels with at least one subscriber, those matching `pattern` if given
    /// (PUBSUB CHANNELS).
    pub fn channels(&self, pattern: Option<&[u8]>) -> Vec<Bytes> {
        let mut channels: Vec<Bytes> = self
            .subscribers()
            .channels
            .keys()
            .filter(|channel| pattern.is_none_or(|pattern| Glob::new(pattern).matches(channel)))
            .cloned()
            .collect();
        channels.sort();
        channels
    }

    /// How many subscribe to `channel` (PUBSUB NUMSUB).
    pub fn subscriber_count(&self, channel: &[u8]) -> usize {
        self.subscribers().channels.get(channel).map_or(0, HashMap::len)
    }

    /// How many patterns have subscribers (PUBSUB NUMPAT).
    pub fn pattern_count(&self) -> usize {
        self.subscribers().patterns.len()
    }
}

/// One client's subscriptions, and its inbox. Dropping it unsubscribes from everything.
#[derive(Debug)]
pub struct Subscription {
    id: u64,
    broker: Arc<Broker>,
    inbox: Arc<Inbox>,
    receiver: mpsc::UnboundedReceiver<Message>,
    closed: watch::Receiver<bool>,
    channels: BTreeSet<Bytes>,
    patterns: BTreeSet<Bytes>,
}

/// Whether a name is a channel or a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Channel,
    Pattern,
}

impl Subscription {
    fn names(&mut self, kind: Kind) -> &mut BTreeSet<Bytes> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
        }
    }

    /// Subscribes to a channel or pattern (again is harmless); returns how many channels and
    /// patterns this client now has.
    pub fn subscribe(&mut self, kind: Kind, name: Bytes) -> usize {
        if self.names(kind).insert(name.clone()) {
            let mut subscribers = self.broker.subscribers();
            let map = match kind {
                Kind::Channel => &mut subscribers.channels,
                Kind::Pattern => &mut subscribers.patterns,
            };
            map.entry(name).or_default().insert(self.id, Arc::clone(&self.inbox));
        }
        self.count()
    }

    /// Unsubscribes from one; returns how many are left.
    pub fn unsubscribe(&mut self, kind: Kind, name: &Bytes) -> usize {
        if self.names(kind).remove(name) {
            let mut subscribers = self.broker.subscribers();
            let map = match kind {
                Kind::Channel => &mut subscribers.channels,
                Kind::Pattern => &mut subscribers.patterns,
            };
            if let Some(inboxes) = map.get_mut(name) {
                inboxes.remove(&self.id);
                if inboxes.is_empty() {
                    map.remove(name);
                }
            }
        }
        self.count()
    }

    /// The channels (or patterns) subscribed to, in order.
    pub fn subscribed(&self, kind: Kind) -> Vec<Bytes> {
        match kind {
            Kind::Channel => self.channels.iter().cloned().collect(),
            Kind::Pattern => self.patterns.iter().cloned().collect(),
        }
    }

    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// The next message; [`Ended`] once messages were dropped for want of reading, or the
    /// broker closed.
    pub async fn next(&mut self) -> Result<Message, Ended> {
        let overflow = Ended::Overflow {
            limit: self.broker.buffer_limit,
        };
        if self.inbox.overflowed.load(Ordering::Acquire) {
            return Err(overflow);
        }
        let message = tokio::select! {
            // The sender lives in this subscription's inbox, so the channel never closes.
            message = self.receiver.recv() => message.ok_or(overflow)?,
            _ = self.closed.wait_for(|closed| *closed) => return Err(Ended::Closed),
        };
        self.inbox.unread.fetch_sub(message.size(), Ordering::AcqRel);
        Ok(message)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        for kind in [Kind::Channel, Kind::Pattern] {
            for name in self.subscribed(kind) {
                self.unsubscribe(kind, &name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &'static str) -> Bytes {
        Bytes::from_static(text.as_bytes())
    }

    #[tokio::test]
    async fn messages_reach_channel_and_pattern_subscribers() {
        let broker = Arc::new(Broker::new(1 << 20));
        let mut direct = broker.subscriber();
        let mut patterned = broker.subscriber();
        assert_eq!(direct.subscribe(Kind::Channel, bytes("news")), 1);
        assert_eq!(patterned.subscribe(Kind::Pattern, bytes("n*")), 1);
        assert_eq!(broker.publish(&bytes("news"), &bytes("hi")), 2);
        assert_eq!(broker.publish(&bytes("other"), &bytes("x")), 0);
        assert_eq!(
            direct.next().await,
            Ok(Message::Message {
                channel: bytes("news"),
                payload: bytes("hi")
            })
        );
        assert_eq!(
            patterned.next().await,
            Ok(Message::PMessage {
                pattern: bytes("n*"),
                channel: bytes("news"),
                payload: bytes("hi")
            })
        );
        assert_eq!(broker.channels(None), [bytes("news")]);
        assert_eq!(broker.pattern_count(), 1);
        drop(direct);
        assert_eq!(broker.subscriber_count(b"news"), 0);
        assert!(broker.channels(None).is_empty());
    }

    #[tokio::test]
    async fn a_subscriber_that_does_not_read_is_cut_off_at_its_limit() {
        let broker = Arc::new(Broker::new(100));
        let mut slow = broker.subscriber();
        slow.subscribe(Kind::Channel, bytes("c"));
        let payload = Bytes::from(vec![b'x'; 40]);
        assert_eq!(broker.publish(&bytes("c"), &payload), 1);
        assert_eq!(broker.publish(&bytes("c"), &payload), 1);
        assert_eq!(broker.publish(&bytes("c"), &payload), 0, "past 100 unread bytes");
        assert_eq!(slow.next().await, Err(Ended::Overflow { limit: 100 }));
    }

    #[tokio::test]
    async fn closing_ends_every_wait() {
        let broker = Arc::new(Broker::new(100));
        let mut waiting = broker.subscriber();
        waiting.subscribe(Kind::Channel, bytes("c"));
        let wait = tokio::spawn(async move { waiting.next().await });
        broker.close();
        assert_eq!(wait.await.unwrap(), Err(Ended::Closed));
        assert_eq!(broker.subscriber().next().await, Err(Ended::Closed));
    }
}
