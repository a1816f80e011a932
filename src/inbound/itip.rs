//! Calendar answers in a message: `METHOD:REPLY` (accepted, tentative, declined,
//! delegated) and `METHOD:COUNTER` (a new time proposed), inline or attached, in any
//! transfer encoding; the method may be only in the calendar, not the MIME header.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use icalendar::parser::{Component, Property, read_calendar, unfold};
use mail_parser::{Message, MimeHeaders};
use serde::{Deserialize, Serialize};

use crate::domain::answer::Answer as Partstat;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Reply,
    Counter,
}

/// One attendee's answer about one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub method: Method,
    pub uid: String,
    pub sequence: u32,
    pub stamp: Option<DateTime<Utc>>,
    /// The attendee's address, lower-cased, without `mailto:`.
    pub attendee: String,
    /// `None` for a COUNTER or a status Meridian does not take (NEEDS-ACTION).
    #[serde(with = "partstat")]
    pub answer: Option<Partstat>,
    pub delegated_to: Vec<String>,
    pub comment: Option<String>,
    /// COUNTER: the start proposed.
    pub proposed_start: Option<DateTime<Utc>>,
}

mod partstat {
    use super::Partstat;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(a: &Option<Partstat>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(a.map_or("none", |a| a.as_str()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Partstat>, D::Error> {
        let text = String::deserialize(d)?;
        Ok(Partstat::parse(&text).filter(|a| *a != Partstat::None))
    }
}

/// Calendars nested deeper than this (BEGIN inside BEGIN) are refused before parsing.
const MAX_COMPONENT_DEPTH: usize = 8;

/// The first calendar answer among the message's own parts (not in attached messages);
/// `Err` when a calendar is there but cannot be read.
pub fn find(message: &Message<'_>) -> Result<Option<Answer>, String> {
    let mut problem = None;
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let ics_name = part
            .attachment_name()
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".ics"));
        let calendar_type = matches!(
            (
                ct.ctype().to_ascii_lowercase().as_str(),
                ct.subtype().map(str::to_ascii_lowercase).as_deref()
            ),
            ("text", Some("calendar")) | ("application", Some("ics"))
        );
        if !(calendar_type || ics_name) {
            continue;
        }
        let Some(text) = super::text_of(part) else {
            continue;
        };
        match read(&text, ct.attribute("method")) {
            Ok(Some(answer)) => return Ok(Some(answer)),
            Ok(None) => {}
            Err(e) => problem = Some(e),
        }
    }
    problem.map_or(Ok(None), Err)
}

/// Reads one calendar; `Ok(None)` when it is not a REPLY or COUNTER.
pub fn read(text: &str, mime_method: Option<&str>) -> Result<Option<Answer>, String> {
    let unfolded = unfold(text);
    check_nesting(&unfolded)?;
    let calendar =
        read_calendar(&unfolded).map_err(|_| "the calendar could not be read".to_string())?;
    let method = calendar
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case("METHOD"))
        .map(|p| p.val.as_str().trim().to_string())
        .or_else(|| mime_method.map(str::to_string))
        .unwrap_or_default();
    let method = match method.to_ascii_uppercase().as_str() {
        "REPLY" => Method::Reply,
        "COUNTER" => Method::Counter,
        _ => return Ok(None),
    };
    let event = calendar
        .components
        .iter()
        .find(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
        .ok_or("the calendar answer has no VEVENT")?;
    let uid = value(event, "UID").ok_or("the calendar answer has no UID")?;
    let sequence = match value(event, "SEQUENCE") {
        None => 0,
        Some(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("SEQUENCE {s:?} is not a number"))?,
    };
    let attendee = event
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case("ATTENDEE"))
        .ok_or("the calendar answer names no ATTENDEE")?;
    let answer = match method {
        Method::Reply => param(attendee, "PARTSTAT").and_then(|p| Partstat::from_partstat(&p)),
        Method::Counter => None,
    };
    let comment = value(event, "COMMENT")
        .map(|c| unescape(&c))
        .or_else(|| param(attendee, "X-RESPONSE-COMMENT"))
        .filter(|c| !c.trim().is_empty());
    let delegated_to = param(attendee, "DELEGATED-TO")
        .map(|v| {
            v.split(',')
                .map(address)
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let stamp = event
        .find_prop("DTSTAMP")
        .and_then(|p| instant(p.val.as_str(), None));
    let proposed_start = match method {
        Method::Counter => event
            .properties
            .iter()
            .find(|p| p.name.as_str().eq_ignore_ascii_case("DTSTART"))
            .and_then(|p| instant(p.val.as_str(), param(p, "TZID").as_deref())),
        Method::Reply => None,
    };
    Ok(Some(Answer {
        method,
        uid: uid.trim().to_string(),
        sequence,
        stamp,
        attendee: address(attendee.val.as_str()),
        answer,
        delegated_to,
        comment,
        proposed_start,
    }))
}

fn check_nesting(text: &str) -> Result<(), String> {
    let mut depth = 0usize;
    for line in text.lines() {
        let upper = line
            .trim_start()
            .get(..6)
            .unwrap_or("")
            .to_ascii_uppercase();
        if upper == "BEGIN:" {
            depth += 1;
            if depth > MAX_COMPONENT_DEPTH {
                return Err("the calendar's components are nested too deep".into());
            }
        } else if upper.starts_with("END:") {
            depth = depth.saturating_sub(1);
        }
    }
    Ok(())
}

fn value(c: &Component<'_>, name: &str) -> Option<String> {
    c.properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
        .map(|p| p.val.as_str().to_string())
}

fn param(p: &Property<'_>, name: &str) -> Option<String> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(name))
        .and_then(|x| x.val.as_ref())
        .map(|v| v.as_str().trim().trim_matches('"').to_string())
}

/// `mailto:Name@Example.org` (or `"mailto:..."`) as `name@example.org`.
fn address(value: &str) -> String {
    let v = value.trim().trim_matches('"').trim();
    let v = if v.len() >= 7 && v[..7].eq_ignore_ascii_case("mailto:") {
        &v[7..]
    } else {
        v
    };
    v.trim().to_lowercase()
}

fn unescape(text: &str) -> String {
    text.replace("\\n", "\n")
        .replace("\\N", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

/// `20300924T070000Z`, or a local time in `tzid`, as UTC.
fn instant(value: &str, tzid: Option<&str>) -> Option<DateTime<Utc>> {
    let v = value.trim();
    if let Some(utc) = v.strip_suffix('Z').or_else(|| v.strip_suffix('z')) {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(Utc.from_utc_datetime(&t));
    }
    let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()?;
    let tz: chrono_tz::Tz = tzid?.trim().parse().ok()?;
    tz.from_local_datetime(&t)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
