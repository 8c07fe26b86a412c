//! SQL on hashes: fields by (key id, field), through the primary key.

use std::collections::HashMap;

use bytes::Bytes;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row};

use super::Connection;
use super::keys::key_info;
use super::random;
use crate::store::StoreError;
use crate::store::backend::{FieldOfKey, Hashes};
use crate::store::hashes::{Draw, FieldRow};

/// The key's type and expiry, and, if it has `field` (expired or not), the field's value and
/// expiry: one query for what would be two (the key, then the field), as `HGET` is a hot read.
pub(super) async fn field_of_key(
    conn: &mut Connection,
    key: &[u8],
    field: &[u8],
) -> Result<Option<FieldOfKey>, sqlx::Error> {
    sqlx::query(
        "select k.type, k.expires_at, f.value, f.expires_at from keys k
         left join hash_fields f on f.key_id = k.id and f.field = ?2
         where k.key = ?1",
    )
    .bind(key)
    .bind(field)
    .fetch_optional(conn)
    .await?
    .map(|row| field_row(&row, 0))
    .transpose()
}

/// [`field_of_key`] for many (key, field) pairs in one query: each pair whose key has a row.
pub(super) async fn fields_of_keys(
    conn: &mut Connection,
    pairs: &[(Bytes, Bytes)],
) -> Result<HashMap<(Bytes, Bytes), FieldOfKey>, sqlx::Error> {
    let mut query = QueryBuilder::new("with wanted(key, field) as (values ");
    let mut list = query.separated(", ");
    for (key, field) in pairs {
        list.push("(");
        list.push_bind_unseparated(key.as_ref());
        list.push_unseparated(", ");
        list.push_bind_unseparated(field.as_ref());
        list.push_unseparated(")");
    }
    query.push(
        ") select w.key, w.field, k.type, k.expires_at, f.value, f.expires_at from wanted w
         join keys k on k.key = w.key
         left join hash_fields f on f.key_id = k.id and f.field = w.field",
    );
    let rows = query.build().fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let key: Vec<u8> = row.try_get(0)?;
            let field: Vec<u8> = row.try_get(1)?;
            Ok(((Bytes::from(key), Bytes::from(field)), field_row(row, 2)?))
        })
        .collect()
}

/// The key's type and expiry at column `at`, then the field's value and expiry, if any.
fn field_row(row: &SqliteRow, at: usize) -> Result<FieldOfKey, sqlx::Error> {
    let value: Option<Vec<u8>> = row.try_get(at + 2)?;
    let expires_at: Option<i64> = row.try_get(at + 3)?;
    Ok((key_info(row, at)?, value.map(|value| (value, expires_at))))
}

/// A live field's value and expiry (`None`: it never expires); `None` if the field is
/// missing or expired.
pub(super) async fn live_field(
    conn: &mut Connection,
    key_id: i64,
    field: &[u8],
    now_ms: i64,
) -> Result<Option<(Vec<u8>, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(
        "select value, expires_at from hash_fields
         where key_id = ? and field = ? and (expires_at is null or expires_at > ?)",
    )
    .bind(key_id)
    .bind(field)
    .bind(now_ms)
    .fetch_optional(conn)
    .await
}

/// Every live field and its value, in field order.
pub(super) async fn all(
    conn: &mut Connection,
    key_id: i64,
    now_ms: i64,
) -> Result<Vec<(Vec<u8>, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as(
        "select field, value from hash_fields
         where key_id = ? and (expires_at is null or expires_at > ?)
         order by field",
    )
    .bind(key_id)
    .bind(now_ms)
    .fetch_all(conn)
    .await
}

/// Sets a field, clearing any expiry it had. Returns whether the field is new (it was
/// missing or had expired).
pub(super) async fn set(
    conn: &mut Connection,
    key_id: i64,
    field: &[u8],
    value: &[u8],
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let existed: bool = sqlx::query_scalar(
        "select exists (select 1 from hash_fields
         where key_id = ? and field = ? and (expires_at is null or expires_at > ?))",
    )
    .bind(key_id)
    .bind(field)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    // A new field takes the next scan position; an existing one keeps its own.
    sqlx::query(
        "insert into hash_fields (key_id, field, value, seq)
         values (?1, ?2, ?3, (select coalesce(max(seq), 0) + 1 from hash_fields where key_id = ?1))
         on conflict (key_id, field) do update set value = excluded.value, expires_at = null",
    )
    .bind(key_id)
    .bind(field)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(!existed)
}

/// How many live fields the hash has.
pub(super) async fn count(conn: &mut Connection, key_id: i64, now_ms: i64) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "select count(*) from hash_fields where key_id = ? and (expires_at is null or expires_at > ?)",
    )
    .bind(key_id)
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(count as u64)
}

/// Deletes a field. Returns whether it was live (an expired one goes too, uncounted).
pub(super) async fn delete(conn: &mut Connection, key_id: i64, field: &[u8], now_ms: i64) -> Result<bool, sqlx::Error> {
    let live: Option<bool> = sqlx::query_scalar(
        "delete from hash_fields where key_id = ? and field = ?
         returning expires_at is null or expires_at > ?",
    )
    .bind(key_id)
    .bind(field)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(live == Some(true))
}

/// Live fields after scan position `after`, in scan order, at most `count`: with their
/// positions, so the caller can resume after the last.
pub(super) async fn scan(
    conn: &mut Connection,
    key_id: i64,
    after: i64,
    count: u32,
    now_ms: i64,
) -> Result<Vec<(i64, Vec<u8>, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as(
        "select seq, field, value from hash_fields
         where key_id = ? and seq > ? and (expires_at is null or expires_at > ?)
         order by seq limit ?",
    )
    .bind(key_id)
    .bind(after)
    .bind(now_ms)
    .bind(count)
    .fetch_all(conn)
    .await
}

/// Sets or clears (`None`) a field's expiry.
pub(super) async fn set_expiry(
    conn: &mut Connection,
    key_id: i64,
    field: &[u8],
    expires_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update hash_fields set expires_at = ? where key_id = ? and field = ?")
        .bind(expires_at)
        .bind(key_id)
        .bind(field)
        .execute(conn)
        .await
        .map(drop)
}

/// Whether the hash `key` has a live field: one whose fields all expired is gone.
pub(super) async fn any_live(conn: &mut Connection, key: &[u8], now_ms: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "select exists (select 1 from keys k join hash_fields f on f.key_id = k.id
         where k.key = ? and (f.expires_at is null or f.expires_at > ?))",
    )
    .bind(key)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// Deletes up to `limit` fields that expired by `now_ms`, oldest expiry first, then the
/// hashes they leave without a live field. Returns how many fields and keys went.
pub(super) async fn purge_expired(conn: &mut Connection, now_ms: i64, limit: u32) -> Result<(u64, u64), sqlx::Error> {
    let hashes: Vec<i64> = sqlx::query_scalar(
        "delete from hash_fields where (key_id, field) in (
             select key_id, field from hash_fields where expires_at <= ?1 order by expires_at limit ?2
         )
         returning key_id",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let fields = hashes.len() as u64;
    let emptied = sqlx::query(
        "delete from keys where id in (select value from json_each(?1)) and type = 'hash'
         and not exists (select 1 from hash_fields f
                         where f.key_id = keys.id and (f.expires_at is null or f.expires_at > ?2))",
    )
    .bind(serde_json::to_string(&hashes).expect("integers serialize"))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok((fields, emptied.rows_affected()))
}

impl Hashes for Connection {
    async fn hash_field_of_key(&mut self, key: &[u8], field: &[u8]) -> Result<Option<FieldOfKey>, StoreError> {
        Ok(field_of_key(self, key, field).await?)
    }

    async fn hash_fields_of_keys(
        &mut self,
        pairs: &[(Bytes, Bytes)],
    ) -> Result<HashMap<(Bytes, Bytes), FieldOfKey>, StoreError> {
        Ok(fields_of_keys(self, pairs).await?)
    }

    async fn live_hash_field(
        &mut self,
        key_id: i64,
        field: &[u8],
        now_ms: i64,
    ) -> Result<Option<FieldRow>, StoreError> {
        Ok(live_field(self, key_id, field, now_ms).await?)
    }

    async fn hash_fields(&mut self, key_id: i64, now_ms: i64) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        Ok(all(self, key_id, now_ms).await?)
    }

    async fn set_hash_field(
        &mut self,
        key_id: i64,
        field: &[u8],
        value: &[u8],
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        Ok(set(self, key_id, field, value, now_ms).await?)
    }

    async fn count_hash_fields(&mut self, key_id: i64, now_ms: i64) -> Result<u64, StoreError> {
        Ok(count(self, key_id, now_ms).await?)
    }

    async fn delete_hash_field(&mut self, key_id: i64, field: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        Ok(delete(self, key_id, field, now_ms).await?)
    }

    async fn scan_hash_fields(
        &mut self,
        key_id: i64,
        after: i64,
        count: u32,
        now_ms: i64,
    ) -> Result<Vec<(i64, Vec<u8>, Vec<u8>)>, StoreError> {
        Ok(scan(self, key_id, after, count, now_ms).await?)
    }

    async fn set_hash_field_expiry(
        &mut self,
        key_id: i64,
        field: &[u8],
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        Ok(set_expiry(self, key_id, field, expires_at).await?)
    }

    async fn hash_has_live_field(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        Ok(any_live(self, key, now_ms).await?)
    }

    async fn purge_expired_hash_fields(&mut self, now_ms: i64, limit: u32) -> Result<(u64, u64), StoreError> {
        Ok(purge_expired(self, now_ms, limit).await?)
    }

    async fn random_hash_fields(
        &mut self,
        key_id: i64,
        draw: Draw,
        now_ms: i64,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        Ok(random::draw(self, &random::HASH_FIELDS, key_id, draw, now_ms).await?)
    }
}
