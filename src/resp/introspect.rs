//! What the server says about itself: HELLO's map, INFO, COMMAND and CONFIG GET, with the
//! fields tools and client libraries read.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write;
use std::sync::LazyLock;

use bytes::Bytes;

use super::encode::Protocol;
use super::server::Shared;
use super::session::{SESSION_COMMANDS, session_command};
use crate::access::Access;
use crate::cmd::{CommandInfo, KeyPositions, command_info, command_table};
use crate::glob::Glob;
use crate::reply::{CmdError, Reply};
use crate::store::{Durability, LocalBoxFuture, ReadJob, ReadView, StoreError};

/// The Redis version litekv answers as: the one whose commands it implements (hash field
/// expiry came in 7.4). Clients use it to decide what they may send.
pub(super) use crate::REDIS_VERSION;

pub(super) const CLIENT_HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> ...]. Subcommands are:",
    "ID",
    "    Return the ID of the current connection.",
    "GETNAME",
    "    Return the name of the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "SETINFO <LIB-NAME|LIB-VER> <value>",
    "    Set client meta attributes.",
    "INFO",
    "    Return information about the current client connection.",
    "LIST",
    "    Return information about client connections.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "NO-EVICT (ON|OFF)",
    "    Accepted; litekv never evicts.",
    "NO-TOUCH (ON|OFF)",
    "    Accepted; litekv keeps no access times.",
    "HELP",
    "    Print this help.",
];

/// HELLO's answer.
pub(super) fn hello(id: u64, protocol: Protocol) -> Reply {
    let text = |text: &'static str| Reply::bulk(text);
    Reply::Map(vec![
        (text("server"), text("redis")),
        (text("version"), text(REDIS_VERSION)),
        (text("proto"), Reply::Int(protocol.version())),
        (text("id"), Reply::Int(id as i64)),
        (text("mode"), text("standalone")),
        (text("role"), text("master")),
        (text("modules"), Reply::Array(Vec::new())),
    ])
}

/// `INFO [section ...]`: `# Section` headers and `field:value` lines.
pub(super) async fn info(shared: &Shared, args: VecDeque<Bytes>) -> Result<Reply, StoreError> {
    let asked: Vec<String> = args
        .iter()
        .map(|section| String::from_utf8_lossy(section).to_lowercase())
        .collect();
    let wants = |section: &str| {
        asked.is_empty()
            || asked
                .iter()
                .any(|asked| matches!(asked.as_str(), "all" | "everything" | "default") || asked == section)
    };
    // As in Redis, per-command counts only when asked for by name, or with everything.
    let wants_commandstats = asked
        .iter()
        .any(|asked| matches!(asked.as_str(), "all" | "everything" | "commandstats"));
    let mut text = String::new();
    if wants("server") {
        let uptime = shared.started.elapsed().as_secs();
        section(
            &mut text,
            "Server",
            &[
                ("redis_version", REDIS_VERSION.to_owned()),
                ("litekv_version", env!("CARGO_PKG_VERSION").to_owned()),
                ("redis_mode", "standalone".to_owned()),
                ("os", std::env::consts::OS.to_owned()),
                ("arch_bits", (usize::BITS).to_string()),
                ("process_id", std::process::id().to_string()),
                ("tcp_port", shared.bound.port().to_string()),
                ("uptime_in_seconds", uptime.to_string()),
                ("uptime_in_days", (uptime / 86_400).to_string()),
            ],
        );
    }
    if wants("clients") {
        section(
            &mut text,
            "Clients",
            &[
                ("connected_clients", shared.clients.count().to_string()),
                ("maxclients", shared.connections.max().to_string()),
                ("blocked_clients", shared.engine.store().blocked_clients().to_string()),
            ],
        );
    }
    if wants("memory") {
        let resident = crate::telemetry::resident_memory_bytes();
        let database_bytes = shared.engine.store().database_bytes().await;
        section(
            &mut text,
            "Memory",
            &[
                ("used_memory", resident.to_string()),
                ("used_memory_human", human_bytes(resident)),
                ("used_memory_rss", resident.to_string()),
                ("used_memory_peak", resident.to_string()),
                ("maxmemory", "0".to_owned()),
                ("maxmemory_policy", "noeviction".to_owned()),
                ("database_file_bytes", database_bytes.to_string()),
                ("number_of_cached_scripts", shared.engine.cached_scripts().to_string()),
            ],
        );
    }
    if wants("persistence") {
        let now = shared.engine.now_ms() / 1000;
        section(
            &mut text,
            "Persistence",
            &[
                ("loading", "0".to_owned()),
                ("rdb_changes_since_last_save", "0".to_owned()),
                ("rdb_last_save_time", now.to_string()),
                ("aof_enabled", "1".to_owned()),
                ("aof_rewrite_in_progress", "0".to_owned()),
                ("aof_last_write_status", "ok".to_owned()),
                ("appendfsync", appendfsync(shared.settings.durability).to_owned()),
            ],
        );
    }
    if wants("stats") {
        section(
            &mut text,
            "Stats",
            &[
                (
                    "total_connections_received",
                    shared.stats.connections_received().to_string(),
                ),
                (
                    "total_commands_processed",
                    shared.stats.commands_processed().to_string(),
                ),
                ("rejected_connections", shared.stats.rejected_connections().to_string()),
            ],
        );
    }
    if wants_commandstats {
        text.push_str("# Commandstats\r\n");
        for (name, calls) in shared.stats.calls_by_command() {
            let _ = write!(text, "cmdstat_{name}:calls={calls},rejected_calls=0,failed_calls=0\r\n");
        }
        text.push_str("\r\n");
    }
    if wants("errorstats") {
        text.push_str("# Errorstats\r\n");
        for (code, count) in shared.stats.errors_by_code() {
            let _ = write!(text, "errorstat_{code}:count={count}\r\n");
        }
        text.push_str("\r\n");
    }
    if wants("keyspace") {
        let store = shared.engine.store();
        let ((keys, expires), _) = store.read_on_reader(shared.engine.now_ms(), KeyspaceCounts).await?;
        let (keys, expires) = (keys?, expires?);
        text.push_str("# Keyspace\r\n");
        if keys > 0 {
            let _ = write!(text, "db0:keys={keys},expires={expires},avg_ttl=0\r\n");
        }
        text.push_str("\r\n");
    }
    Ok(Reply::bulk(text.trim_end().to_owned() + "\r\n"))
}

/// How many keys are live, and how many of those expire: INFO's keyspace, read on a reader
/// (each a walk of every key).
struct KeyspaceCounts;

impl ReadJob for KeyspaceCounts {
    type Output = (Result<u64, StoreError>, Result<u64, StoreError>);

    fn run<'a>(self, view: &'a mut ReadView<'_>) -> LocalBoxFuture<'a, Self::Output> {
        Box::pin(async move { (view.count().await, view.count_expiring().await) })
    }
}

fn section(text: &mut String, title: &str, fields: &[(&str, String)]) {
    let _ = write!(text, "# {title}\r\n");
    for (name, value) in fields {
        let _ = write!(text, "{name}:{value}\r\n");
    }
    text.push_str("\r\n");
}

fn appendfsync(durability: Durability) -> &'static str {
    match durability {
        Durability::Full => "always",
        Durability::Normal => "everysec",
    }
}

fn human_bytes(bytes: u64) -> String {
    format!("{:.2}M", bytes as f64 / (1024.0 * 1024.0))
}

/// `COMMAND`, `COMMAND COUNT`, `COMMAND INFO [name ...]`, `COMMAND LIST`, `COMMAND DOCS`.
pub(super) fn command(mut args: VecDeque<Bytes>) -> Reply {
    let subcommand = args.pop_front().map(|name| name.to_ascii_uppercase());
    // The connection's own commands stand for the engine's of the same name (CLIENT).
    let every = || {
        command_table()
            .filter(|info| session_command(info.name.as_bytes()).is_none())
            .chain(SESSION_COMMANDS.iter().map(session_info))
    };
    match subcommand.as_deref() {
        None => Reply::Array(every().map(describe).collect()),
        Some(b"COUNT") if args.is_empty() => Reply::count(every().count()),
        Some(b"COUNT") => Reply::Error(CmdError::wrong_arity("command|count")),
        Some(b"LIST") => Reply::array_of_bulks(every().map(|info| info.name)),
        Some(b"INFO") => Reply::Array(
            args.iter()
                .map(|name| find(name).map_or(Reply::NilArray, describe))
                .collect(),
        ),
        // Asked for every command, an error makes redis-cli fall back to its own built-in
        // hints, which are better than any this server could give without Redis's argument
        // trees; asked by name, the docs are docs/commands.md's.
        Some(b"DOCS") if args.is_empty() => Reply::Error(CmdError::new(
            "ERR COMMAND DOCS of every command is not supported: name the commands, or see docs/commands.md",
        )),
        Some(b"DOCS") => docs(&args),
        Some(b"GETKEYS") => keys_of(args.into()),
        Some(other) => Reply::Error(CmdError::new(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try COMMAND HELP.",
            String::from_utf8_lossy(other)
        ))),
    }
}

/// `COMMAND GETKEYS command [arg ...]`: the keys among a command's arguments, where COMMAND
/// INFO places them, with Redis's errors.
fn keys_of(args: Vec<Bytes>) -> Reply {
    let refuse = |message: &'static str| Reply::Error(CmdError::new(message));
    if args.len() < 2 {
        return Reply::Error(CmdError::wrong_arity("command|getkeys"));
    }
    let Some(info) = find(&args[0]) else {
        return refuse("ERR Invalid command specified");
    };
    let count = args.len() as i32;
    if (info.arity > 0 && count != info.arity) || count < -info.arity {
        return refuse("ERR Invalid number of arguments specified for command");
    }
    if !info.keys.has_keys() {
        return refuse("ERR The command has no key arguments");
    }
    Reply::array_of_bulks(info.keys.every_key(&args))
}

/// `COMMAND DOCS name [name ...]`: for each command the server runs, its syntax as summary
/// and its group, from docs/commands.md; names it does not run are left out, as in Redis.
fn docs(names: &VecDeque<Bytes>) -> Reply {
    static DOCS: LazyLock<HashMap<String, (String, &'static str)>> =
        LazyLock::new(|| documented(include_str!("../../docs/commands.md")));
    let entries = names.iter().filter_map(|name| {
        let name = String::from_utf8_lossy(name).to_lowercase();
        let (summary, group) = DOCS.get(&name)?;
        let doc = Reply::Map(vec![
            (Reply::bulk("summary"), Reply::bulk(summary.clone())),
            (Reply::bulk("group"), Reply::bulk(*group)),
        ]);
        Some((Reply::bulk(name), doc))
    });
    Reply::Map(entries.collect())
}

/// Each command row of docs/commands.md (`| \`NAME\` | \`syntax\` | ... |`): its syntax, and
/// its group as Redis names groups, from the section it is in.
fn documented(markdown: &str) -> HashMap<String, (String, &'static str)> {
    let mut group = "generic";
    let mut commands = HashMap::new();
    for line in markdown.lines() {
        if let Some(heading) = line.strip_prefix("## ").or_else(|| line.strip_prefix("### ")) {
            group = match heading {
                "Strings and counters" => "string",
                "Bitmaps and LCS" => "bitmap",
                "Hashes" => "hash",
                "Lists" | "Blocking pops" => "list",
                "Sets" => "set",
                "Sorted sets" => "sorted-set",
                "The server" => "server",
                "Connection" | "Connection commands of the Redis protocol" => "connection",
                "Pub/sub" => "pubsub",
                "Scripting" | "Redis Functions" => "scripting",
                _ => "generic",
            };
            continue;
        }
        let Some(row) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((name, rest)) = row.split_once("` | ") else {
            continue;
        };
        let syntax = rest.split(" | ").next().unwrap_or_default();
        let syntax = syntax.replace("\\|", "|").replace('`', "");
        // A later row wins: CLIENT's of the Redis protocol over the HTTP doors' own.
        commands.insert(name.to_lowercase(), (syntax, group));
    }
    commands
}

fn find(name: &[u8]) -> Option<CommandInfo> {
    session_command(name).map(session_info).or_else(|| command_info(name))
}

fn session_info(&(name, arity, flags): &(&'static str, i32, &'static [&'static str])) -> CommandInfo {
    CommandInfo {
        name,
        arity,
        flags,
        keys: KeyPositions::NONE,
    }
}

/// One command as COMMAND INFO describes it: name, arity, flags, first key, last key, key
/// step, ACL categories, tips, key specifications and subcommands.
fn describe(info: CommandInfo) -> Reply {
    let flags = info.flags.iter().map(|&flag| Reply::status(flag)).collect();
    let writes = info.flags.contains(&"write");
    let fast = info.flags.contains(&"fast");
    let categories = vec![
        Reply::status(if writes { "@write" } else { "@read" }),
        Reply::status(if fast { "@fast" } else { "@slow" }),
    ];
    Reply::Array(vec![
        Reply::bulk(info.name),
        Reply::Int(info.arity.into()),
        Reply::Set(flags),
        Reply::Int(info.keys.first),
        Reply::Int(info.keys.last),
        Reply::Int(info.keys.step),
        Reply::Set(categories),
        Reply::Array(Vec::new()),
        Reply::Array(Vec::new()),
        Reply::Array(Vec::new()),
    ])
}

/// `CONFIG GET parameter [parameter ...]` (globs allowed) over the settings GUI tools and
/// clients ask for; `CONFIG SET` and the rest are refused, since flags configure litekv.
pub(super) fn config(shared: &Shared, access: Option<Access>, mut args: VecDeque<Bytes>) -> Reply {
    let subcommand = args.pop_front().unwrap_or_default().to_ascii_uppercase();
    match subcommand.as_slice() {
        b"GET" if !args.is_empty() => {
            let parameters = parameters(shared);
            let pairs = parameters
                .into_iter()
                .filter(|(name, _)| {
                    args.iter()
                        .any(|pattern| Glob::new(&pattern.to_ascii_lowercase()).matches(name.as_bytes()))
                })
                .map(|(name, value)| (Reply::bulk(name), Reply::bulk(value)))
                .collect();
            Reply::Map(pairs)
        }
        b"GET" => Reply::Error(CmdError::wrong_arity("config|get")),
        b"RESETSTAT" => Reply::OK,
        b"SET" if access != Some(Access::ReadWrite) => Reply::Error(CmdError::new(
            "NOPERM this token is read-only: it may not change the configuration",
        )),
        b"SET" if args.is_empty() || args.len() % 2 == 1 => Reply::Error(CmdError::wrong_arity("config|set")),
        b"SET" => config_set(shared, args),
        b"REWRITE" => Reply::Error(CmdError::new(
            "ERR CONFIG REWRITE is not supported: litekv is configured by its flags and environment \
             variables (litekv-server --help)",
        )),
        _ => Reply::Error(CmdError::new(format!(
            "ERR unknown subcommand '{}'. Try CONFIG HELP.",
            String::from_utf8_lossy(&subcommand)
        ))),
    }
}

/// `CONFIG SET parameter value [parameter value ...]`: only `notify-keyspace-events` and the
/// slow log's settings may be set; everything else is configured by flags.
fn config_set(shared: &Shared, args: VecDeque<Bytes>) -> Reply {
    const SETTABLE: &[&str] = &["notify-keyspace-events", "slowlog-log-slower-than", "slowlog-max-len"];
    let args: Vec<Bytes> = args.into();
    for pair in args.chunks(2) {
        if !SETTABLE
            .iter()
            .any(|name| pair[0].eq_ignore_ascii_case(name.as_bytes()))
        {
            return Reply::Error(CmdError::new(format!(
                "ERR CONFIG SET of '{}' is not supported: only {} may be set; the rest is \
                 configured by litekv's flags and environment variables (litekv-server --help)",
                String::from_utf8_lossy(&pair[0]),
                SETTABLE.join(", ")
            )));
        }
    }
    for pair in args.chunks(2) {
        let set = match shared.slowlog.set(&pair[0], &pair[1]) {
            Some(set) => set,
            None => shared
                .engine
                .notifier()
                .configure(&pair[1])
                .map_err(|why| why.to_string()),
        };
        if let Err(why) = set {
            return Reply::Error(CmdError::new(format!(
                "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
                String::from_utf8_lossy(&pair[0]).to_lowercase()
            )));
        }
    }
    Reply::OK
}

fn parameters(shared: &Shared) -> Vec<(&'static str, String)> {
    let settings = &shared.settings;
    let mut parameters = vec![
        ("databases", "1".to_owned()),
        ("maxclients", shared.connections.max().to_string()),
        ("maxmemory", "0".to_owned()),
        ("maxmemory-policy", "noeviction".to_owned()),
        (
            "timeout",
            settings.idle_timeout.map_or(0, |timeout| timeout.as_secs()).to_string(),
        ),
        ("port", shared.bound.port().to_string()),
        ("bind", shared.bound.ip().to_string()),
        ("appendonly", "yes".to_owned()),
        ("appendfsync", appendfsync(settings.durability).to_owned()),
        ("save", String::new()),
        ("proto-max-bulk-len", settings.decode.max_bulk.to_string()),
        ("client-query-buffer-limit", settings.decode.max_command.to_string()),
        ("notify-keyspace-events", shared.engine.notifier().letters()),
        ("cluster-enabled", "no".to_owned()),
        ("lua-time-limit", "0".to_owned()),
    ];
    parameters.extend(shared.slowlog.settings());
    parameters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_docs_has_every_command_s_syntax_and_group() {
        let documented = documented(include_str!("../../docs/commands.md"));
        let names = command_table()
            .map(|info| info.name)
            .chain(SESSION_COMMANDS.iter().map(|(name, _, _)| *name));
        for name in names {
            let (syntax, _) = documented.get(name).unwrap_or_else(|| panic!("no docs for {name}"));
            assert!(syntax.to_lowercase().contains(name), "{name}: {syntax}");
        }
        assert_eq!(
            documented["hset"],
            ("HSET key field value [field value ...]".to_owned(), "hash")
        );
        assert_eq!(documented["client"].1, "connection");
    }
}
