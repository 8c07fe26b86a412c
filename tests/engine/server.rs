use litekv::clock::Clock;

use crate::helpers::{TestEngine, arity, bulk, bulks, err, ok, status};

#[tokio::test]
async fn connection_commands_and_names_in_any_case() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["PING"], status("PONG")),
            (&["ping", "hello"], bulk("hello")),
            (&["PING", "a", "b"], arity("ping")),
            (&["ECHO", "hi"], bulk("hi")),
            (&["eChO", "42"], bulk("42")),
            (&["sEt", "k", "true"], ok()),
            (&["GET", "k"], bulk("true")),
            (
                &["FROB", "a", "1"],
                err("ERR unknown command 'FROB', with args beginning with: 'a' '1' "),
            ),
        ])
        .await;
    let now_ms = engine.clock.now_ms();
    let (seconds, micros) = ((now_ms / 1000).to_string(), (now_ms % 1000 * 1000).to_string());
    assert_eq!(engine.run(&["TIME"]).await, bulks(&[&seconds, &micros]));
    engine.close().await;
}
