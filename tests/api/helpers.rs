//! A real server per test: port 0, a fresh temporary database, a clock the test moves.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::http::{Method, StatusCode};
use awc::Client;
use clap::Parser;
use litekv::clock::ManualClock;
use litekv::config::ServerConfig;
use litekv::startup::Application;
use litekv::store::{Durability, IfMissing, Store, StoreOptions};
use serde_json::Value;
use tempfile::TempDir;

use crate::resp::RespClient;

/// A new database: a file in a temporary directory, removed when dropped, or a database of
/// its own on the PostgreSQL server the tests run against (see `database.rs`).
pub struct TestDatabase {
    _dir: TempDir,
    /// The SQLite file, whichever backend the URL names.
    pub path: PathBuf,
    url: String,
}

impl TestDatabase {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("litekv.sqlite3");
        let url = crate::database::database_url(&path);
        Self { _dir: dir, path, url }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Opens the store directly, bypassing HTTP.
    pub async fn open_store(&self) -> Store {
        Store::open(&StoreOptions {
            database_url: self.url(),
            if_missing: IfMissing::Create,
            durability: Durability::Full,
            read_connections: 2,
            busy_timeout: std::time::Duration::from_secs(5),
            cache_bytes: 0,
            cache_on_shared: false,
        })
        .await
        .expect("the store opens")
    }

    /// Counts rows in the keys table, expired or not.
    pub async fn count_rows(&self) -> i64 {
        if crate::database::on_postgres() {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&self.url)
                .await
                .unwrap();
            return sqlx::query_scalar("select count(*) from keys")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        }
        self.query_scalar("select count(*) from keys").await
    }

    /// SQLite's own verdict on the file: "ok" when nothing is corrupt.
    pub async fn integrity_check(&self) -> String {
        self.query_scalar("pragma integrity_check").await
    }

    async fn query_scalar<T>(&self, sql: &'static str) -> T
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
    {
        let url = format!("{}?mode=ro", self.url());
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    }
}

/// An HTTP client for large bodies and loaded machines: 60 s per request, where awc's
/// default of 5 s failed a debug build on a busy CI machine.
pub fn patient_client() -> awc::Client {
    awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .finish()
}

pub fn database_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

pub struct TestApp {
    pub address: String,
    /// The Redis protocol door.
    pub resp: std::net::SocketAddr,
    pub clock: Arc<ManualClock>,
    pub client: Client,
    handle: ServerHandle,
    server: actix_web::rt::task::JoinHandle<anyhow::Result<()>>,
}

/// A server on a fresh database, its clock starting at the current wall-clock time.
pub async fn spawn_app() -> (TestApp, TestDatabase) {
    spawn_app_with(&[]).await
}

/// As [`spawn_app`], with extra command-line flags.
pub async fn spawn_app_with(flags: &[&str]) -> (TestApp, TestDatabase) {
    let database = TestDatabase::new();
    let app = spawn_app_on(&database, Arc::new(ManualClock::starting_now()), flags).await;
    (app, database)
}

/// A server on `database`, with extra command-line flags.
pub async fn spawn_app_on(database: &TestDatabase, clock: Arc<ManualClock>, flags: &[&str]) -> TestApp {
    let url = database.url();
    let args = [
        "litekv-server",
        "--bind",
        "127.0.0.1:0",
        "--resp-bind",
        "127.0.0.1:0",
        "--workers",
        "2",
        "--no-sweep",
        "--database-url",
        &url,
    ];
    let config = ServerConfig::parse_from(args.iter().chain(flags));
    let application = Application::build_with_clock(&config, clock.clone())
        .await
        .expect("the server starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    let resp = application.resp_address().expect("the RESP door is on");
    let handle = application.handle();
    let server = actix_web::rt::spawn(application.run_until_stopped());
    TestApp {
        address,
        resp,
        clock,
        client: Client::default(),
        handle,
        server,
    }
}

impl TestApp {
    /// A new connection to the Redis protocol door.
    pub async fn resp_client(&self) -> RespClient {
        RespClient::connect(self.resp).await
    }

    pub fn clock_now(&self) -> i64 {
        litekv::clock::Clock::now_ms(&*self.clock)
    }

    /// POSTs a JSON body to a path such as `/my-key/`.
    pub async fn post(&self, path: impl AsRef<str>, body: impl serde::Serialize) -> (StatusCode, Value) {
        let body = serde_json::to_string(&body).unwrap();
        self.send(Method::POST, path, Some(("application/json", body))).await
    }

    /// Runs one Redis command through the Upstash API (`POST /`), e.g. `json!(["GET", "k"])`.
    /// Returns the envelope, after checking its status: 200 for a result, 400 for an error.
    pub async fn redis(&self, command: Value) -> Value {
        let (status, envelope) = self.post("/", &command).await;
        let expected = if envelope.get("error").is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        assert_eq!(status, expected, "{command} answered {envelope}");
        envelope
    }

    /// Runs each command in order and checks its envelope, in the manner of Redis's own tests.
    pub async fn expect_replies(&self, steps: &[(Value, Value)]) {
        for (command, expected) in steps {
            assert_eq!(&self.redis(command.clone()).await, expected, "{command}");
        }
    }

    pub async fn get(&self, path: impl AsRef<str>) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    pub async fn delete(&self, path: impl AsRef<str>) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, None).await
    }

    /// Any request; the response body must be JSON.
    pub async fn send(
        &self,
        method: Method,
        path: impl AsRef<str>,
        body: Option<(&str, String)>,
    ) -> (StatusCode, Value) {
        let (status, bytes) = self.send_raw(method, path, body).await;
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!(
                "{status}: the body is not JSON ({error}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, json)
    }

    pub async fn send_raw(
        &self,
        method: Method,
        path: impl AsRef<str>,
        body: Option<(&str, String)>,
    ) -> (StatusCode, Vec<u8>) {
        let request = self
            .client
            .request(method, format!("{}{}", self.address, path.as_ref()));
        let mut response = match body {
            Some((content_type, body)) => {
                request
                    .insert_header(("content-type", content_type))
                    .send_body(body)
                    .await
            }
            None => request.send().await,
        }
        .expect("the server answers");
        let bytes = response.body().limit(8 * 1024 * 1024).await.expect("the body arrives");
        (response.status(), bytes.to_vec())
    }

    /// Stops gracefully, as on SIGTERM, and waits until the database is closed.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        self.server
            .await
            .expect("the server task ends")
            .expect("the server stops cleanly");
    }
}

/// One of the crate's binaries, running as a child process with its log captured.
pub struct RunningBinary {
    child: std::process::Child,
    log: Arc<std::sync::Mutex<String>>,
    errors: Arc<std::sync::Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl RunningBinary {
    /// Starts `name` (`litekv-server` or `litekv-cleanup`) with JSON logs on stdout (unless
    /// `args` choose a `--log-format`). Its
    /// stderr is kept too (see [`RunningBinary::errors`]), not mixed into the test output.
    pub fn start(name: &str, args: &[&str]) -> Self {
        Self::start_with_env(name, args, &[])
    }

    /// As [`RunningBinary::start`], with extra environment variables.
    pub fn start_with_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let path = match name {
            "litekv-server" => env!("CARGO_BIN_EXE_litekv-server"),
            "litekv-cleanup" => env!("CARGO_BIN_EXE_litekv-cleanup"),
            other => panic!("no binary {other}"),
        };
        // JSON logs, unless the test chose a format.
        let format: &[&str] = match args.contains(&"--log-format") {
            true => &[],
            false => &["--log-format", "json"],
        };
        let mut child = std::process::Command::new(path)
            .args(args)
            .args(format)
            // A free port for the Redis protocol too, unless the test chose one: tests run
            // side by side, and beside a developer's own server on 6379.
            .env("LITEKV_RESP_BIND", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let (log, log_reader) = collect_lines(child.stdout.take().unwrap());
        let (errors, errors_reader) = collect_lines(child.stderr.take().unwrap());
        Self {
            child,
            log,
            errors,
            readers: vec![log_reader, errors_reader],
        }
    }

    /// `litekv-server` on a free loopback port and `database`, with extra flags; and its URL.
    pub async fn server(database: &TestDatabase, flags: &[&str]) -> (Self, String) {
        let url = database.url();
        let args = [&["--bind", "127.0.0.1:0", "--database-url", &url][..], flags].concat();
        let server = Self::start("litekv-server", &args);
        let address = server.server_address().await;
        (server, address)
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// What the process wrote to stderr: a failed start's error, for one.
    pub fn errors(&self) -> String {
        self.errors.lock().unwrap().clone()
    }

    /// Waits (up to 30 s) for a log line containing `needle` and returns it.
    pub async fn wait_for_log(&self, needle: &str) -> String {
        for _ in 0..3000 {
            if let Some(line) = self.log().lines().find(|line| line.contains(needle)) {
                return line.to_owned();
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("no log line with {needle:?} in 30 s; the log:\n{}", self.log());
    }

    /// The server's Redis protocol address, from its start-up log.
    pub async fn resp_address(&self) -> std::net::SocketAddr {
        let line: Value = serde_json::from_str(&self.wait_for_log("litekv listening").await).unwrap();
        let url = line["resp"].as_str().unwrap();
        url.trim_start_matches("redis://").parse().unwrap()
    }

    /// The server's base URL, from its start-up log.
    pub async fn server_address(&self) -> String {
        let line: Value = serde_json::from_str(&self.wait_for_log("litekv listening").await).unwrap();
        line["url"].as_str().unwrap().to_owned()
    }

    /// The process's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        self.child.kill().expect("the process is killed");
    }

    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (up to 30 s) for the process to exit; its whole output is captured by then.
    pub async fn wait(&mut self) -> std::process::ExitStatus {
        for _ in 0..3000 {
            if let Some(status) = self.child.try_wait().unwrap() {
                for reader in self.readers.drain(..) {
                    reader.join().unwrap();
                }
                return status;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.child.kill().unwrap();
        panic!("the process did not exit in 30 s; the log:\n{}", self.log());
    }
}

/// A thread appending each line of `stream` to the returned text.
fn collect_lines(
    stream: impl std::io::Read + Send + 'static,
) -> (Arc<std::sync::Mutex<String>>, std::thread::JoinHandle<()>) {
    use std::io::BufRead;
    let text = Arc::new(std::sync::Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
            let mut text = sink.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    });
    (text, reader)
}

/// A failing test must not leave its server running.
impl Drop for RunningBinary {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The envelope of a successful command.
pub fn ok(result: impl serde::Serialize) -> Value {
    serde_json::json!({ "result": result })
}

/// The envelope of a failed command.
pub fn err(message: &str) -> Value {
    serde_json::json!({ "error": message })
}
