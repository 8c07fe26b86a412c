//! SQL on sorted sets: members by (key id, member) through the primary key, and in score
//! order (ties by member) through `zset_members_by_score`.

use sqlx::postgres::PgArguments;
use sqlx::query::{QueryAs, QueryScalar};
use sqlx::{AssertSqlSafe, Postgres};

use super::{Connection, as_sql, count, random};
use crate::store::StoreError;
use crate::store::backend::ZSets;
use crate::store::hashes::Draw;
use crate::store::zsets::{Condition, Order, Range, Selection};

/// A value bound into a range's filter.
enum Bound<'a> {
    Score(f64),
    Member(&'a [u8]),
}

/// The filter of `range`, as SQL to follow `where key_id = $1`, and the values to bind to
/// it, in order (from `$2` on). Every piece of text is fixed here; only values are bound.
fn filter_sql(range: &Range) -> (String, Vec<Bound<'_>>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    for condition in range.conditions() {
        let (column, comparison, bound) = match condition {
            Condition::Score(comparison, score) => ("score", comparison, Bound::Score(score)),
            Condition::Member(comparison, member) => ("member", comparison, Bound::Member(member)),
            Condition::Never => {
                sql.push_str(" and false");
                continue;
            }
        };
        binds.push(bound);
        sql.push_str(&format!(" and {column} {} ${}", comparison.operator(), binds.len() + 1));
    }
    (sql, binds)
}

/// Binds a filter's values to a query, in order.
trait BindFilter: Sized {
    fn bind_one(self, bound: Bound<'_>) -> Self;

    fn bind_filter(self, binds: Vec<Bound<'_>>) -> Self {
        binds.into_iter().fold(self, Self::bind_one)
    }
}

impl<'q, T> BindFilter for QueryAs<'q, Postgres, T, PgArguments> {
    fn bind_one(self, bound: Bound<'_>) -> Self {
        match bound {
            Bound::Score(score) => self.bind(score),
            Bound::Member(member) => self.bind(member.to_vec()),
        }
    }
}

impl<'q, T> BindFilter for QueryScalar<'q, Postgres, T, PgArguments> {
    fn bind_one(self, bound: Bound<'_>) -> Self {
        match bound {
            Bound::Score(score) => self.bind(score),
            Bound::Member(member) => self.bind(member.to_vec()),
        }
    }
}

impl Connection {
    /// The members `selection` picks, with their scores, in its order. Its range filters by
    /// score or member; a rank range is its offset and count alone.
    async fn range(&mut self, key_id: i64, selection: &Selection) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        let (filter, binds) = filter_sql(&selection.range);
        let order = match selection.order {
            Order::Ascending => "order by score, member",
            Order::Descending => "order by score desc, member desc",
        };
        let next = binds.len() + 2;
        let sql = format!(
            "select member, score from zset_members where key_id = $1{filter} {order} limit ${next} offset ${}",
            next + 1
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(key_id)
            .bind_filter(binds)
            .bind(selection.count.map(as_sql))
            .bind(as_sql(selection.offset))
            .fetch_all(self.reading())
            .await?)
    }

    async fn remove_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        let removed = sqlx::query("delete from zset_members where key_id = $1 and member = $2")
            .bind(key_id)
            .bind(member)
            .execute(self.writing().await?)
            .await?;
        Ok(removed.rows_affected() > 0)
    }
}

impl ZSets for Connection {
    async fn zset_score(&mut self, key_id: i64, member: &[u8]) -> Result<Option<f64>, StoreError> {
        Ok(
            sqlx::query_scalar("select score from zset_members where key_id = $1 and member = $2")
                .bind(key_id)
                .bind(member)
                .fetch_optional(self.reading())
                .await?,
        )
    }

    async fn count_zset_members(&mut self, key_id: i64) -> Result<u64, StoreError> {
        let members: i64 = sqlx::query_scalar("select count(*) from zset_members where key_id = $1")
            .bind(key_id)
            .fetch_one(self.reading())
            .await?;
        Ok(count(members))
    }

    /// A new member takes the next scan position; an existing one keeps its own.
    async fn put_zset_member(&mut self, key_id: i64, member: &[u8], score: f64) -> Result<(), StoreError> {
        sqlx::query(
            "insert into zset_members (key_id, member, score, seq)
             values ($1, $2, $3, (select coalesce(max(seq), 0) + 1 from zset_members where key_id = $1))
             on conflict (key_id, member) do update set score = excluded.score",
        )
        .bind(key_id)
        .bind(member)
        .bind(score)
        .execute(self.writing().await?)
        .await?;
        Ok(())
    }

    async fn remove_zset_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        self.remove_member(key_id, member).await
    }

    async fn zset_rank(&mut self, key_id: i64, member: &[u8], score: f64, order: Order) -> Result<u64, StoreError> {
        let sql = match order {
            Order::Ascending => {
                "select count(*) from zset_members where key_id = $1 and (score < $2 or (score = $2 and member < $3))"
            }
            Order::Descending => {
                "select count(*) from zset_members where key_id = $1 and (score > $2 or (score = $2 and member > $3))"
            }
        };
        let rank: i64 = sqlx::query_scalar(sql)
            .bind(key_id)
            .bind(score)
            .bind(member)
            .fetch_one(self.reading())
            .await?;
        Ok(count(rank))
    }

    async fn count_zset_range(&mut self, key_id: i64, range: &Range) -> Result<u64, StoreError> {
        let (filter, binds) = filter_sql(range);
        let sql = format!("select count(*) from zset_members where key_id = $1{filter}");
        let members: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(key_id)
            .bind_filter(binds)
            .fetch_one(self.reading())
            .await?;
        Ok(count(members))
    }

    async fn zset_range(&mut self, key_id: i64, selection: &Selection) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        self.range(key_id, selection).await
    }

    async fn take_zset_range(&mut self, key_id: i64, selection: &Selection) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        let taken = self.range(key_id, selection).await?;
        let members: Vec<&[u8]> = taken.iter().map(|(member, _)| member.as_slice()).collect();
        sqlx::query("delete from zset_members where key_id = $1 and member = any($2)")
            .bind(key_id)
            .bind(members)
            .execute(self.writing().await?)
            .await?;
        Ok(taken)
    }

    async fn scan_zset_members(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
    ) -> Result<Vec<(i64, Vec<u8>, f64)>, StoreError> {
        Ok(sqlx::query_as(
            "select seq, member, score from zset_members where key_id = $1 and seq > $2 order by seq limit $3",
        )
        .bind(key_id)
        .bind(after)
        .bind(i64::from(count))
        .fetch_all(self.reading())
        .await?)
    }

    async fn random_zset_members(&mut self, key_id: i64, draw: Draw) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        random::draw(self, &random::ZSET_MEMBERS, key_id, draw, 0).await
    }
}
