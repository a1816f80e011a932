//! The JSON API: extractors that turn bad requests into our error format, the organizer
//! bearer-token check, and one router per resource.

pub mod attendance;
mod chairs;
mod inbound;
mod invitees;
pub mod materials;
mod members;
mod openapi;
mod outbox;
mod paging;
pub mod plan;
pub mod registrations;
pub mod sessions;
mod views;
pub mod webinars;

use axum::Router;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::db::organizers::Organizer;
use crate::error::AppError;
use crate::startup::AppState;

pub use openapi::ApiDoc;

/// Where the API is mounted; its routes see their paths without it.
pub const PREFIX: &str = "/api";

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(webinars::router())
        .merge(sessions::router())
        .merge(plan::router())
        .merge(invitees::router())
        .merge(registrations::router())
        .merge(chairs::router())
        .merge(materials::router())
        .merge(outbox::router())
        .merge(inbound::router())
        .merge(attendance::router())
        .merge(members::router())
        .merge(openapi::router())
        .fallback(|| async { AppError::NotFound("no such API route".into()) })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// `Json` whose rejections answer in our `{"error": ...}` format. The body must be a JSON
/// object: serde would also fill a struct from an array, matching fields by position.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let (parts, body) = req.into_parts();
        let bytes =
            axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
                .await
                .map_err(|e| body_error(e.status(), e.body_text()))?;
        let is_object = bytes.trim_ascii_start().first() == Some(&b'{');
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) if is_object => Ok(ApiJson(value)),
            Err(rejection)
                if is_object || !matches!(rejection, JsonRejection::JsonDataError(_)) =>
            {
                Err(json_error(rejection))
            }
            _ => Err(AppError::Unprocessable(
                "the JSON body must be an object ({\"field\": value, ...}), not an array or \
                 a single value"
                    .into(),
            )),
        }
    }
}

fn json_error(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::JsonDataError(e) => AppError::Unprocessable(format!(
            "the JSON body does not match what this route takes: {}",
            e.body_text()
                .trim_start_matches("Failed to deserialize the JSON body into the target type: ")
        )),
        JsonRejection::JsonSyntaxError(e) => {
            AppError::BadRequest(format!("the body is not valid JSON: {}", e.body_text()))
        }
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType(
            "send the body as JSON with Content-Type: application/json".into(),
        ),
        JsonRejection::BytesRejection(e) => body_error(e.status(), e.body_text()),
        other => AppError::BadRequest(other.body_text()),
    }
}

pub(crate) fn body_error(status: axum::http::StatusCode, text: String) -> AppError {
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge(format!("the body is larger than {} bytes", BODY_LIMIT))
    } else {
        AppError::BadRequest(format!("the body cannot be read: {text}"))
    }
}

/// `Path` whose rejections say which id is malformed.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e: PathRejection| {
                AppError::NotFound(format!(
                    "not found: the path holds an invalid id ({})",
                    e.body_text()
                ))
            })
    }
}

/// `Query` whose rejections say which parameter is wrong.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| AppError::BadRequest(e.body_text()))
    }
}

pub use super::given;

/// The organizer named by the `Authorization: Bearer` token.
impl FromRequestParts<AppState> for Organizer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                AppError::Unauthorized(
                    "this route needs an organizer's Authorization: Bearer <token> header".into(),
                )
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                AppError::Unauthorized("the Authorization header must be Bearer <token>".into())
            })?;
        crate::services::api_tokens::authenticate(&state.db, token)
            .await?
            .ok_or_else(|| {
                AppError::Unauthorized("the API token is not valid or was revoked".into())
            })
    }
}

/// `Option<Organizer>`: none without an Authorization header; a wrong token is still refused.
impl axum::extract::OptionalFromRequestParts<AppState> for Organizer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        if parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            <Organizer as FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    }
}
