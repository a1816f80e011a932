//! Importing a 100,000-row invitee CSV through the API: time from the first byte sent to
//! the answer, and the server's resident memory (its own process, `meridian serve`, read
//! from /proc: VmRSS after, VmHWM the peak). Goal: under 5 s and under 150 MB.
//! Run with `cargo bench --bench invitee_import` (release build).
//!
//! ROWS=20000 ROUNDS=1 cargo bench --bench invitee_import   # a quicker run
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo bench --bench invitee_import

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ZONES: [&str; 5] = [
    "Asia/Tokyo",
    "Europe/Zurich",
    "America/New_York",
    "Africa/Nairobi",
    "Australia/Sydney",
];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// The server as its own process, so that its memory is its own.
struct Server {
    child: Child,
    base: String,
    token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let database = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.join("bench.db").display()));
    let command = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_meridian"));
        c.current_dir(dir)
            .env("MERIDIAN__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env(
                "MERIDIAN__SERVER__PUBLIC_URL",
                format!("http://127.0.0.1:{port}"),
            )
            .env("MERIDIAN__DATABASE__URL", &database)
            .env("MERIDIAN__SECURITY__SECRET_FILE", dir.join("secret.key"))
            .env("MERIDIAN__MAIL__OUTBOX_DIR", dir.join("outbox"))
            .env("MERIDIAN__MAIL__WORKER", "false")
            .env("RUST_LOG", "warn");
        c
    };
    let email = format!("bench-{port}@iom.example.org");
    let created = command()
        .args(["organizer", "create", "--email", &email, "--name", "Bench"])
        .output()?;
    anyhow::ensure!(
        created.status.success(),
        "organizer create: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    let token = String::from_utf8(created.stdout)?
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    let child = command()
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    Ok(Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        token,
    })
}

/// VmRSS and VmHWM (peak) of a process, in bytes.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn generated_csv(rows: usize) -> String {
    let mut csv = String::from("name,email,organization,role,country,time_zone,language\r\n");
    for n in 0..rows {
        csv.push_str(&format!(
            "Person {n},person{n}@example.org,\"Organization {}, Secretariat\",Delegate,CH,{},en\r\n",
            n % 97,
            ZONES[n % ZONES.len()]
        ));
    }
    csv
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows = env_or("ROWS", 100_000);
    let rounds = env_or("ROUNDS", 3);
    let dir = tempfile::tempdir()?;
    let server = start(dir.path())?;
    let client = reqwest::Client::new();
    let ready = Instant::now();
    while client
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .map_or(true, |r| !r.status().is_success())
    {
        anyhow::ensure!(
            ready.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let csv = generated_csv(rows);
    let (rss_idle, _) = memory(server.child.id());
    eprintln!(
        "{rows} rows, {:.1} MB of CSV; server idle at {:.1} MB",
        csv.len() as f64 / 1e6,
        rss_idle as f64 / 1e6
    );
    println!("| import | rows | seconds | rows/s | server RSS after | server peak (VmHWM) |");
    println!("|---|---|---|---|---|---|");
    for round in 1..=rounds {
        let webinar: Value = client
            .post(format!("{}/api/v1/webinars", server.base))
            .bearer_auth(&server.token)
            .json(&json!({"title": format!("Import {round}"), "languages": ["en"], "time_zone": "UTC",
                "sessions": [{"label": "AM", "starts_at": "2030-09-24T07:00:00Z", "duration_minutes": 120}]}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let url = format!(
            "{}/api/v1/webinars/{}/invitees",
            server.base,
            webinar["id"].as_str().unwrap()
        );
        for what in ["new", "again (all updated)"] {
            let started = Instant::now();
            let report: Value = client
                .post(&url)
                .bearer_auth(&server.token)
                .header("content-type", "text/csv")
                .body(csv.clone())
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let seconds = started.elapsed().as_secs_f64();
            let stored = report["imported"].as_u64().unwrap() + report["updated"].as_u64().unwrap();
            anyhow::ensure!(stored == rows as u64, "stored {stored} of {rows}: {report}");
            let (rss, peak) = memory(server.child.id());
            println!(
                "| {round}: {what} | {rows} | {seconds:.2} | {:.0} | {:.1} MB | {:.1} MB |",
                rows as f64 / seconds,
                rss as f64 / 1e6,
                peak as f64 / 1e6
            );
        }
    }
    Ok(())
}
