//! What a command answers, independent of any protocol, and the errors it can answer with.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

use crate::store::StoreError;

/// A command's answer, in Redis's (RESP2) terms.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Nil,
    /// A short status such as `OK`, `PONG` or a type name.
    Status(&'static str),
    Int(i64),
    Bulk(Bytes),
    Array(Vec<Reply>),
    Error(CmdError),
}

impl Reply {
    pub const OK: Self = Self::Status("OK");

    pub fn bulk(value: impl Into<Bytes>) -> Self {
        Self::Bulk(value.into())
    }

    /// A bulk string, or nil when there is none.
    pub fn bulk_or_nil(value: Option<impl Into<Bytes>>) -> Self {
        value.map_or(Self::Nil, Self::bulk)
    }

    pub fn bool(value: bool) -> Self {
        Self::Int(value.into())
    }

    pub fn count(value: impl TryInto<i64>) -> Self {
        Self::Int(value.try_into().unwrap_or(i64::MAX))
    }

    pub fn array_of_bulks(values: impl IntoIterator<Item = impl Into<Bytes>>) -> Self {
        Self::Array(values.into_iter().map(Self::bulk).collect())
    }
}

/// A Redis error reply. The text is Redis's own wherever Redis has one, since clients
/// match on it (`WRONGTYPE`, `ERR syntax error`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmdError(Cow<'static, str>);

impl CmdError {
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self(message.into())
    }

    pub fn syntax() -> Self {
        Self::new("ERR syntax error")
    }

    pub fn not_an_integer() -> Self {
        Self::new("ERR value is not an integer or out of range")
    }

    pub fn not_a_float() -> Self {
        Self::new("ERR value is not a valid float")
    }

    pub fn wrong_arity(command: &str) -> Self {
        Self::new(format!("ERR wrong number of arguments for '{command}' command"))
    }

    pub fn invalid_expire_time(command: &str) -> Self {
        Self::new(format!("ERR invalid expire time in '{command}' command"))
    }

    pub fn too_large() -> Self {
        Self::new("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    }

    pub fn is_unknown_command(&self) -> bool {
        self.0.starts_with("ERR unknown command")
    }

    /// The same error, with advice appended.
    pub fn with_hint(self, hint: &str) -> Self {
        Self::new(format!("{}; {hint}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why running a command stopped: the command's own failure, answered as an error reply,
/// or the store's, which fails the whole request.
#[derive(Debug)]
pub enum ExecError {
    Command(CmdError),
    Store(StoreError),
}

impl From<CmdError> for ExecError {
    fn from(error: CmdError) -> Self {
        Self::Command(error)
    }
}

impl From<StoreError> for ExecError {
    /// A key of the wrong type fails the command alone, with Redis's error reply; any other
    /// storage failure fails the request.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::WrongType => Self::Command(CmdError::new(error.to_string())),
            error => Self::Store(error),
        }
    }
}

/// Folds a command's own failure into its reply.
pub(super) fn settle(result: Result<Reply, ExecError>) -> Result<Reply, StoreError> {
    match result {
        Ok(reply) => Ok(reply),
        Err(ExecError::Command(error)) => Ok(Reply::Error(error)),
        Err(ExecError::Store(error)) => Err(error),
    }
}
