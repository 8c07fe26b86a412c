//! The one middleware around every route. For each request it:
//! - takes the request id from `X-Request-Id`, or makes one, and returns it on the response;
//! - refuses a connection over `--max-connections` (429) and a missing or wrong token (401);
//! - logs it with the id, and a server error with its cause;
//! - counts it and times it for `/metrics`, by route pattern and status;
//! - adds `upstash-sync-token`: the number of the request's last write, or of the last commit.
//!
//! One layer rather than several: each `from_fn` layer costs an allocation per request.
//! Logs name the route pattern, never the path or query: paths carry keys and values
//! (`/set/k/v`), queries carry tokens (`?_token=`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use serde_json::json;

use super::access::request_access;
use crate::access::{Access, Tokens};
use crate::cmd::Engine;
use crate::connections::{Admission, ConnectionLimit};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const SYNC_TOKEN: HeaderName = HeaderName::from_static("upstash-sync-token");
/// The longest request id taken from a client; longer ones are replaced.
const MAX_REQUEST_ID: usize = 128;

pub async fn frame(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let started = Instant::now();
    // HEAD is GET without the body: routed as GET, while the connection, which saw HEAD,
    // leaves the body out.
    if request.method() == Method::HEAD {
        request.head_mut().method = Method::GET;
    }
    let request_id = request_id(&request);
    let engine = request.app_data::<web::Data<Engine>>().cloned();
    let serve = async {
        Ok::<_, Error>(match admit(&request) {
            Ok(access) => {
                request.extensions_mut().insert(access);
                next.call(request).await?.map_into_left_body()
            }
            Err(refusal) => request.into_response(refusal.response()).map_into_right_body(),
        })
    };
    let (mut response, sync_token) = match engine {
        Some(engine) => {
            let (response, sync_token) = engine.store().with_sync_token(serve).await;
            (response?, Some(sync_token))
        }
        None => (serve.await?, None),
    };
    record(&response, &request_id, started.elapsed());
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID, request_id);
    if let Some(sync_token) = sync_token {
        headers.insert(SYNC_TOKEN, HeaderValue::from(sync_token));
    }
    Ok(response)
}

/// The client's `X-Request-Id` if it is short, printable ASCII; a fresh one otherwise.
fn request_id(request: &ServiceRequest) -> HeaderValue {
    request
        .headers()
        .get(REQUEST_ID)
        .filter(|id| {
            let id = id.as_bytes();
            !id.is_empty() && id.len() <= MAX_REQUEST_ID && id.iter().all(u8::is_ascii_graphic)
        })
        .cloned()
        .unwrap_or_else(new_request_id)
}

/// 32 hex digits: a random prefix drawn once per process, then a counter. Unique without a
/// call for randomness per request, which cost GET_HIT about 4% of its time in `perf`.
fn new_request_id() -> HeaderValue {
    static PREFIX: LazyLock<u64> = LazyLock::new(|| uuid::Uuid::new_v4().as_u64_pair().0);
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    HeaderValue::try_from(format!("{:016x}{count:016x}", *PREFIX)).expect("hex digits are a valid header value")
}

/// Why a request is not served.
enum Refusal {
    TooManyConnections { max: usize },
    Unauthorized,
}

/// What the request may do, or why it is refused.
fn admit(request: &ServiceRequest) -> Result<Access, Refusal> {
    let over_connection_limit = request
        .conn_data::<Admission>()
        .is_some_and(|admission| !admission.admitted());
    if over_connection_limit {
        let max = request
            .app_data::<web::Data<ConnectionLimit>>()
            .map_or(0, |limit| limit.max());
        return Err(Refusal::TooManyConnections { max });
    }
    let access = match request.app_data::<web::Data<Tokens>>() {
        _ if is_public(request.method(), request.path()) => Some(Access::ReadOnly),
        Some(tokens) => request_access(tokens, request),
        None => Some(Access::ReadWrite),
    };
    access.ok_or(Refusal::Unauthorized)
}

impl Refusal {
    fn response(self) -> HttpResponse {
        match self {
            Self::TooManyConnections { max } => HttpResponse::TooManyRequests()
                .insert_header((RETRY_AFTER, "1"))
                .force_close()
                .json(json!({
                    "error": format!(
                        "too many connections: the server serves at most {max} at once (--max-connections); \
                         retry, or reuse an open connection"
                    )
                })),
            Self::Unauthorized => HttpResponse::Unauthorized()
                .insert_header((WWW_AUTHENTICATE, "Bearer"))
                .json(json!({
                    "error": "Unauthorized: send the token as the header Authorization: Bearer <token>, or as ?_token=<token>"
                })),
        }
    }
}

/// Paths served without a token: probes, which orchestrators call without credentials, and
/// the index, the API's documentation and the console's page, which hold no data (the console
/// asks for a token itself).
fn is_public(method: &Method, path: &str) -> bool {
    let index = method == Method::GET && path == "/";
    index
        || matches!(
            path,
            "/health" | "/ready" | "/openapi.json" | "/docs" | "/redoc" | "/console"
        )
        || path.starts_with("/docs/")
}

/// Logs the request and counts and times it for `/metrics`: one line at `info`, so that a
/// request leaves a trace at the default level (`litekv::http=warn` hides them); a server
/// error at `error`, with its cause. The one place that logs a failed request, so that the
/// line has its id: a log span per request would carry the id to every line, but cost GET_HIT
/// a tenth of its throughput.
fn record<B>(response: &ServiceResponse<B>, request_id: &HeaderValue, elapsed: Duration) {
    let request = response.request();
    let route = request.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(request.method());
    let status = response.status().as_u16();
    let micros = elapsed.as_micros() as u64;
    let request_id = request_id.to_str().unwrap_or_default();
    if response.status().is_server_error() {
        let cause = response.response().error();
        tracing::error!(target: "litekv::http", request_id, method, route, status, micros, error = ?cause, "request failed");
    } else {
        tracing::info!(target: "litekv::http", request_id, method, route, status, micros, "request");
    }
    ROUTE_METRICS.with_borrow_mut(|handles| {
        let metrics = handles
            .entry((method, route, status))
            .or_insert_with_key(|(method, route, status)| RouteMetrics::register(method, route, *status));
        metrics.requests.increment(1);
        metrics.latency.record(elapsed.as_secs_f64());
    });
}

/// The metrics of one method, route and status. Their handles are looked up once per
/// worker thread: the registry's lookup by labels costs allocations and a lock per call.
/// There are few such triples: routes are patterns, never paths.
struct RouteMetrics {
    requests: metrics::Counter,
    latency: metrics::Histogram,
}

thread_local! {
    static ROUTE_METRICS: RefCell<HashMap<(&'static str, String, u16), RouteMetrics>> = RefCell::default();
}

impl RouteMetrics {
    fn register(method: &'static str, route: &str, status: u16) -> Self {
        let route = route.to_owned();
        Self {
            requests: metrics::counter!(
                "litekv_http_requests_total",
                "method" => method,
                "route" => route.clone(),
                "status" => status.to_string()
            ),
            latency: metrics::histogram!("litekv_http_request_duration_seconds", "method" => method, "route" => route),
        }
    }
}

/// The method as a label; methods outside HTTP's standard set share one, so a client
/// inventing methods cannot grow the metrics without bound.
fn method_label(method: &Method) -> &'static str {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
        Method::PATCH,
        Method::CONNECT,
        Method::TRACE,
    ];
    const NAMES: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
    ];
    STANDARD
        .iter()
        .position(|standard| standard == method)
        .map_or("OTHER", |index| NAMES[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "OTHER");
    }

    #[test]
    fn the_index_docs_and_probes_are_public_and_keys_under_them_are_not_exempt_by_prefix_alone() {
        for public in [
            "/health",
            "/ready",
            "/openapi.json",
            "/docs",
            "/docs/",
            "/docs/index.css",
            "/redoc",
            "/",
        ] {
            assert!(is_public(&Method::GET, public), "{public}");
        }
        for private in ["/healthy/", "/docsx/", "/metrics", "/get/docs", "/ready/"] {
            assert!(!is_public(&Method::GET, private), "{private}");
        }
        // `POST /` runs commands.
        assert!(!is_public(&Method::POST, "/"));
    }
}
