//! Sorted sets, with the examples and edge cases of Redis's documentation: ties in score
//! order by member, ranges by rank, score and member, and the combinations.

use litekv::reply::Reply;

use crate::helpers::{NOT_AN_INTEGER, SYNTAX, TestEngine, WRONGTYPE, arity, bulk, bulks, err, int, nil, ok, status};

const NOT_A_FLOAT: &str = "ERR value is not a valid float";

fn pairs(items: &[(&str, &str)]) -> Reply {
    Reply::Array(items.iter().map(|(member, score)| bulks(&[member, score])).collect())
}

#[tokio::test]
async fn zadd_and_its_options() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["ZADD", "z", "1", "one"], int(1)),
            (&["ZADD", "z", "1", "uno"], int(1)),
            (&["ZADD", "z", "1e-400", "tiny"], err("ERR value is not a valid float")),
            (&["ZADD", "z", "2", "two", "3", "three"], int(2)),
            (
                &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                bulks(&["one", "1", "uno", "1", "two", "2", "three", "3"]),
            ),
            (&["TYPE", "z"], status("zset")),
            (&["ZCARD", "z"], int(4)),
            (&["ZADD", "z", "NX", "10", "one", "4", "four"], int(1)),
            (&["ZSCORE", "z", "one"], bulk("1")),
            (&["ZADD", "z", "XX", "10", "one", "5", "five"], int(0)),
            (&["ZSCORE", "z", "one"], bulk("10")),
            (&["ZSCORE", "z", "five"], nil()),
            (&["ZADD", "z", "CH", "11", "one", "2", "two", "6", "six"], int(2)),
            (&["ZADD", "z", "GT", "CH", "5", "one", "20", "two"], int(1)),
            (
                &["ZMSCORE", "z", "one", "two", "nope"],
                Reply::Array(vec![bulk("11"), bulk("20"), nil()]),
            ),
            (&["ZADD", "z", "LT", "CH", "30", "two", "1.5", "one"], int(1)),
            (&["ZSCORE", "z", "one"], bulk("1.5")),
            (&["ZADD", "z", "INCR", "2.5", "one"], bulk("4")),
            (&["ZADD", "z", "NX", "INCR", "1", "one"], nil()),
            (&["ZADD", "z", "XX", "INCR", "1", "missing"], nil()),
            (&["ZINCRBY", "z", "-4", "one"], bulk("0")),
            (&["ZINCRBY", "z", "7", "new"], bulk("7")),
            (&["ZADD", "z", "+inf", "top", "-INF", "bottom"], int(2)),
            (&["ZADD", "twice", "1", "m", "2", "m"], int(1)),
            (&["ZSCORE", "twice", "m"], bulk("2")),
            (&["ZADD", "twice", "CH", "3", "n", "3", "n", "4", "m"], int(2)),
            (&["DEL", "twice"], int(1)),
            (&["ZSCORE", "z", "top"], bulk("inf")),
            (&["ZSCORE", "z", "bottom"], bulk("-inf")),
            (
                &["ZINCRBY", "z", "-inf", "top"],
                err("ERR resulting score is not a number (NaN)"),
            ),
            (&["ZADD", "z", "nan", "x"], err(NOT_A_FLOAT)),
            (&["ZADD", "z", "x", "member"], err(NOT_A_FLOAT)),
            (&["ZADD", "z", "1"], arity("zadd")),
            (&["ZADD", "z", "1", "a", "2"], err(SYNTAX)),
            (&["ZADD", "z", "CH", "1"], err(SYNTAX)),
            (
                &["ZADD", "z", "NX", "XX", "1", "a"],
                err("ERR XX and NX options at the same time are not compatible"),
            ),
            (
                &["ZADD", "z", "GT", "LT", "1", "a"],
                err("ERR GT, LT, and/or NX options at the same time are not compatible"),
            ),
            (
                &["ZADD", "z", "NX", "GT", "1", "a"],
                err("ERR GT, LT, and/or NX options at the same time are not compatible"),
            ),
            (
                &["ZADD", "z", "INCR", "1", "a", "2", "b"],
                err("ERR INCR option supports a single increment-element pair"),
            ),
            (&["ZINCRBY", "z", "x", "a"], err(NOT_A_FLOAT)),
            (&["ZADD", "z"], arity("zadd")),
            (&["ZREM", "z", "top", "bottom", "nope"], int(2)),
            (
                &["ZREM", "z", "one", "two", "three", "uno", "four", "six", "new"],
                int(7),
            ),
            (&["EXISTS", "z"], int(0)),
            (&["ZCARD", "z"], int(0)),
            (&["ZSCORE", "z", "one"], nil()),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn ranges_by_rank_score_and_member() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["ZADD", "z", "1", "one", "2", "two", "3", "three"], int(3)),
            (&["ZRANGE", "z", "0", "-1"], bulks(&["one", "two", "three"])),
            (&["ZRANGE", "z", "2", "3"], bulks(&["three"])),
            (&["ZRANGE", "z", "-2", "-1"], bulks(&["two", "three"])),
            (&["ZRANGE", "z", "5", "10"], bulks(&[])),
            (
                &["ZRANGE", "z", "0", "1", "WITHSCORES"],
                bulks(&["one", "1", "two", "2"]),
            ),
            (&["ZRANGE", "z", "0", "0", "REV"], bulks(&["three"])),
            (&["ZREVRANGE", "z", "0", "-1"], bulks(&["three", "two", "one"])),
            (&["ZREVRANGE", "z", "0", "0", "WITHSCORES"], bulks(&["three", "3"])),
            (
                &["ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "1"],
                bulks(&["three"]),
            ),
            (&["ZRANGEBYSCORE", "z", "-inf", "+inf"], bulks(&["one", "two", "three"])),
            (&["ZRANGEBYSCORE", "z", "1", "2"], bulks(&["one", "two"])),
            (&["ZRANGEBYSCORE", "z", "(1", "2"], bulks(&["two"])),
            (&["ZRANGEBYSCORE", "z", "(1", "(2"], bulks(&[])),
            (
                &["ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "1", "-1"],
                bulks(&["two", "2", "three", "3"]),
            ),
            (&["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"], bulks(&[])),
            (
                &["ZREVRANGEBYSCORE", "z", "+inf", "-inf"],
                bulks(&["three", "two", "one"]),
            ),
            (&["ZREVRANGEBYSCORE", "z", "2", "1"], bulks(&["two", "one"])),
            (&["ZREVRANGEBYSCORE", "z", "2", "(1"], bulks(&["two"])),
            (&["ZRANGE", "z", "(3", "1", "BYSCORE", "REV"], bulks(&["two", "one"])),
            (&["ZRANGEBYSCORE", "z", "a", "2"], err("ERR min or max is not a float")),
            // An empty bound is 0, as C's strtod reads it; LIMIT 0 -1 is no limit at all.
            (&["ZCOUNT", "z", "", ""], int(0)),
            (&["ZCOUNT", "z", "", "(2"], int(1)),
            (
                &["ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"],
                bulks(&["one", "two", "three"]),
            ),
            (
                &["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"],
                err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"),
            ),
            (&["ZRANGE", "z", "a", "1"], err(NOT_AN_INTEGER)),
            (&["ZRANGE", "z", "0", "1", "SIDEWAYS"], err(SYNTAX)),
            (&["ZREVRANGE", "z", "0", "1", "REV"], err(SYNTAX)),
            (&["ZRANGE", "missing", "0", "-1"], bulks(&[])),
            // Ties order by member; member ranges read a set of equal scores.
            (
                &[
                    "ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", "g",
                ],
                int(7),
            ),
            (&["ZRANGEBYLEX", "lex", "-", "[c"], bulks(&["a", "b", "c"])),
            (&["ZRANGEBYLEX", "lex", "-", "(c"], bulks(&["a", "b"])),
            (&["ZRANGEBYLEX", "lex", "[aaa", "(g"], bulks(&["b", "c", "d", "e", "f"])),
            (&["ZRANGEBYLEX", "lex", "-", "+", "LIMIT", "2", "2"], bulks(&["c", "d"])),
            (&["ZRANGEBYLEX", "lex", "+", "-"], bulks(&[])),
            (&["ZREVRANGEBYLEX", "lex", "[c", "-"], bulks(&["c", "b", "a"])),
            (
                &["ZRANGE", "lex", "[f", "(b", "BYLEX", "REV"],
                bulks(&["f", "e", "d", "c"]),
            ),
            (
                &["ZRANGEBYLEX", "lex", "a", "[c"],
                err("ERR min or max not valid string range item"),
            ),
            (&["ZRANGEBYLEX", "lex", "-", "+", "WITHSCORES"], err(SYNTAX)),
            (
                &["ZRANGE", "lex", "-", "+", "BYLEX", "WITHSCORES"],
                err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"),
            ),
            (&["ZLEXCOUNT", "lex", "-", "+"], int(7)),
            (&["ZLEXCOUNT", "lex", "[b", "[f"], int(5)),
            (&["ZCOUNT", "z", "-inf", "+inf"], int(3)),
            (&["ZCOUNT", "z", "(1", "3"], int(2)),
            (&["ZCOUNT", "missing", "-inf", "+inf"], int(0)),
            (&["ZADD", "ties", "1", "b", "1", "a", "0", "z", "2", "c"], int(4)),
            (&["ZRANGE", "ties", "0", "-1"], bulks(&["z", "a", "b", "c"])),
            (&["ZRANGE", "ties", "0", "-1", "REV"], bulks(&["c", "b", "a", "z"])),
            (&["ZRANK", "ties", "b"], int(2)),
            (
                &["ZRANK", "ties", "b", "WITHSCORE"],
                Reply::Array(vec![int(2), bulk("1")]),
            ),
            (&["ZREVRANK", "ties", "b"], int(1)),
            (
                &["ZREVRANK", "ties", "z", "WITHSCORE"],
                Reply::Array(vec![int(3), bulk("0")]),
            ),
            (&["ZRANK", "ties", "nope"], nil()),
            (&["ZRANK", "missing", "a"], nil()),
            (&["ZRANK", "ties", "a", "WITHSCORES"], err(SYNTAX)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn pops_and_range_removals() {
    let engine = TestEngine::new().await;
    let popped = |key: &str, items: &[(&str, &str)]| Reply::Array(vec![bulk(key), pairs(items)]);
    engine
        .expect(&[
            (&["ZADD", "z", "1", "one", "2", "two", "3", "three"], int(3)),
            (&["ZPOPMIN", "z"], bulks(&["one", "1"])),
            (&["ZPOPMAX", "z", "5"], bulks(&["three", "3", "two", "2"])),
            (&["EXISTS", "z"], int(0)),
            (&["ZPOPMIN", "z"], bulks(&[])),
            (
                &["ZPOPMIN", "z", "-1"],
                err("ERR value is out of range, must be positive"),
            ),
            (&["ZMPOP", "1", "notsuchkey", "MIN"], Reply::NilArray),
            (&["ZADD", "myzset", "1", "one", "2", "two", "3", "three"], int(3)),
            (&["ZMPOP", "1", "myzset", "MIN"], popped("myzset", &[("one", "1")])),
            (
                &["ZRANGE", "myzset", "0", "-1", "WITHSCORES"],
                bulks(&["two", "2", "three", "3"]),
            ),
            (
                &["ZMPOP", "1", "myzset", "MAX", "COUNT", "10"],
                popped("myzset", &[("three", "3"), ("two", "2")]),
            ),
            (&["ZADD", "myzset2", "4", "four", "5", "five", "6", "six"], int(3)),
            (
                &["ZMPOP", "2", "myzset", "myzset2", "MIN", "COUNT", "10"],
                popped("myzset2", &[("four", "4"), ("five", "5"), ("six", "6")]),
            ),
            (&["ZMPOP", "1", "z", "MIDDLE"], err(SYNTAX)),
            (
                &["ZMPOP", "1", "z", "MIN", "COUNT", "0"],
                err("ERR count should be greater than 0"),
            ),
            (&["ZMPOP", "0", "z", "MIN"], err("ERR numkeys should be greater than 0")),
            (&["ZMPOP", "x", "z", "MIN"], err("ERR numkeys should be greater than 0")),
            (
                &["ZADD", "r", "1", "one", "2", "two", "3", "three", "4", "four"],
                int(4),
            ),
            (&["ZREMRANGEBYRANK", "r", "0", "1"], int(2)),
            (&["ZRANGE", "r", "0", "-1"], bulks(&["three", "four"])),
            (&["ZREMRANGEBYSCORE", "r", "-inf", "(4"], int(1)),
            (&["ZRANGE", "r", "0", "-1"], bulks(&["four"])),
            (&["ZREMRANGEBYRANK", "r", "5", "10"], int(0)),
            (&["ZREMRANGEBYRANK", "r", "-1", "-1"], int(1)),
            (&["EXISTS", "r"], int(0)),
            (
                &[
                    "ZADD", "lex", "0", "aaaa", "0", "b", "0", "c", "0", "d", "0", "e", "0", "foo", "0", "zap", "0",
                    "zip", "0", "ALPHA", "0", "alpha",
                ],
                int(10),
            ),
            (&["ZREMRANGEBYLEX", "lex", "[alpha", "[omega"], int(6)),
            (&["ZRANGE", "lex", "0", "-1"], bulks(&["ALPHA", "aaaa", "zap", "zip"])),
            (&["ZREMRANGEBYSCORE", "missing", "-inf", "+inf"], int(0)),
            (
                &["ZREMRANGEBYLEX", "lex", "x", "+"],
                err("ERR min or max not valid string range item"),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn sorted_sets_combine() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["ZADD", "zset1", "1", "one", "2", "two"], int(2)),
            (&["ZADD", "zset2", "1", "one", "2", "two", "3", "three"], int(3)),
            (&["ZUNION", "2", "zset1", "zset2"], bulks(&["one", "three", "two"])),
            (
                &["ZUNION", "2", "zset1", "zset2", "WITHSCORES"],
                bulks(&["one", "2", "three", "3", "two", "4"]),
            ),
            (
                &["ZINTER", "2", "zset1", "zset2", "WITHSCORES"],
                bulks(&["one", "2", "two", "4"]),
            ),
            (&["ZDIFF", "2", "zset2", "zset1", "WITHSCORES"], bulks(&["three", "3"])),
            (
                &["ZUNIONSTORE", "out", "2", "zset1", "zset2", "WEIGHTS", "2", "3"],
                int(3),
            ),
            (
                &["ZRANGE", "out", "0", "-1", "WITHSCORES"],
                bulks(&["one", "5", "three", "9", "two", "10"]),
            ),
            (
                &["ZINTERSTORE", "out", "2", "zset1", "zset2", "AGGREGATE", "MAX"],
                int(2),
            ),
            (
                &["ZRANGE", "out", "0", "-1", "WITHSCORES"],
                bulks(&["one", "1", "two", "2"]),
            ),
            (
                &["ZUNION", "2", "zset1", "zset2", "AGGREGATE", "MIN", "WITHSCORES"],
                bulks(&["one", "1", "two", "2", "three", "3"]),
            ),
            (&["ZDIFFSTORE", "out", "2", "zset1", "zset2"], int(0)),
            (&["EXISTS", "out"], int(0)),
            (&["ZINTERCARD", "2", "zset1", "zset2"], int(2)),
            (&["ZINTERCARD", "2", "zset1", "zset2", "LIMIT", "1"], int(1)),
            (&["ZINTERCARD", "2", "zset1", "missing"], int(0)),
            (&["ZINTERCARD", "x", "zset1"], err(NOT_AN_INTEGER)),
            (
                &["ZINTERCARD", "1", "zset1", "LIMIT", "x"],
                err("ERR LIMIT can't be negative"),
            ),
            // A plain set counts as scores of 1.
            (&["SADD", "plain", "one", "nine"], int(2)),
            (
                &["ZUNION", "2", "zset1", "plain", "WITHSCORES"],
                bulks(&["nine", "1", "one", "2", "two", "2"]),
            ),
            (&["ZRANGESTORE", "dst", "zset2", "1", "-1"], int(2)),
            (
                &["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
                bulks(&["two", "2", "three", "3"]),
            ),
            (
                &[
                    "ZRANGESTORE",
                    "dst",
                    "zset2",
                    "+inf",
                    "(1",
                    "BYSCORE",
                    "REV",
                    "LIMIT",
                    "0",
                    "1",
                ],
                int(1),
            ),
            (&["ZRANGE", "dst", "0", "-1"], bulks(&["three"])),
            (&["ZRANGESTORE", "dst", "missing", "0", "-1"], int(0)),
            (&["EXISTS", "dst"], int(0)),
            (&["ZRANGESTORE", "dst", "zset2", "0", "-1", "WITHSCORES"], err(SYNTAX)),
            (
                &["ZUNION", "0", "zset1"],
                err("ERR at least 1 input key is needed for 'zunion' command"),
            ),
            (&["ZUNION", "3", "zset1"], err(SYNTAX)),
            (
                &["ZUNION", "2", "zset1", "zset2", "WEIGHTS", "1", "x"],
                err("ERR weight value is not a float"),
            ),
            (&["ZUNION", "2", "zset1", "zset2", "WEIGHTS", "1"], err(SYNTAX)),
            (&["ZUNION", "1", "zset1", "AGGREGATE", "AVG"], err(SYNTAX)),
            (&["ZDIFF", "1", "zset1", "WEIGHTS", "1"], err(SYNTAX)),
            (&["ZUNIONSTORE", "out", "1", "zset1", "WITHSCORES"], err(SYNTAX)),
            (&["SET", "str", "v"], ok()),
            (&["ZUNION", "2", "zset1", "str"], err(WRONGTYPE)),
            // As Redis 7.0.15 words them: ZINTERCARD counts its keys as the other combinations do.
            (
                &["ZINTERCARD", "0", "zset1"],
                err("ERR at least 1 input key is needed for 'zintercard' command"),
            ),
            (&["ZINTERCARD", "2", "zset1"], err(SYNTAX)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn random_members_scans_and_wrong_types() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["ZADD", "z", "1", "one"], int(1)),
            (&["ZRANDMEMBER", "z"], bulk("one")),
            (&["ZRANDMEMBER", "z", "5", "WITHSCORES"], bulks(&["one", "1"])),
            (&["ZRANDMEMBER", "z", "-2"], bulks(&["one", "one"])),
            (&["ZRANDMEMBER", "missing"], nil()),
            (&["ZRANDMEMBER", "missing", "2"], bulks(&[])),
            (&["ZRANDMEMBER", "z", "1", "WITHSCORE"], err(SYNTAX)),
            (&["ZADD", "z", "2", "two", "3", "three"], int(2)),
            (
                &["ZSCAN", "z", "0"],
                Reply::Array(vec![bulk("0"), bulks(&["one", "1", "two", "2", "three", "3"])]),
            ),
            (
                &["ZSCAN", "z", "0", "COUNT", "2", "MATCH", "t*"],
                Reply::Array(vec![bulk("2"), bulks(&["two", "2"])]),
            ),
            (&["SET", "str", "v"], ok()),
            (&["ZADD", "str", "1", "a"], err(WRONGTYPE)),
            (&["ZRANGE", "str", "0", "-1"], err(WRONGTYPE)),
            (&["ZSCORE", "str", "a"], err(WRONGTYPE)),
            (&["ZPOPMIN", "str"], err(WRONGTYPE)),
            (&["GET", "z"], err(WRONGTYPE)),
            (&["COPY", "z", "copy"], int(1)),
            (
                &["ZRANGE", "copy", "0", "-1", "WITHSCORES"],
                bulks(&["one", "1", "two", "2", "three", "3"]),
            ),
        ])
        .await;
    engine.close().await;
}
