//! Every request is logged in a span that names its route pattern, never the URL's token.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::helpers::{Backend, spawn_app};

/// Log output kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

// A current-thread runtime, so the server runs on this thread and the subscriber set for
// this thread sees its spans. Spans do not depend on the database: SQLite only.
#[tokio::test]
async fn a_request_is_logged_with_its_route_and_never_the_token_in_its_url() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = spawn_app(Backend::Sqlite).await;
    let token = "Zq7xSpanTestToken4vWkM2";

    for route in [
        "/r/{token}",
        "/j/{token}",
        "/organizer/set-password/{token}",
    ] {
        let response = app
            .client
            .get(app.url(&route.replace("{token}", token)))
            .send()
            .await
            .unwrap();

        let logs = logs.text();
        let answered = logs
            .lines()
            .find(|line| line.contains(&format!("route={route} ")) && line.contains("answered"))
            .unwrap_or_else(|| panic!("no line names the route {route}:\n{logs}"));
        assert!(answered.contains("method=GET"), "{answered}");
        assert!(
            answered.contains(&format!("status={}", response.status().as_u16())),
            "{answered}"
        );
        assert!(answered.contains("latency_ms="), "{answered}");
        assert!(!logs.contains(token), "the token was logged:\n{logs}");
    }
}
