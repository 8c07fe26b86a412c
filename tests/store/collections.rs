//! Lists, sets and sorted sets in the store: each value table is written and read back in its
//! order, and a collection's rows go with its last element, its key, its expiry and FLUSHDB.

use bytes::Bytes;
use litekv::store::{Combine, End, KeyType, Order, Range, ScoreBound, Selection, Store, StoreError};

use crate::helpers::{NOW, TestDatabase, bytes, job, set_hash};

const TABLES: [&str; 3] = ["list_items", "set_members", "zset_members"];

fn all(texts: &[&str]) -> Vec<Bytes> {
    texts.iter().map(|text| bytes(text)).collect()
}

/// Writes the list `l` (a b c), the set `s` (x y) and the sorted set `z` (one 1, two 2).
async fn write_one_of_each(store: &Store) {
    store
        .write(job(|tx| {
            Box::pin(async move {
                tx.push_list(b"l", &all(&["b", "c"]), End::Tail, false, NOW).await?;
                tx.push_list(b"l", &all(&["a"]), End::Head, false, NOW).await?;
                tx.add_set_members(b"s", &all(&["y", "x", "y"]), NOW).await?;
                tx.put_zset_members(b"z", &[(bytes("two"), 2.0), (bytes("one"), 1.0)], NOW)
                    .await
            })
        }))
        .await
        .unwrap();
}

#[tokio::test]
async fn each_value_table_reads_back_in_its_order() {
    let database = TestDatabase::new();
    let store = database.open().await;
    write_one_of_each(&store).await;
    let mut view = store.read(NOW);
    assert_eq!(view.list_range(b"l", 0, -1).await.unwrap(), all(&["a", "b", "c"]));
    assert_eq!(view.list_item(b"l", -1).await.unwrap(), Some(bytes("c")));
    assert_eq!(view.list_len(b"l").await.unwrap(), 3);
    assert_eq!(view.set_members(b"s").await.unwrap(), all(&["x", "y"]));
    assert_eq!(view.set_contains(b"s", &all(&["x", "z"])).await.unwrap(), [true, false]);
    let everything = Selection::ranks(0, -1, Order::Ascending);
    assert_eq!(
        view.zset_range(b"z", &everything).await.unwrap(),
        [(bytes("one"), 1.0), (bytes("two"), 2.0)]
    );
    let above_one = Range::Score {
        min: ScoreBound {
            score: 1.0,
            exclusive: true,
        },
        max: ScoreBound {
            score: f64::INFINITY,
            exclusive: false,
        },
    };
    assert_eq!(view.zset_count(b"z", &above_one).await.unwrap(), 1);
    assert_eq!(
        view.zset_rank(b"z", b"two", Order::Descending).await.unwrap(),
        Some((0, 2.0))
    );
    assert!(matches!(view.list_len(b"s").await, Err(StoreError::WrongType)));
    assert!(matches!(view.set_members(b"z").await, Err(StoreError::WrongType)));
    assert!(matches!(view.zset_len(b"l").await, Err(StoreError::WrongType)));
    assert!(matches!(
        view.set_combine(&[bytes("s"), bytes("l")], Combine::Union).await,
        Err(StoreError::WrongType)
    ));
    drop(view);
    for table in TABLES {
        assert!(database.element_rows(table).await > 0, "{table}");
    }
    store.close().await;
}

#[tokio::test]
async fn removing_the_last_element_deletes_the_key_and_its_rows() {
    let database = TestDatabase::new();
    let store = database.open().await;
    write_one_of_each(&store).await;
    store
        .write(job(|tx| {
            Box::pin(async move {
                tx.pop_list(b"l", End::Head, 10, NOW).await?;
                tx.remove_set_members(b"s", &all(&["x", "y"]), NOW).await?;
                tx.remove_zset_members(b"z", &all(&["one", "two"]), NOW).await
            })
        }))
        .await
        .unwrap();
    let mut view = store.read(NOW);
    for key in ["l", "s", "z"] {
        assert_eq!(view.info(key.as_bytes()).await.unwrap(), None, "{key}");
    }
    drop(view);
    for table in TABLES {
        assert_eq!(database.element_rows(table).await, 0, "{table}");
    }
    store.close().await;
}

#[tokio::test]
async fn expiry_copy_and_flush_carry_or_remove_every_tables_rows() {
    let database = TestDatabase::new();
    let store = database.open().await;
    write_one_of_each(&store).await;
    store
        .write(job(|tx| {
            Box::pin(async move {
                for key in ["l", "s", "z"] {
                    tx.copy(key.as_bytes(), format!("{key}-copy").as_bytes()).await?;
                    tx.set_expiry(key.as_bytes(), Some(NOW + 1)).await?;
                }
                Ok(())
            })
        }))
        .await
        .unwrap();
    let counts = [3, 2, 2];
    for (table, count) in TABLES.into_iter().zip(counts) {
        assert_eq!(
            database.element_rows(table).await,
            2 * count,
            "{table} after the copies"
        );
    }
    assert_eq!(store.purge_expired_batch(NOW + 1, 10).await.unwrap(), 3);
    for (table, count) in TABLES.into_iter().zip(counts) {
        assert_eq!(database.element_rows(table).await, count, "{table} after the purge");
    }
    let mut view = store.read(NOW + 1);
    assert_eq!(view.list_range(b"l-copy", 0, -1).await.unwrap(), all(&["a", "b", "c"]));
    assert_eq!(view.set_len(b"s-copy").await.unwrap(), 2);
    assert_eq!(view.zset_len(b"z-copy").await.unwrap(), 2);
    drop(view);
    store.write(job(|tx| Box::pin(tx.delete_all(NOW)))).await.unwrap();
    for table in TABLES {
        assert_eq!(database.element_rows(table).await, 0, "{table} after FLUSHDB");
    }
    store.close().await;
}

#[tokio::test]
async fn the_sweep_deletes_expired_hash_fields_and_the_hashes_they_empty() {
    let database = TestDatabase::new();
    let store = database.open().await;
    set_hash(&store, "emptied", &[("a", "1"), ("b", "2")]).await.unwrap();
    set_hash(&store, "kept", &[("x", "1"), ("y", "2")]).await.unwrap();
    store
        .write(job(|tx| {
            Box::pin(async move {
                tx.set_hash_field_expiry(b"emptied", &all(&["a", "b"]), Some(NOW + 1), NOW)
                    .await?;
                tx.set_hash_field_expiry(b"kept", &all(&["x"]), Some(NOW + 1), NOW)
                    .await
            })
        }))
        .await
        .unwrap();
    // Before the sweep, a hash whose every field expired is already gone for readers.
    let mut view = store.read(NOW + 1);
    assert_eq!(view.info(b"emptied").await.unwrap(), None);
    assert_eq!(view.hash_fields(b"kept").await.unwrap(), [(bytes("y"), bytes("2"))]);
    drop(view);
    // Three fields and one emptied hash: four deletions, fewer than the batch of 10.
    assert_eq!(store.purge_expired_batch(NOW + 1, 10).await.unwrap(), 4);
    assert_eq!(database.element_rows("hash_fields").await, 1);
    let mut view = store.read(NOW + 1);
    assert_eq!(
        view.info(b"kept").await.unwrap().map(|info| info.kind),
        Some(KeyType::Hash)
    );
    drop(view);
    assert_eq!(store.purge_expired_batch(NOW + 1, 10).await.unwrap(), 0);
    store.close().await;
}

#[tokio::test]
async fn concurrent_field_reads_gathered_into_one_query_each_get_their_own_answer() {
    let database = TestDatabase::new();
    let store = database.open().await;
    for index in 0..20 {
        let fields = [("a", format!("a{index}")), ("b", format!("b{index}"))];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(f, v)| (*f, v.as_str())).collect();
        set_hash(&store, &format!("h{index}"), &fields).await.unwrap();
    }
    // Field b of every third hash expires; h0 expires as a whole; s is a string.
    store
        .write(job(|tx| {
            Box::pin(async move {
                for index in (0..20).step_by(3) {
                    tx.set_hash_field_expiry(format!("h{index}").as_bytes(), &all(&["b"]), Some(NOW + 1), NOW)
                        .await?;
                }
                tx.set_expiry(b"h0", Some(NOW + 1)).await
            })
        }))
        .await
        .unwrap();
    store.set(bytes("s"), bytes("v"), None, NOW).await.unwrap();
    let wanted: Vec<(String, &str)> = (0..25)
        .flat_map(|index| {
            [
                (format!("h{index}"), "a"),
                (format!("h{index}"), "b"),
                (format!("h{index}"), "c"),
            ]
        })
        .collect();
    let lookups = wanted.iter().map(|(key, field)| async {
        let mut view = store.read(NOW + 1);
        view.hash_field(key.as_bytes(), field.as_bytes()).await.unwrap()
    });
    let found = futures_util::future::join_all(lookups).await;
    for ((key, field), value) in wanted.iter().zip(found) {
        let index: usize = key[1..].parse().unwrap();
        let expected = match (index, *field) {
            (0 | 20.., _) | (_, "c") => None,
            (_, "b") if index.is_multiple_of(3) => None,
            _ => Some(bytes(&format!("{field}{index}"))),
        };
        assert_eq!(value, expected, "{key} {field}");
    }
    assert!(matches!(
        store.read(NOW).hash_field(b"s", b"f").await,
        Err(StoreError::WrongType)
    ));
    store.close().await;
}
