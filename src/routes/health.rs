//! `GET /readyz`: whether this instance should get traffic (`/healthz` only says the
//! process answers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::services::health;
use crate::startup::AppState;

/// 200 `{"status": "ready", "failing": [], "checks": {"database": "ok", ...}}` when every
/// check passes; 503 with `"status": "not ready"`, the failing checks' names, and each
/// one's reason in `checks` otherwise.
pub async fn ready(State(state): State<AppState>) -> Response {
    let checks = health::readiness(&state).await;
    let failing: Vec<&str> = checks
        .iter()
        .filter(|c| c.outcome.is_err())
        .map(|c| c.name)
        .collect();
    let ready = failing.is_empty();
    let named: Map<String, Value> = checks
        .iter()
        .map(|c| {
            let (Ok(text) | Err(text)) = &c.outcome;
            (c.name.to_string(), Value::String(text.clone()))
        })
        .collect();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "not ready" },
        "failing": failing,
        "checks": named,
    });
    (status, Json(body)).into_response()
}
