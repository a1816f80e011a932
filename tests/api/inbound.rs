//! Mail that comes back: calendar answers and bounces through the webhook and the CLI
//! (one processor), with the samples in tests/data/inbound/ pointed at registrations
//! the test made (only UID and addresses are rewritten).

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, inline_delivery, json_of, spawn_app_with};
use crate::mail::{Mail, prop};
use crate::on_both_databases;

const SECRET: &str = "inbound-secret-for-tests-0123456789";
const FROM: &str = "webinars@iom.example.org";

/// One sample filled in (see tests/data/inbound/README.md).
pub struct Sample<'a> {
    pub name: &'a str,
    pub uid: &'a str,
    pub attendee: &'a str,
    pub sequence: u32,
    pub original: &'a str,
    pub to: &'a str,
}

impl Sample<'_> {
    pub fn new<'a>(name: &'a str, uid: &'a str, attendee: &'a str) -> Sample<'a> {
        Sample {
            name,
            uid,
            attendee,
            sequence: 0,
            original: "<none@example.org>",
            to: FROM,
        }
    }

    /// The message, with a Message-ID of its own.
    pub fn raw(&self) -> String {
        let path = format!(
            "{}/tests/data/inbound/{}",
            env!("CARGO_MANIFEST_DIR"),
            self.name
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let filled = text
            .replace("@@UID@@", self.uid)
            .replace("@@ATTENDEE@@", self.attendee)
            .replace("@@ORGANIZER@@", FROM)
            .replace(
                "@@MSGID@@",
                &format!("<{}@mail.example.net>", uuid::Uuid::new_v4().simple()),
            )
            .replace("@@ORIGINAL_MSGID@@", self.original)
            .replace("@@TO@@", self.to)
            .replace("@@SEQUENCE@@", &self.sequence.to_string());
        let mut out = String::new();
        let mut rest = filled.as_str();
        while let Some(start) = rest.find("@@BASE64@@") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 10..];
            let end = after.find("@@END@@").unwrap();
            let encoded = base64::engine::general_purpose::STANDARD
                .encode(after[..end].replace('\n', "\r\n"));
            for line in encoded.as_bytes().chunks(76) {
                out.push_str(std::str::from_utf8(line).unwrap());
                out.push('\n');
            }
            rest = &after[end + 7..];
        }
        out.push_str(rest);
        out
    }
}

pub async fn app(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        inline_delivery(|s| {
            s.mail.from = format!("IOM Webinars <{FROM}>").parse().unwrap();
            s.mail.inbound.secret = Some(meridian::config::Secret(SECRET.into()));
        }),
    )
    .await
}

async fn post_mail(app: &TestApp, raw: &str) -> Value {
    let response = app
        .client
        .post(app.url("/api/v1/inbound-mail"))
        .bearer_auth(SECRET)
        .header("content-type", "message/rfc822")
        .body(raw.to_string())
        .send()
        .await
        .unwrap();
    json_of(response, StatusCode::OK).await
}

/// Registers `email` in `session` and returns the registration, its manage token and
/// the confirmation sent (its calendar UID and Message-ID).
pub async fn registered(
    app: &TestApp,
    webinar: &str,
    session: &str,
    email: &str,
) -> (Value, String, Mail) {
    let (registration, token) = app
        .register_ok(
            webinar,
            &json!({"name": "Ana Guest", "email": email, "time_zone": "Europe/Zurich",
                    "session_id": session}),
        )
        .await;
    let mail = app
        .deliver()
        .await
        .into_iter()
        .find(|m| m.to.eq_ignore_ascii_case(email))
        .expect("a confirmation");
    (registration, token, mail)
}

/// The calendar UID Meridian issued for a registration, read from the database.
pub async fn calendar_uid(app: &TestApp, registration: &str) -> String {
    let mut conn = app.context().db.conn().await.unwrap();
    let id = meridian::domain::RegistrationId(registration.parse().unwrap());
    meridian::db::registrations::get(conn.exec(), id)
        .await
        .unwrap()
        .unwrap()
        .calendar_uid
}

pub fn uid(mail: &Mail) -> String {
    prop(mail.calendar.as_deref().unwrap(), "UID").unwrap()
}

pub async fn registration(app: &TestApp, token: &str) -> Value {
    json_of(
        app.get(&format!("/api/v1/registrations/{token}")).await,
        StatusCode::OK,
    )
    .await
}

pub async fn seats_left(app: &TestApp, webinar: &str, session: &str) -> Value {
    let w = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{webinar}"))
            .await,
        StatusCode::OK,
    )
    .await;
    w["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == session)
        .unwrap()["seats_left"]
        .clone()
}

async fn inbound(app: &TestApp, webinar: &str) -> Vec<Value> {
    json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{webinar}/inbound"))
            .await,
        StatusCode::OK,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

async fn a_decline_frees_the_seat_and_the_personal_link_registers_again(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(Some(1), None).await;
    let (_, token, mail) = registered(&app, &w.id, &w.am, "Ana.Guest@example.net").await;
    assert_eq!(seats_left(&app, &w.id, &w.am).await, 0);
    // Outlook writes the attendee in its own case; matching ignores case.
    let decline = Sample::new("outlook_declined.eml", &uid(&mail), "ana.guest@EXAMPLE.net").raw();
    let first = post_mail(&app, &decline).await;
    assert_eq!(first["outcome"], "applied", "{first}");
    assert_eq!(first["kind"], "answer");
    let r = registration(&app, &token).await;
    assert_eq!(r["status"], "declined");
    assert_eq!(r["calendar_answer"], "declined");
    assert_eq!(r["calendar_comment"], "I cannot make it, sorry.\n");
    assert!(r["calendar_answered_at"].is_string());
    assert_eq!(seats_left(&app, &w.id, &w.am).await, 1);
    assert!(app.deliver().await.is_empty(), "a decline sends nothing");
    let report = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/report", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["totals"]["declined"], 1, "{report}");
    assert_eq!(report["per_session"][0]["declined"], 1);

    // The personal link says so, and still registers them again.
    let (_, page) = crate::helpers::Browser::new(&app)
        .get(&format!("/r/{token}"))
        .await;
    assert!(
        page.contains("You declined the invitation in your calendar"),
        "{page}"
    );
    assert!(page.contains("id=\"switch-form\""));
    let again = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{token}")))
        .json(&json!({"session_id": w.am}))
        .send()
        .await
        .unwrap();
    let again = json_of(again, StatusCode::OK).await;
    assert_eq!(again["status"], "registered");
    assert_eq!(again["calendar_answer"], "none");
    assert_eq!(seats_left(&app, &w.id, &w.am).await, 0);

    // The same message again changes nothing and answers what was done the first time.
    let second = post_mail(&app, &decline).await;
    assert_eq!(second, first);
    assert_eq!(registration(&app, &token).await["status"], "registered");
    assert_eq!(inbound(&app, &w.id).await.len(), 1);
}

async fn forged_answers_are_held_until_the_organizer_applies_them(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (_, token, mail) = registered(&app, &w.id, &w.pm, "ana.guest@example.net").await;
    // The calendar speaks for Ana, but someone else sent it.
    let forged = Sample::new("google_accepted.eml", &uid(&mail), "ana.guest@example.net")
        .raw()
        .replace(
            "From: Ana Guest <ana.guest@example.net>",
            "From: Mallory <mallory@example.com>",
        )
        .replace(
            "Sender: Google Calendar <calendar-notification@google.com>\n",
            "",
        );
    let held = post_mail(&app, &forged).await;
    assert_eq!(held["outcome"], "held", "{held}");
    assert!(
        held["reason"]
            .as_str()
            .unwrap()
            .contains("mallory@example.com")
    );
    assert_eq!(registration(&app, &token).await["calendar_answer"], "none");

    // An answer about someone this invitation did not go to is held too.
    let other = Sample::new("google_accepted.eml", &uid(&mail), "eve@example.com").raw();
    assert_eq!(post_mail(&app, &other).await["outcome"], "held");

    let listed = inbound(&app, &w.id).await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|m| m["outcome"] == "held"));
    let id = held["id"].as_str().unwrap();
    let applied = json_of(
        app.organizer(
            reqwest::Method::POST,
            &format!("/api/v1/webinars/{}/inbound/{id}/apply", w.id),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(applied["outcome"], "applied", "{applied}");
    let r = registration(&app, &token).await;
    assert_eq!(r["calendar_answer"], "accepted");
    assert_eq!(r["calendar_comment"], "Looking forward to it");
    let again = app
        .organizer(
            reqwest::Method::POST,
            &format!("/api/v1/webinars/{}/inbound/{id}/dismiss", w.id),
            None,
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let other_id = listed.iter().find(|m| m["id"] != id).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dismissed = json_of(
        app.organizer(
            reqwest::Method::POST,
            &format!("/api/v1/webinars/{}/inbound/{other_id}/dismiss", w.id),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(dismissed["outcome"], "ignored");
    assert_eq!(dismissed["reason"], "dismissed by the organizer");

    // A UID Meridian never issued is recorded and changes nothing.
    let unknown = Sample::new(
        "google_accepted.eml",
        "no-such-uid@example.org",
        "ana.guest@example.net",
    )
    .raw();
    let unknown = post_mail(&app, &unknown).await;
    assert_eq!(unknown["outcome"], "ignored");
    assert!(
        unknown["reason"]
            .as_str()
            .unwrap()
            .contains("no-such-uid@example.org")
    );
}

async fn an_answer_to_an_older_version_changes_nothing(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (_, token, mail) = registered(&app, &w.id, &w.am, "ana.guest@example.net").await;
    // Switching raises the event's SEQUENCE to 1.
    let switched = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{token}")))
        .json(&json!({"session_id": w.pm}))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::OK);
    app.deliver().await;
    let old = Sample::new("outlook_declined.eml", &uid(&mail), "ana.guest@example.net").raw();
    let old = post_mail(&app, &old).await;
    assert_eq!(old["outcome"], "ignored", "{old}");
    assert!(old["reason"].as_str().unwrap().contains("version 0"));
    assert_eq!(registration(&app, &token).await["status"], "registered");
    let event = uid(&mail);
    let mut current = Sample::new("apple_tentative.eml", &event, "ana.guest@example.net");
    current.sequence = 1;
    assert_eq!(post_mail(&app, &current.raw()).await["outcome"], "applied");
    assert_eq!(
        registration(&app, &token).await["calendar_answer"],
        "tentative"
    );
    // Google's reply to the same version is stamped earlier than Apple's: not taken.
    let mut earlier = Sample::new("google_accepted.eml", &event, "ana.guest@example.net");
    earlier.sequence = 1;
    assert_eq!(post_mail(&app, &earlier.raw()).await["outcome"], "ignored");
    assert_eq!(
        registration(&app, &token).await["calendar_answer"],
        "tentative"
    );
}

async fn an_invitee_who_accepts_is_registered_without_a_second_invitation(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(None, None).await;
    assert_eq!(
        app.import_csv(&w.id, &crate::helpers::sample_csv())
            .await
            .status(),
        StatusCode::OK
    );
    let sent = app
        .organizer(
            reqwest::Method::POST,
            &format!("/api/v1/webinars/{}/invitations", w.id),
            None,
        )
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
    let mails = app.deliver().await;
    let invitation = mails
        .iter()
        .find(|m| m.to == "chair@almaty-process.example.org")
        .expect("an invitation");
    let accept = Sample::new("google_accepted.eml", &uid(invitation), &invitation.to).raw();
    assert_eq!(post_mail(&app, &accept).await["outcome"], "applied");
    let registrations = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let r = registrations
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == invitation.to.as_str())
        .unwrap()
        .clone();
    assert_eq!(r["status"], "registered");
    assert_eq!(r["calendar_answer"], "accepted");
    assert!(app.deliver().await.is_empty(), "no second invitation");
}

async fn bounces_mark_the_message_and_the_address_by_message_id(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (_, token, mail) = registered(&app, &w.id, &w.am, "ana.guest@example.net").await;
    // A delay notice changes nothing.
    let event = uid(&mail);
    let mut delayed = Sample::new("exim_delayed.eml", &event, &mail.to);
    delayed.original = &mail.message_id;
    let delayed = post_mail(&app, &delayed.raw()).await;
    assert_eq!(delayed["outcome"], "ignored", "{delayed}");
    assert!(delayed["reason"].as_str().unwrap().contains("4.4.1"));
    assert_eq!(app.outbox(&w.id).await[0]["status"], "sent");
    assert_eq!(registration(&app, &token).await["address_bounced"], false);

    // Postfix quotes the whole invitation (its calendar too): it is a bounce, not an answer.
    let mut bounce = Sample::new("postfix_bounce.eml", &event, &mail.to);
    bounce.original = &mail.message_id;
    let bounced = post_mail(&app, &bounce.raw()).await;
    assert_eq!(bounced["kind"], "bounce");
    assert_eq!(bounced["outcome"], "applied", "{bounced}");
    let outbox = app.outbox(&w.id).await;
    assert_eq!(outbox[0]["status"], "bounced");
    assert_eq!(outbox[0]["bounce_status"], "5.1.1");
    assert!(
        outbox[0]["bounce_diagnostic"]
            .as_str()
            .unwrap()
            .contains("User unknown")
    );
    let r = registration(&app, &token).await;
    assert_eq!(r["address_bounced"], true);
    assert_eq!(r["calendar_answer"], "none");
    let report = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/report", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["totals"]["bounced"], 1, "{report}");
    assert_eq!(r["status"], "registered");

    // Exchange quotes only the headers.
    let (_, token2, mail2) = registered(&app, &w.id, &w.pm, "bert@example.net").await;
    let event2 = uid(&mail2);
    let mut exchange = Sample::new("exchange_bounce.eml", &event2, &mail2.to);
    exchange.original = &mail2.message_id;
    assert_eq!(post_mail(&app, &exchange.raw()).await["outcome"], "applied");
    assert_eq!(registration(&app, &token2).await["address_bounced"], true);
}

async fn auto_replies_are_ignored_and_chairs_answers_recorded(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (_, _, mail) = registered(&app, &w.id, &w.am, "ana.guest@example.net").await;
    let away = Sample::new("exchange_out_of_office.eml", &uid(&mail), &mail.to).raw();
    let away = post_mail(&app, &away).await;
    assert_eq!(away["kind"], "auto_reply");
    assert_eq!(away["outcome"], "ignored");

    let chairs = format!("/api/v1/webinars/{}/sessions/{}/chairs", w.id, w.am);
    let added = app
        .organizer(
            reqwest::Method::POST,
            &chairs,
            Some(&json!({"name": "Chloe Chair", "email": "chloe@example.org"})),
        )
        .await;
    assert!(added.status().is_success());
    let invitation = app
        .deliver()
        .await
        .into_iter()
        .find(|m| m.to == "chloe@example.org")
        .unwrap();
    let maybe = Sample::new(
        "apple_tentative.eml",
        &uid(&invitation),
        "chloe@example.org",
    )
    .raw();
    assert_eq!(post_mail(&app, &maybe).await["outcome"], "applied");
    let listed = json_of(app.get_as_organizer(&chairs).await, StatusCode::OK).await;
    assert_eq!(listed[0]["calendar_answer"], "tentative");
    assert_eq!(listed[0]["address_bounced"], false);
}

async fn the_webhook_needs_its_secret_and_stores_unreadable_mail(backend: Backend) {
    let app = app(backend).await;
    let post = |auth: Option<&'static str>| {
        let request = app
            .client
            .post(app.url("/api/v1/inbound-mail"))
            .body("From: a@b.org\r\n\r\nhi\r\n");
        match auth {
            Some(secret) => request.bearer_auth(secret),
            None => request,
        }
        .send()
    };
    assert_eq!(post(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        post(Some("wrong-secret-0123456789"))
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let odd = post_mail(
        &app,
        "From: a@b.org\r\nMessage-ID: <odd@b.org>\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla'\r\n",
    )
    .await;
    assert_eq!(odd["outcome"], "unreadable");
    assert!(odd["reason"].as_str().unwrap().contains("x-klingon"));
}

/// With `mail.bounce_address`, each message leaves with its own envelope sender, and a
/// bounce that quotes nothing (qmail) still names its message.
async fn a_bounce_to_the_verp_address_names_its_message(backend: Backend) {
    let smtp = crate::smtp::SmtpServer::start().await;
    let url = smtp.url();
    let app = spawn_app_with(
        backend,
        inline_delivery(move |s| {
            crate::helpers::smtp_to(&url)(s);
            s.mail.bounce_address = Some("bounces@iom.example.org".parse().unwrap());
            s.mail.inbound.secret = Some(meridian::config::Secret(SECRET.into()));
        }),
    )
    .await;
    let w = app.model_webinar(None, None).await;
    let (_, token, _) = registered(&app, &w.id, &w.am, "ana.guest@example.net").await;
    let outbox = app.outbox(&w.id).await;
    let id = outbox[0]["id"].as_i64().unwrap();
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let verp = format!("bounces+{id}@iom.example.org");
    assert_eq!(received[0].from, verp);
    // The message itself still says it is from the organizer.
    assert!(
        received[0]
            .data
            .lines()
            .any(|l| l.starts_with("From:") && l.contains("<webinars@iom.example.org>")),
        "{}",
        received[0].data
    );
    let mut bounce = Sample::new("qmail_bounce.eml", "-", "ana.guest@example.net");
    bounce.to = &verp;
    let bounced = post_mail(&app, &bounce.raw()).await;
    assert_eq!(bounced["outcome"], "applied", "{bounced}");
    let outbox = app.outbox(&w.id).await;
    assert_eq!(outbox[0]["status"], "bounced");
    assert_eq!(outbox[0]["bounce_status"], "5.1.1");
    assert_eq!(registration(&app, &token).await["address_bounced"], true);
}

/// `meridian mail receive` with `raw` on standard input, on the app's database.
fn mail_receive(app: &TestApp, raw: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"))
        .args(["mail", "receive"])
        .current_dir(app._dir.path())
        .env("MERIDIAN__DATABASE__URL", &app.settings.database.url)
        .env(
            "MERIDIAN__SECURITY__SECRET_FILE",
            &app.settings.security.secret_file,
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(raw.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `meridian mail receive` runs the same processor on the same database: 0 when done,
/// 65 when unreadable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_receive_reads_standard_input_with_sysexits_statuses() {
    let app = app(Backend::Sqlite).await;
    let w = app.model_webinar(Some(1), None).await;
    let (_, token, mail) = registered(&app, &w.id, &w.am, "ana.guest@example.net").await;
    let decline = Sample::new("outlook_declined.eml", &uid(&mail), "ana.guest@example.net").raw();
    let done = tokio::task::block_in_place(|| mail_receive(&app, &decline));
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).starts_with("applied"));
    assert_eq!(registration(&app, &token).await["status"], "declined");
    assert_eq!(seats_left(&app, &w.id, &w.am).await, 1);
    let odd = "From: a@b.org\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla'\r\n";
    let unreadable = tokio::task::block_in_place(|| mail_receive(&app, odd));
    assert_eq!(unreadable.status.code(), Some(65));
}

/// A new time proposed (COUNTER) that is another session's start: the person gets their
/// link to switch; another time waits for the organizer.
async fn a_proposed_time_of_another_session_offers_the_switch(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (_, token, mail) = registered(&app, &w.id, &w.am, "dana@example.net").await;
    // counter.eml proposes 2030-09-24T14:00Z, the PM session's start.
    let counter = Sample::new("counter.eml", &uid(&mail), "dana@example.net").raw();
    let offered = post_mail(&app, &counter).await;
    assert_eq!(offered["kind"], "counter");
    assert_eq!(offered["outcome"], "applied", "{offered}");
    let sent = app.deliver().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "dana@example.net");
    assert!(sent[0].subject.contains("PM"), "{}", sent[0].subject);
    assert!(sent[0].calendar.is_none(), "an offer is not an invitation");
    let link = format!("{}/r/{token}", app.address);
    assert!(
        sent[0].text.contains(&link),
        "the personal link: {}",
        sent[0].text
    );
    assert_eq!(
        registration(&app, &token).await["session_id"],
        w.am.as_str()
    );

    let elsewhen = Sample::new("counter.eml", &uid(&mail), "dana@example.net")
        .raw()
        .replace("DTSTART:20300924T140000Z", "DTSTART:20300925T100000Z");
    let held = post_mail(&app, &elsewhen).await;
    assert_eq!(held["outcome"], "held", "{held}");
    assert!(app.deliver().await.is_empty());
    // The organizer declines it: the person gets METHOD:DECLINECOUNTER for their event.
    let dismissed = json_of(
        app.organizer(
            reqwest::Method::POST,
            &format!(
                "/api/v1/webinars/{}/inbound/{}/dismiss",
                w.id,
                held["id"].as_str().unwrap()
            ),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        dismissed["reason"]
            .as_str()
            .unwrap()
            .contains("DECLINECOUNTER"),
        "{dismissed}"
    );
    let sent = app.deliver().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method_param.as_deref(), Some("DECLINECOUNTER"));
    let ics = sent[0].calendar.as_deref().unwrap();
    assert_eq!(prop(ics, "METHOD").as_deref(), Some("DECLINECOUNTER"));
    assert_eq!(prop(ics, "UID"), Some(uid(&mail)));
    assert_eq!(prop(ics, "SEQUENCE").as_deref(), Some("0"));
    assert_eq!(
        registration(&app, &token).await["session_id"],
        w.am.as_str()
    );
    // MERIDIAN_TEST_EMAIL_DIR keeps a copy for the shared iCalendar validator (.ci/run).
    if let Some(keep) = std::env::var_os("MERIDIAN_TEST_EMAIL_DIR").map(std::path::PathBuf::from) {
        std::fs::create_dir_all(&keep).unwrap();
        for entry in std::fs::read_dir(&app.settings.mail.outbox_dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            if text.contains("method=DECLINECOUNTER") {
                let name = format!("declinecounter-{}.eml", uuid::Uuid::new_v4());
                std::fs::write(keep.join(name), text).unwrap();
            }
        }
    }
}

/// With `counter_proposals: "switch"`, a new time proposed that is another session's
/// start moves the person there at once: the seat moves, and the updated invitation
/// (REQUEST, same UID, next SEQUENCE) says so.
async fn a_proposed_time_of_another_session_switches_when_the_webinar_says_so(backend: Backend) {
    let app = app(backend).await;
    let w = app.model_webinar(Some(5), Some(5)).await;
    let refused = app
        .organizer(
            reqwest::Method::PATCH,
            &format!("/api/v1/webinars/{}", w.id),
            Some(&json!({"counter_proposals": "always"})),
        )
        .await;
    let problem = json_of(refused, StatusCode::BAD_REQUEST).await;
    assert!(
        problem.to_string().contains("counter_proposals"),
        "{problem}"
    );
    let changed = json_of(
        app.organizer(
            reqwest::Method::PATCH,
            &format!("/api/v1/webinars/{}", w.id),
            Some(&json!({"counter_proposals": "switch"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["counter_proposals"], "switch");
    let (_, token, mail) = registered(&app, &w.id, &w.am, "dana@example.net").await;
    // counter.eml proposes 2030-09-24T14:00Z, the PM session's start.
    let counter = Sample::new("counter.eml", &uid(&mail), "dana@example.net").raw();
    let moved = post_mail(&app, &counter).await;
    assert_eq!(moved["outcome"], "applied", "{moved}");
    assert!(
        moved["reason"].as_str().unwrap().contains("moved"),
        "{moved}"
    );
    assert_eq!(
        registration(&app, &token).await["session_id"],
        w.pm.as_str()
    );
    assert_eq!(seats_left(&app, &w.id, &w.am).await, json!(5));
    assert_eq!(seats_left(&app, &w.id, &w.pm).await, json!(4));
    let sent = app.deliver().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "dana@example.net");
    assert_eq!(sent[0].method_param.as_deref(), Some("REQUEST"));
    let ics = sent[0].calendar.as_deref().unwrap();
    assert_eq!(prop(ics, "UID"), Some(uid(&mail)));
    assert_eq!(prop(ics, "SEQUENCE").as_deref(), Some("1"));
    assert_eq!(prop(ics, "DTSTART").as_deref(), Some("20300924T140000Z"));
}

/// Both answer settings are on the organizer's webinar form, off (held, offered) by default.
async fn the_answer_settings_are_on_the_webinar_form(backend: Backend) {
    let app = app(backend).await;
    let browser = crate::helpers::Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, csrf) = browser
        .create_webinar("Answers", &[("AM", "2030-09-24T07:00")])
        .await;
    let webinar = base.rsplit('/').next().unwrap().to_string();
    let read = async || {
        json_of(
            app.get_as_organizer(&format!("/api/v1/webinars/{webinar}"))
                .await,
            StatusCode::OK,
        )
        .await
    };
    let before = read().await;
    assert_eq!(before["allow_delegation"], false);
    assert_eq!(before["counter_proposals"], "offer");
    let form = |delegation: &'static str, counter: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("title", "Answers".to_string()),
            ("languages", "en".to_string()),
            ("time_zone", "UTC".to_string()),
            ("allow_delegation", delegation.to_string()),
            ("counter_proposals", counter.to_string()),
        ]
    };
    let fields = form("true", "switch");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page, _) = browser.post(&base, &fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(r#"<option value="true" selected>Invite the delegate in their place"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<option value="switch" selected>Move them to that session"#),
        "{page}"
    );
    let after = read().await;
    assert_eq!(after["allow_delegation"], true);
    assert_eq!(after["counter_proposals"], "switch");
    let fields = form("true", "sometimes");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page, _) = browser.post(&base, &fields).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("counter_proposals must be"), "{page}");
    assert_eq!(read().await["counter_proposals"], "switch");
}

/// With `mail.inbound.authserv_id`, only the deployment's own server's DMARC verdict
/// proves the sender: a From that matches is not enough.
async fn a_trusted_servers_dmarc_verdict_decides_who_sent_an_answer(backend: Backend) {
    let app = spawn_app_with(
        backend,
        inline_delivery(|s| {
            s.mail.from = format!("IOM Webinars <{FROM}>").parse().unwrap();
            s.mail.inbound.secret = Some(meridian::config::Secret(SECRET.into()));
            s.mail.inbound.authserv_id = Some("mx.iom.example.org".into());
        }),
    )
    .await;
    let w = app.model_webinar(None, None).await;
    let (_, ana, ana_mail) = registered(&app, &w.id, &w.am, "ana@example.net").await;
    let (_, bert, bert_mail) = registered(&app, &w.id, &w.am, "bert@example.net").await;
    let stamp = |verdict: &str, raw: String| {
        format!(
            "Authentication-Results: mx.iom.example.org; spf=pass smtp.mailfrom=example.net;\n dmarc={verdict} header.from=example.net\n\
             Authentication-Results: anyone.example.com; dmarc=pass\n{raw}"
        )
    };
    let proven = stamp(
        "pass",
        Sample::new("outlook_declined.eml", &uid(&ana_mail), "ana@example.net").raw(),
    );
    assert_eq!(post_mail(&app, &proven).await["outcome"], "applied");
    assert_eq!(registration(&app, &ana).await["status"], "declined");
    // Only another server vouches for this one: held, though its From matches.
    let unproven = stamp(
        "fail",
        Sample::new("outlook_declined.eml", &uid(&bert_mail), "bert@example.net").raw(),
    );
    let held = post_mail(&app, &unproven).await;
    assert_eq!(held["outcome"], "held", "{held}");
    assert!(held["reason"].as_str().unwrap().contains("dmarc=pass"));
    assert_eq!(registration(&app, &bert).await["status"], "registered");
}

/// The organizer's page: answers per session, and a held answer applied with a click.
async fn the_organizer_page_shows_answers_and_applies_held_ones(backend: Backend) {
    let app = app(backend).await;
    let browser = crate::helpers::Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, _) = browser
        .create_webinar("Answers", &[("AM", "2030-09-24T09:00")])
        .await;
    let webinar = base.rsplit('/').next().unwrap().to_string();
    let (ana, _) = app
        .register_ok(
            &webinar,
            &json!({"name": "Ana Guest", "email": "ana.guest@example.net", "time_zone": "UTC"}),
        )
        .await;
    let (bert, _) = app
        .register_ok(
            &webinar,
            &json!({"name": "Bert", "email": "bert@example.net", "time_zone": "UTC"}),
        )
        .await;
    let ana_uid = calendar_uid(&app, ana["id"].as_str().unwrap()).await;
    let declined = Sample::new("outlook_declined.eml", &ana_uid, "ana.guest@example.net").raw();
    assert_eq!(post_mail(&app, &declined).await["outcome"], "applied");
    let bert_uid = calendar_uid(&app, bert["id"].as_str().unwrap()).await;
    let forged = Sample::new("google_accepted.eml", &bert_uid, "bert@example.net")
        .raw()
        .replace(
            "From: Ana Guest <bert@example.net>",
            "From: <mallory@example.com>",
        )
        .replace(
            "Sender: Google Calendar <calendar-notification@google.com>\n",
            "",
        );
    assert_eq!(post_mail(&app, &forged).await["outcome"], "held");

    let (status, page) = browser.get(&format!("{base}/inbound")).await;
    assert_eq!(status, StatusCode::OK);
    let answers = &page[page.find("id=\"answers\"").unwrap()..];
    assert!(
        answers.contains("<th scope=\"row\">AM</th><td>0</td><td>0</td><td>1</td>"),
        "{answers}"
    );
    let held =
        &page[page.find("id=\"held\"").unwrap()..page.find("id=\"messages-title\"").unwrap()];
    assert!(held.contains("mallory@example.com"), "{held}");
    let action = held
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(action.ends_with("/apply"), "{action}");
    let (status, page, _) = browser
        .post(&action, &[("csrf", &crate::helpers::csrf_of(&page))])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"held-none\""), "{page}");
    let (_, list) = browser.get(&format!("{base}/registrations")).await;
    assert!(
        list.contains("I cannot make it, sorry."),
        "the decline's comment is shown"
    );
}

on_both_databases!(
    a_trusted_servers_dmarc_verdict_decides_who_sent_an_answer,
    a_proposed_time_of_another_session_offers_the_switch,
    a_proposed_time_of_another_session_switches_when_the_webinar_says_so,
    the_answer_settings_are_on_the_webinar_form,
    the_organizer_page_shows_answers_and_applies_held_ones,
    a_bounce_to_the_verp_address_names_its_message,
    a_decline_frees_the_seat_and_the_personal_link_registers_again,
    forged_answers_are_held_until_the_organizer_applies_them,
    an_answer_to_an_older_version_changes_nothing,
    an_invitee_who_accepts_is_registered_without_a_second_invitation,
    bounces_mark_the_message_and_the_address_by_message_id,
    auto_replies_are_ignored_and_chairs_answers_recorded,
    the_webhook_needs_its_secret_and_stores_unreadable_mail,
);
