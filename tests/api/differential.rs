//! The differential run: random command sequences sent to litekv's Redis protocol door and to
//! `redis-server` (Debian's 7.0.15), every reply compared (`tests/differential/differential.py`).

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

#[actix_web::test]
async fn random_command_sequences_answer_as_redis_does() {
    let redis = RedisServer::start();
    redis.wait_until_up().await;
    let (app, _db) = spawn_app().await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/differential/differential.py");
    for seed in ["1", "2", "3"] {
        let args = [
            script.to_owned(),
            "--redis".into(),
            redis.port.to_string(),
            "--litekv".into(),
            app.resp.port().to_string(),
            "--seed".into(),
            seed.into(),
            "--rounds".into(),
            "40".into(),
        ];
        // The server runs on this thread's runtime: the script waits on another thread.
        let report = tokio::task::spawn_blocking(move || run(Command::new("python3").args(args)))
            .await
            .unwrap();
        assert!(report.contains("(0 differ)"), "{report}");
    }
}
