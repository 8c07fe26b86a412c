//! Access tokens (read-write and read-only), checked by the middleware in `frame.rs`.

use std::future::{Ready, ready};

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::header::AUTHORIZATION;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest};
use sha2::{Digest, Sha256};

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
    pub(super) fn access(&self, request: &ServiceRequest) -> Option<Access> {
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

    /// The access the middleware granted; read-only if it never ran, to fail safe.
    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(request
            .extensions()
            .get::<Self>()
            .copied()
            .unwrap_or(Self::ReadOnly)))
    }
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
