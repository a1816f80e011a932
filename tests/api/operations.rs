//! Operating the server: `/readyz` and `/metrics` (JSON logs are in request_spans.rs,
//! backup and restore in cli.rs).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, inline_delivery, spawn_app_with};
use crate::on_both_databases;

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    let response = app.get("/readyz").await;
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

/// `/readyz` until `done` holds for its answer (the worker's first round comes just
/// after start), or panics after 20 s.
async fn readyz_until(app: &TestApp, done: impl Fn(StatusCode, &Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = readyz(app).await;
        if done(status, &body) {
            return body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "/readyz kept answering {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

on_both_databases!(
    ready_when_the_database_is_migrated_and_the_worker_runs,
    ready_with_the_worker_off_says_so
);

async fn ready_when_the_database_is_migrated_and_the_worker_runs(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.mail.poll_interval_ms = 50).await;
    let body = readyz_until(&app, |status, _| status == StatusCode::OK).await;
    assert_eq!(
        body,
        json!({"status": "ready", "failing": [],
               "checks": {"database": "ok", "migrations": "ok", "mail_worker": "ok"}})
    );
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "ok");
}

async fn ready_with_the_worker_off_says_so(backend: Backend) {
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["checks"]["mail_worker"], "off (mail.worker = false)");
    assert_eq!(body["checks"]["migrations"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready_when_the_worker_has_not_run_for_longer_than_allowed() {
    // The worker makes its first round at start, then sleeps an hour (nothing wakes it),
    // while readiness allows 10 ms between rounds.
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.mail.poll_interval_ms = 3_600_000;
        s.mail.worker_max_idle_ms = 10;
    })
    .await;
    let body = readyz_until(&app, |_, body| {
        body["checks"]["mail_worker"]
            .as_str()
            .is_some_and(|t| t.starts_with("last finished a round"))
    })
    .await;
    let (status, _) = readyz(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "not ready");
    assert_eq!(body["failing"], json!(["mail_worker"]));
    assert_eq!(body["checks"]["database"], "ok");
    assert!(
        body["checks"]["mail_worker"]
            .as_str()
            .unwrap()
            .contains("mail.worker_max_idle_ms = 10"),
        "{body}"
    );
    // Liveness is another question: the process answers.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

async fn scrape(app: &TestApp) -> String {
    let url = format!("{}/metrics", app.metrics_address.as_ref().unwrap());
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// The value of the sample whose line starts with `name{` and carries every label.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_and_read_the_outbox_on_their_own_listener() {
    let app = spawn_app_with(
        Backend::Sqlite,
        inline_delivery(|s| s.metrics.bind = Some("127.0.0.1:0".parse().unwrap())),
    )
    .await;
    let w = app.model_webinar(None, None).await;
    app.register_ok(
        &w.id,
        &json!({"name": "Amina Diallo", "email": "amina@iom.example.org",
                "time_zone": "Africa/Dakar", "language": "fr"}),
    )
    .await;
    let text = scrape(&app).await;
    let route = "route=\"/api/v1/webinars/{id}/registrations\"";
    let created = sample(
        &text,
        "meridian_http_requests_total",
        &[route, "method=\"POST\"", "status=\"201\""],
    );
    assert!(created.is_some_and(|n| n >= 1.0), "{text}");
    assert!(
        sample(
            &text,
            "meridian_http_request_duration_seconds_bucket",
            &[route, "le=\"+Inf\""]
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            "meridian_registrations_total",
            &["status=\"confirmed\""]
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    // Read from this app's database when scraped: its one confirmation waits.
    assert_eq!(
        sample(&text, "meridian_outbox_pending", &[]),
        Some(1.0),
        "{text}"
    );
    assert!(
        sample(&text, "meridian_outbox_oldest_pending_seconds", &[]).is_some_and(|s| s >= 0.0),
        "{text}"
    );
    assert!(
        sample(&text, "meridian_db_pool_connections", &["state=\"max\""]).is_some(),
        "{text}"
    );

    assert_eq!(app.deliver().await.len(), 1);
    let text = scrape(&app).await;
    assert_eq!(
        sample(&text, "meridian_outbox_pending", &[]),
        Some(0.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            "meridian_emails_total",
            &["kind=\"confirmation\"", "status=\"sent\""]
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );

    // Never on the public listener.
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_a_request_id() {
    let app = spawn_app_with(Backend::Sqlite, inline_delivery(|_| {})).await;
    let given = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "proxy-7f3a.1")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "proxy-7f3a.1");
    let forged = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "a b\tforged")
        .send()
        .await
        .unwrap();
    let made = forged.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(made.len(), 32, "{made}");
    assert!(made.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");
}
