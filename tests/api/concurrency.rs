//! Concurrent writers: every request answered 2xx, and the result is one a client sent.

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::spawn_app;

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
