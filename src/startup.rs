//! The server's lifecycle: open the store, bind, serve, and on a stop signal let in-flight
//! requests finish before committing what is queued and closing the database.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::http::KeepAlive;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use clap::ValueEnum;

use crate::budget::MemoryBudget;
use crate::clock::{Clock, SystemClock};
use crate::cmd::Engine;
use crate::config::ServerConfig;
use crate::connections::ConnectionLimit;
use crate::domain::MAX_KEY_BYTES;
use crate::http;
use crate::resp::decode::DecodeLimits;
use crate::resp::{RespHandle, RespServer, RespSettings};
use crate::store::{ServerLock, Store};
use crate::sweep::{self, Sweeper};
use crate::{shutdown, telemetry};

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    store: Store,
    sweeper: Option<(Sweeper, tokio::task::JoinHandle<()>)>,
    metrics_upkeep: tokio::task::JoinHandle<()>,
    resp: Option<(RespHandle, SocketAddr)>,
    shutdown_timeout: Duration,
    engine: Engine,
    /// Held until the store closed: no other server may open the database meanwhile.
    database_lock: ServerLock,
}

impl Application {
    /// Opens the database and binds the listener, on the wall clock.
    pub async fn build(config: &ServerConfig) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with the clock every command and sweep reads.
    pub async fn build_with_clock(config: &ServerConfig, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let opening = || format!("opening the database {}", config.database.shown_url());
        let database_lock = ServerLock::acquire(&config.store_options())
            .await
            .with_context(opening)?;
        let store = Store::open(&config.store_options()).await.with_context(opening)?;
        let limits = http::Limits::from(&config.limits);
        let engine = Engine::new(store.clone(), Arc::clone(&clock), limits.max_value_bytes)
            .with_pubsub_buffer(config.limits.max_pubsub_buffer_bytes as usize)
            .with_script_limits(
                Duration::from_millis(config.limits.script_time_limit_ms),
                config.limits.script_memory_mb as usize * 1024 * 1024,
            );
        let functions = engine
            .load_functions()
            .await
            .context("loading the function libraries stored in the database")?;
        if functions > 0 {
            tracing::info!(libraries = functions, "function libraries loaded");
        }
        // Kept to end pub/sub streams when the server stops.
        let stopping_engine = engine.clone();
        let tokens = config.access.tokens()?;
        let cors_origins: Vec<String> = config.cors_origins.iter().filter(|o| !o.is_empty()).cloned().collect();
        let connections = ConnectionLimit::new(config.limits.max_connections as usize);
        let memory = MemoryBudget::new(usize::try_from(config.limits.max_request_memory_bytes).unwrap_or(usize::MAX));
        let metrics = telemetry::metrics();
        let metrics_upkeep = telemetry::spawn_metrics_upkeep(metrics.clone());

        let listener = TcpListener::bind(&config.bind).with_context(|| {
            format!(
                "binding the HTTP port {} (--bind, LITEKV_BIND): choose another address, such as 127.0.0.1:8001",
                config.bind
            )
        })?;
        let address = listener.local_addr()?;
        let token_required = !tokens.is_empty();
        refuse_anonymous_beyond_loopback(config, token_required, address, "--bind")?;
        let resp = match config.resp_bind.as_str() {
            "off" => None,
            bind => {
                let listener = TcpListener::bind(bind).with_context(|| {
                    format!(
                        "binding the Redis protocol port {bind} (--resp-bind, LITEKV_RESP_BIND): choose another \
                         address, such as 127.0.0.1:6380, or off"
                    )
                })?;
                let resp_address = listener.local_addr()?;
                refuse_anonymous_beyond_loopback(config, token_required, resp_address, "--resp-bind")?;
                let settings = resp_settings(config, limits, memory.clone());
                let server = RespServer::bind(listener, engine.clone(), tokens.clone(), connections.clone(), settings)?;
                Some(server)
            }
        };
        if !token_required {
            tracing::warn!("no access token configured (--token, LITEKV_TOKEN): serving anyone who can connect");
        }
        let workers = config.workers.map_or_else(default_workers, usize::from);
        let admit = connections.clone();
        // An HTTP client cannot interrupt a blocking command, and proxies time out idle
        // requests: its waits are capped.
        let engine = engine.with_max_block(Duration::from_secs(config.limits.max_http_block_seconds));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(engine.clone()))
                .app_data(web::Data::new(limits))
                .app_data(web::Data::new(tokens.clone()))
                .app_data(web::Data::new(connections.clone()))
                .app_data(web::Data::new(memory.clone()))
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
        // Stop signals are handled in `run_until_stopped`, which must end pub/sub streams
        // before the graceful stop waits for responses to finish.
        .disable_signals()
        .shutdown_timeout(config.shutdown_timeout)
        .listen(listener)?
        .run();

        let sweeper = (!config.no_sweep).then(|| {
            let sweeper = Sweeper::new(store.clone(), clock, &config.sweep);
            let task = sweep::spawn_periodic(sweeper.clone(), Duration::from_secs(config.sweep_interval));
            (sweeper, task)
        });
        let resp = resp.map(|server| {
            let address = server.address();
            (server.spawn(), address)
        });
        let redis_url = resp
            .as_ref()
            .map_or_else(|| "off".to_owned(), |(_, address)| format!("redis://{address}"));
        let url = format!("http://{address}");
        let redis = match &resp {
            Some(_) => format!("Redis protocol at {redis_url}"),
            None => "Redis protocol off".to_owned(),
        };
        tracing::info!(
            %url,
            resp = %redis_url,
            // To stop this server, and only it: `kill -TERM <pid>`.
            pid = std::process::id(),
            database = %config.database.shown_url(),
            synchronous = %flag_value(config.database.synchronous),
            workers,
            sweep = !config.no_sweep,
            token_required,
            "litekv listening on {url}, API docs at {url}/docs, {redis}"
        );
        Ok(Self {
            port: address.port(),
            server,
            store,
            sweeper,
            metrics_upkeep,
            resp,
            shutdown_timeout: Duration::from_secs(config.shutdown_timeout),
            engine: stopping_engine,
            database_lock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The Redis protocol door's address, unless it is off.
    pub fn resp_address(&self) -> Option<SocketAddr> {
        self.resp.as_ref().map(|(_, address)| *address)
    }

    /// A handle that stops the server gracefully (`handle.stop(true)`).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped by SIGTERM, SIGINT, SHUTDOWN or a [`ServerHandle`], then lets in-flight
    /// requests finish, commits every queued write and closes the database.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let broker = Arc::clone(self.engine.broker());
        let asked = self.engine.shutdown().clone();
        let on_signal = tokio::spawn(async move {
            let stop = tokio::select! {
                signal = shutdown::stop_signal() => signal,
                () = asked.requested() => Ok(()),
            };
            match stop {
                Ok(()) => {
                    tracing::info!("stop signal: ending pub/sub streams, then letting requests finish");
                    // Streams without end would hold the graceful stop for its whole timeout.
                    broker.close();
                    handle.stop(true).await;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot listen for SIGTERM and SIGINT: stop the server with SIGKILL")
                }
            }
        });
        let served = self.server.await.context("serving HTTP");
        on_signal.abort();
        self.engine.broker().close();
        tracing::info!("stopping: no new requests; committing queued writes");
        if let Some((resp, _)) = self.resp {
            resp.stop(self.shutdown_timeout).await;
        }
        if let Some((sweeper, task)) = self.sweeper {
            sweeper.stop().await;
            task.abort();
        }
        self.metrics_upkeep.abort();
        self.store.close().await;
        drop(self.database_lock);
        tracing::info!("stopped");
        served
    }
}

/// Refuses to serve `address` with no token configured, unless only this machine can reach
/// it or anonymous access was asked for.
fn refuse_anonymous_beyond_loopback(
    config: &ServerConfig,
    token_required: bool,
    address: SocketAddr,
    flag: &str,
) -> anyhow::Result<()> {
    if !token_required && !address.ip().is_loopback() && !config.access.allow_anonymous {
        anyhow::bail!(
            "refusing to serve {address} ({flag}) to anyone without a token: set --token (LITEKV_TOKEN), \
             or pass --allow-anonymous if anonymous access is intended"
        );
    }
    Ok(())
}

fn resp_settings(config: &ServerConfig, limits: http::Limits, memory: MemoryBudget) -> RespSettings {
    RespSettings {
        decode: DecodeLimits {
            max_bulk: limits.max_value_bytes.max(MAX_KEY_BYTES),
            // Redis's own limit on the arguments of one command.
            max_args: 1024 * 1024,
            max_command: config.limits.max_request_bytes as usize,
        },
        max_queued: config.limits.max_pipeline_commands as usize,
        idle_timeout: (config.resp_idle_timeout > 0).then(|| Duration::from_secs(config.resp_idle_timeout)),
        durability: config.database.synchronous,
        memory,
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
