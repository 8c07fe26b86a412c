//! Moving and copying keys of any type: RENAME, RENAMENX, COPY.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::cmd::condition::Condition;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, WriteTx};

/// `RENAME from to` (OK) and `RENAMENX` (1, or 0 if `to` exists). The expiry moves too.
#[derive(Debug)]
pub struct Rename {
    from: Bytes,
    to: Bytes,
    /// `Always` (RENAME) or `IfMissing` (RENAMENX: only if `to` does not exist).
    condition: Condition,
}

impl Rename {
    pub(in crate::cmd) fn parse(args: &mut Args, condition: Condition) -> Result<Self, CmdError> {
        Ok(Self {
            from: args.key()?,
            to: args.key()?,
            condition,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let mut view = tx.read(now_ms);
        if view.info(&self.from).await?.is_none() {
            return Err(CmdError::new("ERR no such key").into());
        }
        let only_if_new = self.condition == Condition::IfMissing;
        let blocked = only_if_new && (self.from == self.to || view.info(&self.to).await?.is_some());
        drop(view);
        if !blocked && self.from != self.to {
            let created = tx.wants_events() && tx.read(now_ms).info(&self.to).await?.is_none();
            tx.notify_created(created, &self.to);
            tx.notify(EventClass::Generic, "rename_from", &self.from);
            tx.notify(EventClass::Generic, "rename_to", &self.to);
            tx.rename(&self.from, &self.to).await?;
        }
        Ok(if only_if_new { Reply::bool(!blocked) } else { Reply::OK })
    }
}

/// `COPY source destination [DB 0] [REPLACE]`: 1 if copied, whatever its type, with its expiry.
#[derive(Debug)]
pub struct Copy {
    from: Bytes,
    to: Bytes,
    replace: bool,
}

impl Copy {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let (from, to) = (args.key()?, args.key()?);
        let mut replace = false;
        while let Some(option) = args.option() {
            match option.as_str() {
                "REPLACE" => replace = true,
                // One database: DB 0 is the only index there is.
                "DB" if args.int()? == 0 => {}
                "DB" => return Err(CmdError::new("ERR DB index is out of range")),
                _ => return Err(CmdError::syntax()),
            }
        }
        if from == to {
            return Err(CmdError::new("ERR source and destination objects are the same"));
        }
        Ok(Self { from, to, replace })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let mut view = tx.read(now_ms);
        if view.info(&self.from).await?.is_none() || !self.replace && view.info(&self.to).await?.is_some() {
            return Ok(Reply::bool(false));
        }
        drop(view);
        let created = tx.wants_events() && tx.read(now_ms).info(&self.to).await?.is_none();
        tx.notify_created(created, &self.to);
        tx.notify(EventClass::Generic, "copy_to", &self.to);
        tx.copy(&self.from, &self.to).await?;
        Ok(Reply::bool(true))
    }
}
