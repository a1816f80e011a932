//! The real messages in tests/data/inbound/real/ (SOURCES.md, EXPECTED.md there),
//! pointed at registrations the test made: only UIDs, Message-IDs and addresses are
//! rewritten; calendars that came alone are put in the email a client sends them in.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, inline_delivery, json_of, spawn_app_with};
use crate::inbound::{registered, registration, seats_left, uid};
use crate::mail::prop;
use crate::on_both_databases;

const SECRET: &str = "inbound-secret-for-tests-0123456789";
const FROM: &str = "webinars@iom.example.org";

/// A sample's text (every sample is UTF-8 or ASCII; reading fails loudly otherwise).
fn real(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/inbound/real/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        inline_delivery(|s| {
            s.mail.from = format!("IOM Webinars <{FROM}>").parse().unwrap();
            s.mail.inbound.secret = Some(meridian::config::Secret(SECRET.into()));
            s.mail.bounce_address = Some("bounces@iom.example.org".parse().unwrap());
        }),
    )
    .await
}

async fn post(app: &TestApp, raw: &str) -> serde_json::Value {
    let response = app
        .client
        .post(app.url("/api/v1/inbound-mail"))
        .bearer_auth(SECRET)
        .body(raw.to_string())
        .send()
        .await
        .unwrap();
    json_of(response, StatusCode::OK).await
}

/// A calendar object alone, in the email its client sends it in.
fn wrapped(ics: &str, from: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: <{FROM}>\r\nSubject: Reply\r\nMessage-ID: <{}@mail.example.net>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=REPLY\r\n\r\n{ics}",
        uuid::Uuid::new_v4().simple()
    )
}

async fn replies_of_each_client_change_the_registration_they_name(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(Some(10), None).await;
    // (file, its UID, its attendee, whole email?, outcome, status, calendar answer)
    let cases = [
        (
            "reply/apple-ical3-accepted-qp-attached.eml",
            "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C",
            "xyzzy@example.com",
            true,
            "applied",
            "registered",
            "accepted",
        ),
        (
            "reply/exchange2010-declined-comment.ics",
            "584ED245E02216FF002586B2006BCAE0-Lotus_Notes_Generated",
            "attendee2@example.com",
            false,
            "applied",
            "declined",
            "declined",
        ),
        (
            "reply/google-calendar-accepted.ics",
            "qwerty:oce__emailtransaction__c-D0000000-0000-0000-0000-000000000001",
            "attendee-01@example.com",
            false,
            "applied",
            "registered",
            "accepted",
        ),
        (
            "reply/kde-libkcal-tentative-mojibake.ics",
            "libkcal-1387792342.429",
            "testuserb@example.com",
            false,
            "applied",
            "registered",
            "tentative",
        ),
        (
            "reply/kde-libkcal-delegated.ics",
            "libkcal-1387792342.429",
            "testuserb@example.com",
            false,
            "held",
            "registered",
            "none",
        ),
        (
            "counter/kde-libkcal-counter-qp-remnants.ics",
            "libkcal-1387792342.429",
            "testuserb@example.com",
            false,
            "held",
            "registered",
            "none",
        ),
        (
            "reply/apple-ical3-reply-missing-attendee.eml",
            "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C",
            "xyzzy@example.com",
            true,
            "unreadable",
            "registered",
            "none",
        ),
    ];
    for (i, (file, sample_uid, attendee, whole, outcome, status, answer)) in
        cases.into_iter().enumerate()
    {
        let email = format!("person{i}@example.net");
        let (_, token, mail) = registered(&app, &w.id, &w.am, &email).await;
        let before = seats_left(&app, &w.id, &w.am).await;
        // The two Apple files share a Message-ID (one is the other with its ATTENDEE
        // cut): each gets its own, or the second would be answered as the first.
        let text = real(file)
            .replace(sample_uid, &uid(&mail))
            .replace(attendee, &email)
            .replace(
                "1983F777-BE86-4B98-881E-06D938E60920@example.com",
                &format!("{}@example.com", uuid::Uuid::new_v4()),
            );
        let raw = if whole { text } else { wrapped(&text, &email) };
        let processed = post(&app, &raw).await;
        assert_eq!(processed["outcome"], outcome, "{file}: {processed}");
        let r = registration(&app, &token).await;
        assert_eq!(r["status"], status, "{file}");
        assert_eq!(r["calendar_answer"], answer, "{file}");
        let after = seats_left(&app, &w.id, &w.am).await;
        if status == "declined" {
            assert_eq!(
                after,
                json!(before.as_u64().unwrap() + 1),
                "{file}: the seat is free"
            );
        } else {
            assert_eq!(after, before, "{file}");
        }
    }
}

async fn bounces_of_each_mail_server_mark_the_message_they_name(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(None, None).await;
    // (file, the Message-ID it quotes or the address it was sent back to (then VERP),
    //  outbox status after, bounce_status)
    let cases = [
        (
            "amazonses-mailbox-full.eml",
            Some(
                "00000132d6ca0cd4-ff6d8ee5-29a0-4501-a68a-3ff8695254bb-000000@email.amazonses.com",
            ),
            None,
            "bounced",
            "5.0.0",
        ),
        (
            "exchange2007-550-5.1.1-recipnotfound.eml",
            None,
            Some("kijitora@example.jp"),
            "bounced",
            "5.1.1",
        ),
        (
            "exim-550-two-recipients.eml",
            Some("E1X58pB-0004bW-2s@marutamachi.example.org"),
            None,
            "bounced",
            "5.1.1",
        ),
        (
            "gmail-2010-plain-qp.eml",
            Some("45B7FBD7-1218-4FCD-ACA1-4706F111E682@gmail.com"),
            None,
            "bounced",
            "5.1.1",
        ),
        (
            "hotmail-smtpsvc-5.2.2-mailbox-full.eml",
            Some("BLU436-SMTP6645ECA6E7FEFFE86D040BBA770@phx.gbl"),
            None,
            "bounced",
            "5.2.2",
        ),
        (
            "postfix-550-access-denied.eml",
            None,
            Some("bounces+OkGew2p6d9r5RJ5x9g1nxNq73zQDL1Zo-here-redacted.br@example.net.br"),
            "bounced",
            "5.4.1",
        ),
        (
            "postfix-gmail-5.7.26-dmarc.eml",
            Some("20201113004243.AF578C0196A@smtp.example.jp"),
            None,
            "bounced",
            "5.7.26",
        ),
        (
            "postfix-gmail-550-5.1.1-full-original.eml",
            Some("40900559-DAB1-4956-BA87-F88E00CF5104@example.com"),
            None,
            "bounced",
            "5.1.1",
        ),
        (
            "postfix-two-recipients-no-reporting-mta.eml",
            None,
            Some("someguy@discourse.org"),
            "bounced",
            "5.1.1",
        ),
        (
            "qmail-550-unknown-user.eml",
            Some("000000000.9999999999999.JavaMail.postmaster@mailhub"),
            None,
            "bounced",
            "5.5.0",
        ),
        (
            "sendmail-1994-4.0.0-failed-timeout.eml",
            None,
            Some("owner-info-mime@cs.utk.edu"),
            "bounced",
            "4.0.0",
        ),
        (
            "sendmail-550-user-unknown.eml",
            Some("E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org"),
            None,
            "bounced",
            "5.1.1",
        ),
        (
            "symantec-postfix-550-invitation-returned.eml",
            Some("20080812191939.51369.1538816694.0@plugh.example.com"),
            None,
            "bounced",
            "5.0.0",
        ),
        (
            "vircom-delayed-4.4.1-headers-only.eml",
            Some("pfchbtkf3j0p7prf0sp45vi21fro3bs7ad@4ax.com"),
            None,
            "sent",
            "",
        ),
    ];
    for (i, (file, quoted, sent_back_to, status, bounce_status)) in cases.into_iter().enumerate() {
        let email = format!("person{i}@example.net");
        let (_, token, mail) = registered(&app, &w.id, &w.pm, &email).await;
        let outbox = app.outbox(&w.id).await;
        let sent = outbox
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["recipient"] == email.as_str())
            .unwrap()
            .clone();
        let mut raw = real(&format!("bounce/{file}"));
        if let Some(quoted) = quoted {
            raw = raw.replace(quoted, mail.message_id.trim_matches(['<', '>']));
        }
        if let Some(address) = sent_back_to {
            raw = raw.replace(address, &format!("bounces+{}@iom.example.org", sent["id"]));
        }
        let processed = post(&app, &raw).await;
        assert_eq!(processed["kind"], "bounce", "{file}: {processed}");
        let outbox = app.outbox(&w.id).await;
        let after = outbox
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == sent["id"])
            .unwrap();
        assert_eq!(after["status"], status, "{file}: {processed}");
        let bounced = status == "bounced";
        if bounced {
            assert_eq!(after["bounce_status"], bounce_status, "{file}");
        }
        assert_eq!(
            registration(&app, &token).await["address_bounced"],
            bounced,
            "{file}"
        );
    }
}

async fn auto_replies_of_each_system_change_nothing(backend: Backend) {
    let app = app(backend).await;
    for file in [
        "aol-auto-submitted-auto-replied.eml",
        "aol-vacation-auto-replied.eml",
        "exchange-out-of-office-base64-html.eml",
        "lotus-domino-auto-out-of-office.eml",
        "zimbra-vacation-precedence-bulk.eml",
    ] {
        let processed = post(&app, &real(&format!("autoreply/{file}"))).await;
        assert_eq!(processed["kind"], "auto_reply", "{file}: {processed}");
        assert_eq!(processed["outcome"], "ignored", "{file}");
    }
}

/// libkcal's DELEGATED reply, pointed at `email`'s registration and at `delegate`.
fn delegation(uid: &str, email: &str, delegate: &str) -> String {
    let text = real("reply/kde-libkcal-delegated.ics")
        .replace("libkcal-1387792342.429", uid)
        .replace("testuserb@example.com", email)
        .replace("delegate@example.org", delegate);
    wrapped(&text, email)
}

async fn registrations(app: &TestApp, webinar: &str) -> Vec<serde_json::Value> {
    json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{webinar}/registrations"))
            .await,
        StatusCode::OK,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

/// A delegation in a person's calendar: held while the webinar does not allow it; when
/// it does (or the organizer applies the held one), the delegate takes the seat with a
/// registration and an invitation of their own, and the seat count does not move.
async fn a_delegation_invites_the_delegate_when_the_webinar_allows_it(backend: Backend) {
    let app = app(backend).await;
    // A full AM session: the seat changes hands, nobody waiting or registering takes it.
    let w = app.model_webinar(Some(2), None).await;
    let (_, held_token, held_mail) = registered(&app, &w.id, &w.am, "ana@example.net").await;
    let held = post(
        &app,
        &delegation(&uid(&held_mail), "ana@example.net", "deputy@example.net"),
    )
    .await;
    assert_eq!(held["outcome"], "held", "{held}");
    assert!(
        held["reason"]
            .as_str()
            .unwrap()
            .contains("allow_delegation"),
        "{held}"
    );
    assert_eq!(
        registration(&app, &held_token).await["status"],
        "registered"
    );
    assert!(app.deliver().await.is_empty());

    let changed = json_of(
        app.organizer(
            reqwest::Method::PATCH,
            &format!("/api/v1/webinars/{}", w.id),
            Some(&json!({"allow_delegation": true})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["allow_delegation"], true);
    let (_, token, mail) = registered(&app, &w.id, &w.am, "bert@example.net").await;
    assert_eq!(seats_left(&app, &w.id, &w.am).await, json!(0));
    let applied = post(
        &app,
        &delegation(&uid(&mail), "bert@example.net", "Carla.Deputy@example.net"),
    )
    .await;
    assert_eq!(applied["outcome"], "applied", "{applied}");
    let bert = registration(&app, &token).await;
    assert_eq!(bert["status"], "declined");
    assert_eq!(bert["calendar_answer"], "delegated");
    assert_eq!(seats_left(&app, &w.id, &w.am).await, json!(0));
    let sent = app.deliver().await;
    assert_eq!(sent.len(), 1, "the delegate's invitation only");
    // The calendar's addresses are read lower-cased.
    assert_eq!(sent[0].to, "carla.deputy@example.net");
    assert_eq!(sent[0].method_param.as_deref(), Some("REQUEST"));
    let ics = sent[0].calendar.as_deref().unwrap();
    assert_ne!(prop(ics, "UID"), Some(uid(&mail)), "an event of their own");
    assert!(sent[0].text.contains(&format!("{}/r/", app.address)));
    assert!(!sent[0].text.contains(&token), "not the delegator's link");
    let all = registrations(&app, &w.id).await;
    let carla = all
        .iter()
        .find(|r| r["email"] == "carla.deputy@example.net")
        .expect("the delegate's registration");
    assert_eq!(carla["status"], "invited");
    assert_eq!(carla["session_id"], w.am.as_str());
    assert_eq!(carla["time_zone"], "Europe/Zurich");

    // Applying the held one does the same; a delegate already registered is held.
    let path = format!(
        "/api/v1/webinars/{}/inbound/{}/apply",
        w.id,
        held["id"].as_str().unwrap()
    );
    let after = json_of(
        app.organizer(reqwest::Method::POST, &path, None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["outcome"], "applied", "{after}");
    assert_eq!(registration(&app, &held_token).await["status"], "declined");
    let sent = app.deliver().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "deputy@example.net");
    assert_eq!(seats_left(&app, &w.id, &w.am).await, json!(0));
    let (_, _, dana) = registered(&app, &w.id, &w.pm, "dana@example.net").await;
    let again = post(
        &app,
        &delegation(&uid(&dana), "dana@example.net", "deputy@example.net"),
    )
    .await;
    assert_eq!(again["outcome"], "held", "{again}");
    assert!(
        again["reason"]
            .as_str()
            .unwrap()
            .contains("already registered"),
        "{again}"
    );
    assert!(app.deliver().await.is_empty());
}

on_both_databases!(
    a_delegation_invites_the_delegate_when_the_webinar_allows_it,
    replies_of_each_client_change_the_registration_they_name,
    bounces_of_each_mail_server_mark_the_message_they_name,
    auto_replies_of_each_system_change_nothing,
);
