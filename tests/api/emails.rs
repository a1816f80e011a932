//! Invitations, updates and cancellations by email, delivered over real SMTP.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::mail::{self, Mail};
use crate::on_both_databases;
use crate::smtp::{Mode, SmtpServer};

on_both_databases!(
    sample_invitees_each_get_one_invitation_in_their_language_and_time,
    switching_and_cancelling_update_the_same_calendar_event,
    a_reschedule_reaches_every_registrant_and_chair_of_the_session,
    cancelling_a_session_removes_it_from_every_calendar,
    registering_again_mails_the_link_to_the_address_only,
    an_smtp_server_that_refuses_for_a_while_loses_nothing,
    a_permanent_refusal_is_marked_failed_and_can_be_retried,
    a_server_that_was_down_gets_the_mail_once_it_is_up,
    mail_queued_before_the_worker_died_is_sent_after_restart,
    reminders_go_out_once_without_a_calendar,
);

const WAIT: Duration = Duration::from_secs(20);

fn by_address<'a>(mails: &'a [Mail], address: &str) -> Vec<&'a Mail> {
    mails
        .iter()
        .filter(|m| m.to.eq_ignore_ascii_case(address))
        .collect()
}

async fn sample_invitees_each_get_one_invitation_in_their_language_and_time(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, inline_delivery(smtp_to(&smtp.url()))).await;
    let w = app.model_webinar(None, None).await;
    json_of(app.import_csv(&w.id, &sample_csv()).await, StatusCode::OK).await;
    let sent = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/invitations", w.id),
            None,
        )
        .await;
    assert_eq!(
        json_of(sent, StatusCode::OK).await,
        json!({"queued": 24, "unassigned": []})
    );
    let mails = app.deliver().await;
    assert_eq!(mails.len(), 24);
    assert_eq!(smtp.received().len(), 24, "all through the SMTP server");

    // Bali Process co-chair, Sydney, English: AM at 17:00 local.
    let bali = by_address(&mails, "cochair@bali-process.example.org");
    assert_eq!(bali.len(), 1);
    let bali = bali[0];
    assert!(bali.subject.starts_with("Invitation:"), "{}", bali.subject);
    assert!(
        bali.text.contains("17:00–19:00")
            && bali.text.contains("Australia/Sydney")
            && bali.text.contains("UTC+10:00"),
        "{}",
        bali.text
    );
    assert!(
        bali.text.contains(&format!("{}/r/", app.address)),
        "the personal link: {}",
        bali.text
    );
    assert_eq!(bali.method_param.as_deref(), Some("REQUEST"));
    assert_eq!(bali.ics_prop("METHOD"), "REQUEST");
    assert_eq!(bali.ics_prop("DTSTART"), "20300924T070000Z");
    assert_eq!(bali.ics_prop("SEQUENCE"), "0");
    assert_eq!(
        bali.attachment.as_deref(),
        bali.calendar.as_deref(),
        "invite.ics holds the same calendar"
    );
    let attendee = mail::prop_line(bali.ics(), "ATTENDEE").unwrap();
    assert!(
        attendee.contains("ROLE=REQ-PARTICIPANT")
            && attendee.contains("RSVP=TRUE")
            && attendee.contains("PARTSTAT=NEEDS-ACTION"),
        "{attendee}"
    );
    assert!(
        attendee.ends_with("mailto:cochair@bali-process.example.org"),
        "{attendee}"
    );
    assert!(
        mail::prop_line(bali.ics(), "ORGANIZER")
            .unwrap()
            .ends_with("mailto:webinars@iom.example.org")
    );

    // South American Conference, Buenos Aires, Spanish: PM at 11:00 local.
    let csm = by_address(&mails, "chair@csm.example.org")[0];
    assert!(csm.subject.starts_with("Invitación"), "{}", csm.subject);
    assert!(
        csm.text.contains("11:00–13:00") && csm.text.contains("septiembre"),
        "{}",
        csm.text
    );
    assert_eq!(csm.ics_prop("DTSTART"), "20300924T140000Z");
    // Almaty Process, Russian.
    let almaty = by_address(&mails, "chair@almaty-process.example.org")[0];
    assert!(
        almaty.text.contains("сентября") && almaty.text.contains("12:00–14:00"),
        "{}",
        almaty.text
    );
    // Abu Dhabi Dialogue chair, Arabic: right to left.
    let abu_dhabi = by_address(&mails, "chair@abudhabi-dialogue.example.org")[0];
    assert!(
        abu_dhabi.html.contains("dir=\"rtl\"") && abu_dhabi.html.contains("lang=\"ar\""),
        "{}",
        abu_dhabi.html
    );
    assert!(abu_dhabi.text.contains("سبتمبر"), "{}", abu_dhabi.text);
    // Rabat Process, French.
    let rabat = by_address(&mails, "chair@rabat-process.example.org")[0];
    assert!(rabat.text.contains("septembre"), "{}", rabat.text);

    // Every invitee got exactly one, and each is listed as invited.
    let registrations = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(registrations.as_array().unwrap().len(), 24);
    assert!(
        registrations
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "invited")
    );
    let mut addresses: Vec<_> = mails.iter().map(|m| m.to.to_lowercase()).collect();
    addresses.sort();
    addresses.dedup();
    assert_eq!(addresses.len(), 24);

    // Sending again queues and sends nothing new.
    let again = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/invitations", w.id),
            None,
        )
        .await;
    assert_eq!(json_of(again, StatusCode::OK).await["queued"], 0);
    assert!(app.deliver().await.is_empty(), "nothing more is sent");
    let outbox = app.outbox(&w.id).await;
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "sent" && m["kind"] == "invitation")
    );
}

async fn switching_and_cancelling_update_the_same_calendar_event(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, smtp_to(&smtp.url())).await;
    let w = app.model_webinar(None, None).await;
    let (_, token) = app
        .register_ok(&w.id, &json!({"name": "Lucía Pérez", "email": "lucia@example.org", "time_zone": "America/Mexico_City", "language": "es"}))
        .await;
    let first = mail::parse(&smtp.wait_for(1, WAIT).await[0].data);
    assert!(first.subject.contains("confirmada"), "{}", first.subject);
    assert_eq!(first.ics_prop("DTSTART"), "20300924T140000Z");
    let uid = first.ics_prop("UID");

    let path = format!("/api/v1/registrations/{token}");
    app.client
        .patch(app.url(&path))
        .json(&json!({"session_id": w.am}))
        .send()
        .await
        .unwrap();
    let switched = mail::parse(&smtp.wait_for(2, WAIT).await[1].data);
    assert_eq!(switched.ics_prop("METHOD"), "REQUEST");
    assert_eq!(switched.ics_prop("UID"), uid);
    assert_eq!(switched.ics_prop("SEQUENCE"), "1");
    assert_eq!(switched.ics_prop("DTSTART"), "20300924T070000Z");
    assert!(
        switched.text.contains("01:00–03:00"),
        "the new local time: {}",
        switched.text
    );

    app.client.delete(app.url(&path)).send().await.unwrap();
    let cancelled = mail::parse(&smtp.wait_for(3, WAIT).await[2].data);
    assert_eq!(cancelled.method_param.as_deref(), Some("CANCEL"));
    assert_eq!(cancelled.ics_prop("METHOD"), "CANCEL");
    assert_eq!(cancelled.ics_prop("UID"), uid);
    assert_eq!(cancelled.ics_prop("SEQUENCE"), "2");
    assert_eq!(cancelled.ics_prop("STATUS"), "CANCELLED");
}

async fn a_reschedule_reaches_every_registrant_and_chair_of_the_session(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, inline_delivery(smtp_to(&smtp.url()))).await;
    let w = app.model_webinar(None, None).await;
    for (name, zone) in [
        ("Kenji", "Asia/Tokyo"),
        ("Mele", "Pacific/Apia"),
        ("Ana", "America/Mexico_City"),
    ] {
        app.register_ok(
            &w.id,
            &json!({"name": name, "email": format!("{name}@example.org"), "time_zone": zone}),
        )
        .await;
    }
    let chair = app
        .organizer(Method::POST, &format!("/api/v1/webinars/{}/sessions/{}/chairs", w.id, w.am),
            Some(&json!({"name": "Chair, Bali Process", "email": "cochair@bali-process.example.org", "time_zone": "Australia/Sydney"})))
        .await;
    let chair = json_of(chair, StatusCode::CREATED).await;
    assert_eq!(chair["status"], "active");
    let before = app.deliver().await;
    assert_eq!(before.len(), 4);
    let chair_mail = by_address(&before, "cochair@bali-process.example.org")[0].clone();
    assert!(
        mail::prop_line(chair_mail.ics(), "ATTENDEE")
            .unwrap()
            .contains("ROLE=CHAIR")
    );
    assert!(
        chair_mail.subject.contains("chair"),
        "{}",
        chair_mail.subject
    );
    // Naming the same chair twice sends nothing more.
    let again = app
        .organizer(Method::POST, &format!("/api/v1/webinars/{}/sessions/{}/chairs", w.id, w.am),
            Some(&json!({"name": "Chair, Bali Process", "email": "COCHAIR@bali-process.example.org"})))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(app.deliver().await.is_empty());

    let moved = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am),
            Some(&json!({"starts_at": "2030-09-24T06:00:00Z"})),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let updates = app.deliver().await;
    let mut recipients: Vec<_> = updates.iter().map(|m| m.to.to_lowercase()).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "cochair@bali-process.example.org",
            "kenji@example.org",
            "mele@example.org"
        ],
        "the PM registrant hears nothing"
    );
    for update in &updates {
        assert_eq!(update.ics_prop("METHOD"), "REQUEST");
        assert_eq!(update.ics_prop("SEQUENCE"), "1");
        assert_eq!(update.ics_prop("DTSTART"), "20300924T060000Z");
        let original = by_address(&before, &update.to)[0];
        assert_eq!(update.ics_prop("UID"), original.ics_prop("UID"));
    }
    let kenji = updates
        .iter()
        .find(|m| m.to.eq_ignore_ascii_case("kenji@example.org"))
        .unwrap();
    assert!(kenji.subject.starts_with("New time"), "{}", kenji.subject);
    assert!(
        kenji.text.contains("15:00–17:00") && kenji.text.contains("16:00–18:00"),
        "new and old time: {}",
        kenji.text
    );
}

async fn cancelling_a_session_removes_it_from_every_calendar(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, smtp_to(&smtp.url())).await;
    let w = app.model_webinar(None, None).await;
    app.register_ok(
        &w.id,
        &json!({"name": "Kenji", "email": "kenji@example.org", "time_zone": "Asia/Tokyo"}),
    )
    .await;
    app.organizer(
        Method::POST,
        &format!("/api/v1/webinars/{}/sessions/{}/chairs", w.id, w.am),
        Some(&json!({"name": "Chair", "email": "chair@example.org", "language": "fr"})),
    )
    .await;
    smtp.wait_for(2, WAIT).await;
    app.organizer(
        Method::DELETE,
        &format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am),
        None,
    )
    .await;
    let all = mail::parse_all(&smtp.wait_for(4, WAIT).await);
    for cancel in &all[2..] {
        assert_eq!(cancel.ics_prop("METHOD"), "CANCEL");
        assert_eq!(cancel.ics_prop("STATUS"), "CANCELLED");
        assert_eq!(cancel.ics_prop("SEQUENCE"), "1");
        let original = by_address(&all[..2], &cancel.to)[0];
        assert_eq!(cancel.ics_prop("UID"), original.ics_prop("UID"));
    }
    let chairs = json_of(
        app.get_as_organizer(&format!(
            "/api/v1/webinars/{}/sessions/{}/chairs",
            w.id, w.am
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(chairs[0]["status"], "removed");
}

async fn registering_again_mails_the_link_to_the_address_only(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, inline_delivery(smtp_to(&smtp.url()))).await;
    let w = app.model_webinar(None, None).await;
    let (_, token) = app
        .register_ok(
            &w.id,
            &json!({"name": "Amina", "email": "amina@example.org", "time_zone": "Africa/Nairobi"}),
        )
        .await;
    assert_eq!(app.deliver().await.len(), 1);
    let again = app
        .register(
            &w.id,
            &json!({"name": "Impostor", "email": "AMINA@example.org", "time_zone": "UTC"}),
        )
        .await;
    // Nothing stored is shown to the caller.
    let again = json_of(again, StatusCode::ACCEPTED).await;
    assert_eq!(again, json!({"status": "check your email"}));
    let mut sent = app.deliver().await;
    assert_eq!(sent.len(), 1, "one email: the link");
    let link = sent.remove(0);
    assert_eq!(link.to, "amina@example.org");
    assert!(
        link.text.contains(&token),
        "the owner gets the link: {}",
        link.text
    );
    assert!(link.calendar.is_none());
    // Within the hour, asking again does not mail again.
    app.register(
        &w.id,
        &json!({"name": "Impostor", "email": "amina@example.org", "time_zone": "UTC"}),
    )
    .await;
    assert!(app.deliver().await.is_empty());
    assert_eq!(smtp.received().len(), 2);
}

async fn an_smtp_server_that_refuses_for_a_while_loses_nothing(backend: Backend) {
    let smtp = SmtpServer::start().await;
    smtp.set_mode(Mode::RefuseTransient);
    let app = spawn_app_with(backend, smtp_to(&smtp.url())).await;
    let w = app.model_webinar(None, None).await;
    for i in 0..3 {
        app.register_ok(&w.id, &json!({"name": format!("P{i}"), "email": format!("p{i}@example.org"), "time_zone": "Europe/Zurich"})).await;
    }
    let deadline = std::time::Instant::now() + WAIT;
    while smtp.refusals() < 6 {
        assert!(std::time::Instant::now() < deadline, "no retries seen");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let outbox = app.outbox(&w.id).await;
    let first = &outbox[0];
    assert_eq!(first["status"], "pending");
    assert!(first["attempts"].as_i64().unwrap() >= 1);
    assert!(
        first["last_error"].as_str().unwrap().contains("451"),
        "{first}"
    );
    smtp.set_mode(Mode::Accept);
    let mails = mail::parse_all(&smtp.wait_for(3, WAIT).await);
    let mut to: Vec<_> = mails.iter().map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["p0@example.org", "p1@example.org", "p2@example.org"]);
    let outbox = app.wait_outbox_settled(&w.id, 20).await;
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "sent"),
        "{outbox}"
    );
}

async fn a_permanent_refusal_is_marked_failed_and_can_be_retried(backend: Backend) {
    let smtp = SmtpServer::start().await;
    smtp.set_mode(Mode::RefusePermanent);
    let app = spawn_app_with(backend, smtp_to(&smtp.url())).await;
    let w = app.model_webinar(None, None).await;
    app.register_ok(
        &w.id,
        &json!({"name": "Gone", "email": "gone@example.org", "time_zone": "UTC"}),
    )
    .await;
    let outbox = app.wait_outbox_settled(&w.id, 20).await;
    let message = &outbox[0];
    assert_eq!(message["status"], "failed");
    assert_eq!(message["attempts"], 1, "a permanent refusal is not retried");
    assert!(
        message["last_error"].as_str().unwrap().contains("550"),
        "{message}"
    );
    smtp.set_mode(Mode::Accept);
    let retry = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/outbox/{}/retry", w.id, message["id"]),
            None,
        )
        .await;
    assert_eq!(retry.status(), StatusCode::OK);
    smtp.wait_for(1, WAIT).await;
    let again = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/outbox/{}/retry", w.id, message["id"]),
            None,
        )
        .await;
    assert_error(again, StatusCode::CONFLICT, "not a failed message").await;
}

async fn a_server_that_was_down_gets_the_mail_once_it_is_up(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let addr = smtp.addr();
    let url = smtp.url();
    drop(smtp);
    let app = spawn_app_with(backend, smtp_to(&url)).await;
    let w = app.model_webinar(None, None).await;
    app.register_ok(
        &w.id,
        &json!({"name": "Patient", "email": "patient@example.org", "time_zone": "UTC"}),
    )
    .await;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let outbox = app.outbox(&w.id).await;
        if outbox[0]["attempts"].as_i64().unwrap() >= 2 {
            assert_eq!(
                outbox[0]["status"], "pending",
                "connection refused is transient"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no attempts: {outbox}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let smtp = SmtpServer::start_on(addr).await;
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mail::parse(&mails[0].data).to, "patient@example.org");
}

async fn mail_queued_before_the_worker_died_is_sent_after_restart(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut settings, postgres_db) = test_settings(&backend, dir.path()).await;
    smtp_to(&smtp.url())(&mut settings);
    settings.mail.worker = false;
    let first = spawn_with(settings.clone(), tempfile::tempdir().unwrap(), None).await;
    let w = first.model_webinar(None, None).await;
    for i in 0..3 {
        first.register_ok(&w.id, &json!({"name": format!("P{i}"), "email": format!("p{i}@example.org"), "time_zone": "UTC"})).await;
    }
    let queued = first.outbox(&w.id).await;
    assert_eq!(queued.as_array().unwrap().len(), 3);
    assert!(
        queued
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "pending" && m["attempts"] == 0),
        "nothing was tried without a worker: {queued}"
    );
    drop(first);
    assert!(
        smtp.received().is_empty(),
        "nothing was sent without a worker"
    );
    settings.mail.worker = true;
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    let _second = spawn_with(settings, dir, postgres_db).await;
    assert_eq!(smtp.wait_for(3, WAIT).await.len(), 3);
}

async fn reminders_go_out_once_without_a_calendar(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, inline_delivery(smtp_to(&smtp.url()))).await;
    let w = app.model_webinar(None, None).await;
    app.register_ok(&w.id, &json!({"name": "Early", "email": "early@example.org", "time_zone": "Europe/Zurich", "language": "fr"})).await;
    assert_eq!(app.deliver().await.len(), 1);
    // The session moves to half an hour from now: the one-hour reminder is due at once.
    let soon = (chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
    app.organizer(
        Method::PATCH,
        &format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am),
        Some(&json!({"starts_at": soon})),
    )
    .await;
    let mails = app.deliver().await;
    assert_eq!(mails.len(), 2, "the new time and one reminder");
    let reminder = mails
        .iter()
        .find(|m| m.calendar.is_none())
        .expect("a reminder");
    assert!(
        reminder.subject.starts_with("Rappel"),
        "{}",
        reminder.subject
    );
    assert!(reminder.attachment.is_none());
    assert!(
        app.deliver().await.is_empty(),
        "the nearest reminder only, and once"
    );
    let kinds: Vec<_> = app
        .outbox(&w.id)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["confirmation", "rescheduled", "reminder"]);
}

/// Every kind of email, with hostile names and a title full of iCalendar specials, checked
/// by an independent parser (Python's `icalendar`, run by tests/tools/check_invites.py).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_email_passes_the_independent_invitation_check() {
    let Some(python) = python_with_icalendar() else {
        return;
    };
    let smtp = SmtpServer::start().await;
    // Delivered after each step, so that no message is superseded by a later one unsent.
    let app = spawn_app_with(Backend::Sqlite, inline_delivery(smtp_to(&smtp.url()))).await;
    let w = app
        .create_webinar(&json!({"title": "ISCMs, the GCM; reviews \\ regional – «2030»", "languages": ["en", "ar"],
            "sessions": [
                {"label": "AM", "starts_at": AM_START, "duration_minutes": 120, "join_url": "https://meet.example.org/j/123?pwd=a,b;c"},
                {"label": "PM", "starts_at": PM_START, "duration_minutes": 120}]}))
        .await;
    let id = w["id"].as_str().unwrap();
    let (am, pm) = (
        w["sessions"][0]["id"].as_str().unwrap(),
        w["sessions"][1]["id"].as_str().unwrap(),
    );
    json_of(app.import_csv(id, &sample_csv()).await, StatusCode::OK).await;
    app.organizer(
        Method::POST,
        &format!("/api/v1/webinars/{id}/invitations"),
        None,
    )
    .await;
    app.deliver().await;
    let (_, token) = app
        .register_ok(id, &json!({"name": "Dr. Ana \"Nana\" Pérez; Jr., المنظمة الدولية", "email": "ana@example.org", "time_zone": "Asia/Tokyo", "language": "ar"}))
        .await;
    app.deliver().await;
    app.register(
        id,
        &json!({"name": "x", "email": "ana@example.org", "time_zone": "UTC"}),
    )
    .await;
    app.deliver().await;
    app.client
        .patch(app.url(&format!("/api/v1/registrations/{token}")))
        .json(&json!({"session_id": pm}))
        .send()
        .await
        .unwrap();
    app.deliver().await;
    app.client
        .delete(app.url(&format!("/api/v1/registrations/{token}")))
        .send()
        .await
        .unwrap();
    app.deliver().await;
    app.organizer(Method::POST, &format!("/api/v1/webinars/{id}/sessions/{am}/chairs"),
        Some(&json!({"name": "Chair; \"Bali\", Process", "email": "cochair@bali-process.example.org", "language": "ru"}))).await;
    app.deliver().await;
    app.organizer(
        Method::PATCH,
        &format!("/api/v1/webinars/{id}/sessions/{am}"),
        Some(&json!({"starts_at": "2030-09-24T06:30:00Z"})),
    )
    .await;
    app.deliver().await;
    app.organizer(
        Method::DELETE,
        &format!("/api/v1/webinars/{id}/sessions/{am}"),
        None,
    )
    .await;
    app.deliver().await;
    let outbox = app.outbox(id).await;
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "sent"),
        "{outbox}"
    );
    let total = outbox.as_array().unwrap().len();
    let received = smtp.received();
    assert_eq!(received.len(), total);
    let kinds: std::collections::HashSet<_> = outbox
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "invitation",
        "confirmation",
        "manage_link",
        "switched",
        "cancelled",
        "chair_invitation",
        "rescheduled",
        "chair_rescheduled",
        "session_cancelled",
        "chair_cancelled",
    ] {
        assert!(kinds.contains(kind), "no {kind} email in this run");
    }
    let dir = tempfile::tempdir().unwrap();
    // MERIDIAN_TEST_EMAIL_DIR keeps a copy for other checkers and for people to read.
    let keep = std::env::var_os("MERIDIAN_TEST_EMAIL_DIR").map(std::path::PathBuf::from);
    for (i, message) in received.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i:03}.eml")), &message.data).unwrap();
        if let Some(keep) = &keep {
            std::fs::create_dir_all(keep).unwrap();
            std::fs::write(keep.join(format!("{i:03}.eml")), &message.data).unwrap();
        }
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/check_invites.py");
    let output = std::process::Command::new(python)
        .arg(script)
        .arg(dir.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains(&format!("{total} passed, 0 failed")),
        "{report}"
    );
}

/// `python3` when it can import `icalendar`; otherwise the check is skipped (and fails
/// when MERIDIAN_REQUIRE_ICS_CHECK is set, as in CI).
pub(crate) fn python_with_icalendar() -> Option<&'static str> {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some("python3");
    }
    if std::env::var_os("MERIDIAN_REQUIRE_ICS_CHECK").is_some() {
        panic!("python3 with the icalendar package is required (MERIDIAN_REQUIRE_ICS_CHECK)");
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED the independent invitation check: python3 cannot import icalendar (pip install icalendar)"
    );
    None
}
