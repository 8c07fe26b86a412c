//! Reader threads: each holds a read-only connection for life, called directly (see
//! `link.rs`), and runs the read jobs sent to it one after another. A read that the cache
//! cannot answer crosses to a reader and back once, whatever it reads; while readers are
//! busy, jobs queue, and a reader that wakes takes them in turn without sleeping between.
//! Reads run there rather than on the caller's thread so that a long one (KEYS, a large
//! range) holds up a reader, not the requests that share the caller's thread.

use std::sync::{Arc, Mutex};

use sqlx::ConnectOptions;
use tokio::sync::oneshot;

use super::{Connection, Link, base_options};
use crate::store::{StoreError, StoreOptions};

/// A read job, given the reader's connection.
pub(super) type Task = Box<dyn FnOnce(&mut Connection) + Send>;

enum Message {
    Run(Task),
    Stop,
}

/// Jobs that may wait for a reader before senders are made to wait too.
const QUEUE_CAPACITY: usize = 4096;
/// The most jobs a reader takes from the queue at once, to run in one read transaction.
const MAX_TURN: usize = 64;

/// The sending side, shared by every clone of the database.
#[derive(Clone, Debug)]
pub(super) struct Readers {
    queue: flume::Sender<Message>,
    /// Each reader's word that it ended and closed its connection.
    finished: Arc<Mutex<Vec<oneshot::Receiver<()>>>>,
}

impl Readers {
    /// Opens `count` read-only connections and starts a thread for each.
    pub(super) async fn start(options: &StoreOptions, count: u32) -> Result<Self, StoreError> {
        let (queue, inbox) = flume::bounded(QUEUE_CAPACITY);
        let mut finished = Vec::new();
        for index in 0..count {
            let connection = base_options(options)?.read_only(true).connect().await?;
            let conn = Connection::new(Link::lock(connection).await?);
            let (done, on_done) = oneshot::channel();
            let inbox = inbox.clone();
            std::thread::Builder::new()
                .name(format!("litekv-reader-{index}"))
                .spawn(move || {
                    serve(conn, inbox);
                    let _ = done.send(());
                })
                .map_err(|error| StoreError::Refused(format!("could not start a reader thread: {error}")))?;
            finished.push(on_done);
        }
        Ok(Self {
            queue,
            finished: Arc::new(Mutex::new(finished)),
        })
    }

    /// Queues `task` for the next free reader.
    pub(super) async fn submit(&self, task: Task) -> Result<(), StoreError> {
        self.queue
            .send_async(Message::Run(task))
            .await
            .map_err(|_| StoreError::Closed)
    }

    /// Lets the readers finish the jobs queued, then ends them and closes their connections.
    pub(super) async fn stop(&self) {
        let finished = std::mem::take(&mut *self.finished.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        for _ in &finished {
            let _ = self.queue.send_async(Message::Stop).await;
        }
        for reader in finished {
            if reader.await.is_err() {
                tracing::error!("a reader thread ended abnormally");
            }
        }
    }
}

/// A reader's life: the jobs queued, a turn at a time, until told to stop; then its
/// connection closes.
fn serve(mut conn: Connection, inbox: flume::Receiver<Message>) {
    let mut turn = Vec::with_capacity(MAX_TURN);
    while let Ok(first) = inbox.recv() {
        turn.push(first);
        // A turn ends at a stop: each reader is sent one, and the next is another reader's.
        while turn.len() < MAX_TURN && !matches!(turn.last(), Some(Message::Stop)) {
            match inbox.try_recv() {
                Ok(message) => turn.push(message),
                Err(_) => break,
            }
        }
        // One read transaction serves the turn's jobs, which were all queued before its first
        // query began it, so each sees every write acknowledged before it was asked: SQLite
        // takes its locks and looks at the log once per turn, not once per query.
        if turn.len() > 1 {
            conn.open_snapshot();
        }
        let mut stop = false;
        for message in turn.drain(..) {
            match message {
                Message::Run(task) => {
                    // A job that panics (a bug) costs its own request, not the reader.
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task(&mut conn))).is_err() {
                        tracing::error!("a read job panicked");
                    }
                }
                Message::Stop => stop = true,
            }
        }
        conn.end_snapshot();
        if stop {
            break;
        }
    }
    if let Err(error) = futures_executor::block_on(conn.close()) {
        tracing::warn!(error = ?error, "closing a reader's connection failed");
    }
}
