//! Every request is logged in a span that names its route pattern, never the URL's token.
//! The real binary is started and its log read: a log subscriber inside the shared test
//! process would see other tests' events, and miss some of its own.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `GET path` over a fresh connection; the status code, or None when nobody answers yet.
fn get(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.split_whitespace().nth(1)?.parse().ok()
}

/// The log without terminal colour codes.
fn plain(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_request_is_logged_with_its_route_and_never_the_token_in_its_url() {
    let dir = tempfile::tempdir().unwrap();
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .current_dir(dir.path())
        .env("MERIDIAN__SERVER__BIND", addr.to_string())
        .env("MERIDIAN__SERVER__PUBLIC_URL", format!("http://{addr}"))
        .env(
            "MERIDIAN__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("m.db").display()),
        )
        .env(
            "MERIDIAN__SECURITY__SECRET_FILE",
            dir.path().join("secret.key"),
        )
        .env("MERIDIAN__MAIL__OUTBOX_DIR", dir.path().join("outbox"))
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while get(addr, "/healthz").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let token = "Zq7xSpanTestToken4vWkM2";
    let routes = [
        "/r/{token}",
        "/j/{token}",
        "/organizer/set-password/{token}",
    ];
    let statuses: Vec<u16> = routes
        .iter()
        .map(|route| get(addr, &route.replace("{token}", token)).expect("an answer"))
        .collect();
    server.kill().unwrap();
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = server.wait();
    let log = plain(&log);

    for (route, status) in routes.iter().zip(statuses) {
        let answered = log
            .lines()
            .find(|line| line.contains(&format!("route={route} ")) && line.contains("answered"))
            .unwrap_or_else(|| panic!("no line names the route {route}:\n{log}"));
        assert!(answered.contains("method=GET"), "{answered}");
        assert!(answered.contains(&format!("status={status}")), "{answered}");
        assert!(answered.contains("latency_ms="), "{answered}");
    }
    assert!(!log.contains(token), "the token was logged:\n{log}");
}
