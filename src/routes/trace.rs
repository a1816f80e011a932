//! One span per request, with its request id, method, matched route, status and
//! latency, so that every log line says which request and route it came from; and the
//! HTTP figures of `/metrics`. The route is the pattern (`/r/{token}`), never the URI:
//! URIs carry manage, join and password tokens.

use std::time::{Duration, Instant};

use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, Request, Response};
use axum::middleware::Next;
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
        let id = request
            .headers()
            .get(&X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            request_id = %id,
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

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The client's `X-Request-Id` when it is a sane token (a proxy's id then joins both
/// logs), else a new one; set on the request before its span is made, and on the answer.
/// Also counts the request for `/metrics`, by route and status, with its latency.
pub async fn request_id(
    mut request: axum::extract::Request,
    next: Next,
) -> axum::response::Response {
    let given = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v));
    let id = match given {
        Some(id) => HeaderValue::from_str(id).expect("a sane id is a header value"),
        None => HeaderValue::from_str(&uuid::Uuid::new_v4().simple().to_string())
            .expect("hex digits are a header value"),
    };
    request.headers_mut().insert(&X_REQUEST_ID, id.clone());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", MatchedPath::as_str)
        .to_string();
    let method = request.method().to_string();
    let started = Instant::now();
    let mut response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(
        "meridian_http_request_duration_seconds",
        "method" => method.clone(),
        "route" => route.clone()
    )
    .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        "meridian_http_requests_total",
        "method" => method,
        "route" => route,
        "status" => status
    )
    .increment(1);
    response.headers_mut().insert(&X_REQUEST_ID, id);
    response
}

/// Up to 128 letters, digits, `-`, `_`, `.` or `:`: nothing that could forge a log line.
fn is_sane(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::is_sane;

    #[test]
    fn only_plain_tokens_are_taken_as_request_ids() {
        assert!(is_sane("3f2b1c9e-proxy.id:42"));
        assert!(!is_sane(""));
        assert!(!is_sane("a b"));
        assert!(!is_sane("x\"}\nforged"));
        assert!(!is_sane(&"a".repeat(129)));
    }
}
