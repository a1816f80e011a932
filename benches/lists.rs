//! The organizer's list pages with 50,000 invitees and 50,000 registrations on SQLite
//! (issue 15): each page (first page, a later page, each order, search, filters) asked
//! `ROUNDS` times by a signed-in browser session, one request at a time; p50, p99, the
//! slowest answer and the page's weight. Run with `cargo bench --bench lists` (release).
//!
//! PEOPLE=10000 ROUNDS=50 cargo bench --bench lists   # a quicker run
//! PRELOAD=1000000 cargo bench --bench lists   # again after 1,000,000 more registrations
//!
//! With `PRELOAD=N`, every page is measured, then N registrations are stored in 20 other
//! webinars (copies of one the application wrote, as `benches/load.rs` does), and every
//! page is measured again, beside the first figures (issue 18, goal 2: organizer pages
//! unchanged as the database grows).

use std::str::FromStr;
use std::time::{Duration, Instant};

#[path = "common/people.rs"]
mod people;
#[path = "common/preload.rs"]
mod preload;

use meridian::config::Settings;
use meridian::startup::App;
use serde_json::{Value, json};

/// The goals of issue 15 for every list page.
const P99_GOAL: Duration = Duration::from_millis(50);
const BYTES_GOAL: usize = 300 * 1024;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_writer(std::io::stderr)
        .init();
    let people = env("PEOPLE", 50_000);
    let rounds = env("ROUNDS", 200);
    let preload = env("PRELOAD", 0) as u64;

    let dir = tempfile::tempdir()?;
    let mut settings = Settings::defaults();
    settings.server.bind = "127.0.0.1:0".parse()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    settings.database.url = url.clone();
    settings.security.secret_file = dir.path().join("secret.key");
    settings.mail.outbox_dir = dir.path().join("outbox");
    // The invitations are queued, not sent: this measures the pages, not the mail.
    settings.mail.worker = false;
    let lines =
        meridian::cli::create_organizer(&settings, "bench@iom.example.org", "Bench").await?;
    let token = lines.last().unwrap().clone();
    let password_path = lines
        .iter()
        .find_map(|l| {
            l.find("/organizer/set-password/")
                .map(|at| l[at..].to_string())
        })
        .expect("a password link");
    let app = App::build(settings).await?;
    let base = format!("http://{}", app.address());
    let server = tokio::spawn(app.run_until(std::future::pending()));
    let api = reqwest::Client::new();

    eprintln!("setting up {people} invitees, invited (so as many registrations)…");
    let setup = Instant::now();
    // One in seven without an organization, the others in 19.
    let (webinar, am) =
        people::invited_webinar(&api, &base, &token, "List pages benchmark", people, |i| {
            if i % 7 == 0 {
                String::new()
            } else {
                format!("Regional Process {}", i % 19)
            }
        })
        .await?;
    eprintln!("set up in {:.0} s", setup.elapsed().as_secs_f64());
    let browser = sign_in(&base, &password_path).await?;

    let invitees = format!("{base}/organizer/webinars/{webinar}/invitees");
    let registrations = format!("{base}/organizer/webinars/{webinar}/registrations");
    let attendance = format!("{base}/organizer/webinars/{webinar}/attendance");
    let mut pages = vec![
        ("invitees, first page".to_string(), invitees.clone()),
        ("invitees by name".into(), format!("{invitees}?sort=name")),
        (
            "invitees by arrival".into(),
            format!("{invitees}?sort=created"),
        ),
        (
            "invitees, 200 a page".into(),
            format!("{invitees}?limit=200"),
        ),
        (
            "invitees, search \"delegate 4999\"".into(),
            format!("{invitees}?q=delegate+4999"),
        ),
        (
            "invitees, French in Zurich".into(),
            format!("{invitees}?language=fr&zone=Europe%2FZurich"),
        ),
        ("registrations, first page".into(), registrations.clone()),
        (
            "registrations by name".into(),
            format!("{registrations}?sort=name"),
        ),
        (
            "registrations, AM session".into(),
            format!("{registrations}?session={am}"),
        ),
        (
            "registrations, invited, by arrival".into(),
            format!("{registrations}?status=invited&sort=created"),
        ),
        (
            "registrations, search \"member-state7\"".into(),
            format!("{registrations}?q=member-state7"),
        ),
        ("attendance, first page".into(), attendance.clone()),
        (
            "attendance, no record yet, by name".into(),
            format!("{attendance}?attendance=unmarked&sort=name"),
        ),
        (
            "attendance, attended (nobody yet)".into(),
            format!("{attendance}?attendance=attended"),
        ),
        (
            "attendance, search \"delegate 4999\"".into(),
            format!("{attendance}?q=delegate+4999"),
        ),
    ];
    // A page deep in each list: follow ten "next" links.
    for (label, list) in [
        ("invitees", &invitees),
        ("registrations", &registrations),
        ("attendance", &attendance),
    ] {
        let mut url = list.clone();
        for _ in 0..10 {
            let page = browser.get(&url).send().await?.text().await?;
            url = next_link(&page, list).expect("a next page");
        }
        pages.push((format!("{label}, page 11"), url));
    }

    let first = measure(&browser, &pages, rounds).await?;
    let second = if preload > 0 {
        eprintln!("storing {preload} registrations in other webinars…");
        let started = Instant::now();
        preload_others(&api, &base, &token, &url, preload).await?;
        eprintln!("stored in {:.0} s", started.elapsed().as_secs_f64());
        Some(measure(&browser, &pages, rounds).await?)
    } else {
        None
    };
    server.abort();

    println!();
    println!(
        "Organizer list pages, {people} invitees and {people} registrations, SQLite, release build, {rounds} requests each"
    );
    match &second {
        None => {
            println!("| page | rows | p50 | p99 | slowest | size |");
            println!("|---|---|---|---|---|---|");
        }
        Some(_) => {
            println!(
                "| page | rows | p50 | p99 | slowest | size | p50, {preload} more stored | p99, {preload} more stored | p99 ratio |"
            );
            println!("|---|---|---|---|---|---|---|---|---|");
        }
    }
    let mut worst_p99 = Duration::ZERO;
    let mut heaviest = 0;
    for (i, ((label, _), m)) in pages.iter().zip(&first).enumerate() {
        let mut line = format!(
            "| {label} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} KB |",
            m.rows,
            ms(m.p50),
            ms(m.p99),
            ms(m.slowest),
            m.bytes as f64 / 1024.0
        );
        worst_p99 = worst_p99.max(m.p99);
        heaviest = heaviest.max(m.bytes);
        if let Some(second) = &second {
            let s = &second[i];
            worst_p99 = worst_p99.max(s.p99);
            heaviest = heaviest.max(s.bytes);
            line.push_str(&format!(
                " {:.1} ms | {:.1} ms | {:.0}% |",
                ms(s.p50),
                ms(s.p99),
                100.0 * s.p99.as_secs_f64() / m.p99.as_secs_f64()
            ));
        }
        println!("{line}");
    }
    println!();
    println!(
        "slowest p99 {:.1} ms (goal under {} ms), heaviest page {:.0} KB (goal under {} KB): {}",
        ms(worst_p99),
        P99_GOAL.as_millis(),
        heaviest as f64 / 1024.0,
        BYTES_GOAL / 1024,
        if worst_p99 < P99_GOAL && heaviest < BYTES_GOAL {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}

/// One page's figures over its rounds.
struct Measured {
    rows: usize,
    bytes: usize,
    p50: Duration,
    p99: Duration,
    slowest: Duration,
}

/// Asks each page `rounds` times, one request at a time, after one warm-up request.
async fn measure(
    browser: &reqwest::Client,
    pages: &[(String, String)],
    rounds: usize,
) -> anyhow::Result<Vec<Measured>> {
    let mut out = Vec::new();
    for (_, url) in pages {
        // Once to warm the page cache and the prepared statements.
        browser.get(url).send().await?.error_for_status()?;
        let mut times = Vec::with_capacity(rounds);
        let mut bytes = 0;
        let mut rows = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            let response = browser.get(url).send().await?.error_for_status()?;
            let body = response.text().await?;
            times.push(started.elapsed());
            bytes = body.len();
            rows = body.matches("type=\"checkbox\" name=\"").count();
        }
        times.sort();
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        out.push(Measured {
            rows,
            bytes,
            p50: at(0.50),
            p99: at(0.99),
            slowest: *times.last().unwrap(),
        });
    }
    Ok(out)
}

/// Webinars that receive the preloaded registrations.
const OTHER_WEBINARS: u64 = 20;

/// Stores `rows` registrations in [`OTHER_WEBINARS`] new webinars: each is created and gets
/// one registration over the API, which is then copied in the database file (the server
/// keeps running; SQLite's WAL lets the second connection write while it idles).
async fn preload_others(
    api: &reqwest::Client,
    base: &str,
    token: &str,
    url: &str,
    rows: u64,
) -> anyhow::Result<()> {
    let mut webinars = Vec::new();
    for w in 0..OTHER_WEBINARS {
        let webinar: Value = api
            .post(format!("{base}/api/v1/webinars"))
            .bearer_auth(token)
            .json(
                &json!({"title": format!("Other webinar {w}"), "languages": ["en"],
                "sessions": [
                    {"label": "AM", "starts_at": "2030-10-01T07:00:00Z", "duration_minutes": 90},
                    {"label": "PM", "starts_at": "2030-10-01T15:00:00Z", "duration_minutes": 90}]}),
            )
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id = webinar["id"].as_str().unwrap().to_string();
        api.post(format!("{base}/api/v1/webinars/{id}/registrations"))
            .json(&json!({"name": format!("Template {w}"), "email": format!("template-{w}@example.org"),
                "time_zone": people::ZONES[w as usize % people::ZONES.len()]}))
            .send()
            .await?
            .error_for_status()?;
        webinars.push(uuid::Uuid::parse_str(&id)?);
    }
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
        .busy_timeout(Duration::from_secs(60))
        // Copying 50,000 rows a statement is slow on purpose: no warning for each.
        .disable_statement_logging()
        .connect()
        .await?;
    let mut tx = sqlx::Connection::begin(&mut conn).await?;
    for (w, id) in webinars.iter().enumerate() {
        let count = rows / OTHER_WEBINARS + u64::from((w as u64) < rows % OTHER_WEBINARS);
        preload::copy_registrations(&mut tx, *id, w as u64, count.saturating_sub(1)).await?;
    }
    preload::recount_seats(&mut tx).await?;
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `rel="next"` link of a list page, made absolute against `list`.
fn next_link(page: &str, list: &str) -> Option<String> {
    let at = page.find("\" rel=\"next\"")?;
    let href = &page[..at];
    let href = &href[href.rfind("href=\"")? + 6..];
    Some(format!("{list}{}", href.replace("&amp;", "&")))
}

/// The value of the first CSRF field of a page.
fn csrf_of(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[start..].split('"').next().unwrap().to_string()
}

/// A browser session of the organizer: password set through the one-time link, signed in.
async fn sign_in(base: &str, password_path: &str) -> anyhow::Result<reqwest::Client> {
    let browser = reqwest::Client::builder().cookie_store(true).build()?;
    let link = format!("{base}{password_path}");
    let page = browser.get(&link).send().await?.text().await?;
    let password = "correct horse battery";
    browser
        .post(&link)
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("password", password),
            ("repeat", password),
        ])
        .send()
        .await?
        .error_for_status()?;
    let page = browser
        .get(format!("{base}/organizer/sign-in"))
        .send()
        .await?
        .text()
        .await?;
    let response = browser
        .post(format!("{base}/organizer/sign-in"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("email", "bench@iom.example.org"),
            ("password", password),
        ])
        .send()
        .await?
        .error_for_status()?;
    anyhow::ensure!(
        response.url().path() == "/organizer",
        "signed in: {}",
        response.url()
    );
    Ok(browser)
}
