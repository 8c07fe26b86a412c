//! SLOWLOG: the commands that took longest to run, as Redis keeps them. A command slower
//! than `slowlog-log-slower-than` microseconds (10,000 by default; negative turns the log
//! off, 0 keeps every command) is kept, the newest first, up to `slowlog-max-len` (128).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::reply::{CmdError, Reply};

/// Arguments kept of a command, and bytes of each, as in Redis.
const MAX_ARGS: usize = 32;
const MAX_ARG_BYTES: usize = 128;

#[derive(Debug)]
pub(super) struct Slowlog {
    slower_than_micros: AtomicI64,
    max_len: AtomicUsize,
    next_id: AtomicU64,
    entries: Mutex<VecDeque<Entry>>,
}

#[derive(Debug)]
struct Entry {
    id: u64,
    unix_seconds: u64,
    micros: u64,
    args: Vec<Bytes>,
    peer: SocketAddr,
    name: Bytes,
}

impl Default for Slowlog {
    fn default() -> Self {
        Self {
            slower_than_micros: AtomicI64::new(10_000),
            max_len: AtomicUsize::new(128),
            next_id: AtomicU64::new(0),
            entries: Mutex::default(),
        }
    }
}

impl Slowlog {
    /// Whether a command that took `took` is kept: the caller keeps its arguments only then.
    pub fn is_slow(&self, took: Duration) -> bool {
        let threshold = self.slower_than_micros.load(Ordering::Relaxed);
        threshold >= 0 && took.as_micros() >= threshold as u128
    }

    pub fn record(&self, took: Duration, args: &[Bytes], peer: SocketAddr, name: Bytes) {
        let max_len = self.max_len.load(Ordering::Relaxed);
        let entry = Entry {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            unix_seconds: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs(),
            micros: u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            args: kept_args(args),
            peer,
            name,
        };
        let mut entries = self.lock();
        entries.push_front(entry);
        entries.truncate(max_len);
    }

    /// `SLOWLOG GET [count] | LEN | RESET`.
    pub fn command(&self, args: &[Bytes]) -> Reply {
        let Some((subcommand, rest)) = args.split_first() else {
            return Reply::Error(CmdError::wrong_arity("slowlog"));
        };
        match (subcommand.to_ascii_lowercase().as_slice(), rest) {
            (b"len", []) => Reply::count(self.lock().len()),
            (b"reset", []) => {
                self.lock().clear();
                Reply::OK
            }
            (b"get", []) => self.get(10),
            (b"get", [count]) => match std::str::from_utf8(count)
                .ok()
                .and_then(|count| count.parse::<i64>().ok())
            {
                Some(-1) => self.get(usize::MAX),
                Some(count) if count >= 0 => self.get(count as usize),
                _ => Reply::Error(CmdError::new("ERR count should be greater than or equal to -1")),
            },
            (b"len" | b"reset" | b"get", _) => Reply::Error(CmdError::wrong_arity(&format!(
                "slowlog|{}",
                String::from_utf8_lossy(subcommand).to_lowercase()
            ))),
            _ => Reply::Error(CmdError::new(format!(
                "ERR unknown subcommand '{}'. Try SLOWLOG HELP.",
                String::from_utf8_lossy(subcommand)
            ))),
        }
    }

    /// `(name, value)` of its two settings, for CONFIG GET.
    pub fn settings(&self) -> [(&'static str, String); 2] {
        [
            (
                "slowlog-log-slower-than",
                self.slower_than_micros.load(Ordering::Relaxed).to_string(),
            ),
            ("slowlog-max-len", self.max_len.load(Ordering::Relaxed).to_string()),
        ]
    }

    /// CONFIG SET of one of its settings: `None` if `name` is not one of them.
    pub fn set(&self, name: &[u8], value: &[u8]) -> Option<Result<(), String>> {
        let number = std::str::from_utf8(value)
            .ok()
            .and_then(|value| value.parse::<i64>().ok());
        if name.eq_ignore_ascii_case(b"slowlog-log-slower-than") {
            return Some(match number {
                Some(micros) => {
                    self.slower_than_micros.store(micros, Ordering::Relaxed);
                    Ok(())
                }
                None => Err("argument couldn't be parsed into an integer".to_owned()),
            });
        }
        if name.eq_ignore_ascii_case(b"slowlog-max-len") {
            return Some(match number.and_then(|len| usize::try_from(len).ok()) {
                Some(len) => {
                    self.max_len.store(len, Ordering::Relaxed);
                    self.lock().truncate(len);
                    Ok(())
                }
                None => Err("argument must be between 0 and 9223372036854775807 inclusive".to_owned()),
            });
        }
        None
    }

    fn get(&self, count: usize) -> Reply {
        let entries = self.lock();
        let entry = |entry: &Entry| {
            Reply::Array(vec![
                Reply::count(entry.id),
                Reply::count(entry.unix_seconds),
                Reply::count(entry.micros),
                Reply::array_of_bulks(entry.args.iter().cloned()),
                Reply::bulk(entry.peer.to_string()),
                Reply::Bulk(entry.name.clone()),
            ])
        };
        Reply::Array(entries.iter().take(count).map(entry).collect())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The arguments as Redis keeps them: at most 32 (the last saying how many more there were),
/// each cut at 128 bytes (saying how many more it had).
fn kept_args(args: &[Bytes]) -> Vec<Bytes> {
    let cut = |arg: &Bytes| match arg.len() > MAX_ARG_BYTES {
        true => {
            let more = arg.len() - MAX_ARG_BYTES;
            let mut text = arg[..MAX_ARG_BYTES].to_vec();
            text.extend_from_slice(format!("... ({more} more bytes)").as_bytes());
            Bytes::from(text)
        }
        false => arg.clone(),
    };
    match args.len() > MAX_ARGS {
        true => {
            let mut kept: Vec<Bytes> = args[..MAX_ARGS - 1].iter().map(cut).collect();
            kept.push(Bytes::from(format!(
                "... ({} more arguments)",
                args.len() - MAX_ARGS + 1
            )));
            kept
        }
        false => args.iter().map(cut).collect(),
    }
}
