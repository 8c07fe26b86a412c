//! Sets, with the examples and edge cases of Redis's documentation. Members come back in
//! member order.

use std::collections::BTreeSet;

use litekv::reply::Reply;

use crate::helpers::{
    NOT_AN_INTEGER, SYNTAX, TestEngine, WRONGTYPE, arity, bulk, bulks, err, int, ints, nil, ok, status,
};

#[tokio::test]
async fn members_are_added_tested_counted_and_removed() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SADD", "s", "Hello", "World"], int(2)),
            (&["SADD", "s", "World", "there"], int(1)),
            (&["SMEMBERS", "s"], bulks(&["Hello", "World", "there"])),
            (&["SCARD", "s"], int(3)),
            (&["TYPE", "s"], status("set")),
            (&["SISMEMBER", "s", "World"], int(1)),
            (&["SISMEMBER", "s", "world"], int(0)),
            (&["SISMEMBER", "missing", "a"], int(0)),
            (&["SMISMEMBER", "s", "Hello", "nope", "there"], ints(&[1, 0, 1])),
            (&["SMISMEMBER", "missing", "a", "b"], ints(&[0, 0])),
            (&["SREM", "s", "Hello", "nope", "Hello"], int(1)),
            (&["SCARD", "s"], int(2)),
            (&["SREM", "s", "World", "there"], int(2)),
            (&["EXISTS", "s"], int(0)),
            (&["SMEMBERS", "s"], bulks(&[])),
            (&["SCARD", "s"], int(0)),
            (&["SREM", "s", "a"], int(0)),
            (&["SADD", "s"], arity("sadd")),
            (&["SISMEMBER", "s"], arity("sismember")),
            (
                &["SADD", "s", &"m".repeat(65)],
                err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn sets_combine() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SADD", "key1", "a", "b", "c", "d"], int(4)),
            (&["SADD", "key2", "c"], int(1)),
            (&["SADD", "key3", "a", "c", "e"], int(3)),
            (&["SINTER", "key1", "key2", "key3"], bulks(&["c"])),
            (&["SINTER", "key1", "key3"], bulks(&["a", "c"])),
            (&["SINTER", "key1", "key1"], bulks(&["a", "b", "c", "d"])),
            (&["SINTER", "key1", "missing"], bulks(&[])),
            (&["SUNION", "key1", "key2", "key3"], bulks(&["a", "b", "c", "d", "e"])),
            (&["SUNION", "missing", "key2"], bulks(&["c"])),
            (&["SDIFF", "key1", "key2", "key3"], bulks(&["b", "d"])),
            (&["SDIFF", "key1", "missing"], bulks(&["a", "b", "c", "d"])),
            (&["SDIFF", "key1", "key1"], bulks(&[])),
            (&["SDIFF", "missing", "key1"], bulks(&[])),
            (&["SINTERCARD", "2", "key1", "key3"], int(2)),
            (&["SINTERCARD", "2", "key1", "key3", "LIMIT", "1"], int(1)),
            (&["SINTERCARD", "2", "key1", "key3", "LIMIT", "0"], int(2)),
            (&["SINTERCARD", "1", "key1"], int(4)),
            (&["SINTERCARD", "2", "key1", "missing"], int(0)),
            (
                &["SINTERCARD", "0", "key1"],
                err("ERR numkeys should be greater than 0"),
            ),
            (
                &["SINTERCARD", "3", "key1", "key2"],
                err("ERR Number of keys can't be greater than number of args"),
            ),
            (
                &["SINTERCARD", "1", "key1", "LIMIT", "-1"],
                err("ERR LIMIT can't be negative"),
            ),
            (&["SINTERCARD", "1", "key1", "LIMITS", "1"], err(SYNTAX)),
            // Redis words a numkeys or a LIMIT that is not a number as one out of range.
            (
                &["SINTERCARD", "x", "key1"],
                err("ERR numkeys should be greater than 0"),
            ),
            (
                &["SINTERCARD", "1", "key1", "LIMIT", "x"],
                err("ERR LIMIT can't be negative"),
            ),
            (&["SINTERSTORE", "dest", "key1", "key3"], int(2)),
            (&["SMEMBERS", "dest"], bulks(&["a", "c"])),
            (&["SUNIONSTORE", "dest", "dest", "key2", "key3"], int(3)),
            (&["SMEMBERS", "dest"], bulks(&["a", "c", "e"])),
            (&["SDIFFSTORE", "dest", "key1", "key3"], int(2)),
            (&["SMEMBERS", "dest"], bulks(&["b", "d"])),
            // An empty result deletes the destination, whatever it held.
            (&["SET", "str", "v"], ok()),
            (&["SINTERSTORE", "str", "key1", "missing"], int(0)),
            (&["EXISTS", "str"], int(0)),
            (&["SET", "str", "v"], ok()),
            (&["SUNIONSTORE", "str", "key2"], int(1)),
            (&["TYPE", "str"], status("set")),
            // A source of another type fails, and nothing is stored.
            (&["SET", "str", "v"], ok()),
            (&["SINTER", "key1", "str"], err(WRONGTYPE)),
            (&["SINTER", "missing", "str"], err(WRONGTYPE)),
            (&["SUNIONSTORE", "dest", "key1", "str"], err(WRONGTYPE)),
            (&["SMEMBERS", "dest"], bulks(&["b", "d"])),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn random_members_and_pops() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SADD", "s", "a", "b", "c"], int(3)),
            (&["SRANDMEMBER", "s", "0"], bulks(&[])),
            (&["SRANDMEMBER", "missing"], nil()),
            (&["SRANDMEMBER", "missing", "3"], bulks(&[])),
            (&["SRANDMEMBER", "s", "1", "2"], err(SYNTAX)),
            (&["SRANDMEMBER", "s", "x"], err(NOT_AN_INTEGER)),
            (
                &["SRANDMEMBER", "s", "-1000001"],
                err("ERR value is out of range: litekv draws at most 1000000 members at once"),
            ),
            (&["SPOP", "missing"], nil()),
            (&["SPOP", "missing", "2"], bulks(&[])),
            (&["SPOP", "s", "0"], bulks(&[])),
            (&["SPOP", "s", "-1"], err("ERR value is out of range, must be positive")),
            (&["SPOP", "s", "1", "2"], err(SYNTAX)),
        ])
        .await;
    let members: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let one = texts(Reply::Array(vec![engine.run(&["SRANDMEMBER", "s"]).await]));
    assert!(members.is_superset(&one.into_iter().collect()));
    let distinct = texts(engine.run(&["SRANDMEMBER", "s", "5"]).await);
    assert_eq!(distinct.len(), 3);
    assert_eq!(distinct.into_iter().collect::<BTreeSet<_>>(), members);
    let repeating = texts(engine.run(&["SRANDMEMBER", "s", "-20"]).await);
    assert_eq!(repeating.len(), 20);
    assert!(repeating.iter().all(|member| members.contains(member)));
    // SPOP takes members out until none is left, and the key goes with the last.
    let mut popped = texts(engine.run(&["SPOP", "s", "2"]).await);
    assert_eq!(popped.len(), 2);
    assert_eq!(engine.run(&["SCARD", "s"]).await, int(1));
    popped.extend(texts(Reply::Array(vec![engine.run(&["SPOP", "s"]).await])));
    assert_eq!(popped.into_iter().collect::<BTreeSet<_>>(), members);
    assert_eq!(engine.run(&["EXISTS", "s"]).await, int(0));
    engine.close().await;
}

/// The members in an array reply, as text.
fn texts(reply: Reply) -> Vec<String> {
    let Reply::Array(items) = reply else {
        panic!("expected an array, got {reply:?}");
    };
    items
        .into_iter()
        .map(|item| match item {
            Reply::Bulk(member) => String::from_utf8(member.to_vec()).expect("UTF-8"),
            other => panic!("expected a member, got {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn smove_and_sscan() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SADD", "myset", "one", "two"], int(2)),
            (&["SADD", "myotherset", "three"], int(1)),
            (&["SMOVE", "myset", "myotherset", "two"], int(1)),
            (&["SMEMBERS", "myset"], bulks(&["one"])),
            (&["SMEMBERS", "myotherset"], bulks(&["three", "two"])),
            (&["SMOVE", "myset", "myotherset", "nope"], int(0)),
            (&["SMOVE", "myset", "myset", "one"], int(1)),
            (&["SMOVE", "myset", "myset", "nope"], int(0)),
            (&["SMOVE", "myset", "new", "one"], int(1)),
            (&["EXISTS", "myset"], int(0)),
            (&["SMEMBERS", "new"], bulks(&["one"])),
            (&["SMOVE", "missing", "new", "one"], int(0)),
            // A missing source moves nothing before the destination's type is looked at.
            (&["SET", "text", "v"], ok()),
            (&["SMOVE", "missing", "text", "one"], int(0)),
            (&["SMOVE", "new", "text", "one"], err(WRONGTYPE)),
            (&["SET", "str", "v"], ok()),
            (&["SMOVE", "new", "str", "one"], err(WRONGTYPE)),
            (&["SMEMBERS", "new"], bulks(&["one"])),
            (&["SMOVE", "str", "new", "one"], err(WRONGTYPE)),
            (&["SADD", "scan", "b", "a", "c", "ab"], int(4)),
            (
                &["SSCAN", "scan", "0"],
                Reply::Array(vec![bulk("0"), bulks(&["b", "a", "c", "ab"])]),
            ),
            (
                &["SSCAN", "scan", "0", "COUNT", "2"],
                Reply::Array(vec![bulk("2"), bulks(&["b", "a"])]),
            ),
            (
                &["SSCAN", "scan", "2", "COUNT", "2", "MATCH", "a*"],
                Reply::Array(vec![bulk("4"), bulks(&["ab"])]),
            ),
            (
                &["SSCAN", "scan", "4", "COUNT", "2"],
                Reply::Array(vec![bulk("0"), bulks(&[])]),
            ),
            (&["SSCAN", "missing", "0"], Reply::Array(vec![bulk("0"), bulks(&[])])),
            (&["SSCAN", "scan", "x"], err("ERR invalid cursor")),
            (&["SSCAN", "scan", "0", "NOVALUES"], err(SYNTAX)),
            (&["SSCAN", "str", "0"], err(WRONGTYPE)),
            (&["SADD", "str", "a"], err(WRONGTYPE)),
            (&["SCARD", "str"], err(WRONGTYPE)),
            (&["SPOP", "str"], err(WRONGTYPE)),
        ])
        .await;
    engine.close().await;
}
