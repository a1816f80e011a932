use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;
use crate::smtp::SmtpServer;

on_both_databases!(
    seat_limits_hold_under_a_burst_of_registrations,
    the_same_email_registered_at_once_is_stored_once,
    many_registrations_at_once_each_get_one_row_one_confirmation_and_one_seat,
    a_burst_over_a_full_session_and_a_free_one_keeps_the_limit_exact,
);

/// Sends every body at once to the registration endpoint; answers the statuses in order.
async fn register_at_once(
    app: &TestApp,
    webinar: &str,
    bodies: Vec<serde_json::Value>,
) -> Vec<StatusCode> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let client = app.client.clone();
            let url = app.url(&format!("/api/v1/webinars/{webinar}/registrations"));
            tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

/// Registrations arriving together are stored together (several per transaction); each
/// still gets exactly its row, its seat and its confirmation, and an address sent several
/// times at once is registered once, the others told to check their email.
async fn many_registrations_at_once_each_get_one_row_one_confirmation_and_one_seat(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(1000), Some(1000)).await;
    let zones = [
        "Asia/Tokyo",
        "America/New_York",
        "Europe/Zurich",
        "Australia/Sydney",
    ];
    let mut bodies = Vec::new();
    let mut expected: Vec<String> = Vec::new();
    for i in 0..180 {
        let email = format!("crowd{i}@example.org");
        bodies.push(json!({"name": format!("Person {i}"), "email": email,
            "time_zone": zones[i % zones.len()]}));
        expected.push(email);
    }
    // Four addresses sent five times each, in different cases, among the others.
    for copy in 0..5 {
        for (twin, zone) in zones.iter().enumerate() {
            let email = if copy % 2 == 0 {
                format!("twin{twin}@example.org")
            } else {
                format!("Twin{twin}@Example.org")
            };
            bodies.insert(
                copy * 37 + twin,
                json!({"name": format!("Twin {twin}"),
                "email": email, "time_zone": zone}),
            );
        }
    }
    expected.extend((0..4).map(|twin| format!("twin{twin}@example.org")));
    assert_eq!(bodies.len(), 200);
    let emails: Vec<String> = bodies
        .iter()
        .map(|b| b["email"].as_str().unwrap().to_lowercase())
        .collect();
    let statuses = register_at_once(&app, &w.id, bodies).await;

    for (email, status) in emails.iter().zip(&statuses) {
        if email.starts_with("crowd") {
            assert_eq!(*status, StatusCode::CREATED, "{email}");
        }
    }
    for twin in 0..4 {
        let email = format!("twin{twin}@example.org");
        let of_twin: Vec<_> = emails
            .iter()
            .zip(&statuses)
            .filter(|(e, _)| **e == email)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(of_twin.len(), 5);
        assert_eq!(
            of_twin
                .iter()
                .filter(|s| **s == StatusCode::CREATED)
                .count(),
            1,
            "{email}: {of_twin:?}"
        );
        assert_eq!(
            of_twin
                .iter()
                .filter(|s| **s == StatusCode::ACCEPTED)
                .count(),
            4,
            "{email}: {of_twin:?}"
        );
    }

    let all = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let all = all.as_array().unwrap();
    let mut stored: Vec<String> = all
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_lowercase())
        .collect();
    stored.sort();
    expected.sort();
    assert_eq!(stored, expected, "one registration per address");

    let outbox = app.outbox(&w.id).await;
    let mut confirmed: Vec<String> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "confirmation")
        .map(|m| m["recipient"].as_str().unwrap().to_string())
        .collect();
    confirmed.sort();
    assert_eq!(confirmed, expected, "one confirmation per registration");
    let mut links: Vec<String> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "manage_link")
        .map(|m| m["recipient"].as_str().unwrap().to_string())
        .collect();
    links.sort();
    links.dedup();
    assert_eq!(
        links,
        (0..4)
            .map(|t| format!("twin{t}@example.org"))
            .collect::<Vec<_>>(),
        "the owners of the twice-sent addresses get their link"
    );

    let in_session = |id: &str| {
        all.iter()
            .filter(|r| r["session_id"].as_str() == Some(id))
            .count() as u64
    };
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{}", w.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(in_session(&w.am) + in_session(&w.pm), 184);
    assert_eq!(
        listing["sessions"][0]["seats_left"],
        1000 - in_session(&w.am)
    );
    assert_eq!(
        listing["sessions"][1]["seats_left"],
        1000 - in_session(&w.pm)
    );
}

/// A burst where one session has fewer seats than people asking for it and another has
/// room: the full one keeps its limit exactly, the other takes everyone.
async fn a_burst_over_a_full_session_and_a_free_one_keeps_the_limit_exact(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(7), None).await;
    let bodies = (0..120)
        .map(|i| {
            let session = if i % 2 == 0 { &w.am } else { &w.pm };
            json!({"name": format!("Person {i}"), "email": format!("mixed{i}@example.org"),
                "time_zone": "Asia/Tokyo", "session_id": session})
        })
        .collect();
    let statuses = register_at_once(&app, &w.id, bodies).await;

    let am: Vec<_> = statuses.iter().step_by(2).collect();
    let pm: Vec<_> = statuses.iter().skip(1).step_by(2).collect();
    assert_eq!(
        am.iter().filter(|s| ***s == StatusCode::CREATED).count(),
        7,
        "{am:?}"
    );
    assert_eq!(
        am.iter().filter(|s| ***s == StatusCode::CONFLICT).count(),
        53,
        "{am:?}"
    );
    assert!(pm.iter().all(|s| **s == StatusCode::CREATED), "{pm:?}");

    let all = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let in_am = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["session_id"].as_str() == Some(w.am.as_str()))
        .count();
    assert_eq!((in_am, all.as_array().unwrap().len()), (7, 67));
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{}", w.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listing["sessions"][0]["seats_left"], 0);
    let confirmations = app
        .outbox(&w.id)
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "confirmation")
        .count();
    assert_eq!(confirmations, 67);
}

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
