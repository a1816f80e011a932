use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    organizer_creates_a_webinar_held_as_two_sessions,
    organizer_routes_refuse_missing_or_wrong_tokens,
    another_organizers_webinar_is_not_found,
    organizer_edits_a_webinar_and_bad_settings_are_refused,
);

async fn organizer_creates_a_webinar_held_as_two_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, Some(50)).await;
    let body = json_of(
        app.get(&format!("/api/v1/webinars/{}", w.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        body["title"],
        "High-level webinar on ISCMs and the GCM regional reviews"
    );
    assert_eq!(body["languages"], json!(["en", "es", "fr", "ru", "ar"]));
    assert_eq!(body["time_zone"], "Europe/Zurich");
    assert_eq!(body["window_start"], "07:00");
    assert_eq!(body["window_end"], "22:00");
    assert_eq!(body["preferred_local_hour"], 13.0);
    let sessions = body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["label"], "AM");
    assert_eq!(sessions[0]["starts_at"], AM_START);
    assert_eq!(sessions[0]["ends_at"], "2030-09-24T09:00:00Z");
    assert_eq!(sessions[0]["capacity"], json!(null));
    assert_eq!(sessions[1]["capacity"], 50);
    assert_eq!(sessions[1]["seats_left"], 50);
    assert_eq!(sessions[1]["status"], "scheduled");
    // The meeting link is the organizer's and the registrants', not the public's.
    assert_eq!(sessions[0]["join_url"], json!(null));
    let own = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        own["sessions"][0]["join_url"],
        "https://meet.example.org/am"
    );

    let list = json_of(
        app.get_as_organizer("/api/v1/webinars").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], w.id.as_str());
}

async fn organizer_routes_refuse_missing_or_wrong_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let body = json!({"title": "x"});
    let missing = app.post_json("/api/v1/webinars", &body).await;
    assert_error(missing, StatusCode::UNAUTHORIZED, "Authorization").await;
    let wrong = app
        .client
        .post(app.url("/api/v1/webinars"))
        .bearer_auth("not-a-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(wrong, StatusCode::UNAUTHORIZED, "not valid").await;
    for path in [
        format!("/api/v1/webinars/{}/invitees", w.id),
        format!("/api/v1/webinars/{}/registrations", w.id),
        "/api/v1/webinars".to_string(),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let patch = app
        .client
        .patch(app.url(&format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am)))
        .json(&json!({"label": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), StatusCode::UNAUTHORIZED);
    let delete = app
        .client
        .delete(app.url(&format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am)))
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::UNAUTHORIZED);
}

async fn another_organizers_webinar_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let other = meridian::cli::create_organizer(&app.settings, "other@example.org", "Other")
        .await
        .unwrap()
        .pop()
        .unwrap();
    let response = app
        .client
        .get(app.url(&format!("/api/v1/webinars/{}/registrations", w.id)))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "webinar").await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{}/sessions", w.id)))
        .bearer_auth(&other)
        .json(&json!({"label": "X", "starts_at": AM_START, "duration_minutes": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn organizer_edits_a_webinar_and_bad_settings_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let path = format!("/api/v1/webinars/{}", w.id);
    let edited = app
        .organizer(Method::PATCH, &path, Some(&json!({"window_start": "08:30", "preferred_local_hour": 11.5, "description": "Agenda: GCM reviews"})))
        .await;
    let edited = json_of(edited, StatusCode::OK).await;
    assert_eq!(edited["window_start"], "08:30");
    assert_eq!(edited["preferred_local_hour"], 11.5);
    assert_eq!(edited["description"], "Agenda: GCM reviews");
    let bad = app
        .organizer(
            Method::PATCH,
            &path,
            Some(&json!({"window_start": "23:00"})),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "window_start").await;
    let bad = app
        .organizer(Method::PATCH, &path, Some(&json!({"window_end": "25:00"})))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "HH:MM").await;
    let bad = app
        .organizer(Method::PATCH, &path, Some(&json!({"languages": ["de"]})))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "unknown language").await;
    let bad = app
        .organizer(
            Method::PATCH,
            &path,
            Some(&json!({"time_zone": "Europe/Atlantis"})),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "unknown time zone").await;
    let bad = app
        .organizer(
            Method::PATCH,
            &path,
            Some(&json!({"preferred_local_hour": 30})),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "preferred_local_hour").await;
    let bad = app
        .organizer(Method::PATCH, &path, Some(&json!({"registration_opens_at": "2030-01-02T00:00:00Z", "registration_closes_at": "2030-01-01T00:00:00Z"})))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "before").await;
    // Nothing of the refused edits was stored.
    let stored = json_of(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(stored["window_start"], "08:30");
    assert_eq!(stored["window_end"], "22:00");
    assert_eq!(stored["time_zone"], "Europe/Zurich");
    assert_eq!(stored["registration_opens_at"], json!(null));
}
