use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;
use crate::smtp::SmtpServer;

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
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::ACCEPTED),
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

/// PostgreSQL is for several instances on one database: two instances here take
/// registrations for the same limited session at once and deliver the outbox between them
/// (both at once, inline, so that the test knows when every send is over). Seats stay exact, every message goes out exactly once, and a
/// link made by one instance works on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_database() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let smtp = SmtpServer::start().await;
    let first = spawn_app_with(backend, inline_delivery(smtp_to(&smtp.url()))).await;
    let mut settings = first.settings.clone();
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    // Same database and secret, its own port; the first instance drops the database.
    let second = spawn_with(settings, tempfile::tempdir().unwrap(), None).await;
    let w = first.model_webinar(Some(10), None).await;

    let mut tasks = Vec::new();
    for i in 0..60 {
        let app = if i % 2 == 0 { &first } else { &second };
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/v1/webinars/{}/registrations", w.id)),
        );
        let body = json!({"name": format!("Person {i}"), "email": format!("person{i}@example.org"),
            "time_zone": "Asia/Tokyo", "session_id": w.am});
        tasks.push(tokio::spawn(async move {
            let response = client.post(url).json(&body).send().await.unwrap();
            let status = response.status();
            (status, response.json::<serde_json::Value>().await.unwrap())
        }));
    }
    let mut created = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::CREATED => created.push(body),
            StatusCode::CONFLICT => {}
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!(created.len(), 10, "the seat limit holds across instances");

    // Forty invitations queued through the second instance; both deliver at once.
    let mut csv = String::from("name,email,time_zone,language\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "Invitee {i},invitee{i}@example.org,Europe/Zurich,fr\n"
        ));
    }
    let imported = second
        .client
        .post(second.url(&format!("/api/v1/webinars/{}/invitees", w.id)))
        .bearer_auth(&first.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    json_of(imported, StatusCode::OK).await;
    let sent = second
        .client
        .post(second.url(&format!("/api/v1/webinars/{}/invitations", w.id)))
        .bearer_auth(&first.token)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(sent, StatusCode::OK).await["queued"], 40);
    let (by_first, by_second) = tokio::join!(first.deliver(), second.deliver());
    // Every send has ended: a message claimed twice would show here.
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for message in by_first.iter().chain(&by_second) {
        *per_recipient.entry(message.to.clone()).or_default() += 1;
    }
    assert_eq!(per_recipient.len(), 50, "{per_recipient:?}");
    assert!(
        per_recipient.values().all(|&n| n == 1),
        "each message exactly once: {per_recipient:?}"
    );
    assert_eq!(smtp.received().len(), 50);
    assert!(first.deliver().await.is_empty() && second.deliver().await.is_empty());

    // Manage links, half of them made by the first instance, open on the second.
    let tokens = created
        .iter()
        .map(|r| {
            r["manage_url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        })
        .collect::<Vec<_>>();
    for token in tokens {
        let found = second.get(&format!("/api/v1/registrations/{token}")).await;
        assert_eq!(found.status(), StatusCode::OK);
    }
    drop(second);
}
