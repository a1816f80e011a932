//! One span per request, with its method, matched route, status and latency, so that a
//! log line says which route it came from. The route is the pattern (`/r/{token}`), never
//! the URI: URIs carry manage, join and password tokens.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;
use tracing::field::Empty;

pub type RequestSpans =
    TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RouteSpan, (), Answered, (), (), ()>;

/// 5xx answers are logged with their cause by `AppError`, inside this span; so the layer
/// itself only logs each answer once.
pub fn layer() -> RequestSpans {
    TraceLayer::new_for_http()
        .make_span_with(RouteSpan)
        .on_request(())
        .on_response(Answered)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

#[derive(Clone, Copy)]
pub struct RouteSpan;

impl<B> MakeSpan<B> for RouteSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("(no route)", MatchedPath::as_str);
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            status = Empty,
            latency_ms = Empty,
        )
    }
}

#[derive(Clone, Copy)]
pub struct Answered;

impl<B> OnResponse<B> for Answered {
    fn on_response(self, response: &Response<B>, latency: Duration, span: &Span) {
        span.record("status", response.status().as_u16());
        span.record(
            "latency_ms",
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
        );
        tracing::info!("answered");
    }
}
