//! Reads of single keys that missed the cache, gathered so that one query answers many.
//!
//! A query costs a round trip to the thread that owns its connection, far more than SQLite's
//! lookup itself; with 1M keys, most reads miss the cache and that trip bounded them. As the
//! writer groups commits, this groups lookups: a task takes every key waiting once a read
//! connection is free and reads them in one `where key in (...)` query, so the more reads
//! wait, the more each trip answers.

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::StoreError;
use super::backend::{Database, Row};

/// The most keys one query looks up.
const MAX_KEYS: usize = 256;
/// Lookups that may wait before readers are made to wait too.
const QUEUE_CAPACITY: usize = 4096;

/// The sending side, shared by every clone of the store.
#[derive(Clone, Debug)]
pub(super) struct ReadBatcher {
    queue: mpsc::Sender<Pending>,
}

struct Pending {
    key: Bytes,
    reply: oneshot::Sender<Result<Option<Row>, StoreError>>,
}

impl ReadBatcher {
    /// Starts the gathering task, which runs up to `connections` queries at once.
    pub(super) fn start(database: Database, connections: u32) -> Self {
        let (queue, inbox) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(gather(database, inbox, Arc::new(Semaphore::new(connections as usize))));
        Self { queue }
    }

    /// The row of `key`, expired or not; `None` if it has none.
    pub(super) async fn get(&self, key: &[u8]) -> Result<Option<Row>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            key: Bytes::copy_from_slice(key),
            reply,
        };
        self.queue.send(pending).await.map_err(|_| StoreError::Closed)?;
        answer.await?
    }
}

/// Waits for a free connection, then takes every lookup queued meanwhile and answers them
/// with one query. Ends when every sender is gone.
async fn gather(database: Database, mut inbox: mpsc::Receiver<Pending>, connections: Arc<Semaphore>) {
    loop {
        let Ok(connection) = Arc::clone(&connections).acquire_owned().await else {
            return;
        };
        let mut batch = Vec::with_capacity(MAX_KEYS);
        if inbox.recv_many(&mut batch, MAX_KEYS).await == 0 {
            return;
        }
        let database = database.clone();
        tokio::spawn(async move {
            answer(&database, batch).await;
            drop(connection);
        });
    }
}

async fn answer(database: &Database, batch: Vec<Pending>) {
    let keys: Vec<Bytes> = batch.iter().map(|pending| pending.key.clone()).collect();
    match database.get_many(&keys).await {
        Ok(rows) => {
            for pending in batch {
                // A reader that went away (a dropped connection) needs no answer.
                let _ = pending.reply.send(Ok(rows.get(&pending.key).cloned()));
            }
        }
        Err(error) => {
            for pending in batch {
                let _ = pending.reply.send(Err(error.clone()));
            }
        }
    }
}
