use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    registering_without_a_session_assigns_one_by_time_zone,
    registering_again_in_another_letter_case_reveals_nothing,
    a_chosen_session_is_kept_and_a_full_one_refused,
    registrant_switches_and_cancels_with_the_manage_token,
    organizer_lists_registrations_by_session,
    registration_outside_its_window_is_refused,
);

async fn registering_without_a_session_assigns_one_by_time_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (r, token) = app
        .register_ok(
            &w.id,
            &json!({"name": "Chair, Bali Process", "email": "cochair@bali-process.example.org",
            "time_zone": "Australia/Sydney", "organization": "Bali Process", "language": "en"}),
        )
        .await;
    assert_eq!(r["session_id"], w.am.as_str());
    assert_eq!(r["assignment"], "auto");
    assert_eq!(r["status"], "registered");
    assert_eq!(r["outside_working_hours"], false);
    assert_eq!(r["time_zone"], "Australia/Sydney");
    assert_eq!(r["language"], "en");
    assert_eq!(r["organization"], "Bali Process");
    assert_eq!(r["session"]["local_start"], "2030-09-24T17:00:00+10:00");
    assert_eq!(r["manage_url"], format!("{}/r/{token}", app.address));
    assert!(token.len() >= 22, "the token carries at least 128 bits");
    let (r, _) = app
        .register_ok(
            &w.id,
            &json!({"name": "Presidencia", "email": "chair@csm.example.org",
            "time_zone": "America/Argentina/Buenos_Aires", "language": "es-AR"}),
        )
        .await;
    assert_eq!(r["session_id"], w.pm.as_str());
    assert_eq!(r["language"], "es");
    // Without a language the webinar's first one is used.
    let (r, _) = app
        .register_ok(
            &w.id,
            &json!({"name": "Sam", "email": "sam@example.org", "time_zone": "Europe/Zurich"}),
        )
        .await;
    assert_eq!(r["language"], "en");
}

async fn registering_again_in_another_letter_case_reveals_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let body =
        json!({"name": "Amina", "email": "Amina@Example.org", "time_zone": "Africa/Nairobi"});
    app.register_ok(&w.id, &body).await;
    let again = app
        .register(&w.id, &json!({"name": "Someone else", "email": "AMINA@example.ORG", "time_zone": "Asia/Tokyo"}))
        .await;
    // Nothing stored is shown: not the name, the zone, the status or the link.
    let again = json_of(again, StatusCode::ACCEPTED).await;
    assert_eq!(again, json!({"status": "check your email"}));
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("manage_url").is_none());
}

async fn a_chosen_session_is_kept_and_a_full_one_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(1), None).await;
    let (r, _) = app
        .register_ok(&w.id, &json!({"name": "Ana", "email": "ana@example.org", "time_zone": "America/Mexico_City", "session_id": w.am}))
        .await;
    assert_eq!(r["session_id"], w.am.as_str());
    assert_eq!(r["assignment"], "chosen");
    assert_eq!(r["outside_working_hours"], true);
    let full = app
        .register(&w.id, &json!({"name": "Ben", "email": "ben@example.org", "time_zone": "Asia/Tokyo", "session_id": w.am}))
        .await;
    assert_error(full, StatusCode::CONFLICT, "\"AM\" is full").await;
    // The rule skips the full session: Tokyo goes to PM, outside working hours.
    let (r, _) = app
        .register_ok(
            &w.id,
            &json!({"name": "Ben", "email": "ben@example.org", "time_zone": "Asia/Tokyo"}),
        )
        .await;
    assert_eq!(r["session_id"], w.pm.as_str());
    assert_eq!(r["outside_working_hours"], true);
    let unknown = app
        .register(&w.id, &json!({"name": "Cy", "email": "cy@example.org", "time_zone": "Asia/Tokyo", "session_id": uuid::Uuid::new_v4()}))
        .await;
    assert_error(
        unknown,
        StatusCode::NOT_FOUND,
        "not a session of this webinar",
    )
    .await;
}

async fn registrant_switches_and_cancels_with_the_manage_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(1), Some(1)).await;
    let (_, token) = app
        .register_ok(&w.id, &json!({"name": "Lucía", "email": "lucia@example.org", "time_zone": "America/Mexico_City"}))
        .await;
    let path = format!("/api/v1/registrations/{token}");
    let mine = json_of(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(mine["session_id"], w.pm.as_str());
    assert_eq!(mine["manage_url"], format!("{}/r/{token}", app.address));
    assert_eq!(mine["session"]["join_url"], "https://meet.example.org/pm");

    let switched = app
        .client
        .patch(app.url(&path))
        .json(&json!({"session_id": w.am}))
        .send()
        .await
        .unwrap();
    let switched = json_of(switched, StatusCode::OK).await;
    assert_eq!(switched["session_id"], w.am.as_str());
    assert_eq!(switched["assignment"], "chosen");
    assert_eq!(switched["outside_working_hours"], true);
    assert_eq!(
        switched["session"]["local_start"],
        "2030-09-24T01:00:00-06:00"
    );
    // The PM seat was given back, the AM seat taken.
    let sessions = json_of(
        app.get(&format!("/api/v1/webinars/{}", w.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sessions["sessions"][0]["seats_left"], 0);
    assert_eq!(sessions["sessions"][1]["seats_left"], 1);

    let missing = app
        .client
        .patch(app.url(&path))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(missing, StatusCode::BAD_REQUEST, "session_id").await;

    let cancelled = json_of(
        app.client.delete(app.url(&path)).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let sessions = json_of(
        app.get(&format!("/api/v1/webinars/{}", w.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sessions["sessions"][0]["seats_left"], 1);
    // Cancelling again is harmless; switching takes the registration back.
    assert_eq!(
        app.client
            .delete(app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let back = app
        .client
        .patch(app.url(&path))
        .json(&json!({"session_id": w.pm}))
        .send()
        .await
        .unwrap();
    let back = json_of(back, StatusCode::OK).await;
    assert_eq!(back["status"], "registered");
    assert_eq!(back["session_id"], w.pm.as_str());

    let unknown = app.get("/api/v1/registrations/not-a-real-token").await;
    assert_error(unknown, StatusCode::NOT_FOUND, "registration").await;
}

async fn organizer_lists_registrations_by_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    for (name, zone) in [
        ("A", "Asia/Tokyo"),
        ("B", "America/New_York"),
        ("C", "Pacific/Apia"),
    ] {
        app.register_ok(
            &w.id,
            &json!({"name": name, "email": format!("{name}@example.org"), "time_zone": zone}),
        )
        .await;
    }
    let all = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    let am = json_of(
        app.get_as_organizer(&format!(
            "/api/v1/webinars/{}/registrations?session_id={}",
            w.id, w.am
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = am
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A", "C"]);
    let bad = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{}/registrations?session_id=nope",
            w.id
        ))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

async fn registration_outside_its_window_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let body = json!({"name": "Late", "email": "late@example.org", "time_zone": "Asia/Tokyo"});
    app.organizer(
        Method::PATCH,
        &format!("/api/v1/webinars/{}", w.id),
        Some(&json!({"registration_closes_at": "2020-01-01T00:00:00Z"})),
    )
    .await;
    assert_error(
        app.register(&w.id, &body).await,
        StatusCode::FORBIDDEN,
        "registration closed",
    )
    .await;
    let w2 = app
        .create_webinar(
            &json!({"title": "Later", "registration_opens_at": "2029-01-01T00:00:00Z",
            "sessions": [{"label": "AM", "starts_at": AM_START, "duration_minutes": 60}]}),
        )
        .await;
    let early = app.register(w2["id"].as_str().unwrap(), &body).await;
    assert_error(early, StatusCode::FORBIDDEN, "registration opens").await;
    let _: Value = w2;
}
