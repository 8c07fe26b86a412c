//! What the JSON commands do with values: their type names, their text (compact or laid out as
//! JSON.GET's INDENT, NEWLINE and SPACE ask), their RESP form (JSON.RESP), arithmetic that
//! keeps integers integers, and RFC 7396's merge.

use serde_json::{Number, Value};

use crate::reply::{CmdError, Reply};

/// A value's type, as JSON.TYPE names it.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if is_integer(number) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether a number is written as an integer (no fraction, no exponent), however large.
fn is_integer(number: &Number) -> bool {
    !number.as_str().contains(['.', 'e', 'E'])
}

/// Parses a value given as a command argument. The error is serde_json's own words, as
/// RedisJSON (which parses with serde_json too) answers them.
pub fn parse(text: &[u8]) -> Result<Value, CmdError> {
    serde_json::from_slice(text).map_err(|error| CmdError::new(error.to_string()))
}

/// How JSON.GET lays out its reply: empty strings are compact JSON.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub indent: String,
    pub newline: String,
    pub space: String,
}

impl Layout {
    /// Whether it writes compact JSON, as the document is stored.
    pub fn is_compact(&self) -> bool {
        self.indent.is_empty() && self.newline.is_empty() && self.space.is_empty()
    }

    pub fn write(&self, value: &Value) -> String {
        let mut out = String::new();
        self.write_at(value, 0, &mut out);
        out
    }

    fn write_at(&self, value: &Value, depth: usize, out: &mut String) {
        let break_line = |out: &mut String, depth: usize| {
            out.push_str(&self.newline);
            (0..depth).for_each(|_| out.push_str(&self.indent));
        };
        match value {
            Value::Array(items) if !items.is_empty() => {
                out.push('[');
                for (at, item) in items.iter().enumerate() {
                    if at > 0 {
                        out.push(',');
                    }
                    break_line(out, depth + 1);
                    self.write_at(item, depth + 1, out);
                }
                break_line(out, depth);
                out.push(']');
            }
            Value::Object(members) if !members.is_empty() => {
                out.push('{');
                for (at, (key, member)) in members.iter().enumerate() {
                    if at > 0 {
                        out.push(',');
                    }
                    break_line(out, depth + 1);
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    out.push_str(&self.space);
                    self.write_at(member, depth + 1, out);
                }
                break_line(out, depth);
                out.push('}');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
}

/// A value as JSON.RESP answers it: `null` nil, booleans as status text, integers as
/// integers, other numbers as their text, arrays after `[` and objects after `{`, key then
/// value.
pub fn to_resp(value: &Value) -> Reply {
    match value {
        Value::Null => Reply::Nil,
        Value::Bool(true) => Reply::status("true"),
        Value::Bool(false) => Reply::status("false"),
        Value::Number(number) => match number.as_i64() {
            Some(integer) if is_integer(number) => Reply::Int(integer),
            _ => Reply::bulk(number.to_string()),
        },
        Value::String(text) => Reply::bulk(text.clone()),
        Value::Array(items) => {
            let mut replies = vec![Reply::status("[")];
            replies.extend(items.iter().map(to_resp));
            Reply::Array(replies)
        }
        Value::Object(members) => {
            let mut replies = vec![Reply::status("{")];
            for (key, member) in members {
                replies.push(Reply::bulk(key.clone()));
                replies.push(to_resp(member));
            }
            Reply::Array(replies)
        }
    }
}

/// JSON.NUMINCRBY's and JSON.NUMMULTBY's operation.
#[derive(Clone, Copy, Debug)]
pub enum Arithmetic {
    Add,
    Multiply,
}

impl Arithmetic {
    /// `current` combined with `operand`: an integer while both are integers and the result
    /// fits in 64 bits, else a double, written as serde_json writes doubles (`2.0`).
    pub fn apply(self, current: &Number, operand: &Number) -> Result<Number, CmdError> {
        if is_integer(current)
            && is_integer(operand)
            && let (Some(a), Some(b)) = (current.as_i64(), operand.as_i64())
        {
            let exact = match self {
                Self::Add => a.checked_add(b),
                Self::Multiply => a.checked_mul(b),
            };
            if let Some(result) = exact {
                return Ok(Number::from(result));
            }
        }
        let (a, b) = (as_double(current), as_double(operand));
        let result = match self {
            Self::Add => a + b,
            Self::Multiply => a * b,
        };
        Number::from_f64(result).ok_or_else(|| CmdError::new("ERR result is not a number"))
    }
}

fn as_double(number: &Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

/// RFC 7396: `patch` merged into `target`: an object's members merged one by one, `null`
/// removing a member, anything else replacing the target whole.
pub fn merge(target: &mut Value, patch: Value) {
    let Value::Object(members) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(object) = target else {
        unreachable!("made an object above");
    };
    for (key, member) in members {
        match member {
            Value::Null => {
                object.shift_remove(&key);
            }
            member => merge(object.entry(key).or_insert(Value::Null), member),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn integers_stay_integers_and_doubles_are_written_as_serde_json_writes_them() {
        let number = |text: &str| json(text).as_number().unwrap().clone();
        let add = |a: &str, b: &str| Arithmetic::Add.apply(&number(a), &number(b)).unwrap().to_string();
        assert_eq!(add("1", "2"), "3");
        assert_eq!(add("1", "1.5"), "2.5");
        assert_eq!(add("1.5", "1.5"), "3.0");
        assert_eq!(add("9223372036854775807", "1"), "9.223372036854776e+18");
        let multiply = |a: &str, b: &str| Arithmetic::Multiply.apply(&number(a), &number(b)).unwrap().to_string();
        assert_eq!(multiply("3", "4"), "12");
        assert_eq!(multiply("2", "0.5"), "1.0");
        assert!(Arithmetic::Multiply.apply(&number("1e308"), &number("10")).is_err());
    }

    #[test]
    fn big_integers_keep_every_digit() {
        let big = json("123456789012345678901234567890");
        assert_eq!(big.to_string(), "123456789012345678901234567890");
        assert_eq!(type_name(&big), "integer");
        assert_eq!(type_name(&json("1.0")), "number");
    }

    #[test]
    fn layout_follows_indent_newline_and_space() {
        let layout = Layout {
            indent: "\t".into(),
            newline: "\n".into(),
            space: " ".into(),
        };
        let value = json(r#"{"a":[1,{}],"b":{"c":null},"d":[]}"#);
        assert_eq!(
            layout.write(&value),
            "{\n\t\"a\": [\n\t\t1,\n\t\t{}\n\t],\n\t\"b\": {\n\t\t\"c\": null\n\t},\n\t\"d\": []\n}"
        );
        assert_eq!(Layout::default().write(&value), value.to_string());
    }

    #[test]
    fn merging_follows_rfc_7396() {
        let mut target = json(r#"{"a":"b","c":{"d":"e","f":"g"}}"#);
        merge(&mut target, json(r#"{"a":"z","c":{"f":null}}"#));
        assert_eq!(target, json(r#"{"a":"z","c":{"d":"e"}}"#));
        let mut target = json(r#"[1,2]"#);
        merge(&mut target, json(r#"{"a":{"b":null,"c":1}}"#));
        assert_eq!(target, json(r#"{"a":{"c":1}}"#));
    }
}
