use litekv::clock::Clock;
use litekv::reply::Reply;

use crate::helpers::{NOT_AN_INTEGER, SYNTAX, TestEngine, arity, bulk, bulks, err, int, nil, ok};

#[tokio::test]
async fn set_and_its_options() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SET", "k", "v"], ok()),
            (&["GET", "k"], bulk("v")),
            (&["GET", "missing"], nil()),
            (&["SET", "k", "v2", "NX"], nil()),
            (&["SET", "new", "v", "NX"], ok()),
            (&["SET", "absent", "v", "XX"], nil()),
            (&["SET", "k", "v3", "XX", "GET"], bulk("v")),
            (&["SET", "k", "v4", "GET"], bulk("v3")),
            (&["SET", "fresh", "v", "GET"], nil()),
            (&["set", "k", "v", "ex", "100"], ok()),
            (&["TTL", "k"], int(100)),
            (&["SET", "k", "v", "PX", "1500"], ok()),
            (&["PTTL", "k"], int(1500)),
            (&["SET", "k", "v", "KEEPTTL"], ok()),
            (&["PTTL", "k"], int(1500)),
            (&["SET", "k", "v"], ok()),
            (&["TTL", "k"], int(-1)),
            (&["SET", "k", "v", "NX", "XX"], err(SYNTAX)),
            // An option may come again, the last one counting, as in Redis 7.0.15.
            (&["SET", "k", "v", "XX", "XX", "KEEPTTL", "KEEPTTL"], ok()),
            (&["SET", "k", "v", "PX", "1", "PX", "2000"], ok()),
            (&["PTTL", "k"], int(2000)),
            (&["SET", "again", "v", "NX", "NX"], ok()),
            (&["SET", "k", "v", "EX", "10", "PX", "10"], err(SYNTAX)),
            (&["SET", "k", "v", "EX", "10", "KEEPTTL"], err(SYNTAX)),
            (&["SET", "k", "v", "EX"], err(SYNTAX)),
            (&["SET", "k", "v", "BOGUS"], err(SYNTAX)),
            (&["SET", "k", "v", "EX", "ten"], err(NOT_AN_INTEGER)),
            (
                &["SET", "k", "v", "EX", "0"],
                err("ERR invalid expire time in 'set' command"),
            ),
            (
                &["SET", "k", "v", "PX", "-5"],
                err("ERR invalid expire time in 'set' command"),
            ),
            (
                &["SET", "k", "v", "EX", "9223372036854775807"],
                err("ERR invalid expire time in 'set' command"),
            ),
            (&["SET", "k"], arity("set")),
            (&["GET"], arity("get")),
            (&["GET", "a", "b"], arity("get")),
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

    let in_ten_seconds = engine.clock.now_ms() / 1000 + 10;
    let in_ten_seconds_ms = in_ten_seconds * 1000 + 1;
    engine
        .expect(&[
            (&["SET", "at", "v", "EXAT", &in_ten_seconds.to_string()], ok()),
            (&["EXPIRETIME", "at"], int(in_ten_seconds)),
            (&["SET", "at", "v", "PXAT", &in_ten_seconds_ms.to_string()], ok()),
            (&["PEXPIRETIME", "at"], int(in_ten_seconds_ms)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn the_older_set_commands() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SETNX", "k", "a"], int(1)),
            (&["SETNX", "k", "b"], int(0)),
            (&["GET", "k"], bulk("a")),
            (&["SETEX", "k", "10", "c"], ok()),
            (&["TTL", "k"], int(10)),
            (
                &["SETEX", "k", "0", "c"],
                err("ERR invalid expire time in 'setex' command"),
            ),
            (&["PSETEX", "k", "2500", "d"], ok()),
            (&["PTTL", "k"], int(2500)),
            (
                &["PSETEX", "k", "-1", "d"],
                err("ERR invalid expire time in 'psetex' command"),
            ),
            (&["GETSET", "k", "e"], bulk("d")),
            (&["TTL", "k"], int(-1)),
            (&["GETSET", "other", "e"], nil()),
            (&["GETDEL", "k"], bulk("e")),
            (&["GETDEL", "k"], nil()),
            (&["EXISTS", "k"], int(0)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn getex_reads_and_changes_the_expiry() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["GETEX", "missing", "EX", "10"], nil()),
            (&["SET", "k", "v"], ok()),
            (&["GETEX", "k"], bulk("v")),
            (&["TTL", "k"], int(-1)),
            (&["GETEX", "k", "EX", "50"], bulk("v")),
            (&["TTL", "k"], int(50)),
            (&["GETEX", "k", "PERSIST"], bulk("v")),
            (&["TTL", "k"], int(-1)),
            (&["GETEX", "k", "PXAT", "1"], bulk("v")),
            (&["EXISTS", "k"], int(0)),
            (
                &["GETEX", "k", "EX", "0"],
                err("ERR invalid expire time in 'getex' command"),
            ),
            (&["GETEX", "k", "EX", "1", "PX", "1"], err(SYNTAX)),
            (&["GETEX", "k", "SOON"], err(SYNTAX)),
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
                &["MGET", "a", "b", "c"],
                Reply::Array(vec![bulk("1"), bulk("2"), nil()]),
            ),
            (&["MSET", "a", "1", "b"], arity("mset")),
            (&["MSETNX", "c", "3", "a", "x"], int(0)),
            (&["MGET", "a", "c"], Reply::Array(vec![bulk("1"), nil()])),
            (&["MSETNX", "c", "3", "d", "4"], int(1)),
            (&["MGET", "c", "d"], bulks(&["3", "4"])),
            (&["MGET"], arity("mget")),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn append_strlen_and_ranges() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["APPEND", "k", "Hello"], int(5)),
            (&["APPEND", "k", " World"], int(11)),
            (&["GET", "k"], bulk("Hello World")),
            (&["STRLEN", "k"], int(11)),
            (&["STRLEN", "missing"], int(0)),
            (&["GETRANGE", "k", "0", "4"], bulk("Hello")),
            (&["GETRANGE", "k", "-5", "-1"], bulk("World")),
            (&["GETRANGE", "k", "6", "100"], bulk("World")),
            (&["GETRANGE", "k", "5", "1"], bulk("")),
            (&["SUBSTR", "k", "0", "0"], bulk("H")),
            (&["GETRANGE", "missing", "0", "-1"], bulk("")),
            (&["GETRANGE", "k", "a", "1"], err(NOT_AN_INTEGER)),
            (&["SETRANGE", "k", "6", "Redis"], int(11)),
            (&["GET", "k"], bulk("Hello Redis")),
            (&["SETRANGE", "pad", "3", "x"], int(4)),
            (&["GET", "pad"], bulk("\u{0}\u{0}\u{0}x")),
            (&["SETRANGE", "nothing", "5", ""], int(0)),
            (&["EXISTS", "nothing"], int(0)),
            (&["SETRANGE", "k", "-1", "x"], err("ERR offset is out of range")),
            (
                &["SETRANGE", "k", "2000000", "x"],
                err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            ),
            (&["SETEX", "ttl", "100", "a"], ok()),
            (&["APPEND", "ttl", "b"], int(2)),
            (&["SETRANGE", "ttl", "0", "c"], int(2)),
            (&["TTL", "ttl"], int(100)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn counters() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["INCR", "n"], int(1)),
            (&["INCRBY", "n", "10"], int(11)),
            (&["DECR", "n"], int(10)),
            (&["DECRBY", "n", "20"], int(-10)),
            (&["GET", "n"], bulk("-10")),
            (&["INCRBY", "n", "1.5"], err(NOT_AN_INTEGER)),
            (&["SET", "text", "abc"], ok()),
            (&["INCR", "text"], err(NOT_AN_INTEGER)),
            (&["SET", "padded", " 1"], ok()),
            (&["INCR", "padded"], err(NOT_AN_INTEGER)),
            (&["SET", "max", "9223372036854775807"], ok()),
            (&["INCR", "max"], err("ERR increment or decrement would overflow")),
            (
                &["DECRBY", "n", "-9223372036854775808"],
                err("ERR decrement would overflow"),
            ),
            (&["SETEX", "ttl", "100", "1"], ok()),
            (&["INCR", "ttl"], int(2)),
            (&["TTL", "ttl"], int(100)),
            (&["INCRBYFLOAT", "f", "10.5"], bulk("10.5")),
            (&["INCRBYFLOAT", "f", "0.1"], bulk("10.6")),
            (&["INCRBYFLOAT", "f", "5.0e3"], bulk("5010.6")),
            (&["INCRBYFLOAT", "f", "-5010.6"], bulk("0")),
            (&["INCRBYFLOAT", "text", "1"], err("ERR value is not a valid float")),
            (&["INCRBYFLOAT", "f", "abc"], err("ERR value is not a valid float")),
            (&["INCRBYFLOAT", "f", "nan"], err("ERR value is not a valid float")),
            (
                &["INCRBYFLOAT", "f", "inf"],
                err("ERR increment would produce NaN or Infinity"),
            ),
            (
                &["INCRBYFLOAT", "f", "-infinity"],
                err("ERR increment would produce NaN or Infinity"),
            ),
            (&["SET", "huge", "1.7e308"], ok()),
            (
                &["INCRBYFLOAT", "huge", "1.7e308"],
                err("ERR increment would produce NaN or Infinity"),
            ),
            (&["INCR"], arity("incr")),
        ])
        .await;
    engine.close().await;
}
