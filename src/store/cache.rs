//! A bounded in-memory cache of string values and JSON documents, and of keys known to be
//! missing, so a read hit skips the database.
//!
//! Coherence: only this process writes live values (the cleanup binary deletes only expired
//! rows, which every reader ignores anyway), and its writer updates the cache after each
//! commit, before answering. A read that missed fills the cache only if no write reached the
//! key's shard since the read was asked, so a value read before a commit can never overwrite
//! the one written by it (see [`Tickets`]).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Entry, KeyType};

const SHARDS: usize = 16;
/// Bookkeeping per entry beyond its key and value bytes (map slot, allocations).
const ENTRY_OVERHEAD: usize = 64;
/// A full shard evicts a 1/EVICTION_SLACK of its capacity beyond what the new entry needs, so
/// the pass over the map that eviction takes is paid once per many inserts.
const EVICTION_SLACK: usize = 16;

#[derive(Debug)]
pub(super) struct Cache {
    shards: Vec<Mutex<Shard>>,
    /// Each shard's count of writes, bumped under the shard's lock and read without it for
    /// [`Tickets`].
    writes: [AtomicU64; SHARDS],
    hasher: RandomState,
    shard_capacity: usize,
}

#[derive(Debug, Default)]
struct Shard {
    /// A key's string or document, or `None`: the key has no row at all.
    entries: HashMap<Box<[u8]>, Option<Cached>>,
    bytes: usize,
}

/// What the cache holds of a key with a value in its row: a string's, or a document's text
/// (the types whose value lives in their key's row).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Cached {
    pub(super) kind: KeyType,
    pub(super) entry: Entry,
}

/// Every shard's write count when a read was asked. What the read then finds in the database
/// fills the cache only if no write reached the key's shard since: the read's snapshot began
/// after it was asked, so it saw every write published before, and a write it missed was
/// published after, which moved the count. Taken when the read is asked rather than when it
/// looks, it holds for reads that share a snapshot begun by an earlier one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tickets([u64; SHARDS]);

impl Cache {
    /// A cache holding about `capacity` bytes of keys and values; 0 caches nothing.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            writes: std::array::from_fn(|_| AtomicU64::new(0)),
            hasher: RandomState::new(),
            shard_capacity: capacity / SHARDS,
        }
    }

    fn index(&self, key: &[u8]) -> usize {
        self.hasher.hash_one(key) as usize % SHARDS
    }

    fn shard(&self, key: &[u8]) -> std::sync::MutexGuard<'_, Shard> {
        self.lock(self.index(key))
    }

    fn lock(&self, index: usize) -> std::sync::MutexGuard<'_, Shard> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value cached for `key`.
    pub(super) fn get(&self, key: &[u8]) -> Option<Cached> {
        self.shard(key).entries.get(key).cloned().flatten()
    }

    /// Whether `key` is known to have no row: no string, no collection, nothing expired.
    pub(super) fn is_missing(&self, key: &[u8]) -> bool {
        matches!(self.shard(key).entries.get(key), Some(None))
    }

    /// The tickets of a read asked now.
    pub(super) fn tickets(&self) -> Tickets {
        Tickets(std::array::from_fn(|index| self.writes[index].load(Ordering::Acquire)))
    }

    /// Caches what a read found, unless a write reached the key's shard since the read was
    /// asked, with `tickets`.
    pub(super) fn fill(&self, key: &[u8], cached: Cached, tickets: &Tickets) {
        self.fill_with(key, Some(cached), tickets);
    }

    /// Caches that a read found no row for `key`, unless a write reached the key's shard
    /// since the read was asked, with `tickets`. Every write that gives the key a row (a
    /// string, a new collection) replaces or removes this.
    pub(super) fn fill_missing(&self, key: &[u8], tickets: &Tickets) {
        self.fill_with(key, None, tickets);
    }

    fn fill_with(&self, key: &[u8], entry: Option<Cached>, tickets: &Tickets) {
        let index = self.index(key);
        let mut shard = self.lock(index);
        // Read under the lock that every bump is made under: exact, not a stale count.
        if self.writes[index].load(Ordering::Relaxed) == tickets.0[index] {
            shard.insert(key, entry, self.shard_capacity);
        }
    }

    /// Records a committed write: the new entry, or `None` for a deleted key.
    pub(super) fn write(&self, key: &[u8], entry: Option<Cached>) {
        let index = self.index(key);
        let mut shard = self.lock(index);
        self.writes[index].fetch_add(1, Ordering::Release);
        match entry {
            Some(entry) => shard.insert(key, Some(entry), self.shard_capacity),
            None => shard.remove(key),
        }
    }

    /// Forgets every entry (the keyspace was emptied).
    pub(super) fn clear(&self) {
        for index in 0..SHARDS {
            let mut shard = self.lock(index);
            self.writes[index].fetch_add(1, Ordering::Release);
            shard.entries.clear();
            shard.bytes = 0;
        }
    }
}

fn cost(key: &[u8], entry: &Option<Cached>) -> usize {
    key.len() + entry.as_ref().map_or(0, |cached| cached.entry.value.len()) + ENTRY_OVERHEAD
}

impl Shard {
    /// Replaces any entry for `key`; an entry larger than the whole shard is not kept.
    fn insert(&mut self, key: &[u8], entry: Option<Cached>, capacity: usize) {
        self.remove(key);
        let added = cost(key, &entry);
        if added > capacity {
            return;
        }
        if self.bytes + added > capacity {
            self.evict(capacity.saturating_sub(added + capacity / EVICTION_SLACK));
        }
        self.bytes += added;
        self.entries.insert(key.into(), entry);
    }

    /// Evicts entries until at most `target` bytes remain, in one pass over the map that
    /// removes whatever it meets first: with no access order kept, this is about as good as
    /// random eviction, and costs nothing on a hit. Evicting one entry per insert instead
    /// scanned past the slots emptied by every earlier eviction (the map's first entries are
    /// the ones evicted): about three times the cost of an insert into a full shard.
    fn evict(&mut self, target: usize) {
        let mut bytes = self.bytes;
        self.entries.retain(|key, entry| {
            if bytes <= target {
                return true;
            }
            bytes -= cost(key, entry);
            false
        });
        self.bytes = bytes;
    }

    fn remove(&mut self, key: &[u8]) {
        if let Some(entry) = self.entries.remove(key) {
            self.bytes -= cost(key, &entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(value: &str) -> Cached {
        Cached {
            kind: KeyType::String,
            entry: Entry {
                value: value.as_bytes().to_vec().into(),
                expires_at: None,
            },
        }
    }

    #[test]
    fn a_fill_after_a_write_to_the_shard_is_dropped() {
        let cache = Cache::new(1 << 20);
        let stale_read = cache.tickets();
        cache.write(b"k", Some(entry("new")));
        cache.fill(b"k", entry("old"), &stale_read);
        assert_eq!(cache.get(b"k"), Some(entry("new")));

        cache.write(b"k", None);
        let fresh_read = cache.tickets();
        cache.fill(b"k", entry("fresh"), &fresh_read);
        assert_eq!(cache.get(b"k"), Some(entry("fresh")));
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = Cache::new(SHARDS * 1000);
        for index in 0..10_000 {
            cache.write(
                format!("key-{index}").as_bytes(),
                Some(entry("a value of some thirty bytes..")),
            );
        }
        for shard in &cache.shards {
            let shard = shard.lock().unwrap();
            assert!(
                shard.bytes <= 1000 && !shard.entries.is_empty(),
                "{} bytes",
                shard.bytes
            );
            let counted: usize = shard.entries.iter().map(|(key, entry)| cost(key, entry)).sum();
            assert_eq!(counted, shard.bytes);
        }
    }

    #[test]
    fn a_write_too_large_to_cache_still_evicts_the_old_value() {
        let cache = Cache::new(SHARDS * 100);
        cache.write(b"k", Some(entry("small")));
        cache.write(b"k", Some(entry(&"x".repeat(200))));
        assert_eq!(cache.get(b"k"), None, "the old value would be a stale read");
    }

    #[test]
    fn a_key_known_missing_is_forgotten_by_a_write_to_it() {
        let cache = Cache::new(1 << 20);
        cache.fill_missing(b"k", &cache.tickets());
        assert!(cache.is_missing(b"k"));
        assert_eq!(cache.get(b"k"), None);
        cache.write(b"k", None);
        assert!(!cache.is_missing(b"k"), "a collection created there: unknown again");
        cache.fill_missing(b"k", &cache.tickets());
        cache.write(b"k", Some(entry("v")));
        assert!(!cache.is_missing(b"k"));
        assert_eq!(cache.get(b"k"), Some(entry("v")));
    }

    #[test]
    fn a_zero_capacity_cache_holds_nothing() {
        let cache = Cache::new(0);
        cache.write(b"k", Some(entry("v")));
        assert_eq!(cache.get(b"k"), None);
    }
}
