//! Editing a string in place: APPEND, SETRANGE.

use bytes::{Bytes, BytesMut};

use crate::cmd::args::{Args, check_length};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{Entry, EventClass, WriteTx};

/// `APPEND key value`: the new length. Keeps the expiry.
#[derive(Debug)]
pub struct Append {
    key: Bytes,
    suffix: Bytes,
    max_value_bytes: usize,
}

impl Append {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            suffix: args.value()?,
            max_value_bytes: args.max_value_bytes(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let current = tx.read(now_ms).get(&self.key).await?;
        let created = current.is_none();
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
        tx.notify_created(created, &self.key);
        tx.notify(EventClass::String, "append", &self.key);
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
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
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

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let current = tx.read(now_ms).get(&self.key).await?;
        let current_length = current.as_ref().map_or(0, |entry| entry.value.len());
        let created = current.is_none();
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
        tx.notify_created(created, &self.key);
        tx.notify(EventClass::String, "setrange", &self.key);
        tx.put(self.key, patched.freeze(), expires_at, now_ms).await?;
        Ok(Reply::count(length))
    }
}
