//! Reading sets: SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SRANDMEMBER, SSCAN, and SINTER,
//! SUNION, SDIFF and SINTERCARD across sets.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::cmd::variants::Members;
use crate::cmd::walk::Walk;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{Combine, Draw, ReadView};

/// `SMEMBERS key`: in member order.
#[derive(Debug)]
pub struct SMembers {
    key: Bytes,
}

impl SMembers {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::set_of_bulks(view.set_members(&self.key).await?))
    }
}

/// `SISMEMBER key member` (1 or 0) and `SMISMEMBER key member [member ...]` (an array of them).
#[derive(Debug)]
pub struct SIsMember {
    key: Bytes,
    members: Vec<Bytes>,
    /// Several for SMISMEMBER: the reply is an array.
    asked: Members,
}

impl SIsMember {
    pub(in crate::cmd) fn parse(args: &mut Args, asked: Members) -> Result<Self, CmdError> {
        let key = args.key()?;
        Ok(Self {
            key,
            members: args.rest(),
            asked,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let found = view.set_contains(&self.key, &self.members).await?;
        let mut replies: Vec<Reply> = found.into_iter().map(Reply::bool).collect();
        Ok(match self.asked {
            Members::Several => Reply::Array(replies),
            Members::One => replies.pop().unwrap_or(Reply::Int(0)),
        })
    }
}

/// `SCARD key`.
#[derive(Debug)]
pub struct SCard {
    key: Bytes,
}

impl SCard {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::count(view.set_len(&self.key).await?))
    }
}

/// `SRANDMEMBER key [count]`: one random member (nil for a missing set); with a count, up to
/// that many different members, or for a negative count that many draws that may repeat.
#[derive(Debug)]
pub struct SRandMember {
    key: Bytes,
    /// `None`: one member, as a bulk string rather than an array.
    draw: Option<Draw>,
}

impl SRandMember {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let draw = args.random_draw("members", None)?.map(|(draw, _)| draw);
        Ok(Self { key, draw })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let Some(draw) = self.draw else {
            let mut one = view.set_random(&self.key, Draw::Repeating(1)).await?;
            return Ok(Reply::bulk_or_nil(one.pop()));
        };
        Ok(Reply::array_of_bulks(view.set_random(&self.key, draw).await?))
    }
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`: a step of a walk over the members, in
/// the order they arrived.
#[derive(Debug)]
pub struct SScan {
    key: Bytes,
    walk: Walk,
}

impl SScan {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let walk = Walk::parse(args, |_, _| Ok(false))?;
        Ok(Self { key, walk })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let page = view.set_scan(&self.key, self.walk.cursor, self.walk.count).await?;
        let found = page.items.into_iter().filter(|member| self.walk.keeps(member));
        Ok(Walk::reply(page.next, found.map(Reply::Bulk).collect()))
    }
}

/// `SINTER key [key ...]`, `SUNION` and `SDIFF`: the combined members, in member order.
#[derive(Debug)]
pub struct SCombine {
    keys: Vec<Bytes>,
    combine: Combine,
}

impl SCombine {
    pub(in crate::cmd) fn parse(args: &mut Args, combine: Combine) -> Result<Self, CmdError> {
        Ok(Self {
            keys: args.keys()?,
            combine,
        })
    }

    /// The combined members, read from one snapshot of every key.
    pub(super) async fn members(
        keys: &[Bytes],
        combine: Combine,
        view: &mut ReadView<'_>,
    ) -> Result<Vec<Bytes>, ExecError> {
        view.consistent().await?;
        Ok(view.set_combine(keys, combine).await?)
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::set_of_bulks(
            Self::members(&self.keys, self.combine, view).await?,
        ))
    }
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`: how many members the sets share,
/// counting no further than a non-zero LIMIT.
#[derive(Debug)]
pub struct SInterCard {
    keys: Vec<Bytes>,
    limit: Option<u64>,
}

impl SInterCard {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let keys = args.numbered_keys(|| CmdError::new("ERR Number of keys can't be greater than number of args"))?;
        Ok(Self {
            keys,
            limit: args.limit_option()?,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let combine = Combine::Intersection { limit: self.limit };
        Ok(Reply::count(SCombine::members(&self.keys, combine, view).await?.len()))
    }
}
