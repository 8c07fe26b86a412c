//! Operational endpoints (probes and metrics) and the answers for paths and methods that
//! match nothing.

use std::future::{self, Ready};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;

use super::ApiError;
use super::connections::ConnectionLimit;
use crate::cmd::Engine;
use crate::store::StoreError;

/// How long a probe waits for the database before reporting it unavailable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /health` (liveness): 200 once the database answered a query, 503 otherwise.
pub(super) async fn health(engine: web::Data<Engine>) -> HttpResponse {
    probe("health", "a query", engine.store().ping()).await
}

/// `GET /ready` (readiness): 200 once the database committed a write, 503 otherwise: the
/// disk is full, the file read-only, or another process holds the write lock.
pub(super) async fn ready(engine: web::Data<Engine>) -> HttpResponse {
    probe("ready", "a write", engine.store().check_writable(engine.now_ms())).await
}

async fn probe(name: &str, what: &str, check: impl Future<Output = Result<(), StoreError>>) -> HttpResponse {
    let problem = match tokio::time::timeout(PROBE_TIMEOUT, check).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => {
            tracing::warn!(error = ?error, "{name} check: the database failed {what}");
            Some(format!("the database failed {what}"))
        }
        Err(_) => Some(format!(
            "the database did not complete {what} within {} s",
            PROBE_TIMEOUT.as_secs()
        )),
    };
    match problem {
        None => HttpResponse::Ok().json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") })),
        Some(error) => HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "error": error })),
    }
}

/// `GET /metrics`: every metric in Prometheus's text format, with the gauges read now.
pub(super) async fn metrics(
    handle: web::Data<PrometheusHandle>,
    engine: web::Data<Engine>,
    connections: web::Data<ConnectionLimit>,
) -> HttpResponse {
    metrics::gauge!("litekv_database_bytes").set(engine.store().file_bytes() as f64);
    metrics::gauge!("litekv_open_connections").set(connections.open() as f64);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

/// A fallback handler answering 405 with the methods the path does take.
pub(super) fn method_not_allowed(allowed: &'static str) -> impl Fn(HttpRequest) -> Ready<HttpResponse> + Clone {
    move |request: HttpRequest| {
        let error = ApiError::MethodNotAllowed {
            method: request.method().to_string(),
            allowed,
        };
        future::ready(error.error_response())
    }
}
