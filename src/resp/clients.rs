//! The connected RESP clients, for CLIENT LIST, CLIENT INFO and INFO's clients section.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::oneshot;

use crate::cmd::Interrupt;

/// Every connected client, by id.
#[derive(Debug, Default)]
pub(super) struct Clients {
    next_id: AtomicU64,
    connected: Mutex<BTreeMap<u64, Arc<Mutex<Client>>>>,
}

/// What CLIENT LIST says of one client.
#[derive(Debug)]
pub(super) struct Client {
    pub id: u64,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub connected_at: Instant,
    pub last_command_at: Instant,
    pub last_command: &'static str,
    pub name: Option<Bytes>,
    pub lib_name: Option<Bytes>,
    pub lib_version: Option<Bytes>,
    pub protocol: i64,
    /// Commands queued in MULTI, or `None` outside one.
    pub queued: Option<usize>,
    pub watching: usize,
    /// While a blocking command waits: how CLIENT UNBLOCK stops it.
    pub unblock: Option<oneshot::Sender<Interrupt>>,
}

/// A client's place in the registry; dropping it (the connection closed) removes it.
#[derive(Debug)]
pub(super) struct Registration {
    clients: Arc<Clients>,
    client: Arc<Mutex<Client>>,
    pub id: u64,
}

impl Clients {
    fn connected(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<Mutex<Client>>>> {
        self.connected.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn register(self: &Arc<Self>, peer: SocketAddr, local: SocketAddr) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let now = Instant::now();
        let client = Arc::new(Mutex::new(Client {
            id,
            peer,
            local,
            connected_at: now,
            last_command_at: now,
            last_command: "NULL",
            name: None,
            lib_name: None,
            lib_version: None,
            protocol: 2,
            queued: None,
            watching: 0,
            unblock: None,
        }));
        self.connected().insert(id, Arc::clone(&client));
        Registration {
            clients: Arc::clone(self),
            client,
            id,
        }
    }

    pub(super) fn count(&self) -> usize {
        self.connected().len()
    }

    /// CLIENT UNBLOCK: stops client `id`'s blocking command, if one waits; whether one did.
    pub(super) fn unblock(&self, id: u64, interrupt: Interrupt) -> bool {
        let Some(client) = self.connected().get(&id).cloned() else {
            return false;
        };
        let unblock = lock(&client).unblock.take();
        unblock.is_some_and(|unblock| unblock.send(interrupt).is_ok())
    }

    /// CLIENT LIST: one line per client, oldest first.
    pub(super) fn list(&self) -> String {
        let clients: Vec<_> = self.connected().values().cloned().collect();
        clients
            .iter()
            .map(|client| lock(client).describe())
            .collect::<Vec<_>>()
            .concat()
    }
}

fn lock(client: &Mutex<Client>) -> MutexGuard<'_, Client> {
    client.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Registration {
    pub(super) fn client(&self) -> MutexGuard<'_, Client> {
        lock(&self.client)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.clients.connected().remove(&self.id);
    }
}

impl Client {
    /// The client's line of CLIENT LIST and CLIENT INFO, with the fields Redis 7 writes
    /// (those litekv has no counterpart for are 0).
    pub(super) fn describe(&self) -> String {
        fn text(value: &Option<Bytes>) -> std::borrow::Cow<'_, str> {
            value.as_deref().map(String::from_utf8_lossy).unwrap_or_default()
        }
        format!(
            "id={} addr={} laddr={} fd=0 name={} age={} idle={} flags={} db=0 sub=0 psub=0 ssub=0 \
             multi={} watch={} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 \
             tot-mem=0 events=r cmd={} user=default redir=-1 resp={} lib-name={} lib-ver={}\n",
            self.id,
            self.peer,
            self.local,
            text(&self.name),
            self.connected_at.elapsed().as_secs(),
            self.last_command_at.elapsed().as_secs(),
            match (self.queued, &self.unblock) {
                (Some(_), _) => "x",
                (None, Some(_)) => "b",
                (None, None) => "N",
            },
            self.queued.map_or(-1, |queued| queued as i64),
            self.watching,
            self.last_command,
            self.protocol,
            text(&self.lib_name),
            text(&self.lib_version),
        )
    }
}
