//! An SMTP server that answers 421 and 451 at random, drops the connection in the middle
//! of DATA and stalls: nothing is lost, the retries show in the outbox, and nothing is
//! marked sent that the server did not accept.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};

use super::*;
use crate::helpers::*;
use crate::on_both_databases;
use crate::smtp::{Fault, Faults, Mode, SmtpServer};

const INVITEES: usize = 200;

on_both_databases!(a_faulty_smtp_server_loses_nothing_and_gets_nothing_twice);

async fn a_faulty_smtp_server_loses_nothing_and_gets_nothing_twice(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let to_smtp = smtp_to(&smtp.url());
    let app = spawn_app_with(
        backend,
        inline_delivery(move |s| {
            to_smtp(s);
            // A stalled send gives up after a second; retries come quickly and often.
            s.mail.send_timeout_secs = 1;
            s.mail.lease_secs = 5;
            s.mail.retry_base_ms = 10;
            s.mail.max_attempts = 100;
        }),
    )
    .await;
    let w = app.model_webinar(None, None).await;
    json_of(
        app.import_csv(&w.id, &invitees_csv(INVITEES)).await,
        StatusCode::OK,
    )
    .await;
    let queued = app
        .organizer(
            Method::POST,
            &format!("/api/v1/webinars/{}/invitations", w.id),
            None,
        )
        .await;
    assert_eq!(json_of(queued, StatusCode::OK).await["queued"], INVITEES);

    smtp.set_mode(Mode::Faulty(Faults {
        close_421: 8,
        refuse_451: 8,
        drop_in_data: 8,
        stall: 4,
    }));
    let started = Instant::now();
    let outbox = deliver_until_settled(&app, &w.id, Duration::from_secs(90)).await;
    let took = started.elapsed();

    // Nothing lost, nothing failed for good.
    let sent = with_status(&outbox, "sent");
    assert_eq!(sent.len(), INVITEES, "every invitation is sent: {outbox}");
    let received = smtp.received();
    let accepted = accepted_per_recipient(&received);
    for address in invitee_addresses(INVITEES) {
        assert_eq!(
            accepted.get(&address),
            Some(&1),
            "{address} gets their invitation exactly once (no fault accepts a message)"
        );
    }
    // Nothing marked sent that the server did not accept: each sent row has its accepted
    // message, and no message was accepted twice under two Message-IDs or one.
    for row in &sent {
        let recipient = row["recipient"].as_str().unwrap().to_lowercase();
        assert!(
            accepted.contains_key(&recipient),
            "{row} is sent, never accepted"
        );
    }
    let ids: HashSet<String> = received.iter().map(message_id).collect();
    assert_eq!(ids.len(), received.len(), "a Message-ID accepted twice");
    assert_eq!(received.len(), INVITEES);

    // Every fault was played, and each shows as a failed attempt in the outbox.
    let faults = smtp.faults();
    for kind in [
        Fault::Close421,
        Fault::Refuse451,
        Fault::DropInData,
        Fault::Stall,
    ] {
        assert!(
            faults.get(&kind).copied().unwrap_or(0) > 0,
            "no {kind:?} in {faults:?}"
        );
    }
    let played: usize = faults.values().sum();
    let retries: i64 = sent
        .iter()
        .map(|m| m["attempts"].as_i64().unwrap() - 1)
        .sum();
    let retried = sent
        .iter()
        .filter(|m| m["attempts"].as_i64() > Some(1))
        .count();
    assert!(
        retries >= played as i64,
        "{played} faults but only {retries} failed attempts in the outbox"
    );
    eprintln!(
        "drill smtp faults: {INVITEES} invitations, faults {faults:?}, {retried} messages \
         retried ({retries} failed attempts), every one sent once, in {took:.1?}"
    );
}

/// Delivers inline until nothing of the webinar is pending (retries come due after their
/// backoff, so it waits a little between rounds); answers the outbox.
async fn deliver_until_settled(app: &TestApp, webinar: &str, limit: Duration) -> serde_json::Value {
    let deadline = Instant::now() + limit;
    loop {
        app.deliver().await;
        let outbox = app.outbox(webinar).await;
        if with_status(&outbox, "pending").is_empty() {
            return outbox;
        }
        assert!(
            Instant::now() < deadline,
            "still pending after {limit:?}: {outbox}"
        );
        // The next retry is due within milliseconds (mail.retry_base_ms = 10).
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The worker's lanes claim more messages than there are SMTP connections, so a message
/// may wait for one. A send whose turn comes after its deadline (its claim would run out
/// while it is sent, and another claim send it again) is put off as a transient failure
/// and never reaches the server; one in time is sent.
#[tokio::test]
async fn a_send_whose_turn_comes_after_its_claims_deadline_is_put_off() {
    let sink = SmtpServer::start().await;
    let app = spawn_app_with(Backend::Sqlite, smtp_to(&sink.url())).await;
    let transport = &app.context().mailer.transport;
    let message = |n: usize| {
        lettre::Message::builder()
            .from("Meridian <webinars@iom.example.org>".parse().unwrap())
            .to(format!("delegate{n}@drill.example.org").parse().unwrap())
            .subject(format!("Deadline {n}"))
            .body(String::from("A message."))
            .unwrap()
    };
    let late = Instant::now() - Duration::from_millis(1);
    match transport.send(message(1), None, late).await {
        Err(meridian::email::transport::SendError::Transient(why)) => {
            assert!(why.contains("claim would run out"), "{why}")
        }
        other => panic!("a send past its deadline was not put off: {other:?}"),
    }
    transport
        .send(message(2), None, Instant::now() + Duration::from_secs(60))
        .await
        .unwrap();
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    // The first send had answered before the second began: had it reached the server,
    // it would be here before the second.
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(
        received[0].to,
        vec!["delegate2@drill.example.org".to_string()]
    );
}
