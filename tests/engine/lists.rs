//! Lists, with the examples and edge cases of Redis's documentation.

use std::collections::VecDeque;

use litekv::reply::Reply;

use crate::helpers::{
    NOT_AN_INTEGER, SYNTAX, TestEngine, WRONGTYPE, arity, bulk, bulks, err, int, ints, nil, ok, status,
};

#[tokio::test]
async fn pushes_and_pops_at_both_ends() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RPUSH", "l", "a", "b"], int(2)),
            (&["LPUSH", "l", "x", "y"], int(4)),
            (&["LRANGE", "l", "0", "-1"], bulks(&["y", "x", "a", "b"])),
            (&["LLEN", "l"], int(4)),
            (&["TYPE", "l"], status("list")),
            (&["LPOP", "l"], bulk("y")),
            (&["RPOP", "l"], bulk("b")),
            (&["RPUSH", "l", "c", "d", "e"], int(5)),
            (&["LPOP", "l", "2"], bulks(&["x", "a"])),
            (&["RPOP", "l", "2"], bulks(&["e", "d"])),
            (&["LPOP", "l", "0"], bulks(&[])),
            (&["RPOP", "l", "10"], bulks(&["c"])),
            // The last element took the key with it.
            (&["EXISTS", "l"], int(0)),
            (&["LPOP", "l"], nil()),
            (&["LPOP", "l", "2"], Reply::NilArray),
            (&["RPOP", "l", "2"], Reply::NilArray),
            (&["LLEN", "l"], int(0)),
            (&["LPUSHX", "l", "a"], int(0)),
            (&["RPUSHX", "l", "a"], int(0)),
            (&["EXISTS", "l"], int(0)),
            (&["RPUSH", "l", "a"], int(1)),
            (&["LPUSHX", "l", "b", "c"], int(3)),
            (&["RPUSHX", "l", "d"], int(4)),
            (&["LRANGE", "l", "0", "-1"], bulks(&["c", "b", "a", "d"])),
            (&["LPOP", "l", "-1"], err("ERR value is out of range, must be positive")),
            // Redis 7.0.15 answers a count that is not a number as it answers a negative one.
            (&["LPOP", "l", "x"], err("ERR value is out of range, must be positive")),
            (&["LPOP", "l", "1", "2"], arity("lpop")),
            (&["LPUSH", "l"], arity("lpush")),
            (
                &["RPUSH", "l", &"v".repeat(65)],
                err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn indexes_count_from_either_end_and_ranges_are_clamped() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RPUSH", "l", "one", "two", "three"], int(3)),
            (&["LRANGE", "l", "0", "0"], bulks(&["one"])),
            (&["LRANGE", "l", "-3", "2"], bulks(&["one", "two", "three"])),
            (&["LRANGE", "l", "-100", "100"], bulks(&["one", "two", "three"])),
            (&["LRANGE", "l", "5", "10"], bulks(&[])),
            (&["LRANGE", "l", "2", "1"], bulks(&[])),
            (&["LRANGE", "l", "-1", "-1"], bulks(&["three"])),
            (&["LRANGE", "missing", "0", "-1"], bulks(&[])),
            (&["LRANGE", "l", "a", "1"], err(NOT_AN_INTEGER)),
            (&["LINDEX", "l", "0"], bulk("one")),
            (&["LINDEX", "l", "-1"], bulk("three")),
            (&["LINDEX", "l", "3"], nil()),
            (&["LINDEX", "l", "-4"], nil()),
            (&["LINDEX", "missing", "0"], nil()),
            (&["LSET", "l", "0", "four"], ok()),
            (&["LSET", "l", "-2", "five"], ok()),
            (&["LRANGE", "l", "0", "-1"], bulks(&["four", "five", "three"])),
            (&["LSET", "l", "3", "x"], err("ERR index out of range")),
            (&["LSET", "missing", "0", "x"], err("ERR no such key")),
            (&["LTRIM", "l", "1", "-1"], ok()),
            (&["LRANGE", "l", "0", "-1"], bulks(&["five", "three"])),
            (&["LTRIM", "l", "-100", "100"], ok()),
            (&["LLEN", "l"], int(2)),
            (&["LTRIM", "l", "5", "10"], ok()),
            (&["EXISTS", "l"], int(0)),
            (&["LTRIM", "missing", "0", "1"], ok()),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn inserts_and_removals_inside_a_list() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RPUSH", "l", "Hello", "World"], int(2)),
            (&["LINSERT", "l", "BEFORE", "World", "There"], int(3)),
            (&["LRANGE", "l", "0", "-1"], bulks(&["Hello", "There", "World"])),
            (&["LINSERT", "l", "after", "World", "!"], int(4)),
            (&["LINSERT", "l", "AFTER", "Hello", ","], int(5)),
            (
                &["LRANGE", "l", "0", "-1"],
                bulks(&["Hello", ",", "There", "World", "!"]),
            ),
            (&["LINSERT", "l", "BEFORE", "nobody", "x"], int(-1)),
            (&["LINSERT", "missing", "BEFORE", "a", "x"], int(0)),
            (&["LINSERT", "l", "BESIDE", "World", "x"], err(SYNTAX)),
            (&["LINDEX", "l", "3"], bulk("World")),
            (&["DEL", "l"], int(1)),
            (&["RPUSH", "l", "hello", "hello", "foo", "hello"], int(4)),
            (&["LREM", "l", "-2", "hello"], int(2)),
            (&["LRANGE", "l", "0", "-1"], bulks(&["hello", "foo"])),
            (&["RPUSH", "l", "a", "hello", "b", "hello"], int(6)),
            (&["LREM", "l", "1", "hello"], int(1)),
            (&["LRANGE", "l", "0", "-1"], bulks(&["foo", "a", "hello", "b", "hello"])),
            (&["LINDEX", "l", "4"], bulk("hello")),
            (&["LREM", "l", "0", "hello"], int(2)),
            (&["LRANGE", "l", "0", "-1"], bulks(&["foo", "a", "b"])),
            (&["LREM", "l", "0", "nothing"], int(0)),
            (&["LREM", "missing", "0", "a"], int(0)),
            (&["LREM", "l", "0", "foo"], int(1)),
            (&["LREM", "l", "0", "a"], int(1)),
            (&["LREM", "l", "0", "b"], int(1)),
            (&["EXISTS", "l"], int(0)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn lpos_finds_matches_by_rank_count_and_maxlen() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RPUSH", "l", "a", "b", "c", "d", "1", "2", "3", "4", "3", "3", "3"], int(11)),
            (&["LPOS", "l", "3"], int(6)),
            (&["LPOS", "l", "3", "COUNT", "0", "RANK", "2"], ints(&[8, 9, 10])),
            (&["LPOS", "l", "3", "RANK", "-1"], int(10)),
            (&["LPOS", "l", "3", "RANK", "-2", "COUNT", "2"], ints(&[9, 8])),
            (&["LPOS", "l", "3", "COUNT", "2"], ints(&[6, 8])),
            (&["LPOS", "l", "3", "MAXLEN", "6"], nil()),
            (&["LPOS", "l", "3", "MAXLEN", "7"], int(6)),
            (&["LPOS", "l", "a", "RANK", "-1", "MAXLEN", "10"], nil()),
            (&["LPOS", "l", "a", "RANK", "-1", "MAXLEN", "0"], int(0)),
            (&["LPOS", "l", "z"], nil()),
            (&["LPOS", "l", "z", "COUNT", "1"], ints(&[])),
            (&["LPOS", "missing", "z"], nil()),
            (&["LPOS", "missing", "z", "COUNT", "0"], ints(&[])),
            (
                &["LPOS", "l", "3", "RANK", "0"],
                err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"),
            ),
            (&["LPOS", "l", "3", "COUNT", "-1"], err("ERR COUNT can't be negative")),
            (&["LPOS", "l", "3", "MAXLEN", "-1"], err("ERR MAXLEN can't be negative")),
            (&["LPOS", "l", "3", "RANK"], err(SYNTAX)),
            (&["LPOS", "l", "3", "NEAR", "1"], err(SYNTAX)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn elements_move_between_lists() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RPUSH", "mylist", "one", "two", "three"], int(3)),
            (&["LMOVE", "mylist", "myotherlist", "RIGHT", "LEFT"], bulk("three")),
            (&["LMOVE", "mylist", "myotherlist", "LEFT", "RIGHT"], bulk("one")),
            (&["LRANGE", "mylist", "0", "-1"], bulks(&["two"])),
            (&["LRANGE", "myotherlist", "0", "-1"], bulks(&["three", "one"])),
            (&["RPOPLPUSH", "mylist", "myotherlist"], bulk("two")),
            (&["EXISTS", "mylist"], int(0)),
            (&["LRANGE", "myotherlist", "0", "-1"], bulks(&["two", "three", "one"])),
            (&["LMOVE", "mylist", "myotherlist", "LEFT", "LEFT"], nil()),
            // A list rotates onto itself, keeping its expiry.
            (&["EXPIRE", "myotherlist", "100"], int(1)),
            (&["LMOVE", "myotherlist", "myotherlist", "LEFT", "RIGHT"], bulk("two")),
            (&["RPOPLPUSH", "myotherlist", "myotherlist"], bulk("two")),
            (&["LRANGE", "myotherlist", "0", "-1"], bulks(&["two", "three", "one"])),
            (&["TTL", "myotherlist"], int(100)),
            (&["RPUSH", "single", "only"], int(1)),
            (&["LMOVE", "single", "single", "LEFT", "RIGHT"], bulk("only")),
            (&["LRANGE", "single", "0", "-1"], bulks(&["only"])),
            // A destination of another type fails before anything moves.
            (&["SET", "s", "string"], ok()),
            (&["LMOVE", "myotherlist", "s", "LEFT", "LEFT"], err(WRONGTYPE)),
            (&["LLEN", "myotherlist"], int(3)),
            (&["LMOVE", "missing", "s", "LEFT", "LEFT"], nil()),
            (&["LMOVE", "myotherlist", "x", "UP", "LEFT"], err(SYNTAX)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn lmpop_pops_from_the_first_list_that_exists() {
    let engine = TestEngine::new().await;
    let popped = |key: &str, values: &[&str]| Reply::Array(vec![bulk(key), bulks(values)]);
    engine
        .expect(&[
            (&["LMPOP", "2", "non1", "non2", "LEFT", "COUNT", "10"], Reply::NilArray),
            (&["LPUSH", "mylist", "one", "two", "three", "four", "five"], int(5)),
            (&["LMPOP", "1", "mylist", "LEFT"], popped("mylist", &["five"])),
            (
                &["LRANGE", "mylist", "0", "-1"],
                bulks(&["four", "three", "two", "one"]),
            ),
            (
                &["LMPOP", "1", "mylist", "RIGHT", "COUNT", "10"],
                popped("mylist", &["one", "two", "three", "four"]),
            ),
            (&["LPUSH", "mylist", "one", "two", "three", "four", "five"], int(5)),
            (&["LPUSH", "mylist2", "a", "b", "c", "d", "e"], int(5)),
            (
                &["LMPOP", "2", "mylist", "mylist2", "right", "count", "3"],
                popped("mylist", &["one", "two", "three"]),
            ),
            (
                &["LMPOP", "2", "mylist", "mylist2", "right", "count", "5"],
                popped("mylist", &["four", "five"]),
            ),
            (
                &["LMPOP", "2", "mylist", "mylist2", "right", "count", "10"],
                popped("mylist2", &["a", "b", "c", "d", "e"]),
            ),
            (&["EXISTS", "mylist", "mylist2"], int(0)),
            (
                &["LMPOP", "0", "l", "LEFT"],
                err("ERR numkeys should be greater than 0"),
            ),
            (
                &["LMPOP", "99999999999999999999", "l", "LEFT"],
                err("ERR numkeys should be greater than 0"),
            ),
            (&["LMPOP", "3", "l", "LEFT"], err(SYNTAX)),
            (&["LMPOP", "1", "l", "MIDDLE"], err(SYNTAX)),
            (
                &["LMPOP", "1", "l", "LEFT", "COUNT", "0"],
                err("ERR count should be greater than 0"),
            ),
            (&["LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"], err(SYNTAX)),
            (&["LMPOP", "1", "l"], arity("lmpop")),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn list_commands_on_other_types_are_wrongtype() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SET", "s", "v"], ok()),
            (&["LPUSH", "s", "a"], err(WRONGTYPE)),
            (&["RPUSHX", "s", "a"], err(WRONGTYPE)),
            (&["LPOP", "s"], err(WRONGTYPE)),
            (&["LLEN", "s"], err(WRONGTYPE)),
            (&["LRANGE", "s", "0", "-1"], err(WRONGTYPE)),
            (&["LINDEX", "s", "0"], err(WRONGTYPE)),
            (&["LPOS", "s", "a"], err(WRONGTYPE)),
            (&["LSET", "s", "0", "a"], err(WRONGTYPE)),
            (&["LMPOP", "1", "s", "LEFT"], err(WRONGTYPE)),
            (&["RPUSH", "l", "a"], int(1)),
            (&["GET", "l"], err(WRONGTYPE)),
            (&["HSET", "l", "f", "v"], err(WRONGTYPE)),
            (&["COPY", "l", "copy"], int(1)),
            (&["RENAME", "copy", "moved"], ok()),
            (&["LRANGE", "moved", "0", "-1"], bulks(&["a"])),
            (&["SET", "l", "now a string"], ok()),
            (&["GET", "l"], bulk("now a string")),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn an_expired_list_is_gone_and_a_push_starts_a_new_one() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["RPUSH", "l", "a", "b"], int(2)),
            (&["PEXPIRE", "l", "1000"], int(1)),
            (&["RPUSH", "l", "c"], int(3)),
            (&["PTTL", "l"], int(1000)),
        ])
        .await;
    engine.clock.advance(std::time::Duration::from_millis(1000));
    engine
        .expect(&[
            (&["LLEN", "l"], int(0)),
            (&["LRANGE", "l", "0", "-1"], bulks(&[])),
            (&["RPUSH", "l", "new"], int(1)),
            (&["LRANGE", "l", "0", "-1"], bulks(&["new"])),
            (&["TTL", "l"], int(-1)),
        ])
        .await;
    engine.close().await;
}

/// Random edits, the same on litekv and on a `VecDeque`, agree after every step: positions
/// stay consecutive through inserts, removals, trims and pops at either end.
#[tokio::test]
async fn random_edits_agree_with_a_model_list() {
    let engine = TestEngine::new().await;
    let mut model: VecDeque<String> = VecDeque::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    };
    for step in 0..400 {
        let value = format!("v{}", next(6));
        let words: Vec<String> = match next(7) {
            0 => {
                model.push_front(value.clone());
                vec!["LPUSH".into(), "l".into(), value]
            }
            1 => {
                model.push_back(value.clone());
                vec!["RPUSH".into(), "l".into(), value]
            }
            2 => {
                model.pop_front();
                vec!["LPOP".into(), "l".into()]
            }
            3 => {
                model.pop_back();
                vec!["RPOP".into(), "l".into()]
            }
            4 => {
                let pivot = format!("v{}", next(6));
                if let Some(at) = model.iter().position(|item| *item == pivot) {
                    model.insert(at + 1, value.clone());
                }
                vec!["LINSERT".into(), "l".into(), "AFTER".into(), pivot, value]
            }
            5 => {
                let count = next(3) as i64 - 1;
                remove_from_model(&mut model, &value, count);
                vec!["LREM".into(), "l".into(), count.to_string(), value]
            }
            _ => {
                let pivot = format!("v{}", next(6));
                if let Some(at) = model.iter().position(|item| *item == pivot) {
                    model.insert(at, value.clone());
                }
                vec!["LINSERT".into(), "l".into(), "BEFORE".into(), pivot, value]
            }
        };
        let reply = engine.run(&words).await;
        assert!(
            !matches!(reply, Reply::Error(_)),
            "step {step}: {words:?} answered {reply:?}"
        );
        let expected: Vec<&str> = model.iter().map(String::as_str).collect();
        assert_eq!(
            engine.run(&["LRANGE", "l", "0", "-1"]).await,
            bulks(&expected),
            "step {step}: {words:?}"
        );
        assert_eq!(engine.run(&["LLEN", "l"]).await, int(model.len() as i64), "step {step}");
    }
    engine.close().await;
}

/// LREM on the model: the first `count` matches from the head, the last `-count`, or all.
fn remove_from_model(model: &mut VecDeque<String>, value: &str, count: i64) {
    let mut matches: Vec<usize> = (0..model.len()).filter(|&at| model[at] == value).collect();
    if count < 0 {
        matches.reverse();
    }
    if count != 0 {
        matches.truncate(count.unsigned_abs() as usize);
    }
    matches.sort_unstable();
    for at in matches.into_iter().rev() {
        model.remove(at);
    }
}

/// The blocking pops, where they need not wait: a key with something is popped at once (the
/// first such key named), a short timeout answers a null of the command's shape, and bad
/// arguments are refused before any wait. Compared with Redis 7.0.15 (waking and waiting
/// are tested in tests/api/blocking.rs).
#[tokio::test]
async fn blocking_pops_pop_at_once_what_is_there() {
    let engine = TestEngine::new().await;
    let pair = |key: &str, member: &str, score: &str| Reply::Array(vec![bulk(key), bulk(member), bulk(score)]);
    engine
        .expect(&[
            (&["RPUSH", "l", "a", "b", "c"], int(3)),
            (&["BLPOP", "none", "l", "0"], bulks(&["l", "a"])),
            (&["BRPOP", "l", "none", "0"], bulks(&["l", "c"])),
            (&["BLPOP", "l", "0.001"], bulks(&["l", "b"])),
            (&["BLPOP", "l", "0.01"], Reply::NilArray),
            (&["BLPOP", "l"], arity("blpop")),
            (&["BLPOP", "l", "x"], err("ERR timeout is not a float or out of range")),
            (&["BLPOP", "l", "-0.5"], err("ERR timeout is negative")),
            (&["RPUSH", "l", "p", "q", "r"], int(3)),
            (&["BLMOVE", "l", "m", "LEFT", "RIGHT", "0"], bulk("p")),
            (&["BLMOVE", "l", "m", "LEFT", "UP", "0"], err(SYNTAX)),
            (&["BLMOVE", "none", "m", "LEFT", "RIGHT", "0.01"], nil()),
            (&["BRPOPLPUSH", "m", "l", "0"], bulk("p")),
            (&["BRPOPLPUSH", "none", "l", "0.01"], nil()),
            (
                &["BLMPOP", "0", "2", "none", "l", "RIGHT", "COUNT", "5"],
                Reply::Array(vec![bulk("l"), bulks(&["r", "q", "p"])]),
            ),
            (&["BLMPOP", "0.01", "1", "none", "LEFT"], Reply::NilArray),
            (
                &["BLMPOP", "0", "0", "l", "LEFT"],
                err("ERR numkeys should be greater than 0"),
            ),
            (
                &["BLMPOP", "0", "x", "l", "LEFT"],
                err("ERR numkeys should be greater than 0"),
            ),
            (
                &["BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0"],
                err("ERR count should be greater than 0"),
            ),
            (
                &["BLMPOP", "x", "1", "l", "LEFT"],
                err("ERR timeout is not a float or out of range"),
            ),
            (&["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], int(4)),
            (&["BZPOPMIN", "none", "z", "0"], pair("z", "a", "1")),
            (&["BZPOPMAX", "z", "0"], pair("z", "d", "4")),
            (&["BZPOPMIN", "none", "0.01"], Reply::NilArray),
            (
                &["BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"],
                Reply::Array(vec![
                    bulk("z"),
                    Reply::Array(vec![bulks(&["b", "2"]), bulks(&["c", "3"])]),
                ]),
            ),
            (&["BZMPOP", "0", "1", "z", "UP"], err(SYNTAX)),
            (&["SET", "s", "v"], ok()),
            (&["BLPOP", "none", "s", "0"], err(WRONGTYPE)),
            (&["BZPOPMIN", "s", "0"], err(WRONGTYPE)),
            (&["BLMOVE", "s", "m", "LEFT", "LEFT", "0"], err(WRONGTYPE)),
        ])
        .await;
    engine.close().await;
}
