//! Logging: `tracing` events to stdout, as text or JSON lines.

use anyhow::Context;
use tracing_subscriber::EnvFilter;

use crate::config::{LogArgs, LogFormat};

/// Installs the global subscriber. Call once, at the start of a binary.
pub fn init(args: &LogArgs) -> anyhow::Result<()> {
    let filter =
        EnvFilter::try_new(&args.log_level).with_context(|| format!("invalid --log-level {:?}", args.log_level))?;
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter);
    match args.log_format {
        LogFormat::Text => subscriber.try_init(),
        LogFormat::Json => subscriber.json().flatten_event(true).try_init(),
    }
    .map_err(|error| anyhow::anyhow!(error))
    .context("installing the log subscriber")
}
