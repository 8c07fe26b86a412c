//! String and counter commands.

use bytes::{Bytes, BytesMut};

use super::args::{Args, check_length, parse_float, parse_int};
use super::expiry::Expiry;
use super::{CmdError, ExecError, Reply};
use crate::store::{Entry, ReadView, Store, StringWrite, WriteTx};

/// `GET key`.
#[derive(Debug)]
pub struct Get {
    key: Bytes,
}

impl Get {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::bulk_or_nil(view.get(&self.key).await?.map(|entry| entry.value)))
    }
}

/// `MGET key [key ...]`.
#[derive(Debug)]
pub struct MGet {
    keys: Vec<Bytes>,
}

impl MGet {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { keys: args.keys()? })
    }

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        view.consistent().await?;
        let mut values = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            values.push(Reply::bulk_or_nil(view.get(key).await?.map(|entry| entry.value)));
        }
        Ok(Reply::Array(values))
    }
}

/// `STRLEN key`.
#[derive(Debug)]
pub struct StrLen {
    key: Bytes,
}

impl StrLen {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::count(
            view.get(&self.key).await?.map_or(0, |entry| entry.value.len()),
        ))
    }
}

/// `GETRANGE key start end` (and its old name `SUBSTR`): inclusive, negative counts from the end.
#[derive(Debug)]
pub struct GetRange {
    key: Bytes,
    start: i64,
    end: i64,
}

impl GetRange {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            start: args.int()?,
            end: args.int()?,
        })
    }

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let value = view.get(&self.key).await?.map(|entry| entry.value).unwrap_or_default();
        Ok(Reply::Bulk(substring(&value, self.start, self.end)))
    }
}

/// Redis's GETRANGE index arithmetic.
fn substring(value: &Bytes, start: i64, end: i64) -> Bytes {
    let length = value.len() as i64;
    if (start < 0 && end < 0 && start > end) || length == 0 {
        return Bytes::new();
    }
    let from_end = |index: i64| if index < 0 { (length + index).max(0) } else { index };
    let (start, end) = (from_end(start), from_end(end).min(length - 1));
    if start > end {
        return Bytes::new();
    }
    value.slice(start as usize..=end as usize)
}

/// When a SET applies: always, only to a missing key (NX), or only to an existing one (XX).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Condition {
    Always,
    IfMissing,
    IfExists,
}

/// What a SET-family command answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetReply {
    /// `OK`, or nil when the condition stopped the write (SET).
    Status,
    /// 1 or 0 (SETNX).
    Flag,
    /// The previous value or nil (GETSET, SET ... GET).
    Previous,
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]`, and the older commands
/// that are special cases of it: SETNX, SETEX, PSETEX, GETSET.
#[derive(Debug)]
pub struct Set {
    key: Bytes,
    value: Bytes,
    condition: Condition,
    expiry: Expiry,
    reply: SetReply,
}

impl Set {
    /// A SET without options or with a plain expiry: the write every front door does most.
    pub fn plain(key: Bytes, value: Bytes, expiry: Expiry) -> Self {
        Self {
            key,
            value,
            condition: Condition::Always,
            expiry,
            reply: SetReply::Status,
        }
    }

    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let mut set = Self::plain(args.key()?, args.value()?, Expiry::Clear);
        while let Some(option) = args.option() {
            match option.as_str() {
                "NX" if set.condition == Condition::Always => set.condition = Condition::IfMissing,
                "XX" if set.condition == Condition::Always => set.condition = Condition::IfExists,
                "GET" => set.reply = SetReply::Previous,
                "KEEPTTL" if set.expiry == Expiry::Clear => set.expiry = Expiry::Keep,
                unit if set.expiry == Expiry::Clear && Expiry::is_unit(unit) => {
                    set.expiry = Expiry::parse(unit, args.int()?, args.name())?;
                }
                _ => return Err(CmdError::syntax()),
            }
        }
        Ok(set)
    }

    pub(super) fn parse_setnx(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            condition: Condition::IfMissing,
            reply: SetReply::Flag,
            ..Self::plain(args.key()?, args.value()?, Expiry::Clear)
        })
    }

    /// SETEX (`unit` EX) and PSETEX (`unit` PX): `key amount value`.
    pub(super) fn parse_setex(args: &mut Args, unit: &str) -> Result<Self, CmdError> {
        let key = args.key()?;
        let expiry = Expiry::parse(unit, args.int()?, args.name())?;
        Ok(Self::plain(key, args.value()?, expiry))
    }

    pub(super) fn parse_getset(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            reply: SetReply::Previous,
            ..Self::plain(args.key()?, args.value()?, Expiry::Clear)
        })
    }

    /// Whether this SET always writes and needs nothing it would first have to read: such
    /// writes take the writer's batched fast path, [`Set::exec_unconditional`].
    pub fn is_unconditional(&self) -> bool {
        self.condition == Condition::Always && self.reply == SetReply::Status && self.expiry != Expiry::Keep
    }

    pub(super) async fn exec_unconditional(self, store: &Store, now_ms: i64) -> Result<Reply, ExecError> {
        let expires_at = self.expiry.resolve(now_ms, None, "set")?;
        store.set(self.key, self.value, expires_at, now_ms).await?;
        Ok(Reply::OK)
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let previous = tx.read(now_ms).get(&self.key).await?;
        let expires_at = self
            .expiry
            .resolve(now_ms, previous.as_ref().and_then(|entry| entry.expires_at), "set")?;
        let applies = match self.condition {
            Condition::Always => true,
            Condition::IfMissing => previous.is_none(),
            Condition::IfExists => previous.is_some(),
        };
        if applies {
            tx.put(self.key, self.value, expires_at, now_ms).await?;
        }
        Ok(match self.reply {
            SetReply::Status if applies => Reply::OK,
            SetReply::Status => Reply::Nil,
            SetReply::Flag => Reply::bool(applies),
            SetReply::Previous => Reply::bulk_or_nil(previous.map(|entry| entry.value)),
        })
    }
}

/// `GETDEL key`.
#[derive(Debug)]
pub struct GetDel {
    key: Bytes,
}

impl GetDel {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let entry = tx.read(now_ms).get(&self.key).await?;
        if entry.is_some() {
            tx.delete(&self.key, now_ms).await?;
        }
        Ok(Reply::bulk_or_nil(entry.map(|entry| entry.value)))
    }
}

/// `GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]`: GET, then change the expiry.
#[derive(Debug)]
pub struct GetEx {
    key: Bytes,
    expiry: Expiry,
}

impl GetEx {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let expiry = match args.option() {
            None => Expiry::Keep,
            Some(option) if option == "PERSIST" => Expiry::Clear,
            Some(unit) if Expiry::is_unit(&unit) => Expiry::parse(&unit, args.int()?, args.name())?,
            Some(_) => return Err(CmdError::syntax()),
        };
        args.finish()?;
        Ok(Self { key, expiry })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let Some(entry) = tx.read(now_ms).get(&self.key).await? else {
            return Ok(Reply::Nil);
        };
        let expires_at = self.expiry.resolve(now_ms, entry.expires_at, "getex")?;
        match expires_at {
            Some(at) if at <= now_ms => {
                tx.delete(&self.key, now_ms).await?;
            }
            _ if expires_at != entry.expires_at => tx.set_expiry(&self.key, expires_at).await?,
            _ => {}
        }
        Ok(Reply::Bulk(entry.value))
    }
}

/// `MSET key value [key value ...]` and `MSETNX` (all or nothing, only if none exists).
#[derive(Debug)]
pub struct MSet {
    pairs: Vec<(Bytes, Bytes)>,
    only_if_none_exists: bool,
}

impl MSet {
    pub(super) fn parse(args: &mut Args, only_if_none_exists: bool) -> Result<Self, CmdError> {
        if !args.remaining().is_multiple_of(2) {
            return Err(CmdError::wrong_arity(args.name()));
        }
        let mut pairs = Vec::with_capacity(args.remaining() / 2);
        while args.remaining() > 0 {
            pairs.push((args.key()?, args.value()?));
        }
        Ok(Self {
            pairs,
            only_if_none_exists,
        })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        if self.only_if_none_exists {
            for (key, _) in &self.pairs {
                if tx.read(now_ms).info(key).await?.is_some() {
                    return Ok(Reply::bool(false));
                }
            }
        }
        let writes: Vec<StringWrite> = self
            .pairs
            .into_iter()
            .map(|(key, value)| StringWrite {
                key,
                value,
                expires_at: None,
                now_ms,
            })
            .collect();
        tx.put_strings(&writes.iter().collect::<Vec<_>>()).await?;
        Ok(if self.only_if_none_exists {
            Reply::bool(true)
        } else {
            Reply::OK
        })
    }
}

/// `APPEND key value`: the new length. Keeps the expiry.
#[derive(Debug)]
pub struct Append {
    key: Bytes,
    suffix: Bytes,
    max_value_bytes: usize,
}

impl Append {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            suffix: args.value()?,
            max_value_bytes: args.max_value_bytes(),
        })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let current = tx.read(now_ms).get(&self.key).await?;
        let (value, expires_at) = match current {
            Some(Entry { value, expires_at }) => {
                check_length(value.len() + self.suffix.len(), self.max_value_bytes)?;
                let mut joined = BytesMut::from(value);
                joined.extend_from_slice(&self.suffix);
                (joined.freeze(), expires_at)
            }
            None => (self.suffix, None),
        };
        let length = value.len();
        tx.put(self.key, value, expires_at, now_ms).await?;
        Ok(Reply::count(length))
    }
}

/// `SETRANGE key offset value`: overwrites from `offset`, padding with zero bytes. Keeps the expiry.
#[derive(Debug)]
pub struct SetRange {
    key: Bytes,
    offset: usize,
    patch: Bytes,
    max_value_bytes: usize,
}

impl SetRange {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let offset = usize::try_from(args.int()?).map_err(|_| CmdError::new("ERR offset is out of range"))?;
        let patch = args.value()?;
        Ok(Self {
            key,
            offset,
            patch,
            max_value_bytes: args.max_value_bytes(),
        })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let current = tx.read(now_ms).get(&self.key).await?;
        let current_length = current.as_ref().map_or(0, |entry| entry.value.len());
        if self.patch.is_empty() {
            // Nothing to write: not even a missing key is created.
            return Ok(Reply::count(current_length));
        }
        let end = self.offset.saturating_add(self.patch.len());
        check_length(end, self.max_value_bytes)?;
        let (value, expires_at) = current.map_or((Bytes::new(), None), |entry| (entry.value, entry.expires_at));
        let mut patched = BytesMut::from(value);
        if patched.len() < end {
            patched.resize(end, 0);
        }
        patched[self.offset..end].copy_from_slice(&self.patch);
        let length = patched.len();
        tx.put(self.key, patched.freeze(), expires_at, now_ms).await?;
        Ok(Reply::count(length))
    }
}

/// `INCR`, `INCRBY`, `DECR`, `DECRBY`: integer arithmetic on a string. Keeps the expiry.
#[derive(Debug)]
pub struct IncrBy {
    key: Bytes,
    delta: i64,
}

impl IncrBy {
    pub(super) fn parse_step(args: &mut Args, delta: i64) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            delta,
        })
    }

    pub(super) fn parse_incrby(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            delta: args.int()?,
        })
    }

    pub(super) fn parse_decrby(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let delta = args
            .int()?
            .checked_neg()
            .ok_or_else(|| CmdError::new("ERR decrement would overflow"))?;
        Ok(Self { key, delta })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
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
        tx.put(self.key, number.to_string().into(), expires_at, now_ms).await?;
        Ok(Reply::Int(number))
    }
}

/// `INCRBYFLOAT key increment`. Keeps the expiry.
#[derive(Debug)]
pub struct IncrByFloat {
    key: Bytes,
    increment: f64,
}

impl IncrByFloat {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            increment: args.float()?,
        })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let current = tx.read(now_ms).get(&self.key).await?;
        let (number, expires_at) = match &current {
            Some(entry) => (
                parse_float(&entry.value).ok_or_else(CmdError::not_a_float)?,
                entry.expires_at,
            ),
            None => (0.0, None),
        };
        let sum = number + self.increment;
        if !sum.is_finite() {
            return Err(CmdError::new("ERR increment would produce NaN or Infinity").into());
        }
        // Rust prints the shortest text that reads back as the same f64, never in exponent form.
        let text = Bytes::from(sum.to_string());
        tx.put(self.key, text.clone(), expires_at, now_ms).await?;
        Ok(Reply::Bulk(text))
    }
}

#[cfg(test)]
mod tests {
    use super::substring;
    use bytes::Bytes;

    #[test]
    fn getrange_indexes_as_redis_does() {
        let value = Bytes::from_static(b"This is a string");
        for (start, end, expected) in [
            (0, 3, "This"),
            (-3, -1, "ing"),
            (0, -1, "This is a string"),
            (10, 100, "string"),
            (5, 3, ""),
            (-1, -5, ""),
            (-100, 3, "This"),
            (100, 200, ""),
        ] {
            assert_eq!(substring(&value, start, end), expected.as_bytes(), "{start}..{end}");
        }
        assert_eq!(substring(&Bytes::new(), 0, -1), "");
    }
}
