use litekv::store::{KeyInfo, KeyType};

use crate::helpers::{NOW, TestDatabase, bytes, job};

#[tokio::test]
async fn info_gives_a_live_keys_type_and_expiry() {
    let database = TestDatabase::new();
    let store = database.open().await;
    store.set(bytes("s"), bytes("v"), Some(NOW + 10), NOW).await.unwrap();
    crate::helpers::set_hash(&store, "h", &[("f", "v")]).await.unwrap();
    let mut view = store.read(NOW);
    let string = KeyInfo {
        kind: KeyType::String,
        expires_at: Some(NOW + 10),
    };
    assert_eq!(view.info(b"s").await.unwrap(), Some(string));
    let hash = KeyInfo {
        kind: KeyType::Hash,
        expires_at: None,
    };
    assert_eq!(view.info(b"h").await.unwrap(), Some(hash));
    assert_eq!(view.info(b"missing").await.unwrap(), None);
    drop(view);
    let mut later = store.read(NOW + 10);
    assert_eq!(later.info(b"s").await.unwrap(), None);
    assert_eq!(later.take_expired(), [bytes("s")]);
    drop(later);
    store.close().await;
}

#[tokio::test]
async fn scan_walks_keys_in_creation_order_with_their_types() {
    let database = TestDatabase::new();
    let store = database.open().await;
    for key in ["c", "a", "b"] {
        store.set(bytes(key), bytes("v"), None, NOW).await.unwrap();
    }
    crate::helpers::set_hash(&store, "h", &[("f", "v")]).await.unwrap();
    let mut view = store.read(NOW);
    let first = view.scan(0, 2).await.unwrap();
    assert_eq!(
        first.items,
        [(bytes("c"), KeyType::String), (bytes("a"), KeyType::String)]
    );
    let rest = view.scan(first.next.unwrap(), 10).await.unwrap();
    assert_eq!(rest.items, [(bytes("b"), KeyType::String), (bytes("h"), KeyType::Hash)]);
    assert_eq!(rest.next, None);
    assert_eq!(view.count().await.unwrap(), 4);
    assert_eq!(
        view.keys_with_prefix(b"").await.unwrap(),
        ["a", "b", "c", "h"].map(bytes)
    );
    drop(view);
    store.close().await;
}

#[tokio::test]
async fn expiry_is_set_cleared_and_expired_keys_are_purged_in_batches() {
    let database = TestDatabase::new();
    let store = database.open().await;
    for key in ["a", "b", "c"] {
        store.set(bytes(key), bytes("v"), Some(NOW + 5), NOW).await.unwrap();
    }
    store
        .write(job(|tx| Box::pin(async move { tx.set_expiry(b"c", None).await })))
        .await
        .unwrap();
    assert_eq!(store.purge_expired_batch(NOW + 5, 1).await.unwrap(), 1);
    assert_eq!(store.purge_expired_batch(NOW + 5, 10).await.unwrap(), 1);
    assert_eq!(store.purge_expired_batch(NOW + 5, 10).await.unwrap(), 0);
    let mut view = store.read(NOW + 5);
    assert_eq!(view.count().await.unwrap(), 1);
    assert_eq!(view.get(b"c").await.unwrap().unwrap().expires_at, None);
    drop(view);
    store.close().await;
}
