//! SQL on hashes: fields by (key id, field), through the primary key.

use bytes::Bytes;

use sqlx::Row;

use super::Connection;
use super::keys::key_info;
use crate::store::KeyInfo;

/// The key's type and expiry, and, if it has a live `field`, the field's value: one query
/// for what would be two (the key, then the field), as `HGET` is a hot read.
pub(in crate::store) async fn field_of_key(
    conn: &mut Connection,
    key: &[u8],
    field: &[u8],
    now_ms: i64,
) -> Result<Option<(KeyInfo, Option<Vec<u8>>)>, sqlx::Error> {
    sqlx::query(
        "select k.type, k.expires_at, f.value from keys k
         left join hash_fields f on f.key_id = k.id and f.field = ?2
             and (f.expires_at is null or f.expires_at > ?3)
         where k.key = ?1",
    )
    .bind(key)
    .bind(field)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?
    .map(|row| Ok((key_info(&row, 0)?, row.try_get(2)?)))
    .transpose()
}

pub(in crate::store) async fn field(
    conn: &mut Connection,
    key_id: i64,
    field: &[u8],
    now_ms: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar(
        "select value from hash_fields
         where key_id = ? and field = ? and (expires_at is null or expires_at > ?)",
    )
    .bind(key_id)
    .bind(field)
    .bind(now_ms)
    .fetch_optional(conn)
    .await
}

/// Every live field and its value, in field order.
pub(in crate::store) async fn all(
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
pub(in crate::store) async fn set(
    conn: &mut Connection,
    key_id: i64,
    field: &Bytes,
    value: &Bytes,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let existed: bool = sqlx::query_scalar(
        "select exists (select 1 from hash_fields
         where key_id = ? and field = ? and (expires_at is null or expires_at > ?))",
    )
    .bind(key_id)
    .bind(field.as_ref())
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
    .bind(field.as_ref())
    .bind(value.as_ref())
    .execute(conn)
    .await?;
    Ok(!existed)
}

/// How many live fields the hash has.
pub(in crate::store) async fn count(conn: &mut Connection, key_id: i64, now_ms: i64) -> Result<u64, sqlx::Error> {
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
pub(in crate::store) async fn delete(
    conn: &mut Connection,
    key_id: i64,
    field: &[u8],
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
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
pub(in crate::store) async fn scan(
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
