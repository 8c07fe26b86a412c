//! JSON documents (RedisJSON's type): a document's compact JSON text lives in its key's row,
//! as a string's value does, and the cache holds it as it holds strings.

use bytes::Bytes;

use super::backend::Strings;
use super::cache::Cached;
use super::view::Change;
use super::{Entry, KeyType, ReadView, StoreError, WriteTx};

impl ReadView<'_> {
    /// A live document's text and expiry. A key of another type is [`StoreError::WrongType`].
    pub async fn document(&mut self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        Ok(self.lookup_inline(key, KeyType::Json).await?.live())
    }
}

impl WriteTx<'_> {
    /// Upserts a document, replacing any value and expiry, and any key of another type.
    pub async fn put_document(
        &mut self,
        key: &[u8],
        document: Bytes,
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let cached = Cached {
            kind: KeyType::Json,
            entry: Entry {
                value: document.clone(),
                expires_at,
            },
        };
        self.changing(Change::Put(Bytes::copy_from_slice(key), cached))
            .put_document(key, &document, expires_at)
            .await
    }
}
