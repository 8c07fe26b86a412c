//! Reading a string while changing it: GETDEL, GETEX.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::cmd::expiry::Expiry;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, WriteTx};

/// `GETDEL key`.
#[derive(Debug)]
pub struct GetDel {
    key: Bytes,
}

impl GetDel {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let entry = tx.read(now_ms).get(&self.key).await?;
        if entry.is_some() {
            tx.delete(&self.key, now_ms).await?;
        }
        Ok(Reply::bulk_or_nil(entry.map(|entry| entry.value)))
    }
}

/// `GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]`: GET, then change the expiry.
#[derive(Debug)]
pub struct GetEx {
    key: Bytes,
    expiry: Expiry,
}

impl GetEx {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let expiry = match args.option() {
            None => Expiry::Keep,
            Some(option) if option == "PERSIST" => Expiry::Clear,
            Some(unit) if Expiry::is_unit(&unit) => Expiry::parse(&unit, args.int()?, args.name())?,
            Some(_) => return Err(CmdError::syntax()),
        };
        args.finish()?;
        Ok(Self { key, expiry })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let Some(entry) = tx.read(now_ms).get(&self.key).await? else {
            return Ok(Reply::Nil);
        };
        let expires_at = self.expiry.resolve(now_ms, entry.expires_at, "getex")?;
        match expires_at {
            Some(at) if at <= now_ms => {
                tx.delete(&self.key, now_ms).await?;
            }
            _ if expires_at != entry.expires_at => {
                let event = if expires_at.is_some() { "expire" } else { "persist" };
                tx.notify(EventClass::Generic, event, &self.key);
                tx.set_expiry(&self.key, expires_at).await?;
            }
            _ => {}
        }
        Ok(Reply::Bulk(entry.value))
    }
}
