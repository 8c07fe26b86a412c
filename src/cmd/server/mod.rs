//! Connection and server commands, and publishing.

mod connection;
mod database;
mod pubsub;

pub use connection::{Echo, Ping};
pub use database::{DbSize, Flush, Time};
pub use pubsub::Publish;
