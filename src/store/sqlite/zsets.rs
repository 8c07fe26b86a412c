//! SQL on sorted sets: members by (key id, member) through the primary key, and in score
//! order (ties by member) through `zset_members_by_score`.

use sqlx::Sqlite;
use sqlx::query::QueryAs;
use sqlx::sqlite::SqliteArguments;

use super::{Connection, random};
use crate::store::StoreError;
use crate::store::backend::ZSets;
use crate::store::hashes::Draw;
use crate::store::zsets::{LexBound, Order, Range, Selection};

pub(super) async fn score(conn: &mut Connection, key_id: i64, member: &[u8]) -> Result<Option<f64>, sqlx::Error> {
    sqlx::query_scalar("select score from zset_members where key_id = ? and member = ?")
        .bind(key_id)
        .bind(member)
        .fetch_optional(conn)
        .await
}

pub(super) async fn count(conn: &mut Connection, key_id: i64) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar("select count(*) from zset_members where key_id = ?")
        .bind(key_id)
        .fetch_one(conn)
        .await?;
    Ok(count as u64)
}

/// Sets a member's score, adding it at the next scan position if it is new.
pub(super) async fn put(conn: &mut Connection, key_id: i64, member: &[u8], score: f64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into zset_members (key_id, member, score, seq)
         values (?1, ?2, ?3, (select coalesce(max(seq), 0) + 1 from zset_members where key_id = ?1))
         on conflict (key_id, member) do update set score = excluded.score",
    )
    .bind(key_id)
    .bind(member)
    .bind(score)
    .execute(conn)
    .await
    .map(drop)
}

pub(super) async fn remove(conn: &mut Connection, key_id: i64, member: &[u8]) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("delete from zset_members where key_id = ? and member = ?")
        .bind(key_id)
        .bind(member)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// How many members rank before `member` with `score`, in `order`.
pub(super) async fn rank(
    conn: &mut Connection,
    key_id: i64,
    member: &[u8],
    score: f64,
    order: Order,
) -> Result<u64, sqlx::Error> {
    let sql = match order {
        Order::Ascending => {
            "select count(*) from zset_members where key_id = ?1 and (score < ?2 or (score = ?2 and member < ?3))"
        }
        Order::Descending => {
            "select count(*) from zset_members where key_id = ?1 and (score > ?2 or (score = ?2 and member > ?3))"
        }
    };
    let rank: i64 = sqlx::query_scalar(sql)
        .bind(key_id)
        .bind(score)
        .bind(member)
        .fetch_one(conn)
        .await?;
    Ok(rank as u64)
}

/// A value bound into a range's filter.
enum Bound<'a> {
    Score(f64),
    Member(&'a [u8]),
}

/// The filter of `range`, as SQL to follow `where key_id = ?`, and the values to bind to
/// it, in order. Every piece of text is fixed here; only values are bound.
fn filter_sql(range: &Range) -> (String, Vec<Bound<'_>>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    match range {
        Range::Rank { .. } => {}
        Range::Score { min, max } => {
            for (bound, inclusive, exclusive) in [
                (min, " and score >= ?", " and score > ?"),
                (max, " and score <= ?", " and score < ?"),
            ] {
                sql.push_str(if bound.exclusive { exclusive } else { inclusive });
                binds.push(Bound::Score(bound.score));
            }
        }
        Range::Lex { min, max } => {
            // Which end of the range each bound is, and the infinite bound that limits nothing there.
            for (bound, inclusive, exclusive, limitless) in [
                (min, " and member >= ?", " and member > ?", &LexBound::Lowest),
                (max, " and member <= ?", " and member < ?", &LexBound::Highest),
            ] {
                match bound {
                    bound if bound == limitless => {}
                    LexBound::Lowest | LexBound::Highest => sql.push_str(" and false"),
                    LexBound::Inclusive(member) => {
                        sql.push_str(inclusive);
                        binds.push(Bound::Member(member));
                    }
                    LexBound::Exclusive(member) => {
                        sql.push_str(exclusive);
                        binds.push(Bound::Member(member));
                    }
                }
            }
        }
    }
    (sql, binds)
}

fn bind_filter<'q, O>(
    mut query: QueryAs<'q, Sqlite, O, SqliteArguments>,
    key_id: i64,
    binds: Vec<Bound<'q>>,
) -> QueryAs<'q, Sqlite, O, SqliteArguments> {
    query = query.bind(key_id);
    for bound in binds {
        query = match bound {
            Bound::Score(score) => query.bind(score),
            Bound::Member(member) => query.bind(member),
        };
    }
    query
}

/// How many members `range` holds (a rank range counts as every member).
pub(super) async fn count_range(conn: &mut Connection, key_id: i64, range: &Range) -> Result<u64, sqlx::Error> {
    let (filter, binds) = filter_sql(range);
    let sql = format!("select count(*) from zset_members where key_id = ?{filter}");
    let (count,): (i64,) = bind_filter(sqlx::query_as(sqlx::AssertSqlSafe(sql)), key_id, binds)
        .fetch_one(conn)
        .await?;
    Ok(count as u64)
}

/// The members `selection` picks, with their scores, in its order. Its range filters by
/// score or member; a rank range is its offset and count alone.
pub(super) async fn range(
    conn: &mut Connection,
    key_id: i64,
    selection: &Selection,
) -> Result<Vec<(Vec<u8>, f64)>, sqlx::Error> {
    let (filter, binds) = filter_sql(&selection.range);
    let order = match selection.order {
        Order::Ascending => "order by score, member",
        Order::Descending => "order by score desc, member desc",
    };
    let sql = format!("select member, score from zset_members where key_id = ?{filter} {order} limit ? offset ?");
    let as_sql = |count: u64| i64::try_from(count).unwrap_or(i64::MAX);
    bind_filter(sqlx::query_as(sqlx::AssertSqlSafe(sql)), key_id, binds)
        .bind(selection.count.map_or(-1, as_sql))
        .bind(as_sql(selection.offset))
        .fetch_all(conn)
        .await
}

/// Deletes the members `selection` picks, answering them with their scores, in its order.
pub(super) async fn take(
    conn: &mut Connection,
    key_id: i64,
    selection: &Selection,
) -> Result<Vec<(Vec<u8>, f64)>, sqlx::Error> {
    let taken = range(conn, key_id, selection).await?;
    for (member, _) in &taken {
        remove(conn, key_id, member).await?;
    }
    Ok(taken)
}

/// Members after scan position `after`, in scan order, at most `count`, with their positions.
pub(super) async fn scan(
    conn: &mut Connection,
    key_id: i64,
    after: i64,
    count: u32,
) -> Result<Vec<(i64, Vec<u8>, f64)>, sqlx::Error> {
    sqlx::query_as("select seq, member, score from zset_members where key_id = ? and seq > ? order by seq limit ?")
        .bind(key_id)
        .bind(after)
        .bind(count)
        .fetch_all(conn)
        .await
}

impl ZSets for Connection {
    async fn zset_score(&mut self, key_id: i64, member: &[u8]) -> Result<Option<f64>, StoreError> {
        Ok(score(self, key_id, member).await?)
    }

    async fn count_zset_members(&mut self, key_id: i64) -> Result<u64, StoreError> {
        Ok(count(self, key_id).await?)
    }

    async fn put_zset_member(&mut self, key_id: i64, member: &[u8], score: f64) -> Result<(), StoreError> {
        Ok(put(self, key_id, member, score).await?)
    }

    async fn remove_zset_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        Ok(remove(self, key_id, member).await?)
    }

    async fn zset_rank(&mut self, key_id: i64, member: &[u8], score: f64, order: Order) -> Result<u64, StoreError> {
        Ok(rank(self, key_id, member, score, order).await?)
    }

    async fn count_zset_range(&mut self, key_id: i64, range: &Range) -> Result<u64, StoreError> {
        Ok(count_range(self, key_id, range).await?)
    }

    async fn zset_range(&mut self, key_id: i64, selection: &Selection) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        Ok(range(self, key_id, selection).await?)
    }

    async fn take_zset_range(&mut self, key_id: i64, selection: &Selection) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        Ok(take(self, key_id, selection).await?)
    }

    async fn scan_zset_members(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
    ) -> Result<Vec<(i64, Vec<u8>, f64)>, StoreError> {
        Ok(scan(self, key_id, after, count).await?)
    }

    async fn random_zset_members(&mut self, key_id: i64, draw: Draw) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        Ok(random::draw(self, &random::ZSET_MEMBERS, key_id, draw, 0).await?)
    }
}
