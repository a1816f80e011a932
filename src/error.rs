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
    /// The database (or its disk) is full: nothing of the change was saved. 503, logged
    /// with its cause; made from any error whose chain says so (`From<anyhow::Error>`).
    #[error(
        "the database is full, so nothing was saved; the operators are told: please try again later"
    )]
    DatabaseFull(anyhow::Error),
    #[error("internal error")]
    Internal(anyhow::Error),
}

/// Seconds a client is asked to wait when the database is full.
const FULL_RETRY_AFTER: u64 = 60;

/// Every failure below the HTTP layer arrives as an `anyhow::Error`: a full database is
/// told apart here, once, and the rest is internal.
impl From<anyhow::Error> for AppError {
    fn from(cause: anyhow::Error) -> Self {
        if is_storage_full(&cause) {
            Self::DatabaseFull(cause)
        } else {
            Self::Internal(cause)
        }
    }
}

/// True when `error` (anywhere in its chain) says the storage is full: SQLite's
/// SQLITE_FULL (the disk, or `database.sqlite_max_page_count`), PostgreSQL's `disk_full`
/// (SQLSTATE 53100), or a file write that found no space.
pub fn is_storage_full(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        if let Some(sqlx::Error::Database(db)) = cause.downcast_ref::<sqlx::Error>() {
            let code = db.code().unwrap_or_default();
            return code == "53100"
                || (db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
                    && code.parse::<i32>().is_ok_and(|c| c & 0xff == SQLITE_FULL));
        }
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
    })
}

/// SQLite's primary result code for "database or disk is full".
const SQLITE_FULL: i32 = 13;

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
            Self::DatabaseFull(cause) => Self::DatabaseFull(cause),
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
            Self::DatabaseFull(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl AppError {
    /// The `Retry-After` seconds this answer carries, if any.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after, .. } => Some(*retry_after),
            Self::DatabaseFull(_) => Some(FULL_RETRY_AFTER),
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
        match &self {
            Self::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed")
            }
            Self::DatabaseFull(cause) => {
                tracing::error!(error = format!("{cause:#}"), "the database is full")
            }
            _ => {}
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
