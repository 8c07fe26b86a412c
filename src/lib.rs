//! litekv: a persistent, Redis-compatible key-value store reached over HTTP and the Redis
//! protocol.
//!
//! A request flows down three layers (see DESIGN.md):
//! - [`http`] and [`resp`]: front doors. Translate a protocol into commands, and outcomes back.
//! - [`cmd`]: the command engine. Redis semantics (expiry, lazy deletes) over the store.
//! - [`store`]: the only code that writes SQL. A read pool and one group-committing writer.
//!
//! Around them: [`access`] (tokens and what they allow, for every door), [`broker`] (pub/sub
//! channels and their subscribers), [`domain`] (validated keys and TTLs), [`clock`] (time as a parameter),
//! [`sweep`] (active expiry, for the server and `litekv-cleanup`), [`config`] (flags and env),
//! [`telemetry`] (logs) and [`startup`] (the server's lifecycle).

pub mod access;
pub mod broker;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod domain;
pub mod http;
pub mod notify;
pub mod resp;
pub mod script;
pub mod startup;
pub mod store;
pub mod sweep;
pub mod telemetry;

/// The Redis version the server answers as (HELLO, INFO, `redis.REDIS_VERSION`): the
/// release whose commands it follows.
pub const REDIS_VERSION: &str = "7.4.0";
