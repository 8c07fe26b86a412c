//! SQL on keys whatever their type: existence, type and expiry, walks, deletion, renaming.

use bytes::Bytes;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{OptionalExtension, Row, ToSql, params};

use super::{Connection, random};
use crate::store::backend::{Keys, live};
use crate::store::keys::prefix_end;
use crate::store::{KeyInfo, KeyType, StoreError, is_live};

/// The `type` column holds a key type's name.
impl FromSql for KeyType {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let name = value.as_str()?;
        KeyType::from_stored_name(name)
            .ok_or_else(|| FromSqlError::Other(format!("a key of unknown type {name:?}").into()))
    }
}

impl ToSql for KeyType {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.stored_name()))
    }
}

/// The key type and expiry in the two columns of `row` from `first` on.
pub(super) fn key_info(row: &Row<'_>, first: usize) -> rusqlite::Result<KeyInfo> {
    Ok(KeyInfo {
        kind: row.get(first)?,
        expires_at: row.get(first + 1)?,
    })
}

/// A count as SQLite gives it, as the store counts.
fn count(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

impl Keys for Connection {
    async fn key_info(&mut self, key: &[u8]) -> Result<Option<KeyInfo>, StoreError> {
        let mut statement = self.prepare("select type, expires_at from keys where key = ?1")?;
        Ok(statement.query_row([key], |row| key_info(row, 0)).optional()?)
    }

    async fn key_id_and_info(&mut self, key: &[u8]) -> Result<Option<(i64, KeyInfo)>, StoreError> {
        let mut statement = self.prepare("select id, type, expires_at from keys where key = ?1")?;
        let found = statement.query_row([key], |row| Ok((row.get(0)?, key_info(row, 1)?)));
        Ok(found.optional()?)
    }

    /// Ids never change while a key lives, and a new key gets an id above every current one,
    /// so walking by id sees every key that lives throughout the walk.
    async fn scan_keys(
        &mut self,
        after: i64,
        limit: u32,
        now_ms: i64,
    ) -> Result<Vec<(i64, Vec<u8>, KeyType)>, StoreError> {
        let mut statement = self.prepare(concat!(
            "select id, key, type from keys indexed by keys_id where id > ?1 and ",
            live!("?2"),
            " order by id limit ?3"
        ))?;
        let rows = statement.query_map(params![after, now_ms, limit], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A range of the primary key, as blobs compare bytewise.
    async fn keys_with_prefix(&mut self, prefix: &[u8], now_ms: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut statement = self.prepare(concat!(
            "select key from keys where key >= ?1 and (?2 is null or key < ?2) and ",
            live!("?3"),
            " order by key"
        ))?;
        let rows = statement.query_map(params![prefix, prefix_end(prefix), now_ms], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    async fn count_live_keys(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        // The id index is the smallest index that holds every key.
        let mut statement = self.prepare(concat!(
            "select count(*) from keys indexed by keys_id where ",
            live!("?1")
        ))?;
        Ok(count(statement.query_row([now_ms], |row| row.get(0))?))
    }

    async fn count_expiring_keys(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        let mut statement = self.prepare(concat!(
            "select count(*) from keys where expires_at is not null and ",
            live!("?1")
        ))?;
        Ok(count(statement.query_row([now_ms], |row| row.get(0))?))
    }

    /// A live key drawn uniformly, as elements are (see `random.rs`): a random id between the
    /// first and last, tried again on a gap; where gaps are so many that the tries run out,
    /// the live key at a random place in id order.
    async fn random_key(&mut self, now_ms: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let bounds: (Option<i64>, Option<i64>) = self
            .prepare("select min(id), max(id) from keys")?
            .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let Some((first, last)) = bounds.0.zip(bounds.1) else {
            return Ok(None);
        };
        let tried = {
            let mut at_id = self.prepare(concat!(
                "select key from keys indexed by keys_id where id = ?1 and ",
                live!("?2")
            ))?;
            let mut try_one = || {
                at_id
                    .query_row(params![fastrand::i64(first..=last), now_ms], |row| row.get(0))
                    .optional()
            };
            (0..random::TRIES_PER_ELEMENT)
                .find_map(|_| try_one().transpose())
                .transpose()?
        };
        if tried.is_some() {
            return Ok(tried);
        }
        let live = self.count_live_keys(now_ms).await?;
        if live == 0 {
            return Ok(None);
        }
        let mut nth = self.prepare(concat!(
            "select key from keys indexed by keys_id where ",
            live!("?1"),
            " order by id limit 1 offset ?2"
        ))?;
        let index = i64::try_from(fastrand::u64(0..live)).unwrap_or(i64::MAX);
        Ok(nth.query_row(params![now_ms, index], |row| row.get(0)).optional()?)
    }

    async fn create_collection(&mut self, key: &[u8], kind: KeyType) -> Result<i64, StoreError> {
        let id = self.new_key_id()?;
        let mut statement = self.prepare("insert into keys (key, id, type) values (?1, ?2, ?3)")?;
        statement.execute(params![key, id, kind])?;
        Ok(id)
    }

    async fn set_key_expiry(&mut self, key: &[u8], expires_at: Option<i64>) -> Result<(), StoreError> {
        let mut statement = self.prepare("update keys set expires_at = ?1 where key = ?2")?;
        statement.execute(params![expires_at, key])?;
        Ok(())
    }

    /// A collection's elements go with it (a trigger of the schema).
    async fn delete_key(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let mut statement = self.prepare("delete from keys where key = ?1 returning expires_at")?;
        let deleted: Option<Option<i64>> = statement.query_row([key], |row| row.get(0)).optional()?;
        Ok(deleted.is_some_and(|expires_at| is_live(expires_at, now_ms)))
    }

    async fn delete_key_if_expired(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let mut statement = self.prepare("delete from keys where key = ?1 and expires_at <= ?2")?;
        Ok(statement.execute(params![key, now_ms])? > 0)
    }

    async fn rename_key(&mut self, from: &[u8], to: &[u8]) -> Result<(), StoreError> {
        self.prepare("delete from keys where key = ?1")?.execute([to])?;
        self.prepare("update keys set key = ?1 where key = ?2")?
            .execute([to, from])?;
        Ok(())
    }

    async fn copy_key(&mut self, from: &[u8], to: &[u8]) -> Result<(), StoreError> {
        let to_id = self.new_key_id()?;
        self.prepare("delete from keys where key = ?1")?.execute([to])?;
        let from_id: i64 = self
            .prepare("select id from keys where key = ?1")?
            .query_row([from], |row| row.get(0))?;
        self.prepare(
            "insert into keys (key, id, type, expires_at, value)
             select ?1, ?2, type, expires_at, value from keys where id = ?3",
        )?
        .execute(params![to, to_id, from_id])?;
        for copy_elements in [
            "insert into hash_fields select ?1, field, value, expires_at, seq from hash_fields where key_id = ?2",
            "insert into list_items select ?1, position, value from list_items where key_id = ?2",
            "insert into set_members select ?1, member, seq from set_members where key_id = ?2",
            "insert into zset_members select ?1, member, score, seq from zset_members where key_id = ?2",
        ] {
            self.prepare(copy_elements)?.execute([to_id, from_id])?;
        }
        Ok(())
    }

    async fn delete_all_keys(&mut self) -> Result<(), StoreError> {
        // Emptying every table at once is far cheaper than the per-key triggers.
        for empty in [
            "delete from hash_fields",
            "delete from list_items",
            "delete from set_members",
            "delete from zset_members",
            "delete from keys",
        ] {
            self.prepare(empty)?.execute([])?;
        }
        Ok(())
    }

    /// Oldest expiry first, through the partial index; the keys come back for their
    /// `expired` events.
    async fn purge_expired_keys(&mut self, now_ms: i64, limit: u32) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut statement = self.prepare(
            "delete from keys where key in (
                 select key from keys where expires_at <= ?1 order by expires_at limit ?2
             )
             returning key",
        )?;
        let rows = statement.query_map(params![now_ms, limit], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One server writes a SQLite file: the store's own count of writes serves WATCH.
    async fn key_versions(&mut self, keys: &[Bytes]) -> Result<Vec<Option<i64>>, StoreError> {
        Ok(vec![None; keys.len()])
    }

    async fn bump_key_versions(&mut self, _keys: &[Bytes]) -> Result<(), StoreError> {
        Ok(())
    }

    /// A real write, as small as one can be, plus `headroom` bytes of zeros that the commit
    /// must find room for.
    async fn record_readiness(&mut self, now_ms: i64, headroom: u32) -> Result<(), StoreError> {
        let mut statement = self.prepare(
            "insert into readiness (id, checked_at, headroom) values (1, ?1, zeroblob(?2))
             on conflict (id) do update set checked_at = excluded.checked_at, headroom = excluded.headroom",
        )?;
        statement.execute(params![now_ms, headroom])?;
        Ok(())
    }
}
