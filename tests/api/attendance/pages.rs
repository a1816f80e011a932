//! The organizer's attendance pages: importing a report and marking by hand through
//! forms, downloading the lists and reading the report while signed in.

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    the_organizer_imports_a_report_through_the_form,
    the_organizer_previews_a_report_and_links_an_unmatched_row,
    the_organizer_marks_someone_absent_through_the_form,
    the_organizer_downloads_the_lists_while_signed_in,
    the_report_page_shows_the_figures_in_a_chart,
    the_follow_up_button_says_plainly_it_is_too_early,
    signed_out_visitors_are_sent_to_sign_in,
);

/// A webinar and its AM session made through the organizer's pages, Kenji and Amina
/// registered, and the Zoom report imported through the form.
struct Imported {
    app: TestApp,
    browser: Browser,
    w: String,
    kenji: Value,
    /// The page that answered the import.
    page: String,
}

async fn imported(backend: Backend) -> Imported {
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
    Imported {
        app,
        browser,
        w,
        kenji,
        page,
    }
}

/// Marks Kenji absent through the attendance form; the page that answers.
async fn mark_kenji_absent(i: &Imported) -> String {
    let (browser, w) = (&i.browser, &i.w);
    let kenji_id = i.kenji["id"].as_str().unwrap();
    let (status, page, _) = browser
        .post(
            &format!("/organizer/webinars/{w}/attendance/{kenji_id}"),
            &[
                ("csrf", csrf_of(&i.page).as_str()),
                ("attendance", "absent"),
                ("minutes", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

async fn the_organizer_imports_a_report_through_the_form(backend: Backend) {
    let i = imported(backend).await;
    let page = &i.page;
    assert!(page.contains("2 people matched in the report."), "{page}");
    assert!(
        page.contains("stranger@example.net"),
        "unmatched rows are listed: {page}"
    );
}

/// The Preview button answers the outcome without storing; an unmatched row is linked
/// through its search field and matches in the next import.
async fn the_organizer_previews_a_report_and_links_an_unmatched_row(backend: Backend) {
    let i = imported(backend).await;
    let (app, browser, w) = (&i.app, &i.browser, &i.w);
    let sessions = json_of(
        app.get(&format!("/api/v1/webinars/{w}/sessions")).await,
        StatusCode::OK,
    )
    .await;
    let am = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let page = import_through_form(&i, &am, true).await;
    assert!(
        page.contains("Preview: 2 people would be matched. Nothing was stored"),
        "{page}"
    );
    assert!(
        page.contains("list=\"registrants\""),
        "a search per row: {page}"
    );
    assert!(
        page.contains("<option value=\"kenji.sato@example.jp\">Kenji Sato</option>"),
        "{page}"
    );

    // Sam Stranger was Kenji on a second device.
    let (status, page, _) = browser
        .post(
            &format!("/organizer/webinars/{w}/attendance/link"),
            &[
                ("csrf", csrf_of(&i.page).as_str()),
                ("name", "Sam Stranger"),
                ("email", "stranger@example.net"),
                ("registration", "kenji.sato@example.jp"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        !page.contains("stranger@example.net") && page.contains("lucia.fernandez@example.mx"),
        "the linked row leaves the list of unmatched rows, the others stay: {page}"
    );
    let page = import_through_form(&i, &am, false).await;
    assert!(page.contains("2 people matched in the report."), "{page}");
    assert!(
        !page.contains("stranger@example.net"),
        "the linked row matched Kenji: {page}"
    );
    let (status, _, _) = browser
        .post(
            &format!("/organizer/webinars/{w}/attendance/link"),
            &[
                ("csrf", "forged"),
                ("name", "Sam Stranger"),
                ("email", ""),
                ("registration", "kenji.sato@example.jp"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The Zoom sample imported again through the form (or previewed); the page answering.
async fn import_through_form(i: &Imported, session: &str, dry_run: bool) -> String {
    let (browser, w) = (&i.browser, &i.w);
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&i.page))
        .text("session_id", session.to_string());
    if dry_run {
        form = form.text("dry_run", "true");
    }
    let form = form.part(
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
    response.text().await.unwrap()
}

async fn the_organizer_marks_someone_absent_through_the_form(backend: Backend) {
    let i = imported(backend).await;
    let (browser, w) = (&i.browser, &i.w);
    let page = mark_kenji_absent(&i).await;
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
    let kenji_id = i.kenji["id"].as_str().unwrap();
    let (status, _, _) = browser
        .post(
            &format!("/organizer/webinars/{w}/attendance/{kenji_id}"),
            &[("csrf", "forged"), ("attendance", "clear")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn the_organizer_downloads_the_lists_while_signed_in(backend: Backend) {
    let i = imported(backend).await;
    let (browser, w) = (&i.browser, &i.w);
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
}

async fn the_report_page_shows_the_figures_in_a_chart(backend: Backend) {
    let i = imported(backend).await;
    mark_kenji_absent(&i).await;
    // The report page, with its chart.
    let (status, page) = i
        .browser
        .get(&format!("/organizer/webinars/{}/report", i.w))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<svg") && page.contains("1 / 2"),
        "registered 2, attended 1: {page}"
    );
    assert!(page.contains("id=\"per-organization\""));
    // A legend says what the bars count; each bar's label stands first, at the left.
    let chart =
        |page: &str| page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()].to_string();
    let english = chart(&page);
    assert!(
        english.contains(">Registered</text>") && english.contains(">Attended</text>"),
        "{english}"
    );
    assert!(english.contains("<text x=\"0\" y="), "{english}");
    // In Arabic the legend is Arabic and the chart mirrors: labels at the right edge,
    // bars growing leftwards from them.
    let (_, page) = i
        .browser
        .get(&format!("/organizer/webinars/{}/report?lang=ar", i.w))
        .await;
    let arabic = chart(&page);
    assert!(
        arabic.contains(">المسجَّلون</text>") && arabic.contains(">الحاضرون</text>"),
        "{arabic}"
    );
    assert!(
        arabic.contains("<text x=\"560\" y=") && !arabic.contains("<text x=\"0\" y="),
        "{arabic}"
    );
}

async fn the_follow_up_button_says_plainly_it_is_too_early(backend: Backend) {
    let i = imported(backend).await;
    // The follow-up button says plainly it is too early.
    let (status, page, _) = i
        .browser
        .post(
            &format!("/organizer/webinars/{}/follow-up", i.w),
            &[("csrf", csrf_of(&i.page).as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("after the last session ends"), "{page}");
}

async fn signed_out_visitors_are_sent_to_sign_in(backend: Backend) {
    let Imported { app, w, .. } = imported(backend).await;
    // Not signed in: sent to sign in.
    let stranger = Browser::new(&app);
    let (_, page) = stranger
        .get(&format!("/organizer/webinars/{w}/attendance"))
        .await;
    assert!(page.contains("name=\"password\""), "{page}");
}
