//! Invitation fan-out: 10,000 invitees, rendered and delivered by Meridian to a local SMTP
//! server, beside a plain lettre client sending as many same-sized messages to the same
//! server in the same run. Run with `cargo bench --bench invitations` (release build).
//!
//! Meridian runs as its own process (the release binary, `meridian serve`, like
//! `benches/load.rs`), so that its peak resident memory (VmHWM) is the server's alone:
//! the SMTP server that receives (and keeps) every message runs in this bench process.
//!
//! INVITEES=2000 cargo bench --bench invitations   # a quicker run
//! INVITEES=50000 cargo bench --bench invitations  # issue 18, goal 3

#[path = "../tests/api/smtp.rs"]
#[allow(dead_code, unused_imports)]
mod smtp;

#[path = "common/server.rs"]
#[allow(dead_code)]
mod server;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use meridian::email::transport::SMTP_CONNECTIONS;
use serde_json::{Value, json};

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
const LANGUAGES: [&str; 5] = ["en", "es", "fr", "ru", "ar"];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Warnings (failed deliveries, retries) show up, as they would in Meridian's log.
    tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_writer(std::io::stderr)
        .init();
    let invitees: usize = std::env::var("INVITEES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let sink = smtp::SmtpServer::start().await;

    let meridian = meridian_fan_out(&sink, invitees).await?;
    let average_size = sink.received().iter().map(|m| m.data.len()).sum::<usize>() / invitees;
    let baseline = plain_client(&sink, invitees, average_size).await?;

    let ratio = meridian.end_to_end / baseline;
    println!();
    println!(
        "Invitation fan-out, {invitees} invitees, messages of {average_size} bytes on average"
    );
    println!("| what | time | messages/s |");
    println!("|---|---|---|");
    println!(
        "| Meridian: queue (POST /invitations: assign, register, queue) | {:.2} s | {:.0} |",
        meridian.queue_secs,
        invitees as f64 / meridian.queue_secs
    );
    println!(
        "| Meridian: delivery still running after that answer | {:.2} s | {:.0} |",
        meridian.deliver_secs,
        invitees as f64 / meridian.deliver_secs
    );
    println!(
        "| Meridian: end to end | {:.2} s | {:.0} |",
        meridian.queue_secs + meridian.deliver_secs,
        meridian.end_to_end
    );
    println!(
        "| baseline: plain lettre client, same pool and concurrency | {:.2} s | {baseline:.0} |",
        invitees as f64 / baseline
    );
    println!();
    println!(
        "Meridian end to end / baseline = {:.0}% (goal: at least 80%)",
        ratio * 100.0
    );
    println!("(invitations are committed in chunks, so delivery overlaps the queueing)");
    println!();
    println!(
        "Meridian server process: RSS idle after start-up {:.1} MB, after the invitees were \
         imported {:.1} MB, peak over the fan-out (VmHWM) {:.1} MB (goal: under 150 MB)",
        meridian.idle_kb as f64 / 1024.0,
        meridian.imported_kb as f64 / 1024.0,
        meridian.peak_kb as f64 / 1024.0
    );
    Ok(())
}

struct FanOut {
    queue_secs: f64,
    deliver_secs: f64,
    end_to_end: f64,
    /// The server's VmRSS after start-up, in kB.
    idle_kb: u64,
    /// The server's VmRSS once the invitees are imported, before the fan-out.
    imported_kb: u64,
    /// The server's VmHWM (peak RSS) when the last message has arrived.
    peak_kb: u64,
}

async fn meridian_fan_out(sink: &smtp::SmtpServer, invitees: usize) -> anyhow::Result<FanOut> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let token = server::create_organizer(dir.path(), &url)?;
    let server = server::Server::start(
        dir.path(),
        &url,
        &[
            ("MERIDIAN__MAIL__TRANSPORT", "smtp".into()),
            ("MERIDIAN__MAIL__SMTP_URL", sink.url()),
            (
                "MERIDIAN__MAIL__FROM",
                "IOM Webinars <webinars@iom.example.org>".into(),
            ),
        ],
    )
    .await?;
    let idle_kb = server.rss_kb("VmRSS")?;
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();

    let webinar: Value = client
        .post(format!("{base}/api/v1/webinars"))
        .bearer_auth(&token)
        .json(&json!({"title": "Benchmark webinar: ISCMs and the GCM regional reviews", "languages": LANGUAGES,
            "sessions": [
                {"label": "AM", "starts_at": "2030-09-24T07:00:00Z", "duration_minutes": 120, "join_url": "https://meet.example.org/am"},
                {"label": "PM", "starts_at": "2030-09-24T14:00:00Z", "duration_minutes": 120, "join_url": "https://meet.example.org/pm"}]}))
        .send()
        .await?
        .json()
        .await?;
    let id = webinar["id"].as_str().unwrap().to_string();
    for chunk in (0..invitees).collect::<Vec<_>>().chunks(4000) {
        let mut csv = String::from("name,email,organization,role,country,time_zone,language\n");
        for i in chunk {
            csv.push_str(&format!(
                "Delegate {i},delegate{i}@member-state{}.example.org,Regional Process {},Head of Delegation,CH,{},{}\n",
                i % 97, i % 19, ZONES[i % ZONES.len()], LANGUAGES[i % LANGUAGES.len()]
            ));
        }
        let report: Value = client
            .post(format!("{base}/api/v1/webinars/{id}/invitees"))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await?
            .json()
            .await?;
        assert_eq!(report["errors"], json!([]), "{report}");
    }

    let imported_kb = server.rss_kb("VmRSS")?;
    let start = Instant::now();
    let queued: Value = client
        .post(format!("{base}/api/v1/webinars/{id}/invitations"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let queue_secs = start.elapsed().as_secs_f64();
    assert_eq!(queued["queued"], invitees, "{queued}");
    sink.wait_for(invitees, Duration::from_secs(600)).await;
    let total = start.elapsed().as_secs_f64();
    let peak_kb = server.rss_kb("VmHWM")?;
    server.stop()?;
    Ok(FanOut {
        queue_secs,
        deliver_secs: total - queue_secs,
        end_to_end: invitees as f64 / total,
        idle_kb,
        imported_kb,
        peak_kb,
    })
}

/// The same number of messages, of the same size, to the same server, over the same kind
/// of connection pool with as many messages in flight as Meridian's worker allows
/// (`SMTP_CONNECTIONS`), as one steady stream; returns messages/s.
async fn plain_client(sink: &smtp::SmtpServer, count: usize, size: usize) -> anyhow::Result<f64> {
    let transport =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(sink.addr().ip().to_string())
            .port(sink.addr().port())
            .pool_config(PoolConfig::new().max_size(SMTP_CONNECTIONS as u32))
            .build();
    let from: Mailbox = "IOM Webinars <webinars@iom.example.org>".parse()?;
    let body = "x".repeat(size.saturating_sub(600) / 2);
    let already = sink.received().len();
    let start = Instant::now();
    // No batches: a steady stream with as many messages in flight as connections.
    let sends = futures_util::stream::iter(0..count).map(|i| {
        let message = Message::builder()
            .from(from.clone())
            .to(format!("Delegate {i} <delegate{i}@example.org>")
                .parse()
                .unwrap())
            .subject(format!("Baseline message {i}"))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(body.clone()))
                    .singlepart(SinglePart::html(body.clone())),
            )
            .unwrap();
        transport.send(message)
    });
    let results: Vec<_> = sends.buffer_unordered(SMTP_CONNECTIONS).collect().await;
    for result in results {
        result?;
    }
    sink.wait_for(already + count, Duration::from_secs(600))
        .await;
    Ok(count as f64 / start.elapsed().as_secs_f64())
}
