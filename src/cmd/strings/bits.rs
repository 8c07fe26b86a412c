//! A string as an array of bits (bit 0 is the most significant bit of byte 0, as in
//! Redis): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO.

use bytes::{Bytes, BytesMut};

use crate::cmd::Command;
use crate::cmd::args::{Args, check_length, parse_int};
use crate::cmd::variants::Mode;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, ReadView, WriteTx};

/// Bit offsets are below 2^32, as in Redis (a bitmap of at most 512 MiB; the value limit
/// bounds it further).
const MAX_BIT_OFFSET: u64 = (1 << 32) - 1;

fn offset_error() -> CmdError {
    CmdError::new("ERR bit offset is not an integer or out of range")
}

fn parse_offset(args: &mut Args) -> Result<u64, CmdError> {
    let offset = args.int().map_err(|_| offset_error())?;
    u64::try_from(offset)
        .ok()
        .filter(|&offset| offset <= MAX_BIT_OFFSET)
        .ok_or_else(offset_error)
}

fn parse_bit(args: &mut Args) -> Result<bool, CmdError> {
    match args.bytes()?.as_ref() {
        b"0" => Ok(false),
        b"1" => Ok(true),
        _ => Err(CmdError::new("ERR bit is not an integer or out of range")),
    }
}

fn bit_at(value: &[u8], offset: u64) -> bool {
    let byte = (offset / 8) as usize;
    value.get(byte).is_some_and(|byte| byte & (0x80 >> (offset % 8)) != 0)
}

/// `SETBIT key offset 0|1`: the bit's old value. Grows the string with zero bytes.
#[derive(Debug)]
pub struct SetBit {
    key: Bytes,
    offset: u64,
    bit: bool,
    max_value_bytes: usize,
}

impl SetBit {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            offset: parse_offset(args)?,
            bit: parse_bit(args)?,
            max_value_bytes: args.max_value_bytes(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let (value, expires_at, created) = read_for_edit(tx, &self.key, now_ms).await?;
        let byte = (self.offset / 8) as usize;
        check_length(byte + 1, self.max_value_bytes)?;
        let old = bit_at(&value, self.offset);
        // As in Redis 7, a bit set to what it was changes nothing: no write, no event, and
        // WATCH holds.
        if !created && value.len() > byte && old == self.bit {
            return Ok(Reply::bool(old));
        }
        let mut value = BytesMut::from(value);
        if value.len() <= byte {
            value.resize(byte + 1, 0);
        }
        let mask = 0x80 >> (self.offset % 8);
        match self.bit {
            true => value[byte] |= mask,
            false => value[byte] &= !mask,
        }
        tx.notify_created(created, &self.key);
        tx.notify(EventClass::String, "setbit", &self.key);
        tx.put(self.key, value.freeze(), expires_at, now_ms).await?;
        Ok(Reply::bool(old))
    }
}

/// The string at `key` (empty if missing) and its expiry, for a command that edits it.
/// A string's value and expiry, for an edit; whether the edit creates it.
async fn read_for_edit(tx: &mut WriteTx<'_>, key: &[u8], now_ms: i64) -> Result<(Bytes, Option<i64>, bool), ExecError> {
    let entry = tx.read(now_ms).get(key).await?;
    Ok(entry.map_or((Bytes::new(), None, true), |entry| {
        (entry.value, entry.expires_at, false)
    }))
}

/// `GETBIT key offset`.
#[derive(Debug)]
pub struct GetBit {
    key: Bytes,
    offset: u64,
}

impl GetBit {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            offset: parse_offset(args)?,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let value = view.get(&self.key).await?.map(|entry| entry.value).unwrap_or_default();
        Ok(Reply::bool(bit_at(&value, self.offset)))
    }
}

/// A range of a string for BITCOUNT and BITPOS: `start end`, in bytes or (`BIT`) bits,
/// negative counting from the end.
#[derive(Clone, Copy, Debug)]
struct BitRange {
    start: i64,
    end: Option<i64>,
    in_bits: bool,
}

impl BitRange {
    const WHOLE: Self = Self {
        start: 0,
        end: None,
        in_bits: false,
    };

    fn parse(args: &mut Args, end_required: bool) -> Result<Self, CmdError> {
        if args.remaining() == 0 {
            return Ok(Self::WHOLE);
        }
        let start = args.int()?;
        if args.remaining() == 0 {
            return match end_required {
                true => Err(CmdError::syntax()),
                false => Ok(Self { start, ..Self::WHOLE }),
            };
        }
        let end = Some(args.int()?);
        let in_bits = match args.option().as_deref() {
            None | Some("BYTE") => false,
            Some("BIT") => true,
            Some(_) => return Err(CmdError::syntax()),
        };
        args.finish()?;
        Ok(Self { start, end, in_bits })
    }

    /// Whether both ends count from the end and the start comes after the end: BITCOUNT
    /// counts nothing then, as Redis checks this before it clamps both ends to the string.
    fn is_backwards_from_the_end(self) -> bool {
        matches!(self.end, Some(end) if self.start < 0 && end < 0 && self.start > end)
    }

    /// The first and last bit the range covers in a string of `length` bytes, or `None`
    /// when it covers none.
    fn bits(self, length: usize) -> Option<(u64, u64)> {
        let size = if self.in_bits { length as i64 * 8 } else { length as i64 };
        let clamp = |index: i64| if index < 0 { (size + index).max(0) } else { index };
        let start = clamp(self.start);
        let end = clamp(self.end.unwrap_or(size - 1)).min(size - 1);
        if size == 0 || start > end {
            return None;
        }
        let (first, last) = match self.in_bits {
            true => (start, end),
            false => (start * 8, end * 8 + 7),
        };
        Some((first as u64, last as u64))
    }
}

/// `BITCOUNT key [start end [BYTE|BIT]]`: the set bits.
#[derive(Debug)]
pub struct BitCount {
    key: Bytes,
    /// A faulty range is reported after the key is found, as Redis does: a missing key
    /// counts 0 whatever the range.
    range: Result<BitRange, CmdError>,
}

impl BitCount {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            range: BitRange::parse(args, true),
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let Some(value) = view.get(&self.key).await?.map(|entry| entry.value) else {
            return Ok(Reply::Int(0));
        };
        let range = self.range.clone()?;
        if range.is_backwards_from_the_end() {
            return Ok(Reply::Int(0));
        }
        let Some((first, last)) = range.bits(value.len()) else {
            return Ok(Reply::Int(0));
        };
        let count = (first..=last).filter(|&bit| bit_at(&value, bit)).count();
        Ok(Reply::count(count))
    }
}

/// `BITPOS key 0|1 [start [end [BYTE|BIT]]]`: the first bit with that value, or -1.
#[derive(Debug)]
pub struct BitPos {
    key: Bytes,
    bit: bool,
    /// Reported after the key is found, as for BITCOUNT.
    range: Result<BitRange, CmdError>,
}

impl BitPos {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            bit: parse_bit(args)?,
            range: BitRange::parse(args, false),
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let Some(value) = view.get(&self.key).await?.map(|entry| entry.value) else {
            // A missing key is all zero bits.
            return Ok(Reply::Int(if self.bit { -1 } else { 0 }));
        };
        let range = self.range.clone()?;
        let Some((first, last)) = range.bits(value.len()) else {
            return Ok(Reply::Int(-1));
        };
        if let Some(found) = (first..=last).find(|&bit| bit_at(&value, bit) == self.bit) {
            return Ok(Reply::Int(found as i64));
        }
        // Looking for a clear bit past a string of set ones: without an end, the bits beyond
        // the string count as clear.
        let past_the_end = !self.bit && range.end.is_none();
        Ok(Reply::Int(if past_the_end { last as i64 + 1 } else { -1 }))
    }
}

#[derive(Clone, Copy, Debug)]
enum BitOperation {
    And,
    Or,
    Xor,
    Not,
    /// Redis 8.2's: bits of the first source set in none of the others.
    Diff,
    /// Bits set in one or more of the others and not in the first.
    Diff1,
    /// Bits of the first source set in one or more of the others.
    AndOr,
    /// Bits set in exactly one source.
    One,
}

impl BitOperation {
    /// One byte of the result, from that byte of the `first` source and of the `others`.
    fn combine(self, first: u8, others: impl Iterator<Item = u8>) -> u8 {
        match self {
            Self::And => others.fold(first, |acc, byte| acc & byte),
            Self::Or => others.fold(first, |acc, byte| acc | byte),
            Self::Xor => others.fold(first, |acc, byte| acc ^ byte),
            Self::Not => !first,
            Self::Diff => first & !others.fold(0, |acc, byte| acc | byte),
            Self::Diff1 => !first & others.fold(0, |acc, byte| acc | byte),
            Self::AndOr => first & others.fold(0, |acc, byte| acc | byte),
            Self::One => {
                // Bits seen once so far, and bits seen more than once.
                let (once, _) = others.fold((first, 0u8), |(once, more), byte| {
                    let more = more | (once & byte);
                    ((once ^ byte) & !more, more)
                });
                once
            }
        }
    }
}

/// `BITOP AND|OR|XOR|NOT|DIFF|DIFF1|ANDOR|ONE destkey key [key ...]`: the result's length;
/// missing keys are zero bytes, an empty result deletes `destkey`.
#[derive(Debug)]
pub struct BitOp {
    operation: BitOperation,
    destination: Bytes,
    sources: Vec<Bytes>,
}

impl BitOp {
    /// Only the destination is written: a WATCH on a source holds, as in Redis.
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Command, CmdError> {
        let word = args.option().unwrap_or_default();
        let operation = match word.as_str() {
            "AND" => BitOperation::And,
            "OR" => BitOperation::Or,
            "XOR" => BitOperation::Xor,
            "NOT" => BitOperation::Not,
            "DIFF" => BitOperation::Diff,
            "DIFF1" => BitOperation::Diff1,
            "ANDOR" => BitOperation::AndOr,
            "ONE" => BitOperation::One,
            _ => return Err(CmdError::syntax()),
        };
        let destination = args.key()?;
        let sources = args.rest();
        match operation {
            BitOperation::Not if sources.len() != 1 => {
                return Err(CmdError::new("ERR BITOP NOT must be called with a single source key."));
            }
            BitOperation::Diff | BitOperation::Diff1 | BitOperation::AndOr if sources.len() < 2 => {
                return Err(CmdError::new(format!(
                    "ERR BITOP {word} must be called with at least two source keys."
                )));
            }
            _ => {}
        }
        Ok(Self {
            operation,
            destination,
            sources,
        }
        .into())
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let mut values = Vec::with_capacity(self.sources.len());
        let mut view = tx.read(now_ms);
        for key in &self.sources {
            values.push(view.get(key).await?.map(|entry| entry.value).unwrap_or_default());
        }
        drop(view);
        let length = values.iter().map(Bytes::len).max().unwrap_or(0);
        let byte = |value: &Bytes, index: usize| value.get(index).copied().unwrap_or(0);
        let result: Vec<u8> = (0..length)
            .map(|index| {
                let mut bytes = values.iter().map(|value| byte(value, index));
                let first = bytes.next().unwrap_or(0);
                self.operation.combine(first, bytes)
            })
            .collect();
        match result.is_empty() {
            true => {
                tx.delete(&self.destination, now_ms).await?;
            }
            false => {
                tx.notify(EventClass::String, "set", &self.destination);
                tx.put(self.destination, Bytes::from(result), None, now_ms).await?;
            }
        }
        Ok(Reply::count(length))
    }
}

/// An integer field of a bitfield: signed or not, 1 to 64 bits (unsigned to 63).
#[derive(Clone, Copy, Debug)]
struct Field {
    signed: bool,
    bits: u32,
    offset: u64,
}

impl Field {
    fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let kind = args.bytes()?;
        let invalid = || {
            CmdError::new(
                "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
            )
        };
        let (signed, bits) = match kind.split_first() {
            Some((b'i' | b'I', bits)) => (true, bits),
            Some((b'u' | b'U', bits)) => (false, bits),
            _ => return Err(invalid()),
        };
        let bits = parse_int(bits)
            .and_then(|bits| u32::try_from(bits).ok())
            .filter(|&bits| (1..=if signed { 64 } else { 63 }).contains(&bits))
            .ok_or_else(invalid)?;
        let offset = args.bytes()?;
        let offset = match offset.strip_prefix(b"#") {
            Some(index) => parse_int(index).map(|index| index.saturating_mul(i64::from(bits))),
            None => parse_int(&offset),
        };
        let offset = offset
            .and_then(|offset| u64::try_from(offset).ok())
            .filter(|&offset| offset + u64::from(bits) - 1 <= MAX_BIT_OFFSET)
            .ok_or_else(offset_error)?;
        Ok(Self { signed, bits, offset })
    }

    /// The string's length once the field is written.
    fn bytes_needed(self) -> usize {
        (self.offset + u64::from(self.bits)).div_ceil(8) as usize
    }

    fn min(self) -> i128 {
        if self.signed { -(1i128 << (self.bits - 1)) } else { 0 }
    }

    fn max(self) -> i128 {
        if self.signed {
            (1i128 << (self.bits - 1)) - 1
        } else {
            (1i128 << self.bits) - 1
        }
    }

    fn get(self, value: &[u8]) -> i64 {
        let raw =
            (0..u64::from(self.bits)).fold(0u64, |raw, bit| raw << 1 | u64::from(bit_at(value, self.offset + bit)));
        match self.signed && self.bits < 64 && raw >> (self.bits - 1) & 1 == 1 {
            true => (raw | !0u64 << self.bits) as i64,
            false => raw as i64,
        }
    }

    fn set(self, value: &mut BytesMut, number: i64) {
        let end = self.bytes_needed();
        if value.len() < end {
            value.resize(end, 0);
        }
        for bit in 0..u64::from(self.bits) {
            let on = (number as u64) >> (u64::from(self.bits) - 1 - bit) & 1 == 1;
            let position = self.offset + bit;
            let mask = 0x80 >> (position % 8);
            match on {
                true => value[(position / 8) as usize] |= mask,
                false => value[(position / 8) as usize] &= !mask,
            }
        }
    }

    /// `wanted` brought into the field's range as `overflow` says; `None` to fail.
    fn fit(self, wanted: i128, overflow: Overflow) -> Option<i64> {
        if (self.min()..=self.max()).contains(&wanted) {
            return Some(wanted as i64);
        }
        match overflow {
            Overflow::Fail => None,
            Overflow::Saturate => Some(wanted.clamp(self.min(), self.max()) as i64),
            Overflow::Wrap => {
                let span = 1i128 << self.bits;
                Some((wanted - self.min()).rem_euclid(span) as i64 + self.min() as i64)
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Overflow {
    Wrap,
    Saturate,
    Fail,
}

#[derive(Debug)]
enum FieldOp {
    Get(Field),
    Set(Field, i64, Overflow),
    IncrBy(Field, i64, Overflow),
}

/// `BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
/// [OVERFLOW WRAP|SAT|FAIL] ...` and `BITFIELD_RO key [GET type offset ...]`: one answer per
/// GET, SET (the old value) and INCRBY (the new value, or nil where OVERFLOW FAIL refused).
#[derive(Debug)]
pub struct BitField {
    key: Bytes,
    ops: Vec<FieldOp>,
    max_value_bytes: usize,
}

impl BitField {
    pub(in crate::cmd) fn parse(args: &mut Args, mode: Mode) -> Result<Self, CmdError> {
        let key = args.key()?;
        let mut ops = Vec::new();
        let mut overflow = Overflow::Wrap;
        while let Some(word) = args.option() {
            let op = match word.as_str() {
                "GET" => FieldOp::Get(Field::parse(args)?),
                "SET" | "INCRBY" if mode == Mode::ReadOnly => {
                    return Err(CmdError::new("ERR BITFIELD_RO only supports the GET subcommand"));
                }
                "SET" => FieldOp::Set(Field::parse(args)?, args.int()?, overflow),
                "INCRBY" => FieldOp::IncrBy(Field::parse(args)?, args.int()?, overflow),
                "OVERFLOW" => {
                    overflow = match args.option().as_deref() {
                        Some("WRAP") => Overflow::Wrap,
                        Some("SAT") => Overflow::Saturate,
                        Some("FAIL") => Overflow::Fail,
                        _ => return Err(CmdError::new("ERR Invalid OVERFLOW type specified")),
                    };
                    continue;
                }
                _ => return Err(CmdError::syntax()),
            };
            ops.push(op);
        }
        Ok(Self {
            key,
            ops,
            max_value_bytes: args.max_value_bytes(),
        })
    }

    /// Runs the ops on `value` in order; returns the answers and whether it changed.
    fn apply(&self, value: &mut BytesMut) -> Result<(Vec<Reply>, bool), CmdError> {
        let mut changed = false;
        let mut replies = Vec::with_capacity(self.ops.len());
        for op in &self.ops {
            let field = match op {
                FieldOp::Get(field) | FieldOp::Set(field, ..) | FieldOp::IncrBy(field, ..) => *field,
            };
            let current = field.get(value);
            let (reply, written) = match *op {
                FieldOp::Get(_) => (Some(current), None),
                FieldOp::Set(_, wanted, overflow) => {
                    let written = field.fit(i128::from(wanted), overflow);
                    (written.map(|_| current), written)
                }
                FieldOp::IncrBy(_, step, overflow) => {
                    let written = field.fit(i128::from(current) + i128::from(step), overflow);
                    (written, written)
                }
            };
            if let Some(number) = written {
                check_length(field.bytes_needed(), self.max_value_bytes)?;
                field.set(value, number);
                changed = true;
            }
            replies.push(reply.map_or(Reply::Nil, Reply::Int));
        }
        Ok((replies, changed))
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let (value, expires_at, created) = read_for_edit(tx, &self.key, now_ms).await?;
        let mut value = BytesMut::from(value);
        let (replies, changed) = self.apply(&mut value)?;
        if changed {
            tx.notify_created(created, &self.key);
            tx.notify(EventClass::String, "setbit", &self.key);
            tx.put(self.key, value.freeze(), expires_at, now_ms).await?;
        }
        Ok(Reply::Array(replies))
    }

    /// BITFIELD_RO: GETs only, on a read connection.
    pub(in crate::cmd) async fn read(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let value = view.get(&self.key).await?.map(|entry| entry.value).unwrap_or_default();
        let (replies, _) = self.apply(&mut BytesMut::from(value))?;
        Ok(Reply::Array(replies))
    }
}

/// `BITFIELD_RO`: a [`BitField`] of GETs, which runs as a read.
#[derive(Debug)]
pub struct BitFieldRo(BitField);

impl BitFieldRo {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        BitField::parse(args, Mode::ReadOnly).map(Self)
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        self.0.read(view).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(signed: bool, bits: u32, offset: u64) -> Field {
        Field { signed, bits, offset }
    }

    #[test]
    fn fields_read_and_write_big_endian_bits_with_sign() {
        let mut value = BytesMut::new();
        field(false, 8, 0).set(&mut value, 255);
        assert_eq!(&value[..], [0xff]);
        assert_eq!(field(true, 8, 0).get(&value), -1);
        assert_eq!(field(false, 4, 4).get(&value), 15);
        field(true, 5, 3).set(&mut value, -2);
        assert_eq!(field(true, 5, 3).get(&value), -2);
        field(true, 64, 8).set(&mut value, i64::MIN);
        assert_eq!(field(true, 64, 8).get(&value), i64::MIN);
    }

    #[test]
    fn overflow_wraps_saturates_or_fails() {
        let u8_field = field(false, 8, 0);
        assert_eq!(u8_field.fit(256, Overflow::Wrap), Some(0));
        assert_eq!(u8_field.fit(-1, Overflow::Wrap), Some(255));
        assert_eq!(u8_field.fit(300, Overflow::Saturate), Some(255));
        assert_eq!(u8_field.fit(300, Overflow::Fail), None);
        let i8_field = field(true, 8, 0);
        assert_eq!(i8_field.fit(128, Overflow::Wrap), Some(-128));
        assert_eq!(i8_field.fit(-129, Overflow::Saturate), Some(-128));
    }

    #[test]
    fn ranges_count_from_either_end_in_bytes_or_bits() {
        let range = |start, end, in_bits| BitRange {
            start,
            end: Some(end),
            in_bits,
        };
        assert_eq!(BitRange::WHOLE.bits(3), Some((0, 23)));
        assert_eq!(range(1, 1, false).bits(3), Some((8, 15)));
        assert_eq!(range(-1, -1, false).bits(3), Some((16, 23)));
        assert_eq!(range(5, 30, true).bits(3), Some((5, 23)));
        assert_eq!(range(2, 1, false).bits(3), None);
        assert_eq!(BitRange::WHOLE.bits(0), None);
    }
}
