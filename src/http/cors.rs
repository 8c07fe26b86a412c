//! Cross-origin calls from web pages (CORS), allowed only for configured origins.

use actix_cors::Cors;

/// The CORS policy for `origins` (each validated by [`crate::config::parse_origin`], none empty); `*`
/// allows any.
pub fn cors(origins: &[String]) -> Cors {
    let cors = if origins.iter().any(|origin| origin == "*") {
        Cors::default().allow_any_origin()
    } else {
        origins
            .iter()
            .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
    };
    cors.allowed_methods(["GET", "HEAD", "POST", "PUT", "DELETE"])
        .allow_any_header()
        .expose_headers(["x-request-id", "upstash-sync-token"])
        .max_age(3600)
}
