//! Load benchmark: starts the real `meridian` binary (release) as a child process on its
//! default, durable settings, drives it over HTTP from a load generator in this process
//! (64 clients, each with its own keep-alive connection, hyper 1), and prints one table
//! with every figure beside a baseline measured in the same run.
//!
//! ```sh
//! cargo bench --bench load
//! LOAD_SECONDS=5 LISTING_SECONDS=3 cargo bench --bench load   # a quicker run
//! PRELOAD=1000000 cargo bench --bench load   # also on a database with 1,000,000 stored
//! LOAD_MAIL=file cargo bench --bench load    # confirmations as .eml files instead
//! ```
//!
//! Each registration's confirmation goes over SMTP to a sink in this process (the set-up
//! of the issue's measurements), and every one is counted: the table says how long after
//! the load the last one arrived. With `LOAD_MAIL=file` they are written as `.eml`
//! files, Meridian's default transport, and not counted.
//!
//! - registrations/s through `POST /api/v1/webinars/{id}/registrations`, SQLite, then
//!   PostgreSQL (a throwaway database created from `MERIDIAN_TEST_POSTGRES_URL`, default
//!   `postgres://postgres@127.0.0.1:5432/test`; skipped, and said so, when none answers);
//!   baseline: single-row INSERT transactions committed into a fresh SQLite file with the
//!   same journal (WAL) and synchronous (FULL) settings;
//! - the public session listing against the static `/healthz` route of the same server;
//! - resident memory idle after start-up and at the peak of the registration load;
//! - start-up to the first answered request, on an existing database;
//! - with `PRELOAD=N`: the listing and the registration load again, on a second SQLite
//!   database that holds N registrations before the server starts (100 webinars, a tenth
//!   of them in the webinar under load), beside the empty run with the ratios (issue 18,
//!   goal 2: within 10%).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "common/server.rs"]
#[allow(dead_code)]
mod server;

#[path = "common/preload.rs"]
mod preload;

#[path = "../tests/api/smtp.rs"]
#[allow(dead_code, unused_imports)]
mod smtp;

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use server::{Server, create_organizer};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Executor};
use tokio::net::TcpStream;

const CLIENTS: usize = 64;
const ZONES: [&str; 12] = [
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Apia",
    "Asia/Kathmandu",
    "Europe/Zurich",
    "Africa/Nairobi",
    "America/New_York",
    "America/Mexico_City",
    "America/St_Johns",
    "Asia/Dubai",
    "Europe/Moscow",
    "Africa/Lagos",
];
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn env_secs(name: &str, default: u64) -> Duration {
    Duration::from_secs(
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default),
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let load_time = env_secs("LOAD_SECONDS", 20);
    let listing_time = env_secs("LISTING_SECONDS", 10);
    let baseline_time = env_secs("BASELINE_SECONDS", 5);
    let preload: u64 = std::env::var("PRELOAD")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut rows = Table::default();
    let mail = Mail::new().await;
    let mail_env = mail.env();

    // 1. SQLite, Meridian's default, durable settings.
    let dir = tempfile::tempdir()?;
    let sqlite_url = format!("sqlite://{}", dir.path().join("meridian.db").display());
    eprintln!("load: SQLite server, data in {}", dir.path().display());
    let token = create_organizer(dir.path(), &sqlite_url)?;
    let server = Server::start(dir.path(), &sqlite_url, &mail_env).await?;
    let idle_rss = server.rss_kb("VmRSS")?;
    let first_start = server.started_in;
    let webinar = create_webinar(server.addr, &token).await?;

    eprintln!("load: listing and /healthz, {CLIENTS} clients");
    let listing_path = format!("/api/v1/webinars/{webinar}/sessions?tz=Asia/Tokyo");
    let listing = run_load(server.addr, listing_time, get(listing_path)).await;
    let hello = run_load(server.addr, listing_time, get("/healthz".into())).await;

    eprintln!("load: baseline, single-row commits into SQLite (WAL, synchronous FULL)");
    let baseline = sqlite_commit_baseline(dir.path(), baseline_time).await?;

    eprintln!("load: registrations on SQLite, {CLIENTS} clients for {load_time:?}");
    let cpu_before = server.cpu_seconds()?;
    let sqlite = run_load(server.addr, load_time, register(webinar.clone(), "s")).await;
    let sqlite_mail = mail.delivered(sqlite.ok).await;
    let sqlite_cpu = (server.cpu_seconds()? - cpu_before) / sqlite.ok.max(1) as f64;
    let sqlite_peak = server.rss_kb("VmHWM")?;
    server.stop()?;
    // Start-up on the database the load just filled.
    let server = Server::start(dir.path(), &sqlite_url, &mail_env).await?;
    let restart = server.started_in;
    server.stop()?;

    // 2. SQLite again, on a database that already holds `preload` registrations.
    let preloaded = if preload > 0 {
        let share: u64 = std::env::var("PRELOAD_SHARE")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10)
            .clamp(1, 100);
        Some(preloaded_run(preload, share, load_time, listing_time, &mail).await?)
    } else {
        None
    };

    // 3. PostgreSQL, in a throwaway database.
    let postgres = postgres_run(load_time, &mail).await;

    // The table.
    let pct = |a: f64, b: f64| format!("{:.0}%", 100.0 * a / b);
    rows.title(format!(
        "Meridian load benchmark: {CLIENTS} clients, registrations {}s, listing {}s, {} cores, \
         confirmations {}",
        load_time.as_secs(),
        listing_time.as_secs(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        mail.describe()
    ));
    rows.add(
        "SQLite: registrations/s",
        format!("{:.0}", sqlite.rate()),
        "≥ 5000",
        sqlite.rate() >= 5000.0,
    );
    rows.add(
        "SQLite: p50 / p99 latency",
        format!("{} / {}", ms(sqlite.pct(50.0)), ms(sqlite.pct(99.0))),
        "p99 < 50 ms",
        sqlite.pct(99.0) < 50_000,
    );
    rows.add(
        "SQLite: errors",
        sqlite.errors_text(),
        "0",
        sqlite.errors() == 0,
    );
    rows.add(
        "SQLite: confirmations delivered (the last one after the load)",
        mail_text(&sqlite_mail, sqlite.ok),
        "all",
        mail_met(&sqlite_mail, sqlite.ok),
    );
    rows.add(
        "SQLite: server CPU per registration, its confirmation sent",
        format!("{:.0} µs", sqlite_cpu * 1e6),
        "",
        true,
    );
    rows.add(
        "baseline: single-row commits/s, same SQLite settings",
        format!("{baseline:.0}"),
        "",
        true,
    );
    rows.add(
        "SQLite registrations / baseline commits",
        pct(sqlite.rate(), baseline),
        "≥ 50%",
        sqlite.rate() >= baseline / 2.0,
    );
    rows.add(
        "SQLite: server peak RSS (VmHWM)",
        mb(sqlite_peak),
        "< 150 MB",
        sqlite_peak < 150 * 1024,
    );
    match &postgres {
        Ok(Some(PgRun {
            result: pg,
            delivered: pg_mail,
            cpu: pg_cpu,
            peak,
        })) => {
            rows.add(
                "PostgreSQL: registrations/s",
                format!("{:.0}", pg.rate()),
                "≥ 2000",
                pg.rate() >= 2000.0,
            );
            rows.add(
                "PostgreSQL: p50 / p99 latency",
                format!("{} / {}", ms(pg.pct(50.0)), ms(pg.pct(99.0))),
                "",
                true,
            );
            rows.add(
                "PostgreSQL: errors",
                pg.errors_text(),
                "0",
                pg.errors() == 0,
            );
            rows.add(
                "PostgreSQL: confirmations delivered (the last one after the load)",
                mail_text(pg_mail, pg.ok),
                "all",
                mail_met(pg_mail, pg.ok),
            );
            rows.add(
                "PostgreSQL: server CPU per registration (PostgreSQL's own not counted)",
                format!("{:.0} µs", pg_cpu * 1e6),
                "",
                true,
            );
            rows.add(
                "PostgreSQL: server peak RSS (VmHWM)",
                mb(*peak),
                "< 150 MB",
                *peak < 150 * 1024,
            );
        }
        Ok(None) => {
            rows.skip("PostgreSQL: SKIPPED, no server answers (MERIDIAN_TEST_POSTGRES_URL)")
        }
        Err(e) => rows.skip(&format!("PostgreSQL: FAILED: {e:#}")),
    }
    rows.add(
        "listing GET /sessions?tz=: requests/s (p50 / p99)",
        format!(
            "{:.0} ({} / {})",
            listing.rate(),
            ms(listing.pct(50.0)),
            ms(listing.pct(99.0))
        ),
        "",
        listing.errors() == 0,
    );
    rows.add(
        "baseline: GET /healthz requests/s (p50 / p99)",
        format!(
            "{:.0} ({} / {})",
            hello.rate(),
            ms(hello.pct(50.0)),
            ms(hello.pct(99.0))
        ),
        "",
        hello.errors() == 0,
    );
    rows.add(
        "listing / healthz",
        pct(listing.rate(), hello.rate()),
        "≥ 30%",
        listing.rate() >= 0.3 * hello.rate(),
    );
    rows.add(
        "idle RSS after start-up (VmRSS)",
        mb(idle_rss),
        "< 30 MB",
        idle_rss < 30 * 1024,
    );
    rows.add(
        "start-up to first answer, existing empty database",
        format!("{:.0} ms", first_start.as_secs_f64() * 1000.0),
        "< 300 ms",
        first_start < Duration::from_millis(300),
    );
    rows.add(
        &format!(
            "start-up to first answer, after the load ({} registrations)",
            sqlite.ok
        ),
        format!("{:.0} ms", restart.as_secs_f64() * 1000.0),
        "< 300 ms",
        restart < Duration::from_millis(300),
    );
    rows.print();
    if let Some(p) = preloaded {
        print_growth(&p, &sqlite, &listing, sqlite_peak);
    }
    Ok(())
}

/// The figures of the run on the preloaded database.
struct Preloaded {
    rows: u64,
    /// Registrations stored in the webinar under load before the load.
    under_load: u64,
    participants: ParticipantList,
    fill: Duration,
    file_mb: f64,
    listing: LoadResult,
    registrations: LoadResult,
    peak_kb: u64,
    started_in: Duration,
}

/// Issue 18, goal 2: the empty run and the preloaded run side by side.
fn print_growth(p: &Preloaded, empty: &LoadResult, empty_listing: &LoadResult, empty_peak: u64) {
    let ratio = |a: f64, b: f64| format!("{:.0}%", 100.0 * a / b);
    println!();
    println!(
        "Growth (issue 18 goal 2): empty database vs {} registrations stored beforehand \
         (filled in {:.1} s, database file {:.0} MB, start-up on it {:.0} ms)",
        p.rows,
        p.fill.as_secs_f64(),
        p.file_mb,
        p.started_in.as_secs_f64() * 1000.0
    );
    println!("({} of them in the webinar under load)", p.under_load);
    println!();
    println!("| what | empty | preloaded | preloaded / empty | goal | |");
    println!("|---|---|---|---|---|---|");
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    let rate_ok = p.registrations.rate() >= 0.9 * empty.rate();
    println!(
        "| registrations/s | {:.0} | {:.0} | {} | ≥ 90% | {} |",
        empty.rate(),
        p.registrations.rate(),
        ratio(p.registrations.rate(), empty.rate()),
        verdict(rate_ok)
    );
    let p99_ok = p.registrations.pct(99.0) as f64 <= 1.1 * empty.pct(99.0) as f64;
    println!(
        "| registrations p50 / p99 | {} / {} | {} / {} | p99 {} | p99 ≤ 110% | {} |",
        ms(empty.pct(50.0)),
        ms(empty.pct(99.0)),
        ms(p.registrations.pct(50.0)),
        ms(p.registrations.pct(99.0)),
        ratio(p.registrations.pct(99.0) as f64, empty.pct(99.0) as f64),
        verdict(p99_ok)
    );
    println!(
        "| registration errors | {} | {} | | 0 | {} |",
        empty.errors_text(),
        p.registrations.errors_text(),
        verdict(p.registrations.errors() == 0)
    );
    let listing_ok = p.listing.rate() >= 0.9 * empty_listing.rate();
    println!(
        "| listing GET /sessions?tz=: requests/s (p99) | {:.0} ({}) | {:.0} ({}) | {} | ≥ 90% | {} |",
        empty_listing.rate(),
        ms(empty_listing.pct(99.0)),
        p.listing.rate(),
        ms(p.listing.pct(99.0)),
        ratio(p.listing.rate(), empty_listing.rate()),
        verdict(listing_ok && p.listing.errors() == 0)
    );
    println!(
        "| server peak RSS (VmHWM) | {} | {} | {} | | |",
        mb(empty_peak),
        mb(p.peak_kb),
        ratio(p.peak_kb as f64, empty_peak as f64)
    );
    let l = &p.participants;
    println!();
    println!(
        "Participant list of the webinar under load (GET /participants?format=csv): {} rows, \
         {:.1} MB in {:.2} s; server RSS {} before, {} at the peak while streaming (+{:.1} MB)",
        l.rows,
        l.bytes as f64 / 1024.0 / 1024.0,
        l.took.as_secs_f64(),
        mb(l.rss_before_kb),
        mb(l.rss_peak_kb),
        (l.rss_peak_kb.saturating_sub(l.rss_before_kb)) as f64 / 1024.0
    );
}

/// The participant list of `GET /participants?format=csv`, timed, with the server's
/// resident memory sampled every 2 ms while it streams.
struct ParticipantList {
    bytes: u64,
    rows: u64,
    took: Duration,
    rss_before_kb: u64,
    rss_peak_kb: u64,
}

async fn participant_list(
    server: &Server,
    webinar: &str,
    token: &str,
) -> anyhow::Result<ParticipantList> {
    let pid = server.child.id();
    let rss = move || -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
            })
            .unwrap_or(0)
    };
    let rss_before_kb = rss();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss());
                std::thread::sleep(Duration::from_millis(2));
            }
            peak
        })
    };
    let start = Instant::now();
    let mut response = reqwest::Client::new()
        .get(format!(
            "http://{}/api/v1/webinars/{webinar}/participants?format=csv",
            server.addr
        ))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?;
    let (mut bytes, mut rows) = (0u64, 0u64);
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len() as u64;
        rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let took = start.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let rss_peak_kb = sampler.join().expect("the sampler");
    Ok(ParticipantList {
        bytes,
        rows: rows.saturating_sub(1),
        took,
        rss_before_kb,
        rss_peak_kb,
    })
}

/// Webinars the preloaded registrations are spread over (the one under load included).
const PRELOAD_WEBINARS: u64 = 100;

/// A fresh SQLite database with `rows` registrations written before the server starts,
/// then the listing and the registration load on the webinar that holds `share`% of them,
/// then that webinar's participant list.
async fn preloaded_run(
    rows: u64,
    share: u64,
    load_time: Duration,
    listing_time: Duration,
    mail: &Mail,
) -> anyhow::Result<Preloaded> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("meridian.db");
    let url = format!("sqlite://{}", path.display());
    eprintln!(
        "load: preloading {rows} registrations into {}",
        path.display()
    );
    let token = create_organizer(dir.path(), &url)?;
    // The webinars and one registration in each through the API, so that every copied row
    // is one the application wrote itself.
    let server = Server::start(dir.path(), &url, &mail.env()).await?;
    let mut webinars = Vec::new();
    for w in 0..PRELOAD_WEBINARS {
        let webinar = create_webinar(server.addr, &token).await?;
        let body = json!({
            "name": format!("Template Delegate {w}"),
            "email": format!("template-{w}@example.org"),
            "organization": "Regional Consultative Process",
            "time_zone": ZONES[w as usize % ZONES.len()],
        });
        post_json(
            server.addr,
            &format!("/api/v1/webinars/{webinar}/registrations"),
            None,
            &body,
        )
        .await?;
        webinars.push(webinar);
    }
    mail.delivered(PRELOAD_WEBINARS).await;
    server.stop()?;

    let fill_start = Instant::now();
    let mut conn = SqliteConnectOptions::from_str(&url)?
        .journal_mode(SqliteJournalMode::Wal)
        .connect()
        .await?;
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    // `share`% in the webinar under load (the first), the rest spread over the others;
    // the template registration of each webinar counts.
    let under_load = rows * share / 100;
    let others = PRELOAD_WEBINARS - 1;
    let rest = rows - under_load;
    for (w, webinar) in webinars.iter().enumerate() {
        let w = w as u64;
        let count = if w == 0 {
            under_load
        } else {
            rest / others + u64::from(w <= rest % others)
        };
        let copies = count.saturating_sub(1);
        let id = uuid::Uuid::parse_str(webinar)?;
        preload::copy_registrations(&mut tx, id, w, copies).await?;
    }
    preload::recount_seats(&mut tx).await?;
    tx.commit().await?;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations")
        .fetch_one(&mut conn)
        .await?;
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    conn.close().await?;
    let fill = fill_start.elapsed();
    let file_mb = std::fs::metadata(&path)?.len() as f64 / 1024.0 / 1024.0;
    eprintln!(
        "load: {stored} registrations stored in {:.1} s ({file_mb:.0} MB)",
        fill.as_secs_f64()
    );

    let server = Server::start(dir.path(), &url, &mail.env()).await?;
    let started_in = server.started_in;
    let webinar = webinars[0].clone();
    eprintln!("load: listing on the preloaded database, {CLIENTS} clients");
    let listing_path = format!("/api/v1/webinars/{webinar}/sessions?tz=Asia/Tokyo");
    let listing = run_load(server.addr, listing_time, get(listing_path)).await;
    eprintln!("load: registrations on the preloaded database, {CLIENTS} clients for {load_time:?}");
    let registrations = run_load(server.addr, load_time, register(webinar, "g")).await;
    mail.delivered(registrations.ok).await;
    let peak_kb = server.rss_kb("VmHWM")?;
    eprintln!("load: the participant list of the webinar under load, as CSV");
    let participants = participant_list(&server, &webinars[0], &token).await?;
    server.stop()?;
    Ok(Preloaded {
        participants,
        under_load,
        rows: stored as u64,
        fill,
        file_mb,
        listing,
        registrations,
        peak_kb,
        started_in,
    })
}

/// Creates a webinar with an AM and a PM session without a seat limit; returns its id.
async fn create_webinar(addr: SocketAddr, token: &str) -> anyhow::Result<String> {
    let body = json!({
        "title": "Benchmark webinar: ISCMs and the GCM regional reviews",
        "languages": ["en", "es", "fr", "ru", "ar"],
        "time_zone": "Europe/Zurich",
        "sessions": [
            {"label": "AM", "starts_at": "2030-09-24T07:00:00Z", "duration_minutes": 120,
             "join_url": "https://meet.example.org/am"},
            {"label": "PM", "starts_at": "2030-09-24T14:00:00Z", "duration_minutes": 120,
             "join_url": "https://meet.example.org/pm"}]
    });
    let webinar = post_json(addr, "/api/v1/webinars", Some(token), &body).await?;
    Ok(webinar["id"].as_str().context("no webinar id")?.to_string())
}

/// One JSON `POST` on a new connection, with the organizer's token if given; the answer
/// must be a 201.
async fn post_json(
    addr: SocketAddr,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let (mut send, conn) = hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(
        TcpStream::connect(addr).await?,
    ))
    .await?;
    tokio::spawn(conn);
    let mut request = Request::post(path)
        .header("host", addr.to_string())
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Full::new(Bytes::from(body.to_string())))?;
    let response = send.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if status != 201 {
        bail!("POST {path}: {status} {}", String::from_utf8_lossy(&body));
    }
    Ok(serde_json::from_slice(&body)?)
}

/// Builds request `n` of client `task`.
type MakeRequest = Arc<dyn Fn(usize, usize) -> Request<Full<Bytes>> + Send + Sync>;

fn get(path: String) -> MakeRequest {
    Arc::new(move |_, _| {
        Request::get(path.as_str())
            .header("host", "bench")
            .body(Full::new(Bytes::new()))
            .expect("a valid request")
    })
}

/// A registration with a distinct email and a time zone from a rotating list; the rule
/// picks the session.
fn register(webinar: String, run: &'static str) -> MakeRequest {
    let path = format!("/api/v1/webinars/{webinar}/registrations");
    Arc::new(move |task, n| {
        let body = json!({
            "name": format!("Bench Delegate {task} {n}"),
            "email": format!("bench-{run}-{task}-{n}@example.org"),
            "organization": "Regional Consultative Process",
            "time_zone": ZONES[(task + n) % ZONES.len()],
        });
        Request::post(path.as_str())
            .header("host", "bench")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("a valid request")
    })
}

#[derive(Default)]
struct LoadResult {
    /// 2xx answers.
    ok: u64,
    /// Latency of every answered request, in µs.
    latencies: Vec<u32>,
    /// Answers that were not 2xx, per status; "io" for failed connections.
    failures: BTreeMap<String, u64>,
    elapsed: Duration,
}

impl LoadResult {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    fn pct(&self, p: f64) -> u32 {
        if self.latencies.is_empty() {
            return 0;
        }
        let i = ((p / 100.0) * (self.latencies.len() - 1) as f64).round() as usize;
        self.latencies[i]
    }

    fn errors(&self) -> u64 {
        self.failures.values().sum()
    }

    fn errors_text(&self) -> String {
        if self.failures.is_empty() {
            return format!("0 of {}", self.ok);
        }
        let each: Vec<_> = self
            .failures
            .iter()
            .map(|(k, v)| format!("{v}× {k}"))
            .collect();
        format!(
            "{} of {} ({})",
            self.errors(),
            self.ok + self.errors(),
            each.join(", ")
        )
    }
}

/// `CLIENTS` tasks, each with its own keep-alive connection, send requests back to back
/// for `duration`.
async fn run_load(addr: SocketAddr, duration: Duration, make: MakeRequest) -> LoadResult {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|task| {
            let make = make.clone();
            tokio::spawn(async move { client(addr, task, deadline, make).await })
        })
        .collect();
    let mut total = LoadResult::default();
    for task in tasks {
        let r = task.await.expect("a client task");
        total.ok += r.ok;
        total.latencies.extend(r.latencies);
        for (k, v) in r.failures {
            *total.failures.entry(k).or_default() += v;
        }
    }
    total.elapsed = start.elapsed();
    total.latencies.sort_unstable();
    total
}

async fn client(addr: SocketAddr, task: usize, deadline: Instant, make: MakeRequest) -> LoadResult {
    let mut result = LoadResult {
        latencies: Vec::with_capacity(100_000),
        ..Default::default()
    };
    let mut sender = None;
    let mut n = 0;
    while Instant::now() < deadline {
        if sender.is_none() {
            match connect(addr).await {
                Ok(s) => sender = Some(s),
                Err(_) => {
                    *result.failures.entry("io".into()).or_default() += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let send = sender.as_mut().expect("connected");
        let request = make(task, n);
        n += 1;
        let sent = Instant::now();
        let answer = match send.send_request(request).await {
            Ok(response) => {
                let status = response.status();
                response
                    .into_body()
                    .collect()
                    .await
                    .map(|_| status)
                    .map_err(anyhow::Error::from)
            }
            Err(e) => Err(e.into()),
        };
        let micros = sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
        match answer {
            Ok(status) => {
                result.latencies.push(micros);
                if status.is_success() {
                    result.ok += 1;
                } else {
                    *result.failures.entry(status.to_string()).or_default() += 1;
                }
            }
            Err(_) => {
                *result.failures.entry("io".into()).or_default() += 1;
                sender = None;
            }
        }
    }
    result
}

async fn connect(
    addr: SocketAddr,
) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(send)
}

/// Single-row INSERT transactions committed one by one into a fresh SQLite file, WAL
/// and `synchronous = FULL` like Meridian's default; returns commits/s.
async fn sqlite_commit_baseline(dir: &Path, duration: Duration) -> anyhow::Result<f64> {
    let path: PathBuf = dir.join("baseline.db");
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    conn.execute("CREATE TABLE registrations (id BLOB PRIMARY KEY, email TEXT NOT NULL, created_at TEXT NOT NULL)")
        .await?;
    let start = Instant::now();
    let mut commits = 0u64;
    while start.elapsed() < duration {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO registrations (id, email, created_at) VALUES ($1, $2, $3)")
            .bind(uuid::Uuid::new_v4())
            .bind(format!("baseline-{commits}@example.org"))
            .bind(chrono::Utc::now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        commits += 1;
    }
    Ok(commits as f64 / start.elapsed().as_secs_f64())
}

/// The registration load on a fresh PostgreSQL database; `None` when no server answers.
/// The registration load on PostgreSQL: its figures, when the last confirmation came,
/// the server's CPU seconds per registration and its peak RSS in kB.
struct PgRun {
    result: LoadResult,
    delivered: Option<Duration>,
    cpu: f64,
    peak: u64,
}

async fn postgres_run(load_time: Duration, mail: &Mail) -> anyhow::Result<Option<PgRun>> {
    let admin_url =
        std::env::var("MERIDIAN_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into());
    let mut admin = match tokio::time::timeout(
        Duration::from_secs(3),
        sqlx::PgConnection::connect(&admin_url),
    )
    .await
    {
        Ok(Ok(admin)) => admin,
        _ => {
            eprintln!("load: PostgreSQL SKIPPED: no server answers at {admin_url}");
            return Ok(None);
        }
    };
    let name = format!("meridian_bench_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let dir = tempfile::tempdir()?;
    eprintln!("load: registrations on PostgreSQL ({name}), {CLIENTS} clients for {load_time:?}");
    let outcome = async {
        let token = create_organizer(dir.path(), &url)?;
        let server = Server::start(dir.path(), &url, &mail.env()).await?;
        let webinar = create_webinar(server.addr, &token).await?;
        let cpu_before = server.cpu_seconds()?;
        let result = run_load(server.addr, load_time, register(webinar, "p")).await;
        let delivered = mail.delivered(result.ok).await;
        let cpu = (server.cpu_seconds()? - cpu_before) / result.ok.max(1) as f64;
        let peak = server.rss_kb("VmHWM")?;
        server.stop()?;
        anyhow::Ok(PgRun {
            result,
            delivered,
            cpu,
            peak,
        })
    }
    .await;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    outcome.map(Some)
}

/// Where the servers' mail goes: by default over SMTP to a sink in this process (the
/// issue's set-up: "the same SMTP sink"), every confirmation counted; with
/// `LOAD_MAIL=file`, `.eml` files in the outbox folder (Meridian's default transport),
/// not counted.
struct Mail {
    sink: Option<smtp::SmtpServer>,
    /// Confirmations the sink should have received by now.
    expected: AtomicUsize,
}

impl Mail {
    async fn new() -> Mail {
        let file = std::env::var("LOAD_MAIL").is_ok_and(|m| m == "file");
        Mail {
            sink: if file {
                None
            } else {
                Some(smtp::SmtpServer::start().await)
            },
            expected: AtomicUsize::new(0),
        }
    }

    fn describe(&self) -> &'static str {
        match self.sink {
            Some(_) => "over SMTP to a sink in the bench process",
            None => "as .eml files (LOAD_MAIL=file)",
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        match &self.sink {
            Some(sink) => vec![
                ("MERIDIAN__MAIL__TRANSPORT", "smtp".into()),
                ("MERIDIAN__MAIL__SMTP_URL", sink.url()),
            ],
            None => Vec::new(),
        }
    }

    /// Right after a load whose `registered` registrations each queued a confirmation:
    /// waits until the sink has every one (at most five minutes; panics naming how many
    /// came) and answers how long after the load's end the last arrived; `None` for
    /// files.
    async fn delivered(&self, registered: u64) -> Option<Duration> {
        let load_end = Instant::now();
        let expected = self
            .expected
            .fetch_add(registered as usize, Ordering::SeqCst)
            + registered as usize;
        let sink = self.sink.as_ref()?;
        sink.wait_for(expected, Duration::from_secs(300)).await;
        Some(load_end.elapsed())
    }
}

fn mail_text(delivered: &Option<Duration>, registered: u64) -> String {
    match delivered {
        Some(after) => format!(
            "{registered} of {registered}, +{:.1} s",
            after.as_secs_f64()
        ),
        None => "not counted (files)".into(),
    }
}

fn mail_met(delivered: &Option<Duration>, _registered: u64) -> bool {
    // `delivered` waits for every one or panics.
    delivered.is_some()
}

fn ms(micros: u32) -> String {
    format!("{:.1} ms", micros as f64 / 1000.0)
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

#[derive(Default)]
struct Table {
    title: String,
    rows: Vec<[String; 4]>,
}

impl Table {
    fn title(&mut self, title: String) {
        self.title = title;
    }

    fn add(&mut self, what: &str, value: String, goal: &str, met: bool) {
        let verdict = match (goal.is_empty(), met) {
            (true, true) => "",
            (true, false) => "errors",
            (false, true) => "met",
            (false, false) => "MISSED",
        };
        self.rows
            .push([what.into(), value, goal.into(), verdict.into()]);
    }

    fn skip(&mut self, what: &str) {
        self.rows
            .push([what.into(), "-".into(), "".into(), "".into()]);
    }

    fn print(&self) {
        println!();
        println!("{}", self.title);
        println!();
        println!("| what | figure | goal | |");
        println!("|---|---|---|---|");
        for [a, b, c, d] in &self.rows {
            println!("| {a} | {b} | {c} | {d} |");
        }
    }
}
