//! Elements drawn at random from a collection (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER, SPOP),
//! uniformly, by the same SQL over each element table: distinct elements in PostgreSQL's
//! random order; repeating picks from the live elements read once. Both read the whole
//! collection (O(n)), which Redis also does for large distinct draws; SQLite's sampler of
//! positions (`store/sqlite/random.rs`) is the cheaper way, not yet ported here.

use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, FromRow};

use super::{Connection, as_sql};
use crate::store::StoreError;
use crate::store::hashes::Draw;

/// A collection's element table: its name, the columns a draw answers, and the condition an
/// element must meet to be live at `$2` (now, in unix milliseconds).
pub(super) struct Elements {
    table: &'static str,
    columns: &'static str,
    live: &'static str,
}

pub(super) const HASH_FIELDS: Elements = Elements {
    table: "hash_fields",
    columns: "field, value",
    live: "(expires_at is null or expires_at > $2)",
};

// Set and sorted-set members never expire on their own; the condition names `$2` only so
// every table binds alike.
pub(super) const SET_MEMBERS: Elements = Elements {
    table: "set_members",
    columns: "member",
    live: "$2::bigint is not null",
};

pub(super) const ZSET_MEMBERS: Elements = Elements {
    table: "zset_members",
    columns: "member, score",
    live: "$2::bigint is not null",
};

/// Elements drawn as `draw` asks: all different, in random order; or each on its own, so
/// one may come more than once.
pub(super) async fn draw<T>(
    conn: &mut Connection,
    elements: &Elements,
    key_id: i64,
    draw: Draw,
    now_ms: i64,
) -> Result<Vec<T>, StoreError>
where
    T: for<'r> FromRow<'r, PgRow> + Clone + Send + Unpin,
{
    let Elements { table, columns, live } = elements;
    match draw {
        Draw::Distinct(count) => {
            let sql = format!("select {columns} from {table} where key_id = $1 and {live} order by random() limit $3");
            Ok(sqlx::query_as(AssertSqlSafe(sql))
                .bind(key_id)
                .bind(now_ms)
                .bind(as_sql(count))
                .fetch_all(conn.reading())
                .await?)
        }
        Draw::Repeating(picks) => {
            let sql = format!("select {columns} from {table} where key_id = $1 and {live}");
            let live: Vec<T> = sqlx::query_as(AssertSqlSafe(sql))
                .bind(key_id)
                .bind(now_ms)
                .fetch_all(conn.reading())
                .await?;
            if live.is_empty() {
                return Ok(Vec::new());
            }
            Ok((0..picks)
                .map(|_| live[fastrand::usize(..live.len())].clone())
                .collect())
        }
    }
}
