//! Clock changes (daylight saving) between today and a session: the organizer's webinar
//! page warns, and the emails tell the people concerned in their language. Today's date
//! cannot be chosen, so the session's date is: a few days after the next change in Zurich.

use chrono::{DateTime, Duration, Offset, TimeZone as _, Utc};
use chrono_tz::Tz;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::mail::Mail;
use crate::on_both_databases;
use crate::smtp::SmtpServer;

on_both_databases!(
    invitations_tell_people_whose_clocks_change_before_the_session,
    the_webinar_page_warns_of_clock_changes_near_a_session,
    the_plan_page_warns_of_clock_changes_near_current_and_proposed_times,
);

fn offset(tz: Tz, at: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// The first hour after now at which `tz` is at another offset than now.
fn next_change(tz: Tz) -> DateTime<Utc> {
    let now = Utc::now();
    (1..24 * 400)
        .map(|h| now + Duration::hours(h))
        .find(|at| offset(tz, *at) != offset(tz, now))
        .expect("the zone changes its clocks within a year")
}

/// The page's text as read: minijinja escapes slashes and apostrophes.
fn unescaped(page: &str) -> String {
    page.replace("&#x2f;", "/").replace("&#x27;", "'")
}

fn zurich() -> Tz {
    "Europe/Zurich".parse().unwrap()
}

/// Noon UTC, three days after Zurich's next clock change.
fn session_start() -> DateTime<Utc> {
    let day = (next_change(zurich()) + Duration::days(3)).date_naive();
    Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
}

/// A webinar with one session three days after Zurich's next clock change, and
/// invitees (name, email, zone, language).
async fn webinar_after_the_change(
    app: &TestApp,
    invitees: &[(&str, &str, &str, &str)],
) -> (String, String, DateTime<Utc>) {
    let starts_at = session_start();
    let w = app
        .create_webinar(&json!({
            "title": "Clock webinar",
            "languages": ["en", "es", "fr"],
            "time_zone": "Europe/Zurich",
            "sessions": [{"label": "Main", "starts_at": starts_at.to_rfc3339(), "duration_minutes": 90}]
        }))
        .await;
    let mut csv = String::from("name,email,organization,role,country,time_zone,language\n");
    for (name, email, zone, language) in invitees {
        csv.push_str(&format!("{name},{email},Org,Member,,{zone},{language}\n"));
    }
    json_of(
        app.import_csv(w["id"].as_str().unwrap(), &csv).await,
        StatusCode::OK,
    )
    .await;
    (
        w["id"].as_str().unwrap().to_string(),
        w["sessions"][0]["id"].as_str().unwrap().to_string(),
        starts_at,
    )
}

fn to<'a>(mails: &'a [Mail], address: &str) -> &'a Mail {
    mails
        .iter()
        .find(|m| m.to == address)
        .unwrap_or_else(|| panic!("no email to {address}"))
}

async fn invitations_tell_people_whose_clocks_change_before_the_session(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, inline_delivery(smtp_to(&smtp.url()))).await;
    let (id, session, starts_at) = webinar_after_the_change(
        &app,
        &[
            ("Zoé Zurich", "zoe@example.org", "Europe/Zurich", "fr"),
            ("Taro Tokyo", "taro@example.org", "Asia/Tokyo", "fr"),
        ],
    )
    .await;
    let sent = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{id}/invitations"),
            None,
        )
        .await;
    json_of(sent, StatusCode::OK).await;
    let chair = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{id}/sessions/{session}/chairs"),
            Some(&json!({"name": "Chris Chair", "email": "chair@example.org",
                         "time_zone": "Europe/Zurich", "language": "en"})),
        )
        .await;
    json_of(chair, StatusCode::CREATED).await;
    let mails = app.deliver().await;
    assert_eq!(mails.len(), 3, "{mails:?}");

    let now_offset = meridian::i18n::utc_offset(zurich(), Utc::now());
    let then_offset = meridian::i18n::utc_offset(zurich(), starts_at);
    assert_ne!(now_offset, then_offset);
    let zoe = to(&mails, "zoe@example.org");
    let sentence = format!(
        "Attention : l’heure change dans votre fuseau horaire (Europe/Zurich) avant cette séance, \
         de {now_offset} à {then_offset}. L’heure indiquée est votre heure locale après le changement ({then_offset})."
    );
    assert!(zoe.text.contains(&sentence), "{}", zoe.text);
    assert!(zoe.html.contains("id=\"clock-change\""), "{}", zoe.html);
    // The time shown is the local time on the session's date, at the new offset.
    assert!(
        zoe.text.contains(&format!("Europe/Zurich, {then_offset}")),
        "{}",
        zoe.text
    );

    let chair = to(&mails, "chair@example.org");
    assert!(
        chair.text.contains(&format!(
            "the clocks in your time zone (Europe/Zurich) change before this session, from {now_offset} to {then_offset}"
        )),
        "{}",
        chair.text
    );

    let taro = to(&mails, "taro@example.org");
    assert!(!taro.text.contains("l’heure change"), "{}", taro.text);
    assert!(!taro.html.contains("clock-change"), "{}", taro.html);

    // Someone who registers without an invitation: the confirmation, in Spanish.
    app.register_ok(
        &id,
        &json!({"name": "Rosa", "email": "rosa@example.org",
                "time_zone": "Europe/Zurich", "language": "es"}),
    )
    .await;
    let confirmation = app.deliver().await;
    let rosa = to(&confirmation, "rosa@example.org");
    assert!(
        rosa.text.contains(&format!(
            "Tenga en cuenta que la hora de su zona horaria (Europe/Zurich) cambia antes de esta sesión, de {now_offset} a {then_offset}."
        )),
        "{}",
        rosa.text
    );

    // The session moves a day later: every update says it again, except to Tokyo.
    let moved = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{id}/sessions/{session}"),
            Some(&json!({"starts_at": (starts_at + Duration::days(1)).to_rfc3339()})),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let updates = app.deliver().await;
    assert_eq!(updates.len(), 4, "{updates:?}");
    assert!(to(&updates, "zoe@example.org").text.contains(&sentence));
    assert!(
        to(&updates, "rosa@example.org")
            .text
            .contains("cambia antes de esta sesión")
    );
    assert!(
        to(&updates, "chair@example.org")
            .text
            .contains("change before this session")
    );
    assert!(
        !to(&updates, "taro@example.org")
            .text
            .contains("l’heure change")
    );
}

/// The same webinar set up through the organizer's pages (in UTC): answers the webinar
/// page's address.
async fn webinar_page_after_the_change(
    browser: &Browser,
    invitees: &[(&str, &str)],
) -> (String, DateTime<Utc>) {
    let starts_at = session_start();
    let local = starts_at.format("%Y-%m-%dT%H:%M").to_string();
    let (base, csrf) = browser
        .create_webinar("Clock webinar", &[("Main", &local)])
        .await;
    let mut csv = String::from("name,email,organization,role,country,time_zone,language\n");
    for (i, (zone, language)) in invitees.iter().enumerate() {
        csv.push_str(&format!(
            "Person {i},p{i}@example.org,Org,Member,,{zone},{language}\n"
        ));
    }
    let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
        "file",
        reqwest::multipart::Part::text(csv).file_name("invitees.csv"),
    );
    let response = browser
        .client
        .post(format!("{base}/invitees"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"import-report\""), "{page}");
    (base, starts_at)
}

async fn the_webinar_page_warns_of_clock_changes_near_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (changing, starts_at) = webinar_page_after_the_change(
        &browser,
        &[
            ("Europe/Zurich", "fr"),
            ("Europe/Zurich", "en"),
            ("Asia/Tokyo", "en"),
        ],
    )
    .await;
    let (status, page) = browser.get(&changing).await;
    assert_eq!(status, StatusCode::OK);
    let page = unescaped(&page);
    let start = page
        .find("id=\"clock-warnings\"")
        .unwrap_or_else(|| panic!("no warning in\n{page}"));
    let end = start + page[start..].find("</section>").unwrap();
    let warning = &page[start..end];
    assert!(warning.contains("<strong>Main</strong>"), "{warning}");
    let marker = "class=\"clock-warning\" id=\"";
    let id = &warning[warning.find(marker).unwrap() + marker.len()..];
    let id = &id[..id.find('"').unwrap()];
    assert!(
        page.contains(&format!(
            "<a class=\"tag warn\" href=\"#{id}\">clock change</a>"
        )),
        "the session's row links to its warning: {page}"
    );
    let before = meridian::i18n::utc_offset(zurich(), starts_at - Duration::days(7));
    let after = meridian::i18n::utc_offset(zurich(), starts_at);
    assert!(
        warning.contains("Europe/Zurich: the clocks change on ")
            && warning.contains(&format!(", from {before} to {after}.")),
        "{warning}"
    );
    assert!(
        warning.contains("2 people (invitees and registrants) will be at another UTC offset"),
        "{warning}"
    );
    assert!(
        warning.contains(&format!("Europe/Zurich: {before} → {after}</span> (2)")),
        "{warning}"
    );
    assert!(
        !warning.contains("Asia/Tokyo"),
        "Tokyo never changes: {warning}"
    );

    // In French, the same warning.
    let (_, page) = browser.get(&format!("{changing}?lang=fr")).await;
    let page = unescaped(&page);
    assert!(
        page.contains("Europe/Zurich : l’heure change le ") && page.contains("Changements d’heure"),
        "{page}"
    );
    // In Arabic, right to left, with the zone and the offsets isolated left to right.
    let (_, page) = browser.get(&format!("{changing}?lang=ar")).await;
    let page = unescaped(&page);
    assert!(
        page.contains("dir=\"rtl\"")
            && page.contains("تغيير الساعة قرب مواعيد الجلسات")
            && page.contains("\u{2066}Europe/Zurich\u{2069}: تتغير الساعة يوم ")
            && page.contains(&format!(
                "من \u{2066}{before}\u{2069} إلى \u{2066}{after}\u{2069}"
            )),
        "{page}"
    );

    // Nobody whose clocks change: no warning.
    let (calm, _) = webinar_page_after_the_change(&browser, &[("Asia/Tokyo", "en")]).await;
    let (status, page) = browser.get(&calm).await;
    assert_eq!(status, StatusCode::OK);
    let page = unescaped(&page);
    assert!(
        page.contains("Asia/Tokyo") && !page.contains("clock-warnings"),
        "{page}"
    );
}

/// The Plan page shows the same warnings, for the current sessions and for the proposal on
/// the map (a proposal on that date is as close to Zurich's change as the session).
async fn the_plan_page_warns_of_clock_changes_near_current_and_proposed_times(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let start = session_start();
    let local = start.format("%Y-%m-%dT%H:%M").to_string();
    let (base, csrf) = browser
        .create_webinar("Clock plan", &[("Main", &local)])
        .await;
    let csv = "name,email,organization,role,country,time_zone,language\n\
               Ueli,ueli@example.org,Org,Member,,Europe/Zurich,en\n\
               Kenji,kenji@example.org,Org,Member,,Asia/Tokyo,en\n";
    let response = browser.upload_invitees(&base, &csrf, csv).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, page) = browser
        .get(&format!("{base}/plan?lang=en&sessions=1"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = unescaped(&page);
    let at = page
        .find("id=\"clock-warnings\"")
        .expect("a clock-change notice");
    let warning = &page[at..page[at..].find("</section>").unwrap() + at];
    assert!(warning.contains("<strong>Main</strong>"), "{warning}");
    assert!(warning.contains("<strong>Proposal 1: "), "{warning}");
    assert!(
        warning.contains("Europe/Zurich: the clocks change on"),
        "{warning}"
    );
    assert!(
        !warning.contains("Asia/Tokyo"),
        "Tokyo keeps its clocks: {warning}"
    );
}
