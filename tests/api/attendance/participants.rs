//! The participant list: internal and shareable, as CSV, XLSX and a printable page,
//! read whole across pages, and the registrant's consent to appear in it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;
use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    self_registrants_may_give_role_and_country,
    the_internal_csv_lists_everyone_by_organization_with_formulas_neutralised,
    the_shareable_csv_lists_only_those_who_agreed_without_addresses,
    the_list_can_keep_only_attendees_or_only_registrants,
    the_xlsx_list_reads_back_with_formulas_neutralised_and_numbers,
    the_printable_list_is_grouped_by_organization_and_escaped,
    bad_list_requests_are_refused,
    consent_to_the_shared_list_can_be_given_and_withdrawn,
    a_long_participant_list_comes_whole_and_in_order_across_pages,
    the_participant_list_takes_role_and_country_from_the_invitee_list,
);

/// Five registrants (one with formulas for name and organization), some agreeing to
/// share; Amina attended AM, Youssef came to AM although registered for PM; Zoe gave
/// role and country, Xavier no organization; Lucía cancelled.
struct Listed {
    app: TestApp,
    w: String,
    /// The manage tokens of the five, in order.
    manage: Vec<String>,
    /// The answer to Zoe's registration.
    zoe: Value,
}

async fn listed(backend: Backend) -> Listed {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let people = [
        (
            "Amina Diallo",
            "amina@example.org",
            "Rabat Process",
            true,
            &s[0],
        ),
        (
            "Kenji Sato",
            "kenji@example.jp",
            "Bali Process",
            false,
            &s[0],
        ),
        (
            "=HYPERLINK(\"http://evil.example\")",
            "evil@example.net",
            "+SUM(1,2)",
            true,
            &s[1],
        ),
        (
            "Lucía Fernández",
            "lucia@example.mx",
            "Puebla Process",
            true,
            &s[1],
        ),
        (
            "Youssef Haddad",
            "youssef@example.ma",
            "Rabat Process",
            true,
            &s[1],
        ),
    ];
    let mut ids = Vec::new();
    let mut manage = Vec::new();
    for (name, email, org, share, session) in people {
        let r = register_in(
            &app,
            &w,
            session,
            json!({"name": name, "email": email, "organization": org,
            "share_in_participant_list": share}),
        )
        .await;
        assert_eq!(r["share_in_participant_list"], share);
        ids.push(r["id"].as_str().unwrap().to_string());
        manage.push(
            r["manage_url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string(),
        );
    }
    // Amina attended AM; Youssef came to AM although registered for PM; Lucía cancelled.
    for (i, session) in [(0, &s[0]), (4, &s[0])] {
        app.organizer(
            Method::PUT,
            &format!("/api/v1/webinars/{w}/registrations/{}/attendance", ids[i]),
            Some(&json!({"attended": true, "session_id": session, "minutes": 55})),
        )
        .await;
    }
    let (zoe, _) = app
        .register_ok(
            &w,
            &json!({"name": "Zoe Roe", "email": "zoe@example.org", "time_zone": "UTC",
            "organization": "Bali Process", "role": "Co-chair", "country": "au"}),
        )
        .await;
    // Someone gives no organization; Lucía cancels.
    app.register_ok(
        &w,
        &json!({"name": "Xavier Roe", "email": "xavier@example.org", "time_zone": "UTC"}),
    )
    .await;
    let cancelled = app
        .client
        .delete(app.url(&format!("/api/v1/registrations/{}", manage[3])))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    Listed {
        app,
        w,
        manage,
        zoe,
    }
}

async fn self_registrants_may_give_role_and_country(backend: Backend) {
    let Listed { app, w, zoe, .. } = listed(backend).await;
    // Self-registrants may give role and country; a bad country is refused.
    let bad = app
        .register(&w, &json!({"name": "Zed", "email": "zed@example.org", "time_zone": "UTC", "country": "Switzerland"}))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "country").await;
    assert_eq!(
        (zoe["role"].as_str(), zoe["country"].as_str()),
        (Some("Co-chair"), Some("AU"))
    );
}

async fn the_internal_csv_lists_everyone_by_organization_with_formulas_neutralised(
    backend: Backend,
) {
    let Listed { app, w, .. } = listed(backend).await;
    // Internal CSV: everyone, grouped by organization, email shown, formulas neutralised.
    let rows = csv_records(&participants_csv(&app, &w, "?format=csv").await);
    assert_eq!(
        rows[0],
        [
            "Organization",
            "Name",
            "Role",
            "Country",
            "Email",
            "Status",
            "Session registered",
            "Session attended",
            "Minutes",
            "Agreed to share"
        ]
    );
    let orgs: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        orgs,
        [
            "'+SUM(1,2)",
            "Bali Process",
            "Bali Process",
            "Puebla Process",
            "Rabat Process",
            "Rabat Process",
            ""
        ]
    );
    let zoe = rows.iter().find(|r| r[1] == "Zoe Roe").unwrap();
    assert_eq!((zoe[2].as_str(), zoe[3].as_str()), ("Co-chair", "AU"));
    let evil = &rows[1];
    assert_eq!(evil[1], "'=HYPERLINK(\"http://evil.example\")");
    let youssef = rows.iter().find(|r| r[1] == "Youssef Haddad").unwrap();
    assert_eq!(
        (
            youssef[6].as_str(),
            youssef[7].as_str(),
            youssef[8].as_str()
        ),
        ("PM", "AM", "55")
    );
    assert_eq!(youssef[4], "youssef@example.ma");
}

async fn the_shareable_csv_lists_only_those_who_agreed_without_addresses(backend: Backend) {
    let Listed { app, w, .. } = listed(backend).await;
    // Shareable: only those who agreed, no email column, nobody's address anywhere.
    let shareable = participants_csv(&app, &w, "?shareable=true").await;
    assert!(!shareable.contains('@'), "{shareable}");
    let rows = csv_records(&shareable);
    assert_eq!(
        rows[0],
        [
            "Organization",
            "Name",
            "Role",
            "Country",
            "Session attended"
        ]
    );
    let names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        names,
        [
            "'=HYPERLINK(\"http://evil.example\")",
            "Amina Diallo",
            "Youssef Haddad"
        ],
        "Lucía cancelled"
    );
}

async fn the_list_can_keep_only_attendees_or_only_registrants(backend: Backend) {
    let Listed { app, w, .. } = listed(backend).await;
    let attended =
        csv_records(&participants_csv(&app, &w, "?attended_only=true&shareable=true").await);
    assert_eq!(attended.len(), 3);
    let registered = csv_records(&participants_csv(&app, &w, "?registered_only=true").await);
    assert_eq!(registered.len(), 1 + 6, "all but Lucía");
}

async fn the_xlsx_list_reads_back_with_formulas_neutralised_and_numbers(backend: Backend) {
    let Listed { app, w, .. } = listed(backend).await;
    // XLSX, read back with calamine.
    let response = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{w}/participants?format=xlsx&shareable=true"
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Participants").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells.len(), 4);
    assert_eq!(cells[0][1], "Name");
    assert_eq!(cells[1][1], "'=HYPERLINK(\"http://evil.example\")");
    assert_eq!(cells[1][0], "'+SUM(1,2)");
    assert!(
        sheet
            .rows()
            .all(|r| r.iter().all(|c| !matches!(c, calamine::Data::Error(_))))
    );
    let internal = app
        .get_as_organizer(&format!("/api/v1/webinars/{w}/participants?format=xlsx"))
        .await;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(
        internal.bytes().await.unwrap().to_vec(),
    ))
    .unwrap();
    let sheet = book.worksheet_range("Participants").unwrap();
    let amina = sheet.rows().find(|r| r[1] == "Amina Diallo").unwrap();
    assert_eq!(amina[8], calamine::Data::Float(55.0), "minutes are numbers");
}

async fn the_printable_list_is_grouped_by_organization_and_escaped(backend: Backend) {
    let Listed { app, w, .. } = listed(backend).await;
    // The printable page: grouped under organization headings, escaped.
    let page = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{w}/participants?format=html&shareable=true&lang=fr"
        ))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("<h2>Rabat Process</h2>") && page.contains("Liste des participants"),
        "{page}"
    );
    assert!(
        page.contains("=HYPERLINK(&quot;http:&#x2f;&#x2f;evil.example&quot;)")
            || page.contains("=HYPERLINK(&quot;http://evil.example&quot;)"),
        "{page}"
    );
    assert!(!page.contains("kenji@example.jp") && !page.contains("Kenji"));
}

async fn bad_list_requests_are_refused(backend: Backend) {
    let Listed { app, w, .. } = listed(backend).await;
    assert_error(
        app.get_as_organizer(&format!("/api/v1/webinars/{w}/participants?format=pdf"))
            .await,
        StatusCode::BAD_REQUEST,
        "csv, xlsx or html",
    )
    .await;
    assert_error(
        app.get_as_organizer(&format!(
            "/api/v1/webinars/{w}/participants?shareable=maybe"
        ))
        .await,
        StatusCode::BAD_REQUEST,
        "shareable",
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/webinars/{w}/participants"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn consent_to_the_shared_list_can_be_given_and_withdrawn(backend: Backend) {
    let Listed { app, w, manage, .. } = listed(backend).await;
    // Kenji agrees later through the API, then withdraws on his manage page.
    let kenji = &manage[1];
    let agreed = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{kenji}")))
        .json(&json!({"share_in_participant_list": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(agreed, StatusCode::OK).await["share_in_participant_list"],
        true
    );
    assert!(
        participants_csv(&app, &w, "?shareable=true")
            .await
            .contains("Kenji Sato")
    );
    let browser = Browser::new(&app);
    let (_, page) = browser.get(&format!("/r/{kenji}")).await;
    assert!(
        page.contains("name=\"share_in_participant_list\" value=\"on\" checked"),
        "{page}"
    );
    let (status, page, _) = browser
        .post(
            &format!("/r/{kenji}/consent"),
            &[("csrf", csrf_of(&page).as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Your choice for the participant list is saved."),
        "{page}"
    );
    assert!(
        !participants_csv(&app, &w, "?shareable=true")
            .await
            .contains("Kenji Sato")
    );
    let nothing = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{kenji}")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(
        nothing,
        StatusCode::BAD_REQUEST,
        "share_in_participant_list",
    )
    .await;
}

/// The list is read in pages of a thousand: a list of several pages, with people whose
/// names differ only in case and people without an organization, comes whole, once
/// each, in order, with each person's own attendance.
async fn a_long_participant_list_comes_whole_and_in_order_across_pages(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.mail.worker = false).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let n = 2345;
    let org = |i: usize| match i % 7 {
        0 => String::new(),
        k => format!(
            "{} Process",
            ["Bali", "bali", "Rabat", "Puebla", "Almaty", "Prague"][k - 1]
        ),
    };
    let mut csv = String::from("name,email,organization,time_zone,language\n");
    for i in 0..n {
        // Every tenth name starts lower-case, so case must not split the order.
        let name = if i % 10 == 0 { "delegate" } else { "Delegate" };
        csv.push_str(&format!(
            "{name} {i:04},d{i}@example.org,{},Asia/Tokyo,en\n",
            org(i)
        ));
    }
    json_of(app.import_csv(&w, &csv).await, StatusCode::OK).await;
    let sent = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{w}/invitations"),
            None,
        )
        .await;
    assert_eq!(json_of(sent, StatusCode::OK).await["queued"], n);
    // A third attended AM (by the Zoom report, with join and leave times).
    let mut zoom = String::from(
        "Attendee Report,\nAttendee Details,\nAttended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n",
    );
    for i in (0..n).filter(|i| i.is_multiple_of(3)) {
        zoom.push_str(&format!(
            "Yes,Delegate {i:04},d{i}@example.org,\"Sep 24, 2030 09:01:00\",\"Sep 24, 2030 09:{:02}:00\",{}\n",
            1 + i % 50,
            i % 50
        ));
    }
    let imported = import(
        &app,
        &w,
        &format!("?session_id={}", s[0]),
        zoom.into_bytes(),
    )
    .await;
    assert_eq!(
        json_of(imported, StatusCode::OK).await["matched"],
        (0..n).filter(|i| i.is_multiple_of(3)).count()
    );

    let rows = csv_records(&participants_csv(&app, &w, "").await);
    assert_eq!(rows[0][0], "Organization");
    let rows = &rows[1..];
    assert_eq!(rows.len(), n, "everyone once");
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let i: usize = row[1].rsplit(' ').next().unwrap().parse().unwrap();
        assert!(seen.insert(i), "{} listed twice", row[1]);
        assert_eq!(row[0], org(i));
        assert_eq!(row[4], format!("d{i}@example.org"));
        if i.is_multiple_of(3) {
            assert_eq!(
                (row[7].as_str(), row[8].as_str()),
                ("AM", &*(i % 50).to_string())
            );
        } else {
            assert_eq!((row[7].as_str(), row[8].as_str()), ("", ""));
        }
    }
    let key = |row: &Vec<String>| {
        (
            row[0].is_empty(),
            row[0].to_lowercase(),
            row[1].to_lowercase(),
        )
    };
    let keys: Vec<_> = rows.iter().map(key).collect();
    assert!(
        keys.windows(2).all(|k| k[0] <= k[1]),
        "by organization (those without one last), then by name"
    );
    // The attended-only list reads the same pages and keeps a third.
    let attended = csv_records(&participants_csv(&app, &w, "?attended_only=true").await);
    assert_eq!(
        attended.len() - 1,
        (0..n).filter(|i| i.is_multiple_of(3)).count()
    );
}

async fn the_participant_list_takes_role_and_country_from_the_invitee_list(backend: Backend) {
    let (app, w, _) = known_data_set(backend).await;
    // The participant list takes role and country from the invitee list, and follows it
    // when the organizer corrects it (here by importing the line again).
    let rows = csv_records(&participants_csv(&app, &w, "").await);
    let amina_row = rows.iter().find(|r| r[1] == "Amina Diallo").unwrap();
    assert_eq!(
        (
            amina_row[0].as_str(),
            amina_row[2].as_str(),
            amina_row[3].as_str()
        ),
        ("Rabat Process", "Chair", "MA"),
        "{rows:?}"
    );
    let olga_row = rows.iter().find(|r| r[1] == "Olga Ivanova").unwrap();
    assert_eq!(
        (olga_row[2].as_str(), olga_row[5].as_str()),
        ("Chair", "invited")
    );
    let corrected = "name,email,organization,role,country,time_zone,language\n\
        Amina Diallo,amina@example.org,Rabat Process,Co-chair,SN,Africa/Casablanca,fr\n";
    let report_again = json_of(app.import_csv(&w, corrected).await, StatusCode::OK).await;
    assert_eq!(report_again["updated"], 1);
    let rows = csv_records(&participants_csv(&app, &w, "").await);
    let amina_row = rows.iter().find(|r| r[1] == "Amina Diallo").unwrap();
    assert_eq!(
        (amina_row[2].as_str(), amina_row[3].as_str()),
        ("Co-chair", "SN")
    );
}
