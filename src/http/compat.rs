//! The RedisLite API (seed 000's FastAPI service), with its exact response shapes, so its
//! clients run unchanged: `POST /api/set`, `GET /api/get?key=`, `DELETE /api/delete?key=`,
//! `GET /api/exists?key=`. Values are JSON, stored as the JSON API stores them.

use actix_web::{HttpRequest, HttpResponse, web};
use percent_encoding::percent_decode;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::ApiError;
use super::body::Limits;
use super::docs::{DeleteErrors, ReadErrors, WriteErrors};
use super::native::{
    DeleteResponse, object_body, only_fields, read_value_body, require_write, stored_as_json, take_value_and_ttl,
};
use crate::access::Access;
use crate::cmd::{Engine, GetOutcome};
use crate::domain::{Key, Ttl};

const BODY_SHAPE: &str = r#"a JSON object such as {"key": "user:123", "value": {"name": "John"}, "ttl": 3600}"#;

/// Set a key (RedisLite).
///
/// `POST /api/set {"key", "value", "ttl"?}`.
#[utoipa::path(
    post, path = "/api/set", tag = "RedisLite API", operation_id = "redislite_set",
    request_body(content = SetRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Stored", body = SetResponse),
        WriteErrors,
    )
)]
pub(super) async fn set(
    access: Access,
    request: HttpRequest,
    payload: web::Payload,
    engine: web::Data<Engine>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let body = read_value_body(access, &request, payload, &limits).await?;
    let SetRequest { key, value, ttl } = SetRequest::parse(&body, limits.max_value_bytes)?;
    let response_key = key.to_string();
    engine.set_value(key.into_bytes(), value.into(), ttl).await?;
    Ok(HttpResponse::Ok().json(SetResponse {
        success: true,
        key: response_key,
        ttl: ttl.map(|ttl| ttl.as_millis() / 1000),
        message: "Key set successfully",
    }))
}

/// Read a key (RedisLite).
///
/// `GET /api/get?key=`: the value, or `"value": null, "exists": false`.
#[utoipa::path(
    get, path = "/api/get", tag = "RedisLite API", operation_id = "redislite_get",
    params(("key" = String, Query, description = "The key", example = "user:123")),
    responses(
        (status = 200, description = "The value, or `null` with `exists: false`", body = GetResponse),
        ReadErrors,
    )
)]
pub(super) async fn get(request: HttpRequest, engine: web::Data<Engine>) -> Result<HttpResponse, ApiError> {
    let key = key_param(&request)?;
    let value = match engine.get_value(key.as_bytes()).await? {
        GetOutcome::Found { value, .. } => Some(stored_as_json(&value)),
        GetOutcome::Expired | GetOutcome::Missing => None,
    };
    let exists = value.is_some();
    Ok(HttpResponse::Ok().json(GetResponse {
        key: key.to_string(),
        value,
        exists,
    }))
}

/// Delete a key (RedisLite).
///
/// `DELETE /api/delete?key=`.
#[utoipa::path(
    delete, path = "/api/delete", tag = "RedisLite API", operation_id = "redislite_delete",
    params(("key" = String, Query, description = "The key", example = "user:123")),
    responses(
        (status = 200, description = "`deleted` says whether a live key was removed", body = DeleteResponse),
        DeleteErrors,
    )
)]
pub(super) async fn delete(
    access: Access,
    request: HttpRequest,
    engine: web::Data<Engine>,
) -> Result<HttpResponse, ApiError> {
    require_write(access)?;
    let key = key_param(&request)?;
    let response_key = key.to_string();
    let deleted = engine.delete_key(key.into_bytes()).await?;
    Ok(HttpResponse::Ok().json(DeleteResponse {
        key: response_key,
        deleted,
    }))
}

/// Check whether a key exists (RedisLite).
///
/// `GET /api/exists?key=`.
#[utoipa::path(
    get, path = "/api/exists", tag = "RedisLite API", operation_id = "redislite_exists",
    params(("key" = String, Query, description = "The key", example = "user:123")),
    responses(
        (status = 200, description = "Whether a live key exists", body = ExistsResponse),
        ReadErrors,
    )
)]
pub(super) async fn exists(request: HttpRequest, engine: web::Data<Engine>) -> Result<HttpResponse, ApiError> {
    let key = key_param(&request)?;
    let exists = matches!(engine.get_value(key.as_bytes()).await?, GetOutcome::Found { .. });
    Ok(HttpResponse::Ok().json(ExistsResponse {
        key: key.to_string(),
        exists,
    }))
}

/// The body of `POST /api/set`, validated.
#[derive(ToSchema)]
#[schema(as = RedisLiteSetRequest, example = json!({"key": "user:123", "value": {"name": "John"}, "ttl": 3600}))]
pub(super) struct SetRequest {
    #[schema(value_type = String)]
    key: Key,
    /// Any JSON value, stored as its compact JSON text.
    #[schema(value_type = Value)]
    value: Vec<u8>,
    /// Whole seconds until the key expires; without it, never.
    #[schema(value_type = u64, required = false, minimum = 1, maximum = 3_153_600_000_u64)]
    ttl: Option<Ttl>,
}

impl SetRequest {
    fn parse(body: &[u8], max_value_bytes: usize) -> Result<Self, ApiError> {
        let mut fields = object_body(body, BODY_SHAPE)?;
        only_fields(
            &fields,
            &["key", "value", "ttl"],
            "`key`, `value` and an optional `ttl`",
        )?;
        let key = match fields.remove("key") {
            Some(Value::String(key)) => Key::parse(key.into_bytes())?,
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "`key` must be a string; send {BODY_SHAPE}"
                )));
            }
        };
        let (value, ttl) = take_value_and_ttl(&mut fields, max_value_bytes, BODY_SHAPE)?;
        Ok(Self { key, value, ttl })
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = RedisLiteSetResponse)]
pub(super) struct SetResponse {
    success: bool,
    key: String,
    /// Whole seconds, as sent; null without one.
    ttl: Option<i64>,
    #[schema(example = "Key set successfully")]
    message: &'static str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = RedisLiteGetResponse)]
pub(super) struct GetResponse {
    key: String,
    /// The JSON value; null for a missing key.
    #[schema(value_type = Value)]
    value: Option<Box<RawValue>>,
    exists: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(as = RedisLiteExistsResponse)]
pub(super) struct ExistsResponse {
    key: String,
    exists: bool,
}

/// The `key` query parameter, form-decoded (`+` is a space) and validated.
fn key_param(request: &HttpRequest) -> Result<Key, ApiError> {
    let encoded = request
        .query_string()
        .split('&')
        .find_map(|pair| pair.strip_prefix("key="))
        .ok_or_else(|| ApiError::BadRequest("the query parameter `key` is missing, e.g. ?key=user:123".to_owned()))?;
    let spaced = encoded.replace('+', " ");
    Ok(Key::parse(percent_decode(spaced.as_bytes()).collect())?)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_key_parameter_is_form_decoded() {
        let key = |query: &str| key_param(&TestRequest::with_uri(&format!("/api/get?{query}")).to_http_request());
        assert_eq!(key("key=user%3A123").unwrap().as_str(), "user:123");
        assert_eq!(key("x=1&key=a+b%2Bc").unwrap().as_str(), "a b+c");
        assert!(key("other=1").is_err());
        assert!(key("key=").is_err());
    }
}
