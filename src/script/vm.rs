//! One Lua interpreter set up as Redis sets up its own: the `redis` API, the libraries
//! Redis ships, and a sandbox in which globals can be read but not written.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mlua::{Function, HookTriggers, Lua, LuaOptions, MultiValue, StdLib, Table, Value, Variadic, VmState};
use sha1::{Digest, Sha1};

use super::convert::{Protocol, command_argument, error_table, lua_to_reply, reply_to_lua};
use super::library::{self, FunctionSpec, LibraryCode};
use super::libs;
use super::{Failure, Running, Script};
use crate::reply::{CmdError, Reply};

/// How many Lua instructions run between checks of a script's deadline.
const INSTRUCTIONS_PER_CHECK: u32 = 10_000;
/// Compiled scripts an interpreter keeps; past it, it starts afresh and compiles again on
/// demand, so that scripts generated per call (values written into the body) cannot fill it.
const MAX_COMPILED: usize = 1000;

/// Runs the command a script calls and answers what it came to; `None` once the host has
/// stopped serving the script (its storage failed), which ends the script.
pub type Host<'a> = &'a mut dyn FnMut(Vec<Bytes>) -> Option<Called>;

/// What a command a script called came to.
pub struct Called {
    pub reply: Reply,
    /// It was a write, and it ran: SCRIPT KILL then leaves the script alone.
    pub wrote: bool,
}

/// The version scripts see in `redis.REDIS_VERSION`, as INFO reports it.
const VERSION: &str = crate::REDIS_VERSION;

/// Redis's `redis.call` and `redis.pcall`, written around the one Rust function that runs a
/// command, which each run puts in `running` for its length: `redis.call` raises a failed command's error as a string, as Redis 7.0 does,
/// where `redis.pcall` returns it as an `{err=...}` table.
const PRELUDE: &str = r#"
local running, redis, error = ...
redis.call = function(...)
  local reply, failed = running.run_command(true, ...)
  if failed then error(reply, 0) end
  return reply
end
redis.pcall = function(...)
  return (running.run_command(false, ...))
end
redis.register_function = function(...)
  return running.register_function(...)
end
"#;

/// The sandbox: scripts see the globals through a table that reads them, refuses writes
/// and fails on names that do not exist, and the libraries through read-only tables.
/// Chunks a script compiles itself (`loadstring`) get the same view. What catches errors
/// (`pcall`, `xpcall`, `coroutine.resume`) cannot catch the one that stops a script.
const SANDBOX: &str = r#"
local env, unless_stopped = ...
local pcall, xpcall, resume = pcall, xpcall, coroutine.resume
env.pcall = function(...) return unless_stopped(pcall(...)) end
env.xpcall = function(...) return unless_stopped(xpcall(...)) end
env.coroutine.resume = function(...) return unless_stopped(resume(...)) end
local error, tostring, setmetatable, getmetatable, setfenv, loadstring, load, ipairs, rawset =
  error, tostring, setmetatable, getmetatable, setfenv, loadstring, load, ipairs, rawset
local function readonly() error("Attempt to modify a readonly table", 2) end
-- What getmetatable answers for the globals or a string: a table that reads `fields`
-- and refuses writes, as Redis's read-only metatables do.
local function sealed(fields)
  return setmetatable({}, {__index = fields, __newindex = readonly, __metatable = false})
end
local protected, libraries = {}, {}
for _, name in ipairs({"string", "math", "table", "coroutine", "redis", "cjson", "cmsgpack", "bit", "struct"}) do
  env[name] = setmetatable({}, {__index = env[name], __newindex = readonly, __metatable = false})
  protected[env[name]] = true
  libraries[env[name]] = true
end
-- Strings share one metatable: a script must not reach the real string library through it.
getmetatable("").__metatable = sealed({__index = env.string})
local globals = setmetatable({}, {
  __index = function(_, name)
    local value = env[name]
    if value == nil then
      error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
    end
    return value
  end,
  __newindex = readonly,
  __metatable = sealed({}),
})
local function sandboxed(compile)
  return function(...)
    local chunk, message = compile(...)
    if chunk then setfenv(chunk, globals) end
    return chunk, message
  end
end
env.loadstring = sandboxed(loadstring)
env.load = sandboxed(load)
env._G = globals
protected[globals] = true
env.rawset = function(table, key, value)
  if protected[table] then error("Attempt to modify a readonly table", 0) end
  return rawset(table, key, value)
end
env.setmetatable = function(table, metatable)
  if protected[table] then error("Attempt to modify a readonly table", 0) end
  return setmetatable(table, metatable)
end
-- In Redis a library is a plain table marked read-only, without a metatable.
env.getmetatable = function(value)
  if libraries[value] then return nil end
  return getmetatable(value)
end
for _, name in ipairs({"loadfile", "dofile", "print", "setfenv", "getfenv", "module", "newproxy", "require"}) do
  env[name] = nil
end
-- A function library's code, and the functions it registers, see the same globals (but not
-- an EVAL's KEYS and ARGV), except that while the code loads (`loading.on`) `redis` offers
-- only what registering needs, as in Redis.
local loading = {on = false}
local library_api = {}
for _, name in ipairs({"register_function", "log", "setresp", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE",
                       "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"}) do
  library_api[name] = env.redis[name]
end
local function missing(name)
  error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 3)
end
local loading_redis = setmetatable({}, {
  __index = function(_, name) return library_api[name] or missing(name) end,
  __newindex = readonly,
  __metatable = false,
})
local library_globals = setmetatable({}, {
  __index = function(_, name)
    if name == "redis" and loading.on then return loading_redis end
    local value = env[name]
    if value == nil then missing(name) end
    return value
  end,
  __newindex = readonly,
  __metatable = sealed({}),
})
protected[library_globals] = true
return globals, library_globals, loading
"#;

/// Makes the function a script's run enters: FCALL's callback, given its keys and arguments
/// (Lua 5.1's `xpcall` passes none).
const APPLY: &str = r#"
local callback, keys, args = ...
return function() return callback(keys, args) end
"#;

/// The longest a library's code may take to register its functions (FUNCTION LOAD), as in
/// Redis.
const LOAD_TIME_LIMIT: Duration = Duration::from_millis(500);

/// A Lua interpreter for scripts, with the functions it compiled so far.
pub struct Vm {
    lua: Lua,
    /// The globals as scripts see them; during a run it also holds `KEYS` and `ARGV`.
    globals: Table,
    /// During a run, `run_command`: the function that hands a command to the run's host.
    running: Table,
    xpcall: Function,
    on_error: Function,
    compiled: HashMap<String, Function>,
    /// The globals as function libraries see them, and the switch that says they load.
    library_globals: Table,
    loading: Table,
    apply: Function,
    /// The functions of each library loaded here, by the SHA1 of its code, then by name.
    libraries: HashMap<String, HashMap<String, Function>>,
}

/// A function as `redis.register_function` registered it, while its library loads.
struct Registered {
    spec: FunctionSpec,
    callback: Function,
}

/// What a run is of, as its errors name it: an EVAL script by SHA1 in `user_script`, or a
/// function by name in `user_function`.
#[derive(Clone, Copy, Debug)]
pub struct Label<'a> {
    /// The chunk's name: `user_script` or `user_function`.
    pub chunk: &'static str,
    /// The script's SHA1, or the function's name.
    pub name: &'a str,
    /// What its error says stopped it from outside: `SCRIPT KILL`, for functions too, as
    /// Redis 7.0 says.
    pub kill: &'static str,
}

impl<'a> Label<'a> {
    pub fn script(sha: &'a str) -> Self {
        Self {
            chunk: "user_script",
            name: sha,
            kill: "SCRIPT KILL",
        }
    }

    pub fn function(name: &'a str) -> Self {
        Self {
            chunk: "user_function",
            name,
            kill: "SCRIPT KILL",
        }
    }

    /// A library's code while it loads.
    fn load() -> Self {
        Self::function("")
    }
}

/// What a running script's callbacks reach, for the length of one run.
struct Run {
    /// The chunk whose lines errors name (`user_script`, `user_function`).
    chunk: &'static str,
    deadline: Instant,
    /// What SCRIPT KILL sees of this run.
    running: Arc<Running>,
    stopped: Option<Stop>,
    protocol: Protocol,
    /// The error `redis.call` raised last: raised on uncaught, it keeps its own error code.
    call_error: Option<Vec<u8>>,
    /// The script's line where the error that ended it was raised.
    error_line: Option<usize>,
}

impl Run {
    fn new(chunk: &'static str, time_limit: Duration, running: &Arc<Running>) -> Self {
        Self {
            chunk,
            deadline: Instant::now() + time_limit,
            running: Arc::clone(running),
            stopped: None,
            protocol: Protocol::Resp2,
            call_error: None,
            error_line: None,
        }
    }
}

/// Why a script was stopped from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    TimedOut,
    HostGone,
    Killed,
}

impl Vm {
    /// A new interpreter whose scripts may allocate at most `memory_limit` bytes.
    pub fn new(memory_limit: usize) -> mlua::Result<Self> {
        let lua = Lua::new_with(
            // Lua 5.1 keeps `coroutine` in its base library.
            StdLib::TABLE | StdLib::STRING | StdLib::MATH,
            LuaOptions::default(),
        )?;
        let env = lua.globals();
        env.raw_set("redis", redis_library(&lua)?)?;
        env.raw_set("cjson", libs::cjson::library(&lua)?)?;
        env.raw_set("cmsgpack", libs::cmsgpack::library(&lua)?)?;
        env.raw_set("bit", libs::bit::library(&lua)?)?;
        env.raw_set("struct", libs::structs::library(&lua)?)?;
        let running = lua.create_table()?;
        let prelude = lua.load(PRELUDE).set_name("=redis").into_function()?;
        prelude.call::<()>((
            running.clone(),
            env.raw_get::<Table>("redis")?,
            env.raw_get::<Function>("error")?,
        ))?;
        let xpcall = env.raw_get::<Function>("xpcall")?;
        let unless_stopped = lua.create_function(unless_stopped)?;
        let (globals, library_globals, loading): (Table, Table, Table) = lua
            .load(SANDBOX)
            .set_name("=sandbox")
            .call((env.clone(), unless_stopped))?;
        let apply = lua.load(APPLY).set_name("=apply").into_function()?;
        let on_error = lua.create_function(note_error_line)?;
        lua.set_global_hook(
            HookTriggers::new().every_nth_instruction(INSTRUCTIONS_PER_CHECK),
            check_deadline,
        )?;
        lua.set_memory_limit(memory_limit)?;
        Ok(Self {
            lua,
            globals,
            running,
            xpcall,
            on_error,
            compiled: HashMap::new(),
            library_globals,
            loading,
            apply,
            libraries: HashMap::new(),
        })
    }

    /// Compiles `script` unless this interpreter has it already.
    pub fn compile(&mut self, script: &Script) -> Result<Function, CmdError> {
        if let Some(function) = self.compiled.get(&script.sha) {
            return Ok(function.clone());
        }
        if self.compiled.len() >= MAX_COMPILED {
            self.forget_scripts();
        }
        let function = self
            .lua
            .load(script.lua_source())
            .set_name("@user_script")
            .set_environment(self.globals.clone())
            .into_function()
            .map_err(|error| {
                CmdError::new(format!(
                    "ERR Error compiling script (new function): {}",
                    lua_message(&error)
                ))
            })?;
        self.compiled.insert(script.sha.clone(), function.clone());
        Ok(function)
    }

    /// Forgets every compiled script (SCRIPT FLUSH).
    pub fn forget_scripts(&mut self) {
        self.compiled.clear();
        // Their functions are garbage now.
        self.collect_garbage();
    }

    /// Frees what no script can reach any more.
    pub fn collect_garbage(&self) {
        if let Err(error) = self.lua.gc_collect() {
            tracing::warn!(%error, "collecting a Lua interpreter's garbage failed");
        }
    }

    /// Runs `script` with `keys` and `args`, calling `host` for each command it runs, until
    /// it returns, fails, or passes `time_limit`. A script that returns an error reply
    /// finished; one that raised an error failed.
    pub fn run(
        &mut self,
        script: &Script,
        keys: &[Bytes],
        args: &[Bytes],
        host: Host<'_>,
        time_limit: Duration,
        running: &Arc<Running>,
    ) -> Result<Reply, Failure> {
        let function = self.compile(script).map_err(Failure::Error)?;
        let (keys, args) = self.tables(keys, args)?;
        let _ = self.globals.raw_set("KEYS", keys);
        let _ = self.globals.raw_set("ARGV", args);
        self.execute(function, Label::script(&script.sha), host, time_limit, running)
    }

    /// Runs `function` as the script `label` names, calling `host` for each command it runs,
    /// until it returns, fails, or passes `time_limit`.
    fn execute(
        &mut self,
        function: Function,
        label: Label<'_>,
        host: Host<'_>,
        time_limit: Duration,
        running: &Arc<Running>,
    ) -> Result<Reply, Failure> {
        self.lua.set_app_data(Run::new(label.chunk, time_limit, running));
        // The host is borrowed for this run only: a scoped function lends it to the script.
        let returned = self.lua.scope(|scope| {
            let run_command = scope.create_function_mut(|lua, (raise, arguments): (bool, MultiValue)| {
                run_command(lua, raise, &arguments, &mut *host)
            })?;
            self.running.raw_set("run_command", run_command)?;
            let returned = self.xpcall.call::<MultiValue>((function, self.on_error.clone()));
            self.running.raw_set("run_command", Value::Nil)?;
            Ok(returned)
        });
        let returned = returned.and_then(|returned| returned);
        let run = self
            .lua
            .remove_app_data::<Run>()
            .expect("the run's data stays until it ends");
        self.clear_run_globals();
        match run.stopped {
            Some(Stop::TimedOut) => return Err(Failure::TimedOut),
            Some(Stop::HostGone) => return Err(Failure::HostGone),
            Some(Stop::Killed) => {
                let line = run.error_line.unwrap_or(1);
                return Err(Failure::Killed(CmdError::new(format!(
                    "ERR Script killed by user with {}... script: {}, on @{}:{line}.",
                    label.kill, label.name, label.chunk
                ))));
            }
            None => {}
        }
        let mut values = match returned {
            Ok(values) => values.into_iter(),
            Err(error) => {
                return Err(Failure::Error(script_error(
                    label,
                    &Value::Error(Box::new(error)),
                    &run,
                )));
            }
        };
        match values.next() {
            Some(Value::Boolean(true)) => lua_to_reply(&values.next().unwrap_or(Value::Nil)).map_err(Failure::Error),
            _ => Err(Failure::Error(script_error(
                label,
                &values.next().unwrap_or(Value::Nil),
                &run,
            ))),
        }
    }

    /// Runs a library's code, which registers its functions, and keeps them here. Answers
    /// what it registered, or Redis's error for code that does not compile, fails, or
    /// registers nothing.
    pub fn load_library(&mut self, library: &LibraryCode) -> Result<Vec<FunctionSpec>, CmdError> {
        if self.libraries.len() >= MAX_COMPILED {
            self.libraries.clear();
        }
        let code = self
            .lua
            .load(library.lua_source())
            .set_name("@user_function")
            .set_environment(self.library_globals.clone())
            .into_function()
            .map_err(|error| CmdError::new(format!("ERR Error compiling function: {}", lua_message(&error))))?;
        let mut registered = Vec::new();
        self.lua
            .set_app_data(Run::new("user_function", LOAD_TIME_LIMIT, &Arc::default()));
        let _ = self.loading.raw_set("on", true);
        let returned = self.lua.scope(|scope| {
            let register =
                scope.create_function_mut(|_, arguments: MultiValue| register_function(arguments, &mut registered))?;
            self.running.raw_set("register_function", register)?;
            let returned = self.xpcall.call::<MultiValue>((code, self.on_error.clone()));
            self.running.raw_set("register_function", Value::Nil)?;
            Ok(returned)
        });
        let _ = self.loading.raw_set("on", false);
        let run = self
            .lua
            .remove_app_data::<Run>()
            .expect("the load's data stays until it ends");
        self.clear_run_globals();
        let failed = |message: String| CmdError::new(format!("ERR Error registering functions: {message}"));
        if run.stopped.is_some() {
            return Err(failed(format!(
                "the library ran longer than {} ms while it loaded",
                LOAD_TIME_LIMIT.as_millis()
            )));
        }
        let mut values = match returned.and_then(|returned| returned) {
            Ok(values) => values.into_iter(),
            Err(error) => {
                return Err(failed(error_message(
                    Label::load(),
                    &Value::Error(Box::new(error)),
                    &run,
                )));
            }
        };
        if !matches!(values.next(), Some(Value::Boolean(true))) {
            let error = values.next().unwrap_or(Value::Nil);
            return Err(failed(error_message(Label::load(), &error, &run)));
        }
        if registered.is_empty() {
            return Err(CmdError::new("ERR No functions registered"));
        }
        let callbacks = registered
            .iter()
            .map(|function| (function.spec.name.clone(), function.callback.clone()))
            .collect();
        self.libraries.insert(library.sha.clone(), callbacks);
        Ok(registered.into_iter().map(|function| function.spec).collect())
    }

    /// Runs the function `name` of `library` (FCALL) with `keys` and `args`, loading the
    /// library here first if this interpreter has not yet.
    #[allow(clippy::too_many_arguments)]
    pub fn call_function(
        &mut self,
        library: &LibraryCode,
        name: &str,
        keys: &[Bytes],
        args: &[Bytes],
        host: Host<'_>,
        time_limit: Duration,
        running: &Arc<Running>,
    ) -> Result<Reply, Failure> {
        if !self.libraries.contains_key(&library.sha) {
            self.load_library(library).map_err(Failure::Error)?;
        }
        let callback = self
            .libraries
            .get(&library.sha)
            .and_then(|functions| functions.get(name))
            .cloned()
            .ok_or_else(|| Failure::Error(CmdError::new("ERR Function not found")))?;
        let (keys, args) = self.tables(keys, args)?;
        let entry = self
            .apply
            .call::<Function>((callback, keys, args))
            .map_err(|error| Failure::Error(CmdError::new(format!("ERR {}", lua_message(&error)))))?;
        self.execute(entry, Label::function(name), host, time_limit, running)
    }

    /// A run's keys and arguments as Lua arrays (KEYS and ARGV, or a function's two tables).
    fn tables(&self, keys: &[Bytes], args: &[Bytes]) -> Result<(Table, Table), Failure> {
        let tables = strings(&self.lua, keys).and_then(|keys| Ok((keys, strings(&self.lua, args)?)));
        tables.map_err(|error| Failure::Error(CmdError::new(format!("ERR {}", lua_message(&error)))))
    }

    fn clear_run_globals(&self) {
        // Whatever a script left in the globals (KEYS, ARGV, or what rawset put there) goes.
        let keys: Vec<Value> = self
            .globals
            .pairs::<Value, Value>()
            .filter_map(|pair| pair.ok().map(|(key, _)| key))
            .collect();
        for key in keys {
            let _ = self.globals.raw_set(key, Value::Nil);
        }
    }
}

/// The error reply of a script that raised `error`, as Redis words it: the message, the
/// script's SHA1 and the line it was raised on.
fn script_error(label: Label<'_>, error: &Value, run: &Run) -> CmdError {
    let message = error_message(label, error, run);
    match run.error_line {
        Some(line) => CmdError::new(format!("{message} script: {}, on @{}:{line}.", label.name, label.chunk)),
        None => CmdError::new(format!("{message} script: {}", label.name)),
    }
}

/// The message of the error `error` a script raised, with its code: `ERR` unless it has one.
fn error_message(label: Label<'_>, error: &Value, run: &Run) -> String {
    match error {
        Value::Table(table) => match table.raw_get::<Value>("err") {
            Ok(Value::String(text)) => text.to_string_lossy(),
            _ => "ERR unknown error".to_owned(),
        },
        Value::String(text) if run.call_error.as_deref() == Some(&text.as_bytes()[..]) => text.to_string_lossy(),
        Value::String(text) => format!("ERR {}", text.to_string_lossy()),
        Value::Error(error) if error.downcast_ref::<RedisLibError>().is_some() => format!("ERR {}", lua_message(error)),
        // Raised by a library function: Lua's own would name the place, as luaL_error does.
        Value::Error(error) => match run.error_line {
            Some(line) => format!("ERR {}:{line}: {}", label.chunk, lua_message(error)),
            None => format!("ERR {}", lua_message(error)),
        },
        other => format!("ERR {}", other.to_string().unwrap_or_default()),
    }
}

/// `redis.register_function(name, callback)`, or with named arguments
/// `redis.register_function{function_name=..., callback=..., flags={...}, description=...}`,
/// while a library loads.
fn register_function(arguments: MultiValue, registered: &mut Vec<Registered>) -> mlua::Result<()> {
    let arguments: Vec<Value> = arguments.into_iter().collect();
    let (name, callback, flags, description) = match arguments.as_slice() {
        [name, callback] => (name.clone(), callback.clone(), Value::Nil, Value::Nil),
        [Value::Table(named)] => {
            for pair in named.pairs::<Value, Value>() {
                let (key, _) = pair?;
                let known = matches!(&key, Value::String(key)
                    if matches!(key.as_bytes().as_ref(), b"function_name" | b"callback" | b"flags" | b"description"));
                if !known {
                    return Err(redis_error("unknown argument given to redis.register_function"));
                }
            }
            (
                named.get("function_name")?,
                named.get("callback")?,
                named.get("flags")?,
                named.get("description")?,
            )
        }
        [_] => {
            return Err(redis_error(
                "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).",
            ));
        }
        _ => return Err(redis_error("wrong number of arguments to redis.register_function")),
    };
    let Value::String(name) = name else {
        return Err(redis_error(
            "function_name argument given to redis.register_function must be a string",
        ));
    };
    let name = name.to_string_lossy();
    if !library::is_valid_name(&name) {
        return Err(redis_error(library::NAME_RULE));
    }
    let Value::Function(callback) = callback else {
        return Err(redis_error(
            "second argument to redis.register_function must be a function",
        ));
    };
    let description = match description {
        Value::Nil => None,
        Value::String(text) => Some(text.to_string_lossy()),
        _ => {
            return Err(redis_error(
                "description argument given to redis.register_function must be a string",
            ));
        }
    };
    let flags = match flags {
        Value::Nil => Vec::new(),
        Value::Table(flags) => flags
            .sequence_values::<Value>()
            .map(|flag| match flag? {
                Value::String(flag) => {
                    library::known_flag(&flag.to_string_lossy()).ok_or_else(|| redis_error("unknown flag given"))
                }
                _ => Err(redis_error("unknown flag given")),
            })
            .collect::<mlua::Result<Vec<_>>>()?,
        _ => {
            return Err(redis_error(
                "flags argument to redis.register_function must be a table representing function flags",
            ));
        }
    };
    if registered.iter().any(|function| function.spec.name == name) {
        return Err(redis_error("Function already exists in the library"));
    }
    registered.push(Registered {
        spec: FunctionSpec {
            name,
            description,
            flags,
        },
        callback,
    });
    Ok(())
}

/// An error a `redis` library function raised: Redis words these without naming a place.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct RedisLibError(&'static str);

fn redis_error(message: &'static str) -> mlua::Error {
    mlua::Error::external(RedisLibError(message))
}

/// An mlua error's message, without the traceback mlua adds to errors raised in callbacks.
fn lua_message(error: &mlua::Error) -> String {
    match error {
        mlua::Error::RuntimeError(message) | mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::MemoryError(_) => "not enough memory".to_owned(),
        mlua::Error::CallbackError { cause, .. } => lua_message(cause),
        mlua::Error::ExternalError(error) => error.to_string(),
        other => other.to_string(),
    }
}

/// A Lua array of byte strings (KEYS, ARGV).
fn strings(lua: &Lua, items: &[Bytes]) -> mlua::Result<Table> {
    let table = lua.create_table_with_capacity(items.len(), 0)?;
    for (index, item) in items.iter().enumerate() {
        table.raw_set(index + 1, lua.create_string(item)?)?;
    }
    Ok(table)
}

/// The hook run every few thousand instructions: past its deadline (or once its host is
/// gone) a script is stopped, and stays stopped however it catches the error.
fn check_deadline(lua: &Lua, _: &mlua::debug::Debug) -> mlua::Result<VmState> {
    let Some(mut run) = lua.app_data_mut::<Run>() else {
        return Ok(VmState::Continue);
    };
    if run.stopped.is_none() && Instant::now() >= run.deadline {
        run.stopped = Some(Stop::TimedOut);
    }
    if run.stopped.is_none() && run.running.is_killed() {
        run.stopped = Some(Stop::Killed);
    }
    match run.stopped {
        Some(_) => Err(mlua::Error::runtime("the script was stopped")),
        None => Ok(VmState::Continue),
    }
}

/// Passes on what a protected call returned, unless the script was stopped meanwhile: then
/// the error goes on up, whatever caught it.
fn unless_stopped(lua: &Lua, returned: MultiValue) -> mlua::Result<MultiValue> {
    match lua.app_data_ref::<Run>().is_some_and(|run| run.stopped.is_some()) {
        true => Err(mlua::Error::runtime("the script was stopped")),
        false => Ok(returned),
    }
}

/// The error handler scripts run under: notes the script's line where the error was
/// raised, for the error reply, and passes the error on.
fn note_error_line(lua: &Lua, error: Value) -> mlua::Result<Value> {
    let chunk = lua.app_data_ref::<Run>().map(|run| format!("@{}", run.chunk));
    let line = (1..64).find_map(|level| {
        lua.inspect_stack(level, |frame| {
            let in_script = frame.source().source.as_deref() == chunk.as_deref();
            frame.current_line().filter(|_| in_script)
        })?
    });
    if let Some(mut run) = lua.app_data_mut::<Run>() {
        run.error_line = line;
    }
    Ok(error)
}

/// `redis.call`'s and `redis.pcall`'s work: runs the command the arguments name. A failed
/// command answers its error message and `true` when `raise` (for `redis.call` to raise),
/// its `{err=...}` table otherwise.
fn run_command(lua: &Lua, raise: bool, arguments: &MultiValue, host: Host<'_>) -> mlua::Result<(Value, bool)> {
    let reply = match command_of(arguments) {
        Ok(command) => {
            let mut run = lua
                .app_data_mut::<Run>()
                .ok_or_else(|| mlua::Error::runtime("no script is running"))?;
            if run.stopped.is_some() {
                return Err(mlua::Error::runtime("the script was stopped"));
            }
            match host(command) {
                Some(Called { reply, wrote }) => {
                    if wrote {
                        run.running.note_write();
                    }
                    reply
                }
                None => {
                    run.stopped = Some(Stop::HostGone);
                    return Err(mlua::Error::runtime("the script was stopped"));
                }
            }
        }
        Err(error) => Reply::Error(error),
    };
    let protocol = lua.app_data_ref::<Run>().map_or(Protocol::Resp2, |run| run.protocol);
    match reply {
        Reply::Error(error) if raise => {
            if let Some(mut run) = lua.app_data_mut::<Run>() {
                run.call_error = Some(error.as_str().as_bytes().to_vec());
            }
            Ok((Value::String(lua.create_string(error.as_str())?), true))
        }
        Reply::Error(error) => Ok((error_table(lua, error.as_str())?, false)),
        reply => Ok((reply_to_lua(lua, reply, protocol)?, false)),
    }
}

/// The command a `redis.call` names, as arguments.
fn command_of(arguments: &MultiValue) -> Result<Vec<Bytes>, CmdError> {
    if arguments.is_empty() {
        return Err(CmdError::new(
            "ERR Please specify at least one argument for this redis lib call",
        ));
    }
    arguments
        .iter()
        .map(|argument| {
            command_argument(argument)
                .ok_or_else(|| CmdError::new("ERR Lua redis lib command arguments must be strings or integers"))
        })
        .collect()
}

/// The `redis` table, but for `call` and `pcall`, which the prelude adds.
fn redis_library(lua: &Lua) -> mlua::Result<Table> {
    let redis = lua.create_table()?;
    // Given anything but one string, these return an error reply rather than raise one, as
    // Redis's do.
    let wrong_arguments = |lua: &Lua| error_table(lua, "ERR wrong number or type of arguments");
    redis.raw_set(
        "error_reply",
        lua.create_function(move |lua, arguments: Variadic<Value>| match one_string(&arguments) {
            Some(text) => error_table(lua, &error_code_and_message(&text.to_string_lossy())),
            None => wrong_arguments(lua),
        })?,
    )?;
    redis.raw_set(
        "status_reply",
        lua.create_function(move |lua, arguments: Variadic<Value>| match one_string(&arguments) {
            Some(text) => {
                let table = lua.create_table()?;
                table.raw_set("ok", text)?;
                Ok(Value::Table(table))
            }
            None => wrong_arguments(lua),
        })?,
    )?;
    redis.raw_set(
        "sha1hex",
        lua.create_function(|lua, arguments: Variadic<Value>| {
            let [text] = arguments.as_slice() else {
                return Err(redis_error("wrong number of arguments"));
            };
            // A string, or a number as Lua writes it; anything else hashes as nothing.
            let text = lua.coerce_string(text.clone())?;
            Ok(sha1_hex(&text.map(|text| text.as_bytes().to_vec()).unwrap_or_default()))
        })?,
    )?;
    redis.raw_set("log", lua.create_function(log)?)?;
    redis.raw_set(
        "setresp",
        lua.create_function(|lua, version: Value| {
            let protocol = match super::convert::as_number(&version) {
                Some(2.0) => Protocol::Resp2,
                Some(3.0) => Protocol::Resp3,
                _ => return Err(redis_error("RESP version must be 2 or 3.")),
            };
            if let Some(mut run) = lua.app_data_mut::<Run>() {
                run.protocol = protocol;
            }
            Ok(())
        })?,
    )?;
    // Replication is the store's business: these are accepted and change nothing.
    redis.raw_set("replicate_commands", lua.create_function(|_, ()| Ok(true))?)?;
    redis.raw_set(
        "set_repl",
        lua.create_function(|_, arguments: Variadic<Value>| {
            let [flags] = arguments.as_slice() else {
                return Err(redis_error("redis.set_repl() requires two arguments."));
            };
            match super::convert::as_number(flags) {
                Some(flags) if (0.0..=3.0).contains(&flags) => Ok(()),
                _ => Err(redis_error(
                    "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
                )),
            }
        })?,
    )?;
    redis.raw_set(
        "acl_check_cmd",
        lua.create_function(|_, arguments: MultiValue| {
            let command = command_of(&arguments)
                .map_err(|_| redis_error("Please specify at least one argument for this redis lib call"))?;
            crate::cmd::check_known(&command)
                .map_err(|_| redis_error("Invalid command passed to redis.acl_check_cmd()"))?;
            Ok(true)
        })?,
    )?;
    for (name, value) in [
        ("REPL_NONE", 0),
        ("REPL_AOF", 1),
        ("REPL_SLAVE", 2),
        ("REPL_REPLICA", 2),
        ("REPL_ALL", 3),
    ] {
        redis.raw_set(name, value)?;
    }
    for (name, value) in [
        ("LOG_DEBUG", 0),
        ("LOG_VERBOSE", 1),
        ("LOG_NOTICE", 2),
        ("LOG_WARNING", 3),
    ] {
        redis.raw_set(name, value)?;
    }
    redis.raw_set("REDIS_VERSION", VERSION)?;
    redis.raw_set("REDIS_VERSION_NUM", version_number(VERSION))?;
    Ok(redis)
}

/// The one string argument `redis.error_reply` and `redis.status_reply` take.
fn one_string(arguments: &[Value]) -> Option<&mlua::LuaString> {
    match arguments {
        [Value::String(text)] => Some(text),
        _ => None,
    }
}

/// An error message as `redis.error_reply` makes it: one that does not start with an
/// error code (a word before a space, after an optional `-`) gets `ERR`.
fn error_code_and_message(text: &str) -> String {
    let text = text.strip_prefix('-').unwrap_or(text);
    let message = text.trim_end_matches(['\r', '\n']);
    if message.contains(' ') {
        message.to_owned()
    } else {
        format!("ERR {message}")
    }
}

/// `redis.log(level, message, ...)`: the words joined by spaces, logged at the level.
fn log(_: &Lua, arguments: MultiValue) -> mlua::Result<()> {
    if arguments.len() < 2 {
        return Err(redis_error("redis.log() requires two arguments or more."));
    }
    let mut arguments = arguments.into_iter();
    let level = arguments.next().as_ref().and_then(super::convert::as_number);
    let words: Vec<String> = arguments.filter_map(|word| word.to_string().ok()).collect();
    let message = words.join(" ");
    match level {
        Some(0.0) => tracing::debug!(target: "litekv::script", "{message}"),
        Some(1.0) | Some(2.0) => tracing::info!(target: "litekv::script", "{message}"),
        Some(3.0) => tracing::warn!(target: "litekv::script", "{message}"),
        _ => return Err(redis_error("Invalid debug level.")),
    }
    Ok(())
}

/// A script's SHA1 digest in lowercase hexadecimal: how EVALSHA names it.
pub fn sha1_hex(body: &[u8]) -> String {
    Sha1::digest(body).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `7.4.0` as Redis numbers it: 0x070400.
fn version_number(version: &str) -> i64 {
    version
        .split('.')
        .take(3)
        .fold(0, |number, part| number * 256 + part.parse::<i64>().unwrap_or(0))
}
