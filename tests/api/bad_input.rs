use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    registration_fields_are_checked_with_clear_messages,
    oversized_and_malformed_bodies_get_json_errors,
    unknown_and_malformed_ids_are_not_found,
    session_input_is_checked,
);

async fn registration_fields_are_checked_with_clear_messages(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let base = json!({"name": "Ana", "email": "ana@example.org", "time_zone": "Asia/Tokyo"});
    let with = |field: &str, value: serde_json::Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let cases = [
        (
            with("time_zone", json!("Asia/Atlantis")),
            "unknown time zone",
        ),
        (with("time_zone", json!("")), "time_zone must not be empty"),
        (with("email", json!("ana.example.org")), "not a valid email"),
        (
            with("email", json!("ana@exa mple.org")),
            "not a valid email",
        ),
        (with("name", json!("   ")), "name must not be empty"),
        (with("name", json!("x".repeat(201))), "at most 200"),
        (
            with("name", json!("Ana\r\nBcc: all@example.org")),
            "line breaks",
        ),
        (with("language", json!("klingon")), "unknown language"),
        (
            with("organization", json!("o".repeat(301))),
            "organization is too long",
        ),
    ];
    for (body, needle) in cases {
        assert_error(
            app.register(&w.id, &body).await,
            StatusCode::BAD_REQUEST,
            needle,
        )
        .await;
    }
    let wrong_type = app
        .register(&w.id, &with("session_id", json!("not-a-uuid")))
        .await;
    assert_error(wrong_type, StatusCode::UNPROCESSABLE_ENTITY, "session_id").await;
    let wrong_type = app.register(&w.id, &with("name", json!(42))).await;
    assert_error(wrong_type, StatusCode::UNPROCESSABLE_ENTITY, "name").await;
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list, json!([]), "nothing refused was stored");
}

async fn oversized_and_malformed_bodies_get_json_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let url = app.url(&format!("/api/v1/webinars/{}/registrations", w.id));
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    let response = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "larger than").await;
    // An invitee list takes up to 32 MiB as CSV, a JSON body still 1 MiB.
    let big_csv = format!(
        "name,email,time_zone\n{}",
        "a,b@example.org,UTC\n".repeat(1_700_000)
    );
    assert_error(
        app.import_csv(&w.id, &big_csv).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "larger than 33554432 bytes",
    )
    .await;
    let big_json = format!(
        "[{}{{}}]",
        "{\"name\": \"a\", \"email\": \"b@example.org\", \"time_zone\": \"UTC\"},".repeat(20_000)
    );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{}/invitees", w.id)))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(big_json)
        .send()
        .await
        .unwrap();
    assert_error(
        response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "larger than 1048576 bytes",
    )
    .await;
    let response = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"name\": \"A\",")
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::BAD_REQUEST, "not valid JSON").await;
    let response = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("name=A")
        .send()
        .await
        .unwrap();
    assert_error(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "application/json",
    )
    .await;
    let response = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("[1, 2]")
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "JSON body").await;
    let response = app.get("/api/v1/nothing-here").await;
    assert_error(response, StatusCode::NOT_FOUND, "no such API route").await;
}

async fn unknown_and_malformed_ids_are_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let unknown = uuid::Uuid::new_v4();
    assert_error(
        app.get(&format!("/api/v1/webinars/{unknown}")).await,
        StatusCode::NOT_FOUND,
        "webinar not found",
    )
    .await;
    assert_error(
        app.get("/api/v1/webinars/12345").await,
        StatusCode::NOT_FOUND,
        "invalid id",
    )
    .await;
    assert_error(
        app.get(&format!("/api/v1/webinars/{unknown}/sessions?tz=UTC"))
            .await,
        StatusCode::NOT_FOUND,
        "webinar",
    )
    .await;
    let body = json!({"name": "Ana", "email": "ana@example.org", "time_zone": "Asia/Tokyo"});
    assert_error(
        app.register(&unknown.to_string(), &body).await,
        StatusCode::NOT_FOUND,
        "webinar",
    )
    .await;
    let path = format!("/api/v1/webinars/{}/sessions/{unknown}", w.id);
    let response = app
        .organizer(reqwest::Method::PATCH, &path, Some(&json!({"label": "X"})))
        .await;
    assert_error(response, StatusCode::NOT_FOUND, "session not found").await;
    let response = app.organizer(reqwest::Method::DELETE, &path, None).await;
    assert_error(response, StatusCode::NOT_FOUND, "session not found").await;
    let response = app
        .client
        .delete(app.url("/api/v1/registrations/abc"))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "registration").await;
    let response = app
        .get(&format!(
            "/api/v1/webinars/{}/sessions?tz=Nowhere/City",
            w.id
        ))
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "unknown time zone").await;
}

async fn session_input_is_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    let bad = [
        (json!({"title": ""}), "title must not be empty"),
        (json!({"title": "x".repeat(201)}), "title is too long"),
        (
            json!({"title": "T", "sessions": [{"label": "AM", "starts_at": "2030-09-24T07:00:00", "duration_minutes": 60}]}),
            "sessions[0]: starts_at",
        ),
        (
            json!({"title": "T", "sessions": [{"label": "", "starts_at": AM_START, "duration_minutes": 60}]}),
            "label must not be empty",
        ),
        (
            json!({"title": "T", "sessions": [{"label": "AM", "starts_at": AM_START}]}),
            "duration_minutes is required",
        ),
        (
            json!({"title": "T", "sessions": [{"label": "AM", "starts_at": AM_START, "duration_minutes": 5000}]}),
            "duration_minutes must be",
        ),
        (
            json!({"title": "T", "sessions": [{"label": "AM", "starts_at": AM_START, "duration_minutes": 60, "capacity": 0}]}),
            "capacity must be at least 1",
        ),
    ];
    for (body, needle) in bad {
        let response = app
            .organizer(reqwest::Method::POST, "/api/v1/webinars", Some(&body))
            .await;
        assert_error(response, StatusCode::BAD_REQUEST, needle).await;
    }
    let missing_title = app
        .organizer(reqwest::Method::POST, "/api/v1/webinars", Some(&json!({})))
        .await;
    assert_error(missing_title, StatusCode::BAD_REQUEST, "title").await;
    let list = json_of(
        app.get_as_organizer("/api/v1/webinars").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list, json!([]), "no half-made webinar was stored");
}
