//! The Upstash REST API, so that `@upstash/redis`, `upstash-redis` and Vercel KV clients
//! work unchanged: `POST /` with a command as a JSON array, `POST /pipeline`,
//! `POST /multi-exec`, and path-style commands such as `GET /incr/counter`.
//!
//! Success is `200 {"result": ...}` holding only null, integers, strings and arrays; a
//! command's error is `400 {"error": "ERR ..."}` (inside a pipeline, that command's entry).
//! With `Upstash-Encoding: base64`, every string in a result is base64, except a top-level
//! `OK`; integers stay numbers and errors stay readable.

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::ApiError;
use super::body::{Limits, read_body};
use super::docs::CommandErrors;
use super::error::ErrorBody;
use crate::access::{self, Access};
use crate::cmd::{Command, Engine, command_info};
use crate::reply::{CmdError, Reply, format_fixed, format_score};
use crate::telemetry;

/// A command's success; its failure is an [`ErrorBody`].
#[derive(Serialize, ToSchema)]
pub(super) struct ResultBody {
    /// Null, an integer, a string, or an array of these.
    #[schema(value_type = Value)]
    result: Value,
}

/// One command's outcome in a pipeline or transaction.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub(super) enum Envelope {
    Result(ResultBody),
    Error(ErrorBody),
}

const COMMAND_SHAPE: &str =
    r#"a JSON array of strings, numbers or booleans, such as ["SET", "key", "value", "EX", 60]"#;

/// Run one Redis command.
///
/// `POST /` with the command as a JSON array.
#[utoipa::path(
    post, path = "/", tag = "Redis API (Upstash REST)", operation_id = "run_command",
    params(("Upstash-Encoding" = Option<String>, Header, description = "`base64`: every string in the result is base64")),
    request_body(content = Vec<Argument>, description = "One command: its name, then its arguments",
        example = json!(["SET", "greeting", "hello", "EX", 60])),
    responses(
        (status = 200, description = "The command's result", body = ResultBody),
        CommandErrors,
    )
)]
pub(super) async fn command(
    access: Access,
    request: HttpRequest,
    payload: web::Payload,
    engine: web::Data<Engine>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let body = read_limited(payload, &request, &limits).await?;
    let command = serde_json::from_slice(&body)
        .map_err(|_| ApiError::BadRequest(format!("ERR the body must be {COMMAND_SHAPE}")))?;
    let command = parse(&engine, command_args(command), access)?;
    run(&engine, &request, command).await
}

/// Run several Redis commands in order.
///
/// `POST /pipeline`: commands run in order, not atomically; one envelope each.
#[utoipa::path(
    post, path = "/pipeline", tag = "Redis API (Upstash REST)", operation_id = "run_pipeline",
    params(("Upstash-Encoding" = Option<String>, Header, description = "`base64`: every string in the result is base64")),
    request_body(content = Vec<Vec<Argument>>, description = "Commands, run in order but not atomically",
        example = json!([["SET", "a", "1"], ["INCR", "a"], ["GET", "a"]])),
    responses(
        (status = 200, description = "One `{\"result\"}` or `{\"error\"}` per command", body = Vec<Envelope>),
        CommandErrors,
    )
)]
pub(super) async fn pipeline(
    access: Access,
    request: HttpRequest,
    payload: web::Payload,
    engine: web::Data<Engine>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let commands = read_command_list(payload, &request, &limits).await?;
    let parsed = parse_all(&engine, commands, access)?;
    let replies = engine.execute_pipeline(parsed).await?;
    Ok(envelopes(&request, replies))
}

/// Run Redis commands as one transaction.
///
/// `POST /multi-exec`: commands run as one transaction. An unknown command or a wrong
/// number of arguments discards the whole transaction (as Redis's EXECABORT does); any
/// other error is answered in place while the rest still apply.
#[utoipa::path(
    post, path = "/multi-exec", tag = "Redis API (Upstash REST)", operation_id = "run_transaction",
    params(("Upstash-Encoding" = Option<String>, Header, description = "`base64`: every string in the result is base64")),
    request_body(content = Vec<Vec<Argument>>, description = "Commands, run as one transaction",
        example = json!([["INCR", "visits"], ["EXPIRE", "visits", 3600]])),
    responses(
        (status = 200, description = "One `{\"result\"}` or `{\"error\"}` per command", body = Vec<Envelope>),
        CommandErrors,
    )
)]
pub(super) async fn multi_exec(
    access: Access,
    request: HttpRequest,
    payload: web::Payload,
    engine: web::Data<Engine>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let commands = read_command_list(payload, &request, &limits).await?;
    access::check_transaction(&commands).map_err(|error| ApiError::BadRequest(error.to_string()))?;
    let parsed = parse_all(&engine, commands, access)?;
    let replies = engine.execute_transaction(parsed).await?;
    Ok(envelopes(&request, replies))
}

/// Run one Redis command written as a path.
///
/// `GET|HEAD|POST|PUT /<command>/<arg>/...`: path segments are the arguments
/// (percent-decoded), then a POST or PUT body as one more argument, then the query
/// parameters (`?EX=100` adds `EX`, `100`).
#[utoipa::path(
    method(get, post, put, head), path = "/{command}", tag = "Redis API (Upstash REST)",
    operation_id = "run_command_in_path",
    params(
        ("command" = String, Path, description = "The command, such as `dbsize`. Its arguments follow as more path segments (`/incr/visits`, `/set/greeting/hello`), then a POST or PUT body as one more argument, then each query parameter (`?EX=60`). This page encodes a `/` typed here as `%2F`, which makes it part of one argument: send commands with arguments with curl or a client.", example = "dbsize"),
        ("Upstash-Encoding" = Option<String>, Header, description = "`base64`: every string in the result is base64"),
    ),
    responses(
        (status = 200, description = "The command's result", body = ResultBody),
        CommandErrors,
    )
)]
pub(super) async fn path_command(
    access: Access,
    request: HttpRequest,
    payload: web::Payload,
    engine: web::Data<Engine>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let mut args: Vec<Bytes> = request
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(|segment| Bytes::from(percent_decode_str(segment).collect::<Vec<u8>>()))
        .collect();
    let body = read_limited(payload, &request, &limits).await?;
    if !body.is_empty() {
        args.push(body.freeze());
    }
    args.extend(query_args(request.uri().query().unwrap_or_default()));
    let command = parse(&engine, args, access)?.map_err(|error| match error.is_unknown_command() {
        // Most likely a key of the JSON API without its trailing slash.
        true => error.with_hint("keys of the JSON API are addressed as /<key>/, with the trailing slash"),
        false => error,
    });
    run(&engine, &request, command).await
}

/// Parses a command, refusing with 403 one that the request's token may not run. A command
/// that does not parse is its error reply.
fn parse(engine: &Engine, args: Vec<Bytes>, access: Access) -> Result<Result<Command, CmdError>, ApiError> {
    let name = args.first().cloned().unwrap_or_default();
    telemetry::count_command(command_info(&name).map_or("unknown", |info| info.name), "upstash");
    let command = engine.parse(args);
    if let Ok(parsed) = &command {
        access
            .authorize(parsed, &name)
            .map_err(|error| ApiError::Forbidden(error.to_string()))?;
    }
    Ok(command)
}

/// Parses every command of a pipeline or transaction; one that the token may not run
/// refuses the whole request.
fn parse_all(
    engine: &Engine,
    commands: Vec<Vec<Bytes>>,
    access: Access,
) -> Result<Vec<Result<Command, CmdError>>, ApiError> {
    commands.into_iter().map(|args| parse(engine, args, access)).collect()
}

async fn run(
    engine: &Engine,
    request: &HttpRequest,
    command: Result<Command, CmdError>,
) -> Result<HttpResponse, ApiError> {
    let reply = match command {
        Ok(command) => engine.execute(command).await?,
        Err(error) => Reply::Error(error),
    };
    match reply {
        Reply::Error(error) => Err(ApiError::BadRequest(error.to_string())),
        reply => Ok(HttpResponse::Ok().json(ResultBody {
            result: render(&reply, encoding(request), true),
        })),
    }
}

async fn read_limited(
    payload: web::Payload,
    request: &HttpRequest,
    limits: &Limits,
) -> Result<web::BytesMut, ApiError> {
    read_body(
        payload,
        request,
        limits,
        limits.max_request_bytes,
        "--max-request-bytes",
    )
    .await
}

/// A pipeline or transaction body: an array of commands.
async fn read_command_list(
    payload: web::Payload,
    request: &HttpRequest,
    limits: &Limits,
) -> Result<Vec<Vec<Bytes>>, ApiError> {
    let body = read_limited(payload, request, limits).await?;
    let not_a_list = || {
        ApiError::BadRequest(format!(
            "ERR the body must be a JSON array of commands, each {COMMAND_SHAPE}"
        ))
    };
    let commands: Vec<Vec<Argument>> = serde_json::from_slice(&body).map_err(|_| not_a_list())?;
    if commands.len() > limits.max_pipeline_commands {
        return Err(ApiError::PayloadTooLarge(format!(
            "ERR the request holds {} commands, over the limit of {} (--max-pipeline-commands)",
            commands.len(),
            limits.max_pipeline_commands
        )));
    }
    Ok(commands.into_iter().map(command_args).collect())
}

/// One argument of a command in a JSON body: Redis receives a string as its bytes, a number
/// as written (but for an exponent's sign: `1e3` is `1e+3`), a boolean as `true` or
/// `false`. Anything else is refused.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub(super) enum Argument {
    Text(String),
    #[schema(value_type = f64)]
    Number(serde_json::Number),
    Flag(bool),
}

impl Argument {
    fn into_bytes(self) -> Bytes {
        match self {
            Self::Text(text) => Bytes::from(text),
            Self::Number(number) => Bytes::from(number.to_string()),
            Self::Flag(flag) => Bytes::from(flag.to_string()),
        }
    }
}

/// A command's arguments as Redis would receive them.
fn command_args(command: Vec<Argument>) -> Vec<Bytes> {
    command.into_iter().map(Argument::into_bytes).collect()
}

/// Query parameters as arguments, in order, except the `_token` of authentication.
fn query_args(query: &str) -> Vec<Bytes> {
    let decode = |text: &str| Bytes::from(percent_decode_str(text).collect::<Vec<u8>>());
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| pair.split('=').next() != Some("_token"))
        .flat_map(|pair| match pair.split_once('=') {
            Some((name, value)) => vec![decode(name), decode(value)],
            None => vec![decode(pair)],
        })
        .collect()
}

fn envelopes(request: &HttpRequest, replies: Vec<Reply>) -> HttpResponse {
    let base64 = encoding(request);
    let body: Vec<Envelope> = replies
        .iter()
        .map(|reply| match reply {
            Reply::Error(error) => Envelope::Error(ErrorBody::new(error.as_str())),
            reply => Envelope::Result(ResultBody {
                result: render(reply, base64, true),
            }),
        })
        .collect();
    HttpResponse::Ok().json(body)
}

/// Whether the client asked for base64 strings (`Upstash-Encoding: base64`).
fn encoding(request: &HttpRequest) -> bool {
    request
        .headers()
        .get("upstash-encoding")
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"base64"))
}

/// A reply, in RESP2's types, as a JSON result: only null, integers, strings and arrays.
fn render(reply: &Reply, base64: bool, top_level: bool) -> Value {
    let text = |bytes: &[u8]| {
        if base64 {
            Value::String(BASE64.encode(bytes))
        } else {
            // As Upstash does without base64: invalid UTF-8 becomes U+FFFD.
            Value::String(String::from_utf8_lossy(bytes).into_owned())
        }
    };
    match reply {
        Reply::Nil | Reply::NilArray => Value::Null,
        // The clients keep a top-level OK as it is, encoded or not.
        Reply::Status(status) if top_level && status == "OK" => Value::String("OK".to_owned()),
        Reply::Status(status) => text(status.as_bytes()),
        Reply::Int(number) => Value::from(*number),
        Reply::Bulk(bytes) => text(bytes),
        Reply::Double(number) => text(format_score(*number).as_bytes()),
        Reply::FixedDouble(number) => text(format_fixed(*number).as_bytes()),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            Value::Array(items.iter().map(|item| render(item, base64, false)).collect())
        }
        Reply::Map(pairs) | Reply::Pairs(pairs) => Value::Array(
            pairs
                .iter()
                .flat_map(|(first, second)| [first, second])
                .map(|item| render(item, base64, false))
                .collect(),
        ),
        Reply::Error(error) => Value::String(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn arguments_are_rendered_as_redis_receives_them() {
        let command = r#"["set", "k", 10, 1.5, 12345678901234567890123, 1e3, true, "é"]"#;
        let args = command_args(serde_json::from_str(command).unwrap());
        assert_eq!(
            args,
            ["set", "k", "10", "1.5", "12345678901234567890123", "1e+3", "true", "é"]
        );
        for bad in [
            r#"["set", null]"#,
            r#"["set", {"a": 1}]"#,
            r#"["set", ["a"]]"#,
            r#""set""#,
        ] {
            assert!(serde_json::from_str::<Vec<Argument>>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn query_parameters_follow_the_path_and_the_token_is_left_out() {
        assert_eq!(query_args("EX=100&NX&_token=secret"), ["EX", "100", "NX"]);
        assert_eq!(query_args("a%20b=c%2Fd"), ["a b", "c/d"]);
        assert!(query_args("").is_empty());
    }

    #[test]
    fn base64_encodes_every_string_except_a_top_level_ok() {
        let reply = Reply::Array(vec![Reply::OK, Reply::bulk("bar"), Reply::Nil, Reply::Int(3)]);
        assert_eq!(render(&reply, true, true), json!(["T0s=", "YmFy", null, 3]));
        assert_eq!(render(&Reply::OK, true, true), json!("OK"));
        assert_eq!(render(&Reply::status("PONG"), true, true), json!("UE9ORw=="));
        assert_eq!(render(&reply, false, true), json!(["OK", "bar", null, 3]));
        assert_eq!(render(&Reply::bulk(vec![0xff, b'a']), false, true), json!("\u{fffd}a"));
    }
}
