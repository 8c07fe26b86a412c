//! Connection commands: PING, ECHO, and CLIENT as the HTTP doors answer it.

use std::sync::atomic::{AtomicU64, Ordering};

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

/// `CLIENT ID | GETNAME | SETNAME name | SETINFO attribute value` as the HTTP doors answer it,
/// where each request is a connection of its own that ends with it: a new id each time, no
/// name kept. The Redis protocol door answers CLIENT itself, for its connections.
#[derive(Debug)]
pub enum Client {
    Id,
    GetName,
    /// SETNAME and SETINFO, checked as Redis checks them, kept nowhere.
    Accepted,
}

/// Ids for requests, counted apart from the Redis protocol door's connections.
static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);

impl Client {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let subcommand = args.bytes()?;
        let given = String::from_utf8_lossy(&subcommand).into_owned();
        let name = given.to_ascii_uppercase();
        let wrong_arity = || CmdError::wrong_arity(&format!("client|{}", given.to_lowercase()));
        let command = match (name.as_str(), args.remaining()) {
            ("ID", 0) => Self::Id,
            ("GETNAME", 0) => Self::GetName,
            ("SETNAME", 1) => {
                let name = args.bytes()?;
                if name.iter().any(|&byte| !(b'!'..=b'~').contains(&byte)) {
                    return Err(CmdError::new(
                        "ERR Client names cannot contain spaces, newlines or special characters.",
                    ));
                }
                Self::Accepted
            }
            ("SETINFO", 2) => {
                let attribute = args.bytes()?;
                if !matches!(attribute.to_ascii_uppercase().as_slice(), b"LIB-NAME" | b"LIB-VER") {
                    return Err(CmdError::new(format!(
                        "ERR Unrecognized option '{}'",
                        String::from_utf8_lossy(&attribute)
                    )));
                }
                Self::Accepted
            }
            ("ID" | "GETNAME" | "SETNAME" | "SETINFO", _) => return Err(wrong_arity()),
            _ => {
                return Err(CmdError::new(format!(
                    "ERR CLIENT {given} is not available over HTTP, where each request is a connection of its \
                     own: use the Redis protocol door"
                )));
            }
        };
        Ok(command)
    }

    pub(in crate::cmd) async fn exec(&self, _: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(match self {
            Self::Id => Reply::count(NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed)),
            Self::GetName => Reply::Nil,
            Self::Accepted => Reply::OK,
        })
    }
}
