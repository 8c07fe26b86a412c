//! Reads of single keys that missed the cache, and of single hash fields, gathered so that
//! one query answers many of each.
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
use super::backend::{Database, FieldOfKey, Row};

/// The most keys one query looks up.
const MAX_KEYS: usize = 256;
/// Lookups that may wait before readers are made to wait too.
const QUEUE_CAPACITY: usize = 4096;

/// The sending side, shared by every clone of the store.
#[derive(Clone, Debug)]
pub(super) struct ReadBatcher {
    queue: mpsc::Sender<Pending>,
}

/// Where one lookup's answer goes: its row, `None` if there is none, or the query's error.
type Reply<R> = oneshot::Sender<Result<Option<R>, StoreError>>;

/// A lookup waiting for its query, and where its answer goes.
enum Pending {
    /// A key's row (GET, and every single-key read outside a snapshot).
    Key { key: Bytes, reply: Reply<Row> },
    /// A hash field with its key's row (HGET).
    Field {
        pair: (Bytes, Bytes),
        reply: Reply<FieldOfKey>,
    },
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
        let key = Bytes::copy_from_slice(key);
        self.queue
            .send(Pending::Key { key, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await?
    }

    /// The row of `key` and its hash field `field`, expired or not; `None` if the key has
    /// no row.
    pub(super) async fn get_field(&self, key: &[u8], field: &[u8]) -> Result<Option<FieldOfKey>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let pair = (Bytes::copy_from_slice(key), Bytes::copy_from_slice(field));
        self.queue
            .send(Pending::Field { pair, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
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

/// Answers a batch: its key lookups with one query, its field lookups with another.
async fn answer(database: &Database, batch: Vec<Pending>) {
    let (mut keys, mut fields) = (Vec::new(), Vec::new());
    for pending in batch {
        match pending {
            Pending::Key { key, reply } => keys.push((key, reply)),
            Pending::Field { pair, reply } => fields.push((pair, reply)),
        }
    }
    if !keys.is_empty() {
        let wanted: Vec<Bytes> = keys.iter().map(|(key, _)| key.clone()).collect();
        reply_all(keys, database.get_many(&wanted).await);
    }
    if !fields.is_empty() {
        let wanted: Vec<(Bytes, Bytes)> = fields.iter().map(|(pair, _)| pair.clone()).collect();
        reply_all(fields, database.fields_of_keys(&wanted).await);
    }
}

/// Sends each lookup its row from `found`, or the query's error.
fn reply_all<K: std::hash::Hash + Eq, R: Clone>(
    lookups: Vec<(K, Reply<R>)>,
    found: Result<std::collections::HashMap<K, R>, StoreError>,
) {
    for (wanted, reply) in lookups {
        let answer = match &found {
            Ok(rows) => Ok(rows.get(&wanted).cloned()),
            Err(error) => Err(error.clone()),
        };
        // A reader that went away (a dropped connection) needs no answer.
        let _ = reply.send(answer);
    }
}
