//! Every client mistake gets a 4xx with a JSON error saying what to fix.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use litekv::reply::Reply;

use crate::helpers::{spawn_app, spawn_app_with};

const TTL_RULE: &str = "`ttl` must be a whole number of seconds from 1 to 3153600000 (100 years), or left out for a key that never expires; got ";
const RESERVED: &str = "is reserved for the API docs, which are read-only. A key of that name is reached \
                        through the Redis API: POST / with [\"SET\", \"<key>\", \"<value>\"]";
const BODY_SHAPE: &str = r#"a JSON object such as {"value": {"theme": "dark"}, "ttl": 60}"#;

struct Case {
    method: Method,
    path: String,
    content_type: &'static str,
    body: &'static str,
    status: StatusCode,
    error: String,
}

fn post(body: &'static str, status: StatusCode, error: impl Into<String>) -> Case {
    Case {
        method: Method::POST,
        path: "/k/".into(),
        content_type: "application/json",
        body,
        status,
        error: error.into(),
    }
}

fn request(method: Method, path: impl Into<String>, status: StatusCode, error: impl Into<String>) -> Case {
    Case {
        method,
        path: path.into(),
        content_type: "application/json",
        body: "",
        status,
        error: error.into(),
    }
}

/// A POST whose `ttl` is refused; the message quotes it as JSON prints it (`echoed`).
fn ttl(sent: &'static str, echoed: &str) -> Case {
    let body = Box::leak(format!(r#"{{"value": 1, "ttl": {sent}}}"#).into_boxed_str());
    post(body, StatusCode::BAD_REQUEST, format!("{TTL_RULE}{echoed}"))
}

#[actix_web::test]
async fn bad_requests_get_their_exact_status_and_message() {
    let (app, db) = spawn_app().await;
    let bad = StatusCode::BAD_REQUEST;
    let cases = [
        post(
            r#"{"value": "#,
            bad,
            format!("the body is not valid JSON (EOF while parsing a value at line 1 column 10); send {BODY_SHAPE}"),
        ),
        post(
            "",
            bad,
            format!("the body is not valid JSON (EOF while parsing a value at line 1 column 0); send {BODY_SHAPE}"),
        ),
        post("[1, 2]", bad, format!("the body must be {BODY_SHAPE}")),
        post(
            r#"{"ttl": 5}"#,
            bad,
            format!("the body has no `value`; send {BODY_SHAPE}"),
        ),
        post(
            r#"{"value": 1, "expires": 5}"#,
            bad,
            "unknown field `expires`: the body takes `value`, and an optional `ttl` and `type`",
        ),
        ttl("0", "0"),
        ttl("-5", "-5"),
        ttl("2.5", "2.5"),
        ttl("5.0", "5.0"),
        ttl("1e3", "1e+3"),
        ttl(r#""60""#, r#""60""#),
        ttl("null", "null"),
        ttl("true", "true"),
        ttl("3153600001", "3153600001"),
        ttl("100000000000000000000000000", "100000000000000000000000000"),
        Case {
            content_type: "text/plain",
            ..post(
                r#"{"value": 1}"#,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the body must be JSON: send the header Content-Type: application/json (got text/plain)",
            )
        },
        Case {
            content_type: "",
            ..post(
                r#"{"value": 1}"#,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the body must be JSON: send the header Content-Type: application/json (got none)",
            )
        },
        request(
            Method::PUT,
            "/k/",
            StatusCode::METHOD_NOT_ALLOWED,
            "method PUT is not allowed on this path; use GET, HEAD, POST, DELETE",
        ),
        request(
            Method::PATCH,
            "/k/",
            StatusCode::METHOD_NOT_ALLOWED,
            "method PATCH is not allowed on this path; use GET, HEAD, POST, DELETE",
        ),
        request(
            Method::POST,
            "/health",
            StatusCode::METHOD_NOT_ALLOWED,
            "method POST is not allowed on this path; use GET, HEAD",
        ),
        request(
            Method::DELETE,
            "/no-trailing-slash",
            StatusCode::METHOD_NOT_ALLOWED,
            "method DELETE is not allowed on this path; use GET, HEAD, POST, PUT (Redis commands in the path); \
             keys of the JSON API are addressed as /<key>/, with the trailing slash: DELETE /no-trailing-slash/",
        ),
        request(
            Method::POST,
            "/docs/",
            StatusCode::METHOD_NOT_ALLOWED,
            format!("method POST is not allowed on this path; use GET, HEAD; /docs/ {RESERVED}"),
        ),
        request(
            Method::DELETE,
            "/docs/",
            StatusCode::METHOD_NOT_ALLOWED,
            format!("method DELETE is not allowed on this path; use GET, HEAD; /docs/ {RESERVED}"),
        ),
        request(
            Method::POST,
            "/openapi.json",
            StatusCode::METHOD_NOT_ALLOWED,
            format!("method POST is not allowed on this path; use GET, HEAD; /openapi.json {RESERVED}"),
        ),
        request(
            Method::GET,
            "//",
            bad,
            "the key is empty: address a key as /<key>/, for example /user-config/",
        ),
        request(
            Method::GET,
            format!("/{}/", "k".repeat(513)),
            bad,
            "the key is 513 bytes long; keys are at most 512 bytes",
        ),
        request(
            Method::DELETE,
            "/%FF%FE/",
            bad,
            "the key is not valid UTF-8 after percent-decoding",
        ),
        request(
            Method::GET,
            "/no-trailing-slash",
            bad,
            "ERR unknown command 'no-trailing-slash', with args beginning with: ; \
             keys of the JSON API are addressed as /<key>/, with the trailing slash",
        ),
    ];
    for case in cases {
        let body = (case.method == Method::POST).then(|| (case.content_type, case.body.to_owned()));
        let (status, body) = app.send(case.method.clone(), &case.path, body).await;
        assert_eq!(
            (status, body),
            (case.status, json!({ "error": case.error })),
            "{} {}",
            case.method,
            case.path
        );
    }
    assert_eq!(db.count_rows().await, 0, "no bad request wrote anything");
}

#[actix_web::test]
async fn methods_not_allowed_name_the_allowed_ones() {
    let (app, _db) = spawn_app().await;
    let response = app.client.put(format!("{}/k/", app.address)).send().await.unwrap();
    assert_eq!(response.headers().get("allow").unwrap(), "GET, HEAD, POST, DELETE");
}

#[actix_web::test]
async fn values_and_bodies_over_the_limits_are_413() {
    let (app, _db) = spawn_app_with(&["--max-value-bytes", "64"]).await;
    let value_of = |bytes: usize| json!({ "value": "x".repeat(bytes - 2) });

    assert_eq!(app.post("/fits/", &value_of(64)).await.0, StatusCode::CREATED);
    let (status, body) = app.post("/k/", &value_of(65)).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"error": "the value is 65 bytes as compact JSON; the limit is 64 bytes (--max-value-bytes)"})
        )
    );
    // Whitespace does not count against the value, only against the body.
    let padded = format!(r#"{{"value": {}{}}}"#, " ".repeat(1000), value_of(64)["value"]);
    assert_eq!(
        app.send(Method::POST, "/padded/", Some(("application/json", padded)))
            .await
            .0,
        StatusCode::CREATED
    );

    let huge = format!(r#"{{"value": "{}"}}"#, "x".repeat(10 * 1024 * 1024));
    let (status, body) = app.send(Method::POST, "/k/", Some(("application/json", huge))).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"error": "the request body is over the limit of 4160 bytes (--max-value-bytes plus 4096)"})
        )
    );
    assert_eq!(app.get("/k/").await.0, StatusCode::NOT_FOUND);
}

/// The default limits are Redis's (512 MiB values): a 4 MiB value, which the old 1 MiB
/// default refused, passes every door.
#[actix_web::test]
async fn large_values_pass_every_door_by_default() {
    let (app, _db) = spawn_app().await;
    let value = "x".repeat(4 * 1024 * 1024);
    assert_eq!(
        app.post("/json/", &json!({ "value": value })).await.0,
        StatusCode::CREATED
    );
    assert_eq!(app.get("/json/").await.1["value"], json!(value));
    assert_eq!(
        app.redis(json!(["SET", "upstash", value])).await,
        json!({"result": "OK"})
    );
    assert_eq!(app.redis(json!(["GET", "upstash"])).await, json!({ "result": value }));
    let mut resp = app.resp_client().await;
    assert_eq!(resp.call(&["SET", "resp", &value]).await, Reply::OK);
    assert_eq!(resp.call(&["GET", "resp"]).await, Reply::bulk(value));
}
