//! The differential runs: random command sequences sent to litekv's Redis protocol door and to
//! `redis-server` (Debian's 7.0.15), every reply compared (`tests/differential/differential.py`),
//! and HyperLogLogs and geo searches at sizes those sequences never reach
//! (`tests/differential/sketches.py`).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::clients::{debian_package, run};
use crate::helpers::spawn_app;

/// A `redis-server` on a free port, without persistence, stopped when dropped.
struct RedisServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    fn start() -> Self {
        debian_package("redis-server", "redis-server");
        // The port was free a moment ago; redis-server cannot be asked for port 0 and say
        // which it took.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        Self { child, port, _dir: dir }
    }

    async fn wait_until_up(&self) {
        for _ in 0..500 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("redis-server did not listen on {} in 5 s", self.port);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a script of `tests/differential/` against both servers, and returns its report.
async fn compare(redis: &RedisServer, litekv_port: u16, script: &str, seed: &str, more: &[&str]) -> String {
    let script = format!("{}/tests/differential/{script}", env!("CARGO_MANIFEST_DIR"));
    let mut args = vec![
        script,
        "--redis".into(),
        redis.port.to_string(),
        "--litekv".into(),
        litekv_port.to_string(),
        "--seed".into(),
        seed.into(),
    ];
    args.extend(more.iter().map(|arg| arg.to_string()));
    // The server runs on this thread's runtime: the script waits on another thread.
    tokio::task::spawn_blocking(move || run(Command::new("python3").args(args)))
        .await
        .unwrap()
}

#[actix_web::test]
async fn random_command_sequences_answer_as_redis_does() {
    let redis = RedisServer::start();
    redis.wait_until_up().await;
    let (app, _db) = spawn_app().await;
    for seed in ["1", "2", "3"] {
        let report = compare(&redis, app.resp.port(), "differential.py", seed, &["--rounds", "40"]).await;
        assert!(report.contains("(0 differ)"), "{report}");
    }
}

/// HyperLogLog values byte for byte through the sparse encoding's promotion, merges and
/// copies between the servers; geo searches over 3,000 positions.
#[actix_web::test]
async fn hyperloglogs_and_geo_searches_answer_as_redis_does() {
    let redis = RedisServer::start();
    redis.wait_until_up().await;
    let (app, _db) = spawn_app().await;
    let report = compare(&redis, app.resp.port(), "sketches.py", "1", &[]).await;
    assert!(report.contains("(0 differ)"), "{report}");
}
