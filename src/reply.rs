//! What a command answers, independent of any protocol, and the errors it can answer with.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

use crate::store::StoreError;

/// A command's answer, in RESP3's terms: the richer types say what RESP3 clients get,
/// and [`Reply::into_resp2`] folds them into RESP2's, which the other doors render.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Nil,
    /// No array, as opposed to an empty one (EXEC called off by WATCH): RESP2's `*-1`.
    NilArray,
    /// A short status such as `OK`, `PONG` or a type name (or whatever a script returns).
    Status(Cow<'static, str>),
    Int(i64),
    Bulk(Bytes),
    Array(Vec<Reply>),
    Error(CmdError),
    /// A floating-point number, such as a score: RESP2 has it as a bulk string.
    Double(f64),
    /// A floating-point number Redis writes for people, in fixed notation with 17 decimals
    /// (trailing zeros dropped): a geo coordinate. RESP2 has it as a bulk string.
    FixedDouble(f64),
    /// Keys and values (HGETALL, CONFIG GET, HELLO): RESP2 has them flat in an array.
    Map(Vec<(Reply, Reply)>),
    /// Distinct members in no order (SMEMBERS, SINTER): RESP2 has them as an array.
    Set(Vec<Reply>),
    /// Pairs in order (ZRANGE WITHSCORES, HRANDFIELD WITHVALUES): RESP3 has an array of
    /// two-element arrays, RESP2 the pairs flat in one array.
    Pairs(Vec<(Reply, Reply)>),
    /// What the server sends unasked, such as a pub/sub message: RESP3's push, an array in
    /// RESP2.
    Push(Vec<Reply>),
}

impl Reply {
    pub const OK: Self = Self::status("OK");

    pub const fn status(text: &'static str) -> Self {
        Self::Status(Cow::Borrowed(text))
    }

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

    pub fn set_of_bulks(members: impl IntoIterator<Item = impl Into<Bytes>>) -> Self {
        Self::Set(members.into_iter().map(Self::bulk).collect())
    }

    /// The same answer in RESP2's types: what RESP2 clients and the HTTP doors receive.
    pub fn into_resp2(self) -> Self {
        let flat = |pairs: Vec<(Self, Self)>| {
            let items = pairs
                .into_iter()
                .flat_map(|(first, second)| [first.into_resp2(), second.into_resp2()]);
            Self::Array(items.collect())
        };
        match self {
            Self::Double(number) => Self::bulk(format_score(number)),
            Self::FixedDouble(number) => Self::bulk(format_fixed(number)),
            Self::Map(pairs) | Self::Pairs(pairs) => flat(pairs),
            Self::Array(items) | Self::Set(items) | Self::Push(items) => {
                Self::Array(items.into_iter().map(Self::into_resp2).collect())
            }
            simple => simple,
        }
    }
}

/// A double as Redis writes one: the shortest text that reads back as the same number, with
/// `inf` and `-inf` for the infinities.
pub fn format_score(score: f64) -> String {
    match score {
        f64::INFINITY => "inf".to_owned(),
        f64::NEG_INFINITY => "-inf".to_owned(),
        _ => score.to_string(),
    }
}

/// A double as Redis writes a "human" long double: `%.17Lf`, trailing zeros and a trailing
/// point dropped.
pub fn format_fixed(number: f64) -> String {
    let text = format!("{number:.17}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
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
            StoreError::WrongType | StoreError::KeyBusy(_) => Self::Command(CmdError::new(error.to_string())),
            error => Self::Store(error),
        }
    }
}

/// Folds a command's own failure into its reply.
pub(crate) fn settle(result: Result<Reply, ExecError>) -> Result<Reply, StoreError> {
    match result {
        Ok(reply) => Ok(reply),
        Err(ExecError::Command(error)) => Ok(Reply::Error(error)),
        Err(ExecError::Store(error)) => Err(error),
    }
}
