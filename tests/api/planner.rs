//! The session planner through the real server: proposals for the model case, bad
//! requests, and applying a proposal (through the reschedule path, with its emails).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    the_best_plan_for_the_model_case_serves_at_least_as_many_as_seven_and_fourteen_utc,
    plan_requests_that_cannot_be_planned_say_what_to_fix,
    applying_a_proposal_moves_adds_and_cancels_sessions_and_tells_everyone,
    the_plan_page_compares_maps_and_applies_a_proposal_after_confirmation,
);

/// One CSV row of the model case's invitees: (organization, zone).
fn iscm_rows() -> Vec<(String, Tz)> {
    let csv = sample_csv();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[2].to_string(), r[5].parse().unwrap())
        })
        .collect()
}

/// Worked out here, apart from Meridian's rule: a person is served when one of the
/// sessions lies between 07:00 and 22:00 of one local day in their zone.
fn inside_window(tz: Tz, starts: &[DateTime<Utc>], minutes: i64) -> bool {
    starts.iter().any(|&s| {
        let (a, b) = (
            s.with_timezone(&tz),
            (s + Duration::minutes(minutes)).with_timezone(&tz),
        );
        a.date_naive() == b.date_naive()
            && a.time() >= NaiveTime::from_hms_opt(7, 0, 0).unwrap()
            && b.time() <= NaiveTime::from_hms_opt(22, 0, 0).unwrap()
    })
}

fn instants(values: &Value) -> Vec<DateTime<Utc>> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().parse().unwrap())
        .collect()
}

async fn plan(app: &TestApp, webinar: &str, body: Value) -> Value {
    json_of(
        app.organizer(
            Method::POST,
            &format!("/api/v1/webinars/{webinar}/plan"),
            Some(&body),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn the_best_plan_for_the_model_case_serves_at_least_as_many_as_seven_and_fourteen_utc(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    assert_eq!(
        app.import_csv(&w.id, &sample_csv()).await.status(),
        StatusCode::OK
    );
    let rows = iscm_rows();
    let current_times: Vec<DateTime<Utc>> =
        vec![AM_START.parse().unwrap(), PM_START.parse().unwrap()];

    let answer = plan(
        &app,
        &w.id,
        json!({"sessions": 2, "dates": ["2030-09-24"], "duration_minutes": 120,
               "step_minutes": 30, "weight": "person"}),
    )
    .await;
    assert_eq!(answer["weight"], "person");
    assert_eq!(answer["total"], rows.len());
    assert_eq!(instants(&answer["current"]["starts_at"]), current_times);

    // Who 07:00 and 14:00 UTC leave out, by zone and organization, read off the file.
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (org, tz) in &rows {
        if !inside_window(*tz, &current_times, 120) {
            *expected
                .entry((tz.name().to_string(), org.clone()))
                .or_default() += 1;
        }
    }
    let left_out: BTreeMap<(String, String), u64> = answer["current"]["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                (
                    l["time_zone"].as_str().unwrap().to_string(),
                    l["organization"].as_str().unwrap().to_string(),
                ),
                l["invitees"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(left_out, expected, "{answer}");
    let current_covered = rows.len() - expected.values().sum::<u64>() as usize;
    assert_eq!(answer["current"]["covered"], current_covered);
    let per_session: u64 = answer["current"]["per_session"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["expected"].as_u64().unwrap())
        .sum();
    assert_eq!(
        per_session as usize,
        rows.len(),
        "everyone is assigned somewhere"
    );

    let proposals = answer["proposals"].as_array().unwrap();
    assert!(!proposals.is_empty() && proposals.len() <= 5, "{answer}");
    let best = &proposals[0];
    assert!(
        best["covered"].as_u64().unwrap() as usize >= current_covered,
        "{answer}"
    );
    for pair in proposals.windows(2) {
        assert!(pair[0]["covered"].as_u64() >= pair[1]["covered"].as_u64());
    }
    // Each proposal's figures agree with the file as well.
    for p in proposals {
        let times = instants(&p["starts_at"]);
        assert_eq!(times.len(), 2);
        assert!(
            times
                .iter()
                .all(|t| t.date_naive().to_string() == "2030-09-24")
        );
        let served = rows
            .iter()
            .filter(|(_, tz)| inside_window(*tz, &times, 120))
            .count();
        assert_eq!(p["covered"], served, "{p}");
        let listed: u64 = p["left_out"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["invitees"].as_u64().unwrap())
            .sum();
        assert_eq!(listed as usize, rows.len() - served);
    }

    // Each of the 19 mechanisms counts once by organization.
    let by_org = plan(
        &app,
        &w.id,
        json!({"sessions": 2, "dates": ["2030-09-24"], "duration_minutes": 120,
               "step_minutes": 30, "weight": "organization"}),
    )
    .await;
    let organizations: std::collections::BTreeSet<&String> = rows.iter().map(|(o, _)| o).collect();
    assert_eq!(by_org["total"], organizations.len());
    let org_served = |times: &[DateTime<Utc>]| {
        organizations
            .iter()
            .filter(|o| {
                rows.iter()
                    .any(|(org, tz)| org == **o && inside_window(*tz, times, 120))
            })
            .count()
    };
    assert_eq!(by_org["current"]["covered"], org_served(&current_times));
    let best_times = instants(&by_org["proposals"][0]["starts_at"]);
    assert_eq!(by_org["proposals"][0]["covered"], org_served(&best_times));
    assert!(org_served(&best_times) >= org_served(&current_times));

    // Left out, the defaults are the webinar's own: two sessions, its date, 120 minutes.
    let defaults = plan(&app, &w.id, json!({})).await;
    assert_eq!(defaults["proposals"], answer["proposals"]);
}

async fn plan_requests_that_cannot_be_planned_say_what_to_fix(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let path = format!("/api/v1/webinars/{}/plan", w.id);
    for (body, needle) in [
        (json!({"sessions": 5}), "sessions"),
        (json!({"sessions": 2, "step_minutes": 20}), "step_minutes"),
        (json!({"dates": ["24.09.2030"]}), "24.09.2030"),
        (json!({"weight": "people"}), "organization"),
        (
            json!({"sessions": 4, "step_minutes": 15, "dates": ["2030-09-24", "2030-09-25", "2030-09-26"]}),
            "combinations",
        ),
    ] {
        assert_error(
            app.organizer(Method::POST, &path, Some(&body)).await,
            StatusCode::BAD_REQUEST,
            needle,
        )
        .await;
    }
    let anonymous = app.post_json(&path, &json!({})).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let unknown = format!("/api/v1/webinars/{}/plan", uuid::Uuid::new_v4());
    assert_eq!(
        app.organizer(Method::POST, &unknown, Some(&json!({})))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn applying_a_proposal_moves_adds_and_cancels_sessions_and_tells_everyone(backend: Backend) {
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let w = app.model_webinar(None, None).await;
    let (_, _) = app
        .register_ok(
            &w.id,
            &json!({"name": "Kenji Sato", "email": "kenji@example.org", "time_zone": "Asia/Tokyo",
                    "session_id": w.am}),
        )
        .await;
    let (_, _) = app
        .register_ok(
            &w.id,
            &json!({"name": "Ana Lima", "email": "ana@example.org", "time_zone": "America/Lima",
                    "session_id": w.pm}),
        )
        .await;
    app.deliver().await;
    let apply = format!("/api/v1/webinars/{}/plan/apply", w.id);
    let body = json!({"starts_at": ["2030-09-24T15:00:00Z", "2030-09-24T06:00:00Z", "2030-09-24T21:00:00Z"],
                      "duration_minutes": 90});
    let applied = json_of(
        app.organizer(Method::POST, &apply, Some(&body)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        applied,
        json!({"moved": 2, "added": 1, "cancelled": 0, "notified": 2})
    );
    let sent = app.deliver().await;
    let mut told: Vec<(&str, Option<&str>)> = sent
        .iter()
        .map(|m| (m.to.as_str(), m.method_param.as_deref()))
        .collect();
    told.sort();
    assert_eq!(
        told,
        vec![
            ("ana@example.org", Some("REQUEST")),
            ("kenji@example.org", Some("REQUEST"))
        ]
    );
    let kenji = sent.iter().find(|m| m.to == "kenji@example.org").unwrap();
    let calendar = kenji.calendar.as_deref().unwrap();
    // AM (07:00) moved to the earliest time, 06:00 UTC, for 90 minutes, as an update.
    assert!(calendar.contains("DTSTART:20300924T060000Z"), "{calendar}");
    assert!(calendar.contains("DTEND:20300924T073000Z"), "{calendar}");
    assert!(calendar.contains("SEQUENCE:1"), "{calendar}");
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{}/sessions", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let mut starts: Vec<&str> = listing["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap())
        .collect();
    starts.sort();
    assert_eq!(
        starts,
        vec![
            "2030-09-24T06:00:00Z",
            "2030-09-24T15:00:00Z",
            "2030-09-24T21:00:00Z"
        ]
    );

    // Down to one time: the first session stays, the two others are cancelled and the
    // one registrant among them is told.
    let one = json!({"starts_at": ["2030-09-24T06:00:00Z"], "duration_minutes": 90});
    let applied = json_of(
        app.organizer(Method::POST, &apply, Some(&one)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        applied,
        json!({"moved": 0, "added": 0, "cancelled": 2, "notified": 1})
    );
    let sent = app.deliver().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].to.as_str(), sent[0].method_param.as_deref()),
        ("ana@example.org", Some("CANCEL"))
    );
    assert_error(
        app.organizer(
            Method::POST,
            &apply,
            Some(&json!({"starts_at": [], "duration_minutes": 90})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "1 to 4",
    )
    .await;
}

/// The number in `<strong>N</strong> of 24` in the given table cell class, in page order.
fn covered_counts(page: &str) -> Vec<u64> {
    page.split("<td class=\"covered\"><strong>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().parse().unwrap())
        .collect()
}

/// The value of the first hidden `starts_at` field (the first proposal's times).
fn first_proposal(page: &str) -> String {
    let needle = "name=\"starts_at\" value=\"";
    let at = page.find(needle).expect("an apply form") + needle.len();
    page[at..].split('"').next().unwrap().to_string()
}

async fn the_plan_page_compares_maps_and_applies_a_proposal_after_confirmation(backend: Backend) {
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, csrf) = browser
        .create_webinar(
            "Model case",
            &[("AM", "2030-09-24T07:00"), ("PM", "2030-09-24T14:00")],
        )
        .await;
    let response = browser.upload_invitees(&base, &csrf, &sample_csv()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let id = base.rsplit('/').next().unwrap().to_string();
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{id}/sessions")).await,
        StatusCode::OK,
    )
    .await;
    let am = listing["sessions"][0]["id"].as_str().unwrap().to_string();
    app.register_ok(
        &id,
        &json!({"name": "Kenji Sato", "email": "kenji@example.org", "time_zone": "Asia/Tokyo",
                "session_id": am}),
    )
    .await;
    app.deliver().await;

    let (status, page) = browser.get(&format!("{base}/plan?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    let title = &page[..page.find("</title>").unwrap()];
    assert!(
        title.ends_with("<title>Plan · Model case · Meridian"),
        "{title}"
    );
    for needle in [
        "Current",
        "Proposal 1",
        "Everyone&#x27;s day",
        "class=\"day-map\"",
        "Apia (1)",
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    // Current 07:00/14:00 UTC, then the proposals, best first; worked out from the file.
    let rows = iscm_rows();
    let current_times: Vec<DateTime<Utc>> =
        vec![AM_START.parse().unwrap(), PM_START.parse().unwrap()];
    let served = rows
        .iter()
        .filter(|(_, tz)| inside_window(*tz, &current_times, 120))
        .count() as u64;
    let counts = covered_counts(&page);
    assert_eq!(counts[0], served, "{page}");
    assert!(counts.len() >= 2 && counts[1] >= served, "{counts:?}");
    // The coverage page counts what the plan's "current" counts, and shows the map.
    let (_, coverage) = browser.get(&format!("{base}/coverage?lang=en")).await;
    let title = &coverage[..coverage.find("</title>").unwrap()];
    assert!(
        title.ends_with("<title>Coverage · Model case · Meridian"),
        "{title}"
    );
    assert!(
        coverage.contains(&format!("<strong>{served}</strong> of <strong>24</strong>"))
            && coverage.contains("class=\"day-map\""),
        "{coverage}"
    );
    let (_, arabic) = browser.get(&format!("{base}/plan?lang=ar")).await;
    assert!(
        arabic.contains("dir=\"rtl\"") && arabic.contains("المقترح 1"),
        "{arabic}"
    );
    let (status, bad) = browser
        .get(&format!("{base}/plan?lang=en&dates=24.09.2030"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("24.09.2030"), "{bad}");

    // Apply the best proposal: first a confirmation that says who is told.
    let starts = first_proposal(&page);
    let times: Vec<&str> = starts.split(',').collect();
    let fields = [
        ("csrf", csrf.as_str()),
        ("starts_at", starts.as_str()),
        ("duration_minutes", "120"),
    ];
    let (status, confirm, _) = browser
        .post(&format!("{base}/plan/confirm?lang=en"), &fields)
        .await;
    assert_eq!(status, StatusCode::OK, "{confirm}");
    let moves_am = times[0] != AM_START;
    let expected = format!("{} people (registrants and chairs)", usize::from(moves_am));
    assert!(confirm.contains(&expected), "{expected} in {confirm}");
    assert!(
        app.deliver().await.is_empty(),
        "the confirmation changes nothing"
    );
    let (status, _, url) = browser.post(&format!("{base}/plan/apply"), &fields).await;
    assert_eq!(status, StatusCode::OK);
    assert!(url.ends_with(&base), "{url}");
    let listing = json_of(
        app.get(&format!("/api/v1/webinars/{id}/sessions")).await,
        StatusCode::OK,
    )
    .await;
    let mut starts_now: Vec<DateTime<Utc>> = listing["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap().parse().unwrap())
        .collect();
    starts_now.sort();
    let mut wanted: Vec<DateTime<Utc>> = times.iter().map(|t| t.parse().unwrap()).collect();
    wanted.sort();
    assert_eq!(starts_now, wanted);
    let told = app.deliver().await;
    assert_eq!(
        told.len(),
        usize::from(moves_am),
        "Kenji is told when AM moves"
    );
    let missing_csrf = browser
        .post(&format!("{base}/plan/apply"), &fields[1..])
        .await;
    assert_ne!(missing_csrf.0, StatusCode::OK);
}
