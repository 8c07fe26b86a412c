//! litekv: a persistent, Redis-compatible key-value store reached over HTTP and the Redis
//! protocol.
//!
//! A request flows down three layers (see docs/architecture.md, which follows one through
//! them):
//! - [`http`] and [`resp`]: front doors. Translate a protocol into commands, and outcomes back.
//! - [`cmd`]: the command engine. Redis semantics (expiry, lazy deletes) over the store.
//! - [`store`]: the only code that writes SQL. A read pool and one group-committing writer.
//!
//! Under them all, the types every layer shares: [`reply`] (what a command answers, and its
//! errors), [`domain`] (validated keys and TTLs), [`glob`] (Redis's patterns, for KEYS, SCAN and
//! PSUBSCRIBE), [`connections`] (the limit on open connections, for every door), [`clock`]
//! (time as a parameter) and [`shutdown`] (when to stop).
//!
//! Around them: [`access`] (tokens and what they allow, for every door), [`broker`] (pub/sub
//! channels and their subscribers), [`sweep`] (active expiry, for the server and
//! `litekv-cleanup`), [`config`] (flags and env), [`telemetry`] (logs) and [`startup`] (the
//! server's lifecycle).

pub mod access;
pub mod broker;
pub mod budget;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod connections;
pub mod domain;
pub mod glob;
pub mod http;
pub mod notify;
pub mod reply;
pub mod resp;
pub mod script;
pub mod shutdown;
pub mod startup;
pub mod store;
pub mod sweep;
pub mod telemetry;

/// The Redis version the server answers as (HELLO, INFO, `redis.REDIS_VERSION`): the
/// release whose commands it follows.
pub const REDIS_VERSION: &str = "7.4.0";
