//! Elements drawn at random from a collection (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER, SPOP):
//! the same SQL over each element table.

use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, FromRow};

use super::Connection;
use crate::store::hashes::Draw;

/// A collection's element table: its name, the columns a draw answers, and the condition an
/// element must meet to be live at `?3` (now, in unix milliseconds).
pub(super) struct Elements {
    table: &'static str,
    columns: &'static str,
    live: &'static str,
}

pub(super) const HASH_FIELDS: Elements = Elements {
    table: "hash_fields",
    columns: "field, value",
    live: "(expires_at is null or expires_at > ?3)",
};

// Set and sorted-set members never expire on their own; the condition names `?3` only so
// every table binds alike.
pub(super) const SET_MEMBERS: Elements = Elements {
    table: "set_members",
    columns: "member",
    live: "?3 is not null",
};

pub(super) const ZSET_MEMBERS: Elements = Elements {
    table: "zset_members",
    columns: "member, score",
    live: "?3 is not null",
};

/// Elements drawn as `draw` asks: all different, or each on its own.
pub(super) async fn draw<O>(
    conn: &mut Connection,
    elements: &Elements,
    key_id: i64,
    draw: Draw,
    now_ms: i64,
) -> Result<Vec<O>, sqlx::Error>
where
    O: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
{
    match draw {
        Draw::Distinct(count) => distinct(conn, elements, key_id, count, now_ms).await,
        Draw::Repeating(count) => picks(conn, elements, key_id, count, now_ms).await,
    }
}

/// `picks` elements drawn at random, each on its own, so one may come more than once: each
/// draw takes the first live element at or after a random scan position, else the first of
/// all. An element after a gap (where elements were deleted) is drawn more often.
async fn picks<O>(
    conn: &mut Connection,
    elements: &Elements,
    key_id: i64,
    picks: u64,
    now_ms: i64,
) -> Result<Vec<O>, sqlx::Error>
where
    O: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
{
    let Elements { table, columns, live } = elements;
    let sql = format!(
        "with recursive
             top(seq) as (select max(seq) from {table} where key_id = ?1),
             draws(n, at) as (
                 select 1, abs(random()) % ((select seq from top) + 1)
                 union all
                 select n + 1, abs(random()) % ((select seq from top) + 1) from draws where n < ?2
             )
         select {columns} from draws
         join {table} on key_id = ?1 and seq = coalesce(
             (select min(seq) from {table} where key_id = ?1 and seq >= draws.at and {live}),
             (select min(seq) from {table} where key_id = ?1 and {live}))
         order by draws.n"
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(key_id)
        .bind(i64::try_from(picks).unwrap_or(i64::MAX))
        .bind(now_ms)
        .fetch_all(conn)
        .await
}

/// Up to `count` distinct live elements in random order.
async fn distinct<O>(
    conn: &mut Connection,
    elements: &Elements,
    key_id: i64,
    count: u64,
    now_ms: i64,
) -> Result<Vec<O>, sqlx::Error>
where
    O: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
{
    let Elements { table, columns, live } = elements;
    let sql = format!("select {columns} from {table} where key_id = ?1 and {live} order by random() limit ?2");
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(key_id)
        .bind(i64::try_from(count).unwrap_or(i64::MAX))
        .bind(now_ms)
        .fetch_all(conn)
        .await
}
