//! HTML pages: the invitee's registration and manage pages, the organizer's pages, and
//! the two static files they share.

pub mod attendance;
mod chart;
pub(crate) mod day_map;
mod join;
mod organizer;
mod public;
pub mod render;
mod tokens;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::domain::Language;
use crate::error::AppError;
use crate::startup::AppState;

/// Page forms larger than this are refused with 413; the upload forms take more.
pub const FORM_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(public::router())
        .merge(organizer::router())
        .merge(attendance::router())
        .merge(join::router())
        .merge(tokens::router())
        // Every page, not the static files (cacheable, so they set no cookie).
        .layer(axum::middleware::from_fn_with_state(state, web::pages))
        .route(
            "/static/app.css",
            get(|| async {
                asset(
                    "text/css; charset=utf-8",
                    include_str!("../../../static/app.css"),
                )
            }),
        )
        .route(
            "/static/app.js",
            get(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../../../static/app.js"),
                )
            }),
        )
        .layer(axum::middleware::map_response(html_rejections))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}

/// axum's own refusals (a form over the limit, a malformed query such as a repeated
/// key) come as plain text: on the pages they become the HTML error page, same status.
async fn html_rejections(response: Response) -> Response {
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let status = response.status();
    if !plain || !status.is_client_error() {
        return response;
    }
    let text = match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(format!(
            "the form is larger than this page takes ({} KiB; documents up to 20 MB, \
             attendance reports up to 32 MB)",
            FORM_LIMIT / 1024
        )),
        StatusCode::UNPROCESSABLE_ENTITY => AppError::Unprocessable(text),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(text),
        _ => AppError::BadRequest(text),
    };
    render::error_page(error, Language::En)
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
