//! The per-address rate limit on public endpoints that write (register, switch, cancel,
//! consent, "email me my link") and on sign-in: `security.rate_limit_per_minute`
//! requests per minute and client address, answered 429 with `Retry-After` beyond it.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::client::ClientIp;
use super::pages::web::Web;
use crate::error::AppError;
use crate::startup::AppState;

/// A token bucket per client address; `None` when the limit is off.
pub struct RateLimiter {
    buckets: Option<DefaultKeyedRateLimiter<IpAddr>>,
    checks: AtomicU64,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            buckets: NonZeroU32::new(per_minute)
                .map(|n| governor::RateLimiter::keyed(Quota::per_minute(n))),
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(seconds)` to wait when `client` has used up its requests.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        let Some(buckets) = &self.buckets else {
            return Ok(());
        };
        // Forget addresses whose buckets are full again, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            buckets.retain_recent();
            buckets.shrink_to_fit();
        }
        buckets.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// Whether a request is one of the limited public writes.
pub fn is_limited(method: &Method, path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(
        (method, parts.as_slice()),
        (&Method::POST, ["api", "v1", "webinars", _, "registrations"])
            | (
                &Method::PATCH | &Method::DELETE,
                ["api", "v1", "registrations", _]
            )
            | (&Method::POST, ["w", _])
            | (&Method::POST, ["r", _, _])
            | (&Method::POST, ["j", _, _])
            | (&Method::POST, ["organizer", "sign-in"])
            | (&Method::POST, ["organizer", "set-password", _])
    )
}

/// Middleware over the whole router: limited writes past the quota get a 429, as JSON
/// on the API and as a page in the visitor's language elsewhere.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_limited(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(ClientIp(client)) = ClientIp::from_request_parts(&mut parts, &state).await;
    let Err(retry_after) = state.limiter.check(client) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    tracing::info!(%client, "rate limit reached");
    let error = AppError::TooManyRequests {
        message: format!("too many requests from your address: try again in {retry_after} seconds"),
        retry_after,
    };
    if parts.uri.path().starts_with("/api/") {
        return error.into_response();
    }
    let Ok(web) = Web::from_request_parts(&mut parts, &state).await;
    web.error(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_writes_are_limited() {
        assert!(is_limited(
            &Method::POST,
            "/api/v1/webinars/x/registrations"
        ));
        assert!(is_limited(&Method::PATCH, "/api/v1/registrations/tok"));
        assert!(is_limited(&Method::DELETE, "/api/v1/registrations/tok"));
        assert!(is_limited(&Method::POST, "/w/x"));
        assert!(is_limited(&Method::POST, "/r/tok/switch"));
        assert!(is_limited(&Method::POST, "/j/tok/send-link"));
        assert!(is_limited(&Method::POST, "/organizer/sign-in"));
        assert!(!is_limited(&Method::GET, "/w/x"));
        assert!(!is_limited(&Method::GET, "/api/v1/registrations/tok"));
        assert!(!is_limited(
            &Method::GET,
            "/api/v1/webinars/x/registrations"
        ));
        assert!(!is_limited(&Method::POST, "/api/v1/webinars"));
        assert!(!is_limited(&Method::POST, "/organizer/webinars/x/sessions"));
    }

    #[test]
    fn a_client_past_its_quota_waits_and_others_do_not() {
        let limiter = RateLimiter::new(2);
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        let wait = limiter.check(a).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limiter.check(b).is_ok());
        let off = RateLimiter::new(0);
        assert!((0..100).all(|_| off.check(a).is_ok()));
    }
}
