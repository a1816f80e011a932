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
        authserv_id: None,
    }
}

#[test]
fn dmarc_is_read_only_from_the_trusted_server() {
    let raw = String::from_utf8(sample("google_accepted.eml")).unwrap();
    let stamped = format!(
        "Authentication-Results: mx.meridian.example.org;\n dkim=pass header.d=example.net;\n dmarc=pass (p=REJECT) header.from=example.net\n\
         Authentication-Results: evil.example.com; dmarc=fail\n{raw}"
    );
    let trusting = |id: &str| Limits {
        authserv_id: Some(id.into()),
        ..limits()
    };
    let read_with = |id: &str| read(stamped.as_bytes(), &trusting(id)).envelope.dmarc;
    assert_eq!(
        read_with("mx.meridian.example.org").as_deref(),
        Some("pass")
    );
    assert_eq!(read_with("evil.example.com").as_deref(), Some("fail"));
    assert_eq!(read_with("other.example.org"), None);
    assert_eq!(read(stamped.as_bytes(), &limits()).envelope.dmarc, None);
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
    // Sent by the mail system itself, it is a bounce even without VERP; from a person
    // and not to the VERP address, it is not.
    let without_verp = Limits {
        bounce_address: None,
        ..limits()
    };
    assert!(matches!(
        super::read(&sample("qmail_bounce.eml"), &without_verp).content,
        Ok(Content::Bounce(_))
    ));
    let from_a_person = String::from_utf8(sample("qmail_bounce.eml"))
        .unwrap()
        .replace("MAILER-DAEMON@qmail.example.org", "someone@example.org");
    assert!(matches!(
        super::read(from_a_person.as_bytes(), &without_verp).content,
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

/// The real messages in tests/data/inbound/real/ (see SOURCES.md and EXPECTED.md there),
/// read exactly as collected.
mod real {
    use super::*;

    fn raw(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/data/inbound/real/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// A calendar object alone, in the email a client sends it in.
    pub fn wrapped(ics: &[u8], from: &str) -> Vec<u8> {
        let mut mail = format!(
            "From: <{from}>\r\nTo: <webinars@meridian.example.org>\r\nSubject: Reply\r\n\
             Message-ID: <wrapped-{}@mail.example.net>\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/calendar; charset=UTF-8; method=REPLY\r\n\r\n",
            ics.len()
        )
        .into_bytes();
        mail.extend_from_slice(ics);
        mail
    }

    fn content(raw: &[u8]) -> Result<Content, String> {
        let no_verp = Limits {
            bounce_address: None,
            ..limits()
        };
        read(raw, &no_verp).content
    }

    fn answer(raw: &[u8]) -> itip::Answer {
        match content(raw) {
            Ok(Content::Answer(a)) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn replies_of_each_client_are_read() {
        let apple = answer(&raw("reply/apple-ical3-accepted-qp-attached.eml"));
        assert_eq!(apple.answer, Some(Partstat::Accepted));
        assert_eq!(apple.uid, "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C");
        assert_eq!(apple.attendee, "xyzzy@example.com");
        assert_eq!(apple.sequence, 7);

        let exchange = answer(&wrapped(
            &raw("reply/exchange2010-declined-comment.ics"),
            "attendee2@example.com",
        ));
        assert_eq!(exchange.answer, Some(Partstat::Declined));
        assert_eq!(exchange.attendee, "attendee2@example.com");
        assert!(exchange.comment.unwrap().starts_with("\n::DISCLAIMER::\n"));

        let google = answer(&wrapped(
            &raw("reply/google-calendar-accepted.ics"),
            "attendee-01@example.com",
        ));
        assert_eq!(google.answer, Some(Partstat::Accepted));
        assert_eq!(
            google.uid,
            "qwerty:oce__emailtransaction__c-D0000000-0000-0000-0000-000000000001"
        );
        assert_eq!(google.attendee, "attendee-01@example.com");

        let kde = answer(&wrapped(
            &raw("reply/kde-libkcal-tentative-mojibake.ics"),
            "testuserb@example.com",
        ));
        assert_eq!(kde.answer, Some(Partstat::Tentative));
        assert_eq!(kde.sequence, 0);

        let delegated = answer(&wrapped(
            &raw("reply/kde-libkcal-delegated.ics"),
            "testuserb@example.com",
        ));
        assert_eq!(delegated.answer, Some(Partstat::Delegated));
        assert_eq!(delegated.delegated_to, ["delegate@example.org"]);

        let counter = answer(&wrapped(
            &raw("counter/kde-libkcal-counter-qp-remnants.ics"),
            "testuserb@example.com",
        ));
        assert_eq!(counter.method, itip::Method::Counter);
        assert_eq!(
            counter.proposed_start.map(|t| t.to_rfc3339()),
            Some("2015-01-01T20:45:00+00:00".into())
        );

        let why = content(&raw("reply/apple-ical3-reply-missing-attendee.eml")).unwrap_err();
        assert!(why.contains("ATTENDEE"), "{why}");
    }

    #[test]
    fn bounces_of_each_mail_server_are_read() {
        // (file, status, permanent, Message-ID of the message that bounced)
        let cases: &[(&str, &str, bool, Option<&str>)] = &[
            (
                "amazonses-mailbox-full.eml",
                "5.0.0",
                true,
                Some(
                    "00000132d6ca0cd4-ff6d8ee5-29a0-4501-a68a-3ff8695254bb-000000@email.amazonses.com",
                ),
            ),
            (
                "exchange2007-550-5.1.1-recipnotfound.eml",
                "5.1.1",
                true,
                None,
            ),
            (
                "exim-550-two-recipients.eml",
                "5.1.1",
                true,
                Some("E1X58pB-0004bW-2s@marutamachi.example.org"),
            ),
            (
                "gmail-2010-plain-qp.eml",
                "5.1.1",
                true,
                Some("45B7FBD7-1218-4FCD-ACA1-4706F111E682@gmail.com"),
            ),
            (
                "hotmail-smtpsvc-5.2.2-mailbox-full.eml",
                "5.2.2",
                true,
                Some("BLU436-SMTP6645ECA6E7FEFFE86D040BBA770@phx.gbl"),
            ),
            ("postfix-550-access-denied.eml", "5.4.1", true, None),
            (
                "postfix-gmail-5.7.26-dmarc.eml",
                "5.7.26",
                true,
                Some("20201113004243.AF578C0196A@smtp.example.jp"),
            ),
            (
                "postfix-gmail-550-5.1.1-full-original.eml",
                "5.1.1",
                true,
                Some("40900559-DAB1-4956-BA87-F88E00CF5104@example.com"),
            ),
            (
                "postfix-two-recipients-no-reporting-mta.eml",
                "5.1.1",
                true,
                None,
            ),
            (
                "qmail-550-unknown-user.eml",
                "5.5.0",
                true,
                Some("000000000.9999999999999.JavaMail.postmaster@mailhub"),
            ),
            (
                "sendmail-1994-4.0.0-failed-timeout.eml",
                "4.0.0",
                true,
                None,
            ),
            (
                "sendmail-550-user-unknown.eml",
                "5.1.1",
                true,
                Some("E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org"),
            ),
            (
                "symantec-postfix-550-invitation-returned.eml",
                "5.0.0",
                true,
                Some("20080812191939.51369.1538816694.0@plugh.example.com"),
            ),
            (
                "vircom-delayed-4.4.1-headers-only.eml",
                "4.4.1",
                false,
                Some("pfchbtkf3j0p7prf0sp45vi21fro3bs7ad@4ax.com"),
            ),
        ];
        let mut problems = Vec::new();
        for (file, status, permanent, original) in cases {
            match content(&raw(&format!("bounce/{file}"))) {
                Ok(Content::Bounce(b)) => {
                    let got = (
                        b.status.as_deref(),
                        b.permanent,
                        b.original_message_id.as_deref(),
                    );
                    if got != (Some(*status), *permanent, *original) {
                        problems.push(format!("{file}: {got:?}"));
                    }
                }
                other => problems.push(format!("{file}: {other:?}")),
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn auto_replies_of_each_system_are_ignored() {
        for file in [
            "aol-auto-submitted-auto-replied.eml",
            "aol-vacation-auto-replied.eml",
            "exchange-out-of-office-base64-html.eml",
            "lotus-domino-auto-out-of-office.eml",
            "zimbra-vacation-precedence-bulk.eml",
        ] {
            let got = content(&raw(&format!("autoreply/{file}")));
            assert!(matches!(got, Ok(Content::AutoReply(_))), "{file}: {got:?}");
        }
    }
}
