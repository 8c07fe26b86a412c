//! The HTTP error type: every failure a handler can return, with its status and JSON body.

use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{KeyError, TtlError};
use crate::reply::ExecError;
use crate::store::StoreError;

/// Client mistakes carry a message saying what to fix; server-side failures are logged
/// with their cause chain and answered without internals.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    /// No such key: the body names the key that was looked up.
    #[error("{message}")]
    KeyNotFound { message: &'static str, key: String },
    /// `hint` (empty, or starting with "; ") says what the client likely meant.
    #[error("method {method} is not allowed on this path; use {allowed}{hint}")]
    MethodNotAllowed {
        method: String,
        allowed: &'static str,
        hint: String,
    },
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A command's own error is the client's to fix (400); a storage failure keeps its status.
impl From<ExecError> for ApiError {
    fn from(error: ExecError) -> Self {
        match error {
            ExecError::Command(error) => Self::BadRequest(error.as_str().to_owned()),
            ExecError::Store(error) => Self::Store(error),
        }
    }
}

impl From<KeyError> for ApiError {
    fn from(error: KeyError) -> Self {
        Self::BadRequest(error.to_string())
    }
}

impl From<TtlError> for ApiError {
    fn from(error: TtlError) -> Self {
        Self::BadRequest(error.to_string())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::Store(StoreError::WrongType) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::KeyNotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Store(
                StoreError::Busy(_)
                | StoreError::KeyBusy(_)
                | StoreError::Closed
                | StoreError::ReadOnly(_)
                | StoreError::Corrupt(_),
            ) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(StoreError::Full(_)) => StatusCode::INSUFFICIENT_STORAGE,
            // Opening is over before any request arrives; a read of the cache alone never
            // reaches a request unanswered.
            Self::Store(StoreError::Database(_) | StoreError::Refused(_) | StoreError::NotCached) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            // The cause is logged with the request's id by `frame`, which sees this error.
            Self::Store(error) => match error {
                StoreError::Busy(_) => "the database is busy; retry shortly".to_owned(),
                StoreError::Full(_) => {
                    "the database's disk is full; writes are refused until space is freed".to_owned()
                }
                StoreError::Closed => "the server is shutting down; retry against a running server".to_owned(),
                StoreError::ReadOnly(_) => {
                    "the database file is read-only; writes are refused until it is writable again".to_owned()
                }
                StoreError::Corrupt(_) => {
                    "the database file is damaged; the operator must restore it from a backup".to_owned()
                }
                StoreError::Database(_) | StoreError::Refused(_) | StoreError::NotCached => {
                    "internal error; the server log has the details".to_owned()
                }
                StoreError::WrongType | StoreError::KeyBusy(_) => error.to_string(),
            },
            client_error => client_error.to_string(),
        };
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::MethodNotAllowed { allowed, .. } => {
                response.insert_header((ALLOW, *allowed));
            }
            Self::Store(StoreError::Busy(_) | StoreError::KeyBusy(_) | StoreError::Closed) => {
                response.insert_header((RETRY_AFTER, "1"));
            }
            _ => {}
        }
        let body = match self {
            Self::KeyNotFound { key, .. } => ErrorBody::new(message).about_key(key),
            _ => ErrorBody::new(message),
        };
        response.json(body)
    }
}

/// Every error's body: what went wrong and, for a client's mistake, what to send instead.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    #[schema(example = "Key not found")]
    error: String,
    /// The key the request named, when it was not found.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "user:123")]
    key: Option<String>,
    /// What the request likely meant, when a guess is possible.
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

impl ErrorBody {
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            key: None,
            hint: None,
        }
    }

    /// Names the key a request looked up. A key with a slash is often an Upstash path
    /// command sent with a trailing slash (`/get/color/`), which the JSON API reads as the
    /// key `get/color`: the hint says so.
    fn about_key(mut self, key: &str) -> Self {
        if let Some((command, arguments)) = key.split_once('/') {
            self.hint = Some(format!(
                "the JSON API read the key {key:?}, from the path up to its trailing slash; for the \
                 Redis command {} {}, leave the trailing slash out: /{key}",
                command.to_uppercase(),
                arguments.replace('/', " ")
            ));
        }
        self.key = Some(key.to_owned());
        self
    }
}
