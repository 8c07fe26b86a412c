//! Logging (`tracing` events to stdout, as text or JSON lines) and metrics (the `metrics`
//! facade, rendered in Prometheus's text format).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use crate::config::{LogArgs, LogFormat};

/// Installs the global log subscriber. Call once, at the start of a binary.
pub fn init(args: &LogArgs) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(filter_directives(&args.log_level))
        .with_context(|| format!("invalid --log-level {:?}", args.log_level))?;
    // Colours only for a person at a terminal, not in files and log collectors.
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    match args.log_format {
        LogFormat::Text => subscriber.try_init(),
        LogFormat::Json => subscriber.json().flatten_event(true).try_init(),
    }
    .map_err(|error| anyhow::anyhow!(error))
    .context("installing the log subscriber")
}

/// A bare level (`info`) is litekv's; dependencies then log warnings and errors only, since
/// their `info` lines (a scheduler's "Uninited", actix's "starting service") tell an operator
/// nothing. actix's HTTP/1 dispatcher logs a client's malformed request (a URI too long, a
/// broken header) or dropped connection at `error`, though it is the client's mistake and
/// answered 4xx: it is off. Anything else is RUST_LOG syntax, taken as written.
fn filter_directives(log_level: &str) -> String {
    match LevelFilter::from_str(log_level) {
        Ok(level) => format!(
            "{},actix_http::h1::dispatcher=off,litekv={level}",
            level.min(LevelFilter::WARN)
        ),
        Err(_) => log_level.to_owned(),
    }
}

/// A binary's exit: 0 for `Ok`; for an error, one line on stderr, each cause after a colon,
/// and 1. No backtrace even under `RUST_BACKTRACE`: these errors are a setting or the
/// machine's state, and the message names which.
pub fn exit(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Latency buckets, in seconds: from a cached read (tens of µs) to a stalled write.
const SECONDS_BUCKETS: &[f64] = &[
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
/// Writes per committed batch: powers of two up to the writer's batch limit.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// The process's metrics recorder, installed on first use. Metrics are process-wide, as
/// Prometheus expects of one scrape target: every server in the process renders the same.
pub fn metrics() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
                .and_then(|builder| {
                    builder.set_buckets_for_metric(Matcher::Full("litekv_write_batch_size".into()), BATCH_BUCKETS)
                })
                .and_then(PrometheusBuilder::install_recorder)
                .inspect(|_| describe_metrics())
                .expect("the bucket lists are not empty and no other recorder is installed")
        })
        .clone()
}

/// Each metric's `# HELP` line on `/metrics`.
fn describe_metrics() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "litekv_http_requests_total",
        "HTTP requests answered, by method, route and status"
    );
    describe_histogram!(
        "litekv_http_request_duration_seconds",
        "Time to answer an HTTP request, in seconds"
    );
    describe_counter!("litekv_commands_total", "Commands run, by door and command name");
    describe_counter!(
        "litekv_expired_keys_deleted_total",
        "Expired keys deleted, by a read (lazily) or by the sweep"
    );
    describe_counter!(
        "litekv_expired_hash_fields_deleted_total",
        "Hash fields deleted by the sweep once their own expiry passed"
    );
    describe_histogram!(
        "litekv_write_batch_size",
        "Write requests committed together in one transaction"
    );
    describe_histogram!(
        "litekv_write_commit_seconds",
        "Time to apply and commit one write batch, in seconds"
    );
    describe_histogram!(
        "litekv_write_statements",
        "SQL statements run by one committed write batch (SQLite)"
    );
    describe_histogram!(
        "litekv_write_wal_frames",
        "Write-ahead log frames one committed batch appended (SQLite)"
    );
    describe_counter!(
        "litekv_write_batches_failed_total",
        "Write batches rolled back, every request in them answered an error"
    );
    describe_gauge!(
        "litekv_database_bytes",
        "Bytes the database takes: the SQLite file and its log, or PostgreSQL's database size"
    );
    describe_gauge!(
        "litekv_open_connections",
        "Open client connections, HTTP and Redis protocol together"
    );
    describe_gauge!("litekv_resident_memory_bytes", "The server's resident memory");
}

/// The process's resident memory, from /proc (0 where there is none): INFO's `used_memory`
/// and `/metrics`' `litekv_resident_memory_bytes`.
pub fn resident_memory_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|pages| pages.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Folds histogram samples into their buckets every few seconds; without it they pile up
/// in memory while nobody scrapes `/metrics`.
pub fn spawn_metrics_upkeep(handle: PrometheusHandle) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            handle.run_upkeep();
        }
    })
}

/// Counts one command run through `door` (`resp`, `upstash`) for `/metrics`, by its name
/// (lowercase; `unknown` for any the server lacks, so clients cannot grow the label set).
pub fn count_command(command: &'static str, door: &'static str) {
    thread_local! {
        // Handles looked up once per thread: the registry's lookup by labels costs
        // allocations and a lock per call.
        static COUNTERS: RefCell<HashMap<(&'static str, &'static str), metrics::Counter>> = RefCell::default();
    }
    COUNTERS.with_borrow_mut(|counters| {
        counters
            .entry((command, door))
            .or_insert_with(|| metrics::counter!("litekv_commands_total", "command" => command, "door" => door))
            .increment(1);
    });
}

#[cfg(test)]
mod tests {
    use super::filter_directives;

    #[test]
    fn a_bare_level_quiets_dependencies_below_warnings() {
        assert_eq!(
            filter_directives("info"),
            "warn,actix_http::h1::dispatcher=off,litekv=info"
        );
        assert_eq!(
            filter_directives("debug"),
            "warn,actix_http::h1::dispatcher=off,litekv=debug"
        );
        assert_eq!(
            filter_directives("error"),
            "error,actix_http::h1::dispatcher=off,litekv=error"
        );
        assert_eq!(
            filter_directives("off"),
            "off,actix_http::h1::dispatcher=off,litekv=off"
        );
        assert_eq!(filter_directives("litekv=debug,info"), "litekv=debug,info");
    }
}
