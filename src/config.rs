//! Every setting of both binaries: a flag, an environment variable, and a default that
//! works on a laptop with no flags at all.

use std::time::Duration;

use clap::{Args, Parser, ValueEnum};

use crate::store::{Durability, StoreOptions};

/// litekv-server: the HTTP key-value service, with its expiry sweep running in-process.
#[derive(Debug, Parser)]
#[command(name = "litekv-server", version)]
pub struct ServerConfig {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "LITEKV_BIND", default_value = "127.0.0.1:8000")]
    pub bind: String,

    /// HTTP worker threads [default: the number of CPU cores].
    #[arg(long, env = "LITEKV_WORKERS", value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: Option<u16>,

    /// Largest value accepted, in bytes of compact JSON. Request bodies may be 4 KiB larger.
    #[arg(long, env = "LITEKV_MAX_VALUE_BYTES", default_value_t = 1024 * 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_value_bytes: u32,

    /// Largest request body of the Upstash API (a command, pipeline or transaction), in bytes.
    #[arg(long, env = "LITEKV_MAX_REQUEST_BYTES", default_value_t = 16 * 1024 * 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_request_bytes: u32,

    /// Token every request must carry (`Authorization: Bearer <token>` or `?_token=`), except
    /// GET /health. Without one, the server serves anyone who can reach it.
    #[arg(long, env = "LITEKV_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Bytes of keys and values cached in memory for reads (0 turns the cache off).
    #[arg(long, env = "LITEKV_CACHE_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub cache_bytes: usize,

    /// Seconds between in-process sweeps of expired keys.
    #[arg(long, env = "LITEKV_SWEEP_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub sweep_interval: u64,

    /// Do not sweep expired keys in-process (run litekv-cleanup instead, or rely on lazy expiry).
    #[arg(long, env = "LITEKV_NO_SWEEP")]
    pub no_sweep: bool,

    /// Seconds to let in-flight requests finish after SIGTERM or SIGINT.
    #[arg(long, env = "LITEKV_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,

    #[command(flatten)]
    pub sweep: SweepArgs,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub log: LogArgs,
}

/// litekv-cleanup: purges expired keys on a cron schedule, beside a running server.
#[derive(Debug, Parser)]
#[command(name = "litekv-cleanup", version)]
pub struct CleanupConfig {
    /// When to purge: a cron expression with seconds (sec min hour day month weekday), in UTC.
    #[arg(long, env = "LITEKV_CLEANUP_SCHEDULE", default_value = "0 * * * * *")]
    pub schedule: String,

    /// Run one purge now and exit.
    #[arg(long)]
    pub once: bool,

    #[command(flatten)]
    pub sweep: SweepArgs,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// The SQLite database, created and migrated if missing.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://db.sqlite3")]
    pub database_url: String,

    /// `full` fsyncs every commit (an acknowledged write survives power loss); `normal`
    /// survives process crashes but may lose the last commits on power loss.
    #[arg(long, env = "LITEKV_SYNCHRONOUS", value_enum, default_value_t = Durability::Full)]
    pub synchronous: Durability,

    /// Connections in the read pool.
    #[arg(long, env = "LITEKV_READ_CONNECTIONS", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub read_connections: u32,

    /// Milliseconds to wait for a lock held by another process before failing with 503.
    #[arg(long, env = "LITEKV_BUSY_TIMEOUT_MS", default_value_t = 5000)]
    pub busy_timeout_ms: u64,
}

impl DatabaseArgs {
    /// The store's options, with a read cache of `cache_bytes` (0 for none).
    pub fn store_options(&self, cache_bytes: usize) -> StoreOptions {
        StoreOptions {
            database_url: self.database_url.clone(),
            durability: self.synchronous,
            read_connections: self.read_connections,
            busy_timeout: Duration::from_millis(self.busy_timeout_ms),
            cache_bytes,
        }
    }
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Expired keys deleted per transaction by a sweep; smaller batches hold the write lock
    /// for less time.
    #[arg(long, env = "LITEKV_SWEEP_BATCH", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub sweep_batch: u32,

    /// Milliseconds a sweep pauses between batches, so other writers get the lock.
    #[arg(long, env = "LITEKV_SWEEP_PAUSE_MS", default_value_t = 10)]
    pub sweep_pause_ms: u64,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Log format: `text` for people, `json` for log collectors (one object per line).
    #[arg(long, env = "LITEKV_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter, in RUST_LOG syntax: a level (`info`) or per-module levels (`litekv=debug,warn`).
    #[arg(long, env = "LITEKV_LOG", default_value = "info")]
    pub log_level: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}
