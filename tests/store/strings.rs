use bytes::Bytes;
use litekv::store::{Entry, LocalBoxFuture, Lookup, ReadJob, ReadView, Store, StoreError, StringWrite};

use crate::database::skipped_on_postgres;
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

/// A GET run on a reader; or, first, a read of the set `large set`, which holds the reader's
/// snapshot a while.
#[derive(Clone)]
struct Get(Bytes, bool);

impl ReadJob for Get {
    type Output = Result<Option<Entry>, StoreError>;

    fn run<'a>(self, view: &'a mut ReadView<'_>) -> LocalBoxFuture<'a, Self::Output> {
        Box::pin(async move {
            if self.1 {
                view.set_members(b"large set").await?;
            }
            view.get(&self.0).await
        })
    }
}

/// Writes the set that [`Get`] reads first, with `members` members.
async fn write_large_set(store: &Store, members: usize) {
    let members: Vec<Bytes> = (0..members)
        .map(|member| Bytes::from(format!("member {member}")))
        .collect();
    store
        .write(job(move |tx| {
            let members = members.clone();
            Box::pin(async move { tx.add_set_members(b"large set", &members, NOW).await })
        }))
        .await
        .unwrap();
}

/// Reads queued together run in one turn of a reader, from one snapshot: each still fills the
/// cache with what it found, so a cold cache warms at the rate keys are read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_that_share_a_readers_turn_each_fill_the_cache() {
    if skipped_on_postgres("a store on PostgreSQL keeps no cache: other servers write there too") {
        return;
    }
    let database = TestDatabase::new();
    let keys: Vec<Bytes> = (0..256).map(|key| bytes(&format!("key {key}"))).collect();
    let store = database.open().await;
    for key in &keys {
        store.put(key.clone(), bytes("value"), None, NOW).await.unwrap();
    }
    store.close().await;

    // Opened again, with an empty cache.
    let store = database.open().await;
    let reads = futures_util::future::join_all(
        keys.iter()
            .map(|key| store.read_on_reader(NOW, Get(key.clone(), false))),
    );
    for (read, _) in reads.await.into_iter().map(Result::unwrap) {
        assert_eq!(read.unwrap().unwrap().value, bytes("value"));
    }
    for key in &keys {
        let cached = store.read_cached(NOW).get(key).await;
        assert_eq!(cached.unwrap().unwrap().value, bytes("value"), "{key:?}");
    }
    store.close().await;
}

/// A reader may serve several reads from one snapshot, begun before the later ones were
/// asked: none of those may fill the cache with a value that a write has overtaken meanwhile,
/// or the cache would answer it after the write was acknowledged. The writes alternate small
/// values, which the cache keeps, and large ones, which it does not (and which take the small
/// one's place away), so reads keep missing the cache and filling it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_racing_writes_never_leave_an_overtaken_value_in_the_cache() {
    if skipped_on_postgres("a store on PostgreSQL keeps no cache: other servers write there too") {
        return;
    }
    let large = |n: usize| format!("{n}{}", "x".repeat(128 * 1024));
    let database = TestDatabase::new();
    let store = database.open().await;
    write_large_set(&store, 20_000).await;
    for round in 0..20 {
        let writes = async {
            for write in 0..40 {
                let value = if write % 2 == 0 {
                    format!("small {write}")
                } else {
                    large(write)
                };
                store.put(bytes("k"), bytes(&value), None, NOW).await.unwrap();
            }
        };
        let reads = async {
            for _ in 0..8 {
                let reads = futures_util::future::join_all(
                    (0..16).map(|read| store.read_on_reader(NOW, Get(bytes("k"), read == 0))),
                );
                assert!(reads.await.into_iter().all(|read| read.is_ok()));
            }
        };
        tokio::join!(writes, reads);
        // The last write (large) is not cached: a cached value is one it overtook.
        let cached = store.read_cached(NOW).get(b"k").await;
        assert!(
            matches!(cached, Err(StoreError::NotCached)),
            "round {round}: {cached:?}"
        );
        let (read, _) = store.read_on_reader(NOW, Get(bytes("k"), false)).await.unwrap();
        assert_eq!(read.unwrap().unwrap().value, large(39));
    }
    store.close().await;
}

/// Closing lets the readers finish what is queued, then sends each a stop of its own. A reader
/// takes what is queued a turn at a time: were it to take a second stop in its turn, the reader
/// that stop was for would wait forever, and so would the close.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_closes_while_its_readers_are_busy() {
    let database = TestDatabase::new();
    let store = database.open().await;
    write_large_set(&store, 1_000).await;
    store.close().await;
    for round in 0..20 {
        let store = database.open().await;
        let reads: Vec<_> = (0..200)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.read_on_reader(NOW, Get(bytes("k"), true)).await })
            })
            .collect();
        // The reads are queued, and the readers busy with them, when the stops are sent.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let closed = tokio::time::timeout(std::time::Duration::from_secs(10), store.close()).await;
        assert!(closed.is_ok(), "round {round}: the store did not close within 10 s");
        for read in reads {
            let (found, _) = read.await.unwrap().unwrap();
            assert_eq!(found.unwrap(), None, "k was never written");
        }
    }
}
