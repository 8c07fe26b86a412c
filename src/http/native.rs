//! The native JSON API: `POST`, `GET` and `DELETE` on `/<key>/`.
//!
//! A POST is a SET whose value is the compact JSON text of `value`; a GET reads it back as
//! JSON (a stored value that is not JSON, written through another front door, comes back
//! as a JSON string).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::web::{self, BytesMut};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::ApiError;
use super::body::{Limits, read_body};
use super::docs::{DeleteErrors, ReadErrors, WriteErrors};
use super::error::ErrorBody;
use crate::access::Access;
use crate::cmd::{Engine, GetOutcome, SetOutcome, Stored};
use crate::domain::{Key, KeyError, Ttl};

/// Room for the `{"value": ..., "ttl": ...}` envelope around the largest value.
const ENVELOPE_BYTES: usize = 4096;
const BODY_SHAPE: &str = r#"a JSON object such as {"value": {"theme": "dark"}, "ttl": 60}"#;

/// Set a key to a JSON value (or a whole hash), with an optional TTL.
///
/// `POST /<key>/` upserts: 201 when the key is new (or had expired), 200 when it existed.
/// With `"type": "hash"`, `value` is an object whose fields become the hash's, replacing
/// whatever the key held, atomically.
#[utoipa::path(
    post, path = "/{key}/", tag = "JSON API", operation_id = "set_key",
    params(("key" = String, Path, description = "The key, percent-encoded; `%2F` is a `/` inside it", example = "user:123")),
    request_body(content = SetRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The key was created (or had expired)", body = SetResponse),
        (status = 200, description = "The key existed and was replaced", body = SetResponse),
        WriteErrors,
    )
)]
pub(super) async fn set_key(
    PathKey(key): PathKey,
    access: Access,
    request: HttpRequest,
    payload: web::Payload,
    engine: web::Data<Engine>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let body = read_value_body(access, &request, payload, &limits).await?;
    let SetRequest { value, ttl, kind } = SetRequest::parse(&body, limits.max_value_bytes)?;
    let response_key = key.to_string();
    let SetOutcome { created, expires_at } = match kind {
        ValueType::String => engine.set_value(key.into_bytes(), value.into(), ttl).await?,
        ValueType::Hash => {
            let fields = hash_fields(&value)?;
            engine.set_hash_value(key.into_bytes(), fields, ttl).await?
        }
    };
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(SetResponse {
        status: "ok",
        action: if created { "created" } else { "updated" },
        key: response_key,
        expires_at: expires_at.map(iso_8601),
    }))
}

/// Read a key's JSON value (or a whole hash) and the seconds it has left.
///
/// `GET /<key>/`: the value and the whole seconds it has left (-1: never expires). A hash
/// answers its fields as an object of strings, with `"type": "hash"`.
#[utoipa::path(
    get, path = "/{key}/", tag = "JSON API", operation_id = "get_key",
    params(("key" = String, Path, description = "The key, percent-encoded; `%2F` is a `/` inside it", example = "user:123")),
    responses(
        (status = 200, description = "The value and the seconds it has left (-1: no expiry)", body = GetResponse),
        ReadErrors,
        (status = 404, description = "No such key, or it expired", body = ErrorBody),
    )
)]
pub(super) async fn get_key(PathKey(key): PathKey, engine: web::Data<Engine>) -> Result<HttpResponse, ApiError> {
    let response_key = key.to_string();
    match engine.get_value(key.as_bytes()).await? {
        GetOutcome::Found { value, ttl_remaining } => Ok(HttpResponse::Ok().json(GetResponse {
            key: response_key,
            kind: type_name(&value),
            value: stored_as_json(&value),
            ttl_remaining: ttl_remaining.unwrap_or(-1),
        })),
        GetOutcome::Expired => Err(ApiError::KeyNotFound {
            message: "Key not found (expired)",
            key: response_key,
        }),
        GetOutcome::Missing => Err(ApiError::KeyNotFound {
            message: "Key not found",
            key: response_key,
        }),
    }
}

/// Delete a key.
///
/// `DELETE /<key>/`: 200 either way; `deleted` says whether a live key was removed.
#[utoipa::path(
    delete, path = "/{key}/", tag = "JSON API", operation_id = "delete_key",
    params(("key" = String, Path, description = "The key, percent-encoded; `%2F` is a `/` inside it", example = "user:123")),
    responses(
        (status = 200, description = "`deleted` says whether a live key was removed", body = DeleteResponse),
        DeleteErrors,
    )
)]
pub(super) async fn delete_key(
    PathKey(key): PathKey,
    access: Access,
    engine: web::Data<Engine>,
) -> Result<HttpResponse, ApiError> {
    require_write(access)?;
    let response_key = key.to_string();
    let deleted = engine.delete_key(key.into_bytes()).await?;
    Ok(HttpResponse::Ok().json(DeleteResponse {
        key: response_key,
        deleted,
    }))
}

#[derive(Serialize, ToSchema)]
pub(super) struct SetResponse {
    status: &'static str,
    action: &'static str,
    key: String,
    /// When the key expires, in UTC (ISO 8601); null if never.
    #[schema(example = "2026-11-22T06:00:00.000Z")]
    expires_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct GetResponse {
    key: String,
    /// The key's type, for any but a string: `hash`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(example = "hash")]
    kind: Option<&'static str>,
    /// The JSON value; for a hash, an object of its fields and their values.
    #[schema(value_type = Value)]
    value: Box<RawValue>,
    /// Whole seconds left, rounded up; -1 for a key that never expires.
    ttl_remaining: i64,
}

#[derive(Serialize, ToSchema)]
pub(super) struct DeleteResponse {
    pub(super) key: String,
    pub(super) deleted: bool,
}

/// The key addressed by a `/<key>/` path: percent-decoded (`%2F` is a `/` inside the key)
/// and validated.
pub(super) struct PathKey(Key);

impl FromRequest for PathKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(key_from_path(request.uri().path()).map(Self).map_err(ApiError::from))
    }
}

/// Decodes the raw path rather than the router's match, which leaves some escapes encoded.
fn key_from_path(path: &str) -> Result<Key, KeyError> {
    let encoded = path
        .strip_prefix('/')
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_default();
    Key::parse(percent_decode_str(encoded).collect())
}

/// The body of `POST /<key>/`, validated.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"value": {"theme": "dark"}, "ttl": 60}))]
pub(super) struct SetRequest {
    /// Any JSON value, stored as its compact JSON text; for a hash, an object whose values
    /// are strings, numbers or booleans, stored as the hash's fields.
    #[schema(value_type = Value)]
    value: Vec<u8>,
    /// Whole seconds until the key expires; without it, never.
    #[schema(value_type = u64, required = false, minimum = 1, maximum = 3_153_600_000_u64)]
    ttl: Option<Ttl>,
    /// What to store `value` as.
    #[serde(rename = "type")]
    #[schema(required = false)]
    kind: ValueType,
}

/// What a `POST /<key>/` stores its `value` as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum ValueType {
    /// The value's JSON text: the default.
    #[default]
    String,
    /// A whole hash, replacing whatever the key held.
    Hash,
}

const HASH_SHAPE: &str =
    r#"an object of strings, numbers or booleans, such as {"type": "hash", "value": {"name": "ada", "seats": 3}}"#;

impl SetRequest {
    fn parse(body: &[u8], max_value_bytes: usize) -> Result<Self, ApiError> {
        let mut fields = object_body(body, BODY_SHAPE)?;
        only_fields(
            &fields,
            &["value", "ttl", "type"],
            "`value`, and an optional `ttl` and `type`",
        )?;
        let kind = match fields.remove("type") {
            None => ValueType::String,
            Some(Value::String(kind)) if kind == "string" => ValueType::String,
            Some(Value::String(kind)) if kind == "hash" => ValueType::Hash,
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "`type` must be \"hash\" (or \"string\", the default); got {other}"
                )));
            }
        };
        let (value, ttl) = take_value_and_ttl(&mut fields, max_value_bytes, BODY_SHAPE)?;
        Ok(Self { value, ttl, kind })
    }
}

/// A hash's fields from the compact JSON text of `value`: an object of at least one field,
/// whose values are strings (stored as they are), numbers or booleans (stored as their JSON
/// text), as the Redis API takes arguments.
fn hash_fields(value: &[u8]) -> Result<Vec<(Bytes, Bytes)>, ApiError> {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(value) else {
        return Err(ApiError::BadRequest(format!("a hash's `value` must be {HASH_SHAPE}")));
    };
    if object.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "a hash needs at least one field (Redis has no empty hash): send {HASH_SHAPE}"
        )));
    }
    object
        .into_iter()
        .map(|(field, value)| {
            let value = match value {
                Value::String(text) => text,
                Value::Number(_) | Value::Bool(_) => value.to_string(),
                other => {
                    return Err(ApiError::BadRequest(format!(
                        "the hash field `{field}` is {}; a hash's values are strings, numbers or booleans",
                        json_kind(&other)
                    )));
                }
            };
            Ok((Bytes::from(field), Bytes::from(value)))
        })
        .collect()
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        Value::String(_) | Value::Number(_) | Value::Bool(_) => "a string, number or boolean",
    }
}

/// The body of a write that carries a value: refused for a read-only token or a body that
/// is not JSON, and read up to the largest value plus [`ENVELOPE_BYTES`].
pub(super) async fn read_value_body(
    access: Access,
    request: &HttpRequest,
    payload: web::Payload,
    limits: &Limits,
) -> Result<BytesMut, ApiError> {
    require_write(access)?;
    require_json(request)?;
    let limit = limits.max_value_bytes + ENVELOPE_BYTES;
    read_body(payload, request, limits, limit, "--max-value-bytes plus 4096").await
}

/// Takes the required `value` (as compact JSON, within the limit) and the optional `ttl`
/// out of a body; errors show `shape`.
pub(super) fn take_value_and_ttl(
    fields: &mut Map<String, Value>,
    max_value_bytes: usize,
    shape: &str,
) -> Result<(Vec<u8>, Option<Ttl>), ApiError> {
    let value = fields
        .remove("value")
        .ok_or_else(|| ApiError::BadRequest(format!("the body has no `value`; send {shape}")))?;
    let ttl = fields.get("ttl").map(Ttl::from_json).transpose()?;
    Ok((compact_value(&value, max_value_bytes)?, ttl))
}

/// A body that must be a JSON object; the error shows `shape`.
pub(super) fn object_body(body: &[u8], shape: &str) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(ApiError::BadRequest(format!("the body must be {shape}"))),
        Err(error) => Err(ApiError::BadRequest(format!(
            "the body is not valid JSON ({error}); send {shape}"
        ))),
    }
}

/// Refuses any field but `allowed`; `takes` says which in words.
pub(super) fn only_fields(fields: &Map<String, Value>, allowed: &[&str], takes: &str) -> Result<(), ApiError> {
    match fields.keys().find(|field| !allowed.contains(&field.as_str())) {
        Some(unknown) => Err(ApiError::BadRequest(format!(
            "unknown field `{unknown}`: the body takes {takes}"
        ))),
        None => Ok(()),
    }
}

/// A value as the compact JSON text that is stored, within `--max-value-bytes`.
fn compact_value(value: &Value, max_value_bytes: usize) -> Result<Vec<u8>, ApiError> {
    let value = serde_json::to_vec(value).expect("a parsed JSON value serializes");
    if value.len() > max_value_bytes {
        return Err(value_too_large(value.len(), max_value_bytes));
    }
    Ok(value)
}

pub(super) fn require_write(access: Access) -> Result<(), ApiError> {
    access
        .authorize_write()
        .map_err(|error| ApiError::Forbidden(error.to_string()))
}

/// Refuses a body that is not declared as JSON.
fn require_json(request: &HttpRequest) -> Result<(), ApiError> {
    let content_type = request.content_type();
    let is_json = content_type.eq_ignore_ascii_case("application/json")
        || (content_type.starts_with("application/") && content_type.ends_with("+json"));
    if !is_json {
        let sent = if content_type.is_empty() { "none" } else { content_type };
        return Err(ApiError::UnsupportedMediaType(format!(
            "the body must be JSON: send the header Content-Type: application/json (got {sent})"
        )));
    }
    Ok(())
}

fn value_too_large(size: usize, max_value_bytes: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "the value is {size} bytes as compact JSON; the limit is {max_value_bytes} bytes (--max-value-bytes)"
    ))
}

/// A stored value as JSON: itself when it is JSON text, otherwise a JSON string of it.
/// A key's whole value as JSON: a string's JSON text (see [`stored_value_as_json`]), or a
/// hash's fields as an object of strings.
pub(super) fn stored_as_json(value: &Stored) -> Box<RawValue> {
    match value {
        Stored::String(text) => stored_value_as_json(text),
        Stored::Hash(fields) => {
            let object: Map<String, Value> = fields
                .iter()
                .map(|(field, value)| {
                    let text = String::from_utf8_lossy(value).into_owned();
                    (String::from_utf8_lossy(field).into_owned(), Value::String(text))
                })
                .collect();
            serde_json::value::to_raw_value(&object).expect("an object of strings serializes")
        }
    }
}

/// The `type` a response names: none for a string, as the JSON API has always answered.
fn type_name(value: &Stored) -> Option<&'static str> {
    match value {
        Stored::String(_) => None,
        Stored::Hash(_) => Some("hash"),
    }
}

pub(super) fn stored_value_as_json(value: &[u8]) -> Box<RawValue> {
    serde_json::from_slice(value).unwrap_or_else(|_| {
        let text = serde_json::to_string(&String::from_utf8_lossy(value)).expect("a string serializes");
        RawValue::from_string(text).expect("a serialized string is valid JSON")
    })
}

/// Unix milliseconds as ISO-8601 UTC, e.g. `2025-12-20T21:31:00.000Z`.
fn iso_8601(unix_ms: i64) -> String {
    DateTime::from_timestamp_millis(unix_ms)
        .expect("expiries are bounded by MAX_TTL_SECONDS, well inside chrono's range")
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slash_inside_a_key_may_be_written_either_way() {
        assert_eq!(key_from_path("/a%2Fb/").unwrap().as_str(), "a/b");
        assert_eq!(key_from_path("/a/b/").unwrap().as_str(), "a/b");
        assert_eq!(key_from_path("/caf%C3%A9%20%25/").unwrap().as_str(), "café %");
        assert_eq!(key_from_path("//"), Err(KeyError::Empty));
        assert_eq!(key_from_path("/%FF/"), Err(KeyError::NotUtf8));
    }

    #[test]
    fn values_are_stored_as_compact_json_and_read_back_verbatim() {
        let request = SetRequest::parse(
            br#"{ "value" : { "a" : [1, 2.50, 123456789012345678901234567890] } }"#,
            1024,
        )
        .unwrap();
        assert_eq!(request.value, br#"{"a":[1,2.50,123456789012345678901234567890]}"#);
        assert_eq!(
            stored_value_as_json(&request.value).get(),
            r#"{"a":[1,2.50,123456789012345678901234567890]}"#
        );
    }

    #[test]
    fn object_members_keep_the_order_they_were_sent_in() {
        let request =
            SetRequest::parse(br#"{"value": {"theme": "dark", "notifications": true, "a": 1}}"#, 1024).unwrap();
        assert_eq!(request.value, br#"{"theme":"dark","notifications":true,"a":1}"#);
    }

    #[test]
    fn a_stored_value_that_is_not_json_reads_as_a_json_string() {
        assert_eq!(stored_value_as_json(b"plain \"text\"").get(), r#""plain \"text\"""#);
    }

    #[test]
    fn expiry_times_print_as_utc_with_milliseconds() {
        assert_eq!(iso_8601(1_766_266_260_000), "2025-12-20T21:31:00.000Z");
    }
}
