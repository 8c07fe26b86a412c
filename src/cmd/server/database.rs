//! Server commands on the whole database: TIME, DBSIZE, FLUSHDB, FLUSHALL.

use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{ReadView, WriteTx};

/// `TIME`: the server's clock as unix seconds and microseconds, both as strings.
#[derive(Debug)]
pub struct Time;

impl Time {
    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let now_ms = view.now_ms();
        let seconds = now_ms.div_euclid(1000);
        let micros = now_ms.rem_euclid(1000) * 1000;
        Ok(Reply::array_of_bulks([seconds.to_string(), micros.to_string()]))
    }
}

/// `DBSIZE`: how many live keys there are.
#[derive(Debug)]
pub struct DbSize;

impl DbSize {
    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::count(view.count().await?))
    }
}

/// `FLUSHDB [ASYNC|SYNC]` and `FLUSHALL` (one database, so the same): deletes every key.
/// Both modes delete before answering.
#[derive(Debug)]
pub struct Flush;

impl Flush {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        match args.option().as_deref() {
            None | Some("ASYNC" | "SYNC") => {}
            Some(_) => return Err(CmdError::syntax()),
        }
        args.finish()?;
        Ok(Self)
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        tx.delete_all(now_ms).await?;
        Ok(Reply::OK)
    }
}
