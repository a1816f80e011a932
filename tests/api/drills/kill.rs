//! `kill -9` during a fan-out: the server (a real child process, `meridian serve`) is
//! killed at five random moments while it sends invitations to a real SMTP server, and
//! started again on the same data each time. Every invitee gets their invitation; the
//! copies sent twice are at most the messages in flight at the kills (accepted by the SMTP
//! server, not yet recorded as sent), counted at each kill from the database itself.
//!
//! `MERIDIAN_DRILL_INVITEES` sets the size (10,000 by default, as the issue asks).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::task::JoinHandle;

use super::*;
use crate::helpers::*;
use crate::smtp::SmtpServer;

const KILLS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_mid_fan_out_loses_no_invitation() {
    let invitees: usize = std::env::var("MERIDIAN_DRILL_INVITEES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let started = Instant::now();
    let smtp = SmtpServer::start().await;
    let data = tempfile::tempdir().unwrap();
    let (settings, _) = test_settings(&Backend::Sqlite, data.path()).await;
    let token = meridian::cli::create_organizer(&settings, "drill@iom.example.org", "Drill")
        .await
        .unwrap()
        .pop()
        .unwrap();

    let mut server = Server::start(data.path(), &settings, &smtp, 0).await;
    let api = Api {
        client: reqwest::Client::new(),
        token,
    };
    let webinar = api.create_webinar(server.addr).await;
    let csv = invitees_csv(invitees);
    let imported = api
        .client
        .post(server.url(&format!("/api/v1/webinars/{webinar}/invitees")))
        .bearer_auth(&api.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    json_of(imported, StatusCode::OK).await;
    let queueing = Instant::now();
    // In the background: the first kill may come while invitations are still queued.
    let mut sending = api.send_invitations(server.addr, &webinar);

    // Spread over the fan-out, each at a random point of its stretch.
    let stretch = invitees / (KILLS + 2);
    let points: Vec<usize> = (1..=KILLS)
        .map(|kill| kill * stretch + rand::thread_rng().gen_range(0..stretch.max(1)))
        .collect();
    let mut in_flight = Vec::new();
    let mut seen = 0;
    for (kill, point) in (1..=KILLS).zip(points) {
        let target = seen.max(point) + 1;
        smtp.wait_for(target, Duration::from_secs(120)).await;
        server.kill();
        smtp.wait_idle(Duration::from_secs(10)).await;
        let received = smtp.received();
        let sent = sent_message_ids(&settings).await;
        // Accepted since the last kill and not recorded as sent: these go out again.
        let unrecorded: HashSet<String> = received[seen..]
            .iter()
            .map(message_id)
            .filter(|id| !sent.contains(id))
            .collect();
        eprintln!(
            "drill kill -9 #{kill} after {} accepted ({:.1?}): {} in flight",
            received.len(),
            started.elapsed(),
            unrecorded.len()
        );
        in_flight.push(unrecorded.len());
        seen = received.len();
        server = Server::start(data.path(), &settings, &smtp, kill).await;
        // As an organizer whose request was cut off would: send again (only the
        // invitees not yet invited get one).
        sending = api.send_invitations(server.addr, &webinar);
    }
    sending.await.unwrap();

    // Every invitee's invitation arrives; then the outbox has nothing pending.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let accepted = accepted_per_recipient(&smtp.received());
        if accepted.len() >= invitees {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {invitees} invitees got their invitation",
            accepted.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let outbox = api.outbox_settled(&server, &webinar, deadline).await;
    let took = queueing.elapsed();
    server.stop();

    let received = smtp.received();
    let accepted = accepted_per_recipient(&received);
    for address in invitee_addresses(invitees) {
        assert!(
            accepted.contains_key(&address),
            "{address} got no invitation"
        );
    }
    let sent = with_status(&outbox, "sent");
    assert_eq!(sent.len(), invitees, "every invitation is recorded as sent");
    let ids: HashSet<String> = received.iter().map(message_id).collect();
    assert_eq!(ids.len(), invitees, "one Message-ID per invitation");
    let duplicates = received.len() - invitees;
    let bound: usize = in_flight.iter().sum();
    eprintln!(
        "drill kill -9: {invitees} invitations, {KILLS} kills, in flight at each {in_flight:?}, \
         {duplicates} sent twice (bound {bound}), queued to delivered {took:.1?}, \
         whole drill {:.1?}",
        started.elapsed()
    );
    assert!(
        duplicates <= bound,
        "{duplicates} duplicates, but only {bound} messages were in flight at the kills"
    );
}

/// The Message-IDs of the outbox rows recorded as sent, read from the database file
/// while no server runs.
async fn sent_message_ids(settings: &meridian::config::Settings) -> HashSet<String> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&settings.database.url)
        .await
        .unwrap();
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT message_id FROM outbox WHERE status = 'sent'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    conn.close().await.unwrap();
    ids.into_iter().collect()
}

/// `meridian serve`, a child process on the test's data folder, delivering to `smtp`.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    async fn start(
        dir: &Path,
        settings: &meridian::config::Settings,
        smtp: &SmtpServer,
        run: usize,
    ) -> Server {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let log = dir.join(format!("server-{run}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_meridian"))
            .current_dir(dir)
            .env("MERIDIAN__DATABASE__URL", &settings.database.url)
            .env(
                "MERIDIAN__SECURITY__SECRET_FILE",
                &settings.security.secret_file,
            )
            .env("MERIDIAN__SECURITY__RATE_LIMIT_PER_MINUTE", "0")
            .env("MERIDIAN__SERVER__BIND", addr.to_string())
            .env("MERIDIAN__SERVER__PUBLIC_URL", format!("http://{addr}"))
            .env("MERIDIAN__MAIL__TRANSPORT", "smtp")
            .env("MERIDIAN__MAIL__SMTP_URL", smtp.url())
            .env("MERIDIAN__MAIL__OUTBOX_DIR", &settings.mail.outbox_dir)
            // A killed server's claims free up after five seconds, not five minutes.
            .env("MERIDIAN__MAIL__SEND_TIMEOUT_SECS", "1")
            .env("MERIDIAN__MAIL__LEASE_SECS", "5")
            .env("MERIDIAN__MAIL__POLL_INTERVAL_MS", "100")
            .env("MERIDIAN__MAIL__RETRY_BASE_MS", "100")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("starting meridian serve");
        let mut server = Server { child, addr, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::Client::new();
        loop {
            let up = client.get(server.url("/healthz")).send().await;
            if up.is_ok_and(|r| r.status() == StatusCode::OK) {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("meridian exited with {status}: {}", server.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "meridian did not start: {}",
                server.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown, no last commit.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn stop(mut self) {
        self.kill();
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    /// A failing test leaves no server behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

struct Api {
    client: reqwest::Client,
    token: String,
}

impl Api {
    async fn create_webinar(&self, addr: SocketAddr) -> String {
        let body = serde_json::json!({
            "title": "Fault drill: ISCMs and the GCM regional reviews",
            "languages": ["en"],
            "time_zone": "Europe/Zurich",
            "sessions": [
                {"label": "AM", "starts_at": AM_START, "duration_minutes": 120},
                {"label": "PM", "starts_at": PM_START, "duration_minutes": 120}
            ]
        });
        let response = self
            .client
            .post(format!("http://{addr}/api/v1/webinars"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        json_of(response, StatusCode::CREATED).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `POST /invitations` on a task of its own: a kill may cut it off.
    fn send_invitations(&self, addr: SocketAddr, webinar: &str) -> JoinHandle<()> {
        let request = self
            .client
            .post(format!(
                "http://{addr}/api/v1/webinars/{webinar}/invitations"
            ))
            .bearer_auth(&self.token);
        tokio::spawn(async move {
            let _ = request.send().await;
        })
    }

    /// Polls the outbox until nothing is pending, or panics at `deadline`.
    async fn outbox_settled(&self, server: &Server, webinar: &str, deadline: Instant) -> Value {
        loop {
            let response = self
                .client
                .get(server.url(&format!("/api/v1/webinars/{webinar}/outbox")))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap();
            let outbox = json_of(response, StatusCode::OK).await;
            let pending = with_status(&outbox, "pending").len();
            if pending == 0 {
                return outbox;
            }
            assert!(Instant::now() < deadline, "{pending} still pending");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
