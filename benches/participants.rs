//! The participant list as CSV for 100,000 registrations: time to the last byte, and the
//! server's memory while it streams, beside the same list for 10,000 registrations (a
//! list that grows tenfold must not grow memory with it). Run with
//! `cargo bench --bench participants` (release build).
//!
//! REGISTRATIONS=20000 cargo bench --bench participants   # a quicker run

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[path = "common/people.rs"]
mod people;

use meridian::config::Settings;
use meridian::startup::App;
use serde_json::Value;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_writer(std::io::stderr)
        .init();
    let large: usize = std::env::var("REGISTRATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let small = large / 10;
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);

    let dir = tempfile::tempdir()?;
    let mut settings = Settings::defaults();
    settings.server.bind = "127.0.0.1:0".parse()?;
    settings.database.url = format!("sqlite://{}", dir.path().join("bench.db").display());
    settings.security.secret_file = dir.path().join("secret.key");
    settings.mail.outbox_dir = dir.path().join("outbox");
    // The invitations are queued, not sent: this measures the list, not the mail.
    settings.mail.worker = false;
    let token = meridian::cli::create_organizer(&settings, "bench@iom.example.org", "Bench")
        .await?
        .pop()
        .unwrap();
    let app = App::build(settings).await?;
    let base = format!("http://{}", app.address());
    let server = tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();

    eprintln!(
        "setting up {small} and {large} registrations (import, invitations, a Zoom report for 30%)…"
    );
    let setup = Instant::now();
    let small_id = webinar_with(&client, &base, &token, small).await?;
    let large_id = webinar_with(&client, &base, &token, large).await?;
    eprintln!("set up in {:.0} s", setup.elapsed().as_secs_f64());

    // Warm up once (first query plans, page cache), then measure each list three times.
    download(&client, &base, &token, &small_id).await?;
    let mut rows = Vec::new();
    for (n, id) in [(small, &small_id), (large, &large_id)] {
        let mut best: Option<Download> = None;
        for _ in 0..rounds {
            let d = download(&client, &base, &token, id).await?;
            if best.as_ref().is_none_or(|b| d.seconds < b.seconds) {
                best = Some(d);
            }
        }
        rows.push((n, best.unwrap()));
    }
    server.abort();

    println!();
    println!("Participant list as CSV (GET /participants?format=csv), SQLite, release build");
    println!(
        "| registrations | bytes | time to last byte | rows/s | resident memory before | peak while streaming | growth |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (n, d) in &rows {
        println!(
            "| {n} | {:.1} MB | {:.3} s | {:.0} | {:.1} MB | {:.1} MB | {:+.1} MB |",
            d.bytes as f64 / 1e6,
            d.seconds,
            *n as f64 / d.seconds,
            d.rss_before as f64 / 1e6,
            d.rss_peak as f64 / 1e6,
            (d.rss_peak as f64 - d.rss_before as f64) / 1e6
        );
    }
    let (_, large_run) = &rows[1];
    println!();
    println!(
        "{large} registrations streamed in {:.3} s (goal: under 1 s); memory growth while streaming {:+.1} MB for {large} against {:+.1} MB for {small}",
        large_run.seconds,
        (large_run.rss_peak as f64 - large_run.rss_before as f64) / 1e6,
        (rows[0].1.rss_peak as f64 - rows[0].1.rss_before as f64) / 1e6
    );
    Ok(())
}

/// A webinar with `n` invited registrations, 30% of them attending AM by a Zoom report.
async fn webinar_with(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    n: usize,
) -> anyhow::Result<String> {
    let (id, am) =
        people::invited_webinar(client, base, token, "Participant list benchmark", n, |i| {
            format!("Regional Process {}", i % 19)
        })
        .await?;
    let mut zoom = String::from(
        "Attendee Report,\nAttendee Details,\nAttended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n",
    );
    for i in (0..n).filter(|i| i % 10 < 3) {
        zoom.push_str(&format!(
            "Yes,Delegate {i},delegate{i}@member-state{}.example.org,\"Sep 24, 2030 09:01:00\",\"Sep 24, 2030 10:55:00\",114\n",
            i % 97
        ));
    }
    let imported: Value = client
        .post(format!(
            "{base}/api/v1/webinars/{id}/attendance?session_id={am}"
        ))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(zoom)
        .send()
        .await?
        .json()
        .await?;
    let attending = (0..n).filter(|i| i % 10 < 3).count();
    assert_eq!(imported["matched"], attending, "{imported}");
    Ok(id)
}

struct Download {
    bytes: usize,
    seconds: f64,
    rss_before: u64,
    rss_peak: u64,
}

async fn download(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: &str,
) -> anyhow::Result<Download> {
    let rss_before = resident_bytes();
    let peak = Arc::new(AtomicU64::new(rss_before));
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, running) = (peak.clone(), running.clone());
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                peak.fetch_max(resident_bytes(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let start = Instant::now();
    let mut response = client
        .get(format!(
            "{base}/api/v1/webinars/{id}/participants?format=csv"
        ))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?;
    let mut bytes = 0;
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len();
    }
    let seconds = start.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    Ok(Download {
        bytes,
        seconds,
        rss_before,
        rss_peak: peak.load(Ordering::Relaxed),
    })
}

/// This process's resident memory (server and client share it), from /proc.
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
