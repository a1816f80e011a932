use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    sample_invitees_import_and_are_assigned_sensibly,
    reimporting_updates_by_email_instead_of_duplicating,
    bad_rows_are_named_by_line_and_good_rows_kept,
    invitees_import_from_a_json_array,
    csv_without_required_columns_or_of_another_type_is_refused,
    bad_rows_are_named_by_the_same_line_whatever_ends_the_lines,
    the_import_page_names_the_same_lines_whatever_ends_the_lines,
);

/// The line endings a spreadsheet or an editor may write.
const LINE_ENDINGS: [(&str, &str); 3] = [("LF", "\n"), ("CRLF", "\r\n"), ("CR", "\r")];

/// An invitee list with `end` after each line (inside the quoted organization too): a row
/// whose quoted field spans lines 2-3 (refused: an organization is one line), a bad email
/// on line 4, a blank line 5, an unknown zone on line 6, a row with too few fields on
/// line 7, a good row on line 8.
fn list_ending_lines_with(end: &str) -> String {
    [
        "name,email,organization,role,country,time_zone,language",
        "Two Lines,two-lines@example.org,\"Regional Conference",
        "on Migration\",Chair,CH,Europe/Zurich,fr",
        "Bad Email,not-an-email,Org,Chair,CH,Europe/Zurich,en",
        "",
        "Bad Zone,zone@example.org,Org,Chair,CH,Mars/Olympus,en",
        "Short,short@example.org,Org",
        "Good Two,good2@example.org,,,,Asia/Tokyo,",
    ]
    .iter()
    .map(|line| format!("{line}{end}"))
    .collect()
}

const BAD_LINES: [u64; 4] = [2, 4, 6, 7];

async fn sample_invitees_import_and_are_assigned_sensibly(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let report = json_of(app.import_csv(&w.id, &sample_csv()).await, StatusCode::OK).await;
    assert_eq!(
        report,
        json!({"imported": 24, "updated": 0, "errors": [], "error_count": 0})
    );
    let invitees = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/invitees", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let invitees = invitees.as_array().unwrap();
    assert_eq!(invitees.len(), 24);
    let session_of = |zone: &str| -> String {
        let i = invitees
            .iter()
            .find(|i| i["time_zone"] == zone)
            .unwrap_or_else(|| panic!("{zone}"));
        assert_eq!(
            i["outside_working_hours"], false,
            "{zone} should have a suitable session"
        );
        i["recommended_session_label"].as_str().unwrap().to_string()
    };
    for zone in [
        "Pacific/Apia",
        "Australia/Sydney",
        "Asia/Bangkok",
        "Asia/Colombo",
        "Asia/Almaty",
        "Asia/Dubai",
    ] {
        assert_eq!(session_of(zone), "AM", "{zone}");
    }
    for zone in [
        "America/Costa_Rica",
        "America/Argentina/Buenos_Aires",
        "America/Port_of_Spain",
    ] {
        assert_eq!(session_of(zone), "PM", "{zone}");
    }
    let apia = invitees
        .iter()
        .find(|i| i["time_zone"] == "Pacific/Apia")
        .unwrap();
    assert_eq!(apia["recommended_local_start"], "2030-09-24T20:00:00+13:00");
    assert_eq!(apia["country"], "WS");
    assert_eq!(apia["role"], "Chair");
    assert_eq!(apia["registration"], Value::Null);
    let igc = invitees
        .iter()
        .find(|i| i["email"] == "chair@igc.example.org")
        .unwrap();
    assert_eq!(
        igc["organization"],
        "Intergovernmental Consultations on Migration, Asylum and Refugees"
    );
}

async fn reimporting_updates_by_email_instead_of_duplicating(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    json_of(app.import_csv(&w.id, &sample_csv()).await, StatusCode::OK).await;
    let changed = "name,email,organization,role,country,time_zone,language\n\
        New Chair,CHAIR@Almaty-Process.example.org,Almaty Process,Chair,KZ,Asia/Almaty,en\n\
        Newcomer,new@example.org,,,,Europe/Paris,fr\n";
    let report = json_of(app.import_csv(&w.id, changed).await, StatusCode::OK).await;
    assert_eq!(
        report,
        json!({"imported": 1, "updated": 1, "errors": [], "error_count": 0})
    );
    let invitees = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/invitees", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let invitees = invitees.as_array().unwrap();
    assert_eq!(invitees.len(), 25);
    let almaty: Vec<_> = invitees
        .iter()
        .filter(|i| i["time_zone"] == "Asia/Almaty")
        .collect();
    assert_eq!(almaty.len(), 1);
    assert_eq!(almaty[0]["name"], "New Chair");
    assert_eq!(almaty[0]["language"], "en");
}

async fn bad_rows_are_named_by_line_and_good_rows_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let csv = "name,email,organization,role,country,time_zone,language\n\
        Good One,good1@example.org,Org,Chair,CH,Europe/Zurich,fr\n\
        Bad Email,not-an-email,Org,Chair,CH,Europe/Zurich,en\n\
        Bad Zone,zone@example.org,Org,Chair,CH,Mars/Olympus,en\n\
        Bad Language,lang@example.org,Org,Chair,CH,Europe/Zurich,de\n\
        ,noname@example.org,Org,Chair,CH,Europe/Zurich,en\n\
        Short,short@example.org,Org\n\
        Good Two,good2@example.org,,,,Asia/Tokyo,\n";
    let report = json_of(app.import_csv(&w.id, csv).await, StatusCode::OK).await;
    assert_eq!(report["imported"], 2);
    assert_eq!(report["updated"], 0);
    let errors = report["errors"].as_array().unwrap();
    let lines: Vec<u64> = errors.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7]);
    let message = |line: u64| {
        errors.iter().find(|e| e["line"] == line).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message(3).contains("not a valid email"), "{}", message(3));
    assert!(message(4).contains("unknown time zone"), "{}", message(4));
    assert!(message(5).contains("unknown language"), "{}", message(5));
    assert!(
        message(6).contains("name must not be empty"),
        "{}",
        message(6)
    );
    assert!(message(7).contains("fields"), "{}", message(7));
    let invitees = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/invitees", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let emails: Vec<&str> = invitees
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 2);
    assert!(emails.contains(&"good1@example.org") && emails.contains(&"good2@example.org"));
    // A row without a language takes the webinar's first one.
    let two = invitees
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "good2@example.org")
        .unwrap();
    assert_eq!(two["language"], "en");
}

async fn invitees_import_from_a_json_array(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let body = json!([
        {"name": "Chair, Prague Process", "email": "chair@prague-process.example.org", "time_zone": "Europe/Prague", "language": "ru", "country": "cz"},
        {"name": "Nobody", "email": "x", "time_zone": "Europe/Prague"},
        "not an object"
    ]);
    let response = app
        .organizer(
            reqwest::Method::POST,
            &format!("/api/v1/webinars/{}/invitees", w.id),
            Some(&body),
        )
        .await;
    let report = json_of(response, StatusCode::OK).await;
    assert_eq!(report["imported"], 1);
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3]);
    let invitees = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/invitees", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(invitees[0]["country"], "CZ");
    assert_eq!(invitees[0]["language"], "ru");
}

async fn csv_without_required_columns_or_of_another_type_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let response = app.import_csv(&w.id, "name,mail\nA,a@example.org\n").await;
    assert_error(response, StatusCode::BAD_REQUEST, "email, time_zone").await;
    let response = app.import_csv(&w.id, "name,email,time_zone\n").await;
    assert_error(response, StatusCode::BAD_REQUEST, "no invitees").await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{}/invitees", w.id)))
        .bearer_auth(&app.token)
        .header("content-type", "application/xml")
        .body("<invitees/>")
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "text/csv").await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{}/invitees", w.id)))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::BAD_REQUEST, "JSON array").await;
    let invitees = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/invitees", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(invitees, json!([]));
}

async fn bad_rows_are_named_by_the_same_line_whatever_ends_the_lines(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    for (name, end) in LINE_ENDINGS {
        let report = json_of(
            app.import_csv(&w.id, &list_ending_lines_with(end)).await,
            StatusCode::OK,
        )
        .await;
        let lines: Vec<u64> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, BAD_LINES, "{name}: {report}");
        assert!(
            report["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("line breaks"),
            "{name}: the field spanning lines is one value: {report}"
        );
        assert_eq!(
            report["imported"].as_u64().unwrap() + report["updated"].as_u64().unwrap(),
            1,
            "{name}: {report}"
        );
    }
}

async fn the_import_page_names_the_same_lines_whatever_ends_the_lines(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, csrf) = browser
        .create_webinar("Line endings", &[("AM", "2030-09-24T09:00")])
        .await;
    for (name, end) in LINE_ENDINGS {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::text(list_ending_lines_with(end))
                    .file_name("invitees.csv"),
            );
        let response = browser
            .client
            .post(format!("{base}/invitees"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        let page = response.text().await.unwrap();
        let table = page
            .split("id=\"import-errors\"")
            .nth(1)
            .and_then(|rest| rest.split("</table>").next())
            .unwrap_or_else(|| panic!("{name}: no table of errors in {page}"));
        let lines: Vec<u64> = table
            .split("<tr><td>")
            .skip(1)
            .map(|row| row.split('<').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(lines, BAD_LINES, "{name}: {table}");
    }
}
