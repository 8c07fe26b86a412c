//! JSON documents (RedisJSON's type): a document's compact JSON text lives in its key's row,
//! as a string's value does. The cache holds strings only: a document is read from the
//! database, and a write to one makes the cache forget its key.

use bytes::Bytes;

use super::backend::Strings;
use super::view::Change;
use super::{Entry, KeyType, ReadView, StoreError, WriteTx, is_live};

impl ReadView<'_> {
    /// A live document's text and expiry. A key of another type is [`StoreError::WrongType`].
    pub async fn document(&mut self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        if self.cached(key).is_some() {
            return Err(StoreError::WrongType);
        }
        if self.known_missing(key) {
            return Ok(None);
        }
        match self.row(key).await? {
            None => Ok(None),
            Some((info, _)) if !is_live(info.expires_at, self.now_ms) => {
                self.found_expired(key);
                Ok(None)
            }
            Some((info, Some(value))) if info.kind == KeyType::Json => Ok(Some(Entry {
                value,
                expires_at: info.expires_at,
            })),
            Some(_) => Err(StoreError::WrongType),
        }
    }
}

impl WriteTx<'_> {
    /// Upserts a document, replacing any value and expiry, and any key of another type. The
    /// command's event tells those watching the key (WATCH).
    pub async fn put_document(
        &mut self,
        key: &[u8],
        document: Bytes,
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        self.changing(Change::Remove(Bytes::copy_from_slice(key)))
            .put_document(key, &document, expires_at)
            .await
    }
}
