//! SQL on strings, whose values live inline in their key's row.

use std::collections::HashMap;

use bytes::Bytes;
use rusqlite::{OptionalExtension, params};

use super::Connection;
use super::keys::key_info;
use crate::store::backend::{Row, Strings};
use crate::store::{KeyType, StoreError, StringWrite};

impl Connection {
    /// A key's row (expired or not), with its value if it is a string: one lookup of one
    /// B-tree.
    fn row(&self, key: &[u8]) -> rusqlite::Result<Option<Row>> {
        let mut statement = self.prepare("select type, expires_at, value from keys where key = ?1")?;
        let found = statement.query_row([key], |row| {
            let value: Option<Vec<u8>> = row.get(2)?;
            Ok((key_info(row, 0)?, value.map(Bytes::from)))
        });
        found.optional()
    }
}

impl Connection {
    /// Upserts a key whose value lives in its row (a string, a document), replacing a key of
    /// any type (the schema's trigger deletes a collection's elements).
    fn put_inline(&self, key: &[u8], kind: KeyType, expires_at: Option<i64>, value: &[u8]) -> rusqlite::Result<()> {
        let id = self.new_key_id()?;
        let mut upsert = self.prepare(
            "insert into keys (key, id, type, expires_at, value) values (?1, ?2, ?3, ?4, ?5)
             on conflict (key) do update set
                 type = excluded.type, expires_at = excluded.expires_at, value = excluded.value",
        )?;
        upsert.execute(params![key, id, kind, expires_at, value])?;
        Ok(())
    }
}

impl Strings for Connection {
    async fn string_row(&mut self, key: &[u8]) -> Result<Option<Row>, StoreError> {
        Ok(self.row(key)?)
    }

    async fn string_expiries(&mut self, keys: &[&[u8]]) -> Result<HashMap<Vec<u8>, Option<i64>>, StoreError> {
        let mut expiries = HashMap::with_capacity(keys.len());
        for key in keys {
            let mut statement = self.prepare("select expires_at from keys where key = ?1")?;
            if let Some(expires_at) = statement.query_row([key], |row| row.get(0)).optional()? {
                expiries.insert(key.to_vec(), expires_at);
            }
        }
        Ok(expiries)
    }

    /// One prepared upsert per write: run directly, a row costs SQLite's work on it and
    /// little more, so the multi-row statements that saved round trips to sqlx's thread (and
    /// were prepared anew for each length) no longer pay. A key of another type becomes a
    /// string (the schema's trigger deletes its elements).
    async fn put_strings(&mut self, writes: &[&StringWrite]) -> Result<(), StoreError> {
        for write in writes {
            self.put_inline(&write.key, KeyType::String, write.expires_at, &write.value)?;
        }
        Ok(())
    }

    async fn put_document(&mut self, key: &[u8], document: &[u8], expires_at: Option<i64>) -> Result<(), StoreError> {
        Ok(self.put_inline(key, KeyType::Json, expires_at, document)?)
    }
}
