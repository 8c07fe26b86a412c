//! The console (`/console`) in a real browser: Debian's Chromium, driven through the DevTools
//! protocol by `tests/clients/console.mjs` (puppeteer-core): sign in, find keys by pattern, edit
//! one, watch it change when another client writes, run commands, and a read-only token that
//! cannot write. `bin/screenshots` runs the same script to redraw the pictures in `docs/`.

use std::process::Command;

use actix_web::http::StatusCode;

use crate::clients::{debian_package, node_clients, run};
use crate::helpers::{RunningBinary, TestDatabase, spawn_app_with};

#[actix_web::test]
async fn the_console_is_one_page_served_without_a_token_that_reaches_nothing_else() {
    let (app, _db) = spawn_app_with(&["--token", "secret"]).await;
    let client = awc::Client::default();
    let mut response = client.get(format!("{}/console", app.address)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    let policy = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(policy.starts_with("default-src 'self'"), "{policy}");
    let page = String::from_utf8(response.body().limit(1 << 20).await.unwrap().to_vec()).unwrap();
    assert!(page.contains("<title>litekv console</title>"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page names no other site"
    );
    // The index says where it is.
    assert_eq!(app.get("/").await.1["console"], "/console");
}

#[actix_web::test]
async fn the_console_browses_edits_follows_and_runs_commands_in_a_browser() {
    debian_package("chromium", "chromium");
    let clients = node_clients();
    let database = TestDatabase::new();
    let (server, url) =
        RunningBinary::server(&database, &["--token", "console-rw", "--read-only-token", "console-ro"]).await;
    let report = actix_web::rt::task::spawn_blocking(move || {
        run(Command::new("node")
            .arg("console.mjs")
            .current_dir(clients)
            .env("LITEKV_URL", url)
            .env("LITEKV_TOKEN", "console-rw")
            .env("LITEKV_READ_ONLY_TOKEN", "console-ro"))
    })
    .await
    .unwrap();
    assert!(report.contains("console: 29 checks passed"), "{report}");
    drop(server);
}
