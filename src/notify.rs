//! Keyspace notifications and key watchers: what committed writes did to keys, published on
//! Redis's `__keyspace@0__:<key>` and `__keyevent@0__:<event>` channels as
//! `notify-keyspace-events` asks, and handed to the HTTP door's watchers of single keys.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::broker::Broker;
use crate::store::{KeyEvent, KeyEventListener};

/// The letters of `notify-keyspace-events` but `A`, in the order Redis writes them, each
/// with its bit: the classes, then the two channels, key misses and new keys.
const LETTERS: &[(char, u32)] = &[
    ('g', 1 << 2),
    ('$', 1 << 3),
    ('l', 1 << 4),
    ('s', 1 << 5),
    ('h', 1 << 6),
    ('z', 1 << 7),
    ('x', 1 << 8),
    ('e', 1 << 9),
    ('t', 1 << 10),
    ('d', 1 << 11),
    ('K', KEYSPACE),
    ('E', KEYEVENT),
    ('m', 1 << 12),
    ('n', 1 << 13),
];
const KEYSPACE: u32 = 1 << 0;
const KEYEVENT: u32 = 1 << 1;
/// `A`: every class but key misses and new keys, as in Redis.
const ALL: u32 = (1 << 12) - (1 << 2);

/// The bit of `letter`, if it is one of [`LETTERS`].
fn bit(letter: char) -> Option<u32> {
    LETTERS.iter().find(|(known, _)| *known == letter).map(|(_, bit)| *bit)
}

/// Each watched key's watchers, by number, with where their events go.
type Watchers = HashMap<Bytes, Vec<(u64, mpsc::Sender<&'static str>)>>;

/// Events a watcher may leave unread before it is cut off.
const WATCH_BUFFER: usize = 1024;

/// Publishes committed writes' events; see the module's documentation.
pub struct Notifier {
    broker: Arc<Broker>,
    flags: AtomicU32,
    watchers: Mutex<Watchers>,
    watcher_count: AtomicUsize,
    last_watcher: AtomicU64,
}

impl Notifier {
    pub fn new(broker: Arc<Broker>) -> Self {
        Self {
            broker,
            flags: AtomicU32::new(0),
            watchers: Mutex::default(),
            watcher_count: AtomicUsize::new(0),
            last_watcher: AtomicU64::new(0),
        }
    }

    /// `CONFIG SET notify-keyspace-events <letters>`; an error names the letters allowed.
    pub fn configure(&self, letters: &[u8]) -> Result<(), String> {
        let mut flags = 0;
        for letter in letters {
            flags |= match *letter {
                b'A' => ALL,
                other => bit(other as char).ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?,
            };
        }
        self.flags.store(flags, Ordering::Release);
        Ok(())
    }

    /// `CONFIG GET notify-keyspace-events`: the letters, as Redis writes them.
    pub fn letters(&self) -> String {
        let flags = self.flags.load(Ordering::Acquire);
        // With every class on, `A` stands for them.
        let (mut letters, shown) = match flags & ALL == ALL {
            true => ("A".to_owned(), flags & !ALL),
            false => (String::new(), flags),
        };
        letters.extend(
            LETTERS
                .iter()
                .filter(|(_, bit)| shown & bit != 0)
                .map(|(letter, _)| *letter),
        );
        letters
    }

    /// Follows one key's events (the HTTP watch): event names, as they commit. The receiver
    /// ends if it falls [`WATCH_BUFFER`] events behind, or when dropped stops the watch.
    pub fn watch(self: &Arc<Self>, key: Bytes) -> KeyWatch {
        let (sender, events) = mpsc::channel(WATCH_BUFFER);
        let id = self.last_watcher.fetch_add(1, Ordering::Relaxed) + 1;
        self.watchers().entry(key.clone()).or_default().push((id, sender));
        self.watcher_count.fetch_add(1, Ordering::AcqRel);
        KeyWatch {
            notifier: Arc::clone(self),
            key,
            id,
            events,
        }
    }

    fn watchers(&self) -> MutexGuard<'_, Watchers> {
        self.watchers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn unwatch(&self, key: &Bytes, id: u64) {
        let mut watchers = self.watchers();
        if let Some(list) = watchers.get_mut(key) {
            let before = list.len();
            list.retain(|(watcher, _)| *watcher != id);
            self.watcher_count.fetch_sub(before - list.len(), Ordering::AcqRel);
            if list.is_empty() {
                watchers.remove(key);
            }
        }
    }

    fn publish(&self, flags: u32, event: &KeyEvent) {
        if bit(event.class.letter()).is_none_or(|bit| flags & bit == 0) {
            return;
        }
        let name = Bytes::from_static(event.name.as_bytes());
        if flags & KEYSPACE != 0 {
            let channel = [&b"__keyspace@0__:"[..], &event.key].concat();
            self.broker.deliver(&Bytes::from(channel), &name);
        }
        if flags & KEYEVENT != 0 {
            let channel = [&b"__keyevent@0__:"[..], event.name.as_bytes()].concat();
            self.broker.deliver(&Bytes::from(channel), &event.key);
        }
    }

    /// Tells each watcher of `key` of one change, named `name`.
    fn deliver_to_watchers(&self, key: &Bytes, name: &'static str) {
        let mut watchers = self.watchers();
        let Some(list) = watchers.get_mut(key) else {
            return;
        };
        // A watcher that fell too far behind is cut off: its stream ends, and says why.
        let before = list.len();
        list.retain(|(_, sender)| sender.try_send(name).is_ok());
        self.watcher_count.fetch_sub(before - list.len(), Ordering::AcqRel);
        if list.is_empty() {
            watchers.remove(key);
        }
    }
}

impl KeyEventListener for Notifier {
    fn wants_events(&self) -> bool {
        let flags = self.flags.load(Ordering::Acquire);
        flags & (KEYSPACE | KEYEVENT) != 0 || self.watcher_count.load(Ordering::Acquire) > 0
    }

    fn committed(&self, events: Vec<KeyEvent>) {
        let flags = self.flags.load(Ordering::Acquire);
        if flags & (KEYSPACE | KEYEVENT) != 0 {
            events.iter().for_each(|event| self.publish(flags, event));
        }
        if self.watcher_count.load(Ordering::Acquire) > 0 {
            for change in events.chunk_by(|a, b| a.key == b.key) {
                self.deliver_to_watchers(&change[0].key, change_name(change));
            }
        }
    }
}

/// One name for consecutive events on one key (a command's, mostly), as a watcher sees
/// them: `del` if they end with the key deleted (a pop that emptied a list: `lpop`, `del`);
/// else the first after the last deletion that is not `new` (a SET with a time to live:
/// `new`, `set`, `expire` is `set`).
fn change_name(events: &[KeyEvent]) -> &'static str {
    let since_deleted = match events.iter().rposition(|event| event.name == "del") {
        Some(deleted) => &events[deleted + 1..],
        None => events,
    };
    let mut names = since_deleted.iter().map(|event| event.name);
    match names.clone().next() {
        None => "del",
        Some(_) => names.find(|name| *name != "new").unwrap_or("new"),
    }
}

/// One watcher of one key; dropping it stops the watch.
pub struct KeyWatch {
    notifier: Arc<Notifier>,
    key: Bytes,
    id: u64,
    events: mpsc::Receiver<&'static str>,
}

impl KeyWatch {
    /// The next event's name; `None` once the watcher was cut off for falling behind.
    pub async fn next(&mut self) -> Option<&'static str> {
        self.events.recv().await
    }
}

impl Drop for KeyWatch {
    fn drop(&mut self) {
        self.notifier.unwatch(&self.key, self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_read_back_as_redis_writes_them() {
        let notifier = Notifier::new(Arc::new(Broker::new(1024)));
        for (given, read) in [
            ("KEA", "AKE"),
            ("Kg$lshzxetd", "AK"),
            ("El", "lE"),
            ("", ""),
            ("gKmn", "gKmn"),
        ] {
            notifier.configure(given.as_bytes()).unwrap();
            assert_eq!(notifier.letters(), read, "{given}");
        }
        assert!(notifier.configure(b"Kq").is_err());
        assert_eq!(notifier.letters(), "gKmn", "a refused setting changes nothing");
    }
}
