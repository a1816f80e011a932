//! Co-organizers with roles, and the audit trail of what they change.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    every_write_route_refuses_a_viewer_and_hides_from_strangers,
    owners_add_existing_organizers_at_once_and_invite_unknown_addresses,
    the_last_owner_can_neither_leave_nor_be_demoted,
    personal_data_needs_the_grant_and_its_download_is_audited,
    changes_are_audited_with_who_and_what_and_failed_ones_leave_no_row,
    sign_ins_and_failed_ones_are_in_the_account_trail,
    the_team_pages_add_members_and_show_the_trail,
    every_organizer_page_form_refuses_a_viewer,
);

/// Another organizer account with an API token: (email, token).
async fn another_organizer(app: &TestApp, name: &str) -> (String, String) {
    let email = format!("{name}-{}@iom.example.org", uuid::Uuid::new_v4().simple());
    let lines = meridian::cli::create_organizer(&app.settings, &email, name)
        .await
        .unwrap();
    (email, lines.last().unwrap().trim().to_string())
}

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let request = app.client.request(method, app.url(path)).bearer_auth(token);
    let request = match body {
        Some(body) => request.json(body),
        None => request,
    };
    request.send().await.unwrap()
}

async fn add_member(app: &TestApp, webinar: &str, email: &str, role: &str) -> Value {
    let response = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{webinar}/members"),
            Some(&json!({"email": email, "role": role})),
        )
        .await;
    json_of(response, StatusCode::CREATED).await
}

async fn audit(app: &TestApp, webinar: &str) -> Vec<Value> {
    let response = app
        .get_as_organizer(&format!("/api/v1/webinars/{webinar}/audit"))
        .await;
    json_of(response, StatusCode::OK)
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn every_write_route_refuses_a_viewer_and_hides_from_strangers(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(10), None).await;
    let (viewer_email, viewer) = another_organizer(&app, "viewer").await;
    let (_, stranger) = another_organizer(&app, "stranger").await;
    add_member(&app, &w.id, &viewer_email, "viewer").await;

    // Every operation of the document on one webinar, as the router serves it
    // (tests/api/openapi.rs checks that the document lists every routed operation).
    let doc = json_of(app.get("/api/openapi.json").await, StatusCode::OK).await;
    let mut writes = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/webinars/{id}") {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            let concrete: String = path
                .split('/')
                .map(|part| match part {
                    "{id}" => w.id.clone(),
                    "{session_id}" | "{session}" => w.am.clone(),
                    // The outbox's messages are numbered, inbound ones have UUIDs.
                    "{message}" if !path.contains("/inbound/") => "1".into(),
                    p if p.starts_with('{') => "00000000-0000-4000-8000-000000000000".into(),
                    other => other.into(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let method: Method = method.to_uppercase().parse().unwrap();
            // A body that every extractor takes (the fields the routes require, unknown
            // ones ignored), so the role is what decides.
            let body = json!({
                "name": "Someone", "email": "someone@example.org", "registration_ids": [],
                "attended": true, "role": "viewer", "title": "T",
                "registration_email": "someone@example.org"
            });
            // Public routes (the registration page's data, registering) are anyone's.
            let public = operation["security"].as_array().is_none_or(|s| {
                s.is_empty()
                    || s.iter()
                        .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
            });
            if public {
                continue;
            }
            let as_stranger = call(&app, &stranger, method.clone(), &concrete, Some(&body)).await;
            assert_eq!(
                as_stranger.status(),
                StatusCode::NOT_FOUND,
                "{method} {concrete} as a non-member"
            );
            if method == Method::GET {
                continue;
            }
            writes += 1;
            let response = call(&app, &viewer, method.clone(), &concrete, Some(&body)).await;
            let status = response.status();
            let text = response.text().await.unwrap();
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{method} {concrete} as a viewer: {text}"
            );
            assert!(text.contains("viewer"), "{text}");
        }
    }
    assert!(writes >= 20, "only {writes} write operations walked");
    // Nothing changed: the webinar is as it was, and the trail holds only its creation
    // and the viewer's addition.
    let actions: Vec<String> = audit(&app, &w.id)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["member.added", "webinar.created"]);
    // The viewer reads.
    let read = call(
        &app,
        &viewer,
        Method::GET,
        &format!("/api/v1/webinars/{}/registrations", w.id),
        None,
    )
    .await;
    assert_eq!(read.status(), StatusCode::OK);
    let mine = call(&app, &viewer, Method::GET, "/api/v1/webinars", None).await;
    let mine = json_of(mine, StatusCode::OK).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

async fn owners_add_existing_organizers_at_once_and_invite_unknown_addresses(backend: Backend) {
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let w = app.model_webinar(None, None).await;
    let (colleague_email, colleague) = another_organizer(&app, "colleague").await;
    let member = add_member(&app, &w.id, &colleague_email.to_uppercase(), "organizer").await;
    assert_eq!(member["role"], "organizer");
    assert_eq!(
        member["has_account"], false,
        "the CLI account has no password yet"
    );
    // The colleague works on the webinar at once.
    let patch = call(
        &app,
        &colleague,
        Method::PATCH,
        &format!("/api/v1/webinars/{}", w.id),
        Some(&json!({"title": "Renamed by the colleague"})),
    )
    .await;
    assert_eq!(
        patch.status(),
        StatusCode::OK,
        "{}",
        patch.text().await.unwrap()
    );
    // But cannot manage the members.
    let refused = call(
        &app,
        &colleague,
        Method::POST,
        &format!("/api/v1/webinars/{}/members", w.id),
        Some(&json!({"email": "x@example.org", "role": "viewer"})),
    )
    .await;
    assert_error(refused, StatusCode::FORBIDDEN, "only an owner").await;
    // The same address twice is a conflict.
    let again = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/members", w.id),
            Some(&json!({"email": colleague_email, "role": "viewer"})),
        )
        .await;
    assert_error(again, StatusCode::CONFLICT, "already").await;
    let bad = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/members", w.id),
            Some(&json!({"email": "assistant@example.org", "role": "admin"})),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "viewer").await;
    app.deliver().await;

    // An unknown address gets an account and an email with a link to set its password.
    let invited = add_member(&app, &w.id, "assistant@example.org", "viewer").await;
    assert_eq!(invited["has_account"], false);
    let mails = app.deliver().await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, "assistant@example.org");
    assert!(
        mail.subject.contains("Renamed by the colleague"),
        "{}",
        mail.subject
    );
    assert!(mail.calendar.is_none());
    let link = mail
        .text
        .split_whitespace()
        .find(|w| w.contains("/organizer/set-password/"))
        .expect("the set-password link")
        .to_string();
    let browser = Browser::new(&app);
    let (status, page) = browser.get(link.trim_start_matches(&app.address)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, _) = browser
        .post(
            link.trim_start_matches(&app.address),
            &[
                ("csrf", &csrf_of(&page)),
                ("password", "correct horse battery"),
                ("repeat", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/members", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let roles: Vec<(&str, &str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["email"].as_str().unwrap(),
                m["role"].as_str().unwrap(),
                m["has_account"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(roles.len(), 3);
    assert_eq!(roles[0].1, "owner");
    assert!(
        roles.contains(&("assistant@example.org", "viewer", true)),
        "{roles:?}"
    );
}

async fn the_last_owner_can_neither_leave_nor_be_demoted(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let members = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/members", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let me = members[0]["id"].as_str().unwrap().to_string();
    let demote = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}/members/{me}", w.id),
            Some(&json!({"role": "organizer"})),
        )
        .await;
    assert_error(demote, StatusCode::CONFLICT, "last owner").await;
    let leave = app
        .organizer(
            Method::DELETE,
            &format!("/api/v1/webinars/{}/members/{me}", w.id),
            None,
        )
        .await;
    assert_error(leave, StatusCode::CONFLICT, "last owner").await;
    // With a second owner, the first may leave; then the webinar is "not found" to them.
    let (other_email, other) = another_organizer(&app, "second-owner").await;
    add_member(&app, &w.id, &other_email, "owner").await;
    let leave = app
        .organizer(
            Method::DELETE,
            &format!("/api/v1/webinars/{}/members/{me}", w.id),
            None,
        )
        .await;
    assert_eq!(leave.status(), StatusCode::NO_CONTENT);
    let gone = app
        .get_as_organizer(&format!("/api/v1/webinars/{}/members", w.id))
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let trail = call(
        &app,
        &other,
        Method::GET,
        &format!("/api/v1/webinars/{}/audit", w.id),
        None,
    )
    .await;
    let trail = json_of(trail, StatusCode::OK).await;
    assert_eq!(trail[0]["action"], "member.removed");
    assert!(trail[0]["summary"].as_str().unwrap().contains("(owner)"));
}

async fn personal_data_needs_the_grant_and_its_download_is_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (viewer_email, viewer) = another_organizer(&app, "viewer").await;
    let member = add_member(&app, &w.id, &viewer_email, "viewer").await;
    assert_eq!(member["personal_data"], false);
    let list = format!("/api/v1/webinars/{}/participants", w.id);
    let refused = call(&app, &viewer, Method::GET, &list, None).await;
    assert_error(refused, StatusCode::FORBIDDEN, "personal data").await;
    let shareable = call(
        &app,
        &viewer,
        Method::GET,
        &format!("{list}?shareable=true"),
        None,
    )
    .await;
    assert_eq!(shareable.status(), StatusCode::OK);
    let granted = app
        .organizer(
            Method::PATCH,
            &format!(
                "/api/v1/webinars/{}/members/{}",
                w.id,
                member["id"].as_str().unwrap()
            ),
            Some(&json!({"personal_data": true})),
        )
        .await;
    assert_eq!(
        json_of(granted, StatusCode::OK).await["personal_data"],
        true
    );
    let full = call(&app, &viewer, Method::GET, &list, None).await;
    assert_eq!(full.status(), StatusCode::OK);
    let trail = audit(&app, &w.id).await;
    assert_eq!(trail[0]["action"], "export.personal_data");
    assert_eq!(trail[0]["actor"], viewer_email.as_str());
    assert_eq!(trail[1]["action"], "member.changed");
    assert!(
        trail[1]["summary"]
            .as_str()
            .unwrap()
            .contains("personal data granted")
    );
}

async fn changes_are_audited_with_who_and_what_and_failed_ones_leave_no_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let before = audit(&app, &w.id).await.len();
    let moved = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am),
            Some(&json!({"starts_at": "2030-09-24T08:00:00Z"})),
        )
        .await;
    assert_eq!(
        moved.status(),
        StatusCode::OK,
        "{}",
        moved.text().await.unwrap()
    );
    let cancelled = app
        .organizer(
            Method::DELETE,
            &format!("/api/v1/webinars/{}/sessions/{}", w.id, w.pm),
            None,
        )
        .await;
    assert!(cancelled.status().is_success());
    // A chair for the cancelled session is refused inside the transaction: no row.
    let refused = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/sessions/{}/chairs", w.id, w.pm),
            Some(&json!({"name": "Chair", "email": "chair@example.org"})),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let trail = audit(&app, &w.id).await;
    assert_eq!(trail.len(), before + 2, "{trail:#?}");
    assert_eq!(trail[0]["action"], "session.cancelled");
    assert_eq!(trail[1]["action"], "session.changed");
    assert!(
        trail[1]["summary"]
            .as_str()
            .unwrap()
            .contains("2030-09-24 08:00"),
        "{trail:#?}"
    );
    assert!(trail[1]["actor"].as_str().unwrap().contains('@'));
    // Filters: by action prefix, by day, and paging.
    let sessions = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/audit?action=session.", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    let none = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/audit?until=2001-01-01", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    let page = app
        .get_as_organizer(&format!("/api/v1/webinars/{}/audit?limit=1", w.id))
        .await;
    assert!(page.headers().get("link").is_some());
    let bad = app
        .get_as_organizer(&format!("/api/v1/webinars/{}/audit?since=yesterday", w.id))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "since").await;
}

async fn sign_ins_and_failed_ones_are_in_the_account_trail(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    let (email, link) = app.password_link().await;
    let (_, page) = browser.get(&link).await;
    browser
        .post(
            &link,
            &[
                ("csrf", &csrf_of(&page)),
                ("password", "correct horse battery"),
                ("repeat", "correct horse battery"),
            ],
        )
        .await;
    for password in ["wrong password!!", "correct horse battery"] {
        let (_, page) = browser.get("/organizer/sign-in").await;
        browser
            .post(
                "/organizer/sign-in",
                &[
                    ("csrf", &csrf_of(&page)),
                    ("email", &email),
                    ("password", password),
                ],
            )
            .await;
    }
    let token = meridian::cli::create_token(&app.settings, &email, "test")
        .await
        .unwrap()
        .pop()
        .unwrap();
    let trail = call(&app, &token, Method::GET, "/api/v1/account/audit", None).await;
    let trail = json_of(trail, StatusCode::OK).await;
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "account.token_created",
            "account.signed_in",
            "account.sign_in_failed"
        ]
    );
    assert!(trail[2]["summary"].as_str().unwrap().contains("127.0.0.1"));
    // The account page shows the same, in words.
    let (_, page) = browser.get("/organizer/account").await;
    assert!(page.contains("failed sign-in"), "{page}");
    assert!(page.contains("API token created"), "{page}");
}

/// The team page: the owner adds a viewer by email in the browser's form; the viewer,
/// signed in, sees the page read-only and the audit trail is refused to them.
async fn the_team_pages_add_members_and_show_the_trail(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = Browser::new(&app);
    owner.sign_in(&app).await;
    let (webinar, _) = owner
        .create_webinar("Team webinar", &[("AM", "2030-09-24T09:00")])
        .await;
    let viewer = Browser::new(&app);
    viewer.sign_in(&app).await;
    let (_, account) = viewer.get("/organizer/account").await;
    assert!(account.contains("signed in from 127.0.0.1"), "{account}");

    let members_url = format!("{webinar}/members");
    let (status, page) = owner.get(&members_url).await;
    assert_eq!(status, StatusCode::OK);
    let (status, page, _) = owner
        .post(
            &members_url,
            &[
                ("csrf", &csrf_of(&page)),
                ("email", "not an address"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("role=\"alert\""), "{page}");
    let (status, page, url) = owner
        .post(
            &members_url,
            &[
                ("csrf", &csrf_of(&page)),
                ("email", "reader@example.org"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.ends_with("/members"), "{url}");
    assert!(page.contains("reader@example.org"), "{page}");
    let (status, trail) = owner.get(&format!("{webinar}/audit?action=member.")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        trail.contains("added reader@example.org as viewer"),
        "{trail}"
    );
    assert!(
        !trail.contains("webinar.created"),
        "the filter keeps member events only"
    );
    // A stranger's browser gets "not found" for the team page.
    let (status, _) = viewer.get(&members_url).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Every POST route of the organizer pages on one webinar (read from the `.route(` calls
/// of src/routes/pages), as a signed-in viewer with a valid CSRF token: 403.
async fn every_organizer_page_form_refuses_a_viewer(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(10), None).await;
    let viewer = Browser::new(&app);
    let email = viewer.sign_in(&app).await;
    add_member(&app, &w.id, &email, "viewer").await;
    let (_, page) = viewer.get("/organizer").await;
    let csrf = csrf_of(&page);
    let mut walked = 0;
    for file in ["organizer/mod.rs", "attendance.rs"] {
        let source = std::fs::read_to_string(format!(
            "{}/src/routes/pages/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        for call in source.split(".route(").skip(1) {
            let path = call.split('"').nth(1).unwrap();
            let mut depth = 1;
            let end = call
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(call.len(), |(i, _)| i);
            if !path.starts_with("/organizer/webinars/{id}") || !call[..end].contains("post(") {
                continue;
            }
            let concrete: String = path
                .split('/')
                .map(|part| match part {
                    "{id}" => w.id.clone(),
                    "{session}" => w.am.clone(),
                    // The outbox's messages are numbered, inbound ones have UUIDs.
                    "{message}" if !path.contains("/inbound/") => "1".into(),
                    p if p.starts_with('{') => "00000000-0000-4000-8000-000000000000".into(),
                    other => other.into(),
                })
                .collect::<Vec<_>>()
                .join("/");
            walked += 1;
            // The fields the forms require, so that the role is what decides.
            let fields = [
                ("csrf", csrf.as_str()),
                ("starts_at", "2030-09-24T07:00:00Z"),
                ("duration_minutes", "120"),
            ];
            let (mut status, mut text, _) = viewer.post(&concrete, &fields).await;
            if status != StatusCode::FORBIDDEN {
                // Upload forms read multipart bodies.
                let form = reqwest::multipart::Form::new().text("csrf", csrf.clone());
                let response = viewer
                    .client
                    .post(viewer.url(&concrete))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                status = response.status();
                text = response.text().await.unwrap();
            }
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "POST {path} as a viewer: {text}"
            );
        }
    }
    assert!(walked >= 15, "only {walked} page forms walked");
    let actions: Vec<String> = audit(&app, &w.id)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["member.added", "webinar.created"]);
}
