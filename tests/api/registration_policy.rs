//! Who may register: `open` (anyone), `invitees_only`, and `approval` (pending until an
//! organizer approves or declines, each step emailed in the person's language).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    an_invitation_only_webinar_refuses_strangers_and_stores_nothing,
    an_approval_webinar_holds_registrations_until_the_organizer_decides,
    organizers_decide_in_bulk_on_the_registrations_page,
);

async fn set_policy(app: &TestApp, webinar: &str, policy: &str) -> Response {
    app.organizer(
        Method::PATCH,
        &format!("/api/v1/webinars/{webinar}"),
        Some(&json!({ "registration_policy": policy })),
    )
    .await
}

use reqwest::Response;

async fn registrations(app: &TestApp, webinar: &str) -> Vec<Value> {
    json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{webinar}/registrations"))
            .await,
        StatusCode::OK,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

async fn seats_left(app: &TestApp, webinar: &str) -> Value {
    json_of(
        app.get(&format!("/api/v1/webinars/{webinar}")).await,
        StatusCode::OK,
    )
    .await["sessions"][0]["seats_left"]
        .clone()
}

async fn an_invitation_only_webinar_refuses_strangers_and_stores_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    assert_error(
        set_policy(&app, &w.id, "members").await,
        StatusCode::BAD_REQUEST,
        "registration_policy must be",
    )
    .await;
    let updated = json_of(
        set_policy(&app, &w.id, "invitees_only").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["registration_policy"], "invitees_only");
    let csv = "name,email,organization,role,country,time_zone,language\n\
        Lucía Fernández,lucia@example.mx,Puebla Process,Chair,MX,America/Mexico_City,es\n";
    json_of(app.import_csv(&w.id, csv).await, StatusCode::OK).await;
    assert_error(
        app.register(
            &w.id,
            &json!({"name": "Bot", "email": "bot@example.net", "time_zone": "UTC"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "by invitation only",
    )
    .await;
    // The registration page says so in the visitor's language, and stores nothing either.
    let browser = Browser::new(&app);
    let (_, page) = browser.get(&format!("/w/{}?lang=fr", w.id)).await;
    let (status, page, _) = browser
        .post(
            &format!("/w/{}", w.id),
            &[
                ("csrf", &csrf_of(&page)),
                ("name", "Bot"),
                ("email", "bot2@example.net"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("sur invitation uniquement"), "{page}");
    assert!(registrations(&app, &w.id).await.is_empty());
    assert!(app.mailed(&w.id).await.is_empty());
    // The invitee is welcome: their invitation goes to their address.
    let (r, _) = app
        .invitee_registers(&w.id, &json!({"name": "Lucía", "email": "lucia@example.mx", "time_zone": "America/Mexico_City"}))
        .await;
    assert_eq!(r["status"], "registered");
}

async fn an_approval_webinar_holds_registrations_until_the_organizer_decides(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(1), None).await;
    json_of(set_policy(&app, &w.id, "approval").await, StatusCode::OK).await;
    let ask = |name: &str, email: &str, language: &str| json!({"name": name, "email": email, "time_zone": "Europe/Paris", "language": language, "session_id": w.am});
    let (first, token) = app
        .register_ok(&w.id, &ask("Anne", "anne@example.fr", "fr"))
        .await;
    assert_eq!(first["status"], "pending");
    let (second, _) = app
        .register_ok(&w.id, &ask("Boris", "boris@example.ru", "ru"))
        .await;
    let (third, _) = app
        .register_ok(&w.id, &ask("Carla", "carla@example.es", "es"))
        .await;
    // Pending registrations hold no seat: three wait for the one AM seat.
    assert_eq!(seats_left(&app, &w.id).await, 1);
    let mails = app.mailed(&w.id).await;
    assert_eq!(mails.len(), 3);
    let anne = mails.iter().find(|m| m.to == "anne@example.fr").unwrap();
    assert!(
        anne.subject.contains("Inscription reçue"),
        "{}",
        anne.subject
    );
    assert!(anne.calendar.is_none(), "no calendar before approval");
    assert!(
        anne.text.contains(&token),
        "the person can withdraw with their link"
    );
    assert!(!anne.text.contains("/j/"), "no join link before approval");
    // The manage page says it waits.
    let (_, page) = Browser::new(&app).get(&format!("/r/{token}?lang=en")).await;
    assert!(page.contains("Waiting for the organizers"), "{page}");

    let approved = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/registrations/approve", w.id),
            Some(&json!({ "registration_ids": [first["id"], second["id"]] })),
        )
        .await;
    let report = json_of(approved, StatusCode::OK).await;
    assert_eq!(report["decided"], json!([first["id"]]));
    assert_eq!(report["skipped"][0]["registration_id"], second["id"]);
    assert!(
        report["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("full"),
        "{report}"
    );
    assert_eq!(seats_left(&app, &w.id).await, 0);
    let declined = json_of(
        app.organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/registrations/decline", w.id),
            Some(&json!({ "registration_ids": [third["id"], first["id"]] })),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(declined["decided"], json!([third["id"]]));
    assert!(
        declined["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("registered")
    );
    let mails = app.mailed(&w.id).await;
    assert_eq!(mails.len(), 5);
    let confirmed = mails
        .iter()
        .rev()
        .find(|m| m.to == "anne@example.fr")
        .unwrap();
    assert!(
        confirmed.subject.contains("confirmée"),
        "{}",
        confirmed.subject
    );
    assert_eq!(confirmed.method_param.as_deref(), Some("REQUEST"));
    let regret = mails
        .iter()
        .rev()
        .find(|m| m.to == "carla@example.es")
        .unwrap();
    assert!(
        regret.subject.contains("no confirmada"),
        "{}",
        regret.subject
    );
    assert!(regret.calendar.is_none());
    let statuses: Vec<_> = registrations(&app, &w.id)
        .await
        .iter()
        .map(|r| {
            (
                r["email"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(statuses.contains(&("anne@example.fr".into(), "registered".into())));
    assert!(statuses.contains(&("boris@example.ru".into(), "pending".into())));
    assert!(statuses.contains(&("carla@example.es".into(), "declined".into())));
    // Outsiders cannot decide, and a malformed body is refused.
    let other = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{}/registrations/approve", w.id)))
        .json(&json!({ "registration_ids": [second["id"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
    let bad = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/registrations/approve", w.id),
            Some(&json!({ "registration_ids": ["nope"] })),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn organizers_decide_in_bulk_on_the_registrations_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    // The webinar and its policy are set on the pages.
    let (base, csrf) = browser
        .create_webinar("By approval", &[("AM", "2030-09-24T07:00")])
        .await;
    let webinar = base.rsplit('/').next().unwrap().to_string();
    let (status, page, _) = browser
        .post(
            &base,
            &[
                ("csrf", &csrf),
                ("title", "By approval"),
                ("languages", "en"),
                ("time_zone", "UTC"),
                ("registration_policy", "approval"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let w = json_of(
        app.get(&format!("/api/v1/webinars/{webinar}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(w["registration_policy"], "approval");
    let mut ids = Vec::new();
    for n in 0..3 {
        let (r, _) = app
            .register_ok(&webinar, &json!({"name": format!("Person {n}"), "email": format!("p{n}@example.org"), "time_zone": "Europe/Paris"}))
            .await;
        assert_eq!(r["status"], "pending");
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    let path = format!("{base}/registrations");
    let (_, page) = browser.get(&path).await;
    assert!(page.contains("Approve selected"), "{page}");
    let (status, page, url) = browser
        .post(
            &format!("{path}/decide"),
            &[
                ("csrf", &csrf_of(&page)),
                ("registration", &ids[0]),
                ("registration", &ids[2]),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.contains("status=pending"), "{url}");
    let (_, page) = browser.get(&format!("{path}?status=registered")).await;
    for (n, id) in ids.iter().enumerate() {
        let shown = page.contains(&format!("Person {n}"));
        assert_eq!(shown, *id != ids[1], "person {n} approved: {page}");
    }
}
