//! Operations on lists. Indexes are Redis's: 0 is the head, -1 the tail. A list exists while
//! it has an element: the write that removes its last one deletes the key, as in Redis.

use std::collections::VecDeque;

use bytes::Bytes;

use super::backend::Lists;
use super::{KeyType, ReadView, StoreError, WriteTx};

/// An end of a list: `Head` is Redis's LEFT, `Tail` its RIGHT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Head,
    Tail,
}

/// Which matches of a value LPOS answers.
#[derive(Clone, Copy, Debug)]
pub struct ListSearch {
    /// The first match to answer, counting from 1: from the head if positive, from the tail
    /// if negative. Never 0.
    pub rank: i64,
    /// How many matches to answer; `None` for all.
    pub count: Option<u64>,
    /// How many elements to compare, from the end the search starts at; `None` for all.
    pub max_len: Option<u64>,
}

/// Which way a search walks a list.
#[derive(Clone, Copy, Debug)]
pub(super) enum Direction {
    FromHead,
    FromTail,
}

/// What LSET did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemSet {
    Done,
    NoSuchKey,
    OutOfRange,
}

/// What LINSERT did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The list's new length.
    Length(u64),
    NoSuchKey,
    NoPivot,
}

/// Which side of the pivot LINSERT puts the element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Before,
    After,
}

/// A list's first and last positions; element `i` sits at `head + i`.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    head: i64,
    tail: i64,
}

impl Bounds {
    fn len(self) -> u64 {
        (self.tail - self.head + 1) as u64
    }

    /// The position of Redis index `index`, if it is inside the list.
    fn position(self, index: i64) -> Option<i64> {
        let len = self.len() as i64;
        let offset = if index < 0 { index + len } else { index };
        (0..len).contains(&offset).then(|| self.head + offset)
    }

    /// The positions from Redis index `start` to `stop`, clamped to the list as LRANGE and
    /// LTRIM do; `None` when no element is in between.
    fn span(self, start: i64, stop: i64) -> Option<(i64, i64)> {
        let len = self.len() as i64;
        let from_end = |index: i64| if index < 0 { index.saturating_add(len) } else { index };
        let (start, stop) = (from_end(start).max(0), from_end(stop).min(len - 1));
        (start <= stop).then(|| (self.head + start, self.head + stop))
    }
}

impl ReadView<'_> {
    /// The id and bounds of the live list `key`; `None` if it is missing.
    async fn list(&mut self, key: &[u8]) -> Result<Option<(i64, Bounds)>, StoreError> {
        if self.known_missing(key) {
            return Ok(None);
        }
        let found = self.conn().await?.list_key_and_bounds(key).await?;
        let live = self.live_of_kind(key, KeyType::List, found)?;
        Ok(live.and_then(|(id, bounds)| bounds.map(|(head, tail)| (id, Bounds { head, tail }))))
    }

    /// How many elements the list `key` has (0 if it is missing).
    pub async fn list_len(&mut self, key: &[u8]) -> Result<u64, StoreError> {
        Ok(self.list(key).await?.map_or(0, |(_, bounds)| bounds.len()))
    }

    /// The elements from index `start` to `stop`, both included (LRANGE).
    pub async fn list_range(&mut self, key: &[u8], start: i64, stop: i64) -> Result<Vec<Bytes>, StoreError> {
        let Some((id, bounds)) = self.list(key).await? else {
            return Ok(Vec::new());
        };
        let Some((first, last)) = bounds.span(start, stop) else {
            return Ok(Vec::new());
        };
        let values = self.conn().await?.list_items(id, first, last).await?;
        Ok(values.into_iter().map(Bytes::from).collect())
    }

    /// The element at `index`, if there is one (LINDEX).
    pub async fn list_item(&mut self, key: &[u8], index: i64) -> Result<Option<Bytes>, StoreError> {
        let Some((id, bounds)) = self.list(key).await? else {
            return Ok(None);
        };
        let Some(position) = bounds.position(index) else {
            return Ok(None);
        };
        let mut values = self.conn().await?.list_items(id, position, position).await?;
        Ok(values.pop().map(Bytes::from))
    }

    /// The indexes of elements equal to `value` that `search` asks for (LPOS), in the order
    /// found.
    pub async fn list_find(&mut self, key: &[u8], value: &[u8], search: ListSearch) -> Result<Vec<u64>, StoreError> {
        let Some((id, Bounds { head, tail })) = self.list(key).await? else {
            return Ok(Vec::new());
        };
        let compared = |max_len: Option<u64>| max_len.map_or(i64::MAX, |max| i64::try_from(max).unwrap_or(i64::MAX));
        let reach = compared(search.max_len).saturating_sub(1);
        let (range, direction) = if search.rank > 0 {
            ((head, tail.min(head.saturating_add(reach))), Direction::FromHead)
        } else {
            ((head.max(tail.saturating_sub(reach)), tail), Direction::FromTail)
        };
        let skip = search.rank.unsigned_abs() - 1;
        let positions = (self.conn().await?)
            .find_list_items(id, value, range, direction, skip, search.count)
            .await?;
        Ok(positions.into_iter().map(|position| (position - head) as u64).collect())
    }
}

impl WriteTx<'_> {
    /// The id and bounds of the live list `key`, for a write that needs it to exist.
    async fn existing_list(&mut self, key: &[u8], now_ms: i64) -> Result<Option<(i64, Bounds)>, StoreError> {
        self.read(now_ms).list(key).await
    }

    /// Pushes `values` one by one onto `end` of the list `key`, creating it if it is missing
    /// (unless `only_existing`, LPUSHX's rule). Returns the list's length (0 when nothing was
    /// pushed to a missing list).
    pub async fn push_list(
        &mut self,
        key: &[u8],
        values: &[Bytes],
        end: End,
        only_existing: bool,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let (id, bounds) = match self.existing_list(key, now_ms).await? {
            Some((id, bounds)) => (id, Some(bounds)),
            None if only_existing => return Ok(0),
            None if self.may_hand_off(key) => return self.push_handing_off(key, values, end, now_ms).await,
            None => (self.collection_id_for_write(key, KeyType::List, now_ms).await?, None),
        };
        self.push_onto(id, bounds, values, end).await
    }

    /// Pushes onto the missing list `key`, which clients wait on: they take what they pop
    /// straight from the push, and only what is left is stored. Returns the length the push
    /// made, as Redis answers before its blocked clients are served.
    async fn push_handing_off(
        &mut self,
        key: &[u8],
        values: &[Bytes],
        end: End,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let mut list = VecDeque::with_capacity(values.len());
        for value in values {
            match end {
                End::Head => list.push_front(value.clone()),
                End::Tail => list.push_back(value.clone()),
            }
        }
        self.hand_off(key, &mut list);
        if !list.is_empty() {
            let id = self.collection_id_for_write(key, KeyType::List, now_ms).await?;
            self.push_onto(id, None, list.make_contiguous(), End::Tail).await?;
        }
        Ok(values.len() as u64)
    }

    /// Pushes `values` onto `end` of the list with id `id` and `bounds` (`None`: empty).
    /// Returns its new length.
    async fn push_onto(
        &mut self,
        id: i64,
        bounds: Option<Bounds>,
        values: &[Bytes],
        end: End,
    ) -> Result<u64, StoreError> {
        // An empty list: RPUSH's first element goes to position 0, LPUSH's to -1.
        let Bounds { mut head, mut tail } = bounds.unwrap_or(Bounds { head: 0, tail: -1 });
        for value in values {
            let position = match end {
                End::Head => {
                    head -= 1;
                    head
                }
                End::Tail => {
                    tail += 1;
                    tail
                }
            };
            self.unchanging().insert_list_item(id, position, value).await?;
        }
        Ok(Bounds { head, tail }.len())
    }

    /// Removes up to `count` elements from `end` of the list `key`, in the order they leave
    /// it; `None` if the list is missing. The key goes with its last element.
    pub async fn pop_list(
        &mut self,
        key: &[u8],
        end: End,
        count: u64,
        now_ms: i64,
    ) -> Result<Option<Vec<Bytes>>, StoreError> {
        let Some((id, bounds)) = self.existing_list(key, now_ms).await? else {
            return Ok(None);
        };
        let values = self.take_from(id, bounds, end, count).await?;
        if values.len() as u64 == bounds.len() {
            self.delete_emptied(key, now_ms).await?;
        }
        Ok(Some(values))
    }

    /// Removes up to `count` elements from `end` of the list with id `id`, in the order they
    /// leave it. The key stays, even if emptied.
    async fn take_from(&mut self, id: i64, bounds: Bounds, end: End, count: u64) -> Result<Vec<Bytes>, StoreError> {
        let reach = i64::try_from(count).unwrap_or(i64::MAX).min(bounds.len() as i64) - 1;
        if reach < 0 {
            return Ok(Vec::new());
        }
        let (first, last) = match end {
            End::Head => (bounds.head, bounds.head + reach),
            End::Tail => (bounds.tail - reach, bounds.tail),
        };
        let mut taken = self.unchanging().take_list_items(id, first, last).await?;
        match end {
            End::Head => taken.sort_unstable_by_key(|(position, _)| *position),
            End::Tail => taken.sort_unstable_by_key(|(position, _)| std::cmp::Reverse(*position)),
        }
        Ok(taken.into_iter().map(|(_, value)| value.into()).collect())
    }

    /// Moves one element from `from_end` of the list `from` to `to_end` of the list `to`
    /// (which may be the same list), creating `to` if it is missing. Returns the element, or
    /// `None` if `from` is missing. A `to` of another type fails before anything moves.
    pub async fn move_list_item(
        &mut self,
        (from, from_end): (&[u8], End),
        (to, to_end): (&[u8], End),
        now_ms: i64,
    ) -> Result<Option<Bytes>, StoreError> {
        let Some((from_id, from_bounds)) = self.existing_list(from, now_ms).await? else {
            return Ok(None);
        };
        let to_list = self.existing_list(to, now_ms).await?;
        let mut taken = self.take_from(from_id, from_bounds, from_end, 1).await?;
        let Some(value) = taken.pop() else {
            return Ok(None);
        };
        let emptied = from_bounds.len() == 1;
        let (to_id, to_bounds) = if from == to {
            // The element leaves and comes back: the list's bounds are re-read between.
            let bounds = self.unchanging().list_bounds(from_id).await?;
            (from_id, bounds.map(|(head, tail)| Bounds { head, tail }))
        } else {
            if emptied {
                self.delete_emptied(from, now_ms).await?;
            }
            match to_list {
                Some((id, bounds)) => (id, Some(bounds)),
                None => (self.collection_id_for_write(to, KeyType::List, now_ms).await?, None),
            }
        };
        self.push_onto(to_id, to_bounds, std::slice::from_ref(&value), to_end)
            .await?;
        Ok(Some(value))
    }

    /// Replaces the element at `index` (LSET).
    pub async fn set_list_item(
        &mut self,
        key: &[u8],
        index: i64,
        value: &[u8],
        now_ms: i64,
    ) -> Result<ItemSet, StoreError> {
        let Some((id, bounds)) = self.existing_list(key, now_ms).await? else {
            return Ok(ItemSet::NoSuchKey);
        };
        let Some(position) = bounds.position(index) else {
            return Ok(ItemSet::OutOfRange);
        };
        self.unchanging().replace_list_item(id, position, value).await?;
        Ok(ItemSet::Done)
    }

    /// Inserts `value` on `side` of the first element equal to `pivot` (LINSERT), moving the
    /// elements after it along by one.
    pub async fn insert_list_item(
        &mut self,
        key: &[u8],
        side: Side,
        pivot: &[u8],
        value: &[u8],
        now_ms: i64,
    ) -> Result<Inserted, StoreError> {
        let Some((id, bounds)) = self.existing_list(key, now_ms).await? else {
            return Ok(Inserted::NoSuchKey);
        };
        let whole = (bounds.head, bounds.tail);
        let found = (self.unchanging())
            .find_list_items(id, pivot, whole, Direction::FromHead, 0, Some(1))
            .await?;
        let Some(&pivot_at) = found.first() else {
            return Ok(Inserted::NoPivot);
        };
        let at = match side {
            Side::Before => pivot_at,
            Side::After => pivot_at + 1,
        };
        let mut conn = self.unchanging();
        conn.renumber_list_items(id, at - 1, at + 1).await?;
        conn.insert_list_item(id, at, value).await?;
        Ok(Inserted::Length(bounds.len() + 1))
    }

    /// Removes elements equal to `value` (LREM): the first `count` from the head if `count`
    /// is positive, the last `-count` if negative, all if 0. Returns how many went.
    pub async fn remove_list_items(
        &mut self,
        key: &[u8],
        value: &[u8],
        count: i64,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let Some((id, bounds)) = self.existing_list(key, now_ms).await? else {
            return Ok(0);
        };
        let direction = if count < 0 {
            Direction::FromTail
        } else {
            Direction::FromHead
        };
        let limit = (count != 0).then(|| count.unsigned_abs());
        let removed = (self.unchanging())
            .delete_list_items(id, value, direction, limit)
            .await?;
        let Some(&first_gap) = removed.iter().min() else {
            return Ok(0);
        };
        if removed.len() as u64 == bounds.len() {
            self.delete_emptied(key, now_ms).await?;
        } else {
            (self.unchanging())
                .renumber_list_items(id, first_gap, first_gap)
                .await?;
        }
        Ok(removed.len() as u64)
    }

    /// Keeps only the elements from index `start` to `stop` (LTRIM); the key goes if none is
    /// left. Returns whether the list existed.
    pub async fn trim_list(&mut self, key: &[u8], start: i64, stop: i64, now_ms: i64) -> Result<bool, StoreError> {
        let Some((id, bounds)) = self.existing_list(key, now_ms).await? else {
            return Ok(false);
        };
        let Some((first, last)) = bounds.span(start, stop) else {
            self.delete_emptied(key, now_ms).await?;
            return Ok(true);
        };
        self.unchanging().keep_list_items(id, first, last).await?;
        Ok(true)
    }
}
