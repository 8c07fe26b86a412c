//! Elements drawn at random from a collection (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER, SPOP):
//! the same SQL over each element table.

use rusqlite::{Row, params};

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

/// Elements drawn as `draw` asks, each row read by `read`: all different, in random order;
/// or each on its own, so one may come more than once: each such draw takes the first live
/// element at or after a random scan position, else the first of all (an element after a
/// gap, where elements were deleted, is drawn more often).
pub(super) fn draw<T>(
    conn: &Connection,
    elements: &Elements,
    key_id: i64,
    draw: Draw,
    now_ms: i64,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let Elements { table, columns, live } = elements;
    let (sql, count) = match draw {
        Draw::Distinct(count) => (
            format!("select {columns} from {table} where key_id = ?1 and {live} order by random() limit ?2"),
            count,
        ),
        Draw::Repeating(picks) => (
            format!(
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
            ),
            picks,
        ),
    };
    let mut statement = conn.prepare(&sql)?;
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let rows = statement.query_map(params![key_id, count, now_ms], read)?;
    rows.collect()
}
