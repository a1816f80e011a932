//! What a slow or greedy client can hold: header deadlines, idle connections, the
//! connection cap, and the per-address rate limit on public writes.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, spawn_app_with};

/// Reads until the server closes the connection; `None` if it is still open after `wait`
/// (a generous bound: only a server that never closes reaches it).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| seen)
}

fn host(address: &str) -> &str {
    address.trim_start_matches("http://")
}

#[tokio::test]
async fn a_client_that_sends_nothing_is_cut_off() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.server.header_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(host(&app.address)).await.unwrap();
    assert!(
        closed_within(&mut stream, Duration::from_secs(20))
            .await
            .is_some(),
        "a connection that never sends a request must be closed"
    );
}

#[tokio::test]
async fn a_client_that_sends_its_headers_slowly_is_cut_off() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.server.header_timeout_secs = 2).await;
    let mut stream = TcpStream::connect(host(&app.address)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    // One header line every 300 ms, never the blank line that ends them.
    let dripping = async {
        for i in 0.. {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let line = format!("X-Drip-{i}: 1\r\n");
            if stream.write_all(line.as_bytes()).await.is_err() {
                return i;
            }
        }
        unreachable!()
    };
    let lines = tokio::time::timeout(Duration::from_secs(20), dripping).await;
    assert!(
        lines.is_ok(),
        "a client dripping header lines must be cut off"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.server.idle_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(host(&app.address)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let seen = closed_within(&mut stream, Duration::from_secs(20))
        .await
        .expect("an idle connection must be closed");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

/// The cap is a property of the accept loop, tested on it directly: with tokio's clock
/// paused, a sleep ends only once every task is idle, so "the second connection was not
/// served" is decided when the server has done all it would, not after a guessed wait.
#[tokio::test(start_paused = true)]
async fn connections_past_the_cap_wait_for_a_free_slot() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let limits = meridian::serve::Limits {
        max_connections: 1,
        header_timeout: Duration::from_secs(3600),
        idle_timeout: Duration::from_secs(3600),
    };
    tokio::spawn(meridian::serve::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));
    let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    // The one slot: a keep-alive connection that has been answered and stays open.
    let mut first = TcpStream::connect(address).await.unwrap();
    first.write_all(request).await.unwrap();
    let mut buf = [0u8; 256];
    let n = first.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));

    let mut second = TcpStream::connect(address).await.unwrap();
    second.write_all(request).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let waiting = second.try_read(&mut buf);
    assert!(
        matches!(&waiting, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "a second connection must not be served while the cap is reached: {waiting:?}"
    );
    drop(first);
    let n = second.read(&mut buf).await.unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "served once the first closed"
    );
}

#[tokio::test]
async fn public_writes_past_the_rate_limit_get_429_with_retry_after() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.security.rate_limit_per_minute = 3;
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let w = app.model_webinar(None, None).await;
    let register = |n: usize, forwarded: &'static str| {
        let body = serde_json::json!({"name": "Sam", "email": format!("sam{n}@example.org"),
            "time_zone": "Europe/Zurich"});
        app.client
            .post(app.url(&format!("/api/v1/webinars/{}/registrations", w.id)))
            .header("x-forwarded-for", forwarded)
            .json(&body)
            .send()
    };
    for n in 0..3 {
        assert_eq!(register(n, "203.0.113.9").await.unwrap().status(), 201);
    }
    let refused = register(3, "203.0.113.9").await.unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("too many requests")
    );
    // Behind the trusted proxy, another client has its own quota.
    assert_eq!(register(4, "198.51.100.4").await.unwrap().status(), 201);
    // Reads are never limited.
    assert_eq!(app.get(&format!("/w/{}", w.id)).await.status(), 200);
    // The registration page answers in the visitor's language.
    let page = app
        .client
        .post(app.url(&format!("/w/{}?lang=fr", w.id)))
        .header("x-forwarded-for", "203.0.113.9")
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("Trop de demandes"));
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.security.rate_limit_per_minute = 2).await;
    let w = app.model_webinar(None, None).await;
    let mut statuses = Vec::new();
    for n in 0..3 {
        let body = serde_json::json!({"name": "Sam", "email": format!("sam{n}@example.org"),
            "time_zone": "Europe/Zurich"});
        let response = app
            .client
            .post(app.url(&format!("/api/v1/webinars/{}/registrations", w.id)))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 429]);
}
