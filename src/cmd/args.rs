//! A command's arguments, consumed front to back by its parser.

use std::vec;

use bytes::Bytes;

use crate::domain::MAX_KEY_BYTES;
use crate::reply::CmdError;
use crate::store::Draw;

/// The arguments after the command name.
pub struct Args {
    name: &'static str,
    items: vec::IntoIter<Bytes>,
    max_value_bytes: usize,
}

impl Args {
    pub(super) fn new(name: &'static str, items: Vec<Bytes>, max_value_bytes: usize) -> Self {
        Self {
            name,
            items: items.into_iter(),
            max_value_bytes,
        }
    }

    /// The command's name, lowercase, for error messages.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn max_value_bytes(&self) -> usize {
        self.max_value_bytes
    }

    pub fn remaining(&self) -> usize {
        self.items.len()
    }

    /// The next argument; a missing one is a syntax error (arity was checked before parsing,
    /// so only an option's missing operand gets here).
    pub fn bytes(&mut self) -> Result<Bytes, CmdError> {
        self.items.next().ok_or_else(CmdError::syntax)
    }

    pub fn key(&mut self) -> Result<Bytes, CmdError> {
        let key = self.bytes()?;
        if key.len() > MAX_KEY_BYTES {
            return Err(CmdError::new(format!(
                "ERR key is {} bytes long; keys are at most {MAX_KEY_BYTES} bytes",
                key.len()
            )));
        }
        Ok(key)
    }

    /// The next argument, left in place.
    pub fn peek(&self) -> Option<&Bytes> {
        self.items.as_slice().first()
    }

    /// Every remaining argument as a key.
    pub fn keys(&mut self) -> Result<Vec<Bytes>, CmdError> {
        std::iter::from_fn(|| (self.remaining() > 0).then(|| self.key())).collect()
    }

    /// `numkeys key [key ...]`, as the multi-key pops (LMPOP, ZMPOP) and SINTERCARD begin;
    /// `too_many` is the command's error for a `numkeys` past the arguments.
    pub fn numbered_keys(&mut self, too_many: fn() -> CmdError) -> Result<Vec<Bytes>, CmdError> {
        // Redis words a numkeys that is not a number in range as one that is not positive.
        let not_positive = || CmdError::new("ERR numkeys should be greater than 0");
        let numkeys = self.int().map_err(|_| not_positive())?;
        if numkeys <= 0 {
            return Err(not_positive());
        }
        self.counted_keys(numkeys, too_many)
    }

    /// The `numkeys` keys that follow, or `too_many()` when fewer arguments are left.
    pub fn counted_keys(&mut self, numkeys: i64, too_many: fn() -> CmdError) -> Result<Vec<Bytes>, CmdError> {
        if numkeys as u64 > self.remaining() as u64 {
            return Err(too_many());
        }
        (0..numkeys).map(|_| self.key()).collect()
    }

    /// `[LIMIT limit]`, last, as SINTERCARD and ZINTERCARD take after their keys: the limit
    /// unless it is absent or 0 (no limit).
    pub fn limit_option(&mut self) -> Result<Option<u64>, CmdError> {
        let limit = match self.option().as_deref() {
            None => None,
            Some("LIMIT") => {
                // Redis words a limit that is not a number as a negative one.
                let negative = || CmdError::new("ERR LIMIT can't be negative");
                let limit = u64::try_from(self.int().map_err(|_| negative())?).map_err(|_| negative())?;
                (limit > 0).then_some(limit)
            }
            Some(_) => return Err(CmdError::syntax()),
        };
        self.finish()?;
        Ok(limit)
    }

    /// `[count [WITH...]]` after the key of HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: `None`
    /// for one element, else the draw (see [`Args::draw`]) and whether `with_word` followed
    /// (`None` for a command that takes no such word).
    pub fn random_draw(&mut self, elements: &str, with_word: Option<&str>) -> Result<Option<(Draw, bool)>, CmdError> {
        if self.remaining() == 0 {
            return Ok(None);
        }
        let draw = self.draw(elements)?;
        let with = match self.option() {
            None => false,
            Some(word) if Some(word.as_str()) == with_word => true,
            Some(_) => return Err(CmdError::syntax()),
        };
        self.finish()?;
        Ok(Some((draw, with)))
    }

    /// Every remaining argument as a value to store, each within `--max-value-bytes` (list
    /// elements, set members).
    pub fn values(&mut self) -> Result<Vec<Bytes>, CmdError> {
        std::iter::from_fn(|| (self.remaining() > 0).then(|| self.value())).collect()
    }

    /// A pop's count (LPOP, SPOP, ZPOPMIN): 0 or more. Redis answers one error for a count
    /// that is negative or not a number at all.
    pub fn pop_count(&mut self) -> Result<u64, CmdError> {
        let count = self.int().ok().and_then(|count| u64::try_from(count).ok());
        count.ok_or_else(|| CmdError::new("ERR value is out of range, must be positive"))
    }

    /// Every remaining argument as it is (fields, members).
    pub fn rest(&mut self) -> Vec<Bytes> {
        self.items.by_ref().collect()
    }

    /// A value to store, within `--max-value-bytes`.
    pub fn value(&mut self) -> Result<Bytes, CmdError> {
        let value = self.bytes()?;
        check_length(value.len(), self.max_value_bytes)?;
        Ok(value)
    }

    pub fn int(&mut self) -> Result<i64, CmdError> {
        parse_int(&self.bytes()?).ok_or_else(CmdError::not_an_integer)
    }

    /// An increment: a float that may be infinite (see [`parse_increment`]).
    pub fn increment(&mut self) -> Result<f64, CmdError> {
        parse_increment(&self.bytes()?).ok_or_else(CmdError::not_a_float)
    }

    /// A count of random elements to draw (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER): up to that
    /// many different ones, or for a negative count that many draws that may repeat. The
    /// error names the elements drawn (`fields`, `members`).
    pub fn draw(&mut self, elements: &str) -> Result<Draw, CmdError> {
        let count = self.int()?;
        match count {
            0.. => Ok(Draw::Distinct(count.unsigned_abs())),
            i64::MIN => Err(CmdError::new("ERR value is out of range")),
            _ if count.unsigned_abs() > MAX_REPEATING_DRAWS => Err(CmdError::new(format!(
                "ERR value is out of range: litekv draws at most {MAX_REPEATING_DRAWS} {elements} at once"
            ))),
            _ => Ok(Draw::Repeating(count.unsigned_abs())),
        }
    }

    /// The next argument as an uppercase option word, or `None` at the end.
    /// `[COUNT count]` at the end, as LMPOP and ZMPOP (and their blocking forms) take it: 1
    /// when absent.
    pub fn count_option(&mut self) -> Result<u64, CmdError> {
        let mut count = None;
        while let Some(option) = self.option() {
            match option.as_str() {
                "COUNT" if count.is_none() => match self.int()? {
                    given @ 1.. => count = Some(given as u64),
                    _ => return Err(CmdError::new("ERR count should be greater than 0")),
                },
                _ => return Err(CmdError::syntax()),
            }
        }
        Ok(count.unwrap_or(1))
    }

    pub fn option(&mut self) -> Option<String> {
        self.items
            .next()
            .map(|word| String::from_utf8_lossy(&word).to_ascii_uppercase())
    }

    /// Fails with a syntax error if arguments are left over.
    pub fn finish(&self) -> Result<(), CmdError> {
        match self.remaining() {
            0 => Ok(()),
            _ => Err(CmdError::syntax()),
        }
    }
}

/// The most draws one command with a negative count makes: its reply is built in memory, and
/// `HRANDFIELD h -1000000000` must not exhaust it.
const MAX_REPEATING_DRAWS: u64 = 1_000_000;

/// A stored string's length check, for values sent and values grown (APPEND, SETRANGE).
pub fn check_length(length: usize, max_value_bytes: usize) -> Result<(), CmdError> {
    if length > max_value_bytes {
        return Err(CmdError::too_large());
    }
    Ok(())
}

/// An integer written as Redis writes one: an optional `-`, then digits without leading
/// zeros, within 64 bits. No `+`, no spaces.
pub fn parse_int(bytes: &[u8]) -> Option<i64> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let canonical = match digits {
        [b'0'] => bytes.len() == 1,
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !canonical {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// A finite floating-point number, without surrounding spaces.
pub fn parse_float(bytes: &[u8]) -> Option<f64> {
    parse_increment(bytes).filter(|value| value.is_finite())
}

/// A float that may be infinite (`inf`, `-infinity`, or beyond f64's range) but not NaN, as
/// Redis reads the increments of INCRBYFLOAT and HINCRBYFLOAT, and the values they add to,
/// before refusing an infinite result in each command's own words.
pub fn parse_increment(bytes: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.is_empty() || text.trim() != text {
        return None;
    }
    text.parse::<f64>().ok().filter(|value| !value.is_nan())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_parse_only_in_canonical_form() {
        for (text, expected) in [
            ("0", Some(0)),
            ("42", Some(42)),
            ("-42", Some(-42)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("+1", None),
            ("01", None),
            ("-0", None),
            (" 1", None),
            ("1 ", None),
            ("", None),
            ("-", None),
            ("1.0", None),
        ] {
            assert_eq!(parse_int(text.as_bytes()), expected, "{text:?}");
        }
    }

    #[test]
    fn floats_must_be_finite_and_unpadded() {
        assert_eq!(parse_float(b"1.5"), Some(1.5));
        assert_eq!(parse_float(b"5.0e3"), Some(5000.0));
        assert_eq!(parse_float(b"-.5"), Some(-0.5));
        for bad in ["", " 1", "abc", "inf", "nan", "1e400"] {
            assert_eq!(parse_float(bad.as_bytes()), None, "{bad:?}");
        }
    }
}
