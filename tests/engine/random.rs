//! Random draws are uniform (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, SPOP, RANDOMKEY), as in
//! Redis: every live element as likely as any other, whatever gaps deletions and expiry left
//! among them. Each histogram is held to a chi-square test.

use std::collections::BTreeMap;
use std::time::Duration;

use litekv::reply::Reply;

use crate::helpers::TestEngine;

/// The elements written: `e00` to `e99`. Those left live are `e60`..`e69` and `e80`..`e99`,
/// after a gap of 60 and one of 10: a draw that took the element after a random position
/// would land on `e60` 61 times in 100.
const WRITTEN: usize = 100;
const LIVE: usize = 30;

fn name(index: usize) -> String {
    format!("e{index:02}")
}

fn is_live(index: usize) -> bool {
    (60..70).contains(&index) || index >= 80
}

/// The χ² of `counts` against `LIVE` equally likely outcomes. For 29 degrees of freedom a
/// uniform draw exceeds 81 once in a million runs.
fn assert_uniform(what: &str, counts: &BTreeMap<String, u64>) {
    let live: Vec<String> = (0..WRITTEN).filter(|index| is_live(*index)).map(name).collect();
    let strays: Vec<&String> = counts.keys().filter(|drawn| !live.contains(drawn)).collect();
    assert!(strays.is_empty(), "{what} drew elements that are gone: {strays:?}");
    let total: u64 = counts.values().sum();
    let expected = total as f64 / LIVE as f64;
    let chi_square: f64 = live
        .iter()
        .map(|element| {
            let observed = counts.get(element).copied().unwrap_or(0) as f64;
            (observed - expected).powi(2) / expected
        })
        .sum();
    assert!(
        chi_square < 81.0,
        "{what} is not uniform: chi-square {chi_square:.1} over {total} draws, counts {counts:?}"
    );
}

/// The elements a draw answered: one, or an array of them.
fn texts(reply: Reply) -> Vec<String> {
    let items = match reply {
        Reply::Array(items) => items,
        single => vec![single],
    };
    let text = |item| match item {
        Reply::Bulk(element) => String::from_utf8(Vec::from(element)).expect("UTF-8"),
        other => panic!("expected an element, got {other:?}"),
    };
    items.into_iter().map(text).collect()
}

fn tally(counts: &mut BTreeMap<String, u64>, drawn: Vec<String>) {
    for element in drawn {
        *counts.entry(element).or_default() += 1;
    }
}

/// Draws `rounds` times with `command` and tallies what comes back.
async fn histogram(engine: &TestEngine, command: &[&str], rounds: usize) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for _ in 0..rounds {
        tally(&mut counts, texts(engine.run(command).await));
    }
    counts
}

#[tokio::test]
async fn collection_draws_are_uniform_across_gaps() {
    let engine = TestEngine::new().await;
    let gone: Vec<String> = (0..WRITTEN).filter(|index| !is_live(*index)).map(name).collect();
    for index in 0..WRITTEN {
        let element = name(index);
        engine.run(&["SADD", "set", &element]).await;
        engine.run(&["ZADD", "zset", &index.to_string(), &element]).await;
        engine.run(&["HSET", "hash", &element, "v"]).await;
    }
    let mut srem = vec!["SREM", "set"];
    srem.extend(gone.iter().map(String::as_str));
    engine.run(&srem).await;
    let mut zrem = vec!["ZREM", "zset"];
    zrem.extend(gone.iter().map(String::as_str));
    engine.run(&zrem).await;
    // The hash's are expired rather than deleted: still stored, never drawn.
    let mut expire = vec!["HPEXPIRE".to_owned(), "hash".into(), "1".into(), "FIELDS".into()];
    expire.push(gone.len().to_string());
    expire.extend(gone.iter().cloned());
    engine.run(&expire).await;
    engine.clock.advance(Duration::from_millis(10));

    for (key, read) in [("set", "SRANDMEMBER"), ("zset", "ZRANDMEMBER"), ("hash", "HRANDFIELD")] {
        // Repeating draws, then draws of three different elements at a time.
        assert_uniform(
            &format!("{read} -3000"),
            &histogram(&engine, &[read, key, "-3000"], 1).await,
        );
        assert_uniform(&format!("{read} 3"), &histogram(&engine, &[read, key, "3"], 1000).await);
    }
    // SPOP takes three and they go back (at the end, leaving new gaps), a thousand times.
    let mut counts = BTreeMap::new();
    for _ in 0..1000 {
        let popped = texts(engine.run(&["SPOP", "set", "3"]).await);
        let mut sadd = vec!["SADD", "set"];
        sadd.extend(popped.iter().map(String::as_str));
        assert_eq!(engine.run(&sadd).await, Reply::Int(3));
        tally(&mut counts, popped);
    }
    assert_uniform("SPOP 3", &counts);
    engine.close().await;
}

#[tokio::test]
async fn randomkey_is_uniform_across_gaps() {
    let engine = TestEngine::new().await;
    for index in 0..WRITTEN {
        engine.run(&["SET", &name(index), "v"]).await;
    }
    for index in (0..WRITTEN).filter(|index| !is_live(*index)) {
        engine.run(&["DEL", &name(index)]).await;
    }
    assert_uniform("RANDOMKEY", &histogram(&engine, &["RANDOMKEY"], 3000).await);
    engine.close().await;
}
