use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use litekv::config::{ServerCommand, ServerConfig};
use litekv::startup::Application;
use litekv::store::{self, IfMissing};
use litekv::telemetry;

#[actix_web::main]
async fn main() -> ExitCode {
    let config = ServerConfig::parse();
    let run = async {
        telemetry::init(&config.log)?;
        match &config.command {
            None => Application::build(&config).await?.run_until_stopped().await,
            Some(ServerCommand::Backup { file }) => backup(&config, file).await,
        }
    };
    telemetry::exit(run.await)
}

async fn backup(config: &ServerConfig, file: &Path) -> anyhow::Result<()> {
    let database = config.database.shown_url();
    let started = std::time::Instant::now();
    let keys = store::backup(&config.database.store_options(IfMissing::Refuse), file)
        .await
        .with_context(|| format!("backing up {database} to {}", file.display()))?;
    // Under the library's target, which a bare --log-level sets.
    tracing::info!(
        target: "litekv::backup",
        database = %database,
        backup = %file.display(),
        keys,
        bytes = std::fs::metadata(file).map_or(0, |metadata| metadata.len()),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "backup written and checked"
    );
    Ok(())
}
