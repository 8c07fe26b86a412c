//! Operations on strings.

use bytes::Bytes;

use super::backend::Strings;
use super::cache::Cached;
use super::view::Change;
use super::{Entry, KeyType, Lookup, ReadView, StoreError, WriteTx, is_live};

/// One string upsert.
#[derive(Debug)]
pub struct StringWrite {
    pub key: Bytes,
    pub value: Bytes,
    /// Unix milliseconds, or `None`: the key never expires (an earlier expiry is cleared).
    pub expires_at: Option<i64>,
    pub now_ms: i64,
}

impl StringWrite {
    pub(super) fn new(key: impl Into<Bytes>, value: impl Into<Bytes>, expires_at: Option<i64>, now_ms: i64) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
            expires_at,
            now_ms,
        }
    }
}

impl ReadView<'_> {
    /// A string key's value and expiry. A key of another type is [`StoreError::WrongType`].
    pub async fn lookup(&mut self, key: &[u8]) -> Result<Lookup, StoreError> {
        self.lookup_inline(key, KeyType::String).await
    }

    /// The value in the row of `key`, a key of type `kind` whose value lives there (a
    /// string, a document): through the cache, which a read from the database fills. A key
    /// of another type is [`StoreError::WrongType`].
    pub(super) async fn lookup_inline(&mut self, key: &[u8], kind: KeyType) -> Result<Lookup, StoreError> {
        if let Some(cached) = self.cached(key) {
            return match cached.kind == kind {
                true => Ok(Lookup::Live(cached.entry)),
                false => Err(StoreError::WrongType),
            };
        }
        if self.known_missing(key) {
            return Ok(Lookup::Missing);
        }
        let fillable = self.fillable_cache();
        let lookup = match self.row(key).await? {
            None => Lookup::Missing,
            Some((info, _)) if !is_live(info.expires_at, self.now_ms) => {
                self.found_expired(key);
                Lookup::Expired
            }
            Some((info, Some(value))) if info.kind == kind => Lookup::Live(Entry {
                value,
                expires_at: info.expires_at,
            }),
            Some(_) => return Err(StoreError::WrongType),
        };
        match (&lookup, fillable) {
            (Lookup::Live(entry), Some((cache, asked))) => {
                let cached = Cached {
                    kind,
                    entry: entry.clone(),
                };
                cache.fill(key, cached, &asked);
            }
            (Lookup::Missing, Some((cache, asked))) => cache.fill_missing(key, &asked),
            _ => {}
        }
        Ok(lookup)
    }

    /// A live string's value and expiry. A key of another type is [`StoreError::WrongType`].
    pub async fn get(&mut self, key: &[u8]) -> Result<Option<Entry>, StoreError> {
        Ok(self.lookup(key).await?.live())
    }

    /// A live value from the cache, if this view reads through it. An expired cached value
    /// falls through: the database says whether the row is still there, for the lazy delete.
    pub(super) fn cached(&self, key: &[u8]) -> Option<Cached> {
        let cached = self.cached_entry(key)?;
        is_live(cached.entry.expires_at, self.now_ms).then_some(cached)
    }
}

impl WriteTx<'_> {
    /// Upserts a string, replacing any value and expiry, and any key of another type.
    pub async fn put(
        &mut self,
        key: Bytes,
        value: Bytes,
        expires_at: Option<i64>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.put_strings(&[&StringWrite::new(key, value, expires_at, now_ms)])
            .await
    }

    /// Upserts several strings in order.
    pub async fn put_strings(&mut self, writes: &[&StringWrite]) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        for write in writes {
            let entry = Entry {
                value: write.value.clone(),
                expires_at: write.expires_at,
            };
            let cached = Cached {
                kind: KeyType::String,
                entry,
            };
            self.changing(Change::Put(write.key.clone(), cached));
        }
        self.unchanging().put_strings(writes).await
    }

    /// As [`WriteTx::put_strings`], answering for each write whether it created its key: it
    /// did not exist, or had expired.
    pub(super) async fn put_strings_reporting_created(
        &mut self,
        writes: &[&StringWrite],
    ) -> Result<Vec<bool>, StoreError> {
        let keys: Vec<&[u8]> = writes.iter().map(|write| write.key.as_ref()).collect();
        let mut expiries = self.unchanging().string_expiries(&keys).await?;
        let created = writes
            .iter()
            .map(|write| {
                let previous = expiries.insert(write.key.to_vec(), write.expires_at);
                !previous.is_some_and(|expires_at| is_live(expires_at, write.now_ms))
            })
            .collect();
        self.put_strings(writes).await?;
        Ok(created)
    }
}
