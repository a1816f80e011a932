use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    tokyo_sees_both_sessions_in_local_time_with_am_recommended,
    mexico_city_gets_the_pm_session_recommended,
    organizer_adds_moves_and_limits_a_session,
    capacity_cannot_drop_below_the_registrations_held,
    cancelling_a_session_cancels_its_registrations_and_closes_it,
);

fn by_label<'a>(listing: &'a Value, label: &str) -> &'a Value {
    listing["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == label)
        .unwrap()
}

async fn tokyo_sees_both_sessions_in_local_time_with_am_recommended(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{}/sessions?tz=Asia/Tokyo", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listing["time_zone"], "Asia/Tokyo");
    assert_eq!(listing["recommended_session_id"], w.am.as_str());
    assert_eq!(listing["outside_working_hours"], false);
    let am = by_label(&listing, "AM");
    assert_eq!(am["local_start"], "2030-09-24T16:00:00+09:00");
    assert_eq!(am["local_end"], "2030-09-24T18:00:00+09:00");
    assert_eq!(am["suitable"], true);
    assert_eq!(am["recommended"], true);
    let pm = by_label(&listing, "PM");
    assert_eq!(pm["local_start"], "2030-09-24T23:00:00+09:00");
    assert_eq!(pm["local_end"], "2030-09-25T01:00:00+09:00");
    assert_eq!(pm["suitable"], false);
    assert_eq!(pm["recommended"], false);
    assert_eq!(pm["join_url"], Value::Null);
}

async fn mexico_city_gets_the_pm_session_recommended(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let listing = json_of(
        app.get(&format!(
            "/api/v1/webinars/{}/sessions?tz=America/Mexico_City",
            w.id
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listing["recommended_session_id"], w.pm.as_str());
    assert_eq!(
        by_label(&listing, "PM")["local_start"],
        "2030-09-24T08:00:00-06:00"
    );
    assert_eq!(
        by_label(&listing, "AM")["local_start"],
        "2030-09-24T01:00:00-06:00"
    );
    // Without tz the listing is in UTC.
    let utc = json_of(
        app.get(&format!("/api/v1/webinars/{}/sessions", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(utc["time_zone"], "UTC");
    assert_eq!(by_label(&utc, "AM")["local_start"], "2030-09-24T07:00:00Z");
}

async fn organizer_adds_moves_and_limits_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let added = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/sessions", w.id),
            Some(&json!({"label": "Pacific", "starts_at": "2030-09-24T21:00:00+00:00", "duration_minutes": 90, "capacity": 30})),
        )
        .await;
    let added = json_of(added, StatusCode::CREATED).await;
    assert_eq!(added["label"], "Pacific");
    assert_eq!(added["seats_left"], 30);
    let path = format!(
        "/api/v1/webinars/{}/sessions/{}",
        w.id,
        added["id"].as_str().unwrap()
    );
    let moved = app
        .organizer(
            Method::PATCH,
            &path,
            Some(&json!({"starts_at": "2030-09-25T08:00:00+09:00", "capacity": null})),
        )
        .await;
    let moved = json_of(moved, StatusCode::OK).await;
    assert_eq!(moved["starts_at"], "2030-09-24T23:00:00Z");
    assert_eq!(moved["ends_at"], "2030-09-25T00:30:00Z");
    assert_eq!(moved["capacity"], Value::Null);
    assert_eq!(moved["label"], "Pacific");
    let bad = app
        .organizer(Method::PATCH, &path, Some(&json!({"duration_minutes": 0})))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "duration_minutes").await;
    let bad = app
        .organizer(
            Method::PATCH,
            &path,
            Some(&json!({"starts_at": "2030-09-25 08:00"})),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "RFC 3339").await;
    let bad = app
        .organizer(
            Method::PATCH,
            &path,
            Some(&json!({"join_url": "javascript:alert(1)"})),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "join_url").await;
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{}/sessions", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listing["sessions"].as_array().unwrap().len(), 3);
}

async fn capacity_cannot_drop_below_the_registrations_held(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(5), None).await;
    for i in 0..3 {
        app.register_ok(&w.id, &json!({"name": format!("P{i}"), "email": format!("p{i}@example.org"), "time_zone": "Asia/Tokyo"})).await;
    }
    let path = format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am);
    let refused = app
        .organizer(Method::PATCH, &path, Some(&json!({"capacity": 2})))
        .await;
    assert_error(refused, StatusCode::CONFLICT, "below the 3 registrations").await;
    let ok = json_of(
        app.organizer(Method::PATCH, &path, Some(&json!({"capacity": 3})))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok["seats_left"], 0);
}

async fn cancelling_a_session_cancels_its_registrations_and_closes_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (_, token) = app
        .register_ok(
            &w.id,
            &json!({"name": "Kenji", "email": "kenji@example.org", "time_zone": "Asia/Tokyo"}),
        )
        .await;
    let path = format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am);
    let cancelled = json_of(
        app.organizer(Method::DELETE, &path, None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let mine = json_of(
        app.get(&format!("/api/v1/registrations/{token}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["status"], "cancelled");
    // Nobody is sent to a cancelled session any more: Tokyo now gets PM, flagged.
    let (r, _) = app
        .register_ok(
            &w.id,
            &json!({"name": "Yui", "email": "yui@example.org", "time_zone": "Asia/Tokyo"}),
        )
        .await;
    assert_eq!(r["session_id"], w.pm.as_str());
    assert_eq!(r["outside_working_hours"], true);
    let refused = app
        .register(&w.id, &json!({"name": "Aiko", "email": "aiko@example.org", "time_zone": "Asia/Tokyo", "session_id": w.am}))
        .await;
    assert_error(refused, StatusCode::CONFLICT, "cancelled").await;
    let again = app
        .organizer(Method::PATCH, &path, Some(&json!({"label": "AM2"})))
        .await;
    assert_error(again, StatusCode::CONFLICT, "cancelled").await;
    // Cancelling twice changes nothing.
    assert_eq!(
        app.organizer(Method::DELETE, &path, None).await.status(),
        StatusCode::OK
    );
}
