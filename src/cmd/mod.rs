//! The command engine: Redis semantics over the store, shared by every front door.
//!
//! A front door turns its protocol into a command struct, runs it against the [`Engine`]
//! and renders the typed outcome. Commands own the semantics (expiry arithmetic, lazy
//! deletes); the store owns the SQL. Parsing commands from Redis argument lists and the
//! protocol-neutral `Reply` arrive with the first Redis front door.

mod keys;
mod strings;

use std::sync::Arc;

pub use keys::Del;
pub use strings::{Get, GetOutcome, Set, SetOutcome};

use crate::clock::Clock;
use crate::store::Store;

/// What every command runs against: the store, and the clock that says what "now" is.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    clock: Arc<dyn Clock>,
}

impl Engine {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
