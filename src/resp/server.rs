//! The RESP listener: accepts connections under the limit shared with HTTP, serves each in a
//! task of its own, and on stop lets every connection finish the command it is running.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::clients::Clients;
use super::connection;
use super::decode::DecodeLimits;
use super::monitor::Monitors;
use super::slowlog::Slowlog;
use crate::access::Tokens;
use crate::budget::MemoryBudget;
use crate::cmd::Engine;
use crate::connections::ConnectionLimit;
use crate::reply::CmdError;
use crate::store::Durability;

/// How the RESP door behaves.
#[derive(Clone, Debug)]
pub struct RespSettings {
    pub decode: DecodeLimits,
    /// Most commands queued in one MULTI.
    pub max_queued: usize,
    /// Close a connection idle this long (`None`: never, as Redis's `timeout 0`).
    pub idle_timeout: Option<Duration>,
    pub durability: Durability,
    /// What large commands may hold in memory at once, shared with the other doors.
    pub memory: MemoryBudget,
}

/// What every connection shares.
pub(super) struct Shared {
    pub engine: Engine,
    pub tokens: Tokens,
    pub connections: ConnectionLimit,
    pub clients: Arc<Clients>,
    pub stats: Stats,
    pub slowlog: Slowlog,
    pub monitors: Monitors,
    pub settings: RespSettings,
    /// Where the listener is bound (for INFO and CONFIG GET).
    pub bound: SocketAddr,
    pub started: Instant,
}

/// Counters for INFO's stats, commandstats and errorstats sections.
#[derive(Debug, Default)]
pub(super) struct Stats {
    /// Error replies by their code (`ERR`, `WRONGTYPE`, ...).
    errors: Mutex<BTreeMap<String, u64>>,
    connections_received: AtomicU64,
    commands_processed: AtomicU64,
    rejected_connections: AtomicU64,
    /// Calls by command name (`unknown` for any the server lacks).
    calls: Mutex<BTreeMap<&'static str, u64>>,
}

impl Stats {
    pub fn command(&self, name: &'static str) {
        self.commands_processed.fetch_add(1, Ordering::Relaxed);
        *self.calls().entry(name).or_default() += 1;
    }

    /// Counts an error reply under its code: its first word.
    pub fn error(&self, error: &CmdError) {
        let code = error.as_str().split(' ').next().unwrap_or_default();
        let mut errors = self.errors.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match errors.get_mut(code) {
            Some(count) => *count += 1,
            None => {
                errors.insert(code.to_owned(), 1);
            }
        }
    }

    /// Error replies so far, by code.
    pub fn errors_by_code(&self) -> Vec<(String, u64)> {
        let errors = self.errors.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        errors.iter().map(|(code, count)| (code.clone(), *count)).collect()
    }

    fn calls(&self) -> MutexGuard<'_, BTreeMap<&'static str, u64>> {
        self.calls.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Each command's calls so far, by name.
    pub fn calls_by_command(&self) -> Vec<(&'static str, u64)> {
        self.calls().iter().map(|(name, calls)| (*name, *calls)).collect()
    }

    pub fn connections_received(&self) -> u64 {
        self.connections_received.load(Ordering::Relaxed)
    }

    pub fn commands_processed(&self) -> u64 {
        self.commands_processed.load(Ordering::Relaxed)
    }

    pub fn rejected_connections(&self) -> u64 {
        self.rejected_connections.load(Ordering::Relaxed)
    }
}

/// A bound RESP listener, serving once spawned.
pub struct RespServer {
    listener: TcpListener,
    shared: Arc<Shared>,
}

/// The running server: stop it to close its connections.
pub struct RespHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RespServer {
    /// Binds `address`; the port it got is in [`RespServer::address`].
    pub fn bind(
        address: std::net::TcpListener,
        engine: Engine,
        tokens: Tokens,
        connections: ConnectionLimit,
        settings: RespSettings,
    ) -> std::io::Result<Self> {
        address.set_nonblocking(true)?;
        let listener = TcpListener::from_std(address)?;
        let bound = listener.local_addr()?;
        let shared = Arc::new(Shared {
            engine,
            tokens,
            connections,
            clients: Arc::default(),
            stats: Stats::default(),
            slowlog: Slowlog::default(),
            monitors: Monitors::default(),
            settings,
            bound,
            started: Instant::now(),
        });
        Ok(Self { listener, shared })
    }

    pub fn address(&self) -> SocketAddr {
        self.shared.bound
    }

    /// Serves on the current runtime until the handle stops it.
    pub fn spawn(self) -> RespHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.accept(stopped));
        RespHandle { stop, task }
    }

    async fn accept(self, mut stopped: watch::Receiver<bool>) {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        self.shared.stats.connections_received.fetch_add(1, Ordering::Relaxed);
                        let admission = self.shared.connections.admit();
                        if !admission.admitted() {
                            self.shared.stats.rejected_connections.fetch_add(1, Ordering::Relaxed);
                        }
                        connections.spawn(connection::serve(stream, peer, admission, Arc::clone(&self.shared), stopped.clone()));
                    }
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // pause rather than spin, and keep serving the connections open.
                    Err(error) => {
                        tracing::warn!(target: "litekv::resp", %error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                // Reap finished connections as they end, so the set stays small.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
                _ = stopped.changed() => break,
            }
        }
        drop(self.listener);
        while connections.join_next().await.is_some() {}
    }
}

impl RespHandle {
    /// Stops accepting, lets each connection finish its command, and waits up to `grace`
    /// for them to close.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            tracing::warn!(target: "litekv::resp", "RESP connections still open after the shutdown timeout: closing them");
            task.abort();
        }
    }
}
