//! What an operator and a first-time visitor see: the index, HEAD, probes, request ids,
//! metrics, logs and CORS.

use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::database::WriteLockHolder;
use crate::helpers::{RunningBinary, TestDatabase, spawn_app, spawn_app_with};

#[actix_web::test]
async fn every_response_carries_a_request_id_the_client_may_choose() {
    let (app, _database) = spawn_app_with(&["--token", "secret"]).await;
    let id_of = |response: &awc::ClientResponse<_>| {
        response
            .headers()
            .get("x-request-id")
            .map(|id| id.to_str().unwrap().to_owned())
    };
    let chosen = app
        .client
        .get(format!("{}/health", app.address))
        .insert_header(("x-request-id", "checkout-7f3a"))
        .send()
        .await
        .unwrap();
    assert_eq!(id_of(&chosen).as_deref(), Some("checkout-7f3a"));

    // Refusals carry one too, and a made-up id is 32 hex digits, new for each request.
    let mut made = Vec::new();
    for _ in 0..2 {
        let refused = app.client.get(format!("{}/k/", app.address)).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        made.push(id_of(&refused).unwrap());
    }
    assert!(
        made.iter()
            .all(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())),
        "{made:?}"
    );
    assert_ne!(made[0], made[1]);

    // An id that is too long, or not printable, is replaced rather than echoed.
    for unusable in ["x".repeat(129), "has space".to_owned()] {
        let response = app
            .client
            .get(format!("{}/health", app.address))
            .insert_header(("x-request-id", unusable.as_str()))
            .send()
            .await
            .unwrap();
        assert_eq!(id_of(&response).unwrap().len(), 32, "{unusable:?}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn ready_needs_the_database_to_take_a_write_and_health_does_not() {
    let (app, database) = spawn_app_with(&["--busy-timeout-ms", "200"]).await;
    let ok = json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")});
    assert_eq!(app.get("/ready").await, (StatusCode::OK, ok.clone()));

    // Another process holds the write lock: reads still work, writes cannot commit.
    let blocker = WriteLockHolder::take(&database.url()).await;
    assert_eq!(
        app.get("/ready").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({
                "status": "unavailable",
                "error": "the database failed a write: the database is locked by another program, past the busy timeout"
            })
        )
    );
    assert_eq!(app.get("/health").await, (StatusCode::OK, ok.clone()));

    blocker.release().await;
    assert_eq!(app.get("/ready").await, (StatusCode::OK, ok));
    assert_eq!(
        app.send(Method::POST, "/ready", None).await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    app.stop().await;
}

/// The value of one sample line of a Prometheus text page, `name{labels} value`.
fn sample(page: &str, series: &str) -> f64 {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample {series} in:\n{page}"))
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn metrics_count_requests_writes_expiry_and_the_database_size() {
    let database = TestDatabase::new();
    // A key that expired before the server started: the sweep it runs at start purges it.
    let store = database.open_store().await;
    let now = chrono::Utc::now().timestamp_millis();
    store.set("long-gone", "v", Some(now - 1000), now - 2000).await.unwrap();
    store.close().await;
    let (server, address) = RunningBinary::server(&database, &["--token", "secret"]).await;
    let client = awc::Client::default();
    let send = |method: Method, path: &str, body: Option<Value>| {
        let request = client.request(method, format!("{address}{path}")).bearer_auth("secret");
        async move {
            let response = match body {
                Some(body) => request.send_json(&body).await,
                None => request.send().await,
            };
            response.unwrap().status()
        }
    };
    let metrics = || client.get(format!("{address}/metrics")).bearer_auth("secret").send();
    // The start-up sweep commits a batch of its own first: a write beside it could share it.
    for attempt in 0.. {
        let mut response = metrics().await.unwrap();
        let page = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
        if page.contains(r#"litekv_expired_keys_deleted_total{by="sweep"} 1"#) {
            break;
        }
        assert!(attempt < 500, "the start-up sweep did not run in 5 s");
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    for _ in 0..3 {
        assert_eq!(send(Method::GET, "/missing/", None).await, StatusCode::NOT_FOUND);
    }
    for key in ["a", "b"] {
        let body = json!({"value": "x".repeat(10_000)});
        assert_eq!(
            send(Method::POST, &format!("/{key}/"), Some(body)).await,
            StatusCode::CREATED
        );
    }
    // A key that expires at once, then a read that finds it expired and deletes it.
    let set = json!(["SET", "brief", "v", "PX", "1"]);
    assert_eq!(send(Method::POST, "/", Some(set)).await, StatusCode::OK);
    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(send(Method::GET, "/brief/", None).await, StatusCode::NOT_FOUND);

    let unauthorized = client.get(format!("{address}/metrics")).send().await.unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED, "metrics need a token");
    let mut response = metrics().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers().get("content-type").unwrap().to_str().unwrap();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let page = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();

    let requests = |method: &str, route: &str, status: u16| {
        sample(
            &page,
            &format!(r#"litekv_http_requests_total{{method="{method}",route="{route}",status="{status}"}}"#),
        )
    };
    assert_eq!(requests("GET", "/{key:.*}/", 404), 4.0);
    assert_eq!(requests("POST", "/{key:.*}/", 201), 2.0);
    assert_eq!(requests("POST", "/", 200), 1.0);
    assert_eq!(requests("GET", "/metrics", 401), 1.0);
    assert_eq!(
        sample(
            &page,
            r#"litekv_http_request_duration_seconds_count{method="GET",route="/{key:.*}/"}"#
        ),
        4.0
    );
    // Latency is a histogram with buckets, not a summary.
    assert!(
        page.contains(r#"litekv_http_request_duration_seconds_bucket{method="GET",route="/{key:.*}/",le="0.001"}"#)
    );
    // The start-up sweep, three writes and one lazy delete, each committed in a batch of its
    // own: the requests were sent one after another.
    assert_eq!(sample(&page, "litekv_write_batch_size_count"), 5.0);
    assert_eq!(sample(&page, "litekv_write_batch_size_sum"), 5.0);
    assert_eq!(sample(&page, "litekv_write_commit_seconds_count"), 5.0);
    assert_eq!(sample(&page, r#"litekv_expired_keys_deleted_total{by="read"}"#), 1.0);
    assert_eq!(sample(&page, r#"litekv_expired_keys_deleted_total{by="sweep"}"#), 1.0);
    assert!(
        sample(&page, "litekv_database_bytes") > 20_000.0,
        "two 10 kB values are on disk"
    );
    // At least the connection this page came on; closed ones may not have been noticed yet.
    assert!(sample(&page, "litekv_open_connections") >= 1.0);
    assert!(
        sample(&page, "litekv_resident_memory_bytes") > 1_000_000.0,
        "the server takes memory"
    );
    // Every metric says what it counts.
    for name in [
        "litekv_http_requests_total",
        "litekv_write_batch_size",
        "litekv_database_bytes",
        "litekv_resident_memory_bytes",
    ] {
        assert!(page.contains(&format!("# HELP {name} ")), "{name} has no HELP line");
    }
    drop(server);
}

/// At the default level, each HTTP request leaves one line: a newcomer's curl shows in the
/// log.
#[actix_web::test]
async fn a_request_is_logged_at_the_default_level() {
    let database = TestDatabase::new();
    let (server, address) = RunningBinary::server(&database, &[]).await;
    let response = awc::Client::default()
        .get(format!("{address}/greeting/"))
        .insert_header(("x-request-id", "first-curl"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let line: Value = serde_json::from_str(&server.wait_for_log("first-curl").await).unwrap();
    assert_eq!(
        (&line["level"], &line["message"], &line["status"]),
        (&json!("INFO"), &json!("request"), &json!(404))
    );
    drop(server);
}

#[actix_web::test]
async fn logs_carry_the_request_id_and_never_values_or_tokens() {
    let database = TestDatabase::new();
    let (mut server, address) = RunningBinary::server(
        &database,
        &[
            "--token",
            "tok-3141592653",
            "--log-level",
            "info,litekv::http=debug,litekv::resp=debug",
            "--busy-timeout-ms",
            "100",
        ],
    )
    .await;
    // Over the Redis protocol, each command is logged by name, with its client's id.
    let resp = server.resp_address().await;
    let mut redis = crate::resp::RespClient::connect(resp).await;
    redis.call(&["AUTH", "tok-3141592653"]).await;
    redis.call(&["SET", "resp-key", "value-1618033988"]).await;
    let line: Value = serde_json::from_str(&server.wait_for_log(r#""command":"set""#).await).unwrap();
    assert_eq!(line["target"], "litekv::resp");
    assert!(line["client"].as_u64().is_some(), "{line}");
    let client = awc::Client::default();
    let response = client
        .post(format!("{address}/set/user-key/value-2718281828?_token=tok-3141592653"))
        .insert_header(("x-request-id", "trace-me-42"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let line = server.wait_for_log("trace-me-42").await;
    let line: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(line["route"], "/{command:.+}");
    assert_eq!(line["status"], 200);
    assert_eq!(line["method"], "POST");
    assert_eq!(line["request_id"], "trace-me-42");

    // A server error is logged at `error` with its id and its cause, whatever the log level.
    let blocker = WriteLockHolder::take(&database.url()).await;
    let response = client
        .post(format!("{address}/blocked/"))
        .bearer_auth("tok-3141592653")
        .insert_header(("x-request-id", "fails-7"))
        .send_json(&json!({"value": "value-1414213562"}))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let line: Value = serde_json::from_str(&server.wait_for_log("fails-7").await).unwrap();
    assert_eq!(line["level"], "ERROR");
    assert_eq!(line["message"], "request failed");
    assert_eq!(line["status"], 503);
    assert!(line["error"].as_str().unwrap().contains("Busy"), "{line}");
    blocker.release().await;

    server.terminate();
    assert!(server.wait().await.success());
    let log = server.log();
    for secret in [
        "value-2718281828",
        "value-1414213562",
        "tok-3141592653",
        "user-key",
        "resp-key",
        "value-1618033988",
    ] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
}

#[actix_web::test]
async fn cors_answers_only_the_configured_origins() {
    let preflight = |app: &crate::helpers::TestApp, origin: &str| {
        app.client
            .request(Method::OPTIONS, format!("{}/k/", app.address))
            .insert_header(("origin", origin.to_owned()))
            .insert_header(("access-control-request-method", "POST"))
            .insert_header(("access-control-request-headers", "authorization, content-type"))
            .send()
    };
    let allowed_origin = |response: &awc::ClientResponse<_>| {
        response
            .headers()
            .get("access-control-allow-origin")
            .map(|origin| origin.to_str().unwrap().to_owned())
    };

    let (app, _database) = spawn_app_with(&["--cors-origin", "https://app.example.com"]).await;
    let response = preflight(&app, "https://app.example.com").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(allowed_origin(&response).as_deref(), Some("https://app.example.com"));
    let methods = response
        .headers()
        .get("access-control-allow-methods")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(methods.contains("POST") && methods.contains("DELETE"), "{methods}");
    let read = app
        .client
        .get(format!("{}/health", app.address))
        .insert_header(("origin", "https://app.example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed_origin(&read).as_deref(), Some("https://app.example.com"));
    let exposed = read
        .headers()
        .get("access-control-expose-headers")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(exposed.contains("x-request-id"), "{exposed}");

    let other = preflight(&app, "https://evil.example.net").await.unwrap();
    assert!(other.status().is_client_error(), "{}", other.status());
    assert_eq!(allowed_origin(&other), None);
    app.stop().await;

    // By default no origin is allowed: no CORS header, and preflights are not answered.
    let (app, _database) = spawn_app().await;
    let response = preflight(&app, "https://app.example.com").await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allowed_origin(&response), None);
    app.stop().await;
}

#[actix_web::test]
async fn a_cors_origin_that_could_never_match_is_refused_at_start() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_litekv-server"))
        .args(["--cors-origin", "https://app.example.com/"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("is not an origin: write scheme://host[:port]"),
        "{error}"
    );
}

#[actix_web::test]
async fn version_is_printed() {
    for binary in [
        env!("CARGO_BIN_EXE_litekv-server"),
        env!("CARGO_BIN_EXE_litekv-cleanup"),
    ] {
        let output = std::process::Command::new(binary).arg("--version").output().unwrap();
        assert!(output.status.success());
        let name = std::path::Path::new(binary).file_name().unwrap().to_str().unwrap();
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            format!("{name} {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[actix_web::test]
async fn the_index_points_a_browser_to_the_docs() {
    let (app, _db) = spawn_app_with(&["--token", "secret"]).await;
    // Public, like the docs: it holds no data.
    let (status, body) = app.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["docs"], "/docs");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    // `POST /` still runs commands, and still needs the token.
    assert_eq!(app.post("/", json!(["PING"])).await.0, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn head_answers_as_get_does_without_the_body() {
    let (app, _db) = spawn_app().await;
    app.post("/k/", &json!({"value": "v"})).await;
    for path in [
        "/",
        "/health",
        "/k/",
        "/missing/",
        "/docs/",
        "/openapi.json",
        "/get/k",
        "/api/get?key=k",
    ] {
        let (status, body) = app.send_raw(Method::GET, path, None).await;
        let head = raw_head(&app.address, path).await;
        assert!(head.starts_with(&format!("HTTP/1.1 {status}")), "HEAD {path}: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("content-length: {}\r\n", body.len())),
            "HEAD {path} should announce GET's {} bytes: {head}",
            body.len()
        );
        assert!(head.ends_with("\r\n\r\n"), "HEAD {path} sent a body: {head}");
    }
}

/// The whole response to `HEAD path`, read until the server closes the connection.
async fn raw_head(address: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = actix_web::rt::net::TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    let request = format!("HEAD {path} HTTP/1.1\r\nHost: litekv\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}
