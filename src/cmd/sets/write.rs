//! Writing sets: SADD, SREM, SPOP, SMOVE, and SINTERSTORE, SUNIONSTORE and SDIFFSTORE.

use bytes::Bytes;

use super::read::SCombine;
use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{Combine, EventClass, SetMove, WriteTx};

/// `SADD key member [member ...]`: how many are new.
#[derive(Debug)]
pub struct SAdd {
    key: Bytes,
    members: Vec<Bytes>,
}

impl SAdd {
    /// `SADD key member [member ...]`.
    pub fn new(key: Bytes, members: Vec<Bytes>) -> Self {
        Self { key, members }
    }

    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        Ok(Self::new(key, args.values()?))
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let added = tx.add_set_members(&self.key, &self.members, now_ms).await?;
        if added > 0 {
            tx.notify(EventClass::Set, "sadd", &self.key);
        }
        Ok(Reply::count(added))
    }
}

/// `SREM key member [member ...]`: how many were there; the key goes with its last member.
#[derive(Debug)]
pub struct SRem {
    key: Bytes,
    members: Vec<Bytes>,
}

impl SRem {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        Ok(Self {
            key,
            members: args.rest(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let removed = tx.remove_set_members(&self.key, &self.members, now_ms).await?;
        if removed > 0 {
            tx.notify(EventClass::Set, "srem", &self.key);
        }
        Ok(Reply::count(removed))
    }
}

/// `SPOP key [count]`: removes and answers a random member (nil for a missing set), or with
/// a count an array of up to that many.
#[derive(Debug)]
pub struct SPop {
    key: Bytes,
    count: Option<u64>,
}

impl SPop {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let count = match args.remaining() {
            0 => None,
            1 => Some(args.pop_count()?),
            _ => return Err(CmdError::syntax()),
        };
        Ok(Self { key, count })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let popped = tx
            .pop_set_members(&self.key, self.count.unwrap_or(1), now_ms)
            .await?
            .unwrap_or_default();
        if !popped.is_empty() {
            tx.notify(EventClass::Set, "spop", &self.key);
        }
        Ok(match self.count {
            Some(_) => Reply::array_of_bulks(popped),
            None => Reply::bulk_or_nil(popped.into_iter().next()),
        })
    }
}

/// `SMOVE source destination member`: 1 if the member moved (or was already in a source
/// that is also the destination), 0 if the source lacks it.
#[derive(Debug)]
pub struct SMove {
    from: Bytes,
    to: Bytes,
    member: Bytes,
}

impl SMove {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            from: args.key()?,
            to: args.key()?,
            member: args.bytes()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let moved = tx.move_set_member(&self.from, &self.to, &self.member, now_ms).await?;
        if let SetMove::Moved { added } = moved
            && self.from != self.to
        {
            tx.notify(EventClass::Set, "srem", &self.from);
            // As in Redis: the destination hears of it only if the member was new there.
            if added {
                tx.notify(EventClass::Set, "sadd", &self.to);
            }
        }
        Ok(Reply::bool(moved != SetMove::NotThere))
    }
}

/// `SINTERSTORE destination key [key ...]`, `SUNIONSTORE` and `SDIFFSTORE`: the destination,
/// whatever it held, becomes the combined set (or goes, if it is empty). The reply is its size.
#[derive(Debug)]
pub struct SStore {
    destination: Bytes,
    keys: Vec<Bytes>,
    combine: Combine,
}

impl SStore {
    pub(in crate::cmd) fn parse(args: &mut Args, combine: Combine) -> Result<Self, CmdError> {
        Ok(Self {
            destination: args.key()?,
            keys: args.keys()?,
            combine,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let members = SCombine::members(&self.keys, self.combine, &mut tx.read(now_ms)).await?;
        let size = tx.replace_with_set(&self.destination, &members, now_ms).await?;
        if size > 0 {
            let event = match self.combine {
                Combine::Intersection { .. } => "sinterstore",
                Combine::Union => "sunionstore",
                Combine::Difference => "sdiffstore",
            };
            tx.notify(EventClass::Set, event, &self.destination);
        }
        Ok(Reply::count(size))
    }
}
