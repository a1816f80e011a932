//! Test helpers: each test starts the real app on a free port with its own database
//! (a fresh SQLite file, or a fresh PostgreSQL database) and talks to it over HTTP.

use std::io::Write;
use std::sync::OnceLock;

use meridian::config::Settings;
use meridian::startup::App;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// Where PostgreSQL tests create their databases.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// The URL of an existing database to create test databases from.
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL backend, or `None` (announced on stderr) when no server answers.
    /// With `MERIDIAN_REQUIRE_POSTGRES=1` (as in CI) a missing server fails the test instead.
    pub fn postgres() -> Option<Backend> {
        static REACHABLE: OnceLock<bool> = OnceLock::new();
        let url = std::env::var("MERIDIAN_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into());
        let reachable = *REACHABLE.get_or_init(|| reachable(&url));
        if reachable {
            return Some(Backend::Postgres(url));
        }
        if std::env::var_os("MERIDIAN_REQUIRE_POSTGRES").is_some() {
            panic!("PostgreSQL is required (MERIDIAN_REQUIRE_POSTGRES) but {url} does not answer");
        }
        // Written past libtest's capture on purpose, so that the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED on PostgreSQL: no server answers at {url} (set MERIDIAN_TEST_POSTGRES_URL)"
        );
        None
    }
}

fn reachable(url: &str) -> bool {
    let host_port = url
        .split('@')
        .next_back()
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("127.0.0.1:5432");
    use std::net::ToSocketAddrs;
    host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| {
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).is_ok()
        })
}

/// Runs one test body on SQLite and on PostgreSQL, as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(backend) = $crate::helpers::Backend::postgres() {
                    super::$name(backend).await
                }
            }
        }
    )*};
}

pub struct TestApp {
    pub address: String,
    pub settings: Settings,
    pub client: reqwest::Client,
    /// The API token of an organizer created for this test.
    pub token: String,
    pub _dir: tempfile::TempDir,
    /// `http://host:port` of `/metrics`, when `metrics.bind` is set.
    pub metrics_address: Option<String>,
    /// The running app's context, for delivering mail inline (`deliver`).
    ctx: meridian::context::Context,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    postgres_db: Option<(String, String)>,
}

/// Settings for a test: a temporary folder for files, port 0, the given database.
pub async fn test_settings(
    backend: &Backend,
    dir: &std::path::Path,
) -> (Settings, Option<(String, String)>) {
    let mut settings = Settings::defaults();
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    settings.security.secret_file = dir.join("secret.key");
    settings.mail.outbox_dir = dir.join("outbox");
    // Tests register many people from one address; the rate-limit tests turn it on.
    settings.security.rate_limit_per_minute = 0;
    let postgres_db = match backend {
        Backend::Sqlite => {
            settings.database.url = format!("sqlite://{}", dir.join("meridian.db").display());
            None
        }
        Backend::Postgres(admin_url) => {
            let name = format!("meridian_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx_connect(admin_url).await;
            execute(&mut admin, &format!("CREATE DATABASE {name}")).await;
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            settings.database.url = format!("{base}/{name}");
            Some((admin_url.clone(), name))
        }
    };
    (settings, postgres_db)
}

async fn sqlx_connect(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url)
        .await
        .expect("connecting to PostgreSQL")
}

async fn execute(conn: &mut sqlx::PgConnection, sql: &str) {
    sqlx::query(sql).execute(conn).await.expect(sql);
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Starts the app after `adjust` has changed its settings.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (mut settings, postgres_db) = test_settings(&backend, dir.path()).await;
    adjust(&mut settings);
    spawn_with(settings, dir, postgres_db).await
}

/// Settings that deliver over SMTP to `url`, retrying quickly.
pub fn smtp_to(url: &str) -> impl FnOnce(&mut Settings) + use<> {
    let url = url.to_string();
    move |s: &mut Settings| {
        s.mail.transport = meridian::config::MailTransport::Smtp;
        s.mail.smtp_url = url;
        s.mail.from = "IOM Webinars <webinars@iom.example.org>".parse().unwrap();
        s.mail.retry_base_ms = 100;
        s.mail.poll_interval_ms = 50;
    }
}

/// Turns the mail worker off after `adjust`: the test delivers with `TestApp::deliver`.
pub fn inline_delivery(adjust: impl FnOnce(&mut Settings)) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        adjust(s);
        s.mail.worker = false;
    }
}

pub async fn spawn_with(
    mut settings: Settings,
    dir: tempfile::TempDir,
    postgres_db: Option<(String, String)>,
) -> TestApp {
    let app = App::build(settings.clone())
        .await
        .expect("building the app");
    let address = format!("http://{}", app.address());
    let metrics_address = app.metrics_address().map(|a| format!("http://{a}"));
    settings.server.public_url = address.clone();
    let app = app.with_public_url(&address);
    let ctx = app.context();
    // A new organizer per start, so that restarting on the same database works.
    let email = format!(
        "organizer-{}@iom.example.org",
        uuid::Uuid::new_v4().simple()
    );
    let token = meridian::cli::create_organizer(&settings, &email, "Test Organizer")
        .await
        .expect("creating an organizer")
        .pop()
        .unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until(async {
            let _ = stopped.await;
        })
        .await
        .expect("the server runs");
    });
    TestApp {
        address,
        settings,
        client: reqwest::Client::new(),
        token,
        _dir: dir,
        metrics_address,
        ctx,
        stop: Some(stop),
        server: Some(server),
        postgres_db,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some((admin_url, name)) = self.postgres_db.take() {
            // Dropped on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let mut admin = sqlx_connect(&admin_url).await;
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                });
            })
            .join();
        }
    }
}

/// The model case: an AM session at 07:00 UTC and a PM session at 14:00 UTC.
pub struct ModelWebinar {
    pub id: String,
    pub am: String,
    pub pm: String,
}

pub const AM_START: &str = "2030-09-24T07:00:00Z";
pub const PM_START: &str = "2030-09-24T14:00:00Z";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_as_organizer(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn organizer(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        let request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        request.send().await.unwrap()
    }

    pub async fn create_webinar(&self, body: &Value) -> Value {
        let response = self
            .organizer(reqwest::Method::POST, "/api/v1/webinars", Some(body))
            .await;
        json_of(response, StatusCode::CREATED).await
    }

    /// The model case webinar, with optional capacities for AM and PM.
    pub async fn model_webinar(
        &self,
        am_capacity: Option<u32>,
        pm_capacity: Option<u32>,
    ) -> ModelWebinar {
        let w = self
            .create_webinar(&json!({
                "title": "High-level webinar on ISCMs and the GCM regional reviews",
                "languages": ["en", "es", "fr", "ru", "ar"],
                "time_zone": "Europe/Zurich",
                "sessions": [
                    {"label": "AM", "starts_at": AM_START, "duration_minutes": 120, "capacity": am_capacity,
                     "join_url": "https://meet.example.org/am"},
                    {"label": "PM", "starts_at": PM_START, "duration_minutes": 120, "capacity": pm_capacity,
                     "join_url": "https://meet.example.org/pm"}
                ]
            }))
            .await;
        ModelWebinar {
            id: w["id"].as_str().unwrap().to_string(),
            am: w["sessions"][0]["id"].as_str().unwrap().to_string(),
            pm: w["sessions"][1]["id"].as_str().unwrap().to_string(),
        }
    }

    pub async fn register(&self, webinar: &str, body: &Value) -> Response {
        self.post_json(&format!("/api/v1/webinars/{webinar}/registrations"), body)
            .await
    }

    /// Registers and returns the answer and the manage token.
    pub async fn register_ok(&self, webinar: &str, body: &Value) -> (Value, String) {
        let answer = json_of(self.register(webinar, body).await, StatusCode::CREATED).await;
        let url = answer["manage_url"]
            .as_str()
            .expect("a manage_url")
            .to_string();
        let token = url.rsplit('/').next().unwrap().to_string();
        (answer, token)
    }

    /// The webinar's outbox as the organizer sees it.
    pub async fn outbox(&self, webinar: &str) -> Value {
        json_of(
            self.get_as_organizer(&format!("/api/v1/webinars/{webinar}/outbox"))
                .await,
            StatusCode::OK,
        )
        .await
    }

    /// Waits until no message of the webinar is pending, or panics after `seconds`.
    pub async fn wait_outbox_settled(&self, webinar: &str, seconds: u64) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let outbox = self.outbox(webinar).await;
            if outbox
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["status"] != "pending")
            {
                return outbox;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the outbox did not settle: {outbox}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Every email the file transport wrote so far, once the webinar's outbox settled.
    pub async fn mailed(&self, webinar: &str) -> Vec<crate::mail::Mail> {
        self.wait_outbox_settled(webinar, 20).await;
        let mut files: Vec<_> = std::fs::read_dir(&self.settings.mail.outbox_dir)
            .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .map(|p| crate::mail::parse(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }

    /// The running app's context, to call a use case directly (e.g. at a chosen time).
    pub fn context(&self) -> &meridian::context::Context {
        &self.ctx
    }

    /// Delivers every message that is due now, on this task, and returns what was sent
    /// (the app runs with `mail.worker` off, see `inline_delivery`). Once this returns,
    /// nothing more is on its way: an empty answer means nothing more was sent.
    pub async fn deliver(&self) -> Vec<crate::mail::Mail> {
        assert!(
            !self.settings.mail.worker,
            "deliver() needs mail.worker off: the worker would take messages from under it"
        );
        meridian::email::worker::drain(&self.ctx)
            .await
            .expect("delivering the due mail")
            .iter()
            .map(|m| crate::mail::parse(&String::from_utf8_lossy(&m.formatted())))
            .collect()
    }

    /// The manage token in the latest email sent to `to`.
    pub async fn manage_token_mailed_to(&self, webinar: &str, to: &str) -> String {
        let mails = self.mailed(webinar).await;
        let mail = mails
            .iter()
            .rev()
            .find(|m| m.to.eq_ignore_ascii_case(to))
            .unwrap_or_else(|| panic!("no email to {to}"));
        let marker = format!("{}/r/", self.address);
        let start = mail.text.find(&marker).expect("a manage link") + marker.len();
        mail.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// An invitee registers on their own: the API tells them to check their email, the
    /// invitation carries their link, and they confirm the session with it.
    pub async fn invitee_registers(&self, webinar: &str, body: &Value) -> (Value, String) {
        let answer = json_of(self.register(webinar, body).await, StatusCode::ACCEPTED).await;
        assert_eq!(answer, json!({"status": "check your email"}));
        let email = body["email"].as_str().unwrap();
        let token = self.manage_token_mailed_to(webinar, email).await;
        let current = json_of(
            self.get(&format!("/api/v1/registrations/{token}")).await,
            StatusCode::OK,
        )
        .await;
        let session = body.get("session_id").unwrap_or(&current["session_id"]);
        let confirmed = self
            .client
            .patch(self.url(&format!("/api/v1/registrations/{token}")))
            .json(&json!({"session_id": session}))
            .send()
            .await
            .unwrap();
        (json_of(confirmed, StatusCode::OK).await, token)
    }

    pub async fn import_csv(&self, webinar: &str, csv: &str) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/webinars/{webinar}/invitees")))
            .bearer_auth(&self.token)
            .header("content-type", "text/csv")
            .body(csv.to_string())
            .send()
            .await
            .unwrap()
    }
}

/// The JSON body, after checking the status (the body is shown when it differs).
pub async fn json_of(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Checks an error answer: its status and that its message mentions `needle`.
pub async fn assert_error(response: Response, status: StatusCode, needle: &str) {
    let body = json_of(response, status).await;
    let message = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error field in {body}"));
    assert!(
        message.to_lowercase().contains(&needle.to_lowercase()),
        "error {message:?} should mention {needle:?}"
    );
}

pub fn sample_csv() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/iscm-invitees.csv"
    ))
    .unwrap()
}

/// A browser-like client: keeps cookies, follows redirects, reads forms' CSRF tokens.
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        Browser {
            client,
            base: app.address.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// GET: the final status and page after redirects.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// POST a form: the final status, page and address after redirects.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let response = self
            .client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap();
        let url = response.url().to_string();
        (response.status(), response.text().await.unwrap(), url)
    }

    /// Creates a webinar (in UTC, English) through the organizer pages, with sessions of
    /// two hours at the given local starts; answers the webinar page's address and the
    /// CSRF token of the signed-in session.
    pub async fn create_webinar(&self, title: &str, sessions: &[(&str, &str)]) -> (String, String) {
        let (_, page) = self.get("/organizer").await;
        let csrf = csrf_of(&page);
        let (_, _, url) = self
            .post(
                "/organizer/webinars",
                &[
                    ("csrf", &csrf),
                    ("title", title),
                    ("languages", "en"),
                    ("time_zone", "UTC"),
                ],
            )
            .await;
        let base = url.trim_end_matches('/').to_string();
        for (label, start) in sessions {
            self.post(
                &format!("{base}/sessions"),
                &[
                    ("csrf", &csrf),
                    ("label", label),
                    ("starts_local", start),
                    ("duration_minutes", "120"),
                ],
            )
            .await;
        }
        (base, csrf)
    }

    /// Uploads an invitee CSV on the webinar's invitees page (`base` from
    /// `create_webinar`), as the file field of the upload form.
    pub async fn upload_invitees(&self, base: &str, csrf: &str, csv: &str) -> reqwest::Response {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part(
                "file",
                reqwest::multipart::Part::text(csv.to_string()).file_name("invitees.csv"),
            );
        self.client
            .post(self.url(&format!("{base}/invitees")))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Signs a new organizer in through the pages (password set via the one-time link);
    /// answers their address.
    pub async fn sign_in(&self, app: &TestApp) -> String {
        let (email, link) = app.password_link().await;
        self.set_password_and_sign_in(&email, &link).await;
        email
    }

    /// Sets the password of `email` through its one-time `link`, then signs in.
    pub async fn set_password_and_sign_in(&self, email: &str, link: &str) {
        let (_, page) = self.get(link).await;
        let (status, _, _) = self
            .post(
                link,
                &[
                    ("csrf", &csrf_of(&page)),
                    ("password", "correct horse battery"),
                    ("repeat", "correct horse battery"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, page) = self.get("/organizer/sign-in").await;
        let (status, page, url) = self
            .post(
                "/organizer/sign-in",
                &[
                    ("csrf", &csrf_of(&page)),
                    ("email", email),
                    ("password", "correct horse battery"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(url.ends_with("/organizer"), "{url}");
    }
}

/// The CSRF token of the first form on the page.
pub fn csrf_of(page: &str) -> String {
    let start = page
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no CSRF field in\n{page}"))
        + 19;
    page[start..].split('"').next().unwrap().to_string()
}

impl TestApp {
    /// A new organizer with a one-time password link; returns their email and the link.
    pub async fn password_link(&self) -> (String, String) {
        let email = format!("pages-{}@iom.example.org", uuid::Uuid::new_v4().simple());
        let lines = meridian::cli::create_organizer(&self.settings, &email, "Page Organizer")
            .await
            .unwrap();
        let link = lines
            .iter()
            .find_map(|l| {
                l.split_whitespace()
                    .find(|w| w.contains("/organizer/set-password/"))
            })
            .unwrap();
        (email, link.to_string())
    }
}
