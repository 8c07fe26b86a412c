//! Lua scripting (EVAL, EVALSHA, SCRIPT) and Redis Functions (FUNCTION, FCALL): scripts, the
//! cache that names them by SHA1, the function libraries loaded, and the interpreters that
//! run them.
//!
//! A script runs synchronously, in an interpreter taken from a pool; each command it calls
//! is handed to its host (the writer's transaction, or a read view) and the script waits
//! for the reply. See `cmd/scripting.rs` for the hosts.

mod convert;
mod library;
mod libs;
mod number;
mod vm;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;

pub use library::{FunctionSpec, Library, LibraryCode};
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

/// A flag a script's shebang line may carry beside Redis 7's: `@upstash/ratelimit` 2
/// declares it (each changes nothing here but `no-writes`).
const UPSTASH_FLAG: &str = "allow-key-locking";

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
            let known = library::known_flag(flag).or((flag == UPSTASH_FLAG).then_some(UPSTASH_FLAG));
            let Some(known) = known else {
                return Err(CmdError::new(format!("ERR Unexpected flag in script shebang: {flag}")));
            };
            flags.push(known);
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

/// What runs: an EVAL script or a function (each kind has its KILL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    Script,
    Function,
}

/// A script while it runs, as SCRIPT KILL, FUNCTION KILL and FUNCTION STATS see it.
#[derive(Debug, Default)]
pub(crate) struct Running {
    kind: Kind,
    /// A function's name and the command that called it (FUNCTION STATS).
    name: String,
    command: Vec<Bytes>,
    started: Option<Instant>,
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

/// The scripts loaded so far, by SHA1, the function libraries, and the interpreters that
/// run them.
pub struct Scripts {
    loaded: Mutex<HashMap<String, Arc<Script>>>,
    libraries: Mutex<Libraries>,
    idle: Mutex<Vec<Vm>>,
    /// The scripts running now, for SCRIPT KILL.
    running: Mutex<Vec<Arc<Running>>>,
    time_limit: Duration,
    memory_limit: usize,
    /// Set when another server sharing the database changed the libraries: they are read
    /// again before a function is next looked up.
    libraries_stale: std::sync::atomic::AtomicBool,
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
            libraries: Mutex::default(),
            idle: Mutex::default(),
            running: Mutex::default(),
            time_limit,
            memory_limit,
            libraries_stale: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Another server changed the libraries (see [`Scripts::take_libraries_stale`]).
    pub fn mark_libraries_stale(&self) {
        self.libraries_stale.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether the libraries must be read again, which the caller now does.
    pub fn take_libraries_stale(&self) -> bool {
        self.libraries_stale.swap(false, std::sync::atomic::Ordering::AcqRel)
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
        self.run_registered(Running::default(), |vm, running, time_limit| {
            vm.run(script, keys, args, host, time_limit, running)
        })
    }

    /// Runs the function `name` of `library` (FCALL), as [`Scripts::run`] runs a script.
    pub fn call_function(
        &self,
        library: &Library,
        name: &str,
        keys: &[Bytes],
        args: &[Bytes],
        host: Host<'_>,
    ) -> Result<Reply, Failure> {
        let mut command = vec![Bytes::from_static(b"fcall"), Bytes::copy_from_slice(name.as_bytes())];
        command.push(keys.len().to_string().into());
        command.extend(keys.iter().chain(args).cloned());
        let running = Running {
            kind: Kind::Function,
            name: name.to_owned(),
            command,
            started: Some(Instant::now()),
            ..Running::default()
        };
        self.run_registered(running, |vm, running, time_limit| {
            vm.call_function(&library.code, name, keys, args, host, time_limit, running)
        })
    }

    /// Runs `run` in an interpreter from the pool, registered as `running` meanwhile.
    fn run_registered(
        &self,
        running: Running,
        run: impl FnOnce(&mut Vm, &Arc<Running>, Duration) -> Result<Reply, Failure>,
    ) -> Result<Reply, Failure> {
        let mut vm = self.take_vm().map_err(Failure::Error)?;
        let running = Arc::new(running);
        self.lock_running().push(Arc::clone(&running));
        let outcome = run(&mut vm, &running, self.time_limit);
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

    /// SCRIPT KILL (`Kind::Script`) or FUNCTION KILL: stops the scripts or functions
    /// running now, unless one of them wrote, in Redis's words.
    pub fn kill(&self, kind: Kind) -> Result<(), CmdError> {
        let all = self.lock_running();
        let running: Vec<&Arc<Running>> = all.iter().filter(|running| running.kind == kind).collect();
        if all.is_empty() {
            return Err(CmdError::new("NOTBUSY No scripts in execution right now."));
        }
        if running.is_empty() {
            let other = match kind {
                Kind::Script => "FUNCTION",
                Kind::Function => "SCRIPT",
            };
            return Err(CmdError::new(format!(
                "BUSY Redis is busy running a script. You can only call {other} KILL or SHUTDOWN NOSAVE."
            )));
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

    /// The function running longest now: its name, the command that called it, and for how
    /// long (FUNCTION STATS).
    pub fn running_function(&self) -> Option<(String, Vec<Bytes>, Duration)> {
        self.lock_running()
            .iter()
            .filter(|running| running.kind == Kind::Function)
            .filter_map(|running| {
                Some((
                    running.name.clone(),
                    running.command.clone(),
                    running.started?.elapsed(),
                ))
            })
            .max_by_key(|(_, _, elapsed)| *elapsed)
    }

    /// Runs `code`, a library, in an interpreter, for the functions it registers (FUNCTION
    /// LOAD); Redis's error if it fails or registers none. Blocks while it runs, up to half
    /// a second.
    pub fn compile_library(&self, code: LibraryCode) -> Result<Library, CmdError> {
        let mut vm = self.take_vm()?;
        let functions = vm.load_library(&code);
        self.give_back(vm);
        Ok(Library {
            code,
            functions: functions?,
        })
    }

    /// Whether `library` may be installed: a library of its name only if `replace`, and none
    /// of its functions' names taken by another library.
    pub fn check_install(&self, library: &Library, replace: bool) -> Result<(), CmdError> {
        self.lock_libraries().check_install(library, replace)
    }

    /// Installs `library`, replacing one of its name.
    pub fn install(&self, library: Arc<Library>) {
        self.lock_libraries().install(library);
    }

    /// Replaces every library with `libraries`, at once.
    pub fn replace_libraries(&self, libraries: Vec<Arc<Library>>) {
        let mut installed = Libraries::default();
        for library in libraries {
            installed.install(library);
        }
        *self.lock_libraries() = installed;
    }

    /// Removes the library `name` (FUNCTION DELETE), if there is one.
    pub fn remove_library(&self, name: &str) -> Option<Arc<Library>> {
        self.lock_libraries().remove(name)
    }

    /// Removes every library (FUNCTION FLUSH).
    pub fn clear_libraries(&self) {
        *self.lock_libraries() = Libraries::default();
    }

    /// Every library, by name.
    pub fn libraries(&self) -> Vec<Arc<Library>> {
        self.lock_libraries().by_name.values().cloned().collect()
    }

    /// The library called `name`, if one is loaded.
    pub fn library(&self, name: &str) -> Option<Arc<Library>> {
        self.lock_libraries().by_name.get(name).cloned()
    }

    /// The library holding the function `name`, if one does.
    pub fn library_of(&self, function: &str) -> Option<Arc<Library>> {
        self.lock_libraries().by_function.get(function).cloned()
    }

    fn lock_libraries(&self) -> std::sync::MutexGuard<'_, Libraries> {
        self.libraries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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

/// The function libraries installed, by name, and each function's library.
#[derive(Debug, Default)]
struct Libraries {
    by_name: BTreeMap<String, Arc<Library>>,
    by_function: HashMap<String, Arc<Library>>,
}

impl Libraries {
    fn check_install(&self, library: &Library, replace: bool) -> Result<(), CmdError> {
        if !replace && self.by_name.contains_key(library.name()) {
            return Err(CmdError::new(format!(
                "ERR Library '{}' already exists",
                library.name()
            )));
        }
        let taken = library.functions.iter().find(|function| {
            self.by_function
                .get(&function.name)
                .is_some_and(|other| other.name() != library.name())
        });
        match taken {
            Some(function) => Err(CmdError::new(format!("ERR Function {} already exists", function.name))),
            None => Ok(()),
        }
    }

    fn install(&mut self, library: Arc<Library>) {
        self.remove(library.name());
        for function in &library.functions {
            self.by_function.insert(function.name.clone(), Arc::clone(&library));
        }
        self.by_name.insert(library.name().to_owned(), library);
    }

    fn remove(&mut self, name: &str) -> Option<Arc<Library>> {
        let removed = self.by_name.remove(name)?;
        for function in &removed.functions {
            self.by_function.remove(&function.name);
        }
        Some(removed)
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
