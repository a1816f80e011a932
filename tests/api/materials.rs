//! A webinar's documents: links and uploaded files, in the reader's language.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;
use crate::smtp::SmtpServer;

on_both_databases!(
    documents_are_shown_in_the_readers_language_with_the_others_beside_it,
    an_uploaded_file_is_kept_and_served_safely,
    document_input_is_checked,
);

async fn documents_are_shown_in_the_readers_language_with_the_others_beside_it(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(backend, smtp_to(&smtp.url())).await;
    let w = app.model_webinar(None, None).await;
    let path = format!("/api/v1/webinars/{}/materials", w.id);
    for (language, title) in [
        ("en", "Regional players"),
        ("es", "Actores regionales"),
        ("fr", "Acteurs régionaux"),
    ] {
        let body = json!({"title": title, "kind": "other", "language": language, "document": "regional-players",
            "url": format!("https://docs.example.org/players-{language}.pdf")});
        let created = json_of(
            app.organizer(Method::POST, &path, Some(&body)).await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(created["document"], "regional-players");
    }
    let agenda = json!({"title": "Agenda", "kind": "agenda", "language": "en", "url": "https://docs.example.org/agenda.pdf"});
    json_of(
        app.organizer(Method::POST, &path, Some(&agenda)).await,
        StatusCode::CREATED,
    )
    .await;
    let listed = json_of(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 4, "anyone can list them");
    assert_eq!(listed[3]["document"], "agenda");

    let browser = Browser::new(&app);
    let (_, page) = browser.get(&format!("/w/{}?tz=UTC&lang=es", w.id)).await;
    assert!(
        page.contains(">Actores regionales</a>"),
        "the Spanish version first"
    );
    assert!(
        page.contains(">EN</a> | ") && page.contains(">FR</a>"),
        "the other languages beside it"
    );
    assert!(
        page.contains(">Agenda</a>"),
        "English when there is no Spanish"
    );

    app.register_ok(&w.id, &json!({"name": "Marie", "email": "marie@example.org", "time_zone": "Europe/Paris", "language": "fr"})).await;
    let mail =
        crate::mail::parse(&smtp.wait_for(1, std::time::Duration::from_secs(20)).await[0].data);
    assert!(
        mail.text.contains("Acteurs régionaux") && mail.text.contains("players-fr.pdf"),
        "{}",
        mail.text
    );
    assert!(
        mail.html.contains("players-es.pdf"),
        "the other versions are linked"
    );

    // Replacing a version keeps one per language; removing takes it away.
    let replaced = json!({"title": "Actores regionales (rev.)", "kind": "other", "language": "es", "document": "regional-players", "url": "https://docs.example.org/v2.pdf"});
    let replaced = json_of(
        app.organizer(Method::POST, &path, Some(&replaced)).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK)
            .await
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let removed = app
        .organizer(
            Method::DELETE,
            &format!("{path}/{}", replaced["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK)
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

async fn an_uploaded_file_is_kept_and_served_safely(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let form = reqwest::multipart::Form::new()
        .text("title", "Guiding questions")
        .text("kind", "guiding_questions")
        .text("language", "en")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 questions".to_vec())
                .file_name("../../questions \"final\".pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{}/materials", w.id)))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let created = json_of(response, StatusCode::CREATED).await;
    assert_eq!(
        created["file_name"], "questions final.pdf",
        "no path, no quotes"
    );
    let file = app
        .client
        .get(created["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.headers()["content-security-policy"], "sandbox");
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4 questions");
    let html = reqwest::multipart::Form::new()
        .text("title", "Notes")
        .text("language", "en")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"<script>alert(1)</script>".to_vec())
                .file_name("x.html")
                .mime_str("text/html")
                .unwrap(),
        );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{}/materials", w.id)))
        .bearer_auth(&app.token)
        .multipart(html)
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
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "HTML is downloaded, never shown"
    );
    let (status, _) = Browser::new(&app)
        .get(&format!("/m/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn document_input_is_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let path = format!("/api/v1/webinars/{}/materials", w.id);
    for (body, needle) in [
        (
            json!({"title": "A", "kind": "agenda", "language": "en"}),
            "url or upload",
        ),
        (
            json!({"title": "A", "kind": "minutes", "language": "en", "url": "https://x.org/a"}),
            "unknown kind",
        ),
        (
            json!({"title": "A", "kind": "agenda", "language": "de", "url": "https://x.org/a"}),
            "unknown language",
        ),
        (
            json!({"title": "", "kind": "agenda", "language": "en", "url": "https://x.org/a"}),
            "title",
        ),
        (
            json!({"title": "A", "kind": "agenda", "language": "en", "url": "ftp://x.org/a"}),
            "http",
        ),
        (
            json!({"title": "A", "kind": "agenda", "language": "en", "url": "https://x.org/a", "document": "a b"}),
            "document",
        ),
    ] {
        assert_error(
            app.organizer(Method::POST, &path, Some(&body)).await,
            StatusCode::BAD_REQUEST,
            needle,
        )
        .await;
    }
    let anonymous = app
        .post_json(
            &path,
            &json!({"title": "A", "kind": "agenda", "language": "en", "url": "https://x.org/a"}),
        )
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await,
        json!([])
    );
}
