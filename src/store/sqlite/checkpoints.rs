//! Checkpoints off the commit path. In WAL mode a commit appends pages to the log; a
//! checkpoint copies them into the database file. SQLite runs one inside the commit that
//! crosses 1,000 pages, which measured at a third of the writer's time under load. Here the
//! writer never checkpoints (`wal_autocheckpoint=0`), and a task with a connection of its own
//! runs a passive checkpoint a few times a second: it copies what it can beside the writer
//! and the readers, waiting for neither.
//!
//! The log starts over from its beginning only when a write begins after a checkpoint copied
//! all of it, which a passive checkpoint racing a steady stream of writes may never manage:
//! the log would grow for as long as the writes go on. So once it holds more than
//! [`RESTART_PAGES`], the task runs a restarting checkpoint instead, which waits for the
//! batch being written, holds the next one back while it copies the few pages left, and lets
//! the log start over.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};
use tokio::task::JoinHandle;

use super::Connection;

/// How often the log is copied into the database file.
const INTERVAL: Duration = Duration::from_millis(200);
/// Pages in the log past which it is made to start over (32 MiB at 1 KiB pages).
const RESTART_PAGES: i64 = 32_768;

#[derive(Clone, Debug)]
pub(super) struct Checkpointer {
    stop: Arc<Notify>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Checkpointer {
    pub(super) fn start(conn: Connection) -> Self {
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(run(conn, Arc::clone(&stop)));
        Self {
            stop,
            task: Arc::new(Mutex::new(Some(task))),
        }
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

/// Copies what it can of the log; if the log has grown past [`RESTART_PAGES`], copies all of
/// it and has it start over.
async fn checkpoint(conn: &mut Connection) -> Result<(), sqlx::Error> {
    // (busy, pages in the log, pages copied)
    let (_, log_pages, _): (i64, i64, i64) = sqlx::query_as("pragma wal_checkpoint(passive)")
        .fetch_one(&mut *conn)
        .await?;
    if log_pages > RESTART_PAGES {
        sqlx::query("pragma wal_checkpoint(restart)").execute(conn).await?;
    }
    Ok(())
}

async fn run(mut conn: Connection, stop: Arc<Notify>) {
    let mut ticks = tokio::time::interval(INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.notified() => break,
            _ = ticks.tick() => {
                // A failure (the disk is full, the file is locked) leaves the pages in the log,
                // where readers find them; the next tick tries again.
                if let Err(error) = checkpoint(&mut conn).await {
                    tracing::warn!(error = ?error, "a checkpoint failed; retrying shortly");
                }
            }
        }
    }
    if let Err(error) = sqlx::Connection::close(conn).await {
        tracing::warn!(error = ?error, "closing the checkpoint connection failed");
    }
}
