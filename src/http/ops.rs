//! Operational endpoints and the answers for paths and methods that match nothing.

use std::future::{Ready, ready};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde_json::json;

use super::ApiError;
use crate::cmd::Engine;

/// How long `/health` waits for the database before reporting it unavailable.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /health`: 200 once the database answered a query, 503 otherwise.
pub(super) async fn health(engine: web::Data<Engine>) -> HttpResponse {
    let problem = match tokio::time::timeout(HEALTH_TIMEOUT, engine.store().ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => {
            tracing::warn!(error = ?error, "health check: the database failed");
            Some("the database failed a query")
        }
        Err(_) => Some("the database did not answer within 2 s"),
    };
    match problem {
        None => HttpResponse::Ok().json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") })),
        Some(error) => HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "error": error })),
    }
}

/// A fallback handler answering 405 with the methods the path does take.
pub(super) fn method_not_allowed(allowed: &'static str) -> impl Fn(HttpRequest) -> Ready<HttpResponse> + Clone {
    move |request: HttpRequest| {
        let error = ApiError::MethodNotAllowed {
            method: request.method().to_string(),
            allowed,
        };
        ready(error.error_response())
    }
}
