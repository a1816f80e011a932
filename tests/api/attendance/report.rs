//! The report: invited, registered and attended, per session, organization, language
//! and UTC offset, and the zones no session suits.

use reqwest::StatusCode;
use serde_json::json;

use super::*;
use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(the_report_counts_a_known_data_set);

async fn the_report_counts_a_known_data_set(backend: Backend) {
    let (app, w, _) = known_data_set(backend).await;
    let report = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{w}/report"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        report["totals"],
        json!({"name": "All", "invited": 4, "registered": 3, "waitlisted": 0, "attended": 2, "declined": 0,
               "bounced": 0, "attendance_rate": 0.667})
    );
    let am = &report["per_session"][0];
    assert_eq!(am["name"], "AM");
    assert_eq!(am["attended"], 2, "counted where they attended: {report}");
    let pm = &report["per_session"][1];
    assert_eq!(pm["attended"], 0);
    assert_eq!(
        am["invited"].as_u64().unwrap() + pm["invited"].as_u64().unwrap(),
        4
    );
    assert_eq!(
        (am["registered"].as_u64(), pm["registered"].as_u64()),
        (Some(2), Some(1))
    );
    let rabat = report["per_organization"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Rabat Process")
        .unwrap();
    assert_eq!(
        rabat,
        &json!({"name": "Rabat Process", "invited": 1, "registered": 1, "waitlisted": 0, "attended": 1, "declined": 0,
                "bounced": 0, "attendance_rate": 1.0})
    );
    let languages: Vec<&str> = report["per_language"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(languages, ["en", "es", "fr", "ru"]);
    let en = &report["per_language"][0];
    assert_eq!(
        (
            en["invited"].as_u64(),
            en["registered"].as_u64(),
            en["attended"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert!(
        report["per_utc_offset"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "UTC+09:00" || l["name"] == "UTC+9"),
        "{report}"
    );
    let sum: u64 = report["per_utc_offset"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["invited"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 4);
    // The zones with no session inside working hours (the sessions are an hour and eight
    // hours from now, so which zones these are depends on the time of day of the test);
    // every one listed is a zone of the list, and none is listed twice.
    let zones: Vec<&str> = report["zones_without_suitable_session"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["time_zone"].as_str().unwrap())
        .collect();
    let known = [
        "Africa/Casablanca",
        "Asia/Tokyo",
        "America/Mexico_City",
        "Europe/Moscow",
        "Europe/London",
    ];
    assert!(zones.iter().all(|z| known.contains(z)), "{zones:?}");
}
