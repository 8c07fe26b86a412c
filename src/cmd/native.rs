//! Typed entry points for the native JSON API, which speaks in values and TTLs rather than
//! Redis argument lists. They run on the same paths as the Redis commands they amount to.

use bytes::Bytes;

use super::args::check_length;
use super::expiry::Expiry;
use super::hashes::HSet;
use super::json::JsonSet;
use super::keys::{Del, Expire};
use super::lists::LPush;
use super::sets::SAdd;
use super::strings::Set;
use super::zsets::ZAdd;
use super::{Command, Engine};
use crate::domain::Ttl;
use crate::reply::{ExecError, Reply};
use crate::store::{End, Entry, KeyType, LocalBoxFuture, Lookup, Order, ReadJob, ReadView, Selection, StoreError};

#[derive(Debug, PartialEq, Eq)]
pub struct SetOutcome {
    /// The key did not exist before, or had expired.
    pub created: bool,
    /// Unix milliseconds, or `None` for a key that never expires.
    pub expires_at: Option<i64>,
}

/// A key's whole value, by its type.
#[derive(Debug, PartialEq)]
pub enum Stored {
    String(Bytes),
    /// Fields and values, in field order.
    Hash(Vec<(Bytes, Bytes)>),
    /// Elements from head to tail.
    List(Vec<Bytes>),
    /// Members in member order.
    Set(Vec<Bytes>),
    /// Members and scores, by score then member.
    ZSet(Vec<(Bytes, f64)>),
    /// A JSON document's compact text.
    Json(Bytes),
}

impl Stored {
    /// The type's name, as `TYPE` answers it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::String(_) => "string",
            Self::Hash(_) => "hash",
            Self::List(_) => "list",
            Self::Set(_) => "set",
            Self::ZSet(_) => "zset",
            Self::Json(_) => "json",
        }
    }

    /// The Redis command that writes this value whole onto an absent `key`.
    fn writing_command(self, key: &Bytes) -> Command {
        match self {
            Self::String(value) => Set::plain(key.clone(), value, Expiry::Clear).into(),
            Self::Hash(fields) => HSet::new(key.clone(), fields).into(),
            Self::List(elements) => LPush::new(key.clone(), elements, End::Tail).into(),
            Self::Set(members) => SAdd::new(key.clone(), members).into(),
            Self::ZSet(members) => {
                let members = members.into_iter().map(|(member, score)| (score, member)).collect();
                ZAdd::new(key.clone(), members).into()
            }
            Self::Json(document) => {
                // The JSON API parsed it from its body; a document read back parses too.
                let document = serde_json::from_slice(&document).unwrap_or(serde_json::Value::Null);
                JsonSet::root(key.clone(), document).into()
            }
        }
    }

    /// The longest of its strings (the value, a field, an element): each is held to the
    /// engine's limit on values, as a parsed command's are.
    fn longest_string(&self) -> usize {
        let longest = |lengths: &mut dyn Iterator<Item = usize>| lengths.max().unwrap_or(0);
        match self {
            Self::String(value) | Self::Json(value) => value.len(),
            Self::Hash(fields) => longest(&mut fields.iter().map(|(field, value)| field.len().max(value.len()))),
            Self::List(elements) | Self::Set(elements) => longest(&mut elements.iter().map(Bytes::len)),
            Self::ZSet(members) => longest(&mut members.iter().map(|(member, _)| member.len())),
        }
    }
}

#[derive(Debug, PartialEq)]
pub enum GetOutcome {
    Found {
        value: Stored,
        /// Whole seconds left, rounded up; `None` for a key that never expires.
        ttl_remaining: Option<i64>,
    },
    /// The key had expired; it has now been deleted.
    Expired,
    Missing,
}

impl Engine {
    /// `SET key value [EX ttl]`, answering whether the key was created. Without a TTL, any
    /// earlier expiry is cleared.
    pub async fn set_value(&self, key: Bytes, value: Bytes, ttl: Option<Ttl>) -> Result<SetOutcome, StoreError> {
        let now_ms = self.now_ms();
        let expires_at = ttl.map(|ttl| now_ms + ttl.as_millis());
        let created = self.store.set(key, value, expires_at, now_ms).await?;
        Ok(SetOutcome { created, expires_at })
    }

    /// Replaces `key`, whatever it held, with `value` (a collection has at least one
    /// element), in one transaction of `DEL`, the command that writes the type (`SET`,
    /// `HSET`, `RPUSH`, `SADD`, `ZADD`) and `PEXPIREAT`: the Redis commands it amounts to.
    /// Answers whether the key was created.
    pub async fn set_whole_value(&self, key: Bytes, value: Stored, ttl: Option<Ttl>) -> Result<SetOutcome, ExecError> {
        check_length(value.longest_string(), self.max_value_bytes)?;
        let expires_at = ttl.map(|ttl| self.now_ms() + ttl.as_millis());
        let mut commands = vec![
            Ok(Command::from(Del::new(vec![key.clone()])).claiming(vec![key.clone()])),
            Ok(value.writing_command(&key).claiming(vec![key.clone()])),
        ];
        if let Some(expires_at) = expires_at {
            commands.push(Ok(
                Command::from(Expire::at_unix_ms(key.clone(), expires_at)).claiming(vec![key.clone()])
            ));
        }
        let replies = self.execute_transaction(commands).await.map_err(ExecError::Store)?;
        if let Some(Reply::Error(error)) = replies.iter().find(|reply| matches!(reply, Reply::Error(_))) {
            return Err(error.clone().into());
        }
        Ok(SetOutcome {
            created: replies.first() == Some(&Reply::Int(0)),
            expires_at,
        })
    }

    /// A key's whole value, of any type, plus its time to live. An expired key is
    /// deleted before answering. Read where it is asked if the cache holds it, else on a
    /// reader.
    pub async fn get_value(&self, key: &[u8]) -> Result<GetOutcome, StoreError> {
        let now_ms = self.now_ms();
        let outcome = match value_of(&mut self.store.read_cached(now_ms), key).await {
            Err(StoreError::NotCached) => {
                let key = Bytes::copy_from_slice(key);
                self.store.read_on_reader(now_ms, ValueOf(key)).await?.0
            }
            answered => answered,
        }?;
        if let GetOutcome::Expired = outcome {
            let keys = vec![Bytes::copy_from_slice(key)];
            self.store.delete_if_expired(keys, now_ms).await?;
        }
        Ok(outcome)
    }

    /// `DEL key`: whether a live key was removed.
    pub async fn delete_key(&self, key: Bytes) -> Result<bool, StoreError> {
        let reply = self
            .execute(Command::from(Del::new(vec![key.clone()])).claiming(vec![key.clone()]))
            .await?;
        Ok(reply == Reply::Int(1))
    }
}

/// A key's whole value, of any type, plus its time to live, as `view` reads it.
async fn value_of(view: &mut ReadView<'_>, key: &[u8]) -> Result<GetOutcome, StoreError> {
    let now_ms = view.now_ms();
    let ttl_remaining = |expires_at: Option<i64>| expires_at.map(|expires_at| seconds_rounded_up(expires_at - now_ms));
    let lookup = match view.lookup(key).await {
        Err(StoreError::WrongType) => {
            // Not a string: the other types read whole, their key and elements from one
            // snapshot.
            view.consistent().await?;
            let Some(info) = view.info(key).await? else {
                return Ok(GetOutcome::Missing);
            };
            let value = match info.kind {
                KeyType::Hash => Stored::Hash(view.hash_fields(key).await?),
                KeyType::List => Stored::List(view.list_range(key, 0, -1).await?),
                KeyType::Set => Stored::Set(view.set_members(key).await?),
                KeyType::ZSet => Stored::ZSet(view.zset_range(key, &Selection::ranks(0, -1, Order::Ascending)).await?),
                KeyType::Json => match view.document(key).await? {
                    Some(entry) => Stored::Json(entry.value),
                    None => return Ok(GetOutcome::Missing),
                },
                KeyType::String => return Err(StoreError::WrongType),
            };
            return Ok(GetOutcome::Found {
                value,
                ttl_remaining: ttl_remaining(info.expires_at),
            });
        }
        lookup => lookup?,
    };
    Ok(match lookup {
        Lookup::Live(Entry { value, expires_at }) => GetOutcome::Found {
            value: Stored::String(value),
            ttl_remaining: ttl_remaining(expires_at),
        },
        Lookup::Expired => GetOutcome::Expired,
        Lookup::Missing => GetOutcome::Missing,
    })
}

/// [`value_of`] a key, on a reader.
struct ValueOf(Bytes);

impl ReadJob for ValueOf {
    type Output = Result<GetOutcome, StoreError>;

    fn run<'a>(self, view: &'a mut ReadView<'_>) -> LocalBoxFuture<'a, Self::Output> {
        Box::pin(async move { value_of(view, &self.0).await })
    }
}

fn seconds_rounded_up(ms: i64) -> i64 {
    (ms + 999).div_euclid(1000)
}

#[cfg(test)]
mod tests {
    use super::seconds_rounded_up;

    #[test]
    fn remaining_time_rounds_up_to_whole_seconds() {
        assert_eq!(seconds_rounded_up(1), 1);
        assert_eq!(seconds_rounded_up(1000), 1);
        assert_eq!(seconds_rounded_up(1001), 2);
        assert_eq!(seconds_rounded_up(59_999), 60);
    }
}
