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

/// Set a key to a JSON value or a whole collection, with an optional TTL.
///
/// `POST /<key>/` upserts: 201 when the key is new (or had expired), 200 when it existed.
/// With `"type"`, `value` is a whole collection that replaces whatever the key held,
/// atomically: for `"hash"` an object of fields, for `"list"` and `"set"` an array of
/// elements, for `"zset"` an array of `[member, score]` pairs, for `"json"` any JSON value,
/// a document the `JSON.*` commands read and edit by path.
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
        kind => {
            let collection = collection_of(kind, &value)?;
            engine.set_whole_value(key.into_bytes(), collection, ttl).await?
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

/// Read a key's JSON value (or a whole collection) and the seconds it has left.
///
/// `GET /<key>/`: the value and the whole seconds it has left (-1: never expires). A
/// collection answers with its `"type"`: a hash as an object of strings, a list as an array
/// from head to tail, a set as a sorted array, a sorted set as `[member, score]` pairs, a JSON
/// document as itself.
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
    /// The key's type, for any but a string: `hash`, `list`, `set`, `zset` or `json`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(example = "hash")]
    kind: Option<&'static str>,
    /// The JSON value; for a hash, an object of its fields and their values; for a list or
    /// set, an array of its elements; for a sorted set, `[member, score]` pairs; for a JSON
    /// document, the document.
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
    /// Any JSON value, stored as its compact JSON text; with `type`, the collection: an object
    /// of fields (hash), an array of elements (list, set) or of `[member, score]` pairs (zset),
    /// whose fields, elements and members are strings, numbers or booleans; or any JSON value
    /// as a document (json).
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
    /// A whole list, from head to tail.
    List,
    /// A whole set.
    Set,
    /// A whole sorted set, as `[member, score]` pairs.
    ZSet,
    /// A JSON document (RedisJSON's type): any JSON value, which the `JSON.*` commands read
    /// and edit by path.
    Json,
}

impl ValueType {
    const NAMES: [(&'static str, Self); 6] = [
        ("string", Self::String),
        ("hash", Self::Hash),
        ("list", Self::List),
        ("set", Self::Set),
        ("zset", Self::ZSet),
        ("json", Self::Json),
    ];
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
            Some(named) => ValueType::NAMES
                .into_iter()
                .find(|(name, _)| named.as_str() == Some(name))
                .map(|(_, kind)| kind)
                .ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "`type` must be \"hash\", \"list\", \"set\", \"zset\" or \"json\" (or \"string\", the default); got {named}"
                    ))
                })?,
        };
        let (value, ttl) = take_value_and_ttl(&mut fields, max_value_bytes, BODY_SHAPE)?;
        Ok(Self { value, ttl, kind })
    }
}

/// The collection of type `kind` in the compact JSON text of `value`, as a POST with
/// `"type"` sends it.
fn collection_of(kind: ValueType, value: &[u8]) -> Result<Stored, ApiError> {
    let value: Value = serde_json::from_slice(value).expect("the value was parsed from JSON");
    match kind {
        ValueType::String => Ok(Stored::String(Bytes::from(value.to_string()))),
        ValueType::Hash => hash_fields(value).map(Stored::Hash),
        ValueType::List => elements(value, "list").map(Stored::List),
        ValueType::Set => elements(value, "set").map(Stored::Set),
        ValueType::ZSet => scored_members(value).map(Stored::ZSet),
        ValueType::Json => Ok(Stored::Json(Bytes::from(value.to_string()))),
    }
}

/// A scalar as the bytes the Redis API would take: a string as it is, a number or boolean as
/// its JSON text.
fn scalar_text(value: Value) -> Result<Bytes, Value> {
    match value {
        Value::String(text) => Ok(Bytes::from(text)),
        Value::Number(_) | Value::Bool(_) => Ok(Bytes::from(value.to_string())),
        other => Err(other),
    }
}

/// A hash's fields: an object of at least one field, whose values are scalars.
fn hash_fields(value: Value) -> Result<Vec<(Bytes, Bytes)>, ApiError> {
    let Value::Object(object) = value else {
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
            let value = scalar_text(value).map_err(|other| {
                ApiError::BadRequest(format!(
                    "the hash field `{field}` is {}; a hash's values are strings, numbers or booleans",
                    json_kind(&other)
                ))
            })?;
            Ok((Bytes::from(field), value))
        })
        .collect()
}

/// A list's or set's elements: an array of at least one scalar.
fn elements(value: Value, kind: &str) -> Result<Vec<Bytes>, ApiError> {
    let shape =
        format!(r#"an array of strings, numbers or booleans, such as {{"type": "{kind}", "value": ["a", "b", 3]}}"#);
    let Value::Array(items) = value else {
        return Err(ApiError::BadRequest(format!("a {kind}'s `value` must be {shape}")));
    };
    if items.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "a {kind} needs at least one element (Redis has no empty {kind}): send {shape}"
        )));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            scalar_text(item).map_err(|other| {
                ApiError::BadRequest(format!(
                    "element {index} of the {kind} is {}; a {kind}'s elements are strings, numbers or booleans",
                    json_kind(&other)
                ))
            })
        })
        .collect()
}

const ZSET_SHAPE: &str =
    r#"an array of [member, score] pairs, such as {"type": "zset", "value": [["ada", 10], ["bob", 7.5]]}"#;

/// A sorted set's members: an array of at least one `[member, score]` pair, the member a
/// scalar and the score a number (or `"inf"`, `"-inf"`, as a GET answers the infinities).
fn scored_members(value: Value) -> Result<Vec<(Bytes, f64)>, ApiError> {
    let Value::Array(pairs) = value else {
        return Err(ApiError::BadRequest(format!(
            "a sorted set's `value` must be {ZSET_SHAPE}"
        )));
    };
    if pairs.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "a sorted set needs at least one member (Redis has no empty sorted set): send {ZSET_SHAPE}"
        )));
    }
    let bad_pair = |index: usize| {
        ApiError::BadRequest(format!(
            "pair {index} of the sorted set is not [member, score]: send {ZSET_SHAPE}"
        ))
    };
    pairs
        .into_iter()
        .enumerate()
        .map(|(index, pair)| {
            let Value::Array(pair) = pair else {
                return Err(bad_pair(index));
            };
            let Ok([member, score]) = <[Value; 2]>::try_from(pair) else {
                return Err(bad_pair(index));
            };
            let member = scalar_text(member).map_err(|_| bad_pair(index))?;
            let score = match score {
                Value::Number(number) => number.as_f64(),
                Value::String(text) => match text.as_str() {
                    "inf" | "+inf" => Some(f64::INFINITY),
                    "-inf" => Some(f64::NEG_INFINITY),
                    _ => None,
                },
                _ => None,
            };
            let score = score.ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "the score of pair {index} of the sorted set must be a number (or \"inf\", \"-inf\")"
                ))
            })?;
            Ok((member, score))
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

/// A key's whole value as JSON: a string's JSON text (see [`stored_value_as_json`]); a hash's
/// fields as an object of strings; a list's or set's elements as an array of strings; a sorted
/// set's members as `[member, score]` pairs (the infinities as `"inf"` and `"-inf"`).
pub(super) fn stored_as_json(value: &Stored) -> Box<RawValue> {
    let text = |bytes: &Bytes| Value::String(String::from_utf8_lossy(bytes).into_owned());
    let json = match value {
        Stored::String(text) => return stored_value_as_json(text),
        Stored::Json(document) => return stored_value_as_json(document),
        Stored::Hash(fields) => Value::Object(
            fields
                .iter()
                .map(|(field, value)| (String::from_utf8_lossy(field).into_owned(), text(value)))
                .collect(),
        ),
        Stored::List(elements) | Stored::Set(elements) => Value::Array(elements.iter().map(text).collect()),
        Stored::ZSet(members) => Value::Array(
            members
                .iter()
                .map(|(member, score)| {
                    let score = serde_json::Number::from_f64(*score)
                        .map_or_else(|| Value::String(crate::reply::format_score(*score)), Value::Number);
                    Value::Array(vec![text(member), score])
                })
                .collect(),
        ),
    };
    serde_json::value::to_raw_value(&json).expect("JSON values serialize")
}

/// The `type` a response names: none for a string, as the JSON API has always answered.
pub(super) fn type_name(value: &Stored) -> Option<&'static str> {
    match value {
        Stored::String(_) => None,
        other => Some(other.type_name()),
    }
}

/// A stored value as JSON: itself when it is JSON text, otherwise a JSON string of it.
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

    mod fuzz {
        use actix_web::ResponseError;
        use proptest::prelude::*;

        use super::*;

        /// JSON bodies of a few levels, mostly the shape a POST takes, with its fields and
        /// types at random.
        fn bodies() -> impl Strategy<Value = String> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                "[a-z\\u{e9}\"]{0,6}".prop_map(Value::from),
            ];
            let value = leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map("[a-z]{0,3}", inner, 0..4)
                        .prop_map(|members| Value::Object(members.into_iter().collect())),
                ]
            });
            let field = prop::sample::select(vec!["value", "ttl", "type", "other"]);
            prop::collection::vec((field, value), 0..4).prop_map(|fields| {
                Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()).to_string()
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn a_post_body_is_taken_or_refused_with_a_4xx(body in prop_oneof![bodies(), ".{0,40}"]) {
                let refused = |error: ApiError| error.status_code().is_client_error();
                match SetRequest::parse(body.as_bytes(), 64) {
                    Ok(request) => {
                        prop_assert!(request.value.len() <= 64);
                        // A typed value is a collection or refused the same way.
                        if request.kind != ValueType::String {
                            prop_assert!(collection_of(request.kind, &request.value).map_or_else(refused, |_| true));
                        }
                    }
                    Err(error) => prop_assert!(refused(error)),
                }
            }

            #[test]
            fn any_path_is_a_key_or_refused_without_panicking(path in "/[a-z%0-9A-F/\\u{e9}]{0,40}") {
                let _ = key_from_path(&path);
            }
        }
    }

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
