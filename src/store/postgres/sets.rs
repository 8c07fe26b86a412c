//! SQL on sets: members by (key id, member), through the primary key. Set operations across
//! keys take the ids as one array.

use super::{Connection, count, limit, random};
use crate::store::StoreError;
use crate::store::backend::Sets;
use crate::store::hashes::Draw;

impl Sets for Connection {
    async fn set_contains(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        Ok(
            sqlx::query_scalar("select exists (select 1 from set_members where key_id = $1 and member = $2)")
                .bind(key_id)
                .bind(member)
                .fetch_one(self.reading())
                .await?,
        )
    }

    async fn set_members(&mut self, key_id: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("select member from set_members where key_id = $1 order by member")
                .bind(key_id)
                .fetch_all(self.reading())
                .await?,
        )
    }

    async fn count_set_members(&mut self, key_id: i64) -> Result<u64, StoreError> {
        let members: i64 = sqlx::query_scalar("select count(*) from set_members where key_id = $1")
            .bind(key_id)
            .fetch_one(self.reading())
            .await?;
        Ok(count(members))
    }

    /// A new member takes the next scan position.
    async fn add_set_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        let added = sqlx::query(
            "insert into set_members (key_id, member, seq)
             values ($1, $2, (select coalesce(max(seq), 0) + 1 from set_members where key_id = $1))
             on conflict (key_id, member) do nothing",
        )
        .bind(key_id)
        .bind(member)
        .execute(self.writing().await?)
        .await?;
        Ok(added.rows_affected() > 0)
    }

    async fn remove_set_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        let removed = sqlx::query("delete from set_members where key_id = $1 and member = $2")
            .bind(key_id)
            .bind(member)
            .execute(self.writing().await?)
            .await?;
        Ok(removed.rows_affected() > 0)
    }

    async fn scan_set_members(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
    ) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        Ok(
            sqlx::query_as("select seq, member from set_members where key_id = $1 and seq > $2 order by seq limit $3")
                .bind(key_id)
                .bind(after)
                .bind(i64::from(count))
                .fetch_all(self.reading())
                .await?,
        )
    }

    async fn set_intersection(
        &mut self,
        first: i64,
        others: &[i64],
        limit: Option<u64>,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar(
            "select m.member from set_members m
             where m.key_id = $1 and (
                 select count(*) from set_members o where o.key_id = any($2) and o.member = m.member
             ) = cardinality($2)
             order by m.member limit $3",
        )
        .bind(first)
        .bind(others)
        .bind(self::limit(limit))
        .fetch_all(self.reading())
        .await?)
    }

    async fn set_union(&mut self, ids: &[i64]) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("select distinct member from set_members where key_id = any($1) order by member")
                .bind(ids)
                .fetch_all(self.reading())
                .await?,
        )
    }

    async fn set_difference(&mut self, first: i64, others: &[i64]) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar(
            "select m.member from set_members m
             where m.key_id = $1 and not exists (
                 select 1 from set_members o where o.key_id = any($2) and o.member = m.member
             )
             order by m.member",
        )
        .bind(first)
        .bind(others)
        .fetch_all(self.reading())
        .await?)
    }

    async fn random_set_members(&mut self, key_id: i64, draw: Draw) -> Result<Vec<Vec<u8>>, StoreError> {
        let drawn: Vec<(Vec<u8>,)> = random::draw(self, &random::SET_MEMBERS, key_id, draw, 0).await?;
        Ok(drawn.into_iter().map(|(member,)| member).collect())
    }
}
