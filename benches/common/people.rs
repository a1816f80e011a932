//! A webinar full of people, for the in-process benchmarks (participant list, list
//! pages): `n` invitees imported over the API in files of 5,000, then all invited, so
//! as many registrations and queued invitations.

use serde_json::{Value, json};

/// The zones the people are spread over.
pub const ZONES: [&str; 6] = [
    "Asia/Tokyo",
    "Europe/Zurich",
    "America/New_York",
    "Africa/Nairobi",
    "Australia/Sydney",
    "America/Mexico_City",
];

/// Creates a webinar called `title` with an AM and a PM session, imports `n` invitees
/// (person `i` in `organization(i)`, empty for none; English and French; six zones) and
/// invites them all. Answers the webinar's id and the AM session's.
pub async fn invited_webinar(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    title: &str,
    n: usize,
    organization: impl Fn(usize) -> String,
) -> anyhow::Result<(String, String)> {
    let webinar: Value = client
        .post(format!("{base}/api/v1/webinars"))
        .bearer_auth(token)
        .json(&json!({"title": title, "languages": ["en", "fr"],
            "sessions": [
                {"label": "AM", "starts_at": "2030-09-24T07:00:00Z", "duration_minutes": 120},
                {"label": "PM", "starts_at": "2030-09-24T14:00:00Z", "duration_minutes": 120}]}))
        .send()
        .await?
        .json()
        .await?;
    let id = webinar["id"].as_str().unwrap().to_string();
    let am = webinar["sessions"][0]["id"].as_str().unwrap().to_string();
    for chunk in (0..n).collect::<Vec<_>>().chunks(5000) {
        let mut csv = String::from("name,email,organization,role,country,time_zone,language\n");
        for &i in chunk {
            csv.push_str(&format!(
                "Delegate {i},delegate{i}@member-state{}.example.org,{},Head of Delegation,CH,{},{}\n",
                i % 97,
                organization(i),
                ZONES[i % ZONES.len()],
                if i % 2 == 0 { "en" } else { "fr" }
            ));
        }
        let report: Value = client
            .post(format!("{base}/api/v1/webinars/{id}/invitees"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await?
            .json()
            .await?;
        anyhow::ensure!(report["errors"] == json!([]), "import: {report}");
    }
    let queued: Value = client
        .post(format!("{base}/api/v1/webinars/{id}/invitations"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(queued["queued"] == n, "invitations: {queued}");
    Ok((id, am))
}
