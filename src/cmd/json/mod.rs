//! JSON documents, RedisJSON's commands: a key of its own type whose value is a JSON document,
//! read and edited at paths ([`path`]). The document is stored as its compact text. A path of
//! member names and indexes is followed through the text, and only the value it names is
//! parsed ([`raw`]); other paths parse the document. A write stores the new text whole
//! (`docs/storage.md` says what that costs as documents grow).

mod path;
mod raw;
mod read;
mod value;
mod write;

use bytes::Bytes;
use serde_json::Value;

use crate::cmd::args::{Args, check_length};
use crate::reply::{CmdError, ExecError};
use crate::store::{EventClass, ReadView, WriteTx};
use path::Path;
pub use read::{JsonGet, JsonMGet, JsonRead, Query};
pub use value::Arithmetic;
pub use write::{JsonDel, JsonEdit, JsonMSet, JsonSet};

/// A document's stored text and its expiry.
struct Document {
    text: Bytes,
    expires_at: Option<i64>,
}

impl Document {
    fn text(&self) -> Result<&str, CmdError> {
        std::str::from_utf8(&self.text).map_err(|_| corrupt("it is not UTF-8"))
    }

    /// The whole document, parsed.
    fn parse(&self) -> Result<Value, CmdError> {
        serde_json::from_slice(&self.text).map_err(|error| corrupt(&error.to_string()))
    }

    /// The text of the one value a static path names (`None` if it is not there).
    fn raw(&self, steps: &[path::Step]) -> Result<Option<&str>, CmdError> {
        let text = self.text()?;
        Ok(raw::locate(text, steps).map(|range| &text[range]))
    }

    /// Copies of the values `path` selects: for a static path, only that value is parsed.
    fn select(&self, path: &Path) -> Result<Vec<Value>, CmdError> {
        if let Some(steps) = path.steps() {
            return self
                .raw(steps)?
                .map(|text| value::parse(text.as_bytes()))
                .into_iter()
                .collect();
        }
        let document = self.parse()?;
        Ok(path
            .locate(&document)
            .iter()
            .filter_map(|location| path::get(&document, location).cloned())
            .collect())
    }
}

fn corrupt(reason: &str) -> CmdError {
    CmdError::new(format!("ERR the stored document does not parse: {reason}"))
}

/// The document at `key`, if there is one; a key of another type is WRONGTYPE.
async fn read_document(view: &mut ReadView<'_>, key: &[u8]) -> Result<Option<Document>, ExecError> {
    Ok(view.document(key).await?.map(|entry| Document {
        text: entry.value,
        expires_at: entry.expires_at,
    }))
}

/// What a write needs besides its document: the key, whether the write creates it, the
/// event it makes, and the largest document it may store.
struct Writing<'a> {
    key: &'a Bytes,
    created: bool,
    event: &'static str,
    max_value_bytes: usize,
}

/// Stores `text` at the key with `expires_at`, with its events: `new` if created, then the
/// command's.
async fn write_document(
    tx: &mut WriteTx<'_>,
    writing: Writing<'_>,
    text: String,
    expires_at: Option<i64>,
) -> Result<(), ExecError> {
    check_length(text.len(), writing.max_value_bytes)?;
    tx.put_document(writing.key, text.into(), expires_at).await?;
    tx.notify_created(writing.created, writing.key);
    tx.notify(EventClass::Module, writing.event, writing.key);
    Ok(())
}

/// `key [path]`, as most commands begin: the path is the root when none is given.
fn key_and_path(args: &mut Args) -> Result<(Bytes, Path), CmdError> {
    let key = args.key()?;
    let path = match args.remaining() {
        0 => Path::root(),
        _ => Path::parse(&args.bytes()?)?,
    };
    Ok((key, path))
}

/// A write to a key that does not exist, where the command cannot create one.
fn no_such_key() -> CmdError {
    CmdError::new("ERR could not perform this operation on a key that doesn't exist")
}

/// A legacy path's value of the wrong type, in RedisJSON's words.
fn wrong_type(expected: &str, found: &Value) -> CmdError {
    CmdError::new(format!(
        "WRONGTYPE wrong type of path value - expected {expected} but found {}",
        value::type_name(found)
    ))
}
