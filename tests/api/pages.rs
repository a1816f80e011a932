//! The HTML pages through the real server: content, forms, CSRF, sign-in, escaping.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    the_public_page_shows_sessions_in_the_visitors_zone,
    registering_through_the_form_leads_to_the_manage_page_and_calendar,
    the_manage_page_switches_and_cancels,
    forms_without_the_right_csrf_token_are_refused,
    hostile_names_are_escaped_and_arabic_is_right_to_left,
    organizer_pages_need_a_signed_in_organizer,
    organizer_sets_up_the_model_case_and_sends_invitations,
    a_page_error_is_in_the_visitors_language_and_sets_the_pages_cookies,
    organizer_pages_show_statuses_and_weekdays_in_the_pages_language,
);

/// What the organizer pages show in English for statuses and weekdays, and must not show
/// in another language: session and registration statuses, how a session was assigned,
/// outbox statuses, the weekdays of the zone table, the status filter. (The outbox's
/// kinds are checked in Arabic: "invitation" is French too.)
const ENGLISH_ONLY: [&str; 8] = [
    // The session status, perhaps followed by its clock-change tag.
    "<td>scheduled",
    ">guiding questions</option>",
    "<td>Tue ",
    ">invited</option>",
    "<td>registered (by time zone)</td>",
    "<td>registered · ",
    "<td>pending</td>",
    ">awaiting approval</option>",
];

async fn organizer_pages_show_statuses_and_weekdays_in_the_pages_language(backend: Backend) {
    // No mail worker: the invitations stay pending in the outbox.
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, csrf) = browser
        .create_webinar("Statuses", &[("AM", "2030-09-24T09:00")])
        .await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::text(sample_csv()).file_name("invitees.csv"),
        );
    let response = browser
        .client
        .post(format!("{base}/invitees"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let webinar = base.rsplit('/').next().unwrap();
    app.register_ok(
        webinar,
        &json!({"name": "Guest", "email": "guest@example.org", "time_zone": "Europe/Paris"}),
    )
    .await;
    let (status, _, _) = browser
        .post(&format!("{base}/invitations"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let pages = ["", "/registrations", "/attendance", "/outbox"];
    let mut english = String::new();
    for page in pages {
        english += &browser.get(&format!("{base}{page}?lang=en")).await.1;
    }
    for needle in ENGLISH_ONLY {
        assert!(english.contains(needle), "the English pages show {needle}");
    }
    for lang in ["es", "fr", "ru", "ar"] {
        for page in pages {
            let (status, text) = browser.get(&format!("{base}{page}?lang={lang}")).await;
            assert_eq!(status, StatusCode::OK);
            for needle in ENGLISH_ONLY {
                assert!(
                    !text.contains(needle),
                    "{page} in {lang} shows {needle} in English"
                );
            }
        }
    }
    let (_, outbox) = browser.get(&format!("{base}/outbox?lang=ar")).await;
    assert!(
        outbox.contains("<td>دعوة</td>") && !outbox.contains("<td>invitation</td>"),
        "{outbox}"
    );
}

async fn a_page_error_is_in_the_visitors_language_and_sets_the_pages_cookies(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, Some(1)).await;
    let browser = Browser::new(&app);
    let (status, page) = browser.get("/r/not-a-token?lang=fr").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("lang=\"fr\""), "{page}");
    assert!(page.contains("n’existe pas"), "{page}");
    // The error page sets the cookies every page sets: the language chosen there is
    // remembered by the next page.
    let (_, page) = browser.get(&format!("/w/{}", w.id)).await;
    assert!(page.contains("lang=\"fr\""), "{page}");
}

async fn the_public_page_shows_sessions_in_the_visitors_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, Some(1)).await;
    let browser = Browser::new(&app);
    let (status, page) = browser.get(&format!("/w/{}?tz=Asia/Tokyo", w.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("High-level webinar on ISCMs"), "{page}");
    assert!(
        page.contains("16:00–18:00") && page.contains("UTC+09:00"),
        "AM in Tokyo time"
    );
    assert!(
        page.contains(&format!(
            "id=\"session-{}\" value=\"{}\" checked",
            w.am, w.am
        )),
        "AM preselected"
    );
    assert!(page.contains("Outside your working hours"), "PM flagged");
    assert!(page.contains("1 seats left") || page.contains("seats left"));
    assert!(
        page.contains("<option value=\"Pacific&#x2f;Apia\">"),
        "a searchable list of zones"
    );
    // Without a zone the page asks the browser (data-zone-known="no"), and a bad id is a 404 page.
    let (_, page) = browser.get(&format!("/w/{}", w.id)).await;
    assert!(page.contains("data-zone-known=\"no\""));
    let (status, page) = browser.get(&format!("/w/{}?tz=Mars/Olympus", w.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("unknown time zone"),
        "an unusable zone is said"
    );
    let (status, page) = browser.get("/w/not-a-webinar").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<html"), "an HTML error page");
    // Mexico City gets PM preselected; once PM is full it is shown as full and AM is picked.
    let (_, page) = browser
        .get(&format!("/w/{}?tz=America/Mexico_City", w.id))
        .await;
    assert!(page.contains(&format!("value=\"{}\" checked", w.pm)));
    app.register_ok(&w.id, &json!({"name": "First", "email": "first@example.org", "time_zone": "UTC", "session_id": w.pm})).await;
    let (_, page) = browser
        .get(&format!("/w/{}?tz=America/Mexico_City", w.id))
        .await;
    assert!(page.contains("Full"));
    assert!(
        page.contains(&format!("value=\"{}\" disabled", w.pm)),
        "a full session cannot be picked"
    );
    assert!(page.contains(&format!("value=\"{}\" checked", w.am)));
}

async fn registering_through_the_form_leads_to_the_manage_page_and_calendar(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let browser = Browser::new(&app);
    let (_, page) = browser.get(&format!("/w/{}?tz=Asia/Tokyo", w.id)).await;
    let (status, page, url) = browser
        .post(
            &format!("/w/{}", w.id),
            &[
                ("csrf", &csrf_of(&page)),
                ("name", "Kenji Sato"),
                ("email", "kenji@example.org"),
                ("organization", "Colombo Process"),
                ("role", "Head of secretariat"),
                ("country", "lk"),
                ("share_in_participant_list", "on"),
                ("language", "en"),
                ("time_zone", "Asia/Tokyo"),
                ("session_id", &w.am),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        url.contains("/r/") && url.ends_with("?done=registered"),
        "{url}"
    );
    assert!(
        page.contains("You are registered") && page.contains("kenji@example.org"),
        "{page}"
    );
    assert!(page.contains("16:00–18:00"));
    assert!(page.contains("https:&#x2f;&#x2f;calendar.google.com"));
    assert!(page.contains("outlook.office.com"));
    let token = url
        .split("/r/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let ics = browser
        .client
        .get(browser.url(&format!("/r/{token}/calendar.ics")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ics.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = ics.text().await.unwrap();
    assert!(
        ics.contains("DTSTART:20300924T070000Z") && ics.contains("UID:registration-"),
        "{ics}"
    );
    // What the form gave for the participant list was kept, and the calendar's place is
    // the personal join link.
    let stored = json_of(
        app.get(&format!("/api/v1/registrations/{token}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["role"], "Head of secretariat");
    assert_eq!(stored["country"], "LK");
    assert_eq!(stored["share_in_participant_list"], true);
    let join = stored["join_link"].as_str().unwrap();
    assert!(
        crate::mail::unfolded(&ics)
            .iter()
            .any(|l| l == &format!("LOCATION:{join}")),
        "{ics}"
    );
    // Bad input comes back on the same form with the message and what was typed.
    let (_, page) = browser.get(&format!("/w/{}?tz=Asia/Tokyo", w.id)).await;
    let (status, page, _) = browser
        .post(
            &format!("/w/{}", w.id),
            &[
                ("csrf", &csrf_of(&page)),
                ("name", "Ana"),
                ("email", "not-an-email"),
                ("time_zone", "Asia/Tokyo"),
                ("session_id", &w.am),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("Please enter a valid email address") && page.contains("value=\"Ana\""),
        "{page}"
    );
    // The problem is told in the page's language; a bad country likewise.
    let (_, page) = browser
        .get(&format!("/w/{}?tz=Asia/Tokyo&lang=fr", w.id))
        .await;
    let (status, page, _) = browser
        .post(
            &format!("/w/{}?lang=fr", w.id),
            &[
                ("csrf", &csrf_of(&page)),
                ("name", "Ana"),
                ("email", "ana@example.org"),
                ("country", "Suisse"),
                ("time_zone", "Asia/Tokyo"),
                ("session_id", &w.am),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("Veuillez indiquer le pays par son code à deux lettres"),
        "{page}"
    );
    // The same email again (back in English): nothing new, and the link goes to the
    // address only.
    let (_, page) = browser
        .get(&format!("/w/{}?tz=Asia/Tokyo&lang=en", w.id))
        .await;
    let (status, page, _) = browser
        .post(
            &format!("/w/{}", w.id),
            &[
                ("csrf", &csrf_of(&page)),
                ("name", "Other"),
                ("email", "KENJI@example.org"),
                ("time_zone", "UTC"),
                ("session_id", &w.pm),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("check your email") && !page.contains(&token),
        "{page}"
    );
}

async fn the_manage_page_switches_and_cancels(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(1), None).await;
    let (_, token) = app
        .register_ok(&w.id, &json!({"name": "Lucía", "email": "lucia@example.org", "time_zone": "America/Mexico_City", "language": "es"}))
        .await;
    let (_, kenji) = app
        .register_ok(&w.id, &json!({"name": "Kenji", "email": "kenji@example.org", "time_zone": "Asia/Tokyo", "session_id": w.am}))
        .await;
    let browser = Browser::new(&app);
    let (status, page) = browser.get(&format!("/r/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("lang=\"es\""), "the registrant's language");
    assert!(page.contains("08:00–10:00"), "PM in Mexico City time");
    // AM has its one seat taken: the refusal is told in Spanish.
    let (status, page, _) = browser
        .post(
            &format!("/r/{token}/switch"),
            &[("csrf", &csrf_of(&page)), ("session_id", &w.am)],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("Esta sesión ya no admite inscripciones"),
        "{page}"
    );
    let freed = app
        .client
        .delete(app.url(&format!("/api/v1/registrations/{kenji}")))
        .send()
        .await
        .unwrap();
    assert_eq!(freed.status(), StatusCode::OK);
    let (status, page, url) = browser
        .post(
            &format!("/r/{token}/switch"),
            &[("csrf", &csrf_of(&page)), ("session_id", &w.am)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(url.ends_with("done=switched"), "{url}");
    assert!(page.contains("01:00–03:00"), "{page}");
    let (status, page, url) = browser
        .post(&format!("/r/{token}/cancel"), &[("csrf", &csrf_of(&page))])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(url.ends_with("done=cancelled"));
    assert!(page.contains("status-cancelled"));
    let mine = json_of(
        app.get(&format!("/api/v1/registrations/{token}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["status"], "cancelled");
    let (status, _) = browser.get("/r/not-a-token").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn forms_without_the_right_csrf_token_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let browser = Browser::new(&app);
    browser.get(&format!("/w/{}?tz=UTC", w.id)).await;
    let fields = [
        ("name", "Mallory"),
        ("email", "mallory@example.org"),
        ("time_zone", "UTC"),
        ("session_id", w.am.as_str()),
    ];
    let (status, page, _) = browser.post(&format!("/w/{}", w.id), &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(
        page.contains("This form has expired. Please reload the page"),
        "{page}"
    );
    let mut forged = fields.to_vec();
    forged.push(("csrf", "forged-token-forged-token-forged-token"));
    let (status, _, _) = browser.post(&format!("/w/{}", w.id), &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stranger = Browser::new(&app);
    let (status, _, _) = stranger
        .post(
            "/organizer/sign-in",
            &[("email", "a@b.org"), ("password", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list, json!([]), "nothing was registered");
}

async fn hostile_names_are_escaped_and_arabic_is_right_to_left(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app
        .create_webinar(&json!({"title": "<script>alert('x')</script> ISCM", "description": "<b>bold</b>", "languages": ["ar", "en"],
            "sessions": [{"label": "<i>AM</i>", "starts_at": AM_START, "duration_minutes": 60}]}))
        .await;
    let id = w["id"].as_str().unwrap();
    let (_, token) = app.register_ok(id, &json!({"name": "<img src=x onerror=alert(1)> مريم", "email": "m@example.org", "time_zone": "Asia/Dubai"})).await;
    let browser = Browser::new(&app);
    let (_, page) = browser.get(&format!("/w/{id}?tz=Asia/Dubai")).await;
    assert!(
        !page.contains("<script>alert") && page.contains("&lt;script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<b>bold</b>") && !page.contains("<i>AM</i>"));
    assert!(
        page.contains("dir=\"rtl\"") && page.contains("lang=\"ar\""),
        "the webinar's first language is Arabic"
    );
    let (_, page) = browser.get(&format!("/r/{token}")).await;
    assert!(
        !page.contains("<img src=x") && page.contains("&lt;img src=x") && page.contains("مريم")
    );
    // The switcher wins over the stored language, and is remembered.
    let (_, page) = browser.get(&format!("/r/{token}?lang=en")).await;
    assert!(page.contains("lang=\"en\"") && page.contains("dir=\"ltr\""));
    let (_, page) = browser.get(&format!("/w/{id}?tz=UTC")).await;
    assert!(
        page.contains("lang=\"en\""),
        "the choice is kept in a cookie"
    );
    // Accept-Language picks the language of a first visit.
    let spanish = app
        .client
        .get(app.url(&format!("/w/{id}?tz=UTC")))
        .header("accept-language", "es-AR,es;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let page = spanish.text().await.unwrap();
    assert!(
        page.contains("lang=\"es\"") && page.contains("Inscribirse")
            || page.contains("lang=\"es\""),
        "{page}"
    );
}

async fn organizer_pages_need_a_signed_in_organizer(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let stranger = Browser::new(&app);
    for path in [
        "/organizer".to_string(),
        format!("/organizer/webinars/{}", w.id),
        format!("/organizer/webinars/{}/invitees", w.id),
    ] {
        let response = stranger
            .client
            .get(stranger.url(&path))
            .send()
            .await
            .unwrap();
        assert!(
            response.url().path().ends_with("/organizer/sign-in"),
            "{path} must ask to sign in"
        );
    }
    let (_, page) = stranger.get("/organizer/sign-in").await;
    let (status, page, _) = stranger
        .post(
            "/organizer/sign-in",
            &[
                ("csrf", &csrf_of(&page)),
                ("email", "nobody@example.org"),
                ("password", "wrong password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("wrong email or password"));
    // A signed-in organizer sees only their own webinars.
    let other = Browser::new(&app);
    other.sign_in(&app).await;
    let (status, _) = other.get(&format!("/organizer/webinars/{}", w.id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The organizer's pages speak the five languages too.
    let (_, page) = other.get("/organizer?lang=ar").await;
    assert!(
        page.contains("dir=\"rtl\"") && page.contains("ندوة إلكترونية جديدة"),
        "{page}"
    );
    let (_, page) = other.get("/organizer?lang=fr").await;
    assert!(page.contains("Nouveau webinaire"));
    // Signing out ends the session.
    let (_, page) = other.get("/organizer").await;
    other
        .post("/organizer/sign-out", &[("csrf", &csrf_of(&page))])
        .await;
    let response = other
        .client
        .get(other.url("/organizer"))
        .send()
        .await
        .unwrap();
    assert!(response.url().path().ends_with("/organizer/sign-in"));
    // A password link works once.
    let (_, link) = app.password_link().await;
    let (_, page) = stranger.get(&link).await;
    let fields = [
        ("csrf", csrf_of(&page)),
        ("password", "short".into()),
        ("repeat", "short".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page, _) = stranger.post(&link, &fields).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("at least 10 characters"));
}

async fn organizer_sets_up_the_model_case_and_sends_invitations(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (_, page) = browser.get("/organizer").await;
    let csrf = csrf_of(&page);
    let (status, page, url) = browser
        .post(
            "/organizer/webinars",
            &[
                ("csrf", &csrf),
                ("title", "ISCM high-level webinar"),
                ("description", "Agenda"),
                ("languages", "en"),
                ("languages", "es"),
                ("languages", "ar"),
                ("time_zone", "Europe/Zurich"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let base = url.trim_end_matches('/').to_string();
    // Times are entered in the organizer's zone: 09:00 in Zurich in September is 07:00 UTC.
    for (label, local) in [("AM", "2030-09-24T09:00"), ("PM", "2030-09-24T16:00")] {
        let (status, page, _) = browser
            .post(
                &format!("{base}/sessions"),
                &[
                    ("csrf", &csrf),
                    ("label", label),
                    ("starts_local", local),
                    ("duration_minutes", "120"),
                    ("capacity", ""),
                    ("join_url", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
    }
    let (_, page) = browser.get(&base).await;
    assert!(
        page.contains("2030-09-24 07:00–09:00 UTC") && page.contains("2030-09-24 14:00–16:00 UTC"),
        "{page}"
    );
    // A start that does not exist (spring forward) is refused with a message.
    let (status, page, _) = browser
        .post(
            &format!("{base}/sessions"),
            &[
                ("csrf", &csrf),
                ("label", "Gap"),
                ("starts_local", "2030-03-31T02:30"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("does not exist"), "{page}");

    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::text(format!("{}bad,row,,,,Mars/Base,en\n", sample_csv()))
                .file_name("iscm-invitees.csv"),
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
    assert!(
        page.contains("24 imported, 0 updated, 1 with errors"),
        "{page}"
    );
    assert!(page.contains("<td>26</td>"), "the bad line is named");
    let (_, page) = browser.get(&format!("{base}/coverage")).await;
    assert!(
        page.contains("<svg") && page.contains("of <strong>24</strong> invitees"),
        "{page}"
    );
    let (_, page) = browser.get(&format!("{base}/invitations")).await;
    assert!(page.contains("<strong>24</strong> invitees have not been invited"));
    let (status, page, url) = browser
        .post(&format!("{base}/invitations"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        url.contains("/outbox?queued=24") && page.contains("24 invitations queued"),
        "{url}"
    );
    let (_, page) = browser.get(&format!("{base}/registrations")).await;
    assert_eq!(page.matches("/move\"").count(), 24);
    let (_, page) = browser.get(&format!("{base}/invitations")).await;
    assert!(page.contains("Every invitee has been invited"));
}

on_both_databases!(organizer_manages_sessions_invitees_documents_and_registrations_in_the_pages);

async fn organizer_manages_sessions_invitees_documents_and_registrations_in_the_pages(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    // The browser's organizer owns a webinar made through the pages.
    let (base, csrf) = browser
        .create_webinar(
            "Pages webinar",
            &[("AM", "2030-09-24T07:00"), ("PM", "2030-09-24T14:00")],
        )
        .await;
    let id = base.rsplit('/').next().unwrap().to_string();
    let webinar = json_of(
        app.get(&format!("/api/v1/webinars/{id}")).await,
        StatusCode::OK,
    )
    .await;
    let (am, pm) = (
        webinar["sessions"][0]["id"].as_str().unwrap().to_string(),
        webinar["sessions"][1]["id"].as_str().unwrap().to_string(),
    );

    // Move the AM session, limit it, name a chair, then cancel PM.
    let (status, page, _) = browser
        .post(
            &format!("{base}/sessions/{am}"),
            &[
                ("csrf", &csrf),
                ("label", "Morning"),
                ("starts_local", "2030-09-24T06:30"),
                ("duration_minutes", "90"),
                ("capacity", "40"),
                ("join_url", "https://meet.example.org/m"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("2030-09-24 06:30–08:00 UTC") && page.contains("Morning"));
    let (_, page, _) = browser
        .post(
            &format!("{base}/sessions/{am}/chairs"),
            &[
                ("csrf", &csrf),
                ("name", "Chair, Bali Process"),
                ("email", "cochair@bali-process.example.org"),
                ("time_zone", "Australia/Sydney"),
                ("language", "en"),
            ],
        )
        .await;
    assert!(
        page.contains("Chair, Bali Process &lt;cochair@bali-process.example.org&gt;"),
        "{page}"
    );
    let (status, page, _) = browser
        .post(
            &format!("{base}/sessions/{pm}/chairs"),
            &[("csrf", &csrf), ("name", "X"), ("email", "bad")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("not a valid email address"));

    // Documents through the page: a link.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("title", "Agenda")
        .text("kind", "agenda")
        .text("language", "en")
        .text("url", "https://docs.example.org/agenda.pdf");
    let page = browser
        .client
        .post(format!("{base}/materials"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("docs.example.org&#x2f;agenda.pdf"), "{page}");
    let material = json_of(
        app.get(&format!("/api/v1/webinars/{id}/materials")).await,
        StatusCode::OK,
    )
    .await;
    let material_id = material[0]["id"].as_str().unwrap();
    browser
        .post(
            &format!("{base}/materials/{material_id}/remove"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        json_of(
            app.get(&format!("/api/v1/webinars/{id}/materials")).await,
            StatusCode::OK
        )
        .await,
        json!([])
    );

    // Invitees: upload, edit (a taken email is refused), remove.
    let csv = "name,email,organization,role,country,time_zone,language\nAna,ana@example.org,Org A,Chair,MX,America/Mexico_City,es\nKen,ken@example.org,Org B,Chair,JP,Asia/Tokyo,en\n";
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::text(csv).file_name("i.csv"),
        );
    let page = browser
        .client
        .post(format!("{base}/invitees"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("2 imported"));
    let invitees = json_of(
        app.client
            .get(app.url(&format!("/api/v1/webinars/{id}/invitees")))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(invitees["error"].is_string());
    let row = page
        .split("<tr>")
        .find(|row| row.contains("ken@example.org"))
        .unwrap();
    let ken = page_id(row, "/invitees/");
    let (_, form_page) = browser.get(&format!("{base}/invitees/{ken}")).await;
    assert!(form_page.contains("value=\"Ken\""), "{form_page}");
    let (status, page, _) = browser
        .post(
            &format!("{base}/invitees/{ken}"),
            &[
                ("csrf", &csrf),
                ("name", "Renamed"),
                ("email", "ana@example.org"),
                ("time_zone", "Asia/Tokyo"),
                ("language", "en"),
            ],
        )
        .await;
    // The form comes back with the problem, answered with the problem's own status.
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("another invitee has the email"), "{page}");
    let (status, page, _) = browser
        .post(
            &format!("{base}/invitees/{ken}"),
            &[
                ("csrf", &csrf),
                ("name", "Renamed"),
                ("email", "renamed@example.org"),
                ("time_zone", "Asia/Tokyo"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Renamed"));
    browser
        .post(&format!("{base}/invitees/{ken}/remove"), &[("csrf", &csrf)])
        .await;
    let (_, page) = browser.get(&format!("{base}/invitees")).await;
    assert!(!page.contains("Renamed") && page.contains("Ana"));

    // Registrations: filter, search and move; the outbox lists every email.
    app.register(
        &id,
        &json!({"name": "Walk-in", "email": "walkin@example.org", "time_zone": "Asia/Tokyo"}),
    )
    .await;
    let (_, page) = browser.get(&format!("{base}/registrations?q=walk")).await;
    assert!(page.contains("Walk-in"));
    let (_, page) = browser
        .get(&format!("{base}/registrations?status=cancelled"))
        .await;
    assert!(!page.contains("Walk-in"));
    let registration = page_id(
        &browser.get(&format!("{base}/registrations")).await.1,
        "/registrations/",
    );
    let (status, page, _) = browser
        .post(
            &format!("{base}/registrations/{registration}/move"),
            &[("csrf", &csrf), ("session_id", &pm)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, _) = browser
        .post(&format!("{base}/sessions/{pm}/cancel"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = browser
        .get(&format!("{base}/registrations?status=cancelled"))
        .await;
    assert!(
        page.contains("Walk-in"),
        "moved to PM, then cancelled with it"
    );
    let (_, page) = browser.get(&format!("{base}/outbox")).await;
    assert!(
        page.contains("<td>session cancelled</td>") && page.contains("<td>chair invitation</td>"),
        "{page}"
    );
}

/// The first id in the page that follows `marker` in a link.
fn page_id(page: &str, marker: &str) -> String {
    page.split(marker)
        .skip(1)
        .filter_map(|s| s.split(['/', '"']).next())
        .find(|s| s.len() == 36)
        .unwrap()
        .to_string()
}
