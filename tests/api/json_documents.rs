//! JSON documents through every door: the JSON API's `"type": "json"`, the Upstash API's
//! pipelines and transactions, the Redis protocol's MULTI, WATCH and scripts, and a watch of
//! the key.

use actix_web::http::StatusCode;
use litekv::reply::{CmdError, Reply};
use serde_json::json;

use crate::helpers::spawn_app;
use crate::watch::Watcher;

#[actix_web::test]
async fn the_json_api_writes_and_reads_a_document_as_itself() {
    let (app, _db) = spawn_app().await;
    let document = json!({"name": "Ada", "langs": ["en", "fr"], "age": 36, "big": 12345678901234567890123_u128});
    let (status, body) = app
        .post("/user:1/", &json!({"type": "json", "value": document, "ttl": 60}))
        .await;
    assert_eq!((status, &body["action"]), (StatusCode::CREATED, &json!("created")));
    assert_eq!(
        app.get("/user:1/").await,
        (
            StatusCode::OK,
            json!({"key": "user:1", "type": "json", "value": document, "ttl_remaining": 60})
        )
    );
    // The same document through the Upstash door.
    app.expect_replies(&[
        (json!(["TYPE", "user:1"]), json!({"result": "ReJSON-RL"})),
        (
            json!(["JSON.GET", "user:1", "$.langs[1]"]),
            json!({"result": r#"["fr"]"#}),
        ),
        (
            json!(["JSON.NUMINCRBY", "user:1", "$.age", "1"]),
            json!({"result": "[37]"}),
        ),
        (
            json!(["GET", "user:1"]),
            json!({"error": "WRONGTYPE Operation against a key holding the wrong kind of value"}),
        ),
    ])
    .await;
    assert_eq!(app.get("/user:1/").await.1["value"]["age"], json!(37));
    // A plain write makes it a string again.
    app.post("/user:1/", &json!({"value": [1, 2]})).await;
    assert_eq!(app.redis(json!(["TYPE", "user:1"])).await, json!({"result": "string"}));
    // Any JSON value is a document, a scalar too.
    assert_eq!(
        app.post("/n/", &json!({"type": "json", "value": 5})).await.0,
        StatusCode::CREATED
    );
    assert_eq!(app.redis(json!(["JSON.TYPE", "n"])).await, json!({"result": "integer"}));
}

#[actix_web::test]
async fn pipelines_transactions_and_scripts_edit_documents() {
    let (app, _db) = spawn_app().await;
    let (status, replies) = app
        .post(
            "/pipeline",
            &json!([
                ["JSON.SET", "cart", "$", r#"{"items":[],"total":0}"#],
                ["JSON.ARRAPPEND", "cart", "$.items", r#"{"sku":"a","price":2.5}"#],
                ["JSON.NUMINCRBY", "cart", "$.total", "2.5"],
                ["JSON.SET", "cart", "$.items", "oops"],
                ["JSON.GET", "cart"],
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        replies,
        json!([
            {"result": "OK"},
            {"result": [1]},
            {"result": "[2.5]"},
            {"error": "expected value at line 1 column 1"},
            {"result": r#"{"items":[{"sku":"a","price":2.5}],"total":2.5}"#},
        ])
    );
    let (_, replies) = app
        .post(
            "/multi-exec",
            &json!([["JSON.ARRPOP", "cart", "$.items"], ["JSON.SET", "cart", "$.total", "0"]]),
        )
        .await;
    assert_eq!(
        replies,
        json!([{"result": [r#"{"sku":"a","price":2.5}"#]}, {"result": "OK"}])
    );

    // WATCH sees a document change, whichever door made it.
    let mut client = app.resp_client().await;
    assert_eq!(client.call(&["WATCH", "cart"]).await, Reply::OK);
    app.redis(json!(["JSON.SET", "cart", "$.total", "1"])).await;
    client.call(&["MULTI"]).await;
    client.call(&["JSON.SET", "cart", "$.total", "2"]).await;
    assert_eq!(client.call(&["EXEC"]).await, Reply::NilArray);
    // A script reads and writes through redis.call.
    let script =
        "redis.call('JSON.NUMINCRBY', KEYS[1], '$.total', ARGV[1]) return redis.call('JSON.GET', KEYS[1], '$.total')";
    assert_eq!(
        client.call(&["EVAL", script, "1", "cart", "41"]).await,
        Reply::bulk("[42]")
    );
    assert_eq!(
        client.call(&["JSON.GET", "cart", "$["]).await,
        Reply::Error(CmdError::new("ERR invalid JSONPath '$[': parser error at position 1"))
    );
}

#[actix_web::test]
async fn a_watch_follows_a_document() {
    let (app, _db) = spawn_app().await;
    app.post("/doc/", &json!({"type": "json", "value": {"n": 1}})).await;
    let mut watcher = Watcher::start(&app, "/watch/doc").await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "doc", "event": "current", "type": "json", "value": {"n": 1}, "ttl_remaining": -1})
    );
    app.redis(json!(["JSON.NUMINCRBY", "doc", "$.n", "1"])).await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "doc", "event": "json.numincrby", "type": "json", "value": {"n": 2}, "ttl_remaining": -1})
    );
    app.redis(json!(["JSON.DEL", "doc"])).await;
    assert_eq!(
        watcher.next().await.unwrap(),
        json!({"key": "doc", "event": "json.del", "value": null})
    );
}
