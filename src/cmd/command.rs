//! The command table: every supported command's name, arity and parser, and the parsed
//! [`Command`], split by whether it writes.

use bytes::Bytes;

use super::args::Args;
use super::condition::Condition::{Always, IfMissing};
use super::expiry::TimeBase::{FromNow, UnixEpoch};
use super::expiry::TimeUnit::{Milliseconds, Seconds};
use super::hashes::HSetReply::{CountNew, StatusOk};
use super::hashes::Parts::{Fields, FieldsAndValues, Values};
use super::hashes::{
    HDel, HExists, HExpire, HGet, HGetAll, HGetDel, HGetEx, HIncrBy, HIncrByFloat, HLen, HMGet, HPersist, HRandField,
    HScan, HSet, HSetEx, HStrLen, HTtl,
};
use super::keys::{Copy, Del, Exists, Expire, Keys, Object, Persist, RandomKey, Rename, Scan, Ttl, Type};
use super::lists::{LIndex, LInsert, LLen, LMPop, LMove, LPop, LPos, LPush, LRange, LRem, LSet, LTrim};
use super::server::{DbSize, Echo, Flush, Ping, Time};
use super::sets::{
    SAdd, SCard, SCombine, SInterCard, SIsMember, SMembers, SMove, SPop, SRandMember, SRem, SScan, SStore,
};
use super::strings::{Append, Get, GetDel, GetEx, GetRange, IncrBy, IncrByFloat, MGet, MSet, Set, SetRange, StrLen};
use super::zsets::Operation::{Difference as ZDifference, Intersection as ZIntersection, Union as ZUnion};
use super::zsets::{
    Syntax, ZAdd, ZCard, ZCombine, ZCount, ZInterCard, ZMPop, ZPop, ZRandMember, ZRange, ZRangeStore, ZRank, ZRem,
    ZRemRange, ZScan, ZScore, ZStore,
};
use super::{CmdError, ExecError, Reply};
use crate::store::Combine::{Difference, Intersection, Union};
use crate::store::End::{Head, Tail};
use crate::store::Order::{Ascending, Descending};
use crate::store::{ReadView, WriteTx};

/// A parsed command, ready to run.
#[derive(Debug)]
pub enum Command {
    /// Runs on a read connection (or inside a transaction), and never changes data.
    Read(ReadCommand),
    /// Runs in the writer's transaction.
    Write(WriteCommand),
}

impl Command {
    /// Whether a read-only token may run it: reads, except those that walk the whole
    /// keyspace, as Upstash's read-only tokens allow.
    pub fn is_allowed_read_only(&self) -> bool {
        matches!(self, Self::Read(read) if !matches!(read, ReadCommand::Keys(_) | ReadCommand::Scan(_)))
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
                Self::Write(WriteCommand::$write(command))
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
    read: Get, MGet, StrLen, GetRange, HGet, HMGet, HGetAll, HLen, HExists, HStrLen, HScan, HRandField, HTtl, LLen, LRange, LIndex, LPos, SMembers, SIsMember, SCard, SRandMember, SScan, SCombine, SInterCard, ZCard, ZScore, ZRank, ZCount, ZRange, ZRandMember, ZScan, ZCombine, ZInterCard, Exists, Ttl, Type, Object, Keys, Scan,
        RandomKey, DbSize, Ping, Echo, Time;
    write: Set, GetDel, GetEx, MSet, Append, SetRange, IncrBy, IncrByFloat, HSet, HDel, HIncrBy, HIncrByFloat, HExpire, HPersist, HGetDel, HGetEx, HSetEx, LPush, LPop, LSet, LInsert, LRem, LTrim, LMove, LMPop, SAdd, SRem, SPop, SMove, SStore, ZAdd, ZRem, ZPop, ZMPop, ZRemRange, ZRangeStore, ZStore, Del,
        Expire, Persist, Rename, Copy, Flush;
}

/// A supported command: its lowercase name, Redis's arity (counting the name; negative
/// means "at least"), and its parser.
struct Spec {
    name: &'static str,
    arity: i32,
    parse: fn(&mut Args) -> Result<Command, CmdError>,
}

const fn spec(name: &'static str, arity: i32, parse: fn(&mut Args) -> Result<Command, CmdError>) -> Spec {
    Spec { name, arity, parse }
}

/// Every supported command, in the order `docs/commands.md` lists them.
const COMMANDS: &[Spec] = &[
    // Strings and counters.
    spec("get", 2, |a| Ok(Get::parse(a)?.into())),
    spec("set", -3, |a| Ok(Set::parse(a)?.into())),
    spec("setnx", 3, |a| Ok(Set::parse_setnx(a)?.into())),
    spec("setex", 4, |a| Ok(Set::parse_setex(a, Seconds)?.into())),
    spec("psetex", 4, |a| Ok(Set::parse_setex(a, Milliseconds)?.into())),
    spec("getset", 3, |a| Ok(Set::parse_getset(a)?.into())),
    spec("getdel", 2, |a| Ok(GetDel::parse(a)?.into())),
    spec("getex", -2, |a| Ok(GetEx::parse(a)?.into())),
    spec("mget", -2, |a| Ok(MGet::parse(a)?.into())),
    spec("mset", -3, |a| Ok(MSet::parse(a, Always)?.into())),
    spec("msetnx", -3, |a| Ok(MSet::parse(a, IfMissing)?.into())),
    spec("append", 3, |a| Ok(Append::parse(a)?.into())),
    spec("strlen", 2, |a| Ok(StrLen::parse(a)?.into())),
    spec("getrange", 4, |a| Ok(GetRange::parse(a)?.into())),
    spec("substr", 4, |a| Ok(GetRange::parse(a)?.into())),
    spec("setrange", 4, |a| Ok(SetRange::parse(a)?.into())),
    spec("incr", 2, |a| Ok(IncrBy::parse_step(a, 1)?.into())),
    spec("incrby", 3, |a| Ok(IncrBy::parse_incrby(a)?.into())),
    spec("incrbyfloat", 3, |a| Ok(IncrByFloat::parse(a)?.into())),
    spec("decr", 2, |a| Ok(IncrBy::parse_step(a, -1)?.into())),
    spec("decrby", 3, |a| Ok(IncrBy::parse_decrby(a)?.into())),
    // Hashes.
    spec("hset", -4, |a| Ok(HSet::parse(a, CountNew)?.into())),
    spec("hmset", -4, |a| Ok(HSet::parse(a, StatusOk)?.into())),
    spec("hsetnx", 4, |a| Ok(HSet::parse_setnx(a)?.into())),
    spec("hget", 3, |a| Ok(HGet::parse(a)?.into())),
    spec("hmget", -3, |a| Ok(HMGet::parse(a)?.into())),
    spec("hgetall", 2, |a| Ok(HGetAll::parse(a, FieldsAndValues)?.into())),
    spec("hkeys", 2, |a| Ok(HGetAll::parse(a, Fields)?.into())),
    spec("hvals", 2, |a| Ok(HGetAll::parse(a, Values)?.into())),
    spec("hlen", 2, |a| Ok(HLen::parse(a)?.into())),
    spec("hexists", 3, |a| Ok(HExists::parse(a)?.into())),
    spec("hstrlen", 3, |a| Ok(HStrLen::parse(a)?.into())),
    spec("hscan", -3, |a| Ok(HScan::parse(a)?.into())),
    spec("hrandfield", -2, |a| Ok(HRandField::parse(a)?.into())),
    spec("hdel", -3, |a| Ok(HDel::parse(a)?.into())),
    spec("hincrby", 4, |a| Ok(HIncrBy::parse(a)?.into())),
    spec("hincrbyfloat", 4, |a| Ok(HIncrByFloat::parse(a)?.into())),
    spec("hexpire", -6, |a| Ok(HExpire::parse(a, Seconds, FromNow)?.into())),
    spec("hpexpire", -6, |a| Ok(HExpire::parse(a, Milliseconds, FromNow)?.into())),
    spec("hexpireat", -6, |a| Ok(HExpire::parse(a, Seconds, UnixEpoch)?.into())),
    spec("hpexpireat", -6, |a| {
        Ok(HExpire::parse(a, Milliseconds, UnixEpoch)?.into())
    }),
    spec("httl", -5, |a| Ok(HTtl::parse(a, Seconds, FromNow)?.into())),
    spec("hpttl", -5, |a| Ok(HTtl::parse(a, Milliseconds, FromNow)?.into())),
    spec("hexpiretime", -5, |a| Ok(HTtl::parse(a, Seconds, UnixEpoch)?.into())),
    spec("hpexpiretime", -5, |a| {
        Ok(HTtl::parse(a, Milliseconds, UnixEpoch)?.into())
    }),
    spec("hpersist", -5, |a| Ok(HPersist::parse(a)?.into())),
    spec("hgetdel", -5, |a| Ok(HGetDel::parse(a)?.into())),
    spec("hgetex", -5, |a| Ok(HGetEx::parse(a)?.into())),
    spec("hsetex", -6, |a| Ok(HSetEx::parse(a)?.into())),
    // Lists.
    spec("lpush", -3, |a| Ok(LPush::parse(a, Head, false)?.into())),
    spec("rpush", -3, |a| Ok(LPush::parse(a, Tail, false)?.into())),
    spec("lpushx", -3, |a| Ok(LPush::parse(a, Head, true)?.into())),
    spec("rpushx", -3, |a| Ok(LPush::parse(a, Tail, true)?.into())),
    spec("lpop", -2, |a| Ok(LPop::parse(a, Head)?.into())),
    spec("rpop", -2, |a| Ok(LPop::parse(a, Tail)?.into())),
    spec("llen", 2, |a| Ok(LLen::parse(a)?.into())),
    spec("lrange", 4, |a| Ok(LRange::parse(a)?.into())),
    spec("lindex", 3, |a| Ok(LIndex::parse(a)?.into())),
    spec("lpos", -3, |a| Ok(LPos::parse(a)?.into())),
    spec("lset", 4, |a| Ok(LSet::parse(a)?.into())),
    spec("linsert", 5, |a| Ok(LInsert::parse(a)?.into())),
    spec("lrem", 4, |a| Ok(LRem::parse(a)?.into())),
    spec("ltrim", 4, |a| Ok(LTrim::parse(a)?.into())),
    spec("lmove", 5, |a| Ok(LMove::parse(a)?.into())),
    spec("rpoplpush", 3, |a| Ok(LMove::parse_rpoplpush(a)?.into())),
    spec("lmpop", -4, |a| Ok(LMPop::parse(a)?.into())),
    // Sets.
    spec("sadd", -3, |a| Ok(SAdd::parse(a)?.into())),
    spec("srem", -3, |a| Ok(SRem::parse(a)?.into())),
    spec("smembers", 2, |a| Ok(SMembers::parse(a)?.into())),
    spec("sismember", 3, |a| Ok(SIsMember::parse(a, false)?.into())),
    spec("smismember", -3, |a| Ok(SIsMember::parse(a, true)?.into())),
    spec("scard", 2, |a| Ok(SCard::parse(a)?.into())),
    spec("spop", -2, |a| Ok(SPop::parse(a)?.into())),
    spec("srandmember", -2, |a| Ok(SRandMember::parse(a)?.into())),
    spec("smove", 4, |a| Ok(SMove::parse(a)?.into())),
    spec("sinter", -2, |a| {
        Ok(SCombine::parse(a, Intersection { limit: None })?.into())
    }),
    spec("sintercard", -3, |a| Ok(SInterCard::parse(a)?.into())),
    spec("sinterstore", -3, |a| {
        Ok(SStore::parse(a, Intersection { limit: None })?.into())
    }),
    spec("sunion", -2, |a| Ok(SCombine::parse(a, Union)?.into())),
    spec("sunionstore", -3, |a| Ok(SStore::parse(a, Union)?.into())),
    spec("sdiff", -2, |a| Ok(SCombine::parse(a, Difference)?.into())),
    spec("sdiffstore", -3, |a| Ok(SStore::parse(a, Difference)?.into())),
    spec("sscan", -3, |a| Ok(SScan::parse(a)?.into())),
    // Sorted sets.
    spec("zadd", -4, |a| Ok(ZAdd::parse(a)?.into())),
    spec("zincrby", 4, |a| Ok(ZAdd::parse_zincrby(a)?.into())),
    spec("zrem", -3, |a| Ok(ZRem::parse(a)?.into())),
    spec("zcard", 2, |a| Ok(ZCard::parse(a)?.into())),
    spec("zscore", 3, |a| Ok(ZScore::parse(a, false)?.into())),
    spec("zmscore", -3, |a| Ok(ZScore::parse(a, true)?.into())),
    spec("zrank", -3, |a| Ok(ZRank::parse(a, Ascending)?.into())),
    spec("zrevrank", -3, |a| Ok(ZRank::parse(a, Descending)?.into())),
    spec("zcount", 4, |a| Ok(ZCount::parse_scores(a)?.into())),
    spec("zlexcount", 4, |a| Ok(ZCount::parse_members(a)?.into())),
    spec("zrange", -4, |a| Ok(ZRange::parse(a, Syntax::Generic)?.into())),
    spec("zrangebyscore", -4, |a| {
        Ok(ZRange::parse(a, Syntax::ByScore(Ascending))?.into())
    }),
    spec("zrevrangebyscore", -4, |a| {
        Ok(ZRange::parse(a, Syntax::ByScore(Descending))?.into())
    }),
    spec("zrangebylex", -4, |a| {
        Ok(ZRange::parse(a, Syntax::ByLex(Ascending))?.into())
    }),
    spec("zrevrangebylex", -4, |a| {
        Ok(ZRange::parse(a, Syntax::ByLex(Descending))?.into())
    }),
    spec("zrevrange", -4, |a| {
        Ok(ZRange::parse(a, Syntax::Ranks(Descending))?.into())
    }),
    spec("zrangestore", -5, |a| Ok(ZRangeStore::parse(a)?.into())),
    spec("zpopmin", -2, |a| Ok(ZPop::parse(a, Ascending)?.into())),
    spec("zpopmax", -2, |a| Ok(ZPop::parse(a, Descending)?.into())),
    spec("zmpop", -4, |a| Ok(ZMPop::parse(a)?.into())),
    spec("zremrangebyrank", 4, |a| {
        Ok(ZRemRange::parse(a, Syntax::Ranks(Ascending))?.into())
    }),
    spec("zremrangebyscore", 4, |a| {
        Ok(ZRemRange::parse(a, Syntax::ByScore(Ascending))?.into())
    }),
    spec("zremrangebylex", 4, |a| {
        Ok(ZRemRange::parse(a, Syntax::ByLex(Ascending))?.into())
    }),
    spec("zunion", -3, |a| Ok(ZCombine::parse(a, ZUnion)?.into())),
    spec("zunionstore", -4, |a| Ok(ZStore::parse(a, ZUnion)?.into())),
    spec("zinter", -3, |a| Ok(ZCombine::parse(a, ZIntersection)?.into())),
    spec("zinterstore", -4, |a| Ok(ZStore::parse(a, ZIntersection)?.into())),
    spec("zintercard", -3, |a| Ok(ZInterCard::parse(a)?.into())),
    spec("zdiff", -3, |a| Ok(ZCombine::parse(a, ZDifference)?.into())),
    spec("zdiffstore", -4, |a| Ok(ZStore::parse(a, ZDifference)?.into())),
    spec("zrandmember", -2, |a| Ok(ZRandMember::parse(a)?.into())),
    spec("zscan", -3, |a| Ok(ZScan::parse(a)?.into())),
    // Keys and expiry.
    spec("del", -2, |a| Ok(Del::parse(a)?.into())),
    spec("unlink", -2, |a| Ok(Del::parse(a)?.into())),
    spec("exists", -2, |a| Ok(Exists::parse(a)?.into())),
    spec("touch", -2, |a| Ok(Exists::parse(a)?.into())),
    spec("expire", -3, |a| Ok(Expire::parse(a, Seconds, FromNow)?.into())),
    spec("pexpire", -3, |a| Ok(Expire::parse(a, Milliseconds, FromNow)?.into())),
    spec("expireat", -3, |a| Ok(Expire::parse(a, Seconds, UnixEpoch)?.into())),
    spec("pexpireat", -3, |a| {
        Ok(Expire::parse(a, Milliseconds, UnixEpoch)?.into())
    }),
    spec("persist", 2, |a| Ok(Persist::parse(a)?.into())),
    spec("ttl", 2, |a| Ok(Ttl::parse(a, Seconds, FromNow)?.into())),
    spec("pttl", 2, |a| Ok(Ttl::parse(a, Milliseconds, FromNow)?.into())),
    spec("expiretime", 2, |a| Ok(Ttl::parse(a, Seconds, UnixEpoch)?.into())),
    spec("pexpiretime", 2, |a| Ok(Ttl::parse(a, Milliseconds, UnixEpoch)?.into())),
    spec("type", 2, |a| Ok(Type::parse(a)?.into())),
    spec("object", -2, |a| Ok(Object::parse(a)?.into())),
    spec("rename", 3, |a| Ok(Rename::parse(a, Always)?.into())),
    spec("renamenx", 3, |a| Ok(Rename::parse(a, IfMissing)?.into())),
    spec("copy", -3, |a| Ok(Copy::parse(a)?.into())),
    spec("keys", 2, |a| Ok(Keys::parse(a)?.into())),
    spec("scan", -2, |a| Ok(Scan::parse(a)?.into())),
    spec("randomkey", 1, |_| Ok(RandomKey.into())),
    spec("dbsize", 1, |_| Ok(DbSize.into())),
    spec("flushdb", -1, |a| Ok(Flush::parse(a)?.into())),
    spec("flushall", -1, |a| Ok(Flush::parse(a)?.into())),
    // Connection.
    spec("ping", -1, |a| Ok(Ping::parse(a)?.into())),
    spec("echo", 2, |a| Ok(Echo::parse(a)?.into())),
    spec("time", 1, |_| Ok(Time.into())),
];

/// Finds the command named by `args[0]` (any case) and checks its argument count: the
/// checks Redis makes when it queues a command in a transaction.
fn lookup(args: &[Bytes]) -> Result<&'static Spec, CmdError> {
    let Some((name, rest)) = args.split_first() else {
        return Err(CmdError::new(
            "ERR empty command: send the command name first, e.g. [\"GET\", \"key\"]",
        ));
    };
    let Some(spec) = COMMANDS
        .iter()
        .find(|spec| name.eq_ignore_ascii_case(spec.name.as_bytes()))
    else {
        return Err(unknown_command(name, rest));
    };
    let count = args.len() as i64;
    let arity = i64::from(spec.arity);
    if (arity >= 0 && count != arity) || count < arity.abs() {
        return Err(CmdError::wrong_arity(spec.name));
    }
    Ok(spec)
}

/// Checks that `args` name a supported command with a fitting number of arguments.
pub fn check_known(args: &[Bytes]) -> Result<(), CmdError> {
    lookup(args).map(drop)
}

/// Parses a command: its name (any case) and arguments, as Redis receives them.
pub fn parse(mut args: Vec<Bytes>, max_value_bytes: usize) -> Result<Command, CmdError> {
    let spec = lookup(&args)?;
    args.remove(0);
    (spec.parse)(&mut Args::new(spec.name, args, max_value_bytes))
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

    fn command_names() -> impl Iterator<Item = &'static str> {
        COMMANDS.iter().map(|spec| spec.name)
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
            Ok(Command::Write(WriteCommand::Set(_)))
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
        let docs = include_str!("../../docs/commands.md");
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

    #[test]
    fn values_over_the_limit_are_refused() {
        assert_eq!(
            parse(args(&["SET", "k", "12345678901"]), 10).unwrap_err().as_str(),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        );
    }
}
