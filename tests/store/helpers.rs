//! A store on a temporary database file, and a few write jobs to drive it with.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use litekv::store::{BoxFuture, Durability, IfMissing, Store, StoreError, StoreOptions, WriteJob, WriteTx};
use tempfile::TempDir;

use crate::database::{database_url, on_postgres};

/// Unix milliseconds the tests treat as "now": 2026-01-01.
pub const NOW: i64 = 1_767_225_600_000;

/// A new database: a file in a temporary directory, removed when dropped, or a database of
/// its own on the PostgreSQL server the tests run against (see `database.rs`).
pub struct TestDatabase {
    dir: TempDir,
    /// The SQLite file, whichever backend the URL names.
    pub path: PathBuf,
    pub url: String,
}

impl TestDatabase {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("store.sqlite3");
        let url = database_url(&path);
        Self { dir, path, url }
    }

    /// A SQLite database that starts as a copy of `file`.
    pub fn copy_of(file: &Path) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("store.sqlite3");
        std::fs::copy(file, &path).expect("the file is copied");
        let url = format!("sqlite://{}", path.display());
        Self { dir, path, url }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Opens the store, with a cache as the server has one.
    pub async fn open(&self) -> Store {
        open_at(&self.url).await
    }

    /// Rows of element table `table` (`hash_fields`, ...), whatever key they belong to: what a
    /// deleted collection must not leave behind.
    pub async fn element_rows(&self, table: &str) -> i64 {
        use sqlx::Connection;
        let count = sqlx::AssertSqlSafe(format!("select count(*) from {table}"));
        if on_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
            return sqlx::query_scalar(count).fetch_one(&mut conn).await.unwrap();
        }
        let url = format!("sqlite://{}?mode=ro", self.path.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar(count).fetch_one(&mut conn).await.unwrap()
    }

    /// Makes every commit that writes the string `key` fail, as a full disk or an I/O error
    /// can: the write breaks a deferred constraint, which the database checks only at COMMIT.
    /// SQLite leaves the transaction open after such a COMMIT; PostgreSQL ends it.
    pub async fn poison_commits_writing(&self, key: &str) {
        use sqlx::Connection;
        let parents = "create table commit_parent (id integer primary key);
             create table commit_child (parent integer references commit_parent (id) deferrable initially deferred);";
        if on_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
            let poison = format!(
                "{parents}
                 create function poison() returns trigger language plpgsql as $$
                 begin insert into commit_child values (1); return new; end; $$;
                 create trigger poison after insert on keys for each row
                 when (new.key = convert_to('{key}', 'UTF8')) execute function poison();"
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(poison))
                .execute(&mut conn)
                .await
                .unwrap();
            return conn.close().await.unwrap();
        }
        let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
        let poison = format!(
            "{parents}
             create trigger poison after insert on keys when new.key = cast('{key}' as blob)
             begin insert into commit_child values (1); end;"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(poison))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
}

pub async fn open_at(url: &str) -> Store {
    Store::open(&StoreOptions {
        database_url: url.to_owned(),
        if_missing: IfMissing::Create,
        durability: Durability::Full,
        read_connections: 2,
        busy_timeout: Duration::from_secs(5),
        cache_bytes: 1 << 20,
        cache_on_shared: false,
    })
    .await
    .expect("the store opens")
}

pub fn bytes(text: &str) -> Bytes {
    Bytes::copy_from_slice(text.as_bytes())
}

/// A write job made of a closure over the transaction; see [`job`].
pub struct Job<F>(F);

/// A write job that runs `run`.
pub fn job<F, T>(run: F) -> Job<F>
where
    F: for<'a, 'b> FnMut(&'a mut WriteTx<'b>) -> BoxFuture<'a, Result<T, StoreError>> + Send + 'static,
    T: Send + 'static,
{
    Job(run)
}

impl<F, T> WriteJob for Job<F>
where
    F: for<'a, 'b> FnMut(&'a mut WriteTx<'b>) -> BoxFuture<'a, Result<T, StoreError>> + Send + 'static,
    T: Send + 'static,
{
    type Output = T;

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<T, StoreError>> {
        (self.0)(tx)
    }
}

/// Sets fields of a hash, creating it.
pub async fn set_hash(store: &Store, key: &str, fields: &[(&str, &str)]) -> Result<u64, StoreError> {
    let key = bytes(key);
    let fields: Vec<(Bytes, Bytes)> = fields.iter().map(|(f, v)| (bytes(f), bytes(v))).collect();
    store
        .write(job(move |tx| {
            let (key, fields) = (key.clone(), fields.clone());
            Box::pin(async move { tx.set_hash_fields(&key, &fields, NOW).await })
        }))
        .await
}
