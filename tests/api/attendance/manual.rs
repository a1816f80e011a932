//! The organizer's corrections: marking by hand wins over the report, can be taken
//! back, and bad corrections are refused.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;
use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    marking_by_hand_wins_over_the_report,
    taking_a_correction_back_lets_the_report_count_again,
    bad_corrections_are_refused,
);

/// The sample registrants, with the Zoom webinar report imported for AM.
struct Imported {
    app: TestApp,
    w: String,
    s: Vec<String>,
    ids: Vec<(String, String)>,
}

async fn imported(backend: Backend) -> Imported {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let ids = sample_registrants(&app, &w, &s[0], &s[1]).await;
    json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}", s[0]),
            sample("zoom-webinar-attendees.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    Imported { app, w, s, ids }
}

/// The organizer's correction of `registration`'s attendance.
async fn mark(app: &TestApp, w: &str, registration: &str, body: Value) -> reqwest::Response {
    app.organizer(
        Method::PUT,
        &format!("/api/v1/webinars/{w}/registrations/{registration}/attendance"),
        Some(&body),
    )
    .await
}

async fn marking_by_hand_wins_over_the_report(backend: Backend) {
    let r = imported(backend).await;
    let (app, w, s) = (&r.app, &r.w, &r.s);
    // Olga was absent by the report; she was in fact in PM for 50 minutes.
    let olga = id_of(&r.ids, "Olga Ivanova");
    let marked = json_of(
        mark(app, w, olga, json!({"attended": true, "minutes": 50})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(marked["attended"], true);
    assert_eq!(
        marked["sessions"][0]["session_id"], s[1],
        "her own session by default"
    );
    assert_eq!(marked["sessions"][0]["source"], "manual");
    assert_eq!(marked["sessions"][0]["minutes"], 50);

    // Kenji is in the report, but the organizer knows he only tested the line: absent.
    let kenji = id_of(&r.ids, "Kenji Sato");
    let absent = json_of(
        mark(app, w, kenji, json!({"attended": false})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(absent["attended"], false, "{absent}");
    let list = participants_csv(app, w, "?attended_only=true").await;
    assert!(
        list.contains("Olga Ivanova") && !list.contains("Kenji Sato"),
        "{list}"
    );
}

async fn taking_a_correction_back_lets_the_report_count_again(backend: Backend) {
    let r = imported(backend).await;
    let (app, w) = (&r.app, &r.w);
    let kenji = id_of(&r.ids, "Kenji Sato");
    json_of(
        mark(app, w, kenji, json!({"attended": false})).await,
        StatusCode::OK,
    )
    .await;

    let back = app
        .organizer(
            Method::DELETE,
            &format!("/api/v1/webinars/{w}/registrations/{kenji}/attendance"),
            None,
        )
        .await;
    let back = json_of(back, StatusCode::OK).await;
    assert_eq!(back["attended"], true);
    assert_eq!(back["sessions"][0]["source"], "import");
    // The report again: 37:27 + 45:57 from its times.
    assert_eq!(back["sessions"][0]["minutes"], 83);
}

async fn bad_corrections_are_refused(backend: Backend) {
    let r = imported(backend).await;
    let (app, w) = (&r.app, &r.w);
    let olga = id_of(&r.ids, "Olga Ivanova");
    assert_error(
        mark(app, w, olga, json!({"attended": "yes"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "attended",
    )
    .await;
    assert_error(
        mark(
            app,
            w,
            olga,
            json!({"attended": true, "session_id": uuid::Uuid::new_v4()}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "session",
    )
    .await;
    assert_error(
        mark(
            app,
            w,
            &uuid::Uuid::new_v4().to_string(),
            json!({"attended": true}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "registration",
    )
    .await;
    assert_error(
        mark(app, w, olga, json!({"attended": true, "minutes": 100000})).await,
        StatusCode::BAD_REQUEST,
        "at most 1440",
    )
    .await;
    assert_error(
        mark(app, w, olga, json!({"attended": true, "minutes": -5})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "minutes",
    )
    .await;
}
