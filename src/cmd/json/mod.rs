//! JSON documents, RedisJSON's commands: a key of its own type whose value is a JSON document,
//! read and edited at paths ([`path`]). The document is stored as its compact text: each
//! command parses it, works on the parsed value, and a write stores the new text whole
//! (`docs/storage.md` says what that costs as documents grow).

mod path;
mod read;
mod value;
mod write;

use bytes::Bytes;
use serde_json::Value;

use crate::cmd::args::check_length;
use crate::reply::{CmdError, ExecError};
use crate::store::{EventClass, ReadView, WriteTx};
pub use read::{JsonGet, JsonMGet, JsonRead, Query};
pub use value::Arithmetic;
pub use write::{JsonDel, JsonEdit, JsonMSet, JsonSet};

/// A document and its expiry.
struct Document {
    value: Value,
    expires_at: Option<i64>,
}

/// The document at `key`, if there is one; a key of another type is WRONGTYPE.
async fn read_document(view: &mut ReadView<'_>, key: &[u8]) -> Result<Option<Document>, ExecError> {
    let Some(entry) = view.document(key).await? else {
        return Ok(None);
    };
    let value = serde_json::from_slice(&entry.value)
        .map_err(|error| CmdError::new(format!("ERR the stored document does not parse: {error}")))?;
    Ok(Some(Document {
        value,
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

/// Stores `document` at the key, with its events: `new` if created, then the command's.
async fn write_document(tx: &mut WriteTx<'_>, writing: Writing<'_>, document: &Document) -> Result<(), ExecError> {
    let text = document.value.to_string();
    check_length(text.len(), writing.max_value_bytes)?;
    tx.put_document(writing.key, text.into(), document.expires_at).await?;
    tx.notify_created(writing.created, writing.key);
    tx.notify(EventClass::Module, writing.event, writing.key);
    Ok(())
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
