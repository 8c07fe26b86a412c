//! Writing strings: SET and the older commands it generalises, MSET, MSETNX.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::cmd::condition::Condition;
use crate::cmd::expiry::{Expiry, TimeBase, TimeUnit};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{Store, StringWrite, WriteTx};

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

/// A write that needs nothing read first and stores one string whole (a SET without NX, XX,
/// GET or KEEPTTL): a blind upsert. A lone one goes to the writer without a job, and the
/// writer takes a run of them in one go; it answers OK once written.
#[derive(Debug)]
pub struct Put(Set);

impl Put {
    /// The SET, if it is a blind upsert.
    pub(in crate::cmd) fn of(set: Set) -> Result<Self, Set> {
        match set.is_put() {
            true => Ok(Self(set)),
            false => Err(set),
        }
    }

    /// The string write it amounts to.
    pub(in crate::cmd) fn into_write(self, now_ms: i64) -> Result<StringWrite, CmdError> {
        let Self(set) = self;
        Ok(StringWrite {
            expires_at: set.expiry.resolve(now_ms, None, "set")?,
            key: set.key,
            value: set.value,
            now_ms,
        })
    }

    /// Writes it alone, straight to the writer's queue.
    pub(in crate::cmd) async fn exec_alone(self, store: &Store, now_ms: i64) -> Result<Reply, ExecError> {
        let write = self.into_write(now_ms)?;
        store.put(write.key, write.value, write.expires_at, now_ms).await?;
        Ok(Reply::OK)
    }
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

    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let mut set = Self::plain(args.key()?, args.value()?, Expiry::Clear);
        // As in Redis, an option may come again (the last one counts) but may not meet another
        // of its group: NX or XX; KEEPTTL or one unit of expiry.
        let mut expiry_option: Option<String> = None;
        while let Some(option) = args.option() {
            let expiry_allowed = expiry_option.as_ref().is_none_or(|given| *given == option);
            match option.as_str() {
                "NX" if set.condition != Condition::IfExists => set.condition = Condition::IfMissing,
                "XX" if set.condition != Condition::IfMissing => set.condition = Condition::IfExists,
                "GET" => set.reply = SetReply::Previous,
                "KEEPTTL" if expiry_allowed => set.expiry = Expiry::Keep,
                unit if expiry_allowed && Expiry::is_unit(unit) => {
                    set.expiry = Expiry::parse(unit, args.int()?, args.name())?;
                }
                _ => return Err(CmdError::syntax()),
            }
            if option == "KEEPTTL" || Expiry::is_unit(&option) {
                expiry_option = Some(option);
            }
        }
        Ok(set)
    }

    pub(in crate::cmd) fn parse_setnx(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            condition: Condition::IfMissing,
            reply: SetReply::Flag,
            ..Self::plain(args.key()?, args.value()?, Expiry::Clear)
        })
    }

    /// SETEX (seconds) and PSETEX (milliseconds): `key amount value`.
    pub(in crate::cmd) fn parse_setex(args: &mut Args, unit: TimeUnit) -> Result<Self, CmdError> {
        let key = args.key()?;
        let expiry = Expiry::new(unit, TimeBase::FromNow, args.int()?, args.name())?;
        Ok(Self::plain(key, args.value()?, expiry))
    }

    pub(in crate::cmd) fn parse_getset(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            reply: SetReply::Previous,
            ..Self::plain(args.key()?, args.value()?, Expiry::Clear)
        })
    }

    /// Whether this SET always writes and needs nothing it would first have to read: a
    /// [`Put`].
    pub(in crate::cmd) fn is_put(&self) -> bool {
        self.condition == Condition::Always && self.reply == SetReply::Status && self.expiry != Expiry::Keep
    }

    /// As Redis: a key of any type counts for NX and XX and is replaced, but returning the
    /// previous value (GET) needs a string, else WRONGTYPE and nothing is written.
    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let mut view = tx.read(now_ms);
        let current = view.info(&self.key).await?;
        let previous = match self.reply {
            SetReply::Previous => view.get(&self.key).await?,
            SetReply::Status | SetReply::Flag => None,
        };
        drop(view);
        let expires_at = self
            .expiry
            .resolve(now_ms, current.and_then(|info| info.expires_at), "set")?;
        let applies = self.condition.allows(current.is_some());
        if applies {
            tx.notify_created(current.is_none(), &self.key);
            tx.notify_set(&self.key, expires_at.is_some());
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

/// `MSET key value [key value ...]` and `MSETNX` (all or nothing, only if none exists).
#[derive(Debug)]
pub struct MSet {
    pairs: Vec<(Bytes, Bytes)>,
    /// `Always` (MSET) or `IfMissing` (MSETNX: only if none of the keys exists).
    condition: Condition,
}

impl MSet {
    pub(in crate::cmd) fn parse(args: &mut Args, condition: Condition) -> Result<Self, CmdError> {
        if !args.remaining().is_multiple_of(2) {
            return Err(CmdError::wrong_arity(args.name()));
        }
        let mut pairs = Vec::with_capacity(args.remaining() / 2);
        while args.remaining() > 0 {
            pairs.push((args.key()?, args.value()?));
        }
        Ok(Self { pairs, condition })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        if self.condition == Condition::IfMissing {
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
        tx.put_strings_notifying(&writes.iter().collect::<Vec<_>>()).await?;
        Ok(if self.condition == Condition::IfMissing {
            Reply::bool(true)
        } else {
            Reply::OK
        })
    }
}
