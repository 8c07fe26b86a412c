//! Black-box tests of litekv over HTTP: one binary, one real server per test.

mod access;
mod backup;
mod bad_input;
mod blocking;
mod clients;
mod commands;
mod compat;
mod concurrency;
mod console;
mod container;
mod crash;
#[path = "../common/database.rs"]
mod database;
mod differential;
mod doc_examples;
mod docs;
mod example_database;
mod expiry;
mod failures;
mod helpers;
mod json_documents;
mod keyspace;
mod lifecycle;
mod limits;
mod multi_server;
mod native;
mod operations;
mod pubsub;
#[path = "../common/resp.rs"]
mod resp;
mod resp_door;
mod scripting;
mod upstash;
mod watch;
