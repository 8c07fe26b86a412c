//! Checkpoints off the commit path. In WAL mode a commit appends pages to the log; a
//! checkpoint copies them into the database file. SQLite runs one inside the commit that
//! crosses 1,000 pages, which measured at a third of the writer's time under load. Here the
//! writer never checkpoints (`wal_autocheckpoint=0`), and a task with a connection of its own
//! runs a passive checkpoint a few times a second: it copies what it can beside the writer
//! and the readers, waiting for neither.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};
use tokio::task::JoinHandle;

use super::Connection;

/// How often the log is copied into the database file.
const INTERVAL: Duration = Duration::from_millis(200);

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

async fn run(mut conn: Connection, stop: Arc<Notify>) {
    let mut ticks = tokio::time::interval(INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.notified() => break,
            _ = ticks.tick() => {
                // A failure (the disk is full, the file is locked) leaves the pages in the log,
                // where readers find them; the next tick tries again.
                if let Err(error) = sqlx::query("pragma wal_checkpoint(passive)").execute(&mut conn).await {
                    tracing::warn!(error = ?error, "a checkpoint failed; retrying shortly");
                }
            }
        }
    }
    if let Err(error) = sqlx::Connection::close(conn).await {
        tracing::warn!(error = ?error, "closing the checkpoint connection failed");
    }
}
