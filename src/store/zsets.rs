//! Operations on sorted sets. Members are ordered by score, ties by member (bytewise), as in
//! Redis. A sorted set exists while it has a member: the write that removes its last one
//! deletes the key.

use bytes::Bytes;

use super::backend::{Conn, ZSets};
use super::{Draw, KeyType, Page, ReadView, StoreError, WriteTx};

/// One end of a score range: `(1.5` excludes 1.5; `-inf` and `+inf` are infinite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreBound {
    pub score: f64,
    pub exclusive: bool,
}

/// One end of a member range: `-` (below every member), `+` (above every member), `[a`
/// (including `a`) or `(a` (excluding it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    Lowest,
    Highest,
    Inclusive(Bytes),
    Exclusive(Bytes),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Ascending,
    Descending,
}

/// One condition of a range's filter, for a backend to write in its own SQL: the column,
/// how it compares, and the value it is compared with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Condition<'a> {
    Score(Comparison, f64),
    Member(Comparison, &'a [u8]),
    /// No member passes: a member range from `+`, or up to `-`.
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Comparison {
    AtLeast,
    Above,
    AtMost,
    Below,
}

impl Comparison {
    pub(super) fn operator(self) -> &'static str {
        match self {
            Self::AtLeast => ">=",
            Self::Above => ">",
            Self::AtMost => "<=",
            Self::Below => "<",
        }
    }
}

/// Which members a range picks.
#[derive(Clone, Debug, PartialEq)]
pub enum Range {
    /// By rank, Redis's indexes (negative from the end), in the selection's order.
    Rank {
        start: i64,
        stop: i64,
    },
    Score {
        min: ScoreBound,
        max: ScoreBound,
    },
    /// By member, for a sorted set whose members share one score.
    Lex {
        min: LexBound,
        max: LexBound,
    },
}

/// A range, the order to walk it in, and how much of it to take (LIMIT offset count).
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub range: Range,
    pub order: Order,
    pub offset: u64,
    /// `None` takes everything after the offset.
    pub count: Option<u64>,
}

impl Range {
    /// The conditions a member meets to be in the range, besides belonging to the key: none
    /// for a rank range, which is an offset and a count.
    pub(super) fn conditions(&self) -> Vec<Condition<'_>> {
        match self {
            Self::Rank { .. } => Vec::new(),
            Self::Score { min, max } => {
                let lower = if min.exclusive {
                    Comparison::Above
                } else {
                    Comparison::AtLeast
                };
                let upper = if max.exclusive {
                    Comparison::Below
                } else {
                    Comparison::AtMost
                };
                vec![Condition::Score(lower, min.score), Condition::Score(upper, max.score)]
            }
            Self::Lex { min, max } => {
                // Each end, and the infinite bound that limits nothing there.
                let ends = [
                    (min, Comparison::AtLeast, Comparison::Above, &LexBound::Lowest),
                    (max, Comparison::AtMost, Comparison::Below, &LexBound::Highest),
                ];
                ends.into_iter()
                    .filter(|(bound, _, _, limitless)| bound != limitless)
                    .map(|(bound, inclusive, exclusive, _)| match bound {
                        LexBound::Lowest | LexBound::Highest => Condition::Never,
                        LexBound::Inclusive(member) => Condition::Member(inclusive, member),
                        LexBound::Exclusive(member) => Condition::Member(exclusive, member),
                    })
                    .collect()
            }
        }
    }
}

impl Selection {
    /// The whole of a rank range, as LIMIT-free commands take it.
    pub fn ranks(start: i64, stop: i64, order: Order) -> Self {
        Self {
            range: Range::Rank { start, stop },
            order,
            offset: 0,
            count: None,
        }
    }

    /// A rank range made into the offset and count it is for a sorted set of `len` members,
    /// clamped as Redis clamps it, within this selection's own offset and count; `None` when
    /// it picks nothing. Other ranges are kept.
    fn resolved(&self, len: u64) -> Option<Self> {
        let Range::Rank { start, stop } = self.range else {
            return Some(self.clone());
        };
        let len = len as i64;
        let from_end = |index: i64| if index < 0 { index.saturating_add(len) } else { index };
        let (start, stop) = (from_end(start).max(0), from_end(stop).min(len - 1));
        let first = start.saturating_add(i64::try_from(self.offset).unwrap_or(i64::MAX));
        let span = (stop - first + 1) as u64;
        (first <= stop).then(|| Self {
            offset: first as u64,
            count: Some(self.count.map_or(span, |count| count.min(span))),
            ..self.clone()
        })
    }
}

/// `selection` made ready for the sorted set `id`: a rank range needs its length (a count,
/// O(n)), a score or member range nothing.
async fn resolve(conn: &mut Conn<'_>, id: i64, selection: &Selection) -> Result<Option<Selection>, StoreError> {
    let len = match selection.range {
        Range::Rank { .. } => conn.count_zset_members(id).await?,
        Range::Score { .. } | Range::Lex { .. } => 0,
    };
    Ok(selection.resolved(len))
}

type Scored = (Bytes, f64);

fn scored(rows: Vec<(Vec<u8>, f64)>) -> Vec<Scored> {
    rows.into_iter().map(|(member, score)| (member.into(), score)).collect()
}

impl ReadView<'_> {
    /// The scores of `members` in the sorted set `key`; `None` for each one missing.
    pub async fn zset_scores(&mut self, key: &[u8], members: &[Bytes]) -> Result<Vec<Option<f64>>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::ZSet).await? else {
            return Ok(vec![None; members.len()]);
        };
        let mut conn = self.conn().await?;
        let mut scores = Vec::with_capacity(members.len());
        for member in members {
            scores.push(conn.zset_score(id, member).await?);
        }
        Ok(scores)
    }

    /// How many members the sorted set `key` has (0 if it is missing).
    pub async fn zset_len(&mut self, key: &[u8]) -> Result<u64, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::ZSet).await? else {
            return Ok(0);
        };
        self.conn().await?.count_zset_members(id).await
    }

    /// The rank of `member` in `order` (0 first) and its score; `None` if it is missing.
    pub async fn zset_rank(
        &mut self,
        key: &[u8],
        member: &[u8],
        order: Order,
    ) -> Result<Option<(u64, f64)>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::ZSet).await? else {
            return Ok(None);
        };
        let mut conn = self.conn().await?;
        let Some(score) = conn.zset_score(id, member).await? else {
            return Ok(None);
        };
        let rank = conn.zset_rank(id, member, score, order).await?;
        Ok(Some((rank, score)))
    }

    /// How many members a score or member range holds (ZCOUNT, ZLEXCOUNT).
    pub async fn zset_count(&mut self, key: &[u8], range: &Range) -> Result<u64, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::ZSet).await? else {
            return Ok(0);
        };
        self.conn().await?.count_zset_range(id, range).await
    }

    /// The members `selection` picks, with their scores, in its order.
    pub async fn zset_range(&mut self, key: &[u8], selection: &Selection) -> Result<Vec<Scored>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::ZSet).await? else {
            return Ok(Vec::new());
        };
        let mut conn = self.conn().await?;
        let Some(selection) = resolve(&mut conn, id, selection).await? else {
            return Ok(Vec::new());
        };
        Ok(scored(conn.zset_range(id, &selection).await?))
    }

    /// Up to `count` members after the cursor `after` (0 to start), in the order they arrived.
    pub async fn zset_scan(&mut self, key: &[u8], after: u64, count: u32) -> Result<Page<Scored>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::ZSet).await? else {
            return Ok(Page::DONE);
        };
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self.conn().await?.scan_zset_members(id, after, count).await?;
        let rows = rows
            .into_iter()
            .map(|(seq, member, score)| (seq, (member.into(), score)));
        Ok(Page::of(rows.collect(), count))
    }

    /// Members of the sorted set `key` drawn at random, with their scores (see [`Draw`]).
    pub async fn zset_random(&mut self, key: &[u8], draw: Draw) -> Result<Vec<Scored>, StoreError> {
        let Some(id) = self.collection_id(key, KeyType::ZSet).await? else {
            return Ok(Vec::new());
        };
        Ok(scored(self.conn().await?.random_zset_members(id, draw).await?))
    }

    /// Every member of `key` with its score, as ZUNION and its kin read their inputs: a
    /// sorted set's scores, or 1 for each member of a plain set. `None` for a missing key.
    pub async fn scored_members(&mut self, key: &[u8]) -> Result<Option<Vec<Scored>>, StoreError> {
        match self.collection_id(key, KeyType::ZSet).await {
            Ok(Some(id)) => {
                let all = Selection::ranks(0, -1, Order::Ascending);
                Ok(Some(scored(self.conn().await?.zset_range(id, &all).await?)))
            }
            Ok(None) => Ok(None),
            Err(StoreError::WrongType) => match self.collection_id(key, KeyType::Set).await? {
                Some(_) => {
                    let members = self.set_members(key).await?;
                    Ok(Some(members.into_iter().map(|member| (member, 1.0)).collect()))
                }
                None => Ok(None),
            },
            Err(error) => Err(error),
        }
    }
}

impl WriteTx<'_> {
    /// Sets the scores of `members` in the sorted set `key`, creating it if it is missing.
    /// (ZADD learns which are new from the scores it reads first, to apply its conditions.)
    pub async fn put_zset_members(&mut self, key: &[u8], members: &[Scored], now_ms: i64) -> Result<(), StoreError> {
        let id = self.collection_id_for_write(key, KeyType::ZSet, now_ms).await?;
        let mut conn = self.unchanging();
        for (member, score) in members {
            conn.put_zset_member(id, member, *score).await?;
        }
        Ok(())
    }

    /// Removes `members` from the sorted set `key`, and the key with its last member.
    /// Returns how many were there.
    pub async fn remove_zset_members(&mut self, key: &[u8], members: &[Bytes], now_ms: i64) -> Result<u64, StoreError> {
        let Some(id) = self.read(now_ms).collection_id(key, KeyType::ZSet).await? else {
            return Ok(0);
        };
        let mut removed = 0;
        let mut conn = self.unchanging();
        for member in members {
            removed += u64::from(conn.remove_zset_member(id, member).await?);
        }
        self.delete_if_empty_zset(key, id, now_ms).await?;
        Ok(removed)
    }

    /// Removes the members `selection` picks and answers them with their scores, in its
    /// order; `None` if the sorted set is missing.
    pub async fn take_zset_range(
        &mut self,
        key: &[u8],
        selection: &Selection,
        now_ms: i64,
    ) -> Result<Option<Vec<Scored>>, StoreError> {
        let Some(id) = self.read(now_ms).collection_id(key, KeyType::ZSet).await? else {
            return Ok(None);
        };
        let mut conn = self.unchanging();
        let taken = match resolve(&mut conn, id, selection).await? {
            Some(selection) => conn.take_zset_range(id, &selection).await?,
            None => Vec::new(),
        };
        self.delete_if_empty_zset(key, id, now_ms).await?;
        Ok(Some(scored(taken)))
    }

    async fn delete_if_empty_zset(&mut self, key: &[u8], id: i64, now_ms: i64) -> Result<(), StoreError> {
        if self.unchanging().count_zset_members(id).await? == 0 {
            self.delete_emptied(key, now_ms).await?;
        }
        Ok(())
    }

    /// Replaces whatever `key` held with a sorted set of `members`, all different (ZUNIONSTORE
    /// and its kin); no members deletes the key. Returns the sorted set's size.
    pub async fn replace_with_zset(&mut self, key: &[u8], members: &[Scored], now_ms: i64) -> Result<u64, StoreError> {
        self.delete(key, now_ms).await?;
        if !members.is_empty() {
            self.put_zset_members(key, members, now_ms).await?;
        }
        Ok(members.len() as u64)
    }
}
