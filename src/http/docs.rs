//! The API's documentation: an OpenAPI 3 document generated from the handlers'
//! `#[utoipa::path]` attributes and the response types, and Swagger UI to browse it, both
//! served from the binary (Swagger UI's files are embedded at build time: no CDN).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::error::ErrorBody;
use super::{compat, native, ops, upstash, watch};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "litekv",
        description = "A persistent, Redis-compatible key-value store over HTTP. Three doors to the \
                       same keys: the JSON API (`/<key>/`), the Redis API in Upstash's REST protocol, \
                       and the RedisLite API (`/api/...`). With tokens configured, every operation \
                       but the probes needs one: `Authorization: Bearer <token>` or `?_token=<token>`."
    ),
    paths(
        native::get_key,
        native::set_key,
        native::delete_key,
        watch::watch_key,
        upstash::command,
        upstash::pipeline,
        upstash::multi_exec,
        upstash::path_command,
        compat::set,
        compat::get,
        compat::delete,
        compat::exists,
        ops::index,
        ops::health,
        ops::ready,
        ops::metrics,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerToken, &OperationIdPerMethod),
    security(("token" = []))
)]
struct ApiDoc;

/// Declares the `token` security scheme the operations name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// One handler may serve several methods (the path-style command): OpenAPI wants each
/// operation's id unique, so each of its methods gets `<id>_<method>`.
struct OperationIdPerMethod;

impl Modify for OperationIdPerMethod {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                ("get", &mut item.get),
                ("head", &mut item.head),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("delete", &mut item.delete),
            ];
            let mut operations: Vec<_> = operations
                .into_iter()
                .filter_map(|(method, operation)| Some((method, operation.as_mut()?)))
                .collect();
            let ids: Vec<_> = operations
                .iter()
                .map(|(_, operation)| operation.operation_id.clone())
                .collect();
            for (method, operation) in &mut operations {
                let shared = ids.iter().filter(|id| **id == operation.operation_id).count() > 1;
                if let (true, Some(id)) = (shared, &mut operation.operation_id) {
                    *id = format!("{id}_{method}");
                }
            }
        }
    }
}

/// The error answers operations share, named once: a handler's `responses(...)` lists its
/// own statuses, then one of these sets. Every one is an [`ErrorBody`].
const BAD_INPUT: (u16, &str) = (400, "A bad key or body; the error says what to fix");
const UNAUTHORIZED: (u16, &str) = (401, "A token is configured and the request lacks it");
const READ_ONLY: (u16, &str) = (403, "A read-only token");
const TOO_LARGE: (u16, &str) = (413, "The value or body is over its limit");
const NOT_JSON: (u16, &str) = (415, "The body is not `application/json`");
const COMMAND_ERROR: (u16, &str) = (
    400,
    "The command's error, as Redis words it (`ERR ...`, `WRONGTYPE ...`, `EXECABORT ...`)",
);
const NOPERM: (u16, &str) = (403, "`NOPERM`: a read-only token sent a write, KEYS or SCAN");
const REQUEST_TOO_LARGE: (u16, &str) = (
    413,
    "The body is over `--max-request-bytes`, or holds more than `--max-pipeline-commands` commands",
);

/// The errors of a read of the JSON and RedisLite APIs.
pub(super) struct ReadErrors;
/// The errors of a delete: a read's, and a read-only token's.
pub(super) struct DeleteErrors;
/// The errors of a write with a JSON body.
pub(super) struct WriteErrors;
/// The errors of the Upstash API.
pub(super) struct CommandErrors;

impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        error_responses(&[BAD_INPUT, UNAUTHORIZED])
    }
}

impl IntoResponses for DeleteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        error_responses(&[BAD_INPUT, UNAUTHORIZED, READ_ONLY])
    }
}

impl IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        error_responses(&[BAD_INPUT, UNAUTHORIZED, READ_ONLY, TOO_LARGE, NOT_JSON])
    }
}

impl IntoResponses for CommandErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        error_responses(&[COMMAND_ERROR, UNAUTHORIZED, NOPERM, REQUEST_TOO_LARGE])
    }
}

fn error_responses(errors: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    let body = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    errors
        .iter()
        .map(|(status, description)| {
            let response = ResponseBuilder::new()
                .description(*description)
                .content("application/json", body.clone())
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

/// `/openapi.json`, Swagger UI under `/docs/`, and `/docs` and `/redoc` sending browsers
/// there. ReDoc has no build that works without a CDN short of committing its bundle to
/// this repository, so `/redoc` redirects rather than serve a page that cannot load.
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", ApiDoc::openapi()));
    for path in ["/docs", "/redoc"] {
        cfg.service(
            web::resource(path)
                .route(web::get().to(to_swagger_ui))
                .default_service(reserved_for_docs()),
        );
    }
    // Swagger UI's routes take GET alone; any other method on its paths would reach the
    // JSON API as the key `docs` or `openapi.json`.
    for path in ["/docs/{_:.*}", "/openapi.json"] {
        cfg.service(web::resource(path).default_service(reserved_for_docs()));
    }
}

fn reserved_for_docs() -> actix_web::Route {
    web::to(ops::method_not_allowed_because("GET, HEAD", |request| {
        format!(
            "; {} is reserved for the API docs, which are read-only. A key of that name is \
             reached through the Redis API: POST / with [\"SET\", \"<key>\", \"<value>\"]",
            request.path()
        )
    }))
}

/// A redirect that also says where it leads, for a client that does not follow it (curl).
async fn to_swagger_ui() -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header(("location", "/docs/"))
        .content_type("text/html; charset=utf-8")
        .body(
            "<!doctype html><title>litekv API docs</title><p>The API docs are at <a href=\"/docs/\">/docs/</a>.</p>\n",
        )
}
