use std::process::ExitCode;

use clap::Parser;
use litekv::config::ServerConfig;
use litekv::startup::Application;
use litekv::telemetry;

#[actix_web::main]
async fn main() -> ExitCode {
    telemetry::exit(serve(ServerConfig::parse()).await)
}

async fn serve(config: ServerConfig) -> anyhow::Result<()> {
    telemetry::init(&config.log)?;
    Application::build(&config).await?.run_until_stopped().await
}
