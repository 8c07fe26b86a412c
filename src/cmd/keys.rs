use crate::domain::Key;
use crate::store::StoreError;

use super::Engine;

/// `DEL key`: removes a key. Returns whether a live key was removed.
#[derive(Debug)]
pub struct Del {
    pub key: Key,
}

impl Del {
    pub async fn exec(self, engine: &Engine) -> Result<bool, StoreError> {
        engine.store().delete(self.key.as_bytes(), engine.now_ms()).await
    }
}
