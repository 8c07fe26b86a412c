//! Reading request bodies within the server's limits of size and time.

use std::time::Duration;

use actix_web::web::{self, BytesMut};
use actix_web::{HttpMessage, HttpRequest};
use futures_util::StreamExt;

use super::ApiError;
use crate::budget::{self, MemoryBudget, Reserved};
use crate::config::LimitArgs;

/// What one request may ask of the server, beyond what actix-web bounds itself.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest value of the JSON and RedisLite APIs, measured as compact JSON.
    pub max_value_bytes: usize,
    /// The largest body of the Upstash API: a command, a pipeline or a transaction.
    pub max_request_bytes: usize,
    /// The most commands in one pipeline or transaction.
    pub max_pipeline_commands: usize,
    /// How long a client may take to send a whole body once its headers arrived. actix-web
    /// times only the headers, so a client trickling a body would otherwise hold its
    /// connection and a worker's attention for as long as it likes.
    pub body_timeout: Duration,
}

impl From<&LimitArgs> for Limits {
    fn from(args: &LimitArgs) -> Self {
        Self {
            max_value_bytes: args.max_value_bytes as usize,
            max_request_bytes: args.max_request_bytes as usize,
            max_pipeline_commands: args.max_pipeline_commands as usize,
            body_timeout: Duration::from_secs(args.body_timeout_secs),
        }
    }
}

/// Reads a body of at most `limit` bytes within [`Limits::body_timeout`], refusing early on
/// a declared length over the limit. `limit_source` names the setting behind the limit, for
/// the error message. A large body first waits for room in the server's [`MemoryBudget`],
/// and holds it until the request is answered.
pub(super) async fn read_body(
    payload: web::Payload,
    request: &HttpRequest,
    limits: &Limits,
    limit: usize,
    limit_source: &str,
) -> Result<BytesMut, ApiError> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "the request body is over the limit of {limit} bytes ({limit_source})"
        ))
    };
    let declared = request
        .headers()
        .get("content-length")
        .and_then(|length| length.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let mut held = Held {
        budget: request
            .app_data::<web::Data<MemoryBudget>>()
            .map(|budget| budget.get_ref().clone()),
        reserved: Reserved::default(),
        body_bytes: 0,
    };
    held.cover(declared.unwrap_or(0), limit).await;
    let timeout = limits.body_timeout;
    let read = tokio::time::timeout(timeout, read_up_to(payload, limit, &mut held)).await;
    request.extensions_mut().insert(held.reserved);
    read.map_err(|_| {
        ApiError::RequestTimeout(format!(
            "the request body did not arrive within {} s (--body-timeout-secs)",
            timeout.as_secs_f64()
        ))
    })?
    .map_err(|error| error.unwrap_or_else(too_large))
}

/// The memory budget's bytes held for one request's body.
struct Held {
    budget: Option<MemoryBudget>,
    reserved: Reserved,
    /// The body bytes the reservation covers.
    body_bytes: usize,
}

impl Held {
    /// Holds enough for a body of `body_bytes` (of at most `limit`), once that is large: twice
    /// it, for the body and what is parsed out of it. A body of unknown length is covered as
    /// it arrives, in doublings.
    async fn cover(&mut self, body_bytes: usize, limit: usize) {
        let Some(budget) = &self.budget else {
            return;
        };
        if body_bytes <= self.body_bytes || 2 * body_bytes < budget::LARGE {
            return;
        }
        let target = body_bytes.max(2 * self.body_bytes).min(limit);
        budget.grow(&mut self.reserved, 2 * (target - self.body_bytes)).await;
        self.body_bytes = target;
    }
}

/// The whole body, or `Err(None)` once it grows past `limit`.
async fn read_up_to(mut payload: web::Payload, limit: usize, held: &mut Held) -> Result<BytesMut, Option<ApiError>> {
    let mut body = BytesMut::with_capacity(held.body_bytes);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            Some(ApiError::BadRequest(format!(
                "the request body could not be read: {error}"
            )))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(None);
        }
        held.cover(body.len() + chunk.len(), limit).await;
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
