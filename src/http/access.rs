//! Middleware around every route: the access token, and the `upstash-sync-token` header.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use serde_json::json;

use crate::cmd::Engine;

/// The token every request must carry, if one is configured.
#[derive(Clone)]
pub struct AccessToken(Option<String>);

impl AccessToken {
    pub fn new(token: Option<String>) -> Self {
        Self(token.filter(|token| !token.is_empty()))
    }

    pub fn is_required(&self) -> bool {
        self.0.is_some()
    }

    /// Whether `request` may proceed: no token is configured, or it sent the token as
    /// `Authorization: Bearer <token>` or `?_token=<token>`.
    fn admits(&self, request: &ServiceRequest) -> bool {
        let Some(expected) = &self.0 else {
            return true;
        };
        let bearer = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        let query = request.uri().query().unwrap_or_default();
        let in_query = query.split('&').find_map(|pair| pair.strip_prefix("_token="));
        let in_query = in_query.map(|token| percent_encoding::percent_decode_str(token).decode_utf8_lossy());
        [bearer.map(str::as_bytes), in_query.as_deref().map(str::as_bytes)]
            .into_iter()
            .flatten()
            .any(|candidate| same_secret(expected.as_bytes(), candidate))
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token itself.
        f.write_str(if self.is_required() {
            "AccessToken(set)"
        } else {
            "AccessToken(none)"
        })
    }
}

/// Compares without stopping at the first difference: the time taken depends only on the
/// expected token's length, so timing reveals nothing about how much of a guess was right.
fn same_secret(expected: &[u8], candidate: &[u8]) -> bool {
    let mut difference = usize::from(expected.len() != candidate.len());
    for (index, byte) in expected.iter().enumerate() {
        let sent = candidate.get(index).copied().unwrap_or(!byte);
        difference |= usize::from(byte ^ sent);
    }
    std::hint::black_box(difference) == 0
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
    let admitted = request.path() == "/health"
        || request
            .app_data::<web::Data<AccessToken>>()
            .is_none_or(|token| token.admits(&request));
    let engine = request.app_data::<web::Data<Engine>>().cloned();
    let mut response = if admitted {
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
    use super::same_secret;

    #[test]
    fn only_the_exact_secret_matches() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        for wrong in [&b""[..], b"s3cre", b"s3cret!", b"S3cret", b"s3cres"] {
            assert!(!same_secret(b"s3cret", wrong), "{wrong:?}");
        }
    }
}
