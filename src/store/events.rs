//! What writes did to keys, as Redis's keyspace events name it (`set`, `lpush`, `del`,
//! `expired`, ...), told to a listener once the batch that did it committed.
//!
//! Write commands note their events as they run (see [`WriteTx::notify`]); a job rolled back
//! takes its events with it. Nothing is noted while no listener wants events, so writes pay
//! nothing for them then.

use std::sync::{Arc, RwLock};

use bytes::Bytes;

use super::remote::RemoteListener;
use super::{StoreError, StringWrite, WriteTx};

/// Redis's classes of keyspace events, each turned on by a letter of
/// `notify-keyspace-events`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventClass {
    /// `g`: commands on keys of any type (`del`, `expire`, `rename_from`, ...).
    Generic,
    /// `$`
    String,
    /// `l`
    List,
    /// `s`
    Set,
    /// `h`
    Hash,
    /// `z`
    SortedSet,
    /// `x`: a key deleted because its time to live passed.
    Expired,
    /// `n`: a key created.
    New,
    /// `d`: a module's type changed, as RedisJSON's commands announce (`json.set`, ...).
    Module,
}

impl EventClass {
    const ALL: [Self; 9] = [
        Self::Generic,
        Self::String,
        Self::List,
        Self::Set,
        Self::Hash,
        Self::SortedSet,
        Self::Expired,
        Self::New,
        Self::Module,
    ];

    /// The letter of `notify-keyspace-events` that turns the class on.
    pub fn letter(self) -> char {
        match self {
            Self::Generic => 'g',
            Self::String => '$',
            Self::List => 'l',
            Self::Set => 's',
            Self::Hash => 'h',
            Self::SortedSet => 'z',
            Self::Expired => 'x',
            Self::New => 'n',
            Self::Module => 'd',
        }
    }

    /// The class a letter turns on.
    pub fn of_letter(letter: char) -> Option<Self> {
        Self::ALL.into_iter().find(|class| class.letter() == letter)
    }
}

/// One event: what happened (Redis's event name) to which key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEvent {
    pub class: EventClass,
    pub name: &'static str,
    pub key: Bytes,
}

/// Told of every batch's events once it committed.
pub trait KeyEventListener: Send + Sync {
    /// Whether events are wanted at all; asked before each batch.
    fn wants_events(&self) -> bool;

    /// The events of a batch that committed, in the order they happened.
    fn committed(&self, events: Vec<KeyEvent>);
}

/// Where the writer finds the listener, which the engine sets once it is built.
#[derive(Default)]
pub(super) struct Listeners {
    listener: RwLock<Option<Arc<dyn KeyEventListener>>>,
    /// Told of what other servers sharing the database PUBLISHed and changed.
    remote: RwLock<Option<Arc<dyn RemoteListener>>>,
}

impl Listeners {
    pub(super) fn set(&self, listener: Arc<dyn KeyEventListener>) {
        *self.listener.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(listener);
    }

    pub(super) fn set_remote(&self, listener: Arc<dyn RemoteListener>) {
        *self.remote.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(listener);
    }

    pub(super) fn remote(&self) -> Option<Arc<dyn RemoteListener>> {
        self.remote
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The listener, if one is set and wants events now.
    pub(super) fn wanting(&self) -> Option<Arc<dyn KeyEventListener>> {
        let listener = self.listener.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        listener.as_ref().filter(|listener| listener.wants_events()).cloned()
    }
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listeners")
    }
}

impl WriteTx<'_> {
    /// Notes that `name` happened to `key` (Redis's event name, such as `lpush`), for
    /// keyspace notifications once the batch commits; clients watching `key` (WATCH) or
    /// blocked on it hear of it now. As in Redis, a command notifies exactly when it changed
    /// a key: one that changed nothing (an `SADD` of a member already there) touches nothing.
    /// A collection the command emptied gets its `del` right after.
    pub fn notify(&mut self, class: EventClass, name: &'static str, key: &[u8]) {
        self.touch(key);
        let Some(events) = &mut self.batch.events else {
            return;
        };
        events.push(KeyEvent {
            class,
            name,
            key: Bytes::copy_from_slice(key),
        });
        let emptied = &mut self.batch.emptied;
        if let Some(at) = emptied.iter().position(|emptied| emptied == key) {
            let key = emptied.swap_remove(at);
            events.push(KeyEvent {
                class: EventClass::Generic,
                name: "del",
                key,
            });
        }
    }

    /// Whether events are noted in this batch: a command may skip a lookup it needs only
    /// for an event when they are not.
    pub fn wants_events(&self) -> bool {
        self.batch.events.is_some()
    }

    /// Notes `new` for a key a write `created`.
    pub fn notify_created(&mut self, created: bool, key: &[u8]) {
        if created {
            self.notify(EventClass::New, "new", key);
        }
    }

    /// Notes a string write's events, as SET makes them: `set`, and `expire` with a time to
    /// live.
    pub fn notify_set(&mut self, key: &[u8], expires: bool) {
        self.notify(EventClass::String, "set", key);
        if expires {
            self.notify(EventClass::Generic, "expire", key);
        }
    }

    /// Notes the events of plain SETs, each after `new` if it `created` its key.
    pub(super) fn notify_strings_set(&mut self, writes: &[&StringWrite], created: &[bool]) {
        for (write, created) in writes.iter().zip(created) {
            self.notify_created(*created, &write.key);
            self.notify_set(&write.key, write.expires_at.is_some());
        }
    }

    /// Upserts plain SETs' strings with their events; whether each created its key is
    /// looked up only when events are wanted, since it costs a query.
    pub async fn put_strings_notifying(&mut self, writes: &[&StringWrite]) -> Result<(), StoreError> {
        if self.batch.events.is_none() {
            return self.put_strings(writes).await;
        }
        let created = self.put_strings_reporting_created(writes).await?;
        self.notify_strings_set(writes, &created);
        Ok(())
    }
}
