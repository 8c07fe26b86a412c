//! SQL on sets: members by (key id, member), through the primary key. Set operations across
//! keys take the ids as one JSON array, read back with `json_each`.

use super::{Connection, random};
use crate::store::StoreError;
use crate::store::backend::Sets;
use crate::store::hashes::Draw;

pub(super) async fn contains(conn: &mut Connection, key_id: i64, member: &[u8]) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from set_members where key_id = ? and member = ?)")
        .bind(key_id)
        .bind(member)
        .fetch_one(conn)
        .await
}

/// Every member, in member order.
pub(super) async fn all(conn: &mut Connection, key_id: i64) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("select member from set_members where key_id = ? order by member")
        .bind(key_id)
        .fetch_all(conn)
        .await
}

pub(super) async fn count(conn: &mut Connection, key_id: i64) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar("select count(*) from set_members where key_id = ?")
        .bind(key_id)
        .fetch_one(conn)
        .await?;
    Ok(count as u64)
}

/// Adds a member at the next scan position. Returns whether it is new.
pub(super) async fn add(conn: &mut Connection, key_id: i64, member: &[u8]) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "insert into set_members (key_id, member, seq)
         values (?1, ?2, (select coalesce(max(seq), 0) + 1 from set_members where key_id = ?1))
         on conflict (key_id, member) do nothing",
    )
    .bind(key_id)
    .bind(member)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes a member. Returns whether it was there.
pub(super) async fn remove(conn: &mut Connection, key_id: i64, member: &[u8]) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("delete from set_members where key_id = ? and member = ?")
        .bind(key_id)
        .bind(member)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Members after scan position `after`, in scan order, at most `count`, with their positions.
pub(super) async fn scan(
    conn: &mut Connection,
    key_id: i64,
    after: i64,
    count: u32,
) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("select seq, member from set_members where key_id = ? and seq > ? order by seq limit ?")
        .bind(key_id)
        .bind(after)
        .bind(count)
        .fetch_all(conn)
        .await
}

/// The members of the set `first` that are in every set of `others` (distinct ids, as a
/// JSON array), in member order, at most `limit` (all, if `None`): the first set is walked,
/// so it should be the smallest.
pub(super) async fn intersection(
    conn: &mut Connection,
    first: i64,
    others: &[i64],
    limit: Option<u64>,
) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar(
        "select m.member from set_members m
         where m.key_id = ?1 and (
             select count(*) from set_members o
             where o.key_id in (select value from json_each(?2)) and o.member = m.member
         ) = json_array_length(?2)
         order by m.member limit ?3",
    )
    .bind(first)
    .bind(json_ids(others))
    .bind(limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX)))
    .fetch_all(conn)
    .await
}

/// The members of any of the sets `ids`, in member order.
pub(super) async fn union(conn: &mut Connection, ids: &[i64]) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar(
        "select distinct member from set_members where key_id in (select value from json_each(?))
         order by member",
    )
    .bind(json_ids(ids))
    .fetch_all(conn)
    .await
}

/// The members of the set `first` that are in none of `others`, in member order.
pub(super) async fn difference(conn: &mut Connection, first: i64, others: &[i64]) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar(
        "select m.member from set_members m
         where m.key_id = ?1 and not exists (
             select 1 from set_members o
             where o.key_id in (select value from json_each(?2)) and o.member = m.member
         )
         order by m.member",
    )
    .bind(first)
    .bind(json_ids(others))
    .fetch_all(conn)
    .await
}

fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).expect("integers serialize")
}

impl Sets for Connection {
    async fn set_contains(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        Ok(contains(self, key_id, member).await?)
    }

    async fn set_members(&mut self, key_id: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(all(self, key_id).await?)
    }

    async fn count_set_members(&mut self, key_id: i64) -> Result<u64, StoreError> {
        Ok(count(self, key_id).await?)
    }

    async fn add_set_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        Ok(add(self, key_id, member).await?)
    }

    async fn remove_set_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        Ok(remove(self, key_id, member).await?)
    }

    async fn scan_set_members(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
    ) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        Ok(scan(self, key_id, after, count).await?)
    }

    async fn set_intersection(
        &mut self,
        first: i64,
        others: &[i64],
        limit: Option<u64>,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(intersection(self, first, others, limit).await?)
    }

    async fn set_union(&mut self, ids: &[i64]) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(union(self, ids).await?)
    }

    async fn set_difference(&mut self, first: i64, others: &[i64]) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(difference(self, first, others).await?)
    }

    async fn random_set_members(&mut self, key_id: i64, draw: Draw) -> Result<Vec<Vec<u8>>, StoreError> {
        let members: Vec<(Vec<u8>,)> = random::draw(self, &random::SET_MEMBERS, key_id, draw, 0).await?;
        Ok(members.into_iter().map(|(member,)| member).collect())
    }
}
