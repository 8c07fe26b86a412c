//! Access tokens (read-write and read-only), checked by one middleware around every route,
//! which also adds the `upstash-sync-token` header.

use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cmd::Engine;

/// What a request's token lets it do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Reads only, and not the ones that walk the whole keyspace (KEYS, SCAN), as Upstash's
    /// read-only tokens.
    ReadOnly,
    ReadWrite,
}

/// The tokens requests may carry. With none configured, everyone may do everything.
///
/// Only SHA-256 digests are kept: comparing digests takes the same time whatever the
/// lengths, and the tokens themselves never sit in memory to be logged.
#[derive(Clone, Default)]
pub struct Tokens {
    digests: Vec<([u8; 32], Access)>,
}

impl Tokens {
    /// Adds a token; empty ones are ignored, so an unset variable set to "" grants nothing.
    pub fn add(&mut self, token: &str, access: Access) {
        if !token.is_empty() {
            self.digests.push((digest(token.as_bytes()), access));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// What `request` may do: everything if no token is configured; otherwise what the token
    /// it sent (`Authorization: Bearer <token>` or `?_token=<token>`) allows, or `None`.
    fn access(&self, request: &ServiceRequest) -> Option<Access> {
        if self.is_empty() {
            return Some(Access::ReadWrite);
        }
        let bearer = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        let query = request.uri().query().unwrap_or_default();
        let in_query = query.split('&').find_map(|pair| pair.strip_prefix("_token="));
        let in_query = in_query.map(|token| percent_encoding::percent_decode_str(token).decode_utf8_lossy());
        [bearer, in_query.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|candidate| self.access_of(candidate))
    }

    /// Compares the candidate with every token, never stopping early.
    fn access_of(&self, candidate: &str) -> Option<Access> {
        let candidate = digest(candidate.as_bytes());
        let mut granted = None;
        for (expected, access) in &self.digests {
            if same_digest(expected, &candidate) {
                // Read-write wins if a token was configured both ways.
                granted = granted.max(Some(*access));
            }
        }
        granted
    }
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.digests.len())
    }
}

fn digest(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

/// Compares without stopping at the first difference, so timing reveals nothing about how
/// much of a guess was right.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0, |difference, (x, y)| difference | (x ^ y));
    std::hint::black_box(difference) == 0
}

impl FromRequest for Access {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    /// The access [`guard`] granted; read-only if it never ran, to fail safe.
    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(request
            .extensions()
            .get::<Self>()
            .copied()
            .unwrap_or(Self::ReadOnly)))
    }
}

const SYNC_TOKEN: HeaderName = HeaderName::from_static("upstash-sync-token");

/// Wraps every route: refuses requests without the configured token with 401, except
/// `/health`, which load balancers and orchestrators probe without credentials; and adds
/// `upstash-sync-token` to every response, refusals included: the store's commit count once
/// the request is done, which changes after every write. One middleware rather than two:
/// each layer costs an allocation per request.
pub async fn guard(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let access = match request.app_data::<web::Data<Tokens>>() {
        _ if request.path() == "/health" => Some(Access::ReadOnly),
        Some(tokens) => tokens.access(&request),
        None => Some(Access::ReadWrite),
    };
    let engine = request.app_data::<web::Data<Engine>>().cloned();
    let mut response = if let Some(access) = access {
        request.extensions_mut().insert(access);
        next.call(request).await?.map_into_left_body()
    } else {
        let refusal = HttpResponse::Unauthorized()
            .insert_header((WWW_AUTHENTICATE, "Bearer"))
            .json(json!({
                "error": "Unauthorized: send the token as the header Authorization: Bearer <token>, or as ?_token=<token>"
            }));
        request.into_response(refusal).map_into_right_body()
    };
    if let Some(engine) = engine {
        response
            .headers_mut()
            .insert(SYNC_TOKEN, HeaderValue::from(engine.sync_token()));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_grants_its_access_and_nothing_else_matches() {
        let mut tokens = Tokens::default();
        tokens.add("writer", Access::ReadWrite);
        tokens.add("reader", Access::ReadOnly);
        tokens.add("", Access::ReadWrite);
        assert_eq!(tokens.access_of("writer"), Some(Access::ReadWrite));
        assert_eq!(tokens.access_of("reader"), Some(Access::ReadOnly));
        for wrong in ["", "write", "writer!", "Writer", "readerwriter"] {
            assert_eq!(tokens.access_of(wrong), None, "{wrong:?}");
        }
        tokens.add("reader", Access::ReadWrite);
        assert_eq!(tokens.access_of("reader"), Some(Access::ReadWrite));
    }
}
