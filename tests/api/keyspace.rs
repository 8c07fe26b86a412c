//! Keyspace notifications: `CONFIG SET notify-keyspace-events`, and the events of writes
//! through any door on `__keyspace@0__:<key>` and `__keyevent@0__:<event>`. The events of
//! each command were compared with Redis 7.0.15's; these tests pin the kinds.

use std::time::Duration;

use bytes::Bytes;
use litekv::reply::{CmdError, Reply};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};
use crate::resp::RespClient;

fn bulk(text: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(text.as_bytes()))
}

/// Reads the next `count` pattern messages, as `(channel, message)`.
async fn events(subscriber: &mut RespClient, count: usize) -> Vec<(String, String)> {
    let mut events = Vec::new();
    for _ in 0..count {
        let Ok(Reply::Array(parts)) = subscriber.read().await else {
            panic!("a pmessage arrives");
        };
        let text = |part: &Reply| match part {
            Reply::Bulk(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            other => panic!("a bulk, not {other:?}"),
        };
        assert_eq!(text(&parts[0]), "pmessage");
        events.push((text(&parts[2]), text(&parts[3])));
    }
    events
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(channel, message)| (channel.to_string(), message.to_string()))
        .collect()
}

async fn subscribed(app: &crate::helpers::TestApp, pattern: &str) -> RespClient {
    let mut subscriber = app.resp_client().await;
    subscriber.send(&["PSUBSCRIBE", pattern]).await;
    subscriber.read().await.unwrap();
    subscriber
}

#[actix_web::test]
async fn config_set_chooses_the_events_and_config_get_reads_them_back() {
    let (app, _database) = spawn_app().await;
    let mut client = app.resp_client().await;
    let get = || ["CONFIG", "GET", "notify-keyspace-events"];
    assert_eq!(
        client.call(&get()).await,
        Reply::Array(vec![bulk("notify-keyspace-events"), bulk("")])
    );
    assert_eq!(
        client.call(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]).await,
        Reply::OK
    );
    assert_eq!(
        client.call(&get()).await,
        Reply::Array(vec![bulk("notify-keyspace-events"), bulk("AKE")])
    );
    assert_eq!(
        client.call(&["CONFIG", "SET", "notify-keyspace-events", "Kq"]).await,
        Reply::Error(CmdError::new(
            "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class \
             character. Use 'Ag$lshzxeKEtmdn'."
        ))
    );
    let Reply::Error(error) = client.call(&["CONFIG", "SET", "maxmemory", "1gb"]).await else {
        panic!("only notify-keyspace-events may be set");
    };
    assert!(error.as_str().contains("only notify-keyspace-events"), "{error:?}");
    assert_eq!(
        client.call(&get()).await,
        Reply::Array(vec![bulk("notify-keyspace-events"), bulk("AKE")]),
        "a refused setting changes nothing"
    );

    let (guarded, _database) = spawn_app_with(&["--token", "writer", "--read-only-token", "reader"]).await;
    let mut reader = guarded.resp_client().await;
    assert_eq!(reader.call(&["AUTH", "reader"]).await, Reply::OK);
    let Reply::Error(error) = reader.call(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]).await else {
        panic!("a read-only token may not");
    };
    assert!(error.as_str().starts_with("NOPERM"), "{error:?}");
}

#[actix_web::test]
async fn writes_through_any_door_publish_their_events_once_committed() {
    let (app, _database) = spawn_app().await;
    let mut subscriber = subscribed(&app, "__key*@0__:*").await;
    let mut client = app.resp_client().await;
    assert_eq!(
        client.call(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]).await,
        Reply::OK
    );

    // Over HTTP: SET with a time to live is `set` then `expire`, on both channels.
    app.redis(json!(["SET", "k", "v", "EX", "100"])).await;
    assert_eq!(
        events(&mut subscriber, 4).await,
        pairs(&[
            ("__keyspace@0__:k", "set"),
            ("__keyevent@0__:set", "k"),
            ("__keyspace@0__:k", "expire"),
            ("__keyevent@0__:expire", "k"),
        ])
    );
    // Over RESP: a pop that empties a list is the pop, then `del`.
    client.call(&["RPUSH", "l", "a"]).await;
    client.call(&["LPOP", "l"]).await;
    assert_eq!(
        events(&mut subscriber, 6).await,
        pairs(&[
            ("__keyspace@0__:l", "rpush"),
            ("__keyevent@0__:rpush", "l"),
            ("__keyspace@0__:l", "lpop"),
            ("__keyevent@0__:lpop", "l"),
            ("__keyspace@0__:l", "del"),
            ("__keyevent@0__:del", "l"),
        ])
    );
    // A command that changes nothing says nothing; a transaction's events come in order.
    client.call(&["SADD", "s", "a"]).await;
    events(&mut subscriber, 2).await;
    client.call(&["MULTI"]).await;
    client.call(&["SADD", "s", "a"]).await;
    client.call(&["HSET", "h", "f", "1"]).await;
    client.call(&["ZADD", "z", "1", "m"]).await;
    client.call(&["EXEC"]).await;
    assert_eq!(
        events(&mut subscriber, 4).await,
        pairs(&[
            ("__keyspace@0__:h", "hset"),
            ("__keyevent@0__:hset", "h"),
            ("__keyspace@0__:z", "zadd"),
            ("__keyevent@0__:zadd", "z"),
        ])
    );
    // Nor does a score set again, or incremented by nothing: the next events are the expiry's.
    client.call(&["ZADD", "z", "1", "m"]).await;
    client.call(&["ZINCRBY", "z", "0", "m"]).await;
    // SMOVE of a member its destination holds already: only the source hears of it (Redis
    // 7.0.15 sends the same).
    client.call(&["SADD", "from", "m"]).await;
    client.call(&["SADD", "to", "m"]).await;
    assert_eq!(
        events(&mut subscriber, 4).await,
        pairs(&[
            ("__keyspace@0__:from", "sadd"),
            ("__keyevent@0__:sadd", "from"),
            ("__keyspace@0__:to", "sadd"),
            ("__keyevent@0__:sadd", "to"),
        ])
    );
    client.call(&["SMOVE", "from", "to", "m"]).await;
    assert_eq!(
        events(&mut subscriber, 4).await,
        pairs(&[
            ("__keyspace@0__:from", "srem"),
            ("__keyevent@0__:srem", "from"),
            ("__keyspace@0__:from", "del"),
            ("__keyevent@0__:del", "from"),
        ])
    );
    // A key whose time passed is `expired` once a read finds it.
    app.clock.advance(Duration::from_secs(101));
    assert_eq!(app.redis(json!(["GET", "k"])).await, json!({"result": null}));
    assert_eq!(
        events(&mut subscriber, 2).await,
        pairs(&[("__keyspace@0__:k", "expired"), ("__keyevent@0__:expired", "k")])
    );
}

#[actix_web::test]
async fn the_letters_choose_the_channels_and_the_classes() {
    let (app, _database) = spawn_app().await;
    let mut subscriber = subscribed(&app, "__key*@0__:*").await;
    let mut client = app.resp_client().await;
    // Only the keyspace channel, only list events, and new keys.
    assert_eq!(
        client.call(&["CONFIG", "SET", "notify-keyspace-events", "Kln"]).await,
        Reply::OK
    );
    client.call(&["SET", "skipped", "v"]).await;
    client.call(&["RPUSH", "list", "a"]).await;
    client.call(&["INCR", "counter"]).await;
    assert_eq!(
        events(&mut subscriber, 3).await,
        pairs(&[
            ("__keyspace@0__:skipped", "new"),
            ("__keyspace@0__:list", "new"),
            ("__keyspace@0__:list", "rpush"),
        ])
    );
    assert_eq!(
        events(&mut subscriber, 1).await,
        pairs(&[("__keyspace@0__:counter", "new")])
    );
    // Off: nothing at all.
    assert_eq!(
        client.call(&["CONFIG", "SET", "notify-keyspace-events", ""]).await,
        Reply::OK
    );
    client.call(&["RPUSH", "list", "b"]).await;
    assert_eq!(client.call(&["PUBLISH", "marker", "x"]).await, Reply::Int(0));
    subscriber.send(&["PSUBSCRIBE", "marker"]).await;
    assert_eq!(
        subscriber.read().await.unwrap(),
        Reply::Array(vec![bulk("psubscribe"), bulk("marker"), Reply::Int(2)]),
        "no event came before the subscription's reply"
    );
}

#[actix_web::test]
async fn json_commands_announce_redisjson_s_events_in_the_module_class() {
    let (app, _database) = spawn_app().await;
    let mut subscriber = subscribed(&app, "__keyevent@0__:*").await;
    let mut client = app.resp_client().await;
    // `d` is the class of modules' types; `A` includes it.
    client.call(&["CONFIG", "SET", "notify-keyspace-events", "Ed"]).await;
    client.call(&["JSON.SET", "doc", "$", r#"{"a":[1]}"#]).await;
    client.call(&["JSON.ARRAPPEND", "doc", "$.a", "2"]).await;
    client.call(&["JSON.DEL", "doc", "$.a"]).await;
    client.call(&["SET", "string", "not announced: class $ is off"]).await;
    client.call(&["JSON.DEL", "doc"]).await;
    assert_eq!(
        events(&mut subscriber, 4).await,
        pairs(&[
            ("__keyevent@0__:json.set", "doc"),
            ("__keyevent@0__:json.arrappend", "doc"),
            ("__keyevent@0__:json.del", "doc"),
            ("__keyevent@0__:json.del", "doc"),
        ])
    );
}
