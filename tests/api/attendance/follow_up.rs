//! The follow-up emails after the event: refused before the last session ends, then
//! sent once to those who attended and once to those who did not.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::*;
use crate::helpers::*;
use crate::on_both_databases;
use crate::smtp::SmtpServer;

on_both_databases!(follow_up_emails_go_once_to_attendees_and_absentees);

async fn follow_up_emails_go_once_to_attendees_and_absentees(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, inline_delivery(without_reminders(&smtp))).await;
    let (w, s) = event(&app, &[("AM", 60, Some("https://meet.example.org/am"))]).await;
    let amina = register_in(
        &app,
        &w,
        &s[0],
        json!({"name": "Amina Diallo", "email": "amina@example.org", "language": "fr"}),
    )
    .await;
    register_in(
        &app,
        &w,
        &s[0],
        json!({"name": "Kenji Sato", "email": "kenji@example.jp"}),
    )
    .await;
    let agenda = json!({"title": "Agenda", "kind": "agenda", "language": "en", "url": "https://docs.example.org/agenda.pdf"});
    json_of(
        app.organizer(
            Method::POST,
            &format!("/api/v1/webinars/{w}/materials"),
            Some(&agenda),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(app.deliver().await.len(), 2);

    // Before the session: refused, nobody is told they were missed.
    assert_error(
        app.organizer(
            Method::POST,
            &format!("/api/v1/webinars/{w}/follow-up"),
            None,
        )
        .await,
        StatusCode::CONFLICT,
        "after the last session ends",
    )
    .await;
    app.organizer(
        Method::PUT,
        &format!(
            "/api/v1/webinars/{w}/registrations/{}/attendance",
            amina["id"].as_str().unwrap()
        ),
        Some(&json!({"attended": true, "minutes": 58})),
    )
    .await;
    move_session(&app, &w, &s[0], &minutes_from_now(-180)).await;
    assert_eq!(app.deliver().await.len(), 2, "the reschedule notices");

    let sent = json_of(
        app.organizer(
            Method::POST,
            &format!("/api/v1/webinars/{w}/follow-up"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sent, json!({"thanked": 1, "missed": 1}));
    let again = json_of(
        app.organizer(
            Method::POST,
            &format!("/api/v1/webinars/{w}/follow-up"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again, json!({"thanked": 0, "missed": 0}), "once per person");

    let mails = app.deliver().await;
    assert_eq!(mails.len(), 2);
    let thanks: Vec<_> = mails
        .iter()
        .filter(|m| m.to == "amina@example.org" && m.subject.starts_with("Merci"))
        .collect();
    assert_eq!(
        thanks.len(),
        1,
        "{:?}",
        mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(
        thanks[0]
            .text
            .contains("https://docs.example.org/agenda.pdf"),
        "{}",
        thanks[0].text
    );
    assert!(thanks[0].calendar.is_none(), "no calendar in a follow-up");
    assert!(
        !thanks[0].text.contains("/j/"),
        "no join link after the event"
    );
    let missed: Vec<_> = mails
        .iter()
        .filter(|m| m.to == "kenji@example.jp" && m.subject.starts_with("Sorry we missed you"))
        .collect();
    assert_eq!(missed.len(), 1);
    assert!(
        missed[0]
            .text
            .contains("https://docs.example.org/agenda.pdf")
    );
    assert!(app.deliver().await.is_empty(), "nothing more was sent");
}
