//! Invitee lists of up to 100,000 people, as CSV or XLSX, through the API and the page:
//! stored in chunks, refused lines named by line (the first 1,000, and a count of all).

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    a_hundred_thousand_row_csv_is_imported_with_its_bad_lines_named,
    an_xlsx_list_is_imported_through_the_api_and_the_page,
    a_list_over_a_hundred_thousand_rows_is_refused_whole,
    only_the_first_thousand_refused_lines_are_listed_with_a_count_of_all,
);

const ZONES: [&str; 5] = [
    "Asia/Tokyo",
    "Europe/Zurich",
    "America/New_York",
    "Africa/Nairobi",
    "Australia/Sydney",
];

/// `rows` invitees after a header, CRLF-ended as Excel writes; every 10,000th row (from
/// row 5,000) has an unknown zone. Answers the list and the lines refused.
fn generated_csv(rows: usize) -> (String, Vec<u64>) {
    let mut csv = String::from("name,email,organization,role,country,time_zone,language\r\n");
    let mut bad = Vec::new();
    for n in 0..rows {
        let zone = if n % 10_000 == 5_000 {
            bad.push(n as u64 + 2);
            "Mars/Olympus"
        } else {
            ZONES[n % ZONES.len()]
        };
        csv.push_str(&format!(
            "Person {n},person{n}@example.org,\"Organization {}, Secretariat\",Delegate,CH,{zone},en\r\n",
            n % 97
        ));
    }
    (csv, bad)
}

async fn invitee_count(app: &TestApp, webinar: &str) -> usize {
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{webinar}/invitees"))
            .await,
        StatusCode::OK,
    )
    .await;
    list.as_array().unwrap().len()
}

async fn a_hundred_thousand_row_csv_is_imported_with_its_bad_lines_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (csv, bad) = generated_csv(100_000);
    assert!(
        csv.len() > 8 * 1024 * 1024,
        "well over the 1 MiB of other bodies"
    );
    let report = json_of(app.import_csv(&w.id, &csv).await, StatusCode::OK).await;
    assert_eq!(report["imported"], 100_000 - bad.len());
    assert_eq!(report["updated"], 0);
    assert_eq!(report["error_count"], bad.len());
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, bad);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Mars/Olympus"),
        "{report}"
    );
    assert_eq!(invitee_count(&app, &w.id).await, 100_000 - bad.len());
    // The same list again updates everyone by email and adds nobody.
    let again = json_of(app.import_csv(&w.id, &csv).await, StatusCode::OK).await;
    assert_eq!(again["imported"], 0);
    assert_eq!(again["updated"], 100_000 - bad.len());
    assert_eq!(invitee_count(&app, &w.id).await, 100_000 - bad.len());
}

/// A spreadsheet with the header on row 1, `rows` invitees, one with a bad email on row 3
/// and a row with the email of row 2 (an update) at the end.
fn spreadsheet(rows: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in ["Name", "Email", "Organization", "Time_Zone", "Language"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    for n in 1..=rows {
        let email = if n == 2 {
            "not-an-email".to_string()
        } else {
            format!("sheet{n}@example.org")
        };
        sheet
            .write_string(n, 0, format!("Sheet Person {n}"))
            .unwrap();
        sheet.write_string(n, 1, &email).unwrap();
        sheet.write_number(n, 2, f64::from(n)).unwrap();
        sheet.write_string(n, 3, ZONES[n as usize % 5]).unwrap();
        sheet.write_string(n, 4, "fr").unwrap();
    }
    sheet
        .write_string(rows + 1, 0, "Sheet Person One Again")
        .unwrap();
    sheet
        .write_string(rows + 1, 1, "SHEET1@example.org")
        .unwrap();
    sheet.write_string(rows + 1, 3, "Asia/Tokyo").unwrap();
    book.save_to_buffer().unwrap()
}

async fn an_xlsx_list_is_imported_through_the_api_and_the_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/webinars/{}/invitees", w.id)))
        .bearer_auth(&app.token)
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(spreadsheet(3_000))
        .send()
        .await
        .unwrap();
    let report = json_of(response, StatusCode::OK).await;
    assert_eq!(report["imported"], 2_999, "{report}");
    assert_eq!(report["updated"], 1);
    assert_eq!(report["error_count"], 1);
    assert_eq!(report["errors"][0]["line"], 3, "row 3 of the sheet");
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/invitees", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let one = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "SHEET1@example.org")
        .unwrap();
    assert_eq!(
        one["name"], "Sheet Person One Again",
        "the later row wins, as written"
    );
    let seven: &Value = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "sheet7@example.org")
        .unwrap();
    assert_eq!(seven["organization"], "7", "a number cell as written");
    assert_eq!(seven["language"], "fr");

    // The page takes the same file (told by its bytes), in another webinar.
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, _) = browser
        .create_webinar("From a spreadsheet", &[("AM", "2027-09-24T07:00")])
        .await;
    let (_, page) = browser.get(&format!("{base}/invitees")).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .part(
            "file",
            reqwest::multipart::Part::bytes(spreadsheet(50)).file_name("invitees.xlsx"),
        );
    let response = browser
        .client
        .post(browser.url(&format!("{base}/invitees")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("49 imported, 1 updated, 1 with errors."),
        "{page}"
    );
    assert!(
        page.contains("<tr><td>3</td><td>Please enter a valid email address"),
        "the refused row, told from the catalogue: {page}"
    );
    assert!(page.contains("<progress id=\"upload-progress\""), "{page}");
}

async fn a_list_over_a_hundred_thousand_rows_is_refused_whole(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (csv, _) = generated_csv(100_001);
    assert_error(
        app.import_csv(&w.id, &csv).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "the list has 100001 rows; at most 100000",
    )
    .await;
    assert_eq!(invitee_count(&app, &w.id).await, 0, "nothing stored");
}

async fn only_the_first_thousand_refused_lines_are_listed_with_a_count_of_all(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let mut csv = String::from("name,email,time_zone\n");
    for n in 0..1_500 {
        csv.push_str(&format!("Person {n},person{n}@example.org,Nowhere/{n}\n"));
        csv.push_str(&format!("Good {n},good{n}@example.org,UTC\n"));
    }
    let report = json_of(app.import_csv(&w.id, &csv).await, StatusCode::OK).await;
    assert_eq!(report["imported"], 1_500);
    assert_eq!(report["error_count"], 1_500);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1_000);
    assert_eq!(errors[999]["line"], 2 + 2 * 999);

    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, _) = browser
        .create_webinar("Many mistakes", &[("AM", "2027-09-24T07:00")])
        .await;
    let (_, page) = browser.get(&format!("{base}/invitees")).await;
    let page = browser
        .upload_invitees(&base, &csrf_of(&page), &csv)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("1500 imported, 0 updated, 1500 with errors."),
        "{page}"
    );
    assert!(
        page.contains("Only the first 1000 are listed; 500 more lines were refused."),
        "{page}"
    );
}
