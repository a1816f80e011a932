use base64::Engine;

use super::*;
use crate::domain::answer::Answer as Partstat;

const UID: &str = "registration-0f1e2d3c@meridian.example.org";
const ATTENDEE: &str = "Ana.Guest@Example.NET";
const ORGANIZER: &str = "webinars@meridian.example.org";

/// A sample with its placeholders filled in (see tests/data/inbound/README.md).
fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/inbound/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    fill(&text, UID, ATTENDEE, "0").into_bytes()
}

fn fill(text: &str, uid: &str, attendee: &str, sequence: &str) -> String {
    let filled = text
        .replace("@@UID@@", uid)
        .replace("@@ATTENDEE@@", attendee)
        .replace("@@ORGANIZER@@", ORGANIZER)
        .replace("@@MSGID@@", "<sample-1@mail.example.net>")
        .replace("@@ORIGINAL_MSGID@@", "<original-1@meridian.example.org>")
        .replace("@@TO@@", "bounces+42@meridian.example.org")
        .replace("@@SEQUENCE@@", sequence);
    let mut out = String::new();
    let mut rest = filled.as_str();
    while let Some(start) = rest.find("@@BASE64@@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 10..];
        let end = after.find("@@END@@").unwrap();
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(after[..end].replace('\n', "\r\n"));
        for line in encoded.as_bytes().chunks(76) {
            out.push_str(std::str::from_utf8(line).unwrap());
            out.push('\n');
        }
        rest = &after[end + 7..];
    }
    out.push_str(rest);
    out
}

fn limits() -> Limits {
    Limits {
        max_bytes: 10 * 1024 * 1024,
        max_depth: 20,
        bounce_address: Some("bounces@meridian.example.org".into()),
    }
}

fn answer_of(name: &str) -> itip::Answer {
    match read(&sample(name), &limits()).content {
        Ok(Content::Answer(a)) => a,
        other => panic!("{name}: {other:?}"),
    }
}

fn bounce_of(name: &str) -> dsn::Bounce {
    match read(&sample(name), &limits()).content {
        Ok(Content::Bounce(b)) => b,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn a_google_reply_is_an_answer_despite_auto_submitted() {
    let a = answer_of("google_accepted.eml");
    assert_eq!(a.method, itip::Method::Reply);
    assert_eq!(a.uid, UID);
    assert_eq!(a.attendee, "ana.guest@example.net");
    assert_eq!(a.answer, Some(Partstat::Accepted));
    assert_eq!(a.comment.as_deref(), Some("Looking forward to it"));
    assert_eq!(a.sequence, 0);
    assert!(a.stamp.is_some());
    let read = read(&sample("google_accepted.eml"), &limits());
    assert_eq!(read.envelope.from.as_deref(), Some("ana.guest@example.net"));
    assert_eq!(
        read.envelope.sender.as_deref(),
        Some("calendar-notification@google.com")
    );
    assert!(read.envelope.sent_by(ATTENDEE));
}

#[test]
fn an_outlook_decline_in_base64_keeps_its_comment() {
    let a = answer_of("outlook_declined.eml");
    assert_eq!(a.answer, Some(Partstat::Declined));
    assert_eq!(a.comment.as_deref(), Some("I cannot make it, sorry.\n"));
}

#[test]
fn an_attached_calendar_without_a_mime_method_is_read() {
    let a = answer_of("apple_tentative.eml");
    assert_eq!(a.answer, Some(Partstat::Tentative));
    assert_eq!(a.uid, UID);
}

#[test]
fn a_counter_proposal_carries_the_new_start() {
    let a = answer_of("counter.eml");
    assert_eq!(a.method, itip::Method::Counter);
    assert_eq!(
        a.proposed_start.map(|t| t.to_rfc3339()),
        Some("2030-09-24T14:00:00+00:00".into())
    );
}

#[test]
fn a_bounce_quoting_the_invitation_is_a_bounce() {
    let b = bounce_of("postfix_bounce.eml");
    assert_eq!(b.status.as_deref(), Some("5.1.1"));
    assert!(b.permanent);
    assert_eq!(b.recipient.as_deref(), Some("ana.guest@example.net"));
    assert_eq!(
        b.original_message_id.as_deref(),
        Some("original-1@meridian.example.org")
    );
    assert!(
        b.diagnostic
            .unwrap()
            .contains("User unknown in virtual mailbox")
    );
}

#[test]
fn an_exchange_report_quotes_only_headers() {
    let b = bounce_of("exchange_bounce.eml");
    assert_eq!(b.status.as_deref(), Some("5.1.10"));
    assert_eq!(
        b.diagnostic.as_deref(),
        Some(
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
        )
    );
    assert_eq!(
        b.original_message_id.as_deref(),
        Some("original-1@meridian.example.org")
    );
}

#[test]
fn a_delay_notice_is_not_permanent() {
    let b = bounce_of("exim_delayed.eml");
    assert_eq!(b.status.as_deref(), Some("4.4.1"));
    assert!(!b.permanent);
}

#[test]
fn a_plain_text_bounce_to_a_verp_address_is_a_bounce() {
    let b = bounce_of("qmail_bounce.eml");
    assert_eq!(b.status.as_deref(), Some("5.1.1"));
    assert!(b.permanent);
    let read = read(&sample("qmail_bounce.eml"), &limits());
    assert_eq!(
        verp_id(&read.envelope.to, "bounces@meridian.example.org"),
        Some(42)
    );
    let without_verp = Limits {
        bounce_address: None,
        ..limits()
    };
    assert!(matches!(
        super::read(&sample("qmail_bounce.eml"), &without_verp).content,
        Ok(Content::Other(_))
    ));
}

#[test]
fn an_out_of_office_is_an_auto_reply() {
    assert!(matches!(
        read(&sample("exchange_out_of_office.eml"), &limits()).content,
        Ok(Content::AutoReply(_))
    ));
}

#[test]
fn verp_addresses_name_the_outbox_message() {
    let to = vec![
        "x@y.org".to_string(),
        "Bounces+17@Meridian.example.org".into(),
    ];
    assert_eq!(verp_id(&to, "bounces@meridian.example.org"), Some(17));
    assert_eq!(verp_id(&to, "other@meridian.example.org"), None);
    assert_eq!(
        verp_id(
            &["bounces+x@meridian.example.org".into()],
            "bounces@meridian.example.org"
        ),
        None
    );
}

fn unreadable(raw: &[u8], limits: &Limits) -> String {
    match read(raw, limits).content {
        Err(why) => why,
        other => panic!("read as {other:?}"),
    }
}

#[test]
fn bad_input_is_unreadable_and_never_a_crash() {
    let mut nested = String::from("From: a@b.org\r\nMessage-ID: <n@b.org>\r\n");
    for i in 0..40 {
        nested.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    nested.push_str("Content-Type: text/plain\r\n\r\nhi\r\n");
    assert!(unreadable(nested.as_bytes(), &limits()).contains("nested"));

    let charset = "From: a@b.org\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla'\r\n";
    assert!(unreadable(charset.as_bytes(), &limits()).contains("x-klingon"));

    let small = Limits {
        max_bytes: 100,
        ..limits()
    };
    let big = sample("google_accepted.eml");
    let why = unreadable(&big, &small);
    assert!(why.contains("mail.inbound.max_bytes"), "{why}");
    assert_eq!(
        read(&big, &small).envelope.message_id.as_deref(),
        Some("sample-1@mail.example.net")
    );

    let broken = "From: a@b.org\r\nContent-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert!(unreadable(broken.as_bytes(), &limits()).contains("UID"));

    let deep_calendar = format!(
        "From: a@b.org\r\nContent-Type: text/calendar\r\n\r\n{}",
        "BEGIN:VCALENDAR\r\n".repeat(50)
    );
    assert!(unreadable(deep_calendar.as_bytes(), &limits()).contains("nested"));

    for garbage in [&b""[..], b"\xff\xfe\x00", b"\r\n\r\n", b"From:\r\n\r\n--"] {
        let _ = read(garbage, &limits());
    }
}
