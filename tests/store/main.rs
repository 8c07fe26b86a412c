//! The store on its own, a fresh database file per test: every typed operation, expiry,
//! savepoints, and the upgrade of a database written by the first release. It runs on
//! SQLite, or on PostgreSQL when `LITEKV_TEST_DATABASE_URL` names a server; the tests that
//! only make sense for a SQLite file say they are skipped there.

// Shared with the api tests, which use all of it.
#[allow(dead_code)]
#[path = "../common/database.rs"]
mod database;

mod collections;
mod helpers;
mod jobs;
mod keys;
mod strings;
mod types;
mod upgrade;
