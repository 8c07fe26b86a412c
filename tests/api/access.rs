//! Access control: read-write and read-only tokens from flags, environment and a file, and
//! the refusal to serve anonymously beyond loopback.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{RunningBinary, TestApp, TestDatabase, err, ok, spawn_app_with};

async fn as_token(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "application/json"));
    let mut response = match body {
        Some(body) => request.send_body(body.to_string()).await,
        None => request.send().await,
    }
    .expect("the server answers");
    let bytes = response.body().await.expect("the body arrives");
    (response.status(), serde_json::from_slice(&bytes).expect("a JSON body"))
}

#[actix_web::test]
async fn a_read_only_token_reads_but_cannot_write_or_walk_the_keyspace() {
    let (app, _db) = spawn_app_with(&["--token", "rw-1,rw-2", "--read-only-token", "ro-1"]).await;
    let write = |token, command: Value| as_token(&app, token, Method::POST, "/", Some(command));
    assert_eq!(
        write("rw-1", json!(["SET", "k", "v"])).await,
        (StatusCode::OK, ok("OK"))
    );
    assert_eq!(write("rw-2", json!(["GET", "k"])).await, (StatusCode::OK, ok("v")));
    assert_eq!(write("ro-1", json!(["GET", "k"])).await, (StatusCode::OK, ok("v")));
    assert_eq!(
        write("ro-1", json!(["MGET", "k", "x"])).await,
        (StatusCode::OK, ok(json!(["v", null])))
    );

    for (command, name) in [
        (json!(["SET", "k", "w"]), "set"),
        (json!(["incr", "n"]), "incr"),
        (json!(["DEL", "k"]), "del"),
        (json!(["KEYS", "*"]), "keys"),
        (json!(["SCAN", 0]), "scan"),
        (json!(["FLUSHDB"]), "flushdb"),
    ] {
        let message = format!("NOPERM this token is read-only: it has no permissions to run the '{name}' command");
        assert_eq!(
            write("ro-1", command.clone()).await,
            (StatusCode::FORBIDDEN, err(&message)),
            "{command}"
        );
    }
    let pipeline = json!([["GET", "k"], ["SET", "k", "w"]]);
    for path in ["/pipeline", "/multi-exec"] {
        let (status, body) = as_token(&app, "ro-1", Method::POST, path, Some(pipeline.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (status, _) = as_token(&app, "ro-1", Method::GET, "/set/k/w", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The JSON API follows the same rule.
    assert_eq!(as_token(&app, "ro-1", Method::GET, "/k/", None).await.1["value"], "v");
    let (status, body) = as_token(&app, "ro-1", Method::POST, "/k/", Some(json!({"value": 1}))).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            err("NOPERM this token is read-only: it cannot write keys; use a read-write token")
        )
    );
    assert_eq!(
        as_token(&app, "ro-1", Method::DELETE, "/k/", None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        write("rw-1", json!(["GET", "k"])).await.1,
        ok("v"),
        "nothing was written"
    );
    assert_eq!(
        as_token(&app, "nope", Method::GET, "/k/", None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn the_bearer_scheme_is_matched_in_any_case() {
    let (app, _db) = spawn_app_with(&["--token", "secret"]).await;
    for (authorization, expected) in [
        ("Bearer secret", StatusCode::OK),
        ("bearer secret", StatusCode::OK),
        ("BEARER secret", StatusCode::OK),
        ("Basic secret", StatusCode::UNAUTHORIZED),
        ("Bearer other", StatusCode::UNAUTHORIZED),
        ("secret", StatusCode::UNAUTHORIZED),
    ] {
        let response = app
            .client
            .post(format!("{}/", app.address))
            .insert_header(("authorization", authorization))
            .insert_header(("content-type", "application/json"))
            .send_body(json!(["PING"]).to_string())
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{authorization}");
    }
}

#[actix_web::test]
async fn tokens_come_from_a_file() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        file,
        "# team tokens\nread-write  writer-token\n\nread-only reader-token"
    )
    .unwrap();
    let path = file.path().to_str().unwrap().to_owned();
    let (app, _db) = spawn_app_with(&["--token-file", &path]).await;
    let run = |token, command: Value| as_token(&app, token, Method::POST, "/", Some(command));
    assert_eq!(run("writer-token", json!(["SET", "k", "v"])).await.0, StatusCode::OK);
    assert_eq!(run("reader-token", json!(["GET", "k"])).await.1, ok("v"));
    assert_eq!(
        run("reader-token", json!(["SET", "k", "v"])).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(run("team", json!(["GET", "k"])).await.0, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn vercel_kv_token_variables_are_accepted() {
    let database = TestDatabase::new();
    let url = database.url();
    let server = RunningBinary::start_with_env(
        "litekv-server",
        &["--bind", "127.0.0.1:0", "--database-url", &url],
        &[
            ("KV_REST_API_TOKEN", "kv-writer"),
            ("KV_REST_API_READ_ONLY_TOKEN", "kv-reader"),
        ],
    );
    let address = server.server_address().await;
    let client = awc::Client::default();
    let send = async |token: &str, command: Value| {
        let response = client
            .post(format!("{address}/"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .send_body(command.to_string())
            .await
            .unwrap();
        response.status()
    };
    assert_eq!(send("kv-writer", json!(["SET", "k", "v"])).await, StatusCode::OK);
    assert_eq!(send("kv-reader", json!(["GET", "k"])).await, StatusCode::OK);
    assert_eq!(send("kv-reader", json!(["SET", "k", "v"])).await, StatusCode::FORBIDDEN);
    assert_eq!(send("other", json!(["GET", "k"])).await, StatusCode::UNAUTHORIZED);
    assert!(!server.log().contains("kv-writer"), "a token reached the log");
}

/// Runs the server with `args`, which must make it exit within 10 s; returns its stderr.
fn refusal(args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_litekv-server"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success());
            let mut stderr = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
            return stderr;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("the server did not refuse to start");
}

#[actix_web::test]
async fn anonymous_access_beyond_loopback_needs_an_explicit_flag() {
    let database = TestDatabase::new();
    let url = database.url();
    let base = ["--bind", "0.0.0.0:0", "--database-url", &url, "--no-sweep"];
    let stderr = refusal(&base);
    assert!(stderr.contains("refusing to serve 0.0.0.0:"), "{stderr}");
    assert!(stderr.contains("--allow-anonymous"), "{stderr}");

    let resp = [
        "--bind",
        "127.0.0.1:0",
        "--resp-bind",
        "0.0.0.0:0",
        "--database-url",
        &url,
        "--no-sweep",
    ];
    let stderr = refusal(&resp);
    assert!(
        stderr.contains("refusing to serve 0.0.0.0:") && stderr.contains("(--resp-bind)"),
        "{stderr}"
    );

    for extra in ["--allow-anonymous", "--token=t"] {
        let server = RunningBinary::start("litekv-server", &[&base[..], &[extra]].concat());
        server.wait_for_log("litekv listening").await;
    }
}
