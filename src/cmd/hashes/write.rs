//! Writing hashes: HSET, HMSET, HSETNX, HDEL, HINCRBY, HINCRBYFLOAT.

use bytes::Bytes;

use crate::cmd::args::{Args, parse_increment, parse_int};
use crate::cmd::condition::Condition::{self, Always, IfMissing};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, WriteTx};

/// What a hash write answers, by the command that sent it.
#[derive(Debug, Clone, Copy)]
pub enum HSetReply {
    /// `HSET`: how many fields are new.
    CountNew,
    /// `HMSET`: `OK`.
    StatusOk,
}

/// `HSET key field value [field value ...]` and `HMSET`, the same with an `OK`.
#[derive(Debug)]
pub struct HSet {
    key: Bytes,
    fields: Vec<(Bytes, Bytes)>,
    reply: HSetReply,
    /// `HSETNX` sets only a missing field.
    condition: Condition,
}

impl HSet {
    /// `HSET key field value [field value ...]`.
    pub fn new(key: Bytes, fields: Vec<(Bytes, Bytes)>) -> Self {
        Self {
            key,
            fields,
            reply: HSetReply::CountNew,
            condition: Always,
        }
    }

    pub(in crate::cmd) fn parse(args: &mut Args, reply: HSetReply) -> Result<Self, CmdError> {
        let key = args.key()?;
        if !args.remaining().is_multiple_of(2) {
            return Err(CmdError::wrong_arity(args.name()));
        }
        let mut fields = Vec::with_capacity(args.remaining() / 2);
        while args.remaining() > 0 {
            fields.push((args.bytes()?, args.value()?));
        }
        Ok(Self {
            key,
            fields,
            reply,
            condition: Always,
        })
    }

    /// `HSETNX key field value`: 1 if it set the field, 0 if the field was there.
    pub(in crate::cmd) fn parse_setnx(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            fields: vec![(args.bytes()?, args.value()?)],
            reply: HSetReply::CountNew,
            condition: IfMissing,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        if self.condition != Always {
            let (field, _) = &self.fields[0];
            let exists = tx.read(now_ms).hash_field(&self.key, field).await?.is_some();
            if !self.condition.allows(exists) {
                return Ok(Reply::Int(0));
            }
        }
        let added = tx.set_hash_fields(&self.key, &self.fields, now_ms).await?;
        tx.notify(EventClass::Hash, "hset", &self.key);
        Ok(match self.reply {
            HSetReply::CountNew => Reply::count(added),
            HSetReply::StatusOk => Reply::OK,
        })
    }
}

/// `HDEL key field [field ...]`: how many were there; the key goes with its last field.
#[derive(Debug)]
pub struct HDel {
    key: Bytes,
    fields: Vec<Bytes>,
}

impl HDel {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        Ok(Self {
            key,
            fields: args.rest(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let deleted = tx.delete_hash_fields(&self.key, &self.fields, now_ms).await?;
        if deleted > 0 {
            tx.notify(EventClass::Hash, "hdel", &self.key);
        }
        Ok(Reply::count(deleted))
    }
}

/// `HINCRBY key field increment`: integer arithmetic on a field, created at 0.
#[derive(Debug)]
pub struct HIncrBy {
    key: Bytes,
    field: Bytes,
    delta: i64,
}

impl HIncrBy {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            field: args.bytes()?,
            delta: args.int()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let number = match tx.read(now_ms).hash_field(&self.key, &self.field).await? {
            Some(value) => parse_int(&value).ok_or_else(|| CmdError::new("ERR hash value is not an integer"))?,
            None => 0,
        };
        let number = number
            .checked_add(self.delta)
            .ok_or_else(|| CmdError::new("ERR increment or decrement would overflow"))?;
        let fields = [(self.field, Bytes::from(number.to_string()))];
        tx.set_hash_fields(&self.key, &fields, now_ms).await?;
        tx.notify(EventClass::Hash, "hincrby", &self.key);
        Ok(Reply::Int(number))
    }
}

/// `HINCRBYFLOAT key field increment`: the sum, as a bulk string.
#[derive(Debug)]
pub struct HIncrByFloat {
    key: Bytes,
    field: Bytes,
    increment: f64,
}

impl HIncrByFloat {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            field: args.bytes()?,
            increment: args.increment()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        if self.increment.is_infinite() {
            return Err(CmdError::new("ERR value is NaN or Infinity").into());
        }
        let number = match tx.read(now_ms).hash_field(&self.key, &self.field).await? {
            Some(value) => parse_increment(&value).ok_or_else(|| CmdError::new("ERR hash value is not a float"))?,
            None => 0.0,
        };
        let sum = number + self.increment;
        if !sum.is_finite() {
            return Err(CmdError::new("ERR increment would produce NaN or Infinity").into());
        }
        let text = Bytes::from(sum.to_string());
        tx.set_hash_fields(&self.key, &[(self.field, text.clone())], now_ms)
            .await?;
        tx.notify(EventClass::Hash, "hincrbyfloat", &self.key);
        Ok(Reply::Bulk(text))
    }
}
