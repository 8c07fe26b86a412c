//! What the SCAN family shares: a cursor, and the MATCH and COUNT options.

use bytes::Bytes;

use super::args::Args;
use crate::glob::Glob;
use crate::reply::{CmdError, Reply};

/// SCAN's default COUNT, as in Redis.
const DEFAULT_COUNT: u32 = 10;
/// The most rows one step reads, whatever COUNT says, so a step stays a short query.
const MAX_COUNT: u32 = 100_000;

/// One step of a walk: where it resumes, how many rows it reads, and which it keeps.
#[derive(Debug)]
pub struct Walk {
    pub cursor: u64,
    pub count: u32,
    pattern: Option<Bytes>,
}

impl Walk {
    /// Parses the cursor, then the options: MATCH and COUNT here, any other through `other`,
    /// which answers whether it knew the option (a syntax error otherwise).
    pub fn parse(
        args: &mut Args,
        mut other: impl FnMut(&str, &mut Args) -> Result<bool, CmdError>,
    ) -> Result<Self, CmdError> {
        let cursor = std::str::from_utf8(&args.bytes()?)
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| CmdError::new("ERR invalid cursor"))?;
        let mut walk = Self {
            cursor,
            count: DEFAULT_COUNT,
            pattern: None,
        };
        while let Some(option) = args.option() {
            match option.as_str() {
                "MATCH" => walk.pattern = Some(args.bytes()?),
                "COUNT" => {
                    let count = args.int()?;
                    if count < 1 {
                        return Err(CmdError::syntax());
                    }
                    walk.count = count.min(MAX_COUNT.into()) as u32;
                }
                other_option => {
                    if !other(other_option, args)? {
                        return Err(CmdError::syntax());
                    }
                }
            }
        }
        Ok(walk)
    }

    /// Whether MATCH keeps `name` (everything, without MATCH).
    pub fn keeps(&self, name: &[u8]) -> bool {
        self.pattern
            .as_deref()
            .is_none_or(|pattern| Glob::new(pattern).matches(name))
    }

    /// The reply of one step: the cursor to resume from (0: the walk is over), then `found`.
    pub fn reply(next: Option<u64>, found: Vec<Reply>) -> Reply {
        Reply::Array(vec![Reply::bulk(next.unwrap_or(0).to_string()), Reply::Array(found)])
    }
}
