//! Backups: `litekv-server backup` beside a running server, and a restore from its file.

use std::cell::Cell;
use std::rc::Rc;

use serde_json::{Value, json};

use crate::database::{new_postgres_database, postgres_server, skipped_on_postgres};
use crate::helpers::{RunningBinary, TestDatabase, patient_client};

const KEYS: usize = 20_000;
const WITH_TTL: usize = 100;

async fn command(client: &awc::Client, address: &str, command: Value) -> Value {
    let mut response = client
        .post(format!("{address}/"))
        .send_json(&command)
        .await
        .expect("the server answers");
    assert!(response.status().is_success(), "{command}: {}", response.status());
    response.json().limit(64 << 20).await.unwrap()
}

/// PostgreSQL's backups are its own tools' to make: the subcommand says which.
#[actix_web::test]
async fn a_backup_of_a_postgresql_database_points_to_pg_dump() {
    let Some(server) = postgres_server() else {
        return eprintln!("skipped: no PostgreSQL server (LITEKV_TEST_DATABASE_URL)");
    };
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("backup.sqlite3");
    let url = new_postgres_database(&server);
    let mut backup = RunningBinary::start(
        "litekv-server",
        &["backup", file.to_str().unwrap(), "--database-url", &url],
    );
    assert!(!backup.wait().await.success());
    assert!(
        backup.errors().contains("with pg_dump, or with a base backup"),
        "{}",
        backup.errors()
    );
    assert!(!file.exists());
}

fn value_of(index: usize) -> String {
    format!("{index:05}-{}", "v".repeat(1000))
}

#[actix_web::test]
async fn an_online_backup_restores_every_key_value_and_ttl() {
    if skipped_on_postgres("a backup copies a SQLite file") {
        return;
    }
    let database = TestDatabase::new();
    let (mut server, address) = RunningBinary::server(&database, &[]).await;
    let client = patient_client();
    for chunk in (0..KEYS).collect::<Vec<_>>().chunks(1000) {
        let mut mset = vec![json!("MSET")];
        for index in chunk {
            mset.extend([json!(format!("key-{index}")), json!(value_of(*index))]);
        }
        command(&client, &address, json!(mset)).await;
    }
    for index in 0..WITH_TTL {
        command(&client, &address, json!(["EXPIRE", format!("key-{index}"), 3600])).await;
    }

    // A writer keeps writing other keys while the backup runs.
    let backing_up = Rc::new(Cell::new(true));
    let written_meanwhile = Rc::new(Cell::new(0_u32));
    let writer = actix_web::rt::spawn({
        let (client, address) = (client.clone(), address.clone());
        let (backing_up, written_meanwhile) = (Rc::clone(&backing_up), Rc::clone(&written_meanwhile));
        async move {
            while backing_up.get() {
                let counter = written_meanwhile.get();
                command(&client, &address, json!(["SET", format!("during-{counter}"), "x"])).await;
                written_meanwhile.set(counter + 1);
            }
        }
    });
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("backup.sqlite3");
    let file_arg = file.to_str().unwrap();
    let mut backup = RunningBinary::start(
        "litekv-server",
        &["backup", file_arg, "--database-url", &database.url()],
    );
    assert!(backup.wait().await.success(), "{}", backup.errors());
    backing_up.set(false);
    writer.await.unwrap();
    assert!(written_meanwhile.get() > 0, "writes waited for the backup");
    // The report is the line that says so: others may be logged beside it (a fresh-clone CI
    // run on a loaded machine once saw a second line).
    let log = backup.log();
    let report_line = log.lines().find(|line| line.contains("backup written and checked"));
    let report: Value = serde_json::from_str(report_line.unwrap_or_else(|| panic!("no report in {log}"))).unwrap();
    assert!(report["keys"].as_u64().unwrap() >= KEYS as u64, "{report}");

    // A second backup to the same file is refused: backups never overwrite.
    let mut again = RunningBinary::start(
        "litekv-server",
        &["backup", file_arg, "--database-url", &database.url()],
    );
    assert!(!again.wait().await.success());
    assert!(
        again.errors().contains("a backup never overwrites a file"),
        "{}",
        again.errors()
    );

    // Restore: stop, replace the file, start.
    server.terminate();
    assert!(server.wait().await.success());
    std::fs::copy(&file, &database.path).unwrap();
    let (_restored, address) = RunningBinary::server(&database, &[]).await;
    for chunk in (0..KEYS).collect::<Vec<_>>().chunks(1000) {
        let mut mget = vec![json!("MGET")];
        mget.extend(chunk.iter().map(|index| json!(format!("key-{index}"))));
        let values = command(&client, &address, json!(mget)).await;
        for (index, value) in chunk.iter().zip(values["result"].as_array().unwrap()) {
            assert_eq!(value.as_str(), Some(value_of(*index).as_str()), "key-{index}");
        }
    }
    for index in [0, WITH_TTL - 1] {
        let ttl = command(&client, &address, json!(["TTL", format!("key-{index}")])).await;
        let ttl = ttl["result"].as_i64().unwrap();
        assert!((3000..=3600).contains(&ttl), "key-{index} has {ttl} s left");
    }
    let ttl = command(&client, &address, json!(["TTL", format!("key-{WITH_TTL}")])).await;
    assert_eq!(ttl["result"], -1);
}
