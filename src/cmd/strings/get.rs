//! Reading strings: GET, MGET, STRLEN, GETRANGE.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{ReadView, StoreError};

/// `GET key`.
#[derive(Debug)]
pub struct Get {
    key: Bytes,
}

impl Get {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::bulk_or_nil(view.get(&self.key).await?.map(|entry| entry.value)))
    }
}

/// `MGET key [key ...]`: nil for a key that is missing or holds another type, as in Redis.
#[derive(Debug)]
pub struct MGet {
    keys: Vec<Bytes>,
}

impl MGet {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { keys: args.keys()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        view.consistent().await?;
        let mut values = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            let value = match view.get(key).await {
                Err(StoreError::WrongType) => None,
                found => found?.map(|entry| entry.value),
            };
            values.push(Reply::bulk_or_nil(value));
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
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
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
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            start: args.int()?,
            end: args.int()?,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
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
