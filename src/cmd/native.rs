//! Typed entry points for the native JSON API, which speaks in values and TTLs rather than
//! Redis argument lists. They run on the same paths as the Redis commands they amount to.

use bytes::Bytes;

use super::keys::Del;
use super::{Command, Engine, Reply};
use crate::domain::Ttl;
use crate::store::{Entry, Lookup, StoreError};

#[derive(Debug, PartialEq, Eq)]
pub struct SetOutcome {
    /// The key did not exist before, or had expired.
    pub created: bool,
    /// Unix milliseconds, or `None` for a key that never expires.
    pub expires_at: Option<i64>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum GetOutcome {
    Found {
        value: Bytes,
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

    /// `GET key` plus its time to live. An expired key is deleted before answering.
    pub async fn get_value(&self, key: &[u8]) -> Result<GetOutcome, StoreError> {
        let now_ms = self.now_ms();
        match self.store.read(now_ms).lookup(key).await? {
            Lookup::Live(Entry { value, expires_at }) => Ok(GetOutcome::Found {
                value,
                ttl_remaining: expires_at.map(|expires_at| seconds_rounded_up(expires_at - now_ms)),
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
