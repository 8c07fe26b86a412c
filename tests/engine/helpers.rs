//! An engine on a temporary database with a clock the tests move, and the table runner.
//! Commands run through the Redis protocol door, as redis-cli's would, on a connection to
//! a RESP server over the same engine.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use litekv::access::Tokens;
use litekv::budget::MemoryBudget;
use litekv::clock::ManualClock;
use litekv::cmd::Engine;
use litekv::connections::ConnectionLimit;
use litekv::reply::{CmdError, Reply};
use litekv::resp::decode::DecodeLimits;
use litekv::resp::{RespServer, RespSettings};
use litekv::store::{Durability, IfMissing, Store, StoreOptions};
use tempfile::TempDir;

use crate::database::database_url;
use crate::resp::RespClient;

pub struct TestEngine {
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    resp: tokio::sync::Mutex<RespClient>,
    _dir: TempDir,
}

impl TestEngine {
    /// An engine whose values are at most 64 bytes: its limit is easy to reach.
    pub async fn new() -> Self {
        Self::with_value_limit(64).await
    }

    /// An engine whose values are at most `max_value_bytes` bytes.
    pub async fn with_value_limit(max_value_bytes: usize) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Store::open(&StoreOptions {
            database_url: database_url(&dir.path().join("engine.sqlite3")),
            if_missing: IfMissing::Create,
            durability: Durability::Full,
            read_connections: 2,
            busy_timeout: Duration::from_secs(5),
            cache_bytes: 1 << 20,
            cache_on_shared: false,
        })
        .await
        .expect("the store opens");
        let clock = Arc::new(ManualClock::at(1_767_225_600_000));
        let engine = Engine::new(store, clock.clone(), max_value_bytes);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let settings = RespSettings {
            // Beyond the engine's own limit, so that its errors are what the tables see.
            decode: DecodeLimits {
                max_bulk: 4096,
                max_args: 1 << 20,
                max_command: 1 << 24,
            },
            max_queued: 1000,
            idle_timeout: None,
            durability: Durability::Full,
            memory: MemoryBudget::new(1 << 30),
        };
        let server = RespServer::bind(
            listener,
            engine.clone(),
            Tokens::default(),
            ConnectionLimit::new(16),
            settings,
        )
        .expect("the RESP door binds");
        let address = server.address();
        // The server stops with the test's runtime.
        std::mem::forget(server.spawn());
        let resp = tokio::sync::Mutex::new(RespClient::connect(address).await);
        Self {
            engine,
            clock,
            resp,
            _dir: dir,
        }
    }

    /// Runs one command over RESP2, as a client would. Replies come back in RESP2's types,
    /// which the tables are written in.
    pub async fn run(&self, words: &[impl AsRef<str>]) -> Reply {
        let words: Vec<&[u8]> = words.iter().map(|word| word.as_ref().as_bytes()).collect();
        self.resp.lock().await.call(&words).await
    }

    /// Runs each command in order and checks its reply.
    pub async fn expect(&self, table: &[(&[&str], Reply)]) {
        for (words, expected) in table {
            assert_eq!(&self.run(words).await, expected, "{words:?}");
        }
    }

    pub async fn close(self) {
        self.engine.store().close().await;
    }
}

pub fn args(words: &[impl AsRef<str>]) -> Vec<Bytes> {
    words
        .iter()
        .map(|word| Bytes::copy_from_slice(word.as_ref().as_bytes()))
        .collect()
}

pub fn int(value: i64) -> Reply {
    Reply::Int(value)
}

pub fn bulk(value: &str) -> Reply {
    Reply::bulk(value.to_owned())
}

pub fn ok() -> Reply {
    Reply::OK
}

pub fn status(value: &'static str) -> Reply {
    Reply::status(value)
}

pub fn nil() -> Reply {
    Reply::Nil
}

pub fn err(message: &str) -> Reply {
    Reply::Error(CmdError::new(message.to_owned()))
}

pub fn ints(values: &[i64]) -> Reply {
    Reply::Array(values.iter().map(|&value| int(value)).collect())
}

pub fn bulks(values: &[&str]) -> Reply {
    Reply::Array(values.iter().map(|value| bulk(value)).collect())
}

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

pub const NOT_AN_INTEGER: &str = "ERR value is not an integer or out of range";
pub const SYNTAX: &str = "ERR syntax error";

pub fn arity(command: &str) -> Reply {
    err(&format!("ERR wrong number of arguments for '{command}' command"))
}
