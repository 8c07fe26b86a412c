//! Commands on keys whatever they hold: deletion, expiry, renaming, and walking the keyspace.

use bytes::Bytes;

use super::args::Args;
use super::glob::Glob;
use super::{CmdError, ExecError, Reply};
use crate::store::{ReadView, WriteTx};

/// `DEL key [key ...]` and `UNLINK`: how many live keys were removed.
#[derive(Debug)]
pub struct Del {
    keys: Vec<Bytes>,
}

impl Del {
    pub fn new(keys: Vec<Bytes>) -> Self {
        Self { keys }
    }

    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self::new(args.keys()?))
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let mut deleted = 0;
        for key in &self.keys {
            deleted += i64::from(tx.delete(key, now_ms).await?);
        }
        Ok(Reply::Int(deleted))
    }
}

/// `EXISTS key [key ...]` and `TOUCH`: how many of the keys exist, counting repeats.
#[derive(Debug)]
pub struct Exists {
    keys: Vec<Bytes>,
}

impl Exists {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { keys: args.keys()? })
    }

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        if self.keys.len() > 1 {
            view.consistent().await?;
        }
        let mut found = 0;
        for key in &self.keys {
            found += i64::from(view.info(key).await?.is_some());
        }
        Ok(Reply::Int(found))
    }
}

/// EXPIRE's conditions on the current expiry (Redis 7). Several may hold at once (XX GT),
/// but not all combinations make sense.
#[derive(Clone, Copy, Debug, Default)]
struct ExpireCondition {
    /// NX: only if the key has no expiry.
    no_expiry: bool,
    /// XX: only if it has one.
    has_expiry: bool,
    /// GT: only if the new expiry is later ("no expiry" counts as infinite, so never).
    later: bool,
    /// LT: only if the new expiry is sooner ("no expiry" counts as infinite, so always).
    sooner: bool,
}

impl ExpireCondition {
    fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let mut condition = Self::default();
        while let Some(option) = args.option() {
            match option.as_str() {
                "NX" => condition.no_expiry = true,
                "XX" => condition.has_expiry = true,
                "GT" => condition.later = true,
                "LT" => condition.sooner = true,
                _ => return Err(CmdError::new(format!("ERR Unsupported option {option}"))),
            }
        }
        if condition.no_expiry && (condition.has_expiry || condition.later || condition.sooner) {
            return Err(CmdError::new(
                "ERR NX and XX, GT or LT options at the same time are not compatible",
            ));
        }
        if condition.later && condition.sooner {
            return Err(CmdError::new(
                "ERR GT and LT options at the same time are not compatible",
            ));
        }
        Ok(condition)
    }

    fn allows(self, current: Option<i64>, new: i64) -> bool {
        !(self.no_expiry && current.is_some()
            || self.has_expiry && current.is_none()
            || self.later && current.is_none_or(|current| new <= current)
            || self.sooner && current.is_some_and(|current| new >= current))
    }
}

/// `EXPIRE`, `PEXPIRE`, `EXPIREAT`, `PEXPIREAT key time [NX|XX|GT|LT]`: 1 if the expiry
/// was set, 0 if the key is missing or the condition failed. A time not in the future
/// deletes the key.
#[derive(Debug)]
pub struct Expire {
    key: Bytes,
    time: i64,
    /// Milliseconds per unit of `time`: 1000 for seconds, 1 for milliseconds.
    unit_ms: i64,
    absolute: bool,
    condition: ExpireCondition,
    command: &'static str,
}

impl Expire {
    pub(super) fn parse(args: &mut Args, unit_ms: i64, absolute: bool) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            time: args.int()?,
            unit_ms,
            absolute,
            condition: ExpireCondition::parse(args)?,
            command: args.name(),
        })
    }

    fn deadline(&self, now_ms: i64) -> Result<i64, CmdError> {
        let ms = self.time.checked_mul(self.unit_ms);
        let at = if self.absolute {
            ms
        } else {
            ms.and_then(|ms| ms.checked_add(now_ms))
        };
        at.ok_or_else(|| CmdError::invalid_expire_time(self.command))
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let deadline = self.deadline(now_ms)?;
        let Some(info) = tx.read(now_ms).info(&self.key).await? else {
            return Ok(Reply::bool(false));
        };
        if !self.condition.allows(info.expires_at, deadline) {
            return Ok(Reply::bool(false));
        }
        if deadline <= now_ms {
            tx.delete(&self.key, now_ms).await?;
        } else {
            tx.set_expiry(&self.key, Some(deadline)).await?;
        }
        Ok(Reply::bool(true))
    }
}

/// `PERSIST key`: 1 if an expiry was removed.
#[derive(Debug)]
pub struct Persist {
    key: Bytes,
}

impl Persist {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let info = tx.read(now_ms).info(&self.key).await?;
        let has_expiry = info.is_some_and(|info| info.expires_at.is_some());
        if has_expiry {
            tx.set_expiry(&self.key, None).await?;
        }
        Ok(Reply::bool(has_expiry))
    }
}

/// `TTL`, `PTTL` (time left) and `EXPIRETIME`, `PEXPIRETIME` (the unix time): -2 for a
/// missing key, -1 for one without expiry. Seconds are rounded to the nearest.
#[derive(Debug)]
pub struct Ttl {
    key: Bytes,
    in_ms: bool,
    absolute: bool,
}

impl Ttl {
    pub(super) fn parse(args: &mut Args, in_ms: bool, absolute: bool) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            in_ms,
            absolute,
        })
    }

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let now_ms = view.now_ms();
        Ok(Reply::Int(
            match view.info(&self.key).await?.map(|info| info.expires_at) {
                None => -2,
                Some(None) => -1,
                Some(Some(expires_at)) => {
                    let ms = if self.absolute {
                        expires_at
                    } else {
                        (expires_at - now_ms).max(0)
                    };
                    if self.in_ms { ms } else { (ms + 500) / 1000 }
                }
            },
        ))
    }
}

/// `TYPE key`: `string`, `hash`, `list`, `set`, `zset`, or `none` for a missing key.
#[derive(Debug)]
pub struct Type {
    key: Bytes,
}

impl Type {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let info = view.info(&self.key).await?;
        Ok(Reply::Status(info.map_or("none", |info| info.kind.name())))
    }
}

/// `RENAME from to` (OK) and `RENAMENX` (1, or 0 if `to` exists). The expiry moves too.
#[derive(Debug)]
pub struct Rename {
    from: Bytes,
    to: Bytes,
    only_if_new: bool,
}

impl Rename {
    pub(super) fn parse(args: &mut Args, only_if_new: bool) -> Result<Self, CmdError> {
        Ok(Self {
            from: args.key()?,
            to: args.key()?,
            only_if_new,
        })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let mut view = tx.read(now_ms);
        if view.info(&self.from).await?.is_none() {
            return Err(CmdError::new("ERR no such key").into());
        }
        let blocked = self.only_if_new && (self.from == self.to || view.info(&self.to).await?.is_some());
        drop(view);
        if !blocked && self.from != self.to {
            tx.rename(&self.from, &self.to).await?;
        }
        Ok(if self.only_if_new {
            Reply::bool(!blocked)
        } else {
            Reply::OK
        })
    }
}

/// `COPY source destination [DB 0] [REPLACE]`: 1 if copied, whatever its type, with its expiry.
#[derive(Debug)]
pub struct Copy {
    from: Bytes,
    to: Bytes,
    replace: bool,
}

impl Copy {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let (from, to) = (args.key()?, args.key()?);
        let mut replace = false;
        while let Some(option) = args.option() {
            match option.as_str() {
                "REPLACE" => replace = true,
                // One database: DB 0 is the only index there is.
                "DB" if args.int()? == 0 => {}
                "DB" => return Err(CmdError::new("ERR DB index is out of range")),
                _ => return Err(CmdError::syntax()),
            }
        }
        if from == to {
            return Err(CmdError::new("ERR source and destination objects are the same"));
        }
        Ok(Self { from, to, replace })
    }

    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let mut view = tx.read(now_ms);
        if view.info(&self.from).await?.is_none() || !self.replace && view.info(&self.to).await?.is_some() {
            return Ok(Reply::bool(false));
        }
        drop(view);
        tx.copy(&self.from, &self.to).await?;
        Ok(Reply::bool(true))
    }
}

/// `KEYS pattern`: every live key matching, in key order. Patterns with a literal prefix
/// (`user:*`) read only that range of the key index.
#[derive(Debug)]
pub struct Keys {
    pattern: Bytes,
}

impl Keys {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { pattern: args.bytes()? })
    }

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
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
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
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

    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
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
    pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::bulk_or_nil(view.random_key().await?))
    }
}
