//! Attendance: the personal join link, the meeting platform's report, and the
//! organizer's corrections.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone as _, Utc};
use serde::Serialize;

use super::registrations;
use crate::context::{Context, Work};
use crate::db;
use crate::domain::attendance::{self, JoinWindow, Person, Presence, Record, RowKey, Source};
use crate::domain::member::Access;
use crate::domain::registration::{Registration, RegistrationStatus};
use crate::domain::values::{EmailAddress, instant_in_range};
use crate::domain::webinar::{Session, Webinar};
use crate::domain::{RegistrationId, SessionId, TimeZone};
use crate::error::{AppError, AppResult};
use crate::reports;

/// Where the personal join link leads.
pub enum Join {
    /// Attendance recorded; on to the meeting.
    Meeting(String),
    /// Nothing recorded; a page says why, in the registrant's language.
    NotYet(DateTime<Utc>),
    NoMeetingLink,
    Ended,
    SessionCancelled,
    RegistrationCancelled,
    /// On a waiting list: the meeting opens to them once a seat comes to them.
    Waitlisted,
}

/// What a join link opens at `now`, with the registration, webinar and session it names;
/// the join is recorded when `record_join` (not for a link checker's look).
#[tracing::instrument(skip_all)]
pub async fn join(
    ctx: &Context,
    token: &str,
    now: DateTime<Utc>,
    record_join: bool,
) -> AppResult<(Join, Registration, Webinar, Session)> {
    let (registration, webinar) = registrations::by_join_token(ctx, token).await?;
    let mut conn = ctx.db.conn().await?;
    let session = db::sessions::find(conn.exec(), webinar.id, registration.session_id)
        .await?
        .ok_or_else(|| AppError::not_found("session"))?;
    drop(conn);
    let outcome = if registration.status == RegistrationStatus::Waitlisted {
        Join::Waitlisted
    } else if !registration.status.holds_seat() {
        Join::RegistrationCancelled
    } else {
        match attendance::join_window(&session, now) {
            JoinWindow::Cancelled => Join::SessionCancelled,
            JoinWindow::NotOpenYet { opens_at } => Join::NotYet(opens_at),
            JoinWindow::Ended => Join::Ended,
            JoinWindow::Open => match &session.join_url {
                None => Join::NoMeetingLink,
                Some(url) if !record_join => Join::Meeting(url.clone()),
                Some(url) => {
                    let record = Record {
                        registration_id: registration.id,
                        session_id: session.id,
                        source: Source::JoinLink,
                        attended: true,
                        joined_at: Some(now),
                        left_at: None,
                        minutes: None,
                    };
                    let mut tx = ctx.begin().await?;
                    db::attendance::save_first(tx.exec(), webinar.id, &record).await?;
                    tx.commit().await?;
                    Join::Meeting(url.clone())
                }
            },
        }
    };
    Ok((outcome, registration, webinar, session))
}

/// What the import found: people matched (not rows), and the rows that matched nobody.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// `zoom`, `teams`, `webex` or `meet`.
    pub format: &'static str,
    /// True: a preview (`?dry_run=true`); nothing was stored.
    pub dry_run: bool,
    /// Distinct registrations found in the report.
    pub matched: usize,
    /// Rows that matched no registration, to correct and import again or mark by hand.
    pub unmatched: Vec<UnmatchedRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnmatchedRow {
    pub line: usize,
    pub name: String,
    pub email: Option<String>,
    pub minutes: u32,
}

/// Reads a meeting platform's attendance report for `session` and records who attended;
/// it replaces what an earlier import said of that session, so importing the same file
/// twice changes nothing. Times in the report are read in `tz` (default the webinar's).
/// A `dry_run` answers the same outcome and stores nothing.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, session = %session_id))]
pub async fn import(
    ctx: &Context,
    webinar: &Access,
    session_id: SessionId,
    tz: Option<TimeZone>,
    dry_run: bool,
    file: impl AsRef<[u8]> + Send + 'static,
) -> AppResult<ImportOutcome> {
    let tz = tz.unwrap_or(webinar.time_zone);
    // The session's day where the report's times were written decides the date order.
    let mut conn = ctx.db.conn().await?;
    let day = db::sessions::find(conn.exec(), webinar.id, session_id)
        .await?
        .map(|s| s.starts_at.with_timezone(&tz.0).date_naive());
    drop(conn);
    let hints = reports::Hints { day };
    // Megabytes of CSV: read on a blocking thread, so other requests keep their workers.
    let (format, rows, meetings) =
        tokio::task::spawn_blocking(move || read_report(file.as_ref(), tz, hints))
            .await
            .map_err(|e| {
                AppError::Internal(anyhow::anyhow!("reading the report stopped: {e}"))
            })??;
    let mut tx = ctx.begin().await?;
    let session = session_of(&mut tx, webinar, session_id).await?;
    let registrations = db::registrations::list(tx.exec(), webinar.id, None).await?;
    let keys: Vec<String> = registrations.iter().map(|r| r.email.key()).collect();
    let people: Vec<Person<'_>> = registrations
        .iter()
        .zip(&keys)
        .map(|(r, key)| Person {
            id: r.id,
            name: &r.name,
            email_key: key,
        })
        .collect();
    let links = db::attendance::links(tx.exec(), webinar.id)
        .await?
        .into_iter()
        .collect();
    let window = attendance::ReportWindow::of(&session);
    let rows = attendance::rows_of_session(rows, meetings.len(), window)
        .ok_or_else(|| no_meeting_at(&session, tz, &meetings))?;
    let (merged, unmatched) =
        attendance::match_rows(&people, &rows, &links, window, reports::normalise_name)
            .map_err(|e| AppError::Unprocessable(format!("the attendance report: {e}")))?;
    if dry_run {
        // Dropped, not committed: the transaction rolls back and nothing is stored.
        drop(tx);
        return Ok(outcome(format, true, merged.len(), unmatched));
    }
    db::attendance::clear_imported(tx.exec(), session_id).await?;
    for m in &merged {
        let record = Record {
            registration_id: m.registration_id,
            session_id,
            source: Source::Import,
            attended: true,
            joined_at: m.joined_at,
            left_at: m.left_at,
            minutes: Some(m.minutes),
        };
        db::attendance::save(tx.exec(), webinar.id, &record).await?;
    }
    // Kept for the page, where a person links them one by one: a report that matches
    // almost nobody is the wrong file or the wrong webinar, not a thousand links to make.
    let kept: Vec<db::attendance::Unmatched> = unmatched
        .iter()
        .take(KEPT_UNMATCHED)
        .map(|r| db::attendance::Unmatched {
            session_id,
            line: r.line,
            name: r.name.clone(),
            email: r.email.clone(),
            minutes: r.minutes,
        })
        .collect();
    db::attendance::replace_unmatched(tx.exec(), webinar.id, session_id, &kept).await?;
    tx.audit(
        webinar,
        "attendance.imported",
        &format!(
            "imported a {} report for session {session_id}: {} matched, {} unmatched",
            format.as_str(),
            merged.len(),
            kept.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome(format, false, merged.len(), unmatched))
}

/// How many unmatched rows of an import the attendance page keeps listing.
pub const KEPT_UNMATCHED: usize = 1000;

fn outcome(
    format: reports::Format,
    dry_run: bool,
    matched: usize,
    unmatched: Vec<attendance::Row>,
) -> ImportOutcome {
    ImportOutcome {
        format: format.as_str(),
        dry_run,
        matched,
        unmatched: unmatched
            .into_iter()
            .map(|r| UnmatchedRow {
                line: r.line,
                name: r.name,
                email: r.email,
                minutes: r.minutes,
            })
            .collect(),
    }
}

/// Remembers that the report row named `name` (with `email`, if it had one) is the
/// registration with the address `registrant`: every later import of the webinar
/// matches that row to them.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn link(
    ctx: &Context,
    webinar: &Access,
    name: &str,
    email: Option<&str>,
    registrant: &EmailAddress,
) -> AppResult<Registration> {
    // A report row's name and address as written: longer ones are not from a report.
    const ROW_TEXT_MAX: usize = 1000;
    if name.chars().count() > ROW_TEXT_MAX
        || email.is_some_and(|e| e.chars().count() > ROW_TEXT_MAX)
    {
        return Err(AppError::BadRequest(format!(
            "the row's name and e-mail address may have at most {ROW_TEXT_MAX} characters each"
        )));
    }
    let key = RowKey::of(name, email, reports::normalise_name);
    if key.name.is_empty() && key.email.is_empty() {
        return Err(AppError::BadRequest(
            "give the row's name or e-mail address as the report writes it".into(),
        ));
    }
    let mut tx = ctx.begin().await?;
    let registration = db::registrations::find_by_email(tx.exec(), webinar.id, registrant)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no registration of this webinar has the address {}",
                registrant.as_str()
            ))
        })?;
    db::attendance::save_link(tx.exec(), webinar.id, &key, registration.id).await?;
    // The kept rows this link answers leave the list.
    for row in db::attendance::unmatched(tx.exec(), webinar.id).await? {
        if RowKey::of(&row.name, row.email.as_deref(), reports::normalise_name) == key {
            db::attendance::forget_unmatched(tx.exec(), row.session_id, row.line).await?;
        }
    }
    tx.audit(
        webinar,
        "attendance.linked",
        &format!("linked report row {name:?} to {}", registrant.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(registration)
}

/// The report's rows with their times in UTC.
/// The refusal of a report of several meetings none of which took place at the session's
/// time: which meetings it holds, and what to do.
fn no_meeting_at(session: &Session, tz: TimeZone, meetings: &[String]) -> AppError {
    const LISTED: usize = 10;
    let mut listed = meetings[..meetings.len().min(LISTED)].join("; ");
    if meetings.len() > LISTED {
        listed.push_str(&format!("; and {} more", meetings.len() - LISTED));
    }
    let at = |t: DateTime<Utc>| t.with_timezone(&tz.0).format("%Y-%m-%d %H:%M");
    AppError::Unprocessable(format!(
        "the attendance report holds {} meetings ({listed}) and none of them took place at \
         this session's time ({} to {}, {}): export the report of this session's meeting \
         alone, or give the time zone the report's times are written in (tz)",
        meetings.len(),
        at(session.starts_at),
        at(session.ends_at()),
        tz.0.name()
    ))
}

/// The report's rows with their times as instants, and the meetings it holds (where it
/// says: see [`reports::Report::meetings`]).
type ReadReport = (reports::Format, Vec<attendance::Row>, Vec<String>);

fn read_report(file: &[u8], tz: TimeZone, hints: reports::Hints) -> AppResult<ReadReport> {
    let report = reports::parse_with(file, hints)
        .map_err(|e| AppError::Unprocessable(format!("the attendance report: {e}")))?;
    // A live event's report writes UTC whatever the organizer's zone.
    let tz = if report.utc {
        TimeZone(chrono_tz::UTC)
    } else {
        tz
    };
    let rows = report
        .rows
        .into_iter()
        .map(|r| {
            let at = |what: &str, t: Option<NaiveDateTime>| {
                t.and_then(|t| in_zone(t, tz))
                    .map(|t| instant_in_range(what, t))
                    .transpose()
                    .map_err(|e| {
                        AppError::Unprocessable(format!(
                            "the attendance report: line {}: {e}",
                            r.line
                        ))
                    })
            };
            Ok(attendance::Row {
                joined_at: at("the join time", r.joined_at)?,
                left_at: at("the leave time", r.left_at)?,
                line: r.line,
                name: r.name,
                email: r.email,
                minutes: r.minutes,
                span: r.span,
                meeting: r.meeting,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok((report.format, rows, report.meetings))
}

/// A wall time of the report in `tz`; in a DST gap, the time after it.
fn in_zone(t: NaiveDateTime, tz: TimeZone) -> Option<DateTime<Utc>> {
    match tz.0.from_local_datetime(&t) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => {
            tz.0.from_local_datetime(&(t + chrono::Duration::hours(1)))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        }
    }
}

/// The organizer's correction for one person: what they say replaces every earlier
/// correction of theirs, and wins over the join link and the report.
#[derive(Debug, Clone)]
pub struct Mark {
    /// False: absent from every session, whatever the join link or the report say.
    pub attended: bool,
    /// The session attended; default the one registered for.
    pub session_id: Option<SessionId>,
    pub minutes: Option<u32>,
}

/// Records the organizer's correction; returns the person's attendance as it now counts.
#[tracing::instrument(skip_all, fields(registration = %id))]
pub async fn mark(
    ctx: &Context,
    webinar: &Access,
    id: RegistrationId,
    mark: Mark,
) -> AppResult<(Registration, Vec<Presence>)> {
    if let Some(minutes) = mark.minutes
        && minutes > Session::MAX_DURATION_MINUTES
    {
        return Err(AppError::BadRequest(format!(
            "minutes must be at most {} (a session lasts no longer), not {minutes}",
            Session::MAX_DURATION_MINUTES
        )));
    }
    let mut tx = ctx.begin().await?;
    let registration = registration_of(&mut tx, webinar, id).await?;
    db::attendance::clear_manual(tx.exec(), id).await?;
    let sessions: Vec<SessionId> = if mark.attended {
        let session_id = mark.session_id.unwrap_or(registration.session_id);
        session_of(&mut tx, webinar, session_id).await?;
        vec![session_id]
    } else {
        // Absent means absent from every session anything put them in.
        let mut sessions = vec![registration.session_id];
        for r in db::attendance::of_registration(tx.exec(), id).await? {
            if !sessions.contains(&r.session_id) {
                sessions.push(r.session_id);
            }
        }
        sessions
    };
    for session_id in sessions {
        let record = Record {
            registration_id: id,
            session_id,
            source: Source::Manual,
            attended: mark.attended,
            joined_at: None,
            left_at: None,
            minutes: mark.minutes.filter(|_| mark.attended),
        };
        db::attendance::save(tx.exec(), webinar.id, &record).await?;
    }
    let records = db::attendance::of_registration(tx.exec(), id).await?;
    tx.audit(
        webinar,
        "attendance.marked",
        &format!(
            "marked {} {}",
            registration.email.as_str(),
            if mark.attended { "present" } else { "absent" }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((registration, attendance::effective(&records)))
}

/// Removes the organizer's corrections, so the join link and the report count again.
#[tracing::instrument(skip_all, fields(registration = %id))]
pub async fn unmark(
    ctx: &Context,
    webinar: &Access,
    id: RegistrationId,
) -> AppResult<(Registration, Vec<Presence>)> {
    let mut tx = ctx.begin().await?;
    let registration = registration_of(&mut tx, webinar, id).await?;
    db::attendance::clear_manual(tx.exec(), id).await?;
    let records = db::attendance::of_registration(tx.exec(), id).await?;
    tx.audit(
        webinar,
        "attendance.unmarked",
        &format!("cleared the manual mark of {}", registration.email.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok((registration, attendance::effective(&records)))
}

/// A person's attendance as it counts now.
pub async fn of_registration(
    ctx: &Context,
    webinar: &Webinar,
    id: RegistrationId,
) -> AppResult<(Registration, Vec<Presence>)> {
    let mut conn = ctx.db.conn().await?;
    let registration = db::registrations::find(conn.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("registration"))?;
    let records = db::attendance::of_registration(conn.exec(), id).await?;
    Ok((registration, attendance::effective(&records)))
}

async fn registration_of(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    id: RegistrationId,
) -> AppResult<Registration> {
    db::registrations::find(tx.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("registration"))
}

async fn session_of(tx: &mut Work<'_>, webinar: &Webinar, id: SessionId) -> AppResult<Session> {
    db::sessions::find(tx.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("session {id} is not a session of this webinar")))
}
