//! Accessibility in a real Chromium: axe-core's WCAG 2.1 A and AA rules on every public
//! and organizer page, in English and in Arabic, with data in them; the consent checkbox
//! beside its label; a registration made with the keyboard alone.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use meridian::db::lists::Part;
use meridian::routes::cursor;

use crate::chrome::{Chrome, ENTER, SPACE};
use crate::helpers::*;

/// The languages audited: English, and Arabic for right to left.
const LANGUAGES: [&str; 2] = ["en", "ar"];

/// The model webinar with what the organizer's pages show: the sample invitee list, a
/// chair, a document, registrations (a guest who attended, one who did not, one who
/// cancelled), invitations in the outbox.
pub struct Site {
    pub app: TestApp,
    pub w: ModelWebinar,
    /// The organizer's email, who owns the webinar and signs in with the browser.
    pub email: String,
    /// The path of the one-time link to set the organizer's password.
    pub password_link: String,
    pub invitee: String,
    pub manage: String,
    pub join: String,
    pub cancelled: String,
    /// On the PM session's waiting list.
    pub waitlisted: String,
    /// The query of a list page that has a page before it and one after it (by arrival,
    /// after the epoch, one row a page).
    pub later_page: String,
}

async fn site() -> Site {
    site_on(Backend::Sqlite).await
}

/// The site on `backend` (the translation test visits it on both databases).
pub async fn site_on(backend: Backend) -> Site {
    let mut app = spawn_app(backend).await;
    // The webinar belongs to the organizer who signs in with the browser.
    let (email, password_link) = app.password_link().await;
    app.token = meridian::cli::create_token(&app.settings, &email, "accessibility")
        .await
        .unwrap()
        .pop()
        .unwrap();
    let w = app.model_webinar(None, None).await;
    json_of(app.import_csv(&w.id, &sample_csv()).await, StatusCode::OK).await;
    let invitees = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/invitees", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let invitee = invitees[0]["id"].as_str().unwrap().to_string();
    let chair = json!({"name": "Chair, Bali Process", "email": "cochair@bali-process.example.org", "time_zone": "Australia/Sydney"});
    let path = format!("/api/v1/webinars/{}/sessions/{}/chairs", w.id, w.am);
    let created = app.organizer(Method::POST, &path, Some(&chair)).await;
    json_of(created, StatusCode::CREATED).await;
    let agenda = json!({"title": "Agenda", "kind": "agenda", "language": "en", "url": "https://docs.example.org/agenda.pdf"});
    let path = format!("/api/v1/webinars/{}/materials", w.id);
    let created = app.organizer(Method::POST, &path, Some(&agenda)).await;
    json_of(created, StatusCode::CREATED).await;
    let mut registered = Vec::new();
    for (name, email, zone, language, session) in [
        ("Kenji Sato", "kenji@example.jp", "Asia/Tokyo", "en", &w.am),
        (
            "Youssef Haddad",
            "youssef@example.ma",
            "Africa/Casablanca",
            "ar",
            &w.pm,
        ),
        (
            "Olga Ivanova",
            "olga@example.ru",
            "Europe/Moscow",
            "ru",
            &w.am,
        ),
    ] {
        let body = json!({"name": name, "email": email, "time_zone": zone, "language": language,
                          "organization": "Bali Process", "session_id": session,
                          "share_in_participant_list": true});
        registered.push(app.register_ok(&w.id, &body).await);
    }
    let sent = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/invitations", w.id),
            None,
        )
        .await;
    json_of(sent, StatusCode::OK).await;
    let kenji = registered[0].0["id"].as_str().unwrap();
    // Replies and bounces: Kenji's calendar answer, and one held (sent by someone else).
    let uid = crate::inbound::calendar_uid(&app, kenji).await;
    let maybe = crate::inbound::Sample::new("apple_tentative.eml", &uid, "kenji@example.jp").raw();
    meridian::services::inbound::receive(app.context(), maybe.as_bytes())
        .await
        .unwrap();
    let youssef = registered[1].0["id"].as_str().unwrap();
    let uid = crate::inbound::calendar_uid(&app, youssef).await;
    let forged = crate::inbound::Sample::new("google_accepted.eml", &uid, "youssef@example.ma")
        .raw()
        .replace(
            "From: Ana Guest <youssef@example.ma>",
            "From: <someone@example.org>",
        )
        .replace(
            "Sender: Google Calendar <calendar-notification@google.com>\n",
            "",
        );
    let held = meridian::services::inbound::receive(app.context(), forged.as_bytes())
        .await
        .unwrap();
    assert_eq!(held.outcome, "held");
    let attended = app
        .organizer(
            Method::PUT,
            &format!("/api/v1/webinars/{}/registrations/{kenji}/attendance", w.id),
            Some(&json!({"attended": true, "minutes": 95})),
        )
        .await;
    json_of(attended, StatusCode::OK).await;
    let cancelled = registered[2].1.clone();
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/registrations/{cancelled}")))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let waitlisted = fill_pm_and_wait(&app, &w).await;
    let join = registered[0].0["join_link"].as_str().unwrap();
    let epoch = vec![
        Part::Time(chrono::DateTime::UNIX_EPOCH),
        Part::Id(uuid::Uuid::nil()),
    ];
    Site {
        later_page: format!("?sort=created&limit=1&after={}", cursor::encode(&epoch)),
        waitlisted,
        join: join.replace(&app.settings.server.public_url, ""),
        manage: registered[1].1.clone(),
        cancelled,
        invitee,
        email,
        password_link: password_link.replace(&app.settings.server.public_url, ""),
        w,
        app,
    }
}

/// Turns the waiting list on, fills the PM session (capacity = the seats held) and puts
/// one more person on its list; answers that person's manage token.
async fn fill_pm_and_wait(app: &TestApp, w: &ModelWebinar) -> String {
    let on = json!({"waiting_list": true});
    let path = format!("/api/v1/webinars/{}", w.id);
    json_of(
        app.organizer(Method::PATCH, &path, Some(&on)).await,
        StatusCode::OK,
    )
    .await;
    let pm = json_of(
        app.get_as_organizer(&format!(
            "/api/v1/webinars/{}/registrations?session_id={}",
            w.id, w.pm
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    let held = pm
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "registered" || r["status"] == "invited")
        .count();
    let path = format!("/api/v1/webinars/{}/sessions/{}", w.id, w.pm);
    let full = json!({"capacity": held});
    json_of(
        app.organizer(Method::PATCH, &path, Some(&full)).await,
        StatusCode::OK,
    )
    .await;
    let body = json!({"name": "Amina Diallo", "email": "amina@example.sn", "time_zone": "Africa/Dakar",
                      "language": "fr", "session_id": w.pm});
    let (answer, token) = app.register_ok(&w.id, &body).await;
    assert_eq!(answer["status"], "waitlisted");
    token
}

/// `path` in `lang` (the switcher's `?lang=`).
pub fn in_language(path: &str, lang: &str) -> String {
    let joiner = if path.contains('?') { '&' } else { '?' };
    format!("{path}{joiner}lang={lang}")
}

/// Every page a visitor can reach, by label and path (from `src/routes/pages/`: public.rs,
/// join.rs, and the error page).
pub fn public_pages(s: &Site) -> Vec<(&'static str, String)> {
    let w = &s.w.id;
    vec![
        ("registration page", format!("/w/{w}?tz=Asia/Tokyo")),
        (
            "registration confirmation",
            format!("/r/{}?done=registered", s.manage),
        ),
        ("manage page", format!("/r/{}?tz=Asia/Tokyo", s.manage)),
        ("cancelled registration", format!("/r/{}", s.cancelled)),
        (
            "manage page on the waiting list",
            format!("/r/{}?done=waitlisted", s.waitlisted),
        ),
        ("join page, not open yet", s.join.clone()),
        (
            "error page: unknown webinar",
            format!("/w/{}", uuid::Uuid::new_v4()),
        ),
        ("error page: unknown manage link", "/r/not-a-token".into()),
        ("error page: unknown join link", "/j/not-a-token".into()),
    ]
}

/// Every page of the signed-in organizer (src/routes/pages/organizer/, attendance.rs,
/// tokens.rs, downloads.rs's printable list).
pub fn organizer_pages(s: &Site) -> Vec<(&'static str, String)> {
    let webinar = format!("/organizer/webinars/{}", s.w.id);
    let mut pages = vec![
        ("webinar list", "/organizer".to_string()),
        ("API tokens", "/organizer/tokens".into()),
        ("account sign-ins", "/organizer/account".into()),
        ("webinar and sessions", webinar.clone()),
    ];
    for (label, tail) in [
        ("invitees", "/invitees".to_string()),
        (
            "invitees filtered, by name",
            "/invitees?q=a&language=en&sort=name".into(),
        ),
        (
            "invitees, a later page",
            format!("/invitees{}", s.later_page),
        ),
        ("invitee", format!("/invitees/{}", s.invitee)),
        ("coverage", "/coverage".into()),
        ("plan", "/plan".into()),
        (
            "plan by organization, second proposal, map by organization",
            "/plan?weight=organization&group=organization&show=2".into(),
        ),
        ("sending invitations", "/invitations".into()),
        ("outbox", "/outbox".into()),
        (
            "outbox filtered, one a page",
            "/outbox?q=example&status=pending&limit=1".into(),
        ),
        (
            "outbox, a later page",
            format!(
                "/outbox?limit=1&after={}",
                cursor::encode(&vec![Part::Int(0)])
            ),
        ),
        ("registrations", "/registrations".into()),
        ("replies and bounces", "/inbound".into()),
        (
            "registrations filtered, by name, one a page",
            "/registrations?q=e&status=registered&sort=name&limit=1".into(),
        ),
        (
            "registrations, a later page",
            format!("/registrations{}", s.later_page),
        ),
        ("attendance", "/attendance".into()),
        (
            "attendance filtered, by name, one a page",
            "/attendance?attendance=attended&q=e&sort=name&limit=1".into(),
        ),
        (
            "attendance, a later page",
            format!("/attendance{}", s.later_page),
        ),
        ("chairs", "/chairs".into()),
        ("chairs searched, by name", "/chairs?q=a&sort=name".into()),
        ("report", "/report".into()),
        ("team", "/members".into()),
        ("audit trail", "/audit".into()),
        (
            "audit trail filtered",
            "/audit?action=session.&since=2020-01-01".into(),
        ),
        (
            "printable participant list",
            "/participants?format=html".into(),
        ),
    ] {
        pages.push((label, format!("{webinar}{tail}")));
    }
    pages.push((
        "error page: another webinar",
        format!("/organizer/webinars/{}", uuid::Uuid::new_v4()),
    ));
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_the_accessibility_audit_in_english_and_arabic() {
    let Some(chrome) = Chrome::start("Asia/Tokyo").await else {
        return;
    };
    let s = site().await;
    let app = &s.app;
    for lang in LANGUAGES {
        chrome
            .goto(&app.url(&in_language(&s.password_link, lang)))
            .await;
        chrome
            .assert_accessible(&format!("set-password page ({lang})"))
            .await;
        chrome
            .goto(&app.url(&in_language("/organizer/sign-in", lang)))
            .await;
        chrome
            .assert_accessible(&format!("sign-in page ({lang})"))
            .await;
        for (label, path) in public_pages(&s) {
            chrome.goto(&app.url(&in_language(&path, lang))).await;
            chrome.assert_accessible(&format!("{label} ({lang})")).await;
        }
        // A form sent back with its problem, then the "check your email" answer to an invitee.
        let page = in_language(&format!("/w/{}?tz=Asia/Tokyo", s.w.id), lang);
        chrome.goto(&app.url(&page)).await;
        chrome.type_into("#name", "Amina Diallo").await;
        chrome.type_into("#email", "amina at example.org").await;
        // The server's answer, not the browser's own check.
        chrome
            .run("document.querySelector('#register-form').noValidate = true;")
            .await;
        chrome.click("#register-form button[type=submit]").await;
        chrome
            .wait_for(
                "the problem",
                "return document.querySelector('.problem') !== null;",
            )
            .await;
        chrome
            .assert_accessible(&format!("registration form with a problem ({lang})"))
            .await;
        chrome.goto(&app.url(&page)).await;
        chrome.type_into("#name", "Chair, Almaty Process").await;
        chrome
            .type_into("#email", "chair@almaty-process.example.org")
            .await;
        chrome.click("#register-form button[type=submit]").await;
        chrome
            .wait_for("the answer", "return !location.search.includes('tz=');")
            .await;
        chrome
            .assert_accessible(&format!("check your email ({lang})"))
            .await;
    }
    sign_in(&chrome, &s).await;
    let bad_csv = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    std::fs::write(
        bad_csv.path(),
        "name,email,time_zone\nAmina Diallo,amina@example.org,Africa/Casablanca\nNobody,not-an-email,Mars/Base\n",
    )
    .unwrap();
    for lang in LANGUAGES {
        for (label, path) in organizer_pages(&s) {
            chrome.goto(&app.url(&in_language(&path, lang))).await;
            chrome.assert_accessible(&format!("{label} ({lang})")).await;
            if ["coverage", "report", "plan"].contains(&label) {
                chrome.screenshot(&format!("{label}-{lang}.png")).await;
            }
            if label == "plan" {
                chrome
                    .run("document.getElementById('map').scrollIntoView();")
                    .await;
                chrome.screenshot(&format!("plan-map-{lang}.png")).await;
            }
        }
        // Applying a proposal: the confirmation that says who will be told.
        let plan = format!("/organizer/webinars/{}/plan", s.w.id);
        chrome.goto(&app.url(&in_language(&plan, lang))).await;
        chrome
            .click("form[action$='/plan/confirm'] button[type=submit]")
            .await;
        chrome
            .wait_for(
                "the confirmation",
                "return document.querySelector('#plan-notified') !== null;",
            )
            .await;
        chrome
            .assert_accessible(&format!("plan confirmation ({lang})"))
            .await;
        // The import's report, with the lines it could not take.
        let invitees = format!("/organizer/webinars/{}/invitees", s.w.id);
        chrome.goto(&app.url(&in_language(&invitees, lang))).await;
        chrome
            .type_into("#file", bad_csv.path().to_str().unwrap())
            .await;
        chrome.click("#upload button[type=submit]").await;
        chrome
            .wait_for(
                "the import report",
                "return document.querySelector('#import-errors') !== null;",
            )
            .await;
        chrome
            .assert_accessible(&format!("invitee import with errors ({lang})"))
            .await;
        // A meeting report whose people are not registered: first its preview, with a
        // search beside each unmatched row.
        let attendance = format!("/organizer/webinars/{}/attendance", s.w.id);
        chrome.goto(&app.url(&in_language(&attendance, lang))).await;
        let report = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/attendance/zoom-webinar-attendees.csv");
        chrome
            .type_into("#import-file", report.to_str().unwrap())
            .await;
        chrome
            .click("form[action$='/attendance/import'] button[name=dry_run]")
            .await;
        chrome
            .wait_for(
                "the preview",
                "return document.querySelector('#unmatched') !== null;",
            )
            .await;
        chrome
            .assert_accessible(&format!("attendance preview with unmatched rows ({lang})"))
            .await;
        // Then the import itself: the unmatched rows it keeps.
        chrome.goto(&app.url(&in_language(&attendance, lang))).await;
        chrome
            .type_into("#import-file", report.to_str().unwrap())
            .await;
        chrome
            .click("form[action$='/attendance/import'] button.primary")
            .await;
        chrome
            .wait_for(
                "the import's result",
                "return document.querySelector('#unmatched-kept') !== null;",
            )
            .await;
        chrome
            .assert_accessible(&format!("attendance import with unmatched rows ({lang})"))
            .await;
        // One of them linked to a registration through its search: the page after.
        let rows = "return document.querySelectorAll('#unmatched-kept tbody tr').length;";
        let before = chrome.run(rows).await.as_u64().unwrap();
        chrome
            .type_into(
                "#unmatched-kept input[list=registrants]",
                "youssef@example.ma",
            )
            .await;
        chrome
            .click("#unmatched-kept form button[type=submit]")
            .await;
        chrome
            .wait_for(
                "the linked row to leave the list",
                &format!(
                    "const t = document.querySelectorAll('#unmatched-kept tbody tr');
                     return t.length === {};",
                    before - 1
                ),
            )
            .await;
        chrome
            .assert_accessible(&format!("attendance after linking a row ({lang})"))
            .await;
        // A new API token, shown once.
        chrome
            .goto(&app.url(&in_language("/organizer/tokens", lang)))
            .await;
        chrome.type_into("#label", "Reporting").await;
        chrome.click("#create-token button[type=submit]").await;
        chrome
            .wait_for(
                "the new token",
                "return document.querySelector('#new-token') !== null;",
            )
            .await;
        chrome
            .assert_accessible(&format!("new API token ({lang})"))
            .await;
    }
}

/// Sets the organizer's password through the one-time link and signs in.
async fn sign_in(chrome: &Chrome, s: &Site) {
    chrome
        .goto(&s.app.url(&in_language(&s.password_link, "en")))
        .await;
    chrome.type_into("#password", "correct horse battery").await;
    chrome.type_into("#repeat", "correct horse battery").await;
    chrome.click("form button[type=submit]").await;
    chrome
        .wait_for(
            "the sign-in page",
            "return location.pathname === '/organizer/sign-in';",
        )
        .await;
    chrome.type_into("#email", &s.email).await;
    chrome.type_into("#password", "correct horse battery").await;
    chrome.click("#sign-in button[type=submit]").await;
    chrome
        .wait_for(
            "the webinar list",
            "return location.pathname === '/organizer';",
        )
        .await;
}

/// Whether the consent checkbox sits on the first line of its label's text, on the
/// side the language reads from (not centred above it).
const CONSENT_BESIDE_LABEL: &str = r#"
const box = document.querySelector('.consent input[type=checkbox]');
const label = box.closest('label');
const text = [...label.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
const range = document.createRange();
range.selectNodeContents(text);
const line = range.getClientRects()[0];
const b = box.getBoundingClientRect();
const rtl = getComputedStyle(label).direction === 'rtl';
const sameLine = b.top < line.bottom && b.bottom > line.top;
const before = rtl ? b.left >= line.right - 1 : b.right <= line.left + 1;
return {sameLine, before, box: [b.left, b.top, b.width, b.height], line: [line.left, line.top, line.width, line.height]};
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consent_checkbox_sits_beside_its_label() {
    let Some(chrome) = Chrome::start("Europe/Zurich").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let w = app.model_webinar(None, None).await;
    let body =
        json!({"name": "Marie Dubois", "email": "marie@example.org", "time_zone": "Europe/Paris"});
    let (_, token) = app.register_ok(&w.id, &body).await;
    for lang in LANGUAGES {
        for path in [
            format!("/w/{}?tz=Europe/Zurich", w.id),
            format!("/r/{token}"),
        ] {
            chrome.goto(&app.url(&in_language(&path, lang))).await;
            let layout = chrome.run(CONSENT_BESIDE_LABEL).await;
            assert_eq!(
                (&layout["sameLine"], &layout["before"]),
                (&Value::Bool(true), &Value::Bool(true)),
                "{path} ({lang}): the checkbox is not beside its label: {layout}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_registers_with_the_keyboard_alone() {
    let Some(chrome) = Chrome::start("Asia/Tokyo").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let w = app.model_webinar(None, None).await;
    chrome
        .goto(&app.url(&format!("/w/{}?lang=en&tz=Asia/Tokyo", w.id)))
        .await;
    // The first Tab reaches the skip link; the fields follow in reading order.
    chrome.tab_to("a.skip", 1).await;
    chrome.tab_to("#name", 20).await;
    chrome.press("Kenji Sato").await;
    chrome.tab_to("#email", 1).await;
    chrome.press("kenji@example.org").await;
    chrome.tab_to("#share_in_participant_list", 10).await;
    chrome.press(SPACE).await;
    assert!(
        chrome.is_checked("#share_in_participant_list").await,
        "Space ticks the consent"
    );
    chrome.tab_to("#register-form button[type=submit]", 1).await;
    chrome.press(ENTER).await;
    chrome
        .wait_for(
            "the manage page",
            "return location.pathname.startsWith('/r/');",
        )
        .await;
    let text = chrome.text().await;
    assert!(
        text.contains("You are registered") && text.contains("Kenji Sato"),
        "{text}"
    );
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["email"], "kenji@example.org");
    assert_eq!(
        list[0]["session_id"],
        w.am.as_str(),
        "the AM session suits Tokyo"
    );
    assert_eq!(list[0]["share_in_participant_list"], true);
}
