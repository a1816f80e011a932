//! HTTP routes: the JSON API under `/api/v1`, the HTML pages, and health; security
//! headers on every answer. `/metrics` is served on a listener of its own (`metrics`).

pub mod api;
pub mod client;
pub mod cursor;
pub mod downloads;
mod headers;
pub mod health;
pub mod metrics;
pub mod pages;
pub mod rate_limit;
mod trace;
pub mod upload;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use crate::startup::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(health::ready))
        .route("/", get(|| async { Redirect::to("/organizer") }))
        .nest(api::PREFIX, api::router())
        .merge(pages::router(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        // Outermost, so that every answer gets them, refusals included.
        .layer(axum::middleware::from_fn(headers::security_headers))
        .layer(trace::layer())
        // Outside the span, so that the span has the id.
        .layer(axum::middleware::from_fn(trace::request_id))
        .with_state(state)
}

/// A query value that was given: blank counts as left out (forms send empty fields).
pub fn given(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}
