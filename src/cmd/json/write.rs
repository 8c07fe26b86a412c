//! Writing documents: JSON.SET, JSON.MERGE, JSON.MSET, JSON.DEL (and JSON.FORGET),
//! JSON.CLEAR, and the edits made at each value a path selects (JSON.TOGGLE,
//! JSON.NUMINCRBY, JSON.NUMMULTBY, JSON.STRAPPEND, JSON.ARRAPPEND, JSON.ARRINSERT,
//! JSON.ARRPOP, JSON.ARRTRIM).

use bytes::Bytes;
use serde_json::{Number, Value};

use super::path::{self, Location, Path};
use super::value::{self, Arithmetic};
use super::{Document, Writing, key_and_path, no_such_key, raw, read_document, write_document, wrong_type};
use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::WriteTx;

/// How JSON.SET and JSON.MERGE put their value at each place the path selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetMode {
    /// JSON.SET: replace, or only where missing (NX), or only where present (XX).
    Replace { only_missing: bool, only_present: bool },
    /// JSON.MERGE: RFC 7396's merge patch.
    Merge,
}

/// `JSON.SET key path value [NX | XX]` and `JSON.MERGE key path value`.
#[derive(Debug)]
pub struct JsonSet {
    key: Bytes,
    path: Path,
    value: Value,
    mode: SetMode,
    max_value_bytes: usize,
}

impl JsonSet {
    /// The whole document at `key` (the JSON API's POST, whose body was JSON).
    pub fn root(key: Bytes, document: Value) -> Self {
        Self {
            key,
            path: Path::root(),
            value: document,
            mode: SetMode::Replace {
                only_missing: false,
                only_present: false,
            },
            max_value_bytes: usize::MAX,
        }
    }

    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let (key, path, value) = (args.key()?, Path::parse(&args.bytes()?)?, value::parse(&args.value()?)?);
        let (mut only_missing, mut only_present) = (false, false);
        while let Some(option) = args.option() {
            match option.as_str() {
                "NX" if !only_present => only_missing = true,
                "XX" if !only_missing => only_present = true,
                _ => return Err(CmdError::syntax()),
            }
        }
        let mode = SetMode::Replace {
            only_missing,
            only_present,
        };
        let max_value_bytes = args.max_value_bytes();
        Ok(Self {
            key,
            path,
            value,
            mode,
            max_value_bytes,
        })
    }

    pub(in crate::cmd) fn parse_merge(args: &mut Args) -> Result<Self, CmdError> {
        let (key, path, value) = (args.key()?, Path::parse(&args.bytes()?)?, value::parse(&args.value()?)?);
        let max_value_bytes = args.max_value_bytes();
        Ok(Self {
            key,
            path,
            value,
            mode: SetMode::Merge,
            max_value_bytes,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let found = read_document(&mut tx.read(now_ms), &self.key).await?;
        let created = found.is_none();
        let expires_at = found.as_ref().and_then(|document| document.expires_at);
        let text = match self.in_place(found.as_ref())? {
            Some(text) => text,
            None => {
                let found = found.as_ref().map(Document::parse).transpose()?;
                match self.apply(found)? {
                    Some(document) => document.to_string(),
                    None => return Ok(Reply::Nil),
                }
            }
        };
        let event = match self.mode {
            SetMode::Merge => "json.merge",
            SetMode::Replace { .. } => "json.set",
        };
        let writing = Writing {
            key: &self.key,
            created,
            event,
            max_value_bytes: self.max_value_bytes,
        };
        write_document(tx, writing, text, expires_at).await?;
        Ok(Reply::OK)
    }

    /// The common case written without parsing the document: a value put where a static
    /// path names an existing one (not NX), spliced into the text in place of the old value.
    /// `None` for the others.
    fn in_place(&self, found: Option<&Document>) -> Result<Option<String>, CmdError> {
        let (Some(document), Some(steps)) = (found, self.path.steps()) else {
            return Ok(None);
        };
        // A merge of null removes, and NX writes nothing where a value is: the general path's.
        let removes = self.mode == SetMode::Merge && self.value.is_null() && !self.path.is_root();
        let only_missing = matches!(self.mode, SetMode::Replace { only_missing: true, .. });
        if removes || only_missing {
            return Ok(None);
        }
        let text = document.text()?;
        let Some(range) = raw::locate(text, steps) else {
            return Ok(None);
        };
        let current = value::parse(text[range.clone()].as_bytes())?;
        Ok(Some(raw::splice(text, range, &self.new_value(current).to_string())))
    }

    /// The document after the write, or `None` if the write's condition (NX, XX, a place
    /// to add to) does not hold.
    fn apply(&self, found: Option<Value>) -> Result<Option<Value>, CmdError> {
        let (only_missing, only_present) = match self.mode {
            SetMode::Replace {
                only_missing,
                only_present,
            } => (only_missing, only_present),
            SetMode::Merge => (false, false),
        };
        let Some(mut document) = found else {
            if !self.path.is_root() {
                return Err(CmdError::new("ERR new objects must be created at the root"));
            }
            return Ok((!only_present).then(|| self.new_value(Value::Null)));
        };
        let locations = self.path.locate(&document);
        if !locations.is_empty() {
            if only_missing {
                return Ok(None);
            }
            // A merge of null deletes what it lands on (but the root, which becomes null).
            if self.mode == SetMode::Merge && self.value.is_null() && !self.path.is_root() {
                for location in outermost(locations).iter().rev() {
                    path::remove(&mut document, location);
                }
                return Ok(Some(document));
            }
            for location in &locations {
                let target = path::get_mut(&mut document, location).expect("a located value");
                *target = self.new_value(std::mem::take(target));
            }
            return Ok(Some(document));
        }
        if only_present {
            return Ok(None);
        }
        // Nothing there yet: a member may be added to the objects the path's parent selects.
        let Some((parent, key)) = self.path.parent_and_key() else {
            return self.nowhere_to_add();
        };
        let mut added = false;
        for location in parent.locate(&document) {
            if let Some(Value::Object(object)) = path::get_mut(&mut document, &location) {
                object.insert(key.clone(), self.new_value(Value::Null));
                added = true;
            }
        }
        match added {
            true => Ok(Some(document)),
            false => self.nowhere_to_add(),
        }
    }

    /// What replaces `current`: the value, or `current` with the value merged in.
    fn new_value(&self, current: Value) -> Value {
        match self.mode {
            SetMode::Replace { .. } => self.value.clone(),
            SetMode::Merge => {
                let mut merged = current;
                value::merge(&mut merged, self.value.clone());
                merged
            }
        }
    }

    /// A legacy path names one place, which must exist; a JSONPath that selects nothing
    /// writes nothing.
    fn nowhere_to_add(&self) -> Result<Option<Value>, CmdError> {
        match self.path.is_legacy() {
            true => Err(self.path.missing()),
            false => Ok(None),
        }
    }
}

/// `JSON.MSET key path value [key path value ...]`: every write, all or none.
#[derive(Debug)]
pub struct JsonMSet {
    writes: Vec<JsonSet>,
}

impl JsonMSet {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        if !args.remaining().is_multiple_of(3) {
            return Err(CmdError::wrong_arity("json.mset"));
        }
        let mut writes = Vec::new();
        while args.remaining() > 0 {
            writes.push(JsonSet {
                key: args.key()?,
                path: Path::parse(&args.bytes()?)?,
                value: value::parse(&args.value()?)?,
                mode: SetMode::Replace {
                    only_missing: false,
                    only_present: false,
                },
                max_value_bytes: args.max_value_bytes(),
            });
        }
        Ok(Self { writes })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        // Every document is worked out before any is stored, so that a failing write leaves
        // them all as they were. A key written twice sees its first write.
        struct Pending<'a> {
            key: &'a Bytes,
            created: bool,
            document: Value,
            expires_at: Option<i64>,
        }
        let mut pending: Vec<Pending> = Vec::new();
        for write in &self.writes {
            let earlier = pending.iter().position(|pending| pending.key == &write.key);
            let (created, found, expires_at) = match earlier {
                Some(at) => {
                    let earlier = pending.swap_remove(at);
                    (earlier.created, Some(earlier.document), earlier.expires_at)
                }
                None => {
                    let found = read_document(&mut tx.read(now_ms), &write.key).await?;
                    let expires_at = found.as_ref().and_then(|document| document.expires_at);
                    (
                        found.is_none(),
                        found.map(|found| found.parse()).transpose()?,
                        expires_at,
                    )
                }
            };
            let document = write.apply(found)?.ok_or_else(|| write.path.missing())?;
            pending.push(Pending {
                key: &write.key,
                created,
                document,
                expires_at,
            });
        }
        for write in pending {
            let writing = Writing {
                key: write.key,
                created: write.created,
                event: "json.set",
                max_value_bytes: self.writes[0].max_value_bytes,
            };
            write_document(tx, writing, write.document.to_string(), write.expires_at).await?;
        }
        Ok(Reply::OK)
    }
}

/// `JSON.DEL key [path]` (and `JSON.FORGET`): deletes what the path selects, the whole key
/// at the root; and `JSON.CLEAR key [path]`: empties the arrays and objects and zeroes the
/// numbers it selects. Both answer how many values they changed.
#[derive(Debug)]
pub struct JsonDel {
    key: Bytes,
    path: Path,
    clear: bool,
}

impl JsonDel {
    pub(in crate::cmd) fn parse(args: &mut Args, clear: bool) -> Result<Self, CmdError> {
        let (key, path) = key_and_path(args)?;
        args.finish()?;
        Ok(Self { key, path, clear })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let Some(found) = read_document(&mut tx.read(now_ms), &self.key).await? else {
            return Ok(Reply::Int(0));
        };
        if self.path.is_root() && !self.clear {
            tx.delete(&self.key, now_ms).await?;
            tx.notify(crate::store::EventClass::Module, "json.del", &self.key);
            return Ok(Reply::Int(1));
        }
        let mut document = found.parse()?;
        let locations = outermost(self.path.locate(&document));
        let changed = match self.clear {
            true => locations
                .iter()
                .filter(|location| clear(path::get_mut(&mut document, location).expect("a located value")))
                .count(),
            // From the last, so that removing one leaves the others' indexes as they were.
            false => locations
                .iter()
                .rev()
                .filter(|location| path::remove(&mut document, location))
                .count(),
        };
        if changed > 0 {
            let event = if self.clear { "json.clear" } else { "json.del" };
            let writing = Writing {
                key: &self.key,
                created: false,
                event,
                max_value_bytes: usize::MAX,
            };
            write_document(tx, writing, document.to_string(), found.expires_at).await?;
        }
        Ok(Reply::count(changed))
    }
}

/// The locations not inside another of them, in document order: deleting or clearing those
/// takes what is inside with them.
fn outermost(mut locations: Vec<Location>) -> Vec<Location> {
    locations.sort();
    let mut kept: Vec<Location> = Vec::with_capacity(locations.len());
    for location in locations {
        if !kept.last().is_some_and(|outer| location.starts_with(outer)) {
            kept.push(location);
        }
    }
    kept
}

/// Empties a non-empty array or object, or zeroes a non-zero number: whether it did.
fn clear(value: &mut Value) -> bool {
    match value {
        Value::Array(items) if !items.is_empty() => items.clear(),
        Value::Object(members) if !members.is_empty() => members.clear(),
        Value::Number(number) if number.as_f64() != Some(0.0) => *value = Value::from(0),
        _ => return false,
    }
    true
}

/// An edit made at each value a path selects.
#[derive(Debug)]
pub enum Edit {
    /// JSON.TOGGLE
    Toggle,
    /// JSON.NUMINCRBY, JSON.NUMMULTBY
    Arithmetic(Arithmetic, Number),
    /// JSON.STRAPPEND
    StrAppend(String),
    /// JSON.ARRAPPEND
    ArrAppend(Vec<Value>),
    /// JSON.ARRINSERT: before `index` (negative from the end).
    ArrInsert(i64, Vec<Value>),
    /// JSON.ARRPOP: the element at `index` (negative from the end; beyond the ends, the
    /// nearest).
    ArrPop(i64),
    /// JSON.ARRTRIM: keeps `start..=stop`, as LTRIM does.
    ArrTrim(i64, i64),
}

/// What an edit did at one value.
enum Outcome {
    /// The value is not of the type the edit works on.
    NotApplicable,
    /// The edit's answer (a new value, a length, a popped element).
    Answer(Value),
    /// Nothing to answer (a pop from an empty array).
    Nothing,
}

/// `JSON.<edit> key path ...`: the edit at each value the path selects, answered per value
/// (a JSONPath's as an array, with nil where the value is of another type) or for the value
/// a legacy path selects.
#[derive(Debug)]
pub struct JsonEdit {
    key: Bytes,
    path: Path,
    edit: Edit,
    max_value_bytes: usize,
}

impl JsonEdit {
    pub(in crate::cmd) fn parse_toggle(args: &mut Args) -> Result<Self, CmdError> {
        let (key, path) = (args.key()?, Path::parse(&args.bytes()?)?);
        Ok(Self::new(args, key, path, Edit::Toggle))
    }

    pub(in crate::cmd) fn parse_arithmetic(args: &mut Args, arithmetic: Arithmetic) -> Result<Self, CmdError> {
        let (key, path) = (args.key()?, Path::parse(&args.bytes()?)?);
        let Value::Number(operand) = value::parse(&args.bytes()?)? else {
            return Err(CmdError::new("ERR the operand must be a JSON number"));
        };
        Ok(Self::new(args, key, path, Edit::Arithmetic(arithmetic, operand)))
    }

    /// `JSON.STRAPPEND key [path] value`, the value a JSON string.
    pub(in crate::cmd) fn parse_strappend(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let path = match args.remaining() {
            1 => Path::root(),
            _ => Path::parse(&args.bytes()?)?,
        };
        let value = value::parse(&args.value()?)?;
        let Value::String(suffix) = value else {
            return Err(CmdError::new(format!(
                "ERR wrong type of value - expected a JSON string but found {value}"
            )));
        };
        args.finish()?;
        Ok(Self::new(args, key, path, Edit::StrAppend(suffix)))
    }

    pub(in crate::cmd) fn parse_arrappend(args: &mut Args) -> Result<Self, CmdError> {
        let (key, path) = (args.key()?, Path::parse(&args.bytes()?)?);
        let values = json_values(args)?;
        Ok(Self::new(args, key, path, Edit::ArrAppend(values)))
    }

    pub(in crate::cmd) fn parse_arrinsert(args: &mut Args) -> Result<Self, CmdError> {
        let (key, path) = (args.key()?, Path::parse(&args.bytes()?)?);
        let index = args.int()?;
        let values = json_values(args)?;
        Ok(Self::new(args, key, path, Edit::ArrInsert(index, values)))
    }

    /// `JSON.ARRPOP key [path [index]]`.
    pub(in crate::cmd) fn parse_arrpop(args: &mut Args) -> Result<Self, CmdError> {
        let (key, path) = key_and_path(args)?;
        let index = if args.remaining() > 0 { args.int()? } else { -1 };
        args.finish()?;
        Ok(Self::new(args, key, path, Edit::ArrPop(index)))
    }

    pub(in crate::cmd) fn parse_arrtrim(args: &mut Args) -> Result<Self, CmdError> {
        let (key, path) = (args.key()?, Path::parse(&args.bytes()?)?);
        let (start, stop) = (args.int()?, args.int()?);
        Ok(Self::new(args, key, path, Edit::ArrTrim(start, stop)))
    }

    fn new(args: &Args, key: Bytes, path: Path, edit: Edit) -> Self {
        Self {
            key,
            path,
            edit,
            max_value_bytes: args.max_value_bytes(),
        }
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let Some(found) = read_document(&mut tx.read(now_ms), &self.key).await? else {
            return Err(no_such_key().into());
        };
        let (text, outcomes) = match self.path.steps() {
            Some(steps) => self.edit_in_place(&found, steps)?,
            None => self.edit_parsed(&found)?,
        };
        if let Some(text) = text {
            let writing = Writing {
                key: &self.key,
                created: false,
                event: self.edit.event(),
                max_value_bytes: self.max_value_bytes,
            };
            write_document(tx, writing, text, found.expires_at).await?;
        }
        Ok(self.edit.reply(outcomes, self.path.is_legacy()))
    }

    /// The edit of the one value a static path names, parsed alone and spliced back into
    /// the text: the document's new text if it changed, and the outcome.
    fn edit_in_place(
        &self,
        found: &Document,
        steps: &[path::Step],
    ) -> Result<(Option<String>, Vec<Outcome>), CmdError> {
        let text = found.text()?;
        let Some(range) = raw::locate(text, steps) else {
            return match self.path.is_legacy() {
                true => Err(self.path.missing()),
                false => Ok((None, Vec::new())),
            };
        };
        let mut target = value::parse(text[range.clone()].as_bytes())?;
        let outcome = self.applied(&mut target)?;
        let changed = matches!(outcome, Outcome::Answer(_));
        let text = changed.then(|| raw::splice(text, range, &target.to_string()));
        Ok((text, vec![outcome]))
    }

    /// The edit at every value a path selects in the parsed document.
    fn edit_parsed(&self, found: &Document) -> Result<(Option<String>, Vec<Outcome>), CmdError> {
        let mut document = found.parse()?;
        let locations = self.path.locate(&document);
        if self.path.is_legacy() && locations.is_empty() {
            return Err(self.path.missing());
        }
        // From the last, so that an edit of an array leaves the places inside it before it.
        let mut outcomes = Vec::with_capacity(locations.len());
        for location in locations.iter().rev() {
            let target = path::get_mut(&mut document, location).expect("a located value");
            outcomes.push(self.applied(target)?);
        }
        outcomes.reverse();
        let changed = outcomes.iter().any(|outcome| matches!(outcome, Outcome::Answer(_)));
        Ok((changed.then(|| document.to_string()), outcomes))
    }

    /// The edit at one value; a legacy path's value must be of the type it works on.
    fn applied(&self, target: &mut Value) -> Result<Outcome, CmdError> {
        let outcome = self.edit.apply(target)?;
        match (&outcome, self.path.is_legacy()) {
            (Outcome::NotApplicable, true) => Err(wrong_type(self.edit.expects(), target)),
            _ => Ok(outcome),
        }
    }
}

/// The remaining arguments, each a JSON value.
fn json_values(args: &mut Args) -> Result<Vec<Value>, CmdError> {
    let mut values = Vec::with_capacity(args.remaining());
    while args.remaining() > 0 {
        values.push(value::parse(&args.value()?)?);
    }
    Ok(values)
}

impl Edit {
    fn expects(&self) -> &'static str {
        match self {
            Self::Toggle => "boolean",
            Self::Arithmetic(..) => "number",
            Self::StrAppend(_) => "string",
            Self::ArrAppend(_) | Self::ArrInsert(..) | Self::ArrPop(_) | Self::ArrTrim(..) => "array",
        }
    }

    /// The keyspace event, RedisJSON's.
    fn event(&self) -> &'static str {
        match self {
            Self::Toggle => "json.toggle",
            Self::Arithmetic(Arithmetic::Add, _) => "json.numincrby",
            Self::Arithmetic(Arithmetic::Multiply, _) => "json.nummultby",
            Self::StrAppend(_) => "json.strappend",
            Self::ArrAppend(_) => "json.arrappend",
            Self::ArrInsert(..) => "json.arrinsert",
            Self::ArrPop(_) => "json.arrpop",
            Self::ArrTrim(..) => "json.arrtrim",
        }
    }

    fn apply(&self, target: &mut Value) -> Result<Outcome, CmdError> {
        let length = |len: usize| Outcome::Answer(Value::from(len));
        Ok(match (self, target) {
            (Self::Toggle, Value::Bool(flag)) => {
                *flag = !*flag;
                Outcome::Answer(Value::Bool(*flag))
            }
            (Self::Arithmetic(arithmetic, operand), Value::Number(number)) => {
                *number = arithmetic.apply(number, operand)?;
                Outcome::Answer(Value::Number(number.clone()))
            }
            (Self::StrAppend(suffix), Value::String(text)) => {
                text.push_str(suffix);
                length(text.len())
            }
            (Self::ArrAppend(values), Value::Array(items)) => {
                items.extend(values.iter().cloned());
                length(items.len())
            }
            (Self::ArrInsert(index, values), Value::Array(items)) => {
                let len = items.len() as i64;
                let at = if *index < 0 { len + index } else { *index };
                if !(0..=len).contains(&at) {
                    return Err(CmdError::new("ERR index out of bounds"));
                }
                let at = at as usize;
                items.splice(at..at, values.iter().cloned());
                length(items.len())
            }
            (Self::ArrPop(_), Value::Array(items)) if items.is_empty() => Outcome::Nothing,
            (Self::ArrPop(index), Value::Array(items)) => {
                let len = items.len() as i64;
                let at = if *index < 0 { len + index } else { *index };
                Outcome::Answer(items.remove(at.clamp(0, len - 1) as usize))
            }
            (Self::ArrTrim(start, stop), Value::Array(items)) => {
                let len = items.len() as i64;
                let from_end = |index: i64| if index < 0 { (len + index).max(0) } else { index };
                let (start, stop) = (from_end(*start), from_end(*stop).min(len - 1));
                match start <= stop {
                    true => {
                        items.truncate(stop as usize + 1);
                        items.drain(..start as usize);
                    }
                    false => items.clear(),
                }
                length(items.len())
            }
            _ => Outcome::NotApplicable,
        })
    }

    /// The reply for the outcomes at each value, in document order: a legacy path's is its
    /// (last) value's alone.
    fn reply(&self, outcomes: Vec<Outcome>, legacy: bool) -> Reply {
        let mut answers: Vec<Option<Value>> = outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Outcome::Answer(value) => Some(value),
                Outcome::NotApplicable | Outcome::Nothing => None,
            })
            .collect();
        let text = |value: Option<Value>| Reply::bulk_or_nil(value.map(|value| value.to_string()));
        let count = |value: Option<Value>| value.and_then(|value| value.as_i64()).map_or(Reply::Nil, Reply::Int);
        if legacy {
            let answer = answers.pop().flatten();
            return match self {
                Self::Arithmetic(..) | Self::Toggle | Self::ArrPop(_) => text(answer),
                Self::StrAppend(_) | Self::ArrAppend(_) | Self::ArrInsert(..) | Self::ArrTrim(..) => count(answer),
            };
        }
        let answers = answers.into_iter();
        match self {
            // One JSON text: the array of new numbers, null where there was none.
            Self::Arithmetic(..) => {
                Reply::bulk(Value::Array(answers.map(|value| value.unwrap_or(Value::Null)).collect()).to_string())
            }
            Self::Toggle => Reply::Array(
                answers
                    .map(|value| value.map_or(Reply::Nil, |value| Reply::bool(value == Value::Bool(true))))
                    .collect(),
            ),
            Self::ArrPop(_) => Reply::Array(answers.map(text).collect()),
            Self::StrAppend(_) | Self::ArrAppend(_) | Self::ArrInsert(..) | Self::ArrTrim(..) => {
                Reply::Array(answers.map(count).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_outermost_of_nested_locations_are_kept() {
        use super::super::path::Step;
        let key = |name: &str| Step::Key(name.to_owned());
        let locations = vec![
            vec![key("a"), key("b")],
            vec![key("a")],
            vec![key("c")],
            vec![key("a"), Step::Index(0)],
        ];
        assert_eq!(outermost(locations), vec![vec![key("a")], vec![key("c")]]);
    }

    #[test]
    fn arrtrim_keeps_what_ltrim_would() {
        let trim = |start, stop| {
            let mut items: Value = serde_json::from_str("[0,1,2,3,4]").unwrap();
            Edit::ArrTrim(start, stop).apply(&mut items).ok().unwrap();
            items.to_string()
        };
        assert_eq!(trim(1, 3), "[1,2,3]");
        assert_eq!(trim(-2, -1), "[3,4]");
        assert_eq!(trim(3, 1), "[]");
        assert_eq!(trim(0, 99), "[0,1,2,3,4]");
    }
}
