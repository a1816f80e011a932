//! Waiting lists: a full session's list in the order people came, the first person
//! waiting taking every freed seat at once (with a calendar invitation that says they
//! moved up), and all of it under a race of cancellations and registrations.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    the_waiting_list_is_a_webinar_setting_off_by_default,
    a_full_session_puts_people_on_its_waiting_list_in_the_order_they_came,
    a_cancellation_gives_the_seat_to_the_first_person_waiting,
    switching_away_gives_the_seat_to_the_first_person_waiting,
    raising_the_capacity_moves_people_up_in_order,
    someone_waiting_for_two_sessions_gets_the_first_seat_and_leaves_the_other_list,
    the_manage_page_shows_the_place_in_line_and_leaving_the_list_moves_others_up,
    the_registration_page_offers_the_waiting_list_of_a_full_session,
    a_race_of_cancellations_and_registrations_keeps_seats_exact_and_the_order,
    moved_up_emails_in_every_language_pass_the_invitation_checks,
    the_report_and_the_participant_list_count_people_waiting_apart,
    organizers_keep_a_waiting_list_and_raise_seats_on_their_pages,
    a_race_over_two_lists_gives_each_person_waiting_one_seat_in_order,
);

const MOVED_UP: &str = "you have moved up from the waiting list";

async fn app_with_waiting_list(backend: Backend, am: u32) -> (TestApp, ModelWebinar) {
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let w = app.model_webinar(Some(am), Some(1)).await;
    let answer = app
        .organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}", w.id),
            Some(&json!({"waiting_list": true})),
        )
        .await;
    assert_eq!(json_of(answer, StatusCode::OK).await["waiting_list"], true);
    (app, w)
}

fn person(i: usize, session: &str) -> Value {
    json!({"name": format!("Person {i}"), "email": format!("person{i}@example.org"),
        "time_zone": "Europe/Zurich", "session_id": session})
}

async fn read(app: &TestApp, token: &str) -> Value {
    json_of(
        app.get(&format!("/api/v1/registrations/{token}")).await,
        StatusCode::OK,
    )
    .await
}

async fn cancel(app: &TestApp, token: &str) -> StatusCode {
    app.client
        .delete(app.url(&format!("/api/v1/registrations/{token}")))
        .send()
        .await
        .unwrap()
        .status()
}

async fn seats_left(app: &TestApp, webinar: &str) -> Vec<Value> {
    let w = json_of(
        app.get(&format!("/api/v1/webinars/{webinar}")).await,
        StatusCode::OK,
    )
    .await;
    w["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["seats_left"].clone())
        .collect()
}

/// The one moved-up email in `mails`, to `to`: a REQUEST that says why it came.
fn moved_up_mail<'m>(mails: &'m [crate::mail::Mail], to: &str) -> &'m crate::mail::Mail {
    let mine: Vec<_> = mails.iter().filter(|m| m.to == to).collect();
    assert_eq!(mine.len(), 1, "{mails:#?}");
    let mail = mine[0];
    assert!(mail.text.contains(MOVED_UP), "{}", mail.text);
    assert_eq!(mail.method_param.as_deref(), Some("REQUEST"));
    let calendar = mail.calendar.as_deref().expect("a calendar");
    assert_eq!(
        crate::mail::prop(calendar, "METHOD").as_deref(),
        Some("REQUEST")
    );
    mail
}

async fn the_waiting_list_is_a_webinar_setting_off_by_default(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(Some(1), None).await;
    let webinar = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(webinar["waiting_list"], false);
    app.register_ok(&w.id, &person(0, &w.am)).await;
    // Without a waiting list, a full session is refused as before.
    assert_error(
        app.register(&w.id, &person(1, &w.am)).await,
        StatusCode::CONFLICT,
        "is full",
    )
    .await;
    let created = app
        .create_webinar(&json!({"title": "With a list", "waiting_list": true}))
        .await;
    assert_eq!(created["waiting_list"], true);
    let public = json_of(
        app.get(&format!(
            "/api/v1/webinars/{}",
            created["id"].as_str().unwrap()
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(public["waiting_list"], true);
}

async fn a_full_session_puts_people_on_its_waiting_list_in_the_order_they_came(backend: Backend) {
    let (app, w) = app_with_waiting_list(backend, 1).await;
    let (first, _) = app.register_ok(&w.id, &person(0, &w.am)).await;
    assert_eq!(first["status"], "registered");
    assert!(first.get("waitlist_position").is_none(), "{first}");
    let mut tokens = Vec::new();
    for i in 1..=3 {
        let (answer, token) = app.register_ok(&w.id, &person(i, &w.am)).await;
        assert_eq!(answer["status"], "waitlisted", "{answer}");
        assert_eq!(answer["waitlist_position"], i, "{answer}");
        assert_eq!(answer["session_id"], w.am.as_str());
        assert!(answer.get("join_link").is_some());
        tokens.push(token);
    }
    assert_eq!(read(&app, &tokens[2]).await["waitlist_position"], 3);
    assert_eq!(seats_left(&app, &w.id).await[0], 0);
    // The organizer's list counts them apart: registered and waitlisted.
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let positions: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].clone(), r["waitlist_position"].clone()))
        .collect();
    assert_eq!(
        positions,
        [
            (json!("registered"), Value::Null),
            (json!("waitlisted"), json!(1)),
            (json!("waitlisted"), json!(2)),
            (json!("waitlisted"), json!(3)),
        ]
    );
    // They are told they wait, with no calendar invitation yet.
    let mails = app.deliver().await;
    let waiting = mails
        .iter()
        .find(|m| m.to == "person1@example.org")
        .expect("an email to the first person waiting");
    assert!(
        waiting.subject.starts_with("On the waiting list"),
        "{}",
        waiting.subject
    );
    assert!(waiting.calendar.is_none());
    assert!(
        waiting.text.contains("you are on its waiting list"),
        "{}",
        waiting.text
    );
    assert!(
        waiting.text.contains("/r/"),
        "the manage link: {}",
        waiting.text
    );
    assert!(!waiting.text.contains("join link"), "{}", waiting.text);
}

async fn a_cancellation_gives_the_seat_to_the_first_person_waiting(backend: Backend) {
    let (app, w) = app_with_waiting_list(backend, 1).await;
    let (_, holder) = app.register_ok(&w.id, &person(0, &w.am)).await;
    let (_, first) = app.register_ok(&w.id, &person(1, &w.am)).await;
    let (_, second) = app.register_ok(&w.id, &person(2, &w.am)).await;
    app.deliver().await;
    assert_eq!(cancel(&app, &holder).await, StatusCode::OK);
    let moved = read(&app, &first).await;
    assert_eq!(moved["status"], "registered");
    assert!(moved.get("waitlist_position").is_none());
    assert_eq!(read(&app, &second).await["waitlist_position"], 1);
    assert_eq!(seats_left(&app, &w.id).await[0], 0);
    let mails = app.deliver().await;
    let mail = moved_up_mail(&mails, "person1@example.org");
    let calendar = mail.calendar.as_deref().unwrap();
    assert_eq!(
        crate::mail::prop(calendar, "SEQUENCE").as_deref(),
        Some("1")
    );
    assert!(mails.iter().all(|m| m.to != "person2@example.org"));
    // The person who moved up cancels too: the seat goes on down the line.
    assert_eq!(cancel(&app, &first).await, StatusCode::OK);
    assert_eq!(read(&app, &second).await["status"], "registered");
    moved_up_mail(&app.deliver().await, "person2@example.org");
}

async fn switching_away_gives_the_seat_to_the_first_person_waiting(backend: Backend) {
    let (app, w) = app_with_waiting_list(backend, 1).await;
    let (_, holder) = app.register_ok(&w.id, &person(0, &w.am)).await;
    let (_, waiting) = app.register_ok(&w.id, &person(1, &w.am)).await;
    app.deliver().await;
    // Someone waiting cannot jump the line by switching into the full session either.
    let refused = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{waiting}")))
        .json(&json!({"session_id": w.am}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let switched = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{holder}")))
        .json(&json!({"session_id": w.pm}))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::OK);
    let moved = read(&app, &waiting).await;
    assert_eq!(
        (moved["status"].as_str(), moved["session_id"].as_str()),
        (Some("registered"), Some(w.am.as_str()))
    );
    moved_up_mail(&app.deliver().await, "person1@example.org");
    assert_eq!(seats_left(&app, &w.id).await, [json!(0), json!(0)]);
}

async fn raising_the_capacity_moves_people_up_in_order(backend: Backend) {
    let (app, w) = app_with_waiting_list(backend, 1).await;
    app.register_ok(&w.id, &person(0, &w.am)).await;
    let mut tokens = Vec::new();
    for i in 1..=3 {
        tokens.push(app.register_ok(&w.id, &person(i, &w.am)).await.1);
    }
    app.deliver().await;
    let session = json_of(
        app.organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am),
            Some(&json!({"capacity": 3})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(session["seats_left"], 0, "{session}");
    assert_eq!(read(&app, &tokens[0]).await["status"], "registered");
    assert_eq!(read(&app, &tokens[1]).await["status"], "registered");
    let last = read(&app, &tokens[2]).await;
    assert_eq!(
        (last["status"].as_str(), last["waitlist_position"].as_u64()),
        (Some("waitlisted"), Some(1))
    );
    let mails = app.deliver().await;
    moved_up_mail(&mails, "person1@example.org");
    moved_up_mail(&mails, "person2@example.org");
    assert!(mails.iter().all(|m| m.to != "person3@example.org"));
}

async fn someone_waiting_for_two_sessions_gets_the_first_seat_and_leaves_the_other_list(
    backend: Backend,
) {
    let (app, w) = app_with_waiting_list(backend, 1).await;
    let (_, am_holder) = app.register_ok(&w.id, &person(0, &w.am)).await;
    let (_, pm_holder) = app.register_ok(&w.id, &person(1, &w.pm)).await;
    let mut both = person(2, &w.am);
    both["also_wait_for"] = json!([w.pm]);
    let (answer, both) = app.register_ok(&w.id, &both).await;
    assert_eq!(answer["status"], "waitlisted");
    assert_eq!(answer["waitlist_position"], 1);
    assert_eq!(
        answer["waiting_for"],
        json!([{"session_id": w.am, "position": 1}, {"session_id": w.pm, "position": 1}])
    );
    // A session that is not the webinar's is refused, naming it; nothing is stored.
    let mut stranger = person(9, &w.am);
    let unknown = uuid::Uuid::new_v4();
    stranger["also_wait_for"] = json!([unknown]);
    assert_error(
        app.register(&w.id, &stranger).await,
        StatusCode::NOT_FOUND,
        &format!("session {unknown} is not a session of this webinar"),
    )
    .await;
    stranger["also_wait_for"] = json!(vec![w.pm.clone(); 51]);
    assert_error(
        app.register(&w.id, &stranger).await,
        StatusCode::BAD_REQUEST,
        "also_wait_for: at most 50",
    )
    .await;
    let (_, pm_only) = app.register_ok(&w.id, &person(3, &w.pm)).await;
    assert_eq!(read(&app, &pm_only).await["waitlist_position"], 2);
    app.deliver().await;
    assert_eq!(cancel(&app, &pm_holder).await, StatusCode::OK);
    let moved = read(&app, &both).await;
    assert_eq!(
        (moved["status"].as_str(), moved["session_id"].as_str()),
        (Some("registered"), Some(w.pm.as_str()))
    );
    assert!(moved.get("waiting_for").is_none(), "{moved}");
    assert_eq!(read(&app, &pm_only).await["waitlist_position"], 1);
    moved_up_mail(&app.deliver().await, "person2@example.org");
    // The AM list is empty now: its freed seat stays free, nobody is promoted twice.
    assert_eq!(cancel(&app, &am_holder).await, StatusCode::OK);
    assert_eq!(read(&app, &both).await["session_id"], w.pm.as_str());
    assert_eq!(seats_left(&app, &w.id).await, [json!(1), json!(0)]);
    assert!(
        app.deliver()
            .await
            .iter()
            .all(|m| m.to != "person2@example.org")
    );
}

async fn the_manage_page_shows_the_place_in_line_and_leaving_the_list_moves_others_up(
    backend: Backend,
) {
    let (app, w) = app_with_waiting_list(backend, 1).await;
    app.register_ok(&w.id, &person(0, &w.am)).await;
    let (_, first) = app.register_ok(&w.id, &person(1, &w.am)).await;
    let (_, second) = app.register_ok(&w.id, &person(2, &w.am)).await;
    let browser = Browser::new(&app);
    let (status, page) = browser.get(&format!("/r/{second}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("On the waiting list"), "{page}");
    assert!(
        page.contains("Your place on the waiting list of the AM session: 2"),
        "{page}"
    );
    assert!(page.contains("Leave the waiting list"));
    // Their join link does not open the meeting, and says why.
    let join = read(&app, &second).await["join_link"]
        .as_str()
        .unwrap()
        .replace(&app.settings.server.public_url, "");
    let (_, page) = browser.get(&join).await;
    assert!(
        page.contains("You are on the waiting list of the AM session"),
        "{page}"
    );
    // The first in line leaves (the page's cancel form): the second is next.
    let (_, page) = browser.get(&format!("/r/{first}")).await;
    let (status, _, _) = browser
        .post(&format!("/r/{first}/cancel"), &[("csrf", &csrf_of(&page))])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read(&app, &first).await["status"], "cancelled");
    let (_, page) = browser.get(&format!("/r/{second}")).await;
    assert!(
        page.contains("Your place on the waiting list of the AM session: 1"),
        "{page}"
    );
    // Leaving the list sends no calendar cancellation: there was no invitation.
    let mails = app.deliver().await;
    assert!(
        mails
            .iter()
            .all(|m| !(m.to == "person1@example.org" && m.calendar.is_some())),
        "{mails:#?}"
    );
}

async fn the_registration_page_offers_the_waiting_list_of_a_full_session(backend: Backend) {
    let (app, w) = app_with_waiting_list(backend, 1).await;
    app.register_ok(&w.id, &person(0, &w.am)).await;
    let browser = Browser::new(&app);
    let (_, page) = browser.get(&format!("/w/{}?tz=Europe/Zurich", w.id)).await;
    assert!(page.contains("Full: join the waiting list"), "{page}");
    let (status, page, location) = browser
        .post(
            &format!("/w/{}", w.id),
            &[
                ("csrf", &csrf_of(&page)),
                ("name", "Page Person"),
                ("email", "page@example.org"),
                ("time_zone", "Europe/Zurich"),
                ("session_id", &w.am),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(location.ends_with("?done=waitlisted"), "{location}");
    assert!(page.contains("you are on its waiting list"), "{page}");
    assert!(
        page.contains("Your place on the waiting list of the AM session: 1"),
        "{page}"
    );
}

/// Capacity 10, 10 registered, 20 waiting; then 100 requests at once: 5 holders and
/// 10 of those waiting cancel while 85 newcomers register for the full session.
async fn a_race_of_cancellations_and_registrations_keeps_seats_exact_and_the_order(
    backend: Backend,
) {
    let (app, w) = app_with_waiting_list(backend, 10).await;
    let mut holders = Vec::new();
    for i in 0..10 {
        holders.push(app.register_ok(&w.id, &person(i, &w.am)).await.1);
    }
    // Joined one after the other: this is the order of the list.
    let mut waiting = Vec::new();
    for i in 10..30 {
        let (answer, token) = app.register_ok(&w.id, &person(i, &w.am)).await;
        assert_eq!(answer["waitlist_position"], i - 9);
        waiting.push((answer["id"].as_str().unwrap().to_string(), token));
    }
    let leaving: Vec<usize> = (0..20).filter(|i| i % 2 == 1).collect();
    let mut requests: Vec<(String, Option<Value>)> = Vec::new();
    let mut newcomer = 100;
    for round in 0..10 {
        if round < 5 {
            requests.push((holders[round].clone(), None));
        }
        requests.push((waiting[leaving[round]].1.clone(), None));
        while requests.len() < (round + 1) * 10 {
            requests.push((String::new(), Some(person(newcomer, &w.am))));
            newcomer += 1;
        }
    }
    assert_eq!(requests.len(), 100);
    let mut tasks = Vec::new();
    for (token, body) in requests {
        let client = app.client.clone();
        let url = match &body {
            None => app.url(&format!("/api/v1/registrations/{token}")),
            Some(_) => app.url(&format!("/api/v1/webinars/{}/registrations", w.id)),
        };
        tasks.push(tokio::spawn(async move {
            let request = match body {
                None => client.delete(url),
                Some(body) => client.post(url).json(&body),
            };
            request.send().await.unwrap().status()
        }));
    }
    for task in tasks {
        let status = task.await.unwrap();
        assert!(
            status == StatusCode::OK || status == StatusCode::CREATED,
            "{status}"
        );
    }
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let list = list.as_array().unwrap();
    let by_id: HashMap<&str, &Value> = list
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    let registered = list.iter().filter(|r| r["status"] == "registered").count();
    let waitlisted: Vec<&Value> = list
        .iter()
        .filter(|r| r["status"] == "waitlisted")
        .collect();
    // No seat given twice, none left empty while someone waits.
    assert_eq!(seats_left(&app, &w.id).await[0], 0);
    assert_eq!(registered, 10);
    assert_eq!(waitlisted.len(), 5 + 85);
    let mut places: Vec<u64> = waitlisted
        .iter()
        .map(|r| r["waitlist_position"].as_u64().unwrap())
        .collect();
    places.sort_unstable();
    assert_eq!(places, (1..=90).collect::<Vec<_>>());
    // The order held: of the ten who waited first and stayed, the first five took the
    // five freed seats and the other five are next, in their order; every newcomer is
    // behind them.
    let stayed: Vec<(&str, Value)> = (0..20)
        .filter(|i| !leaving.contains(i))
        .map(|i| {
            let r = by_id[waiting[i].0.as_str()];
            (
                r["status"].as_str().unwrap(),
                r["waitlist_position"].clone(),
            )
        })
        .collect();
    let expected: Vec<(&str, Value)> = (0..10)
        .map(|i| match i {
            0..5 => ("registered", Value::Null),
            _ => ("waitlisted", json!(i - 4)),
        })
        .collect();
    assert_eq!(stayed, expected);
    for i in leaving {
        assert_eq!(by_id[waiting[i].0.as_str()]["status"], "cancelled");
    }
    let moved_up = app
        .deliver()
        .await
        .iter()
        .filter(|m| m.text.contains(MOVED_UP))
        .count();
    assert!(moved_up >= 5, "{moved_up} moved-up emails");
}

/// One person waiting per language moves up when the capacity rises: each email is a
/// REQUEST in the person's language that says they moved up, and passes the independent
/// check (tests/tools/check_invites.py) and the shared iCalendar validator.
async fn moved_up_emails_in_every_language_pass_the_invitation_checks(backend: Backend) {
    let smtp = crate::smtp::SmtpServer::start().await;
    let app = spawn_app_with(backend, inline_delivery(smtp_to(&smtp.url()))).await;
    let w = app.model_webinar(Some(1), None).await;
    app.organizer(
        Method::PATCH,
        &format!("/api/v1/webinars/{}", w.id),
        Some(&json!({"waiting_list": true})),
    )
    .await;
    app.register_ok(&w.id, &person(0, &w.am)).await;
    let said = [
        ("en", MOVED_UP),
        ("es", "ha pasado de la lista de espera a tener plaza"),
        ("fr", "vous quittez la liste d’attente pour cette place"),
        ("ru", "вы перешли из листа ожидания"),
        ("ar", "انتقلت من قائمة الانتظار"),
    ];
    for (i, (language, _)) in said.iter().enumerate() {
        let mut body = person(i + 1, &w.am);
        body["language"] = json!(language);
        body["name"] = json!(format!("Ana \"{language}\"; Pérez, المنظمة"));
        app.register_ok(&w.id, &body).await;
    }
    app.deliver().await;
    let before = smtp.received().len();
    json_of(
        app.organizer(
            Method::PATCH,
            &format!("/api/v1/webinars/{}/sessions/{}", w.id, w.am),
            Some(&json!({"capacity": 6})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mails = app.deliver().await;
    for (i, (language, sentence)) in said.iter().enumerate() {
        let to = format!("person{}@example.org", i + 1);
        let mail = mails.iter().find(|m| m.to == to).expect("a moved-up email");
        assert!(mail.text.contains(sentence), "{language}: {}", mail.text);
        assert_eq!(mail.method_param.as_deref(), Some("REQUEST"), "{language}");
    }
    let received = smtp.received();
    let moved_up = &received[before..];
    assert_eq!(moved_up.len(), said.len());
    let dir = tempfile::tempdir().unwrap();
    // MERIDIAN_TEST_EMAIL_DIR keeps a copy for CI's run of the shared validator.
    let keep = std::env::var_os("MERIDIAN_TEST_EMAIL_DIR").map(std::path::PathBuf::from);
    let run = uuid::Uuid::new_v4().simple();
    let mut files = Vec::new();
    for (i, message) in moved_up.iter().enumerate() {
        let file = dir.path().join(format!("moved-up-{i}.eml"));
        std::fs::write(&file, &message.data).unwrap();
        files.push(file);
        if let Some(keep) = &keep {
            std::fs::create_dir_all(keep).unwrap();
            std::fs::write(keep.join(format!("waitlist-{run}-{i}.eml")), &message.data).unwrap();
        }
    }
    let Some(python) = crate::emails::python_with_icalendar() else {
        return;
    };
    let tools = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/check_invites.py"),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/tools/validate_ics.py"
        ),
    ];
    for tool in tools {
        if !std::path::Path::new(tool).exists() {
            // The shared validator sits beside the checkout, as in CI; announced when absent.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "SKIPPED {tool}: not found");
            continue;
        }
        let output = std::process::Command::new(python)
            .arg(tool)
            .args(&files)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{tool}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

async fn the_report_and_the_participant_list_count_people_waiting_apart(backend: Backend) {
    let (app, w) = app_with_waiting_list(backend, 1).await;
    app.register_ok(&w.id, &person(0, &w.am)).await;
    app.register_ok(&w.id, &person(1, &w.am)).await;
    app.register_ok(&w.id, &person(2, &w.am)).await;
    let report = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/report", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let figures = |line: &Value| (line["registered"].clone(), line["waitlisted"].clone());
    assert_eq!(figures(&report["totals"]), (json!(1), json!(2)));
    assert_eq!(figures(&report["per_session"][0]), (json!(1), json!(2)));
    assert_eq!(figures(&report["per_session"][1]), (json!(0), json!(0)));
    let csv = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{}/participants?format=csv",
            w.id
        ))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.matches(",waitlisted,").count(), 2, "{csv}");
    assert_eq!(csv.matches(",registered,").count(), 1, "{csv}");
    let registered_only = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{}/participants?format=csv&registered_only=true",
            w.id
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(!registered_only.contains("waitlisted"), "{registered_only}");
    let page = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{}/participants?format=html",
            w.id
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("3 people"), "{page}");
    assert!(page.contains("2 of them on a waiting list"), "{page}");
}

async fn organizers_keep_a_waiting_list_and_raise_seats_on_their_pages(backend: Backend) {
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, csrf) = browser
        .create_webinar("Waiting", &[("AM", "2030-09-24T07:00")])
        .await;
    let webinar = base.rsplit('/').next().unwrap().to_string();
    let (status, page, _) = browser
        .post(
            &base,
            &[
                ("csrf", &csrf),
                ("title", "Waiting"),
                ("languages", "en"),
                ("time_zone", "UTC"),
                ("waiting_list", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(r#"<option value="true" selected>Keep a waiting list"#),
        "{page}"
    );
    let w = json_of(
        app.get(&format!("/api/v1/webinars/{webinar}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(w["waiting_list"], true);
    let am = w["sessions"][0]["id"].as_str().unwrap().to_string();
    let seats = async |capacity: &str| {
        let (_, page) = browser.get(&base).await;
        let (status, page, _) = browser
            .post(
                &format!("{base}/sessions/{am}"),
                &[
                    ("csrf", &csrf_of(&page)),
                    ("label", "AM"),
                    ("starts_local", "2030-09-24T07:00"),
                    ("duration_minutes", "120"),
                    ("capacity", capacity),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
    };
    seats("1").await;
    app.register_ok(&webinar, &person(0, &am)).await;
    let (answer, waiting) = app.register_ok(&webinar, &person(1, &am)).await;
    assert_eq!(answer["status"], "waitlisted");
    let (_, page) = browser
        .get(&format!("{base}/registrations?status=waitlisted"))
        .await;
    assert!(page.contains("person1@example.org"), "{page}");
    assert!(!page.contains("person0@example.org"), "{page}");
    assert!(page.contains("on the waiting list"), "{page}");
    seats("2").await;
    assert_eq!(read(&app, &waiting).await["status"], "registered");
    let (status, page) = browser.get(&format!("{base}/outbox")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("moved up from the waiting list"), "{page}");
    // A form without the field (the creation form) leaves the setting as it is.
    let (_, page) = browser.get(&base).await;
    browser
        .post(
            &base,
            &[
                ("csrf", &csrf_of(&page)),
                ("title", "Waiting still"),
                ("languages", "en"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    let w = json_of(
        app.get(&format!("/api/v1/webinars/{webinar}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (w["title"].as_str(), w["waiting_list"].as_bool()),
        (Some("Waiting still"), Some(true))
    );
}

/// Both sessions full (5 seats each); 20 people wait for both. At once, the 10 holders
/// cancel and 40 newcomers join one list or both: the 10 freed seats go to the first 10
/// people waiting, one seat each, whichever session frees first.
async fn a_race_over_two_lists_gives_each_person_waiting_one_seat_in_order(backend: Backend) {
    let (app, w) = app_with_waiting_list(backend, 5).await;
    let pm_seats = json!({"capacity": 5});
    let path = format!("/api/v1/webinars/{}/sessions/{}", w.id, w.pm);
    json_of(
        app.organizer(Method::PATCH, &path, Some(&pm_seats)).await,
        StatusCode::OK,
    )
    .await;
    let mut holders = Vec::new();
    for i in 0..10 {
        let session = if i < 5 { &w.am } else { &w.pm };
        holders.push(app.register_ok(&w.id, &person(i, session)).await.1);
    }
    let mut both = Vec::new();
    for i in 10..30 {
        let mut body = person(i, &w.am);
        body["also_wait_for"] = json!([w.pm]);
        let (answer, _) = app.register_ok(&w.id, &body).await;
        assert_eq!(answer["waiting_for"].as_array().unwrap().len(), 2);
        both.push(answer["id"].as_str().unwrap().to_string());
    }
    let mut tasks = Vec::new();
    for k in 0..50 {
        let client = app.client.clone();
        let request = if k % 5 == 0 {
            client.delete(app.url(&format!("/api/v1/registrations/{}", holders[k / 5])))
        } else {
            let (first, other) = if k % 2 == 0 {
                (&w.am, &w.pm)
            } else {
                (&w.pm, &w.am)
            };
            let mut body = person(100 + k, first);
            if k % 3 == 0 {
                body["also_wait_for"] = json!([other]);
            }
            client
                .post(app.url(&format!("/api/v1/webinars/{}/registrations", w.id)))
                .json(&body)
        };
        tasks.push(tokio::spawn(async move {
            request.send().await.unwrap().status()
        }));
    }
    for task in tasks {
        let status = task.await.unwrap();
        assert!(
            status == StatusCode::OK || status == StatusCode::CREATED,
            "{status}"
        );
    }
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let list = list.as_array().unwrap();
    assert_eq!(seats_left(&app, &w.id).await, [json!(0), json!(0)]);
    for session in [&w.am, &w.pm] {
        let holding = list
            .iter()
            .filter(|r| r["status"] == "registered" && r["session_id"] == session.as_str())
            .count();
        assert_eq!(holding, 5, "{session}");
    }
    let status_of = |id: &str| {
        list.iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].as_str().unwrap())
            .unwrap()
    };
    let outcome: Vec<&str> = both.iter().map(|id| status_of(id)).collect();
    let expected: Vec<&str> = (0..20)
        .map(|i| if i < 10 { "registered" } else { "waitlisted" })
        .collect();
    assert_eq!(outcome, expected);
    // Those still waiting for both are at the head of both lines, in their order.
    for (place, id) in both[10..].iter().enumerate() {
        let r = list.iter().find(|r| r["id"] == id.as_str()).unwrap();
        let places: Vec<u64> = r["waiting_for"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["position"].as_u64().unwrap())
            .collect();
        assert_eq!(places, [place as u64 + 1, place as u64 + 1], "{r}");
    }
}
