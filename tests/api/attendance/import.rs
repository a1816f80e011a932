//! Importing the meeting platform's report: Zoom, Teams, Webex and Google Meet files
//! matched to the registrants, the same file twice changing nothing, bad files refused.

use reqwest::StatusCode;
use serde_json::Value;

use super::*;
use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    a_zoom_report_matches_people_and_merges_rejoins,
    the_same_zoom_report_twice_changes_nothing,
    a_zoom_meeting_export_is_read_in_the_zone_given,
    a_teams_report_in_utf16_is_read,
    a_dry_run_answers_the_outcome_and_stores_nothing,
    a_real_zoom_export_counts_two_devices_once,
    a_linked_row_matches_in_later_imports,
    a_zoom_spreadsheet_is_read,
    a_teams_live_event_report_is_read_in_utc,
    a_real_google_meet_report_is_read_on_the_sessions_day,
    a_real_webex_report_is_read,
    a_real_zoom_usage_report_gives_the_sessions_meeting,
    bad_reports_are_refused_and_what_was_imported_stays,
    blank_query_parameters_mean_their_default,
);

/// A webinar with AM and PM sessions and the people of the sample reports.
struct Registered {
    app: TestApp,
    w: String,
    s: Vec<String>,
    ids: Vec<(String, String)>,
}

async fn registered(backend: Backend) -> Registered {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let ids = sample_registrants(&app, &w, &s[0], &s[1]).await;
    Registered { app, w, s, ids }
}

/// `file` imported for the session `session` (0: AM, 1: PM); the import's answer.
async fn imported(r: &Registered, session: usize, file: &str) -> Value {
    json_of(
        import(
            &r.app,
            &r.w,
            &format!("?session_id={}", r.s[session]),
            sample(file),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn a_zoom_report_matches_people_and_merges_rejoins(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, s, ids) = (&r.app, &r.w, &r.s, &r.ids);
    let answer = imported(&r, 0, "zoom-webinar-attendees.csv").await;
    // Amina (upper-case email), Kenji (two rows), Lucía, Youssef, Marie (by name, no email).
    assert_eq!(answer["format"], "zoom");
    assert_eq!(answer["matched"], 5, "{answer}");
    let unmatched = answer["unmatched"].as_array().unwrap();
    assert_eq!(unmatched.len(), 1, "{answer}");
    assert_eq!(unmatched[0]["email"], "stranger@example.net");
    assert_eq!(unmatched[0]["name"], "Sam Stranger");
    assert_eq!(unmatched[0]["line"], 20);

    let kenji = attendance_of(app, w, id_of(ids, "Kenji Sato")).await;
    assert_eq!(
        kenji["sessions"][0]["minutes"], 83,
        "07:02:45-07:40:12 and 07:44:03-08:30:00: 37:27 + 45:57 = 83:24 (Zoom rounds \
         each row up: 38 + 46): {kenji}"
    );
    assert_eq!(kenji["sessions"][0]["source"], "import");
    // The report's times are read in the webinar's zone (Zurich, UTC+1 in November).
    assert_eq!(kenji["sessions"][0]["joined_at"], "2026-11-27T06:02:45Z");
    assert_eq!(kenji["sessions"][0]["left_at"], "2026-11-27T07:30:00Z");
    // Lucía registered for PM but was in AM: counted where she was.
    let lucia = attendance_of(app, w, id_of(ids, "Lucía Fernández")).await;
    assert_eq!(lucia["sessions"][0]["session_id"], s[0]);
    assert_eq!(lucia["sessions"][0]["minutes"], 71);
    let marie = attendance_of(app, w, id_of(ids, "Marie Dubois")).await;
    // 07:12:00-07:59:20: 47:20 (Zoom's column rounds up to 48).
    assert_eq!(marie["sessions"][0]["minutes"], 47);
    // Olga is "No" in the report: absent, not unmatched.
    assert_eq!(
        attendance_of(app, w, id_of(ids, "Olga Ivanova")).await["attended"],
        false
    );
}

async fn the_same_zoom_report_twice_changes_nothing(backend: Backend) {
    let r = registered(backend).await;
    let (app, w) = (&r.app, &r.w);
    let answer = imported(&r, 0, "zoom-webinar-attendees.csv").await;
    // The same file again changes nothing.
    let before = participants_csv(app, w, "").await;
    let again = imported(&r, 0, "zoom-webinar-attendees.csv").await;
    assert_eq!(again, answer);
    assert_eq!(participants_csv(app, w, "").await, before);
    let attended = csv_records(&participants_csv(app, w, "?attended_only=true").await);
    assert_eq!(attended.len(), 1 + 5);
}

async fn a_zoom_meeting_export_is_read_in_the_zone_given(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, s) = (&r.app, &r.w, &r.s);
    // The Zoom meeting export works too; times can be given in another zone.
    let meeting = json_of(
        import(
            app,
            w,
            &format!("?session_id={}&tz=UTC", s[1]),
            sample("zoom-meeting-participants.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(meeting["format"], "zoom");
    assert!(meeting["matched"].as_u64().unwrap() >= 1, "{meeting}");
}

async fn a_teams_report_in_utf16_is_read(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, s, ids) = (&r.app, &r.w, &r.s, &r.ids);
    let teams = sample("teams-attendance.csv");
    assert_eq!(
        &teams[..2],
        b"\xff\xfe",
        "the sample is UTF-16 LE as Teams writes it"
    );

    let answer = imported(&r, 1, "teams-attendance.csv").await;
    assert_eq!(answer["format"], "teams");
    // Kenji, Lucía, Olga (two devices, one person); the organizer and a guest match nobody.
    assert_eq!(answer["matched"], 3, "{answer}");
    let names: Vec<&str> = answer["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Meridian Events", "Guest Speaker"]);
    let olga = attendance_of(app, w, id_of(ids, "Olga Ivanova")).await;
    assert_eq!(
        olga["sessions"][0]["minutes"], 45,
        "45m 3s, and 59s on a second device within it: {olga}"
    );
    let lucia = attendance_of(app, w, id_of(ids, "Lucía Fernández")).await;
    assert_eq!(lucia["sessions"][0]["minutes"], 63);
    assert_eq!(lucia["sessions"][0]["session_id"], s[1]);

    let legacy = imported(&r, 0, "teams-attendance-legacy.csv").await;
    assert_eq!(legacy["matched"], 2, "Kenji and Youssef: {legacy}");
    // Kenji attended both sessions: two sessions on record, the PM import untouched.
    let kenji = attendance_of(app, w, id_of(ids, "Kenji Sato")).await;
    assert_eq!(kenji["sessions"].as_array().unwrap().len(), 2, "{kenji}");
}

async fn bad_reports_are_refused_and_what_was_imported_stays(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, s, ids) = (&r.app, &r.w, &r.s, &r.ids);
    imported(&r, 1, "teams-attendance.csv").await;
    // Bad input is refused with what to fix, and what was imported stays.
    assert_error(
        import(app, w, "", sample("teams-attendance.csv")).await,
        StatusCode::BAD_REQUEST,
        "session_id",
    )
    .await;
    assert_error(
        import(
            app,
            w,
            &format!("?session_id={}", uuid::Uuid::new_v4()),
            sample("teams-attendance.csv"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not a session of this webinar",
    )
    .await;
    assert_error(
        import(
            app,
            w,
            &format!("?session_id={}", s[1]),
            b"name,email\nKenji,kenji@example.jp\n".to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Zoom",
    )
    .await;
    assert_error(
        import(app, w, &format!("?session_id={}", s[1]), Vec::new()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty",
    )
    .await;
    assert_error(
        import(
            app,
            w,
            &format!("?session_id={}&tz=Mars/Base", s[1]),
            sample("teams-attendance.csv"),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Mars/Base",
    )
    .await;
    let unauthorized = app
        .client
        .post(app.url(&format!(
            "/api/v1/webinars/{w}/attendance?session_id={}",
            s[1]
        )))
        .body(sample("teams-attendance.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        attendance_of(app, w, id_of(ids, "Olga Ivanova")).await["sessions"][0]["minutes"],
        45
    );
}

/// `?tz=` and `?format=` (as forms and generated clients send them) are "not given".
async fn blank_query_parameters_mean_their_default(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 8 * 60, None)]).await;
    let listing = app.get(&format!("/api/v1/webinars/{w}/sessions?tz=")).await;
    assert_eq!(json_of(listing, StatusCode::OK).await["time_zone"], "UTC");
    let list = app
        .get_as_organizer(&format!("/api/v1/webinars/{w}/participants?format=&lang="))
        .await;
    assert_eq!(list.status(), StatusCode::OK);
    assert!(
        list.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let report = sample("zoom-webinar-attendees.csv");
    let imported = import(&app, &w, &format!("?session_id={}&tz=", s[0]), report).await;
    assert_eq!(json_of(imported, StatusCode::OK).await["format"], "zoom");
}

async fn a_dry_run_answers_the_outcome_and_stores_nothing(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, s, ids) = (&r.app, &r.w, &r.s, &r.ids);
    let preview = json_of(
        import(
            app,
            w,
            &format!("?session_id={}&dry_run=true", s[0]),
            sample("zoom-webinar-attendees.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["matched"], 5, "{preview}");
    assert_eq!(preview["unmatched"].as_array().unwrap().len(), 1);
    let kenji = attendance_of(app, w, id_of(ids, "Kenji Sato")).await;
    assert_eq!(kenji["attended"], false, "nothing stored: {kenji}");

    // The real import answers the same, and stores.
    let real = imported(&r, 0, "zoom-webinar-attendees.csv").await;
    assert_eq!(real["dry_run"], false);
    assert_eq!(real["matched"], preview["matched"]);
    let kenji = attendance_of(app, w, id_of(ids, "Kenji Sato")).await;
    assert_eq!(kenji["attended"], true, "{kenji}");

    assert_error(
        import(
            app,
            w,
            &format!("?session_id={}&dry_run=maybe", s[0]),
            sample("zoom-webinar-attendees.csv"),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "dry_run must be true or false",
    )
    .await;
}

/// A real Zoom export (tests/data/attendance/real/, see SOURCES.md): two rows of one
/// person at once count once.
async fn a_real_zoom_export_counts_two_devices_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None)]).await;
    let mut ids = Vec::new();
    for (name, email) in [
        ("Power Girl", "power-girl_kryptonian@dc.com"),
        ("Swarm", "swarm_mutant@marvel.com"),
        ("Cyborg Superman", "cyborg-superman_cyborg@dc.com"),
    ] {
        let r = register_in(&app, &w, &s[0], json!({"name": name, "email": email})).await;
        ids.push((name.to_string(), r["id"].as_str().unwrap().to_string()));
    }
    let answer = json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}&tz=UTC", s[0]),
            sample("real/zoom-meeting-2021-preamble.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["matched"], 3, "{answer}");
    // 10:08:26-12:01:58 and 10:11:31-12:01:58 on two devices: 1:53:32.
    let power_girl = attendance_of(&app, &w, id_of(&ids, "Power Girl")).await;
    assert_eq!(power_girl["sessions"][0]["minutes"], 114, "{power_girl}");
    assert_eq!(
        power_girl["sessions"][0]["joined_at"],
        "2021-11-19T10:08:26Z"
    );
    // 10:14:30-10:24:26 and 10:24:12-12:01:58 overlap: 1:47:28.
    let swarm = attendance_of(&app, &w, id_of(&ids, "Swarm")).await;
    assert_eq!(swarm["sessions"][0]["minutes"], 107, "{swarm}");
    // 51:41 and 33:47 with a gap between: 85:28.
    let cyborg = attendance_of(&app, &w, id_of(&ids, "Cyborg Superman")).await;
    assert_eq!(cyborg["sessions"][0]["minutes"], 85, "{cyborg}");
    assert_eq!(cyborg["sessions"][0]["left_at"], "2021-11-19T12:01:58Z");
}

/// A row that matched nobody, linked by hand to a registration, matches it when the
/// report is imported again; a link to an address nobody registered with is refused.
async fn a_linked_row_matches_in_later_imports(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, ids) = (&r.app, &r.w, &r.ids);
    let first = imported(&r, 0, "zoom-webinar-attendees.csv").await;
    assert_eq!(first["unmatched"][0]["name"], "Sam Stranger", "{first}");
    let link = |body: Value| {
        app.client
            .post(app.url(&format!("/api/v1/webinars/{w}/attendance/links")))
            .bearer_auth(&app.token)
            .json(&body)
            .send()
    };
    assert_error(
        link(
            json!({"name": "Sam Stranger", "email": "stranger@example.net",
                    "registration_email": "nobody@example.org"}),
        )
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
        "nobody@example.org",
    )
    .await;
    assert_error(
        link(json!({"name": "x".repeat(1001), "registration_email": "olga.ivanova@example.ru"}))
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "at most 1000 characters",
    )
    .await;
    // Sam Stranger is Olga, who joined from a friend's account.
    let linked = json_of(
        link(
            json!({"name": "Sam Stranger", "email": "stranger@example.net",
                    "registration_email": "olga.ivanova@example.ru"}),
        )
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(linked["registration_id"], id_of(ids, "Olga Ivanova"));
    let again = imported(&r, 0, "zoom-webinar-attendees.csv").await;
    assert_eq!(again["matched"], 6, "{again}");
    assert_eq!(again["unmatched"].as_array().unwrap().len(), 0, "{again}");
    let olga = attendance_of(app, w, id_of(ids, "Olga Ivanova")).await;
    // 07:20:15-07:35:45.
    assert_eq!(olga["sessions"][0]["minutes"], 16, "{olga}");
}

/// Zoom offers its reports as XLSX too: the same table in a spreadsheet.
async fn a_zoom_spreadsheet_is_read(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, s, ids) = (&r.app, &r.w, &r.s, &r.ids);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in [
        "Name (Original Name)",
        "User Email",
        "Join Time",
        "Leave Time",
        "Duration (Minutes)",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "Kenji Sato").unwrap();
    sheet.write_string(1, 1, "kenji.sato@example.jp").unwrap();
    sheet.write_string(1, 2, "11/27/2026 07:00:00 AM").unwrap();
    sheet.write_string(1, 3, "11/27/2026 07:42:00 AM").unwrap();
    sheet.write_number(1, 4, 42.0).unwrap();
    let answer = json_of(
        import(
            app,
            w,
            &format!("?session_id={}&tz=UTC", s[0]),
            book.save_to_buffer().unwrap(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["matched"], 1, "{answer}");
    let kenji = attendance_of(app, w, id_of(ids, "Kenji Sato")).await;
    assert_eq!(kenji["sessions"][0]["minutes"], 42, "{kenji}");
    assert_eq!(kenji["sessions"][0]["joined_at"], "2026-11-27T07:00:00Z");
}

/// A Teams live-event report writes UTC: its times are not read in the webinar's zone.
async fn a_teams_live_event_report_is_read_in_utc(backend: Backend) {
    let r = registered(backend).await;
    let (app, w, s, ids) = (&r.app, &r.w, &r.s, &r.ids);
    // One viewing session per device (`Session Id`); the viewer's address in
    // `Participant Id` (the layout of tests/data/attendance/real/teams-live-event-*).
    let report = "Session Id,Participant Id,Full Name,UserAgent,UTC Event Timestamp,Action,Role\n\
        s1,kenji.sato@example.jp,Kenji S.,Chrome,11/27/2026 14:00:00,Joined,Attendee\n\
        s2,kenji.sato@example.jp,Kenji S.,Teams iOS,11/27/2026 14:10:00,Joined,Attendee\n\
        s1,kenji.sato@example.jp,Kenji S.,Chrome,11/27/2026 14:30:00,Left,Attendee\n\
        s2,kenji.sato@example.jp,Kenji S.,Teams iOS,11/27/2026 14:40:00,Left,Attendee\n";
    let answer = json_of(
        import(
            app,
            w,
            &format!("?session_id={}", s[0]),
            report.as_bytes().to_vec(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["matched"], 1, "{answer}");
    let kenji = attendance_of(app, w, id_of(ids, "Kenji Sato")).await;
    // Two devices, 14:00-14:30 and 14:10-14:40 UTC: forty minutes, from 14:00 UTC.
    assert_eq!(kenji["sessions"][0]["minutes"], 40, "{kenji}");
    assert_eq!(kenji["sessions"][0]["joined_at"], "2026-11-27T14:00:00Z");
}

/// A fixed-offset zone in which `at` falls between 12:00 and 13:00 (so a report whose
/// times are around midday lies in that session's join window, whatever the hour the
/// test runs), and its offset in hours.
fn zone_at_midday(at: &str) -> (String, i64) {
    let starts = chrono::DateTime::parse_from_rfc3339(at).unwrap();
    let hour = i64::from(chrono::Timelike::hour(&starts.with_timezone(&chrono::Utc)));
    // Hours to add to UTC: -11..=12.
    let offset = (12 - hour + 11).rem_euclid(24) - 11;
    let zone = match offset {
        0 => "UTC".to_string(),
        // The IANA Etc zones count the other way: Etc/GMT-8 is UTC+8.
        n if n > 0 => format!("Etc/GMT-{n}"),
        n => format!("Etc/GMT+{}", -n),
    };
    (zone, offset)
}

async fn session_start(app: &TestApp, w: &str) -> String {
    let webinar = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{w}")).await,
        StatusCode::OK,
    )
    .await;
    webinar["sessions"][0]["starts_at"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A real Google Meet report (tests/data/attendance/real/meet-2022-en-a.csv): one row per
/// person, times of day without a date; they are read on the session's day in the zone
/// given. Someone in the call with a gap counts the minutes Meet says they were in.
async fn a_real_google_meet_report_is_read_on_the_sessions_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None)]).await;
    let mut ids = Vec::new();
    for (name, email) in [
        ("Alma Bruno", "3073373947@example.edu.my"),
        ("Gaia Hanna", "3073373773@example.edu.my"),
    ] {
        let r = register_in(&app, &w, &s[0], json!({"name": name, "email": email})).await;
        ids.push((name.to_string(), r["id"].as_str().unwrap().to_string()));
    }
    let starts_at = session_start(&app, &w).await;
    let (zone, offset) = zone_at_midday(&starts_at);
    let answer = json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}&tz={zone}", s[0]),
            sample("real/meet-2022-en-a.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["format"], "meet", "{answer}");
    assert_eq!(answer["matched"], 2, "{answer}");
    assert_eq!(answer["unmatched"].as_array().unwrap().len(), 183);
    // The session's day where the times were written, 11:45 there, in UTC.
    let local_day = (chrono::DateTime::parse_from_rfc3339(&starts_at).unwrap()
        + chrono::Duration::hours(offset))
    .date_naive();
    let at = |h, m| {
        rfc3339(local_day.and_hms_opt(h, m, 0).unwrap().and_utc() - chrono::Duration::hours(offset))
    };
    // 11:45-13:56, two hours ten minutes in: no gap, 131 minutes.
    let alma = attendance_of(&app, &w, id_of(&ids, "Alma Bruno")).await;
    assert_eq!(alma["sessions"][0]["minutes"], 131, "{alma}");
    assert_eq!(alma["sessions"][0]["joined_at"], at(11, 45), "{alma}");
    // 12:09-13:54 but 23 minutes in.
    let gaia = attendance_of(&app, &w, id_of(&ids, "Gaia Hanna")).await;
    assert_eq!(gaia["sessions"][0]["minutes"], 23, "{gaia}");
    assert_eq!(gaia["sessions"][0]["joined_at"], at(12, 9), "{gaia}");
}

/// A real Webex attendee report (tests/data/attendance/real/webex-2021-en-utf16.csv, as
/// downloaded: UTF-16, tabs, dates in `="..."`) imported into a session.
async fn a_real_webex_report_is_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None)]).await;
    let r = register_in(
        &app,
        &w,
        &s[0],
        json!({"name": "Test User 3", "email": "user3@mail.com"}),
    )
    .await;
    let id = r["id"].as_str().unwrap().to_string();
    let answer = json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}&tz=UTC", s[0]),
            sample("real/webex-2021-en-utf16.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["format"], "webex", "{answer}");
    assert_eq!(answer["matched"], 1, "{answer}");
    assert_eq!(answer["unmatched"].as_array().unwrap().len(), 3);
    // 17:05:45-20:22:34: 3:16:49, capped at the session and its join window (150).
    let user = attendance_of(&app, &w, &id).await;
    assert_eq!(user["sessions"][0]["minutes"], 150, "{user}");
    assert_eq!(user["sessions"][0]["joined_at"], "2021-06-14T17:05:45Z");
}

/// A real Zoom usage report exported with participants
/// (tests/data/attendance/real/zoom-usage-2026-en-five-meetings.csv): five meetings of one
/// account on 30 May 2026, their rows one after another, each row with the meeting's
/// columns first (its `Duration (minutes)` too) and the participant's after. The session
/// at 18:00-19:00 in Asia/Kolkata takes the rows of the meeting held then ("Machine
/// Learning", 5:49:22 PM-7:51:15 PM), not those of "Data Analysis" (3:56:56 PM-5:49:22
/// PM), which end inside its join window (from 17:30). The same report against a session
/// when none of its meetings took place is refused, naming them.
async fn a_real_zoom_usage_report_gives_the_sessions_meeting(backend: Backend) {
    let app = spawn_app(backend).await;
    let (w, s) = event(&app, &[("AM", 60, None), ("PM", 120, None)]).await;
    let mut ids = Vec::new();
    for (name, email) in [
        // Machine Learning and, before it, Data Analysis.
        (
            "Noraaaaaaaaaaaaaaaaaaaaaaa Ottoaaaaaaaaaaaaaaaaaaaaaa",
            "petraaaaaaaaaaaaaaaaaaaaaaa528@example1.com",
        ),
        // Machine Learning only, eight rows.
        ("Hugo K 01BFD16772 IRENE", "jonas@example1.com"),
        // Data Analysis only, to 5:49:22 PM.
        (
            "Eddaaaaaaaaaaaaaaaaaaaaaaa adaaa Ireneaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "jonasaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa20@example1.com",
        ),
    ] {
        let r = register_in(&app, &w, &s[0], json!({"name": name, "email": email})).await;
        ids.push((name.to_string(), r["id"].as_str().unwrap().to_string()));
    }
    // 18:00 in Kolkata (UTC+5:30) on the report's day.
    move_session(&app, &w, &s[0], "2026-05-30T12:30:00Z").await;
    let answer = json_of(
        import(
            &app,
            &w,
            &format!("?session_id={}&tz=Asia/Kolkata", s[0]),
            sample("real/zoom-usage-2026-en-five-meetings.csv"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["format"], "zoom", "{answer}");
    assert_eq!(answer["matched"], 2, "{answer}");
    // Machine Learning's 2,162 rows, less the ten of the two people matched.
    assert_eq!(answer["unmatched"].as_array().unwrap().len(), 2152);
    // Lines 1586 and 1605: 17:59:53-18:00:06 and 18:00:20-19:49:41, 13 s + 1:49:21;
    // not line 2926 (Data Analysis, 17:30:30-17:33:25).
    let both = attendance_of(&app, &w, &ids[0].1).await;
    assert_eq!(both["sessions"][0]["minutes"], 110, "{both}");
    assert_eq!(both["sessions"][0]["joined_at"], "2026-05-30T12:29:53Z");
    assert_eq!(both["sessions"][0]["left_at"], "2026-05-30T14:19:41Z");
    // 18:03:15-19:02:44 in five rows back to back, 19:03:52-19:12:26 in two, and
    // 19:14:50-19:51:14: 59:29 + 8:34 + 36:24 = 104:27.
    let ml = attendance_of(&app, &w, &ids[1].1).await;
    assert_eq!(ml["sessions"][0]["minutes"], 104, "{ml}");
    assert_eq!(ml["sessions"][0]["joined_at"], "2026-05-30T12:33:15Z");
    assert_eq!(ml["sessions"][0]["left_at"], "2026-05-30T14:21:14Z");
    // Line 2572: 17:04:01-17:49:22, in the join window but of another meeting.
    let other = attendance_of(&app, &w, &ids[2].1).await;
    assert_eq!(other["sessions"][0]["attended"], Value::Null, "{other}");

    // At 06:00 in Kolkata none of the five meetings was on: refused, naming them.
    move_session(&app, &w, &s[1], "2026-05-30T00:30:00Z").await;
    let refused = import(
        &app,
        &w,
        &format!("?session_id={}&tz=Asia/Kolkata", s[1]),
        sample("real/zoom-usage-2026-en-five-meetings.csv"),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = refused.text().await.unwrap();
    assert!(problem.contains("holds 5 meetings"), "{problem}");
    assert!(
        problem.contains("\\\"Machine Learning -  Summer Online Internship - 2026 by APSSDC\\\" (970 1912 6650), started 05/30/2026 05:49:22 PM"),
        "{problem}"
    );
    assert!(
        problem.contains("2026-05-30 06:00 to 2026-05-30 07:00, Asia/Kolkata"),
        "{problem}"
    );
}
