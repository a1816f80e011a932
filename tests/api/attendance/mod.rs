//! Attendance: the personal join link, report imports, marking by hand, the
//! participant list, the report and the follow-up emails; one file per behaviour, the
//! setup they share here.

mod follow_up;
mod import;
mod join_link;
mod manual;
mod pages;
mod participants;
mod report;

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::smtp::SmtpServer;

pub const WAIT: Duration = Duration::from_secs(20);

/// Mail to `smtp`, without reminders (the sessions here start within the hour).
pub fn without_reminders(
    smtp: &SmtpServer,
) -> impl FnOnce(&mut meridian::config::Settings) + use<> {
    let to_smtp = smtp_to(&smtp.url());
    move |settings| {
        to_smtp(settings);
        settings.mail.reminder_minutes.clear();
    }
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn minutes_from_now(m: i64) -> String {
    rfc3339(Utc::now() + chrono::Duration::minutes(m))
}

/// A webinar with sessions starting `offsets` minutes from now (60 minutes each);
/// returns its id and the session ids.
pub async fn event(app: &TestApp, sessions: &[(&str, i64, Option<&str>)]) -> (String, Vec<String>) {
    let sessions: Vec<Value> = sessions
        .iter()
        .map(|(label, offset, join_url)| {
            json!({"label": label, "starts_at": minutes_from_now(*offset),
                   "duration_minutes": 60, "join_url": join_url})
        })
        .collect();
    let w = app
        .create_webinar(&json!({
            "title": "Follow-up of the GCM regional reviews",
            "languages": ["en", "es", "fr", "ru", "ar"],
            "time_zone": "Europe/Zurich",
            "sessions": sessions,
        }))
        .await;
    // In the order given (the answer lists them by start).
    let listed = w["sessions"].as_array().unwrap();
    let ids = sessions
        .iter()
        .map(|s| {
            let found = listed.iter().find(|l| l["label"] == s["label"]).unwrap();
            found["id"].as_str().unwrap().to_string()
        })
        .collect();
    (w["id"].as_str().unwrap().to_string(), ids)
}

pub async fn move_session(app: &TestApp, webinar: &str, session: &str, starts_at: &str) {
    let moved = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{webinar}/sessions/{session}"),
            Some(&json!({"starts_at": starts_at})),
        )
        .await;
    json_of(moved, StatusCode::OK).await;
}

/// Registers someone in `session`; returns the registration's answer.
pub async fn register_in(app: &TestApp, webinar: &str, session: &str, person: Value) -> Value {
    let mut body = person;
    body["session_id"] = json!(session);
    if body.get("time_zone").is_none() {
        body["time_zone"] = json!("Europe/Paris");
    }
    app.register_ok(webinar, &body).await.0
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn attendance_of(app: &TestApp, webinar: &str, registration: &str) -> Value {
    json_of(
        app.get_as_organizer(&format!(
            "/api/v1/webinars/{webinar}/registrations/{registration}/attendance"
        ))
        .await,
        StatusCode::OK,
    )
    .await
}

pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/attendance/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The people of the sample reports, registered for AM or PM.
pub async fn sample_registrants(
    app: &TestApp,
    w: &str,
    am: &str,
    pm: &str,
) -> Vec<(String, String)> {
    let people = [
        ("Amina Diallo", "amina.diallo@example.org", am),
        ("Kenji Sato", "kenji.sato@example.jp", am),
        ("Lucía Fernández", "lucia.fernandez@example.mx", pm),
        ("Olga Ivanova", "olga.ivanova@example.ru", pm),
        ("Youssef Haddad", "youssef.haddad@example.ma", am),
        ("Marie Dubois", "marie.dubois@example.fr", am),
    ];
    let mut ids = Vec::new();
    for (name, email, session) in people {
        let r = register_in(app, w, session, json!({"name": name, "email": email})).await;
        ids.push((name.to_string(), r["id"].as_str().unwrap().to_string()));
    }
    ids
}

pub fn id_of<'a>(ids: &'a [(String, String)], name: &str) -> &'a str {
    &ids.iter().find(|(n, _)| n == name).unwrap().1
}

pub async fn import(app: &TestApp, w: &str, query: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/webinars/{w}/attendance{query}")))
        .bearer_auth(&app.token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

pub async fn participants_csv(app: &TestApp, w: &str, query: &str) -> String {
    let response = app
        .get_as_organizer(&format!("/api/v1/webinars/{w}/participants{query}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = response.text().await.unwrap();
    text.strip_prefix('\u{feff}')
        .expect("a byte-order mark for spreadsheets")
        .to_string()
}

pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A known data set: four invitees (one in a zone no session suits at these hours), two
/// of whom register themselves and two only get invitations; a guest registers for PM;
/// Amina and the guest attend AM. Returns the app, the webinar and its sessions.
pub async fn known_data_set(backend: Backend) -> (TestApp, String, Vec<String>) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    // Four invitees, one in a zone no session suits at these hours.
    let csv = "name,email,organization,role,country,time_zone,language\n\
        Amina Diallo,amina@example.org,Rabat Process,Chair,MA,Africa/Casablanca,fr\n\
        Kenji Sato,kenji@example.jp,Bali Process,Head of secretariat,JP,Asia/Tokyo,en\n\
        Lucía Fernández,lucia@example.mx,Puebla Process,Chair,MX,America/Mexico_City,es\n\
        Olga Ivanova,olga@example.ru,Almaty Process,Chair,RU,Europe/Moscow,ru\n";
    json_of(app.import_csv(&w, csv).await, StatusCode::OK).await;
    // Amina and Kenji register themselves (their invitee records are found by email);
    // Lucía and Olga get invitations they never answer.
    let (amina, _) = app.invitee_registers(&w, &json!({"name": "Amina Diallo", "email": "amina@example.org", "language": "fr", "time_zone": "Africa/Casablanca", "session_id": s[0]})).await;
    app.invitee_registers(&w, &json!({"name": "Kenji Sato", "email": "kenji@example.jp", "language": "en", "time_zone": "Asia/Tokyo", "session_id": s[0]})).await;
    let sent = json_of(
        app.organizer(
            Method::POST,
            &format!("/api/v1/webinars/{w}/invitations"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sent["queued"], 2);
    // Someone not invited registers for PM.
    let guest = register_in(&app, &w, &s[1], json!({"name": "Guest", "email": "guest@example.org", "language": "en", "time_zone": "Europe/London"})).await;
    // Amina and the guest attend AM (the guest was registered for PM).
    for id in [amina["id"].as_str().unwrap(), guest["id"].as_str().unwrap()] {
        app.organizer(
            Method::PUT,
            &format!("/api/v1/webinars/{w}/registrations/{id}/attendance"),
            Some(&json!({"attended": true, "session_id": s[0]})),
        )
        .await;
    }
    (app, w, s)
}
