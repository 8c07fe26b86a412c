//! The SQLite backend: connection setup and every SQL statement.

use std::collections::HashMap;
use std::str::FromStr;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, QueryBuilder, SqlitePool};

use super::{Durability, Entry, StoreOptions, StringWrite, is_live};

/// The schema, embedded in the binary and applied at start.
pub(super) static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The one write connection. Pragmas go in the connect options so they hold on every
/// connection, not just the one a one-off `execute` happened to reach.
pub(super) async fn connect_writer(options: &StoreOptions) -> Result<SqliteConnection, sqlx::Error> {
    base_options(options)?
        .create_if_missing(true)
        // WAL lets readers run beside the writer; it persists in the file once set.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match options.durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        })
        .connect()
        .await
}

/// Read-only connections: a read can never take the write lock by accident.
pub(super) async fn connect_readers(options: &StoreOptions) -> Result<SqlitePool, sqlx::Error> {
    SqlitePoolOptions::new()
        .max_connections(options.read_connections)
        .min_connections(1)
        // SQLite connections do not go stale; a ping per acquire was a thread round trip per read.
        .test_before_acquire(false)
        // Fail a request rather than hold it for sqlx's default of 30 s.
        .acquire_timeout(options.busy_timeout)
        .connect_with(base_options(options)?.read_only(true))
        .await
}

fn base_options(options: &StoreOptions) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str(&options.database_url)?
        .busy_timeout(options.busy_timeout)
        .foreign_keys(true))
}

pub(super) async fn ping(readers: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("select 1").execute(readers).await.map(drop)
}

/// A key's row, expired or not.
pub(super) async fn get(conn: &mut SqliteConnection, key: &[u8]) -> Result<Option<Entry>, sqlx::Error> {
    let row: Option<(Option<i64>, Vec<u8>)> = sqlx::query_as(
        "select keys.expires_at, strings.value
         from keys join strings on strings.key_id = keys.id
         where keys.key = ?",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(expires_at, value)| Entry {
        value: value.into(),
        expires_at,
    }))
}

/// A key's expiry column, if it has a row (expired or not).
pub(super) async fn expiry(conn: &mut SqliteConnection, key: &[u8]) -> Result<Option<Option<i64>>, sqlx::Error> {
    sqlx::query_scalar("select expires_at from keys where key = ?")
        .bind(key)
        .fetch_optional(conn)
        .await
}

/// Up to `limit` live keys with an id above `after`, by id. Ids never change while a key
/// lives, and a new key gets an id above every current one, so walking by id sees every key
/// that lives throughout the walk.
pub(super) async fn scan(
    conn: &mut SqliteConnection,
    after: i64,
    limit: u32,
    now_ms: i64,
) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as(
        "select id, key from keys
         where id > ? and (expires_at is null or expires_at > ?)
         order by id limit ?",
    )
    .bind(after)
    .bind(now_ms)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Live keys starting with `prefix`, through the key index (a range, as blobs compare bytewise).
pub(super) async fn keys_with_prefix(
    conn: &mut SqliteConnection,
    prefix: &[u8],
    now_ms: i64,
) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar(
        "select key from keys
         where key >= ?1 and (?2 is null or key < ?2) and (expires_at is null or expires_at > ?3)
         order by key",
    )
    .bind(prefix)
    .bind(prefix_end(prefix))
    .bind(now_ms)
    .fetch_all(conn)
    .await
}

/// The smallest byte string above every string that starts with `prefix`, if there is one.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&byte| byte != 0xff)?;
    let mut end = prefix[..=last].to_vec();
    end[last] += 1;
    Some(end)
}

pub(super) async fn count_live(conn: &mut SqliteConnection, now_ms: i64) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar("select count(*) from keys where expires_at is null or expires_at > ?")
        .bind(now_ms)
        .fetch_one(conn)
        .await?;
    Ok(count as u64)
}

/// A live key picked at random: the first at or after a random id, else the first of all.
pub(super) async fn random_key(conn: &mut SqliteConnection, now_ms: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let after_random_id: Option<Vec<u8>> = sqlx::query_scalar(
        "select key from keys
         where id >= (select abs(random()) % (max(id) + 1) from keys)
           and (expires_at is null or expires_at > ?)
         order by id limit 1",
    )
    .bind(now_ms)
    .fetch_optional(&mut *conn)
    .await?;
    if after_random_id.is_some() {
        return Ok(after_random_id);
    }
    sqlx::query_scalar("select key from keys where expires_at is null or expires_at > ? order by id limit 1")
        .bind(now_ms)
        .fetch_optional(conn)
        .await
}

/// Upserts a run of string writes in order, with three statements however long the run: one
/// statement round trip costs far more than SQLite's work per row. Returns, per write, 1 if
/// it created its key (absent or expired) and 0 if it updated a live one. Runs inside the
/// writer's `BEGIN IMMEDIATE` transaction, so nothing interleaves with it.
pub(super) async fn set_many(conn: &mut SqliteConnection, writes: &[&StringWrite]) -> Result<Vec<bool>, sqlx::Error> {
    // Later writes to a key overwrite earlier ones: only the last reaches the tables.
    let mut last_writes: HashMap<&[u8], &StringWrite> = HashMap::with_capacity(writes.len());
    for write in writes {
        last_writes.insert(&write.key, write);
    }

    let mut expiries = existing_expiries(conn, last_writes.keys().copied()).await?;
    let created = writes
        .iter()
        .map(|write| {
            let previous = expiries.insert(write.key.to_vec(), write.expires_at);
            !previous.is_some_and(|expires_at| is_live(expires_at, write.now_ms))
        })
        .collect();

    // An expired row is re-created in place, so it gets a fresh created_at.
    let mut upsert_keys = QueryBuilder::new("insert into keys (key, type, expires_at, created_at, updated_at) ");
    upsert_keys.push_values(last_writes.values(), |mut row, write| {
        row.push_bind(write.key.as_ref())
            .push_bind("string")
            .push_bind(write.expires_at)
            .push_bind(write.now_ms)
            .push_bind(write.now_ms);
    });
    upsert_keys.push(
        " on conflict (key) do update set
             type = excluded.type,
             expires_at = excluded.expires_at,
             updated_at = excluded.updated_at,
             created_at = iif(keys.expires_at <= excluded.updated_at, excluded.created_at, keys.created_at)
         returning key, id",
    );
    let key_ids: HashMap<Vec<u8>, i64> = upsert_keys
        .build_query_as::<(Vec<u8>, i64)>()
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();

    let mut upsert_values = QueryBuilder::new("insert into strings (key_id, value) ");
    upsert_values.push_values(last_writes.values(), |mut row, write| {
        row.push_bind(key_ids[write.key.as_ref()])
            .push_bind(write.value.as_ref());
    });
    upsert_values.push(" on conflict (key_id) do update set value = excluded.value");
    upsert_values.build().persistent(false).execute(&mut *conn).await?;
    Ok(created)
}

/// The expiry column of each of `keys` that has a row (expired or not).
async fn existing_expiries<'k>(
    conn: &mut SqliteConnection,
    keys: impl Iterator<Item = &'k [u8]>,
) -> Result<HashMap<Vec<u8>, Option<i64>>, sqlx::Error> {
    let mut query = QueryBuilder::new("select key, expires_at from keys where key in (");
    let mut list = query.separated(", ");
    for key in keys {
        list.push_bind(key);
    }
    query.push(")");
    let rows = query
        .build_query_as::<(Vec<u8>, Option<i64>)>()
        .persistent(false)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Deletes a key; returns whether it was live. The value row goes with it (`on delete cascade`).
pub(super) async fn delete(conn: &mut SqliteConnection, key: &[u8], now_ms: i64) -> Result<bool, sqlx::Error> {
    let deleted: Option<Option<i64>> = sqlx::query_scalar("delete from keys where key = ? returning expires_at")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(deleted.is_some_and(|expires_at| is_live(expires_at, now_ms)))
}

/// Deletes a key only if it is expired at `now_ms`; returns whether it did.
pub(super) async fn delete_if_expired(
    conn: &mut SqliteConnection,
    key: &[u8],
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("delete from keys where key = ? and expires_at <= ?")
        .bind(key)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn set_expiry(
    conn: &mut SqliteConnection,
    key: &[u8],
    expires_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update keys set expires_at = ? where key = ?")
        .bind(expires_at)
        .bind(key)
        .execute(conn)
        .await
        .map(drop)
}

/// Gives the row of `from` the name `to`, after deleting any row `to` had. The row keeps its
/// id, its value and its expiry.
pub(super) async fn rename(
    conn: &mut SqliteConnection,
    from: &[u8],
    to: &[u8],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from keys where key = ?")
        .bind(to)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update keys set key = ?, updated_at = ? where key = ?")
        .bind(to)
        .bind(now_ms)
        .bind(from)
        .execute(conn)
        .await
        .map(drop)
}

pub(super) async fn delete_all(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("delete from keys").execute(conn).await.map(drop)
}

/// Deletes up to `limit` expired keys, oldest expiry first, through the partial index.
pub(super) async fn purge_expired(conn: &mut SqliteConnection, now_ms: i64, limit: u32) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "delete from keys where id in (
             select id from keys where expires_at <= ? order by expires_at limit ?
         )",
    )
    .bind(now_ms)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Rewrites the one row of `readiness`: a real write, as small as one can be.
pub(super) async fn record_readiness(conn: &mut SqliteConnection, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("insert into readiness (id, checked_at) values (1, ?) on conflict (id) do update set checked_at = excluded.checked_at")
        .bind(now_ms)
        .execute(conn)
        .await
        .map(drop)
}

/// The database file `database_url` names (`:memory:` for an in-memory database).
pub(super) fn database_file(options: &StoreOptions) -> Result<std::path::PathBuf, sqlx::Error> {
    Ok(base_options(options)?.get_filename().to_path_buf())
}

/// The kinds of failure that callers treat differently.
pub(super) enum Failure {
    /// Another connection held a lock past the busy timeout, or no connection was free.
    Busy,
    /// SQLITE_FULL: the disk (or `max_page_count`) is full.
    Full,
    Other,
}

pub(super) fn classify(error: &sqlx::Error) -> Failure {
    const SQLITE_BUSY: i64 = 5;
    const SQLITE_LOCKED: i64 = 6;
    const SQLITE_FULL: i64 = 13;
    match error {
        sqlx::Error::PoolTimedOut => Failure::Busy,
        sqlx::Error::Database(db) => {
            // Extended result codes carry the primary code in their low byte.
            let primary = db
                .code()
                .and_then(|code| code.parse::<i64>().ok())
                .map(|code| code & 0xff);
            match primary {
                Some(SQLITE_BUSY | SQLITE_LOCKED) => Failure::Busy,
                Some(SQLITE_FULL) => Failure::Full,
                _ => Failure::Other,
            }
        }
        _ => Failure::Other,
    }
}
