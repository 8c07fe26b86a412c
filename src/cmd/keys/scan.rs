//! Walking the keyspace: KEYS, SCAN, RANDOMKEY.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::cmd::walk::Walk;
use crate::glob::Glob;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::ReadView;

/// `KEYS pattern`: every live key matching, in key order. Patterns with a literal prefix
/// (`user:*`) read only that range of the key index.
#[derive(Debug)]
pub struct Keys {
    pattern: Bytes,
}

impl Keys {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { pattern: args.bytes()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let glob = Glob::new(&self.pattern);
        let mut keys = view.keys_with_prefix(&glob.literal_prefix()).await?;
        keys.retain(|key| glob.matches(key));
        Ok(Reply::array_of_bulks(keys))
    }
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] [WITHTYPE]`: a step of a walk
/// over the keyspace. The cursor stays valid while keys come and go. WITHTYPE (Upstash's
/// extension) follows each key with its type.
#[derive(Debug)]
pub struct Scan {
    walk: Walk,
    type_filter: Option<String>,
    with_type: bool,
}

impl Scan {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let (mut type_filter, mut with_type) = (None, false);
        let walk = Walk::parse(args, |option, args| {
            match option {
                "TYPE" => type_filter = Some(String::from_utf8_lossy(&args.bytes()?).to_ascii_lowercase()),
                "WITHTYPE" => with_type = true,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(Self {
            walk,
            type_filter,
            with_type,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let page = view.scan(self.walk.cursor, self.walk.count).await?;
        let mut found = Vec::new();
        for (key, kind) in page.items {
            let type_matches = self
                .type_filter
                .as_deref()
                .is_none_or(|wanted| wanted.eq_ignore_ascii_case(kind.name()));
            if type_matches && self.walk.keeps(&key) {
                found.push(Reply::Bulk(key));
                if self.with_type {
                    found.push(Reply::status(kind.name()));
                }
            }
        }
        Ok(Walk::reply(page.next, found))
    }
}

/// `RANDOMKEY`: a live key, or nil when there is none.
#[derive(Debug)]
pub struct RandomKey;

impl RandomKey {
    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::bulk_or_nil(view.random_key().await?))
    }
}
