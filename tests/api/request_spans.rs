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

/// Starts the real binary in `dir` with its log on a pipe, once it answers.
fn start(dir: &std::path::Path, format: &str) -> (std::process::Child, SocketAddr) {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let server = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .current_dir(dir)
        .env("MERIDIAN__SERVER__BIND", addr.to_string())
        .env("MERIDIAN__SERVER__PUBLIC_URL", format!("http://{addr}"))
        .env(
            "MERIDIAN__DATABASE__URL",
            format!("sqlite://{}", dir.join("m.db").display()),
        )
        .env("MERIDIAN__SECURITY__SECRET_FILE", dir.join("secret.key"))
        .env("MERIDIAN__MAIL__OUTBOX_DIR", dir.join("outbox"))
        .env("MERIDIAN__LOG__FORMAT", format)
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
    (server, addr)
}

/// Stops the server and returns everything it logged.
fn stop(mut server: std::process::Child) -> String {
    server.kill().unwrap();
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = server.wait();
    log
}

#[test]
fn a_request_is_logged_with_its_route_and_never_the_token_in_its_url() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = start(dir.path(), "text");
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
    let log = plain(&stop(server));

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

/// `GET path` with an `X-Request-Id`; the answer's status and `X-Request-Id`.
fn get_with_id(addr: SocketAddr, path: &str, id: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let header = id.map_or(String::new(), |id| format!("X-Request-Id: {id}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\n{header}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
    let id = answer
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(name, _)| name.eq_ignore_ascii_case("x-request-id"))
                .map(|(_, v)| v.trim().to_string())
        })
        .expect("an X-Request-Id header");
    (status, id)
}

#[test]
fn json_logs_are_one_object_a_line_and_a_request_s_lines_carry_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = start(dir.path(), "json");
    let (status, echoed) = get_with_id(addr, "/r/Zq7xJsonTestToken", Some("edge-4711"));
    assert_eq!(status, 404);
    assert_eq!(echoed, "edge-4711");
    let (_, made) = get_with_id(addr, "/organizer/sign-in", None);
    assert_eq!(made.len(), 32, "{made}");
    let log = stop(server);

    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "Meridian is listening"),
        "{log}"
    );
    // Every line written inside a request's span names that request.
    let in_requests: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["span"]["name"] == "request")
        .collect();
    assert!(!in_requests.is_empty(), "{log}");
    for line in &in_requests {
        let id = line["span"]["request_id"].as_str().unwrap_or_default();
        assert!(!id.is_empty(), "a request line without its id: {line}");
    }
    for (id, route, status) in [
        ("edge-4711", "/r/{token}", 404),
        (made.as_str(), "/organizer/sign-in", 200),
    ] {
        let answered = in_requests
            .iter()
            .find(|l| l["span"]["request_id"] == id && l["fields"]["message"] == "answered")
            .unwrap_or_else(|| panic!("no line carries the request id {id}:\n{log}"));
        assert_eq!(answered["span"]["route"], route, "{answered}");
        assert_eq!(answered["span"]["status"], status, "{answered}");
        assert_eq!(answered["span"]["method"], "GET", "{answered}");
    }
    assert!(
        !log.contains("Zq7xJsonTestToken"),
        "the token was logged:\n{log}"
    );
}
