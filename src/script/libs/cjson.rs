//! `cjson`: JSON as lua-cjson encodes and decodes it, with `cjson.null` for JSON's null.

use mlua::{IntoLuaMulti, LightUserData, Lua, MultiValue, Table, Value};

use super::super::number::format_g;
use super::{library as table_of, string_argument};

/// How deep a value may nest, as lua-cjson's default `encode_max_depth`.
const MAX_DEPTH: usize = 1000;

/// `cjson.null`: a light userdata holding NULL, as lua-cjson's.
fn null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

pub fn library(lua: &Lua) -> mlua::Result<Table> {
    let cjson = table_of(lua, [("encode", encode), ("decode", decode)])?;
    cjson.raw_set("null", null())?;
    Ok(cjson)
}

fn encode(lua: &Lua, arguments: MultiValue) -> mlua::Result<MultiValue> {
    if arguments.len() != 1 {
        return Err(mlua::Error::runtime(
            "bad argument #1 to 'encode' (expected 1 argument)",
        ));
    }
    let mut out = Vec::new();
    write_value(&mut out, &arguments[0], 1)?;
    lua.create_string(out)?.into_lua_multi(lua)
}

fn write_value(out: &mut Vec<u8>, value: &Value, depth: usize) -> mlua::Result<()> {
    match value {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(pointer) if pointer.0.is_null() => out.extend_from_slice(b"null"),
        Value::Boolean(flag) => out.extend_from_slice(if *flag { b"true" } else { b"false" }),
        Value::Integer(number) => write_number(out, *number as f64)?,
        Value::Number(number) => write_number(out, *number)?,
        Value::String(text) => write_string(out, &text.as_bytes()),
        Value::Table(table) => write_table(out, table, depth)?,
        other => {
            return Err(mlua::Error::runtime(format!(
                "Cannot serialise {}: type not supported",
                other.type_name()
            )));
        }
    }
    Ok(())
}

fn write_number(out: &mut Vec<u8>, number: f64) -> mlua::Result<()> {
    if !number.is_finite() {
        return Err(mlua::Error::runtime("Cannot serialise number: must not be NaN or Inf"));
    }
    out.extend_from_slice(format_g(number, 14).as_bytes());
    Ok(())
}

fn write_string(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'"');
    for &byte in text {
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0..0x20 | 0x7f => out.extend_from_slice(format!("\\u{byte:04x}").as_bytes()),
            _ => out.push(byte),
        }
    }
    out.push(b'"');
}

/// A table is an array when every key is a positive integer; lua-cjson refuses one whose
/// largest index is over twice its element count (and over 10) as excessively sparse.
fn array_length(table: &Table) -> mlua::Result<Option<usize>> {
    let (mut count, mut largest) = (0usize, 0usize);
    for pair in table.pairs::<Value, Value>() {
        let (key, _) = pair?;
        let index = match key {
            Value::Integer(index) if index >= 1 => index as usize,
            Value::Number(index) if index >= 1.0 && index.fract() == 0.0 => index as usize,
            _ => return Ok(None),
        };
        count += 1;
        largest = largest.max(index);
    }
    if largest > 10 && largest > count * 2 {
        return Err(mlua::Error::runtime("Cannot serialise table: excessively sparse array"));
    }
    Ok((count > 0).then_some(largest))
}

fn write_table(out: &mut Vec<u8>, table: &Table, depth: usize) -> mlua::Result<()> {
    if depth > MAX_DEPTH {
        return Err(mlua::Error::runtime(format!(
            "Cannot serialise, excessive nesting ({depth})"
        )));
    }
    if let Some(length) = array_length(table)? {
        out.push(b'[');
        for index in 1..=length {
            if index > 1 {
                out.push(b',');
            }
            write_value(out, &table.raw_get::<Value>(index)?, depth + 1)?;
        }
        out.push(b']');
        return Ok(());
    }
    out.push(b'{');
    for (position, pair) in table.pairs::<Value, Value>().enumerate() {
        let (key, value) = pair?;
        if position > 0 {
            out.push(b',');
        }
        match key {
            Value::String(text) => write_string(out, &text.as_bytes()),
            Value::Integer(number) => write_string(out, format_g(number as f64, 14).as_bytes()),
            Value::Number(number) => write_string(out, format_g(number, 14).as_bytes()),
            _ => {
                return Err(mlua::Error::runtime(
                    "Cannot serialise table: table key must be a number or string",
                ));
            }
        }
        out.push(b':');
        write_value(out, &value, depth + 1)?;
    }
    out.push(b'}');
    Ok(())
}

fn decode(lua: &Lua, arguments: MultiValue) -> mlua::Result<MultiValue> {
    if arguments.len() != 1 {
        return Err(mlua::Error::runtime(
            "bad argument #1 to 'decode' (expected 1 argument)",
        ));
    }
    let text = string_argument(&arguments, 0, "decode")?;
    let json: serde_json::Value = serde_json::from_slice(&text).map_err(|error| {
        mlua::Error::runtime(format!(
            "Expected value but found invalid token at character {}",
            error.column().saturating_sub(1).max(1)
        ))
    })?;
    to_lua(lua, &json)?.into_lua_multi(lua)
}

fn to_lua(lua: &Lua, json: &serde_json::Value) -> mlua::Result<Value> {
    Ok(match json {
        serde_json::Value::Null => null(),
        serde_json::Value::Bool(flag) => Value::Boolean(*flag),
        serde_json::Value::Number(number) => Value::Number(number.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(text) => Value::String(lua.create_string(text)?),
        serde_json::Value::Array(items) => {
            let table = lua.create_table_with_capacity(items.len(), 0)?;
            for (index, item) in items.iter().enumerate() {
                table.raw_set(index + 1, to_lua(lua, item)?)?;
            }
            Value::Table(table)
        }
        serde_json::Value::Object(fields) => {
            let table = lua.create_table_with_capacity(0, fields.len())?;
            for (name, value) in fields {
                table.raw_set(name.as_str(), to_lua(lua, value)?)?;
            }
            Value::Table(table)
        }
    })
}
