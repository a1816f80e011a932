//! HTTP routes: the JSON API under `/api/v1`, the HTML pages, and health.

pub mod api;
pub mod client;
pub mod headers;
pub mod pages;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use crate::startup::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/", get(|| async { Redirect::to("/organizer") }))
        .nest("/api", api::router())
        .merge(pages::router())
        .with_state(state)
}
