use clap::Parser;
use litekv::config::CleanupConfig;
use litekv::{sweep, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = CleanupConfig::parse();
    telemetry::init(&config.log)?;
    sweep::run_scheduled(config).await
}
