use std::process::ExitCode;

use clap::Parser;
use litekv::config::CleanupConfig;
use litekv::{sweep, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::exit(clean_up(CleanupConfig::parse()).await)
}

async fn clean_up(config: CleanupConfig) -> anyhow::Result<()> {
    telemetry::init(&config.log)?;
    sweep::run_scheduled(config).await
}
