//! The Upstash REST protocol: pipelines, transactions, path-style commands, base64,
//! the sync token, the access token, and one key seen through every door.

use actix_web::http::{Method, StatusCode};
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{TestApp, err, ok, spawn_app, spawn_app_with};

/// A raw exchange, for headers the other helpers do not set or show.
struct Exchange {
    status: StatusCode,
    sync_token: Option<u64>,
    body: Value,
}

async fn exchange(app: &TestApp, method: Method, path: &str, headers: &[(&str, &str)], body: &str) -> Exchange {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    for header in headers {
        request = request.insert_header(*header);
    }
    let mut response = request.send_body(body.to_owned()).await.expect("the server answers");
    let bytes = response.body().await.expect("the body arrives");
    Exchange {
        status: response.status(),
        sync_token: response
            .headers()
            .get("upstash-sync-token")
            .map(|value| value.to_str().unwrap().parse().expect("a counter")),
        body: if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("a JSON body")
        },
    }
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> Exchange {
    let headers = [("content-type", "application/json")];
    exchange(app, Method::POST, path, &headers, &body.to_string()).await
}

#[actix_web::test]
async fn a_pipeline_answers_each_command_in_order_with_errors_in_place() {
    let (app, _db) = spawn_app().await;
    let response = post_json(
        &app,
        "/pipeline",
        json!([
            ["SET", "a", 1],
            ["INCR", "a"],
            ["INCR", "missing-arity"],
            ["GET", "a"],
            ["XLEN", "stream"],
            ["SET", "a", "b", "NX"],
            ["GET", "a"]
        ]),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.body,
        json!([
            ok("OK"),
            ok(2),
            ok(1),
            ok("2"),
            err("ERR unknown command 'XLEN', with args beginning with: 'stream' "),
            ok(Value::Null),
            ok("2"),
        ])
    );
    assert_eq!(post_json(&app, "/pipeline", json!([])).await.body, json!([]));
}

#[actix_web::test]
async fn a_transaction_applies_its_commands_together() {
    let (app, _db) = spawn_app().await;
    let response = post_json(
        &app,
        "/multi-exec",
        json!([["SET", "a", "x"], ["INCR", "a"], ["SET", "b", 1], ["INCR", "b"]]),
    )
    .await;
    assert_eq!(
        (response.status, response.body),
        (
            StatusCode::OK,
            json!([
                ok("OK"),
                err("ERR value is not an integer or out of range"),
                ok("OK"),
                ok(2)
            ])
        )
    );

    // An unknown command or a wrong argument count discards the whole transaction.
    for bad in [json!([["SET", "c", 1], ["NOPE"]]), json!([["SET", "c", 1], ["GET"]])] {
        let response = post_json(&app, "/multi-exec", bad).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert!(
            response.body["error"]
                .as_str()
                .unwrap()
                .starts_with("EXECABORT Transaction discarded")
        );
    }
    assert_eq!(app.redis(json!(["EXISTS", "c"])).await, ok(0));

    // Readers never see half a transaction.
    let transfers = (0..20).map(|_| post_json(&app, "/multi-exec", json!([["INCR", "from"], ["INCR", "to"]])));
    let reads = (0..20).map(|_| app.redis(json!(["MGET", "from", "to"])));
    let (_, reads) = futures_util::join!(join_all(transfers), join_all(reads));
    for read in reads {
        let [from, to] = &read["result"].as_array().unwrap()[..] else {
            panic!("{read}")
        };
        assert_eq!(from, to, "a read saw half a transaction");
    }
    assert_eq!(app.redis(json!(["MGET", "from", "to"])).await, ok(["20", "20"]));
}

#[actix_web::test]
async fn path_style_commands_take_the_path_the_body_and_the_query() {
    let (app, _db) = spawn_app().await;
    let get = |path: &'static str| exchange(&app, Method::GET, path, &[], "");
    assert_eq!(get("/set/greeting/hello").await.body, ok("OK"));
    assert_eq!(get("/get/greeting").await.body, ok("hello"));
    assert_eq!(get("/SET/a%2Fb/x%20y").await.body, ok("OK"));
    assert_eq!(
        get("/mget/a%2Fb/greeting/none").await.body,
        ok(json!(["x y", "hello", null]))
    );

    let response = exchange(&app, Method::POST, "/set/doc?EX=100", &[], "{\"a\": [1, 2]}").await;
    assert_eq!(response.body, ok("OK"));
    assert_eq!(get("/get/doc").await.body, ok("{\"a\": [1, 2]}"));
    assert_eq!(get("/ttl/doc").await.body, ok(100));
    assert_eq!(exchange(&app, Method::PUT, "/incrby/n/5", &[], "").await.body, ok(5));
    assert_eq!(
        exchange(&app, Method::HEAD, "/get/greeting", &[], "").await.status,
        StatusCode::OK
    );

    let refused = exchange(&app, Method::DELETE, "/del/greeting", &[], "").await;
    assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED);
    let failed = get("/incr/greeting").await;
    assert_eq!(
        (failed.status, failed.body),
        (
            StatusCode::BAD_REQUEST,
            err("ERR value is not an integer or out of range")
        )
    );
}

#[actix_web::test]
async fn base64_encodes_every_string_but_not_numbers_or_errors() {
    let (app, _db) = spawn_app().await;
    let base64 = [("content-type", "application/json"), ("upstash-encoding", "base64")];
    let send = async |path: &str, body: Value| exchange(&app, Method::POST, path, &base64, &body.to_string()).await;
    assert_eq!(send("/", json!(["SET", "k", "bar"])).await.body, ok("OK"));
    assert_eq!(send("/", json!(["GET", "k"])).await.body, ok("YmFy"));
    assert_eq!(send("/", json!(["PING"])).await.body, ok("UE9ORw=="));
    assert_eq!(
        send("/", json!(["MGET", "k", "none"])).await.body,
        ok(json!(["YmFy", null]))
    );
    assert_eq!(send("/", json!(["SCAN", 0])).await.body, ok(json!(["MA==", ["aw=="]])));
    assert_eq!(send("/", json!(["INCR", "n"])).await.body, ok(1));
    assert_eq!(
        send("/", json!(["INCR", "k"])).await.body,
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        send("/pipeline", json!([["SET", "k", "é"], ["GET", "k"], ["TYPE", "k"]]))
            .await
            .body,
        json!([ok("OK"), ok("w6k="), ok("c3RyaW5n")])
    );
}

#[actix_web::test]
async fn the_sync_token_changes_after_every_write_and_only_then() {
    let (app, _db) = spawn_app().await;
    let first = post_json(&app, "/", json!(["SET", "k", "v"])).await.sync_token.unwrap();
    let after_read = post_json(&app, "/", json!(["GET", "k"])).await.sync_token.unwrap();
    assert_eq!(after_read, first);
    let after_pipeline = post_json(&app, "/pipeline", json!([["INCR", "n"], ["INCR", "n"]]))
        .await
        .sync_token
        .unwrap();
    assert!(after_pipeline > first);
    let (status, _) = app.post("/native/", json!({"value": 1})).await;
    assert_eq!(status, StatusCode::CREATED);
    let after_native = exchange(&app, Method::GET, "/native/", &[], "")
        .await
        .sync_token
        .unwrap();
    assert!(after_native > after_pipeline);
    // A token a client sends back is accepted: every commit is already visible.
    let with_token = [("content-type", "application/json"), ("upstash-sync-token", "123456")];
    let read = exchange(&app, Method::POST, "/", &with_token, &json!(["GET", "k"]).to_string()).await;
    assert_eq!(read.body, ok("v"));
}

#[actix_web::test]
async fn writes_committed_together_still_get_a_sync_token_each() {
    // As @upstash/redis's "updates after each element of promise.all" sends them.
    let (app, _db) = spawn_app().await;
    let writes = ["a", "b", "c"].map(|key| post_json(&app, "/", json!(["SET", key, "v"])));
    let mut tokens: Vec<u64> = join_all(writes)
        .await
        .into_iter()
        .map(|write| write.sync_token.unwrap())
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "{tokens:?}");
}

#[actix_web::test]
async fn with_a_token_every_endpoint_but_the_probes_and_docs_requires_it() {
    let (app, _db) = spawn_app_with(&["--token", "s3cret-token"]).await;
    let command = json!(["SET", "k", "v"]).to_string();
    let json_type = ("content-type", "application/json");
    for (headers, path, expected) in [
        (vec![json_type], "/", StatusCode::UNAUTHORIZED),
        (
            vec![json_type, ("authorization", "Bearer wrong")],
            "/",
            StatusCode::UNAUTHORIZED,
        ),
        (
            vec![json_type, ("authorization", "Bearer s3cret-token-and-more")],
            "/",
            StatusCode::UNAUTHORIZED,
        ),
        (
            vec![json_type, ("authorization", "s3cret-token")],
            "/",
            StatusCode::UNAUTHORIZED,
        ),
        (
            vec![json_type, ("authorization", "Bearer s3cret-token")],
            "/",
            StatusCode::OK,
        ),
        (vec![json_type], "/?_token=s3cret-token", StatusCode::OK),
        (vec![json_type], "/?_token=wrong", StatusCode::UNAUTHORIZED),
    ] {
        let response = exchange(&app, Method::POST, path, &headers, &command).await;
        assert_eq!(response.status, expected, "{headers:?} {path}");
        if expected == StatusCode::UNAUTHORIZED {
            assert!(response.body["error"].as_str().unwrap().starts_with("Unauthorized"));
            assert!(
                !response.body.to_string().contains("s3cret"),
                "the token leaked: {}",
                response.body
            );
        }
    }
    assert_eq!(app.get("/k/").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        exchange(&app, Method::GET, "/get/k", &[], "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        exchange(&app, Method::GET, "/get/k?_token=s3cret-token", &[], "")
            .await
            .body,
        ok("v")
    );
    for public in ["/health", "/ready", "/openapi.json"] {
        assert_eq!(app.get(public).await.0, StatusCode::OK, "{public}");
    }
    let (status, page) = app.send_raw(Method::GET, "/docs/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&page).contains("swagger-ui"));
    assert_eq!(app.get("/metrics").await.0, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn one_key_reads_the_same_through_every_door() {
    let (app, _db) = spawn_app().await;
    app.post("/settings/", json!({"value": {"theme": "dark", "size": 12}}))
        .await;
    assert_eq!(
        app.redis(json!(["GET", "settings"])).await,
        ok("{\"theme\":\"dark\",\"size\":12}")
    );

    app.redis(json!(["SET", "greeting", "plain text"])).await;
    assert_eq!(app.get("/greeting/").await.1["value"], "plain text");
    app.redis(json!(["SET", "doc", "{\"b\": [true, null]}", "EX", 60]))
        .await;
    let (_, native) = app.get("/doc/").await;
    assert_eq!(
        (native["value"].clone(), native["ttl_remaining"].clone()),
        (json!({"b": [true, null]}), json!(60))
    );
    app.redis(json!(["INCR", "visits"])).await;
    assert_eq!(app.get("/visits/").await.1["value"], 1);

    app.delete("/doc/").await;
    assert_eq!(app.redis(json!(["EXISTS", "doc"])).await, ok(0));
}

#[actix_web::test]
async fn malformed_requests_are_refused_with_a_reason() {
    let (app, _db) = spawn_app_with(&["--max-request-bytes", "1000", "--max-value-bytes", "100"]).await;
    let single = "ERR the body must be a JSON array of strings, numbers or booleans, such as [\"SET\", \"key\", \"value\", \"EX\", 60]";
    let list = "ERR the body must be a JSON array of commands, each a JSON array of strings, numbers or booleans, such as [\"SET\", \"key\", \"value\", \"EX\", 60]";
    for (path, body, expected) in [
        ("/", "not json", err(single)),
        ("/", "{\"SET\": 1}", err(single)),
        ("/", "[\"SET\", \"k\", {\"a\": 1}]", err(single)),
        ("/", "[\"SET\", \"k\", null]", err(single)),
        (
            "/",
            "[]",
            err("ERR empty command: send the command name first, e.g. [\"GET\", \"key\"]"),
        ),
        ("/pipeline", "[\"GET\", \"k\"]", err(list)),
        ("/pipeline", "{}", err(list)),
        ("/multi-exec", "[[\"GET\", {}]]", err(list)),
        (
            "/",
            &json!(["SET", "k", "x".repeat(101)]).to_string(),
            err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
        ),
    ] {
        let response = exchange(&app, Method::POST, path, &[("content-type", "application/json")], body).await;
        assert_eq!(
            (response.status, response.body),
            (StatusCode::BAD_REQUEST, expected),
            "{path} {body}"
        );
    }
    let huge = json!(["SET", "k", "x".repeat(2000)]).to_string();
    let response = exchange(&app, Method::POST, "/", &[("content-type", "application/json")], &huge).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.body,
        err("the request body is over the limit of 1000 bytes (--max-request-bytes)")
    );
    let wrong_method = exchange(&app, Method::GET, "/pipeline", &[], "").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// CLIENT over HTTP, where each request is a connection of its own: what clients send on
/// connecting is accepted, and what needs a lasting connection is refused with the reason.
#[actix_web::test]
async fn client_commands_answer_over_http() {
    let (app, _db) = spawn_app().await;
    let Value::Number(first) = app.redis(json!(["CLIENT", "ID"])).await["result"].clone() else {
        panic!("CLIENT ID answers a number");
    };
    let Value::Number(second) = app.redis(json!(["CLIENT", "ID"])).await["result"].clone() else {
        panic!("CLIENT ID answers a number");
    };
    assert_ne!(first, second, "each request is a connection of its own");
    app.expect_replies(&[
        (json!(["CLIENT", "SETINFO", "LIB-NAME", "upstash-redis"]), ok("OK")),
        (json!(["CLIENT", "SETINFO", "LIB-VER", "1.0"]), ok("OK")),
        (json!(["CLIENT", "SETINFO", "COLOR", "blue"]), err("ERR Unrecognized option 'COLOR'")),
        (json!(["CLIENT", "SETNAME", "app"]), ok("OK")),
        (
            json!(["CLIENT", "SETNAME", "has space"]),
            err("ERR Client names cannot contain spaces, newlines or special characters."),
        ),
        (json!(["CLIENT", "GETNAME"]), ok(Value::Null)),
        (json!(["CLIENT", "GETNAME", "x"]), err("ERR wrong number of arguments for 'client|getname' command")),
        (
            json!(["CLIENT", "LIST"]),
            err("ERR CLIENT LIST is not available over HTTP, where each request is a connection of its own: use the Redis protocol door"),
        ),
    ])
    .await;
    let replies = app
        .post("/pipeline", &json!([["CLIENT", "SETNAME", "app"], ["SET", "k", "v"]]))
        .await
        .1;
    assert_eq!(replies, json!([{"result": "OK"}, {"result": "OK"}]));
}
