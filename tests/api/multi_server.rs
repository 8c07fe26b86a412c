//! Two servers on one PostgreSQL database, as `compose.yaml`'s `postgres` profile runs them:
//! Redis semantics hold across them. Skipped on SQLite, whose file one server serves.

use futures_util::future::join_all;
use litekv::reply::Reply;

use crate::database::skipped_on_sqlite;
use crate::helpers::{RunningBinary, TestDatabase};
use crate::resp::RespClient;

/// Two servers on one new database, and their Redis protocol doors.
async fn two_servers() -> (TestDatabase, [RunningBinary; 2], [std::net::SocketAddr; 2]) {
    let database = TestDatabase::new();
    let (first, _) = RunningBinary::server(&database, &[]).await;
    let (second, _) = RunningBinary::server(&database, &[]).await;
    let doors = [first.resp_address().await, second.resp_address().await];
    (database, [first, second], doors)
}

/// Says why a test of servers sharing a database does nothing on SQLite.
fn on_sqlite() -> bool {
    skipped_on_sqlite("one server at a time serves a SQLite file")
}

/// 16 clients, 8 on each server, each sending 2,000 INCRs of one key in pipelined runs: the
/// counter ends at exactly 32,000, as no increment is lost between the servers.
#[actix_web::test]
async fn increments_through_both_servers_add_up_exactly() {
    if on_sqlite() {
        return;
    }
    let (_database, _servers, doors) = two_servers().await;
    let clients = (0..16).map(|index| async move {
        let mut client = RespClient::connect(doors[index % 2]).await;
        for _ in 0..20 {
            for _ in 0..100 {
                client.send(&["INCR", "hits"]).await;
            }
            for _ in 0..100 {
                assert!(matches!(client.read().await.unwrap(), Reply::Int(_)));
            }
        }
    });
    join_all(clients).await;
    for door in doors {
        let mut client = RespClient::connect(door).await;
        assert_eq!(client.call(&["GET", "hits"]).await, Reply::Bulk("32000".into()));
    }
}

/// WATCH on one server, a write through the other, EXEC on the first: called off, as on one
/// Redis. Untouched, the same transaction runs; a write of another key does not call it off.
#[actix_web::test]
async fn a_write_through_one_server_calls_off_a_transaction_watching_on_the_other() {
    if on_sqlite() {
        return;
    }
    let (_database, _servers, [first, second]) = two_servers().await;
    let mut watcher = RespClient::connect(first).await;
    let mut writer = RespClient::connect(second).await;
    for (key, written, called_off) in [("balance", "balance", true), ("balance", "other", false)] {
        assert_eq!(watcher.call(&["SET", key, "10"]).await, Reply::OK);
        assert_eq!(watcher.call(&["WATCH", key]).await, Reply::OK);
        assert_eq!(writer.call(&["SET", written, "99"]).await, Reply::OK);
        assert_eq!(watcher.call(&["MULTI"]).await, Reply::OK);
        assert_eq!(
            watcher.call(&["INCRBY", key, "5"]).await,
            Reply::Status("QUEUED".into())
        );
        let exec = watcher.call(&["EXEC"]).await;
        match called_off {
            true => assert_eq!(exec, Reply::NilArray, "written through {written}"),
            false => assert_eq!(exec, Reply::Array(vec![Reply::Int(15)]), "written through {written}"),
        }
    }
    // A key that did not exist when watched, created through the other server.
    assert_eq!(watcher.call(&["WATCH", "fresh"]).await, Reply::OK);
    assert_eq!(writer.call(&["SET", "fresh", "1"]).await, Reply::OK);
    assert_eq!(watcher.call(&["MULTI"]).await, Reply::OK);
    watcher.call(&["SET", "fresh", "2"]).await;
    assert_eq!(watcher.call(&["EXEC"]).await, Reply::NilArray);
    assert_eq!(writer.call(&["GET", "fresh"]).await, Reply::Bulk("1".into()));
}

/// Both servers start on one database, and each sees the other's writes at once.
#[actix_web::test]
async fn a_postgresql_database_serves_two_servers_at_once() {
    if on_sqlite() {
        return;
    }
    let (_database, servers, [first, second]) = two_servers().await;
    assert!(servers.iter().all(|server| server.errors().is_empty()));
    let mut one = RespClient::connect(first).await;
    let mut other = RespClient::connect(second).await;
    assert_eq!(one.call(&["SET", "k", "v"]).await, Reply::OK);
    assert_eq!(other.call(&["GET", "k"]).await, Reply::Bulk("v".into()));
    assert_eq!(other.call(&["DEL", "k"]).await, Reply::Int(1));
    // No cache on PostgreSQL: the first server sees the other's delete at once.
    assert_eq!(one.call(&["GET", "k"]).await, Reply::Nil);
}

/// A message PUBLISHed on one server reaches the other's subscribers of its channel and of a
/// pattern matching it, binary payload unchanged; PUBLISH counts the receivers of the server
/// it was sent to, as Redis Cluster's does.
#[actix_web::test]
async fn a_message_published_on_one_server_reaches_subscribers_of_the_other() {
    if on_sqlite() {
        return;
    }
    let (_database, _servers, [first, second]) = two_servers().await;
    let mut subscriber = RespClient::connect(first).await;
    subscriber.send(&["SUBSCRIBE", "news"]).await;
    subscriber.read().await.unwrap();
    subscriber.send(&["PSUBSCRIBE", "ne*"]).await;
    subscriber.read().await.unwrap();
    let mut publisher = RespClient::connect(second).await;
    let payload: &[u8] = b"\x00\xffbinary \r\n payload";
    assert_eq!(
        publisher.call(&[&b"PUBLISH"[..], b"news", payload]).await,
        Reply::Int(0)
    );
    let message = |kind: &str, rest: &[&[u8]]| {
        let mut parts = vec![Reply::Bulk(kind.as_bytes().to_vec().into())];
        parts.extend(rest.iter().map(|part| Reply::Bulk(part.to_vec().into())));
        Reply::Array(parts)
    };
    let mut heard = vec![subscriber.read().await.unwrap(), subscriber.read().await.unwrap()];
    heard.sort_by_key(|reply| format!("{reply:?}"));
    let mut expected = vec![
        message("message", &[b"news", payload]),
        message("pmessage", &[b"ne*", b"news", payload]),
    ];
    expected.sort_by_key(|reply| format!("{reply:?}"));
    assert_eq!(heard, expected);
    // Longer than a notification carries: it travels through the outbox table.
    let long: Vec<u8> = (0..20_000_u32).map(|n| (n % 251) as u8).collect();
    subscriber.send(&["UNSUBSCRIBE", "news"]).await;
    subscriber.read().await.unwrap();
    assert_eq!(publisher.call(&[&b"PUBLISH"[..], b"news", &long]).await, Reply::Int(0));
    assert_eq!(
        subscriber.read().await.unwrap(),
        message("pmessage", &[b"ne*", b"news", &long])
    );
}

/// A script that touches a key it did not declare, which another server holds, fails with
/// Redis Cluster's TRYAGAIN, and its writes are undone; declared, the script waits for the
/// key instead (here past the busy timeout, as the holder never lets go).
#[actix_web::test]
async fn a_script_touching_an_undeclared_key_another_server_holds_is_told_to_try_again() {
    use sqlx::Connection;
    if on_sqlite() {
        return;
    }
    let database = TestDatabase::new();
    let (server, _) = RunningBinary::server(&database, &["--busy-timeout-ms", "300"]).await;
    let mut client = RespClient::connect(server.resp_address().await).await;
    assert_eq!(client.call(&["SET", "held", "1"]).await, Reply::OK);
    // Another server's batch holding the key, as its advisory lock.
    let mut other_server = sqlx::PgConnection::connect(&database.url()).await.unwrap();
    sqlx::query("select pg_advisory_lock(litekv_key_lock('held'::bytea))")
        .execute(&mut other_server)
        .await
        .unwrap();
    let undeclared = "redis.call('SET', KEYS[1], 'written'); return redis.call('INCR', 'held')";
    let reply = client.call(&["EVAL", undeclared, "1", "mine"]).await;
    assert!(
        matches!(&reply, Reply::Error(error) if error.as_str().starts_with("TRYAGAIN") && error.as_str().contains("'held'")),
        "{reply:?}"
    );
    assert_eq!(
        client.call(&["GET", "mine"]).await,
        Reply::Nil,
        "the script's writes are undone"
    );
    let declared = "return redis.call('INCR', KEYS[1])";
    let reply = client.call(&["EVAL", declared, "1", "held"]).await;
    assert!(
        matches!(&reply, Reply::Error(error) if error.as_str().contains("busy")),
        "{reply:?}"
    );
    other_server.close().await.unwrap();
    assert_eq!(client.call(&["EVAL", declared, "1", "held"]).await, Reply::Int(2));
}

/// Clients blocked in BLPOP and BLMOVE on both servers, elements pushed through both: each
/// element is popped once, by one client, whichever server it waits on (a moved one lands in
/// the destination list once).
#[actix_web::test]
async fn every_element_pushed_through_either_server_is_popped_once() {
    if on_sqlite() {
        return;
    }
    let (_database, _servers, doors) = two_servers().await;
    const ELEMENTS: usize = 200;
    let consumers: Vec<_> = (0..4)
        .map(|index| {
            actix_web::rt::spawn(async move {
                let mut client = RespClient::connect(doors[index % 2]).await;
                let mut popped = Vec::new();
                // Each ends once the queue stays empty for 3 s.
                if index < 2 {
                    while let Reply::Array(pair) = client.call(&["BLPOP", "queue", "3"]).await {
                        let Reply::Bulk(element) = &pair[1] else {
                            panic!("{pair:?}");
                        };
                        popped.push(String::from_utf8(element.to_vec()).unwrap());
                    }
                } else {
                    while let Reply::Bulk(element) =
                        client.call(&["BLMOVE", "queue", "moved", "LEFT", "RIGHT", "3"]).await
                    {
                        popped.push(String::from_utf8(element.to_vec()).unwrap());
                    }
                }
                popped
            })
        })
        .collect();
    // The consumers are waiting before the first push.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut producers = [RespClient::connect(doors[0]).await, RespClient::connect(doors[1]).await];
    for element in 0..ELEMENTS {
        let producer = &mut producers[element % 2];
        assert!(matches!(
            producer.call(&["RPUSH", "queue", &element.to_string()]).await,
            Reply::Int(_)
        ));
    }
    let (mut popped, mut moved_by_clients): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    for (index, consumer) in consumers.into_iter().enumerate() {
        let taken: Vec<usize> = consumer
            .await
            .unwrap()
            .iter()
            .map(|element| element.parse().unwrap())
            .collect();
        if index >= 2 {
            moved_by_clients.extend(&taken);
        }
        popped.extend(taken);
    }
    popped.sort_unstable();
    assert_eq!(popped, (0..ELEMENTS).collect::<Vec<_>>());
    // What the BLMOVE clients took is in the destination, once each.
    let Reply::Array(moved) = producers[0].call(&["LRANGE", "moved", "0", "-1"]).await else {
        panic!("the destination is a list");
    };
    let mut moved: Vec<usize> = moved.iter().map(number).collect();
    moved.sort_unstable();
    moved_by_clients.sort_unstable();
    assert!(!moved.is_empty(), "BLMOVE clients were served too");
    assert_eq!(moved, moved_by_clients);
}

fn number(reply: &Reply) -> usize {
    match reply {
        Reply::Bulk(text) => std::str::from_utf8(text).unwrap().parse().unwrap(),
        other => panic!("{other:?}"),
    }
}

/// A key event of a write through one server reaches the other's keyspace subscribers (its
/// own `notify-keyspace-events` decides which, as each Redis node's does).
#[actix_web::test]
async fn a_write_through_one_server_raises_its_keyspace_event_on_the_other() {
    if on_sqlite() {
        return;
    }
    let (_database, _servers, [first, second]) = two_servers().await;
    let mut subscriber = RespClient::connect(first).await;
    assert_eq!(
        subscriber
            .call(&["CONFIG", "SET", "notify-keyspace-events", "KA"])
            .await,
        Reply::OK
    );
    subscriber.send(&["SUBSCRIBE", "__keyspace@0__:watched"]).await;
    subscriber.read().await.unwrap();
    let mut writer = RespClient::connect(second).await;
    assert_eq!(writer.call(&["SET", "watched", "1"]).await, Reply::OK);
    assert_eq!(writer.call(&["LPUSH", "other", "1"]).await, Reply::Int(1));
    assert_eq!(writer.call(&["DEL", "watched"]).await, Reply::Int(1));
    for event in ["set", "del"] {
        assert_eq!(
            subscriber.read().await.unwrap(),
            Reply::Array(vec![
                Reply::Bulk("message".into()),
                Reply::Bulk("__keyspace@0__:watched".into()),
                Reply::Bulk(event.into()),
            ])
        );
    }
}

/// A function library loaded through one server runs through the other.
#[actix_web::test]
async fn a_function_loaded_on_one_server_runs_on_the_other() {
    if on_sqlite() {
        return;
    }
    let (_database, _servers, [first, second]) = two_servers().await;
    let mut loader = RespClient::connect(first).await;
    let library = "#!lua name=shared\nredis.register_function('hello', function() return 'hi' end)";
    assert_eq!(
        loader.call(&["FUNCTION", "LOAD", library]).await,
        Reply::Bulk("shared".into())
    );
    let mut caller = RespClient::connect(second).await;
    let mut answer = caller.call(&["FCALL", "hello", "0"]).await;
    for _ in 0..50 {
        if answer == Reply::Bulk("hi".into()) {
            break;
        }
        // The change is told once it committed: the other server hears of it a moment later.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        answer = caller.call(&["FCALL", "hello", "0"]).await;
    }
    assert_eq!(answer, Reply::Bulk("hi".into()));
}

/// A script SCRIPT LOADed through one server runs by its SHA1 through the other; SCRIPT FLUSH
/// through either forgets it for both (for EVALSHA; each server's own cache too, on the one
/// flushed).
#[actix_web::test]
async fn a_script_loaded_on_one_server_runs_by_its_sha1_on_the_other() {
    if on_sqlite() {
        return;
    }
    let (_database, _servers, [first, second]) = two_servers().await;
    let mut loader = RespClient::connect(first).await;
    let Reply::Bulk(sha) = loader.call(&["SCRIPT", "LOAD", "return 'from ' .. ARGV[1]"]).await else {
        panic!("SCRIPT LOAD answers the SHA1");
    };
    let sha = String::from_utf8(sha.to_vec()).unwrap();
    let mut caller = RespClient::connect(second).await;
    assert_eq!(
        caller.call(&["EVALSHA", &sha, "0", "b"]).await,
        Reply::Bulk("from b".into())
    );
    let flushed = "return 'flushed'";
    let Reply::Bulk(flushed_sha) = loader.call(&["SCRIPT", "LOAD", flushed]).await else {
        panic!("SCRIPT LOAD answers the SHA1");
    };
    assert_eq!(loader.call(&["SCRIPT", "FLUSH"]).await, Reply::OK);
    let unknown = caller.call(&[&b"EVALSHA"[..], &flushed_sha, b"0"]).await;
    assert!(
        matches!(&unknown, Reply::Error(error) if error.as_str().starts_with("NOSCRIPT")),
        "{unknown:?}"
    );
}

/// @upstash/ratelimit's three algorithms, each request sent to one server or the other: one
/// limit holds across both, as their scripts run atomically across servers.
#[actix_web::test]
async fn upstash_ratelimit_holds_one_limit_across_both_servers() {
    if on_sqlite() {
        return;
    }
    let dir = crate::clients::node_clients();
    let database = TestDatabase::new();
    let token = "two-servers-token";
    let flags = ["--token", token];
    let (_first, first) = RunningBinary::server(&database, &flags).await;
    let (_second, second) = RunningBinary::server(&database, &flags).await;
    let output = tokio::task::spawn_blocking(move || {
        crate::clients::run(
            std::process::Command::new("node")
                .arg("upstash_ratelimit_two_servers.mjs")
                .current_dir(&dir)
                .env("FIRST_URL", &first)
                .env("SECOND_URL", &second)
                .env("UPSTASH_REDIS_REST_TOKEN", token)
                .env("UPSTASH_DISABLE_TELEMETRY", "1"),
        )
    })
    .await
    .unwrap();
    assert!(output.contains("3 checks passed"), "{output}");
}

/// SIGKILL of one server under load: the other serves on (the dead server's locks went with
/// its connections, so its keys are free at once), and no acknowledged write is lost: each
/// client's own counter holds at least the increments it saw acknowledged, and at most one
/// more (the one in flight when its server died).
#[actix_web::test]
async fn a_server_killed_under_load_loses_no_acknowledged_write_and_the_other_serves_on() {
    if on_sqlite() {
        return;
    }
    let (_database, [mut first, _second], doors) = two_servers().await;
    let clients: Vec<_> = (0..8)
        .map(|index| {
            actix_web::rt::spawn(async move {
                let mut client = RespClient::connect(doors[index % 2]).await;
                let key = format!("counter-{index}");
                let mut acknowledged = 0_u64;
                let until = std::time::Instant::now() + std::time::Duration::from_secs(2);
                while std::time::Instant::now() < until {
                    match client.try_call(&["INCR", &key]).await {
                        Ok(Reply::Int(_)) => acknowledged += 1,
                        _ => break,
                    }
                }
                (key, index % 2, acknowledged)
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    first.kill();
    let mut survivor = RespClient::connect(doors[1]).await;
    for client in clients {
        let (key, server, acknowledged) = client.await.unwrap();
        assert!(acknowledged > 0, "{key} was written before the kill");
        let Reply::Bulk(value) = survivor.call(&["GET", &key]).await else {
            panic!("{key} has a value");
        };
        let value: u64 = std::str::from_utf8(&value).unwrap().parse().unwrap();
        match server {
            // The survivor's clients ran to the end: every increment was answered.
            1 => assert_eq!(value, acknowledged, "{key}"),
            _ => assert!(
                (acknowledged..=acknowledged + 1).contains(&value),
                "{key}: {value}, {acknowledged} acknowledged"
            ),
        }
        // The dead server's keys are not held by its locks.
        let started = std::time::Instant::now();
        assert_eq!(survivor.call(&["INCR", &key]).await, Reply::Int(value as i64 + 1));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{key} waited for a lock"
        );
    }
}

/// With `--postgres-cache`, each server caches values, and forgets one once another server's
/// write to its key is heard of: a read through the other server sees a new value, a
/// deletion and a FLUSHDB within moments (and, with the news lost, at once after its cache
/// was cleared). Without that news, the cached value would be answered for ever.
#[actix_web::test]
async fn a_cache_on_postgresql_forgets_what_other_servers_wrote() {
    if on_sqlite() {
        return;
    }
    let database = TestDatabase::new();
    let (writer, _) = RunningBinary::server(&database, &["--postgres-cache"]).await;
    let (reader, _) = RunningBinary::server(&database, &["--postgres-cache"]).await;
    let mut writer = RespClient::connect(writer.resp_address().await).await;
    let mut reader = RespClient::connect(reader.resp_address().await).await;
    /// Reads `key` through `client` until it answers `expected`, for up to 2 s.
    async fn eventually(client: &mut RespClient, key: &str, expected: Reply) {
        let mut answer = client.call(&["GET", key]).await;
        for _ in 0..100 {
            if answer == expected {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            answer = client.call(&["GET", key]).await;
        }
        assert_eq!(answer, expected, "{key}");
    }
    for (key, value) in [("a", "1"), ("b", "1")] {
        assert_eq!(writer.call(&["SET", key, value]).await, Reply::OK);
        // Read, and so cached, by the other server.
        eventually(&mut reader, key, Reply::Bulk(value.into())).await;
    }
    assert_eq!(writer.call(&["SET", "a", "2"]).await, Reply::OK);
    eventually(&mut reader, "a", Reply::Bulk("2".into())).await;
    assert_eq!(writer.call(&["DEL", "a"]).await, Reply::Int(1));
    eventually(&mut reader, "a", Reply::Nil).await;
    assert_eq!(writer.call(&["FLUSHDB"]).await, Reply::OK);
    eventually(&mut reader, "b", Reply::Nil).await;
}

/// `GET /watch/<key>` on one server follows writes made through the other.
#[actix_web::test]
async fn a_watch_on_one_server_follows_writes_through_the_other() {
    if on_sqlite() {
        return;
    }
    let database = TestDatabase::new();
    let (_first, first_address) = RunningBinary::server(&database, &[]).await;
    let (second, _) = RunningBinary::server(&database, &[]).await;
    let mut watcher = crate::watch::Watcher::start_at(&first_address, "/watch/status").await;
    assert_eq!(watcher.next().await.unwrap()["event"], "current");
    let mut writer = RespClient::connect(second.resp_address().await).await;
    assert_eq!(writer.call(&["SET", "status", "\"green\""]).await, Reply::OK);
    let event = watcher.next().await.unwrap();
    assert_eq!(
        (event["event"].as_str(), event["value"].as_str()),
        (Some("set"), Some("green")),
        "{event}"
    );
    assert_eq!(writer.call(&["DEL", "status"]).await, Reply::Int(1));
    assert_eq!(watcher.next().await.unwrap()["event"], "del");
}
