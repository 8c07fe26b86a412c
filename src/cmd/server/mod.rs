//! Connection and server commands.

mod connection;
mod database;

pub use connection::{Echo, Ping};
pub use database::{DbSize, Flush, Time};
