//! Expiry: EXPIRE and its variants, PERSIST, TTL and its variants.

use bytes::Bytes;

use crate::cmd::args::{Args, parse_int};
use crate::cmd::expiry::{ExpireCondition, TimeBase, TimeUnit, deadline, ttl_reply};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, ReadView, WriteTx};

/// `EXPIRE`, `PEXPIRE`, `EXPIREAT`, `PEXPIREAT key time [NX|XX|GT|LT]`: 1 if the expiry
/// was set, 0 if the key is missing or the condition failed. A time not in the future
/// deletes the key.
#[derive(Debug)]
pub struct Expire {
    key: Bytes,
    time: i64,
    unit: TimeUnit,
    base: TimeBase,
    condition: ExpireCondition,
    command: &'static str,
}

impl Expire {
    /// `PEXPIREAT key unix_ms`.
    pub fn at_unix_ms(key: Bytes, unix_ms: i64) -> Self {
        Self {
            key,
            time: unix_ms,
            unit: TimeUnit::Milliseconds,
            base: TimeBase::UnixEpoch,
            condition: ExpireCondition::default(),
            command: "pexpireat",
        }
    }

    /// As Redis, the options are checked before the time: `EXPIRE k x NX XX` is an error
    /// of the options.
    pub(in crate::cmd) fn parse(args: &mut Args, unit: TimeUnit, base: TimeBase) -> Result<Self, CmdError> {
        let key = args.key()?;
        let time = args.bytes()?;
        let condition = ExpireCondition::parse(args, None)?;
        Ok(Self {
            key,
            time: parse_int(&time).ok_or_else(CmdError::not_an_integer)?,
            unit,
            base,
            condition,
            command: args.name(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let deadline = deadline(self.time, self.unit, self.base, now_ms, self.command)?;
        let Some(info) = tx.read(now_ms).info(&self.key).await? else {
            return Ok(Reply::bool(false));
        };
        if !self.condition.allows(info.expires_at, deadline) {
            return Ok(Reply::bool(false));
        }
        if deadline <= now_ms {
            tx.delete(&self.key, now_ms).await?;
        } else {
            tx.notify(EventClass::Generic, "expire", &self.key);
            tx.set_expiry(&self.key, Some(deadline)).await?;
        }
        Ok(Reply::bool(true))
    }
}

/// `PERSIST key`: 1 if an expiry was removed.
#[derive(Debug)]
pub struct Persist {
    key: Bytes,
}

impl Persist {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let info = tx.read(now_ms).info(&self.key).await?;
        let has_expiry = info.is_some_and(|info| info.expires_at.is_some());
        if has_expiry {
            tx.notify(EventClass::Generic, "persist", &self.key);
            tx.set_expiry(&self.key, None).await?;
        }
        Ok(Reply::bool(has_expiry))
    }
}

/// `TTL`, `PTTL` (time left) and `EXPIRETIME`, `PEXPIRETIME` (the unix time): -2 for a
/// missing key, -1 for one without expiry.
#[derive(Debug)]
pub struct Ttl {
    key: Bytes,
    unit: TimeUnit,
    base: TimeBase,
}

impl Ttl {
    pub(in crate::cmd) fn parse(args: &mut Args, unit: TimeUnit, base: TimeBase) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            unit,
            base,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let now_ms = view.now_ms();
        let expiry = view.info(&self.key).await?.map(|info| info.expires_at);
        Ok(Reply::Int(ttl_reply(expiry, self.unit, self.base, now_ms)))
    }
}
