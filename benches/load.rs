//! Load benchmark: starts the real `meridian` binary (release) as a child process on its
//! default, durable settings, drives it over HTTP from a load generator in this process
//! (64 clients, each with its own keep-alive connection, hyper 1), and prints one table
//! with every figure beside a baseline measured in the same run.
//!
//! ```sh
//! cargo bench --bench load
//! LOAD_SECONDS=5 LISTING_SECONDS=3 cargo bench --bench load   # a quicker run
//! ```
//!
//! - registrations/s through `POST /api/v1/webinars/{id}/registrations`, SQLite, then
//!   PostgreSQL (a throwaway database created from `MERIDIAN_TEST_POSTGRES_URL`, default
//!   `postgres://postgres@127.0.0.1:5432/test`; skipped, and said so, when none answers);
//!   baseline: single-row INSERT transactions committed into a fresh SQLite file with the
//!   same journal (WAL) and synchronous (FULL) settings;
//! - the public session listing against the static `/healthz` route of the same server;
//! - resident memory idle after start-up and at the peak of the registration load;
//! - start-up to the first answered request, on an existing database.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Executor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
    let mut rows = Table::default();

    // 1. SQLite, Meridian's default, durable settings.
    let dir = tempfile::tempdir()?;
    let sqlite_url = format!("sqlite://{}", dir.path().join("meridian.db").display());
    eprintln!("load: SQLite server, data in {}", dir.path().display());
    let token = create_organizer(dir.path(), &sqlite_url)?;
    let server = Server::start(dir.path(), &sqlite_url).await?;
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
    let sqlite = run_load(server.addr, load_time, register(webinar.clone(), "s")).await;
    let sqlite_peak = server.rss_kb("VmHWM")?;
    server.stop()?;
    // Start-up on the database the load just filled.
    let server = Server::start(dir.path(), &sqlite_url).await?;
    let restart = server.started_in;
    server.stop()?;

    // 2. PostgreSQL, in a throwaway database.
    let postgres = postgres_run(load_time).await;

    // The table.
    let pct = |a: f64, b: f64| format!("{:.0}%", 100.0 * a / b);
    rows.title(format!(
        "Meridian load benchmark: {CLIENTS} clients, registrations {}s, listing {}s, {} cores",
        load_time.as_secs(),
        listing_time.as_secs(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
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
        Ok(Some((pg, peak))) => {
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
    Ok(())
}

/// Runs `meridian organizer create` against the database; returns the API token.
fn create_organizer(dir: &Path, database_url: &str) -> anyhow::Result<String> {
    let output = meridian(dir, database_url)
        .args([
            "organizer",
            "create",
            "--email",
            "bench@iom.example.org",
            "--name",
            "Bench",
        ])
        .output()?;
    if !output.status.success() {
        bail!(
            "organizer create failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8(output.stdout)?;
    Ok(stdout
        .lines()
        .last()
        .context("no token printed")?
        .to_string())
}

/// The release binary, configured by environment for the data in `dir`.
fn meridian(dir: &Path, database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meridian"));
    command
        .current_dir(dir)
        .env("MERIDIAN__DATABASE__URL", database_url)
        .env("MERIDIAN__SECURITY__SECRET_FILE", dir.join("secret.key"))
        .env("MERIDIAN__MAIL__OUTBOX_DIR", dir.join("outbox"))
        // Every client comes from 127.0.0.1: the per-address limit would measure itself.
        .env("MERIDIAN__SECURITY__RATE_LIMIT_PER_MINUTE", "0")
        .env_remove("RUST_LOG");
    command
}

struct Server {
    child: Child,
    addr: SocketAddr,
    started_in: Duration,
}

impl Server {
    /// Spawns `meridian serve` and waits for its first answer to `GET /healthz`.
    async fn start(dir: &Path, database_url: &str) -> anyhow::Result<Server> {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))?;
        let start = Instant::now();
        let mut child = meridian(dir, database_url)
            .env("MERIDIAN__SERVER__BIND", addr.to_string())
            .env("MERIDIAN__SERVER__PUBLIC_URL", format!("http://{addr}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        loop {
            if healthz(addr).await {
                break;
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "meridian exited with {status}; see {}",
                    dir.join("server.log").display()
                );
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                bail!("meridian did not answer within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok(Server {
            started_in: start.elapsed(),
            child,
            addr,
        })
    }

    /// A line of /proc/<pid>/status in kB (VmRSS now, VmHWM the peak).
    fn rss_kb(&self, key: &str) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .with_context(|| format!("no {key} in /proc/<pid>/status"))
    }

    /// Ctrl-C (SIGINT), as an operator would; waits for the graceful shutdown.
    fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One `GET /healthz` on a new connection: true on a 200.
async fn healthz(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    let request = "GET /healthz HTTP/1.1\r\nhost: bench\r\nconnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer.starts_with(b"HTTP/1.1 200")
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
    let (mut send, conn) = hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(
        TcpStream::connect(addr).await?,
    ))
    .await?;
    tokio::spawn(conn);
    let request = Request::post("/api/v1/webinars")
        .header("host", addr.to_string())
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))?;
    let response = send.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if status != 201 {
        bail!(
            "creating the webinar: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    let webinar: Value = serde_json::from_slice(&body)?;
    Ok(webinar["id"].as_str().context("no webinar id")?.to_string())
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
async fn postgres_run(load_time: Duration) -> anyhow::Result<Option<(LoadResult, u64)>> {
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
        let server = Server::start(dir.path(), &url).await?;
        let webinar = create_webinar(server.addr, &token).await?;
        let result = run_load(server.addr, load_time, register(webinar, "p")).await;
        let peak = server.rss_kb("VmHWM")?;
        server.stop()?;
        anyhow::Ok((result, peak))
    }
    .await;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    outcome.map(Some)
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
