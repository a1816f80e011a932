//! What a registration reveals, and to whom: the join link and calendar files are
//! shared widely, so they never carry the manage link; anonymous callers learn nothing
//! stored about an address, and cannot take an invitee's place.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    the_join_page_offers_to_email_the_personal_link_instead_of_showing_it,
    calendars_carry_the_join_link_but_never_the_manage_link,
    registering_an_invitees_address_sends_their_invitation_and_shows_nothing,
);

async fn the_join_page_offers_to_email_the_personal_link_instead_of_showing_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (r, token) = app
        .register_ok(
            &w.id,
            &json!({"name": "Amina", "email": "amina@example.org", "time_zone": "Africa/Nairobi"}),
        )
        .await;
    let join = r["join_link"].as_str().unwrap().to_string();
    let browser = Browser::new(&app);
    // Days before the session the join page explains and does not redirect.
    let (status, page) = browser.get(&join).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains(&token),
        "the join page shows the manage token"
    );
    assert!(
        !page.contains("/r/"),
        "the join page links to the manage page"
    );
    assert!(page.contains("Email me my personal link"), "{page}");
    let before = app.mailed(&w.id).await.len();
    let (status, page, _) = browser
        .post(&format!("{join}/send-link"), &[("csrf", &csrf_of(&page))])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(&token));
    let mails = app.mailed(&w.id).await;
    assert_eq!(mails.len(), before + 1);
    let sent = mails.last().unwrap();
    assert_eq!(sent.to, "amina@example.org");
    assert!(sent.text.contains(&token), "the owner gets the link");
    assert!(sent.calendar.is_none());
    // Asking again within the hour sends nothing more.
    let (_, page) = browser.get(&join).await;
    browser
        .post(&format!("{join}/send-link"), &[("csrf", &csrf_of(&page))])
        .await;
    assert_eq!(app.mailed(&w.id).await.len(), before + 1);
    // A forged token, or a post without the form's token, changes nothing.
    let (status, _, _) = browser
        .post(
            "/j/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/send-link",
            &[("csrf", &csrf_of(&page))],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = browser
        .post(&format!("{join}/send-link"), &[("csrf", "forged")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn calendars_carry_the_join_link_but_never_the_manage_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let (r, token) = app
        .register_ok(
            &w.id,
            &json!({"name": "Kenji", "email": "kenji@example.org", "time_zone": "Asia/Tokyo"}),
        )
        .await;
    let join = r["join_link"].as_str().unwrap();
    let file = app
        .get(&format!("/r/{token}/calendar.ics"))
        .await
        .text()
        .await
        .unwrap();
    let unfolded = crate::mail::unfolded(&file).join("\n");
    assert!(!unfolded.contains(&token), "{unfolded}");
    assert!(unfolded.contains(join), "{unfolded}");
    let mails = app.mailed(&w.id).await;
    let confirmation = mails.iter().find(|m| m.to == "kenji@example.org").unwrap();
    let calendar = crate::mail::unfolded(confirmation.calendar.as_deref().unwrap()).join("\n");
    assert!(!calendar.contains(&token), "{calendar}");
    assert!(calendar.contains(join));
    assert!(
        confirmation.text.contains(&token),
        "the email body itself keeps the manage link for its owner"
    );
}

async fn registering_an_invitees_address_sends_their_invitation_and_shows_nothing(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let csv = "name,email,organization,role,country,time_zone,language\n\
        Olga Ivanova,olga@example.ru,Almaty Process,Chair,RU,Europe/Moscow,ru\n";
    json_of(app.import_csv(&w.id, csv).await, StatusCode::OK).await;
    let claim = app
        .register(
            &w.id,
            &json!({"name": "Impostor", "email": "OLGA@example.ru",
            "time_zone": "Pacific/Auckland", "language": "en"}),
        )
        .await;
    let claim = json_of(claim, StatusCode::ACCEPTED).await;
    assert_eq!(claim, json!({"status": "check your email"}));
    // The real owner gets their invitation, in their language, with their own link.
    let mails = app.mailed(&w.id).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "olga@example.ru");
    assert!(
        mails[0].subject.contains("Приглашение"),
        "{}",
        mails[0].subject
    );
    let list = json_of(
        app.get_as_organizer(&format!("/api/v1/webinars/{}/registrations", w.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], "invited");
    assert_eq!(
        list[0]["name"], "Olga Ivanova",
        "the list's data, not the caller's"
    );
    assert_eq!(list[0]["time_zone"], "Europe/Moscow");
    // Sending the invitations later does not send a second one.
    let sent = json_of(
        app.organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/invitations", w.id),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sent["queued"], 0);
    // The owner confirms through the link in their email.
    let token = app.manage_token_mailed_to(&w.id, "olga@example.ru").await;
    let confirmed = app
        .client
        .patch(app.url(&format!("/api/v1/registrations/{token}")))
        .json(&json!({"session_id": list[0]["session_id"]}))
        .send()
        .await
        .unwrap();
    let confirmed = json_of(confirmed, StatusCode::OK).await;
    assert_eq!(confirmed["status"], "registered");
    assert_eq!(confirmed["organization"], "Almaty Process");
}

#[tokio::test]
async fn a_manage_link_cannot_flood_an_inbox() {
    // No delivery: what waits in the outbox is what the person would receive.
    let app = spawn_app_with(Backend::Sqlite, |s| s.mail.worker = false).await;
    let w = app.model_webinar(None, None).await;
    let (_, token) = app
        .register_ok(&w.id, &json!({"name": "A name chosen by a stranger", "email": "victim@example.org", "time_zone": "Europe/Paris"}))
        .await;
    let switch = |session: &str| {
        app.client
            .patch(app.url(&format!("/api/v1/registrations/{token}")))
            .json(&json!({ "session_id": session }))
            .send()
    };
    let mut statuses = Vec::new();
    for n in 0..8 {
        let session = if n % 2 == 0 { &w.pm } else { &w.am };
        statuses.push(switch(session).await.unwrap().status().as_u16());
    }
    // One confirmation and five switches in the hour; then changes are refused.
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    let refused = switch(&w.am).await.unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    let outbox = app.outbox(&w.id).await;
    let by_status = |status: &str| {
        outbox
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["status"] == status)
            .count()
    };
    // Each newer state replaced the one still waiting: the person gets one email.
    assert_eq!(
        (by_status("superseded"), by_status("pending")),
        (5, 1),
        "{outbox}"
    );
    let cancel = app
        .client
        .delete(app.url(&format!("/api/v1/registrations/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 429);
}
