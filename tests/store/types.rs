//! The key's type: typed operations refuse other types, and replacing or deleting a
//! collection takes its elements with it.

use litekv::store::{End, KeyType, Lookup, StoreError};

use crate::helpers::{NOW, TestDatabase, bytes, job, set_hash};

#[tokio::test]
async fn typed_operations_on_a_key_of_another_type_are_wrongtype() {
    let database = TestDatabase::new();
    let store = database.open().await;
    set_hash(&store, "h", &[("f", "v")]).await.unwrap();
    store.set(bytes("s"), bytes("v"), None, NOW).await.unwrap();
    let mut view = store.read(NOW);
    assert!(matches!(view.get(b"h").await, Err(StoreError::WrongType)));
    assert!(matches!(view.hash_field(b"s", b"f").await, Err(StoreError::WrongType)));
    assert_eq!(view.hash_field(b"h", b"f").await.unwrap(), Some(bytes("v")));
    drop(view);
    assert!(matches!(
        set_hash(&store, "s", &[("f", "v")]).await,
        Err(StoreError::WrongType)
    ));
    assert_eq!(
        StoreError::WrongType.to_string(),
        "WRONGTYPE Operation against a key holding the wrong kind of value"
    );
    store.close().await;
}

#[tokio::test]
async fn a_string_set_over_a_hash_replaces_it_and_its_fields() {
    let database = TestDatabase::new();
    let store = database.open().await;
    set_hash(&store, "k", &[("a", "1"), ("b", "2")]).await.unwrap();
    assert_eq!(database.element_rows("hash_fields").await, 2);
    assert!(!store.set(bytes("k"), bytes("now a string"), None, NOW).await.unwrap());
    assert_eq!(database.element_rows("hash_fields").await, 0);
    assert_eq!(store.read(NOW).get(b"k").await.unwrap().unwrap().value, "now a string");
    store.close().await;
}

#[tokio::test]
async fn deleting_or_purging_a_collection_removes_its_elements() {
    let database = TestDatabase::new();
    let store = database.open().await;
    set_hash(&store, "deleted", &[("a", "1")]).await.unwrap();
    set_hash(&store, "expiring", &[("a", "1"), ("b", "2")]).await.unwrap();
    store
        .write(job(|tx| {
            Box::pin(async move {
                tx.delete(b"deleted", NOW).await?;
                tx.set_expiry(b"expiring", Some(NOW + 1)).await
            })
        }))
        .await
        .unwrap();
    assert_eq!(database.element_rows("hash_fields").await, 2);
    assert_eq!(store.purge_expired_batch(NOW + 1, 10).await.unwrap(), 1);
    assert_eq!(database.element_rows("hash_fields").await, 0);
    store.close().await;
}

#[tokio::test]
async fn rename_and_copy_carry_a_collections_elements() {
    let database = TestDatabase::new();
    let store = database.open().await;
    set_hash(&store, "h", &[("a", "1"), ("b", "2")]).await.unwrap();
    store.set(bytes("target"), bytes("replaced"), None, NOW).await.unwrap();
    store
        .write(job(|tx| {
            Box::pin(async move {
                tx.rename(b"h", b"moved").await?;
                tx.copy(b"moved", b"target").await
            })
        }))
        .await
        .unwrap();
    let mut view = store.read(NOW);
    let fields = [(bytes("a"), bytes("1")), (bytes("b"), bytes("2"))];
    assert_eq!(view.hash_fields(b"moved").await.unwrap(), fields);
    assert_eq!(view.hash_fields(b"target").await.unwrap(), fields);
    assert_eq!(view.info(b"target").await.unwrap().unwrap().kind, KeyType::Hash);
    assert_eq!(view.info(b"h").await.unwrap(), None);
    drop(view);
    assert_eq!(database.element_rows("hash_fields").await, 4);
    store.write(job(|tx| Box::pin(tx.delete_all(NOW)))).await.unwrap();
    assert_eq!(database.element_rows("hash_fields").await, 0);
    store.close().await;
}

/// A read that found a key missing is remembered by the cache; creating the key, as a string
/// or as a collection, forgets that, and every read sees the key.
#[tokio::test]
async fn a_key_read_as_missing_is_seen_once_created_as_any_type() {
    let database = TestDatabase::new();
    let store = database.open().await;
    for key in ["s", "h", "l"] {
        assert_eq!(store.get(key.as_bytes(), NOW).await.unwrap(), Lookup::Missing);
        assert_eq!(store.read(NOW).info(key.as_bytes()).await.unwrap(), None);
    }
    store.set(bytes("s"), bytes("v"), None, NOW).await.unwrap();
    set_hash(&store, "h", &[("f", "v")]).await.unwrap();
    store
        .write(job(|tx| {
            Box::pin(async move { tx.push_list(b"l", &[bytes("x")], End::Tail, false, NOW).await })
        }))
        .await
        .unwrap();
    let mut view = store.read(NOW);
    assert_eq!(view.get(b"s").await.unwrap().unwrap().value, "v");
    assert_eq!(view.hash_field(b"h", b"f").await.unwrap(), Some(bytes("v")));
    assert_eq!(view.list_len(b"l").await.unwrap(), 1);
    assert_eq!(view.info(b"h").await.unwrap().unwrap().kind, KeyType::Hash);
    drop(view);
    store.close().await;
}
