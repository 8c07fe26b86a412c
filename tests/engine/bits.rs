//! Bitmaps (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD), LCS and SORT. Each table's
//! replies are what Redis 7.0 answered to the same commands, run in the same order.

use litekv::reply::Reply;

use crate::helpers::{TestEngine, bulk, bulks, err, int, ints, nil, ok};

/// Bits, counts, positions, operations and fields, with their errors; LCS's forms; and SORT by
/// value, by other keys, with GET, LIMIT and STORE.
#[tokio::test]
async fn bitmaps_lcs_and_sort_answer_as_redis_does() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SETBIT", "b", "7", "1"], int(0)),
            (&["SETBIT", "b", "7", "0"], int(1)),
            (&["SETBIT", "b", "100", "1"], int(0)),
            (&["GETBIT", "b", "100"], int(1)),
            (&["GETBIT", "b", "1000"], int(0)),
            (&["GETBIT", "missing", "3"], int(0)),
            (
                &["SETBIT", "b", "-1", "1"],
                err("ERR bit offset is not an integer or out of range"),
            ),
            (
                &["SETBIT", "b", "4294967296", "1"],
                err("ERR bit offset is not an integer or out of range"),
            ),
            (
                &["SETBIT", "b", "1", "2"],
                err("ERR bit is not an integer or out of range"),
            ),
            (&["SET", "s", "foobar"], ok()),
            (&["BITCOUNT", "s"], int(26)),
            (&["BITCOUNT", "s", "0", "0"], int(4)),
            (&["BITCOUNT", "s", "1", "1"], int(6)),
            (&["BITCOUNT", "s", "1", "1", "BYTE"], int(6)),
            (&["BITCOUNT", "s", "5", "30", "BIT"], int(17)),
            (&["BITCOUNT", "s", "-2", "-1"], int(7)),
            // Both ends from the end, the start after the end: nothing, before any clamping.
            (&["BITCOUNT", "s", "-5", "-10"], int(0)),
            (&["BITCOUNT", "s", "-10", "-5"], int(10)),
            (&["SET", "one byte", "A"], ok()),
            (&["BITCOUNT", "one byte", "-5", "-10"], int(0)),
            (&["BITCOUNT", "one byte", "-10", "-5"], int(2)),
            (&["BITCOUNT", "s", "1"], err("ERR syntax error")),
            (&["BITCOUNT", "s", "2", "1"], int(0)),
            (&["BITCOUNT", "missing"], int(0)),
            (&["SET", "p", "\\xff\\xf0\\x00"], ok()),
            (&["BITPOS", "p", "0"], int(0)),
            (&["BITPOS", "p", "1", "2"], int(17)),
            (&["BITPOS", "p", "1", "2", "-1", "BYTE"], int(17)),
            (&["BITPOS", "p", "0", "8", "-1", "BIT"], int(8)),
            (&["SET", "ones", "\\xff\\xff\\xff"], ok()),
            (&["BITPOS", "ones", "0"], int(0)),
            (&["BITPOS", "ones", "0", "0", "-1"], int(0)),
            (&["BITPOS", "ones", "0", "1"], int(8)),
            (&["BITPOS", "missing", "0"], int(0)),
            (&["BITPOS", "missing", "1"], int(-1)),
            (&["SET", "k1", "foobar"], ok()),
            (&["SET", "k2", "abcdef"], ok()),
            (&["BITOP", "AND", "dest", "k1", "k2"], int(6)),
            (&["GET", "dest"], bulk("`bc`ab")),
            (&["BITOP", "OR", "dest", "k1", "k2", "missing"], int(6)),
            (&["GET", "dest"], bulk("goofev")),
            (&["BITOP", "XOR", "dest", "k1", "k2"], int(6)),
            (&["GET", "dest"], Reply::bulk(vec![7, 13, 12, 6, 4, 20])),
            (&["BITOP", "NOT", "dest", "k1"], int(6)),
            (&["GET", "dest"], Reply::bulk(vec![153, 144, 144, 157, 158, 141])),
            (
                &["BITOP", "NOT", "dest", "k1", "k2"],
                err("ERR BITOP NOT must be called with a single source key."),
            ),
            (&["BITOP", "AND", "dest", "missing1", "missing2"], int(0)),
            (&["EXISTS", "dest"], int(0)),
            (&["BITOP", "NAND", "dest", "k1"], err("ERR syntax error")),
            // Redis 8.2's operations, on 0x70, 0x4C and 0x2A (the Upstash clients send them).
            (&["MSET", "b1", "p", "b2", "L", "b3", "*"], ok()),
            (&["BITOP", "DIFF", "dest", "b1", "b2", "b3"], int(1)),
            (&["GET", "dest"], Reply::bulk(vec![0x10])),
            (&["BITOP", "diff1", "dest", "b1", "b2", "b3"], int(1)),
            (&["GET", "dest"], Reply::bulk(vec![0x0E])),
            (&["BITOP", "ANDOR", "dest", "b1", "b2", "b3"], int(1)),
            (&["GET", "dest"], Reply::bulk(vec![0x60])),
            (&["BITOP", "ONE", "dest", "b1", "b2", "b3"], int(1)),
            (&["GET", "dest"], Reply::bulk(vec![0x16])),
            (&["BITOP", "ONE", "dest", "b1"], int(1)),
            (&["GET", "dest"], bulk("p")),
            (&["BITOP", "ANDOR", "dest", "k1", "b1"], int(6)),
            (
                &["BITOP", "diff1", "dest", "b1"],
                err("ERR BITOP DIFF1 must be called with at least two source keys."),
            ),
            (
                &["BITOP", "ANDOR", "dest", "b1"],
                err("ERR BITOP ANDOR must be called with at least two source keys."),
            ),
            (
                &[
                    "BITFIELD", "bf", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "incrby", "u2", "102", "1",
                ],
                ints(&[1, 1]),
            ),
            (
                &[
                    "BITFIELD", "bf", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "incrby", "u2", "102", "1",
                ],
                ints(&[2, 2]),
            ),
            (
                &[
                    "BITFIELD", "bf", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "incrby", "u2", "102", "1",
                ],
                ints(&[3, 3]),
            ),
            (
                &[
                    "BITFIELD", "bf", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "incrby", "u2", "102", "1",
                ],
                ints(&[0, 3]),
            ),
            (
                &["BITFIELD", "bf", "OVERFLOW", "FAIL", "incrby", "u2", "102", "1"],
                Reply::Array(vec![nil()]),
            ),
            (
                &[
                    "BITFIELD", "bf2", "SET", "i8", "0", "-100", "GET", "u4", "0", "GET", "i4", "4", "SET", "u8", "#1",
                    "255", "GET", "u8", "8",
                ],
                ints(&[0, 9, -4, 0, 255]),
            ),
            (&["GET", "bf2"], Reply::bulk(vec![156, 255])),
            (
                &["BITFIELD", "bf2", "INCRBY", "i5", "100", "1", "GET", "u4", "0"],
                ints(&[1, 9]),
            ),
            (
                &[
                    "BITFIELD", "bf2", "SET", "i64", "0", "-1", "GET", "i64", "0", "GET", "u63", "1",
                ],
                ints(&[-7133983284731576320, -1, 9223372036854775807]),
            ),
            (
                &["BITFIELD", "bf2", "GET", "u64", "0"],
                err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
            ),
            (
                &["BITFIELD", "bf2", "GET", "i65", "0"],
                err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."),
            ),
            (
                &["BITFIELD", "bf2", "OVERFLOW", "BOGUS", "GET", "i8", "0"],
                err("ERR Invalid OVERFLOW type specified"),
            ),
            (
                &["BITFIELD", "bf2", "SET", "i8", "x", "1"],
                err("ERR bit offset is not an integer or out of range"),
            ),
            (&["BITFIELD", "bf3", "GET", "u8", "0"], ints(&[0])),
            (&["EXISTS", "bf3"], int(0)),
            (&["BITFIELD_RO", "bf2", "GET", "i8", "0"], ints(&[-1])),
            (
                &["BITFIELD_RO", "bf2", "SET", "i8", "0", "1"],
                err("ERR BITFIELD_RO only supports the GET subcommand"),
            ),
            (
                &[
                    "BITFIELD", "bf4", "SET", "i8", "0", "200", "OVERFLOW", "SAT", "SET", "i8", "8", "200", "OVERFLOW",
                    "FAIL", "SET", "i8", "16", "200",
                ],
                Reply::Array(vec![int(0), int(0), nil()]),
            ),
            (&["BITFIELD", "bf4", "SET", "u8", "0", "-1"], ints(&[200])),
            (&["BITFIELD", "bf5", "INCRBY", "i8", "0", "-200"], ints(&[56])),
            (&["SET", "s1", "ohmytext"], ok()),
            (&["SET", "s2", "mynewtext"], ok()),
            (&["LCS", "s1", "s2"], bulk("mytext")),
            (&["LCS", "s1", "s2", "LEN"], int(6)),
            (
                &["LCS", "s1", "s2", "IDX"],
                Reply::Array(vec![
                    bulk("matches"),
                    Reply::Array(vec![
                        Reply::Array(vec![ints(&[4, 7]), ints(&[5, 8])]),
                        Reply::Array(vec![ints(&[2, 3]), ints(&[0, 1])]),
                    ]),
                    bulk("len"),
                    int(6),
                ]),
            ),
            (
                &["LCS", "s1", "s2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
                Reply::Array(vec![
                    bulk("matches"),
                    Reply::Array(vec![Reply::Array(vec![ints(&[4, 7]), ints(&[5, 8]), int(4)])]),
                    bulk("len"),
                    int(6),
                ]),
            ),
            (
                &["LCS", "s1", "s2", "IDX", "WITHMATCHLEN"],
                Reply::Array(vec![
                    bulk("matches"),
                    Reply::Array(vec![
                        Reply::Array(vec![ints(&[4, 7]), ints(&[5, 8]), int(4)]),
                        Reply::Array(vec![ints(&[2, 3]), ints(&[0, 1]), int(2)]),
                    ]),
                    bulk("len"),
                    int(6),
                ]),
            ),
            (
                &["LCS", "s1", "s2", "LEN", "IDX"],
                err("ERR If you want both the length and indexes, please just use IDX."),
            ),
            (&["LCS", "s1", "missing"], bulk("")),
            (&["HSET", "h", "f", "v"], int(1)),
            (
                &["LCS", "s1", "h"],
                err("ERR The specified keys must contain string values"),
            ),
            (&["LCS", "s1", "s2", "BOGUS"], err("ERR syntax error")),
            (&["RPUSH", "l", "3", "1", "2", "10"], int(4)),
            (&["SORT", "l"], bulks(&["1", "2", "3", "10"])),
            (&["SORT", "l", "DESC"], bulks(&["10", "3", "2", "1"])),
            (&["SORT", "l", "ALPHA"], bulks(&["1", "10", "2", "3"])),
            (&["SORT", "l", "LIMIT", "1", "2"], bulks(&["2", "3"])),
            (&["SORT", "l", "LIMIT", "-5", "2"], bulks(&["1", "2"])),
            (&["SORT", "l", "LIMIT", "1", "-1"], bulks(&["2", "3", "10"])),
            (&["MSET", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "5"], ok()),
            (&["SORT", "l", "BY", "w_*"], bulks(&["10", "1", "2", "3"])),
            (
                &["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*"],
                bulks(&["10", "5", "1", "10", "2", "20", "3", "30"]),
            ),
            (
                &["SORT", "l", "BY", "nosort", "GET", "w_*"],
                bulks(&["30", "10", "20", "5"]),
            ),
            (&["HSET", "o_1", "name", "one"], int(1)),
            (&["HSET", "o_2", "name", "two"], int(1)),
            (
                &["SORT", "l", "GET", "o_*->name", "GET", "#"],
                Reply::Array(vec![
                    bulk("one"),
                    bulk("1"),
                    bulk("two"),
                    bulk("2"),
                    nil(),
                    bulk("3"),
                    nil(),
                    bulk("10"),
                ]),
            ),
            (&["SORT", "l", "STORE", "sorted"], int(4)),
            (&["LRANGE", "sorted", "0", "-1"], bulks(&["1", "2", "3", "10"])),
            (
                &["SORT", "l", "BY", "w_*", "GET", "o_*->name", "STORE", "sorted2"],
                int(4),
            ),
            (&["LRANGE", "sorted2", "0", "-1"], bulks(&["", "one", "two", ""])),
            (&["SADD", "words", "b", "a", "c"], int(3)),
            (
                &["SORT", "words"],
                err("ERR One or more scores can't be converted into double"),
            ),
            (&["SORT", "words", "ALPHA"], bulks(&["a", "b", "c"])),
            (
                &["SORT", "words", "ALPHA", "DESC", "LIMIT", "0", "2"],
                bulks(&["c", "b"]),
            ),
            (&["ZADD", "z", "3", "x", "1", "y", "2", "z"], int(3)),
            (&["SORT", "z", "ALPHA"], bulks(&["x", "y", "z"])),
            (&["SORT", "z", "BY", "nosort"], bulks(&["y", "z", "x"])),
            (
                &["SORT", "s1"],
                err("WRONGTYPE Operation against a key holding the wrong kind of value"),
            ),
            (&["SORT", "missing"], Reply::Array(vec![])),
            (&["SORT", "l", "STORE"], err("ERR syntax error")),
            (&["SORT_RO", "l", "DESC"], bulks(&["10", "3", "2", "1"])),
            (&["SORT_RO", "l", "STORE", "x"], err("ERR syntax error")),
            (&["SORT", "l", "BOGUS"], err("ERR syntax error")),
            (&["RPUSH", "mixed", "1", "b"], int(2)),
            (
                &["SORT", "mixed"],
                err("ERR One or more scores can't be converted into double"),
            ),
            (&["SORT", "missing", "STORE", "sorted"], int(0)),
            (&["EXISTS", "sorted"], int(0)),
        ])
        .await;
    engine.close().await;
}
