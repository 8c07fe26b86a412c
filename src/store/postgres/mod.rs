//! The PostgreSQL backend: connections, the schema's migrations (`migrations/postgres/`),
//! every SQL statement (one file per Redis type), what its errors mean, and the claim that
//! keeps a second server off the database. Nothing outside this module and the dispatch point
//! above it knows it is PostgreSQL.
//!
//! Where its connections' I/O runs: every connection is opened on one runtime of this
//! module's own ([`io`]), whose thread drives the sockets; any thread may then poll a
//! connection's queries with any executor. That matters because the store drives queries in
//! places where a runtime is not running: the writer blocks its thread inside a Lua script
//! (each `redis.call` is driven to its end there), and reads run on blocking threads.

mod bus;
mod functions;
mod hashes;
mod keys;
mod lists;
mod random;
mod sets;
mod strings;
mod zsets;

pub(in crate::store) use bus::Heard;

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use futures_util::future::LocalBoxFuture;
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgDatabaseError, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection as _, Executor, PgConnection, Postgres};

use crate::store::backend::{Failure, Savepoint, Snapshots, Transactions, migration_failure};
use crate::store::{Claims, Durability, IfMissing, StoreError, StoreOptions, url_without_password};

/// The schema, embedded in the binary and applied at start.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The most keys a batch locks one by one; a batch claiming more locks the whole keyspace.
const MAX_CLAIMED_KEYS: usize = 1024;

/// The advisory lock of the expiry sweep, which one server runs at a time.
const SWEEP_LOCK: i64 = 0x6c69_7465_6b76_0002;

/// The advisory lock on the whole keyspace: every batch holds it shared, FLUSHDB exclusively.
/// Key locks are hashes of keys (`litekv_key_lock`); this one is a number of litekv's own.
const KEYSPACE_LOCK: i64 = 0x6c69_7465_6b76_0001;

/// How long a session may sit idle inside a transaction before the server ends it.
const IDLE_IN_TRANSACTION_TIMEOUT: &str = "60s";

/// The runtime every connection of this backend is opened on, whose one thread drives their
/// sockets for the life of the process.
fn io() -> &'static tokio::runtime::Handle {
    static IO: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    IO.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("litekv-postgres")
            .enable_all()
            .build()
            .expect("a runtime for PostgreSQL's connections starts")
    })
    .handle()
}

/// Runs `task` on the [`io`] runtime, so that the connections it opens are driven there.
async fn on_io<T: Send + 'static>(
    task: impl Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    io().spawn(task)
        .await
        .map_err(|error| StoreError::Refused(format!("a PostgreSQL task failed: {error}")))?
}

/// A connection the store runs statements on: a reader's, or the writer's, which also keeps
/// the savepoints its transaction asked for.
pub(in crate::store) struct Connection {
    held: Held,
    /// Savepoints asked for, innermost last, each with whether it was taken: a savepoint is
    /// taken only before the first statement that writes ([`Connection::writing`]), so a job
    /// that only reads costs none.
    savepoints: Vec<(Savepoint, bool)>,
    /// Whether a transaction (the writer's, or a read's snapshot) is open.
    transaction: bool,
    /// The writer's: the keys its transaction holds the locks of. Readers lock nothing.
    locks: Option<Locks>,
}

/// The advisory locks a writer's transaction holds, until it ends.
#[derive(Default)]
struct Locks {
    keys: HashSet<Vec<u8>>,
    /// The keyspace's lock, exclusively: every key is the transaction's.
    everything: bool,
}

enum Held {
    Own(PgConnection),
    Pooled(PoolConnection<Postgres>),
}

impl Connection {
    fn new(held: Held) -> Self {
        Self {
            held,
            savepoints: Vec::new(),
            transaction: false,
            locks: None,
        }
    }

    /// Makes sure the writer's transaction holds the lock of each of `keys` before a
    /// statement touches it: a key the batch did not claim is locked now if it is free, and
    /// the command fails with TRYAGAIN if another server holds it (waiting could deadlock,
    /// as the claims were not taken in order). A reader locks nothing.
    async fn lock<'k>(&mut self, keys: impl IntoIterator<Item = &'k [u8]>) -> Result<(), StoreError> {
        let Some(locks) = &self.locks else {
            return Ok(());
        };
        if locks.everything {
            return Ok(());
        }
        let missing: Vec<&[u8]> = keys.into_iter().filter(|key| !locks.keys.contains(*key)).collect();
        for key in missing {
            let taken: bool = sqlx::query_scalar("select pg_try_advisory_xact_lock(litekv_key_lock($1))")
                .bind(key)
                .fetch_one(self.reading())
                .await?;
            if !taken {
                return Err(StoreError::KeyBusy(String::from_utf8_lossy(key).into_owned()));
            }
            if let Some(locks) = &mut self.locks {
                locks.keys.insert(key.to_vec());
            }
        }
        Ok(())
    }

    /// Whether this transaction may sweep expired keys: one server's sweep at a time.
    async fn try_lock_sweep(&mut self) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar("select pg_try_advisory_xact_lock($1)")
            .bind(SWEEP_LOCK)
            .fetch_one(self.reading())
            .await?)
    }

    /// As [`Connection::lock`], for one key.
    async fn lock_key(&mut self, key: &[u8]) -> Result<(), StoreError> {
        self.lock([key]).await
    }

    /// The connection, for a statement that reads.
    fn reading(&mut self) -> &mut PgConnection {
        match &mut self.held {
            Held::Own(conn) => conn,
            Held::Pooled(conn) => conn,
        }
    }

    /// The connection, for a statement that writes: first takes the savepoints asked for and
    /// not yet taken.
    async fn writing(&mut self) -> Result<&mut PgConnection, StoreError> {
        let pending: Vec<Savepoint> = self
            .savepoints
            .iter_mut()
            .filter(|(_, taken)| !*taken)
            .map(|(name, taken)| {
                *taken = true;
                *name
            })
            .collect();
        for name in pending {
            self.run(match name {
                Savepoint::Job => "savepoint job",
                Savepoint::Script => "savepoint script",
            })
            .await?;
        }
        Ok(self.reading())
    }

    /// Runs a statement that takes no values (transaction control).
    async fn run(&mut self, sql: &'static str) -> Result<(), StoreError> {
        self.reading().execute(sql).await?;
        Ok(())
    }

    /// The innermost savepoint, `name`, and whether it was taken.
    fn pop_savepoint(&mut self, name: Savepoint) -> bool {
        let innermost = self.savepoints.pop();
        debug_assert!(matches!(innermost, Some((popped, _)) if popped == name));
        innermost.is_some_and(|(_, taken)| taken)
    }

    /// Ends a read's snapshot, if it began one.
    async fn end_snapshot(&mut self) {
        if self.transaction {
            self.transaction = false;
            if let Err(error) = self.run("rollback").await {
                tracing::warn!(error = ?error, "ending a read transaction failed");
            }
        }
    }
}

impl Snapshots for Connection {
    /// A read-only transaction whose snapshot its first query takes, rolled back at the
    /// read's end.
    async fn begin_snapshot(&mut self) -> Result<(), StoreError> {
        if !self.transaction {
            self.run("begin isolation level repeatable read read only").await?;
            self.transaction = true;
        }
        Ok(())
    }
}

/// A savepoint asked for is taken only before the first statement that writes (see
/// [`Connection::writing`]); one never taken has nothing to release or undo.
impl Transactions for Connection {
    /// A failed statement aborts a PostgreSQL transaction until it rolls back to a savepoint
    /// taken before it. With none taken, a probe says whether the failure was the database's
    /// (the transaction can only end) or the command's own (nothing ran that failed).
    async fn in_transaction(&mut self) -> Result<bool, StoreError> {
        if !self.transaction {
            return Ok(false);
        }
        if self.savepoints.iter().any(|(_, taken)| *taken) {
            return Ok(true);
        }
        Ok(self.reading().execute("select 1").await.is_ok())
    }

    async fn savepoint(&mut self, name: Savepoint) -> Result<(), StoreError> {
        self.savepoints.push((name, false));
        Ok(())
    }

    async fn release(&mut self, name: Savepoint) -> Result<(), StoreError> {
        if self.pop_savepoint(name) {
            self.run(match name {
                Savepoint::Job => "release savepoint job",
                Savepoint::Script => "release savepoint script",
            })
            .await?;
        }
        Ok(())
    }

    async fn roll_back_to(&mut self, name: Savepoint) -> Result<(), StoreError> {
        if self.pop_savepoint(name) {
            let (roll_back, release) = match name {
                Savepoint::Job => ("rollback to savepoint job", "release savepoint job"),
                Savepoint::Script => ("rollback to savepoint script", "release savepoint script"),
            };
            self.run(roll_back).await?;
            self.run(release).await?;
        }
        Ok(())
    }
}

/// An open database: a pool of read connections, opened on the [`io`] runtime.
#[derive(Clone, Debug)]
pub(in crate::store) struct Database {
    pool: PgPool,
    /// This server's name on the bus between servers.
    origin: Arc<str>,
    options: StoreOptions,
    /// Held shared by each read from its start to its end, and exclusively by the close, which
    /// so lets every read asked before it finish.
    reads: Arc<tokio::sync::RwLock<()>>,
}

impl Database {
    /// Opens (creating it if missing, when `options` allow) and migrates the database.
    /// Returns it with the one write connection.
    pub(in crate::store) async fn open(options: &StoreOptions) -> Result<(Self, WriteConnection), StoreError> {
        let options = options.clone();
        on_io(async move {
            let mut writer = connect(&options, ConnectionRole::Writer).await?;
            // `run_direct` is what `run` calls; `run` itself cannot be sent to another runtime
            // (sqlx's "implementation of `Acquire` is not general enough").
            MIGRATOR
                .run_direct(None, &mut writer, false)
                .await
                .map_err(migration_failure)?;
            let pool = PgPoolOptions::new()
                .max_connections(options.read_connections.max(2))
                .min_connections(0)
                .acquire_timeout(options.busy_timeout)
                .connect_with(connect_options(&options, ConnectionRole::Reader)?)
                .await?;
            let origin: Arc<str> = bus::new_origin().into();
            Ok((
                Self {
                    pool,
                    origin: Arc::clone(&origin),
                    options,
                    reads: Arc::default(),
                },
                WriteConnection {
                    conn: Connection {
                        locks: Some(Locks::default()),
                        ..Connection::new(Held::Own(writer))
                    },
                    origin,
                },
            ))
        })
        .await
    }

    /// A connection of the pool, taken on the [`io`] runtime.
    async fn acquire(&self) -> Result<Connection, StoreError> {
        let pool = self.pool.clone();
        let pooled = on_io(async move { Ok(pool.acquire().await?) }).await?;
        Ok(Connection::new(Held::Pooled(pooled)))
    }

    pub(in crate::store) fn session(&self) -> ReadSession<'_> {
        ReadSession {
            database: self,
            held: None,
        }
    }

    /// Runs `job` on a connection of the pool, on a blocking thread: a script the read runs
    /// drives each command it calls to its end, which may block.
    pub(in crate::store) async fn read<T: Send + 'static>(
        &self,
        job: impl for<'c> FnOnce(&'c mut Connection) -> LocalBoxFuture<'c, T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reading = Arc::clone(&self.reads).read_owned().await;
        let mut conn = self.acquire().await?;
        tokio::task::spawn_blocking(move || {
            let _reading = reading;
            // Not `futures_executor::block_on`, which a script's own (nested) one would refuse.
            tokio::runtime::Handle::current().block_on(async move {
                let output = job(&mut conn).await;
                conn.end_snapshot().await;
                output
            })
        })
        .await
        .map_err(|error| StoreError::Refused(format!("a read on PostgreSQL failed: {error}")))
    }

    pub(in crate::store) async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.acquire().await?;
        conn.run("select 1").await
    }

    /// PostgreSQL's size of the database, its tables and indexes; 0 if it cannot say now.
    pub(in crate::store) async fn database_bytes(&self) -> u64 {
        let size = async {
            let mut conn = self.acquire().await?;
            let size: i64 = sqlx::query_scalar("select pg_database_size(current_database())")
                .fetch_one(conn.reading())
                .await?;
            Ok::<_, StoreError>(size)
        };
        match size.await {
            Ok(size) => u64::try_from(size).unwrap_or(0),
            Err(error) => {
                tracing::warn!(error = ?error, "reading the database's size failed");
                0
            }
        }
    }

    /// Starts hearing the other servers' messages.
    pub(in crate::store) async fn listen(
        &self,
    ) -> Result<tokio::sync::mpsc::UnboundedReceiver<bus::Heard>, StoreError> {
        let listening = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(connect_options(&self.options, ConnectionRole::Reader)?);
        bus::listen(listening, self.pool.clone(), self.origin.to_string()).await
    }

    /// Tells the other servers `message`, now.
    pub(in crate::store) async fn send(&self, message: &str) -> Result<(), StoreError> {
        let mut conn = self.acquire().await?;
        bus::send(conn.reading(), &self.origin, message).await
    }

    /// Lets the reads already asked for finish, then closes the pool.
    pub(in crate::store) async fn close(&self) {
        let _no_reads = self.reads.write().await;
        let pool = self.pool.clone();
        let _ = on_io(async move {
            pool.close().await;
            Ok(())
        })
        .await;
    }
}

/// A backup of a PostgreSQL database is PostgreSQL's to make.
pub(in crate::store) fn backup_refused() -> StoreError {
    StoreError::Refused(
        "litekv's backup copies SQLite files; back a PostgreSQL database up with pg_dump, or with a base \
         backup and its WAL archive (pg_basebackup)"
            .to_owned(),
    )
}

/// A connection of the pool, taken on a read's first query.
pub(in crate::store) struct ReadSession<'a> {
    database: &'a Database,
    held: Option<Connection>,
}

impl ReadSession<'_> {
    pub(in crate::store) async fn conn(&mut self) -> Result<&mut Connection, StoreError> {
        if self.held.is_none() {
            self.held = Some(self.database.acquire().await?);
        }
        Ok(self.held.as_mut().expect("a connection was just taken"))
    }
}

impl Drop for ReadSession<'_> {
    /// A snapshot the read began ends before the connection goes back to its pool.
    fn drop(&mut self) {
        if let Some(mut conn) = self.held.take()
            && conn.transaction
        {
            io().spawn(async move { conn.end_snapshot().await });
        }
    }
}

/// The writer's own connection.
pub(in crate::store) struct WriteConnection {
    conn: Connection,
    /// This server's name on the bus between servers.
    origin: Arc<str>,
}

impl WriteConnection {
    pub(in crate::store) fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(in crate::store) async fn begin(&mut self) -> Result<(), StoreError> {
        self.conn.run("begin").await?;
        self.conn.transaction = true;
        self.conn.locks = Some(Locks::default());
        Ok(())
    }

    /// Takes the keyspace's lock (shared, or exclusive for a batch that claims every key),
    /// then the claimed keys' locks in the order of their lock numbers, in one statement:
    /// every server takes its locks in that order, so batches wait for each other but never
    /// deadlock. Each wait ends at `lock_timeout` (the busy timeout), failing the batch.
    pub(in crate::store) async fn claim(&mut self, claims: &Claims) -> Result<(), StoreError> {
        let conn = self.conn.reading();
        // Each lock takes a slot of the server's shared lock table (max_locks_per_transaction
        // per connection): past this many keys, the keyspace's own lock serves instead.
        if claims.everything || claims.keys.len() > MAX_CLAIMED_KEYS {
            sqlx::query("select pg_advisory_xact_lock($1)")
                .bind(KEYSPACE_LOCK)
                .execute(conn)
                .await?;
            self.conn.locks = Some(Locks {
                everything: true,
                ..Locks::default()
            });
            return Ok(());
        }
        let keys: Vec<&[u8]> = claims.keys.iter().map(|key| key.as_ref()).collect();
        sqlx::query(
            "select pg_advisory_xact_lock_shared($1), count(pg_advisory_xact_lock(lock))
             from (select distinct litekv_key_lock(key) as lock from unnest($2::bytea[]) as key order by 1) as claimed",
        )
        .bind(KEYSPACE_LOCK)
        .bind(&keys)
        .execute(conn)
        .await?;
        if let Some(locks) = &mut self.conn.locks {
            locks.keys.extend(keys.iter().map(|key| key.to_vec()));
        }
        Ok(())
    }

    /// Tells the other servers `message` if the batch's transaction commits.
    pub(in crate::store) async fn send_on_commit(&mut self, message: &str) -> Result<(), StoreError> {
        bus::send(self.conn.reading(), &self.origin, message).await
    }

    /// Commits: with `synchronous_commit = on` (durability `full`), once the commit returned
    /// its WAL is on disk.
    pub(in crate::store) async fn commit(&mut self) -> Result<(), StoreError> {
        self.conn.transaction = false;
        self.conn.run("commit").await
    }

    /// Rolls back whatever a failed batch left open: a rollback with no transaction open
    /// only warns.
    pub(in crate::store) async fn rollback(&mut self) -> Result<(), StoreError> {
        self.conn.savepoints.clear();
        self.conn.transaction = false;
        self.conn.run("rollback").await
    }

    pub(in crate::store) async fn close(self) -> Result<(), StoreError> {
        let Held::Own(conn) = self.conn.held else {
            return Ok(());
        };
        on_io(async move { Ok(conn.close().await?) }).await
    }
}

/// What a connection is for, which its settings follow.
#[derive(Clone, Copy)]
enum ConnectionRole {
    Writer,
    Reader,
}

/// The options of a connection: the URL's, named after this process, with the durability and
/// the timeouts the store relies on.
fn connect_options(options: &StoreOptions, role: ConnectionRole) -> Result<PgConnectOptions, StoreError> {
    let base = PgConnectOptions::from_str(&options.database_url)?;
    // What `pg_stat_activity` shows, and a refused second server names: the program and its pid.
    let program = std::env::args_os()
        .next()
        .and_then(|path| Some(std::path::Path::new(&path).file_name()?.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "litekv".to_owned());
    let name = format!("{program} pid {}", std::process::id());
    let synchronous_commit = match options.durability {
        Durability::Full => "on",
        Durability::Normal => "off",
    };
    // How long a statement waits for a lock another session holds before it fails (and, for
    // the writer, its batch with it), as SQLite's busy timeout does: a frozen session cannot
    // hold the store up for ever.
    let busy_ms = options.busy_timeout.as_millis().to_string();
    let settings: Vec<(&str, &str)> = match role {
        ConnectionRole::Writer => vec![
            ("synchronous_commit", synchronous_commit),
            ("lock_timeout", busy_ms.as_str()),
            ("idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION_TIMEOUT),
        ],
        ConnectionRole::Reader => vec![
            ("lock_timeout", busy_ms.as_str()),
            ("idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION_TIMEOUT),
        ],
    };
    Ok(base.application_name(&name).options(settings))
}

/// Connects, creating the database first if it is missing and `options` allow it, as the
/// server's first start creates its SQLite file.
async fn connect(options: &StoreOptions, role: ConnectionRole) -> Result<PgConnection, StoreError> {
    let connect_options = connect_options(options, role)?;
    match connect_options.connect().await {
        Err(error) if missing_database(&error) => {
            if options.if_missing == IfMissing::Refuse {
                return Err(StoreError::Refused(format!(
                    "there is no database {}: check the database URL (the server creates it on its first start)",
                    url_without_password(&options.database_url),
                )));
            }
            if let Err(error) = Postgres::create_database(&options.database_url).await
                && !Postgres::database_exists(&options.database_url).await.unwrap_or(false)
            {
                return Err(StoreError::Refused(format!(
                    "the database {} does not exist, and creating it failed ({error}): create it \
                     (createdb), or grant this role CREATEDB",
                    url_without_password(&options.database_url),
                )));
            }
            Ok(connect_options.connect().await?)
        }
        connected => Ok(connected?),
    }
}

/// Whether connecting failed for want of the database itself (SQLSTATE 3D000).
fn missing_database(error: &sqlx::Error) -> bool {
    error.as_database_error().and_then(|db| db.code()).as_deref() == Some("3D000")
}

/// What a PostgreSQL error means to the store, by its SQLSTATE; `None` for an error that is
/// not PostgreSQL's.
pub(in crate::store) fn failure(error: &sqlx::Error) -> Option<Failure> {
    let db = error.as_database_error()?.try_downcast_ref::<PgDatabaseError>()?;
    let code = db.code();
    Some(match code {
        // disk_full, out_of_memory-like resource exhaustion of the disk.
        "53100" => Failure::Full,
        // lock_not_available, deadlock_detected, serialization_failure, query_canceled
        // (a timeout), too_many_connections.
        "55P03" | "40P01" | "40001" | "57014" | "53300" => Failure::Busy,
        // read_only_sql_transaction: a standby, or default_transaction_read_only.
        "25006" => Failure::ReadOnly,
        // data_corrupted, index_corrupted.
        "XX001" | "XX002" => Failure::Corrupt,
        _ => Failure::Other,
    })
}

/// A count as PostgreSQL gives it, as the store counts.
fn count(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

/// A limit or offset the store gives as unsigned, as PostgreSQL binds it.
fn as_sql(number: u64) -> i64 {
    i64::try_from(number).unwrap_or(i64::MAX)
}

/// The `LIMIT` of an optional count: `null` limits nothing.
fn limit(limit: Option<u64>) -> Option<i64> {
    limit.map(as_sql)
}
