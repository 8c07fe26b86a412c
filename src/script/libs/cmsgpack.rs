//! `cmsgpack`: MessagePack as lua-cmsgpack packs and unpacks it.

use mlua::{IntoLuaMulti, Lua, MultiValue, Table, Value};

use super::{library as table_of, string_argument};

/// How deep tables nest before lua-cmsgpack packs nil instead.
const MAX_NESTING: usize = 16;

pub fn library(lua: &Lua) -> mlua::Result<Table> {
    table_of(lua, [("pack", pack), ("unpack", unpack)])
}

/// `cmsgpack.pack(...)`: each argument packed, one after another.
fn pack(lua: &Lua, arguments: MultiValue) -> mlua::Result<MultiValue> {
    if arguments.is_empty() {
        return Err(mlua::Error::runtime("MessagePack pack needs input."));
    }
    let mut out = Vec::new();
    for value in &arguments {
        pack_value(&mut out, value, 0)?;
    }
    lua.create_string(out)?.into_lua_multi(lua)
}

fn pack_value(out: &mut Vec<u8>, value: &Value, depth: usize) -> mlua::Result<()> {
    match value {
        Value::Boolean(flag) => out.push(if *flag { 0xc3 } else { 0xc2 }),
        Value::Integer(number) => pack_integer(out, *number),
        Value::Number(number) => pack_number(out, *number),
        Value::String(text) => pack_string(out, &text.as_bytes()),
        Value::Table(table) if depth < MAX_NESTING => pack_table(out, table, depth)?,
        _ => out.push(0xc0),
    }
    Ok(())
}

fn pack_number(out: &mut Vec<u8>, number: f64) {
    if number.fract() == 0.0 && number.is_finite() && (i64::MIN as f64..i64::MAX as f64).contains(&number) {
        pack_integer(out, number as i64);
    } else if f64::from(number as f32) == number || number.is_nan() {
        out.push(0xca);
        out.extend_from_slice(&(number as f32).to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&number.to_be_bytes());
    }
}

fn pack_integer(out: &mut Vec<u8>, number: i64) {
    match number {
        0..=0x7f => out.push(number as u8),
        0x80..=0xff => out.extend_from_slice(&[0xcc, number as u8]),
        0x100..=0xffff => {
            out.push(0xcd);
            out.extend_from_slice(&(number as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0xce);
            out.extend_from_slice(&(number as u32).to_be_bytes());
        }
        0x1_0000_0000.. => {
            out.push(0xcf);
            out.extend_from_slice(&(number as u64).to_be_bytes());
        }
        -32..=-1 => out.push(number as i8 as u8),
        -128..=-33 => out.extend_from_slice(&[0xd0, number as i8 as u8]),
        -32768..=-129 => {
            out.push(0xd1);
            out.extend_from_slice(&(number as i16).to_be_bytes());
        }
        -2_147_483_648..=-32769 => {
            out.push(0xd2);
            out.extend_from_slice(&(number as i32).to_be_bytes());
        }
        _ => {
            out.push(0xd3);
            out.extend_from_slice(&number.to_be_bytes());
        }
    }
}

fn pack_string(out: &mut Vec<u8>, text: &[u8]) {
    let length = text.len();
    match length {
        0..32 => out.push(0xa0 | length as u8),
        32..0x100 => out.extend_from_slice(&[0xd9, length as u8]),
        0x100..0x1_0000 => {
            out.push(0xda);
            out.extend_from_slice(&(length as u16).to_be_bytes());
        }
        _ => {
            out.push(0xdb);
            out.extend_from_slice(&(length as u32).to_be_bytes());
        }
    }
    out.extend_from_slice(text);
}

/// A header for an array or a map of `length` entries.
fn pack_header(out: &mut Vec<u8>, length: usize, fixed: u8, sixteen: u8, thirty_two: u8) {
    if length < 16 {
        out.push(fixed | length as u8);
    } else if length < 0x1_0000 {
        out.push(sixteen);
        out.extend_from_slice(&(length as u16).to_be_bytes());
    } else {
        out.push(thirty_two);
        out.extend_from_slice(&(length as u32).to_be_bytes());
    }
}

/// A table whose keys are exactly 1..n packs as an array, any other as a map.
fn pack_table(out: &mut Vec<u8>, table: &Table, depth: usize) -> mlua::Result<()> {
    let pairs: Vec<(Value, Value)> = table.pairs::<Value, Value>().collect::<mlua::Result<_>>()?;
    let is_array = pairs
        .iter()
        .all(|(key, _)| matches!(key, Value::Integer(index) if *index >= 1 && *index as usize <= pairs.len()));
    if is_array {
        pack_header(out, pairs.len(), 0x90, 0xdc, 0xdd);
        for index in 1..=pairs.len() {
            pack_value(out, &table.raw_get::<Value>(index)?, depth + 1)?;
        }
    } else {
        pack_header(out, pairs.len(), 0x80, 0xde, 0xdf);
        for (key, value) in &pairs {
            pack_value(out, key, depth + 1)?;
            pack_value(out, value, depth + 1)?;
        }
    }
    Ok(())
}

/// `cmsgpack.unpack(data)`: every object packed in `data`, as separate values.
fn unpack(lua: &Lua, arguments: MultiValue) -> mlua::Result<MultiValue> {
    let data = string_argument(&arguments, 0, "unpack")?;
    let mut reader = Reader { data: &data, at: 0 };
    let mut values = Vec::new();
    while reader.at < data.len() {
        values.push(reader.value(lua)?);
    }
    Ok(MultiValue::from_iter(values))
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, count: usize) -> mlua::Result<&[u8]> {
        let end = self.at.checked_add(count).filter(|end| *end <= self.data.len());
        let end = end.ok_or_else(|| mlua::Error::runtime("Missing bytes in input."))?;
        let taken = &self.data[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn uint(&mut self, bytes: usize) -> mlua::Result<u64> {
        Ok(self
            .take(bytes)?
            .iter()
            .fold(0, |number, byte| number << 8 | u64::from(*byte)))
    }

    fn int(&mut self, bytes: usize) -> mlua::Result<i64> {
        let unsigned = self.uint(bytes)?;
        let shift = 64 - 8 * bytes as u32;
        Ok(((unsigned << shift) as i64) >> shift)
    }

    fn value(&mut self, lua: &Lua) -> mlua::Result<Value> {
        let marker = self.take(1)?[0];
        Ok(match marker {
            0x00..=0x7f => Value::Integer(i64::from(marker)),
            0x80..=0x8f => self.map(lua, usize::from(marker & 0x0f))?,
            0x90..=0x9f => self.array(lua, usize::from(marker & 0x0f))?,
            0xa0..=0xbf => self.string(lua, usize::from(marker & 0x1f))?,
            0xc0 => Value::Nil,
            0xc2 => Value::Boolean(false),
            0xc3 => Value::Boolean(true),
            0xca => Value::Number(f64::from(f32::from_bits(self.uint(4)? as u32))),
            0xcb => Value::Number(f64::from_bits(self.uint(8)?)),
            0xcc => Value::Integer(self.uint(1)? as i64),
            0xcd => Value::Integer(self.uint(2)? as i64),
            0xce => Value::Integer(self.uint(4)? as i64),
            0xcf => Value::Number(self.uint(8)? as f64),
            0xd0 => Value::Integer(self.int(1)?),
            0xd1 => Value::Integer(self.int(2)?),
            0xd2 => Value::Integer(self.int(4)?),
            0xd3 => Value::Integer(self.int(8)?),
            0xc4 | 0xd9 => self.length(1).and_then(|length| self.string(lua, length))?,
            0xc5 | 0xda => self.length(2).and_then(|length| self.string(lua, length))?,
            0xc6 | 0xdb => self.length(4).and_then(|length| self.string(lua, length))?,
            0xdc => self.length(2).and_then(|length| self.array(lua, length))?,
            0xdd => self.length(4).and_then(|length| self.array(lua, length))?,
            0xde => self.length(2).and_then(|length| self.map(lua, length))?,
            0xdf => self.length(4).and_then(|length| self.map(lua, length))?,
            0xe0..=0xff => Value::Integer(i64::from(marker as i8)),
            _ => return Err(mlua::Error::runtime("Bad data format in input.")),
        })
    }

    /// A length of `bytes` bytes, as a string, array or map header carries it.
    fn length(&mut self, bytes: usize) -> mlua::Result<usize> {
        Ok(self.uint(bytes)? as usize)
    }

    fn string(&mut self, lua: &Lua, length: usize) -> mlua::Result<Value> {
        Ok(Value::String(lua.create_string(self.take(length)?)?))
    }

    fn array(&mut self, lua: &Lua, length: usize) -> mlua::Result<Value> {
        let table = lua.create_table_with_capacity(length.min(1024), 0)?;
        for index in 1..=length {
            table.raw_set(index, self.value(lua)?)?;
        }
        Ok(Value::Table(table))
    }

    fn map(&mut self, lua: &Lua, length: usize) -> mlua::Result<Value> {
        let table = lua.create_table_with_capacity(0, length.min(1024))?;
        for _ in 0..length {
            let key = self.value(lua)?;
            let value = self.value(lua)?;
            if key != Value::Nil {
                table.raw_set(key, value)?;
            }
        }
        Ok(Value::Table(table))
    }
}
