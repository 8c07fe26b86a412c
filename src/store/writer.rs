//! The writer task: the only holder of the write connection, committing in groups.
//!
//! Requests queue on a channel. The task takes everything queued (up to [`MAX_BATCH`]),
//! runs it in one `BEGIN IMMEDIATE` transaction and commits once, so one fsync serves the
//! whole batch; only then is each request answered. If any statement or the commit fails,
//! the transaction is rolled back and every request in the batch gets the error: nothing
//! is acknowledged that was not committed.

use std::sync::Arc;

use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;
use tokio::sync::{Mutex, Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::cache::Cache;
use super::sqlite::{self, StringWrite};
use super::{Entry, StoreError};

/// The most writes committed together. Bounds one transaction's duration and memory, and
/// keeps `set_many`'s statements (5 bound values a write) far below SQLite's 32,766.
const MAX_BATCH: usize = 512;
/// Requests that may wait for the writer before senders are made to wait too.
const QUEUE_CAPACITY: usize = 4096;

type Reply = oneshot::Sender<Result<u64, StoreError>>;

/// One write, carrying where to send its result: a count (keys created or deleted).
#[derive(Debug)]
pub(super) enum WriteOp {
    Set { write: StringWrite, reply: Reply },
    Delete { key: Vec<u8>, now_ms: i64, reply: Reply },
    DeleteIfExpired { key: Vec<u8>, now_ms: i64, reply: Reply },
    PurgeExpired { now_ms: i64, limit: u32, reply: Reply },
}

impl WriteOp {
    fn as_string_write(&self) -> Option<&StringWrite> {
        match self {
            Self::Set { write, .. } => Some(write),
            _ => None,
        }
    }

    /// Applies one op on its own; runs of string writes go through `set_many` together.
    async fn apply(&self, conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
        match self {
            Self::Set { write, .. } => Ok(sqlite::set_many(conn, &[write]).await?[0]),
            Self::Delete { key, now_ms, .. } => sqlite::delete(conn, key, *now_ms).await,
            Self::DeleteIfExpired { key, now_ms, .. } => sqlite::delete_if_expired(conn, key, *now_ms).await,
            Self::PurgeExpired { now_ms, limit, .. } => sqlite::purge_expired(conn, *now_ms, *limit).await,
        }
    }

    /// Brings the cache in line with this committed op.
    fn record_in(&self, cache: &Cache) {
        match self {
            Self::Set { write, .. } => {
                let entry = Entry {
                    value: write.value.clone(),
                    expires_at: write.expires_at,
                };
                cache.write(&write.key, Some(entry));
            }
            Self::Delete { key, .. } | Self::DeleteIfExpired { key, .. } => cache.write(key, None),
            // Purged keys were expired, and readers ignore expired cache entries.
            Self::PurgeExpired { .. } => {}
        }
    }

    fn answer(self, result: Result<u64, StoreError>) {
        let (Self::Set { reply, .. }
        | Self::Delete { reply, .. }
        | Self::DeleteIfExpired { reply, .. }
        | Self::PurgeExpired { reply, .. }) = self;
        // The requester may have gone away (a dropped connection); its write stands regardless.
        let _ = reply.send(result);
    }
}

/// The sending side, shared by every clone of the store.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<WriteOp>,
    stop: Arc<Notify>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Writer {
    /// Starts the writer task, which keeps `cache` in line with what it commits.
    pub(super) fn start(conn: SqliteConnection, cache: Arc<Cache>) -> Self {
        let (queue, inbox) = mpsc::channel(QUEUE_CAPACITY);
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(run(conn, cache, inbox, Arc::clone(&stop)));
        Self {
            queue,
            stop,
            task: Arc::new(Mutex::new(Some(task))),
        }
    }

    /// Queues a write and waits until its batch committed (or failed).
    pub(super) async fn submit(&self, op: impl FnOnce(Reply) -> WriteOp) -> Result<u64, StoreError> {
        let (reply, result) = oneshot::channel();
        self.queue.send(op(reply)).await.map_err(|_| StoreError::Closed)?;
        result.await?
    }

    /// Commits everything already queued, then ends the task and closes the connection.
    pub(super) async fn stop(&self) {
        self.stop.notify_one();
        if let Some(task) = self.task.lock().await.take()
            && let Err(error) = task.await
        {
            tracing::error!(%error, "the writer task ended abnormally");
        }
    }
}

async fn run(mut conn: SqliteConnection, cache: Arc<Cache>, mut inbox: mpsc::Receiver<WriteOp>, stop: Arc<Notify>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        tokio::select! {
            // Queued writes go first, so a stop never strands one that was already accepted.
            biased;
            received = inbox.recv_many(&mut batch, MAX_BATCH) => {
                if received == 0 {
                    break;
                }
                commit_batch(&mut conn, &cache, &mut batch).await;
            }
            () = stop.notified() => {
                inbox.close();
                while inbox.recv_many(&mut batch, MAX_BATCH).await > 0 {
                    commit_batch(&mut conn, &cache, &mut batch).await;
                }
                break;
            }
        }
    }
    if let Err(error) = conn.close().await {
        tracing::warn!(error = ?error, "closing the write connection failed");
    }
}

/// Applies and commits one batch, then updates the cache and answers every request in it.
async fn commit_batch(conn: &mut SqliteConnection, cache: &Cache, batch: &mut Vec<WriteOp>) {
    match apply_all(conn, batch).await {
        Ok(counts) => {
            // The whole batch reaches the cache before any answer, so a client that saw one
            // write acknowledged never reads an older value of another key from its batch.
            for op in batch.iter() {
                op.record_in(cache);
            }
            for (op, count) in batch.drain(..).zip(counts) {
                op.answer(Ok(count));
            }
        }
        Err(error) => {
            tracing::error!(error = ?error, writes = batch.len(), "a write batch failed and was rolled back");
            for op in batch.drain(..) {
                op.answer(Err(error.clone()));
            }
        }
    }
}

async fn apply_all(conn: &mut SqliteConnection, batch: &[WriteOp]) -> Result<Vec<u64>, StoreError> {
    // IMMEDIATE takes the write lock up front: a deferred transaction that read first could
    // fail with SQLITE_BUSY_SNAPSHOT when upgrading, which no busy timeout can retry.
    // Dropping the transaction unfinished (an error below) rolls it back.
    let mut transaction = conn.begin_with("begin immediate").await?;
    let mut counts = Vec::with_capacity(batch.len());
    // Consecutive string writes go to the database together; anything else one by one.
    for run in batch.chunk_by(|a, b| a.as_string_write().is_some() && b.as_string_write().is_some()) {
        let writes: Option<Vec<&StringWrite>> = run.iter().map(WriteOp::as_string_write).collect();
        match writes {
            Some(writes) => counts.extend(sqlite::set_many(&mut transaction, &writes).await?),
            None => {
                for op in run {
                    counts.push(op.apply(&mut transaction).await?);
                }
            }
        }
    }
    transaction.commit().await?;
    Ok(counts)
}
