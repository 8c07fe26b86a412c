use bytes::Bytes;

use crate::domain::{Key, Ttl};
use crate::store::{Entry, Lookup, StoreError};

use super::Engine;

/// `SET key value [EX seconds]`: stores a value, replacing any earlier value and expiry.
#[derive(Debug)]
pub struct Set {
    pub key: Key,
    pub value: Vec<u8>,
    /// `None` stores the key without expiry, clearing any earlier TTL (as Redis's SET does).
    pub ttl: Option<Ttl>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct SetOutcome {
    /// The key did not exist before, or had expired.
    pub created: bool,
    /// Unix milliseconds, or `None` for a key that never expires.
    pub expires_at: Option<i64>,
}

impl Set {
    /// Returns once the write is committed.
    pub async fn exec(self, engine: &Engine) -> Result<SetOutcome, StoreError> {
        let now_ms = engine.now_ms();
        let expires_at = self.ttl.map(|ttl| now_ms + ttl.as_millis());
        let created = engine
            .store()
            .set(self.key.as_bytes(), self.value, expires_at, now_ms)
            .await?;
        Ok(SetOutcome { created, expires_at })
    }
}

/// `GET key`, plus what the native API shows besides the value: the time left to live.
#[derive(Debug)]
pub struct Get {
    pub key: Key,
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

impl Get {
    /// Reads the key. An expired key is deleted on the spot (lazy expiry), before answering.
    pub async fn exec(self, engine: &Engine) -> Result<GetOutcome, StoreError> {
        let now_ms = engine.now_ms();
        match engine.store().get(self.key.as_bytes(), now_ms).await? {
            Lookup::Live(Entry { value, expires_at }) => Ok(GetOutcome::Found {
                value,
                ttl_remaining: expires_at.map(|expires_at| seconds_rounded_up(expires_at - now_ms)),
            }),
            Lookup::Expired => {
                engine.store().delete_if_expired(self.key.as_bytes(), now_ms).await?;
                Ok(GetOutcome::Expired)
            }
            Lookup::Missing => Ok(GetOutcome::Missing),
        }
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
