//! Numbers in strings: INCR, INCRBY, DECR, DECRBY, INCRBYFLOAT.

use bytes::Bytes;

use crate::cmd::args::{Args, parse_increment, parse_int};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, WriteTx};

/// `INCR`, `INCRBY`, `DECR`, `DECRBY`: integer arithmetic on a string. Keeps the expiry.
#[derive(Debug)]
pub struct IncrBy {
    key: Bytes,
    delta: i64,
}

impl IncrBy {
    pub(in crate::cmd) fn parse_step(args: &mut Args, delta: i64) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            delta,
        })
    }

    pub(in crate::cmd) fn parse_incrby(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            delta: args.int()?,
        })
    }

    pub(in crate::cmd) fn parse_decrby(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let delta = args
            .int()?
            .checked_neg()
            .ok_or_else(|| CmdError::new("ERR decrement would overflow"))?;
        Ok(Self { key, delta })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let current = tx.read(now_ms).get(&self.key).await?;
        let (number, expires_at) = match &current {
            Some(entry) => (
                parse_int(&entry.value).ok_or_else(CmdError::not_an_integer)?,
                entry.expires_at,
            ),
            None => (0, None),
        };
        let number = number
            .checked_add(self.delta)
            .ok_or_else(|| CmdError::new("ERR increment or decrement would overflow"))?;
        tx.notify_created(current.is_none(), &self.key);
        tx.notify(EventClass::String, "incrby", &self.key);
        tx.put(self.key, number.to_string().into(), expires_at, now_ms).await?;
        Ok(Reply::Int(number))
    }
}

/// `INCRBYFLOAT key increment`. Keeps the expiry.
#[derive(Debug)]
pub struct IncrByFloat {
    key: Bytes,
    /// A faulty increment is reported after the key's type, as Redis does.
    increment: Result<f64, CmdError>,
}

impl IncrByFloat {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            increment: args.increment(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let current = tx.read(now_ms).get(&self.key).await?;
        let (number, expires_at) = match &current {
            Some(entry) => (
                parse_increment(&entry.value).ok_or_else(CmdError::not_a_float)?,
                entry.expires_at,
            ),
            None => (0.0, None),
        };
        let sum = number + self.increment?;
        if !sum.is_finite() {
            return Err(CmdError::new("ERR increment would produce NaN or Infinity").into());
        }
        // Rust prints the shortest text that reads back as the same f64, never in exponent form.
        let text = Bytes::from(sum.to_string());
        tx.notify_created(current.is_none(), &self.key);
        tx.notify(EventClass::String, "incrbyfloat", &self.key);
        tx.put(self.key, text.clone(), expires_at, now_ms).await?;
        Ok(Reply::Bulk(text))
    }
}
