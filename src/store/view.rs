//! The two ways into the keyspace: [`ReadView`] for reads, [`WriteTx`] for the writer's
//! transaction. Their typed operations live a file per Redis type (`keys.rs`,
//! `strings.rs`); this file holds what they share: where a statement runs, and how the cache
//! hears of every change.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;

use super::backend::{Conn, Keys, Row, Savepoint, Session, Snapshots, Strings, Transactions};
use super::blocked::Blocked;
use super::cache::{Cache, Cached, Tickets};
use super::events::{KeyEvent, KeyEventListener, Listeners};
use super::watches::Watches;
use super::{StoreError, WriteJob};

/// Reads as of one moment, `now_ms`: committed data through the cache (on the caller's
/// thread, on a reader's, or from the cache alone), or inside the writer's transaction
/// (where uncommitted writes of the batch are visible, and the cache, which holds only
/// committed data, is not consulted).
///
/// Keys found expired are remembered; see [`ReadView::take_expired`].
pub struct ReadView<'a> {
    source: Source<'a>,
    pub(super) now_ms: i64,
    expired: Vec<Bytes>,
}

enum Source<'a> {
    /// Committed data, on a connection taken on the first query, on the caller's thread.
    Pool {
        session: Session<'a>,
        /// `None` once the view reads a consistent snapshot, which the cache cannot give.
        cache: Option<&'a Cache>,
        /// The cache's tickets when the read was asked, for what it finds to fill the cache.
        asked: Tickets,
    },
    /// Committed data, on a reader's connection, on its thread.
    Reader {
        conn: Conn<'a>,
        cache: Option<&'a Cache>,
        asked: Tickets,
    },
    /// Committed data from the cache alone: a read that needs more fails with
    /// [`StoreError::NotCached`].
    Cache(&'a Cache),
    /// The writer's transaction, which sees the batch's own writes; what the cache holds of
    /// keys the batch has not written is what the transaction would read.
    Transaction { conn: Conn<'a>, untouched: Untouched<'a> },
}

/// The cache, for the keys a batch has not written so far.
struct Untouched<'a> {
    cache: &'a Cache,
    written: &'a HashSet<Bytes>,
    /// Every key was written (FLUSHDB).
    cleared: bool,
}

impl<'a> ReadView<'a> {
    pub(super) fn pooled(session: Session<'a>, cache: &'a Cache, now_ms: i64) -> Self {
        Self::of(
            Source::Pool {
                session,
                cache: Some(cache),
                asked: cache.tickets(),
            },
            now_ms,
        )
    }

    /// A view on a reader's connection, for a read asked with the cache's `asked` tickets.
    pub(super) fn on_reader(conn: Conn<'a>, cache: &'a Cache, asked: Tickets, now_ms: i64) -> Self {
        let cache = Some(cache);
        Self::of(Source::Reader { conn, cache, asked }, now_ms)
    }

    pub(super) fn cache_only(cache: &'a Cache, now_ms: i64) -> Self {
        Self::of(Source::Cache(cache), now_ms)
    }

    fn of(source: Source<'a>, now_ms: i64) -> Self {
        Self {
            source,
            now_ms,
            expired: Vec::new(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    pub(super) async fn conn(&mut self) -> Result<Conn<'_>, StoreError> {
        match &mut self.source {
            Source::Transaction { conn, .. } | Source::Reader { conn, .. } => Ok(conn.reborrow()),
            Source::Pool { session, .. } => session.conn().await,
            Source::Cache(_) => Err(StoreError::NotCached),
        }
    }

    /// Makes every later read of this view see one consistent state, as a multi-key read
    /// must: never one key before a commit and another after it.
    pub async fn consistent(&mut self) -> Result<(), StoreError> {
        match &mut self.source {
            Source::Pool { cache, .. } | Source::Reader { cache, .. } => *cache = None,
            Source::Cache(_) => return Err(StoreError::NotCached),
            Source::Transaction { .. } => return Ok(()),
        }
        self.conn().await?.begin_snapshot().await
    }

    /// What the cache holds of `key`, if this view may read it there.
    pub(super) fn cached_entry(&self, key: &[u8]) -> Option<Cached> {
        self.cache_for(key)?.get(key)
    }

    /// Whether the cache knows that `key` has no row, if this view may read it there.
    pub(super) fn known_missing(&self, key: &[u8]) -> bool {
        self.cache_for(key).is_some_and(|cache| cache.is_missing(key))
    }

    /// The cache, if this view may read `key` there.
    fn cache_for(&self, key: &[u8]) -> Option<&'a Cache> {
        match &self.source {
            Source::Transaction { untouched, .. } if untouched.cleared || untouched.written.contains(key) => None,
            Source::Transaction { untouched, .. } => Some(untouched.cache),
            source => source.committed_cache(),
        }
    }

    /// The cache a read of committed data may fill with what it found, with the tickets
    /// the read was asked with.
    pub(super) fn fillable_cache(&self) -> Option<(&'a Cache, Tickets)> {
        match &self.source {
            Source::Pool { cache, asked, .. } | Source::Reader { cache, asked, .. } => {
                cache.map(|cache| (cache, *asked))
            }
            Source::Cache(_) | Source::Transaction { .. } => None,
        }
    }

    /// A key's row (expired or not): its type and expiry, and its value if it is a string.
    pub(super) async fn row(&mut self, key: &[u8]) -> Result<Option<Row>, StoreError> {
        self.conn().await?.string_row(key).await
    }

    /// Notes a key found expired, for the lazy delete.
    pub(super) fn found_expired(&mut self, key: &[u8]) {
        self.expired.push(Bytes::copy_from_slice(key));
    }

    /// The expired keys this view came across, which the caller should delete (lazy expiry).
    pub fn take_expired(&mut self) -> Vec<Bytes> {
        std::mem::take(&mut self.expired)
    }
}

impl<'a> Source<'a> {
    /// The cache, if this view reads committed data through it.
    fn committed_cache(&self) -> Option<&'a Cache> {
        match self {
            Self::Pool { cache, .. } | Self::Reader { cache, .. } => *cache,
            Self::Cache(cache) => Some(cache),
            Self::Transaction { .. } => None,
        }
    }
}

/// The writer's open transaction. Everything done here commits (or rolls back) with the
/// rest of its job and batch; the cache learns of it only after the commit.
pub struct WriteTx<'a> {
    conn: Conn<'a>,
    pub(super) batch: &'a mut Batch,
    cache: &'a Cache,
}

/// What the writer keeps across the jobs of its batches.
pub(super) struct Batch {
    /// What the batch did to keys, replayed on the cache once it committed.
    changes: Vec<Change>,
    /// Every key the batch changed (as the cache sees keys), and whether it emptied the
    /// keyspace: the cache holds the rest as the batch's transaction would read them.
    written: HashSet<Bytes>,
    cleared: bool,
    /// The keys the batch wrote, whose versions change at its commit, where other servers
    /// watch keys too (`None` where the database is this server's alone).
    versioned: Option<HashSet<Bytes>>,
    /// Told of every key a job touches, as the job runs.
    watches: Arc<Watches>,
    /// Clients blocked on keys, served after a job touched one.
    pub(super) blocked: Blocked,
    /// The listener wanting this batch's keyspace events, and the events so far: `None`
    /// while no one wants them.
    pub(super) events: Option<Vec<KeyEvent>>,
    /// Collections emptied (and so deleted) by the running command, whose `del` events wait
    /// for the command's own.
    pub(super) emptied: Vec<Bytes>,
    listener: Option<Arc<dyn KeyEventListener>>,
    listeners: Arc<Listeners>,
}

/// A change to a key, for the cache.
pub(super) enum Change {
    Put(Bytes, Cached),
    Remove(Bytes),
    Clear,
}

impl Batch {
    pub(super) fn new(watches: Arc<Watches>, blocked: Blocked, listeners: Arc<Listeners>, shared: bool) -> Self {
        Self {
            changes: Vec::new(),
            written: HashSet::new(),
            cleared: false,
            versioned: shared.then(HashSet::new),
            watches,
            blocked,
            events: None,
            emptied: Vec::new(),
            listener: None,
            listeners,
        }
    }

    /// Starts a batch: its events are noted if a listener wants them now.
    pub(super) fn begin(&mut self) {
        self.listener = self.listeners.wanting();
        // Where other servers share the database, their listeners may want this batch's events.
        self.events = (self.listener.is_some() || self.versioned.is_some()).then(Vec::new);
        self.written.clear();
        self.cleared = false;
        if let Some(versioned) = &mut self.versioned {
            versioned.clear();
        }
    }

    /// What the batch tells the other servers sharing the database when it commits: the keys
    /// it wrote and its events; `None` if it wrote nothing, or no other server shares it.
    pub(super) fn message_to_others(&self) -> Option<String> {
        let written = self.versioned.as_ref()?;
        let events = self.events.as_deref().unwrap_or_default();
        if written.is_empty() && events.is_empty() && !self.cleared {
            return None;
        }
        Some(super::remote::encode_committed(self.cleared, written.iter(), events))
    }

    /// The keys whose versions the batch's commit changes (a rolled-back job's among them,
    /// which only costs a transaction watching one of them a needless retry).
    pub(super) fn take_versioned(&mut self) -> Vec<Bytes> {
        self.versioned
            .as_mut()
            .map_or_else(Vec::new, |versioned| versioned.drain().collect())
    }

    /// Notes a write to `key`, for WATCH and for clients blocked on it.
    fn touch(&mut self, key: &[u8]) {
        self.watches.touch(key);
        self.blocked.touch(key);
        if let Some(versioned) = &mut self.versioned
            && !versioned.contains(key)
        {
            versioned.insert(Bytes::copy_from_slice(key));
        }
    }

    /// Replays the committed batch's changes on the cache, in order, and forgets them; then
    /// tells the listener what the batch did.
    pub(super) fn publish(&mut self, cache: &Cache) {
        for change in self.changes.drain(..) {
            match change {
                Change::Put(key, cached) => cache.write(&key, Some(cached)),
                Change::Remove(key) => cache.write(&key, None),
                Change::Clear => cache.clear(),
            }
        }
        if let (Some(listener), Some(events)) = (self.listener.take(), self.events.take())
            && !events.is_empty()
        {
            listener.committed(events);
        }
    }

    /// How many changes the batch made so far, for [`Batch::removed_since`].
    pub(super) fn change_count(&self) -> usize {
        self.changes.len()
    }

    /// Whether a change since the `from`th deleted `key` (a collection emptied, for one).
    pub(super) fn removed_since(&self, from: usize, key: &[u8]) -> bool {
        self.changes[from..]
            .iter()
            .any(|change| matches!(change, Change::Remove(removed) if removed == key))
    }

    /// Forgets the changes and events of a batch that rolled back.
    pub(super) fn discard(&mut self) {
        self.changes.clear();
        self.events = None;
        self.listener = None;
    }
}

impl<'a> WriteTx<'a> {
    pub(super) fn new(conn: Conn<'a>, batch: &'a mut Batch, cache: &'a Cache) -> Self {
        Self { conn, batch, cache }
    }

    /// Reads inside this transaction, as of `now_ms`: a string the batch has not written is
    /// read from the cache when it holds it, as any committed read is.
    pub fn read(&mut self, now_ms: i64) -> ReadView<'_> {
        let untouched = Untouched {
            cache: self.cache,
            written: &self.batch.written,
            cleared: self.batch.cleared,
        };
        ReadView::of(
            Source::Transaction {
                conn: self.conn.reborrow(),
                untouched,
            },
            now_ms,
        )
    }

    /// The connection, for a statement that makes `change`. Every mutation takes its
    /// connection here, so the cache hears of every change once the batch commits, and of
    /// none that rolled back. A string written touches its key (WATCH); a removal touches
    /// only once it removed something, which its command's event says
    /// ([`WriteTx::notify`]): a `DEL` of a missing key touches nothing, as in Redis.
    pub(super) fn changing(&mut self, change: Change) -> Conn<'_> {
        match &change {
            Change::Put(key, _) => {
                self.batch.touch(key);
                self.batch.written.insert(key.clone());
            }
            Change::Remove(key) => {
                self.batch.written.insert(key.clone());
            }
            Change::Clear => self.batch.cleared = true,
        }
        self.batch.changes.push(change);
        self.conn.reborrow()
    }

    /// Tells clients watching `key` (WATCH) or blocked on it that it was written: a command
    /// that changed a collection's elements says so here, since those changes do not pass
    /// [`Self::changing`].
    pub fn touch(&mut self, key: &[u8]) {
        self.batch.touch(key);
    }

    /// Whether no other server wrote a key `watch` watches since it was watched: their
    /// versions are as `watch` read them. (This server's own writes are counted in memory,
    /// by [`Watch::is_intact`].) Run where the keys are claimed, so that none changes before
    /// the transaction that asks commits.
    pub async fn watched_versions_unchanged(&mut self, watch: &super::Watch) -> Result<bool, StoreError> {
        if self.batch.versioned.is_none() {
            return Ok(true);
        }
        let keys: Vec<Bytes> = watch.keys().cloned().collect();
        Ok(self.conn.key_versions(&keys).await? == watch.versions())
    }

    /// The keys some client watches (WATCH).
    pub(super) fn watched_keys(&self) -> Vec<Bytes> {
        self.batch.watches.watched_keys()
    }

    /// The connection, for a statement that changes nothing the cache holds.
    pub(super) fn unchanging(&mut self) -> Conn<'_> {
        self.conn.reborrow()
    }

    /// Runs `job` in a savepoint: if it fails, what it did is undone, the cache hears of
    /// none of it, and the error is its own; the batch goes on. A job that succeeds releases
    /// its savepoint: what it did joins the batch's transaction.
    pub(super) async fn run_in_savepoint<J: WriteJob>(
        &mut self,
        job: &mut J,
    ) -> Result<Result<J::Output, StoreError>, StoreError> {
        self.batch.emptied.clear();
        self.run_undoable(job, Savepoint::Job).await
    }

    /// Runs `job` (a script) within the current job, all or nothing: if it fails, or
    /// reports a failure of its own ([`WriteJob::failed`]), only what it did is undone and
    /// the current job goes on. Its savepoint nests in the current job's.
    pub async fn run_all_or_nothing<J: WriteJob>(&mut self, job: &mut J) -> Result<J::Output, StoreError> {
        self.run_undoable(job, Savepoint::Script).await?
    }

    /// Runs `job` after `savepoint`, and rolls back to it if the job fails or reports a
    /// failure, or releases it. `Err` if the savepoint, its release or its rollback failed, or
    /// if the failure ended the whole transaction (some I/O errors and a full disk may), and
    /// so the batch; the job's own failure is the inner result.
    async fn run_undoable<J: WriteJob>(
        &mut self,
        job: &mut J,
        savepoint: Savepoint,
    ) -> Result<Result<J::Output, StoreError>, StoreError> {
        let mark = self.mark();
        self.conn.savepoint(savepoint).await?;
        let outcome = job.run(self).await;
        let undone = match &outcome {
            Ok(output) if J::failed(output) => Some(job_failed()),
            Ok(_) => None,
            Err(error) => Some(error.clone()),
        };
        match undone {
            Some(error) if !self.conn.in_transaction().await? => return Err(error),
            Some(error) => self.undo_since(&mark, savepoint, &error).await?,
            None => self.conn.release(savepoint).await?,
        }
        Ok(outcome)
    }

    fn mark(&self) -> Mark {
        Mark {
            changes: self.batch.changes.len(),
            events: self.batch.events.as_ref().map_or(0, Vec::len),
            served: self.batch.blocked.served_count(),
        }
    }

    /// Rolls back to the innermost savepoint, set at `mark`, and forgets what was done since.
    async fn undo_since(&mut self, mark: &Mark, savepoint: Savepoint, error: &StoreError) -> Result<(), StoreError> {
        self.conn.roll_back_to(savepoint).await?;
        self.batch.changes.truncate(mark.changes);
        if let Some(events) = &mut self.batch.events {
            events.truncate(mark.events);
        }
        // Clients handed elements of a push that is undone get its error instead.
        self.batch.blocked.fail_served_since(mark.served, error);
        Ok(())
    }
}

/// What clients handed elements by a job that reported a failure are told. Jobs that may
/// report one (scripts) hand nothing over, so none should be.
fn job_failed() -> StoreError {
    StoreError::Refused("the write that filled this key was undone".to_owned())
}

/// How far a job had got when its savepoint was set: what to forget if it is undone.
struct Mark {
    changes: usize,
    events: usize,
    served: usize,
}
