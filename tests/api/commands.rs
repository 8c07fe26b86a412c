//! Table tests of the command engine, per command family: a command -> its reply, in the
//! spirit of Redis's own test suite, run through `POST /` on a fresh server.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{err, ok, spawn_app};

const NOT_AN_INTEGER: &str = "ERR value is not an integer or out of range";
const SYNTAX: &str = "ERR syntax error";

fn arity(command: &str) -> Value {
    err(&format!("ERR wrong number of arguments for '{command}' command"))
}

#[actix_web::test]
async fn set_and_its_options() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["SET", "k", "v"]), ok("OK")),
        (json!(["GET", "k"]), ok("v")),
        (json!(["GET", "missing"]), ok(Value::Null)),
        (json!(["SET", "k", "v2", "NX"]), ok(Value::Null)),
        (json!(["SET", "new", "v", "NX"]), ok("OK")),
        (json!(["SET", "absent", "v", "XX"]), ok(Value::Null)),
        (json!(["SET", "k", "v3", "XX", "GET"]), ok("v")),
        (json!(["SET", "k", "v4", "GET"]), ok("v3")),
        (json!(["SET", "fresh", "v", "GET"]), ok(Value::Null)),
        (json!(["set", "k", "v", "ex", 100]), ok("OK")),
        (json!(["TTL", "k"]), ok(100)),
        (json!(["SET", "k", "v", "PX", 1500]), ok("OK")),
        (json!(["PTTL", "k"]), ok(1500)),
        (json!(["SET", "k", "v", "KEEPTTL"]), ok("OK")),
        (json!(["PTTL", "k"]), ok(1500)),
        (json!(["SET", "k", "v"]), ok("OK")),
        (json!(["TTL", "k"]), ok(-1)),
        (json!(["SET", "k", "v", "NX", "XX"]), err(SYNTAX)),
        (json!(["SET", "k", "v", "EX", 10, "PX", 10]), err(SYNTAX)),
        (json!(["SET", "k", "v", "EX", 10, "KEEPTTL"]), err(SYNTAX)),
        (json!(["SET", "k", "v", "EX"]), err(SYNTAX)),
        (json!(["SET", "k", "v", "BOGUS"]), err(SYNTAX)),
        (json!(["SET", "k", "v", "EX", "ten"]), err(NOT_AN_INTEGER)),
        (
            json!(["SET", "k", "v", "EX", 0]),
            err("ERR invalid expire time in 'set' command"),
        ),
        (
            json!(["SET", "k", "v", "PX", -5]),
            err("ERR invalid expire time in 'set' command"),
        ),
        (
            json!(["SET", "k", "v", "EX", "9223372036854775807"]),
            err("ERR invalid expire time in 'set' command"),
        ),
        (json!(["SET", "k"]), arity("set")),
        (json!(["GET"]), arity("get")),
        (json!(["GET", "a", "b"]), arity("get")),
    ])
    .await;

    let in_ten_seconds = app.clock_now() / 1000 + 10;
    app.expect_replies(&[
        (json!(["SET", "at", "v", "EXAT", in_ten_seconds]), ok("OK")),
        (json!(["EXPIRETIME", "at"]), ok(in_ten_seconds)),
        (json!(["SET", "at", "v", "PXAT", in_ten_seconds * 1000 + 1]), ok("OK")),
        (json!(["PEXPIRETIME", "at"]), ok(in_ten_seconds * 1000 + 1)),
    ])
    .await;
}

#[actix_web::test]
async fn the_older_set_commands() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["SETNX", "k", "a"]), ok(1)),
        (json!(["SETNX", "k", "b"]), ok(0)),
        (json!(["GET", "k"]), ok("a")),
        (json!(["SETEX", "k", 10, "c"]), ok("OK")),
        (json!(["TTL", "k"]), ok(10)),
        (
            json!(["SETEX", "k", 0, "c"]),
            err("ERR invalid expire time in 'setex' command"),
        ),
        (json!(["PSETEX", "k", 2500, "d"]), ok("OK")),
        (json!(["PTTL", "k"]), ok(2500)),
        (
            json!(["PSETEX", "k", -1, "d"]),
            err("ERR invalid expire time in 'psetex' command"),
        ),
        (json!(["GETSET", "k", "e"]), ok("d")),
        (json!(["TTL", "k"]), ok(-1)),
        (json!(["GETSET", "other", "e"]), ok(Value::Null)),
        (json!(["GETDEL", "k"]), ok("e")),
        (json!(["GETDEL", "k"]), ok(Value::Null)),
        (json!(["EXISTS", "k"]), ok(0)),
    ])
    .await;
}

#[actix_web::test]
async fn getex_reads_and_changes_the_expiry() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["GETEX", "missing", "EX", 10]), ok(Value::Null)),
        (json!(["SET", "k", "v"]), ok("OK")),
        (json!(["GETEX", "k"]), ok("v")),
        (json!(["TTL", "k"]), ok(-1)),
        (json!(["GETEX", "k", "EX", 50]), ok("v")),
        (json!(["TTL", "k"]), ok(50)),
        (json!(["GETEX", "k", "PERSIST"]), ok("v")),
        (json!(["TTL", "k"]), ok(-1)),
        (json!(["GETEX", "k", "PXAT", 1]), ok("v")),
        (json!(["EXISTS", "k"]), ok(0)),
        (
            json!(["GETEX", "k", "EX", 0]),
            err("ERR invalid expire time in 'getex' command"),
        ),
        (json!(["GETEX", "k", "EX", 1, "PX", 1]), err(SYNTAX)),
        (json!(["GETEX", "k", "SOON"]), err(SYNTAX)),
    ])
    .await;
}

#[actix_web::test]
async fn multi_key_strings() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["MSET", "a", "1", "b", "2"]), ok("OK")),
        (json!(["MGET", "a", "b", "c"]), ok(json!(["1", "2", null]))),
        (json!(["MSET", "a", "1", "b"]), arity("mset")),
        (json!(["MSETNX", "c", "3", "a", "x"]), ok(0)),
        (json!(["MGET", "a", "c"]), ok(json!(["1", null]))),
        (json!(["MSETNX", "c", "3", "d", "4"]), ok(1)),
        (json!(["MGET", "c", "d"]), ok(json!(["3", "4"]))),
        (json!(["MGET"]), arity("mget")),
    ])
    .await;
}

#[actix_web::test]
async fn append_strlen_and_ranges() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["APPEND", "k", "Hello"]), ok(5)),
        (json!(["APPEND", "k", " World"]), ok(11)),
        (json!(["GET", "k"]), ok("Hello World")),
        (json!(["STRLEN", "k"]), ok(11)),
        (json!(["STRLEN", "missing"]), ok(0)),
        (json!(["GETRANGE", "k", 0, 4]), ok("Hello")),
        (json!(["GETRANGE", "k", -5, -1]), ok("World")),
        (json!(["GETRANGE", "k", 6, 100]), ok("World")),
        (json!(["GETRANGE", "k", 5, 1]), ok("")),
        (json!(["SUBSTR", "k", 0, 0]), ok("H")),
        (json!(["GETRANGE", "missing", 0, -1]), ok("")),
        (json!(["GETRANGE", "k", "a", 1]), err(NOT_AN_INTEGER)),
        (json!(["SETRANGE", "k", 6, "Redis"]), ok(11)),
        (json!(["GET", "k"]), ok("Hello Redis")),
        (json!(["SETRANGE", "pad", 3, "x"]), ok(4)),
        (json!(["GET", "pad"]), ok("\u{0}\u{0}\u{0}x")),
        (json!(["SETRANGE", "nothing", 5, ""]), ok(0)),
        (json!(["EXISTS", "nothing"]), ok(0)),
        (json!(["SETRANGE", "k", -1, "x"]), err("ERR offset is out of range")),
        (
            json!(["SETRANGE", "k", 2_000_000, "x"]),
            err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
        ),
        (json!(["SETEX", "ttl", 100, "a"]), ok("OK")),
        (json!(["APPEND", "ttl", "b"]), ok(2)),
        (json!(["SETRANGE", "ttl", 0, "c"]), ok(2)),
        (json!(["TTL", "ttl"]), ok(100)),
    ])
    .await;
}

#[actix_web::test]
async fn counters() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["INCR", "n"]), ok(1)),
        (json!(["INCRBY", "n", 10]), ok(11)),
        (json!(["DECR", "n"]), ok(10)),
        (json!(["DECRBY", "n", 20]), ok(-10)),
        (json!(["GET", "n"]), ok("-10")),
        (json!(["INCRBY", "n", "1.5"]), err(NOT_AN_INTEGER)),
        (json!(["SET", "text", "abc"]), ok("OK")),
        (json!(["INCR", "text"]), err(NOT_AN_INTEGER)),
        (json!(["SET", "padded", " 1"]), ok("OK")),
        (json!(["INCR", "padded"]), err(NOT_AN_INTEGER)),
        (json!(["SET", "max", "9223372036854775807"]), ok("OK")),
        (json!(["INCR", "max"]), err("ERR increment or decrement would overflow")),
        (
            json!(["DECRBY", "n", "-9223372036854775808"]),
            err("ERR decrement would overflow"),
        ),
        (json!(["SETEX", "ttl", 100, "1"]), ok("OK")),
        (json!(["INCR", "ttl"]), ok(2)),
        (json!(["TTL", "ttl"]), ok(100)),
        (json!(["INCRBYFLOAT", "f", "10.5"]), ok("10.5")),
        (json!(["INCRBYFLOAT", "f", 0.1]), ok("10.6")),
        (json!(["INCRBYFLOAT", "f", "5.0e3"]), ok("5010.6")),
        (json!(["INCRBYFLOAT", "f", "-5010.6"]), ok("0")),
        (json!(["INCRBYFLOAT", "text", 1]), err("ERR value is not a valid float")),
        (
            json!(["INCRBYFLOAT", "f", "abc"]),
            err("ERR value is not a valid float"),
        ),
        (json!(["SET", "huge", "1.7e308"]), ok("OK")),
        (
            json!(["INCRBYFLOAT", "huge", "1.7e308"]),
            err("ERR increment would produce NaN or Infinity"),
        ),
        (json!(["INCR"]), arity("incr")),
    ])
    .await;
}

#[actix_web::test]
async fn deleting_and_inspecting_keys() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["MSET", "a", "1", "b", "2", "c", "3"]), ok("OK")),
        (json!(["EXISTS", "a", "b", "missing", "a"]), ok(3)),
        (json!(["TOUCH", "a", "missing"]), ok(1)),
        (json!(["TYPE", "a"]), ok("string")),
        (json!(["TYPE", "missing"]), ok("none")),
        (json!(["DEL", "a", "b", "missing"]), ok(2)),
        (json!(["UNLINK", "c", "c"]), ok(1)),
        (json!(["EXISTS", "a", "b", "c"]), ok(0)),
        (json!(["DEL"]), arity("del")),
    ])
    .await;
}

#[actix_web::test]
async fn expiry_commands() {
    let (app, _db) = spawn_app().await;
    let now_s = app.clock_now() / 1000;
    app.expect_replies(&[
        (json!(["EXPIRE", "missing", 10]), ok(0)),
        (json!(["TTL", "missing"]), ok(-2)),
        (json!(["PTTL", "missing"]), ok(-2)),
        (json!(["EXPIRETIME", "missing"]), ok(-2)),
        (json!(["SET", "k", "v"]), ok("OK")),
        (json!(["TTL", "k"]), ok(-1)),
        (json!(["EXPIRETIME", "k"]), ok(-1)),
        (json!(["EXPIRE", "k", 100, "XX"]), ok(0)),
        (json!(["EXPIRE", "k", 100, "GT"]), ok(0)),
        (json!(["EXPIRE", "k", 100, "NX"]), ok(1)),
        (json!(["EXPIRE", "k", 200, "NX"]), ok(0)),
        (json!(["EXPIRE", "k", 50, "GT"]), ok(0)),
        (json!(["EXPIRE", "k", 200, "GT"]), ok(1)),
        (json!(["EXPIRE", "k", 300, "LT"]), ok(0)),
        (json!(["EXPIRE", "k", 150, "XX", "LT"]), ok(1)),
        (json!(["TTL", "k"]), ok(150)),
        (json!(["PEXPIRE", "k", 1500]), ok(1)),
        (json!(["PTTL", "k"]), ok(1500)),
        (json!(["TTL", "k"]), ok(2)),
        (json!(["EXPIREAT", "k", now_s + 1000]), ok(1)),
        (json!(["EXPIRETIME", "k"]), ok(now_s + 1000)),
        (json!(["PEXPIREAT", "k", (now_s + 1000) * 1000 + 7]), ok(1)),
        (json!(["PEXPIRETIME", "k"]), ok((now_s + 1000) * 1000 + 7)),
        (json!(["PERSIST", "k"]), ok(1)),
        (json!(["PERSIST", "k"]), ok(0)),
        (json!(["TTL", "k"]), ok(-1)),
        (
            json!(["EXPIRE", "k", 10, "NX", "XX"]),
            err("ERR NX and XX, GT or LT options at the same time are not compatible"),
        ),
        (
            json!(["EXPIRE", "k", 10, "GT", "LT"]),
            err("ERR GT and LT options at the same time are not compatible"),
        ),
        (
            json!(["EXPIRE", "k", 10, "SOMETIMES"]),
            err("ERR Unsupported option SOMETIMES"),
        ),
        (json!(["EXPIRE", "k", "ten"]), err(NOT_AN_INTEGER)),
        (
            json!(["EXPIRE", "k", "9223372036854775807"]),
            err("ERR invalid expire time in 'expire' command"),
        ),
        (
            json!(["PEXPIRE", "k", "9223372036854775807"]),
            err("ERR invalid expire time in 'pexpire' command"),
        ),
        // A time that is not in the future deletes the key.
        (json!(["EXPIRE", "k", 0]), ok(1)),
        (json!(["EXISTS", "k"]), ok(0)),
        (json!(["SET", "k", "v"]), ok("OK")),
        (json!(["PEXPIREAT", "k", 1]), ok(1)),
        (json!(["GET", "k"]), ok(Value::Null)),
    ])
    .await;
}

#[actix_web::test]
async fn keys_expire_by_the_clock_and_writes_treat_ttls_as_redis_does() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["SET", "gone", "v", "PX", 1000]), ok("OK")),
        (json!(["SET", "cleared", "v", "EX", 1]), ok("OK")),
        (json!(["SET", "cleared", "v2"]), ok("OK")),
        (json!(["SET", "counter", "1", "EX", 1]), ok("OK")),
        (json!(["INCR", "counter"]), ok(2)),
    ])
    .await;
    app.clock.advance(Duration::from_millis(999));
    app.expect_replies(&[(json!(["PTTL", "gone"]), ok(1)), (json!(["EXISTS", "counter"]), ok(1))])
        .await;
    app.clock.advance(Duration::from_millis(1));
    app.expect_replies(&[
        (json!(["GET", "gone"]), ok(Value::Null)),
        (json!(["TTL", "gone"]), ok(-2)),
        (json!(["GET", "cleared"]), ok("v2")),
        (json!(["GET", "counter"]), ok(Value::Null)),
        (json!(["INCR", "counter"]), ok(1)),
        (json!(["TTL", "counter"]), ok(-1)),
        (json!(["DBSIZE"]), ok(2)),
    ])
    .await;
}

#[actix_web::test]
async fn rename_and_copy() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["RENAME", "missing", "x"]), err("ERR no such key")),
        (json!(["SETEX", "a", 100, "1"]), ok("OK")),
        (json!(["SET", "b", "2"]), ok("OK")),
        (json!(["RENAME", "a", "b"]), ok("OK")),
        (json!(["GET", "b"]), ok("1")),
        (json!(["TTL", "b"]), ok(100)),
        (json!(["EXISTS", "a"]), ok(0)),
        (json!(["RENAME", "b", "b"]), ok("OK")),
        (json!(["SET", "c", "3"]), ok("OK")),
        (json!(["RENAMENX", "b", "c"]), ok(0)),
        (json!(["RENAMENX", "b", "d"]), ok(1)),
        (json!(["MGET", "b", "d"]), ok(json!([null, "1"]))),
        (json!(["COPY", "d", "e"]), ok(1)),
        (json!(["TTL", "e"]), ok(100)),
        (json!(["COPY", "d", "c"]), ok(0)),
        (json!(["COPY", "d", "c", "REPLACE"]), ok(1)),
        (json!(["GET", "c"]), ok("1")),
        (json!(["COPY", "missing", "f"]), ok(0)),
        (
            json!(["COPY", "d", "d"]),
            err("ERR source and destination objects are the same"),
        ),
        (json!(["COPY", "d", "g", "DB", 0]), ok(1)),
        (json!(["COPY", "d", "h", "DB", 1]), err("ERR DB index is out of range")),
        (json!(["COPY", "d", "h", "SOON"]), err(SYNTAX)),
    ])
    .await;
}

#[actix_web::test]
async fn keys_patterns_and_the_whole_keyspace() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["RANDOMKEY"]), ok(Value::Null)),
        (json!(["DBSIZE"]), ok(0)),
        (
            json!([
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
                "e"
            ]),
            ok("OK"),
        ),
        (json!(["KEYS", "user:*"]), ok(json!(["user:1", "user:10", "user:2"]))),
        (json!(["KEYS", "user:?"]), ok(json!(["user:1", "user:2"]))),
        (json!(["KEYS", "user:[^1]*"]), ok(json!(["user:2"]))),
        (json!(["KEYS", "*:1"]), ok(json!(["session:1", "user:1"]))),
        (json!(["KEYS", "u\\*"]), ok(json!(["u*"]))),
        (json!(["KEYS", "nothing*"]), ok(json!([]))),
        (json!(["DBSIZE"]), ok(5)),
        (json!(["FLUSHDB"]), ok("OK")),
        (json!(["DBSIZE"]), ok(0)),
        (json!(["SET", "k", "v"]), ok("OK")),
        (json!(["RANDOMKEY"]), ok("k")),
        (json!(["FLUSHALL", "ASYNC"]), ok("OK")),
        (json!(["GET", "k"]), ok(Value::Null)),
        (json!(["FLUSHDB", "LATER"]), err(SYNTAX)),
    ])
    .await;
}

#[actix_web::test]
async fn scan_walks_the_keyspace() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["MSET", "a:1", "x", "a:2", "x", "b:1", "x"]), ok("OK")),
        (json!(["SCAN", 0]), ok(json!(["0", ["a:1", "a:2", "b:1"]]))),
        (
            json!(["SCAN", "0", "MATCH", "a:*", "COUNT", 100]),
            ok(json!(["0", ["a:1", "a:2"]])),
        ),
        (
            json!(["SCAN", "0", "TYPE", "string", "COUNT", 2]),
            ok(json!(["2", ["a:1", "a:2"]])),
        ),
        (
            json!(["SCAN", "2", "TYPE", "string", "COUNT", 2]),
            ok(json!(["0", ["b:1"]])),
        ),
        (json!(["SCAN", "0", "TYPE", "hash"]), ok(json!(["0", []]))),
        (
            json!(["SCAN", "0", "MATCH", "b*", "WITHTYPE"]),
            ok(json!(["0", ["b:1", "string"]])),
        ),
        (json!(["SCAN", "abc"]), err("ERR invalid cursor")),
        (json!(["SCAN", "0", "COUNT", 0]), err(SYNTAX)),
        (json!(["SCAN", "0", "SIDEWAYS"]), err(SYNTAX)),
    ])
    .await;
}

#[actix_web::test]
async fn a_full_scan_returns_every_key_that_lived_throughout_it() {
    let (app, _db) = spawn_app().await;
    let stable: Vec<String> = (0..60).map(|index| format!("stable-{index}")).collect();
    // Stable keys interleaved with keys that will be deleted during the walk.
    let mut mset = vec![json!("MSET")];
    for (index, key) in stable.iter().enumerate() {
        mset.extend([json!(key), json!("v"), json!(format!("churn-{index}")), json!("v")]);
    }
    assert_eq!(app.redis(json!(mset)).await, ok("OK"));

    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_owned();
    for step in 0.. {
        let reply = app.redis(json!(["SCAN", cursor, "COUNT", 7])).await;
        let [next, keys] = &reply["result"].as_array().unwrap()[..] else {
            panic!("{reply}")
        };
        seen.extend(
            keys.as_array()
                .unwrap()
                .iter()
                .map(|key| key.as_str().unwrap().to_owned()),
        );
        // Churn between steps: delete some keys, add new ones, re-set others.
        app.redis(json!(["DEL", format!("churn-{step}"), format!("churn-{}", 59 - step)]))
            .await;
        app.redis(json!(["SET", format!("added-{step}"), "v"])).await;
        app.redis(json!(["SET", format!("stable-{}", step % 60), "changed"]))
            .await;
        cursor = next.as_str().unwrap().to_owned();
        if cursor == "0" {
            break;
        }
        assert!(step < 100, "the walk never ended");
    }
    let missing: Vec<_> = stable.iter().filter(|key| !seen.contains(*key)).collect();
    assert!(missing.is_empty(), "the walk missed {missing:?}");
}

#[actix_web::test]
async fn connection_commands_and_names_in_any_case() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["PING"]), ok("PONG")),
        (json!(["ping", "hello"]), ok("hello")),
        (json!(["PING", "a", "b"]), arity("ping")),
        (json!(["ECHO", "hi"]), ok("hi")),
        (json!(["eChO", 42]), ok("42")),
        (json!(["sEt", "k", true]), ok("OK")),
        (json!(["GET", "k"]), ok("true")),
        (
            json!(["FROB", "a", 1]),
            err("ERR unknown command 'FROB', with args beginning with: 'a' '1' "),
        ),
    ])
    .await;
    let time = app.redis(json!(["TIME"])).await;
    let now_ms = app.clock_now();
    assert_eq!(
        time,
        ok(json!([(now_ms / 1000).to_string(), (now_ms % 1000 * 1000).to_string()]))
    );
}
