//! A database written by the first release (`keys` + `strings` tables) opens under this one
//! with every key, value and expiry intact. The fixture was made by that release's server:
//! a JSON API key, strings with past and future expiries, a binary value, a counter, and
//! 100 keys set by a pipeline of which one was deleted.

use std::path::Path;

use litekv::store::{Entry, KeyType, Lookup};

use crate::helpers::{NOW, TestDatabase, bytes};

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-0.1.sqlite3")
}

#[tokio::test]
async fn a_database_of_the_first_release_opens_with_every_key_value_and_expiry() {
    let database = TestDatabase::copy_of(&fixture());
    let store = database.open().await;
    let mut view = store.read(NOW);
    let live = |value: &[u8], expires_at| {
        Lookup::Live(Entry {
            value: bytes::Bytes::copy_from_slice(value),
            expires_at,
        })
    };
    assert_eq!(
        view.lookup(b"user:1").await.unwrap(),
        live(br#"{"name":"Ada","langs":["en","fr"]}"#, None)
    );
    assert_eq!(
        view.lookup(b"greeting").await.unwrap(),
        live(b"hello, world", Some(4_102_444_800_000))
    );
    assert_eq!(view.lookup(b"gone").await.unwrap(), Lookup::Expired);
    assert_eq!(view.lookup(b"binary").await.unwrap(), live(b"\x00\xff\xfez", None));
    assert_eq!(view.lookup(b"counter").await.unwrap(), live(b"41", None));
    assert_eq!(view.lookup(b"bulk:50").await.unwrap(), Lookup::Missing);
    assert_eq!(view.count().await.unwrap(), 103);

    // Keys keep their ids, so a walk still returns them in the order they were created.
    let walk = view.scan(0, 1000).await.unwrap();
    let keys: Vec<_> = walk.items.iter().map(|(key, _)| key.clone()).collect();
    let mut expected: Vec<_> = ["user:1", "greeting", "binary", "counter"].map(bytes).to_vec();
    expected.extend(
        (0..100)
            .filter(|index| *index != 50)
            .map(|index| bytes(&format!("bulk:{index}"))),
    );
    assert_eq!(keys, expected);
    assert!(walk.items.iter().all(|(_, kind)| *kind == KeyType::String));
    drop(view);

    // New keys come after every old one.
    store.set(bytes("new"), bytes("v"), None, NOW).await.unwrap();
    let last = store.read(NOW).scan(0, 1000).await.unwrap().items.pop().unwrap();
    assert_eq!(last.0, "new");
    store.close().await;
}
