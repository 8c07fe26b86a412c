//! OBJECT ENCODING: how Redis would keep a key's value, for tools that show it.

use bytes::Bytes;

use crate::cmd::args::{Args, parse_int};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{KeyType, ReadView};

/// Redis keeps strings of up to this many bytes in one allocation with their header.
const EMBSTR_MAX_BYTES: usize = 44;

/// `OBJECT ENCODING key`: a string's encoding as Redis chooses it (`int`, `embstr`, `raw`);
/// for a collection, the encoding Redis gives a large one (litekv keeps every collection in
/// B-trees, whatever its size); nil for a missing key.
#[derive(Debug)]
pub struct Object {
    key: Bytes,
}

impl Object {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let subcommand = args.option().unwrap_or_default();
        if subcommand != "ENCODING" {
            return Err(CmdError::new(format!(
                "ERR unknown subcommand '{}'. litekv answers OBJECT ENCODING only",
                subcommand.to_ascii_lowercase()
            )));
        }
        let key = args.key()?;
        args.finish().map_err(|_| CmdError::wrong_arity("object|encoding"))?;
        Ok(Self { key })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let Some(info) = view.info(&self.key).await? else {
            return Ok(Reply::Nil);
        };
        let encoding = match info.kind {
            KeyType::String => {
                let value = view.lookup(&self.key).await?.live().map(|entry| entry.value);
                string_encoding(&value.unwrap_or_default())
            }
            KeyType::Hash | KeyType::Set => "hashtable",
            KeyType::List => "quicklist",
            KeyType::ZSet => "skiplist",
            // A module's type, as Redis reports RedisJSON's.
            KeyType::Json => "raw",
        };
        Ok(Reply::bulk(encoding))
    }
}

fn string_encoding(value: &[u8]) -> &'static str {
    if parse_int(value).is_some() {
        "int"
    } else if value.len() <= EMBSTR_MAX_BYTES {
        "embstr"
    } else {
        "raw"
    }
}
