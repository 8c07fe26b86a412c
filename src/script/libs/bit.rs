//! `bit`: LuaBitOp's operations on numbers as 32-bit integers.

use mlua::{IntoLuaMulti, Lua, MultiValue, Table};

use super::{library as table_of, number_argument};

pub fn library(lua: &Lua) -> mlua::Result<Table> {
    table_of(
        lua,
        [
            ("tobit", |lua, a| unary(lua, &a, "tobit", |x| x)),
            ("bnot", |lua, a| unary(lua, &a, "bnot", |x| !x)),
            ("bswap", |lua, a| unary(lua, &a, "bswap", i32::swap_bytes)),
            ("band", |lua, a| fold(lua, &a, "band", |x, y| x & y)),
            ("bor", |lua, a| fold(lua, &a, "bor", |x, y| x | y)),
            ("bxor", |lua, a| fold(lua, &a, "bxor", |x, y| x ^ y)),
            ("lshift", |lua, a| {
                shift(lua, &a, "lshift", |x, n| ((x as u32) << n) as i32)
            }),
            ("rshift", |lua, a| {
                shift(lua, &a, "rshift", |x, n| ((x as u32) >> n) as i32)
            }),
            ("arshift", |lua, a| shift(lua, &a, "arshift", |x, n| x >> n)),
            ("rol", |lua, a| {
                shift(lua, &a, "rol", |x, n| (x as u32).rotate_left(n) as i32)
            }),
            ("ror", |lua, a| {
                shift(lua, &a, "ror", |x, n| (x as u32).rotate_right(n) as i32)
            }),
            ("tohex", tohex),
        ],
    )
}

/// A number as LuaBitOp reads it: rounded to an integer, then taken modulo 2^32.
fn to_bit(x: f64) -> i32 {
    (x.round_ties_even() as i128).rem_euclid(1 << 32) as u32 as i32
}

fn unary(lua: &Lua, arguments: &MultiValue, name: &str, op: fn(i32) -> i32) -> mlua::Result<MultiValue> {
    op(to_bit(number_argument(arguments, 0, name)?)).into_lua_multi(lua)
}

fn fold(lua: &Lua, arguments: &MultiValue, name: &str, op: fn(i32, i32) -> i32) -> mlua::Result<MultiValue> {
    let mut result = to_bit(number_argument(arguments, 0, name)?);
    for index in 1..arguments.len() {
        result = op(result, to_bit(number_argument(arguments, index, name)?));
    }
    result.into_lua_multi(lua)
}

fn shift(lua: &Lua, arguments: &MultiValue, name: &str, op: fn(i32, u32) -> i32) -> mlua::Result<MultiValue> {
    let x = to_bit(number_argument(arguments, 0, name)?);
    let n = to_bit(number_argument(arguments, 1, name)?) as u32 & 31;
    op(x, n).into_lua_multi(lua)
}

/// `bit.tohex(x [, n])`: `n` hex digits (8 by default), uppercase when `n` is negative.
fn tohex(lua: &Lua, arguments: MultiValue) -> mlua::Result<MultiValue> {
    let x = to_bit(number_argument(&arguments, 0, "tohex")?) as u32;
    let n = match arguments.get(1) {
        Some(_) => to_bit(number_argument(&arguments, 1, "tohex")?),
        None => 8,
    };
    let digits = n.unsigned_abs().clamp(1, 8) as usize;
    let masked = if digits == 8 { x } else { x & ((1 << (digits * 4)) - 1) };
    let text = match n < 0 {
        true => format!("{masked:0digits$X}"),
        false => format!("{masked:0digits$x}"),
    };
    text.into_lua_multi(lua)
}
