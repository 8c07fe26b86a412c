//! Operations on hashes. A hash exists while it has a field: the write that removes its last
//! field deletes the key, as in Redis.

use bytes::Bytes;

use super::backend::Hashes;
use super::{KeyType, Page, ReadView, StoreError, WriteTx, is_live};

/// How random elements are drawn: all different, or each on its own (so some may repeat).
#[derive(Clone, Copy, Debug)]
pub enum Draw {
    Distinct(u64),
    Repeating(u64),
}

/// A field's value and expiry (`None`: it never expires), expired or not.
pub(super) type FieldRow = (Vec<u8>, Option<i64>);

/// A field's expiry, as HTTL and its kin see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldExpiry {
    /// No such live field.
    Missing,
    Never,
    /// Unix milliseconds.
    At(i64),
}

impl ReadView<'_> {
    /// The expiry of each of `fields` in the hash `key`; `None` if the key is missing.
    pub async fn hash_field_expiries(
        &mut self,
        key: &[u8],
        fields: &[Bytes],
    ) -> Result<Option<Vec<FieldExpiry>>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Hash).await? else {
            return Ok(None);
        };
        let now_ms = self.now_ms;
        let mut conn = self.conn().await?;
        let mut expiries = Vec::with_capacity(fields.len());
        for field in fields {
            expiries.push(match conn.live_hash_field(id, field, now_ms).await? {
                None => FieldExpiry::Missing,
                Some((_, None)) => FieldExpiry::Never,
                Some((_, Some(at))) => FieldExpiry::At(at),
            });
        }
        Ok(Some(expiries))
    }

    /// A field's value in the hash `key`; `None` if the key or the field is missing: the key
    /// and the field in one query.
    pub async fn hash_field(&mut self, key: &[u8], field: &[u8]) -> Result<Option<Bytes>, StoreError> {
        if self.known_missing(key) {
            return Ok(None);
        }
        let now_ms = self.now_ms;
        let found = self.conn().await?.hash_field_of_key(key, field).await?;
        match found {
            None => Ok(None),
            Some((info, _)) if !is_live(info.expires_at, now_ms) => {
                self.found_expired(key);
                Ok(None)
            }
            Some((info, _)) if info.kind != KeyType::Hash => Err(StoreError::WrongType),
            Some((_, field)) => Ok(field
                .filter(|(_, expires_at)| is_live(*expires_at, now_ms))
                .map(|(value, _)| Bytes::from(value))),
        }
    }

    /// The values of `fields` in the hash `key`, in their order; `None` for each one missing.
    pub async fn hash_values(&mut self, key: &[u8], fields: &[Bytes]) -> Result<Vec<Option<Bytes>>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Hash).await? else {
            return Ok(vec![None; fields.len()]);
        };
        let now_ms = self.now_ms;
        let mut conn = self.conn().await?;
        let mut values = Vec::with_capacity(fields.len());
        for field in fields {
            let found = conn.live_hash_field(id, field, now_ms).await?;
            values.push(found.map(|(value, _)| Bytes::from(value)));
        }
        Ok(values)
    }

    /// Every field of the hash `key` and its value, in field order.
    pub async fn hash_fields(&mut self, key: &[u8]) -> Result<Vec<(Bytes, Bytes)>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Hash).await? else {
            return Ok(Vec::new());
        };
        let now_ms = self.now_ms;
        let fields = self.conn().await?.hash_fields(id, now_ms).await?;
        Ok(fields
            .into_iter()
            .map(|(field, value)| (field.into(), value.into()))
            .collect())
    }

    /// Up to `count` fields of the hash `key` after the cursor `after` (0 to start), in the
    /// order they arrived: a field that stays is never skipped or repeated.
    pub async fn hash_scan(&mut self, key: &[u8], after: u64, count: u32) -> Result<Page<(Bytes, Bytes)>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Hash).await? else {
            return Ok(Page::DONE);
        };
        let now_ms = self.now_ms;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self.conn().await?.scan_hash_fields(id, after, count, now_ms).await?;
        let rows = rows
            .into_iter()
            .map(|(seq, field, value)| (seq, (field.into(), value.into())));
        Ok(Page::of(rows.collect(), count))
    }

    /// Fields of the hash `key` drawn at random, with their values: `Distinct(n)` gives up to
    /// `n` different fields, `Repeating(n)` exactly `n` draws (none for a missing key).
    pub async fn hash_random(&mut self, key: &[u8], draw: Draw) -> Result<Vec<(Bytes, Bytes)>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Hash).await? else {
            return Ok(Vec::new());
        };
        let now_ms = self.now_ms;
        let fields = self.conn().await?.random_hash_fields(id, draw, now_ms).await?;
        Ok(fields
            .into_iter()
            .map(|(field, value)| (field.into(), value.into()))
            .collect())
    }

    /// How many fields the hash `key` has (0 if it is missing).
    pub async fn hash_len(&mut self, key: &[u8]) -> Result<u64, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Hash).await? else {
            return Ok(0);
        };
        let now_ms = self.now_ms;
        self.conn().await?.count_hash_fields(id, now_ms).await
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
        let mut conn = self.unchanging();
        for (field, value) in fields {
            added += u64::from(conn.set_hash_field(id, field, value, now_ms).await?);
        }
        Ok(added)
    }

    /// Sets or clears (`None`) the expiry of `fields` of the hash `key`; missing fields and a
    /// missing key are left alone.
    pub async fn set_hash_field_expiry(
        &mut self,
        key: &[u8],
        fields: &[Bytes],
        expires_at: Option<i64>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let Some(id) = self.read(now_ms).collection_id(key, KeyType::Hash).await? else {
            return Ok(());
        };
        let mut conn = self.unchanging();
        for field in fields {
            conn.set_hash_field_expiry(id, field, expires_at).await?;
        }
        Ok(())
    }

    /// Deletes `fields` from the hash `key`, and the key with its last field. Returns how
    /// many fields were there to delete.
    pub async fn delete_hash_fields(&mut self, key: &[u8], fields: &[Bytes], now_ms: i64) -> Result<u64, StoreError> {
        let Some(id) = self.read(now_ms).collection_id(key, KeyType::Hash).await? else {
            return Ok(0);
        };
        let mut deleted = 0;
        let mut conn = self.unchanging();
        for field in fields {
            deleted += u64::from(conn.delete_hash_field(id, field, now_ms).await?);
        }
        if conn.count_hash_fields(id, now_ms).await? == 0 {
            self.delete_emptied(key, now_ms).await?;
        }
        Ok(deleted)
    }
}
