//! Reading sorted sets: ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT,
//! ZRANDMEMBER, ZSCAN.

use bytes::Bytes;

use super::{parse_lex_bound, parse_score_bound, scored};
use crate::cmd::args::Args;
use crate::cmd::variants::Members;
use crate::cmd::walk::Walk;
use crate::reply::{CmdError, ExecError, Reply, format_score};
use crate::store::{Draw, Order, Range, ReadView};

/// `ZCARD key`.
#[derive(Debug)]
pub struct ZCard {
    key: Bytes,
}

impl ZCard {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::count(view.zset_len(&self.key).await?))
    }
}

/// `ZSCORE key member` (the score, or nil) and `ZMSCORE key member [member ...]` (an array).
#[derive(Debug)]
pub struct ZScore {
    key: Bytes,
    members: Vec<Bytes>,
    /// Several for ZMSCORE: the reply is an array.
    asked: Members,
}

impl ZScore {
    pub(in crate::cmd) fn parse(args: &mut Args, asked: Members) -> Result<Self, CmdError> {
        let key = args.key()?;
        Ok(Self {
            key,
            members: args.rest(),
            asked,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let scores = view.zset_scores(&self.key, &self.members).await?;
        let mut replies: Vec<Reply> = scores
            .into_iter()
            .map(|score| score.map_or(Reply::Nil, Reply::Double))
            .collect();
        Ok(match self.asked {
            Members::Several => Reply::Array(replies),
            Members::One => replies.pop().unwrap_or(Reply::Nil),
        })
    }
}

/// `ZRANK key member [WITHSCORE]` and `ZREVRANK`: the member's rank (0 first), nil if it is
/// missing; with WITHSCORE, `[rank, score]`.
#[derive(Debug)]
pub struct ZRank {
    key: Bytes,
    member: Bytes,
    order: Order,
    with_score: bool,
}

impl ZRank {
    pub(in crate::cmd) fn parse(args: &mut Args, order: Order) -> Result<Self, CmdError> {
        let key = args.key()?;
        let member = args.bytes()?;
        let with_score = match args.option().as_deref() {
            None => false,
            Some("WITHSCORE") => true,
            Some(_) => return Err(CmdError::syntax()),
        };
        args.finish()?;
        Ok(Self {
            key,
            member,
            order,
            with_score,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(match view.zset_rank(&self.key, &self.member, self.order).await? {
            None => Reply::Nil,
            Some((rank, score)) if self.with_score => Reply::Array(vec![Reply::count(rank), Reply::Double(score)]),
            Some((rank, _)) => Reply::count(rank),
        })
    }
}

/// `ZCOUNT key min max` (a score range) and `ZLEXCOUNT key min max` (a member range).
#[derive(Debug)]
pub struct ZCount {
    key: Bytes,
    range: Range,
}

impl ZCount {
    pub(in crate::cmd) fn parse_scores(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            range: Range::Score {
                min: parse_score_bound(&args.bytes()?)?,
                max: parse_score_bound(&args.bytes()?)?,
            },
        })
    }

    pub(in crate::cmd) fn parse_members(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            range: Range::Lex {
                min: parse_lex_bound(&args.bytes()?)?,
                max: parse_lex_bound(&args.bytes()?)?,
            },
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::count(view.zset_count(&self.key, &self.range).await?))
    }
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`: as HRANDFIELD, for members and scores.
#[derive(Debug)]
pub struct ZRandMember {
    key: Bytes,
    /// `None`: one member, as a bulk string rather than an array.
    draw: Option<Draw>,
    with_scores: bool,
}

impl ZRandMember {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let drawn = args.random_draw("members", Some("WITHSCORES"))?;
        Ok(Self {
            key,
            draw: drawn.map(|(draw, _)| draw),
            with_scores: drawn.is_some_and(|(_, with_scores)| with_scores),
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let Some(draw) = self.draw else {
            let mut one = view.zset_random(&self.key, Draw::Repeating(1)).await?;
            return Ok(Reply::bulk_or_nil(one.pop().map(|(member, _)| member)));
        };
        let members = view.zset_random(&self.key, draw).await?;
        Ok(scored(members, self.with_scores))
    }
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`: members and scores, in the order the
/// members arrived.
#[derive(Debug)]
pub struct ZScan {
    key: Bytes,
    walk: Walk,
}

impl ZScan {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let walk = Walk::parse(args, |_, _| Ok(false))?;
        Ok(Self { key, walk })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let page = view.zset_scan(&self.key, self.walk.cursor, self.walk.count).await?;
        // Flat, with scores as strings, in RESP3 as well: a walk's step is an array of strings.
        let found = page.items.into_iter().filter(|(member, _)| self.walk.keeps(member));
        let flat = found.flat_map(|(member, score)| [Reply::Bulk(member), Reply::bulk(format_score(score))]);
        Ok(Walk::reply(page.next, flat.collect()))
    }
}
