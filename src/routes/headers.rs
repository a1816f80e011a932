//! Security headers on every answer, decided by path in one place: no framing anywhere,
//! no referrer from token URLs, no caching of pages and files with personal data.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// What a path's answers must carry beyond the headers every answer gets.
#[derive(Debug, PartialEq, Eq)]
struct Policy {
    /// The URL holds a secret (manage, join or password token): never send it on.
    no_referrer: bool,
    /// The answer holds personal data: no browser or proxy may keep a copy.
    no_store: bool,
}

fn policy(path: &str) -> Policy {
    let token_url = path.starts_with("/r/")
        || path.starts_with("/j/")
        || path.starts_with("/organizer/set-password/");
    let organizer = path == "/organizer" || path.starts_with("/organizer/");
    Policy {
        no_referrer: token_url,
        no_store: token_url || organizer,
    }
}

pub async fn security_headers(request: Request, next: Next) -> Response {
    let policy = policy(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if policy.no_referrer {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    if policy.no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_send_no_referrer_and_personal_pages_are_not_stored() {
        for path in [
            "/r/abc",
            "/r/abc/calendar.ics",
            "/j/abc",
            "/organizer/set-password/abc",
        ] {
            assert_eq!(
                policy(path),
                Policy {
                    no_referrer: true,
                    no_store: true
                },
                "{path}"
            );
        }
        for path in [
            "/organizer",
            "/organizer/sign-in",
            "/organizer/webinars/1/participants.csv",
        ] {
            assert_eq!(
                policy(path),
                Policy {
                    no_referrer: false,
                    no_store: true
                },
                "{path}"
            );
        }
        for path in ["/w/1", "/static/app.css", "/organizers", "/healthz"] {
            assert_eq!(
                policy(path),
                Policy {
                    no_referrer: false,
                    no_store: false
                },
                "{path}"
            );
        }
    }
}
