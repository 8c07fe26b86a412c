//! Pipelines and transactions: commands in order, each answered in place.

use litekv::cmd::Command;
use litekv::reply::CmdError;

use crate::helpers::{TestEngine, args, bulk, err, int, ok};

fn parse_all(engine: &TestEngine, commands: &[&[&str]]) -> Vec<Result<Command, CmdError>> {
    commands.iter().map(|words| engine.engine.parse(args(words))).collect()
}

#[tokio::test]
async fn a_pipeline_of_many_sets_answers_each_and_a_bad_one_in_place() {
    let engine = TestEngine::new().await;
    let keys: Vec<String> = (0..2500).map(|index| format!("k{index}")).collect();
    let mut commands: Vec<Vec<&str>> = keys.iter().map(|key| vec!["SET", key.as_str(), "v"]).collect();
    commands[1000] = vec!["SET", "k1000", "v", "EX", "0"];
    commands.push(vec!["DBSIZE"]);
    let commands: Vec<&[&str]> = commands.iter().map(Vec::as_slice).collect();
    let replies = engine
        .engine
        .execute_pipeline(parse_all(&engine, &commands))
        .await
        .unwrap();
    assert_eq!(replies.len(), 2501);
    assert!(
        replies[..1000]
            .iter()
            .chain(&replies[1001..2500])
            .all(|reply| *reply == ok())
    );
    assert_eq!(replies[1000], err("ERR invalid expire time in 'set' command"));
    assert_eq!(replies[2500], int(2499));
    engine.close().await;
}

#[tokio::test]
async fn later_commands_see_earlier_ones_and_errors_do_not_stop_the_rest() {
    let engine = TestEngine::new().await;
    let commands = parse_all(
        &engine,
        &[
            &["SET", "n", "1"],
            &["SET", "n", "2"],
            &["INCR", "n"],
            &["NOPE"],
            &["SET", "s", "text"],
            &["INCR", "s"],
            &["GET", "n"],
        ],
    );
    let replies = engine.engine.execute_transaction(commands).await.unwrap();
    assert_eq!(
        replies,
        [
            ok(),
            ok(),
            int(3),
            err("ERR unknown command 'NOPE', with args beginning with: "),
            ok(),
            err("ERR value is not an integer or out of range"),
            bulk("3"),
        ]
    );
    engine.close().await;
}
