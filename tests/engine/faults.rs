//! Commands with several faults at once answer the one Redis reports first: the key's
//! existence and type before a faulty number or option after it. Each row as Redis 7.0.15
//! answered it (redis-cli); `tests/differential/differential.py` found them.

use crate::helpers::{TestEngine, WRONGTYPE, err, int, nil, ok};

const NOT_AN_INTEGER: &str = "ERR value is not an integer or out of range";

#[tokio::test]
async fn the_key_is_checked_before_the_arguments_after_it() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RPUSH", "l", "a"], int(1)),
            (&["ZADD", "z", "1", "a"], int(1)),
            (&["SET", "s", "x"], ok()),
            (&["LINDEX", "nosuch", "x"], nil()),
            (&["LINDEX", "z", "x"], err(WRONGTYPE)),
            (&["LINDEX", "l", "x"], err(NOT_AN_INTEGER)),
            (&["LSET", "nosuch", "x", "a"], err("ERR no such key")),
            (&["LSET", "z", "x", "a"], err(WRONGTYPE)),
            (&["LSET", "l", "x", "a"], err(NOT_AN_INTEGER)),
            (&["INCRBYFLOAT", "z", "x"], err(WRONGTYPE)),
            (&["INCRBYFLOAT", "nosuch", "x"], err("ERR value is not a valid float")),
            (&["BITCOUNT", "nosuch", "x", "1"], int(0)),
            (&["BITCOUNT", "z", "x", "1"], err(WRONGTYPE)),
            (&["BITCOUNT", "s", "x", "1"], err(NOT_AN_INTEGER)),
            (&["BITPOS", "nosuch", "1", "x"], int(-1)),
            (&["BITPOS", "s", "1", "x"], err(NOT_AN_INTEGER)),
            (&["ZUNIONSTORE", "d", "1", "s", "BOGUS"], err(WRONGTYPE)),
            (&["ZUNIONSTORE", "d", "1", "nosuch", "BOGUS"], err("ERR syntax error")),
            (
                &["EXPIRE", "nosuch", "x", "NX", "XX"],
                err("ERR NX and XX, GT or LT options at the same time are not compatible"),
            ),
            (&["EXPIRE", "nosuch", "x", "BOGUS"], err("ERR Unsupported option BOGUS")),
            (&["SPOP", "s", "x"], err("ERR value is out of range, must be positive")),
            (
                &["ZPOPMIN", "z", "x"],
                err("ERR value is out of range, must be positive"),
            ),
            // A value Redis reads as a float may be infinite; adding to it is refused.
            (&["SET", "inf", "inf"], ok()),
            (
                &["INCRBYFLOAT", "inf", "1"],
                err("ERR increment would produce NaN or Infinity"),
            ),
        ])
        .await;
    engine.close().await;
}
