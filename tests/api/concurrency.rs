//! Concurrent writers: every request answered 2xx and the result one a client sent, or, when
//! the batch cannot commit, every request in it refused.

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use serde_json::json;

use crate::database::WriteLockHolder;
use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn sixty_four_concurrent_writes_to_one_key_all_succeed_and_one_wins() {
    let (app, _db) = spawn_app().await;
    let writes = join_all((0..64).map(|writer| app.post("/contended/", json!({ "value": writer })))).await;

    let created = writes
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    let updated = writes.iter().filter(|(status, _)| *status == StatusCode::OK).count();
    assert_eq!((created, updated), (1, 63), "exactly one write created the key");
    let (_, body) = app.get("/contended/").await;
    let final_value = body["value"].as_i64().unwrap();
    assert!(
        (0..64).contains(&final_value),
        "the final value {final_value} is one that was sent"
    );
}

#[actix_web::test]
async fn sixty_four_concurrent_writes_to_distinct_keys_all_land() {
    let (app, _db) = spawn_app().await;
    let writes = join_all((0..64).map(|writer| app.post(format!("/key-{writer}/"), json!({ "value": writer })))).await;
    assert!(
        writes.iter().all(|(status, _)| *status == StatusCode::CREATED),
        "{writes:?}"
    );

    let app = &app;
    let reads = join_all((0..64).map(|writer| async move { (writer, app.get(format!("/key-{writer}/")).await) })).await;
    for (writer, (status, body)) in reads {
        assert_eq!((status, body["value"].clone()), (StatusCode::OK, json!(writer)));
    }
}

#[actix_web::test]
async fn writes_whose_batch_cannot_commit_all_get_503_and_none_is_applied() {
    let (app, database) = spawn_app_with(&["--busy-timeout-ms", "200"]).await;
    // Another process holds the write lock past the server's busy timeout.
    let blocker = WriteLockHolder::take(&database.url()).await;

    let writes = join_all((0..16).map(|writer| {
        let response = app
            .client
            .post(format!("{}/blocked-{writer}/", app.address))
            .send_json(&json!({ "value": writer }));
        async move {
            let mut response = response.await.unwrap();
            let body: serde_json::Value = response.json().await.unwrap();
            (response.status(), response.headers().get("retry-after").cloned(), body)
        }
    }))
    .await;
    for (status, retry_after, body) in writes {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after.unwrap(), "1");
        assert_eq!(body, json!({"error": "the database is busy; retry shortly"}));
    }

    blocker.release().await;
    for writer in 0..16 {
        assert_eq!(
            app.get(format!("/blocked-{writer}/")).await.0,
            StatusCode::NOT_FOUND,
            "a refused write was not applied"
        );
    }
    assert_eq!(
        app.post("/after/", json!({"value": 1})).await.0,
        StatusCode::CREATED,
        "writes resume once the lock is free"
    );
    app.stop().await;
}
