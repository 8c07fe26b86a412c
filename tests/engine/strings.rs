use std::time::Duration;

use litekv::cmd::Reply;

use crate::helpers::{TestEngine, bulk, bulks, err, int, nil, ok};

#[tokio::test]
async fn set_get_and_their_conditions() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SET", "k", "v"], ok()),
            (&["GET", "k"], bulk("v")),
            (&["GET", "missing"], nil()),
            (&["SET", "k", "v2", "NX"], nil()),
            (&["SET", "k", "v2", "XX", "GET"], bulk("v")),
            (&["SETNX", "k", "v3"], int(0)),
            (&["GETSET", "k", "v3"], bulk("v2")),
            (&["SET", "k", "v", "EX", "10", "PX", "10"], err("ERR syntax error")),
            (
                &["SET", "k", "v", "EX", "0"],
                err("ERR invalid expire time in 'set' command"),
            ),
            (&["SET", "k"], err("ERR wrong number of arguments for 'set' command")),
            (
                &[
                    "SET",
                    "k",
                    "a value over the engine's limit of 64 bytes, which this one is, just about.",
                ],
                err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn expiry_follows_the_clock() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SET", "k", "v", "PX", "1500"], ok()),
            (&["PTTL", "k"], int(1500)),
            (&["TTL", "k"], int(2)),
            (&["SETEX", "s", "10", "v"], ok()),
            (&["PERSIST", "s"], int(1)),
            (&["TTL", "s"], int(-1)),
            (&["TTL", "missing"], int(-2)),
        ])
        .await;
    engine.clock.advance(Duration::from_millis(1500));
    engine
        .expect(&[(&["GET", "k"], nil()), (&["EXISTS", "k", "s"], int(1))])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn counters_and_edits() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["INCR", "n"], int(1)),
            (&["INCRBY", "n", "41"], int(42)),
            (&["DECRBY", "n", "2"], int(40)),
            (&["INCRBYFLOAT", "n", "0.5"], bulk("40.5")),
            (&["INCR", "n"], err("ERR value is not an integer or out of range")),
            (&["APPEND", "s", "Hello"], int(5)),
            (&["APPEND", "s", " World"], int(11)),
            (&["GETRANGE", "s", "-5", "-1"], bulk("World")),
            (&["SETRANGE", "s", "6", "Redis"], int(11)),
            (&["GET", "s"], bulk("Hello Redis")),
            (&["STRLEN", "s"], int(11)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn multi_key_strings() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["MSET", "a", "1", "b", "2"], ok()),
            (
                &["MGET", "a", "missing", "b"],
                Reply::Array(vec![bulk("1"), nil(), bulk("2")]),
            ),
            (&["MSETNX", "b", "3", "c", "3"], int(0)),
            (&["MSETNX", "c", "3", "d", "4"], int(1)),
            (&["KEYS", "*"], bulks(&["a", "b", "c", "d"])),
            (&["GETDEL", "a"], bulk("1")),
            (&["GETEX", "b", "EX", "100"], bulk("2")),
            (&["TTL", "b"], int(100)),
        ])
        .await;
    engine.close().await;
}
