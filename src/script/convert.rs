//! Redis's conversions between replies and Lua values, both ways.
//!
//! A command's reply reaches Lua as RESP2 or RESP3 types, as `redis.setresp` chose; what a
//! script returns becomes a reply by Redis's rules: numbers truncated to integers, tables
//! read as arrays up to their first nil, `{ok=...}`, `{err=...}`, `{double=...}`, `{map=...}`
//! and `{set=...}` tables as those replies, `true` as 1 and `false` as nil.

use bytes::Bytes;
use mlua::{Lua, Table, Value};

use super::number::{format_g, truncate};
use crate::reply::{CmdError, Reply};

/// How deep a returned table may nest before the script fails: Redis's C stack would
/// overflow somewhere past this.
const MAX_DEPTH: usize = 1000;

/// The protocol whose types a command's reply reaches Lua in (`redis.setresp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Resp2,
    Resp3,
}

/// A command's reply as the Lua value `redis.call` returns (or, for an error, the
/// `{err=...}` table `redis.pcall` returns).
pub fn reply_to_lua(lua: &Lua, reply: Reply, protocol: Protocol) -> mlua::Result<Value> {
    let reply = match protocol {
        Protocol::Resp2 => reply.into_resp2(),
        Protocol::Resp3 => reply,
    };
    Ok(match reply {
        Reply::Nil | Reply::NilArray => match protocol {
            Protocol::Resp2 => Value::Boolean(false),
            Protocol::Resp3 => Value::Nil,
        },
        Reply::Int(number) => Value::Number(number as f64),
        Reply::Bulk(bytes) => Value::String(lua.create_string(&bytes)?),
        Reply::Status(text) => single_field(lua, "ok", Value::String(lua.create_string(text.as_bytes())?))?,
        Reply::Error(error) => error_table(lua, error.as_str())?,
        Reply::Double(number) | Reply::FixedDouble(number) => single_field(lua, "double", Value::Number(number))?,
        Reply::Array(items) | Reply::Push(items) => array(lua, items, protocol)?,
        Reply::Pairs(pairs) => {
            let items = pairs
                .into_iter()
                .map(|(first, second)| Reply::Array(vec![first, second]));
            array(lua, items.collect(), protocol)?
        }
        Reply::Map(pairs) => {
            let map = lua.create_table()?;
            for (key, value) in pairs {
                map.raw_set(reply_to_lua(lua, key, protocol)?, reply_to_lua(lua, value, protocol)?)?;
            }
            single_field(lua, "map", Value::Table(map))?
        }
        Reply::Set(members) => {
            let set = lua.create_table()?;
            for member in members {
                set.raw_set(reply_to_lua(lua, member, protocol)?, true)?;
            }
            single_field(lua, "set", Value::Table(set))?
        }
    })
}

/// The `{err=...}` table an error reply is in Lua.
pub fn error_table(lua: &Lua, message: &str) -> mlua::Result<Value> {
    single_field(lua, "err", Value::String(lua.create_string(message)?))
}

fn single_field(lua: &Lua, name: &str, value: Value) -> mlua::Result<Value> {
    let table = lua.create_table_with_capacity(0, 1)?;
    table.raw_set(name, value)?;
    Ok(Value::Table(table))
}

fn array(lua: &Lua, items: Vec<Reply>, protocol: Protocol) -> mlua::Result<Value> {
    let table = lua.create_table_with_capacity(items.len(), 0)?;
    for (index, item) in items.into_iter().enumerate() {
        table.raw_set(index + 1, reply_to_lua(lua, item, protocol)?)?;
    }
    Ok(Value::Table(table))
}

/// What a script returned, as its reply.
pub fn lua_to_reply(value: &Value) -> Result<Reply, CmdError> {
    to_reply(value, 0)
}

fn to_reply(value: &Value, depth: usize) -> Result<Reply, CmdError> {
    if depth > MAX_DEPTH {
        return Err(CmdError::new("ERR reached lua stack limit"));
    }
    Ok(match value {
        Value::String(text) => Reply::Bulk(Bytes::copy_from_slice(&text.as_bytes())),
        Value::Boolean(true) => Reply::Int(1),
        Value::Integer(number) => Reply::Int(*number),
        Value::Number(number) => Reply::Int(truncate(*number)),
        Value::Table(table) => table_to_reply(table, depth)?,
        _ => Reply::Nil,
    })
}

fn table_to_reply(table: &Table, depth: usize) -> Result<Reply, CmdError> {
    let field = |name: &str| table.raw_get::<Value>(name).unwrap_or(Value::Nil);
    if let Value::String(error) = field("err") {
        return Ok(Reply::Error(CmdError::new(error.to_string_lossy())));
    }
    if let Value::String(status) = field("ok") {
        return Ok(Reply::Status(status.to_string_lossy().into()));
    }
    if let Some(number) = as_number(&field("double")) {
        return Ok(Reply::Double(number));
    }
    if let Value::Table(map) = field("map") {
        let mut pairs = Vec::new();
        for pair in map.pairs::<Value, Value>() {
            let (key, value) = pair.map_err(lua_error)?;
            pairs.push((to_reply(&key, depth + 1)?, to_reply(&value, depth + 1)?));
        }
        return Ok(Reply::Map(pairs));
    }
    if let Value::Table(set) = field("set") {
        let mut members = Vec::new();
        for pair in set.pairs::<Value, Value>() {
            let (member, _) = pair.map_err(lua_error)?;
            members.push(to_reply(&member, depth + 1)?);
        }
        return Ok(Reply::Set(members));
    }
    let mut items = Vec::new();
    for index in 1.. {
        match table.raw_get::<Value>(index).map_err(lua_error)? {
            Value::Nil => break,
            item => items.push(to_reply(&item, depth + 1)?),
        }
    }
    Ok(Reply::Array(items))
}

fn lua_error(error: mlua::Error) -> CmdError {
    CmdError::new(format!("ERR {error}"))
}

/// A Lua number, whichever way mlua holds it.
pub fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(number) => Some(*number as f64),
        Value::Number(number) => Some(*number),
        _ => None,
    }
}

/// A `redis.call` argument as the command receives it: strings as they are, numbers as
/// `%.17g` writes them; anything else is refused, as Redis does.
pub fn command_argument(value: &Value) -> Option<Bytes> {
    match value {
        Value::String(text) => Some(Bytes::copy_from_slice(&text.as_bytes())),
        Value::Integer(number) => Some(Bytes::from(number.to_string())),
        Value::Number(number) => Some(Bytes::from(format_g(*number, 17))),
        _ => None,
    }
}
