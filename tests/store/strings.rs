use litekv::store::{Entry, Lookup, StringWrite};

use crate::helpers::{NOW, TestDatabase, bytes, job};

#[tokio::test]
async fn a_string_is_created_then_replaced_and_reads_back() {
    let database = TestDatabase::new();
    let store = database.open().await;
    assert!(store.set(bytes("k"), bytes("one"), None, NOW).await.unwrap());
    assert!(
        !store
            .set(bytes("k"), bytes("two"), Some(NOW + 1000), NOW)
            .await
            .unwrap()
    );
    let entry = Entry {
        value: bytes("two"),
        expires_at: Some(NOW + 1000),
    };
    assert_eq!(store.get(b"k", NOW).await.unwrap(), Lookup::Live(entry));
    assert_eq!(store.get(b"other", NOW).await.unwrap(), Lookup::Missing);
    store.close().await;
}

#[tokio::test]
async fn an_expired_string_reads_as_expired_and_setting_it_again_creates_it() {
    let database = TestDatabase::new();
    let store = database.open().await;
    store.set(bytes("k"), bytes("v"), Some(NOW + 1000), NOW).await.unwrap();
    let mut view = store.read(NOW + 1000);
    assert_eq!(view.lookup(b"k").await.unwrap(), Lookup::Expired);
    assert_eq!(view.take_expired(), [bytes("k")]);
    drop(view);
    assert!(store.set(bytes("k"), bytes("v"), None, NOW + 1000).await.unwrap());
    assert_eq!(store.delete_if_expired(vec![bytes("k")], NOW + 1000).await.unwrap(), 0);
    store.close().await;
}

#[tokio::test]
async fn strings_written_together_apply_in_order() {
    let database = TestDatabase::new();
    let store = database.open().await;
    store
        .write(job(|tx| {
            Box::pin(async move {
                let writes: Vec<StringWrite> = [("a", "1"), ("b", "2"), ("a", "3")]
                    .into_iter()
                    .map(|(key, value)| StringWrite {
                        key: bytes(key),
                        value: bytes(value),
                        expires_at: None,
                        now_ms: NOW,
                    })
                    .collect();
                tx.put_strings(&writes.iter().collect::<Vec<_>>()).await
            })
        }))
        .await
        .unwrap();
    let mut view = store.read(NOW);
    assert_eq!(view.get(b"a").await.unwrap().unwrap().value, "3");
    assert_eq!(view.get(b"b").await.unwrap().unwrap().value, "2");
    drop(view);
    store.close().await;
}
