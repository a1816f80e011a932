//! Who attended which session, from three sources that may disagree: the personal join
//! link, the meeting platform's report, and the organizer's correction (which wins).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::{RegistrationId, SessionId};
use crate::domain::webinar::{Session, SessionStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    JoinLink,
    Import,
    Manual,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JoinLink => "join_link",
            Self::Import => "import",
            Self::Manual => "manual",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "join_link" => Some(Self::JoinLink),
            "import" => Some(Self::Import),
            "manual" => Some(Self::Manual),
            _ => None,
        }
    }
}

/// What one source says of one registrant in one session.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub registration_id: RegistrationId,
    /// The session the person actually joined (not necessarily the one registered for).
    pub session_id: SessionId,
    pub source: Source,
    /// False only for a manual correction that marks someone absent.
    pub attended: bool,
    pub joined_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
    pub minutes: Option<u32>,
}

/// The attendance that counts for one session: the record of the strongest source.
#[derive(Debug, Clone, PartialEq)]
pub struct Presence {
    pub session_id: SessionId,
    pub source: Source,
    pub attended: bool,
    pub joined_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
    /// Minutes from the strongest source that knows them (the join link does not).
    pub minutes: Option<u32>,
}

/// Per session, the strongest source's record (manual, then import, then join link);
/// minutes and times a weaker source knows fill what the stronger one leaves open.
/// Sessions are in the order they first appear.
pub fn effective<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<Presence> {
    let mut by_session: Vec<(SessionId, Vec<&Record>)> = Vec::new();
    for r in records {
        match by_session.iter_mut().find(|(s, _)| *s == r.session_id) {
            Some((_, list)) => list.push(r),
            None => by_session.push((r.session_id, vec![r])),
        }
    }
    by_session
        .into_iter()
        .map(|(session_id, mut list)| {
            list.sort_by_key(|r| std::cmp::Reverse(r.source));
            let top = list[0];
            let known = |f: fn(&Record) -> Option<DateTime<Utc>>| {
                list.iter().filter(|r| r.attended).find_map(|r| f(r))
            };
            Presence {
                session_id,
                source: top.source,
                attended: top.attended,
                joined_at: top.joined_at.or_else(|| known(|r| r.joined_at)),
                left_at: top.left_at.or_else(|| known(|r| r.left_at)),
                minutes: if top.attended {
                    top.minutes
                        .or_else(|| list.iter().filter(|r| r.attended).find_map(|r| r.minutes))
                } else {
                    None
                },
            }
        })
        .collect()
}

/// The sessions a person attended, as they count (see [`effective`]).
pub fn attended<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<Presence> {
    effective(records)
        .into_iter()
        .filter(|p| p.attended)
        .collect()
}

/// What counts for each registration, from all records of a webinar.
pub fn per_registration(records: &[Record]) -> HashMap<RegistrationId, Vec<Presence>> {
    let mut by: HashMap<RegistrationId, Vec<&Record>> = HashMap::new();
    for r in records {
        by.entry(r.registration_id).or_default().push(r);
    }
    by.into_iter()
        .map(|(id, records)| (id, effective(records)))
        .collect()
}

/// The registrations that attended a session, with the sessions they attended.
pub fn attended_by(records: &[Record]) -> HashMap<RegistrationId, Vec<Presence>> {
    per_registration(records)
        .into_iter()
        .map(|(id, presence)| (id, presence.into_iter().filter(|p| p.attended).collect()))
        .filter(|(_, presence): &(_, Vec<Presence>)| !presence.is_empty())
        .collect()
}

/// How early the personal join link opens before a session starts.
pub const JOIN_OPENS_BEFORE: Duration = Duration::minutes(30);
/// How long after a session's scheduled end the join link still lets people in.
pub const JOIN_CLOSES_AFTER: Duration = Duration::minutes(60);

/// What the personal join link does at `now`.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinWindow {
    NotOpenYet { opens_at: DateTime<Utc> },
    Open,
    Ended,
    Cancelled,
}

pub fn join_window(session: &Session, now: DateTime<Utc>) -> JoinWindow {
    if session.status == SessionStatus::Cancelled {
        JoinWindow::Cancelled
    } else if now < session.starts_at - JOIN_OPENS_BEFORE {
        JoinWindow::NotOpenYet {
            opens_at: session.starts_at - JOIN_OPENS_BEFORE,
        }
    } else if now > session.ends_at() + JOIN_CLOSES_AFTER {
        JoinWindow::Ended
    } else {
        JoinWindow::Open
    }
}

/// The most minutes anyone can have spent in `session`: from the join link opening to its
/// closing. A report's figure above it (Zoom's per-person total adds up two devices at
/// once: 316 minutes of a 146-minute meeting in a real export) counts as this.
pub fn max_minutes(session: &Session) -> u32 {
    let window = (JOIN_OPENS_BEFORE + JOIN_CLOSES_AFTER).num_minutes() as u32;
    session.duration_minutes.saturating_add(window)
}

/// No meeting lasts a week: a figure beyond it is a broken cell, not devices added up.
pub const IMPOSSIBLE_MINUTES: u32 = 7 * 24 * 60;

/// A report row claims more minutes than any meeting lasts (see [`IMPOSSIBLE_MINUTES`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpossibleMinutes {
    pub line: usize,
    pub minutes: u32,
}

impl std::fmt::Display for ImpossibleMinutes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: {} minutes is more than a week, longer than any meeting; check the \
             row or export the report again",
            self.line, self.minutes
        )
    }
}

/// A registrant as the report import sees them.
#[derive(Debug, Clone)]
pub struct Person<'a> {
    pub id: RegistrationId,
    pub name: &'a str,
    pub email_key: &'a str,
}

/// One person's attendance merged from the report's rows (people drop out and rejoin).
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub registration_id: RegistrationId,
    pub joined_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
    pub minutes: u32,
}

/// What a report row's times mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// One stay: in from the join to the leave (or for the row's minutes after the join).
    Stay,
    /// A per-person summary: first join and last leave with gaps between; the minutes
    /// are the time actually in.
    Summary,
    /// Joined and never seen leaving: in until the session's end.
    Open,
}

/// A report row as the import matches it, with its times already in UTC.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub email: Option<String>,
    pub joined_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
    pub minutes: u32,
    pub span: Span,
    /// Which meeting of the report the row is of, where it holds several.
    pub meeting: Option<u32>,
}

/// Who a report row is, as a link remembers it: its normalised name and lower-cased
/// e-mail address ('' when it has none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowKey {
    pub name: String,
    pub email: String,
}

impl RowKey {
    pub fn of(name: &str, email: Option<&str>, normalise_name: impl Fn(&str) -> String) -> Self {
        RowKey {
            name: normalise_name(name),
            email: email.map(|e| e.trim().to_lowercase()).unwrap_or_default(),
        }
    }
}

/// The session a report is imported into, as the merge needs it.
#[derive(Debug, Clone, Copy)]
pub struct ReportWindow {
    /// When the join link opens: in a report of this session (some row within the
    /// window), a stay that ended before (a viewer trying the link days ahead, as a real
    /// live-event report shows) is not attendance of it. A report none of whose rows fall
    /// in the window has its times elsewhere (another zone, a session moved since): its
    /// rows are all kept.
    pub opens_at: DateTime<Utc>,
    /// Where an open stay ends.
    pub ends_at: DateTime<Utc>,
    /// When the join link closes: a stay that began after it is not attendance either.
    pub closes_at: DateTime<Utc>,
    /// See [`max_minutes`].
    pub max_minutes: u32,
}

impl ReportWindow {
    pub fn of(session: &Session) -> Self {
        ReportWindow {
            opens_at: session.starts_at - JOIN_OPENS_BEFORE,
            ends_at: session.ends_at(),
            closes_at: session.ends_at() + JOIN_CLOSES_AFTER,
            max_minutes: max_minutes(session),
        }
    }

    /// Whether a row's times lie wholly outside the window (see [`ReportWindow::opens_at`]).
    fn outside(&self, joined_at: Option<DateTime<Utc>>, ended_at: Option<DateTime<Utc>>) -> bool {
        ended_at.is_some_and(|e| e < self.opens_at) || joined_at.is_some_and(|j| j > self.closes_at)
    }
}

/// The rows of the session's own meeting, where a report holds several (a Zoom usage
/// report lists every meeting of an account over a period, each with its participants):
/// the meeting whose stays overlap the join window longest. `None` when the report holds
/// several meetings and none of them overlaps the window. A report of one meeting (or of
/// no stated meeting) is kept whole.
pub fn rows_of_session(rows: Vec<Row>, meetings: usize, window: ReportWindow) -> Option<Vec<Row>> {
    if meetings <= 1 {
        return Some(rows);
    }
    let mut overlap = vec![0i64; meetings];
    for row in &rows {
        let (Some(meeting), Some(joined)) = (row.meeting, row.joined_at) else {
            continue;
        };
        let left = row
            .left_at
            .unwrap_or(joined + Duration::minutes(i64::from(row.minutes)));
        let seconds = (left.min(window.closes_at) - joined.max(window.opens_at)).num_seconds();
        if let Some(total) = overlap.get_mut(meeting as usize) {
            *total += seconds.max(0);
        }
    }
    let (best, &seconds) = overlap.iter().enumerate().max_by_key(|(_, s)| **s)?;
    (seconds > 0).then(|| {
        rows.into_iter()
            .filter(|r| r.meeting == Some(best as u32))
            .collect()
    })
}

/// Matches rows to people by email (case-insensitively), then by a link the organizers
/// made for that row, then by name when exactly one person has it; merges each person's
/// rows into their presence. Returns the merged attendances (one per person, in the
/// order first seen) and the rows that matched nobody, or the first row claiming more
/// than [`IMPOSSIBLE_MINUTES`].
///
/// Presence is the union of a person's stays, so two devices at once count once; rows
/// without times (or per-person summaries) add their minutes; when the report has rows
/// in the join window, its rows wholly outside it (days before, days after) are not
/// presence; the total is capped at `max_minutes`. `joined_at` is the first join, `left_at` the last leave (an open stay
/// leaves at the session's end).
pub fn match_rows(
    people: &[Person<'_>],
    rows: &[Row],
    links: &HashMap<RowKey, RegistrationId>,
    window: ReportWindow,
    normalise_name: impl Fn(&str) -> String,
) -> Result<(Vec<Merged>, Vec<Row>), ImpossibleMinutes> {
    let mut by_email = HashMap::new();
    let mut by_name: HashMap<String, Option<RegistrationId>> = HashMap::new();
    for p in people {
        by_email.insert(p.email_key.to_string(), p.id);
        by_name
            .entry(normalise_name(p.name))
            .and_modify(|id| *id = None)
            .or_insert(Some(p.id));
    }
    let mut found: Vec<(RegistrationId, Vec<&Row>)> = Vec::new();
    // Where each person's entry is in `found`, so that grouping stays linear.
    let mut index: HashMap<RegistrationId, usize> = HashMap::new();
    let mut unmatched = Vec::new();
    for row in rows {
        if row.minutes > IMPOSSIBLE_MINUTES {
            return Err(ImpossibleMinutes {
                line: row.line,
                minutes: row.minutes,
            });
        }
        let id = row
            .email
            .as_deref()
            .and_then(|e| by_email.get(&e.trim().to_lowercase()).copied())
            .or_else(|| {
                (!links.is_empty())
                    .then(|| {
                        let key = RowKey::of(&row.name, row.email.as_deref(), &normalise_name);
                        links.get(&key).copied()
                    })
                    .flatten()
            })
            .or_else(|| by_name.get(&normalise_name(&row.name)).copied().flatten());
        let Some(id) = id else {
            unmatched.push(row.clone());
            continue;
        };
        match index.get(&id) {
            Some(&i) => found[i].1.push(row),
            None => {
                index.insert(id, found.len());
                found.push((id, vec![row]));
            }
        }
    }
    let bounded = rows
        .iter()
        .any(|r| r.joined_at.is_some() && !window.outside(r.joined_at, r.left_at.or(r.joined_at)));
    let merged = found
        .into_iter()
        .map(|(id, rows)| presence(id, &rows, window, bounded))
        .collect();
    Ok((merged, unmatched))
}

/// One person's presence from their rows (see [`match_rows`]).
fn presence(id: RegistrationId, rows: &[&Row], window: ReportWindow, bounded: bool) -> Merged {
    let mut stays: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    let mut loose_minutes: u64 = 0;
    let mut joined_at = None;
    let mut left_at = None;
    for row in rows {
        let stay_end = match (row.span, row.joined_at, row.left_at) {
            (Span::Open, Some(j), _) => Some(window.ends_at.max(j)),
            (Span::Stay, Some(_), Some(l)) => Some(l),
            // A summary without a gap is a stay (Teams lists a second device as its own
            // row): then it can overlap the person's other rows.
            (Span::Summary, Some(j), Some(l))
                if ((l - j).num_seconds() - i64::from(row.minutes) * 60).abs() <= 60 =>
            {
                Some(l)
            }
            (Span::Stay, Some(j), None) if row.minutes > 0 => {
                Some(j + Duration::minutes(i64::from(row.minutes)))
            }
            _ => None,
        };
        if bounded && window.outside(row.joined_at, stay_end.or(row.left_at)) {
            continue;
        }
        match (row.joined_at, stay_end) {
            (Some(j), Some(end)) => {
                stays.push((j, end.max(j)));
                left_at = latest(left_at, Some(end));
            }
            _ => {
                loose_minutes += u64::from(row.minutes);
                left_at = latest(left_at, row.left_at);
            }
        }
        joined_at = earliest(joined_at, row.joined_at);
    }
    stays.sort_unstable();
    let mut seconds: i64 = 0;
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (start, end) in stays {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                seconds += (e - s).num_seconds();
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        seconds += (e - s).num_seconds();
    }
    let stayed = match seconds {
        0 => 0,
        // Nearest minute, at least one for any time in.
        s => ((s.unsigned_abs() + 30) / 60).max(1),
    };
    let minutes = stayed
        .saturating_add(loose_minutes)
        .min(u64::from(window.max_minutes)) as u32;
    Merged {
        registration_id: id,
        joined_at,
        left_at,
        minutes,
    }
}

fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn latest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Neutralises a spreadsheet cell: text starting with `=`, `+`, `-`, `@`, tab or carriage
/// return gets a leading apostrophe, so no spreadsheet reads it as a formula.
pub fn safe_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, h, m, 0).unwrap()
    }

    fn record(session: SessionId, source: Source, attended: bool, minutes: Option<u32>) -> Record {
        Record {
            registration_id: RegistrationId(uuid::Uuid::nil()),
            session_id: session,
            source,
            attended,
            joined_at: None,
            left_at: None,
            minutes,
        }
    }

    #[test]
    fn the_strongest_source_wins_per_session() {
        let am = SessionId::new();
        let pm = SessionId::new();
        let mut join = record(am, Source::JoinLink, true, None);
        join.joined_at = Some(at(7, 2));
        let records = [
            join,
            record(am, Source::Import, true, Some(55)),
            record(pm, Source::Import, true, Some(10)),
            record(pm, Source::Manual, false, None),
        ];
        let presence = effective(&records);
        assert_eq!(presence.len(), 2);
        assert_eq!(presence[0].session_id, am);
        assert_eq!(presence[0].source, Source::Import);
        assert!(presence[0].attended);
        assert_eq!(presence[0].minutes, Some(55));
        assert_eq!(
            presence[0].joined_at,
            Some(at(7, 2)),
            "filled from the join link"
        );
        assert_eq!(presence[1].source, Source::Manual);
        assert!(!presence[1].attended, "marked absent by hand");
        assert_eq!(presence[1].minutes, None);
    }

    #[test]
    fn a_manual_mark_without_minutes_keeps_the_imported_minutes() {
        let am = SessionId::new();
        let records = [
            record(am, Source::Manual, true, None),
            record(am, Source::Import, true, Some(42)),
        ];
        let presence = effective(&records);
        assert_eq!(presence[0].source, Source::Manual);
        assert_eq!(presence[0].minutes, Some(42));
    }

    fn session(starts_at: DateTime<Utc>, status: SessionStatus) -> Session {
        Session {
            id: SessionId::new(),
            webinar_id: crate::domain::WebinarId::new(),
            label: "AM".into(),
            starts_at,
            duration_minutes: 90,
            capacity: None,
            taken: 0,
            join_url: None,
            status,
        }
    }

    #[test]
    fn the_join_link_opens_half_an_hour_before_and_closes_an_hour_after() {
        let s = session(at(7, 0), SessionStatus::Scheduled);
        assert_eq!(
            join_window(&s, at(6, 29)),
            JoinWindow::NotOpenYet {
                opens_at: at(6, 30)
            }
        );
        assert_eq!(join_window(&s, at(6, 30)), JoinWindow::Open);
        assert_eq!(join_window(&s, at(9, 30)), JoinWindow::Open);
        assert_eq!(join_window(&s, at(9, 31)), JoinWindow::Ended);
        let c = session(at(7, 0), SessionStatus::Cancelled);
        assert_eq!(join_window(&c, at(7, 0)), JoinWindow::Cancelled);
    }

    fn normalise(name: &str) -> String {
        name.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    fn row(line: usize, name: &str, email: Option<&str>, minutes: u32) -> Row {
        Row {
            meeting: None,
            line,
            name: name.into(),
            email: email.map(Into::into),
            joined_at: None,
            left_at: None,
            minutes,
            span: Span::Stay,
        }
    }

    fn stay(line: usize, name: &str, from: (u32, u32), to: (u32, u32)) -> Row {
        Row {
            meeting: None,
            line,
            name: name.into(),
            email: None,
            joined_at: Some(at(from.0, from.1)),
            left_at: Some(at(to.0, to.1)),
            minutes: ((to.0 * 60 + to.1) - (from.0 * 60 + from.1)),
            span: Span::Stay,
        }
    }

    fn window(max_minutes: u32) -> ReportWindow {
        ReportWindow {
            opens_at: at(6, 30),
            ends_at: at(9, 0),
            closes_at: at(10, 0),
            max_minutes,
        }
    }

    #[test]
    fn rows_match_by_email_then_by_unique_name_and_merge_per_person() {
        let (a, b, c, d) = (
            RegistrationId::new(),
            RegistrationId::new(),
            RegistrationId::new(),
            RegistrationId::new(),
        );
        let people = [
            Person {
                id: a,
                name: "Amina Diallo",
                email_key: "amina@example.org",
            },
            Person {
                id: b,
                name: "Marie Dubois",
                email_key: "marie@example.fr",
            },
            Person {
                id: c,
                name: "Li Wei",
                email_key: "li1@example.cn",
            },
            Person {
                id: d,
                name: "Li  Wei",
                email_key: "li2@example.cn",
            },
        ];
        let rows = [
            row(1, "A. Diallo", Some("Amina@Example.ORG"), 20),
            row(2, "Amina Diallo", Some("amina@example.org"), 30),
            row(3, "marie   dubois", None, 45),
            row(4, "Li Wei", None, 60),
            row(5, "Stranger", Some("stranger@example.net"), 5),
        ];
        let (merged, unmatched) =
            match_rows(&people, &rows, &HashMap::new(), window(150), normalise).unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].registration_id, a);
        assert_eq!(merged[0].minutes, 50);
        assert_eq!(merged[1].registration_id, b);
        let lines: Vec<_> = unmatched.iter().map(|r| r.line).collect();
        assert_eq!(lines, [4, 5], "an ambiguous name matches nobody");
    }

    #[test]
    fn minutes_beyond_the_session_are_capped() {
        let a = RegistrationId::new();
        let people = [Person {
            id: a,
            name: "Amina Diallo",
            email_key: "amina@example.org",
        }];
        // One figure beyond the session (a per-person total of two devices) counts as
        // the most anyone can have attended; it refuses nothing.
        let too_long = [
            row(1, "Amina Diallo", None, 151),
            row(2, "Stranger", None, 10),
        ];
        let (merged, unmatched) =
            match_rows(&people, &too_long, &HashMap::new(), window(150), normalise).unwrap();
        assert_eq!(merged[0].minutes, 150);
        assert_eq!(unmatched.len(), 1);
        // More than a week is a broken cell: refused, naming its line.
        let broken = [
            row(1, "Amina Diallo", None, 10),
            row(2, "Stranger", None, 10_081),
        ];
        let e = match_rows(&people, &broken, &HashMap::new(), window(150), normalise).unwrap_err();
        assert_eq!((e.line, e.minutes), (2, 10_081));
        assert!(
            e.to_string()
                .starts_with("line 2: 10081 minutes is more than a week"),
            "{e}"
        );

        let two_devices = [
            row(1, "Amina Diallo", None, 150),
            row(2, "Amina Diallo", None, 150),
        ];
        let (merged, _) = match_rows(
            &people,
            &two_devices,
            &HashMap::new(),
            window(150),
            normalise,
        )
        .unwrap();
        assert_eq!(merged[0].minutes, 150);
    }

    /// Two devices at once count once; a gap counts nothing; an open stay runs to the
    /// session's end; a summary row adds its minutes.
    #[test]
    fn presence_is_the_union_of_stays() {
        let a = RegistrationId::new();
        let people = [Person {
            id: a,
            name: "Amina Diallo",
            email_key: "amina@example.org",
        }];
        let rows = [
            stay(1, "Amina Diallo", (7, 0), (7, 40)),
            stay(2, "Amina Diallo", (7, 10), (7, 30)),
            stay(3, "Amina Diallo", (7, 35), (7, 50)),
            stay(4, "Amina Diallo", (8, 0), (8, 10)),
        ];
        let (merged, _) =
            match_rows(&people, &rows, &HashMap::new(), window(150), normalise).unwrap();
        // 07:00-07:50 and 08:00-08:10.
        assert_eq!(merged[0].minutes, 60);
        assert_eq!(merged[0].joined_at, Some(at(7, 0)));
        assert_eq!(merged[0].left_at, Some(at(8, 10)));

        let mut open = stay(5, "Amina Diallo", (8, 30), (8, 30));
        open.left_at = None;
        open.span = Span::Open;
        let rows = [stay(1, "Amina Diallo", (8, 0), (8, 40)), open];
        let (merged, _) =
            match_rows(&people, &rows, &HashMap::new(), window(150), normalise).unwrap();
        // 08:00 to the end at 09:00.
        assert_eq!(merged[0].minutes, 60);
        assert_eq!(merged[0].left_at, Some(at(9, 0)));

        // A summary row with gaps (25 minutes between 07:00 and 08:00) adds its minutes.
        let mut summary = stay(1, "Amina Diallo", (7, 0), (8, 0));
        summary.minutes = 25;
        summary.span = Span::Summary;
        let (merged, _) =
            match_rows(&people, &[summary], &HashMap::new(), window(150), normalise).unwrap();
        assert_eq!(merged[0].minutes, 25);
        assert_eq!(merged[0].left_at, Some(at(8, 0)));

        // Trying the link before the join window opens (06:30), or coming back after it
        // closes (10:00), is not presence of this session.
        let rows = [
            stay(1, "Amina Diallo", (5, 0), (5, 10)),
            stay(2, "Amina Diallo", (7, 0), (7, 20)),
            stay(3, "Amina Diallo", (10, 30), (10, 40)),
        ];
        let (merged, _) =
            match_rows(&people, &rows, &HashMap::new(), window(150), normalise).unwrap();
        assert_eq!(merged[0].minutes, 20);
        assert_eq!(merged[0].joined_at, Some(at(7, 0)));
        assert_eq!(merged[0].left_at, Some(at(7, 20)));
        // A report with nothing in the window has its times elsewhere: all of it counts.
        let rows = [
            stay(1, "Amina Diallo", (5, 0), (5, 10)),
            stay(3, "Amina Diallo", (10, 30), (10, 40)),
        ];
        let (merged, _) =
            match_rows(&people, &rows, &HashMap::new(), window(150), normalise).unwrap();
        assert_eq!(merged[0].minutes, 20);
        assert_eq!(merged[0].joined_at, Some(at(5, 0)));
    }

    #[test]
    fn max_minutes_is_the_session_and_its_join_window() {
        let s = session(at(7, 0), SessionStatus::Scheduled);
        assert_eq!(max_minutes(&s), s.duration_minutes + 90);
    }

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe_cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(safe_cell("UNHCR"), "UNHCR");
        assert_eq!(safe_cell(""), "");
    }

    #[test]
    fn of_several_meetings_the_one_at_the_sessions_time_is_kept() {
        // The window is 06:30-10:00 (a 09:00 end and an hour after).
        let w = window(150);
        let in_meeting = |m, line, from, to| Row {
            meeting: Some(m),
            ..stay(line, "Amina Diallo", from, to)
        };
        // Meeting 0 ends at 07:00, inside the window: 30 minutes of it; meeting 1 runs
        // 07:00-09:00: two hours.
        let rows = vec![
            in_meeting(0, 2, (5, 0), (7, 0)),
            in_meeting(1, 3, (7, 0), (9, 0)),
            in_meeting(0, 4, (6, 0), (7, 0)),
        ];
        let kept = rows_of_session(rows.clone(), 2, w).unwrap();
        assert_eq!(kept.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3]);
        // One meeting, or none stated: all rows, whatever their times.
        assert_eq!(rows_of_session(rows.clone(), 1, w).unwrap().len(), 3);
        // Several, none in the window: none to take.
        let early = vec![
            in_meeting(0, 2, (1, 0), (2, 0)),
            in_meeting(1, 3, (3, 0), (4, 0)),
        ];
        assert!(rows_of_session(early, 2, w).is_none());
    }
}
