//! `GET /watch/<key>`: one key's changes as server-sent events, for `curl -N` and
//! `EventSource`. The first event is the key as it is now; then one per change, deletion or
//! expiry, through any door, once committed. Each is one `data:` line of JSON: the body
//! `GET /<key>/` would answer (`key`, `type` for a collection, `value`, `ttl_remaining`), or
//! `"value": null` for a missing key, plus `event`: `current` first, then Redis's name for
//! what happened (`set`, `hset`, `lpush`, `del`, `expired`, ...).
//!
//! Each event carries the key as read after it committed, so a burst of changes may show the
//! latest value more than once, but never one older than the event. `?events=N` ends the
//! stream after N events (the current state counts), so `?events=2` waits for the next
//! change.

use std::convert::Infallible;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use futures_util::stream;
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::value::RawValue;

use super::ApiError;
use super::native::{stored_as_json, type_name};
use super::pubsub::{HEARTBEAT, event_stream};
use crate::access::Access;
use crate::cmd::{Engine, GetOutcome};
use crate::domain::Key;
use crate::notify::KeyWatch;
use crate::store::StoreError;

/// Follow a key's changes, as server-sent events.
///
/// `GET /watch/<key>`: a stream of `data:` lines, each a JSON object: the key's state as
/// `GET /<key>/` answers it (or `"value": null` once it is gone), and `event`, which is
/// `current` first, then Redis's name for each change (`set`, `hset`, `del`, `expired`, ...).
/// It lasts until the client leaves, unless `events` ends it sooner.
#[utoipa::path(
    get, path = "/watch/{key}", tag = "JSON API", operation_id = "watch_key",
    params(
        ("key" = String, Path, description = "The key, percent-encoded", example = "user-config"),
        ("events" = Option<u32>, Query, description = "End the stream after this many events, the current state \
            counting as the first; without it, the stream lasts until the client leaves", minimum = 1, example = "1"),
    ),
    responses(
        (status = 200, description = "A stream of server-sent events (`text/event-stream`), one JSON object per \
            `data:` line", content_type = "text/event-stream", body = String),
        (status = 400, description = "A bad key or `events`", body = super::error::ErrorBody),
        (status = 401, description = "A token is required", body = super::error::ErrorBody),
    )
)]
pub(super) async fn watch_key(
    _: Access,
    request: HttpRequest,
    engine: web::Data<Engine>,
) -> Result<HttpResponse, ApiError> {
    let key = watched_key(request.uri().path())?;
    let limit = events_limit(request.query_string())?;
    // Watched before the first read: a change in between is an event, never missed.
    let watch = engine.notifier().watch(key.clone());
    let watching = Watching {
        engine: engine.into_inner(),
        key,
        watch,
        left: limit,
        sent_current: false,
        expires_in: None,
    };
    let events = stream::unfold(Some(watching), |watching| async move {
        let mut watching = watching?;
        let (line, go_on) = watching.next().await;
        Some((Ok::<_, Infallible>(line), go_on.then_some(watching)))
    });
    Ok(event_stream(events))
}

/// The key after `/watch/`, percent-decoded and validated.
fn watched_key(path: &str) -> Result<Bytes, ApiError> {
    let encoded = path.strip_prefix("/watch/").unwrap_or_default();
    Ok(Key::parse(percent_decode_str(encoded).collect())?.into_bytes())
}

/// `events=N` from the query, if given.
fn events_limit(query: &str) -> Result<Option<u64>, ApiError> {
    let Some(value) = query.split('&').find_map(|pair| pair.strip_prefix("events=")) else {
        return Ok(None);
    };
    match value.parse::<u64>() {
        Ok(limit @ 1..) => Ok(Some(limit)),
        _ => Err(ApiError::BadRequest(format!(
            "events must be a whole number of events, 1 or more, not {value:?}: /watch/<key>?events=2 answers the \
             current state and the next change"
        ))),
    }
}

struct Watching {
    engine: std::sync::Arc<Engine>,
    key: Bytes,
    watch: KeyWatch,
    /// Events still to send, if limited.
    left: Option<u64>,
    sent_current: bool,
    /// When the key, as last read, expires: a read then deletes it, which is its `expired`.
    expires_in: Option<Duration>,
}

/// What the stream waited for.
enum Next {
    Event(&'static str),
    Quiet,
    Ended(&'static str),
}

/// One event's `data:` line.
#[derive(Serialize)]
struct WatchEvent<'a> {
    key: &'a str,
    event: &'static str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    /// `null` while the key is missing, and in an `end` event.
    value: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl_remaining: Option<i64>,
    /// Why the stream ends, in an `end` event.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

impl Watching {
    /// The next thing to send: the current state first, then each change's event, or a
    /// heartbeat; and whether the stream goes on after it.
    async fn next(&mut self) -> (Bytes, bool) {
        let event = if self.sent_current {
            match self.wait().await {
                Next::Event(name) => name,
                Next::Quiet => return (Bytes::from_static(b":\n\n"), true),
                Next::Ended(reason) => return (self.end(reason), false),
            }
        } else {
            self.sent_current = true;
            "current"
        };
        match self.state(event).await {
            Ok(line) => {
                let go_on = self.left.as_mut().is_none_or(|left| {
                    *left -= 1;
                    *left > 0
                });
                (line, go_on)
            }
            Err(error) => {
                tracing::error!(error = ?error, "reading a watched key failed");
                (self.end("the store failed; watch again"), false)
            }
        }
    }

    /// Waits for the key's next event, a heartbeat's time, or the server's stop. When the
    /// key's time to live runs out meanwhile, it is read: that read deletes it, and its
    /// `expired` event follows.
    async fn wait(&mut self) -> Next {
        loop {
            let expires_in = self.expires_in;
            let expiry = async move {
                match expires_in {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => std::future::pending().await,
                }
            };
            // `None`: the key's time ran out.
            let next = tokio::select! {
                name = self.watch.next() => Some(name.map_or(Next::Ended("fell too far behind the key's changes; watch again"), Next::Event)),
                () = tokio::time::sleep(HEARTBEAT) => Some(Next::Quiet),
                () = expiry => None,
                () = self.engine.broker().closing() => Some(Next::Ended("the server is shutting down")),
            };
            if let Some(next) = next {
                return next;
            }
            self.expires_in = None;
            if let Err(error) = self.engine.get_value(&self.key).await {
                tracing::warn!(error = ?error, "reading a watched key at its expiry failed");
            }
        }
    }

    /// The key as it is now, as `event`'s line.
    async fn state(&mut self, event: &'static str) -> Result<Bytes, StoreError> {
        let key = String::from_utf8_lossy(&self.key);
        let line = match self.engine.get_value(&self.key).await? {
            GetOutcome::Found { value, ttl_remaining } => {
                self.expires_in = ttl_remaining.map(|seconds| Duration::from_secs(seconds.max(0) as u64));
                data(&WatchEvent {
                    key: &key,
                    event,
                    kind: type_name(&value),
                    value: Some(stored_as_json(&value)),
                    ttl_remaining: Some(ttl_remaining.unwrap_or(-1)),
                    reason: None,
                })
            }
            GetOutcome::Expired | GetOutcome::Missing => {
                self.expires_in = None;
                data(&WatchEvent {
                    key: &key,
                    event,
                    kind: None,
                    value: None,
                    ttl_remaining: None,
                    reason: None,
                })
            }
        };
        Ok(line)
    }

    /// The last line: an `end` event saying why.
    fn end(&self, reason: &'static str) -> Bytes {
        data(&WatchEvent {
            key: &String::from_utf8_lossy(&self.key),
            event: "end",
            kind: None,
            value: None,
            ttl_remaining: None,
            reason: Some(reason),
        })
    }
}

/// `data: <json>`, then the blank line that ends an event.
fn data(event: &WatchEvent<'_>) -> Bytes {
    let json = serde_json::to_string(event).expect("an event serializes");
    Bytes::from(format!("data: {json}\n\n"))
}
