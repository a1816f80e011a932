//! iCalendar (RFC 5545) invitations for iMIP e-mail (RFC 6047, iTIP RFC 5546).
//!
//! [`build`] turns one person's [`Invite`] to one session into the `.ics` text
//! that goes into the `text/calendar; method=...` part of the e-mail (and the
//! `invite.ics` attachment). See `shared/ICALENDAR.md` for the interop rules.
//!
//! The `icalendar` crate (0.17) writes the properties. What it does and what this
//! module adds:
//! - TEXT values (SUMMARY, DESCRIPTION, LOCATION, UID): the crate escapes `\`, `;`,
//!   `,` and LF. It leaves CR and other control characters as they are, so user text
//!   is normalised first: CRLF and bare CR become LF, other control characters
//!   (except TAB) are removed. Nothing is escaped here, so nothing is escaped twice.
//! - Parameter values (CN): the crate double-quotes values containing `:`, `;` or
//!   `,`, but does not remove `"`, CR or LF, which would end the quoted string or
//!   the line. Names are cleaned here first: CR, LF and TAB become a space, `"` and
//!   other control characters are removed, runs of spaces collapse; non-ASCII stays.
//! - URI / CAL-ADDRESS values (URL, mailto:) are written verbatim by the crate;
//!   control characters and whitespace are removed here.
//! - Folding: the crate folds on character boundaries but its last continuation
//!   line can be 76 octets (a remainder of exactly 75 octets is not folded again).
//!   The crate's output is therefore unfolded and folded again here at 75 octets,
//!   never inside a UTF-8 character.
//! - The crate would add a random UID and `DTSTAMP:now` when they are missing; both
//!   are always set from the invite, so the output is deterministic.

use chrono::{DateTime, Utc};
use icalendar::{Attendee, Calendar, Component, Event, EventLike, EventStatus, PartStat, Property};

/// The `PRODID` of every calendar Meridian sends.
pub const PRODID: &str = "-//Meridian//Webinar invitations//EN";

/// RFC 5545 §3.1: content lines are at most 75 octets, excluding the CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// iTIP method of the message: one per calendar, equal to the MIME `method=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Invitation or update (same UID, higher SEQUENCE).
    Request,
    /// Cancellation of the whole event (same UID, higher SEQUENCE).
    Cancel,
    /// The organizer's "no" to a new time an attendee proposed (COUNTER): the event as
    /// it stands, same UID and SEQUENCE.
    DeclineCounter,
}

impl Method {
    /// The `METHOD` value, also used for the MIME `method=` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
            Method::DeclineCounter => "DECLINECOUNTER",
        }
    }
}

/// The attendee's `ROLE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `ROLE=REQ-PARTICIPANT`: a registrant.
    Participant,
    /// `ROLE=CHAIR`: a session chair.
    Chair,
}

impl Role {
    fn to_ical(self) -> icalendar::Role {
        match self {
            Role::Participant => icalendar::Role::ReqParticipant,
            Role::Chair => icalendar::Role::Chair,
        }
    }
}

/// One person's invitation to one session.
#[derive(Debug, Clone)]
pub struct Invite<'a> {
    pub method: Method,
    /// Stable and stored: one per registration (and per chair per session).
    pub uid: &'a str,
    /// Stored per UID; raised on every change of time or status and on CANCEL.
    pub sequence: u32,
    /// DTSTAMP: the send time.
    pub stamp: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: &'a str,
    /// May contain newlines (LF, CRLF or bare CR), commas, semicolons,
    /// backslashes, any Unicode.
    pub description: &'a str,
    /// The join link, as LOCATION.
    pub location: Option<&'a str>,
    /// As URL.
    pub url: Option<&'a str>,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub attendee_name: &'a str,
    pub attendee_email: &'a str,
    pub role: Role,
}

/// The .ics text: CRLF line ends, folded at 75 octets, times in UTC (…Z).
pub fn build(invite: &Invite<'_>) -> String {
    let status = match invite.method {
        Method::Request | Method::DeclineCounter => EventStatus::Confirmed,
        Method::Cancel => EventStatus::Cancelled,
    };

    let mut event = Event::new();
    event
        .uid(&clean_text(invite.uid))
        .sequence(invite.sequence)
        .timestamp(invite.stamp)
        .starts(invite.starts_at)
        .ends(invite.ends_at)
        .summary(&clean_text(invite.summary))
        .description(&clean_text(invite.description))
        .status(status)
        .add_property("TRANSP", "OPAQUE");
    if let Some(location) = invite.location {
        event.location(&clean_text(location));
    }
    if let Some(url) = invite.url {
        event.url(&clean_uri(url));
    }

    let organizer_address = mailto(invite.organizer_email);
    let organizer = Property::new("ORGANIZER", organizer_address.as_str())
        .add_parameter(
            "CN",
            &common_name(invite.organizer_name, invite.organizer_email),
        )
        .done();
    event.append_property(organizer);

    let attendee = Attendee::new(mailto(invite.attendee_email))
        .cn(common_name(invite.attendee_name, invite.attendee_email))
        .role(invite.role.to_ical())
        .partstat(PartStat::NeedsAction)
        .rsvp(true);
    event.append_multi_property(attendee);

    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", invite.method.as_str()))
        .push(event.done());

    refold(&calendar.to_string())
}

/// TEXT input for the crate, which escapes `\ ; ,` and LF itself: CRLF and bare CR
/// become LF, other control characters except TAB are dropped.
fn clean_text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (CN) that can neither end the quoted string nor the line:
/// CR, LF and TAB become a space, `"` and other control characters are dropped,
/// runs of spaces collapse, the ends are trimmed. Non-ASCII is kept. Quoting for
/// `: ; ,` is left to the crate.
fn clean_param(input: &str) -> String {
    let spaced: String = input
        .chars()
        .filter_map(|c| match c {
            '\r' | '\n' | '\t' => Some(' '),
            '"' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    spaced
        .split(' ')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The CN for a person: the cleaned name, or the address when nothing is left.
fn common_name(name: &str, email: &str) -> String {
    let cleaned = clean_param(name);
    if cleaned.is_empty() {
        clean_param(&clean_uri(email))
    } else {
        cleaned
    }
}

/// URI values are written verbatim: no control characters or whitespace.
fn clean_uri(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

/// `mailto:` + the address (validated upstream; cleaned again here).
fn mailto(email: &str) -> String {
    let address = clean_uri(email);
    let address = match address.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => &address[7..],
        _ => address.as_str(),
    };
    format!("mailto:{address}")
}

/// Unfolds the crate's output and folds every content line again at 75 octets.
///
/// Unfolding is exact: the crate folds with CRLF + space, and no value contains a
/// CR after cleaning, so every CRLF + space in its output is a fold.
fn refold(rendered: &str) -> String {
    let unfolded = rendered.replace("\r\n ", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 24);
    for line in unfolded.split("\r\n").filter(|line| !line.is_empty()) {
        fold_line(line, &mut out);
    }
    out
}

/// Appends `line` folded to at most 75 octets per physical line, each ending in
/// CRLF; continuation lines start with one space. Never splits a UTF-8 character.
fn fold_line(line: &str, out: &mut String) {
    let mut rest = line;
    let mut limit = MAX_LINE_OCTETS;
    while rest.len() > limit {
        let cut = fold_point(rest, limit);
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // continuation lines carry the leading space
        limit = MAX_LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// Where to fold `s` (longer than `limit` octets): the last character boundary at
/// or before `limit`, moved back a few characters if that keeps whitespace off
/// both sides of the fold (for unfolders that trim it) and keeps a backslash
/// escape (`\,`, `\n`, ...) on one line (for parsers that unescape first). Both
/// are allowed by RFC 5545 but needlessly fragile.
fn fold_point(s: &str, limit: usize) -> usize {
    let mut hard = limit;
    while !s.is_char_boundary(hard) {
        hard -= 1;
    }
    let is_blank = |c: Option<char>| matches!(c, Some(' ' | '\t'));
    let splits_escape =
        |cut: usize| s[..cut].bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
    let mut cut = hard;
    for _ in 0..16 {
        let before = s[..cut].chars().next_back();
        if !is_blank(before) && !is_blank(s[cut..].chars().next()) && !splits_escape(cut) {
            return cut;
        }
        match before {
            Some(c) if cut > c.len_utf8() => cut -= c.len_utf8(),
            _ => break,
        }
    }
    hard
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// One unfolded content line: name, parameters (unquoted), raw value.
    #[derive(Debug, Clone)]
    struct Line {
        name: String,
        params: Vec<(String, String)>,
        value: String,
    }

    impl Line {
        fn param(&self, key: &str) -> Option<&str> {
            self.params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
        }
    }

    /// RFC 5545 §3.1 unfolding: CRLF followed by one space or tab is removed.
    fn unfold(ics: &str) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for physical in ics.split("\r\n") {
            if let Some(rest) = physical
                .strip_prefix(' ')
                .or_else(|| physical.strip_prefix('\t'))
            {
                lines
                    .last_mut()
                    .expect("continuation line without a first line")
                    .push_str(rest);
            } else if !physical.is_empty() {
                lines.push(physical.to_owned());
            }
        }
        lines
    }

    /// Splits `NAME;K=V;K="V, W":value`, honouring quoted parameter values.
    fn parse_line(line: &str) -> Line {
        let mut in_quotes = false;
        let mut fields: Vec<String> = vec![String::new()];
        let mut value = None;
        for (i, c) in line.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ';' if !in_quotes => fields.push(String::new()),
                ':' if !in_quotes => {
                    value = Some(line[i + 1..].to_owned());
                    break;
                }
                c => fields.last_mut().unwrap().push(c),
            }
        }
        let name = fields.remove(0);
        let params = fields
            .into_iter()
            .map(|f| {
                let (k, v) = f.split_once('=').expect("parameter without =");
                (k.to_owned(), v.to_owned())
            })
            .collect();
        Line {
            name,
            params,
            value: value.expect("content line without a value"),
        }
    }

    fn parse(ics: &str) -> Vec<Line> {
        unfold(ics).iter().map(|l| parse_line(l)).collect()
    }

    fn props<'l>(lines: &'l [Line], name: &str) -> Vec<&'l Line> {
        lines.iter().filter(|l| l.name == name).collect()
    }

    fn one<'l>(lines: &'l [Line], name: &str) -> &'l Line {
        let found = props(lines, name);
        assert_eq!(found.len(), 1, "expected exactly one {name}: {found:?}");
        found[0]
    }

    /// RFC 5545 §3.3.11 TEXT unescaping.
    fn unescape(value: &str) -> String {
        let mut out = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(c @ ('\\' | ';' | ',')) => out.push(c),
                other => panic!("invalid TEXT escape \\{other:?} in {value:?}"),
            }
        }
        out
    }

    fn text(lines: &[Line], name: &str) -> String {
        unescape(&one(lines, name).value)
    }

    fn invite() -> Invite<'static> {
        Invite {
            method: Method::Request,
            uid: "reg-42@meridian.example",
            sequence: 0,
            stamp: Utc.with_ymd_and_hms(2025, 2, 20, 9, 30, 5).unwrap(),
            starts_at: Utc.with_ymd_and_hms(2025, 3, 1, 14, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2025, 3, 1, 15, 30, 0).unwrap(),
            summary: "Migration policy in the Asia-Pacific",
            description: "Join the session.",
            location: Some("https://meet.example.org/j/123?pwd=a,b;c"),
            url: Some("https://meridian.example/s/42"),
            organizer_name: "Meridian Webinars",
            organizer_email: "webinars@meridian.example",
            attendee_name: "Ana Pérez",
            attendee_email: "ana@example.com",
            role: Role::Participant,
        }
    }

    fn assert_physical_lines_ok(ics: &str) {
        assert!(ics.ends_with("\r\n"), "no final CRLF");
        let bytes = ics.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'\r' => assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at {i}"),
                b'\n' => assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at {i}"),
                _ => {}
            }
        }
        for line in ics.split("\r\n") {
            assert!(
                line.len() <= MAX_LINE_OCTETS,
                "{} octets: {line:?}",
                line.len()
            );
            let backslashes = line.bytes().rev().take_while(|&b| b == b'\\').count();
            assert_eq!(backslashes % 2, 0, "escape split by a fold: {line:?}");
        }
    }

    #[test]
    fn method_as_str_gives_the_itip_method_names() {
        assert_eq!(Method::Request.as_str(), "REQUEST");
        assert_eq!(Method::Cancel.as_str(), "CANCEL");
    }

    #[test]
    fn request_has_every_required_property_and_one_method() {
        let ics = build(&invite());
        let lines = parse(&ics);

        assert_eq!(lines.first().unwrap().name, "BEGIN");
        assert_eq!(lines.first().unwrap().value, "VCALENDAR");
        assert_eq!(lines.last().unwrap().name, "END");
        assert_eq!(lines.last().unwrap().value, "VCALENDAR");
        assert_eq!(one(&lines, "VERSION").value, "2.0");
        assert_eq!(one(&lines, "PRODID").value, PRODID);
        assert_eq!(one(&lines, "CALSCALE").value, "GREGORIAN");
        assert_eq!(one(&lines, "METHOD").value, "REQUEST");
        let begins: Vec<_> = props(&lines, "BEGIN").iter().map(|l| &l.value).collect();
        assert_eq!(begins, ["VCALENDAR", "VEVENT"]);

        assert_eq!(one(&lines, "UID").value, "reg-42@meridian.example");
        assert_eq!(one(&lines, "SEQUENCE").value, "0");
        assert_eq!(one(&lines, "DTSTAMP").value, "20250220T093005Z");
        assert_eq!(one(&lines, "DTSTART").value, "20250301T140000Z");
        assert_eq!(one(&lines, "DTEND").value, "20250301T153000Z");
        assert!(props(&lines, "DURATION").is_empty());
        assert_eq!(
            text(&lines, "SUMMARY"),
            "Migration policy in the Asia-Pacific"
        );
        assert_eq!(text(&lines, "DESCRIPTION"), "Join the session.");
        assert_eq!(
            one(&lines, "LOCATION").value,
            r"https://meet.example.org/j/123?pwd=a\,b\;c"
        );
        assert_eq!(
            text(&lines, "LOCATION"),
            "https://meet.example.org/j/123?pwd=a,b;c"
        );
        assert_eq!(one(&lines, "URL").value, "https://meridian.example/s/42");
        assert_eq!(one(&lines, "STATUS").value, "CONFIRMED");
        assert_eq!(one(&lines, "TRANSP").value, "OPAQUE");

        let organizer = one(&lines, "ORGANIZER");
        assert_eq!(organizer.value, "mailto:webinars@meridian.example");
        assert_eq!(organizer.param("CN"), Some("Meridian Webinars"));

        let attendee = one(&lines, "ATTENDEE");
        assert_eq!(attendee.value, "mailto:ana@example.com");
        assert_eq!(attendee.param("CN"), Some("Ana Pérez"));
        assert_eq!(attendee.param("ROLE"), Some("REQ-PARTICIPANT"));
        assert_eq!(attendee.param("PARTSTAT"), Some("NEEDS-ACTION"));
        assert_eq!(attendee.param("RSVP"), Some("TRUE"));
    }

    #[test]
    fn cancel_has_method_cancel_status_cancelled_same_uid_and_given_sequence() {
        let request = parse(&build(&invite()));
        let cancel = parse(&build(&Invite {
            method: Method::Cancel,
            sequence: 3,
            stamp: Utc.with_ymd_and_hms(2025, 2, 25, 8, 0, 0).unwrap(),
            ..invite()
        }));

        assert_eq!(one(&cancel, "METHOD").value, "CANCEL");
        assert_eq!(one(&cancel, "STATUS").value, "CANCELLED");
        assert_eq!(one(&cancel, "UID").value, one(&request, "UID").value);
        assert_eq!(one(&cancel, "SEQUENCE").value, "3");
        assert_eq!(one(&cancel, "DTSTAMP").value, "20250225T080000Z");
        assert_eq!(one(&cancel, "DTSTART").value, "20250301T140000Z");
        assert_eq!(
            one(&cancel, "ORGANIZER").value,
            "mailto:webinars@meridian.example"
        );
        assert_eq!(one(&cancel, "ATTENDEE").value, "mailto:ana@example.com");
    }

    #[test]
    fn output_is_deterministic_for_the_same_invite() {
        // no random UID and no DTSTAMP:now from the crate
        assert_eq!(build(&invite()), build(&invite()));
    }

    #[test]
    fn location_and_url_are_left_out_when_not_given() {
        let lines = parse(&build(&Invite {
            location: None,
            url: None,
            ..invite()
        }));
        assert!(props(&lines, "LOCATION").is_empty());
        assert!(props(&lines, "URL").is_empty());
    }

    #[test]
    fn every_line_ends_in_crlf_and_there_is_no_bare_cr_or_lf() {
        let ics = build(&Invite {
            summary: "a\rb\nc\r\nd",
            description: "one\r\ntwo\rthree\nfour\r\r\n\n",
            location: Some("room\r\n2"),
            url: Some("https://x.example/\r\npath"),
            organizer_name: "Org\rName",
            organizer_email: "org@x.example\r\n",
            attendee_name: "Att\nName",
            attendee_email: "\r\natt@x.example",
            ..invite()
        });
        assert_physical_lines_ok(&ics);
        let lines = parse(&ics);
        assert_eq!(one(&lines, "URL").value, "https://x.example/path");
        assert_eq!(one(&lines, "ORGANIZER").value, "mailto:org@x.example");
        assert_eq!(one(&lines, "ORGANIZER").param("CN"), Some("Org Name"));
        assert_eq!(one(&lines, "ATTENDEE").value, "mailto:att@x.example");
        assert_eq!(one(&lines, "ATTENDEE").param("CN"), Some("Att Name"));
        assert_eq!(text(&lines, "LOCATION"), "room\n2");
    }

    #[test]
    fn long_arabic_and_russian_description_folds_at_75_octets_and_unfolds_to_the_original() {
        let description = "Миграционная политика в Азиатско-Тихоокеанском регионе; \
             обсуждение, вопросы и ответы.\n"
            .repeat(6)
            + &"سياسات الهجرة في منطقة آسيا والمحيط الهادئ، مع جلسة أسئلة وأجوبة؛ ".repeat(6)
            + "日本語も😀🌏 mixed";
        let summary = "Вебинар: سياسات الهجرة — ".repeat(5);
        let ics = build(&Invite {
            summary: &summary,
            description: &description,
            ..invite()
        });

        assert_physical_lines_ok(&ics);
        assert!(ics.split("\r\n").count() > 20, "expected folding");
        let lines = parse(&ics);
        assert_eq!(text(&lines, "DESCRIPTION"), description);
        assert_eq!(text(&lines, "SUMMARY"), summary);
    }

    #[test]
    fn long_names_fold_at_75_octets_and_unfold_to_the_original() {
        let attendee_name =
            "Александра Константиновна Верещагина-Мухаммад عبد الرحمن الفلاني Ñúñez 李小龍";
        let organizer_name = "Regional Consultative Process on Migration Secretariat and Partners";
        let ics = build(&Invite {
            attendee_name,
            organizer_name,
            attendee_email: "a.very.long.mailbox.name.for.testing@subdomain.example-university.edu",
            role: Role::Chair,
            ..invite()
        });

        assert_physical_lines_ok(&ics);
        let lines = parse(&ics);
        let attendee = one(&lines, "ATTENDEE");
        assert_eq!(attendee.param("CN"), Some(attendee_name));
        assert_eq!(
            attendee.value,
            "mailto:a.very.long.mailbox.name.for.testing@subdomain.example-university.edu"
        );
        assert_eq!(one(&lines, "ORGANIZER").param("CN"), Some(organizer_name));
    }

    #[test]
    fn commas_semicolons_backslashes_and_newlines_are_escaped_once() {
        let lines = parse(&build(&Invite {
            summary: r"Q&A, part 1; C:\temp\n",
            description: "a,b;c\\d\ne\r\nf\rg",
            ..invite()
        }));

        assert_eq!(one(&lines, "SUMMARY").value, r"Q&A\, part 1\; C:\\temp\\n");
        assert_eq!(one(&lines, "DESCRIPTION").value, r"a\,b\;c\\d\ne\nf\ng");
        assert_eq!(text(&lines, "SUMMARY"), r"Q&A, part 1; C:\temp\n");
        assert_eq!(text(&lines, "DESCRIPTION"), "a,b;c\\d\ne\nf\ng");
    }

    #[test]
    fn other_control_characters_are_dropped_from_text() {
        let lines = parse(&build(&Invite {
            summary: "bell\u{7}\u{0}\u{1b}[31m red\ttab",
            ..invite()
        }));
        assert_eq!(text(&lines, "SUMMARY"), "bell[31m red\ttab");
    }

    #[test]
    fn hostile_cn_cannot_inject_a_line() {
        let ics = build(&Invite {
            attendee_name: "Evil\"\r\nATTENDEE:mailto:x@y.org",
            organizer_name: "Org\"\nMETHOD:PUBLISH",
            ..invite()
        });

        assert_physical_lines_ok(&ics);
        for physical in ics.split("\r\n") {
            assert!(!physical.starts_with("ATTENDEE:mailto:x@y.org"), "{ics}");
        }
        let unfolded = unfold(&ics);
        assert!(
            !unfolded
                .iter()
                .any(|l| l.starts_with("ATTENDEE:") || l.starts_with("METHOD:PUBLISH"))
        );
        let lines = parse(&ics);
        let attendee = one(&lines, "ATTENDEE");
        assert_eq!(attendee.value, "mailto:ana@example.com");
        assert_eq!(attendee.param("CN"), Some("Evil ATTENDEE:mailto:x@y.org"));
        assert_eq!(one(&lines, "METHOD").value, "REQUEST");
        assert!(!ics.contains("CN=\"Evil\""));
    }

    #[test]
    fn cn_with_a_comma_is_quoted() {
        let ics = build(&Invite {
            organizer_name: "Chair, Bali Process",
            attendee_name: "Chair, Bali Process",
            ..invite()
        });
        let unfolded = unfold(&ics);
        let organizer = unfolded
            .iter()
            .find(|l| l.starts_with("ORGANIZER"))
            .unwrap();
        assert_eq!(
            organizer,
            "ORGANIZER;CN=\"Chair, Bali Process\":mailto:webinars@meridian.example"
        );
        let attendee = unfolded.iter().find(|l| l.starts_with("ATTENDEE")).unwrap();
        assert!(
            attendee.contains(";CN=\"Chair, Bali Process\""),
            "{attendee}"
        );
        assert_eq!(
            one(&parse(&ics), "ATTENDEE").param("CN"),
            Some("Chair, Bali Process")
        );
    }

    #[test]
    fn plain_cn_is_not_quoted() {
        let ics = build(&invite());
        assert!(ics.contains("ORGANIZER;CN=Meridian Webinars:mailto:"));
    }

    #[test]
    fn empty_cn_falls_back_to_the_address() {
        let lines = parse(&build(&Invite {
            attendee_name: " \"\r\n ",
            ..invite()
        }));
        assert_eq!(one(&lines, "ATTENDEE").param("CN"), Some("ana@example.com"));
    }

    #[test]
    fn chair_role_is_written_as_role_chair() {
        let lines = parse(&build(&Invite {
            role: Role::Chair,
            ..invite()
        }));
        let attendee = one(&lines, "ATTENDEE");
        assert_eq!(attendee.param("ROLE"), Some("CHAIR"));
        assert_eq!(attendee.param("PARTSTAT"), Some("NEEDS-ACTION"));
        assert_eq!(attendee.param("RSVP"), Some("TRUE"));
    }

    #[test]
    fn times_are_utc_with_z_and_never_floating_or_zoned() {
        let stamp = Utc
            .with_ymd_and_hms(2025, 12, 31, 23, 59, 59)
            .unwrap()
            .checked_add_signed(chrono::Duration::milliseconds(750))
            .unwrap();
        let ics = build(&Invite { stamp, ..invite() });
        assert!(!ics.contains("TZID"));
        assert!(!ics.contains("VTIMEZONE"));
        let lines = parse(&ics);
        for name in ["DTSTAMP", "DTSTART", "DTEND"] {
            let line = one(&lines, name);
            assert!(line.params.is_empty(), "{line:?}");
            let v = &line.value;
            assert_eq!(v.len(), 16, "{v}");
            assert!(v.ends_with('Z') && v.as_bytes()[8] == b'T', "{v}");
            assert!(
                chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ").is_ok(),
                "{v}"
            );
        }
        assert_eq!(one(&lines, "DTSTAMP").value, "20251231T235959Z");
    }

    #[test]
    fn mailto_prefix_is_not_doubled() {
        let lines = parse(&build(&Invite {
            attendee_email: "MAILTO:ana@example.com",
            ..invite()
        }));
        assert_eq!(one(&lines, "ATTENDEE").value, "mailto:ana@example.com");
    }

    #[test]
    fn folding_a_line_of_exactly_150_octets_keeps_every_line_within_75() {
        // the crate's own folding leaves a 76-octet last line here
        let line = "X".repeat(150);
        let mut out = String::new();
        fold_line(&line, &mut out);
        assert_physical_lines_ok(&out);
        assert_eq!(unfold(&out), [line]);
    }

    #[test]
    fn folding_never_splits_a_utf8_character_at_any_offset() {
        for prefix in 0..8 {
            for filler in ["é", "Ж", "李", "😀", "ع"] {
                let line = format!("{}{}", "a".repeat(prefix), filler.repeat(80));
                let mut out = String::new();
                fold_line(&line, &mut out);
                // a &str cannot hold a split character; check lengths and round trip
                assert_physical_lines_ok(&out);
                assert_eq!(unfold(&out), [line]);
            }
        }
    }

    #[test]
    fn folding_keeps_backslash_escapes_on_one_line() {
        for width in 60..80 {
            let description = format!("{}{}", "d".repeat(width), r"a\,b\;c\\d\n".repeat(20));
            let mut out = String::new();
            fold_line(&format!("DESCRIPTION:{description}"), &mut out);
            assert_physical_lines_ok(&out);
            assert_eq!(unfold(&out), [format!("DESCRIPTION:{description}")]);
        }
    }

    #[test]
    fn folding_preserves_spaces_and_avoids_whitespace_at_the_fold() {
        for width in 60..80 {
            let line = format!("{}{}", "b".repeat(width), " ab  cd   ef".repeat(30));
            let mut out = String::new();
            fold_line(&line, &mut out);
            assert_physical_lines_ok(&out);
            assert_eq!(unfold(&out), std::slice::from_ref(&line));
            for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
                let body = physical.strip_prefix(' ').unwrap_or(physical);
                if body.len() > 4 {
                    assert!(!body.starts_with(' ') && !body.ends_with(' '), "{out}");
                }
            }
        }
        // blanks only after the name: still folds, still within limits
        let blanks = format!("X:{}", " ".repeat(200));
        let mut out = String::new();
        fold_line(&blanks, &mut out);
        assert_physical_lines_ok(&out);
        assert_eq!(unfold(&out), [blanks]);
    }
}
