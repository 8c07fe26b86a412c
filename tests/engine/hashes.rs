use litekv::reply::Reply;

use crate::helpers::{NOT_AN_INTEGER, TestEngine, WRONGTYPE, arity, bulk, bulks, err, int, ints, nil, ok, status};

#[tokio::test]
async fn fields_are_set_read_and_counted() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["HSET", "h", "name", "ada", "plan", "pro"], int(2)),
            (&["HSET", "h", "plan", "team", "seats", "3"], int(1)),
            (&["HGET", "h", "plan"], bulk("team")),
            (&["HGET", "h", "missing"], nil()),
            (&["HGET", "nothing", "plan"], nil()),
            (
                &["HMGET", "h", "name", "missing", "seats"],
                Reply::Array(vec![bulk("ada"), nil(), bulk("3")]),
            ),
            (&["HMGET", "nothing", "a", "b"], Reply::Array(vec![nil(), nil()])),
            (&["HGETALL", "h"], bulks(&["name", "ada", "plan", "team", "seats", "3"])),
            (&["HKEYS", "h"], bulks(&["name", "plan", "seats"])),
            (&["HVALS", "h"], bulks(&["ada", "team", "3"])),
            (&["HGETALL", "nothing"], bulks(&[])),
            (&["HLEN", "h"], int(3)),
            (&["HLEN", "nothing"], int(0)),
            (&["HEXISTS", "h", "name"], int(1)),
            (&["HEXISTS", "h", "missing"], int(0)),
            (&["HSTRLEN", "h", "plan"], int(4)),
            (&["HSTRLEN", "h", "missing"], int(0)),
            (&["HSETNX", "h", "name", "grace"], int(0)),
            (&["HSETNX", "h", "email", "ada@example.com"], int(1)),
            (&["HGET", "h", "name"], bulk("ada")),
            (&["HMSET", "m", "a", "1", "b", "2"], ok()),
            (&["HGETALL", "m"], bulks(&["a", "1", "b", "2"])),
            (&["TYPE", "h"], status("hash")),
            (&["HSET", "h", "odd"], arity("hset")),
            (&["HSET", "h", "a", "1", "b"], arity("hset")),
            (&["HMSET", "h", "a"], arity("hmset")),
            (&["HGET", "h"], arity("hget")),
            (&["HSETNX", "h", "a"], arity("hsetnx")),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn deleting_the_last_field_deletes_the_hash() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["HSET", "h", "a", "1", "b", "2", "c", "3"], int(3)),
            (&["HDEL", "h", "a", "missing", "a"], int(1)),
            (&["HLEN", "h"], int(2)),
            (&["HDEL", "nothing", "a"], int(0)),
            (&["HDEL", "h", "b", "c"], int(2)),
            (&["EXISTS", "h"], int(0)),
            (&["TYPE", "h"], status("none")),
            (&["HSET", "h", "a", "again"], int(1)),
            (&["HGETALL", "h"], bulks(&["a", "again"])),
            (&["HDEL", "h"], arity("hdel")),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn field_counters() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["HINCRBY", "h", "n", "5"], int(5)),
            (&["HINCRBY", "h", "n", "-7"], int(-2)),
            (&["HGET", "h", "n"], bulk("-2")),
            (&["HSET", "h", "text", "abc", "max", "9223372036854775807"], int(2)),
            (&["HINCRBY", "h", "text", "1"], err("ERR hash value is not an integer")),
            (
                &["HINCRBY", "h", "max", "1"],
                err("ERR increment or decrement would overflow"),
            ),
            (&["HINCRBY", "h", "n", "1.5"], err(NOT_AN_INTEGER)),
            (&["HINCRBYFLOAT", "h", "f", "10.5"], bulk("10.5")),
            (&["HINCRBYFLOAT", "h", "f", "0.1"], bulk("10.6")),
            (&["HINCRBYFLOAT", "h", "n", "0.5"], bulk("-1.5")),
            (
                &["HINCRBYFLOAT", "h", "text", "1"],
                err("ERR hash value is not a float"),
            ),
            (
                &["HINCRBYFLOAT", "h", "f", "abc"],
                err("ERR value is not a valid float"),
            ),
            (&["HINCRBYFLOAT", "h", "f", "inf"], err("ERR value is NaN or Infinity")),
            (
                &["HINCRBYFLOAT", "h", "f", "nan"],
                err("ERR value is not a valid float"),
            ),
            (&["HSET", "h", "huge", "1.7e308"], int(1)),
            (
                &["HINCRBYFLOAT", "h", "huge", "1.7e308"],
                err("ERR increment would produce NaN or Infinity"),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn hash_commands_refuse_other_types_and_other_commands_refuse_hashes() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SET", "s", "v"], ok()),
            (&["HSET", "s", "a", "1"], err(WRONGTYPE)),
            (&["HGET", "s", "a"], err(WRONGTYPE)),
            (&["HGETALL", "s"], err(WRONGTYPE)),
            (&["HLEN", "s"], err(WRONGTYPE)),
            (&["HDEL", "s", "a"], err(WRONGTYPE)),
            (&["HINCRBY", "s", "a", "1"], err(WRONGTYPE)),
            (&["HSET", "h", "a", "1"], int(1)),
            (&["GET", "h"], err(WRONGTYPE)),
            (&["INCR", "h"], err(WRONGTYPE)),
            (&["APPEND", "h", "x"], err(WRONGTYPE)),
            (&["MGET", "h", "s"], Reply::Array(vec![nil(), bulk("v")])),
            // SET replaces a key of any type, and its fields go with it.
            (&["SET", "h", "now a string"], ok()),
            (&["HGET", "h", "a"], err(WRONGTYPE)),
            (&["DEL", "h"], int(1)),
            (&["HGET", "h", "a"], nil()),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn a_hash_expires_renames_and_copies_as_a_whole() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["HSET", "h", "a", "1", "b", "2"], int(2)),
            (&["EXPIRE", "h", "10"], int(1)),
            (&["COPY", "h", "copy"], int(1)),
            (&["RENAME", "h", "moved"], ok()),
            (&["HGETALL", "moved"], bulks(&["a", "1", "b", "2"])),
            (&["HGETALL", "copy"], bulks(&["a", "1", "b", "2"])),
            (&["TTL", "copy"], int(10)),
            (&["HGETALL", "h"], bulks(&[])),
        ])
        .await;
    engine.clock.advance(std::time::Duration::from_secs(10));
    engine
        .expect(&[
            (&["HGET", "moved", "a"], nil()),
            (&["HLEN", "copy"], int(0)),
            (&["EXISTS", "moved", "copy"], int(0)),
            // A write after expiry starts a new, empty hash.
            (&["HSET", "moved", "c", "3"], int(1)),
            (&["HGETALL", "moved"], bulks(&["c", "3"])),
            (&["TTL", "moved"], int(-1)),
        ])
        .await;
    engine.close().await;
}

/// A HSCAN reply: the next cursor and what it found.
fn scanned(cursor: &str, found: &[&str]) -> Reply {
    Reply::Array(vec![bulk(cursor), bulks(found)])
}

#[tokio::test]
async fn hscan_walks_fields_in_arrival_order() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["HSET", "h", "e", "5", "a", "1", "d", "4", "b", "2", "c", "3"], int(5)),
            (&["HSCAN", "h", "0", "COUNT", "2"], scanned("2", &["e", "5", "a", "1"])),
            (&["HSCAN", "h", "2", "COUNT", "2"], scanned("4", &["d", "4", "b", "2"])),
            (&["HSCAN", "h", "4", "COUNT", "2"], scanned("0", &["c", "3"])),
            (
                &["HSCAN", "h", "0"],
                scanned("0", &["e", "5", "a", "1", "d", "4", "b", "2", "c", "3"]),
            ),
            (
                &["HSCAN", "h", "0", "MATCH", "[a-c]", "NOVALUES"],
                scanned("0", &["a", "b", "c"]),
            ),
            // An update keeps a field's place; a new field comes last.
            (&["HSET", "h", "a", "one", "f", "6"], int(1)),
            (&["HSCAN", "h", "4", "COUNT", "10"], scanned("0", &["c", "3", "f", "6"])),
            (&["HSCAN", "h", "0", "MATCH", "a"], scanned("0", &["a", "one"])),
            (&["HSCAN", "nothing", "0"], scanned("0", &[])),
            (&["HSCAN", "h", "abc"], err("ERR invalid cursor")),
            (&["HSCAN", "h", "0", "COUNT", "0"], err("ERR syntax error")),
            (&["HSCAN", "h", "0", "WITHTYPE"], err("ERR syntax error")),
            (&["HSCAN", "h"], arity("hscan")),
            (&["SET", "s", "v"], ok()),
            (&["HSCAN", "s", "0"], err(WRONGTYPE)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn a_full_hscan_returns_every_field_that_stayed_throughout_it_once() {
    let engine = TestEngine::new().await;
    let mut hset = vec!["HSET".to_owned(), "h".to_owned()];
    for index in 0..60 {
        hset.extend([
            format!("stable-{index}"),
            "v".to_owned(),
            format!("churn-{index}"),
            "v".to_owned(),
        ]);
    }
    assert_eq!(engine.run(&hset).await, int(120));

    let mut seen = Vec::new();
    let mut cursor = "0".to_owned();
    for step in 0.. {
        let reply = engine.run(&["HSCAN", "h", &cursor, "COUNT", "7", "NOVALUES"]).await;
        let Reply::Array(parts) = &reply else {
            panic!("{reply:?}")
        };
        let [Reply::Bulk(next), Reply::Array(fields)] = &parts[..] else {
            panic!("{reply:?}")
        };
        seen.extend(fields.iter().map(|field| match field {
            Reply::Bulk(field) => String::from_utf8(field.to_vec()).unwrap(),
            other => panic!("{other:?}"),
        }));
        // Churn between steps: delete fields, add new ones, update stable ones.
        engine
            .run(&["HDEL", "h", &format!("churn-{step}"), &format!("churn-{}", 59 - step)])
            .await;
        engine.run(&["HSET", "h", &format!("added-{step}"), "v"]).await;
        engine
            .run(&["HSET", "h", &format!("stable-{}", step % 60), "changed"])
            .await;
        cursor = String::from_utf8(next.to_vec()).unwrap();
        if cursor == "0" {
            break;
        }
        assert!(step < 100, "the walk never ended");
    }
    for index in 0..60 {
        let field = format!("stable-{index}");
        assert_eq!(seen.iter().filter(|seen| **seen == field).count(), 1, "{field}");
    }
    engine.close().await;
}

/// The bulk strings of an array reply.
fn strings(reply: Reply) -> Vec<String> {
    let Reply::Array(items) = reply else {
        panic!("{reply:?}")
    };
    items
        .into_iter()
        .map(|item| match item {
            Reply::Bulk(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn hrandfield_draws_fields_distinct_or_repeating() {
    let engine = TestEngine::new().await;
    let fields = ["a", "b", "c", "d", "e", "gone"];
    engine
        .expect(&[
            (&["HRANDFIELD", "nothing"], nil()),
            (&["HRANDFIELD", "nothing", "3"], bulks(&[])),
            (
                &[
                    "HSET", "h", "a", "1", "b", "2", "gone", "x", "c", "3", "d", "4", "e", "5",
                ],
                int(6),
            ),
            // A gap in the scan order is skipped over.
            (&["HDEL", "h", "gone"], int(1)),
            (&["HRANDFIELD", "h", "0"], bulks(&[])),
            (&["HRANDFIELD", "h", "abc"], err(NOT_AN_INTEGER)),
            (
                &["HRANDFIELD", "h", "-9223372036854775808"],
                err("ERR value is out of range"),
            ),
            (
                &["HRANDFIELD", "h", "-1000001"],
                err("ERR value is out of range: litekv draws at most 1000000 fields at once"),
            ),
            (&["HRANDFIELD", "h", "1", "WITHSCORES"], err("ERR syntax error")),
            (&["HRANDFIELD", "h", "1", "WITHVALUES", "more"], err("ERR syntax error")),
        ])
        .await;
    let live = &fields[..5];

    let Reply::Bulk(one) = engine.run(&["HRANDFIELD", "h"]).await else {
        panic!()
    };
    assert!(live.contains(&std::str::from_utf8(&one).unwrap()));

    let three = strings(engine.run(&["HRANDFIELD", "h", "3"]).await);
    assert_eq!(three.len(), 3);
    assert!(three.iter().all(|field| live.contains(&field.as_str())), "{three:?}");
    let mut distinct = three.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "{three:?}");

    let mut all = strings(engine.run(&["HRANDFIELD", "h", "10"]).await);
    all.sort();
    assert_eq!(all, live);

    // Repeating draws: exactly as many as asked, all live, and over 1,000 draws every field.
    let draws = strings(engine.run(&["HRANDFIELD", "h", "-1000"]).await);
    assert_eq!(draws.len(), 1000);
    for field in live {
        assert!(draws.iter().any(|drawn| drawn == field), "{field} never drawn");
    }
    assert!(draws.iter().all(|field| live.contains(&field.as_str())));

    let pairs = strings(engine.run(&["HRANDFIELD", "h", "-4", "WITHVALUES"]).await);
    assert_eq!(pairs.len(), 8);
    for pair in pairs.chunks(2) {
        let expected = (live.iter().position(|field| *field == pair[0]).unwrap() + 1).to_string();
        assert_eq!(pair[1], expected, "{pair:?}");
    }
    engine
        .expect(&[(&["SET", "s", "v"], ok()), (&["HRANDFIELD", "s"], err(WRONGTYPE))])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn fields_expire_on_their_own() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"], int(3)),
            (&["HEXPIRE", "h", "10", "FIELDS", "2", "f2", "f3"], ints(&[1, 1])),
            (
                &["HTTL", "h", "FIELDS", "4", "f1", "f2", "f3", "nope"],
                ints(&[-1, 10, 10, -2]),
            ),
            (&["HPTTL", "h", "FIELDS", "1", "f2"], ints(&[10_000])),
            (&["HEXPIRETIME", "h", "FIELDS", "1", "f2"], ints(&[1_767_225_610])),
            (&["HPEXPIRETIME", "h", "FIELDS", "1", "f2"], ints(&[1_767_225_610_000])),
            (&["HTTL", "missing", "FIELDS", "2", "a", "b"], ints(&[-2, -2])),
            // The conditions read a field without expiry as one that never expires.
            (&["HEXPIRE", "h", "20", "NX", "FIELDS", "2", "f1", "f2"], ints(&[1, 0])),
            (&["HEXPIRE", "h", "5", "GT", "FIELDS", "1", "f2"], ints(&[0])),
            (&["HPEXPIRE", "h", "5000", "LT", "FIELDS", "1", "f2"], ints(&[1])),
            (&["HEXPIRE", "h", "30", "XX", "FIELDS", "1", "f3"], ints(&[1])),
            (
                &["HPERSIST", "h", "FIELDS", "3", "f1", "nope", "f1"],
                ints(&[1, -2, -1]),
            ),
            (&["HTTL", "h", "FIELDS", "3", "f1", "f2", "f3"], ints(&[-1, 5, 30])),
            (&["HEXPIREAT", "h", "1", "FIELDS", "1", "f3"], ints(&[2])),
            (&["HEXISTS", "h", "f3"], int(0)),
            (&["HEXPIRE", "missing", "10", "FIELDS", "1", "a"], ints(&[-2])),
            (
                &["HEXPIRE", "h", "10", "FIELDS", "0", "f1"],
                err("ERR Parameter `numFields` should be greater than 0"),
            ),
            (
                &["HEXPIRE", "h", "10", "FIELDS", "2", "f1"],
                err("ERR The `numfields` parameter must match the number of arguments"),
            ),
            (
                &["HEXPIRE", "h", "10", "1", "f1", "x"],
                err("ERR Mandatory argument FIELDS is missing or not at the right position"),
            ),
            (
                &["HEXPIRE", "h", "-1", "FIELDS", "1", "f1"],
                err("ERR invalid expire time in 'hexpire' command"),
            ),
            (
                &["HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1", "f1"],
                err("ERR NX and XX, GT or LT options at the same time are not compatible"),
            ),
        ])
        .await;
    engine.clock.advance(std::time::Duration::from_millis(5000));
    engine
        .expect(&[
            (&["HGET", "h", "f2"], nil()),
            (&["HGETALL", "h"], bulks(&["f1", "v1"])),
            (&["HLEN", "h"], int(1)),
            (&["HEXPIRE", "h", "1", "FIELDS", "1", "f1"], ints(&[1])),
        ])
        .await;
    engine.clock.advance(std::time::Duration::from_millis(1000));
    // Every field expired: the hash is gone for every command, before any sweep.
    engine
        .expect(&[
            (&["EXISTS", "h"], int(0)),
            (&["TYPE", "h"], status("none")),
            (&["HLEN", "h"], int(0)),
            (&["HTTL", "h", "FIELDS", "1", "f1"], ints(&[-2])),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn fields_read_and_written_with_their_expiry() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["HSET", "h", "a", "1", "b", "2", "c", "3"], int(3)),
            (
                &["HGETDEL", "h", "FIELDS", "2", "a", "nope"],
                Reply::Array(vec![bulk("1"), nil()]),
            ),
            (&["HEXISTS", "h", "a"], int(0)),
            (
                &["HGETEX", "h", "EX", "50", "FIELDS", "2", "b", "nope"],
                Reply::Array(vec![bulk("2"), nil()]),
            ),
            (&["HTTL", "h", "FIELDS", "2", "b", "c"], ints(&[50, -1])),
            (
                &["HGETEX", "h", "PERSIST", "FIELDS", "1", "b"],
                Reply::Array(vec![bulk("2")]),
            ),
            (&["HTTL", "h", "FIELDS", "1", "b"], ints(&[-1])),
            (&["HGETEX", "h", "FIELDS", "1", "c"], Reply::Array(vec![bulk("3")])),
            (
                &["HGETEX", "h", "PXAT", "1", "FIELDS", "1", "c"],
                Reply::Array(vec![bulk("3")]),
            ),
            (&["HEXISTS", "h", "c"], int(0)),
            (
                &["HGETEX", "h", "EX", "0", "FIELDS", "1", "b"],
                err("ERR invalid expire time in 'hgetex' command"),
            ),
            (&["HGETEX", "h", "EX", "5"], arity("hgetex")),
            (&["HSETEX", "h", "EX", "100", "FIELDS", "2", "x", "1", "y", "2"], int(1)),
            (&["HTTL", "h", "FIELDS", "2", "x", "y"], ints(&[100, 100])),
            (&["HSETEX", "h", "KEEPTTL", "FIELDS", "1", "x", "one"], int(1)),
            (&["HTTL", "h", "FIELDS", "1", "x"], ints(&[100])),
            (&["HSETEX", "h", "FIELDS", "1", "x", "uno"], int(1)),
            (&["HTTL", "h", "FIELDS", "1", "x"], ints(&[-1])),
            (&["HSETEX", "h", "FNX", "FIELDS", "2", "x", "9", "new", "9"], int(0)),
            (&["HSETEX", "h", "FXX", "FIELDS", "2", "x", "9", "new", "9"], int(0)),
            (
                &["HSETEX", "h", "FXX", "PX", "2000", "FIELDS", "2", "x", "9", "y", "9"],
                int(1),
            ),
            (&["HPTTL", "h", "FIELDS", "2", "x", "y"], ints(&[2000, 2000])),
            (&["HSETEX", "h", "FNX", "FIELDS", "1", "new", "n"], int(1)),
            (&["HGETALL", "h"], bulks(&["b", "2", "new", "n", "x", "9", "y", "9"])),
            (
                &["HSETEX", "h", "FIELDS", "2", "x", "1"],
                err("ERR The `numfields` parameter must match the number of arguments"),
            ),
            (
                &["HSETEX", "h", "EX", "10", "x", "1", "y"],
                err("ERR Mandatory argument FIELDS is missing or not at the right position"),
            ),
            (
                &["HSETEX", "s", "FIELDS", "1", "f", &"v".repeat(65)],
                err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            ),
            (&["SET", "s", "v"], ok()),
            (&["HEXPIRE", "s", "10", "FIELDS", "1", "f"], err(WRONGTYPE)),
            (&["HTTL", "s", "FIELDS", "1", "f"], err(WRONGTYPE)),
            (&["HGETDEL", "s", "FIELDS", "1", "f"], err(WRONGTYPE)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn a_hash_whose_fields_all_expired_is_neither_counted_nor_walked_nor_drawn() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["HSET", "gone", "f", "v", "g", "w"], int(2)),
            (&["HPEXPIRE", "gone", "100", "FIELDS", "2", "f", "g"], ints(&[1, 1])),
            (&["HSET", "kept", "f", "v"], int(1)),
            (&["HPEXPIRE", "kept", "100", "FIELDS", "1", "f"], ints(&[1])),
            (&["HSET", "kept", "g", "w"], int(1)),
            (&["DBSIZE"], int(2)),
        ])
        .await;
    engine.clock.advance(std::time::Duration::from_millis(100));
    let scan = Reply::Array(vec![bulk("0"), bulks(&["kept"])]);
    engine
        .expect(&[
            (&["DBSIZE"], int(1)),
            (&["KEYS", "*"], bulks(&["kept"])),
            (&["KEYS", "g*"], bulks(&[])),
            (&["SCAN", "0"], scan),
            (&["RANDOMKEY"], bulk("kept")),
            (&["HDEL", "kept", "g"], int(1)),
            (&["DBSIZE"], int(0)),
            (&["RANDOMKEY"], nil()),
        ])
        .await;
    engine.close().await;
}
