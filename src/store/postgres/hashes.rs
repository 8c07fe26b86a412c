//! SQL on hashes: fields by (key id, field), through the primary key.

use sqlx::Row as _;

use super::keys::key_info;
use super::{Connection, count, random};
use crate::store::StoreError;
use crate::store::backend::{FieldOfKey, Hashes};
use crate::store::hashes::{Draw, FieldRow};

impl Connection {
    async fn live_field(&mut self, key_id: i64, field: &[u8], now_ms: i64) -> Result<Option<FieldRow>, StoreError> {
        Ok(sqlx::query_as(
            "select value, expires_at from hash_fields
             where key_id = $1 and field = $2 and (expires_at is null or expires_at > $3)",
        )
        .bind(key_id)
        .bind(field)
        .bind(now_ms)
        .fetch_optional(self.reading())
        .await?)
    }
}

impl Hashes for Connection {
    /// One query for what would be two (the key, then the field), as `HGET` is a hot read.
    async fn hash_field_of_key(&mut self, key: &[u8], field: &[u8]) -> Result<Option<FieldOfKey>, StoreError> {
        self.lock_key(key).await?;
        let row = sqlx::query(
            "select k.type, k.expires_at, f.value, f.expires_at as field_expires_at from keys k
             left join hash_fields f on f.key_id = k.id and f.field = $2
             where k.key = $1",
        )
        .bind(key)
        .bind(field)
        .fetch_optional(self.reading())
        .await?;
        row.map(|row| {
            let value: Option<Vec<u8>> = row.try_get("value")?;
            let field_expires_at: Option<i64> = row.try_get("field_expires_at")?;
            Ok((key_info(&row)?, value.map(|value| (value, field_expires_at))))
        })
        .transpose()
    }

    async fn live_hash_field(
        &mut self,
        key_id: i64,
        field: &[u8],
        now_ms: i64,
    ) -> Result<Option<FieldRow>, StoreError> {
        self.live_field(key_id, field, now_ms).await
    }

    async fn hash_fields(&mut self, key_id: i64, now_ms: i64) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        Ok(sqlx::query_as(
            "select field, value from hash_fields
             where key_id = $1 and (expires_at is null or expires_at > $2)
             order by field",
        )
        .bind(key_id)
        .bind(now_ms)
        .fetch_all(self.reading())
        .await?)
    }

    /// A new field takes the next scan position; an existing one keeps its own.
    async fn set_hash_field(
        &mut self,
        key_id: i64,
        field: &[u8],
        value: &[u8],
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let existed = self.live_field(key_id, field, now_ms).await?.is_some();
        sqlx::query(
            "insert into hash_fields (key_id, field, value, seq)
             values ($1, $2, $3, (select coalesce(max(seq), 0) + 1 from hash_fields where key_id = $1))
             on conflict (key_id, field) do update set value = excluded.value, expires_at = null",
        )
        .bind(key_id)
        .bind(field)
        .bind(value)
        .execute(self.writing().await?)
        .await?;
        Ok(!existed)
    }

    async fn count_hash_fields(&mut self, key_id: i64, now_ms: i64) -> Result<u64, StoreError> {
        let fields: i64 = sqlx::query_scalar(
            "select count(*) from hash_fields where key_id = $1 and (expires_at is null or expires_at > $2)",
        )
        .bind(key_id)
        .bind(now_ms)
        .fetch_one(self.reading())
        .await?;
        Ok(count(fields))
    }

    async fn delete_hash_field(&mut self, key_id: i64, field: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let live: Option<bool> = sqlx::query_scalar(
            "delete from hash_fields where key_id = $1 and field = $2
             returning expires_at is null or expires_at > $3",
        )
        .bind(key_id)
        .bind(field)
        .bind(now_ms)
        .fetch_optional(self.writing().await?)
        .await?;
        Ok(live == Some(true))
    }

    async fn scan_hash_fields(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
        now_ms: i64,
    ) -> Result<Vec<(i64, Vec<u8>, Vec<u8>)>, StoreError> {
        Ok(sqlx::query_as(
            "select seq, field, value from hash_fields
             where key_id = $1 and seq > $2 and (expires_at is null or expires_at > $3)
             order by seq limit $4",
        )
        .bind(key_id)
        .bind(after)
        .bind(now_ms)
        .bind(i64::from(count))
        .fetch_all(self.reading())
        .await?)
    }

    async fn set_hash_field_expiry(
        &mut self,
        key_id: i64,
        field: &[u8],
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query("update hash_fields set expires_at = $1 where key_id = $2 and field = $3")
            .bind(expires_at)
            .bind(key_id)
            .bind(field)
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }

    async fn hash_has_live_field(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        self.lock_key(key).await?;
        Ok(sqlx::query_scalar(
            "select exists (select 1 from keys k join hash_fields f on f.key_id = k.id
             where k.key = $1 and (f.expires_at is null or f.expires_at > $2))",
        )
        .bind(key)
        .bind(now_ms)
        .fetch_one(self.reading())
        .await?)
    }

    /// Oldest expiry first, then the hashes the deletions leave without a live field.
    async fn purge_expired_hash_fields(&mut self, now_ms: i64, limit: u32) -> Result<(u64, u64), StoreError> {
        if !self.try_lock_sweep().await? {
            return Ok((0, 0));
        }
        let conn = self.writing().await?;
        let hashes: Vec<i64> = sqlx::query_scalar(
            "delete from hash_fields where (key_id, field) in (
                 select key_id, field from (
                     select key_id, field from hash_fields where expires_at <= $1 order by expires_at limit $2
                 ) as expired
                 where pg_try_advisory_xact_lock(litekv_key_lock((select key from keys where id = expired.key_id)))
             )
             returning key_id",
        )
        .bind(now_ms)
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
        let emptied = sqlx::query(
            "delete from keys where id = any($1) and type = 'hash'
             and not exists (select 1 from hash_fields f
                             where f.key_id = keys.id and (f.expires_at is null or f.expires_at > $2))",
        )
        .bind(&hashes)
        .bind(now_ms)
        .execute(conn)
        .await?;
        Ok((hashes.len() as u64, emptied.rows_affected()))
    }

    async fn random_hash_fields(
        &mut self,
        key_id: i64,
        draw: Draw,
        now_ms: i64,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        random::draw(self, &random::HASH_FIELDS, key_id, draw, now_ms).await
    }
}
