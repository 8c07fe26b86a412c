//! The Redis protocol's front door: RESP2, and RESP3 after `HELLO 3`, on a TCP port, so
//! redis-cli, redis-py, ioredis and every other Redis client work unchanged.
//!
//! A connection's bytes are decoded into commands ([`decode`]), run in order by its
//! [`session`] (connection commands there, every other through the same engine as the HTTP
//! doors), and the replies encoded back ([`encode`]) in the protocol the client chose.

mod clients;
mod connection;
pub mod decode;
pub mod encode;
mod introspect;
mod monitor;
mod pubsub;
mod server;
mod session;
mod slowlog;

pub use server::{RespHandle, RespServer, RespSettings};
