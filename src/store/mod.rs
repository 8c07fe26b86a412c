//! Storage: the only code that writes SQL.
//!
//! A [`Store`] is a pool of read connections plus one writer task that owns the only write
//! connection and commits everything queued in one transaction (group commit). Reads never
//! wait for writes (WAL), and a write's future resolves only after its transaction committed.
//! A bounded cache in front of the read pool, kept coherent by the writer, serves repeated reads.
//! Every time-dependent operation takes `now_ms`, so callers decide what "now" is.

mod cache;
mod sqlite;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use sqlx::SqlitePool;
use tokio::sync::oneshot;

use cache::Cache;
use sqlite::StringWrite;
use writer::{WriteOp, Writer};

/// How much a commit is worth protecting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Durability {
    /// Every commit is fsynced: an acknowledged write survives power loss.
    Full,
    /// Commits survive a crash of the process, but the last ones may roll back on power loss.
    Normal,
}

/// Everything needed to open a [`Store`].
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// `sqlite://path` (created if missing) or any URL sqlx's SQLite driver accepts.
    pub database_url: String,
    pub durability: Durability,
    pub read_connections: u32,
    /// How long a connection waits for a lock held by another process (the cleanup binary).
    pub busy_timeout: Duration,
    /// Bytes of keys and values kept in memory for reads; 0 turns the cache off.
    pub cache_bytes: usize,
}

/// What a key holds, as of the time a read was asked about.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Live(Entry),
    /// The row is still there but its expiry has passed: the key is gone for every reader.
    Expired,
    Missing,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub value: Bytes,
    /// Unix milliseconds, or `None` for a key that never expires.
    pub expires_at: Option<i64>,
}

/// Why a storage operation failed. Cheap to clone, because one failed commit fails every
/// request in its batch.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is busy")]
    Busy(#[source] Arc<sqlx::Error>),
    #[error("the database's disk is full")]
    Full(#[source] Arc<sqlx::Error>),
    #[error("database error")]
    Database(#[source] Arc<sqlx::Error>),
    #[error("the store is closed")]
    Closed,
}

/// Handle to the database; clones share the same connections and writer.
#[derive(Clone, Debug)]
pub struct Store {
    readers: SqlitePool,
    writer: Writer,
    cache: Arc<Cache>,
}

impl Store {
    /// Opens (creating if missing) and migrates the database, then starts the writer task.
    /// Must be called inside a tokio runtime, which the writer task then runs on.
    pub async fn open(options: &StoreOptions) -> Result<Self, sqlx::Error> {
        let mut write_connection = sqlite::connect_writer(options).await?;
        sqlite::MIGRATOR.run(&mut write_connection).await?;
        let readers = sqlite::connect_readers(options).await?;
        let cache = Arc::new(Cache::new(options.cache_bytes));
        Ok(Self {
            readers,
            writer: Writer::start(write_connection, Arc::clone(&cache)),
            cache,
        })
    }

    /// Reads a key's value and expiry, classifying it against `now_ms`.
    pub async fn get(&self, key: &[u8], now_ms: i64) -> Result<Lookup, StoreError> {
        // An expired cached entry falls through: the database says whether the row is
        // still there, for the lazy delete.
        if let Some(entry) = self.cache.get(key).filter(|entry| is_live(entry.expires_at, now_ms)) {
            return Ok(Lookup::Live(entry));
        }
        let ticket = self.cache.ticket(key);
        let lookup = sqlite::get(&self.readers, key, now_ms).await?;
        if let Lookup::Live(entry) = &lookup {
            self.cache.fill(key, entry.clone(), ticket);
        }
        Ok(lookup)
    }

    /// Upserts a string value. Returns whether the key was created: it did not exist, or had
    /// expired. `expires_at: None` clears any earlier expiry.
    pub async fn set(
        &self,
        key: &[u8],
        value: Vec<u8>,
        expires_at: Option<i64>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let created = self
            .writer
            .submit(|reply| {
                let write = StringWrite {
                    key: key.to_vec(),
                    value: value.into(),
                    expires_at,
                    now_ms,
                };
                WriteOp::Set { write, reply }
            })
            .await?;
        Ok(created == 1)
    }

    /// Deletes a key. Returns whether a live key was deleted (an expired row is removed too,
    /// but does not count, as in Redis).
    pub async fn delete(&self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let deleted = self
            .writer
            .submit(|reply| WriteOp::Delete {
                key: key.to_vec(),
                now_ms,
                reply,
            })
            .await?;
        Ok(deleted == 1)
    }

    /// Deletes a key only if it is still expired at `now_ms`, so a lazy delete can never
    /// remove a value that another request set a moment before.
    pub async fn delete_if_expired(&self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let deleted = self
            .writer
            .submit(|reply| WriteOp::DeleteIfExpired {
                key: key.to_vec(),
                now_ms,
                reply,
            })
            .await?;
        Ok(deleted == 1)
    }

    /// Deletes at most `limit` keys that expired by `now_ms`, in one transaction of their own
    /// unless other writes share it. Returns how many were deleted.
    pub async fn purge_expired_batch(&self, now_ms: i64, limit: u32) -> Result<u64, StoreError> {
        self.writer
            .submit(|reply| WriteOp::PurgeExpired { now_ms, limit, reply })
            .await
    }

    /// Checks that the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        Ok(sqlite::ping(&self.readers).await?)
    }

    /// Commits what is queued, stops the writer and closes every connection. Writes
    /// submitted afterwards fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        self.writer.stop().await;
        self.readers.close().await;
    }
}

/// The one expiry rule, for rows and cached entries alike: a key is live until its expiry.
fn is_live(expires_at: Option<i64>, now_ms: i64) -> bool {
    expires_at.is_none_or(|expires_at| expires_at > now_ms)
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match sqlite::classify(&error) {
            sqlite::Failure::Busy => Self::Busy(Arc::new(error)),
            sqlite::Failure::Full => Self::Full(Arc::new(error)),
            sqlite::Failure::Other => Self::Database(Arc::new(error)),
        }
    }
}

impl From<oneshot::error::RecvError> for StoreError {
    fn from(_: oneshot::error::RecvError) -> Self {
        Self::Closed
    }
}
