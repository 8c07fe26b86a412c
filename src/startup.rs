//! The server's lifecycle: open the store, bind, serve, and on a stop signal let in-flight
//! requests finish before committing what is queued and closing the database.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::http::KeepAlive;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use clap::ValueEnum;

use crate::clock::{Clock, SystemClock};
use crate::cmd::Engine;
use crate::config::ServerConfig;
use crate::http::{self, ConnectionLimit};
use crate::store::Store;
use crate::sweep::{self, Sweeper};
use crate::telemetry;

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    store: Store,
    sweeper: Option<(Sweeper, tokio::task::JoinHandle<()>)>,
    metrics_upkeep: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Opens the database and binds the listener, on the wall clock.
    pub async fn build(config: &ServerConfig) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with the clock every command and sweep reads.
    pub async fn build_with_clock(config: &ServerConfig, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let store = Store::open(&config.store_options())
            .await
            .with_context(|| format!("opening the database {}", config.database.database_url))?;
        let limits = http::Limits::from(&config.limits);
        let engine = Engine::new(store.clone(), Arc::clone(&clock), limits.max_value_bytes);
        let tokens = config.access.tokens()?;
        let cors_origins: Vec<String> = config.cors_origins.iter().filter(|o| !o.is_empty()).cloned().collect();
        let connections = ConnectionLimit::new(config.limits.max_connections as usize);
        let metrics = telemetry::metrics();
        let metrics_upkeep = telemetry::spawn_metrics_upkeep(metrics.clone());

        let listener = TcpListener::bind(&config.bind).with_context(|| format!("binding {}", config.bind))?;
        let address = listener.local_addr()?;
        let token_required = !tokens.is_empty();
        if !token_required {
            if !address.ip().is_loopback() && !config.access.allow_anonymous {
                anyhow::bail!(
                    "refusing to serve {address} to anyone without a token: set --token (LITEKV_TOKEN), \
                     or pass --allow-anonymous if anonymous access is intended"
                );
            }
            tracing::warn!("no access token configured (--token, LITEKV_TOKEN): serving anyone who can connect");
        }
        let workers = config.workers.map_or_else(default_workers, usize::from);
        let admit = connections.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(engine.clone()))
                .app_data(web::Data::new(limits))
                .app_data(web::Data::new(tokens.clone()))
                .app_data(web::Data::new(connections.clone()))
                .app_data(web::Data::new(metrics.clone()))
                .configure(http::configure)
                .wrap(from_fn(http::frame))
                // Outermost, so that refusals carry CORS headers and browsers can read them.
                .wrap(Condition::new(!cors_origins.is_empty(), http::cors(&cors_origins)))
        })
        .on_connect(move |_, data| {
            data.insert(admit.admit());
        })
        .keep_alive(match config.limits.keep_alive_secs {
            0 => KeepAlive::Disabled,
            secs => KeepAlive::Timeout(Duration::from_secs(secs)),
        })
        .workers(workers)
        .shutdown_timeout(config.shutdown_timeout)
        .listen(listener)?
        .run();

        let sweeper = (!config.no_sweep).then(|| {
            let sweeper = Sweeper::new(store.clone(), clock, &config.sweep);
            let task = sweep::spawn_periodic(sweeper.clone(), Duration::from_secs(config.sweep_interval));
            (sweeper, task)
        });
        let url = format!("http://{address}");
        tracing::info!(
            %url,
            database = %config.database.database_url,
            synchronous = %flag_value(config.database.synchronous),
            workers,
            sweep = !config.no_sweep,
            token_required,
            "litekv listening on {url}, API docs at {url}/docs"
        );
        Ok(Self {
            port: address.port(),
            server,
            store,
            sweeper,
            metrics_upkeep,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server gracefully (`handle.stop(true)`).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped by SIGTERM, SIGINT or a [`ServerHandle`], then lets in-flight
    /// requests finish, commits every queued write and closes the database.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let served = self.server.await.context("serving HTTP");
        tracing::info!("stopping: no new requests; committing queued writes");
        if let Some((sweeper, task)) = self.sweeper {
            sweeper.stop().await;
            task.abort();
        }
        self.metrics_upkeep.abort();
        self.store.close().await;
        tracing::info!("stopped");
        served
    }
}

/// An enum flag's value as the command line spells it (`full`, not `Full`).
fn flag_value(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |value| value.get_name().to_owned())
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
