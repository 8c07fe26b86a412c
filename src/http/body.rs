//! Reading request bodies within a limit.

use actix_web::HttpRequest;
use actix_web::web::{self, BytesMut};
use futures_util::StreamExt;

use super::ApiError;

/// Reads a body of at most `limit` bytes, refusing early on a declared length over it.
/// `limit_source` names the setting behind the limit, for the error message.
pub(super) async fn read_body(
    mut payload: web::Payload,
    request: &HttpRequest,
    limit: usize,
    limit_source: &str,
) -> Result<BytesMut, ApiError> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "the request body is over the limit of {limit} bytes ({limit_source})"
        ))
    };
    if request
        .headers()
        .get("content-length")
        .and_then(|length| length.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|length| length > limit)
    {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|error| ApiError::BadRequest(format!("the request body could not be read: {error}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
