//! HTML pages: the invitee's registration and manage pages, the organizer's pages, and
//! the two static files they share.

pub mod attendance;
mod chart;
mod organizer;
mod public;
pub mod render;
mod tokens;
pub mod web;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(public::router())
        .merge(organizer::router())
        .merge(attendance::router())
        .merge(tokens::router())
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
