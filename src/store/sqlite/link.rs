//! The one room with `unsafe`: a SQLite connection that sqlx opened, called directly.
//!
//! sqlx runs each statement on a thread of the connection's own: a message there and a
//! wake-up back, per statement. A [`Link`] takes the connection's handle out of that thread's
//! reach for as long as it lives (sqlx's `lock_handle`, whose guard promises that the thread
//! makes no call on the handle or its statements meanwhile) and runs statements on it through
//! rusqlite, on the caller's own thread, each prepared once and kept.
//!
//! That is sound because:
//!
//! 1. **The guard outlives every use of the handle.** The link owns the guard and the
//!    connection, and lets go of them in one order: rusqlite's view of the handle first, the
//!    guard next, the connection last (`Drop`, [`Link::unlock`]).
//! 2. **Statements are finalized before the handle can close.** rusqlite finalizes its kept
//!    statements when its connection drops (its other statements borrow the connection, so
//!    they are gone before), and never closes a handle it did not open; all of that happens
//!    before the guard is released, so sqlx, which closes the handle on its own thread, finds
//!    none of ours left (its close would fail, and panic, on one).
//! 3. **Row values are copied before the next step.** A rusqlite row borrows its statement:
//!    the borrow checker refuses a step while a value read from the row is still borrowed, so
//!    what leaves a row is owned.
//! 4. **Never two threads at once.** sqlx opens its handles in SQLite's multi-thread mode
//!    (`SQLITE_OPEN_NOMUTEX`), where any thread may use a connection but no two at the same
//!    time. A link is `Send`, so it can move to the thread that uses it (a reader's, the
//!    writer's, a request's for a moment), and not `Sync`, like rusqlite's own connection.
//!
//! The crates that share the handle (sqlx, rusqlite, libsqlite3-sys) are pinned together in
//! Cargo.toml. The tests below exercise each condition.
#![allow(unsafe_code)]

use std::mem::ManuallyDrop;
use std::ptr::NonNull;

use futures_util::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::LockedSqliteHandle;
use sqlx::{Connection as _, Sqlite, SqliteConnection};

/// Prepared statements a link keeps: every statement the store runs, with room to spare for
/// the shapes of sorted-set ranges.
const STATEMENTS_KEPT: usize = 256;

/// Turns SQLite's count of the memory it allocates off, for this process, if SQLite has not
/// started yet: the count takes a lock that every connection shares around each allocation,
/// and nothing here reads it. Once SQLite started (another database opened first in this
/// process), SQLite refuses, and the count stays on, which is only slower.
pub(super) fn stop_counting_memory() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int; SQLite refuses it (SQLITE_MISUSE)
        // rather than change it under connections already open.
        let _ = unsafe { rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0) };
    });
}

/// What owns the sqlx connection under a link.
pub(super) trait Owner: Send + 'static {
    fn connection(&mut self) -> &mut SqliteConnection;
    /// Lets go of the connection: closes it, or gives it back to its pool.
    fn close(self: Box<Self>) -> BoxFuture<'static, Result<(), sqlx::Error>>;
}

impl Owner for SqliteConnection {
    fn connection(&mut self) -> &mut SqliteConnection {
        self
    }

    fn close(self: Box<Self>) -> BoxFuture<'static, Result<(), sqlx::Error>> {
        Box::pin((*self).close())
    }
}

impl Owner for PoolConnection<Sqlite> {
    fn connection(&mut self) -> &mut SqliteConnection {
        self
    }

    fn close(self: Box<Self>) -> BoxFuture<'static, Result<(), sqlx::Error>> {
        drop(self);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A sqlx connection whose handle is called directly; see the module's comment.
pub(super) struct Link {
    /// rusqlite's view of the handle; finalizes its kept statements when dropped.
    sqlite: ManuallyDrop<rusqlite::Connection>,
    /// Keeps sqlx's thread off the handle. It borrows the connection `owner` holds, which lives
    /// in a box of its own that nothing else touches until the guard is gone.
    lock: ManuallyDrop<LockedSqliteHandle<'static>>,
    owner: OwnerBox,
}

/// A leaked box of the owner, freed (once) after the guard that borrows it.
struct OwnerBox(NonNull<dyn Owner>);

// SAFETY: it is an owned box of a `Send` value, moved with the link.
unsafe impl Send for OwnerBox {}

impl Link {
    /// Takes `owner`'s handle from sqlx's thread (a round trip to it) and keeps it.
    pub(super) async fn lock(owner: impl Owner) -> Result<Self, sqlx::Error> {
        let owner = OwnerBox(NonNull::from(Box::leak(Box::new(owner) as Box<dyn Owner>)));
        // SAFETY: the box is freed only after the guard borrowing it is gone (here on failure,
        // in `Drop` or `unlock` otherwise), and nothing else reaches it meanwhile.
        let connection: &'static mut SqliteConnection = unsafe { (*owner.0.as_ptr()).connection() };
        let mut lock = match connection.lock_handle().await {
            Ok(lock) => lock,
            Err(error) => {
                // SAFETY: the borrow ended with the failed call; the box is freed once.
                drop(unsafe { Box::from_raw(owner.0.as_ptr()) });
                return Err(error);
            }
        };
        // SAFETY: the handle stays open and ours while the guard lives, which outlives this
        // view of it (condition 1); rusqlite does not close a handle it did not open.
        let sqlite = unsafe { rusqlite::Connection::from_handle(lock.as_raw_handle().as_ptr()) }
            .expect("rusqlite takes any open handle");
        sqlite.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        Ok(Self {
            sqlite: ManuallyDrop::new(sqlite),
            lock: ManuallyDrop::new(lock),
            owner,
        })
    }

    /// The handle, through rusqlite: statements prepared with `prepare_cached` are kept for
    /// the link's life.
    pub(super) fn sqlite(&self) -> &rusqlite::Connection {
        &self.sqlite
    }

    /// Pages written out since the connection opened: a commit appends each page it dirtied
    /// to the write-ahead log once.
    pub(super) fn pages_written(&self) -> u64 {
        let (mut current, mut highest) = (0, 0);
        // SAFETY: the handle is open and ours (conditions 1 and 4); SQLite writes the two ints.
        let status = unsafe {
            rusqlite::ffi::sqlite3_db_status(
                self.sqlite.handle(),
                rusqlite::ffi::SQLITE_DBSTATUS_CACHE_WRITE,
                &mut current,
                &mut highest,
                0,
            )
        };
        if status == rusqlite::ffi::SQLITE_OK {
            u64::try_from(current).unwrap_or(0)
        } else {
            0
        }
    }

    /// Gives the connection back to sqlx, its statements finalized and its handle unlocked.
    pub(super) fn unlock(self) -> Box<dyn Owner> {
        let mut link = ManuallyDrop::new(self);
        // SAFETY: each field is released once, in the order of condition 1, and `link` is never
        // dropped.
        unsafe {
            ManuallyDrop::drop(&mut link.sqlite);
            ManuallyDrop::drop(&mut link.lock);
            Box::from_raw(link.owner.0.as_ptr())
        }
    }

    /// Unlocks the connection and lets go of it: closes it, or gives it back to its pool.
    pub(super) async fn close(self) -> Result<(), sqlx::Error> {
        self.unlock().close().await
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        // SAFETY: as in `unlock`: statements, then the guard, then the connection, each once.
        unsafe {
            ManuallyDrop::drop(&mut self.sqlite);
            ManuallyDrop::drop(&mut self.lock);
            drop(Box::from_raw(self.owner.0.as_ptr()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn connection(dir: &tempfile::TempDir) -> SqliteConnection {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("link.sqlite3").display());
        SqliteConnection::connect(&url).await.unwrap()
    }

    fn run(link: &Link, sql: &str) {
        link.sqlite().prepare_cached(sql).unwrap().execute([]).unwrap();
    }

    /// Conditions 1 and 2: sqlx uses the connection again once unlocked, and closes it, which
    /// fails (and panics) if a statement of ours were left.
    #[tokio::test]
    async fn an_unlocked_connection_serves_sqlx_again_and_closes() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = connection(&dir).await;
        sqlx::query("create table t (v integer)")
            .execute(&mut conn)
            .await
            .unwrap();
        let link = Link::lock(conn).await.unwrap();
        run(&link, "insert into t values (7)");
        // Kept statements, one of them left mid-query.
        let mut statement = link.sqlite().prepare_cached("select v from t").unwrap();
        let mut rows = statement.query([]).unwrap();
        assert_eq!(rows.next().unwrap().unwrap().get::<_, i64>(0).unwrap(), 7);
        drop(rows);
        drop(statement);
        let mut owner = link.unlock();
        let sum: i64 = sqlx::query_scalar("select sum(v) from t")
            .fetch_one(owner.connection())
            .await
            .unwrap();
        assert_eq!(sum, 7);
        owner.close().await.unwrap();
    }

    /// Condition 4: a link moves to another thread and runs statements there.
    #[tokio::test]
    async fn a_link_works_on_the_thread_it_moved_to() {
        let dir = tempfile::tempdir().unwrap();
        let link = Link::lock(connection(&dir).await).await.unwrap();
        let link = std::thread::spawn(move || {
            run(&link, "create table t (v integer)");
            run(&link, "insert into t values (1), (2)");
            link
        })
        .join()
        .unwrap();
        assert_eq!(link.sqlite().total_changes(), 2);
        assert!(link.sqlite().is_autocommit());
        link.close().await.unwrap();
    }

    /// Condition 3 is the borrow checker's: what leaves a row is owned, so it outlives the step
    /// that reads the next one.
    #[tokio::test]
    async fn values_read_from_a_row_outlive_the_next_step() {
        let dir = tempfile::tempdir().unwrap();
        let link = Link::lock(connection(&dir).await).await.unwrap();
        run(&link, "create table t (v blob)");
        run(&link, "insert into t values (x'6669727374'), (x'7365636f6e64')");
        let mut statement = link.sqlite().prepare_cached("select v from t order by rowid").unwrap();
        let mut rows = statement.query([]).unwrap();
        let first: Vec<u8> = rows.next().unwrap().unwrap().get(0).unwrap();
        let second: Vec<u8> = rows.next().unwrap().unwrap().get(0).unwrap();
        assert_eq!([first.as_slice(), second.as_slice()], [b"first".as_slice(), b"second"]);
    }

    /// A link dropped without `close` (a panic, a thread that ends) still lets go in order, and
    /// a pooled connection goes back to its pool.
    #[tokio::test]
    async fn a_dropped_link_gives_its_connection_back() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("link.sqlite3").display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let link = Link::lock(pool.acquire().await.unwrap()).await.unwrap();
        run(&link, "create table t (v integer)");
        drop(link);
        let count: i64 = sqlx::query_scalar("select count(*) from t")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(count, 0);
        pool.close().await;
    }

    /// Pages written count the log frames a commit appends.
    #[tokio::test]
    async fn a_commit_counts_the_pages_it_writes() {
        let dir = tempfile::tempdir().unwrap();
        let link = Link::lock(connection(&dir).await).await.unwrap();
        link.sqlite()
            .query_row("pragma journal_mode = wal", [], |_| Ok(()))
            .unwrap();
        run(&link, "create table t (v integer)");
        let before = link.pages_written();
        run(&link, "insert into t values (1)");
        assert!(link.pages_written() > before);
        link.close().await.unwrap();
    }
}
