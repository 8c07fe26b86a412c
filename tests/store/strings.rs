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

#[tokio::test]
async fn concurrent_reads_gathered_into_one_query_each_get_their_own_answer() {
    let database = TestDatabase::new();
    let store = database.open().await;
    for index in 0..50 {
        let expires_at = (index % 5 == 0).then_some(NOW + 1);
        store
            .set(
                bytes(&format!("k{index}")),
                bytes(&format!("v{index}")),
                expires_at,
                NOW,
            )
            .await
            .unwrap();
    }
    crate::helpers::set_hash(&store, "hash", &[("f", "v")]).await.unwrap();
    // Every key twice, and keys that are missing, expired, or of another type.
    let keys: Vec<String> = (0..60).chain(0..60).map(|index| format!("k{index}")).collect();
    let lookups = keys.iter().map(|key| async {
        let mut view = store.read(NOW + 1);
        view.lookup(key.as_bytes()).await.unwrap()
    });
    let found = futures_util::future::join_all(lookups).await;
    for (key, lookup) in keys.iter().zip(found) {
        let index: usize = key[1..].parse().unwrap();
        let expected = match index {
            50.. => Lookup::Missing,
            _ if index.is_multiple_of(5) => Lookup::Expired,
            _ => Lookup::Live(Entry {
                value: bytes(&format!("v{index}")),
                expires_at: None,
            }),
        };
        assert_eq!(lookup, expected, "{key}");
    }
    assert!(matches!(
        store.read(NOW).get(b"hash").await,
        Err(litekv::store::StoreError::WrongType)
    ));
    store.close().await;
}
