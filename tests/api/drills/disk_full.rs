//! The database's disk full: registrations get a clear 503, nothing is half-written, and
//! the server takes registrations again once there is room.
//!
//! On SQLite the "disk" is `max_page_count` (`database.sqlite_max_page_count`), which
//! fails writes with the very error a full disk gives (SQLITE_FULL), on any machine and
//! without root. PostgreSQL's server cannot be made to fill its disk from here: a trigger
//! raises its `disk_full` error (SQLSTATE 53100) on the outbox insert instead, after the
//! registration row was written, so a half-written registration would show.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::helpers::*;

/// Pages of room left above the database's size when the limit is set.
const ROOM_PAGES: i64 = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_full_database_answers_503_keeps_nothing_half_written_and_recovers() {
    // The data folder outlives the three runs of the server on it.
    let data = tempfile::tempdir().unwrap();
    let (settings, _) = test_settings(&Backend::Sqlite, data.path()).await;
    let start = |settings: &meridian::config::Settings| {
        let mut settings = settings.clone();
        // Delivery off: the confirmations stay in the outbox, to be counted.
        settings.mail.worker = false;
        spawn_with(settings, tempfile::tempdir().unwrap(), None)
    };

    let app = start(&settings).await;
    let w = app.model_webinar(None, None).await;
    let token = app.token.clone();
    drop(app);

    // Room for a few dozen registrations, no more.
    let mut full = settings.clone();
    full.database.sqlite_max_page_count = Some((page_count(&settings).await + ROOM_PAGES) as u64);
    let app = start(&full).await;
    let mut created = Vec::new();
    let refused = loop {
        let n = created.len();
        assert!(n < 2_000, "{ROOM_PAGES} pages took {n} registrations");
        let person = person(n);
        let response = app.register(&w.id, &person).await;
        match response.status() {
            StatusCode::CREATED => created.push(person["email"].as_str().unwrap().to_string()),
            StatusCode::SERVICE_UNAVAILABLE => break (person, response),
            other => panic!(
                "registration {n}: {other} {}",
                response.text().await.unwrap()
            ),
        }
    };
    let (person, response) = refused;
    assert!(!created.is_empty(), "the limit left no room at all");
    assert!(
        response.headers().contains_key("retry-after"),
        "{:?}",
        response.headers()
    );
    assert_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is full",
    )
    .await;
    // Still full: the same answer again, and reads keep working.
    let again = app.register(&w.id, &person).await;
    assert_eq!(again.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_stored(&app, &token, &w.id, &created).await;
    eprintln!(
        "drill disk full: {} registrations fitted in {ROOM_PAGES} pages, then 503",
        created.len()
    );
    drop(app);

    // Room again (the limit lifted, as space freed on a disk): the refused person
    // registers, and nothing of their refused attempts was kept meanwhile.
    let app = start(&settings).await;
    assert_stored(&app, &token, &w.id, &created).await;
    let (_, _) = app.register_ok(&w.id, &person).await;
    created.push(person["email"].as_str().unwrap().to_string());
    assert_stored(&app, &token, &w.id, &created).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_disk_full_answers_503_keeps_nothing_half_written_and_recovers() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app_with(backend, |s| s.mail.worker = false).await;
    let w = app.model_webinar(None, None).await;
    let before = person(0);
    app.register_ok(&w.id, &before).await;
    let mut created = vec![before["email"].as_str().unwrap().to_string()];

    let mut db = postgres(&app.settings.database.url).await;
    for sql in [
        "CREATE FUNCTION drill_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         RAISE EXCEPTION 'could not extend file: No space left on device' \
         USING ERRCODE = 'disk_full'; END $$",
        "CREATE TRIGGER drill_disk_full BEFORE INSERT ON outbox \
         FOR EACH ROW EXECUTE FUNCTION drill_disk_full()",
    ] {
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
    let refused = person(1);
    let response = app.register(&w.id, &refused).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is full",
    )
    .await;
    assert_stored(&app, &app.token, &w.id, &created).await;

    // Space again: the same person registers.
    sqlx::query("DROP TRIGGER drill_disk_full ON outbox")
        .execute(&mut db)
        .await
        .unwrap();
    app.register_ok(&w.id, &refused).await;
    created.push(refused["email"].as_str().unwrap().to_string());
    assert_stored(&app, &app.token, &w.id, &created).await;
}

async fn postgres(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url).await.unwrap()
}

fn person(n: usize) -> Value {
    json!({
        "name": format!("Delegate {n} of the regional consultative process"),
        "email": format!("full-{n}@drill.example.org"),
        "organization": "Regional Consultative Process on Migration",
        "time_zone": "Asia/Tokyo",
    })
}

/// Exactly the `emails` are registered, each with one confirmation in the outbox: a
/// refused registration left neither half behind.
async fn assert_stored(app: &TestApp, token: &str, webinar: &str, emails: &[String]) {
    let get = |path: String| app.client.get(app.url(&path)).bearer_auth(token).send();
    let registrations = json_of(
        get(format!("/api/v1/webinars/{webinar}/registrations"))
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let mut registered: Vec<String> = registrations
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_string())
        .collect();
    let outbox = json_of(
        get(format!("/api/v1/webinars/{webinar}/outbox"))
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let mut confirmed: Vec<String> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "confirmation")
        .map(|m| m["recipient"].as_str().unwrap().to_string())
        .collect();
    let mut expected = emails.to_vec();
    expected.sort();
    registered.sort();
    confirmed.sort();
    assert_eq!(registered, expected, "registrations");
    assert_eq!(confirmed, expected, "confirmations in the outbox");
    assert_eq!(with_status(&outbox, "pending").len(), expected.len());
}

/// The database's size in pages, read by a connection of the test's own.
async fn page_count(settings: &meridian::config::Settings) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&settings.database.url)
        .await
        .unwrap();
    let pages = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    pages
}

/// A real full disk where the machine lets the test mount a small file system (tmpfs;
/// root, as in this project's CI container): the database fills up for real, then a
/// file is deleted and the same server takes registrations again, without a restart.
/// Elsewhere it is skipped, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_answers_503_and_recovers_when_space_returns() {
    let Some(disk) = SmallDisk::mount("8m") else {
        return;
    };
    let (mut settings, _) = test_settings(&Backend::Sqlite, disk.path()).await;
    settings.mail.worker = false;
    let app = spawn_with(settings, tempfile::tempdir().unwrap(), None).await;
    let w = app.model_webinar(None, None).await;
    let filler = disk.path().join("filler");
    fill(&filler);

    let mut created = Vec::new();
    let person = loop {
        let n = created.len();
        assert!(n < 5_000, "the disk never filled up");
        let person = person(n);
        let response = app.register(&w.id, &person).await;
        match response.status() {
            StatusCode::CREATED => created.push(person["email"].as_str().unwrap().to_string()),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_error(
                    response,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the database is full",
                )
                .await;
                break person;
            }
            other => panic!(
                "registration {n}: {other} {}",
                response.text().await.unwrap()
            ),
        }
    };
    assert_stored(&app, &app.token, &w.id, &created).await;

    std::fs::remove_file(&filler).unwrap();
    app.register_ok(&w.id, &person).await;
    created.push(person["email"].as_str().unwrap().to_string());
    assert_stored(&app, &app.token, &w.id, &created).await;
    eprintln!(
        "drill disk full (tmpfs): {} registration(s) still fitted once the disk was full, \
         then 503; registrations again as soon as a file was deleted",
        created.len() - 1
    );
}

/// Writes zeros to `path` until the file system is full.
fn fill(path: &std::path::Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 64 * 1024];
    loop {
        match file.write_all(&block) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
            Err(e) => panic!("filling the disk: {e}"),
        }
    }
    // The last partial block may have left a few bytes: take them too.
    while file.write(&[0u8]).is_ok_and(|n| n == 1) {}
}

/// A tmpfs of the given size, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED the full-disk drill: cannot mount a tmpfs here (needs root); \
                 the max_page_count drill still runs"
            );
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
