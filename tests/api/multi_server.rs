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
