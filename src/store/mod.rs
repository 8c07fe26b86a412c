//! Storage: the only code that writes SQL.
//!
//! A [`Store`] is a set of read connections plus one writer, on a thread of its own, that owns
//! the only write connection and commits everything queued in one transaction (group
//! commit), each job undoable alone. Reads never wait for writes (WAL), and a write's future
//! resolves only after its transaction committed. A bounded cache in front of the readers,
//! kept coherent by the writer, serves repeated reads of strings where they are asked; a read
//! it cannot answer runs on a reader's thread ([`Store::read_on_reader`]).
//!
//! Callers read through a [`ReadView`] and write through a [`WriteJob`], which runs inside the
//! writer's transaction with a [`WriteTx`]; both offer typed operations, a file per Redis type
//! (`keys.rs`, `strings.rs`, `hashes.rs`, `lists.rs`, `sets.rs`, `zsets.rs`), never SQL. They
//! call the database through the interfaces of `backend.rs`, which each backend implements
//! in a folder of its own. Every time-dependent operation takes `now_ms`, so callers decide
//! what "now" is.

mod backend;
mod blocked;
mod cache;
mod documents;
mod events;
mod functions;
mod hashes;
mod keys;
mod lists;
mod remote;
mod sets;
mod strings;
mod view;
mod watches;
mod writer;
mod zsets;

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::oneshot;

use backend::{Database, Keys};
pub use blocked::{Parked, Served, Waiter};
use cache::Cache;
pub use events::{EventClass, KeyEvent, KeyEventListener};
pub use futures_util::future::LocalBoxFuture;
pub use hashes::{Draw, FieldExpiry};
pub use keys::Purged;
pub use lists::{End, Inserted, ItemSet, ListSearch, Side};
pub use remote::{Remote, RemoteListener};
pub use sets::{Combine, SetMove};
pub use strings::StringWrite;
pub use view::{ReadView, WriteTx};
pub use watches::Watch;
use watches::Watches;
pub use writer::{BoxFuture, Claims, WriteJob};
use writer::{WriteOp, Writer};
pub use zsets::{LexBound, Order, Range, ScoreBound, Selection};

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
    /// The database: `sqlite://path` (the default), or any URL the backend it names accepts.
    pub database_url: String,
    /// Whether a missing database file is created, or refused.
    pub if_missing: IfMissing,
    pub durability: Durability,
    pub read_connections: u32,
    /// How long a connection waits for a lock held by another process (the cleanup binary).
    pub busy_timeout: Duration,
    /// Bytes of keys and values kept in memory for reads; 0 turns the cache off.
    pub cache_bytes: usize,
    /// Keeps the cache on a database other servers share too (PostgreSQL), each entry
    /// forgotten once another server's write to its key is heard of: until then, a read may
    /// answer a value another server overwrote. Off, such a database is read uncached.
    pub cache_on_shared: bool,
}

/// What opening a database that does not exist yet does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfMissing {
    /// Create it, empty, and migrate it: the server's first start.
    Create,
    /// Fail: a program that only tends an existing database (the cleanup) would otherwise
    /// tend a new empty one forever.
    Refuse,
}

/// What a key holds: Redis's five types, and JSON documents (RedisJSON's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    String,
    Hash,
    List,
    Set,
    ZSet,
    Json,
}

impl KeyType {
    const ALL: [Self; 6] = [Self::String, Self::Hash, Self::List, Self::Set, Self::ZSet, Self::Json];

    /// The name TYPE answers and SCAN's TYPE option takes (RedisJSON's for a document).
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "ReJSON-RL",
            kind => kind.stored_name(),
        }
    }

    /// The type named `name` (any case), if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name))
    }

    /// The name in the database's `type` column.
    pub fn stored_name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Hash => "hash",
            Self::List => "list",
            Self::Set => "set",
            Self::ZSet => "zset",
            Self::Json => "json",
        }
    }

    /// The type stored as `name` in the database's `type` column.
    pub fn from_stored_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.stored_name() == name)
    }

    /// Whether the key's value lives in its row (strings, documents) rather than in element
    /// rows of their own.
    pub fn is_inline(self) -> bool {
        matches!(self, Self::String | Self::Json)
    }
}

/// A key's type and expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub kind: KeyType,
    /// Unix milliseconds, or `None` for a key that never expires.
    pub expires_at: Option<i64>,
}

/// One step of a walk (SCAN and its kin): items in the order the walk keeps, and where the
/// next step starts (`None` when the walk is complete).
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<u64>,
}

impl<T> Page<T> {
    const DONE: Self = Self {
        items: Vec::new(),
        next: None,
    };

    /// The step that read `rows`, each with its walk position, when it asked for `count`:
    /// a full step resumes after its last row.
    fn of(rows: Vec<(i64, T)>, count: u32) -> Self {
        let next = (rows.len() == count as usize)
            .then(|| rows.last().map(|(position, _)| *position as u64))
            .flatten();
        Self {
            items: rows.into_iter().map(|(_, item)| item).collect(),
            next,
        }
    }
}

/// What a string key holds, as of the time a read was asked about.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Live(Entry),
    /// The row is still there but its expiry has passed: the key is gone for every reader.
    Expired,
    Missing,
}

impl Lookup {
    pub fn live(self) -> Option<Entry> {
        match self {
            Self::Live(entry) => Some(entry),
            Self::Expired | Self::Missing => None,
        }
    }
}

/// A string's value and expiry.
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
    /// A typed operation met a key of another type. Only its command fails, with Redis's text.
    #[error("WRONGTYPE Operation against a key holding the wrong kind of value")]
    WrongType,
    #[error("the database is locked by another program, past the busy timeout")]
    Busy(#[source] Cause),
    /// A key the command did not claim, which another server holds (PostgreSQL): only its
    /// command fails, with Redis Cluster's TRYAGAIN, as a script's undeclared key does there.
    #[error(
        "TRYAGAIN the key '{0}' was not declared by the command or script, and another server is writing it; \
         declare every key a script touches in KEYS, and retry"
    )]
    KeyBusy(String),
    #[error("the database's disk is full")]
    Full(#[source] Cause),
    #[error("the database file is read-only (its permissions, or a read-only file system)")]
    ReadOnly(#[source] Cause),
    #[error(
        "the database file is damaged, or is not a SQLite database: restore it from a backup, or check the database URL"
    )]
    Corrupt(#[source] Cause),
    #[error("database error")]
    Database(#[source] Cause),
    #[error("the store is closed")]
    Closed,
    /// A read through [`Store::read_cached`] needed the database: run it on a reader instead
    /// ([`Store::read_on_reader`]). Never an answer to a client.
    #[error("the read needs the database, and its view reads only the cache")]
    NotCached,
    /// The request cannot go ahead as asked (a database to open, a backup to write); the
    /// message says why and what to do.
    #[error("{0}")]
    Refused(String),
}

/// What a backend's failure came from, kept for the logs.
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

/// Handle to the database; clones share the same connections and writer.
#[derive(Clone, Debug)]
pub struct Store {
    database: Database,
    writer: Writer,
    cache: Arc<Cache>,
    /// How many writes have committed; each write's number is its sync token.
    sequence: Arc<AtomicU64>,
    /// Set when a write batch was refused for a full disk; cleared by a readiness check
    /// that found room again.
    out_of_space: Arc<AtomicBool>,
    watches: Arc<Watches>,
    /// How many clients are blocked on keys (BLPOP and its kin).
    blocked_count: Arc<AtomicUsize>,
    listeners: Arc<events::Listeners>,
    /// Where messages to the other servers sharing the database queue, sent in order by a
    /// task of their own; `None` where none share it.
    to_others: Option<tokio::sync::mpsc::UnboundedSender<String>>,
    /// Stops hearing the other servers, once the store closes.
    stop_hearing: Arc<tokio::sync::Notify>,
}

/// The room, in bytes, a readiness check wants once the disk was found full.
const HEADROOM: u32 = 256 * 1024;

/// Counter of expired keys deleted, labelled by what found them: a read or a sweep.
const EXPIRED_KEYS_DELETED: &str = "litekv_expired_keys_deleted_total";

/// Counter of hash fields deleted by the sweep once their own expiry passed.
const EXPIRED_HASH_FIELDS_DELETED: &str = "litekv_expired_hash_fields_deleted_total";

/// A server's claim on its database: while one is held, no other server may hold one on the
/// same database (for SQLite, the same file), as a store assumes its writer is the only one
/// changing live values. Taken before the store opens and kept until after it closed.
/// litekv-cleanup and backups need none: they run beside a server.
#[derive(Debug)]
pub struct ServerLock {
    /// Held for what dropping it releases.
    _claim: backend::ServerLock,
}

impl ServerLock {
    /// Takes the claim on the database `options` name (creating a missing file, as the
    /// server's first start does); [`StoreError::Refused`], naming the process that holds it,
    /// if another does.
    pub async fn acquire(options: &StoreOptions) -> Result<Self, StoreError> {
        let claim = backend::ServerLock::acquire(options).await?;
        Ok(Self { _claim: claim })
    }
}

/// Writes a consistent copy of the database named by `options` to the new file
/// `destination`, while a server may be writing to it: an online backup. Returns the keys in
/// the copy, counted once SQLite checked it.
pub async fn backup(options: &StoreOptions, destination: &std::path::Path) -> Result<u64, StoreError> {
    Database::backup(options, destination).await
}

impl Store {
    /// Opens the database (creating it if missing and `options.if_missing` says so) and
    /// migrates it, then starts the writer task.
    /// Must be called inside a tokio runtime, which the writer task then runs on.
    pub async fn open(options: &StoreOptions) -> Result<Self, StoreError> {
        let (database, write_connection) = Database::open(options).await?;
        // A cache would answer values another server has since changed, for as long as the
        // news of the change takes (and the operator accepts, with `cache_on_shared`).
        let cache_bytes = match database.is_shared() && !options.cache_on_shared {
            true => 0,
            false => options.cache_bytes,
        };
        let cache = Arc::new(Cache::new(cache_bytes));
        let sequence = Arc::new(AtomicU64::new(0));
        let out_of_space = Arc::new(AtomicBool::new(false));
        let watches = Arc::new(Watches::default());
        let blocked_count = Arc::new(AtomicUsize::new(0));
        let listeners = Arc::new(events::Listeners::default());
        let writer = Writer::start(
            write_connection,
            Arc::clone(&cache),
            Arc::clone(&sequence),
            Arc::clone(&out_of_space),
            Arc::clone(&watches),
            blocked::Blocked::new(Arc::clone(&blocked_count)),
            Arc::clone(&listeners),
        )
        .await?;
        let stop_hearing = Arc::new(tokio::sync::Notify::new());
        let to_others = match database.listen().await? {
            None => None,
            Some(heard) => {
                let hearing = remote::Hearing {
                    writer: writer.clone(),
                    cache: Arc::clone(&cache),
                    blocked_count: Arc::clone(&blocked_count),
                    listeners: Arc::clone(&listeners),
                    stop: Arc::clone(&stop_hearing),
                };
                tokio::spawn(hearing.run(heard));
                Some(send_to_others(database.clone()))
            }
        };
        Ok(Self {
            database,
            writer,
            cache,
            sequence,
            out_of_space,
            watches,
            blocked_count,
            listeners,
            to_others,
            stop_hearing,
        })
    }

    /// Tells `listener` what each committed batch did to keys, from the next batch on.
    pub fn listen(&self, listener: Arc<dyn KeyEventListener>) {
        self.listeners.set(listener);
    }

    /// Tells `listener` what other servers sharing the database PUBLISH and change.
    pub fn listen_to_others(&self, listener: Arc<dyn RemoteListener>) {
        self.listeners.set_remote(listener);
    }

    /// Whether other servers share the database (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.database.is_shared()
    }

    /// Tells the other servers sharing the database `message`, in the order told, without
    /// waiting; nothing where none share it.
    pub fn tell_others(&self, message: &Remote) {
        if let Some(to_others) = &self.to_others {
            // The sending task ends only with the store.
            let _ = to_others.send(message.encode());
        }
    }

    /// Stops a waiter parked with [`WriteTx::park`] from being served. Once this returned,
    /// the waiter was either served (and answered) before, or was dropped unserved.
    pub async fn unpark(&self, parked: Parked) -> Result<(), StoreError> {
        self.write(blocked::Unpark(parked)).await
    }

    /// As [`Store::unpark`], without waiting, for a client that went away: if the writer's
    /// queue is full, the waiter is dropped instead when next met, as abandoned.
    pub fn unpark_soon(&self, parked: Parked) {
        let (reply, _) = oneshot::channel();
        self.writer.try_submit(WriteOp::job(blocked::Unpark(parked), reply));
    }

    /// How many clients are blocked on keys.
    pub fn blocked_clients(&self) -> usize {
        self.blocked_count.load(Ordering::Acquire)
    }

    /// Starts watching `keys` for writes (WATCH), and for the expiry of those live now.
    pub async fn watch(&self, keys: &[Bytes], now_ms: i64) -> Result<Watch, StoreError> {
        // Watched before read: a write in between fails the check, never slips past it.
        let mut watch = self.watches.watch(keys);
        let mut view = self.read(now_ms);
        for (index, key) in keys.iter().enumerate() {
            let expires_at = view.info(key).await?.and_then(|info| info.expires_at);
            watch.expired_at(index, expires_at);
        }
        if self.database.is_shared() {
            watch.set_versions(view.conn().await?.key_versions(keys).await?);
        }
        Ok(watch)
    }

    /// Reads committed data through the cache, as of `now_ms`, on the caller's own thread: a
    /// query it needs blocks the thread meanwhile, so requests on busy threads read through
    /// [`Store::read_cached`] and [`Store::read_on_reader`] instead.
    pub fn read(&self, now_ms: i64) -> ReadView<'_> {
        ReadView::pooled(self.database.session(), &self.cache, now_ms)
    }

    /// Reads committed data from the cache alone, as of `now_ms`: a read that needs the
    /// database fails with [`StoreError::NotCached`], to be run by [`Store::read_on_reader`].
    pub fn read_cached(&self, now_ms: i64) -> ReadView<'_> {
        ReadView::cache_only(&self.cache, now_ms)
    }

    /// Runs `job` on a reader's thread, reading committed data through the cache as of
    /// `now_ms`, each query a direct call; one crossing there and one back, however many
    /// queries it makes. Returns what it returned, and the expired keys it came across, for
    /// the caller to delete (lazy expiry).
    pub async fn read_on_reader<J: ReadJob>(&self, now_ms: i64, job: J) -> Result<(J::Output, Vec<Bytes>), StoreError> {
        let cache = Arc::clone(&self.cache);
        // Taken now: the reader may run the job in a snapshot an earlier job began.
        let asked = cache.tickets();
        self.database
            .read(move |conn| {
                Box::pin(async move {
                    let mut view = ReadView::on_reader(conn, &cache, asked, now_ms);
                    let output = job.run(&mut view).await;
                    (output, view.take_expired())
                })
            })
            .await
    }

    /// A string key's value and expiry, as of `now_ms`.
    pub async fn get(&self, key: &[u8], now_ms: i64) -> Result<Lookup, StoreError> {
        self.read(now_ms).lookup(key).await
    }

    /// Runs `job` in a savepoint of the writer's next transaction; resolves once that
    /// committed. If the job fails, its savepoint is rolled back and the rest of the batch
    /// commits without it.
    pub async fn write<J: WriteJob>(&self, job: J) -> Result<J::Output, StoreError> {
        let (reply, result) = oneshot::channel();
        self.writer.submit(WriteOp::job(job, reply)).await?;
        Ok(note_sequence(result.await??))
    }

    /// Upserts a string value: the common write, run with its neighbours in the batch.
    /// Returns whether the key was created: it did not exist, or had expired.
    /// `expires_at: None` clears any earlier expiry. A key of another type is replaced.
    pub async fn set(
        &self,
        key: impl Into<Bytes>,
        value: impl Into<Bytes>,
        expires_at: Option<i64>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.submit_string(StringWrite::new(key, value, expires_at, now_ms), true)
            .await
    }

    /// As [`Store::set`], for a caller that need not know whether the key was created, which
    /// saves a lookup.
    pub async fn put(
        &self,
        key: impl Into<Bytes>,
        value: impl Into<Bytes>,
        expires_at: Option<i64>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.submit_string(StringWrite::new(key, value, expires_at, now_ms), false)
            .await
            .map(drop)
    }

    async fn submit_string(&self, write: StringWrite, asks_created: bool) -> Result<bool, StoreError> {
        let (reply, result) = oneshot::channel();
        let op = WriteOp::Put {
            write,
            asks_created,
            reply,
        };
        self.writer.submit(op).await?;
        Ok(note_sequence(result.await??))
    }

    /// Deletes each of `keys` that is still expired at `now_ms` (the lazy half of expiry).
    /// Returns how many were deleted.
    pub async fn delete_if_expired(&self, keys: Vec<Bytes>, now_ms: i64) -> Result<u64, StoreError> {
        let deleted = self.write(DeleteIfExpired { keys, now_ms }).await?;
        metrics::counter!(EXPIRED_KEYS_DELETED, "by" => "read").increment(deleted);
        Ok(deleted)
    }

    /// Deletes at most `limit` keys and hash fields that expired by `now_ms` (and hashes
    /// left without a field), in one transaction of its own unless other writes share it.
    /// Returns how many keys and fields were deleted: less than `limit` when none is left.
    pub async fn purge_expired_batch(&self, now_ms: i64, limit: u32) -> Result<u64, StoreError> {
        let Purged { keys, fields } = self.write(PurgeExpired { now_ms, limit }).await?;
        metrics::counter!(EXPIRED_KEYS_DELETED, "by" => "sweep").increment(keys);
        metrics::counter!(EXPIRED_HASH_FIELDS_DELETED).increment(fields);
        Ok(keys + fields)
    }

    /// Commits a one-row write through the writer, as every write goes: succeeds only if the
    /// database accepts writes now. Once a write was refused for a full disk, a small write
    /// proves little (the log may still have room for it), so the row then carries
    /// [`HEADROOM`] bytes more, until one such commit succeeds.
    pub async fn check_writable(&self, now_ms: i64) -> Result<(), StoreError> {
        let was_full = self.out_of_space.load(Ordering::Acquire);
        let headroom = if was_full { HEADROOM } else { 0 };
        self.write(RecordReadiness { now_ms, headroom }).await?;
        if was_full {
            self.out_of_space.store(false, Ordering::Release);
        }
        Ok(())
    }

    /// Bytes the database takes on disk: a SQLite file and its write-ahead log (0 in
    /// memory), or PostgreSQL's size of the database (0 if it cannot say now).
    pub async fn database_bytes(&self) -> u64 {
        self.database.database_bytes().await
    }

    /// Runs `work` (a request) and returns its output with its token for Upstash's
    /// read-your-writes (`upstash-sync-token`): the number of the last write it committed,
    /// so every acknowledged write has its own, even among writes committed together; or,
    /// if it wrote nothing, the number of the last write committed. Every read already sees
    /// every acknowledged write, so any token a client sends back is honoured.
    pub async fn with_sync_token<F: Future>(&self, work: F) -> (F::Output, u64) {
        let (output, written) = LAST_WRITE
            .scope(Cell::new(None), async {
                let output = work.await;
                (output, LAST_WRITE.with(Cell::get))
            })
            .await;
        (output, written.unwrap_or_else(|| self.sequence.load(Ordering::Acquire)))
    }

    /// Checks that the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.database.ping().await
    }

    /// Moves what the write-ahead log holds into the database file, as far as readers allow
    /// (SAVE). Every acknowledged write is on disk already, in the log or the file.
    pub async fn save(&self) -> Result<(), StoreError> {
        self.database.save().await
    }

    /// Begins [`Store::save`] without waiting for it (BGSAVE).
    pub fn save_in_background(&self) -> Result<(), StoreError> {
        self.database.save_soon()
    }

    /// Commits what is queued, stops the writer and closes every connection, the writer's
    /// last, after it moved every commit into the database file: a cleanly stopped store is
    /// one file. Writes submitted afterwards fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        self.stop_hearing.notify_one();
        self.database.close_readers().await;
        self.writer.stop().await;
    }
}

/// Starts the task that sends messages to the other servers sharing `database`, in order.
fn send_to_others(database: Database) -> tokio::sync::mpsc::UnboundedSender<String> {
    let (sender, mut messages) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Some(message) = messages.recv().await {
            if let Err(error) = database.send(&message).await {
                tracing::warn!(error = ?error, "telling the other servers failed; they miss one message");
            }
        }
    });
    sender
}

/// Work that only reads, run on a reader's thread by [`Store::read_on_reader`].
pub trait ReadJob: Send + 'static {
    type Output: Send + 'static;

    fn run<'a>(self, view: &'a mut ReadView<'_>) -> LocalBoxFuture<'a, Self::Output>;
}

struct DeleteIfExpired {
    keys: Vec<Bytes>,
    now_ms: i64,
}

impl WriteJob for DeleteIfExpired {
    type Output = u64;

    fn claims(&self) -> Claims {
        Claims::keys(self.keys.clone())
    }

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(tx.delete_if_expired(&self.keys, self.now_ms))
    }
}

struct RecordReadiness {
    now_ms: i64,
    headroom: u32,
}

impl WriteJob for RecordReadiness {
    type Output = ();

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(tx.record_readiness(self.now_ms, self.headroom))
    }
}

struct PurgeExpired {
    now_ms: i64,
    limit: u32,
}

impl WriteJob for PurgeExpired {
    type Output = Purged;

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<Purged, StoreError>> {
        Box::pin(tx.purge_expired(self.now_ms, self.limit))
    }
}

tokio::task_local! {
    /// The number of the last write committed for the request this task is serving.
    static LAST_WRITE: Cell<Option<u64>>;
}

/// Remembers a committed write's number for [`Store::with_sync_token`], if it is asking.
fn note_sequence<T>(committed: writer::Committed<T>) -> T {
    // Outside `with_sync_token` (the sweep, tests) there is no one to tell.
    let _ = LAST_WRITE.try_with(|last| last.set(last.get().max(Some(committed.sequence))));
    committed.output
}

/// A database URL fit for a log line or a message: its password, if any, replaced by `***`.
pub fn url_without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// The one expiry rule, for rows and cached entries alike: a key is live until its expiry.
fn is_live(expires_at: Option<i64>, now_ms: i64) -> bool {
    expires_at.is_none_or(|expires_at| expires_at > now_ms)
}

impl From<oneshot::error::RecvError> for StoreError {
    fn from(_: oneshot::error::RecvError) -> Self {
        Self::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::url_without_password;

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            url_without_password("postgres://app:secret@db:5432/litekv"),
            "postgres://app:***@db:5432/litekv"
        );
        assert_eq!(url_without_password("postgres://db/litekv"), "postgres://db/litekv");
    }
}
