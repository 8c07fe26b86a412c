//! Writing lists: the pushes and pops, LSET, LINSERT, LREM, LTRIM, LMOVE and LMPOP.

use bytes::Bytes;

use super::{parse_end, pop_event, push_event};
use crate::cmd::args::Args;
use crate::cmd::condition::Condition;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{End, EventClass, Inserted, ItemSet, Side, WriteTx};

/// `LPUSH key element [element ...]` and `RPUSH`: each element in turn onto the list's end,
/// which is created if missing; `LPUSHX` and `RPUSHX` push only onto an existing list. The
/// reply is the list's length.
#[derive(Debug)]
pub struct LPush {
    key: Bytes,
    values: Vec<Bytes>,
    end: End,
    /// LPUSHX and RPUSHX push only to an existing list.
    condition: Condition,
}

impl LPush {
    /// `LPUSH key element [element ...]` (at the head) or `RPUSH` (at the tail).
    pub fn new(key: Bytes, values: Vec<Bytes>, end: End) -> Self {
        Self {
            key,
            values,
            end,
            condition: Condition::Always,
        }
    }

    pub(in crate::cmd) fn parse(args: &mut Args, end: End, condition: Condition) -> Result<Self, CmdError> {
        let key = args.key()?;
        Ok(Self {
            condition,
            ..Self::new(key, args.values()?, end)
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let length = tx
            .push_list(
                &self.key,
                &self.values,
                self.end,
                self.condition == Condition::IfExists,
                now_ms,
            )
            .await?;
        if length > 0 {
            tx.notify(EventClass::List, push_event(self.end), &self.key);
        }
        Ok(Reply::count(length))
    }
}

/// `LPOP key [count]` and `RPOP`: one element (nil for a missing list), or with a count an
/// array of up to that many.
#[derive(Debug)]
pub struct LPop {
    key: Bytes,
    end: End,
    count: Option<u64>,
}

impl LPop {
    pub(in crate::cmd) fn parse(args: &mut Args, end: End) -> Result<Self, CmdError> {
        let key = args.key()?;
        let count = match args.remaining() {
            0 => None,
            1 => Some(args.pop_count()?),
            _ => return Err(CmdError::wrong_arity(args.name())),
        };
        Ok(Self { key, end, count })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let popped = tx
            .pop_list(&self.key, self.end, self.count.unwrap_or(1), now_ms)
            .await?;
        if popped.as_ref().is_some_and(|popped| !popped.is_empty()) {
            tx.notify(EventClass::List, pop_event(self.end), &self.key);
        }
        Ok(match (popped, self.count) {
            // With a count the reply is an array, and so is its null: `*-1` in RESP2.
            (None, Some(_)) => Reply::NilArray,
            (None, None) => Reply::Nil,
            (Some(values), Some(_)) => Reply::array_of_bulks(values),
            (Some(values), None) => Reply::bulk_or_nil(values.into_iter().next()),
        })
    }
}

/// `LSET key index element`.
#[derive(Debug)]
pub struct LSet {
    key: Bytes,
    /// A faulty index is reported after the key is found, as Redis does.
    index: Result<i64, CmdError>,
    value: Bytes,
}

impl LSet {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            index: args.int(),
            value: args.value()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let index = match self.index {
            Ok(index) => index,
            Err(_) if tx.read(now_ms).list_len(&self.key).await? == 0 => {
                return Err(CmdError::new("ERR no such key").into());
            }
            Err(error) => return Err(error.into()),
        };
        match tx.set_list_item(&self.key, index, &self.value, now_ms).await? {
            ItemSet::Done => {
                tx.notify(EventClass::List, "lset", &self.key);
                Ok(Reply::OK)
            }
            ItemSet::NoSuchKey => Err(CmdError::new("ERR no such key").into()),
            ItemSet::OutOfRange => Err(CmdError::new("ERR index out of range").into()),
        }
    }
}

/// `LINSERT key BEFORE|AFTER pivot element`: the new length, 0 for a missing list, -1 when
/// no element equals the pivot.
#[derive(Debug)]
pub struct LInsert {
    key: Bytes,
    side: Side,
    pivot: Bytes,
    value: Bytes,
}

impl LInsert {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let side = match args.option().as_deref() {
            Some("BEFORE") => Side::Before,
            Some("AFTER") => Side::After,
            _ => return Err(CmdError::syntax()),
        };
        Ok(Self {
            key,
            side,
            pivot: args.bytes()?,
            value: args.value()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let inserted = tx
            .insert_list_item(&self.key, self.side, &self.pivot, &self.value, now_ms)
            .await?;
        Ok(match inserted {
            Inserted::Length(length) => {
                tx.notify(EventClass::List, "linsert", &self.key);
                Reply::count(length)
            }
            Inserted::NoSuchKey => Reply::Int(0),
            Inserted::NoPivot => Reply::Int(-1),
        })
    }
}

/// `LREM key count element`: how many were removed.
#[derive(Debug)]
pub struct LRem {
    key: Bytes,
    count: i64,
    value: Bytes,
}

impl LRem {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            count: args.int()?,
            value: args.bytes()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let removed = tx.remove_list_items(&self.key, &self.value, self.count, now_ms).await?;
        if removed > 0 {
            tx.notify(EventClass::List, "lrem", &self.key);
        }
        Ok(Reply::count(removed))
    }
}

/// `LTRIM key start stop`.
#[derive(Debug)]
pub struct LTrim {
    key: Bytes,
    start: i64,
    stop: i64,
}

impl LTrim {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            start: args.int()?,
            stop: args.int()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        if tx.trim_list(&self.key, self.start, self.stop, now_ms).await? {
            tx.notify(EventClass::List, "ltrim", &self.key);
        }
        Ok(Reply::OK)
    }
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT` and `RPOPLPUSH source destination`:
/// the element moved, or nil for a missing source.
#[derive(Debug)]
pub struct LMove {
    from: Bytes,
    to: Bytes,
    from_end: End,
    to_end: End,
}

impl LMove {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            from: args.key()?,
            to: args.key()?,
            from_end: parse_end(args)?,
            to_end: parse_end(args)?,
        })
    }

    pub(in crate::cmd) fn parse_rpoplpush(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            from: args.key()?,
            to: args.key()?,
            from_end: End::Tail,
            to_end: End::Head,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let moved = move_element(tx, (&self.from, self.from_end), (&self.to, self.to_end), now_ms).await?;
        Ok(Reply::bulk_or_nil(moved))
    }
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`: pops from the first list that
/// exists, answering `[key, [elements]]`, or nil when none does.
#[derive(Debug)]
pub struct LMPop {
    keys: Vec<Bytes>,
    end: End,
    count: u64,
}

impl LMPop {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let keys = args.numbered_keys(CmdError::syntax)?;
        let end = parse_end(args)?;
        Ok(Self {
            keys,
            end,
            count: args.count_option()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        for key in self.keys {
            if let Some(values) = tx.pop_list(&key, self.end, self.count, now_ms).await? {
                tx.notify(EventClass::List, pop_event(self.end), &key);
                return Ok(Reply::Array(vec![Reply::Bulk(key), Reply::array_of_bulks(values)]));
            }
        }
        Ok(Reply::NilArray)
    }
}

/// Moves an element between lists (LMOVE, BLMOVE), with its two events.
pub(in crate::cmd) async fn move_element(
    tx: &mut WriteTx<'_>,
    (from, from_end): (&[u8], End),
    (to, to_end): (&[u8], End),
    now_ms: i64,
) -> Result<Option<Bytes>, ExecError> {
    let moved = tx.move_list_item((from, from_end), (to, to_end), now_ms).await?;
    if moved.is_some() {
        // In Redis's order: the push, then the pop (and the source's `del`, if emptied).
        tx.notify(EventClass::List, push_event(to_end), to);
        tx.notify(EventClass::List, pop_event(from_end), from);
    }
    Ok(moved)
}
