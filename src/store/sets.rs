//! Operations on sets. A set exists while it has a member: the write that removes its last
//! one deletes the key, as in Redis. Members come back in member order (bytewise), where
//! Redis's order is its hash table's.

use bytes::Bytes;

use super::backend::Sets;
use super::{Draw, KeyType, Page, ReadView, StoreError, WriteTx};

/// What SMOVE did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetMove {
    /// Nothing: the source does not hold the member.
    NotThere,
    /// The member left the source (unless it is the destination too); `added` says whether
    /// the destination did not hold it already.
    Moved { added: bool },
}

/// How SINTER, SUNION and SDIFF combine their sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Members of every set; at most `limit` of them (SINTERCARD's LIMIT), if given.
    Intersection { limit: Option<u64> },
    /// Members of any set.
    Union,
    /// Members of the first set and of no other.
    Difference,
}

fn to_bytes(members: Vec<Vec<u8>>) -> Vec<Bytes> {
    members.into_iter().map(Bytes::from).collect()
}

impl ReadView<'_> {
    /// Every member of the set `key`, in member order.
    pub async fn set_members(&mut self, key: &[u8]) -> Result<Vec<Bytes>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Set).await? else {
            return Ok(Vec::new());
        };
        Ok(to_bytes(self.conn().await?.set_members(id).await?))
    }

    /// Whether each of `members` is in the set `key`.
    pub async fn set_contains(&mut self, key: &[u8], members: &[Bytes]) -> Result<Vec<bool>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Set).await? else {
            return Ok(vec![false; members.len()]);
        };
        let mut conn = self.conn().await?;
        let mut found = Vec::with_capacity(members.len());
        for member in members {
            found.push(conn.set_contains(id, member).await?);
        }
        Ok(found)
    }

    /// How many members the set `key` has (0 if it is missing).
    pub async fn set_len(&mut self, key: &[u8]) -> Result<u64, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Set).await? else {
            return Ok(0);
        };
        self.conn().await?.count_set_members(id).await
    }

    /// Up to `count` members after the cursor `after` (0 to start), in the order they
    /// arrived: a member that stays is never skipped or repeated.
    pub async fn set_scan(&mut self, key: &[u8], after: u64, count: u32) -> Result<Page<Bytes>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Set).await? else {
            return Ok(Page::DONE);
        };
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self.conn().await?.scan_set_members(id, after, count).await?;
        let rows = rows.into_iter().map(|(seq, member)| (seq, member.into()));
        Ok(Page::of(rows.collect(), count))
    }

    /// Members of the set `key` drawn at random (see [`Draw`]).
    pub async fn set_random(&mut self, key: &[u8], draw: Draw) -> Result<Vec<Bytes>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::Set).await? else {
            return Ok(Vec::new());
        };
        Ok(to_bytes(self.conn().await?.random_set_members(id, draw).await?))
    }

    /// The sets `keys` combined, in member order. A missing key is an empty set; a key of
    /// another type fails the whole operation, as in Redis.
    pub async fn set_combine(&mut self, keys: &[Bytes], combine: Combine) -> Result<Vec<Bytes>, StoreError> {
        let mut ids = Vec::with_capacity(keys.len());
        for key in keys {
            ids.push(self.collection_id(key, KeyType::Set).await?);
        }
        let mut conn = self.conn().await?;
        let members = match combine {
            Combine::Intersection { limit } => {
                let Some(mut ids) = ids.into_iter().collect::<Option<Vec<i64>>>() else {
                    return Ok(Vec::new());
                };
                ids.sort_unstable();
                ids.dedup();
                // Walk the smallest set, probing the others.
                let mut sizes = Vec::with_capacity(ids.len());
                for &id in &ids {
                    sizes.push((conn.count_set_members(id).await?, id));
                }
                sizes.sort_unstable();
                let others: Vec<i64> = sizes[1..].iter().map(|&(_, id)| id).collect();
                conn.set_intersection(sizes[0].1, &others, limit).await?
            }
            Combine::Union => {
                let ids: Vec<i64> = ids.into_iter().flatten().collect();
                conn.set_union(&ids).await?
            }
            Combine::Difference => {
                let Some(Some(first)) = ids.first().copied() else {
                    return Ok(Vec::new());
                };
                // A first set among the others leaves nothing, as it should.
                let others: Vec<i64> = ids[1..].iter().flatten().copied().collect();
                conn.set_difference(first, &others).await?
            }
        };
        Ok(to_bytes(members))
    }
}

impl WriteTx<'_> {
    /// Adds `members` to the set `key`, creating it if it is missing. Returns how many are new.
    pub async fn add_set_members(&mut self, key: &[u8], members: &[Bytes], now_ms: i64) -> Result<u64, StoreError> {
        let id = self.collection_id_for_write(key, KeyType::Set, now_ms).await?;
        let mut added = 0;
        let mut conn = self.unchanging();
        for member in members {
            added += u64::from(conn.add_set_member(id, member).await?);
        }
        Ok(added)
    }

    /// Removes `members` from the set `key`, and the key with its last member. Returns how
    /// many were there.
    pub async fn remove_set_members(&mut self, key: &[u8], members: &[Bytes], now_ms: i64) -> Result<u64, StoreError> {
        let Some(id) = self.read(now_ms).collection_id(key, KeyType::Set).await? else {
            return Ok(0);
        };
        let mut removed = 0;
        let mut conn = self.unchanging();
        for member in members {
            removed += u64::from(conn.remove_set_member(id, member).await?);
        }
        self.delete_if_empty_set(key, id, now_ms).await?;
        Ok(removed)
    }

    async fn delete_if_empty_set(&mut self, key: &[u8], id: i64, now_ms: i64) -> Result<(), StoreError> {
        if self.unchanging().count_set_members(id).await? == 0 {
            self.delete_emptied(key, now_ms).await?;
        }
        Ok(())
    }

    /// Removes up to `count` random members of the set `key` and answers them; `None` if the
    /// set is missing.
    pub async fn pop_set_members(
        &mut self,
        key: &[u8],
        count: u64,
        now_ms: i64,
    ) -> Result<Option<Vec<Bytes>>, StoreError> {
        let Some(id) = self.read(now_ms).collection_id(key, KeyType::Set).await? else {
            return Ok(None);
        };
        let mut conn = self.unchanging();
        let members = conn.random_set_members(id, Draw::Distinct(count)).await?;
        for member in &members {
            conn.remove_set_member(id, member).await?;
        }
        self.delete_if_empty_set(key, id, now_ms).await?;
        Ok(Some(to_bytes(members)))
    }

    /// Moves `member` from the set `from` to the set `to` (created if missing). Returns
    /// whether it was in `from`; both keys must be sets (or missing) before anything moves.
    pub async fn move_set_member(
        &mut self,
        from: &[u8],
        to: &[u8],
        member: &[u8],
        now_ms: i64,
    ) -> Result<SetMove, StoreError> {
        let mut view = self.read(now_ms);
        // As in Redis, a missing source moves nothing, whatever the destination holds.
        let Some(from_id) = view.collection_id(from, KeyType::Set).await? else {
            return Ok(SetMove::NotThere);
        };
        view.collection_id(to, KeyType::Set).await?;
        drop(view);
        let mut conn = self.unchanging();
        if from == to {
            return Ok(match conn.set_contains(from_id, member).await? {
                true => SetMove::Moved { added: false },
                false => SetMove::NotThere,
            });
        }
        if !conn.remove_set_member(from_id, member).await? {
            return Ok(SetMove::NotThere);
        }
        self.delete_if_empty_set(from, from_id, now_ms).await?;
        let added = self
            .add_set_members(to, &[Bytes::copy_from_slice(member)], now_ms)
            .await?;
        Ok(SetMove::Moved { added: added > 0 })
    }

    /// Replaces whatever `key` held with a set of `members` (SINTERSTORE and its kin); no
    /// members deletes the key. Returns the set's size.
    pub async fn replace_with_set(&mut self, key: &[u8], members: &[Bytes], now_ms: i64) -> Result<u64, StoreError> {
        self.delete(key, now_ms).await?;
        if members.is_empty() {
            return Ok(0);
        }
        self.add_set_members(key, members, now_ms).await
    }
}
