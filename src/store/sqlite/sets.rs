//! SQL on sets: members by (key id, member), through the primary key. Set operations across
//! keys take the ids as one JSON array, read back with `json_each`.

use rusqlite::params;

use super::{Connection, random};
use crate::store::StoreError;
use crate::store::backend::Sets;
use crate::store::hashes::Draw;

fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).expect("integers serialize")
}

impl Connection {
    /// The members a query answering one column finds, in its order.
    fn members<P: rusqlite::Params>(&self, sql: &str, bound: P) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut statement = self.prepare(sql)?;
        let rows = statement.query_map(bound, |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Sets for Connection {
    async fn set_contains(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        let mut statement =
            self.prepare("select exists (select 1 from set_members where key_id = ?1 and member = ?2)")?;
        Ok(statement.query_row(params![key_id, member], |row| row.get(0))?)
    }

    async fn set_members(&mut self, key_id: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        self.members(
            "select member from set_members where key_id = ?1 order by member",
            [key_id],
        )
    }

    async fn count_set_members(&mut self, key_id: i64) -> Result<u64, StoreError> {
        let mut statement = self.prepare("select count(*) from set_members where key_id = ?1")?;
        let count: i64 = statement.query_row([key_id], |row| row.get(0))?;
        Ok(count as u64)
    }

    /// A new member takes the next scan position.
    async fn add_set_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        let mut statement = self.prepare(
            "insert into set_members (key_id, member, seq)
             values (?1, ?2, (select coalesce(max(seq), 0) + 1 from set_members where key_id = ?1))
             on conflict (key_id, member) do nothing",
        )?;
        Ok(statement.execute(params![key_id, member])? > 0)
    }

    async fn remove_set_member(&mut self, key_id: i64, member: &[u8]) -> Result<bool, StoreError> {
        let mut statement = self.prepare("delete from set_members where key_id = ?1 and member = ?2")?;
        Ok(statement.execute(params![key_id, member])? > 0)
    }

    async fn scan_set_members(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
    ) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let mut statement =
            self.prepare("select seq, member from set_members where key_id = ?1 and seq > ?2 order by seq limit ?3")?;
        let rows = statement.query_map(params![key_id, after, count], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    async fn set_intersection(
        &mut self,
        first: i64,
        others: &[i64],
        limit: Option<u64>,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let limit = limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX));
        self.members(
            "select m.member from set_members m
             where m.key_id = ?1 and (
                 select count(*) from set_members o
                 where o.key_id in (select value from json_each(?2)) and o.member = m.member
             ) = json_array_length(?2)
             order by m.member limit ?3",
            params![first, json_ids(others), limit],
        )
    }

    async fn set_union(&mut self, ids: &[i64]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.members(
            "select distinct member from set_members where key_id in (select value from json_each(?1))
             order by member",
            [json_ids(ids)],
        )
    }

    async fn set_difference(&mut self, first: i64, others: &[i64]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.members(
            "select m.member from set_members m
             where m.key_id = ?1 and not exists (
                 select 1 from set_members o
                 where o.key_id in (select value from json_each(?2)) and o.member = m.member
             )
             order by m.member",
            params![first, json_ids(others)],
        )
    }

    async fn random_set_members(&mut self, key_id: i64, draw: Draw) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(random::draw(self, &random::SET_MEMBERS, key_id, draw, 0, |row| {
            row.get(0)
        })?)
    }
}
