//! HyperLogLog: PFADD, PFCOUNT, PFMERGE. Each table's replies are what Redis 7.0.15 answered
//! to the same commands, run in the same order; `tests/differential/sketches.py` compares
//! values byte for byte at sizes a table cannot hold.

use crate::helpers::{TestEngine, WRONGTYPE, bulk, err, int, ok};

const NOT_A_SKETCH: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";

#[tokio::test]
async fn counts_merges_and_errors_answer_as_redis_does() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["PFADD", "h", "a", "b", "c", "d", "e"], int(1)),
            (&["PFCOUNT", "h"], int(5)),
            (&["PFADD", "h", "a"], int(0)),
            (&["PFADD", "h", "f"], int(1)),
            (&["PFCOUNT", "h"], int(6)),
            (&["TYPE", "h"], litekv::reply::Reply::status("string")),
            // A new key is created, and counts as a change, even with no elements.
            (&["PFADD", "empty"], int(1)),
            (&["PFADD", "empty"], int(0)),
            (&["PFCOUNT", "empty"], int(0)),
            (&["STRLEN", "empty"], int(18)),
            (&["GETRANGE", "empty", "0", "4"], bulk("HYLL\x01")),
            (&["PFADD", "other", "x", "y", "z", "a"], int(1)),
            (&["PFCOUNT", "h", "other", "missing"], int(9)),
            (&["PFMERGE", "union", "h", "other"], ok()),
            (&["PFCOUNT", "union"], int(9)),
            (&["PFMERGE", "union"], ok()),
            (&["PFCOUNT", "union"], int(9)),
            (&["PFMERGE", "fresh", "missing"], ok()),
            (&["PFCOUNT", "fresh"], int(0)),
            (&["PFCOUNT", "missing"], int(0)),
            (&["SET", "string", "not a sketch"], ok()),
            (&["PFADD", "string", "a"], err(NOT_A_SKETCH)),
            (&["PFCOUNT", "string"], err(NOT_A_SKETCH)),
            (&["PFCOUNT", "h", "string"], err(NOT_A_SKETCH)),
            (&["PFMERGE", "string", "h"], err(NOT_A_SKETCH)),
            (&["PFMERGE", "union", "string"], err(NOT_A_SKETCH)),
            (&["LPUSH", "list", "a"], int(1)),
            (&["PFADD", "list", "a"], err(WRONGTYPE)),
            (&["PFCOUNT", "list"], err(WRONGTYPE)),
            // A sparse value whose runs do not cover every register: its cached count (0, and
            // current) is answered until an add makes it stale.
            (&["SET", "damaged", "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\x7f"], ok()),
            (&["PFCOUNT", "damaged"], int(0)),
            (&["PFADD", "damaged", "a"], int(1)),
            (&["PFCOUNT", "damaged"], err("INVALIDOBJ Corrupted HLL object detected")),
        ])
        .await;
    engine.close().await;
}
