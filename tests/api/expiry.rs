//! TTLs, lazy expiry and its race with a re-set, driven by the test's clock.

use bytes::Bytes;
use std::time::Duration;

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use litekv::store::Lookup;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_remaining_time_counts_down_in_whole_seconds_rounded_up() {
    let (app, _db) = spawn_app().await;
    app.post("/k/", &json!({"value": 1, "ttl": 10})).await;

    app.clock.advance(Duration::from_millis(1));
    assert_eq!(app.get("/k/").await.1["ttl_remaining"], 10);
    app.clock.advance(Duration::from_millis(8_999));
    assert_eq!(app.get("/k/").await.1["ttl_remaining"], 1);
    app.clock.advance(Duration::from_millis(999));
    assert_eq!(app.get("/k/").await.1["ttl_remaining"], 1);
}

#[actix_web::test]
async fn an_expired_key_is_404_and_deleted_on_that_read() {
    let (app, db) = spawn_app().await;
    app.post("/k/", &json!({"value": 1, "ttl": 10})).await;
    app.clock.advance(Duration::from_secs(10));

    assert_eq!(
        app.get("/k/").await,
        (
            StatusCode::NOT_FOUND,
            json!({"error": "Key not found (expired)", "key": "k"})
        )
    );
    assert_eq!(db.count_rows().await, 0, "the lazy delete removed the row");
    assert_eq!(
        app.get("/k/").await,
        (StatusCode::NOT_FOUND, json!({"error": "Key not found", "key": "k"}))
    );
}

#[actix_web::test]
async fn an_expired_key_counts_as_new_when_written_again() {
    let (app, _db) = spawn_app().await;
    app.post("/k/", &json!({"value": 1, "ttl": 1})).await;
    app.clock.advance(Duration::from_secs(2));

    let (status, body) = app.post("/k/", &json!({"value": 2})).await;
    assert_eq!(
        (status, body["action"].clone()),
        (StatusCode::CREATED, json!("created"))
    );
    assert_eq!(app.get("/k/").await.1["value"], 2);
}

#[actix_web::test]
async fn deleting_an_expired_key_reports_nothing_deleted() {
    let (app, db) = spawn_app().await;
    app.post("/k/", &json!({"value": 1, "ttl": 1})).await;
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(app.delete("/k/").await.1, json!({"key": "k", "deleted": false}));
    assert_eq!(db.count_rows().await, 0);
}

#[actix_web::test]
async fn a_lazy_delete_never_removes_a_key_re_set_after_the_read() {
    let (app, db) = spawn_app().await;
    let store = db.open_store().await;
    let now = app.clock_now();
    let key = Bytes::from_static(b"k");
    store
        .set(key.clone(), Bytes::from_static(b"1"), Some(now + 1000), now)
        .await
        .unwrap();
    let later = now + 2000;

    // A GET reads the key as expired...
    assert_eq!(store.read(later).lookup(&key).await.unwrap(), Lookup::Expired);
    // ...another request re-sets it before the GET's delete runs...
    store
        .set(key.clone(), Bytes::from_static(b"2"), None, later)
        .await
        .unwrap();
    // ...and the delete, conditional on expiry, leaves the new value alone.
    assert_eq!(store.delete_if_expired(vec![key.clone()], later).await.unwrap(), 0);
    let value = store.read(later).get(&key).await.unwrap().map(|entry| entry.value);
    assert_eq!(value.as_deref(), Some(&b"2"[..]));
    store.close().await;
}

#[actix_web::test]
async fn an_acknowledged_re_set_survives_concurrent_expiring_reads() {
    let (app, _db) = spawn_app().await;
    for round in 0..20 {
        let path = format!("/race-{round}/");
        app.post(&path, &json!({"value": "old", "ttl": 1})).await;
        app.clock.advance(Duration::from_secs(2));

        let reads = join_all((0..16).map(|_| app.get(&path)));
        let write = app.post(&path, json!({"value": "new"}));
        let (reads, (status, _)) = futures_util::join!(reads, write);
        assert_eq!(status, StatusCode::CREATED);
        for (status, body) in reads {
            assert!(status == StatusCode::OK || body["error"].as_str().unwrap().starts_with("Key not found"));
        }
        assert_eq!(app.get(&path).await.1["value"], "new", "round {round}");
    }
}

#[actix_web::test]
async fn a_sweep_purges_expired_keys_in_batches_and_spares_live_ones() {
    let (app, db) = spawn_app().await;
    let store = db.open_store().await;
    let now = app.clock_now();
    for index in 0..2_500 {
        store
            .set(format!("expired-{index}"), b"1".to_vec(), Some(now + 1000), now)
            .await
            .unwrap();
    }
    store.set(&b"forever"[..], b"1".to_vec(), None, now).await.unwrap();
    store
        .set(&b"later"[..], b"1".to_vec(), Some(now + 60_000), now)
        .await
        .unwrap();
    app.clock.advance(Duration::from_secs(1));

    let args = litekv::config::SweepArgs {
        sweep_batch: 1000,
        sweep_pause_ms: 0,
    };
    let sweeper = litekv::sweep::Sweeper::new(store.clone(), app.clock.clone(), &args);
    assert_eq!(sweeper.run_pass().await.unwrap(), 2_500);
    assert_eq!(db.count_rows().await, 2);
    assert_eq!(sweeper.run_pass().await.unwrap(), 0);
    store.close().await;
}
