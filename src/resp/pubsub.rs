//! A connection's side of pub/sub: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBE
//! commands, the messages they bring as pushes, and PUBSUB's questions about the broker.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;

use crate::broker::{Broker, Ended, Kind, Message, Subscription};
use crate::reply::{CmdError, Reply};

/// What a connection subscribes to, once it subscribes to anything.
#[derive(Debug, Default)]
pub(super) struct Listener {
    subscription: Option<Subscription>,
}

/// The reply words of each subscribe and unsubscribe command.
fn words(command: &str) -> Option<(Kind, &'static str)> {
    Some(match command {
        "subscribe" => (Kind::Channel, "subscribe"),
        "ssubscribe" => (Kind::Channel, "ssubscribe"),
        "psubscribe" => (Kind::Pattern, "psubscribe"),
        "unsubscribe" => (Kind::Channel, "unsubscribe"),
        "sunsubscribe" => (Kind::Channel, "sunsubscribe"),
        "punsubscribe" => (Kind::Pattern, "punsubscribe"),
        _ => return None,
    })
}

impl Listener {
    /// Whether the connection listens to any channel or pattern.
    pub(super) fn is_listening(&self) -> bool {
        self.subscription
            .as_ref()
            .is_some_and(|subscription| subscription.count() > 0)
    }

    /// Runs a subscribe or unsubscribe command: one push per channel or pattern, each with
    /// how many the connection has after it.
    pub(super) fn run(&mut self, broker: &Arc<Broker>, command: &str, names: VecDeque<Bytes>) -> Vec<Reply> {
        let (kind, word) = words(command).expect("only subscribe commands are run here");
        let push = |name: Reply, count: usize| Reply::Push(vec![Reply::bulk(word), name, Reply::count(count)]);
        if command.ends_with("unsubscribe") {
            // Without names: every one of its kind.
            let names: Vec<Bytes> = match (names.is_empty(), &self.subscription) {
                (true, Some(subscription)) => subscription.subscribed(kind),
                _ => names.into(),
            };
            let count = |subscription: &Option<Subscription>| subscription.as_ref().map_or(0, Subscription::count);
            if names.is_empty() {
                return vec![push(Reply::Nil, count(&self.subscription))];
            }
            // A name never subscribed to is answered too, as Redis does, with the count as it is.
            return names
                .into_iter()
                .map(|name| {
                    if let Some(subscription) = &mut self.subscription {
                        subscription.unsubscribe(kind, &name);
                    }
                    push(Reply::Bulk(name), count(&self.subscription))
                })
                .collect();
        }
        let subscription = self.subscription.get_or_insert_with(|| broker.subscriber());
        names
            .into_iter()
            .map(|name| {
                let count = subscription.subscribe(kind, name.clone());
                push(Reply::Bulk(name), count)
            })
            .collect()
    }

    /// The next message for this connection, as the push that delivers it; never, while it
    /// listens to nothing.
    pub(super) async fn next(&mut self) -> Result<Reply, Ended> {
        let Some(subscription) = &mut self.subscription else {
            return std::future::pending().await;
        };
        Ok(match subscription.next().await? {
            Message::Message { channel, payload } => {
                Reply::Push(vec![Reply::bulk("message"), Reply::Bulk(channel), Reply::Bulk(payload)])
            }
            Message::PMessage {
                pattern,
                channel,
                payload,
            } => Reply::Push(vec![
                Reply::bulk("pmessage"),
                Reply::Bulk(pattern),
                Reply::Bulk(channel),
                Reply::Bulk(payload),
            ]),
        })
    }

    /// Stops listening to everything (RESET).
    pub(super) fn clear(&mut self) {
        self.subscription = None;
    }
}

/// Whether `command` subscribes or unsubscribes.
pub(super) fn is_subscribe_command(command: &str) -> bool {
    words(command).is_some()
}

/// `PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT`, and the shard forms, which
/// share the same channels here.
pub(super) fn pubsub(broker: &Broker, mut args: VecDeque<Bytes>) -> Reply {
    let subcommand = args.pop_front().unwrap_or_default().to_ascii_uppercase();
    match (subcommand.as_slice(), args.len()) {
        (b"CHANNELS" | b"SHARDCHANNELS", 0 | 1) => {
            Reply::array_of_bulks(broker.channels(args.front().map(|pattern| pattern.as_ref())))
        }
        (b"NUMSUB" | b"SHARDNUMSUB", _) => Reply::Array(
            args.into_iter()
                .flat_map(|channel| {
                    let count = broker.subscriber_count(&channel);
                    [Reply::Bulk(channel), Reply::count(count)]
                })
                .collect(),
        ),
        (b"NUMPAT", 0) => Reply::count(broker.pattern_count()),
        _ => Reply::Error(CmdError::new(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try PUBSUB HELP.",
            String::from_utf8_lossy(&subcommand)
        ))),
    }
}
