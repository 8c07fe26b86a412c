//! SQL on strings, whose values live inline in their key's row.

use std::collections::HashMap;

use bytes::Bytes;
use sqlx::{QueryBuilder, Row as _};

use super::Connection;
use super::keys::key_info;
use crate::store::backend::{Row, Strings};
use crate::store::{KeyInfo, StoreError, StringWrite};

/// A key's type and expiry, and its value if it is a string: one lookup of one B-tree.
pub(super) async fn get(conn: &mut Connection, key: &[u8]) -> Result<Option<(KeyInfo, Option<Vec<u8>>)>, sqlx::Error> {
    let Some(row) = sqlx::query("select type, expires_at, value from keys where key = ?")
        .bind(key)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((key_info(&row, 0)?, row.try_get(2)?)))
}

/// The most rows one statement writes: 5 bound values each stays far below SQLite's limit
/// of 32,766 per statement.
const ROWS_PER_STATEMENT: usize = 1000;

/// Upserts a run of string writes in order, in a statement per thousand: one statement
/// round trip costs far more than SQLite's work per row. A key of another type
/// becomes a string (the schema's trigger deletes its elements). `new_ids[i]` is the id
/// `writes[i]` takes if it creates its key. Runs inside the writer's `BEGIN IMMEDIATE`
/// transaction, so nothing interleaves with it.
pub(super) async fn put_many(
    conn: &mut Connection,
    writes: &[&StringWrite],
    new_ids: &[i64],
) -> Result<(), sqlx::Error> {
    for (writes, new_ids) in writes
        .chunks(ROWS_PER_STATEMENT)
        .zip(new_ids.chunks(ROWS_PER_STATEMENT))
    {
        let mut upsert = QueryBuilder::new("insert into keys (key, id, type, expires_at, value) ");
        upsert.push_values(writes.iter().zip(new_ids), |mut row, (write, id)| {
            row.push_bind(write.key.as_ref())
                .push_bind(*id)
                .push_bind("string")
                .push_bind(write.expires_at)
                .push_bind(write.value.as_ref());
        });
        // Rows of one statement apply in order: a later write to a key overwrites an earlier one.
        upsert.push(
            " on conflict (key) do update set
                 type = excluded.type, expires_at = excluded.expires_at, value = excluded.value",
        );
        upsert
            .build()
            // One row is the common case and worth a prepared statement; longer runs vary in length.
            .persistent(writes.len() == 1)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The expiry column of each of `keys` that has a row (expired or not).
pub(super) async fn expiries<'k>(
    conn: &mut Connection,
    keys: impl ExactSizeIterator<Item = &'k [u8]>,
) -> Result<HashMap<Vec<u8>, Option<i64>>, sqlx::Error> {
    let single = keys.len() == 1;
    let mut query = QueryBuilder::new("select key, expires_at from keys where key in (");
    let mut list = query.separated(", ");
    for key in keys {
        list.push_bind(key);
    }
    query.push(")");
    let rows = query
        .build_query_as::<(Vec<u8>, Option<i64>)>()
        .persistent(single)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The rows of `keys` that exist (expired or not): each one's type and expiry, and its value
/// if it is a string. One statement for all of them.
pub(super) async fn get_many(
    conn: &mut Connection,
    keys: &[Bytes],
) -> Result<HashMap<Bytes, (KeyInfo, Option<Bytes>)>, sqlx::Error> {
    let mut query = QueryBuilder::new("select key, type, expires_at, value from keys where key in (");
    let mut list = query.separated(", ");
    for key in keys {
        list.push_bind(key.as_ref());
    }
    query.push(")");
    let rows = query.build().persistent(keys.len() == 1).fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let key: Vec<u8> = row.try_get(0)?;
            let value: Option<Vec<u8>> = row.try_get(3)?;
            Ok((Bytes::from(key), (key_info(row, 1)?, value.map(Bytes::from))))
        })
        .collect()
}

impl Strings for Connection {
    async fn string_row(&mut self, key: &[u8]) -> Result<Option<Row>, StoreError> {
        let row = get(self, key).await?;
        Ok(row.map(|(info, value)| (info, value.map(Bytes::from))))
    }

    async fn string_rows(&mut self, keys: &[Bytes]) -> Result<HashMap<Bytes, Row>, StoreError> {
        Ok(get_many(self, keys).await?)
    }

    async fn string_expiries(&mut self, keys: &[&[u8]]) -> Result<HashMap<Vec<u8>, Option<i64>>, StoreError> {
        Ok(expiries(self, keys.iter().copied()).await?)
    }

    async fn put_strings(&mut self, writes: &[&StringWrite], new_ids: &[i64]) -> Result<(), StoreError> {
        Ok(put_many(self, writes, new_ids).await?)
    }
}
