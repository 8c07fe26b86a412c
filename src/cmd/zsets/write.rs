//! Writing sorted sets: ZADD, ZINCRBY, ZREM, ZPOPMIN, ZPOPMAX, ZMPOP and the ZREMRANGEBY
//! commands.

use bytes::Bytes;

use super::range::Syntax;
use super::{parse_lex_bound, parse_score, parse_score_bound, scored};
use crate::cmd::args::{Args, parse_int};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, Order, Range, Selection, WriteTx};

/// `ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]`, and
/// `ZINCRBY key increment member` (ZADD's INCR alone).
#[derive(Debug)]
pub struct ZAdd {
    key: Bytes,
    members: Vec<(f64, Bytes)>,
    /// NX: only add new members; XX: only update existing ones.
    only: Option<Only>,
    /// GT or LT: update an existing member only to a greater (or lesser) score.
    only_if: Option<std::cmp::Ordering>,
    /// CH: count changed members as well as added ones.
    count_changed: bool,
    /// INCR: add the score to the member's, and answer the result.
    increment: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Only {
    New,
    Existing,
}

impl ZAdd {
    /// `ZADD key score member [score member ...]`, without options.
    pub fn new(key: Bytes, members: Vec<(f64, Bytes)>) -> Self {
        Self {
            key,
            members,
            only: None,
            only_if: None,
            count_changed: false,
            increment: false,
        }
    }

    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let mut command = Self::new(args.key()?, Vec::new());
        let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
        while let Some(word) = args.peek() {
            match word.to_ascii_uppercase().as_slice() {
                b"NX" => nx = true,
                b"XX" => xx = true,
                b"GT" => gt = true,
                b"LT" => lt = true,
                b"CH" => command.count_changed = true,
                b"INCR" => command.increment = true,
                _ => break,
            }
            args.bytes()?;
        }
        let pairs = args.remaining();
        if pairs == 0 || !pairs.is_multiple_of(2) {
            return Err(CmdError::syntax());
        }
        if nx && xx {
            return Err(CmdError::new(
                "ERR XX and NX options at the same time are not compatible",
            ));
        }
        if (gt && lt) || (nx && (gt || lt)) {
            return Err(CmdError::new(
                "ERR GT, LT, and/or NX options at the same time are not compatible",
            ));
        }
        if command.increment && pairs > 2 {
            return Err(CmdError::new(
                "ERR INCR option supports a single increment-element pair",
            ));
        }
        command.only = (nx || xx).then_some(if nx { Only::New } else { Only::Existing });
        command.only_if = (gt || lt).then_some(if gt {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Less
        });
        while args.remaining() > 0 {
            let score = parse_score(&args.bytes()?).ok_or_else(CmdError::not_a_float)?;
            command.members.push((score, args.value()?));
        }
        Ok(command)
    }

    pub(in crate::cmd) fn parse_zincrby(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let increment = parse_score(&args.bytes()?).ok_or_else(CmdError::not_a_float)?;
        Ok(Self {
            key,
            members: vec![(increment, args.value()?)],
            only: None,
            only_if: None,
            count_changed: false,
            increment: true,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let names: Vec<Bytes> = self.members.iter().map(|(_, member)| member.clone()).collect();
        let current = tx.read(now_ms).zset_scores(&self.key, &names).await?;
        let (mut added, mut changed, mut last_score) = (0, 0, None);
        let mut writes: Vec<(Bytes, f64)> = Vec::new();
        for ((score, member), stored) in self.members.into_iter().zip(current) {
            // A member named twice sees the score its first mention gave it, as in Redis.
            let written = writes.iter().rev().find(|(name, _)| *name == member);
            let current = written.map(|(_, score)| *score).or(stored);
            let refused = matches!(
                (self.only, current),
                (Some(Only::New), Some(_)) | (Some(Only::Existing), None)
            );
            if refused {
                continue;
            }
            let score = match (self.increment, current) {
                (true, Some(current)) => current + score,
                _ => score,
            };
            if score.is_nan() {
                return Err(CmdError::new("ERR resulting score is not a number (NaN)").into());
            }
            match current {
                Some(current)
                    if self
                        .only_if
                        .is_some_and(|wanted| score.partial_cmp(&current) != Some(wanted)) =>
                {
                    continue;
                }
                // A score that stays is no change: as in Redis, nothing is written, and no
                // event or WATCH hears of it.
                Some(current) if current == score => {
                    last_score = Some(score);
                    continue;
                }
                Some(_) => changed += 1,
                None => added += 1,
            }
            last_score = Some(score);
            writes.push((member, score));
        }
        if !writes.is_empty() {
            tx.put_zset_members(&self.key, &writes, now_ms).await?;
            let event = if self.increment { "zincr" } else { "zadd" };
            tx.notify(EventClass::SortedSet, event, &self.key);
        }
        Ok(match (self.increment, self.count_changed) {
            (true, _) => last_score.map_or(Reply::Nil, Reply::Double),
            (false, true) => Reply::count(added + changed),
            (false, false) => Reply::count(added),
        })
    }
}

/// `ZREM key member [member ...]`: how many were there; the key goes with its last member.
#[derive(Debug)]
pub struct ZRem {
    key: Bytes,
    members: Vec<Bytes>,
}

impl ZRem {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        Ok(Self {
            key,
            members: args.rest(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let removed = tx.remove_zset_members(&self.key, &self.members, now_ms).await?;
        if removed > 0 {
            tx.notify(EventClass::SortedSet, "zrem", &self.key);
        }
        Ok(Reply::count(removed))
    }
}

/// The first `count` members in `order`: what a pop takes.
fn lowest(count: u64, order: Order) -> Selection {
    Selection {
        count: Some(count),
        ..Selection::ranks(0, -1, order)
    }
}

/// `MIN` or `MAX`, as ZMPOP and BZMPOP name the end to pop from.
pub(in crate::cmd) fn parse_min_or_max(args: &mut Args) -> Result<Order, CmdError> {
    match args.option().as_deref() {
        Some("MIN") => Ok(Order::Ascending),
        Some("MAX") => Ok(Order::Descending),
        _ => Err(CmdError::syntax()),
    }
}

/// Removes up to `count` of `key`'s members from its `order`'s start: `None` for a missing
/// sorted set.
pub(in crate::cmd) async fn pop_members(
    tx: &mut WriteTx<'_>,
    key: &[u8],
    order: Order,
    count: u64,
    now_ms: i64,
) -> Result<Option<Vec<(Bytes, f64)>>, ExecError> {
    let popped = tx.take_zset_range(key, &lowest(count, order), now_ms).await?;
    if popped.as_ref().is_some_and(|popped| !popped.is_empty()) {
        let event = match order {
            Order::Ascending => "zpopmin",
            Order::Descending => "zpopmax",
        };
        tx.notify(EventClass::SortedSet, event, key);
    }
    Ok(popped)
}

/// `ZPOPMIN key [count]` and `ZPOPMAX`: removes and answers members and scores: one flat
/// pair without a count, pairs with one (RESP2 has both flat).
#[derive(Debug)]
pub struct ZPop {
    key: Bytes,
    order: Order,
    count: Option<u64>,
}

impl ZPop {
    pub(in crate::cmd) fn parse(args: &mut Args, order: Order) -> Result<Self, CmdError> {
        let key = args.key()?;
        let count = match args.remaining() {
            0 => None,
            1 => Some(args.pop_count()?),
            _ => return Err(CmdError::syntax()),
        };
        Ok(Self { key, order, count })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let taken = pop_members(tx, &self.key, self.order, self.count.unwrap_or(1), now_ms)
            .await?
            .unwrap_or_default();
        Ok(match self.count {
            Some(_) => scored(taken, true),
            None => Reply::Array(
                taken
                    .into_iter()
                    .flat_map(|(member, score)| [Reply::Bulk(member), Reply::Double(score)])
                    .collect(),
            ),
        })
    }
}

/// `ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]`: pops from the first sorted set that
/// exists, answering `[key, [[member, score], ...]]`, or nil when none does.
#[derive(Debug)]
pub struct ZMPop {
    keys: Vec<Bytes>,
    order: Order,
    count: u64,
}

impl ZMPop {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let keys = args.numbered_keys(CmdError::syntax)?;
        let order = parse_min_or_max(args)?;
        Ok(Self {
            keys,
            order,
            count: args.count_option()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        for key in self.keys {
            if let Some(taken) = pop_members(tx, &key, self.order, self.count, now_ms).await? {
                let pairs = taken
                    .into_iter()
                    .map(|(member, score)| Reply::Array(vec![Reply::Bulk(member), Reply::Double(score)]));
                return Ok(Reply::Array(vec![Reply::Bulk(key), Reply::Array(pairs.collect())]));
            }
        }
        Ok(Reply::NilArray)
    }
}

/// `ZREMRANGEBYRANK key start stop`, `ZREMRANGEBYSCORE key min max` and
/// `ZREMRANGEBYLEX key min max`: how many members went.
#[derive(Debug)]
pub struct ZRemRange {
    key: Bytes,
    range: Range,
}

impl ZRemRange {
    pub(in crate::cmd) fn parse(args: &mut Args, syntax: Syntax) -> Result<Self, CmdError> {
        let key = args.key()?;
        let (min, max) = (args.bytes()?, args.bytes()?);
        let range = match syntax {
            Syntax::ByScore(_) => Range::Score {
                min: parse_score_bound(&min)?,
                max: parse_score_bound(&max)?,
            },
            Syntax::ByLex(_) => Range::Lex {
                min: parse_lex_bound(&min)?,
                max: parse_lex_bound(&max)?,
            },
            Syntax::Generic | Syntax::Ranks(_) => Range::Rank {
                start: parse_int(&min).ok_or_else(CmdError::not_an_integer)?,
                stop: parse_int(&max).ok_or_else(CmdError::not_an_integer)?,
            },
        };
        Ok(Self { key, range })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let selection = Selection {
            range: self.range,
            order: Order::Ascending,
            offset: 0,
            count: None,
        };
        let event = match selection.range {
            Range::Rank { .. } => "zremrangebyrank",
            Range::Score { .. } => "zremrangebyscore",
            Range::Lex { .. } => "zremrangebylex",
        };
        let taken = tx.take_zset_range(&self.key, &selection, now_ms).await?;
        let removed = taken.map_or(0, |taken| taken.len());
        if removed > 0 {
            tx.notify(EventClass::SortedSet, event, &self.key);
        }
        Ok(Reply::count(removed))
    }
}
