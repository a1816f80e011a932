//! The personal join link (`/j/{token}`): in the confirmation, recorded once when open,
//! and a plain page when it cannot open the meeting.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::helpers::*;
use crate::mail;
use crate::on_both_databases;
use crate::smtp::SmtpServer;

on_both_databases!(
    the_join_link_is_in_the_confirmation_and_its_invitation,
    an_open_join_link_records_the_first_join_and_opens_the_meeting,
    a_join_link_opened_too_early_says_not_open_yet_in_the_registrants_time,
    a_join_link_without_a_meeting_link_says_so_in_the_registrants_language,
    a_join_link_after_the_session_says_it_has_ended,
    a_cancelled_registration_does_not_get_in,
    a_forged_or_made_up_join_link_is_not_found,
);

/// Three registrations: `soon` in a session 10 minutes away, `later` (Tokyo) in one two
/// days away, `unlinked` (French) in one with no meeting link yet.
struct Registered {
    smtp: SmtpServer,
    app: TestApp,
    w: String,
    s: Vec<String>,
    soon: Value,
    later: Value,
    unlinked: Value,
}

impl Registered {
    /// The join link's URL on this test server.
    fn path(&self, link: &str) -> String {
        self.app
            .url(&link.replace(&self.app.settings.server.public_url, ""))
    }

    fn link(registration: &Value) -> String {
        registration["join_link"].as_str().unwrap().to_string()
    }
}

async fn registered(backend: Backend) -> Registered {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, without_reminders(&smtp)).await;
    let (w, s) = event(
        &app,
        &[
            ("Now", 10, Some("https://meet.example.org/now")),
            ("Later", 2 * 24 * 60, Some("https://meet.example.org/later")),
            ("Unlinked", 5, None),
        ],
    )
    .await;
    let soon = register_in(
        &app,
        &w,
        &s[0],
        json!({"name": "Amina Diallo", "email": "amina@example.org"}),
    )
    .await;
    let later = register_in(
        &app,
        &w,
        &s[1],
        json!({"name": "Kenji Sato", "email": "kenji@example.jp", "time_zone": "Asia/Tokyo"}),
    )
    .await;
    let unlinked = register_in(
        &app,
        &w,
        &s[2],
        json!({"name": "Olga Ivanova", "email": "olga@example.ru", "language": "fr"}),
    )
    .await;
    Registered {
        smtp,
        app,
        w,
        s,
        soon,
        later,
        unlinked,
    }
}

async fn the_join_link_is_in_the_confirmation_and_its_invitation(backend: Backend) {
    let r = registered(backend).await;
    let (app, soon) = (&r.app, &r.soon);
    let link = Registered::link(soon);
    assert!(
        link.starts_with(&format!("{}/j/", app.settings.server.public_url)),
        "{link}"
    );
    assert!(
        !link.contains(
            soon["manage_url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        )
    );

    // The personal join link is in the confirmation email and its calendar invitation.
    let mails = mail::parse_all(&r.smtp.wait_for(3, WAIT).await);
    let amina = mails.iter().find(|m| m.to == "amina@example.org").unwrap();
    assert!(amina.text.contains(&link), "{}", amina.text);
    assert_eq!(amina.ics_prop("LOCATION"), link);
}

async fn an_open_join_link_records_the_first_join_and_opens_the_meeting(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, s, soon) = (&r.app, &r.w, &r.s, &r.soon);
    let link = Registered::link(soon);
    // Open (10 minutes before the start): recorded once, then on to the meeting. A link
    // checker's HEAD request gets the same answer but records nothing.
    let client = no_redirects();
    let looked = client.head(r.path(&link)).send().await.unwrap();
    assert_eq!(looked.status(), StatusCode::SEE_OTHER);
    assert_eq!(looked.headers()["location"], "https://meet.example.org/now");
    let nothing = attendance_of(app, w, soon["id"].as_str().unwrap()).await;
    assert_eq!(nothing["sessions"], json!([]), "{nothing}");
    let before = Utc::now();
    let first = client.get(r.path(&link)).send().await.unwrap();
    assert_eq!(
        first.status(),
        StatusCode::SEE_OTHER,
        "{}",
        first.text().await.unwrap()
    );
    let first = client.get(r.path(&link)).send().await.unwrap();
    assert_eq!(first.headers()["location"], "https://meet.example.org/now");
    let recorded = attendance_of(app, w, soon["id"].as_str().unwrap()).await;
    assert_eq!(recorded["attended"], true);
    assert_eq!(recorded["sessions"][0]["source"], "join_link");
    assert_eq!(recorded["sessions"][0]["session_id"], s[0]);
    let joined: DateTime<Utc> = recorded["sessions"][0]["joined_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(joined >= before - chrono::Duration::seconds(1) && joined <= Utc::now());
    let again = client.get(r.path(&link)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    // A visit a minute later (still open) leaves the first join standing. The service
    // takes the time, so the test need not wait for the clock to move on.
    let later_visit = Utc::now() + chrono::Duration::minutes(1);
    let token = link.rsplit('/').next().unwrap();
    meridian::services::attendance::join(app.context(), token, later_visit, true)
        .await
        .expect("a later visit");
    let still = attendance_of(app, w, soon["id"].as_str().unwrap()).await;
    assert_eq!(still["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(
        still["sessions"][0]["joined_at"], recorded["sessions"][0]["joined_at"],
        "the first join counts"
    );
}

async fn a_join_link_opened_too_early_says_not_open_yet_in_the_registrants_time(backend: Backend) {
    let r = registered(backend).await;
    let later = &r.later;
    // More than 30 minutes before: "not open yet", in the registrant's time, nothing recorded.
    let page = no_redirects()
        .get(r.path(&Registered::link(later)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("is not open yet"), "{page}");
    assert!(page.contains("UTC+09:00"), "in her own time: {page}");
    let none = attendance_of(&r.app, &r.w, later["id"].as_str().unwrap()).await;
    assert_eq!(none["attended"], false);
    assert_eq!(none["sessions"], json!([]));
}

async fn a_join_link_without_a_meeting_link_says_so_in_the_registrants_language(backend: Backend) {
    let r = registered(backend).await;
    let unlinked = &r.unlinked;
    // No meeting link published yet: said so (in French for Olga), nothing recorded.
    let page = no_redirects()
        .get(r.path(&Registered::link(unlinked)))
        .send()
        .await
        .unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("pas encore publié le lien"), "{page}");
    assert_eq!(
        attendance_of(&r.app, &r.w, unlinked["id"].as_str().unwrap()).await["attended"],
        false
    );
}

async fn a_join_link_after_the_session_says_it_has_ended(backend: Backend) {
    let r = registered(backend).await;
    // After the session (and the hour of grace): ended.
    move_session(&r.app, &r.w, &r.s[1], &minutes_from_now(-3 * 60)).await;
    let page = no_redirects()
        .get(r.path(&Registered::link(&r.later)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("has ended"), "{page}");
}

async fn a_cancelled_registration_does_not_get_in(backend: Backend) {
    let r = registered(backend).await;
    let (app, soon) = (&r.app, &r.soon);
    let manage = soon["manage_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let cancelled = app
        .client
        .delete(app.url(&format!("/api/v1/registrations/{manage}")))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let page = no_redirects()
        .get(r.path(&Registered::link(soon)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("registration has been cancelled")
    );
}

async fn a_forged_or_made_up_join_link_is_not_found(backend: Backend) {
    let r = registered(backend).await;
    let link = Registered::link(&r.soon);
    let client = no_redirects();
    // A link that was tampered with, or made up, is not found.
    let mut forged = link.clone();
    forged.pop();
    forged.push(if link.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(
        client.get(r.path(&forged)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client
            .get(r.app.url("/j/not-a-token"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}
