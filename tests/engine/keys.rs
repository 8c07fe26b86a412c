use std::collections::HashSet;
use std::time::Duration;

use litekv::clock::Clock;
use litekv::reply::Reply;

use crate::helpers::{NOT_AN_INTEGER, SYNTAX, TestEngine, arity, bulk, bulks, err, int, nil, ok, status};

#[tokio::test]
async fn deleting_and_inspecting_keys() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["MSET", "a", "1", "b", "2", "c", "3"], ok()),
            (&["EXISTS", "a", "b", "missing", "a"], int(3)),
            (&["TOUCH", "a", "missing"], int(1)),
            (&["TYPE", "a"], status("string")),
            (&["TYPE", "missing"], status("none")),
            (&["DEL", "a", "b", "missing"], int(2)),
            (&["UNLINK", "c", "c"], int(1)),
            (&["EXISTS", "a", "b", "c"], int(0)),
            (&["DEL"], arity("del")),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn expiry_commands() {
    let engine = TestEngine::new().await;
    let in_1000_s = engine.clock.now_ms() / 1000 + 1000;
    let in_1000_s_ms = in_1000_s * 1000 + 7;
    engine
        .expect(&[
            (&["EXPIRE", "missing", "10"], int(0)),
            (&["TTL", "missing"], int(-2)),
            (&["PTTL", "missing"], int(-2)),
            (&["EXPIRETIME", "missing"], int(-2)),
            (&["SET", "k", "v"], ok()),
            (&["TTL", "k"], int(-1)),
            (&["EXPIRETIME", "k"], int(-1)),
            (&["EXPIRE", "k", "100", "XX"], int(0)),
            (&["EXPIRE", "k", "100", "GT"], int(0)),
            (&["EXPIRE", "k", "100", "NX"], int(1)),
            (&["EXPIRE", "k", "200", "NX"], int(0)),
            (&["EXPIRE", "k", "50", "GT"], int(0)),
            (&["EXPIRE", "k", "200", "GT"], int(1)),
            (&["EXPIRE", "k", "300", "LT"], int(0)),
            (&["EXPIRE", "k", "150", "XX", "LT"], int(1)),
            (&["TTL", "k"], int(150)),
            (&["PEXPIRE", "k", "1500"], int(1)),
            (&["PTTL", "k"], int(1500)),
            (&["TTL", "k"], int(2)),
            (&["EXPIREAT", "k", &in_1000_s.to_string()], int(1)),
            (&["EXPIRETIME", "k"], int(in_1000_s)),
            (&["PEXPIREAT", "k", &in_1000_s_ms.to_string()], int(1)),
            (&["PEXPIRETIME", "k"], int(in_1000_s_ms)),
            (&["PERSIST", "k"], int(1)),
            (&["PERSIST", "k"], int(0)),
            (&["TTL", "k"], int(-1)),
            (
                &["EXPIRE", "k", "10", "NX", "XX"],
                err("ERR NX and XX, GT or LT options at the same time are not compatible"),
            ),
            (
                &["EXPIRE", "k", "10", "GT", "LT"],
                err("ERR GT and LT options at the same time are not compatible"),
            ),
            (
                &["EXPIRE", "k", "10", "SOMETIMES"],
                err("ERR Unsupported option SOMETIMES"),
            ),
            (&["EXPIRE", "k", "ten"], err(NOT_AN_INTEGER)),
            (
                &["EXPIRE", "k", "9223372036854775807"],
                err("ERR invalid expire time in 'expire' command"),
            ),
            (
                &["PEXPIRE", "k", "9223372036854775807"],
                err("ERR invalid expire time in 'pexpire' command"),
            ),
            // A time that is not in the future deletes the key.
            (&["EXPIRE", "k", "0"], int(1)),
            (&["EXISTS", "k"], int(0)),
            (&["SET", "k", "v"], ok()),
            (&["PEXPIREAT", "k", "1"], int(1)),
            (&["GET", "k"], nil()),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn keys_expire_by_the_clock_and_writes_treat_ttls_as_redis_does() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SET", "gone", "v", "PX", "1000"], ok()),
            (&["SET", "cleared", "v", "EX", "1"], ok()),
            (&["SET", "cleared", "v2"], ok()),
            (&["SET", "counter", "1", "EX", "1"], ok()),
            (&["INCR", "counter"], int(2)),
        ])
        .await;
    engine.clock.advance(Duration::from_millis(999));
    engine
        .expect(&[(&["PTTL", "gone"], int(1)), (&["EXISTS", "counter"], int(1))])
        .await;
    engine.clock.advance(Duration::from_millis(1));
    engine
        .expect(&[
            (&["GET", "gone"], nil()),
            (&["TTL", "gone"], int(-2)),
            (&["GET", "cleared"], bulk("v2")),
            (&["GET", "counter"], nil()),
            (&["INCR", "counter"], int(1)),
            (&["TTL", "counter"], int(-1)),
            (&["DBSIZE"], int(2)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn rename_and_copy() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RENAME", "missing", "x"], err("ERR no such key")),
            (&["SETEX", "a", "100", "1"], ok()),
            (&["SET", "b", "2"], ok()),
            (&["RENAME", "a", "b"], ok()),
            (&["GET", "b"], bulk("1")),
            (&["TTL", "b"], int(100)),
            (&["EXISTS", "a"], int(0)),
            (&["RENAME", "b", "b"], ok()),
            (&["SET", "c", "3"], ok()),
            (&["RENAMENX", "b", "c"], int(0)),
            (&["RENAMENX", "b", "d"], int(1)),
            (&["MGET", "b", "d"], Reply::Array(vec![nil(), bulk("1")])),
            (&["COPY", "d", "e"], int(1)),
            (&["TTL", "e"], int(100)),
            (&["COPY", "d", "c"], int(0)),
            (&["COPY", "d", "c", "REPLACE"], int(1)),
            (&["GET", "c"], bulk("1")),
            (&["COPY", "missing", "f"], int(0)),
            (
                &["COPY", "d", "d"],
                err("ERR source and destination objects are the same"),
            ),
            (&["COPY", "d", "g", "DB", "0"], int(1)),
            (&["COPY", "d", "h", "DB", "1"], err("ERR DB index is out of range")),
            (&["COPY", "d", "h", "SOON"], err(SYNTAX)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn keys_patterns_and_the_whole_keyspace() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RANDOMKEY"], nil()),
            (&["DBSIZE"], int(0)),
            (
                &[
                    "MSET",
                    "user:1",
                    "a",
                    "user:2",
                    "b",
                    "user:10",
                    "c",
                    "session:1",
                    "d",
                    "u*",
                    "e",
                ],
                ok(),
            ),
            (&["KEYS", "user:*"], bulks(&["user:1", "user:10", "user:2"])),
            (&["KEYS", "user:?"], bulks(&["user:1", "user:2"])),
            (&["KEYS", "user:[^1]*"], bulks(&["user:2"])),
            (&["KEYS", "*:1"], bulks(&["session:1", "user:1"])),
            (&["KEYS", "u\\*"], bulks(&["u*"])),
            (&["KEYS", "nothing*"], bulks(&[])),
            (&["DBSIZE"], int(5)),
            (&["FLUSHDB"], ok()),
            (&["DBSIZE"], int(0)),
            (&["SET", "k", "v"], ok()),
            (&["RANDOMKEY"], bulk("k")),
            (&["FLUSHALL", "ASYNC"], ok()),
            (&["GET", "k"], nil()),
            (&["FLUSHDB", "LATER"], err(SYNTAX)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn scan_walks_the_keyspace() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["MSET", "a:1", "x", "a:2", "x", "b:1", "x"], ok()),
            (&["SCAN", "0"], scanned("0", &["a:1", "a:2", "b:1"])),
            (
                &["SCAN", "0", "MATCH", "a:*", "COUNT", "100"],
                scanned("0", &["a:1", "a:2"]),
            ),
            (
                &["SCAN", "0", "TYPE", "string", "COUNT", "2"],
                scanned("2", &["a:1", "a:2"]),
            ),
            (&["SCAN", "2", "TYPE", "string", "COUNT", "2"], scanned("0", &["b:1"])),
            (&["SCAN", "0", "TYPE", "hash"], scanned("0", &[])),
            (
                &["SCAN", "0", "MATCH", "b*", "WITHTYPE"],
                Reply::Array(vec![bulk("0"), Reply::Array(vec![bulk("b:1"), status("string")])]),
            ),
            (&["SCAN", "abc"], err("ERR invalid cursor")),
            (&["SCAN", "0", "COUNT", "0"], err(SYNTAX)),
            (&["SCAN", "0", "SIDEWAYS"], err(SYNTAX)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn a_full_scan_returns_every_key_that_lived_throughout_it() {
    let engine = TestEngine::new().await;
    let stable: Vec<String> = (0..60).map(|index| format!("stable-{index}")).collect();
    // Stable keys interleaved with keys that will be deleted during the walk.
    let mut mset = vec!["MSET".to_owned()];
    for (index, key) in stable.iter().enumerate() {
        mset.extend([key.clone(), "v".to_owned(), format!("churn-{index}"), "v".to_owned()]);
    }
    assert_eq!(engine.run(&mset).await, ok());

    let mut seen = HashSet::new();
    let mut cursor = "0".to_owned();
    for step in 0.. {
        let reply = engine.run(&["SCAN", &cursor, "COUNT", "7"]).await;
        let Reply::Array(parts) = &reply else {
            panic!("{reply:?}")
        };
        let [Reply::Bulk(next), Reply::Array(keys)] = &parts[..] else {
            panic!("{reply:?}")
        };
        seen.extend(keys.iter().map(|key| match key {
            Reply::Bulk(key) => String::from_utf8(key.to_vec()).unwrap(),
            other => panic!("{other:?}"),
        }));
        // Churn between steps: delete some keys, add new ones, re-set others.
        engine
            .run(&["DEL", &format!("churn-{step}"), &format!("churn-{}", 59 - step)])
            .await;
        engine.run(&["SET", &format!("added-{step}"), "v"]).await;
        engine.run(&["SET", &format!("stable-{}", step % 60), "changed"]).await;
        cursor = String::from_utf8(next.to_vec()).unwrap();
        if cursor == "0" {
            break;
        }
        assert!(step < 100, "the walk never ended");
    }
    let missing: Vec<_> = stable.iter().filter(|key| !seen.contains(*key)).collect();
    assert!(missing.is_empty(), "the walk missed {missing:?}");
    engine.close().await;
}

/// A SCAN reply: the next cursor and the keys.
fn scanned(cursor: &str, keys: &[&str]) -> Reply {
    Reply::Array(vec![bulk(cursor), bulks(keys)])
}
