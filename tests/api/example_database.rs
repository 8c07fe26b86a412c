//! `db.sqlite3.example` must be what the migrations build, with its example keys readable.
//! Regenerate it with `LITEKV_WRITE_EXAMPLE_DB=1 cargo test --test api example_database`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use litekv::clock::ManualClock;
use serde_json::{Value, json};
use sqlx::Connection;

use crate::helpers::{TestDatabase, database_url, spawn_app_on};

fn example_keys() -> [(&'static str, Value); 4] {
    [
        ("user-config", json!({"theme": "dark", "notifications": true})),
        ("greeting", json!("hello, world")),
        ("visits", json!(42)),
        ("feature-flags", json!(["new-ui", "beta-search"])),
    ]
}

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("db.sqlite3.example")
}

/// The schema and the applied migrations, as rows of text.
async fn schema_of(path: &Path) -> Vec<String> {
    let mut conn = sqlx::SqliteConnection::connect(&format!("{}?mode=ro", database_url(path)))
        .await
        .unwrap();
    let objects: Vec<(String, String, Option<String>)> =
        sqlx::query_as("select type, name, sql from sqlite_master where name not like 'sqlite_%' order by name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let migrations: Vec<(i64, String, Vec<u8>)> =
        sqlx::query_as("select version, description, checksum from _sqlx_migrations order by version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let objects = objects.into_iter().map(|object| format!("{object:?}"));
    objects
        .chain(migrations.into_iter().map(|migration| format!("{migration:?}")))
        .collect()
}

async fn write_example(path: &Path) {
    let database = TestDatabase::new();
    let app = spawn_app_on(&database, Arc::new(ManualClock::starting_now()), &[]).await;
    for (key, value) in example_keys() {
        app.post(&format!("/{key}/"), &json!({ "value": value })).await;
    }
    app.stop().await;
    let _ = std::fs::remove_file(path);
    let mut conn = sqlx::SqliteConnection::connect(&database.url()).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("vacuum into '{}'", path.display())))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[actix_web::test]
async fn the_example_database_matches_the_migrations_and_serves_its_keys() {
    if crate::database::skipped_on_postgres("the example database is a SQLite file") {
        return;
    }
    let example = example_path();
    if std::env::var_os("LITEKV_WRITE_EXAMPLE_DB").is_some() {
        write_example(&example).await;
    }
    let fresh = TestDatabase::new();
    spawn_app_on(&fresh, Arc::new(ManualClock::starting_now()), &[])
        .await
        .stop()
        .await;
    assert_eq!(
        schema_of(&example).await,
        schema_of(&fresh.path).await,
        "db.sqlite3.example is out of date: run LITEKV_WRITE_EXAMPLE_DB=1 cargo test --test api example_database"
    );

    let copy = TestDatabase::new();
    std::fs::copy(&example, &copy.path).unwrap();
    let app = spawn_app_on(&copy, Arc::new(ManualClock::starting_now()), &[]).await;
    for (key, value) in example_keys() {
        assert_eq!(
            app.get(&format!("/{key}/")).await.1,
            json!({"key": key, "value": value, "ttl_remaining": -1})
        );
    }
    app.stop().await;
}
