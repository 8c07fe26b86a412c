//! The SQLite backend: connection settings, the schema's migrations, every SQL statement
//! (one file per Redis type), what its errors mean, checkpoints and backups. Nothing outside
//! this module and the dispatch point above it knows it is SQLite.

mod checkpoints;
mod exclusive;
mod functions;
mod hashes;
mod keys;
mod link;
mod lists;
mod random;
mod readers;
mod sets;
mod strings;
mod zsets;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

pub(in crate::store) use exclusive::ServerLock;
use link::Link;
use rusqlite::{CachedStatement, ErrorCode};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection as _, SqlitePool};

use crate::store::backend::{Failure, Savepoint, Snapshots, Transactions, migration_failure};
use crate::store::{Durability, IfMissing, StoreError, StoreOptions};

/// A connection the store runs statements on, directly (see [`Link`]): a reader's, or the
/// writer's, which also keeps the savepoints its transaction asked for.
pub(in crate::store) struct Connection {
    link: Link,
    /// Savepoints asked for, innermost last, each with whether it was taken: a savepoint is
    /// taken only before the first statement that writes, so a job that only reads (a blocked
    /// client's look at an empty list) or fails before it writes costs none.
    savepoints: RefCell<Vec<(Savepoint, bool)>>,
    /// Statements run since [`Connection::take_statement_count`].
    statements: Cell<u64>,
    /// The last id given to a key, read from the table when the writer first needs one: the
    /// server lock makes this writer the only one creating keys.
    last_key_id: Cell<Option<i64>>,
}

impl Connection {
    fn new(link: Link) -> Self {
        Self {
            link,
            savepoints: RefCell::new(Vec::new()),
            statements: Cell::new(0),
            last_key_id: Cell::new(None),
        }
    }

    /// An id for a key about to be created: above every id in use.
    fn new_key_id(&self) -> rusqlite::Result<i64> {
        let last = match self.last_key_id.get() {
            Some(last) => last,
            None => self
                .prepare("select coalesce(max(id), 0) from keys")?
                .query_row([], |row| row.get(0))?,
        };
        self.last_key_id.set(Some(last + 1));
        Ok(last + 1)
    }

    /// A statement prepared once and kept, ready to bind and run once. One that writes first
    /// takes the savepoints asked for and not yet taken.
    fn prepare(&self, sql: &str) -> rusqlite::Result<CachedStatement<'_>> {
        self.statements.set(self.statements.get() + 1);
        let statement = self.link.sqlite().prepare_cached(sql)?;
        if !statement.readonly() {
            self.take_savepoints()?;
        }
        Ok(statement)
    }

    /// Runs a statement that takes no values, to its end, whatever rows it answers
    /// (transaction control, pragmas).
    fn run(&self, sql: &str) -> rusqlite::Result<()> {
        let mut statement = self.prepare(sql)?;
        let mut rows = statement.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    }

    fn take_savepoints(&self) -> rusqlite::Result<()> {
        for (name, taken) in self.savepoints.borrow_mut().iter_mut().filter(|(_, taken)| !*taken) {
            self.run(match name {
                Savepoint::Job => "savepoint job",
                Savepoint::Script => "savepoint script",
            })?;
            *taken = true;
        }
        Ok(())
    }

    /// The innermost savepoint, `name`, and whether it was taken.
    fn pop_savepoint(&mut self, name: Savepoint) -> bool {
        let innermost = self.savepoints.get_mut().pop();
        debug_assert!(matches!(innermost, Some((popped, _)) if popped == name));
        innermost.is_some_and(|(_, taken)| taken)
    }

    fn transaction_open(&self) -> bool {
        !self.link.sqlite().is_autocommit()
    }

    /// Statements run since the last call.
    fn take_statement_count(&self) -> u64 {
        self.statements.replace(0)
    }

    /// Opens a read transaction, which the next query begins.
    fn open_snapshot(&self) {
        if let Err(error) = self.run("begin") {
            tracing::warn!(error = ?error, "starting a read transaction failed; reads go on without one");
        }
    }

    /// Ends a read transaction a read left open (see [`Snapshots`]).
    fn end_snapshot(&self) {
        if self.transaction_open()
            && let Err(error) = self.run("rollback")
        {
            tracing::warn!(error = ?error, "ending a read transaction failed");
        }
    }

    async fn close(self) -> Result<(), sqlx::Error> {
        self.link.close().await
    }
}

impl Snapshots for Connection {
    /// A read transaction, which the read's end rolls back.
    async fn begin_snapshot(&mut self) -> Result<(), StoreError> {
        if !self.transaction_open() {
            self.run("begin")?;
        }
        Ok(())
    }
}

/// The writer's connection, with the checkpointer's word on when to finish the log.
pub(in crate::store) struct WriteConnection {
    conn: Connection,
    checkpoints: checkpoints::Checkpointer,
    /// Pages written when the batch began, for the log frames it appends.
    pages_at_begin: u64,
}

/// The schema, embedded in the binary and applied at start.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// An open database file: its reader threads, its pool of read connections for reads on the
/// caller's own thread, and its path.
#[derive(Clone, Debug)]
pub(in crate::store) struct Database {
    readers: readers::Readers,
    pool: SqlitePool,
    checkpoints: checkpoints::Checkpointer,
    /// The database file, for its size (`:memory:` for an in-memory database).
    file: PathBuf,
}

impl Database {
    /// Opens (creating it if missing, when `options` allow) and migrates the database.
    /// Returns it with the one write connection.
    pub(super) async fn open(options: &StoreOptions) -> Result<(Self, WriteConnection), StoreError> {
        let file = base_options(options)?.get_filename().to_path_buf();
        check_file(&file, options.if_missing)?;
        link::stop_counting_memory();
        let mut writer = connect_writer(options)
            .await
            .map_err(|error| opening_failure(error, &file))?;
        MIGRATOR.run(&mut writer).await.map_err(migration_failure)?;
        let readers = readers::Readers::start(options, options.read_connections).await?;
        let pool = connect_pool(options).await?;
        let checkpoints = checkpoints::Checkpointer::start(base_options(options)?.connect().await?);
        Ok((
            Self {
                readers,
                pool,
                checkpoints: checkpoints.clone(),
                file,
            },
            WriteConnection {
                conn: Connection::new(Link::lock(writer).await?),
                checkpoints,
                pages_at_begin: 0,
            },
        ))
    }

    pub(super) fn session(&self) -> ReadSession<'_> {
        ReadSession {
            pool: &self.pool,
            held: None,
        }
    }

    /// Runs `task` on the next free reader thread's connection.
    pub(super) async fn run_on_reader(&self, task: readers::Task) -> Result<(), StoreError> {
        self.readers.submit(task).await
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        Ok(sqlx::query("select 1").execute(&self.pool).await.map(drop)?)
    }

    pub(super) async fn save(&self) -> Result<(), StoreError> {
        self.checkpoints.checkpoint_now().await
    }

    pub(super) fn save_soon(&self) -> Result<(), StoreError> {
        self.checkpoints.checkpoint_soon()
    }

    /// Bytes the database takes on disk: its file and write-ahead log.
    pub(super) fn file_bytes(&self) -> u64 {
        let mut wal = self.file.clone().into_os_string();
        wal.push("-wal");
        [self.file.as_os_str(), wal.as_os_str()]
            .into_iter()
            .filter_map(|path| std::fs::metadata(path).ok())
            .map(|metadata| metadata.len())
            .sum()
    }

    /// Stops checkpointing and closes the read connections, waiting for those in use: the
    /// writer's connection is then the last, and its close leaves one file.
    pub(super) async fn close_readers(&self) {
        self.checkpoints.stop().await;
        self.readers.stop().await;
        self.pool.close().await;
    }
}

/// Writes a consistent copy of the database to `destination` with `VACUUM INTO`: one read
/// transaction, so writers carry on meanwhile, and a compact file with no log beside it.
/// The database is neither created nor migrated. Returns the keys the copy holds, counted in
/// the copy once SQLite's `quick_check` passed on it.
pub(super) async fn backup(options: &StoreOptions, destination: &Path) -> Result<u64, StoreError> {
    let file = base_options(options)?.get_filename().to_path_buf();
    check_file(&file, IfMissing::Refuse)?;
    check_backup_destination(destination)?;
    let mut source = base_options(options)?.read_only(true).connect().await?;
    let destination_text = destination.to_string_lossy();
    sqlx::query("vacuum into ?")
        .bind(destination_text.as_ref())
        .execute(&mut source)
        .await?;
    source.close().await?;

    let mut copy = SqliteConnectOptions::new()
        .filename(destination)
        .read_only(true)
        .connect()
        .await?;
    let verdict: String = sqlx::query_scalar("pragma quick_check").fetch_one(&mut copy).await?;
    if verdict != "ok" {
        return Err(StoreError::Refused(format!(
            "the backup {} fails SQLite's quick_check ({verdict}): do not restore it",
            destination.display()
        )));
    }
    let keys: i64 = sqlx::query_scalar("select count(*) from keys")
        .fetch_one(&mut copy)
        .await?;
    copy.close().await?;
    Ok(keys as u64)
}

/// A backup goes to a new file in a directory that exists: it never overwrites.
fn check_backup_destination(destination: &Path) -> Result<(), StoreError> {
    if destination.exists() {
        return Err(StoreError::Refused(format!(
            "{} exists: a backup never overwrites a file; remove it or choose another name",
            destination.display()
        )));
    }
    directory_exists(destination, "the backup", "another path")
}

/// Refuses a file whose directory is missing, naming it, what the file is for (`purpose`)
/// and what else to choose (`instead`).
fn directory_exists(file: &Path, purpose: &str, instead: &str) -> Result<(), StoreError> {
    match file.parent() {
        Some(directory) if !directory.as_os_str().is_empty() && !directory.is_dir() => {
            Err(StoreError::Refused(format!(
                "the directory {} for {purpose} does not exist: create it, or choose {instead}",
                directory.display()
            )))
        }
        _ => Ok(()),
    }
}

/// SQLite's "unable to open database file" for a file that exists: on a read-only file system
/// or in a read-only directory, SQLite cannot make the log files WAL needs beside it.
fn opening_failure(error: sqlx::Error, file: &Path) -> StoreError {
    match primary_code(&error) {
        Some(rusqlite::ffi::SQLITE_CANTOPEN) if file.exists() => StoreError::ReadOnly(Arc::new(error)),
        _ => error.into(),
    }
}

/// Refuses, with a reason a person can act on, a database file SQLite could not create (its
/// directory is missing: SQLite would only say "unable to open database file") or should not
/// (it is missing and `if_missing` refuses). In-memory databases have no file to check.
fn check_file(file: &Path, if_missing: IfMissing) -> Result<(), StoreError> {
    if in_memory(file) || file.exists() {
        return Ok(());
    }
    if if_missing == IfMissing::Refuse {
        return Err(StoreError::Refused(format!(
            "there is no database at {}: check the database URL (the server creates the file on its first start)",
            file.display()
        )));
    }
    directory_exists(file, "the database", "another database URL")
}

/// Whether the database is in memory, with no file (`:memory:`, or a `file:` URI).
fn in_memory(file: &Path) -> bool {
    file.as_os_str() == ":memory:" || file.to_string_lossy().starts_with("file:")
}

/// The one write connection. Pragmas go in the connect options so they hold on every
/// connection, not just the one a one-off `execute` happened to reach.
async fn connect_writer(options: &StoreOptions) -> Result<sqlx::SqliteConnection, sqlx::Error> {
    base_options(options)?
        .create_if_missing(true)
        // WAL lets readers run beside the writer; it persists in the file once set.
        // A write dirties a page of each B-tree it touches, and the WAL takes whole pages: at
        // 1 KiB rather than 4 KiB, a commit of random keys writes a quarter of the bytes.
        // (Only a new database takes it; an existing one keeps its page size.)
        .page_size(1024)
        // The background checkpointer copies the WAL into the database, not the commit path.
        .pragma("wal_autocheckpoint", "0")
        // Once checkpointed and restarted, the WAL file shrinks back to this many bytes.
        .pragma("journal_size_limit", "67108864")
        // A statement's and a savepoint's undo journals stay in memory, not in a temp file.
        .pragma("temp_store", "memory")
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match options.durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        })
        .connect()
        .await
}

/// Read-only connections, as the readers' are, for reads on the caller's own thread (WATCH's
/// look at its keys, the store's tests): opened as needed, at most two.
async fn connect_pool(options: &StoreOptions) -> Result<SqlitePool, sqlx::Error> {
    SqlitePoolOptions::new()
        .max_connections(2)
        .min_connections(0)
        // SQLite connections do not go stale; a ping per acquire was a thread round trip per read.
        .test_before_acquire(false)
        // Fail a request rather than hold it for sqlx's default of 30 s.
        .acquire_timeout(options.busy_timeout)
        .connect_with(base_options(options)?.read_only(true))
        .await
}

fn base_options(options: &StoreOptions) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str(&options.database_url)?
        // How long a connection waits for a lock another process holds (litekv-cleanup).
        .busy_timeout(options.busy_timeout))
}

/// A connection of the read pool, taken on a read's first query, so that a read served by
/// the cache takes none.
pub(in crate::store) struct ReadSession<'a> {
    pool: &'a SqlitePool,
    held: Option<Connection>,
}

impl ReadSession<'_> {
    pub(super) async fn conn(&mut self) -> Result<&mut Connection, StoreError> {
        if self.held.is_none() {
            let link = Link::lock(self.pool.acquire().await?).await?;
            self.held = Some(Connection::new(link));
        }
        Ok(self.held.as_mut().expect("a connection was just taken"))
    }
}

impl Drop for ReadSession<'_> {
    fn drop(&mut self) {
        if let Some(conn) = &self.held {
            conn.end_snapshot();
        }
    }
}

impl WriteConnection {
    pub(super) fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Starts the writer's transaction. IMMEDIATE takes the write lock up front: a deferred
    /// transaction that read first could fail with SQLITE_BUSY_SNAPSHOT when upgrading, which
    /// no busy timeout can retry.
    pub(super) async fn begin(&mut self) -> Result<(), StoreError> {
        self.pages_at_begin = self.conn.link.pages_written();
        Ok(self.conn.run("begin immediate")?)
    }

    /// Commits the writer's transaction, then, if the checkpointer asks, finishes copying the
    /// log, so that the next transaction starts it over. That checkpoint is passive: it never
    /// waits, and its failure leaves the commit standing (the checkpointer asks again).
    pub(super) async fn commit(&mut self) -> Result<(), StoreError> {
        self.conn.run("commit")?;
        metrics::histogram!("litekv_write_statements").record(self.conn.take_statement_count() as f64);
        let pages = self.conn.link.pages_written().saturating_sub(self.pages_at_begin);
        metrics::histogram!("litekv_write_wal_frames").record(pages as f64);
        if self.checkpoints.take_finish_request()
            && let Err(error) = self.conn.run("pragma wal_checkpoint(passive)")
        {
            tracing::warn!(error = ?error, "finishing the write-ahead log failed; it will be tried again");
        }
        Ok(())
    }

    /// Rolls back the writer's transaction if one is still open, as SQLite itself says: a
    /// failed COMMIT may have ended it, or not (SQLITE_BUSY, some I/O errors, a deferred
    /// constraint), and then the next BEGIN would fail.
    pub(super) async fn rollback(&mut self) -> Result<(), StoreError> {
        self.conn.savepoints.get_mut().clear();
        self.conn.take_statement_count();
        if self.conn.transaction_open() {
            self.conn.run("rollback")?;
        }
        Ok(())
    }

    /// Copies the write-ahead log into the database file and empties it, then closes: the
    /// file alone then holds every commit, and can be copied as a backup.
    pub(super) async fn close(self) -> Result<(), StoreError> {
        let checkpointed = self.conn.run("pragma wal_checkpoint(truncate)");
        self.conn.link.close().await?;
        Ok(checkpointed?)
    }
}

/// A savepoint asked for is taken only before the first statement that writes (see
/// [`Connection::prepare`]); one never taken has nothing to release or undo.
impl Transactions for Connection {
    async fn in_transaction(&mut self) -> Result<bool, StoreError> {
        Ok(self.transaction_open())
    }

    async fn savepoint(&mut self, name: Savepoint) -> Result<(), StoreError> {
        self.savepoints.get_mut().push((name, false));
        Ok(())
    }

    async fn release(&mut self, name: Savepoint) -> Result<(), StoreError> {
        if self.pop_savepoint(name) {
            self.run(match name {
                Savepoint::Job => "release job",
                Savepoint::Script => "release script",
            })?;
        }
        Ok(())
    }

    async fn roll_back_to(&mut self, name: Savepoint) -> Result<(), StoreError> {
        if self.pop_savepoint(name) {
            let (roll_back, release) = match name {
                Savepoint::Job => ("rollback to job", "release job"),
                Savepoint::Script => ("rollback to script", "release script"),
            };
            self.run(roll_back)?;
            self.run(release)?;
        }
        Ok(())
    }
}

/// Runs a read on a reader's view to its end, here and now: every query on a reader's
/// connection is a direct call, so the read never waits for anything. (An executor would do
/// the same, but a script the read runs drives the commands it calls with one of its own,
/// which may not nest in another.)
pub(in crate::store) fn run_ready<F: Future>(read: F) -> F::Output {
    let mut read = std::pin::pin!(read);
    match read
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("a read on a reader's connection waited"),
    }
}

/// The primary result code of a database error: extended codes carry it in their low byte.
fn primary_code(error: &sqlx::Error) -> Option<i32> {
    match error {
        sqlx::Error::Database(db) => db.code()?.parse::<i32>().ok().map(|code| code & 0xff),
        _ => None,
    }
}

/// What a SQLite error (or sqlx's own, such as a pool timeout) means to the store.
pub(in crate::store) fn failure(error: &sqlx::Error) -> Failure {
    if matches!(error, sqlx::Error::PoolTimedOut) {
        return Failure::Busy;
    }
    primary_code(error).map_or(Failure::Other, |code| {
        failure_of_code(rusqlite::ffi::Error::new(code).code)
    })
}

fn failure_of_code(code: ErrorCode) -> Failure {
    match code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Failure::Busy,
        ErrorCode::DiskFull => Failure::Full,
        ErrorCode::ReadOnly => Failure::ReadOnly,
        ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Failure::Corrupt,
        _ => Failure::Other,
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        let failure = error.sqlite_error_code().map_or(Failure::Other, failure_of_code);
        failure.into_error(Arc::new(error))
    }
}
