//! Reading lists: LLEN, LRANGE, LINDEX, LPOS.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{ListSearch, ReadView};

/// `LLEN key`.
#[derive(Debug)]
pub struct LLen {
    key: Bytes,
}

impl LLen {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::count(view.list_len(&self.key).await?))
    }
}

/// `LRANGE key start stop`: negative indexes count from the tail; out-of-range ends are
/// clamped.
#[derive(Debug)]
pub struct LRange {
    key: Bytes,
    start: i64,
    stop: i64,
}

impl LRange {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            start: args.int()?,
            stop: args.int()?,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let values = view.list_range(&self.key, self.start, self.stop).await?;
        Ok(Reply::array_of_bulks(values))
    }
}

/// `LINDEX key index`: nil outside the list.
#[derive(Debug)]
pub struct LIndex {
    key: Bytes,
    /// A faulty index is reported after the key is found, as Redis does: a missing list
    /// answers nil whatever the index.
    index: Result<i64, CmdError>,
}

impl LIndex {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            index: args.int(),
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        match &self.index {
            Ok(index) => Ok(Reply::bulk_or_nil(view.list_item(&self.key, *index).await?)),
            Err(_) if view.list_len(&self.key).await? == 0 => Ok(Reply::Nil),
            Err(error) => Err(error.clone().into()),
        }
    }
}

/// `LPOS key element [RANK rank] [COUNT count] [MAXLEN len]`: the index of a match (nil if
/// none), or with COUNT an array of them (0: every match).
#[derive(Debug)]
pub struct LPos {
    key: Bytes,
    element: Bytes,
    search: ListSearch,
    /// Whether COUNT was given, which makes the reply an array.
    counted: bool,
}

impl LPos {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let element = args.bytes()?;
        let mut search = ListSearch {
            rank: 1,
            count: Some(1),
            max_len: None,
        };
        let mut counted = false;
        while let Some(option) = args.option() {
            match option.as_str() {
                "RANK" => {
                    search.rank = match args.int()? {
                        0 => {
                            return Err(CmdError::new(
                                "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                            ));
                        }
                        i64::MIN => {
                            return Err(CmdError::new(
                                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                            ));
                        }
                        rank => rank,
                    }
                }
                "COUNT" => {
                    let count = non_negative(args.int()?, "COUNT")?;
                    search.count = (count > 0).then_some(count);
                    counted = true;
                }
                "MAXLEN" => {
                    let max_len = non_negative(args.int()?, "MAXLEN")?;
                    search.max_len = (max_len > 0).then_some(max_len);
                }
                _ => return Err(CmdError::syntax()),
            }
        }
        Ok(Self {
            key,
            element,
            search,
            counted,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let found = view.list_find(&self.key, &self.element, self.search).await?;
        if self.counted {
            return Ok(Reply::Array(found.into_iter().map(Reply::count).collect()));
        }
        Ok(found.first().map_or(Reply::Nil, |&index| Reply::count(index)))
    }
}

fn non_negative(value: i64, option: &str) -> Result<u64, CmdError> {
    u64::try_from(value).map_err(|_| CmdError::new(format!("ERR {option} can't be negative")))
}
