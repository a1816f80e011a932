//! The `meridian` binary itself: account creation and refusal of bad settings.

use std::process::Command;

fn meridian(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meridian"));
    command
        .current_dir(dir)
        .env(
            "MERIDIAN__DATABASE__URL",
            format!("sqlite://{}", dir.join("m.db").display()),
        )
        .env("MERIDIAN__SECURITY__SECRET_FILE", dir.join("secret.key"));
    command
}

#[test]
fn organizer_create_prints_the_token_alone_on_the_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = meridian(dir.path())
        .args([
            "organizer",
            "create",
            "--email",
            "focal.point@iom.example.org",
            "--name",
            "Focal Point",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.lines().last().unwrap();
    assert!(
        token.len() >= 43 && !token.contains(' '),
        "last line {token:?}"
    );
    let again = meridian(dir.path())
        .args([
            "organizer",
            "create",
            "--email",
            "FOCAL.POINT@iom.example.org",
            "--name",
            "Twice",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let bad = meridian(dir.path())
        .args(["organizer", "create", "--email", "nope", "--name", "X"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--email"));
}

#[test]
fn an_invalid_setting_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value, named) in [
        ("MERIDIAN__SERVER__BIND", "not-an-address", "server.bind"),
        ("MERIDIAN__MAIL__TRANSPORT", "pigeon", "mail.transport"),
        ("MERIDIAN__DATABASE__URL", "mysql://x", "database.url"),
        (
            "MERIDIAN__SERVER__PUBLIC_URL",
            "example.org",
            "server.public_url",
        ),
        (
            "MERIDIAN__DATABASE__MAX_CONNECTIONS",
            "lots",
            "database.max_connections",
        ),
        ("MERIDIAN__LOG__FORMAT", "xml", "log.format"),
        ("MERIDIAN__METRICS__BIND", "everywhere", "metrics.bind"),
        (
            "MERIDIAN__MAIL__WORKER_MAX_IDLE_MS",
            "0",
            "mail.worker_max_idle_ms",
        ),
        // Shorter than five send timeouts (60 s by default): a slow send would go twice.
        ("MERIDIAN__MAIL__LEASE_SECS", "10", "mail.lease_secs"),
        (
            "MERIDIAN__DATABASE__SQLITE_MAX_PAGE_COUNT",
            "-1",
            "database.sqlite_max_page_count",
        ),
    ] {
        let output = meridian(dir.path())
            .arg("serve")
            .env(key, value)
            .output()
            .unwrap();
        assert!(
            !output.status.success(),
            "{key}={value} should stop start-up"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(named), "{key}: {stderr}");
        assert!(
            stderr.contains(key),
            "the message names the variable too: {stderr}"
        );
    }
}

fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = meridian(dir).args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn organizer_tokens_are_listed_created_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let email = "focal.point@iom.example.org";
    let (ok, _, stderr) = run(
        dir.path(),
        &[
            "organizer",
            "create",
            "--email",
            email,
            "--name",
            "Focal Point",
        ],
    );
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = run(
        dir.path(),
        &[
            "organizer",
            "token-create",
            "--email",
            email,
            "--label",
            "Nightly export",
        ],
    );
    assert!(ok, "{stderr}");
    let token = stdout.lines().last().unwrap();
    assert!(token.len() >= 43 && !token.contains(' '), "{stdout}");
    let (ok, listed, stderr) = run(dir.path(), &["organizer", "tokens", "--email", email]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two tokens: {listed}");
    assert!(lines[0].starts_with("id\tlabel\tcreated\tlast used"));
    assert!(lines[1].contains("\tcreated with the account\t") && lines[1].ends_with("never"));
    assert!(lines[2].contains("\tNightly export\t"), "{listed}");
    assert!(!listed.contains(token), "tokens are shown only once");
    let id = lines[2].split('\t').next().unwrap();
    let (ok, stdout, stderr) = run(
        dir.path(),
        &["organizer", "token-revoke", "--email", email, "--id", id],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Revoked"), "{stdout}");
    let (_, listed, _) = run(dir.path(), &["organizer", "tokens", "--email", email]);
    assert!(!listed.contains("Nightly export"), "{listed}");
    let (ok, _, stderr) = run(
        dir.path(),
        &["organizer", "token-revoke", "--email", email, "--id", id],
    );
    assert!(!ok && stderr.contains("not found"), "{stderr}");
    let (ok, _, stderr) = run(
        dir.path(),
        &[
            "organizer",
            "token-revoke",
            "--email",
            email,
            "--id",
            "nonsense",
        ],
    );
    assert!(!ok && stderr.contains("--id"), "{stderr}");
    let (ok, _, stderr) = run(
        dir.path(),
        &["organizer", "tokens", "--email", "nobody@example.org"],
    );
    assert!(!ok && stderr.contains("no organizer"), "{stderr}");
}

/// `meridian` run against the database and key file of `settings`, on a blocking thread
/// (the app under test keeps serving on the runtime meanwhile).
async fn meridian_on(settings: &meridian::config::Settings, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meridian"));
    command
        .env("MERIDIAN__DATABASE__URL", &settings.database.url)
        .env(
            "MERIDIAN__SECURITY__SECRET_FILE",
            &settings.security.secret_file,
        )
        .args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_every_registration_and_pending_email() {
    use crate::helpers::{Backend, inline_delivery, spawn_app_with, spawn_with, test_settings};
    use serde_json::json;

    let app = spawn_app_with(Backend::Sqlite, inline_delivery(|_| {})).await;
    let w = app.model_webinar(None, None).await;
    let people = [
        ("Amina Diallo", "amina@iom.example.org", "Africa/Dakar"),
        ("Bo Larsen", "bo@iom.example.org", "Europe/Oslo"),
        ("Chen Wei", "chen@iom.example.org", "Asia/Shanghai"),
    ];
    let mut tokens = Vec::new();
    for (name, email, zone) in people {
        let (_, token) = app
            .register_ok(
                &w.id,
                &json!({"name": name, "email": email, "time_zone": zone, "language": "en"}),
            )
            .await;
        tokens.push(token);
    }
    let backups = tempfile::tempdir().unwrap();
    let folder = backups.path().join("nightly");
    let folder_arg = folder.to_str().unwrap();
    let out = meridian_on(&app.settings, &["backup", folder_arg]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(folder.join("meridian.db").is_file());
    assert!(folder.join("secret.key").is_file());
    // The server went on serving meanwhile; a registration after the copy is not in it.
    app.register_ok(
        &w.id,
        &json!({"name": "Late Comer", "email": "late@iom.example.org",
                "time_zone": "UTC", "language": "en"}),
    )
    .await;

    // Not onto the database of the server that is running.
    let refused = meridian_on(&app.settings, &["restore", folder_arg, "--force"]).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("server is running"), "{said}");

    let new_dir = tempfile::tempdir().unwrap();
    let (mut settings, _) = test_settings(&Backend::Sqlite, new_dir.path()).await;
    settings.mail.worker = false;
    let out = meridian_on(&settings, &["restore", folder_arg]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = meridian_on(&settings, &["restore", folder_arg]).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let mut restored = spawn_with(settings, new_dir, None).await;
    // The organizer, their API token and the webinar came back with the database.
    restored.token = app.token.clone();
    let listed = restored
        .get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
        .await;
    assert_eq!(listed.status(), reqwest::StatusCode::OK);
    let listed: serde_json::Value = listed.json().await.unwrap();
    let mut emails: Vec<String> = listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_string())
        .collect();
    emails.sort();
    assert_eq!(
        emails,
        [
            "amina@iom.example.org",
            "bo@iom.example.org",
            "chen@iom.example.org"
        ]
    );
    let outbox = restored.outbox(&w.id).await;
    let pending = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "pending")
        .count();
    assert_eq!(pending, 3, "{outbox}");
    // Each pending confirmation goes out from the restored server, with the manage link
    // made by the restored secret key.
    let sent = restored.deliver().await;
    assert_eq!(sent.len(), 3);
    for ((_, email, _), token) in people.iter().zip(&tokens) {
        let mail = sent
            .iter()
            .find(|m| m.to == *email)
            .expect("a confirmation");
        assert!(mail.text.contains(&format!("/r/{token}")), "{}", mail.text);
    }
}
