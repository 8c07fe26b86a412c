//! SQL on sorted sets: members by (key id, member) through the primary key, and in score
//! order (ties by member) through `zset_members_by_score`.

use rusqlite::types::ToSqlOutput;
use rusqlite::{OptionalExtension, ToSql, params, params_from_iter};

use super::{Connection, random};
use crate::store::StoreError;
use crate::store::backend::ZSets;
use crate::store::hashes::Draw;
use crate::store::zsets::{Condition, Order, Range, Selection};

/// A value bound into a range's filter.
enum Bound<'a> {
    Score(f64),
    Member(&'a [u8]),
    Number(i64),
}

impl ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Self::Score(score) => score.to_sql(),
            Self::Member(member) => member.to_sql(),
            Self::Number(number) => number.to_sql(),
        }
    }
}

/// The filter of `range`, as SQL to follow `where key_id = ?`, and the values to bind to
/// it, in order. Every piece of text is fixed here; only values are bound.
fn filter_sql(range: &Range) -> (String, Vec<Bound<'_>>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    for condition in range.conditions() {
        match condition {
            Condition::Score(comparison, score) => {
                sql.push_str(&format!(" and score {} ?", comparison.operator()));
                binds.push(Bound::Score(score));
            }
            Condition::Member(comparison, member) => {
                sql.push_str(&format!(" and member {} ?", comparison.operator()));
                binds.push(Bound::Member(member));
            }
            Condition::Never => sql.push_str(" and false"),
        }
    }
    (sql, binds)
}

fn as_sql(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

impl Connection {
    /// The members `selection` picks, with their scores, in its order. Its range filters by
    /// score or member; a rank range is its offset and count alone.
    fn range(&self, key_id: i64, selection: &Selection) -> rusqlite::Result<Vec<(Vec<u8>, f64)>> {
        let (filter, binds) = filter_sql(&selection.range);
        let order = match selection.order {
            Order::Ascending => "order by score, member",
            Order::Descending => "order by score desc, member desc",
        };
        let sql = format!("select member, score from zset_members where key_id = ?{filter} {order} limit ? offset ?");
        let bound = std::iter::once(Bound::Number(key_id)).chain(binds).chain([
            Bound::Number(selection.count.map_or(-1, as_sql)),
            Bound::Number(as_sql(selection.offset)),
        ]);
        let mut statement = self.prepare(&sql)?;
        let rows = statement.query_map(params_from_iter(bound), |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect()
    }

    fn remove_member(&self, key_id: i64, member: &[u8]) -> rusqlite::Result<bool> {
        let mut statement = self.prepare("delete from zset_members where key_id = ?1 and member = ?2")?;
        Ok(statement.execute(params![key_id, member])? > 0)
    }
}

impl ZSets for Connection {
    async fn zset_score(&mut self, key_id: i64, member: &[u8]) -> Result<Option<f64>, StoreError> {
        let mut statement = self.prepare("select score from zset_members where key_id = ?1 and member = ?2")?;
        Ok(statement
            .query_row(params![key_id, member], |row| row.get(0))
            .optional()?)
    }

    async fn count_zset_members(&mut self, key_id: i64) -> Result<u64, StoreError> {
        let mut statement = self.prepare("select count(*) from zset_members where key_id = ?1")?;
        let count: i64 = statement.query_row([key_id], |row| row.get(0))?;
        Ok(count as u64)
    }

    /// A new member takes the next scan position; an existing one keeps its own.
    async fn put_zset_member(&mut self, key_id: i64, member: &[u8], score: f64) -> Result<(), StoreError> {
        let mut statement = self.prepare(
            "insert into zset_members (key_id, member, score, seq)
             values (?1, ?2, ?3, (select coalesce(max(seq), 0) + 1 from zset_members where key_id = ?1))
             on conflict (key_id, member) do update set score = excluded.score",
        )?;
        statement.execute(params![key_id, member, score])?;
        Ok(())
    }

    async fn remove_zset_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        Ok(self.remove_member(key_id, member)?)
    }

    async fn zset_rank(&mut self, key_id: i64, member: &[u8], score: f64, order: Order) -> Result<u64, StoreError> {
        let sql = match order {
            Order::Ascending => {
                "select count(*) from zset_members where key_id = ?1 and (score < ?2 or (score = ?2 and member < ?3))"
            }
            Order::Descending => {
                "select count(*) from zset_members where key_id = ?1 and (score > ?2 or (score = ?2 and member > ?3))"
            }
        };
        let mut statement = self.prepare(sql)?;
        let rank: i64 = statement.query_row(params![key_id, score, member], |row| row.get(0))?;
        Ok(rank as u64)
    }

    async fn count_zset_range(&mut self, key_id: i64, range: &Range) -> Result<u64, StoreError> {
        let (filter, binds) = filter_sql(range);
        let sql = format!("select count(*) from zset_members where key_id = ?{filter}");
        let bound = std::iter::once(Bound::Number(key_id)).chain(binds);
        let mut statement = self.prepare(&sql)?;
        let count: i64 = statement.query_row(params_from_iter(bound), |row| row.get(0))?;
        Ok(count as u64)
    }

    async fn zset_range(&mut self, key_id: i64, selection: &Selection) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        Ok(self.range(key_id, selection)?)
    }

    async fn take_zset_range(&mut self, key_id: i64, selection: &Selection) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        let taken = self.range(key_id, selection)?;
        for (member, _) in &taken {
            self.remove_member(key_id, member)?;
        }
        Ok(taken)
    }

    async fn scan_zset_members(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
    ) -> Result<Vec<(i64, Vec<u8>, f64)>, StoreError> {
        let mut statement = self.prepare(
            "select seq, member, score from zset_members where key_id = ?1 and seq > ?2 order by seq limit ?3",
        )?;
        let rows = statement.query_map(params![key_id, after, count], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    async fn random_zset_members(&mut self, key_id: i64, draw: Draw) -> Result<Vec<(Vec<u8>, f64)>, StoreError> {
        Ok(random::draw(self, &random::ZSET_MEMBERS, key_id, draw, 0, |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?)
    }
}
