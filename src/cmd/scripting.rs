//! EVAL, EVALSHA, FCALL, their read-only twins, and SCRIPT: the commands that run Lua
//! scripts and functions, and the hosts that run the commands a script calls.
//!
//! A script runs on the thread of its host, which runs each command it calls (`redis.call`)
//! there and then, as any other, and answers. A script that may write is hosted by the
//! writer, as one piece of a job in a savepoint of its own: nothing else runs while it does,
//! and if it fails (an error it raised, its time limit) its writes are undone. A read-only
//! one (EVAL_RO, EVALSHA_RO, or declared `no-writes`) is hosted by a reader, beside other
//! reads.

use std::sync::Arc;

use bytes::Bytes;

use super::args::Args;
use super::variants::Mode;
use super::{Command, Engine};
use crate::reply;
use crate::reply::{CmdError, Reply};
use crate::script::{Called, Failure, Kind, Library, Script, Scripts};
use crate::store::{BoxFuture, Claims, LocalBoxFuture, ReadJob, ReadView, StoreError, WriteJob, WriteTx};

/// EVAL and its kin: a script, by body or by SHA1, or a function by name (FCALL), with its
/// keys and arguments.
#[derive(Debug)]
pub struct Eval {
    source: Source,
    keys: Vec<Bytes>,
    args: Vec<Bytes>,
    /// EVAL_RO, EVALSHA_RO, FCALL_RO: the script may only read.
    read_only: bool,
}

#[derive(Debug)]
enum Source {
    Body(Bytes),
    Sha(Bytes),
    Function(String),
}

/// What a script command runs, found: a script, or a function and its library.
enum Callable {
    Script(Arc<Script>),
    Function { library: Arc<Library>, name: String },
}

impl Callable {
    /// Declared `no-writes`.
    fn no_writes(&self) -> bool {
        match self {
            Self::Script(script) => script.no_writes,
            Self::Function { library, name } => library.function(name).is_some_and(|function| function.no_writes()),
        }
    }
}

impl Eval {
    /// The keys it declares (KEYS).
    pub(super) fn keys(&self) -> &[Bytes] {
        &self.keys
    }

    pub(super) fn parse_eval(args: &mut Args, mode: Mode) -> Result<Self, CmdError> {
        Self::parse(Source::Body(args.bytes()?), args, mode)
    }

    pub(super) fn parse_evalsha(args: &mut Args, mode: Mode) -> Result<Self, CmdError> {
        Self::parse(Source::Sha(args.bytes()?), args, mode)
    }

    /// `FCALL function numkeys key... arg...` and FCALL_RO.
    pub(super) fn parse_fcall(args: &mut Args, mode: Mode) -> Result<Self, CmdError> {
        let name = String::from_utf8_lossy(&args.bytes()?).into_owned();
        if args.peek().is_some_and(|numkeys| {
            std::str::from_utf8(numkeys)
                .ok()
                .and_then(|n| n.parse::<i64>().ok())
                .is_none()
        }) {
            return Err(CmdError::new("ERR Bad number of keys provided"));
        }
        Self::parse(Source::Function(name), args, mode)
    }

    fn parse(source: Source, args: &mut Args, mode: Mode) -> Result<Self, CmdError> {
        let numkeys = args.int()?;
        if numkeys < 0 {
            return Err(CmdError::new("ERR Number of keys can't be negative"));
        }
        let keys = args.counted_keys(numkeys, || {
            CmdError::new("ERR Number of keys can't be greater than number of args")
        })?;
        let args = std::iter::from_fn(|| args.bytes().ok()).collect();
        Ok(Self {
            source,
            keys,
            args,
            read_only: mode == Mode::ReadOnly,
        })
    }

    /// Whether a read-only token may run it: the `_RO` commands only.
    pub(super) fn is_read_only(&self) -> bool {
        self.read_only
    }
}

/// SCRIPT LOAD, EXISTS, FLUSH and KILL.
#[derive(Debug)]
pub enum ScriptCommand {
    Load(Bytes),
    Exists(Vec<Bytes>),
    Flush,
    Kill,
}

impl ScriptCommand {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let subcommand = args.bytes()?;
        let wrong_arity = |name: &str| CmdError::wrong_arity(&format!("script|{name}"));
        match subcommand.to_ascii_lowercase().as_slice() {
            b"load" if args.remaining() == 1 => Ok(Self::Load(args.bytes()?)),
            b"load" => Err(wrong_arity("load")),
            b"exists" if args.remaining() > 0 => Ok(Self::Exists(std::iter::from_fn(|| args.bytes().ok()).collect())),
            b"exists" => Err(wrong_arity("exists")),
            b"flush" => match args.remaining() {
                0 => Ok(Self::Flush),
                1 if matches!(args.bytes()?.to_ascii_lowercase().as_slice(), b"sync" | b"async") => Ok(Self::Flush),
                1 => Err(CmdError::new("ERR SCRIPT FLUSH only support SYNC|ASYNC option")),
                _ => Err(wrong_arity("flush")),
            },
            b"kill" if args.remaining() == 0 => Ok(Self::Kill),
            b"kill" => Err(wrong_arity("kill")),
            _ => Err(CmdError::new(format!(
                "ERR unknown subcommand '{}'. Try SCRIPT HELP.",
                String::from_utf8_lossy(&subcommand)
            ))),
        }
    }

    /// Whether a read-only token may run it: EXISTS only.
    pub(super) fn is_read_only(&self) -> bool {
        matches!(self, Self::Exists(_))
    }

    fn exec(self, scripts: &Scripts) -> Reply {
        match self {
            Self::Load(body) => match scripts.load(body) {
                Ok(script) => Reply::bulk(script.sha.clone()),
                Err(error) => Reply::Error(error),
            },
            Self::Exists(shas) => Reply::Array(
                shas.iter()
                    .map(|sha| Reply::bool(scripts.get(&String::from_utf8_lossy(sha)).is_some()))
                    .collect(),
            ),
            Self::Flush => {
                scripts.flush();
                Reply::OK
            }
            Self::Kill => match scripts.kill(Kind::Script) {
                Ok(()) => Reply::OK,
                Err(error) => Reply::Error(error),
            },
        }
    }
}

impl Engine {
    /// SCRIPT, and where other servers share the database, what it changes of the scripts
    /// kept for them (a script loaded, or all flushed).
    pub(super) fn script_command(&self, command: ScriptCommand) -> (Reply, Option<SharedScripts>) {
        let loaded = match &command {
            ScriptCommand::Load(body) => Some(body.clone()),
            _ => None,
        };
        let flushed = matches!(command, ScriptCommand::Flush);
        let reply = command.exec(&self.scripts);
        let change = match (&reply, loaded) {
            _ if !self.store.is_shared() => None,
            (Reply::Bulk(sha), Some(body)) => Some(SharedScripts::Load {
                sha: String::from_utf8_lossy(sha).into_owned(),
                body,
            }),
            _ => flushed.then_some(SharedScripts::Flush),
        };
        (reply, change)
    }

    /// SCRIPT, on its own, with its change of the scripts kept for other servers.
    pub(super) async fn run_script_command(&self, command: ScriptCommand) -> Result<Reply, StoreError> {
        let (reply, change) = self.script_command(command);
        if let Some(change) = change {
            self.store.write(change).await?;
        }
        Ok(reply)
    }

    /// The SHA1 `eval` names, if this server lacks that script and another server sharing
    /// the database may have loaded it (see [`Engine::load_shared_script`]).
    fn shared_script_to_find(&self, eval: &Eval) -> Option<String> {
        let Source::Sha(sha) = &eval.source else {
            return None;
        };
        let sha = String::from_utf8_lossy(sha);
        (self.store.is_shared() && self.scripts.get(&sha).is_none()).then(|| sha.into_owned())
    }

    /// Loads the script `sha` from the database, if another server kept it there.
    async fn load_shared_script(&self, sha: &str, view: &mut ReadView<'_>) -> Result<(), StoreError> {
        if let Some(body) = view.shared_script(sha).await? {
            // It compiled where it was loaded; should it not here, EVALSHA answers NOSCRIPT.
            let _ = self.scripts.load(body);
        }
        Ok(())
    }

    /// The script `source` names: compiled and kept if given by body; NOSCRIPT if the SHA1
    /// names none, in Redis's words, on which clients fall back to EVAL.
    fn resolve(&self, source: &Source) -> Result<Callable, CmdError> {
        match source {
            Source::Body(body) => self.scripts.load(body.clone()).map(Callable::Script),
            Source::Sha(sha) => self
                .scripts
                .get(&String::from_utf8_lossy(sha))
                .map(Callable::Script)
                .ok_or_else(|| CmdError::new("NOSCRIPT No matching script. Please use EVAL.")),
            Source::Function(name) => match self.scripts.library_of(name) {
                Some(library) => Ok(Callable::Function {
                    library,
                    name: name.clone(),
                }),
                None => Err(CmdError::new("ERR Function not found")),
            },
        }
    }

    /// The job that runs `eval`'s script: NOSCRIPT if the SHA1 names none, or the error of a
    /// script that does not compile.
    fn script_job(&self, eval: Eval, now_ms: i64) -> Result<Hosted, CmdError> {
        let callable = self.resolve(&eval.source)?;
        let is_function = matches!(callable, Callable::Function { .. });
        if is_function && eval.read_only && !callable.no_writes() {
            return Err(CmdError::new(
                "ERR Can not execute a script with write flag using *_ro command.",
            ));
        }
        Ok(Hosted {
            engine: self.clone(),
            writes: !(eval.read_only || callable.no_writes()),
            callable,
            eval,
            now_ms,
        })
    }

    /// Runs EVAL and its kin: one that may write as a job of the writer's, a read-only one
    /// beside other readers.
    pub(super) async fn eval(&self, eval: Eval) -> Result<Reply, StoreError> {
        self.refresh_functions().await?;
        if let Some(sha) = self.shared_script_to_find(&eval) {
            self.load_shared_script(&sha, &mut self.store.read(self.now_ms()))
                .await?;
        }
        let job = match self.script_job(eval, self.now_ms()) {
            Ok(job) => job,
            Err(error) => return Ok(Reply::Error(error)),
        };
        if !job.writes {
            return self.eval_reading(job).await;
        }
        // A job of its own: its savepoint is the script's.
        Ok(self.store.write(job).await?.unwrap_or_else(Reply::Error))
    }

    async fn eval_reading(&self, job: Hosted) -> Result<Reply, StoreError> {
        let now_ms = job.now_ms;
        let (outcome, expired) = self.store.read_on_reader(now_ms, job).await?;
        if !expired.is_empty() {
            self.store.delete_if_expired(expired, now_ms).await?;
        }
        Ok(outcome?.unwrap_or_else(Reply::Error))
    }

    /// Runs EVAL and its kin inside the writer's transaction `tx`, all or nothing.
    pub(super) async fn eval_in(&self, tx: &mut WriteTx<'_>, eval: Eval, now_ms: i64) -> Result<Reply, StoreError> {
        if let Some(sha) = self.shared_script_to_find(&eval) {
            self.load_shared_script(&sha, &mut tx.read(now_ms)).await?;
        }
        let mut job = match self.script_job(eval, now_ms) {
            Ok(job) => job,
            Err(error) => return Ok(Reply::Error(error)),
        };
        Ok(tx.run_all_or_nothing(&mut job).await?.unwrap_or_else(Reply::Error))
    }

    /// A command a script called, in the writer's transaction.
    async fn run_writing(
        &self,
        tx: &mut WriteTx<'_>,
        args: Vec<Bytes>,
        writes: bool,
        now_ms: i64,
    ) -> Result<Called, StoreError> {
        let command = match self.parse_for_script(args) {
            Ok(command) => command,
            Err(error) => return Ok(read_only(Reply::Error(error))),
        };
        let is_write = matches!(command, Command::Write(_));
        if is_write && !writes {
            return Ok(read_only(Reply::Error(write_refused())));
        }
        let reply = self.run_in(tx, command, now_ms).await?;
        Ok(Called {
            wrote: is_write && !matches!(reply, Reply::Error(_)),
            reply,
        })
    }

    /// A command a read-only script called, in its read view.
    async fn run_reading(&self, view: &mut ReadView<'_>, args: Vec<Bytes>) -> Result<Called, StoreError> {
        let reply = match self.parse_for_script(args) {
            Err(error) => Reply::Error(error),
            Ok(Command::Read(read)) => reply::settle(read.exec(view).await)?,
            Ok(Command::Publish(publish)) => publish.exec(&self.broker),
            Ok(_) => Reply::Error(write_refused()),
        };
        Ok(read_only(reply))
    }

    /// Parses a command a script called, refusing those scripts may not run (scripting
    /// itself, blocking commands), with Redis's errors.
    fn parse_for_script(&self, args: Vec<Bytes>) -> Result<Command, CmdError> {
        if args.first().is_some_and(|name| is_connection_command(name)) {
            return Err(not_allowed());
        }
        let command = self.parse(args).map_err(|error| {
            if error.is_unknown_command() {
                CmdError::new("ERR Unknown Redis command called from script")
            } else if error.as_str().starts_with("ERR wrong number of arguments") {
                CmdError::new("ERR Wrong number of args calling Redis command from script")
            } else {
                error
            }
        })?;
        match &command {
            Command::Eval(_) | Command::Script(_) | Command::Function(_) | Command::Admin(_) => Err(not_allowed()),
            Command::Write(write) if write.is_blocking() => Err(not_allowed()),
            _ => Ok(command),
        }
    }
}

/// Whether `name` is one of the commands that act on a client's connection (the Redis
/// protocol door runs them, not the engine): scripts may not run them, as in Redis.
fn is_connection_command(name: &[u8]) -> bool {
    const CONNECTION: &[&str] = &[
        "auth",
        "client",
        "discard",
        "exec",
        "hello",
        "monitor",
        "multi",
        "psubscribe",
        "punsubscribe",
        "quit",
        "reset",
        "select",
        "ssubscribe",
        "subscribe",
        "sunsubscribe",
        "unsubscribe",
        "unwatch",
        "wait",
        "watch",
    ];
    CONNECTION
        .iter()
        .any(|command| name.eq_ignore_ascii_case(command.as_bytes()))
}

/// A call that wrote nothing, answered `reply`.
fn read_only(reply: Reply) -> Called {
    Called { reply, wrote: false }
}

fn not_allowed() -> CmdError {
    CmdError::new("ERR This Redis command is not allowed from script")
}

fn write_refused() -> CmdError {
    CmdError::new("ERR Write commands are not allowed from read-only scripts.")
}

/// A script and what it runs with: a job of the writer's (alone, or a piece of a
/// transaction's job) or, if it may only read, run beside other readers.
struct Hosted {
    engine: Engine,
    callable: Callable,
    eval: Eval,
    /// Whether it may write: not EVAL_RO, not declared `no-writes`.
    writes: bool,
    now_ms: i64,
}

impl WriteJob for Hosted {
    type Output = Result<Reply, CmdError>;

    fn claims(&self) -> Claims {
        Claims::keys(self.eval.keys.clone())
    }

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<Self::Output, StoreError>> {
        Box::pin(async move {
            // Elements a script pushes stay in the list for blocked clients to take once it
            // ended: handed over at once, they could not be taken back if it failed.
            tx.allow_hand_off(false);
            let Self {
                engine,
                callable,
                eval,
                writes,
                now_ms,
            } = self;
            // The script runs here, on the writer's own thread, which nothing else needs
            // meanwhile: each command it calls runs at once, with no thread to cross.
            run_hosted(engine, callable, eval, |args| {
                futures_executor::block_on(engine.run_writing(tx, args, *writes, *now_ms))
            })
        })
    }

    fn failed(output: &Self::Output) -> bool {
        output.is_err()
    }
}

impl ReadJob for Hosted {
    type Output = Result<Result<Reply, CmdError>, StoreError>;

    /// The script runs here, on the reader's thread, each command it calls at once.
    fn run<'a>(self, view: &'a mut ReadView<'_>) -> LocalBoxFuture<'a, Self::Output> {
        Box::pin(async move {
            let engine = &self.engine;
            run_hosted(engine, &self.callable, &self.eval, |args| {
                futures_executor::block_on(engine.run_reading(view, args))
            })
        })
    }
}

/// Runs `script` on this thread, each command it calls run by `call` there and then.
/// `Ok(Err(..))` is the script's failure, for its error reply; `Err` the store's, which
/// stops the script and fails the request.
fn run_hosted(
    engine: &Engine,
    callable: &Callable,
    eval: &Eval,
    mut call: impl FnMut(Vec<Bytes>) -> Result<Called, StoreError>,
) -> Result<Result<Reply, CmdError>, StoreError> {
    let mut failed = None;
    let mut host = |args| match call(args) {
        Ok(called) => Some(called),
        Err(error) => {
            // Unanswered, the call fails, and with it the script.
            failed = Some(error);
            None
        }
    };
    let scripts = &engine.scripts;
    let outcome = match callable {
        Callable::Script(script) => scripts.run(script, &eval.keys, &eval.args, &mut host),
        Callable::Function { library, name } => scripts.call_function(library, name, &eval.keys, &eval.args, &mut host),
    };
    match failed {
        Some(error) => Err(error),
        None => Ok(settle(outcome, engine.scripts.time_limit())),
    }
}

/// A script's outcome as its reply, or the error reply of its failure.
fn settle(outcome: Result<Reply, Failure>, time_limit: std::time::Duration) -> Result<Reply, CmdError> {
    outcome.map_err(|failure| match failure {
        Failure::Error(error) => error,
        Failure::TimedOut => CmdError::new(format!(
            "ERR Script killed: it ran longer than the script time limit ({} ms, --script-time-limit-ms); its writes were undone",
            time_limit.as_millis()
        )),
        // Only a store failure stops the host, and that fails the request instead.
        Failure::HostGone => CmdError::new("ERR the store failed while the script ran"),
        Failure::Killed(error) => error,
    })
}

/// A change of the scripts kept for the other servers sharing the database, made as the
/// server's own SCRIPT LOAD or SCRIPT FLUSH is.
pub(super) enum SharedScripts {
    Load { sha: String, body: Bytes },
    Flush,
}

impl SharedScripts {
    pub(super) async fn apply(&self, tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
        match self {
            Self::Load { sha, body } => tx.share_script(sha, body).await,
            Self::Flush => tx.forget_shared_scripts().await,
        }
    }
}

impl WriteJob for SharedScripts {
    type Output = ();

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.apply(tx))
    }
}
