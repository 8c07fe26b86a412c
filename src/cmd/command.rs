//! The command table: every supported command's name, arity and parser, and the parsed
//! [`Command`], split by whether it writes.

use std::collections::HashMap;
use std::sync::LazyLock;

use bytes::Bytes;

use super::args::Args;
use super::blocking::BlockingPop;
use super::condition::Condition::{Always, IfExists, IfMissing};
use super::expiry::TimeBase::{FromNow, UnixEpoch};
use super::expiry::TimeUnit::{Milliseconds, Seconds};
use super::functions::FunctionCommand;
use super::geo::PositionAs::{Coordinates, Geohash};
use super::geo::SearchCommand::{Radius, RadiusByMember, Search, SearchStore};
use super::geo::{GeoAdd, GeoDist, GeoPos, GeoSearch, GeoSearchStore};
use super::hashes::HSetReply::{CountNew, StatusOk};
use super::hashes::Parts::{Fields, FieldsAndValues, Values};
use super::hashes::{
    HDel, HExists, HExpire, HGet, HGetAll, HGetDel, HGetEx, HIncrBy, HIncrByFloat, HLen, HMGet, HPersist, HRandField,
    HScan, HSet, HSetEx, HStrLen, HTtl,
};
use super::hyperloglog::{PfAdd, PfCount, PfMerge};
use super::json::Arithmetic::{Add, Multiply};
use super::json::{JsonDel, JsonEdit, JsonGet, JsonMGet, JsonMSet, JsonRead, JsonSet, Query};
use super::keys::{
    Copy, Del, Exists, Expire, Keys, Object, Persist, RandomKey, Rename, Scan, Sort, SortStore, Ttl, Type,
};
use super::lists::{LIndex, LInsert, LLen, LMPop, LMove, LPop, LPos, LPush, LRange, LRem, LSet, LTrim};
use super::scripting::{Eval, ScriptCommand};
use super::server::{Admin, Client, DbSize, Echo, Flush, Ping, Publish, Time};
use super::sets::{
    SAdd, SCard, SCombine, SInterCard, SIsMember, SMembers, SMove, SPop, SRandMember, SRem, SScan, SStore,
};
use super::strings::{
    Append, BitCount, BitField, BitFieldRo, BitOp, BitPos, Get, GetBit, GetDel, GetEx, GetRange, IncrBy, IncrByFloat,
    Lcs, MGet, MSet, Put, Set, SetBit, SetRange, StrLen,
};
use super::variants::Members::{One, Several};
use super::variants::Mode::{ReadOnly, ReadWrite};
use super::zsets::Operation::{Difference as ZDifference, Intersection as ZIntersection, Union as ZUnion};
use super::zsets::{
    Syntax, ZAdd, ZCard, ZCombine, ZCount, ZInterCard, ZMPop, ZPop, ZRandMember, ZRange, ZRangeStore, ZRank, ZRem,
    ZRemRange, ZScan, ZScore, ZStore,
};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::Combine::{Difference, Intersection, Union};
use crate::store::End::{Head, Tail};
use crate::store::Order::{Ascending, Descending};
use crate::store::{Claims, ReadView, WriteTx};

/// A parsed command, ready to run.
#[derive(Debug)]
pub enum Command {
    /// Runs on a read connection (or inside a transaction), and never changes data.
    Read(ReadCommand),
    /// Runs in the writer's transaction.
    Write(Write),
    /// Reaches the subscribers of a channel; touches no data.
    Publish(Publish),
    /// Runs a Lua script (EVAL and its kin): on the writer's path, or a reader's if it
    /// may only read.
    Eval(Eval),
    /// Loads, finds or forgets scripts (SCRIPT); touches no data.
    Script(ScriptCommand),
    /// Loads, lists or removes function libraries (FUNCTION): a change of them runs in the
    /// writer's transaction, since they are kept in the database.
    Function(FunctionCommand),
    /// The server's own (SAVE, BGSAVE, SHUTDOWN); touches no data.
    Admin(Admin),
}

/// A write command. The store tells those watching a key (WATCH) of each change it makes.
#[derive(Debug)]
pub struct Write {
    pub command: WriteCommand,
    /// The keys among its arguments (COMMAND GETKEYS's), which a database shared by several
    /// servers locks before the write runs; found only where the database is shared.
    pub keys: Vec<Bytes>,
}

impl Write {
    /// Whether it may wait for another client's write (BLPOP and its kin).
    pub fn is_blocking(&self) -> bool {
        matches!(self.command, WriteCommand::BlockingPop(_))
    }

    /// Whether it is a blind string upsert ([`Put`]).
    pub(super) fn is_put(&self) -> bool {
        matches!(&self.command, WriteCommand::Set(set) if set.is_put())
    }
}

/// A command as the writer takes it: a blind string upsert ([`Put`]), taken in one go with
/// those beside it, or a command on its own.
pub(super) enum Queued {
    Put(Put),
    Alone(Command),
}

impl From<Command> for Queued {
    fn from(command: Command) -> Self {
        match command {
            Command::Write(Write {
                command: WriteCommand::Set(set),
                keys,
            }) => match Put::of(set) {
                Ok(put) => Self::Put(put),
                Err(set) => Self::Alone(Command::Write(Write {
                    command: WriteCommand::Set(set),
                    keys,
                })),
            },
            command => Self::Alone(command),
        }
    }
}

impl Command {
    /// The command, with `keys` as the keys it touches if it is a write (see [`Write::keys`]).
    pub(super) fn claiming(mut self, keys: Vec<Bytes>) -> Self {
        if let Self::Write(write) = &mut self {
            write.keys = keys;
        }
        self
    }

    /// The keys a database shared by several servers locks before the command runs in the
    /// writer: a write's, a script's declared keys.
    pub(super) fn claims(&self) -> Claims {
        match self {
            Self::Write(Write {
                command: WriteCommand::Flush(_),
                ..
            }) => Claims {
                keys: Vec::new(),
                everything: true,
            },
            Self::Write(write) => Claims::keys(write.keys.clone()),
            Self::Eval(eval) => Claims::keys(eval.keys().to_vec()),
            Self::Read(_) | Self::Publish(_) | Self::Script(_) | Self::Function(_) | Self::Admin(_) => {
                Claims::default()
            }
        }
    }

    /// Whether it may share one transaction with the writes beside it in a pipeline:
    /// writes that never wait, and scripts.
    pub fn joins_write_runs(&self) -> bool {
        match self {
            Self::Write(write) => !write.is_blocking(),
            Self::Eval(_) => true,
            Self::Read(_) | Self::Publish(_) | Self::Script(_) | Self::Function(_) | Self::Admin(_) => false,
        }
    }

    /// Whether a read-only token may run it: reads, except those that walk the whole
    /// keyspace, as Upstash's read-only tokens allow.
    pub fn is_allowed_read_only(&self) -> bool {
        // Publishing is not reading: a read-only token may not.
        match self {
            Self::Read(read) => !matches!(read, ReadCommand::Keys(_) | ReadCommand::Scan(_)),
            Self::Eval(eval) => eval.is_read_only(),
            Self::Script(script) => script.is_read_only(),
            Self::Function(function) => function.is_read_only(),
            Self::Write(_) | Self::Publish(_) | Self::Admin(_) => false,
        }
    }
}

/// Declares the two command enums, with `From` into [`Command`] and `exec` dispatch.
macro_rules! commands {
    (read: $($read:ident),+; write: $($write:ident),+;) => {
        #[derive(Debug)]
        pub enum ReadCommand {
            $($read($read)),+
        }

        #[derive(Debug)]
        pub enum WriteCommand {
            $($write($write)),+
        }

        $(impl From<$read> for Command {
            fn from(command: $read) -> Self {
                Self::Read(ReadCommand::$read(command))
            }
        })+

        $(impl From<$write> for Command {
            fn from(command: $write) -> Self {
                Self::Write(Write {
                    command: WriteCommand::$write(command),
                    keys: Vec::new(),
                })
            }
        })+

        impl ReadCommand {
            pub(super) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
                match self {
                    $(Self::$read(command) => command.exec(view).await),+
                }
            }
        }

        impl WriteCommand {
            pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
                match self {
                    $(Self::$write(command) => command.exec(tx, now_ms).await),+
                }
            }
        }
    };
}

commands! {
    read: Get, MGet, StrLen, GetRange, GetBit, BitCount, BitPos, BitFieldRo, Lcs, Sort, HGet, HMGet, HGetAll, HLen, HExists, HStrLen, HScan, HRandField, HTtl, LLen, LRange, LIndex, LPos, SMembers, SIsMember, SCard, SRandMember, SScan, SCombine, SInterCard, ZCard, ZScore, ZRank, ZCount, ZRange, ZRandMember, ZScan, ZCombine, ZInterCard, PfCount, GeoDist, GeoPos, GeoSearch, JsonGet, JsonMGet, JsonRead, Exists, Ttl, Type, Object, Keys, Scan,
        RandomKey, DbSize, Ping, Echo, Time, Client;
    write: Set, GetDel, GetEx, MSet, Append, SetRange, SetBit, BitOp, BitField, SortStore, IncrBy, IncrByFloat, HSet, HDel, HIncrBy, HIncrByFloat, HExpire, HPersist, HGetDel, HGetEx, HSetEx, LPush, LPop, LSet, LInsert, LRem, LTrim, LMove, LMPop, SAdd, SRem, SPop, SMove, SStore, ZAdd, ZRem, ZPop, ZMPop, ZRemRange, ZRangeStore, ZStore, PfAdd, PfMerge, GeoSearchStore, JsonSet, JsonMSet, JsonDel, JsonEdit, Del,
        Expire, Persist, Rename, Copy, Flush, BlockingPop;
}

/// A command the engine runs: what COMMAND reports of it, and its parser. Found once per
/// command by [`find_command`]; the doors hold on to it from there.
#[derive(Debug)]
pub struct CommandSpec {
    info: CommandInfo,
    parse: fn(&mut Args) -> Result<Command, CmdError>,
}

impl CommandSpec {
    pub fn info(&self) -> CommandInfo {
        self.info
    }

    pub fn name(&self) -> &'static str {
        self.info.name
    }

    /// Checks what Redis checks when it queues a command in a transaction: the argument
    /// count, and that the command may run inside one (not SAVE or SHUTDOWN).
    pub fn check_queueable(&self, args: &[Bytes]) -> Result<(), CmdError> {
        self.check_arity(args)?;
        match self.info.flags.contains(&"no_multi") {
            true => Err(CmdError::new("ERR Command not allowed inside a transaction")),
            false => Ok(()),
        }
    }

    /// Checks the argument count, as Redis does when it queues a command in a transaction.
    pub fn check_arity(&self, args: &[Bytes]) -> Result<(), CmdError> {
        let count = args.len() as i64;
        let arity = i64::from(self.info.arity);
        match (arity >= 0 && count != arity) || count < arity.abs() {
            true => Err(CmdError::wrong_arity(self.info.name)),
            false => Ok(()),
        }
    }

    /// Parses `args` (the name first) as this command.
    pub(super) fn parse(&self, mut args: Vec<Bytes>, max_value_bytes: usize) -> Result<Command, CmdError> {
        self.check_arity(&args)?;
        let info = &self.info;
        args.remove(0);
        (self.parse)(&mut Args::new(info.name, args, max_value_bytes))
    }
}

const fn spec(
    name: &'static str,
    arity: i32,
    flags: &'static [&'static str],
    keys: KeyPositions,
    parse: fn(&mut Args) -> Result<Command, CmdError>,
) -> CommandSpec {
    CommandSpec {
        info: CommandInfo {
            name,
            arity,
            flags,
            keys,
        },
        parse,
    }
}

// Redis's flag sets, as COMMAND INFO reports them.
const READ: &[&str] = &["readonly"];
const READ_FAST: &[&str] = &["readonly", "fast"];
const READ_MOVABLE: &[&str] = &["readonly", "movablekeys"];
const WRITE: &[&str] = &["write"];
const WRITE_FAST: &[&str] = &["write", "fast"];
const WRITE_GROWS: &[&str] = &["write", "denyoom"];
const WRITE_GROWS_FAST: &[&str] = &["write", "denyoom", "fast"];
const WRITE_MOVABLE: &[&str] = &["write", "movablekeys"];
const WRITE_GROWS_MOVABLE: &[&str] = &["write", "denyoom", "movablekeys"];
const BLOCKING: &[&str] = &["write", "noscript", "blocking"];
const BLOCKING_FAST: &[&str] = &["write", "noscript", "blocking", "fast"];
const BLOCKING_GROWS: &[&str] = &["write", "denyoom", "noscript", "blocking"];
const BLOCKING_MOVABLE: &[&str] = &["write", "blocking", "movablekeys"];
const FAST: &[&str] = &["fast"];
const NO_FLAGS: &[&str] = &[];
const SERVER_FAST: &[&str] = &["loading", "stale", "fast"];
const PUBSUB_FAST: &[&str] = &["pubsub", "loading", "stale", "fast"];
const SCRIPTING: &[&str] = &[
    "noscript",
    "stale",
    "skip_monitor",
    "may_replicate",
    "no_mandatory_keys",
    "movablekeys",
];
const SCRIPTING_READ: &[&str] = &[
    "noscript",
    "stale",
    "skip_monitor",
    "no_mandatory_keys",
    "movablekeys",
    "readonly",
];
const SCRIPT_ADMIN: &[&str] = &["noscript"];
const SAVING: &[&str] = &["admin", "noscript", "no_async_loading", "no_multi"];
const SAVING_LATER: &[&str] = &["admin", "noscript", "no_async_loading"];
const STOPPING: &[&str] = &["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"];

/// Where a command's keys are among its arguments (the name is argument 0): from `first` to
/// `last` (negative: counted from the end) every `step`th, as COMMAND INFO reports; and, for
/// commands that say how many keys follow (`LMPOP 2 a b`), where that count is.
#[derive(Clone, Copy, Debug)]
pub struct KeyPositions {
    pub first: i64,
    pub last: i64,
    pub step: i64,
    counted_at: Option<usize>,
}

const fn key_positions(first: i64, last: i64, step: i64) -> KeyPositions {
    KeyPositions {
        first,
        last,
        step,
        counted_at: None,
    }
}

const NO_KEYS: KeyPositions = key_positions(0, 0, 0);
const ONE_KEY: KeyPositions = key_positions(1, 1, 1);
const SECOND_KEY: KeyPositions = key_positions(2, 2, 1);
const TWO_KEYS: KeyPositions = key_positions(1, 2, 1);
const EVERY_KEY: KeyPositions = key_positions(1, -1, 1);
const EVERY_OTHER_KEY: KeyPositions = key_positions(1, -1, 2);
const KEYS_AFTER_FIRST: KeyPositions = key_positions(2, -1, 1);
const KEYS_BEFORE_LAST: KeyPositions = key_positions(1, -2, 1);
const EVERY_THIRD_KEY: KeyPositions = key_positions(1, -1, 3);

impl KeyPositions {
    /// No keys (a command on the connection or the server).
    pub const NONE: Self = NO_KEYS;

    /// The same, with a count of keys at argument `index`, the keys following it.
    const fn counted_at(self, index: usize) -> Self {
        Self {
            counted_at: Some(index),
            ..self
        }
    }

    /// Every key among `args` (the name first), read or written, as COMMAND GETKEYS lists
    /// them: those at fixed positions, then those of a counted list.
    pub fn every_key(self, args: &[Bytes]) -> Vec<Bytes> {
        let mut keys = self.fixed(args);
        keys.extend(self.counted(args));
        keys
    }

    /// Whether the command takes keys at all.
    pub fn has_keys(self) -> bool {
        self.first > 0 || self.counted_at.is_some()
    }

    fn fixed(self, args: &[Bytes]) -> Vec<Bytes> {
        if self.first <= 0 {
            return Vec::new();
        }
        let len = args.len() as i64;
        let last = if self.last < 0 {
            len + self.last
        } else {
            self.last.min(len - 1)
        };
        let positions = (self.first..=last).step_by(self.step.max(1) as usize);
        positions.map(|index| args[index as usize].clone()).collect()
    }

    fn counted(self, args: &[Bytes]) -> Vec<Bytes> {
        let Some(at) = self.counted_at else {
            return Vec::new();
        };
        let count = args
            .get(at)
            .and_then(|count| std::str::from_utf8(count).ok()?.parse::<usize>().ok())
            .unwrap_or(0);
        args.iter().skip(at + 1).take(count).cloned().collect()
    }
}

/// What COMMAND reports of a command.
#[derive(Clone, Copy, Debug)]
pub struct CommandInfo {
    pub name: &'static str,
    pub arity: i32,
    pub flags: &'static [&'static str],
    pub keys: KeyPositions,
}

impl CommandInfo {
    /// Whether the command, parsed, joins a pipeline's run of writes
    /// ([`Command::joins_write_runs`]): writes that never wait, and the scripts that may
    /// write (EVAL and EVALSHA, which Redis flags `may_replicate`).
    pub fn joins_write_runs(&self) -> bool {
        let flagged = |flag| self.flags.contains(&flag);
        (flagged("write") && !flagged("blocking")) || flagged("may_replicate")
    }
}

/// Every command the engine runs, for COMMAND.
pub fn command_table() -> impl Iterator<Item = CommandInfo> {
    COMMANDS.iter().map(CommandSpec::info)
}

/// Every supported command, in the order `docs/commands.md` lists them, one per line.
#[rustfmt::skip]
const COMMANDS: &[CommandSpec] = &[
    // Strings and counters.
    spec("get", 2, READ_FAST, ONE_KEY, |a| Ok(Get::parse(a)?.into())),
    spec("set", -3, WRITE_GROWS, ONE_KEY, |a| Ok(Set::parse(a)?.into())),
    spec("setnx", 3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(Set::parse_setnx(a)?.into())),
    spec("setex", 4, WRITE_GROWS, ONE_KEY, |a| Ok(Set::parse_setex(a, Seconds)?.into())),
    spec("psetex", 4, WRITE_GROWS, ONE_KEY, |a| Ok(Set::parse_setex(a, Milliseconds)?.into())),
    spec("getset", 3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(Set::parse_getset(a)?.into())),
    spec("getdel", 2, WRITE_FAST, ONE_KEY, |a| Ok(GetDel::parse(a)?.into())),
    spec("getex", -2, WRITE_FAST, ONE_KEY, |a| Ok(GetEx::parse(a)?.into())),
    spec("mget", -2, READ_FAST, EVERY_KEY, |a| Ok(MGet::parse(a)?.into())),
    spec("mset", -3, WRITE_GROWS, EVERY_OTHER_KEY, |a| Ok(MSet::parse(a, Always)?.into())),
    spec("msetnx", -3, WRITE_GROWS, EVERY_OTHER_KEY, |a| Ok(MSet::parse(a, IfMissing)?.into())),
    spec("append", 3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(Append::parse(a)?.into())),
    spec("strlen", 2, READ_FAST, ONE_KEY, |a| Ok(StrLen::parse(a)?.into())),
    spec("getrange", 4, READ, ONE_KEY, |a| Ok(GetRange::parse(a)?.into())),
    spec("substr", 4, READ, ONE_KEY, |a| Ok(GetRange::parse(a)?.into())),
    spec("setrange", 4, WRITE_GROWS, ONE_KEY, |a| Ok(SetRange::parse(a)?.into())),
    spec("incr", 2, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(IncrBy::parse_step(a, 1)?.into())),
    spec("incrby", 3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(IncrBy::parse_incrby(a)?.into())),
    spec("incrbyfloat", 3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(IncrByFloat::parse(a)?.into())),
    spec("decr", 2, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(IncrBy::parse_step(a, -1)?.into())),
    spec("decrby", 3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(IncrBy::parse_decrby(a)?.into())),
    // Bitmaps and LCS.
    spec("setbit", 4, WRITE_GROWS, ONE_KEY, |a| Ok(SetBit::parse(a)?.into())),
    spec("getbit", 3, READ_FAST, ONE_KEY, |a| Ok(GetBit::parse(a)?.into())),
    spec("bitcount", -2, READ, ONE_KEY, |a| Ok(BitCount::parse(a)?.into())),
    spec("bitpos", -3, READ, ONE_KEY, |a| Ok(BitPos::parse(a)?.into())),
    spec("bitop", -4, WRITE_GROWS, KEYS_AFTER_FIRST, BitOp::parse),
    spec("bitfield", -2, WRITE_GROWS, ONE_KEY, |a| Ok(BitField::parse(a, ReadWrite)?.into())),
    spec("bitfield_ro", -2, READ_FAST, ONE_KEY, |a| Ok(BitFieldRo::parse(a)?.into())),
    spec("lcs", -3, READ, TWO_KEYS, |a| Ok(Lcs::parse(a)?.into())),
    // Hashes.
    spec("hset", -4, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HSet::parse(a, CountNew)?.into())),
    spec("hmset", -4, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HSet::parse(a, StatusOk)?.into())),
    spec("hsetnx", 4, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HSet::parse_setnx(a)?.into())),
    spec("hget", 3, READ_FAST, ONE_KEY, |a| Ok(HGet::parse(a)?.into())),
    spec("hmget", -3, READ_FAST, ONE_KEY, |a| Ok(HMGet::parse(a)?.into())),
    spec("hgetall", 2, READ, ONE_KEY, |a| Ok(HGetAll::parse(a, FieldsAndValues)?.into())),
    spec("hkeys", 2, READ, ONE_KEY, |a| Ok(HGetAll::parse(a, Fields)?.into())),
    spec("hvals", 2, READ, ONE_KEY, |a| Ok(HGetAll::parse(a, Values)?.into())),
    spec("hlen", 2, READ_FAST, ONE_KEY, |a| Ok(HLen::parse(a)?.into())),
    spec("hexists", 3, READ_FAST, ONE_KEY, |a| Ok(HExists::parse(a)?.into())),
    spec("hstrlen", 3, READ_FAST, ONE_KEY, |a| Ok(HStrLen::parse(a)?.into())),
    spec("hscan", -3, READ, ONE_KEY, |a| Ok(HScan::parse(a)?.into())),
    spec("hrandfield", -2, READ, ONE_KEY, |a| Ok(HRandField::parse(a)?.into())),
    spec("hdel", -3, WRITE_FAST, ONE_KEY, |a| Ok(HDel::parse(a)?.into())),
    spec("hincrby", 4, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HIncrBy::parse(a)?.into())),
    spec("hincrbyfloat", 4, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HIncrByFloat::parse(a)?.into())),
    spec("hexpire", -6, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HExpire::parse(a, Seconds, FromNow)?.into())),
    spec("hpexpire", -6, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HExpire::parse(a, Milliseconds, FromNow)?.into())),
    spec("hexpireat", -6, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HExpire::parse(a, Seconds, UnixEpoch)?.into())),
    spec("hpexpireat", -6, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HExpire::parse(a, Milliseconds, UnixEpoch)?.into())),
    spec("httl", -5, READ_FAST, ONE_KEY, |a| Ok(HTtl::parse(a, Seconds, FromNow)?.into())),
    spec("hpttl", -5, READ_FAST, ONE_KEY, |a| Ok(HTtl::parse(a, Milliseconds, FromNow)?.into())),
    spec("hexpiretime", -5, READ_FAST, ONE_KEY, |a| Ok(HTtl::parse(a, Seconds, UnixEpoch)?.into())),
    spec("hpexpiretime", -5, READ_FAST, ONE_KEY, |a| Ok(HTtl::parse(a, Milliseconds, UnixEpoch)?.into())),
    spec("hpersist", -5, WRITE_FAST, ONE_KEY, |a| Ok(HPersist::parse(a)?.into())),
    spec("hgetdel", -5, WRITE_FAST, ONE_KEY, |a| Ok(HGetDel::parse(a)?.into())),
    spec("hgetex", -5, WRITE_FAST, ONE_KEY, |a| Ok(HGetEx::parse(a)?.into())),
    spec("hsetex", -6, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(HSetEx::parse(a)?.into()), ),
    // Lists.
    spec("lpush", -3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(LPush::parse(a, Head, Always)?.into())),
    spec("rpush", -3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(LPush::parse(a, Tail, Always)?.into())),
    spec("lpushx", -3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(LPush::parse(a, Head, IfExists)?.into())),
    spec("rpushx", -3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(LPush::parse(a, Tail, IfExists)?.into())),
    spec("lpop", -2, WRITE_FAST, ONE_KEY, |a| Ok(LPop::parse(a, Head)?.into())),
    spec("rpop", -2, WRITE_FAST, ONE_KEY, |a| Ok(LPop::parse(a, Tail)?.into())),
    spec("llen", 2, READ_FAST, ONE_KEY, |a| Ok(LLen::parse(a)?.into())),
    spec("lrange", 4, READ, ONE_KEY, |a| Ok(LRange::parse(a)?.into())),
    spec("lindex", 3, READ, ONE_KEY, |a| Ok(LIndex::parse(a)?.into())),
    spec("lpos", -3, READ, ONE_KEY, |a| Ok(LPos::parse(a)?.into())),
    spec("lset", 4, WRITE_GROWS, ONE_KEY, |a| Ok(LSet::parse(a)?.into())),
    spec("linsert", 5, WRITE_GROWS, ONE_KEY, |a| Ok(LInsert::parse(a)?.into())),
    spec("lrem", 4, WRITE, ONE_KEY, |a| Ok(LRem::parse(a)?.into())),
    spec("ltrim", 4, WRITE, ONE_KEY, |a| Ok(LTrim::parse(a)?.into())),
    spec("lmove", 5, WRITE_GROWS, TWO_KEYS, |a| Ok(LMove::parse(a)?.into())),
    spec("rpoplpush", 3, WRITE_GROWS, TWO_KEYS, |a| Ok(LMove::parse_rpoplpush(a)?.into())),
    spec("lmpop", -4, WRITE_MOVABLE, NO_KEYS.counted_at(1), |a| Ok(LMPop::parse(a)?.into())),
    // Blocking pops.
    spec("blpop", -3, BLOCKING, KEYS_BEFORE_LAST, |a| Ok(BlockingPop::parse_pop(a, Head)?.into())),
    spec("brpop", -3, BLOCKING, KEYS_BEFORE_LAST, |a| Ok(BlockingPop::parse_pop(a, Tail)?.into())),
    spec("blmove", 6, BLOCKING_GROWS, TWO_KEYS, |a| Ok(BlockingPop::parse_move(a)?.into())),
    spec("brpoplpush", 4, BLOCKING_GROWS, TWO_KEYS, |a| Ok(BlockingPop::parse_rpoplpush(a)?.into())),
    spec("blmpop", -5, BLOCKING_MOVABLE, NO_KEYS.counted_at(2), |a| Ok(BlockingPop::parse_lmpop(a)?.into())),
    spec("bzpopmin", -3, BLOCKING_FAST, KEYS_BEFORE_LAST, |a| Ok(BlockingPop::parse_zpop(a, Ascending)?.into())),
    spec("bzpopmax", -3, BLOCKING_FAST, KEYS_BEFORE_LAST, |a| Ok(BlockingPop::parse_zpop(a, Descending)?.into())),
    spec("bzmpop", -5, BLOCKING_MOVABLE, NO_KEYS.counted_at(2), |a| Ok(BlockingPop::parse_zmpop(a)?.into())),
    // Sets.
    spec("sadd", -3, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(SAdd::parse(a)?.into())),
    spec("srem", -3, WRITE_FAST, ONE_KEY, |a| Ok(SRem::parse(a)?.into())),
    spec("smembers", 2, READ, ONE_KEY, |a| Ok(SMembers::parse(a)?.into())),
    spec("sismember", 3, READ_FAST, ONE_KEY, |a| Ok(SIsMember::parse(a, One)?.into())),
    spec("smismember", -3, READ_FAST, ONE_KEY, |a| Ok(SIsMember::parse(a, Several)?.into())),
    spec("scard", 2, READ_FAST, ONE_KEY, |a| Ok(SCard::parse(a)?.into())),
    spec("spop", -2, WRITE_FAST, ONE_KEY, |a| Ok(SPop::parse(a)?.into())),
    spec("srandmember", -2, READ, ONE_KEY, |a| Ok(SRandMember::parse(a)?.into())),
    spec("smove", 4, WRITE_FAST, TWO_KEYS, |a| Ok(SMove::parse(a)?.into())),
    spec("sinter", -2, READ, EVERY_KEY, |a| Ok(SCombine::parse(a, Intersection { limit: None })?.into())),
    spec("sintercard", -3, READ_MOVABLE, NO_KEYS.counted_at(1), |a| Ok(SInterCard::parse(a)?.into())),
    spec("sinterstore", -3, WRITE_GROWS, EVERY_KEY, |a| Ok(SStore::parse(a, Intersection { limit: None })?.into())),
    spec("sunion", -2, READ, EVERY_KEY, |a| Ok(SCombine::parse(a, Union)?.into())),
    spec("sunionstore", -3, WRITE_GROWS, EVERY_KEY, |a| Ok(SStore::parse(a, Union)?.into())),
    spec("sdiff", -2, READ, EVERY_KEY, |a| Ok(SCombine::parse(a, Difference)?.into())),
    spec("sdiffstore", -3, WRITE_GROWS, EVERY_KEY, |a| Ok(SStore::parse(a, Difference)?.into())),
    spec("sscan", -3, READ, ONE_KEY, |a| Ok(SScan::parse(a)?.into())),
    // Sorted sets.
    spec("zadd", -4, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(ZAdd::parse(a)?.into())),
    spec("zincrby", 4, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(ZAdd::parse_zincrby(a)?.into())),
    spec("zrem", -3, WRITE_FAST, ONE_KEY, |a| Ok(ZRem::parse(a)?.into())),
    spec("zcard", 2, READ_FAST, ONE_KEY, |a| Ok(ZCard::parse(a)?.into())),
    spec("zscore", 3, READ_FAST, ONE_KEY, |a| Ok(ZScore::parse(a, One)?.into())),
    spec("zmscore", -3, READ_FAST, ONE_KEY, |a| Ok(ZScore::parse(a, Several)?.into())),
    spec("zrank", -3, READ_FAST, ONE_KEY, |a| Ok(ZRank::parse(a, Ascending)?.into())),
    spec("zrevrank", -3, READ_FAST, ONE_KEY, |a| Ok(ZRank::parse(a, Descending)?.into())),
    spec("zcount", 4, READ_FAST, ONE_KEY, |a| Ok(ZCount::parse_scores(a)?.into())),
    spec("zlexcount", 4, READ_FAST, ONE_KEY, |a| Ok(ZCount::parse_members(a)?.into())),
    spec("zrange", -4, READ, ONE_KEY, |a| Ok(ZRange::parse(a, Syntax::Generic)?.into())),
    spec("zrangebyscore", -4, READ, ONE_KEY, |a| Ok(ZRange::parse(a, Syntax::ByScore(Ascending))?.into())),
    spec("zrevrangebyscore", -4, READ, ONE_KEY, |a| Ok(ZRange::parse(a, Syntax::ByScore(Descending))?.into())),
    spec("zrangebylex", -4, READ, ONE_KEY, |a| Ok(ZRange::parse(a, Syntax::ByLex(Ascending))?.into())),
    spec("zrevrangebylex", -4, READ, ONE_KEY, |a| Ok(ZRange::parse(a, Syntax::ByLex(Descending))?.into())),
    spec("zrevrange", -4, READ, ONE_KEY, |a| Ok(ZRange::parse(a, Syntax::Ranks(Descending))?.into())),
    spec("zrangestore", -5, WRITE_GROWS, TWO_KEYS, |a| Ok(ZRangeStore::parse(a)?.into())),
    spec("zpopmin", -2, WRITE_FAST, ONE_KEY, |a| Ok(ZPop::parse(a, Ascending)?.into())),
    spec("zpopmax", -2, WRITE_FAST, ONE_KEY, |a| Ok(ZPop::parse(a, Descending)?.into())),
    spec("zmpop", -4, WRITE_MOVABLE, NO_KEYS.counted_at(1), |a| Ok(ZMPop::parse(a)?.into())),
    spec("zremrangebyrank", 4, WRITE, ONE_KEY, |a| Ok(ZRemRange::parse(a, Syntax::Ranks(Ascending))?.into())),
    spec("zremrangebyscore", 4, WRITE, ONE_KEY, |a| Ok(ZRemRange::parse(a, Syntax::ByScore(Ascending))?.into())),
    spec("zremrangebylex", 4, WRITE, ONE_KEY, |a| Ok(ZRemRange::parse(a, Syntax::ByLex(Ascending))?.into())),
    spec("zunion", -3, READ_MOVABLE, NO_KEYS.counted_at(1), |a| Ok(ZCombine::parse(a, ZUnion)?.into())),
    spec("zunionstore", -4, WRITE_GROWS_MOVABLE, ONE_KEY.counted_at(2), |a| Ok(ZStore::parse(a, ZUnion)?.into())),
    spec("zinter", -3, READ_MOVABLE, NO_KEYS.counted_at(1), |a| Ok(ZCombine::parse(a, ZIntersection)?.into())),
    spec("zinterstore", -4, WRITE_GROWS_MOVABLE, ONE_KEY.counted_at(2), |a| Ok(ZStore::parse(a, ZIntersection)?.into())),
    spec("zintercard", -3, READ_MOVABLE, NO_KEYS.counted_at(1), |a| Ok(ZInterCard::parse(a)?.into())),
    spec("zdiff", -3, READ_MOVABLE, NO_KEYS.counted_at(1), |a| Ok(ZCombine::parse(a, ZDifference)?.into())),
    spec("zdiffstore", -4, WRITE_GROWS_MOVABLE, ONE_KEY.counted_at(2), |a| Ok(ZStore::parse(a, ZDifference)?.into())),
    spec("zrandmember", -2, READ, ONE_KEY, |a| Ok(ZRandMember::parse(a)?.into())),
    spec("zscan", -3, READ, ONE_KEY, |a| Ok(ZScan::parse(a)?.into())),
    // HyperLogLog.
    spec("pfadd", -2, WRITE_GROWS_FAST, ONE_KEY, |a| Ok(PfAdd::parse(a)?.into())),
    spec("pfcount", -2, READ, EVERY_KEY, |a| Ok(PfCount::parse(a)?.into())),
    spec("pfmerge", -2, WRITE_GROWS, EVERY_KEY, |a| Ok(PfMerge::parse(a)?.into())),
    // Geo.
    spec("geoadd", -5, WRITE_GROWS, ONE_KEY, |a| Ok(GeoAdd::parse(a)?.into())),
    spec("geodist", -4, READ, ONE_KEY, |a| Ok(GeoDist::parse(a)?.into())),
    spec("geohash", -2, READ, ONE_KEY, |a| Ok(GeoPos::parse(a, Geohash)?.into())),
    spec("geopos", -2, READ, ONE_KEY, |a| Ok(GeoPos::parse(a, Coordinates)?.into())),
    spec("geosearch", -7, READ, ONE_KEY, |a| GeoSearch::parse(a, Search)),
    spec("geosearchstore", -8, WRITE_GROWS, TWO_KEYS, |a| GeoSearch::parse(a, SearchStore)),
    spec("georadius", -6, WRITE_GROWS_MOVABLE, ONE_KEY, |a| GeoSearch::parse(a, Radius { store_allowed: true })),
    spec("georadius_ro", -6, READ, ONE_KEY, |a| GeoSearch::parse(a, Radius { store_allowed: false })),
    spec("georadiusbymember", -5, WRITE_GROWS_MOVABLE, ONE_KEY, |a| GeoSearch::parse(a, RadiusByMember { store_allowed: true })),
    spec("georadiusbymember_ro", -5, READ, ONE_KEY, |a| GeoSearch::parse(a, RadiusByMember { store_allowed: false })),
    // JSON documents.
    spec("json.set", -4, WRITE_GROWS, ONE_KEY, |a| Ok(JsonSet::parse(a)?.into())),
    spec("json.get", -2, READ, ONE_KEY, |a| Ok(JsonGet::parse(a)?.into())),
    spec("json.mget", -3, READ, KEYS_BEFORE_LAST, |a| Ok(JsonMGet::parse(a)?.into())),
    spec("json.mset", -4, WRITE_GROWS, EVERY_THIRD_KEY, |a| Ok(JsonMSet::parse(a)?.into())),
    spec("json.merge", 4, WRITE_GROWS, ONE_KEY, |a| Ok(JsonSet::parse_merge(a)?.into())),
    spec("json.del", -2, WRITE, ONE_KEY, |a| Ok(JsonDel::parse(a, false)?.into())),
    spec("json.forget", -2, WRITE, ONE_KEY, |a| Ok(JsonDel::parse(a, false)?.into())),
    spec("json.clear", -2, WRITE, ONE_KEY, |a| Ok(JsonDel::parse(a, true)?.into())),
    spec("json.type", -2, READ, ONE_KEY, |a| Ok(JsonRead::parse(a, Query::Type)?.into())),
    spec("json.resp", -2, READ, ONE_KEY, |a| Ok(JsonRead::parse(a, Query::Resp)?.into())),
    spec("json.toggle", 3, WRITE, ONE_KEY, |a| Ok(JsonEdit::parse_toggle(a)?.into())),
    spec("json.numincrby", 4, WRITE, ONE_KEY, |a| Ok(JsonEdit::parse_arithmetic(a, Add)?.into())),
    spec("json.nummultby", 4, WRITE, ONE_KEY, |a| Ok(JsonEdit::parse_arithmetic(a, Multiply)?.into())),
    spec("json.strappend", -3, WRITE_GROWS, ONE_KEY, |a| Ok(JsonEdit::parse_strappend(a)?.into())),
    spec("json.strlen", -2, READ, ONE_KEY, |a| Ok(JsonRead::parse(a, Query::StrLen)?.into())),
    spec("json.objkeys", -2, READ, ONE_KEY, |a| Ok(JsonRead::parse(a, Query::ObjKeys)?.into())),
    spec("json.objlen", -2, READ, ONE_KEY, |a| Ok(JsonRead::parse(a, Query::ObjLen)?.into())),
    spec("json.arrappend", -4, WRITE_GROWS, ONE_KEY, |a| Ok(JsonEdit::parse_arrappend(a)?.into())),
    spec("json.arrindex", -4, READ, ONE_KEY, |a| Ok(JsonRead::parse_arrindex(a)?.into())),
    spec("json.arrinsert", -5, WRITE_GROWS, ONE_KEY, |a| Ok(JsonEdit::parse_arrinsert(a)?.into())),
    spec("json.arrlen", -2, READ, ONE_KEY, |a| Ok(JsonRead::parse(a, Query::ArrLen)?.into())),
    spec("json.arrpop", -2, WRITE, ONE_KEY, |a| Ok(JsonEdit::parse_arrpop(a)?.into())),
    spec("json.arrtrim", 5, WRITE, ONE_KEY, |a| Ok(JsonEdit::parse_arrtrim(a)?.into())),
    // Keys and expiry.
    spec("del", -2, WRITE, EVERY_KEY, |a| Ok(Del::parse(a)?.into())),
    spec("unlink", -2, WRITE_FAST, EVERY_KEY, |a| Ok(Del::parse(a)?.into())),
    spec("exists", -2, READ_FAST, EVERY_KEY, |a| Ok(Exists::parse(a)?.into())),
    spec("touch", -2, READ_FAST, EVERY_KEY, |a| Ok(Exists::parse(a)?.into())),
    spec("expire", -3, WRITE_FAST, ONE_KEY, |a| Ok(Expire::parse(a, Seconds, FromNow)?.into())),
    spec("pexpire", -3, WRITE_FAST, ONE_KEY, |a| Ok(Expire::parse(a, Milliseconds, FromNow)?.into())),
    spec("expireat", -3, WRITE_FAST, ONE_KEY, |a| Ok(Expire::parse(a, Seconds, UnixEpoch)?.into())),
    spec("pexpireat", -3, WRITE_FAST, ONE_KEY, |a| Ok(Expire::parse(a, Milliseconds, UnixEpoch)?.into())),
    spec("persist", 2, WRITE_FAST, ONE_KEY, |a| Ok(Persist::parse(a)?.into())),
    spec("ttl", 2, READ_FAST, ONE_KEY, |a| Ok(Ttl::parse(a, Seconds, FromNow)?.into())),
    spec("pttl", 2, READ_FAST, ONE_KEY, |a| Ok(Ttl::parse(a, Milliseconds, FromNow)?.into())),
    spec("expiretime", 2, READ_FAST, ONE_KEY, |a| Ok(Ttl::parse(a, Seconds, UnixEpoch)?.into())),
    spec("pexpiretime", 2, READ_FAST, ONE_KEY, |a| Ok(Ttl::parse(a, Milliseconds, UnixEpoch)?.into())),
    spec("type", 2, READ_FAST, ONE_KEY, |a| Ok(Type::parse(a)?.into())),
    spec("object", -2, READ, SECOND_KEY, |a| Ok(Object::parse(a)?.into())),
    spec("rename", 3, WRITE, TWO_KEYS, |a| Ok(Rename::parse(a, Always)?.into())),
    spec("renamenx", 3, WRITE_FAST, TWO_KEYS, |a| Ok(Rename::parse(a, IfMissing)?.into())),
    spec("copy", -3, WRITE_GROWS, TWO_KEYS, |a| Ok(Copy::parse(a)?.into())),
    spec("sort", -2, WRITE_GROWS_MOVABLE, ONE_KEY, |a| Sort::parse(a, ReadWrite)),
    spec("sort_ro", -2, READ_MOVABLE, ONE_KEY, |a| Sort::parse(a, ReadOnly)),
    spec("keys", 2, READ, NO_KEYS, |a| Ok(Keys::parse(a)?.into())),
    spec("scan", -2, READ, NO_KEYS, |a| Ok(Scan::parse(a)?.into())),
    spec("randomkey", 1, READ, NO_KEYS, |_| Ok(RandomKey.into())),
    spec("dbsize", 1, READ_FAST, NO_KEYS, |_| Ok(DbSize.into())),
    spec("flushdb", -1, WRITE, NO_KEYS, |a| Ok(Flush::parse(a)?.into())),
    spec("flushall", -1, WRITE, NO_KEYS, |a| Ok(Flush::parse(a)?.into())),
    // Connection.
    spec("ping", -1, FAST, NO_KEYS, |a| Ok(Ping::parse(a)?.into())),
    spec("echo", 2, SERVER_FAST, NO_KEYS, |a| Ok(Echo::parse(a)?.into())),
    spec("time", 1, SERVER_FAST, NO_KEYS, |_| Ok(Time.into())),
    spec("client", -2, NO_FLAGS, NO_KEYS, |a| Ok(Client::parse(a)?.into())),
    // Pub/sub.
    spec("publish", 3, PUBSUB_FAST, NO_KEYS, |a| Ok(Command::Publish(Publish::parse(a)?))),
    spec("spublish", 3, PUBSUB_FAST, ONE_KEY, |a| Ok(Command::Publish(Publish::parse(a)?))),
    // Scripting.
    spec("eval", -3, SCRIPTING, NO_KEYS.counted_at(2), |a| Ok(Command::Eval(Eval::parse_eval(a, ReadWrite)?))),
    spec("evalsha", -3, SCRIPTING, NO_KEYS.counted_at(2), |a| Ok(Command::Eval(Eval::parse_evalsha(a, ReadWrite)?))),
    spec("eval_ro", -3, SCRIPTING_READ, NO_KEYS.counted_at(2), |a| Ok(Command::Eval(Eval::parse_eval(a, ReadOnly)?))),
    spec("evalsha_ro", -3, SCRIPTING_READ, NO_KEYS.counted_at(2), |a| Ok(Command::Eval(Eval::parse_evalsha(a, ReadOnly)?))),
    spec("script", -2, SCRIPT_ADMIN, NO_KEYS, |a| Ok(Command::Script(ScriptCommand::parse(a)?))),
    spec("fcall", -3, SCRIPTING, NO_KEYS.counted_at(2), |a| Ok(Command::Eval(Eval::parse_fcall(a, ReadWrite)?))),
    spec("fcall_ro", -3, SCRIPTING_READ, NO_KEYS.counted_at(2), |a| Ok(Command::Eval(Eval::parse_fcall(a, ReadOnly)?))),
    spec("function", -2, SCRIPT_ADMIN, NO_KEYS, |a| Ok(Command::Function(FunctionCommand::parse(a)?))),
    // The server.
    spec("save", 1, SAVING, NO_KEYS, |_| Ok(Command::Admin(Admin::Save))),
    spec("bgsave", -1, SAVING_LATER, NO_KEYS, |a| Ok(Command::Admin(Admin::parse_bgsave(a)?))),
    spec("shutdown", -1, STOPPING, NO_KEYS, |a| Ok(Command::Admin(Admin::parse_shutdown(a)?))),
];

/// The command called `name` (any case), if the engine runs it: one hash lookup.
pub fn find_command(name: &[u8]) -> Option<&'static CommandSpec> {
    // Lowercased on the stack: no command's name is longer.
    const LONGEST: usize = 32;
    static BY_NAME: LazyLock<HashMap<&'static [u8], &'static CommandSpec>> =
        LazyLock::new(|| COMMANDS.iter().map(|spec| (spec.name().as_bytes(), spec)).collect());
    let mut lowercase = [0; LONGEST];
    let lowercase = lowercase.get_mut(..name.len())?;
    lowercase.copy_from_slice(name);
    lowercase.make_ascii_lowercase();
    BY_NAME.get(&*lowercase).copied()
}

/// Finds the command named by `args[0]`, or says why there is none.
pub fn lookup(args: &[Bytes]) -> Result<&'static CommandSpec, CmdError> {
    let Some((name, rest)) = args.split_first() else {
        return Err(CmdError::new(
            "ERR empty command: send the command name first, e.g. [\"GET\", \"key\"]",
        ));
    };
    find_command(name).ok_or_else(|| unknown_command(name, rest))
}

/// What COMMAND reports of the command called `name` (any case), if the engine runs it.
pub fn command_info(name: &[u8]) -> Option<CommandInfo> {
    find_command(name).map(CommandSpec::info)
}

/// Checks that `args` name a supported command with a fitting number of arguments.
pub fn check_known(args: &[Bytes]) -> Result<(), CmdError> {
    lookup(args)?.check_arity(args)
}

/// [`check_known`], and that the command may run in a transaction: the checks Redis makes
/// when it queues one ([`CommandSpec::check_queueable`]).
pub fn check_queueable(args: &[Bytes]) -> Result<(), CmdError> {
    lookup(args)?.check_queueable(args)
}

/// Redis's message, e.g. `ERR unknown command 'foo', with args beginning with: 'a' 'b' `.
fn unknown_command(name: &[u8], args: &[Bytes]) -> CmdError {
    let quoted: String = args
        .iter()
        .take(8)
        .map(|arg| format!("'{}' ", String::from_utf8_lossy(&arg[..arg.len().min(128)])))
        .collect();
    CmdError::new(format!(
        "ERR unknown command '{}', with args beginning with: {quoted}",
        String::from_utf8_lossy(&name[..name.len().min(128)])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a command: its name (any case) and arguments, as Redis receives them.
    fn parse(args: Vec<Bytes>, max_value_bytes: usize) -> Result<Command, CmdError> {
        lookup(&args)?.parse(args, max_value_bytes)
    }

    fn command_names() -> impl Iterator<Item = &'static str> {
        COMMANDS.iter().map(CommandSpec::name)
    }

    fn args(words: &[&str]) -> Vec<Bytes> {
        words
            .iter()
            .map(|word| Bytes::copy_from_slice(word.as_bytes()))
            .collect()
    }

    #[test]
    fn names_are_case_insensitive_and_arity_is_checked() {
        assert!(matches!(
            parse(args(&["gEt", "k"]), 10),
            Ok(Command::Read(ReadCommand::Get(_)))
        ));
        assert!(matches!(
            parse(args(&["SET", "k", "v"]), 10),
            Ok(Command::Write(Write {
                command: WriteCommand::Set(_),
                ..
            }))
        ));
        assert_eq!(
            parse(args(&["GET"]), 10).unwrap_err().as_str(),
            "ERR wrong number of arguments for 'get' command"
        );
        assert_eq!(
            parse(args(&["GET", "a", "b"]), 10).unwrap_err().as_str(),
            "ERR wrong number of arguments for 'get' command"
        );
        assert_eq!(
            parse(args(&["nope", "a", "b"]), 10).unwrap_err().as_str(),
            "ERR unknown command 'nope', with args beginning with: 'a' 'b' "
        );
    }

    #[test]
    fn docs_commands_md_lists_every_command_exactly_once() {
        // The Redis protocol's own connection commands follow; resp/ checks those.
        let docs = include_str!("../../docs/commands.md");
        let docs = docs
            .split("## Connection commands of the Redis protocol")
            .next()
            .unwrap();
        for name in command_names() {
            let row = format!("| `{}` |", name.to_ascii_uppercase());
            assert_eq!(
                docs.matches(&row).count(),
                1,
                "docs/commands.md should have one row {row}"
            );
        }
        let rows = docs.lines().filter(|line| line.starts_with("| `")).count();
        assert_eq!(
            rows,
            command_names().count(),
            "docs/commands.md lists a command the server lacks"
        );
    }

    mod fuzz {
        use proptest::prelude::*;

        use super::*;

        /// Words commands take, and arguments at their edges.
        const WORDS: &[&str] = &[
            "NX",
            "XX",
            "CH",
            "GT",
            "LT",
            "EX",
            "PX",
            "KEEPTTL",
            "GET",
            "COUNT",
            "ANY",
            "ASC",
            "DESC",
            "LIMIT",
            "MATCH",
            "TYPE",
            "WITHSCORES",
            "WITHDIST",
            "WITHCOORD",
            "WITHHASH",
            "STORE",
            "STOREDIST",
            "FROMMEMBER",
            "FROMLONLAT",
            "BYRADIUS",
            "BYBOX",
            "BYSCORE",
            "BYLEX",
            "REV",
            "km",
            "m",
            "INDENT",
            "NEWLINE",
            "SPACE",
            "$",
            "$..a",
            ".",
            ".a",
            "$[0]",
            "$[",
            "[1,2]",
            "{\"a\":1}",
            "\"s\"",
            "null",
            "0",
            "1",
            "-1",
            "2",
            "inf",
            "-inf",
            "nan",
            "1e400",
            "(1",
            "[a",
            "-",
            "+",
            "9223372036854775807",
            "-9223372036854775808",
            "",
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(5000))]

            /// What the Upstash door and the Redis protocol hand the engine, at random: every
            /// command parses or answers an error, and never panics.
            #[test]
            fn any_arguments_to_any_command_parse_or_fail_without_panicking(
                name in prop::sample::select(command_names().collect::<Vec<_>>()),
                arguments in prop::collection::vec(
                    prop_oneof![prop::sample::select(WORDS).prop_map(str::to_owned), "[ -~]{0,6}"],
                    0..9,
                ),
            ) {
                let mut words = vec![name.to_owned()];
                words.extend(arguments);
                let words: Vec<&str> = words.iter().map(String::as_str).collect();
                let _ = parse(args(&words), 64);
            }
        }
    }

    #[test]
    fn values_over_the_limit_are_refused() {
        assert_eq!(
            parse(args(&["SET", "k", "12345678901"]), 10).unwrap_err().as_str(),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        );
    }
}
