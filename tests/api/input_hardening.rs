//! Input hardening: report sizes and figures, instants, JSON shapes, body limits,
//! placeholders, download names, file modes and URLs.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    a_report_beyond_the_row_cap_is_refused_with_a_clear_422,
    imported_minutes_beyond_the_session_are_refused_naming_the_line,
    instants_outside_2000_to_2100_are_refused,
    json_arrays_are_refused_in_place_of_objects,
    placeholders_in_names_and_titles_stay_as_written,
);

/// Posts an attendance report for the AM session of the model webinar.
async fn import(
    app: &TestApp,
    w: &ModelWebinar,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/webinars/{}/attendance?session_id={}",
            w.id, w.am
        )))
        .bearer_auth(&app.token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

const ZOOM_HEADER: &str =
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n";

async fn a_report_beyond_the_row_cap_is_refused_with_a_clear_422(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let mut csv = String::from(ZOOM_HEADER);
    for i in 0..200_000 {
        csv.push_str(&format!("P{i},p{i}@x.org,,,1\n"));
    }
    assert_error(
        import(&app, &w, csv).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line 200001: the report has more than 200000 rows",
    )
    .await;
}

async fn imported_minutes_beyond_the_session_are_refused_naming_the_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    // Two rows of four billion minutes used to add up to 3,705,032,704.
    let csv = format!("{ZOOM_HEADER}Ann,ann@x.org,,,4000000000\nAnn,ann@x.org,,,4000000000\n");
    assert_error(
        import(&app, &w, csv).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line 2: 4000000000 minutes is longer than anyone can have attended this session \
         (at most 210",
    )
    .await;
    // The AM session lasts 120 minutes: 211 is past its join window, 210 is not.
    let csv = format!("{ZOOM_HEADER}Ann,ann@x.org,,,10\nBob,bob@x.org,,,211\n");
    assert_error(
        import(&app, &w, csv).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line 3: 211 minutes",
    )
    .await;
    let csv = format!("{ZOOM_HEADER}Ann,ann@x.org,,,210\n");
    import(&app, &w, csv).await.error_for_status().unwrap();
    // A Teams duration too large for any counter used to become 4,294,967,295 minutes.
    let teams = "2. Participants\nName\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\n\
        Ann\t9/24/30, 9:00:00 AM\t9/24/30, 10:00:00 AM\t99999999999999999:00:00\tann@x.org\n";
    assert_error(
        import(&app, &w, teams).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line 3: cannot read the duration",
    )
    .await;
}

async fn instants_outside_2000_to_2100_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    for starts_at in [
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59-23:59",
        "1999-12-31T23:00:00Z",
    ] {
        let response = app
            .organizer(
                Method::POST,
                &format!("/api/v1/webinars/{}/sessions", w.id),
                Some(&json!({"label": "Far", "starts_at": starts_at, "duration_minutes": 60})),
            )
            .await;
        assert_error(
            response,
            StatusCode::BAD_REQUEST,
            "starts_at must lie between the years 2000 and 2099",
        )
        .await;
    }
    let response = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}", w.id),
            Some(&json!({"registration_closes_at": "2100-01-01T00:00:00Z"})),
        )
        .await;
    assert_error(
        response,
        StatusCode::BAD_REQUEST,
        "registration_closes_at must lie between",
    )
    .await;

    // A report's times, read in the webinar's zone.
    let csv = format!("{ZOOM_HEADER}Ann,ann@x.org,1999-06-01 07:00:00,1999-06-01 08:00:00,60\n");
    assert_error(
        import(&app, &w, csv).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line 2: the join time must lie between the years 2000 and 2099",
    )
    .await;

    // The organizer's page form.
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let base = page_webinar(&browser).await;
    let (_, page) = browser.get(&base).await;
    let (status, page, _) = browser
        .post(
            &format!("{base}/sessions"),
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("label", "Far"),
                ("starts_local", "0000-01-01T00:00"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(
        page.contains("must lie between the years 2000 and 2099"),
        "{page}"
    );
}

/// A webinar made through the organizer's pages; its page's address.
async fn page_webinar(browser: &Browser) -> String {
    let (_, page) = browser.get("/organizer").await;
    let (status, page, url) = browser
        .post(
            "/organizer/webinars",
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("title", "Hardening"),
                ("description", ""),
                ("languages", "en"),
                ("time_zone", "Europe/Zurich"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    url.trim_end_matches('/').to_string()
}

async fn json_arrays_are_refused_in_place_of_objects(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let response = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}", w.id),
            Some(&json!(["Changed title", "Changed description"])),
        )
        .await;
    assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the JSON body must be an object",
    )
    .await;
    let webinar = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        webinar["title"],
        "High-level webinar on ISCMs and the GCM regional reviews"
    );
    let response = app
        .post_json(
            &format!("/api/v1/webinars/{}/registrations", w.id),
            &json!(["Ann", "ann@example.org", "Europe/Zurich"]),
        )
        .await;
    assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "must be an object",
    )
    .await;
    // Objects still get the field-level messages.
    let response = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}", w.id),
            Some(&json!({"title": 5})),
        )
        .await;
    assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "title").await;
}

/// The messages written to the file outbox, parsed.
fn outbox_files(app: &TestApp) -> Vec<(std::path::PathBuf, crate::mail::Mail)> {
    std::fs::read_dir(&app.settings.mail.outbox_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            let raw = std::fs::read_to_string(&p).unwrap();
            (p, crate::mail::parse(&raw))
        })
        .collect()
}

async fn placeholders_in_names_and_titles_stay_as_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app
        .create_webinar(&json!({
            "title": "Review {session}{session}{name}",
            "languages": ["en"],
            "time_zone": "Europe/Zurich",
            "sessions": [{"label": "AM", "starts_at": AM_START, "duration_minutes": 60}],
        }))
        .await;
    let id = w["id"].as_str().unwrap();
    app.register_ok(
        id,
        &json!({"name": "Ann {when}", "email": "ann@example.org",
                "time_zone": "Europe/Zurich", "language": "en"}),
    )
    .await;
    app.wait_outbox_settled(id, 20).await;
    let mails = outbox_files(&app);
    assert_eq!(mails.len(), 1);
    let mail = &mails[0].1;
    assert_eq!(
        mail.subject,
        "Registration confirmed: Review {session}{session}{name} – AM session"
    );
    assert!(mail.text.contains("Dear Ann {when},"), "{}", mail.text);
}

/// The data folder, the database with its -wal and -shm, the secret and every email
/// hold registrations and live links: only the server's user may read them.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app_with(Backend::Sqlite, |s| {
        let data = s.security.secret_file.parent().unwrap().join("data");
        s.database.url = format!("sqlite://{}", data.join("meridian.db").display());
        s.security.secret_file = data.join("secret.key");
        s.mail.outbox_dir = data.join("outbox");
    })
    .await;
    let w = app.model_webinar(None, None).await;
    app.register_ok(
        &w.id,
        &json!({"name": "Ann", "email": "ann@example.org", "time_zone": "Europe/Zurich"}),
    )
    .await;
    app.wait_outbox_settled(&w.id, 20).await;
    let data = app
        .settings
        .security
        .secret_file
        .parent()
        .unwrap()
        .to_path_buf();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&data.join("outbox")), 0o700, "the outbox folder");
    for file in [
        "meridian.db",
        "meridian.db-wal",
        "meridian.db-shm",
        "secret.key",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    let mails = outbox_files(&app);
    assert!(!mails.is_empty());
    for (path, _) in mails {
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}
