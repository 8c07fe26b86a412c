//! Operational endpoints (the index, probes and metrics) and the answers for paths and
//! methods that match nothing.

use std::future::{self, Ready};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiError;
use super::error::ErrorBody;
use crate::cmd::Engine;
use crate::connections::ConnectionLimit;
use crate::store::StoreError;

/// How long a probe waits for the database before reporting it unavailable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: the database answers queries.
///
/// `GET /health`: 200 once the database answered a query, 503 otherwise.
#[utoipa::path(get, path = "/health", tag = "Operations", operation_id = "health", security(()),
    responses(
        (status = 200, description = "The database answers queries", body = ProbeBody),
        (status = 503, description = "It does not", body = ProbeBody),
    )
)]
pub(super) async fn health(engine: web::Data<Engine>) -> HttpResponse {
    probe("health", "a query", engine.store().ping()).await
}

/// Readiness: the database takes writes.
///
/// `GET /ready`: 200 once the database committed a write, 503 otherwise: the disk is full,
/// the file read-only, or another process holds the write lock.
#[utoipa::path(get, path = "/ready", tag = "Operations", operation_id = "ready", security(()),
    responses(
        (status = 200, description = "The database committed a write", body = ProbeBody),
        (status = 503, description = "It could not: disk full, file read-only, or the write lock held elsewhere", body = ProbeBody),
    )
)]
pub(super) async fn ready(engine: web::Data<Engine>) -> HttpResponse {
    probe("ready", "a write", engine.store().check_writable(engine.now_ms())).await
}

async fn probe(name: &str, what: &str, check: impl Future<Output = Result<(), StoreError>>) -> HttpResponse {
    let problem = match tokio::time::timeout(PROBE_TIMEOUT, check).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => {
            tracing::warn!(error = ?error, "{name} check: the database failed {what}");
            Some(format!("the database failed {what}: {error}"))
        }
        Err(_) => Some(format!(
            "the database did not complete {what} within {} s",
            PROBE_TIMEOUT.as_secs()
        )),
    };
    match problem {
        None => HttpResponse::Ok().json(ProbeBody {
            status: "ok",
            version: Some(env!("CARGO_PKG_VERSION")),
            error: None,
        }),
        Some(error) => HttpResponse::ServiceUnavailable().json(ProbeBody {
            status: "unavailable",
            version: None,
            error: Some(error),
        }),
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct ProbeBody {
    /// `ok` or `unavailable`.
    #[schema(example = "ok")]
    status: &'static str,
    /// The server's version, when `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'static str>,
    /// What failed, when `unavailable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Metrics in Prometheus's text format.
///
/// `GET /metrics`: every metric, with the gauges read now.
#[utoipa::path(get, path = "/metrics", tag = "Operations", operation_id = "metrics",
    responses(
        (status = 200, description = "Every metric, in Prometheus's text format", content_type = "text/plain", body = String),
        (status = 401, description = "A token is configured and the request lacks it", body = ErrorBody),
    )
)]
pub(super) async fn metrics(
    handle: web::Data<PrometheusHandle>,
    engine: web::Data<Engine>,
    connections: web::Data<ConnectionLimit>,
) -> HttpResponse {
    metrics::gauge!("litekv_database_bytes").set(engine.store().database_bytes().await as f64);
    metrics::gauge!("litekv_open_connections").set(connections.open() as f64);
    metrics::gauge!("litekv_resident_memory_bytes").set(crate::telemetry::resident_memory_bytes() as f64);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

/// A fallback handler answering 405 with the methods the path does take.
pub(super) fn method_not_allowed(allowed: &'static str) -> impl Fn(HttpRequest) -> Ready<HttpResponse> + Clone {
    method_not_allowed_because(allowed, |_| String::new())
}

/// As [`method_not_allowed`], with `hint(request)` (empty, or starting with "; ") saying
/// what the client likely meant.
pub(super) fn method_not_allowed_because(
    allowed: &'static str,
    hint: fn(&HttpRequest) -> String,
) -> impl Fn(HttpRequest) -> Ready<HttpResponse> + Clone {
    move |request: HttpRequest| {
        let error = ApiError::MethodNotAllowed {
            method: request.method().to_string(),
            allowed,
            hint: hint(&request),
        };
        future::ready(error.error_response())
    }
}

/// Where to go from here: the API docs, and the version.
///
/// `GET /` answers what litekv is and where its documentation lives. Redis commands are
/// `POST /`.
#[utoipa::path(get, path = "/", tag = "Operations", operation_id = "index", security(()),
    responses((status = 200, description = "The service, its version and where its docs are", body = IndexBody))
)]
pub(super) async fn index() -> HttpResponse {
    HttpResponse::Ok().json(IndexBody {
        service: "litekv",
        version: env!("CARGO_PKG_VERSION"),
        docs: "/docs",
        console: "/console",
        message: "a Redis-compatible key-value store over HTTP: open /console in a browser to see \
                  and edit the data, /docs to read and try the API; /openapi.json describes it",
    })
}

/// The console: one page, served from the binary, that browses and edits keys and runs
/// commands through the API with the token it is given.
pub(super) async fn console() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // Nothing but this server: the page needs no CDN, and may reach no other origin.
        .insert_header((
            "content-security-policy",
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
        ))
        .body(include_str!("console.html"))
}

#[derive(Serialize, ToSchema)]
pub(super) struct IndexBody {
    #[schema(example = "litekv")]
    service: &'static str,
    #[schema(example = "0.1.0")]
    version: &'static str,
    /// Swagger UI, to read and try the API.
    #[schema(example = "/docs")]
    docs: &'static str,
    /// The console, to see and edit the data in a browser.
    #[schema(example = "/console")]
    console: &'static str,
    message: &'static str,
}
