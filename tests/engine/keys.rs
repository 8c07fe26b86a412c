use litekv::cmd::Reply;

use crate::helpers::{TestEngine, bulk, bulks, err, int, nil, ok, status};

#[tokio::test]
async fn deleting_renaming_and_copying() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SET", "a", "1", "EX", "100"], ok()),
            (&["RENAME", "a", "b"], ok()),
            (&["TTL", "b"], int(100)),
            (&["RENAME", "a", "c"], err("ERR no such key")),
            (&["SET", "c", "3"], ok()),
            (&["RENAMENX", "b", "c"], int(0)),
            (&["COPY", "b", "c"], int(0)),
            (&["COPY", "b", "c", "REPLACE"], int(1)),
            (&["GET", "c"], bulk("1")),
            (&["TTL", "c"], int(100)),
            (
                &["COPY", "b", "b"],
                err("ERR source and destination objects are the same"),
            ),
            (&["DEL", "b", "c", "missing"], int(2)),
            (&["TYPE", "b"], status("none")),
            (&["DBSIZE"], int(0)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn scan_walks_in_creation_order_with_types() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["MSET", "x", "1", "y", "2", "z", "3"], ok()),
            (
                &["SCAN", "0", "COUNT", "2", "WITHTYPE"],
                Reply::Array(vec![
                    bulk("2"),
                    Reply::Array(vec![bulk("x"), status("string"), bulk("y"), status("string")]),
                ]),
            ),
            (
                &["SCAN", "2", "TYPE", "string"],
                Reply::Array(vec![bulk("0"), bulks(&["z"])]),
            ),
            (
                &["SCAN", "0", "TYPE", "hash"],
                Reply::Array(vec![bulk("0"), bulks(&[])]),
            ),
            (&["FLUSHDB"], ok()),
            (&["RANDOMKEY"], nil()),
        ])
        .await;
    engine.close().await;
}
