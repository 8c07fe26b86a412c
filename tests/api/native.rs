//! The native API's response shapes, as seed 001 defines them.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn a_new_key_is_created_and_read_back_with_its_json_value() {
    let (app, _db) = spawn_app().await;
    let value = json!({"theme": "dark", "notifications": true, "nested": [1, 2.5, null, "x"]});

    let (status, body) = app.post("/user-config/", &json!({ "value": value })).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        body,
        json!({"status": "ok", "action": "created", "key": "user-config", "expires_at": null})
    );

    let (status, body) = app.get("/user-config/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"key": "user-config", "value": value, "ttl_remaining": -1}));
}

#[actix_web::test]
async fn writing_an_existing_key_updates_it() {
    let (app, _db) = spawn_app().await;
    app.post("/k/", &json!({"value": 1})).await;

    let (status, body) = app.post("/k/", &json!({"value": "two"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["action"], "updated");
    assert_eq!(app.get("/k/").await.1["value"], "two");
}

#[actix_web::test]
async fn every_kind_of_json_value_round_trips() {
    let (app, _db) = spawn_app().await;
    let big: serde_json::Value = serde_json::from_str("123456789012345678901234567890.5").unwrap();
    for (index, value) in [
        json!(null),
        json!(false),
        json!(0),
        json!(-1.5),
        json!(""),
        json!("ünïcödé"),
        json!([]),
        json!({}),
        big,
    ]
    .into_iter()
    .enumerate()
    {
        let path = format!("/value-{index}/");
        assert_eq!(app.post(&path, &json!({ "value": value })).await.0, StatusCode::CREATED);
        assert_eq!(app.get(&path).await.1["value"], value, "value {value}");
    }
}

#[actix_web::test]
async fn a_ttl_sets_an_iso_8601_expiry_and_a_remaining_time() {
    let (app, _db) = spawn_app().await;
    let (status, body) = app.post("/otp-code/", &json!({"value": 49201, "ttl": 60})).await;
    assert_eq!(status, StatusCode::CREATED);
    let expires_at = chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap()).unwrap();
    let expected = chrono::DateTime::from_timestamp_millis(app.clock_now() + 60_000).unwrap();
    assert_eq!(expires_at, expected);
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));

    let (_, body) = app.get("/otp-code/").await;
    assert_eq!(body, json!({"key": "otp-code", "value": 49201, "ttl_remaining": 60}));
}

#[actix_web::test]
async fn a_write_without_ttl_clears_an_earlier_expiry() {
    let (app, _db) = spawn_app().await;
    app.post("/k/", &json!({"value": 1, "ttl": 10})).await;

    let (_, body) = app.post("/k/", &json!({"value": 2})).await;
    assert_eq!(body["expires_at"], json!(null));
    app.clock.advance(std::time::Duration::from_secs(3600));
    assert_eq!(
        app.get("/k/").await.1,
        json!({"key": "k", "value": 2, "ttl_remaining": -1})
    );
}

#[actix_web::test]
async fn a_missing_key_is_404() {
    let (app, _db) = spawn_app().await;
    let (status, body) = app.get("/nothing-here/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"error": "Key not found", "key": "nothing-here"}));
}

#[actix_web::test]
async fn delete_says_whether_it_removed_a_key() {
    let (app, _db) = spawn_app().await;
    app.post("/k/", &json!({"value": 1})).await;

    assert_eq!(
        app.delete("/k/").await,
        (StatusCode::OK, json!({"key": "k", "deleted": true}))
    );
    assert_eq!(
        app.delete("/k/").await,
        (StatusCode::OK, json!({"key": "k", "deleted": false}))
    );
    assert_eq!(app.get("/k/").await.0, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn keys_are_percent_decoded_and_a_slash_is_written_2f() {
    let (app, _db) = spawn_app().await;
    app.post("/users%2F42/", &json!({"value": "a"})).await;
    assert_eq!(app.get("/users%2F42/").await.1["key"], "users/42");
    // The unescaped form addresses the same key.
    assert_eq!(app.get("/users/42/").await.1["value"], "a");

    let (status, body) = app.post("/caf%C3%A9%20%E2%98%95/", &json!({"value": 1})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["key"], "café ☕");
}

#[actix_web::test]
async fn a_key_of_exactly_512_bytes_is_accepted() {
    let (app, _db) = spawn_app().await;
    let key = "k".repeat(512);
    assert_eq!(
        app.post(&format!("/{key}/"), &json!({"value": 1})).await.0,
        StatusCode::CREATED
    );
    assert_eq!(app.get(&format!("/{key}/")).await.1["key"], key.as_str());
}

#[actix_web::test]
async fn a_value_not_written_as_json_reads_back_as_a_json_string() {
    let (app, db) = spawn_app().await;
    // What a Redis SET of raw text through another front door leaves behind.
    let store = db.open_store().await;
    store
        .set(&b"raw"[..], b"not {json".to_vec(), None, app.clock_now())
        .await
        .unwrap();
    store.close().await;
    assert_eq!(app.get("/raw/").await.1["value"], "not {json");
}

#[actix_web::test]
async fn health_reports_ok_and_the_version() {
    let (app, _db) = spawn_app().await;
    let (status, body) = app.get("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}));
    // `/health/` is an ordinary key, not the health check.
    assert_eq!(
        app.get("/health/").await.1,
        json!({"error": "Key not found", "key": "health"})
    );
}

#[actix_web::test]
async fn a_command_path_sent_with_a_trailing_slash_is_a_key_and_the_404_says_so() {
    let (app, _db) = spawn_app().await;
    app.redis(json!(["SET", "color", "red"])).await;
    let (status, body) = app.get("/get/color/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({
            "error": "Key not found",
            "key": "get/color",
            "hint": "the JSON API read the key \"get/color\", from the path up to its trailing slash; \
                     for the Redis command GET color, leave the trailing slash out: /get/color"
        })
    );
    assert_eq!(app.get("/get/color").await.1, json!({"result": "red"}));
}

#[actix_web::test]
async fn a_hash_is_written_whole_and_read_as_an_object_of_strings() {
    let (app, _db) = spawn_app().await;
    let hash = json!({"type": "hash", "value": {"name": "ada", "seats": 3, "admin": true}, "ttl": 60});
    let (status, body) = app.post("/user:1/", &hash).await;
    assert_eq!((status, &body["action"]), (StatusCode::CREATED, &json!("created")));
    assert_eq!(
        app.get("/user:1/").await,
        (
            StatusCode::OK,
            json!({
                "key": "user:1",
                "type": "hash",
                "value": {"admin": "true", "name": "ada", "seats": "3"},
                "ttl_remaining": 60
            })
        )
    );
    // The same hash through the Redis door.
    assert_eq!(
        app.redis(json!(["HGET", "user:1", "seats"])).await,
        json!({"result": "3"})
    );
    assert_eq!(app.redis(json!(["TYPE", "user:1"])).await, json!({"result": "hash"}));

    // A second write replaces the whole hash, and its TTL.
    let (status, _) = app
        .post("/user:1/", &json!({"type": "hash", "value": {"only": "this"}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get("/user:1/").await.1,
        json!({"key": "user:1", "type": "hash", "value": {"only": "this"}, "ttl_remaining": -1})
    );
    // A hash made through the Redis door reads here too; a plain write makes it a string again.
    app.redis(json!(["HSET", "from-redis", "a", "1"])).await;
    assert_eq!(app.get("/from-redis/").await.1["value"], json!({"a": "1"}));
    app.post("/from-redis/", &json!({"value": [1, 2]})).await;
    assert_eq!(
        app.get("/from-redis/").await.1,
        json!({"key": "from-redis", "value": [1, 2], "ttl_remaining": -1})
    );
}

#[actix_web::test]
async fn lists_sets_and_sorted_sets_are_written_whole_and_read_as_arrays() {
    let (app, _db) = spawn_app().await;
    let list = json!({"type": "list", "value": ["b", "a", 3, true, "a"], "ttl": 60});
    assert_eq!(app.post("/queue/", &list).await.0, StatusCode::CREATED);
    assert_eq!(
        app.get("/queue/").await.1,
        json!({"key": "queue", "type": "list", "value": ["b", "a", "3", "true", "a"], "ttl_remaining": 60})
    );
    assert_eq!(app.redis(json!(["LPOP", "queue"])).await, json!({"result": "b"}));
    assert_eq!(app.redis(json!(["TTL", "queue"])).await, json!({"result": 60}));

    // A set answers its members sorted, once each.
    let set = json!({"type": "set", "value": ["b", "a", "b", 1]});
    assert_eq!(app.post("/tags/", &set).await.0, StatusCode::CREATED);
    assert_eq!(
        app.get("/tags/").await.1,
        json!({"key": "tags", "type": "set", "value": ["1", "a", "b"], "ttl_remaining": -1})
    );
    assert_eq!(app.redis(json!(["SISMEMBER", "tags", "a"])).await, json!({"result": 1}));

    // A sorted set answers [member, score] pairs by score, ties by member.
    let zset = json!({"type": "zset", "value": [["bob", 7.5], ["ada", 10], ["cy", 7.5], ["low", "-inf"]]});
    assert_eq!(app.post("/board/", &zset).await.0, StatusCode::CREATED);
    assert_eq!(
        app.get("/board/").await.1,
        json!({
            "key": "board",
            "type": "zset",
            "value": [["low", "-inf"], ["bob", 7.5], ["cy", 7.5], ["ada", 10.0]],
            "ttl_remaining": -1
        })
    );
    assert_eq!(
        app.redis(json!(["ZSCORE", "board", "ada"])).await,
        json!({"result": "10"})
    );

    // A write replaces whatever the key held, of any type.
    let (status, _) = app.post("/board/", &json!({"type": "list", "value": ["x"]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.redis(json!(["TYPE", "board"])).await, json!({"result": "list"}));
    app.redis(json!(["RPUSH", "from-redis", "1", "2"])).await;
    assert_eq!(app.get("/from-redis/").await.1["value"], json!(["1", "2"]));
}

#[actix_web::test]
async fn a_collection_body_of_the_wrong_shape_is_refused_with_a_reason() {
    let (app, db) = spawn_app().await;
    let list_shape = r#"an array of strings, numbers or booleans, such as {"type": "list", "value": ["a", "b", 3]}"#;
    let zset_shape =
        r#"an array of [member, score] pairs, such as {"type": "zset", "value": [["ada", 10], ["bob", 7.5]]}"#;
    for (body, error) in [
        (
            json!({"type": "list", "value": "x"}),
            format!("a list's `value` must be {list_shape}"),
        ),
        (
            json!({"type": "list", "value": []}),
            format!("a list needs at least one element (Redis has no empty list): send {list_shape}"),
        ),
        (
            json!({"type": "set", "value": ["a", {"b": 1}]}),
            "element 1 of the set is an object; a set's elements are strings, numbers or booleans".to_owned(),
        ),
        (
            json!({"type": "zset", "value": {"a": 1}}),
            format!("a sorted set's `value` must be {zset_shape}"),
        ),
        (
            json!({"type": "zset", "value": []}),
            format!("a sorted set needs at least one member (Redis has no empty sorted set): send {zset_shape}"),
        ),
        (
            json!({"type": "zset", "value": [["a", 1, 2]]}),
            format!("pair 0 of the sorted set is not [member, score]: send {zset_shape}"),
        ),
        (
            json!({"type": "zset", "value": [["a", 1], ["b", "high"]]}),
            r#"the score of pair 1 of the sorted set must be a number (or "inf", "-inf")"#.to_owned(),
        ),
    ] {
        assert_eq!(
            app.post("/k/", &body).await,
            (StatusCode::BAD_REQUEST, json!({ "error": error })),
            "{body}"
        );
    }
    assert_eq!(db.count_rows().await, 0, "no refused body wrote anything");
}

#[actix_web::test]
async fn a_hash_body_that_cannot_be_a_hash_is_refused_with_a_reason() {
    let (app, db) = spawn_app().await;
    let shape =
        r#"an object of strings, numbers or booleans, such as {"type": "hash", "value": {"name": "ada", "seats": 3}}"#;
    for (body, error) in [
        (
            json!({"type": "stream", "value": [1]}),
            r#"`type` must be "hash", "list", "set", "zset" or "json" (or "string", the default); got "stream""#
                .to_owned(),
        ),
        (
            json!({"type": 7, "value": 1}),
            r#"`type` must be "hash", "list", "set", "zset" or "json" (or "string", the default); got 7"#.to_owned(),
        ),
        (
            json!({"type": "hash", "value": {}}),
            format!("a hash needs at least one field (Redis has no empty hash): send {shape}"),
        ),
        (
            json!({"type": "hash", "value": "x"}),
            format!("a hash's `value` must be {shape}"),
        ),
        (
            json!({"type": "hash", "value": {"a": [1]}}),
            "the hash field `a` is an array; a hash's values are strings, numbers or booleans".to_owned(),
        ),
        (
            json!({"type": "hash", "value": {"a": null}}),
            "the hash field `a` is null; a hash's values are strings, numbers or booleans".to_owned(),
        ),
    ] {
        assert_eq!(
            app.post("/k/", &body).await,
            (StatusCode::BAD_REQUEST, json!({ "error": error })),
            "{body}"
        );
    }
    assert_eq!(db.count_rows().await, 0, "no refused body wrote anything");
}
