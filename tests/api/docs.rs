//! The API's documentation: the OpenAPI document describes what the server does, and
//! Swagger UI shows it in a real browser with no internet.

use std::path::Path;
use std::process::Command;

use actix_web::http::{Method, StatusCode};
use serde_json::Value;

use crate::clients::{debian_package, python_clients, run};
use crate::helpers::{RunningBinary, TestApp, TestDatabase, spawn_app};

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
            "GET /",
            "GET /api/exists",
            "GET /api/get",
            "GET /health",
            "GET /metrics",
            "GET /ready",
            "GET /watch/{key}",
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

/// Swagger UI shows an operation's summary as plain text: one short line, no Markdown. Each
/// operation's id is unique (code generators name functions by it) and says what it does.
#[actix_web::test]
async fn every_operation_has_a_plain_summary_and_its_own_id() {
    let (app, _database) = spawn_app().await;
    let document = openapi(&app).await;
    let mut ids = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap().iter().filter(|(key, _)| *key != "parameters") {
            let summary = operation["summary"].as_str().unwrap_or_default();
            assert!(
                !summary.is_empty() && !summary.contains(['`', '\n']) && summary.len() <= 80,
                "{method} {path}: summary {summary:?}"
            );
            ids.push(operation["operationId"].as_str().unwrap().to_owned());
        }
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids repeat: {ids:?}");
    for vague in ["get", "set", "delete", "exists", "command", "path_command"] {
        assert!(!ids.iter().any(|id| id == vague), "{vague:?} says too little: {ids:?}");
    }
}

/// A request body's documented example: on the body itself, or on the schema it refers to.
fn example_body(document: &Value, content: &Value) -> Option<Value> {
    let schema = match content["schema"]["$ref"].as_str() {
        Some(reference) => &document["components"]["schemas"][reference.rsplit('/').next().unwrap()],
        None => &content["schema"],
    };
    [&content["example"], &schema["example"]]
        .into_iter()
        .find(|example| !example.is_null())
        .cloned()
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
            // Path parameters and the query parameters take their documented examples (the
            // watch's `events` ends its stream).
            let mut url = path.clone();
            for name in ["key", "command", "events"] {
                let placeholder = format!("{{{name}}}");
                match example_of(name) {
                    Some(example) if url.contains(&placeholder) => url = url.replace(&placeholder, &example),
                    Some(example) => url.push_str(&format!("?{name}={example}")),
                    None => assert!(!url.contains(&placeholder), "{path}: no example for {name}"),
                }
            }
            let body = example_body(&document, &operation["requestBody"]["content"]["application/json"]);
            let takes_body = !operation["requestBody"].is_null();
            assert_eq!(body.is_some(), takes_body, "{method} {path}: every body has an example");
            let body = body.map(|body| ("application/json", body.to_string()));
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

/// Schemathesis generates thousands of requests from the document, valid and invalid, and
/// checks each answer: no server error, a body that matches the documented schema for its
/// status, invalid input refused, the token enforced. (Its check that every schema-valid
/// request is accepted does not fit a command API, where `["GET"]` is valid JSON and a Redis
/// error, so it is left out.)
#[actix_web::test]
async fn the_server_conforms_to_its_openapi_document() {
    let st = python_clients().with_file_name("st");
    let database = TestDatabase::new();
    let (_server, address) = RunningBinary::server(&database, &["--token", "schema-token"]).await;
    // Schemathesis keeps a cache in its working directory: not in the repository.
    let scratch = tempfile::tempdir().unwrap();
    let scratch_path = scratch.path().to_owned();
    let report = actix_web::rt::task::spawn_blocking(move || {
        run(Command::new(st).current_dir(scratch_path).args([
            "run",
            &format!("{address}/openapi.json"),
            "--header",
            "Authorization: Bearer schema-token",
            "--checks",
            "not_a_server_error,response_schema_conformance,negative_data_rejection,ignored_auth,use_after_free",
            "--max-examples",
            "25",
            "--seed",
            "1",
            "--max-time",
            "45",
            "--workers",
            "2",
            // A stream that lasts until the client leaves is no request to fuzz.
            "--exclude-path",
            "/watch/{key}",
        ]))
    })
    .await
    .unwrap();
    assert!(report.contains("Tested: 18"), "{report}");
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
        let mut response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT, "{path}");
        assert_eq!(response.headers().get("location").unwrap(), "/docs/", "{path}");
        // Not a bare redirect: a client that does not follow it is told where to go.
        let body = response.body().await.unwrap();
        assert!(
            String::from_utf8_lossy(&body).contains(r#"<a href="/docs/">"#),
            "{path}"
        );
    }
    app.stop().await;
}

/// The README is the first ten minutes: it stays short, and what it leaves out is in `docs/`.
#[test]
fn the_readme_stays_short() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(lines < 250, "the README has {lines} lines; move the detail to docs/");
}

/// Every link from the README and `docs/` to a file of the repository leads to one, and every
/// link to a heading (`#anchor`, here or in another page) names one that is there.
#[test]
fn every_link_in_the_readme_and_docs_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "md") {
            pages.push(path);
        }
    }
    let link = regex_lite_links();
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for target in link(&text) {
            if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let linked = match file {
                "" => page.clone(),
                file => page.parent().unwrap().join(file),
            };
            if !linked.exists() {
                broken.push(format!("{}: {target} (no such file)", page.display()));
                continue;
            }
            if !anchor.is_empty() && linked.extension().is_some_and(|extension| extension == "md") {
                let headings = std::fs::read_to_string(&linked).unwrap();
                if !headings
                    .lines()
                    .filter(|line| line.starts_with('#'))
                    .any(|line| slug(line) == anchor)
                {
                    broken.push(format!("{}: {target} (no such heading)", page.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The targets of a page's Markdown links and images, outside code blocks.
fn regex_lite_links() -> impl Fn(&str) -> Vec<String> {
    |text: &str| {
        let mut targets = Vec::new();
        let mut in_code = false;
        for line in text.lines() {
            if line.starts_with("```") {
                in_code = !in_code;
                continue;
            }
            if in_code {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("](") {
                let after = &rest[at + 2..];
                let Some(end) = after.find(')') else { break };
                targets.push(after[..end].to_owned());
                rest = &after[end..];
            }
        }
        targets
    }
}

/// A heading's anchor as GitHub makes it: lowercase, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim_start_matches('#')
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}
