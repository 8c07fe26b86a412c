//! Connection commands: PING, ECHO.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::ReadView;

/// `PING [message]`: PONG, or the message.
#[derive(Debug)]
pub struct Ping {
    message: Option<Bytes>,
}

impl Ping {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        if args.remaining() > 1 {
            return Err(CmdError::wrong_arity(args.name()));
        }
        let message = (args.remaining() == 1).then(|| args.bytes()).transpose()?;
        Ok(Self { message })
    }

    pub(in crate::cmd) async fn exec(&self, _: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(self.message.clone().map_or(Reply::status("PONG"), Reply::Bulk))
    }
}

/// `ECHO message`.
#[derive(Debug)]
pub struct Echo {
    message: Bytes,
}

impl Echo {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { message: args.bytes()? })
    }

    pub(in crate::cmd) async fn exec(&self, _: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::Bulk(self.message.clone()))
    }
}
