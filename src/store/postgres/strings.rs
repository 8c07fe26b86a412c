//! SQL on strings, whose values live inline in their key's row.

use std::collections::HashMap;

use bytes::Bytes;

use super::Connection;
use super::keys::key_info;
use crate::store::backend::{Row, Strings};
use crate::store::{StoreError, StringWrite};

impl Strings for Connection {
    async fn string_row(&mut self, key: &[u8]) -> Result<Option<Row>, StoreError> {
        self.lock_key(key).await?;
        let row = sqlx::query("select type, expires_at, value from keys where key = $1")
            .bind(key)
            .fetch_optional(self.reading())
            .await?;
        row.map(|row| {
            let value: Option<Vec<u8>> = sqlx::Row::try_get(&row, "value")?;
            Ok((key_info(&row)?, value.map(Bytes::from)))
        })
        .transpose()
    }

    /// One query for every key, their names bound as one array.
    async fn string_expiries(&mut self, keys: &[&[u8]]) -> Result<HashMap<Vec<u8>, Option<i64>>, StoreError> {
        self.lock(keys.iter().copied()).await?;
        let rows: Vec<(Vec<u8>, Option<i64>)> = sqlx::query_as("select key, expires_at from keys where key = any($1)")
            .bind(keys)
            .fetch_all(self.reading())
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// One statement for the whole run of writes, its columns bound as arrays, so that one
    /// prepared statement serves any number of writes. PostgreSQL refuses a key twice in one
    /// upsert, so only each key's last write goes in: the one a run in order would leave.
    async fn put_strings(&mut self, writes: &[&StringWrite]) -> Result<(), StoreError> {
        self.lock(writes.iter().map(|write| write.key.as_ref())).await?;
        let mut last_of_key: HashMap<&[u8], usize> = HashMap::with_capacity(writes.len());
        for (index, write) in writes.iter().enumerate() {
            last_of_key.insert(write.key.as_ref(), index);
        }
        let mut keys = Vec::with_capacity(last_of_key.len());
        let mut expiries = Vec::with_capacity(last_of_key.len());
        let mut values = Vec::with_capacity(last_of_key.len());
        for (index, write) in writes.iter().enumerate() {
            if last_of_key.get(write.key.as_ref()) == Some(&index) {
                keys.push(write.key.as_ref());
                expiries.push(write.expires_at);
                values.push(write.value.as_ref());
            }
        }
        sqlx::query(
            "insert into keys (key, id, type, expires_at, value)
             select key, nextval('key_ids'), 'string', expires_at, value
             from unnest($1::bytea[], $2::bigint[], $3::bytea[]) as w (key, expires_at, value)
             on conflict (key) do update set
                 type = excluded.type, expires_at = excluded.expires_at, value = excluded.value",
        )
        .bind(keys)
        .bind(expiries)
        .bind(values)
        .execute(self.writing().await?)
        .await?;
        Ok(())
    }

    async fn put_document(&mut self, key: &[u8], document: &[u8], expires_at: Option<i64>) -> Result<(), StoreError> {
        self.lock_key(key).await?;
        sqlx::query(
            "insert into keys (key, id, type, expires_at, value) values ($1, nextval('key_ids'), 'json', $2, $3)
             on conflict (key) do update set
                 type = excluded.type, expires_at = excluded.expires_at, value = excluded.value",
        )
        .bind(key)
        .bind(expires_at)
        .bind(document)
        .execute(self.writing().await?)
        .await?;
        Ok(())
    }
}
