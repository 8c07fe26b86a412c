//! Lua scripting (EVAL, EVALSHA, SCRIPT): scripts, the cache that names them by SHA1, and
//! the interpreters that run them.
//!
//! A script runs synchronously, in an interpreter taken from a pool; each command it calls
//! is handed to its host (the writer's transaction, or a read view) and the script waits
//! for the reply. See `cmd/scripting.rs` for the hosts.

mod convert;
mod libs;
mod number;
mod vm;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use vm::Vm;
pub use vm::{Called, Host};

use crate::reply::{CmdError, Reply};

/// The longest a script runs before it is stopped, unless configured: Redis's
/// `busy-reply-threshold`, after which Redis would only start answering BUSY.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(5);
/// The most memory one interpreter's scripts may hold, unless configured.
pub const DEFAULT_MEMORY_LIMIT: usize = 64 * 1024 * 1024;

/// A script, as EVAL or SCRIPT LOAD received it.
#[derive(Debug)]
pub struct Script {
    pub sha: String,
    body: Bytes,
    /// Declared `no-writes` in its shebang line: it runs on the read path, and may not write.
    pub no_writes: bool,
}

impl Script {
    /// Reads `body`'s shebang line, if any, as Redis 7 does.
    pub fn new(body: Bytes) -> Result<Self, CmdError> {
        Ok(Self {
            sha: vm::sha1_hex(&body),
            no_writes: shebang_flags(&body)?.contains(&"no-writes"),
            body,
        })
    }

    /// The body as Lua compiles it: the shebang line made a comment, so lines keep their numbers.
    fn lua_source(&self) -> Vec<u8> {
        let mut source = self.body.to_vec();
        if source.starts_with(b"#!") {
            source[..2].copy_from_slice(b"--");
        }
        source
    }
}

/// Flags a script's shebang line may carry: Redis 7's, and `allow-key-locking`, which
/// `@upstash/ratelimit` 2 declares (each changes nothing here but `no-writes`).
const KNOWN_FLAGS: &[&str] = &[
    "no-writes",
    "allow-oom",
    "allow-stale",
    "no-cluster",
    "allow-cross-slot-keys",
    "allow-key-locking",
];

/// The flags of `body`'s shebang line (`#!lua flags=no-writes,allow-oom`); none without one.
fn shebang_flags(body: &[u8]) -> Result<Vec<&str>, CmdError> {
    if !body.starts_with(b"#!") {
        return Ok(Vec::new());
    }
    let line = body.split(|&byte| byte == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ').filter(|part| !part.is_empty());
    let engine = parts.next().unwrap_or_default();
    if engine != "#!lua" {
        return Err(CmdError::new(format!(
            "ERR Unexpected engine in script shebang: {engine}"
        )));
    }
    let mut flags = Vec::new();
    for part in parts {
        let Some(listed) = part.strip_prefix("flags=") else {
            return Err(CmdError::new(format!("ERR Unknown lua shebang option: {part}")));
        };
        for flag in listed.split(',').filter(|flag| !flag.is_empty()) {
            let Some(known) = KNOWN_FLAGS.iter().find(|known| **known == flag) else {
                return Err(CmdError::new(format!("ERR Unexpected flag in script shebang: {flag}")));
            };
            flags.push(*known);
        }
    }
    Ok(flags)
}

/// Why a script did not finish.
#[derive(Debug)]
pub enum Failure {
    /// It raised an error (or could not be compiled): the error reply says which.
    Error(CmdError),
    /// It ran past the time limit.
    TimedOut,
    /// Its host stopped serving it: the store failed under it.
    HostGone,
    /// SCRIPT KILL stopped it: the error reply, in Redis's words.
    Killed(CmdError),
}

/// A script while it runs, as SCRIPT KILL sees it.
#[derive(Debug, Default)]
pub(crate) struct Running {
    /// SCRIPT KILL asked it to stop: it fails at its next check.
    killed: AtomicBool,
    /// It ran a write command, which SCRIPT KILL does not undo behind the client's back.
    wrote: AtomicBool,
}

impl Running {
    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    fn note_write(&self) {
        self.wrote.store(true, Ordering::Release);
    }
}

/// The scripts loaded so far, by SHA1, and the interpreters that run them.
pub struct Scripts {
    loaded: Mutex<HashMap<String, Arc<Script>>>,
    idle: Mutex<Vec<Vm>>,
    /// The scripts running now, for SCRIPT KILL.
    running: Mutex<Vec<Arc<Running>>>,
    time_limit: Duration,
    memory_limit: usize,
}

impl std::fmt::Debug for Scripts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scripts")
            .field("time_limit", &self.time_limit)
            .finish_non_exhaustive()
    }
}

impl Scripts {
    pub fn new(time_limit: Duration, memory_limit: usize) -> Self {
        Self {
            loaded: Mutex::default(),
            idle: Mutex::default(),
            running: Mutex::default(),
            time_limit,
            memory_limit,
        }
    }

    pub fn time_limit(&self) -> Duration {
        self.time_limit
    }

    /// Compiles `body` and keeps it under its SHA1 (EVAL, SCRIPT LOAD). Blocks while it
    /// compiles: call it on a blocking thread.
    pub fn load(&self, body: Bytes) -> Result<Arc<Script>, CmdError> {
        let script = Script::new(body)?;
        if let Some(loaded) = self.get(&script.sha) {
            return Ok(loaded);
        }
        let mut vm = self.take_vm()?;
        let compiled = vm.compile(&script).map(drop);
        self.give_back(vm);
        compiled?;
        let script = Arc::new(script);
        self.lock_loaded().insert(script.sha.clone(), Arc::clone(&script));
        Ok(script)
    }

    /// How many scripts are loaded (INFO's `number_of_cached_scripts`).
    pub fn count(&self) -> usize {
        self.lock_loaded().len()
    }

    /// The script loaded under `sha` (any case), if any.
    pub fn get(&self, sha: &str) -> Option<Arc<Script>> {
        self.lock_loaded().get(&sha.to_ascii_lowercase()).cloned()
    }

    /// Forgets every script (SCRIPT FLUSH).
    pub fn flush(&self) {
        self.lock_loaded().clear();
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        idle.iter_mut().for_each(Vm::forget_scripts);
    }

    /// Runs `script`; blocks until it ends: call it where nothing else waits for the
    /// thread (the writer's own, a blocking one).
    pub fn run(&self, script: &Script, keys: &[Bytes], args: &[Bytes], host: Host<'_>) -> Result<Reply, Failure> {
        let mut vm = self.take_vm().map_err(Failure::Error)?;
        let running = Arc::new(Running::default());
        self.lock_running().push(Arc::clone(&running));
        let outcome = vm.run(script, keys, args, host, self.time_limit, &running);
        self.lock_running().retain(|other| !Arc::ptr_eq(other, &running));
        match &outcome {
            // An interpreter a script was stopped in may hold whatever it was building: a
            // fresh one replaces it.
            Err(Failure::TimedOut | Failure::HostGone | Failure::Killed(_)) => {}
            // Lua 5.1 does not collect when an allocation fails: what a script that ran
            // out of memory left goes now, before the next script needs the room.
            Err(Failure::Error(_)) => {
                vm.collect_garbage();
                self.give_back(vm);
            }
            Ok(_) => self.give_back(vm),
        }
        outcome
    }

    /// SCRIPT KILL: stops the scripts running now, unless one of them wrote, in Redis's words.
    pub fn kill(&self) -> Result<(), CmdError> {
        let running = self.lock_running();
        if running.is_empty() {
            return Err(CmdError::new("NOTBUSY No scripts in execution right now."));
        }
        if running.iter().any(|script| script.wrote.load(Ordering::Acquire)) {
            return Err(CmdError::new(
                "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either \
                 wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
            ));
        }
        running
            .iter()
            .for_each(|script| script.killed.store(true, Ordering::Release));
        Ok(())
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Running>>> {
        self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take_vm(&self) -> Result<Vm, CmdError> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        match idle {
            Some(vm) => Ok(vm),
            None => Vm::new(self.memory_limit)
                .map_err(|error| CmdError::new(format!("ERR could not start a Lua interpreter: {error}"))),
        }
    }

    fn give_back(&self, vm: Vm) {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(vm);
    }

    fn lock_loaded(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Script>>> {
        self.loaded.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(body: &str) -> Result<Vec<&str>, String> {
        shebang_flags(body.as_bytes()).map_err(|error| error.as_str().to_owned())
    }

    #[test]
    fn shebang_lines_are_read_as_redis_reads_them() {
        assert_eq!(flags("return 1"), Ok(vec![]));
        assert_eq!(flags("#!lua\nreturn 1"), Ok(vec![]));
        assert_eq!(
            flags("#!lua flags=no-writes,allow-key-locking\nreturn 1"),
            Ok(vec!["no-writes", "allow-key-locking"])
        );
        assert_eq!(
            flags("#!lua flags=bogus\nreturn 1"),
            Err("ERR Unexpected flag in script shebang: bogus".to_owned())
        );
        assert_eq!(
            flags("#!python\nreturn 1"),
            Err("ERR Unexpected engine in script shebang: #!python".to_owned())
        );
        assert_eq!(
            flags("#!lua name=x\nreturn 1"),
            Err("ERR Unknown lua shebang option: name=x".to_owned())
        );
    }
}
