//! SQL on hashes: fields by (key id, field), through the primary key.

use rusqlite::{OptionalExtension, Row, params};

use super::keys::key_info;
use super::{Connection, random};
use crate::store::StoreError;
use crate::store::backend::{FieldOfKey, Hashes};
use crate::store::hashes::{Draw, FieldRow};

/// The key's type and expiry at column `at`, then the field's value and expiry, if any.
fn field_of_key(row: &Row<'_>, at: usize) -> rusqlite::Result<FieldOfKey> {
    let value: Option<Vec<u8>> = row.get(at + 2)?;
    let expires_at: Option<i64> = row.get(at + 3)?;
    Ok((key_info(row, at)?, value.map(|value| (value, expires_at))))
}

impl Connection {
    /// One query for what would be two (the key, then the field), as `HGET` is a hot read.
    fn field_of_key(&self, key: &[u8], field: &[u8]) -> rusqlite::Result<Option<FieldOfKey>> {
        let mut statement = self.prepare(
            "select k.type, k.expires_at, f.value, f.expires_at from keys k
             left join hash_fields f on f.key_id = k.id and f.field = ?2
             where k.key = ?1",
        )?;
        statement.query_row([key, field], |row| field_of_key(row, 0)).optional()
    }

    fn live_field(&self, key_id: i64, field: &[u8], now_ms: i64) -> rusqlite::Result<Option<FieldRow>> {
        let mut statement = self.prepare(
            "select value, expires_at from hash_fields
             where key_id = ?1 and field = ?2 and (expires_at is null or expires_at > ?3)",
        )?;
        statement
            .query_row(params![key_id, field, now_ms], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
    }

    fn count_fields(&self, key_id: i64, now_ms: i64) -> rusqlite::Result<u64> {
        let mut statement = self.prepare(
            "select count(*) from hash_fields where key_id = ?1 and (expires_at is null or expires_at > ?2)",
        )?;
        let count: i64 = statement.query_row([key_id, now_ms], |row| row.get(0))?;
        Ok(count as u64)
    }
}

impl Hashes for Connection {
    async fn hash_field_of_key(&mut self, key: &[u8], field: &[u8]) -> Result<Option<FieldOfKey>, StoreError> {
        Ok(self.field_of_key(key, field)?)
    }

    async fn live_hash_field(
        &mut self,
        key_id: i64,
        field: &[u8],
        now_ms: i64,
    ) -> Result<Option<FieldRow>, StoreError> {
        Ok(self.live_field(key_id, field, now_ms)?)
    }

    async fn hash_fields(&mut self, key_id: i64, now_ms: i64) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let mut statement = self.prepare(
            "select field, value from hash_fields
             where key_id = ?1 and (expires_at is null or expires_at > ?2)
             order by field",
        )?;
        let rows = statement.query_map([key_id, now_ms], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A new field takes the next scan position; an existing one keeps its own.
    async fn set_hash_field(
        &mut self,
        key_id: i64,
        field: &[u8],
        value: &[u8],
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let existed = self.live_field(key_id, field, now_ms)?.is_some();
        let mut statement = self.prepare(
            "insert into hash_fields (key_id, field, value, seq)
             values (?1, ?2, ?3, (select coalesce(max(seq), 0) + 1 from hash_fields where key_id = ?1))
             on conflict (key_id, field) do update set value = excluded.value, expires_at = null",
        )?;
        statement.execute(params![key_id, field, value])?;
        Ok(!existed)
    }

    async fn count_hash_fields(&mut self, key_id: i64, now_ms: i64) -> Result<u64, StoreError> {
        Ok(self.count_fields(key_id, now_ms)?)
    }

    async fn delete_hash_field(&mut self, key_id: i64, field: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let mut statement = self.prepare(
            "delete from hash_fields where key_id = ?1 and field = ?2
             returning expires_at is null or expires_at > ?3",
        )?;
        let live: Option<bool> = statement
            .query_row(params![key_id, field, now_ms], |row| row.get(0))
            .optional()?;
        Ok(live == Some(true))
    }

    async fn scan_hash_fields(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
        now_ms: i64,
    ) -> Result<Vec<(i64, Vec<u8>, Vec<u8>)>, StoreError> {
        let mut statement = self.prepare(
            "select seq, field, value from hash_fields
             where key_id = ?1 and seq > ?2 and (expires_at is null or expires_at > ?3)
             order by seq limit ?4",
        )?;
        let rows = statement.query_map(params![key_id, after, now_ms, count], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    async fn set_hash_field_expiry(
        &mut self,
        key_id: i64,
        field: &[u8],
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut statement = self.prepare("update hash_fields set expires_at = ?1 where key_id = ?2 and field = ?3")?;
        statement.execute(params![expires_at, key_id, field])?;
        Ok(())
    }

    async fn hash_has_live_field(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let mut statement = self.prepare(
            "select exists (select 1 from keys k join hash_fields f on f.key_id = k.id
             where k.key = ?1 and (f.expires_at is null or f.expires_at > ?2))",
        )?;
        Ok(statement.query_row(params![key, now_ms], |row| row.get(0))?)
    }

    /// Oldest expiry first, then the hashes the deletions leave without a live field.
    async fn purge_expired_hash_fields(&mut self, now_ms: i64, limit: u32) -> Result<(u64, u64), StoreError> {
        let hashes: Vec<i64> = self
            .prepare(
                "delete from hash_fields where (key_id, field) in (
                     select key_id, field from hash_fields where expires_at <= ?1 order by expires_at limit ?2
                 )
                 returning key_id",
            )?
            .query_map(params![now_ms, limit], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let fields = hashes.len() as u64;
        let emptied = self
            .prepare(
                "delete from keys where id in (select value from json_each(?1)) and type = 'hash'
                 and not exists (select 1 from hash_fields f
                                 where f.key_id = keys.id and (f.expires_at is null or f.expires_at > ?2))",
            )?
            .execute(params![
                serde_json::to_string(&hashes).expect("integers serialize"),
                now_ms
            ])?;
        Ok((fields, emptied as u64))
    }

    async fn random_hash_fields(
        &mut self,
        key_id: i64,
        draw: Draw,
        now_ms: i64,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let rows = random::draw(self, &random::HASH_FIELDS, key_id, draw, now_ms, |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows)
    }
}
