//! `struct`: binary packing by a format string (`>I2`, `<i4s`, ...), as Roberto
//! Ierusalimschy's struct library, which Redis ships, does it.

use mlua::{IntoLuaMulti, Lua, MultiValue, Table, Value};

use super::{bad_argument, library as table_of, number_argument, string_argument};

pub fn library(lua: &Lua) -> mlua::Result<Table> {
    table_of(lua, [("pack", pack), ("unpack", unpack), ("size", size)])
}

/// One item of a format string.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A padding byte.
    Pad,
    Int {
        size: usize,
        signed: bool,
    },
    Float,
    Double,
    /// `n` bytes of a string (0: as many as the string has, or as the previous integer said).
    Chars(usize),
    /// A string ended by a zero byte.
    ZeroTerminated,
}

impl Item {
    fn size(self) -> usize {
        match self {
            Self::Pad => 1,
            Self::Int { size, .. } => size,
            Self::Float => 4,
            Self::Double => 8,
            Self::Chars(size) => size,
            Self::ZeroTerminated => 0,
        }
    }
}

/// A format string, read item by item, with the byte order and alignment in force.
struct Format<'a> {
    text: &'a [u8],
    at: usize,
    little_endian: bool,
    align: usize,
}

impl<'a> Format<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            at: 0,
            little_endian: cfg!(target_endian = "little"),
            align: 1,
        }
    }

    fn number(&mut self, default: usize) -> usize {
        let digits = self.text[self.at..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        let number = std::str::from_utf8(&self.text[self.at..self.at + digits])
            .ok()
            .and_then(|text| text.parse().ok());
        self.at += digits;
        number.unwrap_or(default)
    }

    /// The next item, after the settings before it; `None` at the end.
    fn next_item(&mut self) -> mlua::Result<Option<Item>> {
        while let Some(&option) = self.text.get(self.at) {
            self.at += 1;
            let item = match option {
                b' ' => continue,
                b'>' => {
                    self.little_endian = false;
                    continue;
                }
                b'<' => {
                    self.little_endian = true;
                    continue;
                }
                b'=' => {
                    self.little_endian = cfg!(target_endian = "little");
                    continue;
                }
                b'!' => {
                    self.align = self.number(8);
                    continue;
                }
                b'x' => Item::Pad,
                b'b' | b'B' => Item::Int {
                    size: 1,
                    signed: option == b'b',
                },
                b'h' | b'H' => Item::Int {
                    size: 2,
                    signed: option == b'h',
                },
                b'l' | b'L' | b'T' => Item::Int {
                    size: 8,
                    signed: option == b'l',
                },
                b'i' | b'I' => {
                    let size = self.number(4);
                    if !(1..=8).contains(&size) {
                        return Err(mlua::Error::runtime(format!(
                            "integral size {size} is larger than limit of 8"
                        )));
                    }
                    Item::Int {
                        size,
                        signed: option == b'i',
                    }
                }
                b'f' => Item::Float,
                b'd' => Item::Double,
                b'c' => Item::Chars(self.number(1)),
                b's' => Item::ZeroTerminated,
                other => {
                    return Err(mlua::Error::runtime(format!(
                        "invalid format option '{}'",
                        other as char
                    )));
                }
            };
            return Ok(Some(item));
        }
        Ok(None)
    }

    /// Padding before an item of `size` at offset `at`, under `!` alignment.
    fn padding(&self, item: Item, at: usize) -> usize {
        let size = item.size();
        if size <= 1 || matches!(item, Item::Chars(_)) {
            return 0;
        }
        let align = size.min(self.align);
        if !align.is_power_of_two() {
            return 0;
        }
        (align - (at & (align - 1))) & (align - 1)
    }
}

fn pack(lua: &Lua, arguments: MultiValue) -> mlua::Result<MultiValue> {
    let format = string_argument(&arguments, 0, "pack")?;
    let mut format = Format::new(&format);
    let mut out = Vec::new();
    let mut argument = 1;
    while let Some(item) = format.next_item()? {
        out.resize(out.len() + format.padding(item, out.len()), 0);
        match item {
            Item::Pad => out.push(0),
            Item::Int { size, .. } => {
                let number = number_argument(&arguments, argument, "pack")?;
                let bits = super::super::number::truncate(number) as u64;
                let bytes = bits.to_le_bytes();
                let bytes = &bytes[..size];
                extend_ordered(&mut out, bytes, format.little_endian);
                argument += 1;
            }
            Item::Float => {
                let number = number_argument(&arguments, argument, "pack")? as f32;
                extend_ordered(&mut out, &number.to_le_bytes(), format.little_endian);
                argument += 1;
            }
            Item::Double => {
                let number = number_argument(&arguments, argument, "pack")?;
                extend_ordered(&mut out, &number.to_le_bytes(), format.little_endian);
                argument += 1;
            }
            Item::Chars(size) => {
                let text = string_argument(&arguments, argument, "pack")?;
                let size = if size == 0 { text.len() } else { size };
                if text.len() < size {
                    return Err(bad_argument(argument, "pack", "string too short"));
                }
                out.extend_from_slice(&text[..size]);
                argument += 1;
            }
            Item::ZeroTerminated => {
                let text = string_argument(&arguments, argument, "pack")?;
                if text.contains(&0) {
                    return Err(bad_argument(argument, "pack", "string contains zeros"));
                }
                out.extend_from_slice(&text);
                out.push(0);
                argument += 1;
            }
        }
    }
    lua.create_string(out)?.into_lua_multi(lua)
}

/// `bytes`, given least significant first, in the format's byte order.
fn extend_ordered(out: &mut Vec<u8>, bytes: &[u8], little_endian: bool) {
    match little_endian {
        true => out.extend_from_slice(bytes),
        false => out.extend(bytes.iter().rev()),
    }
}

fn unpack(lua: &Lua, arguments: MultiValue) -> mlua::Result<MultiValue> {
    let format = string_argument(&arguments, 0, "unpack")?;
    let data = string_argument(&arguments, 1, "unpack")?;
    let start = match arguments.get(2) {
        Some(Value::Nil) | None => 1,
        Some(_) => number_argument(&arguments, 2, "unpack")? as usize,
    };
    let mut at = start
        .checked_sub(1)
        .ok_or_else(|| bad_argument(2, "unpack", "offset must be 1 or greater"))?;
    let mut format = Format::new(&format);
    let mut values = Vec::new();
    let mut previous_integer = 0usize;
    let take = |at: usize, size: usize| {
        data.get(at..at + size)
            .ok_or_else(|| bad_argument(1, "unpack", "data string too short"))
    };
    while let Some(item) = format.next_item()? {
        at += format.padding(item, at);
        match item {
            Item::Pad => at += 1,
            Item::Int { size, signed } => {
                let mut bytes: Vec<u8> = take(at, size)?.to_vec();
                if !format.little_endian {
                    bytes.reverse();
                }
                let unsigned = bytes
                    .iter()
                    .rev()
                    .fold(0u64, |number, byte| number << 8 | u64::from(*byte));
                let number = match signed && size < 8 {
                    true => {
                        let shift = 64 - 8 * size as u32;
                        (((unsigned << shift) as i64) >> shift) as f64
                    }
                    false if signed => unsigned as i64 as f64,
                    false => unsigned as f64,
                };
                previous_integer = number as usize;
                values.push(Value::Number(number));
                at += size;
            }
            Item::Float | Item::Double => {
                let mut bytes: Vec<u8> = take(at, item.size())?.to_vec();
                if !format.little_endian {
                    bytes.reverse();
                }
                let number = match item {
                    Item::Float => f64::from(f32::from_le_bytes(bytes.try_into().expect("four bytes"))),
                    _ => f64::from_le_bytes(bytes.try_into().expect("eight bytes")),
                };
                values.push(Value::Number(number));
                at += item.size();
            }
            Item::Chars(size) => {
                let size = if size == 0 { previous_integer } else { size };
                values.push(Value::String(lua.create_string(take(at, size)?)?));
                at += size;
            }
            Item::ZeroTerminated => {
                let rest = data.get(at..).unwrap_or_default();
                let length = rest
                    .iter()
                    .position(|byte| *byte == 0)
                    .ok_or_else(|| bad_argument(1, "unpack", "unfinished string in data"))?;
                values.push(Value::String(lua.create_string(&rest[..length])?));
                at += length + 1;
            }
        }
    }
    values.push(Value::Integer(at as i64 + 1));
    Ok(MultiValue::from_iter(values))
}

fn size(lua: &Lua, arguments: MultiValue) -> mlua::Result<MultiValue> {
    let format = string_argument(&arguments, 0, "size")?;
    let mut format = Format::new(&format);
    let mut total = 0;
    while let Some(item) = format.next_item()? {
        if matches!(item, Item::ZeroTerminated | Item::Chars(0)) {
            return Err(bad_argument(0, "size", "options 'c0' - 's' have undefined sizes"));
        }
        total += format.padding(item, total) + item.size();
    }
    (total as i64).into_lua_multi(lua)
}
