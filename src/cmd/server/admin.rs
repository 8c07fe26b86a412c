//! The server's own commands, for a read-write token: SAVE, BGSAVE and SHUTDOWN.

use crate::cmd::Engine;
use crate::cmd::args::Args;
use crate::reply::{CmdError, Reply};

#[derive(Debug)]
pub enum Admin {
    /// `SAVE`: the write-ahead log moved into the database file before the answer.
    Save,
    /// `BGSAVE [SCHEDULE]`: the same, after the answer.
    BgSave,
    /// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]`: the server stops as on SIGTERM. Every
    /// acknowledged write is on disk already, so the options change nothing.
    Shutdown,
}

impl Admin {
    pub(in crate::cmd) fn parse_bgsave(args: &mut Args) -> Result<Self, CmdError> {
        match args.option().as_deref() {
            None | Some("SCHEDULE") => {}
            Some(_) => return Err(CmdError::syntax()),
        }
        args.finish()?;
        Ok(Self::BgSave)
    }

    pub(in crate::cmd) fn parse_shutdown(args: &mut Args) -> Result<Self, CmdError> {
        while let Some(option) = args.option() {
            match option.as_str() {
                "NOSAVE" | "SAVE" | "NOW" | "FORCE" => {}
                "ABORT" => return Err(CmdError::new("ERR No shutdown in progress.")),
                _ => return Err(CmdError::syntax()),
            }
        }
        Ok(Self::Shutdown)
    }
}

impl Engine {
    /// Runs SAVE, BGSAVE or SHUTDOWN; `in_transaction` inside MULTI, where Redis queues
    /// only BGSAVE.
    pub(in crate::cmd) async fn admin(&self, admin: Admin, in_transaction: bool) -> Reply {
        match admin {
            _ if in_transaction && !matches!(admin, Admin::BgSave) => {
                Reply::Error(CmdError::new("ERR Command not allowed inside a transaction"))
            }
            Admin::Save => match self.store.save().await {
                Ok(()) => Reply::OK,
                Err(error) => Reply::Error(CmdError::new(format!("ERR saving failed: {error}"))),
            },
            Admin::BgSave => match (self.store.save_in_background(), in_transaction) {
                (Err(error), _) => Reply::Error(CmdError::new(format!("ERR saving failed: {error}"))),
                (Ok(()), true) => Reply::status("Background saving scheduled"),
                (Ok(()), false) => Reply::status("Background saving started"),
            },
            Admin::Shutdown => {
                tracing::info!("SHUTDOWN: stopping as on SIGTERM");
                self.shutdown.request();
                Reply::OK
            }
        }
    }
}
