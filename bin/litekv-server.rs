use clap::Parser;
use litekv::config::ServerConfig;
use litekv::startup::Application;
use litekv::telemetry;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let config = ServerConfig::parse();
    telemetry::init(&config.log)?;
    Application::build(&config).await?.run_until_stopped().await
}
