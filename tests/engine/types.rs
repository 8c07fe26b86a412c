//! Keys of another type: string commands on a hash answer WRONGTYPE; commands on keys of any
//! type see it. Hashes are made through the store until their commands exist.

use bytes::Bytes;
use litekv::store::{BoxFuture, StoreError, WriteTx};

use crate::helpers::{TestEngine, WRONGTYPE, bulk, err, int, ok, status};

struct SetHash(&'static str);

impl litekv::store::WriteJob for SetHash {
    type Output = u64;

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<u64, StoreError>> {
        let key = self.0;
        Box::pin(async move {
            let fields = [(Bytes::from_static(b"field"), Bytes::from_static(b"value"))];
            tx.set_hash_fields(key.as_bytes(), &fields, 0).await
        })
    }
}

#[tokio::test]
async fn string_commands_on_a_hash_are_wrongtype_and_generic_ones_see_its_type() {
    let engine = TestEngine::new().await;
    engine.engine.store().write(SetHash("h")).await.unwrap();
    engine
        .expect(&[
            (&["GET", "h"], err(WRONGTYPE)),
            (&["INCR", "h"], err(WRONGTYPE)),
            (&["APPEND", "h", "x"], err(WRONGTYPE)),
            (&["GETDEL", "h"], err(WRONGTYPE)),
            (&["STRLEN", "h"], err(WRONGTYPE)),
            // NX and XX see a key of any type; GET needs a string, and then nothing is set.
            (&["SET", "h", "v", "NX"], litekv::reply::Reply::Nil),
            (&["SET", "h", "v", "GET"], err(WRONGTYPE)),
            (&["GETSET", "h", "v"], err(WRONGTYPE)),
            (&["TYPE", "h"], status("hash")),
            (&["MSET", "s", "v"], ok()),
            (
                &["MGET", "h", "s"],
                litekv::reply::Reply::Array(vec![litekv::reply::Reply::Nil, bulk("v")]),
            ),
            (&["EXISTS", "h"], int(1)),
            (&["EXPIRE", "h", "100"], int(1)),
            (&["TTL", "h"], int(100)),
            (&["COPY", "h", "copy"], int(1)),
            (&["TYPE", "copy"], status("hash")),
            (&["RENAME", "copy", "moved"], ok()),
            (&["TYPE", "moved"], status("hash")),
            // SET replaces a key of any type.
            (&["SET", "h", "now a string"], ok()),
            (&["GET", "h"], bulk("now a string")),
            (&["TYPE", "h"], status("string")),
            (&["DEL", "moved"], int(1)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn in_a_transaction_wrongtype_fails_its_command_alone() {
    let engine = TestEngine::new().await;
    engine.engine.store().write(SetHash("h")).await.unwrap();
    let commands = [&["SET", "a", "1"][..], &["INCR", "h"], &["INCR", "a"]]
        .iter()
        .map(|words| engine.engine.parse(crate::helpers::args(words)))
        .collect();
    let replies = engine.engine.execute_transaction(commands).await.unwrap();
    assert_eq!(replies, [ok(), err(WRONGTYPE), int(2)]);
    engine.close().await;
}

#[tokio::test]
async fn commands_on_keys_work_on_every_type() {
    let engine = TestEngine::new().await;
    let scanned = |keys: &[&str]| {
        litekv::reply::Reply::Array(vec![
            bulk("0"),
            litekv::reply::Reply::Array(keys.iter().map(|key| bulk(key)).collect()),
        ])
    };
    engine
        .expect(&[
            (&["SET", "s", "12345"], ok()),
            (&["SET", "long", &"x".repeat(45)], ok()),
            (&["HSET", "h", "f", "v"], int(1)),
            (&["RPUSH", "l", "a"], int(1)),
            (&["SADD", "set", "a"], int(1)),
            (&["ZADD", "z", "1", "a"], int(1)),
            (&["DBSIZE"], int(6)),
            (&["EXISTS", "s", "h", "l", "set", "z", "nope"], int(5)),
            (&["TOUCH", "h", "l", "set", "z"], int(4)),
            (&["TYPE", "l"], status("list")),
            (&["TYPE", "set"], status("set")),
            (&["TYPE", "z"], status("zset")),
            (&["OBJECT", "ENCODING", "s"], bulk("int")),
            (&["OBJECT", "ENCODING", "long"], bulk("raw")),
            (&["OBJECT", "ENCODING", "h"], bulk("hashtable")),
            (&["OBJECT", "ENCODING", "l"], bulk("quicklist")),
            (&["OBJECT", "ENCODING", "set"], bulk("hashtable")),
            (&["OBJECT", "ENCODING", "z"], bulk("skiplist")),
            (&["OBJECT", "ENCODING", "nope"], litekv::reply::Reply::Nil),
            (
                &["OBJECT", "FREQ", "s"],
                err("ERR unknown subcommand 'freq'. litekv answers OBJECT ENCODING only"),
            ),
            (&["SCAN", "0", "TYPE", "list"], scanned(&["l"])),
            (&["SCAN", "0", "TYPE", "zset"], scanned(&["z"])),
            (&["EXPIRE", "l", "100"], int(1)),
            (&["TTL", "l"], int(100)),
            (&["RENAME", "l", "l2"], ok()),
            (&["TTL", "l2"], int(100)),
            (&["COPY", "z", "z2"], int(1)),
            (&["ZSCORE", "z2", "a"], bulk("1")),
            (&["COPY", "set", "z2", "REPLACE"], int(1)),
            (&["TYPE", "z2"], status("set")),
            (&["UNLINK", "set", "z2"], int(2)),
            (&["DEL", "h", "l2"], int(2)),
            (&["DBSIZE"], int(3)),
            (&["FLUSHDB"], ok()),
            (&["DBSIZE"], int(0)),
            (&["RANDOMKEY"], litekv::reply::Reply::Nil),
        ])
        .await;
    engine.close().await;
}
