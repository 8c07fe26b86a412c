//! Operations on keys whatever their type: type and expiry, walks, deletion, renaming.

use bytes::Bytes;

use super::backend::{Hashes, Keys};
use super::events::EventClass;
use super::view::Change;
use super::{KeyInfo, KeyType, Page, ReadView, StoreError, WriteTx, is_live};

/// What one purge batch deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Keys: expired ones, and hashes left without a live field.
    pub keys: u64,
    /// Hash fields that expired on their own.
    pub fields: u64,
}

impl ReadView<'_> {
    /// A live key's type and expiry; `None` for a missing or expired key.
    pub async fn info(&mut self, key: &[u8]) -> Result<Option<KeyInfo>, StoreError> {
        if let Some(cached) = self.cached(key) {
            return Ok(Some(KeyInfo {
                kind: cached.kind,
                expires_at: cached.entry.expires_at,
            }));
        }
        if self.known_missing(key) {
            return Ok(None);
        }
        let info = self.conn().await?.key_info(key).await?;
        match info {
            Some(info) if !is_live(info.expires_at, self.now_ms) => {
                self.found_expired(key);
                Ok(None)
            }
            Some(info) if info.kind == KeyType::Hash => {
                // A hash whose every field expired on its own is gone, until the sweep says so.
                let now_ms = self.now_ms;
                let live = self.conn().await?.hash_has_live_field(key, now_ms).await?;
                Ok(live.then_some(info))
            }
            found => Ok(found),
        }
    }

    /// The id of the live collection `key` of type `kind`; `None` if the key is missing, and
    /// [`StoreError::WrongType`] if it holds another type.
    pub(super) async fn collection_id(&mut self, key: &[u8], kind: KeyType) -> Result<Option<i64>, StoreError> {
        if self.known_missing(key) {
            return Ok(None);
        }
        let found = self.conn().await?.key_id_and_info(key).await?;
        let live = self.live_of_kind(key, kind, found.map(|(id, info)| (id, info, ())))?;
        Ok(live.map(|(id, ())| id))
    }

    /// What a lookup of `key` found, with the key's id and info first, if it is a live key of
    /// type `kind`; `None` if it is missing or expired (noted for the lazy delete), and
    /// [`StoreError::WrongType`] if it holds another type.
    pub(super) fn live_of_kind<T>(
        &mut self,
        key: &[u8],
        kind: KeyType,
        found: Option<(i64, KeyInfo, T)>,
    ) -> Result<Option<(i64, T)>, StoreError> {
        match found {
            Some((_, info, _)) if !is_live(info.expires_at, self.now_ms) => {
                self.found_expired(key);
                Ok(None)
            }
            Some((_, info, _)) if info.kind != kind => Err(StoreError::WrongType),
            found => Ok(found.map(|(id, _, rest)| (id, rest))),
        }
    }

    /// Live keys from `start` on, `count` rows of the keyspace per step, in an order that
    /// keys keep for as long as they live: a full walk returns every key that existed
    /// throughout it, however many are added or removed meanwhile.
    pub async fn scan(&mut self, start: u64, count: u32) -> Result<Page<(Bytes, KeyType)>, StoreError> {
        let now_ms = self.now_ms;
        let after = i64::try_from(start).unwrap_or(i64::MAX);
        let rows = self.conn().await?.scan_keys(after, count, now_ms).await?;
        let rows = rows.into_iter().map(|(id, key, kind)| (id, (key.into(), kind)));
        Ok(Page::of(rows.collect(), count))
    }

    /// Every live key that starts with `prefix`, in key order.
    pub async fn keys_with_prefix(&mut self, prefix: &[u8]) -> Result<Vec<Bytes>, StoreError> {
        let now_ms = self.now_ms;
        let keys = self.conn().await?.keys_with_prefix(prefix, now_ms).await?;
        Ok(keys.into_iter().map(Bytes::from).collect())
    }

    /// How many live keys there are.
    pub async fn count(&mut self) -> Result<u64, StoreError> {
        let now_ms = self.now_ms;
        self.conn().await?.count_live_keys(now_ms).await
    }

    /// How many live keys will expire (INFO's `expires`).
    pub async fn count_expiring(&mut self) -> Result<u64, StoreError> {
        let now_ms = self.now_ms;
        self.conn().await?.count_expiring_keys(now_ms).await
    }

    pub async fn random_key(&mut self) -> Result<Option<Bytes>, StoreError> {
        let now_ms = self.now_ms;
        Ok(self.conn().await?.random_key(now_ms).await?.map(Bytes::from))
    }
}

impl WriteTx<'_> {
    /// The id of the collection `key` of type `kind`, which is created (empty) if it is
    /// missing or expired; [`StoreError::WrongType`] if it holds another type.
    pub(super) async fn collection_id_for_write(
        &mut self,
        key: &[u8],
        kind: KeyType,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let mut view = self.read(now_ms);
        let found = view.collection_id(key, kind).await?;
        let expired = view.take_expired();
        drop(view);
        if let Some(id) = found {
            return Ok(id);
        }
        self.delete_if_expired(&expired, now_ms).await?;
        let id = self
            .changing(Change::Remove(Bytes::copy_from_slice(key)))
            .create_collection(key, kind)
            .await?;
        self.notify_created(true, key);
        Ok(id)
    }

    /// Sets or clears (`None`) the expiry of an existing key.
    pub async fn set_expiry(&mut self, key: &[u8], expires_at: Option<i64>) -> Result<(), StoreError> {
        self.changing(Change::Remove(Bytes::copy_from_slice(key)))
            .set_key_expiry(key, expires_at)
            .await
    }

    /// Deletes a key of any type. Returns whether a live key was deleted (an expired row is
    /// removed too, but does not count, as in Redis), which is a `del` event.
    pub async fn delete(&mut self, key: &[u8], now_ms: i64) -> Result<bool, StoreError> {
        let deleted = self
            .changing(Change::Remove(Bytes::copy_from_slice(key)))
            .delete_key(key, now_ms)
            .await?;
        if deleted {
            self.notify(EventClass::Generic, "del", key);
        }
        Ok(deleted)
    }

    /// Deletes a collection its command emptied. Its `del` event follows the command's own
    /// (see [`WriteTx::notify`]), as in Redis.
    pub(super) async fn delete_emptied(&mut self, key: &[u8], now_ms: i64) -> Result<(), StoreError> {
        let deleted = self
            .changing(Change::Remove(Bytes::copy_from_slice(key)))
            .delete_key(key, now_ms)
            .await?;
        if deleted && self.batch.events.is_some() {
            self.batch.emptied.push(Bytes::copy_from_slice(key));
        }
        Ok(())
    }

    /// Deletes each key that is still expired at `now_ms`, so a lazy delete can never remove
    /// a value that another request set a moment before.
    /// Returns how many were deleted.
    pub async fn delete_if_expired(&mut self, keys: &[Bytes], now_ms: i64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        for key in keys {
            let expired = self
                .changing(Change::Remove(key.clone()))
                .delete_key_if_expired(key, now_ms)
                .await?;
            if expired {
                deleted += 1;
                self.notify(EventClass::Expired, "expired", key);
            }
        }
        Ok(deleted)
    }

    /// Moves a live key of any type, with its expiry, to `to`, replacing whatever `to` held.
    pub async fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<(), StoreError> {
        self.changing(Change::Remove(Bytes::copy_from_slice(from)));
        self.changing(Change::Remove(Bytes::copy_from_slice(to)))
            .rename_key(from, to)
            .await
    }

    /// Copies a live key of any type, with its expiry, to `to`, replacing whatever `to` held.
    pub async fn copy(&mut self, from: &[u8], to: &[u8]) -> Result<(), StoreError> {
        self.changing(Change::Remove(Bytes::copy_from_slice(to)))
            .copy_key(from, to)
            .await
    }

    /// Deletes every key. Clients watching a key are told only if it existed, as in Redis.
    pub async fn delete_all(&mut self, now_ms: i64) -> Result<(), StoreError> {
        for key in self.watched_keys() {
            if self.read(now_ms).info(&key).await?.is_some() {
                self.touch(&key);
            }
        }
        self.changing(Change::Clear).delete_all_keys().await
    }

    /// Deletes at most `limit` keys that expired by `now_ms`, then, with what is left of
    /// `limit`, hash fields that expired and the hashes they leave without a live field.
    pub async fn purge_expired(&mut self, now_ms: i64, limit: u32) -> Result<Purged, StoreError> {
        // Purged keys were expired, and readers ignore expired cache entries; the cache holds
        // no hashes: nothing to tell.
        let purged = self.unchanging().purge_expired_keys(now_ms, limit).await?;
        let keys = purged.len() as u64;
        purged
            .iter()
            .for_each(|key| self.notify(EventClass::Expired, "expired", key));
        let budget = limit.saturating_sub(u32::try_from(keys).unwrap_or(u32::MAX));
        if budget == 0 {
            return Ok(Purged { keys, fields: 0 });
        }
        let (fields, emptied) = self.unchanging().purge_expired_hash_fields(now_ms, budget).await?;
        Ok(Purged {
            keys: keys + emptied,
            fields,
        })
    }

    /// Writes the readiness row, `headroom` bytes larger than its minimum, proving the
    /// database accepts writes (and has room for that many bytes once committed).
    pub async fn record_readiness(&mut self, now_ms: i64, headroom: u32) -> Result<(), StoreError> {
        self.unchanging().record_readiness(now_ms, headroom).await
    }
}

/// The smallest byte string above every string that starts with `prefix`, if there is one.
pub(super) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&byte| byte != 0xff)?;
    let mut end = prefix[..=last].to_vec();
    end[last] += 1;
    Some(end)
}
