//! `GET /watch/<key>`: a key's current state, then each change through any door, its
//! deletion and its expiry, as server-sent events; read by plain `curl -N`, as documented.

use std::process::Command;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::helpers::{RunningBinary, TestApp, TestDatabase, spawn_app};

/// Reads a watch stream event by event (each a `data:` line of JSON).
pub(crate) struct Watcher {
    body: futures_util::stream::LocalBoxStream<'static, Result<bytes::Bytes, awc::error::PayloadError>>,
    buffer: String,
}

impl Watcher {
    pub(crate) async fn start(app: &TestApp, path: &str) -> Self {
        Self::start_at(&app.address, path).await
    }

    /// Follows `path` on the server at `address` (`http://host:port`).
    pub(crate) async fn start_at(address: &str, path: &str) -> Self {
        let body = awc::Client::default()
            .get(format!("{address}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(body.status(), 200);
        assert_eq!(body.headers().get("content-type").unwrap(), "text/event-stream");
        Self {
            body: body.boxed_local(),
            buffer: String::new(),
        }
    }

    /// The next event's JSON; `None` once the stream ended.
    pub(crate) async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                if let Some(json) = event.strip_prefix("data: ") {
                    return Some(serde_json::from_str(json.trim_end()).unwrap());
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.body.next())
                .await
                .expect("an event within 10 s")?
                .unwrap();
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

#[actix_web::test]
async fn a_watch_sends_the_current_state_then_every_change_deletion_and_expiry() {
    let (app, _database) = spawn_app().await;
    app.post("/config/", json!({"value": {"theme": "dark"}})).await;
    let mut watcher = Watcher::start(&app, "/watch/config").await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "config", "event": "current", "value": {"theme": "dark"}, "ttl_remaining": -1})
    );

    // Through the JSON API, the Upstash door and the Redis protocol.
    app.post("/config/", json!({"value": {"theme": "light"}, "ttl": 60}))
        .await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "config", "event": "set", "value": {"theme": "light"}, "ttl_remaining": 60})
    );
    app.redis(json!(["DEL", "config"])).await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "config", "event": "del", "value": null})
    );
    let mut client = app.resp_client().await;
    client.call(&["HSET", "config", "theme", "blue"]).await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "config", "event": "hset", "type": "hash", "value": {"theme": "blue"}, "ttl_remaining": -1})
    );
    // Other keys say nothing here; a failed command neither.
    client.call(&["SET", "other", "x"]).await;
    client.call(&["INCR", "config"]).await;
    client.call(&["EXPIRE", "config", "5"]).await;
    assert_eq!(watcher.next().await.unwrap()["event"], "expire");

    // Its time passes: the read that finds it deletes it, and the watch says `expired`.
    app.clock.advance(Duration::from_secs(6));
    assert_eq!(app.redis(json!(["EXISTS", "config"])).await, json!({"result": 0}));
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "config", "event": "expired", "value": null})
    );
}

#[actix_web::test]
async fn events_ends_the_stream_and_bad_requests_say_why() {
    let (app, _database) = spawn_app().await;
    // `events=2`: the current state, then the next change; then the stream ends.
    let mut watcher = Watcher::start(&app, "/watch/queue?events=2").await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "queue", "event": "current", "value": null})
    );
    app.redis(json!(["RPUSH", "queue", "a"])).await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "queue", "event": "rpush", "type": "list", "value": ["a"], "ttl_remaining": -1})
    );
    assert_eq!(watcher.next().await, None, "the stream ended");

    let (status, body) = app.get("/watch/queue?events=0").await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("events must be"), "{body}");
    // A key with a slash, percent-encoded as everywhere.
    let mut watcher = Watcher::start(&app, "/watch/a%2Fb?events=1").await;
    assert_eq!(watcher.next().await.unwrap()["key"], "a/b");
}

/// Plain `curl -N`, as docs/real-time.md shows it: it prints each event as it comes.
#[actix_web::test]
async fn curl_follows_a_key() {
    let database = TestDatabase::new();
    let (server, address) = RunningBinary::server(&database, &[]).await;
    let url = format!("{address}/watch/greeting?events=3");
    let curl = std::thread::spawn(move || Command::new("curl").args(["-sN", &url]).output().unwrap());
    let client = awc::Client::default();
    // Once curl is watching (the key has a watcher), change it twice.
    let mut resp = crate::resp::RespClient::connect(server.resp_address().await).await;
    for _ in 0..500 {
        if curl.is_finished() {
            break;
        }
        let Ok(mut response) = client
            .post(format!("{address}/greeting/"))
            .send_json(&json!({"value": "hello"}))
            .await
        else {
            continue;
        };
        let _ = response.body().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        resp.call(&["DEL", "greeting"]).await;
    }
    let output = curl.join().unwrap();
    let printed = String::from_utf8(output.stdout).unwrap();
    let events: Vec<Value> = printed
        .split("\n\n")
        .filter_map(|event| event.strip_prefix("data: "))
        .map(|json| serde_json::from_str(json).unwrap())
        .collect();
    assert_eq!(events.len(), 3, "{printed}");
    assert_eq!(events[0]["event"], "current");
    assert!(
        events[1..]
            .iter()
            .all(|event| event["event"] == "set" || event["event"] == "del"),
        "{printed}"
    );
    drop(server);
}
