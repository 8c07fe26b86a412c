//! Typed access to the keyspace: [`ReadView`] for reads, [`WriteTx`] for the writer's
//! transaction. Commands use these and never see SQL.

use bytes::Bytes;
use sqlx::Sqlite;
use sqlx::SqlitePool;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteConnection;

use super::cache::Cache;
use super::sqlite;
use super::{Entry, Lookup, StoreError, StringWrite, is_live};

/// Reads as of one moment, `now_ms`: from the read pool through the cache, or inside the
/// writer's transaction (where uncommitted writes of the batch are visible, and the cache,
/// which holds only committed data, is not consulted).
///
/// Keys found expired are remembered; see [`ReadView::take_expired`].
pub struct ReadView<'a> {
    source: Source<'a>,
    now_ms: i64,
    expired: Vec<Bytes>,
}

enum Source<'a> {
    Pool {
        readers: &'a SqlitePool,
        /// `None` once the view reads a consistent snapshot, which the cache cannot give.
        cache: Option<&'a Cache>,
        held: Held,
    },
    Transaction(&'a mut SqliteConnection),
}

/// The pooled connection a view holds.
enum Held {
    /// None yet: acquired on the first query, so a read served by the cache takes none.
    Nothing,
    Connection(PoolConnection<Sqlite>),
    /// A read transaction: every query sees the same committed state. Rolled back on drop.
    Snapshot(sqlx::Transaction<'static, Sqlite>),
}

/// One step of a keyspace walk (SCAN).
#[derive(Debug)]
pub struct ScanPage {
    pub keys: Vec<Bytes>,
    /// Where the next step starts, or `None` when the walk is complete.
    pub next: Option<u64>,
}

impl<'a> ReadView<'a> {
    pub(super) fn pooled(readers: &'a SqlitePool, cache: &'a Cache, now_ms: i64) -> Self {
        Self {
            source: Source::Pool {
                readers,
                cache: Some(cache),
                held: Held::Nothing,
            },
            now_ms,
            expired: Vec::new(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    async fn conn(&mut self) -> Result<&mut SqliteConnection, StoreError> {
        let (readers, held) = match &mut self.source {
            Source::Transaction(conn) => return Ok(conn),
            Source::Pool { readers, held, .. } => (*readers, held),
        };
        if let Held::Nothing = held {
            *held = Held::Connection(readers.acquire().await?);
        }
        Ok(match held {
            Held::Connection(conn) => conn,
            Held::Snapshot(transaction) => transaction,
            Held::Nothing => unreachable!("a connection was just acquired"),
        })
    }

    /// Makes every later read of this view see one consistent state, as a multi-key read
    /// must: never one key before a commit and another after it.
    pub async fn consistent(&mut self) -> Result<(), StoreError> {
        if let Source::Pool { readers, cache, held } = &mut self.source
            && !matches!(held, Held::Snapshot(_))
        {
            *cache = None;
            *held = Held::Snapshot(readers.begin().await?);
        }
        Ok(())
    }

    /// A live entry from the cache, if this view reads through it. An expired cached entry
    /// falls through: the database says whether the row is still there, for the lazy delete.
    fn cached(&self, key: &[u8]) -> Option<Entry> {
        let entry = self.cache()?.get(key)?;
        is_live(entry.expires_at, self.now_ms).then_some(entry)
    }

    fn cache(&self) -> Option<&'a Cache> {
        match &self.source {
            Source::Pool { cache, .. } => *cache,
            Source::Transaction(_) => None,
        }
    }

    /// A key's value and expiry.
    pub async fn lookup(&mut self, key: &[u8]) -> Result<Lookup, StoreError> {
        let now_ms = self.now_ms;
        if let Some(entry) = self.cached(key) {
            return Ok(Lookup::Live(entry));
        }
        let cache = self.cache();
        let ticket = cache.map(|cache| cache.ticket(key));
        let lookup = match sqlite::get(self.conn().await?, key).await? {
            None => Lookup::Missing,
            Some(entry) if !is_live(entry.expires_at, now_ms) => Lookup::Expired,
            Some(entry) => Lookup::Live(entry),
        };
        match (&lookup, cache.zip(ticket)) {
            (Lookup::Live(entry), Some((cache, ticket))) => cache.fill(key, entry.clone(), ticket),
            (Lookup::Expired, _) => self.expired.push(Bytes::copy_from_slice(key)),
            _ => {}
        }
        Ok(lookup)
    }

    /// A live key's value and expiry.
    pub async fn get(&mut self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        Ok(self.lookup(key).await?.live())
    }

    /// A live key's expiry (`Some(None)`: it never expires), without reading its value.
    pub async fn expiry(&mut self, key: &[u8]) -> Result<Option<Option<i64>>, StoreError> {
        if let Some(entry) = self.cached(key) {
            return Ok(Some(entry.expires_at));
        }
        let now_ms = self.now_ms;
        match sqlite::expiry(self.conn().await?, key).await? {
            Some(expires_at) if !is_live(expires_at, now_ms) => {
                self.expired.push(Bytes::copy_from_slice(key));
                Ok(None)
            }
            found => Ok(found),
        }
    }

    /// Live keys from `start` on, `count` rows of the keyspace per step, in an order that
    /// keys keep for as long as they live: a full walk returns every key that existed
    /// throughout it, however many are added or removed meanwhile.
    pub async fn scan(&mut self, start: u64, count: u32) -> Result<ScanPage, StoreError> {
        let now_ms = self.now_ms;
        let after = i64::try_from(start).unwrap_or(i64::MAX);
        let rows = sqlite::scan(self.conn().await?, after, count, now_ms).await?;
        let next = (rows.len() == count as usize)
            .then(|| rows.last().map(|(id, _)| *id as u64))
            .flatten();
        Ok(ScanPage {
            keys: rows.into_iter().map(|(_, key)| key.into()).collect(),
            next,
        })
    }

    /// Every live key that starts with `prefix`, in key order.
    pub async fn keys_with_prefix(&mut self, prefix: &[u8]) -> Result<Vec<Bytes>, StoreError> {
        let now_ms = self.now_ms;
        let keys = sqlite::keys_with_prefix(self.conn().await?, prefix, now_ms).await?;
        Ok(keys.into_iter().map(Bytes::from).collect())
    }

    pub async fn count(&mut self) -> Result<u64, StoreError> {
        let now_ms = self.now_ms;
        Ok(sqlite::count_live(self.conn().await?, now_ms).await?)
    }

    pub async fn random_key(&mut self) -> Result<Option<Bytes>, StoreError> {
        let now_ms = self.now_ms;
        Ok(sqlite::random_key(self.conn().await?, now_ms).await?.map(Bytes::from))
    }

    /// The expired keys this view came across, which the caller should delete (lazy expiry).
    pub fn take_expired(&mut self) -> Vec<Bytes> {
        std::mem::take(&mut self.expired)
    }
}

/// The writer's open transaction. Everything done here commits (or rolls back) with the
/// rest of its batch; the cache learns of it only after the commit.
pub struct WriteTx<'a> {
    conn: &'a mut SqliteConnection,
    changes: &'a mut Changes,
}

impl<'a> WriteTx<'a> {
    pub(super) fn new(conn: &'a mut SqliteConnection, changes: &'a mut Changes) -> Self {
        Self { conn, changes }
    }

    /// Reads inside this transaction, as of `now_ms`.
    pub fn read(&mut self, now_ms: i64) -> ReadView<'_> {
        ReadView {
            source: Source::Transaction(self.conn),
            now_ms,
            expired: Vec::new(),
        }
    }

    /// Upserts a string, replacing any value and expiry. Returns whether the key was created.
    pub async fn put(
        &mut self,
        key: Bytes,
        value: Bytes,
        expires_at: Option<i64>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let write = StringWrite {
            key,
            value,
            expires_at,
            now_ms,
        };
        Ok(self.put_strings(&[&write]).await?[0])
    }

    /// Upserts several strings in order, in three statements.
    pub(super) async fn put_strings(&mut self, writes: &[&StringWrite]) -> Result<Vec<bool>, StoreError> {
        let created = sqlite::set_many(self.conn, writes).await?;
        for write in writes {
            let entry = Entry {
                value: write.value.clone(),
                expires_at: write.expires_at,
            };
            self.changes.0.push(Change::Put(write.key.clone(), entry));
        }
        Ok(created)
    }

    /// Sets or clears (`None`) the expiry of an existing key.
    pub async fn set_expiry(&mut self, key: &[u8], expires_at: Option<i64>) -> Result<(), StoreError> {
        sqlite::set_expiry(self.conn, key, expires_at).await?;
        self.forget(key);
        Ok(())
    }

    /// Deletes a key. Returns whether a live key was deleted (an expired row is removed too,
    /// but does not count, as in Redis).
    pub async fn delete(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let deleted = sqlite::delete(self.conn, key, now_ms).await?;
        self.forget(key);
        Ok(deleted)
    }

    /// Deletes each key that is still expired at `now_ms`, so a lazy delete can never remove
    /// a value that another request set a moment before.
    /// Returns how many were deleted.
    pub async fn delete_if_expired(&mut self, keys: &[Bytes], now_ms: i64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        for key in keys {
            if sqlite::delete_if_expired(self.conn, key, now_ms).await? {
                self.forget(key);
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// Moves a live key, value and expiry, to `to`, replacing whatever `to` held.
    pub async fn rename(&mut self, from: &[u8], to: &[u8], now_ms: i64) -> Result<(), StoreError> {
        sqlite::rename(self.conn, from, to, now_ms).await?;
        self.forget(from);
        self.forget(to);
        Ok(())
    }

    /// Deletes every key.
    pub async fn delete_all(&mut self) -> Result<(), StoreError> {
        sqlite::delete_all(self.conn).await?;
        self.changes.0.push(Change::Clear);
        Ok(())
    }

    /// Deletes at most `limit` keys that expired by `now_ms`. Returns how many.
    pub async fn purge_expired(&mut self, now_ms: i64, limit: u32) -> Result<u64, StoreError> {
        // Purged keys were expired, and readers ignore expired cache entries: no change to record.
        Ok(sqlite::purge_expired(self.conn, now_ms, limit).await?)
    }

    /// Writes the readiness row, proving the database accepts writes.
    pub async fn record_readiness(&mut self, now_ms: i64) -> Result<(), StoreError> {
        Ok(sqlite::record_readiness(self.conn, now_ms).await?)
    }

    fn forget(&mut self, key: &[u8]) {
        self.changes.0.push(Change::Remove(Bytes::copy_from_slice(key)));
    }
}

/// What a batch did to keys, replayed on the cache in order once the batch committed.
#[derive(Default)]
pub(super) struct Changes(Vec<Change>);

enum Change {
    Put(Bytes, Entry),
    Remove(Bytes),
    Clear,
}

impl Changes {
    pub(super) fn apply_to(self, cache: &Cache) {
        for change in self.0 {
            match change {
                Change::Put(key, entry) => cache.write(&key, Some(entry)),
                Change::Remove(key) => cache.write(&key, None),
                Change::Clear => cache.clear(),
            }
        }
    }
}
