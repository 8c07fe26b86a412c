//! Blocking pops: woken by a write through any door, oldest waiter first; timeouts, CLIENT
//! UNBLOCK, a client that leaves, transactions that never wait, and the HTTP door's cap.

use std::time::Duration;

use bytes::Bytes;
use litekv::reply::{CmdError, Reply};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::resp::RespClient;

fn bulk(text: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(text.as_bytes()))
}

fn bulks(texts: &[&str]) -> Reply {
    Reply::Array(texts.iter().map(|text| bulk(text)).collect())
}

/// Waits until INFO reports `count` blocked clients (they block in their own time).
async fn wait_until_blocked(app: &TestApp, count: usize) {
    let mut observer = app.resp_client().await;
    let expected = format!("blocked_clients:{count}\r\n");
    for _ in 0..500 {
        let Reply::Bulk(info) = observer.call(&["INFO", "clients"]).await else {
            panic!("INFO answers text");
        };
        if String::from_utf8_lossy(&info).contains(&expected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{count} clients never blocked");
}

/// Starts `command` on a new connection, and waits until it blocks.
async fn blocked(app: &TestApp, command: &[&str], already: usize) -> RespClient {
    let mut client = app.resp_client().await;
    client.send(command).await;
    wait_until_blocked(app, already + 1).await;
    client
}

#[actix_web::test]
async fn a_push_through_any_door_wakes_blocked_clients_oldest_first() {
    let (app, _database) = spawn_app().await;
    let mut first = blocked(&app, &["BLPOP", "other", "queue", "0"], 0).await;
    let mut second = blocked(&app, &["BRPOP", "queue", "0"], 1).await;
    let mut third = blocked(&app, &["BLPOP", "queue", "0"], 2).await;

    // Over HTTP: the push answers the length it made; the waiters then take it, in order.
    assert_eq!(
        app.redis(json!(["RPUSH", "queue", "a", "b"])).await,
        json!({"result": 2})
    );
    assert_eq!(first.read().await.unwrap(), bulks(&["queue", "a"]));
    assert_eq!(second.read().await.unwrap(), bulks(&["queue", "b"]));
    assert_eq!(app.redis(json!(["EXISTS", "queue"])).await, json!({"result": 0}));

    // Over RESP, to the one still waiting; a second element stays in the list.
    let mut pusher = app.resp_client().await;
    assert_eq!(pusher.call(&["LPUSH", "queue", "c", "d"]).await, Reply::Int(2));
    assert_eq!(third.read().await.unwrap(), bulks(&["queue", "d"]));
    assert_eq!(pusher.call(&["LRANGE", "queue", "0", "-1"]).await, bulks(&["c"]));

    // Keys are checked in the order named: the first with something is popped.
    assert_eq!(
        pusher
            .call(&["BLMPOP", "0", "3", "none", "queue", "x", "LEFT", "COUNT", "5"])
            .await,
        Reply::Array(vec![bulk("queue"), bulks(&["c"])])
    );
    wait_until_blocked(&app, 0).await;
}

#[actix_web::test]
async fn a_moved_element_wakes_the_clients_waiting_on_its_destination() {
    let (app, _database) = spawn_app().await;
    let mut mover = blocked(&app, &["BLMOVE", "source", "middle", "RIGHT", "LEFT", "0"], 0).await;
    let mut taker = blocked(&app, &["BRPOPLPUSH", "middle", "end", "0"], 1).await;
    let mut last = blocked(&app, &["BLPOP", "end", "0"], 2).await;
    let mut zset = blocked(&app, &["BZPOPMIN", "scores", "0"], 3).await;
    let mut zsets = blocked(&app, &["BZMPOP", "0", "1", "scores", "MAX", "COUNT", "2"], 4).await;

    let mut pusher = app.resp_client().await;
    assert_eq!(pusher.call(&["RPUSH", "source", "x"]).await, Reply::Int(1));
    assert_eq!(mover.read().await.unwrap(), bulk("x"));
    assert_eq!(taker.read().await.unwrap(), bulk("x"));
    assert_eq!(last.read().await.unwrap(), bulks(&["end", "x"]));
    for key in ["source", "middle", "end"] {
        assert_eq!(pusher.call(&["EXISTS", key]).await, Reply::Int(0), "{key} is empty");
    }

    assert_eq!(
        pusher
            .call(&["ZADD", "scores", "1", "a", "2", "b", "3", "c", "4", "d"])
            .await,
        Reply::Int(4)
    );
    assert_eq!(
        zset.read().await.unwrap(),
        Reply::Array(vec![bulk("scores"), bulk("a"), bulk("1")])
    );
    assert_eq!(
        zsets.read().await.unwrap(),
        Reply::Array(vec![
            bulk("scores"),
            Reply::Array(vec![bulks(&["d", "4"]), bulks(&["c", "3"])])
        ])
    );
    assert_eq!(pusher.call(&["ZCARD", "scores"]).await, Reply::Int(1));
}

/// As in Redis 7.0.15 (checked with redis-cli): a waiting BLMOVE or BRPOPLPUSH whose
/// destination holds another type when an element arrives is answered WRONGTYPE, the element
/// stays in the source, and the next waiter on the source takes it.
#[actix_web::test]
async fn a_move_onto_a_key_of_another_type_answers_its_waiter_wrongtype() {
    let (app, _database) = spawn_app().await;
    let mut pusher = app.resp_client().await;
    assert_eq!(pusher.call(&["SET", "text", "v"]).await, Reply::OK);
    let mut mover = blocked(&app, &["BLMOVE", "source", "text", "LEFT", "RIGHT", "0"], 0).await;
    let mut old_mover = blocked(&app, &["BRPOPLPUSH", "source", "text", "0"], 1).await;
    let mut popper = blocked(&app, &["BLPOP", "source", "0"], 2).await;

    assert_eq!(pusher.call(&["RPUSH", "source", "a", "b"]).await, Reply::Int(2));
    let wrong_type = Reply::Error(CmdError::new(
        "WRONGTYPE Operation against a key holding the wrong kind of value",
    ));
    assert_eq!(mover.read().await.unwrap(), wrong_type);
    assert_eq!(old_mover.read().await.unwrap(), wrong_type);
    assert_eq!(popper.read().await.unwrap(), bulks(&["source", "a"]));
    assert_eq!(pusher.call(&["LRANGE", "source", "0", "-1"]).await, bulks(&["b"]));
    assert_eq!(pusher.call(&["GET", "text"]).await, bulk("v"));
    wait_until_blocked(&app, 0).await;
}

#[actix_web::test]
async fn timeouts_client_unblock_and_transactions_end_a_wait_without_popping() {
    let (app, _database) = spawn_app().await;
    let mut client = app.resp_client().await;
    // Fractional timeouts; a null of the command's shape when nothing came.
    assert_eq!(client.call(&["BLPOP", "none", "0.05"]).await, Reply::NilArray);
    assert_eq!(
        client.call(&["BLMOVE", "none", "x", "LEFT", "LEFT", "0.01"]).await,
        Reply::Nil
    );
    assert_eq!(
        client.call(&["BZMPOP", "0.01", "1", "none", "MIN"]).await,
        Reply::NilArray
    );
    for (timeout, error) in [
        ("-1", "ERR timeout is negative"),
        ("soon", "ERR timeout is not a float or out of range"),
    ] {
        assert_eq!(
            client.call(&["BLPOP", "none", timeout]).await,
            Reply::Error(CmdError::new(error))
        );
    }
    assert_eq!(client.call(&["SET", "text", "v"]).await, Reply::OK);
    assert_eq!(
        client.call(&["BLPOP", "text", "0"]).await,
        Reply::Error(CmdError::new(
            "WRONGTYPE Operation against a key holding the wrong kind of value"
        ))
    );

    // CLIENT UNBLOCK: TIMEOUT answers as a timeout, ERROR with Redis's error.
    let mut waiter = app.resp_client().await;
    let Reply::Int(id) = waiter.call(&["CLIENT", "ID"]).await else {
        panic!("CLIENT ID answers a number");
    };
    let id = id.to_string();
    assert_eq!(client.call(&["CLIENT", "UNBLOCK", &id]).await, Reply::Int(0));
    waiter.send(&["BLPOP", "queue", "0"]).await;
    wait_until_blocked(&app, 1).await;
    let Reply::Bulk(list) = client.call(&["CLIENT", "LIST"]).await else {
        panic!("CLIENT LIST answers text");
    };
    assert!(String::from_utf8_lossy(&list).contains("flags=b"), "{list:?}");
    assert_eq!(client.call(&["CLIENT", "UNBLOCK", &id, "TIMEOUT"]).await, Reply::Int(1));
    assert_eq!(waiter.read().await.unwrap(), Reply::NilArray);
    waiter.send(&["BRPOP", "queue", "0"]).await;
    wait_until_blocked(&app, 1).await;
    assert_eq!(client.call(&["CLIENT", "UNBLOCK", &id, "ERROR"]).await, Reply::Int(1));
    assert_eq!(
        waiter.read().await.unwrap(),
        Reply::Error(CmdError::new("UNBLOCKED client unblocked via CLIENT UNBLOCK"))
    );
    assert_eq!(
        client.call(&["CLIENT", "UNBLOCK", &id, "LATER"]).await,
        Reply::Error(CmdError::new("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"))
    );
    wait_until_blocked(&app, 0).await;

    // Inside MULTI, as in Redis, a blocking pop never waits.
    assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
    client.call(&["BLPOP", "queue", "0"]).await;
    client.call(&["RPUSH", "queue", "a"]).await;
    client.call(&["BRPOP", "queue", "0"]).await;
    assert_eq!(
        client.call(&["EXEC"]).await,
        Reply::Array(vec![Reply::NilArray, Reply::Int(1), bulks(&["queue", "a"])])
    );
    // And over HTTP's transactions.
    let (_, replies) = app.post("/multi-exec", json!([["BLPOP", "queue", "0"]])).await;
    assert_eq!(replies, json!([{"result": null}]));
}

#[actix_web::test]
async fn a_client_that_leaves_while_blocked_takes_nothing() {
    let (app, _database) = spawn_app().await;
    let leaving = blocked(&app, &["BLPOP", "jobs", "0"], 0).await;
    drop(leaving);
    wait_until_blocked(&app, 0).await;
    let mut pusher = app.resp_client().await;
    assert_eq!(pusher.call(&["RPUSH", "jobs", "kept"]).await, Reply::Int(1));
    assert_eq!(pusher.call(&["LRANGE", "jobs", "0", "-1"]).await, bulks(&["kept"]));
}

#[actix_web::test]
async fn over_http_a_blocking_command_waits_for_a_push_or_the_servers_cap() {
    let (app, _database) = spawn_app_with(&["--max-http-block-seconds", "1"]).await;
    let push_when_blocked = async {
        wait_until_blocked(&app, 1).await;
        app.redis(json!(["RPUSH", "jobs", "work"])).await
    };
    let (popped, pushed) = futures_util::join!(app.redis(json!(["BLPOP", "jobs", "0"])), push_when_blocked);
    assert_eq!(pushed, json!({"result": 1}));
    assert_eq!(popped, json!({"result": ["jobs", "work"]}));

    // Waiting for ever over HTTP waits the cap, then answers as a timeout.
    let started = std::time::Instant::now();
    assert_eq!(app.redis(json!(["BLPOP", "jobs", "0"])).await, json!({"result": null}));
    assert!(started.elapsed() >= Duration::from_secs(1));
    // A pipeline waits too, in its place.
    let (_, replies) = app
        .post(
            "/pipeline",
            json!([
                ["BRPOP", "jobs", "0.01"],
                ["RPUSH", "jobs", "a"],
                ["BRPOP", "jobs", "0"]
            ]),
        )
        .await;
    assert_eq!(
        replies,
        json!([{"result": null}, {"result": 1}, {"result": ["jobs", "a"]}])
    );
}

#[actix_web::test]
async fn a_transactions_push_is_served_after_it_and_events_keep_redis_order() {
    let (app, _database) = spawn_app().await;
    let mut waiter = blocked(&app, &["BLPOP", "queue", "0"], 0).await;
    let mut client = app.resp_client().await;
    // As in Redis, blocked clients are served once EXEC is done: inside, the push stands.
    client.call(&["MULTI"]).await;
    client.call(&["RPUSH", "queue", "a"]).await;
    client.call(&["LLEN", "queue"]).await;
    assert_eq!(
        client.call(&["EXEC"]).await,
        Reply::Array(vec![Reply::Int(1), Reply::Int(1)])
    );
    assert_eq!(waiter.read().await.unwrap(), bulks(&["queue", "a"]));
    assert_eq!(client.call(&["EXISTS", "queue"]).await, Reply::Int(0));

    // With keyspace events on, a push taken by a blocked client is the push, the pop and
    // the deletion, in that order.
    let mut subscriber = app.resp_client().await;
    subscriber.send(&["SUBSCRIBE", "__keyspace@0__:queue"]).await;
    subscriber.read().await.unwrap();
    client.call(&["CONFIG", "SET", "notify-keyspace-events", "Kl"]).await;
    waiter.send(&["BLPOP", "queue", "0"]).await;
    wait_until_blocked(&app, 1).await;
    assert_eq!(client.call(&["RPUSH", "queue", "b"]).await, Reply::Int(1));
    assert_eq!(waiter.read().await.unwrap(), bulks(&["queue", "b"]));
    for event in ["rpush", "lpop"] {
        assert_eq!(
            subscriber.read().await.unwrap(),
            bulks(&["message", "__keyspace@0__:queue", event])
        );
    }
}
