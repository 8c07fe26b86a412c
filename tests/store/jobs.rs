//! Write jobs: each in its own savepoint, each acknowledged with its own number.

use litekv::store::{Lookup, StoreError};

use crate::database::skipped_on_postgres;
use crate::helpers::{NOW, TestDatabase, bytes, job};

#[tokio::test]
async fn a_failing_job_rolls_back_alone_and_the_rest_of_its_batch_commits() {
    let database = TestDatabase::new();
    let store = database.open().await;
    store.set(bytes("a"), bytes("before"), None, NOW).await.unwrap();
    // Submitted together, so that they share batches as often as the writer allows.
    let (failed, set, written) = tokio::join!(
        store.write(job(|tx| Box::pin(async move {
            tx.put(bytes("a"), bytes("never committed"), None, NOW).await?;
            Err::<(), _>(StoreError::WrongType)
        }))),
        store.set(bytes("b"), bytes("set"), None, NOW),
        store.write(job(|tx| { Box::pin(tx.put(bytes("c"), bytes("written"), None, NOW)) })),
    );
    assert!(matches!(failed, Err(StoreError::WrongType)));
    assert!(set.unwrap());
    written.unwrap();
    // Through the cache, which must not have heard of the rolled-back write either.
    let mut view = store.read(NOW);
    assert_eq!(view.get(b"a").await.unwrap().unwrap().value, "before");
    assert_eq!(view.get(b"b").await.unwrap().unwrap().value, "set");
    assert_eq!(view.get(b"c").await.unwrap().unwrap().value, "written");
    drop(view);
    store.close().await;
}

/// Jobs that succeed leave their savepoints open and the next nests inside: a failure after
/// them, and one between them, must still undo only the failing job's own writes.
#[tokio::test]
async fn failing_jobs_between_and_after_successful_ones_undo_only_themselves() {
    let database = TestDatabase::new();
    let store = database.open().await;
    let write_then_fail = |key: &'static str| {
        job(move |tx| {
            Box::pin(async move {
                tx.put(bytes(key), bytes("never committed"), None, NOW).await?;
                tx.put(bytes("first"), bytes("overwritten, never committed"), None, NOW)
                    .await?;
                Err::<(), _>(StoreError::WrongType)
            })
        })
    };
    let write = |key: &'static str| job(move |tx| Box::pin(tx.put(bytes(key), bytes(key), None, NOW)));
    let (first, failed_between, second, failed_last) = tokio::join!(
        store.write(write("first")),
        store.write(write_then_fail("between")),
        store.write(write("second")),
        store.write(write_then_fail("last")),
    );
    first.unwrap();
    second.unwrap();
    assert!(matches!(failed_between, Err(StoreError::WrongType)));
    assert!(matches!(failed_last, Err(StoreError::WrongType)));
    let mut view = store.read(NOW);
    assert_eq!(view.get(b"first").await.unwrap().unwrap().value, "first");
    assert_eq!(view.get(b"second").await.unwrap().unwrap().value, "second");
    assert_eq!(view.get(b"between").await.unwrap(), None);
    assert_eq!(view.get(b"last").await.unwrap(), None);
    drop(view);
    store.close().await;
}

/// A failed COMMIT that SQLite did not undo itself (a deferred constraint here; SQLITE_BUSY
/// and some I/O errors alike) must be rolled back by the writer: left open, it would make the
/// next BEGIN, and every later batch, fail. (PostgreSQL ends the transaction itself; the
/// writer must then begin the next one as usual.)
#[tokio::test]
async fn a_commit_that_fails_without_ending_its_transaction_leaves_the_store_writing() {
    let database = TestDatabase::new();
    database.open().await.close().await;
    database.poison_commits_writing("poison").await;
    let store = database.open().await;
    let refused = store.set(bytes("poison"), bytes("v"), None, NOW).await;
    assert!(refused.is_err(), "{refused:?}");
    for key in ["after", "and after"] {
        store.set(bytes(key), bytes("v"), None, NOW).await.unwrap();
    }
    let mut view = store.read(NOW);
    assert_eq!(view.get(b"poison").await.unwrap(), None);
    assert_eq!(view.get(b"after").await.unwrap().unwrap().value, "v");
    drop(view);
    store.close().await;
}

#[tokio::test]
async fn every_acknowledged_write_has_its_own_sync_token_and_a_read_repeats_the_last() {
    let database = TestDatabase::new();
    let store = database.open().await;
    let set = |key: &'static str| store.with_sync_token(store.set(bytes(key), bytes("v"), None, NOW));
    let ((first, a), (second, b), (third, c)) = tokio::join!(set("a"), set("b"), set("c"));
    for created in [first, second, third] {
        assert!(created.unwrap());
    }
    let mut tokens = vec![a, b, c];
    tokens.sort_unstable();
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "{tokens:?}");
    let (lookup, after_read) = store.with_sync_token(store.get(b"a", NOW)).await;
    assert!(matches!(lookup, Ok(Lookup::Live(_))));
    assert_eq!(after_read, tokens[2]);
    store.close().await;
}

#[tokio::test]
async fn a_closed_store_is_one_file_that_holds_every_commit() {
    if skipped_on_postgres("a PostgreSQL database is no file of its own") {
        return;
    }
    let database = TestDatabase::new();
    let store = database.open().await;
    for index in 0..100 {
        store
            .set(bytes(&format!("k{index}")), bytes("v"), None, NOW)
            .await
            .unwrap();
    }
    store.close().await;
    let files: Vec<String> = std::fs::read_dir(database.dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["store.sqlite3"]);

    // A copy of that file alone is a complete backup.
    let backup = TestDatabase::copy_of(&database.path);
    let restored = backup.open().await;
    assert_eq!(restored.read(NOW).count().await.unwrap(), 100);
    restored.close().await;
}
