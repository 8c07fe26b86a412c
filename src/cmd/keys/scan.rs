//! Walking the keyspace: KEYS, SCAN, RANDOMKEY.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::cmd::glob::Glob;
use crate::cmd::{CmdError, ExecError, Reply};
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
    cursor: u64,
    pattern: Option<Bytes>,
    count: u32,
    type_filter: Option<String>,
    with_type: bool,
}

/// SCAN's default COUNT, as in Redis.
const DEFAULT_SCAN_COUNT: u32 = 10;
/// The most rows one step reads, whatever COUNT says, so a step stays a short query.
const MAX_SCAN_COUNT: u32 = 100_000;

impl Scan {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let cursor = std::str::from_utf8(&args.bytes()?)
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| CmdError::new("ERR invalid cursor"))?;
        let mut scan = Self {
            cursor,
            pattern: None,
            count: DEFAULT_SCAN_COUNT,
            type_filter: None,
            with_type: false,
        };
        while let Some(option) = args.option() {
            match option.as_str() {
                "MATCH" => scan.pattern = Some(args.bytes()?),
                "COUNT" => {
                    let count = args.int()?;
                    if count < 1 {
                        return Err(CmdError::syntax());
                    }
                    scan.count = count.min(MAX_SCAN_COUNT.into()) as u32;
                }
                "TYPE" => scan.type_filter = Some(String::from_utf8_lossy(&args.bytes()?).to_ascii_lowercase()),
                "WITHTYPE" => scan.with_type = true,
                _ => return Err(CmdError::syntax()),
            }
        }
        Ok(scan)
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let page = view.scan(self.cursor, self.count).await?;
        let glob = self.pattern.as_deref().map(Glob::new);
        let mut found = Vec::new();
        for (key, kind) in page.keys {
            let type_matches = self.type_filter.as_deref().is_none_or(|wanted| wanted == kind.name());
            if type_matches && glob.as_ref().is_none_or(|glob| glob.matches(&key)) {
                found.push(Reply::Bulk(key));
                if self.with_type {
                    found.push(Reply::Status(kind.name()));
                }
            }
        }
        let next = page.next.unwrap_or(0).to_string();
        Ok(Reply::Array(vec![Reply::bulk(next), Reply::Array(found)]))
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
