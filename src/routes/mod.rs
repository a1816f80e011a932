//! HTTP routes: the JSON API under `/api/v1`, and health.

pub mod api;

use axum::Router;
use axum::routing::get;

use crate::startup::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api", api::router())
        .with_state(state)
}
