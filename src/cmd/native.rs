//! Typed entry points for the native JSON API, which speaks in values and TTLs rather than
//! Redis argument lists. They run on the same paths as the Redis commands they amount to.

use bytes::Bytes;

use super::keys::Del;
use super::{CmdError, Command, Engine, ExecError, Reply};
use crate::domain::Ttl;
use crate::store::{Entry, KeyType, Lookup, StoreError};

#[derive(Debug, PartialEq, Eq)]
pub struct SetOutcome {
    /// The key did not exist before, or had expired.
    pub created: bool,
    /// Unix milliseconds, or `None` for a key that never expires.
    pub expires_at: Option<i64>,
}

/// A key's whole value, by its type.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    String(Bytes),
    /// Fields and values, in field order.
    Hash(Vec<(Bytes, Bytes)>),
}

#[derive(Debug, PartialEq, Eq)]
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

    /// Replaces `key`, whatever it held, with a hash of `fields` (at least one), in one
    /// transaction of `DEL`, `HSET` and `PEXPIREAT`: the Redis commands it amounts to.
    /// Answers whether the key was created.
    pub async fn set_hash_value(
        &self,
        key: Bytes,
        fields: Vec<(Bytes, Bytes)>,
        ttl: Option<Ttl>,
    ) -> Result<SetOutcome, ExecError> {
        let expires_at = ttl.map(|ttl| self.now_ms() + ttl.as_millis());
        let mut hset = vec![Bytes::from_static(b"HSET"), key.clone()];
        hset.extend(fields.into_iter().flat_map(|(field, value)| [field, value]));
        let mut commands = vec![vec![Bytes::from_static(b"DEL"), key.clone()], hset];
        if let Some(expires_at) = expires_at {
            commands.push(vec![
                Bytes::from_static(b"PEXPIREAT"),
                key,
                expires_at.to_string().into(),
            ]);
        }
        let parsed = commands
            .into_iter()
            .map(|args| self.parse(args).map(Ok))
            .collect::<Result<Vec<_>, CmdError>>()?;
        let replies = self.execute_transaction(parsed).await.map_err(ExecError::Store)?;
        if let Some(Reply::Error(error)) = replies.iter().find(|reply| matches!(reply, Reply::Error(_))) {
            return Err(error.clone().into());
        }
        Ok(SetOutcome {
            created: replies.first() == Some(&Reply::Int(0)),
            expires_at,
        })
    }

    /// A key's whole value (a string or a hash) plus its time to live. An expired key is
    /// deleted before answering.
    pub async fn get_value(&self, key: &[u8]) -> Result<GetOutcome, StoreError> {
        let now_ms = self.now_ms();
        let mut view = self.store.read(now_ms);
        let ttl_remaining =
            |expires_at: Option<i64>| expires_at.map(|expires_at| seconds_rounded_up(expires_at - now_ms));
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
                    _ => return Err(StoreError::WrongType),
                };
                return Ok(GetOutcome::Found {
                    value,
                    ttl_remaining: ttl_remaining(info.expires_at),
                });
            }
            lookup => lookup?,
        };
        drop(view);
        match lookup {
            Lookup::Live(Entry { value, expires_at }) => Ok(GetOutcome::Found {
                value: Stored::String(value),
                ttl_remaining: ttl_remaining(expires_at),
            }),
            Lookup::Expired => {
                let keys = vec![Bytes::copy_from_slice(key)];
                self.store.delete_if_expired(keys, now_ms).await?;
                Ok(GetOutcome::Expired)
            }
            Lookup::Missing => Ok(GetOutcome::Missing),
        }
    }

    /// `DEL key`: whether a live key was removed.
    pub async fn delete_key(&self, key: Bytes) -> Result<bool, StoreError> {
        let reply = self.execute(Command::from(Del::new(vec![key]))).await?;
        Ok(reply == Reply::Int(1))
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
