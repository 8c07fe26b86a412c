//! The Upstash door's translation of commands and replies: JSON arguments of any scalar kind in,
//! every kind of engine reply out as JSON. What each command does is tested on the engine alone
//! (`tests/engine`), for every door.

use serde_json::{Value, json};

use crate::helpers::{err, ok, spawn_app};

#[actix_web::test]
async fn json_arguments_in_and_every_kind_of_reply_out() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        // A boolean argument, a command name in any case, a status reply.
        (json!(["sEt", "k", true]), ok("OK")),
        // A bulk reply.
        (json!(["GET", "k"]), ok("true")),
        // Numeric arguments and an integer reply.
        (json!(["INCRBY", "n", 42]), ok(42)),
        (json!(["INCRBYFLOAT", "f", 0.5]), ok("0.5")),
        // Nil, alone and inside an array.
        (json!(["GET", "missing"]), ok(Value::Null)),
        (json!(["MGET", "k", "missing"]), ok(json!(["true", null]))),
        // Nested arrays, with a type name (a status) inside.
        (
            json!(["SCAN", 0, "MATCH", "k", "WITHTYPE"]),
            ok(json!(["0", ["k", "string"]])),
        ),
        // Errors, with the arguments as the client sent them.
        (json!(["INCR", "k"]), err("ERR value is not an integer or out of range")),
        (
            json!(["FROB", "a", 1]),
            err("ERR unknown command 'FROB', with args beginning with: 'a' '1' "),
        ),
    ])
    .await;
}
