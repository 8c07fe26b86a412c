//! The store on its own, a fresh database file per test: every typed operation, expiry,
//! savepoints, and the upgrade of a database written by the first release. Nothing here
//! names SQLite but `Backend::element_rows`, so the suite can run against another backend.

mod collections;
mod helpers;
mod jobs;
mod keys;
mod strings;
mod types;
mod upgrade;
