//! The command engine: Redis semantics over the store, shared by every front door.
//!
//! Arguments as byte strings -> [`Engine::parse`] -> a [`Command`] -> run against the store
//! -> a protocol-neutral [`Reply`]. Read commands run on the read pool; write commands run
//! inside the writer's transaction, so each is atomic, and a group of them (a transaction)
//! is atomic together. Commands own the semantics (expiry arithmetic, lazy deletes,
//! Redis's error texts); the store owns the SQL.

mod args;
mod blocking;
mod command;
mod condition;
mod expiry;
mod functions;
mod geo;
mod hashes;
mod hyperloglog;
mod json;
mod keys;
mod lists;
mod native;
mod scripting;
mod server;
mod sets;
mod strings;
mod variants;
mod walk;
mod zsets;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::reply::{self, CmdError, Reply};
pub use blocking::Interrupt;
pub use command::{
    Command, CommandInfo, CommandSpec, KeyPositions, ReadCommand, Write, WriteCommand, check_known, check_queueable,
    command_info, command_table, find_command,
};
pub use expiry::Expiry;
pub use native::{GetOutcome, SetOutcome, Stored};

use crate::broker::{Broker, Forward};
use crate::clock::Clock;
use crate::notify::Notifier;
use crate::script::Scripts;
use crate::shutdown::Shutdown;
use crate::store::{
    BoxFuture, Claims, LocalBoxFuture, ReadJob, ReadView, Remote, RemoteListener, Store, StoreError, Watch, WriteJob,
    WriteTx,
};
use command::Queued;
use functions::FunctionCommand;
use strings::Put;

/// What every command runs against: the store, the pub/sub broker, the clock that says
/// what "now" is, the largest value a command may store, the longest a blocking command
/// run by [`Engine::execute`] waits, and how SHUTDOWN asks the server to stop.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    broker: Arc<Broker>,
    notifier: Arc<Notifier>,
    clock: Arc<dyn Clock>,
    max_value_bytes: usize,
    max_block: Option<Duration>,
    scripts: Arc<Scripts>,
    shutdown: Shutdown,
}

/// Bytes a pub/sub subscriber may leave unread before it is cut off, unless configured:
/// Redis's hard `client-output-buffer-limit` for pub/sub clients.
pub const DEFAULT_PUBSUB_BUFFER_BYTES: usize = 32 * 1024 * 1024;

impl Engine {
    pub fn new(store: Store, clock: Arc<dyn Clock>, max_value_bytes: usize) -> Self {
        let broker = Arc::new(Broker::new(DEFAULT_PUBSUB_BUFFER_BYTES));
        let scripts = Arc::new(Scripts::new(
            crate::script::DEFAULT_TIME_LIMIT,
            crate::script::DEFAULT_MEMORY_LIMIT,
        ));
        hear_others(&store, &broker, &scripts);
        Self {
            notifier: listen(&store, &broker),
            store,
            broker,
            clock,
            max_value_bytes,
            max_block: None,
            shutdown: Shutdown::default(),
            scripts,
        }
    }

    /// The same engine, its scripts stopped after `time` and each interpreter holding at
    /// most `memory` bytes.
    pub fn with_script_limits(self, time: Duration, memory: usize) -> Self {
        let scripts = Arc::new(Scripts::new(time, memory));
        hear_others(&self.store, &self.broker, &scripts);
        Self { scripts, ..self }
    }

    /// The same engine, its blocking commands run by [`Engine::execute`] and
    /// [`Engine::execute_pipeline`] waiting at most `limit`, whatever timeout they name:
    /// the HTTP doors', whose clients cannot interrupt a wait.
    pub fn with_max_block(self, limit: Duration) -> Self {
        Self {
            max_block: Some(limit),
            ..self
        }
    }

    /// The same engine, its subscribers allowed `limit` unread bytes each.
    pub fn with_pubsub_buffer(self, limit: usize) -> Self {
        let broker = Arc::new(Broker::new(limit));
        hear_others(&self.store, &broker, &self.scripts);
        Self {
            notifier: listen(&self.store, &broker),
            broker,
            ..self
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn broker(&self) -> &Arc<Broker> {
        &self.broker
    }

    /// How many scripts are loaded (EVAL, SCRIPT LOAD), until a restart or SCRIPT FLUSH.
    pub fn cached_scripts(&self) -> usize {
        self.scripts.count()
    }

    /// Keyspace notifications' settings, and the watchers of single keys.
    /// Resolves once SHUTDOWN asked the server to stop.
    pub fn shutdown(&self) -> &Shutdown {
        &self.shutdown
    }

    pub fn notifier(&self) -> &Arc<Notifier> {
        &self.notifier
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Parses a command given as Redis receives it: the name (any case), then arguments.
    pub fn parse(&self, args: Vec<Bytes>) -> Result<Command, CmdError> {
        self.parse_as(command::lookup(&args)?, args)
    }

    /// Parses `args` as the command `spec` (found by [`find_command`] from `args[0]`). Where
    /// other servers share the database, a write keeps the keys among its arguments, which
    /// its batch locks first; on a database of this server's alone, nothing looks for them.
    pub fn parse_as(&self, spec: &CommandSpec, args: Vec<Bytes>) -> Result<Command, CmdError> {
        let keys = self.store.is_shared().then(|| spec.info().keys.every_key(&args));
        let command = spec.parse(args, self.max_value_bytes)?;
        Ok(match keys {
            Some(keys) => command.claiming(keys),
            None => command,
        })
    }

    /// Runs one command. `Err` only for a storage failure; a command's own failure is a
    /// [`Reply::Error`].
    pub async fn execute(&self, command: Command) -> Result<Reply, StoreError> {
        match command {
            Command::Read(command) => self.read(command).await,
            Command::Write(Write {
                command: WriteCommand::BlockingPop(pop),
                ..
            }) => self.block(pop, self.max_block, std::future::pending()).await,
            command @ Command::Write(_) => match Queued::from(command) {
                Queued::Put(put) => reply::settle(put.exec_alone(&self.store, self.now_ms()).await),
                Queued::Alone(command) => self.write(vec![Ok(command)]).await.map(first),
            },
            Command::Publish(publish) => Ok(publish.exec(&self.broker)),
            Command::Eval(eval) => self.eval(eval).await,
            Command::Script(script) => self.run_script_command(script).await,
            Command::Function(function) => self.function_command(function).await,
            Command::Admin(admin) => Ok(self.admin(admin, false).await),
        }
    }

    /// Runs one command; a blocking one waits as long as it asks, unless `interrupt`
    /// resolves first (CLIENT UNBLOCK, a client that went away).
    pub async fn execute_interruptible(
        &self,
        command: Command,
        interrupt: impl Future<Output = Interrupt>,
    ) -> Result<Reply, StoreError> {
        match command {
            Command::Write(Write {
                command: WriteCommand::BlockingPop(pop),
                ..
            }) => self.block(pop, None, interrupt).await,
            command => self.execute(command).await,
        }
    }

    /// Runs commands in order, each seeing the effects of those before it. Not atomic:
    /// other clients' commands may interleave. A command that failed to parse answers its
    /// error in place.
    pub async fn execute_pipeline(&self, commands: Vec<Result<Command, CmdError>>) -> Result<Vec<Reply>, StoreError> {
        let mut replies = Vec::with_capacity(commands.len());
        let mut commands = commands.into_iter().peekable();
        while let Some(command) = commands.next() {
            match command {
                Err(error) => replies.push(Reply::Error(error)),
                Ok(command) if command.joins_write_runs() => {
                    // A run of writes (scripts included) shares one transaction: one commit
                    // instead of many.
                    let mut run = vec![command];
                    while let Some(Ok(next)) =
                        commands.next_if(|next| matches!(next, Ok(next) if next.joins_write_runs()))
                    {
                        run.push(next);
                    }
                    match run.len() {
                        1 => replies.push(self.execute(run.remove(0)).await?),
                        _ => replies.extend(self.write(run.into_iter().map(Ok).collect()).await?),
                    }
                }
                Ok(command) => replies.push(self.execute(command).await?),
            }
        }
        Ok(replies)
    }

    /// Runs commands as one transaction (MULTI/EXEC): all of them or, if the commit fails,
    /// none. A command that fails answers its error in place and the others still apply,
    /// as in Redis.
    pub async fn execute_transaction(
        &self,
        commands: Vec<Result<Command, CmdError>>,
    ) -> Result<Vec<Reply>, StoreError> {
        self.write(commands).await
    }

    /// Starts watching `keys` (WATCH): a transaction run with the [`Watch`] does nothing if
    /// one of them was written, or expired, after this.
    pub async fn watch(&self, keys: &[Bytes]) -> Result<Watch, StoreError> {
        self.store.watch(keys, self.now_ms()).await
    }

    /// As [`Engine::execute_transaction`], but only if every key `watch` watches is as it
    /// was: `None` (EXEC's null reply) otherwise, with nothing run.
    pub async fn execute_watched_transaction(
        &self,
        commands: Vec<Result<Command, CmdError>>,
        watch: Watch,
    ) -> Result<Option<Vec<Reply>>, StoreError> {
        let now_ms = self.now_ms();
        let transaction = Transaction {
            commands,
            now_ms,
            watch: Some(watch),
            engine: self.clone(),
        };
        self.store.write(transaction).await
    }

    /// Runs a read command where it is asked if the cache answers it, else on a reader.
    async fn read(&self, command: ReadCommand) -> Result<Reply, StoreError> {
        let now_ms = self.now_ms();
        let mut view = self.store.read_cached(now_ms);
        let (reply, expired) = match reply::settle(command.exec(&mut view).await) {
            Err(StoreError::NotCached) => self.store.read_on_reader(now_ms, Reading(command)).await?,
            answered => (answered, view.take_expired()),
        };
        if !expired.is_empty() {
            self.store.delete_if_expired(expired, now_ms).await?;
        }
        reply
    }

    async fn write(&self, commands: Vec<Result<Command, CmdError>>) -> Result<Vec<Reply>, StoreError> {
        let now_ms = self.now_ms();
        let transaction = Transaction {
            commands,
            now_ms,
            watch: None,
            engine: self.clone(),
        };
        // Only a watched transaction can be called off.
        Ok(self.store.write(transaction).await?.unwrap_or_default())
    }
}

/// A read command, run on a reader.
struct Reading(ReadCommand);

impl ReadJob for Reading {
    type Output = Result<Reply, StoreError>;

    fn run<'a>(self, view: &'a mut ReadView<'_>) -> LocalBoxFuture<'a, Self::Output> {
        Box::pin(async move { reply::settle(self.0.exec(view).await) })
    }
}

/// A notifier publishing `store`'s key events (and, where other servers share the database,
/// theirs) through `broker`.
fn listen(store: &Store, broker: &Arc<Broker>) -> Arc<Notifier> {
    let notifier = Arc::new(Notifier::new(Arc::clone(broker)));
    store.listen(notifier.clone());
    notifier
}

/// Where other servers share the database: messages PUBLISHed here reach them, theirs reach
/// `broker`'s subscribers, and their changes of function libraries make `scripts` read them
/// again.
fn hear_others(store: &Store, broker: &Arc<Broker>, scripts: &Arc<Scripts>) {
    if store.is_shared() {
        let to_others = store.clone();
        broker.forward_to(Forward(Box::new(move |channel, payload| {
            to_others.tell_others(&Remote::Published {
                channel: channel.clone(),
                payload: payload.clone(),
            });
        })));
        store.listen_to_others(Arc::new(FromOthers {
            broker: Arc::downgrade(broker),
            scripts: Arc::downgrade(scripts),
        }));
    }
}

/// What other servers sharing the database tell the engine.
struct FromOthers {
    broker: std::sync::Weak<Broker>,
    scripts: std::sync::Weak<Scripts>,
}

impl RemoteListener for FromOthers {
    fn published(&self, channel: Bytes, payload: Bytes) {
        if let Some(broker) = self.broker.upgrade() {
            broker.deliver(&channel, &payload);
        }
    }

    fn functions_changed(&self) {
        if let Some(scripts) = self.scripts.upgrade() {
            scripts.mark_libraries_stale();
        }
    }
}

fn first(replies: Vec<Reply>) -> Reply {
    replies.into_iter().next().unwrap_or(Reply::Nil)
}

/// Commands run in order inside the writer's transaction; none, if a watched key changed.
struct Transaction {
    commands: Vec<Result<Command, CmdError>>,
    now_ms: i64,
    watch: Option<Watch>,
    /// What its commands run with: the broker for a PUBLISH, which delivers as it runs, as
    /// Redis's EXEC does.
    engine: Engine,
}

impl WriteJob for Transaction {
    type Output = Option<Vec<Reply>>;

    /// Its commands' keys, and the keys it watches, whose versions it compares.
    fn claims(&self) -> Claims {
        let watched = self.watch.iter().flat_map(Watch::keys).cloned().collect();
        let mut claims = Claims::keys(watched);
        for command in self.commands.iter().flatten() {
            claims.extend(command.claims());
        }
        claims
    }

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<Option<Vec<Reply>>, StoreError>> {
        Box::pin(async move {
            let now_ms = self.now_ms;
            // Checked in the writer, where every write that ran before this one was counted.
            if let Some(watch) = &self.watch
                && !(watch.is_intact(now_ms) && tx.watched_versions_unchanged(watch).await?)
            {
                return Ok(None);
            }
            // A lone push may hand its elements straight to blocked clients: no later command
            // of the job could see them stored.
            tx.allow_hand_off(self.commands.len() == 1);
            let mut replies = Vec::with_capacity(self.commands.len());
            let mut commands = std::mem::take(&mut self.commands).into_iter().peekable();
            while let Some(command) = commands.next() {
                let reply = match command.map(Queued::from) {
                    Err(error) => Reply::Error(error),
                    Ok(Queued::Put(put)) => {
                        // A run of blind upserts (a pipeline's, a transaction's) is written in one go.
                        let mut run = vec![put];
                        while let Some(Ok(Queued::Put(put))) =
                            commands.next_if(is_put).map(|next| next.map(Queued::from))
                        {
                            run.push(put);
                        }
                        replies.extend(put_all(tx, run, now_ms).await?);
                        continue;
                    }
                    Ok(Queued::Alone(command)) => self.engine.run_in(tx, command, now_ms).await?,
                };
                replies.push(reply);
            }
            Ok(Some(replies))
        })
    }
}

impl Engine {
    /// Runs one command inside the writer's transaction `tx`.
    async fn run_in(&self, tx: &mut WriteTx<'_>, command: Command, now_ms: i64) -> Result<Reply, StoreError> {
        Ok(match command {
            // The store tells those watching a key of each change it makes to it.
            Command::Write(write) => reply::settle(write.command.exec(tx, now_ms).await)?,
            Command::Publish(publish) => publish.exec(&self.broker),
            Command::Script(script) => {
                let (reply, change) = self.script_command(script);
                if let Some(change) = change {
                    change.apply(tx).await?;
                }
                reply
            }
            Command::Function(FunctionCommand::Change(change)) => change.exec_in(tx, &self.scripts).await?,
            Command::Function(FunctionCommand::Inspect(inspect)) => inspect.exec(&self.scripts),
            Command::Admin(admin) => self.admin(admin, true).await,
            Command::Eval(eval) => self.eval_in(tx, eval, now_ms).await?,
            Command::Read(read) => {
                let mut view = tx.read(now_ms);
                let reply = reply::settle(read.exec(&mut view).await)?;
                let expired = view.take_expired();
                drop(view);
                tx.delete_if_expired(&expired, now_ms).await?;
                reply
            }
        })
    }
}

fn is_put(command: &Result<Command, CmdError>) -> bool {
    matches!(command, Ok(Command::Write(write)) if write.is_put())
}

/// Writes blind string upserts in one go, answering each: OK, or its own error.
async fn put_all(tx: &mut WriteTx<'_>, puts: Vec<Put>, now_ms: i64) -> Result<Vec<Reply>, StoreError> {
    let mut writes = Vec::with_capacity(puts.len());
    let replies = puts
        .into_iter()
        .map(|put| match put.into_write(now_ms) {
            Ok(write) => {
                writes.push(write);
                Reply::OK
            }
            Err(error) => Reply::Error(error),
        })
        .collect();
    tx.put_strings_notifying(&writes.iter().collect::<Vec<_>>()).await?;
    Ok(replies)
}
