//! End to end in a real headless Chromium: the visitor's zone comes from the browser.

use serde_json::json;

use crate::chrome::Chrome;
use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_in_tokyo_sees_the_am_session_preselected_and_registers() {
    let Some(chrome) = Chrome::start("Asia/Tokyo").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let w = app.model_webinar(None, None).await;
    chrome.goto(&app.url(&format!("/w/{}?lang=en", w.id))).await;
    chrome
        .wait_for(
            "the page to learn the browser's zone",
            "return location.search.includes('tz=Asia%2FTokyo');",
        )
        .await;
    assert!(
        chrome.is_checked(&format!("#session-{}", w.am)).await,
        "AM is preselected"
    );
    let text = chrome.text().await;
    assert!(
        text.contains("16:00–18:00") && text.contains("Asia/Tokyo"),
        "{text}"
    );
    chrome.screenshot("register-en.png").await;
    chrome
        .goto(&app.url(&format!("/w/{}?lang=ar&tz=Asia/Tokyo", w.id)))
        .await;
    assert_eq!(
        chrome.run("return document.documentElement.dir;").await,
        json!("rtl")
    );
    chrome.screenshot("register-ar.png").await;
    chrome
        .goto(&app.url(&format!("/w/{}?lang=en&tz=Asia/Tokyo", w.id)))
        .await;
    chrome.type_into("#name", "Kenji Sato").await;
    chrome.type_into("#email", "kenji@example.org").await;
    chrome.type_into("#organization", "Colombo Process").await;
    chrome.click("#register-form button[type=submit]").await;
    chrome
        .wait_for(
            "the manage page",
            "return location.pathname.startsWith('/r/');",
        )
        .await;
    let text = chrome.text().await;
    assert!(
        text.contains("You are registered") && text.contains("16:00–18:00"),
        "{text}"
    );
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        reqwest::StatusCode::OK,
    )
    .await;
    assert_eq!(list[0]["session_id"], w.am.as_str());
    assert_eq!(list[0]["time_zone"], "Asia/Tokyo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_in_mexico_city_gets_pm_and_switches_to_am() {
    let Some(chrome) = Chrome::start("America/Mexico_City").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let w = app.model_webinar(None, None).await;
    chrome.goto(&app.url(&format!("/w/{}?lang=es", w.id))).await;
    chrome
        .wait_for(
            "the browser's zone",
            "return location.search.includes('tz=America%2FMexico_City');",
        )
        .await;
    assert!(
        chrome.is_checked(&format!("#session-{}", w.pm)).await,
        "PM is preselected"
    );
    assert!(chrome.text().await.contains("08:00–10:00"));
    chrome.type_into("#name", "Lucía Pérez").await;
    chrome.type_into("#email", "lucia@example.org").await;
    chrome.click("#register-form button[type=submit]").await;
    chrome
        .wait_for(
            "the manage page",
            "return location.pathname.startsWith('/r/');",
        )
        .await;
    chrome
        .click(&format!("#switch-form #session-{}", w.am))
        .await;
    chrome.click("#switch-form button[type=submit]").await;
    chrome
        .wait_for(
            "the switch",
            "return location.search.includes('done=switched');",
        )
        .await;
    let text = chrome.text().await;
    assert!(
        text.contains("01:00–03:00"),
        "the AM time in Mexico City: {text}"
    );
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        reqwest::StatusCode::OK,
    )
    .await;
    assert_eq!(list[0]["session_id"], w.am.as_str());
    assert_eq!(list[0]["assignment"], "chosen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_signs_in_uploads_the_invitees_and_sends_invitations() {
    let Some(chrome) = Chrome::start("Europe/Zurich").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let (email, link) = app.password_link().await;
    chrome.goto(&link).await;
    chrome.type_into("#password", "correct horse battery").await;
    chrome.type_into("#repeat", "correct horse battery").await;
    chrome.click("form button[type=submit]").await;
    chrome
        .wait_for(
            "the sign-in page",
            "return location.pathname === '/organizer/sign-in';",
        )
        .await;
    chrome.type_into("#email", &email).await;
    chrome.type_into("#password", "correct horse battery").await;
    chrome.click("#sign-in button[type=submit]").await;
    chrome
        .wait_for(
            "the webinar list",
            "return location.pathname === '/organizer';",
        )
        .await;
    chrome.type_into("#title", "ISCM high-level webinar").await;
    chrome
        .run("document.querySelector('#time_zone').value = '';")
        .await;
    chrome.type_into("#time_zone", "Europe/Zurich").await;
    chrome.click("#new-webinar button[type=submit]").await;
    chrome
        .wait_for(
            "the webinar page",
            "return location.pathname.startsWith('/organizer/webinars/');",
        )
        .await;
    for (label, local) in [("AM", "2030-09-24T09:00"), ("PM", "2030-09-24T16:00")] {
        chrome.type_into("#label", label).await;
        // datetime-local inputs take their value through script in every locale.
        chrome
            .run(&format!(
                "document.querySelector('#starts_local').value = '{local}';"
            ))
            .await;
        chrome.click("#add-session button[type=submit]").await;
        chrome.wait_for("the new session", &format!("return document.querySelector('#sessions') !== null && document.querySelector('#sessions').innerText.includes('{label}');")).await;
    }
    let webinar = chrome.url().await;
    chrome.goto(&format!("{webinar}/invitees")).await;
    let csv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/iscm-invitees.csv");
    chrome.type_into("#file", csv.to_str().unwrap()).await;
    chrome.click("#upload button[type=submit]").await;
    chrome
        .wait_for(
            "the import report",
            "return document.querySelector('#import-report') !== null;",
        )
        .await;
    assert!(
        chrome
            .text()
            .await
            .contains("24 imported, 0 updated, 0 with errors")
    );
    chrome.goto(&format!("{webinar}/coverage")).await;
    assert!(chrome.text().await.contains("of 24 invitees"));
    chrome.goto(&format!("{webinar}/invitations")).await;
    chrome.click("#send-form button[type=submit]").await;
    chrome
        .wait_for(
            "the outbox",
            "return location.pathname.endsWith('/outbox');",
        )
        .await;
    assert!(chrome.text().await.contains("24 invitations queued"));
    chrome.screenshot("organizer-outbox.png").await;
}

/// The attendance page in a real browser: Preview shows what the import would do and
/// stores nothing; after the import, a row that matched nobody is linked through its
/// search field (the registrants offered as suggestions) and leaves the list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_previews_a_report_then_links_an_unmatched_row() {
    let Some(chrome) = Chrome::start("Europe/Zurich").await else {
        return;
    };
    let mut app = spawn_app(Backend::Sqlite).await;
    let (email, link) = app.password_link().await;
    app.token = meridian::cli::create_token(&app.settings, &email, "browser")
        .await
        .unwrap()
        .pop()
        .unwrap();
    let w = app.model_webinar(None, None).await;
    let body = json!({"name": "Kenji Sato", "email": "kenji@example.jp",
                      "time_zone": "Asia/Tokyo", "session_id": w.am});
    app.register_ok(&w.id, &body).await;
    chrome.goto(&link).await;
    chrome.type_into("#password", "correct horse battery").await;
    chrome.type_into("#repeat", "correct horse battery").await;
    chrome.click("form button[type=submit]").await;
    chrome
        .wait_for(
            "the sign-in page",
            "return location.pathname === '/organizer/sign-in';",
        )
        .await;
    chrome.type_into("#email", &email).await;
    chrome.type_into("#password", "correct horse battery").await;
    chrome.click("#sign-in button[type=submit]").await;
    chrome
        .wait_for(
            "the webinar list",
            "return location.pathname === '/organizer';",
        )
        .await;
    let page = app.url(&format!("/organizer/webinars/{}/attendance", w.id));
    let report = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/attendance/zoom-webinar-attendees.csv");
    let report = report.to_str().unwrap();

    // Preview: the outcome with a search per unmatched row, and nothing stored.
    chrome.goto(&page).await;
    chrome.type_into("#import-file", report).await;
    chrome
        .click("form[action$='/attendance/import'] button[name=dry_run]")
        .await;
    chrome
        .wait_for(
            "the preview",
            "return document.querySelector('#unmatched') !== null;",
        )
        .await;
    let text = chrome.text().await;
    assert!(
        text.contains("Preview: 1 people would be matched. Nothing was stored"),
        "{text}"
    );
    assert!(
        text.contains("stranger@example.net"),
        "the unmatched rows: {text}"
    );
    assert_eq!(
        chrome
            .run("return document.querySelector('#unmatched-kept') === null;")
            .await,
        json!(true),
        "a preview keeps no unmatched rows"
    );
    chrome.goto(&page).await;
    assert!(
        chrome.text().await.contains("No record"),
        "nobody has attendance after a preview"
    );

    // The import keeps the unmatched rows, each with its search.
    chrome.type_into("#import-file", report).await;
    chrome
        .click("form[action$='/attendance/import'] button.primary")
        .await;
    chrome
        .wait_for(
            "the kept unmatched rows",
            "return document.querySelector('#unmatched-kept') !== null;",
        )
        .await;
    assert!(
        chrome
            .text()
            .await
            .contains("1 people matched in the report.")
    );
    assert_eq!(
        chrome
            .run("return [...document.querySelectorAll('#registrants option')].map(o => o.value);")
            .await,
        json!(["kenji@example.jp"]),
        "the search suggests the registrants"
    );
    let field = chrome
        .run(
            "const row = [...document.querySelectorAll('#unmatched-kept tbody tr')]
               .find(r => r.innerText.includes('stranger@example.net'));
             return row.querySelector('input[list=registrants]').id;",
        )
        .await;
    let field = field.as_str().unwrap().to_string();
    chrome
        .type_into(&format!("#{field}"), "kenji@example.jp")
        .await;
    chrome
        .click(&format!("#{field} ~ button[type=submit]"))
        .await;
    chrome
        .wait_for(
            "the linked row to leave the list",
            "const t = document.querySelector('#unmatched-kept');
             return t !== null && !t.innerText.includes('stranger@example.net')
               && t.innerText.includes('lucia.fernandez@example.mx');",
        )
        .await;
}
