//! The Redis protocol door over a real TCP connection: framing, RESP3, tokens, connection
//! commands, transactions with WATCH, and the limits that guard the server.

use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use litekv::config::ServerConfig;
use litekv::reply::{CmdError, Reply};
use litekv::startup::Application;
use serde_json::json;

use crate::database::WriteLockHolder;
use crate::helpers::{TestDatabase, spawn_app, spawn_app_with};
use crate::resp::{RespClient, encode_command};

fn bulk(text: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(text.as_bytes()))
}

fn error(text: &str) -> Reply {
    Reply::Error(CmdError::new(text.to_owned()))
}

#[actix_web::test]
async fn inline_commands_and_pipelines_are_answered_in_order() {
    let (app, _database) = spawn_app().await;
    let mut client = app.resp_client().await;
    let mut pipeline = b"PING\r\nSET greeting \"hello world\"\r\n".to_vec();
    for _ in 0..200 {
        pipeline.extend(encode_command(&["INCR", "n"]));
    }
    pipeline.extend(encode_command(&["GET", "greeting"]));
    client.send_raw(&pipeline).await;
    assert_eq!(client.read().await.unwrap(), Reply::status("PONG"));
    assert_eq!(client.read().await.unwrap(), Reply::OK);
    for expected in 1..=200 {
        assert_eq!(client.read().await.unwrap(), Reply::Int(expected));
    }
    assert_eq!(client.read().await.unwrap(), bulk("hello world"));
    // Written through RESP, read through HTTP: one engine under both doors.
    assert_eq!(app.redis(json!(["GET", "n"])).await, json!({"result": "200"}));
}

#[actix_web::test]
async fn a_malformed_frame_is_a_protocol_error_that_closes_the_connection() {
    let (app, _database) = spawn_app_with(&["--max-value-bytes", "100"]).await;
    for (frame, message) in [
        (&b"*1\r\n+PING\r\n"[..], "ERR Protocol error: expected '$', got '+'"),
        (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
        (
            b"*2\r\n$3\r\nGET\r\n$512000\r\n",
            "ERR Protocol error: invalid bulk length",
        ),
        (
            b"SET k \"unclosed\r\n",
            "ERR Protocol error: unbalanced quotes in request",
        ),
    ] {
        let mut client = app.resp_client().await;
        client.send_raw(b"PING\r\n").await;
        client.send_raw(frame).await;
        assert_eq!(client.read().await.unwrap(), Reply::status("PONG"));
        assert_eq!(client.read().await.unwrap(), error(message));
        assert!(client.is_closed().await, "{message}");
    }
    let mut client = app.resp_client().await;
    assert_eq!(client.call(&["PING"]).await, Reply::status("PONG"));
}

#[actix_web::test]
async fn hello_3_switches_to_resp3_types() {
    let (app, _database) = spawn_app().await;
    let mut client = app.resp_client().await;
    for command in [
        &["HSET", "h", "f", "v"][..],
        &["SADD", "s", "m"],
        &["ZADD", "z", "1.5", "m"],
    ] {
        assert_eq!(client.call(command).await, Reply::Int(1));
    }
    assert_eq!(
        client.call(&["HGETALL", "h"]).await,
        Reply::Array(vec![bulk("f"), bulk("v")])
    );
    let Reply::Map(hello) = client.call(&["HELLO", "3"]).await else {
        panic!("HELLO answers a map");
    };
    assert!(hello.contains(&(bulk("proto"), Reply::Int(3))), "{hello:?}");
    assert!(hello.contains(&(bulk("server"), bulk("redis"))), "{hello:?}");
    assert_eq!(
        client.call(&["HGETALL", "h"]).await,
        Reply::Map(vec![(bulk("f"), bulk("v"))])
    );
    assert_eq!(client.call(&["SMEMBERS", "s"]).await, Reply::Set(vec![bulk("m")]));
    assert_eq!(client.call(&["ZSCORE", "z", "m"]).await, Reply::Double(1.5));
    assert_eq!(
        client.call(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]).await,
        Reply::Array(vec![Reply::Array(vec![bulk("m"), Reply::Double(1.5)])])
    );
    assert_eq!(client.call(&["GET", "missing"]).await, Reply::Nil);
    assert_eq!(
        client.call(&["HELLO", "4"]).await,
        error("NOPROTO unsupported protocol version")
    );
    assert_eq!(client.call(&["RESET"]).await, Reply::status("RESET"));
    assert_eq!(client.call(&["ZSCORE", "z", "m"]).await, bulk("1.5"));
}

#[actix_web::test]
async fn tokens_guard_the_door_as_they_guard_http() {
    let (app, _database) = spawn_app_with(&["--token", "writer", "--read-only-token", "reader"]).await;
    let mut client = app.resp_client().await;
    assert_eq!(
        client.call(&["GET", "k"]).await,
        error("NOAUTH Authentication required.")
    );
    let wrongpass = error("WRONGPASS invalid username-password pair or user is disabled.");
    assert_eq!(client.call(&["AUTH", "guess"]).await, wrongpass);
    assert_eq!(client.call(&["AUTH", "admin", "writer"]).await, wrongpass);
    assert_eq!(client.call(&["AUTH", "writer"]).await, Reply::OK);
    assert_eq!(client.call(&["SET", "k", "v"]).await, Reply::OK);
    // An empty user name is the default user's, as redis-cli sends for redis://:token@host.
    assert_eq!(client.call(&["AUTH", "", "writer"]).await, Reply::OK);

    let mut reader = app.resp_client().await;
    assert_eq!(reader.call(&["AUTH", "default", "reader"]).await, Reply::OK);
    assert_eq!(reader.call(&["GET", "k"]).await, bulk("v"));
    assert_eq!(
        reader.call(&["SET", "k", "w"]).await,
        error("NOPERM this token is read-only: it has no permissions to run the 'set' command")
    );
    assert_eq!(reader.call(&["MULTI"]).await, Reply::OK);
    assert!(matches!(reader.call(&["DEL", "k"]).await, Reply::Error(error) if error.as_str().starts_with("NOPERM")));
    assert!(matches!(reader.call(&["EXEC"]).await, Reply::Error(error) if error.as_str().starts_with("EXECABORT")));

    let mut hello = app.resp_client().await;
    assert!(matches!(hello.call(&["HELLO", "3"]).await, Reply::Error(error) if error.as_str().starts_with("NOAUTH")));
    assert!(matches!(
        hello.call(&["HELLO", "3", "AUTH", "default", "writer"]).await,
        Reply::Map(_)
    ));
    assert_eq!(hello.call(&["GET", "k"]).await, bulk("v"));

    // Before AUTH a stranger may not make the server buffer much.
    let mut stranger = app.resp_client().await;
    stranger.send_raw(b"*11\r\n").await;
    assert_eq!(
        stranger.read().await.unwrap(),
        error("ERR Protocol error: invalid multibulk length")
    );
    assert!(stranger.is_closed().await);
}

#[actix_web::test]
async fn multi_queues_and_exec_runs_the_queue_as_redis_does() {
    let (app, _database) = spawn_app().await;
    let mut client = app.resp_client().await;
    let queued = Reply::status("QUEUED");
    assert_eq!(client.call(&["EXEC"]).await, error("ERR EXEC without MULTI"));
    assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
    assert_eq!(
        client.call(&["MULTI"]).await,
        error("ERR MULTI calls can not be nested")
    );
    assert_eq!(client.call(&["SET", "s", "text"]).await, queued);
    assert_eq!(client.call(&["INCR", "n"]).await, queued);
    assert_eq!(client.call(&["INCR", "s"]).await, queued);
    assert_eq!(client.call(&["SET", "k", "v", "XX", "NX"]).await, queued);
    assert_eq!(
        client.call(&["EXEC"]).await,
        Reply::Array(vec![
            Reply::OK,
            Reply::Int(1),
            error("ERR value is not an integer or out of range"),
            error("ERR syntax error"),
        ])
    );
    // An unknown command or a wrong arity discards the whole transaction.
    assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
    assert_eq!(client.call(&["INCR", "n"]).await, queued);
    assert!(matches!(client.call(&["NOPE"]).await, Reply::Error(_)));
    assert_eq!(
        client.call(&["EXEC"]).await,
        error("EXECABORT Transaction discarded because of previous errors.")
    );
    assert_eq!(client.call(&["GET", "n"]).await, bulk("1"));
    assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
    assert_eq!(client.call(&["INCR", "n"]).await, queued);
    assert_eq!(client.call(&["DISCARD"]).await, Reply::OK);
    assert_eq!(client.call(&["DISCARD"]).await, error("ERR DISCARD without MULTI"));
    assert_eq!(client.call(&["GET", "n"]).await, bulk("1"));
    // Connection commands are queued too, their replies in place, as in Redis 7.0.15.
    assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
    assert_eq!(client.call(&["CLIENT", "SETNAME", "queued"]).await, queued);
    assert_eq!(client.call(&["INCR", "n"]).await, queued);
    assert_eq!(client.call(&["SELECT", "0"]).await, queued);
    assert_eq!(client.call(&["CLIENT", "GETNAME"]).await, queued);
    assert_eq!(client.call(&["INCR", "n"]).await, queued);
    assert_eq!(
        client.call(&["EXEC"]).await,
        Reply::Array(vec![Reply::OK, Reply::Int(2), Reply::OK, bulk("queued"), Reply::Int(3)])
    );
    assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
    assert_eq!(
        client.call(&["SUBSCRIBE", "c"]).await,
        error("ERR SUBSCRIBE cannot be queued in a transaction here")
    );
    assert_eq!(
        client.call(&["EXEC"]).await,
        error("EXECABORT Transaction discarded because of previous errors.")
    );
}

#[actix_web::test]
async fn exec_is_called_off_when_a_watched_key_changed_through_any_door_or_expired() {
    let (app, _database) = spawn_app().await;
    let mut client = app.resp_client().await;
    let transaction = async |client: &mut RespClient| {
        assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
        assert_eq!(client.call(&["INCR", "counter"]).await, Reply::status("QUEUED"));
        client.call(&["EXEC"]).await
    };
    // Untouched: EXEC runs.
    assert_eq!(client.call(&["WATCH", "k"]).await, Reply::OK);
    assert_eq!(transaction(&mut client).await, Reply::Array(vec![Reply::Int(1)]));
    // Written over HTTP after WATCH: EXEC answers a null array and runs nothing.
    assert_eq!(client.call(&["WATCH", "k", "other"]).await, Reply::OK);
    app.redis(json!(["SET", "k", "changed"])).await;
    assert_eq!(transaction(&mut client).await, Reply::NilArray);
    assert_eq!(client.call(&["GET", "counter"]).await, bulk("1"));
    // Written through the JSON API.
    assert_eq!(client.call(&["WATCH", "k"]).await, Reply::OK);
    let (status, _) = app.post("/k/", json!({"value": {"from": "json"}})).await;
    assert_eq!(status, actix_web::http::StatusCode::OK);
    assert_eq!(transaction(&mut client).await, Reply::NilArray);
    // An element added to a collection that existed, by another RESP client.
    let mut other = app.resp_client().await;
    assert_eq!(other.call(&["RPUSH", "list", "a"]).await, Reply::Int(1));
    assert_eq!(client.call(&["WATCH", "list"]).await, Reply::OK);
    assert_eq!(other.call(&["RPUSH", "list", "b"]).await, Reply::Int(2));
    assert_eq!(transaction(&mut client).await, Reply::NilArray);
    // EXEC unwatched everything: the next transaction runs.
    assert_eq!(other.call(&["RPUSH", "list", "c"]).await, Reply::Int(3));
    assert_eq!(transaction(&mut client).await, Reply::Array(vec![Reply::Int(2)]));
    // A key that expires after WATCH.
    assert_eq!(client.call(&["SET", "session", "s", "PX", "1000"]).await, Reply::OK);
    assert_eq!(client.call(&["WATCH", "session"]).await, Reply::OK);
    app.clock.advance(Duration::from_secs(2));
    assert_eq!(transaction(&mut client).await, Reply::NilArray);
    // UNWATCH forgets a change.
    assert_eq!(client.call(&["WATCH", "k"]).await, Reply::OK);
    assert_eq!(other.call(&["DEL", "k"]).await, Reply::Int(1));
    assert_eq!(client.call(&["UNWATCH"]).await, Reply::OK);
    assert_eq!(transaction(&mut client).await, Reply::Array(vec![Reply::Int(3)]));
    // A write that changes nothing touches nothing, as in Redis: a SETNX that found its key,
    // and BITOP's sources (its destination is written).
    assert_eq!(other.call(&["SET", "src", "v"]).await, Reply::OK);
    assert_eq!(client.call(&["WATCH", "src"]).await, Reply::OK);
    assert_eq!(other.call(&["SETNX", "src", "w"]).await, Reply::Int(0));
    assert_eq!(other.call(&["SET", "src", "w", "NX"]).await, Reply::Nil);
    assert_eq!(other.call(&["BITOP", "OR", "dest", "src"]).await, Reply::Int(1));
    assert_eq!(transaction(&mut client).await, Reply::Array(vec![Reply::Int(4)]));
    assert_eq!(client.call(&["WATCH", "dest"]).await, Reply::OK);
    assert_eq!(other.call(&["BITOP", "OR", "dest", "src"]).await, Reply::Int(1));
    assert_eq!(transaction(&mut client).await, Reply::NilArray);
    // FLUSHDB touches the watched keys that existed, as in Redis 7.0.15: not one that did not.
    assert_eq!(client.call(&["WATCH", "absent"]).await, Reply::OK);
    assert_eq!(other.call(&["FLUSHDB"]).await, Reply::OK);
    assert_eq!(transaction(&mut client).await, Reply::Array(vec![Reply::Int(1)]));
    assert_eq!(other.call(&["SET", "present", "v"]).await, Reply::OK);
    assert_eq!(client.call(&["WATCH", "absent", "present"]).await, Reply::OK);
    assert_eq!(other.call(&["FLUSHALL"]).await, Reply::OK);
    assert_eq!(transaction(&mut client).await, Reply::NilArray);
    assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
    assert_eq!(
        client.call(&["WATCH", "k"]).await,
        error("ERR WATCH inside MULTI is not allowed")
    );
}

#[actix_web::test]
async fn connection_commands_answer_as_tools_expect() {
    let (app, _database) = spawn_app().await;
    let mut client = app.resp_client().await;
    // Without tokens, as Redis without a password: a password alone is refused, the default
    // user with any password accepted.
    assert!(
        matches!(client.call(&["AUTH", "pw"]).await, Reply::Error(error) if error.as_str().starts_with("ERR AUTH <password> called without"))
    );
    assert_eq!(client.call(&["AUTH", "default", "pw"]).await, Reply::OK);
    assert!(matches!(
        client.call(&["HELLO", "2", "AUTH", "default", "pw"]).await,
        // A map, flat in RESP2.
        Reply::Array(_)
    ));
    assert_eq!(client.call(&["SELECT", "0"]).await, Reply::OK);
    assert_eq!(
        client.call(&["SELECT", "1"]).await,
        error("ERR DB index is out of range")
    );
    assert_eq!(client.call(&["CLIENT", "GETNAME"]).await, Reply::Nil);
    assert_eq!(client.call(&["CLIENT", "SETNAME", "worker-1"]).await, Reply::OK);
    assert_eq!(
        client.call(&["CLIENT", "SETNAME", "has space"]).await,
        error("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(client.call(&["CLIENT", "GETNAME"]).await, bulk("worker-1"));
    assert_eq!(
        client.call(&["CLIENT", "SETINFO", "LIB-NAME", "tests"]).await,
        Reply::OK
    );
    let Reply::Int(id) = client.call(&["CLIENT", "ID"]).await else {
        panic!("CLIENT ID answers an integer");
    };
    let Reply::Bulk(list) = client.call(&["CLIENT", "LIST"]).await else {
        panic!("CLIENT LIST answers a string");
    };
    let list = String::from_utf8_lossy(&list);
    assert!(
        list.contains(&format!("id={id} ")) && list.contains("name=worker-1 ") && list.contains("lib-name=tests"),
        "{list}"
    );
    assert_eq!(
        client.call(&["CLIENT", "NOPE"]).await,
        error("ERR unknown subcommand 'NOPE'. Try CLIENT HELP.")
    );
    assert_eq!(
        client.call(&["CLIENT", "HELP", "x"]).await,
        error("ERR wrong number of arguments for 'client|help' command")
    );
    assert_eq!(
        client.call(&["COMMAND", "COUNT", "x"]).await,
        error("ERR wrong number of arguments for 'command|count' command")
    );

    // CLIENT REPLY OFF: nothing answered until ON.
    client.send(&["CLIENT", "REPLY", "OFF"]).await;
    client.send(&["SET", "quiet", "1"]).await;
    client.send(&["CLIENT", "REPLY", "SKIP"]).await;
    assert_eq!(client.call(&["CLIENT", "REPLY", "ON"]).await, Reply::OK);
    client.send(&["CLIENT", "REPLY", "SKIP"]).await;
    client.send(&["INCR", "quiet"]).await;
    assert_eq!(client.call(&["GET", "quiet"]).await, bulk("2"));

    let Reply::Int(count) = client.call(&["COMMAND", "COUNT"]).await else {
        panic!("COMMAND COUNT answers an integer");
    };
    assert!(count > 150, "{count}");
    let Reply::Array(info) = client.call(&["COMMAND", "INFO", "get", "mset", "nope"]).await else {
        panic!("COMMAND INFO answers an array");
    };
    let Reply::Array(get) = &info[0] else {
        panic!("{info:?}")
    };
    assert_eq!(get[..2], [bulk("get"), Reply::Int(2)]);
    let Reply::Array(mset) = &info[1] else {
        panic!("{info:?}")
    };
    assert_eq!(mset[3..6], [Reply::Int(1), Reply::Int(-1), Reply::Int(2)]);
    assert_eq!(info[2], Reply::NilArray);
    // COMMAND GETKEYS, as Redis 7.0.15 answers (checked over a raw socket).
    for (command, keys) in [
        (&["SET", "a", "b"][..], &["a"][..]),
        (&["ZUNIONSTORE", "d", "2", "a", "b"], &["d", "a", "b"]),
        (&["EVAL", "return 1", "2", "k1", "k2", "arg"], &["k1", "k2"]),
        (&["BLPOP", "a", "b", "0"], &["a", "b"]),
    ] {
        let asked = [&["COMMAND", "GETKEYS"][..], command].concat();
        let expected = Reply::Array(keys.iter().map(|key| bulk(key)).collect());
        assert_eq!(client.call(&asked).await, expected, "{command:?}");
    }
    for (asked, error) in [
        (
            &["COMMAND", "GETKEYS", "PING", "x"][..],
            "ERR The command has no key arguments",
        ),
        (
            &["COMMAND", "GETKEYS", "GET", "a", "b"],
            "ERR Invalid number of arguments specified for command",
        ),
        (&["COMMAND", "GETKEYS", "NOPE", "x"], "ERR Invalid command specified"),
    ] {
        assert_eq!(
            client.call(asked).await,
            Reply::Error(CmdError::new(error)),
            "{asked:?}"
        );
    }

    let Reply::Bulk(text) = client.call(&["INFO"]).await else {
        panic!("INFO answers a string");
    };
    let text = String::from_utf8_lossy(&text);
    for field in [
        "redis_version:",
        "connected_clients:1",
        "loading:0",
        "total_commands_processed:",
        "db0:keys=1,expires=0",
    ] {
        assert!(text.contains(field), "{field} in {text}");
    }
    assert!(matches!(
        client.call(&["SCRIPT", "LOAD", "return 1"]).await,
        Reply::Bulk(_)
    ));
    let Reply::Bulk(memory) = client.call(&["INFO", "memory"]).await else {
        panic!("INFO answers a string");
    };
    let memory = String::from_utf8_lossy(&memory);
    assert!(memory.contains("number_of_cached_scripts:1\r\n"), "{memory}");
    let Reply::Bulk(keyspace) = client.call(&["INFO", "keyspace"]).await else {
        panic!("INFO answers a string");
    };
    assert!(!String::from_utf8_lossy(&keyspace).contains("# Server"));
    assert_eq!(
        client.call(&["CONFIG", "GET", "maxclients", "databases"]).await,
        Reply::Array(vec![bulk("databases"), bulk("1"), bulk("maxclients"), bulk("1000")])
    );
    assert!(matches!(
        client.call(&["CONFIG", "SET", "timeout", "1"]).await,
        Reply::Error(_)
    ));
    assert_eq!(client.call(&["ECHO", "hi"]).await, bulk("hi"));
    let Reply::Bulk(stats) = client.call(&["INFO", "commandstats"]).await else {
        panic!("INFO answers a string");
    };
    let stats = String::from_utf8_lossy(&stats);
    assert!(
        stats.contains("cmdstat_echo:calls=1,") && stats.contains("cmdstat_incr:calls=1,"),
        "{stats}"
    );
    assert_eq!(client.call(&["QUIT"]).await, Reply::OK);
    assert!(client.is_closed().await);

    // Commands appear in /metrics by command and door. (Metrics are the process's, which
    // other tests share: only that they were counted is certain.)
    app.redis(json!(["ECHO", "over http"])).await;
    let (_, metrics) = app.send_raw(actix_web::http::Method::GET, "/metrics", None).await;
    let metrics = String::from_utf8_lossy(&metrics);
    for labels in [r#"{command="incr",door="resp"}"#, r#"{command="echo",door="upstash"}"#] {
        let counted = metrics
            .lines()
            .find_map(|line| line.strip_prefix(&format!("litekv_commands_total{labels} ")))
            .and_then(|count| count.parse::<u64>().ok());
        assert!(counted >= Some(1), "{labels} in {metrics}");
    }
}

#[actix_web::test]
async fn connections_share_the_limit_with_http_and_idle_ones_are_closed() {
    let (app, _database) = spawn_app_with(&["--max-connections", "2", "--resp-idle-timeout", "1"]).await;
    let mut first = app.resp_client().await;
    let mut second = app.resp_client().await;
    assert_eq!(first.call(&["PING"]).await, Reply::status("PONG"));
    assert_eq!(second.call(&["PING"]).await, Reply::status("PONG"));
    let mut third = app.resp_client().await;
    let Ok(Reply::Error(refusal)) = third.read().await else {
        panic!("the third connection is refused");
    };
    assert!(
        refusal.as_str().starts_with("ERR max number of clients reached"),
        "{refusal}"
    );
    assert!(third.is_closed().await);
    // Idle for the timeout (1 s): closed, and its place given back.
    assert!(first.is_closed().await);
    assert!(second.is_closed().await);
    let mut again = app.resp_client().await;
    assert_eq!(again.call(&["PING"]).await, Reply::status("PONG"));
}

#[actix_web::test]
async fn a_client_that_does_not_read_holds_up_only_itself() {
    let (app, _database) = spawn_app().await;
    let mut writer = app.resp_client().await;
    let value = "v".repeat(64 * 1024);
    assert_eq!(writer.call(&["SET", "big", &value]).await, Reply::OK);
    // 4,000 GETs of 64 KiB (250 MiB of replies) sent without reading any.
    let mut stalled = app.resp_client().await;
    let pipeline: Vec<u8> = (0..4000).flat_map(|_| encode_command(&["GET", "big"])).collect();
    let sending = tokio::spawn(async move {
        stalled.send_raw(&pipeline).await;
        stalled
    });
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(writer.call(&["SET", "small", "1"]).await, Reply::OK);
    let mut stalled = sending.await.unwrap();
    for _ in 0..4000 {
        assert_eq!(stalled.read().await.unwrap(), bulk(&value));
    }
}

#[actix_web::test]
async fn the_port_is_a_flag_off_turns_it_off_and_a_taken_port_is_a_clear_error() {
    let database = TestDatabase::new();
    let url = database.url();
    let config = |resp: &str| {
        ServerConfig::parse_from([
            "litekv-server",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &url,
            "--resp-bind",
            resp,
        ])
    };
    let off = Application::build(&config("off")).await.unwrap();
    assert_eq!(off.resp_address(), None);
    drop(off);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().unwrap().to_string();
    let error = Application::build(&config(&taken))
        .await
        .err()
        .expect("a taken port fails the start");
    let message = format!("{error:#}");
    assert!(message.contains(&taken) && message.contains("--resp-bind"), "{message}");
}

#[actix_web::test]
async fn a_pipelined_run_of_writes_that_the_store_fails_answers_every_command() {
    let (app, database) = spawn_app_with(&["--busy-timeout-ms", "100"]).await;
    let mut client = app.resp_client().await;
    assert_eq!(client.call(&["SET", "k", "before"]).await, Reply::OK);
    // Another program holds the write lock past the busy timeout.
    let other_program = WriteLockHolder::take(&database.url()).await;
    let pipeline: Vec<u8> = ["a", "b", "c"]
        .iter()
        .flat_map(|key| encode_command(&["INCR", key]))
        .chain(encode_command(&["GET", "k"]))
        .collect();
    client.send_raw(&pipeline).await;
    for _ in 0..3 {
        let Reply::Error(error) = client.read().await.unwrap() else {
            panic!("a write the store failed answers an error");
        };
        assert!(error.as_str().contains("locked by another program"), "{error}");
    }
    // The replies stayed in step: the read after them answers its own.
    assert_eq!(client.read().await.unwrap(), bulk("before"));
    other_program.release().await;
    assert_eq!(client.call(&["INCR", "a"]).await, Reply::Int(1));
}

/// SLOWLOG keeps the commands slower than `slowlog-log-slower-than` (0: every one), newest
/// first, with Redis's entry shape; INFO's errorstats counts error replies by code.
#[actix_web::test]
async fn the_slow_log_and_the_error_counts() {
    let (app, _db) = spawn_app().await;
    let mut client = app.resp_client().await;
    assert_eq!(client.call(&["SLOWLOG", "RESET"]).await, Reply::OK);
    assert_eq!(
        client.call(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]).await,
        Reply::OK
    );
    let Reply::Array(setting) = client.call(&["CONFIG", "GET", "slowlog-*"]).await else {
        panic!("CONFIG GET answers an array");
    };
    assert_eq!(setting[..2], [bulk("slowlog-log-slower-than"), bulk("0")]);
    assert_eq!(client.call(&["CLIENT", "SETNAME", "slow"]).await, Reply::OK);
    assert_eq!(client.call(&["SET", "k", "v"]).await, Reply::OK);
    let Reply::Array(entries) = client.call(&["SLOWLOG", "GET", "1"]).await else {
        panic!("SLOWLOG GET answers an array");
    };
    let [Reply::Array(entry)] = &entries[..] else {
        panic!("one entry asked for: {entries:?}");
    };
    assert!(
        matches!(entry[..3], [Reply::Int(_), Reply::Int(_), Reply::Int(_)]),
        "{entry:?}"
    );
    assert_eq!(entry[3], Reply::Array(vec![bulk("SET"), bulk("k"), bulk("v")]));
    assert_eq!(entry[5], bulk("slow"));
    let Reply::Int(len) = client.call(&["SLOWLOG", "LEN"]).await else {
        panic!("SLOWLOG LEN answers an integer");
    };
    assert!(
        len >= 4,
        "CONFIG SET, CONFIG GET, CLIENT SETNAME, SET, SLOWLOG GET: {len}"
    );
    assert_eq!(
        client.call(&["SLOWLOG", "GET", "x"]).await,
        Reply::Error(CmdError::new("ERR count should be greater than or equal to -1"))
    );
    assert_eq!(client.call(&["CONFIG", "SET", "slowlog-max-len", "2"]).await, Reply::OK);
    assert_eq!(client.call(&["SLOWLOG", "LEN"]).await, Reply::Int(2));
    assert_eq!(
        client.call(&["CONFIG", "SET", "slowlog-log-slower-than", "-1"]).await,
        Reply::OK
    );
    assert_eq!(client.call(&["SLOWLOG", "RESET"]).await, Reply::OK);
    assert_eq!(client.call(&["SLOWLOG", "LEN"]).await, Reply::Int(0));

    client.call(&["INCR", "k"]).await;
    client.call(&["NOSUCH"]).await;
    client.call(&["LPUSH", "k", "x"]).await;
    let Reply::Bulk(text) = client.call(&["INFO", "errorstats"]).await else {
        panic!("INFO answers a string");
    };
    let text = String::from_utf8(text.to_vec()).unwrap();
    assert!(text.contains("# Errorstats\r\n"), "{text}");
    assert!(text.contains("errorstat_ERR:count=3\r\n"), "{text}");
    assert!(text.contains("errorstat_WRONGTYPE:count=1\r\n"), "{text}");
}

/// MONITOR streams every client's commands in Redis's format (compared with redis-cli
/// against redis-server 7.0.15), hides AUTH, and is refused to a read-only token.
#[actix_web::test]
async fn monitor_shows_every_client_s_commands() {
    let (app, _db) = spawn_app_with(&["--token", "rw", "--read-only-token", "ro"]).await;
    let mut watcher = app.resp_client().await;
    assert_eq!(watcher.call(&["AUTH", "ro"]).await, Reply::OK);
    let Reply::Error(refused) = watcher.call(&["MONITOR"]).await else {
        panic!("a read-only token may not monitor");
    };
    assert!(refused.as_str().starts_with("NOPERM"), "{refused}");
    assert_eq!(watcher.call(&["AUTH", "rw"]).await, Reply::OK);
    assert_eq!(watcher.call(&["MONITOR"]).await, Reply::OK);
    let mut client = app.resp_client().await;
    assert_eq!(client.call(&["AUTH", "rw"]).await, Reply::OK);
    assert_eq!(client.call(&["SET", "a b", "q\"u\u{1}"]).await, Reply::OK);
    let Ok(Reply::Status(line)) = watcher.read().await else {
        panic!("a monitor receives status lines");
    };
    let (time, rest) = line
        .split_once(" [0 127.0.0.1:")
        .expect("time, then the client's address");
    assert!(
        time.split_once('.')
            .is_some_and(|(seconds, micros)| seconds.len() == 10 && micros.len() == 6)
    );
    let (_, command) = rest.split_once("] ").unwrap();
    assert_eq!(command, r#""SET" "a b" "q\"u\x01""#);
}

/// WATCH calls a transaction off only when a watched key changed, by Redis's rules: each row
/// is a write by another client after `WATCH k`, and whether EXEC then ran, as
/// redis-server 7.0.15 answered (43 cases compared, all alike; these are a selection).
#[actix_web::test]
async fn only_a_write_that_changed_a_watched_key_calls_exec_off() {
    let (app, _database) = spawn_app().await;
    let mut watcher = app.resp_client().await;
    let mut writer = app.resp_client().await;
    // The other client's setup, its write after WATCH, and whether EXEC then runs.
    type Case<'a> = (&'a [&'a [&'a str]], &'a [&'a str], bool);
    let cases: &[Case] = &[
        (&[&["SADD", "k", "a"]], &["SADD", "k", "a"], true),
        (&[&["SADD", "k", "a"]], &["SADD", "k", "b"], false),
        (&[], &["DEL", "k"], true),
        (&[], &["EXPIRE", "k", "100"], true),
        (&[&["RPUSH", "k", "a"]], &["LREM", "k", "0", "zz"], true),
        (&[&["SET", "k", "v"]], &["PERSIST", "k"], true),
        (&[&["SADD", "other", "m"]], &["SMOVE", "nosrc", "k", "m"], true),
        (&[&["HSET", "k", "f", "v"]], &["HSET", "k", "f", "v"], false),
        (&[&["SET", "k", "1"]], &["INCRBY", "k", "0"], false),
        (&[&["ZADD", "k", "1", "a"]], &["ZADD", "k", "XX", "1", "nosuch"], true),
        (&[&["SADD", "a", "x"]], &["SINTERSTORE", "k", "a", "nosuch"], true),
        (
            &[&["SADD", "a", "x"], &["SET", "k", "v"]],
            &["SINTERSTORE", "k", "a", "nosuch"],
            false,
        ),
        (&[], &["SORT", "nosuch", "STORE", "k"], true),
        (&[&["SET", "k", "a"]], &["SETBIT", "k", "1", "1"], true),
        (&[&["SET", "k", "a"]], &["SETBIT", "k", "1", "0"], false),
        (&[&["RPUSH", "k", "a"]], &["LTRIM", "k", "0", "-1"], false),
        (&[&["SET", "k", "v"]], &["SET", "k", "w", "NX"], true),
        (&[&["SET", "other", "v"]], &["FLUSHALL"], true),
        (&[&["SET", "k", "v"]], &["FLUSHALL"], false),
    ];
    for (setup, write, runs) in cases {
        assert_eq!(writer.call(&["FLUSHALL"]).await, Reply::OK);
        for command in *setup {
            writer.call(command).await;
        }
        assert_eq!(watcher.call(&["WATCH", "k"]).await, Reply::OK);
        assert_eq!(watcher.call(&["MULTI"]).await, Reply::OK);
        assert_eq!(watcher.call(&["PING"]).await, Reply::status("QUEUED"));
        writer.call(write).await;
        let ran = watcher.call(&["EXEC"]).await != Reply::NilArray;
        assert_eq!(ran, *runs, "after {setup:?}, {write:?}");
    }
}

/// COMMAND DOCS by name answers each command's syntax and group (names the server does not
/// run are left out, as in Redis); without names it is refused, so that redis-cli keeps its
/// own hints.
#[actix_web::test]
async fn command_docs_by_name() {
    let (app, _db) = spawn_app().await;
    let mut client = app.resp_client().await;
    assert_eq!(
        client.call(&["COMMAND", "DOCS", "get", "nosuch"]).await,
        Reply::Array(vec![
            bulk("get"),
            Reply::Array(vec![bulk("summary"), bulk("GET key"), bulk("group"), bulk("string")]),
        ])
    );
    let Reply::Error(refused) = client.call(&["COMMAND", "DOCS"]).await else {
        panic!("COMMAND DOCS without names is refused");
    };
    assert!(refused.as_str().contains("name the commands"), "{refused}");
}
