//! Input hardening: report sizes and figures, instants, JSON shapes, body limits,
//! placeholders, download names, file modes and URLs.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    a_report_beyond_the_row_cap_is_refused_with_a_clear_422,
    imported_minutes_beyond_a_week_are_refused_naming_the_line,
    instants_outside_2000_to_2100_are_refused,
    json_arrays_are_refused_in_place_of_objects,
    placeholders_in_names_and_titles_stay_as_written,
    page_forms_take_small_bodies_and_uploads_large_ones,
    download_names_and_redirects_are_ascii,
    web_links_take_any_case_of_scheme_and_need_a_host,
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

async fn imported_minutes_beyond_a_week_are_refused_naming_the_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    // Two rows of four billion minutes used to add up to 3,705,032,704.
    let csv = format!("{ZOOM_HEADER}Ann,ann@x.org,,,4000000000\nAnn,ann@x.org,,,4000000000\n");
    assert_error(
        import(&app, &w, csv).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line 2: 4000000000 minutes is more than a week, longer than any meeting",
    )
    .await;
    // A week is the most a cell may say: one minute more names its line.
    let csv = format!("{ZOOM_HEADER}Ann,ann@x.org,,,10\nBob,bob@x.org,,,10081\n");
    assert_error(
        import(&app, &w, csv).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line 3: 10081 minutes",
    )
    .await;
    // Past the AM session's join window (120 + 90 minutes) is not an error: Zoom's
    // per-person totals add up devices; the person's minutes are capped at 210 (see
    // domain::attendance::match_rows).
    let csv = format!("{ZOOM_HEADER}Ann,ann@x.org,,,211\n");
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

async fn page_forms_take_small_bodies_and_uploads_large_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (_, link) = app.password_link().await;
    let big = "x".repeat(100 * 1024);
    // Sign-in and set-password need no account: they must not buffer 20 MB.
    for path in [
        "/organizer/sign-in".to_string(),
        link.replace(&app.address, ""),
        format!("/w/{}", w.id),
    ] {
        let response = app
            .client
            .post(app.url(&path))
            .form(&[("csrf", "x"), ("email", big.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}: the HTML error page"
        );
        let page = response.text().await.unwrap();
        assert!(
            page.contains("the form is larger than this page takes (64 KiB"),
            "{page}"
        );
    }
    // A repeated query key answers the HTML error page too.
    let response = app.get(&format!("/w/{}?tz=UTC&tz=UTC", w.id)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    // A document over 20 MB is "too large", not "bad".
    let boundary = "hardening-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHuge\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend(std::iter::repeat_n(b'x', 21 * 1024 * 1024));
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let head = format!(
        "POST /api/v1/webinars/{}/materials HTTP/1.1\r\nHost: test\r\n\
         Authorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        w.id,
        app.token,
        body.len()
    );
    let answer = send_raw(&app, head.into_bytes(), body).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("larger than"), "{answer}");
}

/// Sends a request as raw bytes and reads the answer, while the server may stop reading
/// the body early (as it does past a size limit; a client library reports a broken pipe).
async fn send_raw(app: &TestApp, head: Vec<u8>, body: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(&head).await;
        let _ = write.write_all(&body).await;
    });
    let mut answer = Vec::new();
    let _ = read.read_to_end(&mut answer).await;
    writer.abort();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn download_names_and_redirects_are_ascii(backend: Backend) {
    let app = spawn_app(backend).await;
    let soon = (chrono::Utc::now() + chrono::Duration::minutes(10))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let w = app
        .create_webinar(&json!({
            "title": "Downloads",
            "languages": ["en"],
            "time_zone": "Europe/Zurich",
            "sessions": [{"label": "AM", "starts_at": soon, "duration_minutes": 60,
                          "join_url": "https://meet.example.org/r\u{e9}union?x=1"}],
        }))
        .await;
    let id = w["id"].as_str().unwrap();
    let form = reqwest::multipart::Form::new()
        .text("title", "Notes")
        .text("language", "en")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 notes".to_vec())
                .file_name("r\u{e9}sum\u{e9}\u{202e}fdp.exe")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{id}/materials")))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let created = json_of(response, StatusCode::CREATED).await;
    let file = app
        .client
        .get(created["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        file.headers()["content-disposition"],
        "inline; filename=\"r_sum_fdp.exe\"; filename*=UTF-8''r%C3%A9sum%C3%A9fdp.exe"
    );

    let (answer, _) = app
        .register_ok(
            id,
            &json!({"name": "Ann", "email": "ann@example.org", "time_zone": "Europe/Zurich"}),
        )
        .await;
    let link = answer["join_link"].as_str().unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client.get(link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"].as_bytes(),
        b"https://meet.example.org/r%C3%A9union?x=1"
    );
}

async fn web_links_take_any_case_of_scheme_and_need_a_host(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let session = |url: &str| {
        json!({"label": "Late", "starts_at": "2030-09-25T07:00:00Z",
                                     "duration_minutes": 60, "join_url": url})
    };
    let path = format!("/api/v1/webinars/{}/sessions", w.id);
    let created = app
        .organizer(
            Method::POST,
            &path,
            Some(&session("HTTPS://Meet.Example.org/x")),
        )
        .await;
    json_of(created, StatusCode::CREATED).await;
    for bad in ["http://", "https:///x"] {
        let refused = app
            .organizer(Method::POST, &path, Some(&session(bad)))
            .await;
        assert_error(
            refused,
            StatusCode::BAD_REQUEST,
            "join_url must be an http:// or https:// link with a host",
        )
        .await;
    }
    let materials = format!("/api/v1/webinars/{}/materials", w.id);
    let refused = app
        .organizer(
            Method::POST,
            &materials,
            Some(&json!({"title": "Agenda", "kind": "agenda", "language": "en", "url": "http://"})),
        )
        .await;
    assert_error(
        refused,
        StatusCode::BAD_REQUEST,
        "url must be an http:// or https:// link with a host",
    )
    .await;
    let created = app
        .organizer(
            Method::POST,
            &materials,
            Some(&json!({"title": "Agenda", "kind": "agenda", "language": "en", "url": "HTTPS://docs.example.org/a.pdf"})),
        )
        .await;
    json_of(created, StatusCode::CREATED).await;
}
