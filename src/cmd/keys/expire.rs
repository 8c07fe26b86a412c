//! Expiry: EXPIRE and its variants, PERSIST, TTL and its variants.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::cmd::expiry::{TimeBase, TimeUnit};
use crate::cmd::{CmdError, ExecError, Reply};
use crate::store::{ReadView, WriteTx};

/// EXPIRE's conditions on the current expiry (Redis 7). Several may hold at once (XX GT),
/// but not all combinations make sense.
#[derive(Clone, Copy, Debug, Default)]
struct ExpireCondition {
    /// NX: only if the key has no expiry.
    no_expiry: bool,
    /// XX: only if it has one.
    has_expiry: bool,
    /// GT: only if the new expiry is later ("no expiry" counts as infinite, so never).
    later: bool,
    /// LT: only if the new expiry is sooner ("no expiry" counts as infinite, so always).
    sooner: bool,
}

impl ExpireCondition {
    fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let mut condition = Self::default();
        while let Some(option) = args.option() {
            match option.as_str() {
                "NX" => condition.no_expiry = true,
                "XX" => condition.has_expiry = true,
                "GT" => condition.later = true,
                "LT" => condition.sooner = true,
                _ => return Err(CmdError::new(format!("ERR Unsupported option {option}"))),
            }
        }
        if condition.no_expiry && (condition.has_expiry || condition.later || condition.sooner) {
            return Err(CmdError::new(
                "ERR NX and XX, GT or LT options at the same time are not compatible",
            ));
        }
        if condition.later && condition.sooner {
            return Err(CmdError::new(
                "ERR GT and LT options at the same time are not compatible",
            ));
        }
        Ok(condition)
    }

    fn allows(self, current: Option<i64>, new: i64) -> bool {
        !(self.no_expiry && current.is_some()
            || self.has_expiry && current.is_none()
            || self.later && current.is_none_or(|current| new <= current)
            || self.sooner && current.is_some_and(|current| new >= current))
    }
}

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
    pub(in crate::cmd) fn parse(args: &mut Args, unit: TimeUnit, base: TimeBase) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            time: args.int()?,
            unit,
            base,
            condition: ExpireCondition::parse(args)?,
            command: args.name(),
        })
    }

    fn deadline(&self, now_ms: i64) -> Result<i64, CmdError> {
        let ms = self.time.checked_mul(self.unit.ms());
        let at = match self.base {
            TimeBase::UnixEpoch => ms,
            TimeBase::FromNow => ms.and_then(|ms| ms.checked_add(now_ms)),
        };
        at.ok_or_else(|| CmdError::invalid_expire_time(self.command))
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let deadline = self.deadline(now_ms)?;
        let Some(info) = tx.read(now_ms).info(&self.key).await? else {
            return Ok(Reply::bool(false));
        };
        if !self.condition.allows(info.expires_at, deadline) {
            return Ok(Reply::bool(false));
        }
        if deadline <= now_ms {
            tx.delete(&self.key, now_ms).await?;
        } else {
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
            tx.set_expiry(&self.key, None).await?;
        }
        Ok(Reply::bool(has_expiry))
    }
}

/// `TTL`, `PTTL` (time left) and `EXPIRETIME`, `PEXPIRETIME` (the unix time): -2 for a
/// missing key, -1 for one without expiry. Seconds are rounded to the nearest.
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
        Ok(Reply::Int(
            match view.info(&self.key).await?.map(|info| info.expires_at) {
                None => -2,
                Some(None) => -1,
                Some(Some(expires_at)) => {
                    let ms = match self.base {
                        TimeBase::UnixEpoch => expires_at,
                        TimeBase::FromNow => (expires_at - now_ms).max(0),
                    };
                    match self.unit {
                        TimeUnit::Milliseconds => ms,
                        TimeUnit::Seconds => (ms + 500) / 1000,
                    }
                }
            },
        ))
    }
}
