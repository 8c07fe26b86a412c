//! The database a test runs on: a new SQLite file in the test's own directory, or, when
//! `LITEKV_TEST_DATABASE_URL` names a PostgreSQL server (`postgres://user@host:port/db`), a
//! new database of its own on that server, which the server under test creates on its first
//! start. `.ci/run` runs the suites both ways.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The variable naming the PostgreSQL server the suites run against, if any.
pub const POSTGRES_SERVER: &str = "LITEKV_TEST_DATABASE_URL";

/// The PostgreSQL server the tests run against, if one is set.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_SERVER).ok().filter(|url| !url.is_empty())
}

pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// Says that a test that only makes sense for a SQLite file is skipped on PostgreSQL, and why;
/// whether it is.
pub fn skipped_on_postgres(why: &str) -> bool {
    let skipped = on_postgres();
    if skipped {
        eprintln!("skipped on PostgreSQL: {why}");
    }
    skipped
}

/// Says that a test of servers sharing a database is skipped on SQLite, and why; whether it is.
pub fn skipped_on_sqlite(why: &str) -> bool {
    let skipped = !on_postgres();
    if skipped {
        eprintln!("skipped on SQLite: {why}");
    }
    skipped
}

/// The URL of a new, empty database: `sqlite://<file>`, or a database of a new name on the
/// PostgreSQL server.
pub fn database_url(file: &Path) -> String {
    match postgres_server() {
        Some(server) => new_postgres_database(&server),
        None => format!("sqlite://{}", file.display()),
    }
}

/// `server`'s URL with the database part replaced by a name no other test (of this run or
/// an earlier one) has used.
pub fn new_postgres_database(server: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is past 1970")
        .as_nanos();
    let name = format!(
        "litekv_test_{}_{nanos}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let (base, query) = server
        .split_once('?')
        .map_or((server, None), |(base, query)| (base, Some(query)));
    let authority_start = base.find("://").map_or(0, |at| at + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |at| authority_start + at);
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// Another program holding the database's write lock, as a migration or a long transaction
/// would: writes wait for it (and fail past the busy timeout), reads go on.
pub enum WriteLockHolder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteLockHolder {
    /// Takes the write lock of the database at `url`: SQLite's `BEGIN IMMEDIATE`, or on
    /// PostgreSQL a lock on every table of the store that stops writes and no read.
    pub async fn take(url: &str) -> Self {
        use sqlx::Connection;
        if on_postgres() {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(
                "begin; lock table keys, hash_fields, list_items, set_members, zset_members, readiness,
                 function_libraries in exclusive mode",
            )
            .execute(&mut conn)
            .await
            .unwrap();
            return Self::Postgres(conn);
        }
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query("begin immediate").execute(&mut conn).await.unwrap();
        Self::Sqlite(conn)
    }

    pub async fn release(self) {
        match self {
            Self::Sqlite(mut conn) => sqlx::query("rollback").execute(&mut conn).await.map(drop),
            Self::Postgres(mut conn) => sqlx::query("rollback").execute(&mut conn).await.map(drop),
        }
        .unwrap();
    }
}
