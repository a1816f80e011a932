//! Organizer sign-in and the protections around it: the failed sign-in lockout, CSRF
//! tokens bound to the session, security headers, ending sessions and revoking tokens.

use std::time::Duration;

use meridian::config::Settings;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, SET_COOKIE};
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    wrong_passwords_lock_the_account_out_even_for_the_right_password,
    the_lockout_ends_and_a_sign_in_clears_the_failures,
    failures_from_one_address_lock_it_out_for_every_account,
    a_csrf_token_works_only_with_the_session_it_was_made_for,
    pages_refuse_framing_and_token_pages_leak_no_referrer_and_are_not_stored,
    a_new_password_signs_out_every_browser,
    api_tokens_are_listed_created_and_revoked_in_the_pages,
    tokens_made_before_the_token_list_keep_working,
);

const PASSWORD: &str = "correct horse battery";

/// An organizer with a password set through their one-time link.
struct PageOrganizer {
    email: String,
    /// Their first API token.
    token: String,
}

async fn organizer_with_password(app: &TestApp) -> PageOrganizer {
    let email = format!("auth-{}@iom.example.org", uuid::Uuid::new_v4().simple());
    let lines = meridian::cli::create_organizer(&app.settings, &email, "Auth Organizer")
        .await
        .unwrap();
    let link = lines
        .iter()
        .find_map(|l| {
            l.split_whitespace()
                .find(|w| w.contains("/organizer/set-password/"))
        })
        .unwrap()
        .to_string();
    set_password(&Browser::new(app), &link, PASSWORD).await;
    PageOrganizer {
        email,
        token: lines.last().unwrap().clone(),
    }
}

async fn set_password(browser: &Browser, link: &str, password: &str) {
    let (_, page) = browser.get(link).await;
    let (status, page, url) = browser
        .post(
            link,
            &[
                ("csrf", &csrf_of(&page)),
                ("password", password),
                ("repeat", password),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.ends_with("/organizer/sign-in"), "{url}");
}

/// Posts the sign-in form, from `address` when given (as a trusted proxy tells it).
async fn sign_in(
    browser: &Browser,
    email: &str,
    password: &str,
    address: Option<&str>,
) -> reqwest::Response {
    let (_, page) = browser.get("/organizer/sign-in").await;
    let mut request = browser.client.post(browser.url("/organizer/sign-in"));
    if let Some(address) = address {
        request = request.header("x-forwarded-for", address);
    }
    request
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

async fn assert_signed_in(response: reqwest::Response) {
    let status = response.status();
    let url = response.url().to_string();
    let page = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.ends_with("/organizer"), "{url}");
}

/// Checks a 429 answer with a clear message; returns its Retry-After in seconds.
async fn assert_locked_out(response: reqwest::Response) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let page = response.text().await.unwrap();
    assert!(page.contains("too many failed sign-ins"), "{page}");
    retry_after
}

fn behind_a_proxy(
    per_account: u32,
    per_address: u32,
    lockout_secs: u64,
) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        s.security.sign_in_failures_per_account = per_account;
        s.security.sign_in_failures_per_address = per_address;
        s.security.sign_in_lockout_secs = lockout_secs;
    }
}

async fn wrong_passwords_lock_the_account_out_even_for_the_right_password(backend: Backend) {
    let app = spawn_app_with(backend, behind_a_proxy(3, 0, 3600)).await;
    let organizer = organizer_with_password(&app).await;
    let browser = Browser::new(&app);
    // Changing address does not help: the account itself is counted.
    for address in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let response = sign_in(&browser, &organizer.email, "wrong password", Some(address)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = sign_in(&browser, &organizer.email, PASSWORD, Some("198.51.100.4")).await;
    let retry_after = assert_locked_out(response).await;
    assert!((1..=3601).contains(&retry_after), "{retry_after}");
    let (_, page) = browser.get("/organizer").await;
    assert!(page.contains("id=\"sign-in\""), "still signed out");
    // Other accounts sign in as usual.
    let other = organizer_with_password(&app).await;
    assert_signed_in(sign_in(&browser, &other.email, PASSWORD, Some("203.0.113.1")).await).await;
}

async fn the_lockout_ends_and_a_sign_in_clears_the_failures(backend: Backend) {
    let app = spawn_app_with(backend, behind_a_proxy(2, 0, 1)).await;
    let organizer = organizer_with_password(&app).await;
    let browser = Browser::new(&app);
    for _ in 0..2 {
        let response = sign_in(&browser, &organizer.email, "wrong password", None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let retry_after =
        assert_locked_out(sign_in(&browser, &organizer.email, PASSWORD, None).await).await;
    // Waiting as long as the answer says is enough.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_signed_in(sign_in(&browser, &organizer.email, PASSWORD, None).await).await;
    // The sign-in forgot the failures: one more wrong password is not a lockout.
    let stranger = Browser::new(&app);
    let response = sign_in(&stranger, &organizer.email, "wrong password", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn failures_from_one_address_lock_it_out_for_every_account(backend: Backend) {
    let app = spawn_app_with(backend, behind_a_proxy(100, 3, 3600)).await;
    let organizer = organizer_with_password(&app).await;
    let browser = Browser::new(&app);
    // Guessing at unknown accounts counts like guessing at known ones.
    for n in 0..3 {
        let email = format!("nobody{n}@example.org");
        let response = sign_in(&browser, &email, "wrong password", Some("203.0.113.7")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = sign_in(&browser, &organizer.email, PASSWORD, Some("203.0.113.7")).await;
    assert_locked_out(response).await;
    assert_signed_in(sign_in(&browser, &organizer.email, PASSWORD, Some("198.51.100.9")).await)
        .await;
}

async fn a_csrf_token_works_only_with_the_session_it_was_made_for(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let register = format!("/w/{}", w.id);
    let fields = |csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("name", "Mallory".to_string()),
            ("email", "mallory@example.org".to_string()),
            ("time_zone", "UTC".to_string()),
            ("session_id", w.am.clone()),
        ]
    };
    // A made-up cookie with the same value in the form (double submit) is refused.
    let made_up = "A".repeat(43);
    let response = app
        .client
        .post(app.url(&register))
        .header("cookie", format!("meridian_csrf={made_up}"))
        .form(&fields(&made_up))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A visitor's token does not work in another visitor's browser.
    let alice = Browser::new(&app);
    let (_, page) = alice.get(&format!("{register}?tz=UTC")).await;
    let alices = csrf_of(&page);
    let mallory = Browser::new(&app);
    let (_, page) = mallory.get(&format!("{register}?tz=UTC")).await;
    let (status, _, _) = mallory.post(&register, &pairs(&fields(&alices))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let registrations = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(registrations, json!([]), "nothing was registered");
    let (status, page, url) = mallory
        .post(&register, &pairs(&fields(&csrf_of(&page))))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.contains("/r/"), "her own token works: {url}");
    // A signed-in organizer's token does not work in another organizer's session.
    let (first, second) = (Browser::new(&app), Browser::new(&app));
    for browser in [&first, &second] {
        let organizer = organizer_with_password(&app).await;
        assert_signed_in(sign_in(browser, &organizer.email, PASSWORD, None).await).await;
    }
    let (_, page) = first.get("/organizer/tokens").await;
    let firsts = csrf_of(&page);
    let (status, _, _) = second
        .post(
            "/organizer/tokens",
            &[("csrf", &firsts), ("label", "stolen")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = second.get("/organizer/tokens").await;
    assert!(!page.contains("stolen"));
    let (status, page, _) = second
        .post(
            "/organizer/tokens",
            &[("csrf", &csrf_of(&page)), ("label", "mine")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The value of `name` in the response's headers, or "" without one.
fn header(response: &reqwest::Response, name: impl reqwest::header::AsHeaderName) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn assert_not_framed(response: &reqwest::Response) {
    let path = response.url().path().to_string();
    assert_eq!(header(response, "x-frame-options"), "DENY", "{path}");
    assert!(
        header(response, CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"),
        "{path}"
    );
}

async fn pages_refuse_framing_and_token_pages_leak_no_referrer_and_are_not_stored(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let organizer = organizer_with_password(&app).await;
    let w = app
        .client
        .post(app.url("/api/v1/webinars"))
        .bearer_auth(&organizer.token)
        .json(&json!({"title": "Headers", "languages": ["en"], "sessions": [
            {"label": "AM", "starts_at": AM_START, "duration_minutes": 60, "join_url": "https://meet.example.org/am"}]}))
        .send()
        .await
        .unwrap();
    let w = json_of(w, StatusCode::CREATED).await;
    let id = w["id"].as_str().unwrap();
    let (_, token) = app
        .register_ok(
            id,
            &json!({"name": "Ana", "email": "ana@example.org", "time_zone": "UTC"}),
        )
        .await;
    let manage = app.get(&format!("/r/{token}")).await;
    assert_not_framed(&manage);
    assert_eq!(header(&manage, REFERRER_POLICY), "no-referrer");
    assert_eq!(header(&manage, CACHE_CONTROL), "no-store");
    let page = manage.text().await.unwrap();
    // Links are written HTML-escaped (`/` as `&#x2f;`).
    let join_href = page
        .split('"')
        .find(|part| part.contains("&#x2f;j&#x2f;"))
        .expect("a join link")
        .to_string();
    assert!(
        page.contains(&format!("href=\"{join_href}\" rel=\"noreferrer\"")),
        "{page}"
    );
    let join = join_href.replace("&#x2f;", "/");
    assert!(page.contains("rel=\"noopener noreferrer\" target=\"_blank\""));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let join = no_redirects.get(&join).send().await.unwrap();
    assert_not_framed(&join);
    assert_eq!(header(&join, REFERRER_POLICY), "no-referrer");
    assert_eq!(header(&join, CACHE_CONTROL), "no-store");
    let (_, link) = app.password_link().await;
    let set_password = app.client.get(&link).send().await.unwrap();
    assert_eq!(header(&set_password, REFERRER_POLICY), "no-referrer");
    assert_eq!(header(&set_password, CACHE_CONTROL), "no-store");
    // The public registration page may be cached and has no secret in its address.
    let public = app.get(&format!("/w/{id}")).await;
    assert_not_framed(&public);
    assert_eq!(header(&public, REFERRER_POLICY), "");
    assert_ne!(header(&public, CACHE_CONTROL), "no-store");
    // The organizer's pages and downloads are never stored.
    let browser = Browser::new(&app);
    assert_signed_in(sign_in(&browser, &organizer.email, PASSWORD, None).await).await;
    for path in [
        "/organizer".to_string(),
        format!("/organizer/webinars/{id}/registrations"),
        format!("/organizer/webinars/{id}/participants?format=csv"),
    ] {
        let response = browser.client.get(browser.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_not_framed(&response);
        assert_eq!(header(&response, CACHE_CONTROL), "no-store", "{path}");
    }
}

async fn a_new_password_signs_out_every_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    let organizer = organizer_with_password(&app).await;
    let (laptop, phone) = (Browser::new(&app), Browser::new(&app));
    for browser in [&laptop, &phone] {
        assert_signed_in(sign_in(browser, &organizer.email, PASSWORD, None).await).await;
    }
    let link = meridian::cli::password_link(&app.settings, &organizer.email)
        .await
        .unwrap();
    set_password(&Browser::new(&app), &link, "a brand new passphrase").await;
    for browser in [&laptop, &phone] {
        let response = browser
            .client
            .get(browser.url("/organizer"))
            .send()
            .await
            .unwrap();
        assert!(
            response.url().path().ends_with("/organizer/sign-in"),
            "the old session ended"
        );
    }
    let response = sign_in(&laptop, &organizer.email, PASSWORD, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_signed_in(sign_in(&laptop, &organizer.email, "a brand new passphrase", None).await)
        .await;
}

async fn api_tokens_are_listed_created_and_revoked_in_the_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let organizer = organizer_with_password(&app).await;
    let browser = Browser::new(&app);
    assert_signed_in(sign_in(&browser, &organizer.email, PASSWORD, None).await).await;
    let api = |token: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/api/v1/webinars"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(api(organizer.token.clone()).await, StatusCode::OK);
    let (_, page) = browser.get("/organizer/tokens").await;
    assert!(page.contains("created with the account"), "{page}");
    let (status, page, url) = browser
        .post(
            "/organizer/tokens",
            &[("csrf", &csrf_of(&page)), ("label", "Nightly export")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.ends_with("/organizer/tokens"));
    let start = page
        .find("id=\"new-token\"")
        .expect("the new token is shown");
    let new_token = page[start..]
        .split("<code dir=\"ltr\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_string();
    assert_eq!(api(new_token.clone()).await, StatusCode::OK);
    // The list shows it, used, and never shows a token again.
    let (_, page) = browser.get("/organizer/tokens").await;
    assert!(page.contains("Nightly export") && !page.contains(&new_token));
    assert!(!page.contains(&organizer.token));
    // Revoking the first token ends it at once; the new one keeps working.
    let revoke = page
        .split('"')
        .find(|part| part.ends_with("/revoke"))
        .expect("a revoke form")
        .to_string();
    let (status, _, _) = browser.post(&revoke, &[("csrf", &csrf_of(&page))]).await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        app.client
            .get(app.url("/api/v1/webinars"))
            .bearer_auth(&organizer.token)
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "revoked",
    )
    .await;
    assert_eq!(api(new_token).await, StatusCode::OK);
    let (_, page) = browser.get("/organizer/tokens").await;
    assert!(!page.contains("created with the account"));
    // Another organizer's token cannot be revoked from here.
    let other = organizer_with_password(&app).await;
    let listed = meridian::cli::list_tokens(&app.settings, &other.email)
        .await
        .unwrap();
    let other_id = listed[1].split('\t').next().unwrap();
    let (status, _, _) = browser
        .post(
            &format!("/organizer/tokens/{other_id}/revoke"),
            &[("csrf", &csrf_of(&page))],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(api(other.token).await, StatusCode::OK);
}

/// A token stored before migration 0009 (one per organizer, no id) still works after it.
async fn tokens_made_before_the_token_list_keep_working(backend: Backend) {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let (settings, postgres_db) = test_settings(&backend, dir.path()).await;
    let folder = if settings.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    let before = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(format!(
        "{}/migrations/{folder}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0009" {
            std::fs::copy(&path, before.path().join(name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(before.path()).await.unwrap();
    let organizer = uuid::Uuid::new_v4();
    let token = "an-old-token-made-before-the-token-list-0123456789";
    let hash = meridian::security::token_hash(token);
    let now = chrono::Utc::now();
    let insert_organizer = "INSERT INTO organizers (id, email, email_key, name, created_at) \
                            VALUES ($1, 'old@iom.example.org', 'old@iom.example.org', 'Old', $2)";
    let insert_token =
        "INSERT INTO api_tokens (token_hash, organizer_id, created_at) VALUES ($1, $2, $3)";
    if settings.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&settings.database.url)
            .await
            .unwrap();
        migrator.run(&mut conn).await.unwrap();
        sqlx::query(insert_organizer)
            .bind(organizer)
            .bind(now)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(insert_token)
            .bind(&hash)
            .bind(organizer)
            .bind(now)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    } else {
        let options: sqlx::sqlite::SqliteConnectOptions = settings.database.url.parse().unwrap();
        let mut conn = sqlx::SqliteConnection::connect_with(&options.create_if_missing(true))
            .await
            .unwrap();
        migrator.run(&mut conn).await.unwrap();
        sqlx::query(insert_organizer)
            .bind(organizer)
            .bind(now)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(insert_token)
            .bind(&hash)
            .bind(organizer)
            .bind(now)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let app = spawn_with(settings, dir, postgres_db).await;
    let response = app
        .client
        .get(app.url("/api/v1/webinars"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let listed = meridian::cli::list_tokens(&app.settings, "old@iom.example.org")
        .await
        .unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(
        !listed[1].ends_with("never"),
        "its use is noted: {listed:?}"
    );
}

/// Over https the cookies carry the `__Host-` prefix, and the plain names count for nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_host_prefixed_when_the_site_is_served_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let (mut settings, _) = test_settings(&Backend::Sqlite, dir.path()).await;
    settings.server.public_url = "https://meridian.example.org".into();
    let app = meridian::startup::App::build(settings.clone())
        .await
        .unwrap();
    let base = format!("http://{}", app.address());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let email = "secure@iom.example.org";
    let lines = meridian::cli::create_organizer(&settings, email, "Secure")
        .await
        .unwrap();
    let link = lines
        .iter()
        .find_map(|l| {
            l.split_whitespace()
                .find(|w| w.contains("/organizer/set-password/"))
        })
        .unwrap()
        .replace("https://meridian.example.org", &base);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let first = client
        .get(format!("{base}/organizer/sign-in"))
        .send()
        .await
        .unwrap();
    let set_cookie = header(&first, SET_COOKIE);
    assert!(
        set_cookie.starts_with("__Host-meridian_csrf="),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("; Secure") && set_cookie.contains("Path=/"));
    assert!(!set_cookie.contains("Domain"));
    let visitor = set_cookie.split(';').next().unwrap().to_string();
    let csrf = csrf_of(&first.text().await.unwrap());
    let response = client
        .post(&link)
        .header("cookie", &visitor)
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", PASSWORD),
            ("repeat", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let form = [
        ("csrf", csrf.as_str()),
        ("email", email),
        ("password", PASSWORD),
    ];
    let plain = visitor.trim_start_matches("__Host-");
    let refused = client
        .post(format!("{base}/organizer/sign-in"))
        .header("cookie", plain)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let signed_in = client
        .post(format!("{base}/organizer/sign-in"))
        .header("cookie", &visitor)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = signed_in
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-meridian_session="))
        .expect("a __Host- session cookie");
    assert!(session.contains("; Secure"));
    let session = session.split(';').next().unwrap();
    let page = client
        .get(format!("{base}/organizer"))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let plain = client
        .get(format!("{base}/organizer"))
        .header("cookie", session.trim_start_matches("__Host-"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        plain.status(),
        StatusCode::SEE_OTHER,
        "the plain name is not a session"
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
