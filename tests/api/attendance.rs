//! Attendance: the personal join link, report imports, marking by hand, the
//! participant list, the report and the follow-up emails.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::mail;
use crate::on_both_databases;
use crate::smtp::SmtpServer;

on_both_databases!(
    the_join_link_records_the_join_and_opens_the_meeting_only_when_open,
    a_zoom_report_matches_people_merges_rejoins_and_imports_once,
    a_teams_report_in_utf16_is_read_and_bad_reports_are_refused,
    marking_by_hand_wins_and_can_be_taken_back,
    the_participant_list_comes_as_csv_xlsx_and_a_printable_page,
    a_long_participant_list_comes_whole_and_in_order_across_pages,
    the_report_counts_a_known_data_set,
    follow_up_emails_go_once_to_attendees_and_absentees,
    the_organizer_imports_marks_downloads_and_reports_in_the_pages,
    blank_query_parameters_mean_their_default,
);

const WAIT: Duration = Duration::from_secs(20);

/// Mail to `smtp`, without reminders (the sessions here start within the hour).
fn without_reminders(smtp: &SmtpServer) -> impl FnOnce(&mut meridian::config::Settings) + use<> {
    let to_smtp = smtp_to(&smtp.url());
    move |settings| {
        to_smtp(settings);
        settings.mail.reminder_minutes.clear();
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn minutes_from_now(m: i64) -> String {
    rfc3339(Utc::now() + chrono::Duration::minutes(m))
}

/// A webinar with sessions starting `offsets` minutes from now (60 minutes each);
/// returns its id and the session ids.
async fn event(app: &TestApp, sessions: &[(&str, i64, Option<&str>)]) -> (String, Vec<String>) {
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

async fn move_session(app: &TestApp, webinar: &str, session: &str, starts_at: &str) {
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
async fn register_in(app: &TestApp, webinar: &str, session: &str, person: Value) -> Value {
    let mut body = person;
    body["session_id"] = json!(session);
    if body.get("time_zone").is_none() {
        body["time_zone"] = json!("Europe/Paris");
    }
    app.register_ok(webinar, &body).await.0
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn attendance_of(app: &TestApp, webinar: &str, registration: &str) -> Value {
    json_of(
        app.get_as_organizer(&format!(
            "/api/v1/webinars/{webinar}/registrations/{registration}/attendance"
        ))
        .await,
        StatusCode::OK,
    )
    .await
}

async fn the_join_link_records_the_join_and_opens_the_meeting_only_when_open(backend: Backend) {
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
    let link = soon["join_link"].as_str().unwrap().to_string();
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
    let mails = mail::parse_all(&smtp.wait_for(3, WAIT).await);
    let amina = mails.iter().find(|m| m.to == "amina@example.org").unwrap();
    assert!(amina.text.contains(&link), "{}", amina.text);
    assert_eq!(amina.ics_prop("LOCATION"), link);

    // Open (10 minutes before the start): recorded once, then on to the meeting. A link
    // checker's HEAD request gets the same answer but records nothing.
    let client = no_redirects();
    let path = |l: &str| app.url(&l.replace(&app.settings.server.public_url, ""));
    let looked = client.head(path(&link)).send().await.unwrap();
    assert_eq!(looked.status(), StatusCode::SEE_OTHER);
    assert_eq!(looked.headers()["location"], "https://meet.example.org/now");
    let nothing = attendance_of(&app, &w, soon["id"].as_str().unwrap()).await;
    assert_eq!(nothing["sessions"], json!([]), "{nothing}");
    let before = Utc::now();
    let first = client.get(path(&link)).send().await.unwrap();
    assert_eq!(
        first.status(),
        StatusCode::SEE_OTHER,
        "{}",
        first.text().await.unwrap()
    );
    let first = client.get(path(&link)).send().await.unwrap();
    assert_eq!(first.headers()["location"], "https://meet.example.org/now");
    let recorded = attendance_of(&app, &w, soon["id"].as_str().unwrap()).await;
    assert_eq!(recorded["attended"], true);
    assert_eq!(recorded["sessions"][0]["source"], "join_link");
    assert_eq!(recorded["sessions"][0]["session_id"], s[0]);
    let joined: DateTime<Utc> = recorded["sessions"][0]["joined_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(joined >= before - chrono::Duration::seconds(1) && joined <= Utc::now());
    let again = client.get(path(&link)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    // A visit a minute later (still open) leaves the first join standing. The service
    // takes the time, so the test need not wait for the clock to move on.
    let later_visit = Utc::now() + chrono::Duration::minutes(1);
    let token = link.rsplit('/').next().unwrap();
    meridian::services::attendance::join(app.state(), token, later_visit, true)
        .await
        .expect("a later visit");
    let still = attendance_of(&app, &w, soon["id"].as_str().unwrap()).await;
    assert_eq!(still["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(
        still["sessions"][0]["joined_at"], recorded["sessions"][0]["joined_at"],
        "the first join counts"
    );

    // More than 30 minutes before: "not open yet", in the registrant's time, nothing recorded.
    let later_link = later["join_link"].as_str().unwrap();
    let page = client.get(path(later_link)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("is not open yet"), "{page}");
    assert!(page.contains("UTC+09:00"), "in her own time: {page}");
    let none = attendance_of(&app, &w, later["id"].as_str().unwrap()).await;
    assert_eq!(none["attended"], false);
    assert_eq!(none["sessions"], json!([]));

    // No meeting link published yet: said so (in French for Olga), nothing recorded.
    let page = client
        .get(path(unlinked["join_link"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("pas encore publié le lien"), "{page}");
    assert_eq!(
        attendance_of(&app, &w, unlinked["id"].as_str().unwrap()).await["attended"],
        false
    );

    // After the session (and the hour of grace): ended.
    move_session(&app, &w, &s[1], &minutes_from_now(-3 * 60)).await;
    let page = client
        .get(path(later_link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("has ended"), "{page}");

    // A cancelled registration does not get in.
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
    let page = client.get(path(&link)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("registration has been cancelled")
    );

    // A link that was tampered with, or made up, is not found.
    let mut forged = link.clone();
    forged.pop();
    forged.push(if link.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(
        client.get(path(&forged)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client
            .get(app.url("/j/not-a-token"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/attendance/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The people of the sample reports, registered for AM or PM.
async fn sample_registrants(app: &TestApp, w: &str, am: &str, pm: &str) -> Vec<(String, String)> {
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

fn id_of<'a>(ids: &'a [(String, String)], name: &str) -> &'a str {
    &ids.iter().find(|(n, _)| n == name).unwrap().1
}

async fn import(app: &TestApp, w: &str, query: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/webinars/{w}/attendance{query}")))
        .bearer_auth(&app.token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn participants_csv(app: &TestApp, w: &str, query: &str) -> String {
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

fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

async fn a_zoom_report_matches_people_merges_rejoins_and_imports_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let ids = sample_registrants(&app, &w, &s[0], &s[1]).await;

    let answer = json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}", s[0]),
            sample("zoom-webinar-attendees.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Amina (upper-case email), Kenji (two rows), Lucía, Youssef, Marie (by name, no email).
    assert_eq!(answer["format"], "zoom");
    assert_eq!(answer["matched"], 5, "{answer}");
    let unmatched = answer["unmatched"].as_array().unwrap();
    assert_eq!(unmatched.len(), 1, "{answer}");
    assert_eq!(unmatched[0]["email"], "stranger@example.net");
    assert_eq!(unmatched[0]["name"], "Sam Stranger");
    assert_eq!(unmatched[0]["line"], 20);

    let kenji = attendance_of(&app, &w, id_of(&ids, "Kenji Sato")).await;
    assert_eq!(
        kenji["sessions"][0]["minutes"], 84,
        "38 + 46 minutes: {kenji}"
    );
    assert_eq!(kenji["sessions"][0]["source"], "import");
    // The report's times are read in the webinar's zone (Zurich, UTC+1 in November).
    assert_eq!(kenji["sessions"][0]["joined_at"], "2026-11-27T06:02:45Z");
    assert_eq!(kenji["sessions"][0]["left_at"], "2026-11-27T07:30:00Z");
    // Lucía registered for PM but was in AM: counted where she was.
    let lucia = attendance_of(&app, &w, id_of(&ids, "Lucía Fernández")).await;
    assert_eq!(lucia["sessions"][0]["session_id"], s[0]);
    assert_eq!(lucia["sessions"][0]["minutes"], 71);
    let marie = attendance_of(&app, &w, id_of(&ids, "Marie Dubois")).await;
    assert_eq!(marie["sessions"][0]["minutes"], 48);
    // Olga is "No" in the report: absent, not unmatched.
    assert_eq!(
        attendance_of(&app, &w, id_of(&ids, "Olga Ivanova")).await["attended"],
        false
    );

    // The same file again changes nothing.
    let before = participants_csv(&app, &w, "").await;
    let again = json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}", s[0]),
            sample("zoom-webinar-attendees.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again, answer);
    assert_eq!(participants_csv(&app, &w, "").await, before);
    let attended = csv_records(&participants_csv(&app, &w, "?attended_only=true").await);
    assert_eq!(attended.len(), 1 + 5);

    // The Zoom meeting export works too; times can be given in another zone.
    let meeting = json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}&tz=UTC", s[1]),
            sample("zoom-meeting-participants.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(meeting["format"], "zoom");
    assert!(meeting["matched"].as_u64().unwrap() >= 1, "{meeting}");
}

async fn a_teams_report_in_utf16_is_read_and_bad_reports_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let ids = sample_registrants(&app, &w, &s[0], &s[1]).await;
    let teams = sample("teams-attendance.csv");
    assert_eq!(
        &teams[..2],
        b"\xff\xfe",
        "the sample is UTF-16 LE as Teams writes it"
    );

    let answer = json_of(
        import(&app, &w, &format!("?session_id={}", s[1]), teams).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["format"], "teams");
    // Kenji, Lucía, Olga (two devices, one person); the organizer and a guest match nobody.
    assert_eq!(answer["matched"], 3, "{answer}");
    let names: Vec<&str> = answer["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Meridian Events", "Guest Speaker"]);
    let olga = attendance_of(&app, &w, id_of(&ids, "Olga Ivanova")).await;
    assert_eq!(olga["sessions"][0]["minutes"], 46, "45m 3s + 59s: {olga}");
    let lucia = attendance_of(&app, &w, id_of(&ids, "Lucía Fernández")).await;
    assert_eq!(lucia["sessions"][0]["minutes"], 63);
    assert_eq!(lucia["sessions"][0]["session_id"], s[1]);

    let legacy = json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}", s[0]),
            sample("teams-attendance-legacy.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(legacy["matched"], 2, "Kenji and Youssef: {legacy}");
    // Kenji attended both sessions: two sessions on record, the PM import untouched.
    let kenji = attendance_of(&app, &w, id_of(&ids, "Kenji Sato")).await;
    assert_eq!(kenji["sessions"].as_array().unwrap().len(), 2, "{kenji}");

    // Bad input is refused with what to fix, and what was imported stays.
    assert_error(
        import(&app, &w, "", sample("teams-attendance.csv")).await,
        StatusCode::BAD_REQUEST,
        "session_id",
    )
    .await;
    assert_error(
        import(
            &app,
            &w,
            &format!("?session_id={}", uuid::Uuid::new_v4()),
            sample("teams-attendance.csv"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not a session of this webinar",
    )
    .await;
    assert_error(
        import(
            &app,
            &w,
            &format!("?session_id={}", s[1]),
            b"name,email\nKenji,kenji@example.jp\n".to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Zoom",
    )
    .await;
    assert_error(
        import(&app, &w, &format!("?session_id={}", s[1]), Vec::new()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty",
    )
    .await;
    assert_error(
        import(
            &app,
            &w,
            &format!("?session_id={}&tz=Mars/Base", s[1]),
            sample("teams-attendance.csv"),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Mars/Base",
    )
    .await;
    let unauthorized = app
        .client
        .post(app.url(&format!(
            "/api/v1/webinars/{w}/attendance?session_id={}",
            s[1]
        )))
        .body(sample("teams-attendance.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        attendance_of(&app, &w, id_of(&ids, "Olga Ivanova")).await["sessions"][0]["minutes"],
        46
    );
}

/// `?tz=` and `?format=` (as forms and generated clients send them) are "not given".
async fn blank_query_parameters_mean_their_default(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let listing = app.get(&format!("/api/v1/webinars/{w}/sessions?tz=")).await;
    assert_eq!(json_of(listing, StatusCode::OK).await["time_zone"], "UTC");
    let list = app
        .get_as_organizer(&format!("/api/v1/webinars/{w}/participants?format=&lang="))
        .await;
    assert_eq!(list.status(), StatusCode::OK);
    assert!(
        list.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let report = sample("zoom-webinar-attendees.csv");
    let imported = import(&app, &w, &format!("?session_id={}&tz=", s[0]), report).await;
    assert_eq!(json_of(imported, StatusCode::OK).await["format"], "zoom");
}

async fn marking_by_hand_wins_and_can_be_taken_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let ids = sample_registrants(&app, &w, &s[0], &s[1]).await;
    json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}", s[0]),
            sample("zoom-webinar-attendees.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mark = |id: String, body: Value| {
        let app = &app;
        let w = w.clone();
        async move {
            app.organizer(
                Method::PUT,
                &format!("/api/v1/webinars/{w}/registrations/{id}/attendance"),
                Some(&body),
            )
            .await
        }
    };
    // Olga was absent by the report; she was in fact in PM for 50 minutes.
    let olga = id_of(&ids, "Olga Ivanova").to_string();
    let marked = json_of(
        mark(olga.clone(), json!({"attended": true, "minutes": 50})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(marked["attended"], true);
    assert_eq!(
        marked["sessions"][0]["session_id"], s[1],
        "her own session by default"
    );
    assert_eq!(marked["sessions"][0]["source"], "manual");
    assert_eq!(marked["sessions"][0]["minutes"], 50);

    // Kenji is in the report, but the organizer knows he only tested the line: absent.
    let kenji = id_of(&ids, "Kenji Sato").to_string();
    let absent = json_of(
        mark(kenji.clone(), json!({"attended": false})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(absent["attended"], false, "{absent}");
    let list = participants_csv(&app, &w, "?attended_only=true").await;
    assert!(
        list.contains("Olga Ivanova") && !list.contains("Kenji Sato"),
        "{list}"
    );

    // Taking the correction back lets the report count again.
    let back = app
        .organizer(
            Method::DELETE,
            &format!("/api/v1/webinars/{w}/registrations/{kenji}/attendance"),
            None,
        )
        .await;
    let back = json_of(back, StatusCode::OK).await;
    assert_eq!(back["attended"], true);
    assert_eq!(back["sessions"][0]["source"], "import");
    assert_eq!(back["sessions"][0]["minutes"], 84);

    // Bad corrections are refused.
    assert_error(
        mark(olga.clone(), json!({"attended": "yes"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "attended",
    )
    .await;
    assert_error(
        mark(
            olga.clone(),
            json!({"attended": true, "session_id": uuid::Uuid::new_v4()}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "session",
    )
    .await;
    assert_error(
        mark(uuid::Uuid::new_v4().to_string(), json!({"attended": true})).await,
        StatusCode::NOT_FOUND,
        "registration",
    )
    .await;
    assert_error(
        mark(olga.clone(), json!({"attended": true, "minutes": 100000})).await,
        StatusCode::BAD_REQUEST,
        "at most 1440",
    )
    .await;
    assert_error(
        mark(olga.clone(), json!({"attended": true, "minutes": -5})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "minutes",
    )
    .await;
}

async fn the_participant_list_comes_as_csv_xlsx_and_a_printable_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let people = [
        (
            "Amina Diallo",
            "amina@example.org",
            "Rabat Process",
            true,
            &s[0],
        ),
        (
            "Kenji Sato",
            "kenji@example.jp",
            "Bali Process",
            false,
            &s[0],
        ),
        (
            "=HYPERLINK(\"http://evil.example\")",
            "evil@example.net",
            "+SUM(1,2)",
            true,
            &s[1],
        ),
        (
            "Lucía Fernández",
            "lucia@example.mx",
            "Puebla Process",
            true,
            &s[1],
        ),
        (
            "Youssef Haddad",
            "youssef@example.ma",
            "Rabat Process",
            true,
            &s[1],
        ),
    ];
    let mut ids = Vec::new();
    let mut manage = Vec::new();
    for (name, email, org, share, session) in people {
        let r = register_in(
            &app,
            &w,
            session,
            json!({"name": name, "email": email, "organization": org,
            "share_in_participant_list": share}),
        )
        .await;
        assert_eq!(r["share_in_participant_list"], share);
        ids.push(r["id"].as_str().unwrap().to_string());
        manage.push(
            r["manage_url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string(),
        );
    }
    // Amina attended AM; Youssef came to AM although registered for PM; Lucía cancelled.
    for (i, session) in [(0, &s[0]), (4, &s[0])] {
        app.organizer(
            Method::PUT,
            &format!("/api/v1/webinars/{w}/registrations/{}/attendance", ids[i]),
            Some(&json!({"attended": true, "session_id": session, "minutes": 55})),
        )
        .await;
    }
    // Self-registrants may give role and country; a bad country is refused.
    let bad = app
        .register(&w, &json!({"name": "Zed", "email": "zed@example.org", "time_zone": "UTC", "country": "Switzerland"}))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "country").await;
    let (given, _) = app
        .register_ok(
            &w,
            &json!({"name": "Zoe Roe", "email": "zoe@example.org", "time_zone": "UTC",
            "organization": "Bali Process", "role": "Co-chair", "country": "au"}),
        )
        .await;
    assert_eq!(
        (given["role"].as_str(), given["country"].as_str()),
        (Some("Co-chair"), Some("AU"))
    );
    // Someone gives no organization; Lucía cancels.
    app.register_ok(
        &w,
        &json!({"name": "Xavier Roe", "email": "xavier@example.org", "time_zone": "UTC"}),
    )
    .await;
    let cancelled = app
        .client
        .delete(app.url(&format!("/api/v1/registrations/{}", manage[3])))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);

    // Internal CSV: everyone, grouped by organization, email shown, formulas neutralised.
    let rows = csv_records(&participants_csv(&app, &w, "?format=csv").await);
    assert_eq!(
        rows[0],
        [
            "Organization",
            "Name",
            "Role",
            "Country",
            "Email",
            "Status",
            "Session registered",
            "Session attended",
            "Minutes",
            "Agreed to share"
        ]
    );
    let orgs: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        orgs,
        [
            "'+SUM(1,2)",
            "Bali Process",
            "Bali Process",
            "Puebla Process",
            "Rabat Process",
            "Rabat Process",
            ""
        ]
    );
    let zoe = rows.iter().find(|r| r[1] == "Zoe Roe").unwrap();
    assert_eq!((zoe[2].as_str(), zoe[3].as_str()), ("Co-chair", "AU"));
    let evil = &rows[1];
    assert_eq!(evil[1], "'=HYPERLINK(\"http://evil.example\")");
    let youssef = rows.iter().find(|r| r[1] == "Youssef Haddad").unwrap();
    assert_eq!(
        (
            youssef[6].as_str(),
            youssef[7].as_str(),
            youssef[8].as_str()
        ),
        ("PM", "AM", "55")
    );
    assert_eq!(youssef[4], "youssef@example.ma");

    // Shareable: only those who agreed, no email column, nobody's address anywhere.
    let shareable = participants_csv(&app, &w, "?shareable=true").await;
    assert!(!shareable.contains('@'), "{shareable}");
    let rows = csv_records(&shareable);
    assert_eq!(
        rows[0],
        [
            "Organization",
            "Name",
            "Role",
            "Country",
            "Session attended"
        ]
    );
    let names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        names,
        [
            "'=HYPERLINK(\"http://evil.example\")",
            "Amina Diallo",
            "Youssef Haddad"
        ],
        "Lucía cancelled"
    );

    let attended =
        csv_records(&participants_csv(&app, &w, "?attended_only=true&shareable=true").await);
    assert_eq!(attended.len(), 3);
    let registered = csv_records(&participants_csv(&app, &w, "?registered_only=true").await);
    assert_eq!(registered.len(), 1 + 6, "all but Lucía");

    // XLSX, read back with calamine.
    let response = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{w}/participants?format=xlsx&shareable=true"
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Participants").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells.len(), 4);
    assert_eq!(cells[0][1], "Name");
    assert_eq!(cells[1][1], "'=HYPERLINK(\"http://evil.example\")");
    assert_eq!(cells[1][0], "'+SUM(1,2)");
    assert!(
        sheet
            .rows()
            .all(|r| r.iter().all(|c| !matches!(c, calamine::Data::Error(_))))
    );
    let internal = app
        .get_as_organizer(&format!("/api/v1/webinars/{w}/participants?format=xlsx"))
        .await;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(
        internal.bytes().await.unwrap().to_vec(),
    ))
    .unwrap();
    let sheet = book.worksheet_range("Participants").unwrap();
    let amina = sheet.rows().find(|r| r[1] == "Amina Diallo").unwrap();
    assert_eq!(amina[8], calamine::Data::Float(55.0), "minutes are numbers");

    // The printable page: grouped under organization headings, escaped.
    let page = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{w}/participants?format=html&shareable=true&lang=fr"
        ))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("<h2>Rabat Process</h2>") && page.contains("Liste des participants"),
        "{page}"
    );
    assert!(
        page.contains("=HYPERLINK(&quot;http:&#x2f;&#x2f;evil.example&quot;)")
            || page.contains("=HYPERLINK(&quot;http://evil.example&quot;)"),
        "{page}"
    );
    assert!(!page.contains("kenji@example.jp") && !page.contains("Kenji"));

    assert_error(
        app.get_as_organizer(&format!("/api/v1/webinars/{w}/participants?format=pdf"))
            .await,
        StatusCode::BAD_REQUEST,
        "csv, xlsx or html",
    )
    .await;
    assert_error(
        app.get_as_organizer(&format!(
            "/api/v1/webinars/{w}/participants?shareable=maybe"
        ))
        .await,
        StatusCode::BAD_REQUEST,
        "shareable",
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/webinars/{w}/participants"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Kenji agrees later through the API, then withdraws on his manage page.
    let kenji = &manage[1];
    let agreed = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{kenji}")))
        .json(&json!({"share_in_participant_list": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(agreed, StatusCode::OK).await["share_in_participant_list"],
        true
    );
    assert!(
        participants_csv(&app, &w, "?shareable=true")
            .await
            .contains("Kenji Sato")
    );
    let browser = Browser::new(&app);
    let (_, page) = browser.get(&format!("/r/{kenji}")).await;
    assert!(
        page.contains("name=\"share_in_participant_list\" value=\"on\" checked"),
        "{page}"
    );
    let (status, page, _) = browser
        .post(
            &format!("/r/{kenji}/consent"),
            &[("csrf", csrf_of(&page).as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Your choice for the participant list is saved."),
        "{page}"
    );
    assert!(
        !participants_csv(&app, &w, "?shareable=true")
            .await
            .contains("Kenji Sato")
    );
    let nothing = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{kenji}")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(
        nothing,
        StatusCode::BAD_REQUEST,
        "share_in_participant_list",
    )
    .await;
}

/// The list is read in pages of a thousand: a list of several pages, with people whose
/// names differ only in case and people without an organization, comes whole, once
/// each, in order, with each person's own attendance.
async fn a_long_participant_list_comes_whole_and_in_order_across_pages(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.mail.worker = false).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let n = 2345;
    let org = |i: usize| match i % 7 {
        0 => String::new(),
        k => format!(
            "{} Process",
            ["Bali", "bali", "Rabat", "Puebla", "Almaty", "Prague"][k - 1]
        ),
    };
    let mut csv = String::from("name,email,organization,time_zone,language\n");
    for i in 0..n {
        // Every tenth name starts lower-case, so case must not split the order.
        let name = if i % 10 == 0 { "delegate" } else { "Delegate" };
        csv.push_str(&format!(
            "{name} {i:04},d{i}@example.org,{},Asia/Tokyo,en\n",
            org(i)
        ));
    }
    json_of(app.import_csv(&w, &csv).await, StatusCode::OK).await;
    let sent = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{w}/invitations"),
            None,
        )
        .await;
    assert_eq!(json_of(sent, StatusCode::OK).await["queued"], n);
    // A third attended AM (by the Zoom report, with join and leave times).
    let mut zoom = String::from(
        "Attendee Report,\nAttendee Details,\nAttended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n",
    );
    for i in (0..n).filter(|i| i.is_multiple_of(3)) {
        zoom.push_str(&format!(
            "Yes,Delegate {i:04},d{i}@example.org,\"Sep 24, 2030 09:01:00\",\"Sep 24, 2030 09:{:02}:00\",{}\n",
            1 + i % 50,
            i % 50
        ));
    }
    let imported = import(
        &app,
        &w,
        &format!("?session_id={}", s[0]),
        zoom.into_bytes(),
    )
    .await;
    assert_eq!(
        json_of(imported, StatusCode::OK).await["matched"],
        (0..n).filter(|i| i.is_multiple_of(3)).count()
    );

    let rows = csv_records(&participants_csv(&app, &w, "").await);
    assert_eq!(rows[0][0], "Organization");
    let rows = &rows[1..];
    assert_eq!(rows.len(), n, "everyone once");
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let i: usize = row[1].rsplit(' ').next().unwrap().parse().unwrap();
        assert!(seen.insert(i), "{} listed twice", row[1]);
        assert_eq!(row[0], org(i));
        assert_eq!(row[4], format!("d{i}@example.org"));
        if i.is_multiple_of(3) {
            assert_eq!(
                (row[7].as_str(), row[8].as_str()),
                ("AM", &*(i % 50).to_string())
            );
        } else {
            assert_eq!((row[7].as_str(), row[8].as_str()), ("", ""));
        }
    }
    let key = |row: &Vec<String>| {
        (
            row[0].is_empty(),
            row[0].to_lowercase(),
            row[1].to_lowercase(),
        )
    };
    let keys: Vec<_> = rows.iter().map(key).collect();
    assert!(
        keys.windows(2).all(|k| k[0] <= k[1]),
        "by organization (those without one last), then by name"
    );
    // The attended-only list reads the same pages and keeps a third.
    let attended = csv_records(&participants_csv(&app, &w, "?attended_only=true").await);
    assert_eq!(
        attended.len() - 1,
        (0..n).filter(|i| i.is_multiple_of(3)).count()
    );
}

async fn the_report_counts_a_known_data_set(backend: Backend) {
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
    let report = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{w}/report"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        report["totals"],
        json!({"name": "All", "invited": 4, "registered": 3, "attended": 2, "attendance_rate": 0.667})
    );
    let am = &report["per_session"][0];
    assert_eq!(am["name"], "AM");
    assert_eq!(am["attended"], 2, "counted where they attended: {report}");
    let pm = &report["per_session"][1];
    assert_eq!(pm["attended"], 0);
    assert_eq!(
        am["invited"].as_u64().unwrap() + pm["invited"].as_u64().unwrap(),
        4
    );
    assert_eq!(
        (am["registered"].as_u64(), pm["registered"].as_u64()),
        (Some(2), Some(1))
    );
    let rabat = report["per_organization"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Rabat Process")
        .unwrap();
    assert_eq!(
        rabat,
        &json!({"name": "Rabat Process", "invited": 1, "registered": 1, "attended": 1, "attendance_rate": 1.0})
    );
    let languages: Vec<&str> = report["per_language"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(languages, ["en", "es", "fr", "ru"]);
    let en = &report["per_language"][0];
    assert_eq!(
        (
            en["invited"].as_u64(),
            en["registered"].as_u64(),
            en["attended"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert!(
        report["per_utc_offset"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "UTC+09:00" || l["name"] == "UTC+9"),
        "{report}"
    );
    let sum: u64 = report["per_utc_offset"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["invited"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 4);
    // The zones with no session inside working hours (the sessions are an hour and eight
    // hours from now, so which zones these are depends on the time of day of the test);
    // every one listed is a zone of the list, and none is listed twice.
    let zones: Vec<&str> = report["zones_without_suitable_session"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["time_zone"].as_str().unwrap())
        .collect();

    // The participant list takes role and country from the invitee list, and follows it
    // when the organizer corrects it (here by importing the line again).
    let rows = csv_records(&participants_csv(&app, &w, "").await);
    let amina_row = rows.iter().find(|r| r[1] == "Amina Diallo").unwrap();
    assert_eq!(
        (
            amina_row[0].as_str(),
            amina_row[2].as_str(),
            amina_row[3].as_str()
        ),
        ("Rabat Process", "Chair", "MA"),
        "{rows:?}"
    );
    let olga_row = rows.iter().find(|r| r[1] == "Olga Ivanova").unwrap();
    assert_eq!(
        (olga_row[2].as_str(), olga_row[5].as_str()),
        ("Chair", "invited")
    );
    let corrected = "name,email,organization,role,country,time_zone,language\n\
        Amina Diallo,amina@example.org,Rabat Process,Co-chair,SN,Africa/Casablanca,fr\n";
    let report_again = json_of(app.import_csv(&w, corrected).await, StatusCode::OK).await;
    assert_eq!(report_again["updated"], 1);
    let rows = csv_records(&participants_csv(&app, &w, "").await);
    let amina_row = rows.iter().find(|r| r[1] == "Amina Diallo").unwrap();
    assert_eq!(
        (amina_row[2].as_str(), amina_row[3].as_str()),
        ("Co-chair", "SN")
    );

    let known = [
        "Africa/Casablanca",
        "Asia/Tokyo",
        "America/Mexico_City",
        "Europe/Moscow",
        "Europe/London",
    ];
    assert!(zones.iter().all(|z| known.contains(z)), "{zones:?}");
}

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

async fn the_organizer_imports_marks_downloads_and_reports_in_the_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    // The signed-in organizer owns a webinar made through the API with their own token.
    let (_, page) = browser.get("/organizer").await;
    let csrf = csrf_of(&page);
    let (status, page, url) = browser
        .post(
            "/organizer/webinars",
            &[
                ("csrf", csrf.as_str()),
                ("title", "Pages webinar"),
                ("time_zone", "Europe/Zurich"),
                ("languages", "en"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let w = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert!(uuid::Uuid::parse_str(&w).is_ok(), "{url}");
    let starts =
        (Utc::now() + chrono::Duration::hours(2)).with_timezone(&chrono_tz::Europe::Zurich);
    let (status, page, _) = browser
        .post(
            &format!("/organizer/webinars/{w}/sessions"),
            &[
                ("csrf", csrf.as_str()),
                ("label", "AM"),
                ("starts_local", &starts.format("%Y-%m-%dT%H:%M").to_string()),
                ("duration_minutes", "60"),
                ("capacity", ""),
                ("join_url", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let sessions = app.get(&format!("/api/v1/webinars/{w}/sessions")).await;
    let sessions = json_of(sessions, StatusCode::OK).await;
    let am = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let kenji = register_in(
        &app,
        &w,
        &am,
        json!({"name": "Kenji Sato", "email": "kenji.sato@example.jp"}),
    )
    .await;
    register_in(&app, &w, &am, json!({"name": "Amina Diallo", "email": "amina.diallo@example.org", "organization": "Rabat Process", "share_in_participant_list": true})).await;

    // Import the Zoom report through the form.
    let (status, page) = browser
        .get(&format!("/organizer/webinars/{w}/attendance"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .text("session_id", am.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(sample("zoom-webinar-attendees.csv"))
                .file_name("report.csv"),
        );
    let response = browser
        .client
        .post(browser.url(&format!("/organizer/webinars/{w}/attendance/import")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("2 people matched in the report."), "{page}");
    assert!(
        page.contains("stranger@example.net"),
        "unmatched rows are listed: {page}"
    );

    // Mark Kenji absent through the form.
    let kenji_id = kenji["id"].as_str().unwrap();
    let (status, page, _) = browser
        .post(
            &format!("/organizer/webinars/{w}/attendance/{kenji_id}"),
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("attendance", "absent"),
                ("minutes", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<option value=\"absent\" selected>"),
        "{page}"
    );
    let (_, csv) = browser
        .get(&format!(
            "/organizer/webinars/{w}/participants?attended_only=true"
        ))
        .await;
    assert!(
        csv.contains("Amina Diallo") && !csv.contains("Kenji"),
        "{csv}"
    );
    let (status, _, _) = browser
        .post(
            &format!("/organizer/webinars/{w}/attendance/{kenji_id}"),
            &[("csrf", "forged"), ("attendance", "clear")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Download the shareable list with the signed-in session.
    let (status, csv) = browser
        .get(&format!(
            "/organizer/webinars/{w}/participants?format=csv&shareable=true"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.contains("Amina Diallo") && !csv.contains("Kenji"),
        "{csv}"
    );
    let (status, page) = browser
        .get(&format!("/organizer/webinars/{w}/participants?format=html"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h2>Rabat Process</h2>"), "{page}");

    // The report page, with its chart.
    let (status, page) = browser
        .get(&format!("/organizer/webinars/{w}/report"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<svg") && page.contains("1 / 2"),
        "registered 2, attended 1: {page}"
    );
    assert!(page.contains("id=\"per-organization\""));

    // The follow-up button says plainly it is too early.
    let (status, page, _) = browser
        .post(
            &format!("/organizer/webinars/{w}/follow-up"),
            &[("csrf", csrf_of(&page).as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("after the last session ends"), "{page}");

    // Not signed in: sent to sign in.
    let stranger = Browser::new(&app);
    let (_, page) = stranger
        .get(&format!("/organizer/webinars/{w}/attendance"))
        .await;
    assert!(page.contains("name=\"password\""), "{page}");
}
