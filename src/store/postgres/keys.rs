//! SQL on keys whatever their type: existence, type and expiry, walks, deletion, renaming.

use bytes::Bytes;
use sqlx::Row as _;
use sqlx::postgres::PgRow;

use super::{Connection, count};
use crate::store::backend::{Keys, live};
use crate::store::keys::prefix_end;
use crate::store::{KeyInfo, KeyType, StoreError, is_live};

/// A key type from its name in the `type` column.
pub(super) fn key_type(name: &str) -> Result<KeyType, StoreError> {
    KeyType::from_stored_name(name).ok_or_else(|| StoreError::Refused(format!("a key of unknown type {name:?}")))
}

/// The key type and expiry in the columns `type` and `expires_at` of `row`.
pub(super) fn key_info(row: &PgRow) -> Result<KeyInfo, StoreError> {
    Ok(KeyInfo {
        kind: key_type(row.try_get("type")?)?,
        expires_at: row.try_get("expires_at")?,
    })
}

/// Random ids tried before a draw walks the keys instead.
const TRIES: u32 = 16;

impl Keys for Connection {
    async fn key_info(&mut self, key: &[u8]) -> Result<Option<KeyInfo>, StoreError> {
        self.lock_key(key).await?;
        let row = sqlx::query("select type, expires_at from keys where key = $1")
            .bind(key)
            .fetch_optional(self.reading())
            .await?;
        row.as_ref().map(key_info).transpose()
    }

    async fn key_id_and_info(&mut self, key: &[u8]) -> Result<Option<(i64, KeyInfo)>, StoreError> {
        self.lock_key(key).await?;
        let row = sqlx::query("select id, type, expires_at from keys where key = $1")
            .bind(key)
            .fetch_optional(self.reading())
            .await?;
        row.map(|row| Ok((row.try_get("id")?, key_info(&row)?))).transpose()
    }

    async fn scan_keys(
        &mut self,
        after: i64,
        limit: u32,
        now_ms: i64,
    ) -> Result<Vec<(i64, Vec<u8>, KeyType)>, StoreError> {
        let rows: Vec<(i64, Vec<u8>, String)> = sqlx::query_as(concat!(
            "select id, key, type from keys where id > $1 and ",
            live!("$2"),
            " order by id limit $3"
        ))
        .bind(after)
        .bind(now_ms)
        .bind(i64::from(limit))
        .fetch_all(self.reading())
        .await?;
        rows.into_iter()
            .map(|(id, key, kind)| Ok((id, key, key_type(&kind)?)))
            .collect()
    }

    async fn keys_with_prefix(&mut self, prefix: &[u8], now_ms: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar(concat!(
            "select key from keys where key >= $1 and ($2::bytea is null or key < $2) and ",
            live!("$3"),
            " order by key"
        ))
        .bind(prefix)
        .bind(prefix_end(prefix))
        .bind(now_ms)
        .fetch_all(self.reading())
        .await?)
    }

    async fn count_live_keys(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        let live: i64 = sqlx::query_scalar(concat!("select count(*) from keys where ", live!("$1")))
            .bind(now_ms)
            .fetch_one(self.reading())
            .await?;
        Ok(count(live))
    }

    async fn count_expiring_keys(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        let expiring: i64 = sqlx::query_scalar(concat!(
            "select count(*) from keys where expires_at is not null and ",
            live!("$1")
        ))
        .bind(now_ms)
        .fetch_one(self.reading())
        .await?;
        Ok(count(expiring))
    }

    /// A random id between the first and last, tried again on a gap; where the tries run
    /// out, the live key at a random place in id order.
    async fn random_key(&mut self, now_ms: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let (first, last): (Option<i64>, Option<i64>) = sqlx::query_as("select min(id), max(id) from keys")
            .fetch_one(self.reading())
            .await?;
        let Some((first, last)) = first.zip(last) else {
            return Ok(None);
        };
        for _ in 0..TRIES {
            let found: Option<Vec<u8>> =
                sqlx::query_scalar(concat!("select key from keys where id = $1 and ", live!("$2")))
                    .bind(fastrand::i64(first..=last))
                    .bind(now_ms)
                    .fetch_optional(self.reading())
                    .await?;
            if found.is_some() {
                return Ok(found);
            }
        }
        let live = self.count_live_keys(now_ms).await?;
        if live == 0 {
            return Ok(None);
        }
        Ok(sqlx::query_scalar(concat!(
            "select key from keys where ",
            live!("$1"),
            " order by id limit 1 offset $2"
        ))
        .bind(now_ms)
        .bind(super::as_sql(fastrand::u64(0..live)))
        .fetch_optional(self.reading())
        .await?)
    }

    /// Ids come from a sequence, which every server shares.
    async fn create_collection(&mut self, key: &[u8], kind: KeyType) -> Result<i64, StoreError> {
        self.lock_key(key).await?;
        Ok(
            sqlx::query_scalar("insert into keys (key, id, type) values ($1, nextval('key_ids'), $2) returning id")
                .bind(key)
                .bind(kind.stored_name())
                .fetch_one(self.writing().await?)
                .await?,
        )
    }

    async fn set_key_expiry(&mut self, key: &[u8], expires_at: Option<i64>) -> Result<(), StoreError> {
        self.lock_key(key).await?;
        sqlx::query("update keys set expires_at = $1 where key = $2")
            .bind(expires_at)
            .bind(key)
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }

    /// A collection's elements go with it (their foreign keys cascade).
    async fn delete_key(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        self.lock_key(key).await?;
        let deleted: Option<Option<i64>> = sqlx::query_scalar("delete from keys where key = $1 returning expires_at")
            .bind(key)
            .fetch_optional(self.writing().await?)
            .await?;
        Ok(deleted.is_some_and(|expires_at| is_live(expires_at, now_ms)))
    }

    async fn delete_key_if_expired(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        self.lock_key(key).await?;
        let deleted = sqlx::query("delete from keys where key = $1 and expires_at <= $2")
            .bind(key)
            .bind(now_ms)
            .execute(self.writing().await?)
            .await?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn rename_key(&mut self, from: &[u8], to: &[u8]) -> Result<(), StoreError> {
        self.lock([from, to]).await?;
        let conn = self.writing().await?;
        sqlx::query("delete from keys where key = $1")
            .bind(to)
            .execute(&mut *conn)
            .await?;
        sqlx::query("update keys set key = $1 where key = $2")
            .bind(to)
            .bind(from)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn copy_key(&mut self, from: &[u8], to: &[u8]) -> Result<(), StoreError> {
        self.lock([from, to]).await?;
        let conn = self.writing().await?;
        sqlx::query("delete from keys where key = $1")
            .bind(to)
            .execute(&mut *conn)
            .await?;
        let (from_id, to_id): (i64, i64) = sqlx::query_as(
            "insert into keys (key, id, type, expires_at, value)
             select $1, nextval('key_ids'), type, expires_at, value from keys where key = $2
             returning (select id from keys where key = $2), id",
        )
        .bind(to)
        .bind(from)
        .fetch_one(&mut *conn)
        .await?;
        for copy_elements in [
            "insert into hash_fields select $1, field, value, expires_at, seq from hash_fields where key_id = $2",
            "insert into list_items select $1, position, value from list_items where key_id = $2",
            "insert into set_members select $1, member, seq from set_members where key_id = $2",
            "insert into zset_members select $1, member, score, seq from zset_members where key_id = $2",
        ] {
            sqlx::query(copy_elements)
                .bind(to_id)
                .bind(from_id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// One statement: emptying every table at once is far cheaper than cascading per key.
    async fn delete_all_keys(&mut self) -> Result<(), StoreError> {
        sqlx::query("truncate keys, hash_fields, list_items, set_members, zset_members")
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }

    /// One server sweeps at a time, and it passes over the keys another server's batch holds:
    /// a sweep never waits behind a busy key.
    async fn purge_expired_keys(&mut self, now_ms: i64, limit: u32) -> Result<Vec<Vec<u8>>, StoreError> {
        if !self.try_lock_sweep().await? {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_scalar(
            "delete from keys where key in (
                 select key from (select key from keys where expires_at <= $1 order by expires_at limit $2) as expired
                 where pg_try_advisory_xact_lock(litekv_key_lock(key))
             )
             returning key",
        )
        .bind(now_ms)
        .bind(i64::from(limit))
        .fetch_all(self.writing().await?)
        .await?)
    }

    async fn key_versions(&mut self, keys: &[Bytes]) -> Result<Vec<Option<i64>>, StoreError> {
        let names: Vec<&[u8]> = keys.iter().map(|key| key.as_ref()).collect();
        let found: Vec<(Vec<u8>, i64)> = sqlx::query_as("select key, version from keys where key = any($1)")
            .bind(&names)
            .fetch_all(self.reading())
            .await?;
        let found: std::collections::HashMap<Vec<u8>, i64> = found.into_iter().collect();
        Ok(keys.iter().map(|key| found.get(key.as_ref()).copied()).collect())
    }

    async fn bump_key_versions(&mut self, keys: &[Bytes]) -> Result<(), StoreError> {
        let names: Vec<&[u8]> = keys.iter().map(|key| key.as_ref()).collect();
        sqlx::query("update keys set version = version + 1 where key = any($1)")
            .bind(&names)
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }

    async fn record_readiness(&mut self, now_ms: i64, headroom: u32) -> Result<(), StoreError> {
        sqlx::query(
            "insert into readiness (id, checked_at, headroom) values (1, $1, $2)
             on conflict (id) do update set checked_at = excluded.checked_at, headroom = excluded.headroom",
        )
        .bind(now_ms)
        .bind(vec![0u8; headroom as usize])
        .execute(self.writing().await?)
        .await?;
        Ok(())
    }
}
