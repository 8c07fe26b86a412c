//! The writer: the only holder of the write connection, committing in groups, on a thread
//! of its own.
//!
//! Requests queue on a channel. The task takes everything queued (up to the backend's
//! batch limit: 512 on SQLite), runs it in one transaction and commits once, so one fsync serves the
//! whole batch; only then is each request answered. Each job runs in a savepoint of its
//! own: a job that fails is rolled back alone and only its requester gets the error. If
//! the commit fails, every request in the batch gets the error: nothing is acknowledged
//! that was not committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
pub use futures_util::future::BoxFuture;
use tokio::sync::{Mutex, Notify, mpsc, oneshot};

use super::backend::{Keys, WriteConnection};
use super::blocked::Blocked;
use super::cache::Cache;
use super::events::Listeners;
use super::view::{Batch, WriteTx};
use super::watches::Watches;
use super::{StoreError, StringWrite};

/// Requests that may wait for the writer before senders are made to wait too.
const QUEUE_CAPACITY: usize = 4096;

/// Work that runs inside the writer's transaction, beside the rest of its batch. What it
/// returns reaches the caller of [`Store::write`](super::Store::write) once the batch committed.
pub trait WriteJob: Send + 'static {
    type Output: Send + 'static;

    /// The keys the job will touch, which a database shared by several servers locks before
    /// the batch runs (a key it touches unclaimed is locked as it goes, if it is free).
    fn claims(&self) -> Claims {
        Claims::default()
    }

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<Self::Output, StoreError>>;

    /// Whether `output` reports a failure of the job's own (a script's error): its writes
    /// are undone, and `output` is still its answer.
    fn failed(_output: &Self::Output) -> bool {
        false
    }
}

/// What a write will touch: some keys, or every key (FLUSHDB).
#[derive(Clone, Debug, Default)]
pub struct Claims {
    pub keys: Vec<Bytes>,
    pub everything: bool,
}

impl Claims {
    pub fn keys(keys: Vec<Bytes>) -> Self {
        Self {
            keys,
            everything: false,
        }
    }

    /// Adds what `other` claims.
    pub fn extend(&mut self, other: Claims) {
        self.keys.extend(other.keys);
        self.everything |= other.everything;
    }
}

/// A write's output, once committed, with the write's number: one more than the number of
/// writes committed before it.
pub(super) struct Committed<T> {
    pub(super) output: T,
    pub(super) sequence: u64,
}

type Reply<T> = oneshot::Sender<Result<Committed<T>, StoreError>>;

/// One queued request, carrying where to send its result.
pub(super) enum WriteOp {
    /// A plain string upsert: runs of these go to the database together.
    Put {
        write: StringWrite,
        /// Whether the requester wants to know if the write created its key, which costs a
        /// lookup: the write's answer is `false` otherwise.
        asks_created: bool,
        reply: Reply<bool>,
    },
    Job(Box<dyn QueuedJob>),
}

impl WriteOp {
    pub(super) fn job<J: WriteJob>(job: J, reply: Reply<J::Output>) -> Self {
        Self::Job(Box::new(Pending {
            job,
            outcome: None,
            reply,
        }))
    }

    fn as_string_write(&self) -> Option<&StringWrite> {
        match self {
            Self::Put { write, .. } => Some(write),
            Self::Job(_) => None,
        }
    }

    fn asks_created(&self) -> bool {
        matches!(self, Self::Put { asks_created: true, .. })
    }

    fn claims(&self) -> Claims {
        match self {
            Self::Put { write, .. } => Claims::keys(vec![write.key.clone()]),
            Self::Job(job) => job.claims(),
        }
    }

    /// Sends the outcome; `committed` is the batch's, with this write's number.
    fn answer(self, committed: Result<u64, StoreError>, created: bool) {
        // The requester may have gone away (a dropped connection); its write stands regardless.
        match self {
            Self::Put { reply, .. } => drop(reply.send(committed.map(|sequence| Committed {
                output: created,
                sequence,
            }))),
            Self::Job(job) => job.answer(committed),
        }
    }
}

/// A [`WriteJob`] with its reply channel, behind one object-safe interface.
pub(super) trait QueuedJob: Send {
    /// Runs the job in its savepoint. `Err` only if the savepoint itself failed, which
    /// fails the batch; the job's own failure is kept for its answer.
    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<(), StoreError>>;
    fn claims(&self) -> Claims;
    fn answer(self: Box<Self>, committed: Result<u64, StoreError>);
}

struct Pending<J: WriteJob> {
    job: J,
    /// What the job returned, once it ran.
    outcome: Option<Result<J::Output, StoreError>>,
    reply: Reply<J::Output>,
}

impl<J: WriteJob> QueuedJob for Pending<J> {
    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.outcome = Some(tx.run_in_savepoint(&mut self.job).await?);
            Ok(())
        })
    }

    fn claims(&self) -> Claims {
        self.job.claims()
    }

    fn answer(self: Box<Self>, committed: Result<u64, StoreError>) {
        let Self { outcome, reply, .. } = *self;
        let result = committed.and_then(|sequence| {
            let output = outcome.expect("every job of a committed batch ran")?;
            Ok(Committed { output, sequence })
        });
        let _ = reply.send(result);
    }
}

/// The sending side, shared by every clone of the store.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<WriteOp>,
    stop: Arc<Notify>,
    /// Says when the writer's thread has finished.
    finished: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
}

impl Writer {
    /// Starts the writer task, which keeps `cache` in line with what it commits and counts
    /// committed writes in `sequence`.
    pub(super) async fn start(
        conn: WriteConnection,
        cache: Arc<Cache>,
        sequence: Arc<AtomicU64>,
        out_of_space: Arc<AtomicBool>,
        watches: Arc<Watches>,
        blocked: Blocked,
        listeners: Arc<Listeners>,
    ) -> Result<Self, StoreError> {
        let (queue, inbox) = mpsc::channel(QUEUE_CAPACITY);
        let stop = Arc::new(Notify::new());
        let shared = conn.is_shared();
        let committer = Committer {
            conn,
            batch: Batch::new(watches, blocked, listeners, shared),
            cache,
            sequence,
            out_of_space,
        };
        let finished = committer.spawn(inbox, Arc::clone(&stop))?;
        Ok(Self {
            queue,
            stop,
            finished: Arc::new(Mutex::new(Some(finished))),
        })
    }

    /// Queues a request; its reply channel says when its batch committed (or failed).
    pub(super) async fn submit(&self, op: WriteOp) -> Result<(), StoreError> {
        self.queue.send(op).await.map_err(|_| StoreError::Closed)
    }

    /// Queues a request without waiting for room; `false` if there was none.
    pub(super) fn try_submit(&self, op: WriteOp) -> bool {
        self.queue.try_send(op).is_ok()
    }

    /// Commits everything already queued, then ends the writer and closes the connection.
    pub(super) async fn stop(&self) {
        self.stop.notify_one();
        if let Some(finished) = self.finished.lock().await.take()
            && finished.await.is_err()
        {
            tracing::error!("the writer's thread ended abnormally");
        }
    }
}

impl std::fmt::Debug for WriteOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Put { write, .. } => f.debug_tuple("Put").field(write).finish(),
            Self::Job(_) => f.write_str("Job"),
        }
    }
}

struct Committer {
    conn: WriteConnection,
    batch: Batch,
    cache: Arc<Cache>,
    sequence: Arc<AtomicU64>,
    /// Set when a batch is refused for a full disk (see `Store::check_writable`).
    out_of_space: Arc<AtomicBool>,
}

impl Committer {
    /// Runs the writer on a thread of its own, with a runtime of its own: a Lua script runs
    /// there synchronously, holding the writer (as a script must) and nothing else. The
    /// receiver hears when it has finished.
    fn spawn(self, inbox: mpsc::Receiver<WriteOp>, stop: Arc<Notify>) -> Result<oneshot::Receiver<()>, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| StoreError::Refused(format!("could not start the writer's runtime: {error}")))?;
        let (finished, on_finish) = oneshot::channel();
        std::thread::Builder::new()
            .name("litekv-writer".to_owned())
            .spawn(move || {
                runtime.block_on(self.run(inbox, stop));
                let _ = finished.send(());
            })
            .map_err(|error| StoreError::Refused(format!("could not start the writer's thread: {error}")))?;
        Ok(on_finish)
    }

    async fn run(mut self, mut inbox: mpsc::Receiver<WriteOp>, stop: Arc<Notify>) {
        // The most requests committed together: bounds one transaction's duration and memory.
        let limit = self.conn.batch_limit();
        let mut batch = Vec::with_capacity(limit);
        loop {
            tokio::select! {
                // Queued writes go first, so a stop never strands one that was already accepted.
                biased;
                received = inbox.recv_many(&mut batch, limit) => {
                    if received == 0 {
                        break;
                    }
                    self.commit_batch(&mut batch).await;
                }
                () = stop.notified() => {
                    inbox.close();
                    while inbox.recv_many(&mut batch, limit).await > 0 {
                        self.commit_batch(&mut batch).await;
                    }
                    break;
                }
            }
        }
        if let Err(error) = self.conn.close().await {
            tracing::warn!(error = ?error, "checkpointing and closing the write connection failed");
        }
    }

    /// Applies and commits one batch, then updates the cache and answers every request in it.
    async fn commit_batch(&mut self, batch: &mut Vec<WriteOp>) {
        let started = Instant::now();
        let applied = self.apply_all(batch).await;
        metrics::histogram!("litekv_write_batch_size").record(batch.len() as f64);
        metrics::histogram!("litekv_write_commit_seconds").record(started.elapsed().as_secs_f64());
        match applied {
            Ok(created) => {
                let first = self.sequence.fetch_add(batch.len() as u64, Ordering::AcqRel) + 1;
                // The whole batch reaches the cache before any answer, so a client that saw one
                // write acknowledged never reads an older value of another key from its batch.
                self.batch.publish(&self.cache);
                // Blocked clients served in the batch are answered before the batch's requests,
                // so one that asked to stop waiting knows, once answered, whether it was served.
                self.batch.blocked.settle(&Ok(()));
                for ((op, created), sequence) in batch.drain(..).zip(created).zip(first..) {
                    op.answer(Ok(sequence), created);
                }
            }
            Err(error) => {
                self.batch.discard();
                if let Err(rollback) = self.conn.rollback().await {
                    tracing::error!(error = ?rollback, "rolling back a failed batch failed");
                }
                metrics::counter!("litekv_write_batches_failed_total").increment(1);
                if matches!(error, StoreError::Full(_)) {
                    self.out_of_space.store(true, Ordering::Release);
                }
                tracing::error!(error = ?error, requests = batch.len(), "a write batch failed and was rolled back");
                self.batch.blocked.settle(&Err(error.clone()));
                for op in batch.drain(..) {
                    op.answer(Err(error.clone()), false);
                }
            }
        }
    }

    /// Runs every request of the batch in one transaction and commits it. Returns, per request,
    /// whether it created its key (meaningful for string writes only).
    async fn apply_all(&mut self, batch: &mut [WriteOp]) -> Result<Vec<bool>, StoreError> {
        self.conn.begin().await?;
        if self.conn.is_shared() {
            self.conn.claim(&claims_of(batch)).await?;
        }
        self.batch.begin();
        let mut tx = WriteTx::new(self.conn.conn(), &mut self.batch, &self.cache);
        let mut created = Vec::with_capacity(batch.len());
        // Consecutive string writes go to the database together; jobs one by one.
        for run in batch.chunk_by_mut(|a, b| a.as_string_write().is_some() && b.as_string_write().is_some()) {
            match run {
                [WriteOp::Job(job)] => {
                    job.run(&mut tx).await?;
                    created.push(false);
                }
                strings => {
                    let writes: Vec<&StringWrite> = strings.iter().filter_map(WriteOp::as_string_write).collect();
                    if tx.wants_events() || strings.iter().any(WriteOp::asks_created) {
                        let run_created = tx.put_strings_reporting_created(&writes).await?;
                        tx.notify_strings_set(&writes, &run_created);
                        created.extend(run_created);
                    } else {
                        tx.put_strings(&writes).await?;
                        created.extend(std::iter::repeat_n(false, writes.len()));
                    }
                }
            }
            // As in Redis, clients blocked on a key are served right after the write that
            // filled it, before any later command can take what it left.
            tx.serve_blocked().await?;
        }
        let message = tx.batch.message_to_others();
        let versioned = tx.batch.take_versioned();
        if !versioned.is_empty() {
            tx.unchanging().bump_key_versions(&versioned).await?;
        }
        if let Some(message) = message {
            self.conn.send_on_commit(&message).await?;
        }
        self.conn.commit().await?;
        Ok(created)
    }
}

/// Everything a batch's requests claim.
fn claims_of(batch: &[WriteOp]) -> Claims {
    let mut claims = Claims::default();
    for op in batch {
        claims.extend(op.claims());
    }
    claims
}
