//! Pub/sub over the Redis protocol: subscribing to channels and patterns, messages from any
//! door, RESP2's subscribe mode and RESP3's pushes, PUBSUB, and the buffer limit that cuts
//! off a subscriber that does not read.

use bytes::Bytes;
use litekv::reply::{CmdError, Reply};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};
use crate::resp::encode_command;

fn bulk(text: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(text.as_bytes()))
}

fn push(words: &[&str], count: i64) -> Reply {
    let mut items: Vec<Reply> = words.iter().map(|word| bulk(word)).collect();
    items.push(Reply::Int(count));
    Reply::Array(items)
}

fn message(channel: &str, payload: &str) -> Reply {
    Reply::Array(vec![bulk("message"), bulk(channel), bulk(payload)])
}

#[actix_web::test]
async fn subscribers_get_what_any_door_publishes_and_resp2_allows_only_subscribe_commands() {
    let (app, _database) = spawn_app().await;
    let mut subscriber = app.resp_client().await;
    let mut publisher = app.resp_client().await;
    // Unsubscribing from what it never subscribed to: each name answered, as in Redis 7.0.15.
    subscriber.send(&["UNSUBSCRIBE", "never", "nor"]).await;
    assert_eq!(subscriber.read().await.unwrap(), push(&["unsubscribe", "never"], 0));
    assert_eq!(subscriber.read().await.unwrap(), push(&["unsubscribe", "nor"], 0));
    subscriber.send(&["PUNSUBSCRIBE", "never*"]).await;
    assert_eq!(subscriber.read().await.unwrap(), push(&["punsubscribe", "never*"], 0));
    subscriber.send(&["SUBSCRIBE", "news", "sports"]).await;
    assert_eq!(subscriber.read().await.unwrap(), push(&["subscribe", "news"], 1));
    assert_eq!(subscriber.read().await.unwrap(), push(&["subscribe", "sports"], 2));

    assert_eq!(publisher.call(&["PUBLISH", "news", "hello"]).await, Reply::Int(1));
    assert_eq!(subscriber.read().await.unwrap(), message("news", "hello"));
    assert_eq!(publisher.call(&["PUBLISH", "weather", "rain"]).await, Reply::Int(0));
    // Over HTTP too, and SPUBLISH is PUBLISH.
    assert_eq!(
        app.redis(json!(["PUBLISH", "sports", "goal"])).await,
        json!({"result": 1})
    );
    assert_eq!(subscriber.read().await.unwrap(), message("sports", "goal"));
    assert_eq!(publisher.call(&["SPUBLISH", "news", "again"]).await, Reply::Int(1));
    assert_eq!(subscriber.read().await.unwrap(), message("news", "again"));

    // A pattern: a message on a channel both match arrives twice.
    subscriber.send(&["PSUBSCRIBE", "n*"]).await;
    assert_eq!(subscriber.read().await.unwrap(), push(&["psubscribe", "n*"], 3));
    assert_eq!(publisher.call(&["PUBLISH", "news", "x"]).await, Reply::Int(2));
    assert_eq!(subscriber.read().await.unwrap(), message("news", "x"));
    assert_eq!(
        subscriber.read().await.unwrap(),
        Reply::Array(vec![bulk("pmessage"), bulk("n*"), bulk("news"), bulk("x")])
    );

    // In RESP2's subscribe mode, only these commands; PING answers in kind.
    assert_eq!(
        subscriber.call(&["GET", "k"]).await,
        Reply::Error(CmdError::new(
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
        ))
    );
    assert_eq!(
        subscriber.call(&["PING"]).await,
        Reply::Array(vec![bulk("pong"), bulk("")])
    );

    assert_eq!(
        publisher.call(&["PUBSUB", "CHANNELS"]).await,
        Reply::Array(vec![bulk("news"), bulk("sports")])
    );
    assert_eq!(
        publisher.call(&["PUBSUB", "CHANNELS", "s*"]).await,
        Reply::Array(vec![bulk("sports")])
    );
    assert_eq!(
        publisher.call(&["PUBSUB", "NUMSUB", "news", "none"]).await,
        Reply::Array(vec![bulk("news"), Reply::Int(1), bulk("none"), Reply::Int(0)])
    );
    assert_eq!(publisher.call(&["PUBSUB", "NUMPAT"]).await, Reply::Int(1));

    // Unsubscribing from everything leaves subscribe mode.
    subscriber.send(&["UNSUBSCRIBE"]).await;
    assert_eq!(subscriber.read().await.unwrap(), push(&["unsubscribe", "news"], 2));
    assert_eq!(subscriber.read().await.unwrap(), push(&["unsubscribe", "sports"], 1));
    subscriber.send(&["PUNSUBSCRIBE", "n*"]).await;
    assert_eq!(subscriber.read().await.unwrap(), push(&["punsubscribe", "n*"], 0));
    subscriber.send(&["UNSUBSCRIBE", "news"]).await;
    assert_eq!(subscriber.read().await.unwrap(), push(&["unsubscribe", "news"], 0));
    assert_eq!(subscriber.call(&["GET", "k"]).await, Reply::Nil);
    assert_eq!(publisher.call(&["PUBLISH", "news", "y"]).await, Reply::Int(0));
    assert_eq!(publisher.call(&["PUBSUB", "NUMPAT"]).await, Reply::Int(0));
    // A subscriber that goes away is no longer counted.
    let mut gone = app.resp_client().await;
    gone.send(&["SUBSCRIBE", "news"]).await;
    assert_eq!(gone.read().await.unwrap(), push(&["subscribe", "news"], 1));
    drop(gone);
    let mut receivers = Reply::Int(1);
    for _ in 0..100 {
        receivers = publisher.call(&["PUBLISH", "news", "z"]).await;
        if receivers == Reply::Int(0) {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(receivers, Reply::Int(0));
}

/// As in Redis 7.0.15 (checked over a raw socket): CLIENT REPLY OFF silences replies, not the
/// confirmations of SUBSCRIBE and UNSUBSCRIBE nor the messages, in RESP2 and RESP3 alike.
#[actix_web::test]
async fn client_reply_off_silences_replies_but_not_subscriptions_or_messages() {
    let (app, _database) = spawn_app().await;
    let mut publisher = app.resp_client().await;
    for protocol in ["2", "3"] {
        let mut subscriber = app.resp_client().await;
        subscriber.call(&["HELLO", protocol]).await;
        let in_protocol = |reply: Reply| match (protocol, reply) {
            ("3", Reply::Array(items)) => Reply::Push(items),
            (_, reply) => reply,
        };
        subscriber.send(&["CLIENT", "REPLY", "OFF"]).await;
        subscriber.send(&["SUBSCRIBE", "c"]).await;
        assert_eq!(
            subscriber.read().await.unwrap(),
            in_protocol(push(&["subscribe", "c"], 1))
        );
        assert_eq!(publisher.call(&["PUBLISH", "c", "m"]).await, Reply::Int(1));
        assert_eq!(subscriber.read().await.unwrap(), in_protocol(message("c", "m")));
        subscriber.send(&["UNSUBSCRIBE", "c"]).await;
        assert_eq!(
            subscriber.read().await.unwrap(),
            in_protocol(push(&["unsubscribe", "c"], 0))
        );
        // A plain reply stays silent: the next thing read is CLIENT REPLY ON's OK.
        subscriber.send(&["PING"]).await;
        assert_eq!(
            subscriber.call(&["CLIENT", "REPLY", "ON"]).await,
            Reply::OK,
            "RESP{protocol}"
        );
    }
}

#[actix_web::test]
async fn resp3_subscribers_get_pushes_and_run_any_command_between_them() {
    let (app, _database) = spawn_app().await;
    let mut subscriber = app.resp_client().await;
    assert!(matches!(subscriber.call(&["HELLO", "3"]).await, Reply::Map(_)));
    let as_push = |reply: Reply| match reply {
        Reply::Array(items) => Reply::Push(items),
        other => other,
    };
    subscriber.send(&["SUBSCRIBE", "c"]).await;
    assert_eq!(subscriber.read().await.unwrap(), as_push(push(&["subscribe", "c"], 1)));
    assert_eq!(subscriber.call(&["SET", "k", "v"]).await, Reply::OK);
    app.redis(json!(["PUBLISH", "c", "m"])).await;
    assert_eq!(subscriber.read().await.unwrap(), as_push(message("c", "m")));
    assert_eq!(subscriber.call(&["GET", "k"]).await, bulk("v"));
}

#[actix_web::test]
async fn a_subscriber_that_does_not_read_is_cut_off_with_an_error() {
    let (app, _database) = spawn_app_with(&["--max-pubsub-buffer-bytes", "1000000"]).await;
    let mut subscriber = app.resp_client().await;
    subscriber.send(&["SUBSCRIBE", "flood"]).await;
    assert_eq!(subscriber.read().await.unwrap(), push(&["subscribe", "flood"], 1));
    // 40 MiB of messages, far past the socket's buffers and the 1 MB limit, unread.
    let payload = "x".repeat(64 * 1024);
    let mut publisher = app.resp_client().await;
    let flood: Vec<u8> = (0..640)
        .flat_map(|_| encode_command(&["PUBLISH", "flood", &payload]))
        .collect();
    publisher.send_raw(&flood).await;
    let mut delivered = 0;
    for _ in 0..640 {
        match publisher.read().await.unwrap() {
            Reply::Int(1) => delivered += 1,
            Reply::Int(0) => {}
            other => panic!("PUBLISH answered {other:?}"),
        }
    }
    assert!(delivered < 640, "every message was delivered: the limit never bit");
    let mut received = 0;
    loop {
        match subscriber.read().await.unwrap() {
            Reply::Array(_) => received += 1,
            Reply::Error(error) => {
                assert!(error.as_str().contains("--max-pubsub-buffer-bytes"), "{error}");
                break;
            }
            other => panic!("the subscriber got {other:?}"),
        }
    }
    assert!(received <= delivered, "{received} received of {delivered} delivered");
    assert!(subscriber.is_closed().await);
    // The server serves on.
    assert_eq!(publisher.call(&["PING"]).await, Reply::status("PONG"));
}

/// Reads the next server-sent event off a streaming response: one `data:` line.
async fn next_event(
    response: &mut awc::ClientResponse<
        impl futures_util::Stream<Item = Result<Bytes, awc::error::PayloadError>> + Unpin,
    >,
    buffer: &mut Vec<u8>,
) -> String {
    use futures_util::StreamExt;
    loop {
        if let Some(end) = buffer.windows(2).position(|pair| pair == b"\n\n") {
            let event: Vec<u8> = buffer.drain(..end + 2).collect();
            return String::from_utf8(event).unwrap();
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), response.next())
            .await
            .expect("an event within 10 s")
            .expect("the stream goes on")
            .unwrap();
        buffer.extend_from_slice(&chunk);
    }
}

#[actix_web::test]
async fn a_plain_http_client_reads_a_channel_as_server_sent_events() {
    let (app, _database) = spawn_app().await;
    let client = awc::Client::default();
    let mut response = client
        .post(format!("{}/subscribe/alerts", app.address))
        .insert_header(("accept", "text/event-stream"))
        .send_body("[]")
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("content-type").unwrap(), "text/event-stream");
    let mut buffer = Vec::new();
    assert_eq!(
        next_event(&mut response, &mut buffer).await,
        "data: subscribe,alerts,1\n\n"
    );
    let mut publisher = app.resp_client().await;
    assert_eq!(
        publisher.call(&["PUBLISH", "alerts", "disk at 91%"]).await,
        Reply::Int(1)
    );
    assert_eq!(
        next_event(&mut response, &mut buffer).await,
        "data: message,alerts,disk at 91%\n\n"
    );

    let mut patterned = client
        .post(format!("{}/psubscribe/al*", app.address))
        .send_body("[]")
        .await
        .unwrap();
    let mut pattern_buffer = Vec::new();
    assert_eq!(
        next_event(&mut patterned, &mut pattern_buffer).await,
        "data: psubscribe,al*,1\n\n"
    );
    assert_eq!(publisher.call(&["PUBLISH", "alerts", "cleared"]).await, Reply::Int(2));
    assert_eq!(
        next_event(&mut response, &mut buffer).await,
        "data: message,alerts,cleared\n\n"
    );
    assert_eq!(
        next_event(&mut patterned, &mut pattern_buffer).await,
        "data: pmessage,al*,alerts,cleared\n\n"
    );
}
