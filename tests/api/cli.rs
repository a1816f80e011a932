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
