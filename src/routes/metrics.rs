//! `GET /metrics` in Prometheus text format, on the listener `metrics.bind` names and
//! never on the public one. Counters and histograms are recorded where things happen
//! (`trace::request_id`, the registration use case, the mail worker); the outbox and
//! pool figures are read when scraped (`services::health::record_gauges`).

use std::sync::Mutex;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::context::Context;
use crate::services::health;

/// Request latency buckets, in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's one recorder (the `metrics` crate has one global recorder), installed
/// on the first call; several apps in one process (the tests) share it.
pub fn recorder() -> anyhow::Result<PrometheusHandle> {
    static HANDLE: Mutex<Option<PrometheusHandle>> = Mutex::new(None);
    let mut installed = HANDLE.lock().expect("never poisoned");
    if let Some(handle) = installed.as_ref() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("meridian_http_request_duration_seconds".into()),
            LATENCY_BUCKETS,
        )?
        .install_recorder()
        .map_err(|e| anyhow::anyhow!("installing the metrics recorder: {e}"))?;
    *installed = Some(handle.clone());
    Ok(handle)
}

#[derive(Clone)]
struct Scrape {
    ctx: Context,
    handle: PrometheusHandle,
}

/// The router of the metrics listener: `/metrics` alone.
pub fn router(ctx: Context, handle: PrometheusHandle) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape { ctx, handle })
}

async fn scrape(State(scrape): State<Scrape>) -> Response {
    if let Err(e) = health::record_gauges(&scrape.ctx).await {
        // The counters still go out; the stale gauges say when they were last read.
        tracing::error!(
            error = format!("{e:#}"),
            "reading the outbox and pool figures"
        );
    }
    scrape.handle.run_upkeep();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        scrape.handle.render(),
    )
        .into_response()
}
