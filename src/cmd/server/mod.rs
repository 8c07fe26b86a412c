//! Connection and server commands, and publishing.

mod admin;
mod connection;
mod database;
mod pubsub;

pub use admin::Admin;
pub use connection::{Client, Echo, Ping};
pub use database::{DbSize, Flush, Time};
pub use pubsub::Publish;
