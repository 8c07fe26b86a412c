//! The command engine without any front door: arguments in, a protocol-neutral `Reply` out,
//! as every door (the Upstash REST API today, RESP next) receives and renders them. Each
//! table runs in order on a fresh store, so later rows see what earlier ones did.

mod bits;
mod faults;
mod functions;
mod geo;
mod hashes;
mod helpers;
mod hyperloglog;
mod json;
mod keys;
mod lists;
mod random;
// Shared with the api tests, which use all of it.
#[allow(dead_code)]
#[path = "../common/database.rs"]
mod database;
// Shared with the api tests, which use all of it.
#[allow(dead_code)]
#[path = "../common/resp.rs"]
mod resp;
mod scripting;
mod server;
mod sets;
mod strings;
mod transactions;
mod types;
mod zsets;
