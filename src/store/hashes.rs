//! Operations on hashes: the ground the hash commands stand on.

use bytes::Bytes;

use super::backend::Conn;
use super::{KeyType, ReadView, StoreError, WriteTx, sqlite};

impl ReadView<'_> {
    /// A field's value in the hash `key`; `None` if the key or the field is missing.
    pub async fn hash_field(&mut self, key: &[u8], field: &[u8]) -> Result<Option<Bytes>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Hash).await? else {
            return Ok(None);
        };
        let now_ms = self.now_ms;
        let Conn::Sqlite(conn) = self.conn().await?;
        Ok(sqlite::hashes::field(conn, id, field, now_ms).await?.map(Bytes::from))
    }

    /// Every field of the hash `key` and its value, in field order.
    pub async fn hash_fields(&mut self, key: &[u8]) -> Result<Vec<(Bytes, Bytes)>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Hash).await? else {
            return Ok(Vec::new());
        };
        let now_ms = self.now_ms;
        let Conn::Sqlite(conn) = self.conn().await?;
        let fields = sqlite::hashes::all(conn, id, now_ms).await?;
        Ok(fields
            .into_iter()
            .map(|(field, value)| (field.into(), value.into()))
            .collect())
    }
}

impl WriteTx<'_> {
    /// Sets fields of the hash `key`, creating it if it is missing. Returns how many fields
    /// are new.
    pub async fn set_hash_fields(
        &mut self,
        key: &[u8],
        fields: &[(Bytes, Bytes)],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let id = self.collection_id_for_write(key, KeyType::Hash, now_ms).await?;
        let mut added = 0;
        for (field, value) in fields {
            let Conn::Sqlite(conn) = self.unchanging();
            added += u64::from(sqlite::hashes::set(conn, id, field, value, now_ms).await?);
        }
        Ok(added)
    }
}
