//! WATCH: the keys clients watch, and whether a write touched one since.
//!
//! Writes touch keys inside the writer task, in the order they run, so a transaction's
//! check (which runs there too) sees every write that ran before it: none can slip between
//! the check and the transaction's own writes. A write that touched a key and then rolled
//! back still counts, as in Redis a command that fails after changing nothing may: the
//! transaction then fails safe, and the client retries.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

/// Every watched key, with how many writes touched it since it was first watched.
#[derive(Debug, Default)]
pub(super) struct Watches {
    /// How many keys are watched: writes skip the lock while it is 0, as it mostly is.
    watched: AtomicUsize,
    keys: Mutex<HashMap<Bytes, Watched>>,
}

#[derive(Debug)]
struct Watched {
    watchers: usize,
    writes: u64,
}

impl Watches {
    fn keys(&self) -> MutexGuard<'_, HashMap<Bytes, Watched>> {
        // A panic while holding the lock leaves counters that are still consistent.
        self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notes a write to `key`.
    pub(super) fn touch(&self, key: &[u8]) {
        if self.watched.load(Ordering::Acquire) == 0 {
            return;
        }
        if let Some(watched) = self.keys().get_mut(key) {
            watched.writes += 1;
        }
    }

    /// The keys some client watches, for a write that touches only those that exist
    /// (FLUSHDB).
    pub(super) fn watched_keys(&self) -> Vec<Bytes> {
        if self.watched.load(Ordering::Acquire) == 0 {
            return Vec::new();
        }
        self.keys().keys().cloned().collect()
    }

    /// Starts watching `keys`; each is then read for its expiry (see [`Watch::expired_at`]).
    pub(super) fn watch(self: &Arc<Self>, keys: &[Bytes]) -> Watch {
        let mut watched = self.keys();
        let seen = keys
            .iter()
            .map(|key| {
                let entry = watched.entry(key.clone()).or_insert_with(|| {
                    self.watched.fetch_add(1, Ordering::AcqRel);
                    Watched { watchers: 0, writes: 0 }
                });
                entry.watchers += 1;
                WatchedKey {
                    key: key.clone(),
                    writes: entry.writes,
                    expires_at: None,
                    version: None,
                }
            })
            .collect();
        Watch {
            watches: Arc::clone(self),
            keys: seen,
        }
    }
}

/// One client's watched keys, as they were when it watched them. Dropping it stops
/// watching them.
#[derive(Debug)]
pub struct Watch {
    watches: Arc<Watches>,
    keys: Vec<WatchedKey>,
}

#[derive(Debug)]
struct WatchedKey {
    key: Bytes,
    writes: u64,
    /// When the key, live when watched, expires: its expiry also fails the transaction.
    expires_at: Option<i64>,
    /// Its version in a database other servers write too, read after it was watched: a
    /// write by another server changes it (`None`: no row, or a database of this server's
    /// alone).
    version: Option<i64>,
}

impl Watch {
    /// Whether every watched key is as it was: untouched by writes, and not expired since.
    pub fn is_intact(&self, now_ms: i64) -> bool {
        let watched = self.watches.keys();
        self.keys.iter().all(|seen| {
            let untouched = watched.get(&seen.key).is_some_and(|now| now.writes == seen.writes);
            untouched && seen.expires_at.is_none_or(|expires_at| expires_at > now_ms)
        })
    }

    /// The keys watched, in the order given, each once per time it was given.
    pub fn keys(&self) -> impl Iterator<Item = &Bytes> {
        self.keys.iter().map(|seen| &seen.key)
    }

    /// Records when the `index`th watched key expires, read after it was watched.
    pub fn expired_at(&mut self, index: usize, expires_at: Option<i64>) {
        if let Some(seen) = self.keys.get_mut(index) {
            seen.expires_at = expires_at;
        }
    }

    /// Records the watched keys' versions, read after they were watched, in order.
    pub(super) fn set_versions(&mut self, versions: Vec<Option<i64>>) {
        for (seen, version) in self.keys.iter_mut().zip(versions) {
            seen.version = version;
        }
    }

    /// The versions recorded, in the order the keys were given.
    pub(super) fn versions(&self) -> Vec<Option<i64>> {
        self.keys.iter().map(|seen| seen.version).collect()
    }

    /// Watches more keys too (WATCH may be sent many times before MULTI).
    pub fn extend(&mut self, mut more: Watch) {
        // Moved, so that dropping `more` releases nothing.
        self.keys.append(&mut more.keys);
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut watched = self.watches.keys();
        for seen in &self.keys {
            if let Some(entry) = watched.get_mut(&seen.key) {
                entry.watchers -= 1;
                if entry.watchers == 0 {
                    watched.remove(&seen.key);
                    self.watches.watched.fetch_sub(1, Ordering::AcqRel);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&'static str]) -> Vec<Bytes> {
        names.iter().map(|name| Bytes::from_static(name.as_bytes())).collect()
    }

    #[test]
    fn a_touch_after_watching_breaks_the_watch_and_others_do_not() {
        let watches = Arc::new(Watches::default());
        watches.touch(b"a");
        let watch = watches.watch(&keys(&["a", "b"]));
        watches.touch(b"c");
        assert!(watch.is_intact(0));
        watches.touch(b"b");
        assert!(!watch.is_intact(0));
        let again = watches.watch(&keys(&["b"]));
        assert!(again.is_intact(0));
    }

    #[test]
    fn the_watched_keys_are_listed_while_someone_watches_them() {
        let watches = Arc::new(Watches::default());
        assert!(watches.watched_keys().is_empty());
        let watch = watches.watch(&keys(&["a", "b"]));
        let mut listed = watches.watched_keys();
        listed.sort();
        assert_eq!(listed, keys(&["a", "b"]));
        drop(watch);
        assert!(watches.watched_keys().is_empty());
    }

    #[test]
    fn an_expiry_passing_breaks_the_watch() {
        let watches = Arc::new(Watches::default());
        let mut watch = watches.watch(&keys(&["a"]));
        watch.expired_at(0, Some(100));
        assert!(watch.is_intact(99));
        assert!(!watch.is_intact(100));
    }

    #[test]
    fn dropping_the_last_watch_of_a_key_forgets_it() {
        let watches = Arc::new(Watches::default());
        let first = watches.watch(&keys(&["a"]));
        let second = watches.watch(&keys(&["a", "b"]));
        assert_eq!(watches.watched.load(Ordering::Acquire), 2);
        drop(first);
        assert_eq!(watches.watched.load(Ordering::Acquire), 2);
        drop(second);
        assert_eq!(watches.watched.load(Ordering::Acquire), 0);
        assert!(watches.keys().is_empty());
    }
}
