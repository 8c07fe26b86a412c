//! Upstash's pub/sub over HTTP: `POST /subscribe/<channel>` and `POST /psubscribe/<pattern>`
//! answer a stream of server-sent events, one `data:` line each, which `@upstash/redis`'s
//! `subscribe` and `psubscribe` read: `subscribe,<channel>,<count>` first, then
//! `message,<channel>,<message>` (or `pmessage,<pattern>,<channel>,<message>`) for each
//! message published. The stream lasts until the client goes away, or falls behind by more
//! than `--max-pubsub-buffer-bytes`.
//!
//! Left out of the OpenAPI document: a stream without end is no operation that Swagger UI,
//! or a checker that reads whole responses, can call.

use std::convert::Infallible;
use std::time::Duration;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use bytes::{BufMut, Bytes, BytesMut};
use futures_util::{Stream, StreamExt, stream};

use crate::access::Access;
use crate::broker::{Kind, Message, Subscription};
use crate::cmd::Engine;

/// Subscribe to a channel, as server-sent events.
pub(super) async fn subscribe(_: Access, channel: web::Path<String>, engine: web::Data<Engine>) -> HttpResponse {
    events(&engine, Kind::Channel, channel.into_inner())
}

/// Subscribe to the channels matching a pattern, as server-sent events.
pub(super) async fn psubscribe(_: Access, pattern: web::Path<String>, engine: web::Data<Engine>) -> HttpResponse {
    events(&engine, Kind::Pattern, pattern.into_inner())
}

fn events(engine: &Engine, kind: Kind, name: String) -> HttpResponse {
    let mut subscription = engine.broker().subscriber();
    let count = subscription.subscribe(kind, Bytes::from(name.clone()));
    let word = match kind {
        Kind::Channel => "subscribe",
        Kind::Pattern => "psubscribe",
    };
    let first = event(&[word.as_bytes(), name.as_bytes(), count.to_string().as_bytes()]);
    let messages = stream::unfold(subscription, next_event);
    event_stream(stream::once(async move { Ok::<_, Infallible>(first) }).chain(messages))
}

/// A response of server-sent events, the watch's too.
pub(super) fn event_stream(events: impl Stream<Item = Result<Bytes, Infallible>> + 'static) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/event-stream"))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .streaming(events)
}

/// How often a quiet stream gets a comment line: writing is how a server learns that the
/// client went away, and so stops counting it as a subscriber (or watcher).
pub(super) const HEARTBEAT: Duration = Duration::from_secs(10);

/// The next message as an event, or a heartbeat comment after [`HEARTBEAT`] without one; the
/// end of the stream once the subscriber fell behind.
async fn next_event(mut subscription: Subscription) -> Option<(Result<Bytes, Infallible>, Subscription)> {
    let next = tokio::time::timeout(HEARTBEAT, subscription.next()).await;
    let Ok(message) = next else {
        return Some((Ok(Bytes::from_static(b":\n\n")), subscription));
    };
    let event = match message.ok()? {
        Message::Message { channel, payload } => event(&[b"message", &channel, &payload]),
        Message::PMessage {
            pattern,
            channel,
            payload,
        } => event(&[b"pmessage", &pattern, &channel, &payload]),
    };
    Some((Ok(event), subscription))
}

/// `data: <parts joined by commas>`, then the blank line that ends an event.
fn event(parts: &[&[u8]]) -> Bytes {
    let mut event = BytesMut::from(&b"data: "[..]);
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            event.put_u8(b',');
        }
        event.put_slice(part);
    }
    event.put_slice(b"\n\n");
    event.freeze()
}
