//! Whether keys exist, what they hold, and deleting them: DEL, UNLINK, EXISTS, TOUCH, TYPE.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{ReadView, WriteTx};

/// `DEL key [key ...]` and `UNLINK`: how many live keys were removed.
#[derive(Debug)]
pub struct Del {
    keys: Vec<Bytes>,
}

impl Del {
    pub fn new(keys: Vec<Bytes>) -> Self {
        Self { keys }
    }

    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self::new(args.keys()?))
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let mut deleted = 0;
        for key in &self.keys {
            deleted += i64::from(tx.delete(key, now_ms).await?);
        }
        Ok(Reply::Int(deleted))
    }
}

/// `EXISTS key [key ...]` and `TOUCH`: how many of the keys exist, counting repeats.
#[derive(Debug)]
pub struct Exists {
    keys: Vec<Bytes>,
}

impl Exists {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { keys: args.keys()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        if self.keys.len() > 1 {
            view.consistent().await?;
        }
        let mut found = 0;
        for key in &self.keys {
            found += i64::from(view.info(key).await?.is_some());
        }
        Ok(Reply::Int(found))
    }
}

/// `TYPE key`: `string`, `hash`, `list`, `set`, `zset`, or `none` for a missing key.
#[derive(Debug)]
pub struct Type {
    key: Bytes,
}

impl Type {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let info = view.info(&self.key).await?;
        Ok(Reply::status(info.map_or("none", |info| info.kind.name())))
    }
}
