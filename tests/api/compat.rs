//! The RedisLite endpoints (`/api/*`), with seed 000's response shapes.

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn set_get_exists_and_delete_answer_in_redislite_shapes() {
    let (app, _db) = spawn_app().await;
    let body = json!({"key": "user:123", "value": {"name": "John", "email": "john@example.com"}, "ttl": 3600});
    assert_eq!(
        app.post("/api/set", &body).await,
        (
            StatusCode::OK,
            json!({"success": true, "key": "user:123", "ttl": 3600, "message": "Key set successfully"})
        )
    );
    assert_eq!(
        app.get("/api/get?key=user:123").await,
        (
            StatusCode::OK,
            json!({"key": "user:123", "value": {"name": "John", "email": "john@example.com"}, "exists": true})
        )
    );
    assert_eq!(
        app.get("/api/exists?key=user%3A123").await.1,
        json!({"key": "user:123", "exists": true})
    );
    // The same key through the other doors.
    assert_eq!(app.get("/user:123/").await.1["ttl_remaining"], 3600);
    assert_eq!(
        app.redis(json!(["GET", "user:123"])).await["result"],
        "{\"name\":\"John\",\"email\":\"john@example.com\"}"
    );

    assert_eq!(
        app.delete("/api/delete?key=user:123").await,
        (StatusCode::OK, json!({"key": "user:123", "deleted": true}))
    );
    assert_eq!(
        app.delete("/api/delete?key=user:123").await.1,
        json!({"key": "user:123", "deleted": false})
    );
    assert_eq!(
        app.get("/api/get?key=user:123").await,
        (
            StatusCode::OK,
            json!({"key": "user:123", "value": null, "exists": false})
        )
    );
    assert_eq!(app.get("/api/exists?key=user:123").await.1["exists"], false);

    let (_, without_ttl) = app.post("/api/set", json!({"key": "k", "value": [1, 2]})).await;
    assert_eq!(without_ttl["ttl"], Value::Null);
}

#[actix_web::test]
async fn bad_redislite_requests_get_a_reason() {
    let (app, _db) = spawn_app_with(&["--max-value-bytes", "10"]).await;
    for (body, status, error) in [
        (
            json!({"value": 1}),
            StatusCode::BAD_REQUEST,
            "`key` must be a string; send a JSON object such as {\"key\": \"user:123\", \"value\": {\"name\": \"John\"}, \"ttl\": 3600}",
        ),
        (
            json!({"key": 1, "value": 1}),
            StatusCode::BAD_REQUEST,
            "`key` must be a string; send a JSON object such as {\"key\": \"user:123\", \"value\": {\"name\": \"John\"}, \"ttl\": 3600}",
        ),
        (
            json!({"key": "k"}),
            StatusCode::BAD_REQUEST,
            "the body has no `value`; send a JSON object such as {\"key\": \"user:123\", \"value\": {\"name\": \"John\"}, \"ttl\": 3600}",
        ),
        (
            json!({"key": "k", "value": 1, "ttl": 0}),
            StatusCode::BAD_REQUEST,
            "`ttl` must be a whole number of seconds from 1 to 3153600000 (100 years), or left out for a key that never expires; got 0",
        ),
        (
            json!({"key": "k", "value": 1, "extra": 1}),
            StatusCode::BAD_REQUEST,
            "unknown field `extra`: the body takes `key`, `value` and an optional `ttl`",
        ),
        (
            json!({"key": "", "value": 1}),
            StatusCode::BAD_REQUEST,
            "the key is empty: address a key as /<key>/, for example /user-config/",
        ),
        (
            json!({"key": "k", "value": "more than ten bytes"}),
            StatusCode::PAYLOAD_TOO_LARGE,
            "the value is 21 bytes as compact JSON; the limit is 10 bytes (--max-value-bytes)",
        ),
    ] {
        assert_eq!(
            app.post("/api/set", &body).await,
            (status, json!({ "error": error })),
            "{body}"
        );
    }
    assert_eq!(
        app.get("/api/get").await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "the query parameter `key` is missing, e.g. ?key=user:123"})
        )
    );
    assert_eq!(
        app.send(Method::PUT, "/api/set", None).await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
}
