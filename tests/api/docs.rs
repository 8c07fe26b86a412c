//! The API's documentation: the OpenAPI document describes what the server does, and
//! Swagger UI shows it in a real browser with no internet.

use std::path::Path;
use std::process::Command;

use actix_web::http::{Method, StatusCode};
use serde_json::Value;

use crate::clients::{debian_package, run};
use crate::helpers::{TestApp, spawn_app};

async fn openapi(app: &TestApp) -> Value {
    let (status, document) = app.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    document
}

#[actix_web::test]
async fn the_openapi_document_covers_every_endpoint() {
    let (app, _database) = spawn_app().await;
    let document = openapi(&app).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    let mut operations: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().unwrap().keys().filter(|key| *key != "parameters");
            methods.map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    operations.sort();
    assert_eq!(
        operations,
        [
            "DELETE /api/delete",
            "DELETE /{key}/",
            "GET /api/exists",
            "GET /api/get",
            "GET /health",
            "GET /metrics",
            "GET /ready",
            "GET /{command}",
            "GET /{key}/",
            "HEAD /{command}",
            "POST /",
            "POST /api/set",
            "POST /multi-exec",
            "POST /pipeline",
            "POST /{command}",
            "POST /{key}/",
            "PUT /{command}",
        ]
    );
    app.stop().await;
}

/// Every documented operation, called with its documented example (or none), answers with
/// one of the statuses the document lists for it: the document describes the server.
#[actix_web::test]
async fn every_documented_operation_answers_as_documented() {
    let (app, _database) = spawn_app().await;
    let document = openapi(&app).await;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let example_of = |name: &str| {
                let parameters = operation["parameters"].as_array();
                let parameter = parameters.and_then(|all| all.iter().find(|parameter| parameter["name"] == name));
                parameter.map(|parameter| parameter["example"].as_str().unwrap().to_owned())
            };
            let mut url = path.replace("{key}", "docs-example").replace("{command}", "ping");
            if let Some(key) = example_of("key").filter(|_| !path.contains("{key}")) {
                url.push_str(&format!("?key={key}"));
            }
            let body = operation["requestBody"]["content"]["application/json"]["example"].clone();
            let body = (!body.is_null()).then(|| ("application/json", body.to_string()));
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, _) = app.send_raw(method.clone(), &url, body).await;
            let documented = operation["responses"].as_object().unwrap();
            assert!(
                documented.contains_key(status.as_str()),
                "{method} {url} answered {status}, which the document does not list: {:?}",
                documented.keys().collect::<Vec<_>>()
            );
            assert!(
                status.is_success() || (status == StatusCode::NOT_FOUND && path == "/{key}/"),
                "{method} {url} with its example answered {status}"
            );
        }
    }
    app.stop().await;
}

/// Headless Chromium on `url`, given `action` (`--dump-dom` or `--screenshot=<file>`),
/// with every connection beyond loopback sent to a dead proxy: a page that needs a CDN
/// cannot load.
fn headless_chromium(url: &str, action: &str) -> String {
    debian_package("chromium", "chromium");
    let profile = tempfile::tempdir().unwrap();
    run(Command::new("chromium").args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        "--proxy-server=127.0.0.1:9",
        "--window-size=1280,2200",
        "--virtual-time-budget=15000",
        &format!("--user-data-dir={}", profile.path().display()),
        action,
        url,
    ]))
}

#[actix_web::test]
async fn swagger_ui_lists_every_operation_in_a_browser_without_internet() {
    let (app, _database) = spawn_app().await;
    let document = openapi(&app).await;
    let docs = format!("{}/docs/", app.address);
    let page = actix_web::rt::task::spawn_blocking(move || headless_chromium(&docs, "--dump-dom"))
        .await
        .unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        let operations = item.as_object().unwrap().len();
        let shown = page.matches(&format!(r#"data-path="{path}""#)).count();
        assert_eq!(shown, operations, "{path}: {operations} operations, {shown} shown");
    }
    assert!(page.contains("Authorize"), "the token can be entered");

    let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("swagger-ui.png");
    let _ = std::fs::remove_file(&screenshot);
    let docs = format!("{}/docs/", app.address);
    let action = format!("--screenshot={}", screenshot.display());
    actix_web::rt::task::spawn_blocking(move || headless_chromium(&docs, &action))
        .await
        .unwrap();
    let png = std::fs::read(&screenshot).expect("Chromium saved a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 50_000, "{} bytes", png.len());

    // `/docs` and `/redoc` lead to the same page.
    let client = awc::Client::builder().disable_redirects().finish();
    for path in ["/docs", "/redoc"] {
        let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT, "{path}");
        assert_eq!(response.headers().get("location").unwrap(), "/docs/", "{path}");
    }
    app.stop().await;
}
