//! The one error type of the HTTP layer: 4xx answers say what to fix, 5xx answers say
//! "internal error" and the cause goes to the log with its chain.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::domain::values::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Unprocessable(String),
    /// Too many requests from one client: try again after `retry_after` seconds.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// The same problem (and status) told with `message`, e.g. in the reader's language;
    /// an internal error stays as it is.
    pub fn retold(self, message: String) -> Self {
        match self {
            Self::BadRequest(_) => Self::BadRequest(message),
            Self::Unauthorized(_) => Self::Unauthorized(message),
            Self::Forbidden(_) => Self::Forbidden(message),
            Self::NotFound(_) => Self::NotFound(message),
            Self::Conflict(_) => Self::Conflict(message),
            Self::PayloadTooLarge(_) => Self::PayloadTooLarge(message),
            Self::UnsupportedMediaType(_) => Self::UnsupportedMediaType(message),
            Self::Unprocessable(_) => Self::Unprocessable(message),
            Self::TooManyRequests { retry_after, .. } => Self::TooManyRequests {
                message,
                retry_after,
            },
            Self::Internal(cause) => Self::Internal(cause),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl AppError {
    /// The `Retry-After` seconds this answer carries, if any.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// Adds the headers every answer to this error carries.
    pub fn decorate(&self, mut response: Response) -> Response {
        if let Some(seconds) = self.retry_after() {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        Self::BadRequest(e.0)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let status = self.status();
        let body = Json(json!({ "error": self.to_string() }));
        let response = (
            status,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            body,
        )
            .into_response();
        self.decorate(response)
    }
}
