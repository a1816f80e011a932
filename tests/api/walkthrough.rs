//! The README's curl walkthrough is `examples/walkthrough.sh`: the README shows it whole,
//! and this runs it against the real server, so neither can drift from the product.

use crate::helpers::{Backend, json_of, spawn_app};
use reqwest::StatusCode;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/walkthrough.sh");

/// Runs the script against `base` with `token`, in a fresh folder; (success, stdout, stderr).
async fn walk(base: &str, token: &str) -> (bool, String, String) {
    let (base, token) = (base.to_string(), token.to_string());
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("bash")
            .arg(SCRIPT)
            .current_dir(dir.path())
            .env("MERIDIAN_URL", base)
            .env("TOKEN", token)
            .output()
            .expect("running bash");
        assert!(
            !out.status.success() || dir.path().join("participants.xlsx").exists(),
            "step 12 writes the participant list where it runs"
        );
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

#[test]
fn the_readme_shows_the_walkthrough_script_verbatim() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    assert!(
        readme.contains(&format!("```sh\n{script}```\n")),
        "README.md must show examples/walkthrough.sh whole, in a ```sh block"
    );
}

async fn the_readme_walkthrough_runs_against_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ok, stdout, stderr) = walk(&app.address, &app.token).await;
    assert!(ok, "the walkthrough failed:\n{stdout}\n{stderr}");
    assert!(stdout.ends_with("walkthrough done\n"), "{stdout}");
    // Step 4: Tokyo is recommended the AM session at 16:00 local time.
    assert!(
        stdout.contains("[('AM', '2027-09-24T16:00:00+09:00')]"),
        "{stdout}"
    );

    // What the steps did is there: the webinar with its 24 invitees, all invited.
    let webinars = json_of(
        app.get_as_organizer("/api/v1/webinars").await,
        StatusCode::OK,
    )
    .await;
    let webinar = webinars[0]["id"].as_str().unwrap();
    let invitees = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{webinar}/invitees"))
            .await,
        StatusCode::OK,
    )
    .await;
    let invitees = invitees.as_array().unwrap();
    assert_eq!(invitees.len(), 24);
    assert!(
        invitees
            .iter()
            .all(|i| i["registration"]["status"] == "invited"),
        "every invitee is invited (step 7)"
    );
}

async fn the_walkthrough_stops_at_the_first_step_that_fails(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ok, stdout, stderr) = walk(&app.address, "not-a-token").await;
    assert!(!ok, "a refused step must fail the script:\n{stdout}");
    assert!(
        stderr.contains("FAILED: POST /api/v1/webinars answered 401 (expected 201)"),
        "{stderr}"
    );
    assert!(!stdout.contains("walkthrough done"), "{stdout}");
}

crate::on_both_databases!(
    the_readme_walkthrough_runs_against_the_server,
    the_walkthrough_stops_at_the_first_step_that_fails,
);
