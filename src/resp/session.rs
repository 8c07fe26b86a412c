//! One connection's state and the commands that act on it: AUTH, HELLO, SELECT, CLIENT,
//! MULTI/EXEC/DISCARD, WATCH/UNWATCH, RESET and QUIT. Every other command goes to the
//! engine, as it does from the HTTP doors.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use tokio::sync::{oneshot, watch};

use super::clients::Registration;
use super::encode::{Protocol, encode};
use super::introspect;
use super::monitor::Monitor;
use super::pubsub::{self, Listener};
use super::server::Shared;
use crate::access::Access;
use crate::broker::Ended;
use crate::cmd::{Command, CommandSpec, Interrupt, find_command};
use crate::reply::{CmdError, Reply};
use crate::store::{StoreError, Watch};
use crate::telemetry;

/// Replies beyond this many bytes are sent before more commands run, so a client that
/// pipelines faster than it reads holds at most this much of the server's memory (plus
/// one reply).
pub(super) const OUTPUT_HIGH_WATER: usize = 64 * 1024;

/// Most writes committed together from one client's pipeline.
const MAX_WRITE_RUN: usize = 512;

/// What the connection does after a batch of commands.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Flow {
    Continue,
    /// QUIT, or a failure that leaves nothing to answer: close once replies are sent.
    Close,
}

/// Whether replies are sent (CLIENT REPLY).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReplyMode {
    On,
    Off,
    /// Not for the next command; then on again.
    Skip,
}

/// A transaction being queued (MULTI ... EXEC).
#[derive(Debug, Default)]
struct Multi {
    queued: Vec<Result<Command, CmdError>>,
    /// Connection commands queued too, each after how many of `queued`: they touch no data,
    /// so EXEC runs them once the others ran, and puts their replies back in place.
    connection: Vec<(usize, &'static str, VecDeque<Bytes>)>,
    /// A command could not be queued: EXEC discards the transaction (EXECABORT).
    failed: bool,
}

impl Multi {
    fn len(&self) -> usize {
        self.queued.len() + self.connection.len()
    }
}

pub(super) struct Session {
    shared: Arc<Shared>,
    registration: Registration,
    /// `None` until the client authenticated, when tokens are configured.
    access: Option<Access>,
    protocol: Protocol,
    multi: Option<Multi>,
    watch: Option<Watch>,
    reply_mode: ReplyMode,
    listener: Listener,
    /// Set by MONITOR: the commands every client runs, to send as they come.
    monitor: Option<Monitor>,
    /// Turns true once the client closed its end: a blocking command stops waiting.
    hangup: watch::Receiver<bool>,
}

/// The connection commands, with Redis's arity and flags, for COMMAND.
#[rustfmt::skip]
pub(super) const SESSION_COMMANDS: &[(&str, i32, &[&str])] = &[
    ("auth", -2, &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"]),
    ("hello", -1, &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"]),
    ("select", 2, &["loading", "stale", "fast"]),
    ("client", -2, &[]),
    ("reset", 1, &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"]),
    ("quit", -1, &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"]),
    ("multi", 1, &["noscript", "loading", "stale", "fast", "allow_busy"]),
    ("exec", 1, &["noscript", "loading", "stale", "skip_slowlog"]),
    ("discard", 1, &["noscript", "loading", "stale", "fast", "allow_busy"]),
    ("watch", -2, &["noscript", "loading", "stale", "fast", "allow_busy"]),
    ("unwatch", 1, &["noscript", "loading", "stale", "fast", "allow_busy"]),
    ("info", -1, &["loading", "stale"]),
    ("command", -1, &["loading", "stale"]),
    ("config", -2, &[]),
    ("lastsave", 1, &["loading", "stale", "fast"]),
    ("subscribe", -2, &["pubsub", "noscript", "loading", "stale"]),
    ("psubscribe", -2, &["pubsub", "noscript", "loading", "stale"]),
    ("ssubscribe", -2, &["pubsub", "noscript", "loading", "stale"]),
    ("unsubscribe", -1, &["pubsub", "noscript", "loading", "stale"]),
    ("punsubscribe", -1, &["pubsub", "noscript", "loading", "stale"]),
    ("sunsubscribe", -1, &["pubsub", "noscript", "loading", "stale"]),
    ("pubsub", -2, &[]),
    ("slowlog", -2, &["admin", "loading", "stale"]),
    ("monitor", 1, &["admin", "noscript", "loading", "stale"]),
];

/// What a RESP2 connection that listens to a channel may send, as in Redis: its replies and
/// its messages share one stream.
const WHILE_LISTENING: &[&str] = &[
    "subscribe",
    "psubscribe",
    "ssubscribe",
    "unsubscribe",
    "punsubscribe",
    "sunsubscribe",
    "ping",
    "quit",
    "reset",
];

/// Commands an unauthenticated client may send.
const BEFORE_AUTH: &[&str] = &["auth", "hello", "quit", "reset"];

impl Session {
    pub(super) fn new(shared: Arc<Shared>, registration: Registration, hangup: watch::Receiver<bool>) -> Self {
        let access = shared.tokens.is_empty().then_some(Access::ReadWrite);
        Self {
            shared,
            registration,
            access,
            protocol: Protocol::Resp2,
            multi: None,
            watch: None,
            reply_mode: ReplyMode::On,
            listener: Listener::default(),
            monitor: None,
            hangup,
        }
    }

    /// The next pub/sub message for this connection, as a push; never while it listens to
    /// nothing.
    pub(super) async fn next_message(&mut self) -> Result<Reply, Ended> {
        match &mut self.monitor {
            Some(monitor) => tokio::select! {
                message = self.listener.next() => message,
                line = monitor.next() => Ok(line),
            },
            None => self.listener.next().await,
        }
    }

    /// Whether the connection waits for what other clients do (messages, MONITOR's lines),
    /// and so is never idle.
    pub(super) fn waits_for_others(&self) -> bool {
        self.listener.is_listening() || self.monitor.is_some()
    }

    pub(super) fn is_authenticated(&self) -> bool {
        self.access.is_some()
    }

    pub(super) fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Runs commands off the front of `pending`, appending their replies to `out`, until
    /// none is left or `out` passed [`OUTPUT_HIGH_WATER`].
    pub(super) async fn run(&mut self, pending: &mut VecDeque<Vec<Bytes>>, out: &mut BytesMut) -> Flow {
        while out.len() < OUTPUT_HIGH_WATER {
            let Some(args) = pending.pop_front() else {
                return Flow::Continue;
            };
            let named = self.note_command(&args);
            let started = Instant::now();
            // Kept for the slow log; a command that runs the writes behind it counts for them.
            let logged = args.clone();
            let listening_in_resp2 = self.protocol == Protocol::Resp2 && self.listener.is_listening();
            let outcome = match named {
                _ if listening_in_resp2 => self.run_while_listening(named.map(Named::name), args),
                Some(Named::Session(name)) => self.run_session_command(name, args).await,
                Some(Named::Engine(spec)) => self.run_engine_commands(Some(spec), args, pending).await,
                None => self.run_engine_commands(None, args, pending).await,
            };
            let took = started.elapsed();
            if self.shared.slowlog.is_slow(took) && named.is_none_or(|named| named.name() != "exec") {
                let client = self.registration.client();
                let (peer, name) = (client.peer, client.name.clone().unwrap_or_default());
                drop(client);
                self.shared.slowlog.record(took, &logged, peer, name);
            }
            // As in Redis, a SHUTDOWN that went through closes the connection unanswered.
            if named.is_some_and(|named| named.name() == "shutdown")
                && matches!(&outcome, Ok(replies) if replies[..] == [Reply::OK])
            {
                return Flow::Close;
            }
            match outcome {
                Ok(replies) => replies.iter().for_each(|reply| self.send(reply, out)),
                Err(Closing::Quit) => {
                    self.send(&Reply::OK, out);
                    return Flow::Close;
                }
                Err(Closing::Store { error, commands }) => {
                    tracing::error!(target: "litekv::resp", client = self.registration.id, error = ?error, commands, "commands failed in the store");
                    // Every command of a failed run gets its error, so replies stay in step.
                    let reply = Reply::Error(CmdError::new(format!("ERR {error}")));
                    (0..commands).for_each(|_| self.send(&reply, out));
                    if matches!(error, StoreError::Closed) {
                        return Flow::Close;
                    }
                }
            }
        }
        Flow::Continue
    }

    /// Counts the command for INFO and /metrics, logs it (by name only: arguments hold keys,
    /// values and tokens), and notes it for CLIENT LIST; returns what it names if the server
    /// knows it.
    fn note_command(&mut self, args: &[Bytes]) -> Option<Named> {
        let first = args.first().map_or(&b""[..], |name| name.as_ref());
        // The connection's own first: CLIENT is the engine's too, as the HTTP doors answer it.
        let named = session_command(first)
            .map(|(name, _, _)| Named::Session(name))
            .or_else(|| find_command(first).map(Named::Engine));
        let label = named.map_or("unknown", Named::name);
        if self.access.is_some() && self.shared.monitors.is_watched() {
            let peer = self.registration.client().peer;
            self.shared.monitors.show(args, peer);
        }
        tracing::debug!(target: "litekv::resp", client = self.registration.id, command = label, "command");
        telemetry::count_command(label, "resp");
        self.shared.stats.command(label);
        let mut client = self.registration.client();
        client.last_command = label;
        client.last_command_at = Instant::now();
        named
    }

    /// Sends a command's reply, unless CLIENT REPLY silenced it. A push (a subscribe or
    /// unsubscribe confirmation) is not a reply: as in Redis, it goes out whatever CLIENT
    /// REPLY says, and it ends a SKIP as the reply of its command would.
    fn send(&mut self, reply: &Reply, out: &mut BytesMut) {
        if let Reply::Error(error) = reply {
            self.shared.stats.error(error);
        }
        match (self.reply_mode, reply) {
            (ReplyMode::On, _) => encode(reply, self.protocol, out),
            (ReplyMode::Off, Reply::Push(_)) => encode(reply, self.protocol, out),
            (ReplyMode::Off, _) => {}
            (ReplyMode::Skip, Reply::Push(_)) => {
                encode(reply, self.protocol, out);
                self.reply_mode = ReplyMode::On;
            }
            (ReplyMode::Skip, _) => self.reply_mode = ReplyMode::On,
        }
    }

    /// Runs an engine command; a write takes the writes queued right behind it along, so
    /// that a pipeline of writes commits once.
    async fn run_engine_commands(
        &mut self,
        spec: Option<&'static CommandSpec>,
        args: Vec<Bytes>,
        pending: &mut VecDeque<Vec<Bytes>>,
    ) -> Result<Vec<Reply>, Closing> {
        let Some(access) = self.access else {
            return Ok(vec![noauth()]);
        };
        if let Some(multi) = &mut self.multi {
            return Ok(vec![queue(multi, &self.shared, spec, args, access)]);
        }
        let command = match parse(&self.shared, spec, args, access) {
            Ok(command) => command,
            Err(error) => return Ok(vec![Reply::Error(error)]),
        };
        match &command {
            Command::Read(_) => return Ok(vec![self.shared.engine.execute(command).await?]),
            Command::Write(write) if write.is_blocking() => return Ok(vec![self.block(command).await?]),
            _ => {}
        }
        let mut run = vec![Ok(command)];
        while run.len() < MAX_WRITE_RUN && self.reply_mode == ReplyMode::On {
            let Some(next) = pending.front().and_then(|args| find_command(args.first()?)) else {
                break;
            };
            if !next.info().joins_write_runs() {
                break;
            }
            let Some(args) = pending.pop_front() else {
                break;
            };
            self.note_command(&args);
            run.push(parse(&self.shared, Some(next), args, access));
        }
        let commands = run.len();
        self.shared
            .engine
            .execute_pipeline(run)
            .await
            .map_err(|error| Closing::Store { error, commands })
    }

    /// Runs a blocking command, which CLIENT UNBLOCK or the client's hanging up may stop.
    async fn block(&mut self, command: Command) -> Result<Reply, StoreError> {
        let (unblock, unblocked) = oneshot::channel();
        self.registration.client().unblock = Some(unblock);
        let mut hangup = self.hangup.clone();
        let interrupt = async move {
            tokio::select! {
                Ok(interrupt) = unblocked => interrupt,
                _ = hangup.wait_for(|hung_up| *hung_up) => Interrupt::ClientGone,
            }
        };
        let reply = self.shared.engine.execute_interruptible(command, interrupt).await;
        self.registration.client().unblock = None;
        reply
    }

    async fn run_session_command(&mut self, name: &'static str, args: Vec<Bytes>) -> Result<Vec<Reply>, Closing> {
        if self.access.is_none() && !BEFORE_AUTH.contains(&name) {
            return Ok(vec![noauth()]);
        }
        if let Some(error) = check_arity(name, &args) {
            return Ok(vec![self.refuse_in_multi(error)]);
        }
        let mut args: VecDeque<Bytes> = args.into();
        args.pop_front();
        match name {
            "multi" | "exec" | "discard" | "watch" | "unwatch" => Ok(vec![self.transaction_command(name, args).await?]),
            "quit" | "reset" => self.connection_command(name, args).await,
            // Subscribing inside a transaction would answer EXEC with several replies for one
            // command; Redis's clients never send it.
            _ if self.multi.is_some() && pubsub::is_subscribe_command(name) => {
                Ok(vec![self.refuse_in_multi(CmdError::new(format!(
                    "ERR {} cannot be queued in a transaction here",
                    name.to_uppercase()
                )))])
            }
            _ => match &mut self.multi {
                Some(multi) => Ok(vec![queue_connection_command(multi, &self.shared, name, args)]),
                None => self.connection_command(name, args).await,
            },
        }
    }

    /// Runs a connection command, its name and arity checked, its name taken off `args`.
    async fn connection_command(&mut self, name: &'static str, args: VecDeque<Bytes>) -> Result<Vec<Reply>, Closing> {
        let reply = match name {
            "auth" => self.auth(args),
            "hello" => self.hello(args),
            "select" => select(&args[0]),
            "client" => return Ok(self.client(args).into_iter().collect()),
            "reset" => self.reset(),
            "quit" => return Err(Closing::Quit),
            "info" => introspect::info(&self.shared, args).await?,
            "command" => introspect::command(args),
            "config" => introspect::config(&self.shared, self.access, args),
            "lastsave" => Reply::Int(self.shared.engine.now_ms() / 1000),
            "slowlog" if self.access != Some(Access::ReadWrite) && args[0].eq_ignore_ascii_case(b"reset") => {
                Reply::Error(CmdError::new(
                    "NOPERM this token is read-only: it may not reset the slow log",
                ))
            }
            "slowlog" => self.shared.slowlog.command(&Vec::from(args)),
            "monitor" if self.access != Some(Access::ReadWrite) => Reply::Error(CmdError::new(
                "NOPERM this token is read-only: MONITOR shows every client's commands and values",
            )),
            "monitor" => {
                self.monitor = Some(self.shared.monitors.watch());
                Reply::OK
            }
            "pubsub" => pubsub::pubsub(self.shared.engine.broker(), args),
            command if pubsub::is_subscribe_command(command) => {
                return Ok(self.listener.run(self.shared.engine.broker(), command, args));
            }
            _ => unreachable!("every connection command is matched"),
        };
        Ok(vec![reply])
    }

    /// A command of a RESP2 connection that listens: subscribing, unsubscribing, PING (which
    /// answers `["pong", message]` there), QUIT and RESET; any other is refused.
    fn run_while_listening(&mut self, name: Option<&'static str>, args: Vec<Bytes>) -> Result<Vec<Reply>, Closing> {
        let Some(name) = name.filter(|name| WHILE_LISTENING.contains(name)) else {
            let typed = args.first().map(|name| String::from_utf8_lossy(name).to_lowercase());
            return Ok(vec![Reply::Error(CmdError::new(format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                typed.unwrap_or_default()
            )))]);
        };
        let arity = match name {
            "ping" => (args.len() > 2).then(|| CmdError::wrong_arity("ping")),
            _ => check_arity(name, &args),
        };
        if let Some(error) = arity {
            return Ok(vec![Reply::Error(error)]);
        }
        let mut args: VecDeque<Bytes> = args.into();
        args.pop_front();
        Ok(match name {
            "ping" => vec![Reply::Array(vec![
                Reply::bulk("pong"),
                Reply::Bulk(args.pop_front().unwrap_or_default()),
            ])],
            "reset" => vec![self.reset()],
            "quit" => return Err(Closing::Quit),
            command => self.listener.run(self.shared.engine.broker(), command, args),
        })
    }

    /// An error that, inside MULTI, also dooms the transaction, as Redis's queueing errors do.
    fn refuse_in_multi(&mut self, error: CmdError) -> Reply {
        if let Some(multi) = &mut self.multi {
            multi.failed = true;
        }
        Reply::Error(error)
    }

    async fn transaction_command(&mut self, name: &str, args: VecDeque<Bytes>) -> Result<Reply, Closing> {
        Ok(match (name, self.multi.take()) {
            ("multi", Some(multi)) => {
                self.multi = Some(multi);
                Reply::Error(CmdError::new("ERR MULTI calls can not be nested"))
            }
            ("multi", None) => {
                self.multi = Some(Multi::default());
                Reply::OK
            }
            ("exec" | "discard", None) => {
                Reply::Error(CmdError::new(format!("ERR {} without MULTI", name.to_uppercase())))
            }
            ("discard", Some(_)) => {
                self.unwatch();
                Reply::OK
            }
            ("exec", Some(multi)) => self.exec(multi).await?,
            ("watch", Some(multi)) => {
                self.multi = Some(multi);
                Reply::Error(CmdError::new("ERR WATCH inside MULTI is not allowed"))
            }
            ("watch", None) => {
                let keys: Vec<Bytes> = args.into();
                let watch = self.shared.engine.watch(&keys).await?;
                match &mut self.watch {
                    Some(watching) => watching.extend(watch),
                    None => self.watch = Some(watch),
                }
                self.registration.client().watching = self.watch.as_ref().map_or(0, |watch| watch.keys().count());
                Reply::OK
            }
            ("unwatch", multi) => {
                self.multi = multi;
                self.unwatch();
                Reply::OK
            }
            _ => unreachable!("only transaction commands get here"),
        })
    }

    async fn exec(&mut self, multi: Multi) -> Result<Reply, Closing> {
        let watch = self.watch.take();
        self.registration.client().watching = 0;
        if multi.failed {
            return Ok(Reply::Error(CmdError::new(
                "EXECABORT Transaction discarded because of previous errors.",
            )));
        }
        let engine = &self.shared.engine;
        let replies = match watch {
            Some(watch) => engine.execute_watched_transaction(multi.queued, watch).await?,
            None => Some(engine.execute_transaction(multi.queued).await?),
        };
        // A transaction called off by WATCH answers a null array, and runs nothing.
        let Some(replies) = replies else {
            return Ok(Reply::NilArray);
        };
        let mut replies = replies.into_iter();
        let mut merged = Vec::with_capacity(replies.len() + multi.connection.len());
        let mut placed = 0;
        for (after, name, args) in multi.connection {
            merged.extend(replies.by_ref().take(after - placed));
            placed = after;
            // One reply in its place, even from a command that answers with silence.
            let reply = Box::pin(self.connection_command(name, args)).await?;
            merged.push(reply.into_iter().next().unwrap_or(Reply::OK));
        }
        merged.extend(replies);
        Ok(Reply::Array(merged))
    }

    fn unwatch(&mut self) {
        self.watch = None;
        self.registration.client().watching = 0;
    }

    fn auth(&mut self, mut args: VecDeque<Bytes>) -> Reply {
        if args.len() > 2 {
            return Reply::Error(CmdError::syntax());
        }
        let token = args.pop_back().unwrap_or_default();
        let user = args.pop_front();
        match self.authenticate(user.as_deref(), &token) {
            Ok(()) => Reply::OK,
            Err(error) => Reply::Error(error),
        }
    }

    /// AUTH's check: a configured token, as the password of the `default` user.
    fn authenticate(&mut self, user: Option<&[u8]>, token: &[u8]) -> Result<(), CmdError> {
        let wrong = || CmdError::new("WRONGPASS invalid username-password pair or user is disabled.");
        // An empty user is `default` too: redis-cli 7.0 sends one for `redis://:token@host`.
        if user.is_some_and(|user| !user.is_empty() && user != b"default") {
            return Err(wrong());
        }
        let tokens = &self.shared.tokens;
        if tokens.is_empty() {
            // As Redis without a password: the default user takes any password when named
            // (clients configured with one send `HELLO 3 AUTH default ...`), and a password
            // alone is a mistake worth saying.
            return match user {
                Some(_) => Ok(()),
                None => Err(CmdError::new(
                    "ERR AUTH <password> called without any password configured for the default user. \
                     Are you sure your configuration is correct?",
                )),
            };
        }
        let token = std::str::from_utf8(token).map_err(|_| wrong())?;
        let access = tokens.grant([token]).ok_or_else(wrong)?;
        self.access = Some(access);
        Ok(())
    }

    /// `HELLO [protover [AUTH username password] [SETNAME clientname]]`.
    fn hello(&mut self, mut args: VecDeque<Bytes>) -> Reply {
        let mut protocol = self.protocol;
        if let Some(version) = args.pop_front() {
            protocol = match version.as_ref() {
                b"2" => Protocol::Resp2,
                b"3" => Protocol::Resp3,
                other if std::str::from_utf8(other).is_ok_and(|text| text.parse::<i64>().is_ok()) => {
                    return Reply::Error(CmdError::new("NOPROTO unsupported protocol version"));
                }
                _ => {
                    return Reply::Error(CmdError::new("ERR Protocol version is not an integer or out of range"));
                }
            };
        }
        let mut name = None;
        let mut credentials = None;
        while let Some(option) = args.pop_front() {
            match (option.to_ascii_uppercase().as_slice(), args.len()) {
                (b"AUTH", 2..) => credentials = args.pop_front().zip(args.pop_front()),
                (b"SETNAME", 1..) => name = args.pop_front(),
                _ => {
                    return Reply::Error(CmdError::new(format!(
                        "ERR Syntax error in HELLO option '{}'",
                        String::from_utf8_lossy(&option)
                    )));
                }
            }
        }
        if let Some((user, token)) = credentials {
            if let Err(error) = self.authenticate(Some(&user), &token) {
                return Reply::Error(error);
            }
        } else if self.access.is_none() {
            return Reply::Error(CmdError::new(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
                 HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and \
                 select the RESP protocol version at the same time",
            ));
        }
        if let Some(name) = name
            && let Err(error) = self.set_name(name)
        {
            return Reply::Error(error);
        }
        self.protocol = protocol;
        self.registration.client().protocol = protocol.version();
        introspect::hello(self.registration.id, protocol)
    }

    fn set_name(&mut self, name: Bytes) -> Result<(), CmdError> {
        if name.iter().any(|&byte| !(b'!'..=b'~').contains(&byte)) {
            return Err(CmdError::new(
                "ERR Client names cannot contain spaces, newlines or special characters.",
            ));
        }
        self.registration.client().name = (!name.is_empty()).then_some(name);
        Ok(())
    }

    /// CLIENT's subcommands; `None` for those answered with silence (CLIENT REPLY OFF).
    fn client(&mut self, mut args: VecDeque<Bytes>) -> Option<Reply> {
        let subcommand = args.pop_front().unwrap_or_default().to_ascii_uppercase();
        let wrong_arity = || {
            CmdError::wrong_arity(&format!(
                "client|{}",
                String::from_utf8_lossy(&subcommand).to_lowercase()
            ))
        };
        let reply = match (subcommand.as_slice(), args.len()) {
            (b"ID", 0) => Reply::Int(self.registration.id as i64),
            (b"GETNAME", 0) => Reply::bulk_or_nil(self.registration.client().name.clone()),
            (b"SETNAME", 1) => match self.set_name(args.pop_front().unwrap_or_default()) {
                Ok(()) => Reply::OK,
                Err(error) => Reply::Error(error),
            },
            (b"INFO", 0) => Reply::bulk(self.registration.client().describe()),
            (b"LIST", _) => Reply::bulk(self.shared.clients.list()),
            (b"UNBLOCK", 1 | 2) => self.unblock(&args),
            (b"SETINFO", 2) => self.set_info(&args[0], args[1].clone()),
            (b"NO-EVICT" | b"NO-TOUCH", 1) => on_or_off(&args[0]).map_or_else(Reply::Error, |_| Reply::OK),
            (b"REPLY", 1) => return self.client_reply(&args[0]),
            (b"HELP", 0) => Reply::array_of_bulks(introspect::CLIENT_HELP.iter().copied()),
            (
                b"ID" | b"GETNAME" | b"SETNAME" | b"INFO" | b"SETINFO" | b"UNBLOCK" | b"NO-EVICT" | b"NO-TOUCH"
                | b"REPLY" | b"HELP",
                _,
            ) => Reply::Error(wrong_arity()),
            _ => Reply::Error(CmdError::new(format!(
                "ERR unknown subcommand '{}'. Try CLIENT HELP.",
                String::from_utf8_lossy(&subcommand)
            ))),
        };
        Some(reply)
    }

    /// `CLIENT UNBLOCK client-id [TIMEOUT|ERROR]`: 1 if that client was blocked.
    fn unblock(&self, args: &VecDeque<Bytes>) -> Reply {
        let Some(id) = parse_integer(&args[0]) else {
            return Reply::Error(CmdError::not_an_integer());
        };
        let interrupt = match args.get(1).map(|how| how.to_ascii_uppercase()).as_deref() {
            None | Some(b"TIMEOUT") => Interrupt::TimedOut,
            Some(b"ERROR") => Interrupt::Unblocked,
            Some(_) => return Reply::Error(CmdError::new("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
        };
        Reply::Int(i64::from(self.shared.clients.unblock(id as u64, interrupt)))
    }

    fn set_info(&mut self, attribute: &[u8], value: Bytes) -> Reply {
        let mut client = self.registration.client();
        match attribute.to_ascii_uppercase().as_slice() {
            b"LIB-NAME" => client.lib_name = Some(value),
            b"LIB-VER" => client.lib_version = Some(value),
            _ => {
                return Reply::Error(CmdError::new(format!(
                    "ERR Unrecognized option '{}'",
                    String::from_utf8_lossy(attribute)
                )));
            }
        }
        Reply::OK
    }

    /// `CLIENT REPLY ON|OFF|SKIP`: only ON is answered; SKIP silences the next command.
    fn client_reply(&mut self, mode: &[u8]) -> Option<Reply> {
        let (mode, reply) = match mode.to_ascii_uppercase().as_slice() {
            b"ON" => (ReplyMode::On, Some(Reply::OK)),
            b"OFF" => (ReplyMode::Off, None),
            b"SKIP" => (ReplyMode::Skip, None),
            _ => return Some(Reply::Error(CmdError::syntax())),
        };
        self.reply_mode = mode;
        reply
    }

    /// RESET: the connection as it was when it opened.
    fn reset(&mut self) -> Reply {
        self.multi = None;
        self.unwatch();
        self.listener.clear();
        self.monitor = None;
        self.protocol = Protocol::Resp2;
        self.reply_mode = ReplyMode::On;
        self.access = self.shared.tokens.is_empty().then_some(Access::ReadWrite);
        let mut client = self.registration.client();
        client.name = None;
        client.protocol = 2;
        Reply::status("RESET")
    }
}

/// Why commands end without their own replies.
pub(super) enum Closing {
    /// QUIT: answer OK, then close.
    Quit,
    /// The store failed `commands` commands (a pipelined run of writes fails together).
    Store { error: StoreError, commands: usize },
}

impl From<StoreError> for Closing {
    fn from(error: StoreError) -> Self {
        Self::Store { error, commands: 1 }
    }
}

/// What a command's name names: a command of the connection, or one the engine runs.
#[derive(Clone, Copy)]
enum Named {
    Session(&'static str),
    Engine(&'static CommandSpec),
}

impl Named {
    fn name(self) -> &'static str {
        match self {
            Self::Session(name) => name,
            Self::Engine(spec) => spec.name(),
        }
    }
}

/// The connection command called `name` (any case): its name, arity and flags.
pub(super) fn session_command(name: &[u8]) -> Option<&'static (&'static str, i32, &'static [&'static str])> {
    SESSION_COMMANDS
        .iter()
        .find(|(command, _, _)| name.eq_ignore_ascii_case(command.as_bytes()))
}

fn check_arity(name: &str, args: &[Bytes]) -> Option<CmdError> {
    let (_, arity, _) = session_command(name.as_bytes())?;
    let count = args.len() as i32;
    let fits = if *arity >= 0 { count == *arity } else { count >= -arity };
    (!fits).then(|| CmdError::wrong_arity(name))
}

fn noauth() -> Reply {
    Reply::Error(CmdError::new("NOAUTH Authentication required."))
}

/// Parses a command (`spec` is what its name names, if anything) and checks the client may
/// run it.
fn parse(shared: &Shared, spec: Option<&CommandSpec>, args: Vec<Bytes>, access: Access) -> Result<Command, CmdError> {
    let name = args.first().cloned().unwrap_or_default();
    let command = parse_named(shared, spec, args)?;
    access.authorize(&command, &name)?;
    Ok(command)
}

/// Queues a command in MULTI: an unknown command, a wrong number of arguments or a command
/// the token may not run fails the transaction now; any other error is answered by EXEC.
fn queue(multi: &mut Multi, shared: &Shared, spec: Option<&CommandSpec>, args: Vec<Bytes>, access: Access) -> Reply {
    let known = match spec {
        Some(spec) => spec.check_queueable(&args),
        None => crate::cmd::check_known(&args),
    };
    if let Err(error) = known {
        multi.failed = true;
        return Reply::Error(error);
    }
    if let Some(refused) = refuse_when_full(multi, shared) {
        return refused;
    }
    let name = args.first().cloned().unwrap_or_default();
    let command = parse_named(shared, spec, args);
    if let Ok(command) = &command
        && let Err(error) = access.authorize(command, &name)
    {
        multi.failed = true;
        return Reply::Error(error);
    }
    multi.queued.push(command);
    Reply::status("QUEUED")
}

/// Parses the command `spec` names, or answers why there is none.
fn parse_named(shared: &Shared, spec: Option<&CommandSpec>, args: Vec<Bytes>) -> Result<Command, CmdError> {
    match spec {
        Some(spec) => shared.engine.parse_as(spec, args),
        // Unknown: the engine says so in Redis's words.
        None => shared.engine.parse(args),
    }
}

/// Queues a connection command in MULTI, as Redis does: EXEC runs it.
fn queue_connection_command(multi: &mut Multi, shared: &Shared, name: &'static str, args: VecDeque<Bytes>) -> Reply {
    if let Some(refused) = refuse_when_full(multi, shared) {
        return refused;
    }
    multi.connection.push((multi.queued.len(), name, args));
    Reply::status("QUEUED")
}

/// A transaction's queue has a limit; past it the transaction fails.
fn refuse_when_full(multi: &mut Multi, shared: &Shared) -> Option<Reply> {
    if multi.len() < shared.settings.max_queued {
        return None;
    }
    multi.failed = true;
    Some(Reply::Error(CmdError::new(format!(
        "ERR a transaction holds at most {} commands (--max-pipeline-commands)",
        shared.settings.max_queued
    ))))
}

fn parse_integer(text: &[u8]) -> Option<i64> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

fn select(index: &[u8]) -> Reply {
    match parse_integer(index) {
        Some(0) => Reply::OK,
        Some(_) => Reply::Error(CmdError::new("ERR DB index is out of range")),
        None => Reply::Error(CmdError::not_an_integer()),
    }
}

fn on_or_off(value: &[u8]) -> Result<bool, CmdError> {
    match value.to_ascii_uppercase().as_slice() {
        b"ON" => Ok(true),
        b"OFF" => Ok(false),
        _ => Err(CmdError::syntax()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_commands_md_lists_every_connection_command_exactly_once() {
        let docs = include_str!("../../docs/commands.md");
        let section = docs
            .split("## Connection commands of the Redis protocol")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("docs/commands.md has the section");
        let rows: Vec<&str> = section.lines().filter(|line| line.starts_with("| `")).collect();
        assert_eq!(rows.len(), SESSION_COMMANDS.len(), "{rows:?}");
        for (name, _, _) in SESSION_COMMANDS {
            let row = format!("| `{}` |", name.to_ascii_uppercase());
            assert_eq!(rows.iter().filter(|line| line.starts_with(&row)).count(), 1, "{row}");
        }
    }
}
