//! Every setting of both binaries: a flag, an environment variable, and a default that
//! works on a laptop with no flags at all.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use clap::{Args, Parser, ValueEnum};
use croner::parser::{CronParser, Seconds};

use actix_web::http::Uri;

use crate::access::{Access, Tokens};
use crate::cmd::DEFAULT_PUBSUB_BUFFER_BYTES;
use crate::store::{Durability, IfMissing, StoreOptions};

/// litekv-server: the HTTP key-value service, with its expiry sweep running in-process.
#[derive(Debug, Parser)]
#[command(
    name = "litekv-server",
    version,
    mut_arg("database_url", |arg| arg.help(
        "The database: sqlite://FILE, or postgres://USER@HOST/DB; serving, the server creates and migrates it \
         if missing (a backup never creates one)"
    )),
    mut_arg("busy_timeout_ms", |arg| arg.help(
        "Milliseconds to wait for a lock another process holds (litekv-cleanup) before answering 503"
    ))
)]
pub struct ServerConfig {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "LITEKV_BIND", default_value = "127.0.0.1:8000")]
    pub bind: String,

    /// Address and port of the Redis protocol (RESP) door, for redis-cli, redis-py, ioredis
    /// and every Redis client; `off` turns it off; port 0 picks a free one.
    #[arg(long, env = "LITEKV_RESP_BIND", default_value = "127.0.0.1:6379")]
    pub resp_bind: String,

    /// Seconds a Redis protocol connection may sit idle before it is closed (0: never, as in
    /// Redis).
    #[arg(long, env = "LITEKV_RESP_IDLE_TIMEOUT", default_value_t = 0)]
    pub resp_idle_timeout: u64,

    /// HTTP worker threads [default: the number of CPU cores].
    #[arg(long, env = "LITEKV_WORKERS", value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: Option<u16>,

    /// Reader threads, each with a connection of its own, for reads the cache cannot answer
    /// [default: the number of CPU cores]. More than the cores mostly adds thread switches, unless
    /// reads wait for a disk.
    #[arg(long, env = "LITEKV_READ_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    pub read_connections: Option<u32>,

    /// Bytes of keys and values cached in memory for reads (0 turns the cache off).
    #[arg(long, env = "LITEKV_CACHE_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub cache_bytes: usize,

    /// On PostgreSQL, cache values for reads too, each forgotten once another server's write
    /// to its key is heard of: until then (milliseconds, as a rule) a read may answer a value
    /// another server overwrote. Off, every read on PostgreSQL goes to the database.
    #[arg(long, env = "LITEKV_POSTGRES_CACHE")]
    pub postgres_cache: bool,

    /// Seconds between in-process sweeps of expired keys.
    #[arg(long, env = "LITEKV_SWEEP_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub sweep_interval: u64,

    /// Do not sweep expired keys in-process (run litekv-cleanup instead, or rely on lazy expiry).
    #[arg(long, env = "LITEKV_NO_SWEEP")]
    pub no_sweep: bool,

    /// Seconds to let in-flight requests finish after SIGTERM or SIGINT.
    #[arg(long, env = "LITEKV_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,

    /// Origins whose web pages may call the API from a browser (CORS), such as
    /// `https://app.example.com`; repeat the flag or separate with commas; `*` allows any
    /// origin. None by default: browsers then refuse cross-origin calls.
    #[arg(long = "cors-origin", env = "LITEKV_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<String>,

    #[command(flatten)]
    pub limits: LimitArgs,

    #[command(flatten)]
    pub access: AccessArgs,

    #[command(flatten)]
    pub sweep: SweepArgs,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub log: LogArgs,

    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<ServerCommand>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ServerCommand {
    /// Write a consistent copy of the database (--database-url) to FILE, while a server may
    /// be running on it, and check the copy. FILE must not exist. To restore: stop the
    /// server, delete the database's -wal and -shm files if any, copy FILE over the database,
    /// start the server. A PostgreSQL database is backed up with pg_dump or pg_basebackup.
    Backup {
        /// The new file to write, such as backup-2026-12-02.sqlite3.
        file: PathBuf,
    },
}

/// What one client may ask of the server. Each limit is answered with a 4xx and a JSON
/// error, and the server keeps serving everyone else.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Largest value accepted, in bytes (of compact JSON through the JSON API): 512 MiB by
    /// default, Redis's `proto-max-bulk-len`. Request bodies may be 4 KiB larger.
    #[arg(long, env = "LITEKV_MAX_VALUE_BYTES", default_value_t = 512 * 1024 * 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_value_bytes: u32,

    /// Largest request of the Upstash API (a command, pipeline or transaction, as its body) and
    /// of the Redis protocol (one command), in bytes: 1 GiB by default, Redis's
    /// `client-query-buffer-limit`.
    #[arg(long, env = "LITEKV_MAX_REQUEST_BYTES", default_value_t = 1024 * 1024 * 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_request_bytes: u32,

    /// Bytes that large requests (1 MiB and over: bodies, and values over the Redis protocol)
    /// may hold in memory at once, across all clients; past it, a large request waits for
    /// others to finish before it is read. Keeps the server's memory bounded however many
    /// clients send large values at once.
    #[arg(long, env = "LITEKV_MAX_REQUEST_MEMORY_BYTES", default_value_t = 1024 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_request_memory_bytes: u64,

    /// Most commands in one pipeline or transaction (`/pipeline`, `/multi-exec`).
    #[arg(long, env = "LITEKV_MAX_PIPELINE_COMMANDS", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pipeline_commands: u32,

    /// Seconds a client may take to send a whole request body, once its headers arrived (408 after).
    #[arg(long, env = "LITEKV_BODY_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: u64,

    /// Seconds an idle connection is kept open for its next request (0: close after each response).
    #[arg(long, env = "LITEKV_KEEP_ALIVE_SECS", default_value_t = 5)]
    pub keep_alive_secs: u64,

    /// Most open client connections; requests on connections beyond it get 429 and the connection is closed.
    #[arg(long, env = "LITEKV_MAX_CONNECTIONS", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Bytes of pub/sub messages a subscriber may leave unread; past it, the subscriber is
    /// told and disconnected (Redis's `client-output-buffer-limit pubsub`).
    #[arg(long, env = "LITEKV_MAX_PUBSUB_BUFFER_BYTES", default_value_t = DEFAULT_PUBSUB_BUFFER_BYTES as u32, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pubsub_buffer_bytes: u32,

    /// Most seconds a blocking command (BLPOP and its kin) sent over HTTP waits, whatever
    /// timeout it names, 0 ("for ever") included; it then answers as a timeout does.
    #[arg(long, env = "LITEKV_MAX_HTTP_BLOCK_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub max_http_block_seconds: u64,

    /// Milliseconds a Lua script (EVAL) may run; past it the script is stopped with an
    /// error reply and its writes are undone.
    #[arg(long, env = "LITEKV_SCRIPT_TIME_LIMIT_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub script_time_limit_ms: u64,

    /// Megabytes of memory the scripts of one Lua interpreter may hold; an allocation past
    /// it fails the script with "not enough memory".
    #[arg(long, env = "LITEKV_SCRIPT_MEMORY_MB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub script_memory_mb: u64,
}

/// Who may do what. With no token at all, the server serves anyone who can reach it.
#[derive(Debug, Args)]
pub struct AccessArgs {
    /// Read-write token: every request but the index (GET /), the probes (/health, /ready) and
    /// the API docs (/docs, /openapi.json) must carry a token, as `Authorization: Bearer
    /// <token>` or `?_token=<token>`. Repeat the flag, or separate tokens with commas.
    #[arg(long = "token", env = "LITEKV_TOKEN", value_delimiter = ',', hide_env_values = true)]
    pub tokens: Vec<String>,

    /// Read-only token: reads only, and not KEYS or SCAN. Repeat, or separate with commas.
    #[arg(
        long = "read-only-token",
        env = "LITEKV_READ_ONLY_TOKEN",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub read_only_tokens: Vec<String>,

    /// A file of tokens, one per line: `read-write <token>` or `read-only <token>`. Blank lines
    /// and lines starting with `#` are skipped.
    #[arg(long, env = "LITEKV_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,

    /// A read-write token under Vercel KV's name for it.
    #[arg(long, env = "KV_REST_API_TOKEN", hide_env_values = true)]
    pub kv_rest_api_token: Option<String>,

    /// A read-only token under Vercel KV's name for it.
    #[arg(long, env = "KV_REST_API_READ_ONLY_TOKEN", hide_env_values = true)]
    pub kv_rest_api_read_only_token: Option<String>,

    /// Serve with no token on an address other than loopback. Without this flag the server
    /// refuses to, since anyone who reaches it could read and change every key.
    #[arg(long, env = "LITEKV_ALLOW_ANONYMOUS")]
    pub allow_anonymous: bool,
}

impl AccessArgs {
    /// Every configured token, from flags, environment and the token file.
    pub fn tokens(&self) -> anyhow::Result<Tokens> {
        let mut tokens = Tokens::default();
        let read_write = self.tokens.iter().chain(&self.kv_rest_api_token);
        let read_only = self.read_only_tokens.iter().chain(&self.kv_rest_api_read_only_token);
        read_write.for_each(|token| tokens.add(token, Access::ReadWrite));
        read_only.for_each(|token| tokens.add(token, Access::ReadOnly));
        if let Some(path) = &self.token_file {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading the token file {}", path.display()))?;
            for (index, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (access, token) = match line.split_once(char::is_whitespace) {
                    Some(("read-write", token)) => (Access::ReadWrite, token),
                    Some(("read-only", token)) => (Access::ReadOnly, token),
                    _ => anyhow::bail!(
                        "{} line {}: expected `read-write <token>` or `read-only <token>`",
                        path.display(),
                        index + 1
                    ),
                };
                tokens.add(token.trim(), access);
            }
        }
        Ok(tokens)
    }
}

/// litekv-cleanup: purges expired keys on a cron schedule, beside a running server.
#[derive(Debug, Parser)]
#[command(
    name = "litekv-cleanup",
    version,
    mut_arg("database_url", |arg| arg.help(
        "The database the server created (sqlite://FILE or postgres://USER@HOST/DB); never created here"
    )),
    mut_arg("busy_timeout_ms", |arg| arg.help(
        "Milliseconds to wait for a lock the server holds before a purge gives up until its next run"
    ))
)]
pub struct CleanupConfig {
    /// When to purge, in UTC: a cron schedule of five fields (minute hour day month weekday,
    /// such as `*/5 * * * *`) or six with seconds first (`30 */5 * * * *`).
    #[arg(long, env = "LITEKV_CLEANUP_SCHEDULE", default_value = "* * * * *", value_parser = Schedule::parse)]
    pub schedule: Schedule,

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

/// The database, as both binaries open it. (Each binary words the help of the first and last
/// flags for what it does with them.)
/// A cron schedule, as written and as the scheduler takes it: with a seconds field.
#[derive(Clone, Debug)]
pub struct Schedule {
    pub written: String,
    pub with_seconds: String,
}

impl Schedule {
    /// Five fields (crontab's, minute first) or six (seconds first); `@hourly` and its kin.
    pub fn parse(written: &str) -> Result<Self, String> {
        const EXPECTED: &str = "expected five fields (minute hour day month weekday, such as \"*/5 * * * *\") \
                                or six with seconds first (such as \"30 */5 * * * *\")";
        let with_seconds = match written.split_whitespace().count() {
            5 => format!("0 {written}"),
            6 => written.trim().to_owned(),
            _ if written.trim_start().starts_with('@') => written.trim().to_owned(),
            fields => return Err(format!("{fields} fields; {EXPECTED}")),
        };
        let parser = CronParser::builder().seconds(Seconds::Required).build();
        match parser.parse(&with_seconds) {
            Ok(_) => Ok(Self {
                written: written.to_owned(),
                with_seconds,
            }),
            Err(error) => Err(format!("{error}; {EXPECTED}")),
        }
    }
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://db.sqlite3", global = true)]
    pub database_url: String,

    /// `full` fsyncs every commit (an acknowledged write survives power loss); `normal`
    /// survives process crashes but may lose the last commits on power loss.
    #[arg(long, env = "LITEKV_SYNCHRONOUS", value_enum, default_value_t = Durability::Full)]
    pub synchronous: Durability,

    #[arg(long, env = "LITEKV_BUSY_TIMEOUT_MS", default_value_t = 5000)]
    pub busy_timeout_ms: u64,
}

impl DatabaseArgs {
    /// The database URL as logs and messages show it: without its password.
    pub fn shown_url(&self) -> String {
        crate::store::url_without_password(&self.database_url)
    }

    /// The store's options, with no read connections or cache to speak of: callers that read
    /// set their own.
    pub fn store_options(&self, if_missing: IfMissing) -> StoreOptions {
        StoreOptions {
            database_url: self.database_url.clone(),
            if_missing,
            durability: self.synchronous,
            read_connections: 1,
            busy_timeout: Duration::from_millis(self.busy_timeout_ms),
            cache_bytes: 0,
            cache_on_shared: false,
        }
    }
}

impl ServerConfig {
    /// The store's options: the database created if missing, with the read pool and cache.
    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            read_connections: self
                .read_connections
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |cores| cores.get() as u32)),
            cache_bytes: self.cache_bytes,
            cache_on_shared: self.postgres_cache,
            ..self.database.store_options(IfMissing::Create)
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
    #[arg(long, env = "LITEKV_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Log filter: a level for litekv (`debug`; other crates then log warnings only), or
    /// RUST_LOG syntax for any crate (`litekv=debug,actix_server=info,warn`).
    #[arg(long, env = "LITEKV_LOG", default_value = "info", global = true)]
    pub log_level: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// An allowed origin as browsers send it, `scheme://host[:port]`, or `*`. Anything else
/// could never match a browser's `Origin` header, so it is refused at start; but an empty
/// one is no origin at all, as an empty `LITEKV_CORS_ORIGINS=` means none.
pub fn parse_origin(origin: &str) -> Result<String, String> {
    if origin.is_empty() {
        return Ok(String::new());
    }
    let uri: Uri = origin
        .parse()
        .map_err(|_| format!("{origin:?} is not an origin such as https://app.example.com"))?;
    let bare = uri.scheme().is_some() && uri.authority().is_some() && origin.matches('/').count() == 2;
    match origin == "*" || bare {
        true => Ok(origin.to_owned()),
        false => Err(format!(
            "{origin:?} is not an origin: write scheme://host[:port], such as https://app.example.com, with no path"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_take_five_fields_or_six_with_seconds() {
        for (written, with_seconds) in [
            ("*/5 * * * *", "0 */5 * * * *"),
            ("30 */5 * * * *", "30 */5 * * * *"),
            ("0 3 * * MON", "0 0 3 * * MON"),
            ("@hourly", "@hourly"),
        ] {
            let schedule = Schedule::parse(written).unwrap();
            assert_eq!(
                (schedule.written.as_str(), schedule.with_seconds.as_str()),
                (written, with_seconds)
            );
        }
        for bad in ["every now and then", "* * * *", "61 * * * *", ""] {
            let error = Schedule::parse(bad).unwrap_err();
            assert!(error.contains("expected five fields"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for good in ["*", "https://app.example.com", "http://localhost:3000", ""] {
            assert_eq!(parse_origin(good).as_deref(), Ok(good));
        }
        for bad in [
            "app.example.com",
            "https://app.example.com/",
            "https://a.com/path",
            "**",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad:?}");
        }
    }
}
