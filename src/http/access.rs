//! Finding a request's token (`Authorization: Bearer <token>` or `?_token=<token>`); what
//! it allows is decided by [`crate::access`].

use std::future::{Ready, ready};

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::header::AUTHORIZATION;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest};

use crate::access::{Access, Tokens};

/// What `request` may do, by the token it sent; `None` if it needed one and sent none
/// that `tokens` know.
pub(super) fn request_access(tokens: &Tokens, request: &ServiceRequest) -> Option<Access> {
    let bearer = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token);
    let query = request.uri().query().unwrap_or_default();
    let in_query = query.split('&').find_map(|pair| pair.strip_prefix("_token="));
    let in_query = in_query.map(|token| percent_encoding::percent_decode_str(token).decode_utf8_lossy());
    tokens.grant([bearer, in_query.as_deref()].into_iter().flatten())
}

/// The token of an `Authorization` header's value: `Bearer <token>`, the scheme in any case
/// (RFC 9110: schemes are case-insensitive).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim_start())
}

impl FromRequest for Access {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    /// The access the middleware granted; read-only if it never ran, to fail safe.
    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(request
            .extensions()
            .get::<Self>()
            .copied()
            .unwrap_or(Self::ReadOnly)))
    }
}
