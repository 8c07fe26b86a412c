//! The libraries Redis gives scripts besides Lua's own, written anew in Rust to behave as
//! Redis's C ones do: `bit` (LuaBitOp), `cjson` (lua-cjson), `cmsgpack` (lua-cmsgpack) and
//! `struct` (Roberto Ierusalimschy's struct library).

pub mod bit;
pub mod cjson;
pub mod cmsgpack;
pub mod structs;

use mlua::{Lua, Table, Value};

/// A library function: Lua's arguments in, its results out.
type LibraryFunction = fn(&Lua, mlua::MultiValue) -> mlua::Result<mlua::MultiValue>;

/// A library table of Rust functions.
fn library<const N: usize>(lua: &Lua, functions: [(&str, LibraryFunction); N]) -> mlua::Result<Table> {
    let table = lua.create_table()?;
    for (name, function) in functions {
        table.raw_set(name, lua.create_function(function)?)?;
    }
    Ok(table)
}

/// The `index`th argument (from 0) as a number, or Lua's "bad argument" error.
fn number_argument(arguments: &mlua::MultiValue, index: usize, function: &str) -> mlua::Result<f64> {
    match arguments.get(index) {
        Some(Value::Integer(number)) => Ok(*number as f64),
        Some(Value::Number(number)) => Ok(*number),
        Some(Value::String(text)) => text
            .to_str()
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .ok_or_else(|| bad_argument(index, function, "number expected")),
        _ => Err(bad_argument(index, function, "number expected")),
    }
}

/// The `index`th argument (from 0) as bytes, or Lua's "bad argument" error.
fn string_argument(arguments: &mlua::MultiValue, index: usize, function: &str) -> mlua::Result<Vec<u8>> {
    match arguments.get(index) {
        Some(Value::String(text)) => Ok(text.as_bytes().to_vec()),
        Some(Value::Integer(number)) => Ok(number.to_string().into_bytes()),
        Some(Value::Number(number)) => Ok(super::number::format_g(*number, 14).into_bytes()),
        _ => Err(bad_argument(index, function, "string expected")),
    }
}

fn bad_argument(index: usize, function: &str, problem: &str) -> mlua::Error {
    mlua::Error::runtime(format!("bad argument #{} to '{function}' ({problem})", index + 1))
}
