//! Restarts, signals, and the cleanup binary beside a live server.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use litekv::clock::{Clock, ManualClock, SystemClock};
use serde_json::json;

use litekv::reply::{CmdError, Reply};

use crate::database::skipped_on_postgres;
use crate::helpers::{RunningBinary, TestDatabase, spawn_app_on};
use crate::resp::RespClient;

#[actix_web::test]
async fn a_restart_on_the_same_file_keeps_data_and_remaining_ttl() {
    let database = TestDatabase::new();
    let clock = Arc::new(ManualClock::starting_now());
    let app = spawn_app_on(&database, clock.clone(), &[]).await;
    app.post("/forever/", &json!({"value": {"a": 1}})).await;
    app.post("/for-a-while/", &json!({"value": "soon gone", "ttl": 100}))
        .await;
    app.stop().await;

    clock.advance(Duration::from_secs(30));
    let app = spawn_app_on(&database, clock.clone(), &[]).await;
    assert_eq!(
        app.get("/forever/").await.1,
        json!({"key": "forever", "value": {"a": 1}, "ttl_remaining": -1})
    );
    assert_eq!(
        app.get("/for-a-while/").await.1,
        json!({"key": "for-a-while", "value": "soon gone", "ttl_remaining": 70})
    );
    clock.advance(Duration::from_secs(70));
    assert_eq!(app.get("/for-a-while/").await.0, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[actix_web::test]
async fn sigterm_finishes_in_flight_writes_exits_0_and_loses_nothing_acknowledged() {
    let database = TestDatabase::new();
    let url = database.url();
    let mut server = RunningBinary::start(
        "litekv-server",
        &["--bind", "127.0.0.1:0", "--database-url", &url, "--no-sweep"],
    );
    let address = server.server_address().await;

    // 16 writers, each writing 0, 1, 2, ... to its own key until the server is gone.
    let acknowledged = Rc::new(RefCell::new(vec![None::<u64>; 16]));
    let client = awc::Client::default();
    let writers = join_all((0..16).map(|writer| {
        let (client, address, acknowledged) = (client.clone(), address.clone(), Rc::clone(&acknowledged));
        async move {
            for sequence in 0u64.. {
                let url = format!("{address}/writer-{writer}/");
                match client.post(url).send_json(&json!({ "value": sequence })).await {
                    Ok(response) if response.status().is_success() => {
                        acknowledged.borrow_mut()[writer] = Some(sequence)
                    }
                    Ok(response) => panic!("a write was refused with {}", response.status()),
                    Err(_) => return,
                }
            }
        }
    }));
    let terminate = async {
        while acknowledged.borrow().iter().flatten().count() < 16 {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        server.terminate();
    };
    futures_util::join!(writers, terminate);
    assert!(server.wait().await.success(), "the server exits 0 after SIGTERM");

    let store = database.open_store().await;
    let acknowledged = acknowledged.take();
    for (writer, last_acknowledged) in acknowledged.into_iter().enumerate() {
        let last_acknowledged = last_acknowledged.expect("every writer had a write acknowledged");
        let stored = match store
            .get(format!("writer-{writer}").as_bytes(), SystemClock.now_ms())
            .await
            .unwrap()
        {
            litekv::store::Lookup::Live(entry) => {
                String::from_utf8(entry.value.to_vec()).unwrap().parse::<u64>().unwrap()
            }
            other => panic!("writer {writer}'s key is {other:?}"),
        };
        // The last acknowledged value, or the one write that was in flight at the stop.
        assert!(
            [last_acknowledged, last_acknowledged + 1].contains(&stored),
            "writer {writer}: acknowledged {last_acknowledged}, stored {stored}"
        );
    }
    store.close().await;
}

/// Writes `count` keys that expired an hour ago by the wall clock, as the cleanup binary sees it.
async fn write_expired_keys(database: &TestDatabase, count: usize) {
    let store = database.open_store().await;
    let an_hour_ago = SystemClock.now_ms() - 3_600_000;
    let keys: Vec<String> = (0..count).map(|index| format!("expired-{index}")).collect();
    let writes = keys
        .iter()
        .map(|key| store.set(key.clone(), b"1".to_vec(), Some(an_hour_ago), an_hour_ago));
    for result in join_all(writes).await {
        result.unwrap();
    }
    store.close().await;
}

/// A second server on a file would take writes the first never hears of, which would go on
/// answering stale values from its cache: it refuses to start, naming the file and the
/// process serving it; once that one stopped, a server starts there again.
#[actix_web::test]
async fn a_second_server_on_the_same_database_file_refuses_to_start_naming_the_first() {
    if skipped_on_postgres("servers share a PostgreSQL database (multi_server.rs)") {
        return;
    }
    let database = TestDatabase::new();
    let (mut first, first_url) = RunningBinary::server(&database, &[]).await;
    let url = database.url();
    let mut second = RunningBinary::start("litekv-server", &["--bind", "127.0.0.1:0", "--database-url", &url]);
    let status = second.wait().await;
    let errors = second.errors();
    assert!(!status.success(), "the second server exits with an error");
    assert!(errors.contains(&database.path.display().to_string()), "{errors}");
    assert!(
        errors.contains(&format!("pid {} (litekv-server)", first.id())),
        "{errors}"
    );

    // The first one never noticed.
    let client = awc::Client::default();
    let write = |url: String| {
        client
            .post(format!("{url}/still-serving/"))
            .send_json(&json!({ "value": 1 }))
    };
    assert!(write(first_url).await.unwrap().status().is_success());
    first.terminate();
    assert!(first.wait().await.success());
    let (mut third, third_url) = RunningBinary::server(&database, &[]).await;
    assert!(write(third_url).await.unwrap().status().is_success());
    third.terminate();
    assert!(third.wait().await.success());
}

#[actix_web::test]
async fn the_cleanup_binary_purges_beside_a_live_server_with_no_lock_errors() {
    let database = TestDatabase::new();
    write_expired_keys(&database, 3_000).await;
    let app = spawn_app_on(&database, Arc::new(ManualClock::starting_now()), &[]).await;

    let url = database.url();
    let mut cleanup = RunningBinary::start(
        "litekv-cleanup",
        &[
            "--once",
            "--database-url",
            &url,
            "--sweep-batch",
            "250",
            "--sweep-pause-ms",
            "1",
        ],
    );
    // The server keeps taking writes while the purge runs.
    let mut live_writes = 0;
    for round in 0..20 {
        let writes =
            join_all((0..8).map(|writer| app.post(format!("/live-{writer}/"), json!({ "value": round })))).await;
        assert!(writes.iter().all(|(status, _)| status.is_success()), "{writes:?}");
        live_writes += writes.len();
    }
    let status = cleanup.wait().await;
    let log = cleanup.log();

    assert!(status.success(), "the cleanup exits 0; its log:\n{log}");
    assert!(log.contains(r#""purged":3000"#), "it logs what it purged:\n{log}");
    assert!(!log.contains("locked") && !log.contains("busy"), "{log}");
    assert_eq!(live_writes, 160);
    assert_eq!(database.count_rows().await, 8, "only the live keys remain");
    for writer in 0..8 {
        assert_eq!(app.get(&format!("/live-{writer}/")).await.1["value"], 19);
    }
    app.stop().await;
}

#[actix_web::test]
async fn the_scheduled_cleanup_purges_on_its_cron_schedule_and_stops_on_sigterm() {
    let database = TestDatabase::new();
    write_expired_keys(&database, 10).await;
    let url = database.url();
    let mut cleanup = RunningBinary::start("litekv-cleanup", &["--schedule", "* * * * * *", "--database-url", &url]);

    cleanup.wait_for_log("litekv-cleanup started").await;
    cleanup.wait_for_log(r#""purged":10"#).await;
    assert_eq!(database.count_rows().await, 0);
    cleanup.terminate();
    assert!(cleanup.wait().await.success(), "the cleanup exits 0 after SIGTERM");
    let log = cleanup.log();
    assert!(!log.contains(r#""level":"ERROR""#), "errors in a clean run:\n{log}");
}

#[actix_web::test]
async fn a_bad_cron_schedule_is_refused_at_start_saying_what_is_expected() {
    let database = TestDatabase::new();
    let url = database.url();
    for once in [false, true] {
        let mut args = vec!["--schedule", "every now and then", "--database-url", &url];
        args.extend(once.then_some("--once"));
        let mut cleanup = RunningBinary::start("litekv-cleanup", &args);
        assert!(!cleanup.wait().await.success());
        let errors = cleanup.errors();
        assert!(
            errors.contains("4 fields; expected five fields (minute hour day month weekday"),
            "{errors}"
        );
    }
}

#[actix_web::test]
async fn the_cleanup_never_creates_a_database() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("mistyped.sqlite3");
    let url = crate::helpers::database_url(&missing);
    for once in [&[][..], &["--once"]] {
        let mut cleanup = RunningBinary::start("litekv-cleanup", &[&["--database-url", &url][..], once].concat());
        assert!(!cleanup.wait().await.success());
        let errors = cleanup.errors();
        assert!(
            errors.contains(&format!("there is no database at {}", missing.display())),
            "{errors}"
        );
        assert!(!errors.contains("backtrace"), "{errors}");
    }
    let left: Vec<_> = std::fs::read_dir(directory.path()).unwrap().collect();
    assert!(left.is_empty(), "the cleanup left {left:?}");
}

#[actix_web::test]
async fn a_database_in_a_missing_directory_is_refused_naming_the_directory() {
    let directory = tempfile::tempdir().unwrap();
    let nowhere = directory.path().join("not-made-yet");
    let url = crate::helpers::database_url(&nowhere.join("db.sqlite3"));
    let mut server = RunningBinary::start("litekv-server", &["--bind", "127.0.0.1:0", "--database-url", &url]);
    assert!(!server.wait().await.success());
    let errors = server.errors();
    assert!(
        errors.contains(&format!(
            "the directory {} for the database does not exist",
            nowhere.display()
        )),
        "{errors}"
    );
}

#[actix_web::test]
async fn the_text_log_is_plain_names_a_clickable_address_and_leaves_out_dependency_chatter() {
    let database = TestDatabase::new();
    let url = database.url();
    let mut server = RunningBinary::start(
        "litekv-server",
        &["--bind", "127.0.0.1:0", "--database-url", &url, "--log-format", "text"],
    );
    let line = server.wait_for_log("litekv listening").await;
    let address = line
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches(',');
    assert!(line.contains(&format!("API docs at {address}/docs")), "{line}");
    assert!(line.contains("synchronous=full"), "{line}");
    let docs = awc::Client::new().get(format!("{address}/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);

    server.terminate();
    assert!(server.wait().await.success());
    let log = server.log();
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log that is not a terminal:\n{log}"
    );
    for chatter in ["actix_server", "tokio_cron_scheduler", "Actix runtime found"] {
        assert!(!log.contains(chatter), "{chatter:?} at the default level:\n{log}");
    }
    assert!(log.contains("stopped"), "{log}");
}

#[actix_web::test]
async fn each_binary_offers_only_the_flags_it_uses_in_its_own_words() {
    let mut cleanup = RunningBinary::start("litekv-cleanup", &["--help"]);
    assert!(cleanup.wait().await.success());
    let help = cleanup.log();
    for flag in [
        "--schedule",
        "--once",
        "--database-url",
        "--sweep-batch",
        "--busy-timeout-ms",
    ] {
        assert!(help.contains(flag), "{flag} missing:\n{help}");
    }
    for server_only in [
        "--bind",
        "--read-connections",
        "--cache-bytes",
        "--token",
        "503",
        "HTTP",
        "request",
    ] {
        assert!(
            !help.contains(server_only),
            "{server_only:?} in the cleanup's help:\n{help}"
        );
    }
    assert!(help.contains("never created here"), "{help}");

    let mut server = RunningBinary::start("litekv-server", &["--help"]);
    assert!(server.wait().await.success());
    let help = server.log();
    for flag in [
        "--bind",
        "--read-connections",
        "--database-url",
        "--token",
        "--sweep-interval",
    ] {
        assert!(help.contains(flag), "{flag} missing:\n{help}");
    }
    assert!(!help.contains("--schedule"), "{help}");
    assert!(help.contains("the server creates and migrates it if missing"), "{help}");
}

/// Subscribers, watchers and blocked clients hold connections that never end by themselves;
/// SIGTERM ends them first (the SSE streams end, the watch saying why; a RESP subscriber and
/// a blocked client get an error), so the stop does not wait out `--shutdown-timeout` (60 s
/// here, more than `wait` waits).
#[actix_web::test]
async fn sigterm_ends_subscribers_watchers_and_blocked_clients_and_exits() {
    use futures_util::StreamExt;
    let database = TestDatabase::new();
    let (mut server, address) = RunningBinary::server(&database, &["--shutdown-timeout", "60"]).await;
    let resp = server.resp_address().await;
    let mut stream = awc::Client::default()
        .post(format!("{address}/subscribe/news"))
        .send_body("[]")
        .await
        .unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(&first[..], b"data: subscribe,news,1\n\n");
    let mut subscriber = crate::resp::RespClient::connect(resp).await;
    subscriber.send(&["SUBSCRIBE", "news"]).await;
    subscriber.read().await.unwrap();
    let mut watch = awc::Client::default()
        .get(format!("{address}/watch/jobs"))
        .send()
        .await
        .unwrap();
    let current = watch.next().await.unwrap().unwrap();
    assert!(std::str::from_utf8(&current).unwrap().contains(r#""event":"current""#));
    let mut blocked = crate::resp::RespClient::connect(resp).await;
    blocked.send(&["BLPOP", "jobs", "0"]).await;
    let mut observer = crate::resp::RespClient::connect(resp).await;
    while !format!("{:?}", observer.call(&["INFO", "clients"]).await).contains("blocked_clients:1") {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    server.terminate();
    let ended = tokio::time::timeout(Duration::from_secs(20), stream.next()).await;
    assert!(matches!(ended, Ok(None)), "the event stream ends: {ended:?}");
    let last = watch.next().await.unwrap().unwrap();
    assert!(
        std::str::from_utf8(&last)
            .unwrap()
            .contains(r#""reason":"the server is shutting down""#),
        "{last:?}"
    );
    assert!(watch.next().await.is_none(), "the watch ends");
    let Ok(litekv::reply::Reply::Error(error)) = subscriber.read().await else {
        panic!("the RESP subscriber is told");
    };
    assert_eq!(error.as_str(), "ERR the server is shutting down");
    let Ok(litekv::reply::Reply::Error(error)) = blocked.read().await else {
        panic!("the blocked client is told");
    };
    assert_eq!(error.as_str(), "UNBLOCKED the server is shutting down");
    assert!(server.wait().await.success());
}

/// SAVE moves the log into the database file; SHUTDOWN (read-write tokens only) stops the
/// server as SIGTERM does, closing the connection unanswered as Redis does; SAVE and
/// SHUTDOWN are refused inside MULTI, BGSAVE is queued (compared with redis-server 7.0.15).
#[actix_web::test]
async fn save_and_shutdown_over_the_redis_protocol() {
    let database = TestDatabase::new();
    let (mut server, _) = RunningBinary::server(&database, &["--token", "rw", "--read-only-token", "ro"]).await;
    let address = server.resp_address().await;
    let mut client = RespClient::connect(address).await;
    let not_in_multi = Reply::Error(CmdError::new("ERR Command not allowed inside a transaction"));
    let steps: &[(&[&str], Reply)] = &[
        (&["AUTH", "rw"], Reply::OK),
        (&["SET", "kept", "yes"], Reply::OK),
        (&["SAVE"], Reply::OK),
        (&["BGSAVE"], Reply::status("Background saving started")),
        (&["BGSAVE", "bogus"], Reply::Error(CmdError::new("ERR syntax error"))),
        (&["MULTI"], Reply::OK),
        (&["SAVE"], not_in_multi.clone()),
        (&["SHUTDOWN"], not_in_multi),
        (
            &["EXEC"],
            Reply::Error(CmdError::new(
                "EXECABORT Transaction discarded because of previous errors.",
            )),
        ),
        (&["MULTI"], Reply::OK),
        (&["INCR", "n"], Reply::status("QUEUED")),
        (&["BGSAVE"], Reply::status("QUEUED")),
        (
            &["EXEC"],
            Reply::Array(vec![Reply::Int(1), Reply::status("Background saving scheduled")]),
        ),
    ];
    for (command, expected) in steps {
        assert_eq!(&client.call(command).await, expected, "{command:?}");
    }
    let mut reader = RespClient::connect(address).await;
    assert_eq!(reader.call(&["AUTH", "ro"]).await, Reply::OK);
    let Reply::Error(refused) = reader.call(&["SHUTDOWN"]).await else {
        panic!("a read-only token may not stop the server");
    };
    assert!(refused.as_str().starts_with("NOPERM"), "{refused}");
    client.send(&["SHUTDOWN"]).await;
    assert!(client.is_closed().await, "SHUTDOWN closes the connection unanswered");
    assert!(server.wait().await.success(), "the server stops cleanly");
    let store = database.open_store().await;
    let value = store.get(b"kept", 0).await.unwrap();
    assert!(matches!(value, litekv::store::Lookup::Live(entry) if entry.value == "yes"));
}

/// A PostgreSQL URL that asks for TLS gets it, the server's certificate checked against the
/// root given (`sslmode=verify-ca&sslrootcert=...`), on every connection the server opens;
/// a root that did not sign it stops the start, saying so. Needs a PostgreSQL server with TLS
/// on, as `.ci/postgres` starts one.
#[actix_web::test]
async fn a_postgresql_url_that_asks_for_tls_gets_it_on_every_connection() {
    use sqlx::Connection;
    if crate::database::skipped_on_sqlite("it connects to PostgreSQL") {
        return;
    }
    let server = crate::database::postgres_server().unwrap();
    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
    let ssl: String = sqlx::query_scalar("show ssl").fetch_one(&mut admin).await.unwrap();
    if ssl != "on" {
        return eprintln!("skipped: the PostgreSQL server has TLS off");
    }
    let root = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    let database = crate::database::new_postgres_database(&server);
    let separator = if database.contains('?') { '&' } else { '?' };
    let url = format!("{database}{separator}sslmode=verify-ca&sslrootcert={root}");
    let litekv = RunningBinary::start("litekv-server", &["--bind", "127.0.0.1:0", "--database-url", &url]);
    let mut client = RespClient::connect(litekv.resp_address().await).await;
    assert_eq!(client.call(&["SET", "k", "v"]).await, Reply::OK);
    let name = database
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let connections: Vec<bool> = sqlx::query_scalar(
        "select s.ssl from pg_stat_ssl s join pg_stat_activity a using (pid)
         where a.datname = $1 and a.application_name like 'litekv-server pid %'",
    )
    .bind(&name)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(connections.len() >= 2, "{connections:?}");
    assert!(connections.iter().all(|ssl| *ssl), "{connections:?}");

    let wrong_root = format!("{database}{separator}sslmode=verify-ca&sslrootcert=/etc/ssl/certs/ca-certificates.crt");
    let mut refused = RunningBinary::start(
        "litekv-server",
        &["--bind", "127.0.0.1:0", "--database-url", &wrong_root],
    );
    assert!(!refused.wait().await.success());
    assert!(
        refused.errors().contains("invalid peer certificate"),
        "{}",
        refused.errors()
    );
}

/// A port already taken stops the start with an error naming the flag that chose it, for
/// each door.
#[actix_web::test]
async fn a_port_in_use_is_refused_naming_its_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    for (flags, named) in [
        (
            ["--bind", port.as_str(), "--resp-bind", "127.0.0.1:0"],
            "--bind, LITEKV_BIND",
        ),
        (
            ["--bind", "127.0.0.1:0", "--resp-bind", port.as_str()],
            "--resp-bind, LITEKV_RESP_BIND",
        ),
    ] {
        let database = TestDatabase::new();
        let url = database.url();
        let args = [&flags[..], &["--database-url", &url]].concat();
        let mut server = RunningBinary::start("litekv-server", &args);
        assert!(!server.wait().await.success());
        assert!(server.errors().contains(named), "{}", server.errors());
    }
}
