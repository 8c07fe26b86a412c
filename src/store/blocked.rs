//! Clients blocked on keys (BLPOP and its kin), kept by the writer and served there.
//!
//! Everything here happens in the writer task: a blocking command that finds nothing parks
//! its waiter in the same job that looked, so no write can come between the look and the
//! parking; a write that touches a key with waiters marks it ready; right after that write's
//! job, the writer serves the key's waiters in the order they parked, each pop in its own
//! savepoint, until one finds the key empty. A served waiter gets its reply once the batch
//! committed, so a popped element is never acknowledged before it is durable, and is never
//! handed to two clients. Unparking (a timeout, CLIENT UNBLOCK) is a write job too, so it
//! cannot race a serve: after it ran, the waiter was either served or never will be.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;

use super::writer::{BoxFuture, Claims};
use super::{StoreError, WriteJob, WriteTx};

/// A blocked client, as the writer sees it.
pub trait Waiter: Send + 'static {
    /// Tries to serve the waiter from `key`, which a write just touched. A reply it makes,
    /// an error too ([`Served::Refused`]), is kept for [`Waiter::answer`].
    fn serve<'a>(&'a mut self, tx: &'a mut WriteTx<'_>, key: &'a Bytes) -> BoxFuture<'a, Result<Served, StoreError>>;

    /// Takes what it pops straight from elements just pushed onto the missing list `key`
    /// (`list`, head first), as its pop of the stored list would: whether it was served. One
    /// that pops otherwise (BLMOVE, a sorted set) is not, and waits for the stored list.
    fn take_pushed(&mut self, tx: &mut WriteTx<'_>, key: &Bytes, list: &mut VecDeque<Bytes>) -> bool;

    /// Whether the client stopped waiting (its connection closed): it is then dropped, and
    /// nothing is popped for it.
    fn is_abandoned(&self) -> bool;

    /// Sends the reply made by [`Waiter::serve`] once its batch committed, or the error that
    /// undid it.
    fn answer(self: Box<Self>, committed: Result<(), StoreError>);
}

/// What an attempt to serve a waiter from one key came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    Yes,
    /// The key has nothing to pop: no later waiter on it can be served either.
    Empty,
    /// The key holds another type than this waiter pops: a later waiter may still be served.
    NotThisType,
    /// The pop failed on another key than this one (BLMOVE onto a key of another type): what
    /// it did is undone, the waiter is answered with its error, and a later waiter may still
    /// be served, as in Redis.
    Refused,
}

/// A waiter's number, for unparking it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Parked(u64);

/// The waiters, by number and by the keys they wait on.
pub(super) struct Blocked {
    last_id: u64,
    waiters: HashMap<u64, Waiting>,
    /// Each key's waiters, oldest first.
    queues: HashMap<Bytes, VecDeque<u64>>,
    /// Keys written to while waiters wait on them, in the order they were written.
    ready: VecDeque<Bytes>,
    /// Waiters served in the current batch, answered once it committed.
    served: Vec<Box<dyn Waiter>>,
    /// Waiters parked in the current batch: if it fails, their commands failed too.
    parked_in_batch: Vec<u64>,
    /// Whether the running job may hand pushed elements straight to waiters: a job of one
    /// command, whose push no later command of the job could observe.
    hand_off_allowed: bool,
    /// Keys whose push a hand-off took entirely: nothing is left on them to serve.
    handed_off: Vec<Bytes>,
    /// How many waiters are parked, for INFO's `blocked_clients`.
    count: Arc<AtomicUsize>,
}

struct Waiting {
    keys: Vec<Bytes>,
    /// `None` while the writer is serving it.
    waiter: Option<Box<dyn Waiter>>,
}

impl Blocked {
    pub(super) fn new(count: Arc<AtomicUsize>) -> Self {
        Self {
            last_id: 0,
            waiters: HashMap::new(),
            queues: HashMap::new(),
            ready: VecDeque::new(),
            served: Vec::new(),
            parked_in_batch: Vec::new(),
            hand_off_allowed: false,
            handed_off: Vec::new(),
            count,
        }
    }

    /// The keys clients wait on.
    pub(super) fn waited_keys(&self) -> Vec<Bytes> {
        self.queues.keys().cloned().collect()
    }

    /// Notes a write to `key`: if clients wait on it, they are served after the write's job.
    pub(super) fn touch(&mut self, key: &[u8]) {
        // Every write passes here: with no one blocked, as mostly, it costs no lookup.
        if self.queues.is_empty() || !self.queues.contains_key(key) {
            return;
        }
        let left_empty = self.handed_off.iter().any(|handed| handed == key);
        if !left_empty && !self.ready.iter().any(|ready| ready == key) {
            self.ready.push_back(Bytes::copy_from_slice(key));
        }
    }

    fn park(&mut self, keys: Vec<Bytes>, waiter: Box<dyn Waiter>) -> Parked {
        self.last_id += 1;
        let id = self.last_id;
        for key in &keys {
            let queue = self.queues.entry(key.clone()).or_default();
            // A key named twice (`BLPOP a a 0`) waits once.
            if queue.back() != Some(&id) {
                queue.push_back(id);
            }
        }
        self.waiters.insert(
            id,
            Waiting {
                keys,
                waiter: Some(waiter),
            },
        );
        self.parked_in_batch.push(id);
        self.count.fetch_add(1, Ordering::AcqRel);
        Parked(id)
    }

    /// Removes a waiter from the registry, returning it if it was still there.
    fn remove(&mut self, id: u64) -> Option<Box<dyn Waiter>> {
        let waiting = self.waiters.remove(&id)?;
        for key in &waiting.keys {
            if let Some(queue) = self.queues.get_mut(key) {
                queue.retain(|queued| *queued != id);
                if queue.is_empty() {
                    self.queues.remove(key);
                }
            }
        }
        self.count.fetch_sub(1, Ordering::AcqRel);
        waiting.waiter
    }

    /// The oldest waiter on `key` not yet tried in this round, taken out to be served;
    /// abandoned ones met on the way are dropped.
    fn next_waiter(&mut self, key: &[u8], tried: usize) -> Option<(u64, Box<dyn Waiter>)> {
        loop {
            let id = *self.queues.get(key)?.get(tried)?;
            let waiting = self.waiters.get_mut(&id)?;
            let waiter = waiting.waiter.take()?;
            if !waiter.is_abandoned() {
                return Some((id, waiter));
            }
            self.remove(id);
        }
    }

    /// Puts back a waiter that could not be served from this key.
    fn put_back(&mut self, id: u64, waiter: Box<dyn Waiter>) {
        if let Some(waiting) = self.waiters.get_mut(&id) {
            waiting.waiter = Some(waiter);
        }
    }

    pub(super) fn served_count(&self) -> usize {
        self.served.len()
    }

    /// Answers `error` to the waiters served since the `from`th: the job that handed them
    /// elements was undone.
    pub(super) fn fail_served_since(&mut self, from: usize, error: &StoreError) {
        for waiter in self.served.drain(from..) {
            waiter.answer(Err(error.clone()));
        }
    }

    /// Answers the waiters served in the batch just committed (or failed). A failed batch
    /// also fails the commands that parked in it, so their waiters go.
    pub(super) fn settle(&mut self, committed: &Result<(), StoreError>) {
        for waiter in self.served.drain(..) {
            waiter.answer(committed.clone());
        }
        let parked = std::mem::take(&mut self.parked_in_batch);
        if committed.is_err() {
            for id in parked {
                self.remove(id);
            }
        }
        self.ready.clear();
    }
}

impl WriteTx<'_> {
    /// Lets the running job hand pushed elements straight to waiters (see
    /// [`WriteTx::hand_off`]): only a job of one command may, and only until the next job.
    pub fn allow_hand_off(&mut self, allowed: bool) {
        self.batch.blocked.hand_off_allowed = allowed;
    }

    /// Whether a push onto the missing list `key` should be offered to its waiters first:
    /// the job allows it, some wait on the key, and no one wants keyspace events (whose
    /// order, a push before the pops that took it, this would turn round).
    pub(super) fn may_hand_off(&self, key: &[u8]) -> bool {
        let blocked = &self.batch.blocked;
        blocked.hand_off_allowed && self.batch.events.is_none() && blocked.queues.contains_key(key)
    }

    /// Hands elements just pushed onto the missing list `key` (`list`, head first) to the
    /// clients waiting on it, oldest first, as if stored and then popped in one transaction,
    /// without the statements: what they do not take is left in `list`, to be stored.
    pub(super) fn hand_off(&mut self, key: &[u8], list: &mut VecDeque<Bytes>) {
        let key = Bytes::copy_from_slice(key);
        while !list.is_empty() {
            let Some((id, mut waiter)) = self.batch.blocked.next_waiter(&key, 0) else {
                break;
            };
            if !waiter.take_pushed(self, &key, list) {
                self.batch.blocked.put_back(id, waiter);
                break;
            }
            self.batch.blocked.remove(id);
            self.batch.blocked.served.push(waiter);
        }
        if list.is_empty() {
            // Nothing is left on the key for the serving after the job.
            self.batch.blocked.ready.retain(|ready| *ready != key);
            self.batch.blocked.handed_off.push(key);
        }
    }

    /// Parks `waiter` on `keys`, to be served once a write leaves something on one of them.
    pub fn park(&mut self, keys: Vec<Bytes>, waiter: Box<dyn Waiter>) -> Parked {
        self.batch.blocked.park(keys, waiter)
    }

    /// Serves the clients waiting on keys the last job wrote to. Each key's waiters are
    /// tried oldest first, until one finds the key empty; a served pop that writes another
    /// key (BLMOVE) makes that key ready in turn.
    pub(super) async fn serve_blocked(&mut self) -> Result<(), StoreError> {
        while let Some(key) = self.batch.blocked.ready.pop_front() {
            let mut tried = 0;
            while let Some((id, waiter)) = self.batch.blocked.next_waiter(&key, tried) {
                let mut serving = Serving {
                    waiter,
                    key: key.clone(),
                };
                let changes_before = self.batch.change_count();
                let outcome = self.run_in_savepoint(&mut serving).await?;
                let Serving { waiter, .. } = serving;
                match outcome {
                    Ok(Served::Yes) => {
                        self.batch.blocked.remove(id);
                        self.batch.blocked.served.push(waiter);
                        // The pop took the last element: no later waiter can be served.
                        if self.batch.removed_since(changes_before, &key) {
                            break;
                        }
                    }
                    Ok(Served::NotThisType) => {
                        self.batch.blocked.put_back(id, waiter);
                        tried += 1;
                    }
                    Ok(Served::Refused) => {
                        self.batch.blocked.remove(id);
                        self.batch.blocked.served.push(waiter);
                    }
                    Ok(Served::Empty) => {
                        self.batch.blocked.put_back(id, waiter);
                        break;
                    }
                    Err(error) => {
                        self.batch.blocked.remove(id);
                        waiter.answer(Err(error));
                    }
                }
            }
            // The serving above touched the key; it is done with until the next write.
            self.batch.blocked.ready.retain(|ready| *ready != key);
        }
        self.batch.blocked.handed_off.clear();
        self.batch.blocked.hand_off_allowed = false;
        Ok(())
    }
}

/// One attempt to serve a waiter, run in a savepoint like any job.
struct Serving {
    waiter: Box<dyn Waiter>,
    key: Bytes,
}

impl WriteJob for Serving {
    type Output = Served;

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<Served, StoreError>> {
        self.waiter.serve(tx, &self.key)
    }

    fn failed(output: &Served) -> bool {
        *output == Served::Refused
    }
}

/// Serves the clients blocked on keys another server wrote (all keys waited on, for `None`),
/// as a write of the keys here would.
pub(super) struct Wake(pub(super) Option<Vec<Bytes>>);

impl WriteJob for Wake {
    type Output = ();

    fn claims(&self) -> Claims {
        Claims::keys(self.0.clone().unwrap_or_default())
    }

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<(), StoreError>> {
        let keys = self.0.take().unwrap_or_else(|| tx.batch.blocked.waited_keys());
        for key in keys {
            tx.batch.blocked.touch(&key);
        }
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Unparks a waiter (its timeout passed, or CLIENT UNBLOCK): if it was not served before
/// this ran, it never will be, and dropping it tells its client so.
pub(super) struct Unpark(pub(super) Parked);

impl WriteJob for Unpark {
    type Output = ();

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<(), StoreError>> {
        drop(tx.batch.blocked.remove(self.0.0));
        Box::pin(std::future::ready(Ok(())))
    }
}
