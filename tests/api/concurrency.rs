use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    seat_limits_hold_under_a_burst_of_registrations,
    the_same_email_registered_at_once_is_stored_once,
);

async fn seat_limits_hold_under_a_burst_of_registrations(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(10), None).await;
    let mut tasks = Vec::new();
    for i in 0..120 {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/webinars/{}/registrations", w.id));
        let body = json!({"name": format!("Person {i}"), "email": format!("person{i}@example.org"),
            "time_zone": "Asia/Tokyo", "session_id": w.am});
        tasks.push(tokio::spawn(async move {
            client.post(url).json(&body).send().await.unwrap().status()
        }));
    }
    let mut created = 0;
    let mut full = 0;
    for task in tasks {
        match task.await.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => full += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((created, full), (10, 110));
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{}", w.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listing["sessions"][0]["seats_left"], 0);
    let am = json_of(
        app.get_as_organizer(&format!(
            "/api/v1/webinars/{}/registrations?session_id={}",
            w.id, w.am
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(am.as_array().unwrap().len(), 10);
}

async fn the_same_email_registered_at_once_is_stored_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/webinars/{}/registrations", w.id));
        let email = if i % 2 == 0 {
            "Twin@Example.org"
        } else {
            "twin@example.org"
        };
        let body = json!({"name": "Twin", "email": email, "time_zone": "Europe/Zurich"});
        tasks.push(tokio::spawn(async move {
            client.post(url).json(&body).send().await.unwrap().status()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::OK),
        "{statuses:?}"
    );
    let all = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{}", w.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        listing["sessions"][0]["seats_left"],
        serde_json::Value::Null
    );
}
