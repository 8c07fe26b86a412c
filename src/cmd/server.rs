//! Connection and server commands: PING, ECHO, TIME, DBSIZE, FLUSHDB, FLUSHALL.

use bytes::Bytes;

use super::args::Args;
use super::{CmdError, ExecError, Reply};
use crate::store::{ReadView, WriteTx};

/// `PING [message]`: PONG, or the message.
#[derive(Debug)]
pub struct Ping {
    message: Option<Bytes>,
}

impl Ping {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        if args.remaining() > 1 {
            return Err(CmdError::wrong_arity(args.name()));
        }
        let message = (args.remaining() == 1).then(|| args.bytes()).transpose()?;
        Ok(Self { message })
    }

    pub(super) async fn exec(&self, _: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(self.message.clone().map_or(Reply::Status("PONG"), Reply::Bulk))
    }
}

/// `ECHO message`.
#[derive(Debug)]
pub struct Echo {
    message: Bytes,
}

impl Echo {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { message: args.bytes()? })
    }

    pub(super) async fn exec(&self, _: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::Bulk(self.message.clone()))
    }
}

/// `TIME`: the server's clock as unix seconds and microseconds, both as strings.
#[derive(Debug)]
pub struct Time;

impl Time {
    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
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
    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::count(view.count().await?))
    }
}

/// `FLUSHDB [ASYNC|SYNC]` and `FLUSHALL` (one database, so the same): deletes every key.
/// Both modes delete before answering.
#[derive(Debug)]
pub struct Flush;

impl Flush {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        match args.option().as_deref() {
            None | Some("ASYNC" | "SYNC") => {}
            Some(_) => return Err(CmdError::syntax()),
        }
        args.finish()?;
        Ok(Self)
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, _: i64) -> Result<Reply, ExecError> {
        tx.delete_all().await?;
        Ok(Reply::OK)
    }
}
