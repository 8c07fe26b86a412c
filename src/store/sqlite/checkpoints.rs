//! Checkpoints off the commit path. In WAL mode a commit appends pages to the log; a
//! checkpoint copies them into the database file. SQLite runs one inside the commit that
//! crosses 1,000 pages, which measured at a third of the writer's time under load. Here the
//! writer never checkpoints on its own (`wal_autocheckpoint=0`), and a task with a connection
//! of its own runs a passive checkpoint a few times a second: it copies what it can beside the
//! writer and the readers, waiting for neither.
//!
//! The log starts over from its beginning only when a write begins after a checkpoint copied
//! all of it, which a passive checkpoint racing a steady stream of writes may never manage:
//! the log would grow for as long as the writes go on (measured: 136-199 MB in 12 s of SETs over
//! 1M keys). A restarting checkpoint from this task would hold the writer back while it
//! waits, and SQLite's busy handler waits in steps of up to 100 ms (measured: SET's p99 went
//! from 20 to 127 ms). So once the log holds more than [`RESTART_PAGES`] and a passive
//! checkpoint has left little to copy, the task asks the writer to finish it: between two of
//! its transactions, the only writer copies the last pages with a passive checkpoint of its
//! own, which never waits, and its next transaction starts the log over. That costs a pause
//! of tens of milliseconds (measured over 1M keys under 64 writers: SET's p99 43-61 ms with
//! it, 19-31 ms without, while the log grew to 349 MB in 20 s), so it happens once per
//! 128 MiB of log: the log's size stays bounded at little cost to the p99.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use sqlx::SqliteConnection as Connection;

use crate::store::StoreError;

/// How often the log is copied into the database file.
const INTERVAL: Duration = Duration::from_millis(200);
/// Pages in the log past which it is made to start over (128 MiB at 1 KiB pages)...
const RESTART_PAGES: i64 = 131_072;
/// ...by the writer, once a passive checkpoint here has left at most this many to copy.
const PAGES_LEFT_FOR_THE_WRITER: i64 = 1_024;

/// A checkpoint asked for now (SAVE), and where its outcome goes.
type Asked = oneshot::Sender<Result<(), sqlx::Error>>;

#[derive(Clone, Debug)]
pub(super) struct Checkpointer {
    stop: Arc<Notify>,
    asks: mpsc::UnboundedSender<Asked>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
    /// Set when the writer should finish the log; see the module's comment.
    finish_wanted: Arc<AtomicBool>,
}

impl Checkpointer {
    pub(super) fn start(conn: Connection) -> Self {
        let stop = Arc::new(Notify::new());
        let finish_wanted = Arc::new(AtomicBool::new(false));
        let (asks, asked) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(conn, Arc::clone(&stop), asked, Arc::clone(&finish_wanted)));
        Self {
            stop,
            asks,
            task: Arc::new(Mutex::new(Some(task))),
            finish_wanted,
        }
    }

    /// Whether the writer should finish the log now; asks once per request.
    pub(super) fn take_finish_request(&self) -> bool {
        self.finish_wanted.swap(false, Ordering::AcqRel)
    }

    /// Copies the log into the database file now, as far as readers allow, beside the
    /// writer (SAVE): resolves once it did.
    pub(super) async fn checkpoint_now(&self) -> Result<(), StoreError> {
        Ok(self.ask()?.await.map_err(|_| StoreError::Closed)??)
    }

    /// Asks for a checkpoint now, without waiting for it (BGSAVE).
    pub(super) fn checkpoint_soon(&self) -> Result<(), StoreError> {
        self.ask().map(drop)
    }

    fn ask(&self) -> Result<oneshot::Receiver<Result<(), sqlx::Error>>, StoreError> {
        let (reply, outcome) = oneshot::channel();
        self.asks.send(reply).map_err(|_| StoreError::Closed)?;
        Ok(outcome)
    }

    /// Ends the task and closes its connection.
    pub(super) async fn stop(&self) {
        self.stop.notify_one();
        if let Some(task) = self.task.lock().await.take()
            && let Err(error) = task.await
        {
            tracing::error!(%error, "the checkpoint task ended abnormally");
        }
    }
}

async fn run(
    mut conn: Connection,
    stop: Arc<Notify>,
    mut asked: mpsc::UnboundedReceiver<Asked>,
    finish_wanted: Arc<AtomicBool>,
) {
    let mut ticks = tokio::time::interval(INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            () = stop.notified() => break,
            Some(reply) = asked.recv() => {
                let _ = reply.send(checkpoint(&mut conn, &finish_wanted).await);
            }
            _ = ticks.tick() => {
                // A failure (the disk is full, the file is locked) leaves the pages in the log,
                // where readers find them; the next tick tries again. Logged when checkpoints
                // start failing and when they recover, not five times a second.
                match (checkpoint(&mut conn, &finish_wanted).await, failing) {
                    (Err(error), false) => {
                        tracing::warn!(error = ?error, "checkpoints are failing; retrying every {} ms", INTERVAL.as_millis());
                        failing = true;
                    }
                    (Ok(()), true) => {
                        tracing::info!("checkpoints succeed again");
                        failing = false;
                    }
                    _ => {}
                }
            }
        }
    }
    if let Err(error) = sqlx::Connection::close(conn).await {
        tracing::warn!(error = ?error, "closing the checkpoint connection failed");
    }
}

/// Copies what it can of the log, and asks the writer to finish a long one that is nearly
/// copied.
async fn checkpoint(conn: &mut Connection, finish_wanted: &AtomicBool) -> Result<(), sqlx::Error> {
    // (busy, pages in the log, pages copied)
    let (_, log_pages, copied): (i64, i64, i64) =
        sqlx::query_as("pragma wal_checkpoint(passive)").fetch_one(conn).await?;
    if log_pages > RESTART_PAGES && log_pages - copied <= PAGES_LEFT_FOR_THE_WRITER {
        finish_wanted.store(true, Ordering::Release);
    }
    Ok(())
}
