//! SQL on keys whatever their type: existence, type and expiry, walks, deletion, renaming.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::Connection;
use crate::store::backend::Keys;
use crate::store::{KeyInfo, KeyType, StoreError, is_live};

/// The condition on a row of `keys` for a key that lives at the time bound to `$now` (such
/// as `"?2"`): not expired, and for a hash, with a field that has not expired: a hash whose
/// every field expired on its own is gone for every reader, before the sweep deletes it.
macro_rules! live {
    ($now:literal) => {
        concat!(
            "(expires_at is null or expires_at > ",
            $now,
            ") and (type <> 'hash' or exists (
                select 1 from hash_fields where hash_fields.key_id = keys.id
                and (hash_fields.expires_at is null or hash_fields.expires_at > ",
            $now,
            ")))"
        )
    };
}

/// A key's type and expiry, if it has a row (expired or not).
pub(super) async fn info(conn: &mut Connection, key: &[u8]) -> Result<Option<KeyInfo>, sqlx::Error> {
    sqlx::query("select type, expires_at from keys where key = ?")
        .bind(key)
        .fetch_optional(conn)
        .await?
        .map(|row| key_info(&row, 0))
        .transpose()
}

/// The key type and expiry in the two columns of `row` from `first` on.
pub(super) fn key_info(row: &SqliteRow, first: usize) -> Result<KeyInfo, sqlx::Error> {
    let name: &str = row.try_get(first)?;
    let kind = KeyType::from_name(name)
        .ok_or_else(|| sqlx::Error::Decode(format!("a key of unknown type {name:?}").into()))?;
    Ok(KeyInfo {
        kind,
        expires_at: row.try_get(first + 1)?,
    })
}

/// The largest id a key has, or 0.
pub(super) async fn last_id(conn: &mut Connection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select coalesce(max(id), 0) from keys")
        .fetch_one(conn)
        .await
}

/// Up to `limit` live keys with an id above `after`, by id, with their types. Ids never
/// change while a key lives, and a new key gets an id above every current one, so walking
/// by id sees every key that lives throughout the walk.
pub(super) async fn scan(
    conn: &mut Connection,
    after: i64,
    limit: u32,
    now_ms: i64,
) -> Result<Vec<(i64, Vec<u8>, KeyType)>, sqlx::Error> {
    let rows = sqlx::query(concat!(
        "select id, key, type, expires_at from keys indexed by keys_id where id > ?1 and ",
        live!("?2"),
        " order by id limit ?3"
    ))
    .bind(after)
    .bind(now_ms)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, key_info(row, 2)?.kind)))
        .collect()
}

/// Live keys starting with `prefix`, in key order: a range of the primary key, as blobs
/// compare bytewise.
pub(super) async fn keys_with_prefix(
    conn: &mut Connection,
    prefix: &[u8],
    now_ms: i64,
) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar(concat!(
        "select key from keys where key >= ?1 and (?2 is null or key < ?2) and ",
        live!("?3"),
        " order by key"
    ))
    .bind(prefix)
    .bind(prefix_end(prefix))
    .bind(now_ms)
    .fetch_all(conn)
    .await
}

/// The smallest byte string above every string that starts with `prefix`, if there is one.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&byte| byte != 0xff)?;
    let mut end = prefix[..=last].to_vec();
    end[last] += 1;
    Some(end)
}

pub(super) async fn count_live(conn: &mut Connection, now_ms: i64) -> Result<u64, sqlx::Error> {
    // The id index is the smallest index that holds every key.
    let count: i64 = sqlx::query_scalar(concat!(
        "select count(*) from keys indexed by keys_id where ",
        live!("?1")
    ))
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(count as u64)
}

/// How many live keys have an expiry.
pub(super) async fn count_expiring(conn: &mut Connection, now_ms: i64) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(concat!(
        "select count(*) from keys where expires_at is not null and ",
        live!("?1")
    ))
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(count as u64)
}

/// A live key picked at random: the first at or after a random id, else the first of all.
pub(super) async fn random_key(conn: &mut Connection, now_ms: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let after_random_id: Option<Vec<u8>> = sqlx::query_scalar(concat!(
        "select key from keys indexed by keys_id
         where id >= (select abs(random()) % (max(id) + 1) from keys) and ",
        live!("?1"),
        " order by id limit 1"
    ))
    .bind(now_ms)
    .fetch_optional(&mut *conn)
    .await?;
    if after_random_id.is_some() {
        return Ok(after_random_id);
    }
    sqlx::query_scalar(concat!(
        "select key from keys indexed by keys_id where ",
        live!("?1"),
        " order by id limit 1"
    ))
    .bind(now_ms)
    .fetch_optional(conn)
    .await
}

/// Deletes a key; returns whether it was live. A collection's elements go with it (a
/// trigger of the schema).
pub(super) async fn delete(conn: &mut Connection, key: &[u8], now_ms: i64) -> Result<bool, sqlx::Error> {
    let deleted: Option<Option<i64>> = sqlx::query_scalar("delete from keys where key = ? returning expires_at")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(deleted.is_some_and(|expires_at| is_live(expires_at, now_ms)))
}

/// Deletes a key only if it is expired at `now_ms`; returns whether it did.
pub(super) async fn delete_if_expired(conn: &mut Connection, key: &[u8], now_ms: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("delete from keys where key = ? and expires_at <= ?")
        .bind(key)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn set_expiry(conn: &mut Connection, key: &[u8], expires_at: Option<i64>) -> Result<(), sqlx::Error> {
    sqlx::query("update keys set expires_at = ? where key = ?")
        .bind(expires_at)
        .bind(key)
        .execute(conn)
        .await
        .map(drop)
}

/// Gives the row of `from` the name `to`, after deleting any row `to` had. The row keeps its
/// id, and so its elements, its value and its expiry.
pub(super) async fn rename(conn: &mut Connection, from: &[u8], to: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("delete from keys where key = ?")
        .bind(to)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update keys set key = ? where key = ?")
        .bind(to)
        .bind(from)
        .execute(conn)
        .await
        .map(drop)
}

/// Copies the row of `from`, and a collection's elements, to a new key `to` with id `to_id`,
/// after deleting any row `to` had.
pub(super) async fn copy(conn: &mut Connection, from: &[u8], to: &[u8], to_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("delete from keys where key = ?")
        .bind(to)
        .execute(&mut *conn)
        .await?;
    let from_id: i64 = sqlx::query_scalar("select id from keys where key = ?")
        .bind(from)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "insert into keys (key, id, type, expires_at, value)
         select ?, ?, type, expires_at, value from keys where id = ?",
    )
    .bind(to)
    .bind(to_id)
    .bind(from_id)
    .execute(&mut *conn)
    .await?;
    for copy_elements in [
        "insert into hash_fields select ?1, field, value, expires_at, seq from hash_fields where key_id = ?2",
        "insert into list_items select ?1, position, value from list_items where key_id = ?2",
        "insert into set_members select ?1, member, seq from set_members where key_id = ?2",
        "insert into zset_members select ?1, member, score, seq from zset_members where key_id = ?2",
    ] {
        sqlx::query(copy_elements)
            .bind(to_id)
            .bind(from_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) async fn delete_all(conn: &mut Connection) -> Result<(), sqlx::Error> {
    // Emptying every table at once is far cheaper than the per-key triggers.
    for table in ["hash_fields", "list_items", "set_members", "zset_members", "keys"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("delete from {table}")))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Deletes up to `limit` expired keys, oldest expiry first, through the partial index.
pub(super) async fn purge_expired(conn: &mut Connection, now_ms: i64, limit: u32) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    // The keys come back for their `expired` events.
    sqlx::query_scalar(
        "delete from keys where key in (
             select key from keys where expires_at <= ? order by expires_at limit ?
         )
         returning key",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// A key's id, type and expiry, if it has a row (expired or not).
pub(super) async fn id_and_info(conn: &mut Connection, key: &[u8]) -> Result<Option<(i64, KeyInfo)>, sqlx::Error> {
    sqlx::query("select id, type, expires_at from keys where key = ?")
        .bind(key)
        .fetch_optional(conn)
        .await?
        .map(|row| Ok((row.try_get(0)?, key_info(&row, 1)?)))
        .transpose()
}

/// Creates a collection key of type `kind` with id `id`, without expiry and as yet empty.
pub(super) async fn create_collection(
    conn: &mut Connection,
    key: &[u8],
    id: i64,
    kind: KeyType,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into keys (key, id, type) values (?, ?, ?)")
        .bind(key)
        .bind(id)
        .bind(kind.name())
        .execute(conn)
        .await
        .map(drop)
}

impl Keys for Connection {
    async fn key_info(&mut self, key: &[u8]) -> Result<Option<KeyInfo>, StoreError> {
        Ok(info(self, key).await?)
    }

    async fn key_id_and_info(&mut self, key: &[u8]) -> Result<Option<(i64, KeyInfo)>, StoreError> {
        Ok(id_and_info(self, key).await?)
    }

    async fn last_key_id(&mut self) -> Result<i64, StoreError> {
        Ok(last_id(self).await?)
    }

    async fn scan_keys(
        &mut self,
        after: i64,
        limit: u32,
        now_ms: i64,
    ) -> Result<Vec<(i64, Vec<u8>, KeyType)>, StoreError> {
        Ok(scan(self, after, limit, now_ms).await?)
    }

    async fn keys_with_prefix(&mut self, prefix: &[u8], now_ms: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(keys_with_prefix(self, prefix, now_ms).await?)
    }

    async fn count_live_keys(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        Ok(count_live(self, now_ms).await?)
    }

    async fn count_expiring_keys(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        Ok(count_expiring(self, now_ms).await?)
    }

    async fn random_key(&mut self, now_ms: i64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(random_key(self, now_ms).await?)
    }

    async fn create_collection(&mut self, key: &[u8], id: i64, kind: KeyType) -> Result<(), StoreError> {
        Ok(create_collection(self, key, id, kind).await?)
    }

    async fn set_key_expiry(&mut self, key: &[u8], expires_at: Option<i64>) -> Result<(), StoreError> {
        Ok(set_expiry(self, key, expires_at).await?)
    }

    async fn delete_key(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        Ok(delete(self, key, now_ms).await?)
    }

    async fn delete_key_if_expired(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        Ok(delete_if_expired(self, key, now_ms).await?)
    }

    async fn rename_key(&mut self, from: &[u8], to: &[u8]) -> Result<(), StoreError> {
        Ok(rename(self, from, to).await?)
    }

    async fn copy_key(&mut self, from: &[u8], to: &[u8], to_id: i64) -> Result<(), StoreError> {
        Ok(copy(self, from, to, to_id).await?)
    }

    async fn delete_all_keys(&mut self) -> Result<(), StoreError> {
        Ok(delete_all(self).await?)
    }

    async fn purge_expired_keys(&mut self, now_ms: i64, limit: u32) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(purge_expired(self, now_ms, limit).await?)
    }

    async fn record_readiness(&mut self, now_ms: i64, headroom: u32) -> Result<(), StoreError> {
        Ok(super::record_readiness(self, now_ms, headroom).await?)
    }
}
