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
/// nothing. Anything else is RUST_LOG syntax, taken as written.
fn filter_directives(log_level: &str) -> String {
    match LevelFilter::from_str(log_level) {
        Ok(level) => format!("{},litekv={level}", level.min(LevelFilter::WARN)),
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
                .expect("the bucket lists are not empty and no other recorder is installed")
        })
        .clone()
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
        assert_eq!(filter_directives("info"), "warn,litekv=info");
        assert_eq!(filter_directives("debug"), "warn,litekv=debug");
        assert_eq!(filter_directives("error"), "error,litekv=error");
        assert_eq!(filter_directives("off"), "off,litekv=off");
        assert_eq!(filter_directives("litekv=debug,info"), "litekv=debug,info");
    }
}
