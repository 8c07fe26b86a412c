//! Lua scripts through the doors: all or nothing, isolated from other clients, stopped when
//! they run away or fill their memory, with the server serving others throughout; scripts
//! forgotten on a restart; read-only tokens limited to read-only scripts.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use litekv::clock::ManualClock;
use litekv::reply::Reply;
use serde_json::json;

use crate::helpers::{TestDatabase, err, ok, spawn_app, spawn_app_on, spawn_app_with};
use crate::resp::RespClient;

fn bulk(text: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(text.as_bytes()))
}

fn error_text(reply: Reply) -> String {
    match reply {
        Reply::Error(error) => error.to_string(),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[actix_web::test]
async fn a_runaway_script_is_stopped_its_writes_undone_while_others_are_served() {
    let (app, _db) = spawn_app_with(&["--script-time-limit-ms", "1500"]).await;
    app.expect_replies(&[(json!(["SET", "k", "before"]), ok("OK"))]).await;
    let mut runaway = app.resp_client().await;
    runaway
        .send(&[
            "EVAL",
            "redis.call('set', KEYS[1], 'during') while true do end",
            "1",
            "k",
        ])
        .await;
    // While it runs, readers are served, and see nothing of its write.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.expect_replies(&[(json!(["GET", "k"]), ok("before"))]).await;
    let stopped = error_text(runaway.read().await.unwrap());
    assert!(
        stopped.starts_with("ERR Script killed: it ran longer than the script time limit (1500 ms"),
        "{stopped}"
    );
    // Loops that catch the error are stopped all the same.
    for catching in [
        "while true do pcall(function() while true do end end) end",
        "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
    ] {
        let caught = runaway.call(&["EVAL", catching, "0"]).await;
        assert!(error_text(caught).starts_with("ERR Script killed"), "{catching}");
    }
    app.expect_replies(&[
        (json!(["GET", "k"]), ok("before")),
        (json!(["EVAL", "return redis.call('incr', KEYS[1])", "1", "n"]), ok(1)),
    ])
    .await;
}

/// SCRIPT KILL, with Redis 7.0.15's replies (compared with redis-cli): it stops a script that
/// has not written, and refuses one that has, which then runs to its time limit.
#[actix_web::test]
async fn script_kill_stops_a_script_that_has_not_written() {
    let (app, _db) = spawn_app_with(&["--script-time-limit-ms", "1500"]).await;
    let mut admin = app.resp_client().await;
    let not_busy = "NOTBUSY No scripts in execution right now.";
    assert_eq!(error_text(admin.call(&["SCRIPT", "KILL"]).await), not_busy);
    // Asks until a script runs (before it starts, there is nothing to kill).
    let kill = async |admin: &mut RespClient| {
        for _ in 0..200 {
            let reply = admin.call(&["SCRIPT", "KILL"]).await;
            if reply != Reply::Error(litekv::reply::CmdError::new(not_busy)) {
                return reply;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no script ran");
    };
    let mut looping = app.resp_client().await;
    looping.send(&["EVAL", "while true do end", "0"]).await;
    assert_eq!(kill(&mut admin).await, Reply::OK);
    assert_eq!(
        error_text(looping.read().await.unwrap()),
        "ERR Script killed by user with SCRIPT KILL... script: 694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1."
    );
    // A kill that comes before the script's first write still stops it: then try again.
    for _ in 0..10 {
        looping
            .send(&["EVAL", "redis.call('set', KEYS[1], 'v') while true do end", "1", "k"])
            .await;
        let refused = kill(&mut admin).await;
        let ended = error_text(looping.read().await.unwrap());
        if refused == Reply::OK {
            assert!(ended.starts_with("ERR Script killed by user"), "{ended}");
            continue;
        }
        assert!(error_text(refused).starts_with("UNKILLABLE Sorry the script already executed write commands"));
        assert!(ended.starts_with("ERR Script killed: it ran longer"), "{ended}");
        assert_eq!(admin.call(&["GET", "k"]).await, Reply::Nil);
        return;
    }
    panic!("every script was killed before it wrote");
}

/// FUNCTION STATS shows a function while it runs, and FUNCTION KILL stops it (SCRIPT KILL
/// does not: each stops its own kind), with Redis 7.0.15's replies (compared with redis-cli).
#[actix_web::test]
async fn function_kill_stops_a_running_function() {
    let (app, _db) = spawn_app_with(&["--script-time-limit-ms", "3000"]).await;
    let mut admin = app.resp_client().await;
    let library = "#!lua name=spin\nredis.register_function('spin', function() while true do end end)";
    assert_eq!(admin.call(&["FUNCTION", "LOAD", library]).await, bulk("spin"));
    let mut looping = app.resp_client().await;
    looping.send(&["FCALL", "spin", "0"]).await;
    let running = loop {
        let Reply::Array(stats) = admin.call(&["FUNCTION", "STATS"]).await else {
            panic!("FUNCTION STATS answers an array");
        };
        if stats[1] != Reply::Nil {
            break stats[1].clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let Reply::Array(running) = running else {
        panic!("running_script is a map");
    };
    let command = Reply::Array(vec![bulk("fcall"), bulk("spin"), bulk("0")]);
    assert_eq!(running[..4], [bulk("name"), bulk("spin"), bulk("command"), command]);
    assert_eq!(
        error_text(admin.call(&["SCRIPT", "KILL"]).await),
        "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
    );
    assert_eq!(admin.call(&["FUNCTION", "KILL"]).await, Reply::OK);
    assert_eq!(
        error_text(looping.read().await.unwrap()),
        "ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2."
    );
}

#[actix_web::test]
async fn a_script_that_fills_its_memory_fails_and_leaves_the_data_as_before() {
    let (app, _db) = spawn_app_with(&["--script-memory-mb", "16"]).await;
    app.expect_replies(&[(json!(["SET", "k", "before"]), ok("OK"))]).await;
    let (_, failed) = app
        .post(
            "/",
            json!([
                "EVAL",
                "redis.call('set', KEYS[1], 'x') local t = {} for i = 1, 1e9 do t[i] = i end",
                "1",
                "k"
            ]),
        )
        .await;
    let message = failed["error"].as_str().unwrap();
    assert!(message.starts_with("ERR not enough memory script: "), "{message}");
    let (_, failed) = app
        .post("/", json!(["EVAL", "return #string.rep('x', 1e9)", "0"]))
        .await;
    assert!(
        failed["error"].as_str().unwrap().contains("not enough memory"),
        "{failed}"
    );
    app.expect_replies(&[
        (json!(["GET", "k"]), ok("before")),
        (
            json!(["EVAL", "local t = {} for i = 1, 1000 do t[i] = i end return #t", "0"]),
            ok(1000),
        ),
    ])
    .await;
}

#[actix_web::test]
async fn an_error_after_writes_undoes_them_but_not_those_of_the_commands_around_it() {
    let (app, _db) = spawn_app().await;
    app.expect_replies(&[
        (json!(["SET", "k", "before"]), ok("OK")),
        (
            json!([
                "EVAL",
                "redis.call('set', KEYS[1], 'after') redis.call('rpush', 'list', 'a') error('boom')",
                "1",
                "k"
            ]),
            err("ERR user_script:1: boom script: a345f4a3859d64c3278c6e7fe1a8bfdab233fce7, on @user_script:1."),
        ),
        (json!(["GET", "k"]), ok("before")),
        (json!(["EXISTS", "list"]), ok(0)),
        // An error redis.pcall returns is a value: the script goes on, and its writes stand.
        (
            json!([
                "EVAL",
                "redis.call('set', KEYS[1], 'after') return redis.pcall('incr', KEYS[1])",
                "1",
                "k"
            ]),
            err("ERR value is not an integer or out of range"),
        ),
        (json!(["GET", "k"]), ok("after")),
    ])
    .await;
    // In a transaction, a failing script undoes its own writes only.
    let (_, replies) = app
        .post(
            "/multi-exec",
            json!([
                ["INCR", "n"],
                ["EVAL", "redis.call('incr', 'n') error('no')", "0"],
                ["EVAL", "return redis.call('incr', 'n')", "0"],
            ]),
        )
        .await;
    assert_eq!(replies[0], ok(1));
    assert!(
        replies[1]["error"]
            .as_str()
            .unwrap()
            .starts_with("ERR user_script:1: no")
    );
    assert_eq!(replies[2], ok(2));
    // So does MULTI over the Redis protocol.
    let mut client = app.resp_client().await;
    assert_eq!(client.call(&["MULTI"]).await, Reply::OK);
    assert_eq!(
        client.call(&["EVAL", "return redis.call('incr', 'n')", "0"]).await,
        Reply::status("QUEUED")
    );
    assert_eq!(client.call(&["INCR", "n"]).await, Reply::status("QUEUED"));
    assert_eq!(
        client.call(&["EXEC"]).await,
        Reply::Array(vec![Reply::Int(3), Reply::Int(4)])
    );
}

#[actix_web::test]
async fn scripts_are_isolated_from_other_clients() {
    let (app, _db) = spawn_app().await;
    // A read-modify-write in two commands: only isolation keeps every increment.
    let script = "local n = tonumber(redis.call('get', KEYS[1]) or '0') redis.call('set', KEYS[1], n + 1) return n + 1";
    let clients = (0..8).map(|_| {
        let address = app.resp;
        tokio::spawn(async move {
            let mut client = RespClient::connect(address).await;
            for _ in 0..25 {
                assert!(matches!(
                    client.call(&["EVAL", script, "1", "counter"]).await,
                    Reply::Int(_)
                ));
            }
        })
    });
    for client in clients.collect::<Vec<_>>() {
        client.await.unwrap();
    }
    let mut client = app.resp_client().await;
    assert_eq!(client.call(&["GET", "counter"]).await, bulk("200"));
}

/// On one server, as in Redis, scripts are the process's own. On PostgreSQL, where servers
/// share the scripts SCRIPT LOAD kept in the database, a restarted server finds them there,
/// until a SCRIPT FLUSH.
#[actix_web::test]
async fn evalsha_after_a_restart_finds_a_script_only_where_the_database_keeps_it() {
    let database = TestDatabase::new();
    let clock = Arc::new(ManualClock::starting_now());
    let app = spawn_app_on(&database, clock.clone(), &[]).await;
    app.expect_replies(&[
        (
            json!(["SCRIPT", "LOAD", "return 'loaded'"]),
            ok("b534286061d4b9e4026607613b95c06c06015ae8"),
        ),
        (
            json!(["EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"]),
            ok("loaded"),
        ),
    ])
    .await;
    app.stop().await;
    let app = spawn_app_on(&database, clock, &[]).await;
    let noscript = err("NOSCRIPT No matching script. Please use EVAL.");
    let after_restart = match crate::database::on_postgres() {
        true => ok("loaded"),
        false => noscript.clone(),
    };
    app.expect_replies(&[
        (
            json!(["EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"]),
            after_restart,
        ),
        (json!(["SCRIPT", "FLUSH"]), ok("OK")),
        (
            json!(["EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"]),
            noscript,
        ),
    ])
    .await;
}

/// Unlike scripts, function libraries are kept in the database: a restart loads them
/// again, as Redis does from its data file, and FUNCTION FLUSH's removal lasts too.
#[actix_web::test]
async fn function_libraries_survive_a_restart() {
    let database = TestDatabase::new();
    let clock = Arc::new(ManualClock::starting_now());
    let library = "#!lua name=kept\nredis.register_function('hello', function(keys, args) return 'hi ' .. args[1] end)";
    let app = spawn_app_on(&database, clock.clone(), &[]).await;
    app.expect_replies(&[
        (json!(["FUNCTION", "LOAD", library]), ok("kept")),
        (json!(["FCALL", "hello", "0", "there"]), ok("hi there")),
    ])
    .await;
    app.stop().await;
    let app = spawn_app_on(&database, clock.clone(), &[]).await;
    let mut resp = app.resp_client().await;
    assert_eq!(resp.call(&["FCALL", "hello", "0", "again"]).await, bulk("hi again"));
    assert_eq!(resp.call(&["FUNCTION", "FLUSH"]).await, Reply::OK);
    app.stop().await;
    let app = spawn_app_on(&database, clock, &[]).await;
    app.expect_replies(&[(json!(["FCALL", "hello", "0", "x"]), err("ERR Function not found"))])
        .await;
}

/// A read-only token may look at libraries and call `no-writes` functions, nothing more.
#[actix_web::test]
async fn read_only_tokens_list_functions_and_call_read_only_ones() {
    let (app, _db) = spawn_app_with(&["--token", "rw", "--read-only-token", "ro"]).await;
    let library = "#!lua name=lib\nredis.register_function{function_name='peek', callback=function(keys) \
                   return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n\
                   redis.register_function('poke', function(keys) return redis.call('SET', keys[1], 'x') end)";
    let send = |token: &str, command: serde_json::Value| {
        app.send(
            actix_web::http::Method::POST,
            format!("/?_token={token}"),
            Some(("application/json", command.to_string())),
        )
    };
    assert_eq!(send("ro", json!(["FUNCTION", "LOAD", library])).await.0, 403);
    assert_eq!(send("rw", json!(["FUNCTION", "LOAD", library])).await.1, ok("lib"));
    assert_eq!(
        send("ro", json!(["FCALL_RO", "peek", "1", "k"])).await.1,
        ok(serde_json::Value::Null)
    );
    assert_eq!(send("ro", json!(["FCALL", "poke", "1", "k"])).await.0, 403);
    assert_eq!(send("ro", json!(["FUNCTION", "STATS"])).await.0, 200);
    assert_eq!(send("ro", json!(["FUNCTION", "FLUSH"])).await.0, 403);
}

#[actix_web::test]
async fn read_only_tokens_run_read_only_scripts_only() {
    let (app, _db) = spawn_app_with(&["--token", "rw", "--read-only-token", "ro"]).await;
    let (_, written) = app
        .send(
            actix_web::http::Method::POST,
            "/?_token=rw",
            Some(("application/json", json!(["SET", "k", "v"]).to_string())),
        )
        .await;
    assert_eq!(written, ok("OK"));
    let read_only = |command: serde_json::Value| {
        let app = &app;
        async move {
            app.send(
                actix_web::http::Method::POST,
                "/?_token=ro",
                Some(("application/json", command.to_string())),
            )
            .await
            .1
        }
    };
    assert_eq!(
        read_only(json!(["EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k"])).await,
        ok("v")
    );
    assert_eq!(read_only(json!(["SCRIPT", "EXISTS", "ab"])).await, ok([0]));
    assert_eq!(
        read_only(json!(["EVAL", "return 1", "0"])).await,
        err("NOPERM this token is read-only: it has no permissions to run the 'eval' command")
    );
    assert_eq!(
        read_only(json!(["SCRIPT", "LOAD", "return 1"])).await,
        err("NOPERM this token is read-only: it has no permissions to run the 'script' command")
    );
}
