//! Reading documents: JSON.GET, JSON.MGET, and the questions asked of each value a path
//! selects (JSON.TYPE, JSON.RESP, JSON.STRLEN, JSON.OBJKEYS, JSON.OBJLEN, JSON.ARRLEN,
//! JSON.ARRINDEX).

use bytes::Bytes;
use serde_json::{Map, Value};

use super::path::Path;
use super::value::{self, Layout};
use super::{Document, key_and_path, read_document, wrong_type};
use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::ReadView;

/// `JSON.GET key [INDENT s] [NEWLINE s] [SPACE s] [path ...]`: one path's values as JSON
/// text (a JSONPath's as an array), or several paths' as an object keyed by path.
#[derive(Debug)]
pub struct JsonGet {
    key: Bytes,
    layout: Layout,
    paths: Vec<Path>,
}

impl JsonGet {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let mut layout = Layout::default();
        let mut paths = Vec::new();
        while let Some(word) = args.peek().cloned() {
            args.bytes()?;
            let text = |args: &mut Args| Ok::<_, CmdError>(String::from_utf8_lossy(&args.bytes()?).into_owned());
            match word.to_ascii_uppercase().as_slice() {
                b"INDENT" => layout.indent = text(args)?,
                b"NEWLINE" => layout.newline = text(args)?,
                b"SPACE" => layout.space = text(args)?,
                // RedisJSON 1's option, accepted and ignored as RedisJSON does.
                b"NOESCAPE" => {}
                _ => paths.push(Path::parse(&word)?),
            }
        }
        if paths.is_empty() {
            paths.push(Path::root());
        }
        Ok(Self { key, layout, paths })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let Some(document) = read_document(view, &self.key).await? else {
            return Ok(Reply::Nil);
        };
        if let Some(reply) = self.as_stored(&document)? {
            return Ok(reply);
        }
        let legacy = self.paths.iter().all(Path::is_legacy);
        let mut answers = Vec::with_capacity(self.paths.len());
        for path in &self.paths {
            let values = document.select(path)?;
            answers.push(match legacy {
                true => values.into_iter().next().ok_or_else(|| path.missing())?,
                false => Value::Array(values),
            });
        }
        let answer = match answers.len() {
            1 => answers.pop().expect("one answer"),
            _ => Value::Object(
                self.paths
                    .iter()
                    .map(|path| path.given().to_owned())
                    .zip(answers)
                    .collect::<Map<_, _>>(),
            ),
        };
        Ok(Reply::bulk(self.layout.write(&answer)))
    }
}

impl JsonGet {
    /// The common case answered from the stored text as it is, nothing parsed but the path
    /// to the value: one static path, compact. `None` for the others.
    fn as_stored(&self, document: &Document) -> Result<Option<Reply>, CmdError> {
        let ([path], true) = (self.paths.as_slice(), self.layout.is_compact()) else {
            return Ok(None);
        };
        let Some(steps) = path.steps() else {
            return Ok(None);
        };
        Ok(Some(match (document.raw(steps)?, path.is_legacy()) {
            (Some(text), true) => Reply::bulk(text.to_owned()),
            (Some(text), false) => Reply::bulk(format!("[{text}]")),
            (None, true) => return Err(path.missing()),
            (None, false) => Reply::bulk("[]"),
        }))
    }
}

/// `JSON.MGET key [key ...] path`: each key's values at the path (nil for a key that is
/// missing or not a document).
#[derive(Debug)]
pub struct JsonMGet {
    keys: Vec<Bytes>,
    path: Path,
}

impl JsonMGet {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let mut keys = args.keys()?;
        let path = keys.pop().expect("arity leaves a path");
        Ok(Self {
            keys,
            path: Path::parse(&path)?,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        view.consistent().await?;
        let mut replies = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            let document = match read_document(view, key).await {
                Ok(document) => document,
                Err(ExecError::Command(_)) => None,
                Err(error) => return Err(error),
            };
            let values = document.map(|document| document.select(&self.path)).transpose()?;
            replies.push(match (values, self.path.is_legacy()) {
                (None, _) => Reply::Nil,
                (Some(values), true) => Reply::bulk_or_nil(values.first().map(Value::to_string)),
                (Some(values), false) => Reply::bulk(Value::Array(values).to_string()),
            });
        }
        Ok(Reply::Array(replies))
    }
}

/// What a read asks of each value its path selects.
#[derive(Debug)]
pub enum Query {
    /// JSON.TYPE
    Type,
    /// JSON.RESP
    Resp,
    /// JSON.STRLEN
    StrLen,
    /// JSON.OBJKEYS
    ObjKeys,
    /// JSON.OBJLEN
    ObjLen,
    /// JSON.ARRLEN
    ArrLen,
    /// JSON.ARRINDEX: where `value` first is between `start` and `stop` (exclusive; 0 is the
    /// end), negative counting from the end.
    ArrIndex { value: Value, start: i64, stop: i64 },
}

/// `JSON.<query> key [path]`: the query's answer for each value the path selects (a
/// JSONPath's as an array, nil where the value is not of the type it asks about), or for the
/// one a legacy path selects.
#[derive(Debug)]
pub struct JsonRead {
    key: Bytes,
    path: Path,
    query: Query,
}

impl JsonRead {
    pub(in crate::cmd) fn parse(args: &mut Args, query: Query) -> Result<Self, CmdError> {
        let (key, path) = key_and_path(args)?;
        args.finish()?;
        Ok(Self { key, path, query })
    }

    /// `JSON.ARRINDEX key path value [start [stop]]`.
    pub(in crate::cmd) fn parse_arrindex(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let path = Path::parse(&args.bytes()?)?;
        let value = value::parse(&args.bytes()?)?;
        let start = if args.remaining() > 0 { args.int()? } else { 0 };
        let stop = if args.remaining() > 0 { args.int()? } else { 0 };
        args.finish()?;
        let query = Query::ArrIndex { value, start, stop };
        Ok(Self { key, path, query })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let Some(document) = read_document(view, &self.key).await? else {
            return Ok(Reply::Nil);
        };
        let values = document.select(&self.path)?;
        if !self.path.is_legacy() {
            let answers = values
                .iter()
                .map(|value| self.query.answer(value).unwrap_or(Reply::Nil));
            return Ok(Reply::Array(answers.collect()));
        }
        let Some(value) = values.first() else {
            return match self.query {
                Query::Type | Query::Resp | Query::ObjKeys | Query::ObjLen => Ok(Reply::Nil),
                _ => Err(self.path.missing().into()),
            };
        };
        self.query
            .answer(value)
            .ok_or_else(|| wrong_type(self.query.expects(), value).into())
    }
}

impl Query {
    /// The type the query asks about.
    fn expects(&self) -> &'static str {
        match self {
            Self::Type | Self::Resp => "any",
            Self::StrLen => "string",
            Self::ObjKeys | Self::ObjLen => "object",
            Self::ArrLen | Self::ArrIndex { .. } => "array",
        }
    }

    /// The answer for one value; `None` if it is not of the type asked about.
    fn answer(&self, value: &Value) -> Option<Reply> {
        Some(match (self, value) {
            (Self::Type, value) => Reply::bulk(value::type_name(value)),
            (Self::Resp, value) => value::to_resp(value),
            (Self::StrLen, Value::String(text)) => Reply::count(text.len()),
            (Self::ObjKeys, Value::Object(members)) => Reply::array_of_bulks(members.keys().cloned()),
            (Self::ObjLen, Value::Object(members)) => Reply::count(members.len()),
            (Self::ArrLen, Value::Array(items)) => Reply::count(items.len()),
            (Self::ArrIndex { value, start, stop }, Value::Array(items)) => {
                Reply::Int(first_index(items, value, *start, *stop))
            }
            _ => return None,
        })
    }
}

/// Where `wanted` first is in `items[start..stop]`, or -1: negative bounds count from the
/// end, a stop of 0 is the end, and bounds past the ends are brought within them.
fn first_index(items: &[Value], wanted: &Value, start: i64, stop: i64) -> i64 {
    let len = items.len() as i64;
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start.min(len)
    };
    let stop = match stop {
        0 => len,
        stop if stop < 0 => (len + stop).max(0),
        stop => stop.min(len),
    };
    (start..stop).find(|&at| &items[at as usize] == wanted).unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrindex_bounds_count_from_the_end_and_stop_before_stop() {
        let items: Vec<Value> = serde_json::from_str("[1, 2, 3, 2]").unwrap();
        let two = Value::from(2);
        assert_eq!(first_index(&items, &two, 0, 0), 1);
        assert_eq!(first_index(&items, &two, 2, 0), 3);
        assert_eq!(first_index(&items, &two, -1, 0), 3);
        assert_eq!(first_index(&items, &two, 2, 3), -1);
        assert_eq!(first_index(&items, &two, 0, -3), -1);
        assert_eq!(first_index(&items, &two, 5, 0), -1);
        assert_eq!(first_index(&items, &Value::from(9), 0, 0), -1);
    }
}
