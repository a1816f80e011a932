//! Attendance records (one per registration, session and source) and the participant
//! list, read as a stream so its memory does not grow with the number of people.

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use uuid::Uuid;

use super::{Exec, decode, on};
use crate::domain::attendance::{Record, Source};
use crate::domain::registration::RegistrationStatus;
use crate::domain::{RegistrationId, SessionId, WebinarId};

#[derive(sqlx::FromRow)]
struct Row {
    registration_id: Uuid,
    session_id: Uuid,
    source: String,
    attended: bool,
    joined_at: Option<DateTime<Utc>>,
    left_at: Option<DateTime<Utc>>,
    minutes: Option<i64>,
}

impl TryFrom<Row> for Record {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Record> {
        Ok(Record {
            registration_id: RegistrationId(r.registration_id),
            session_id: SessionId(r.session_id),
            source: decode("attendance source", &r.source, Source::parse)?,
            attended: r.attended,
            joined_at: r.joined_at,
            left_at: r.left_at,
            minutes: r.minutes.map(|m| m.clamp(0, i64::from(u32::MAX)) as u32),
        })
    }
}

const COLUMNS: &str = "registration_id, session_id, source, attended, joined_at, left_at, minutes";

const UPSERT: &str = "INSERT INTO attendance (registration_id, session_id, source, webinar_id, \
    attended, joined_at, left_at, minutes, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
    ON CONFLICT (registration_id, session_id, source) ";

/// Stores `r`, replacing what the same source said of the same person and session.
pub async fn save(ex: Exec<'_>, webinar: WebinarId, r: &Record) -> anyhow::Result<()> {
    write(
        ex,
        webinar,
        r,
        "DO UPDATE SET attended = excluded.attended, joined_at = excluded.joined_at, \
         left_at = excluded.left_at, minutes = excluded.minutes, updated_at = excluded.updated_at",
    )
    .await
    .map(|_| ())
}

/// Stores `r` unless that source already has a record for that person and session (the
/// first use of the join link is when the person joined); true when stored.
pub async fn save_first(ex: Exec<'_>, webinar: WebinarId, r: &Record) -> anyhow::Result<bool> {
    write(ex, webinar, r, "DO NOTHING").await
}

async fn write(
    ex: Exec<'_>,
    webinar: WebinarId,
    r: &Record,
    on_conflict: &str,
) -> anyhow::Result<bool> {
    let sql = format!("{UPSERT}{on_conflict}");
    let stored = on!(ex, c => sqlx::query(&sql)
        .bind(r.registration_id.0)
        .bind(r.session_id.0)
        .bind(r.source.as_str())
        .bind(webinar.0)
        .bind(r.attended)
        .bind(r.joined_at)
        .bind(r.left_at)
        .bind(r.minutes.map(i64::from))
        .bind(Utc::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("recording attendance")?;
    Ok(stored == 1)
}

/// Forgets every imported record of `session`, before a report is imported again.
pub async fn clear_imported(ex: Exec<'_>, session: SessionId) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM attendance WHERE session_id = $1 AND source = 'import'")
        .bind(session.0)
        .execute(c)
        .await
        .map(|_| ()))
    .context("clearing imported attendance")?;
    Ok(())
}

/// Removes the organizer's corrections for one person; true if there were any.
pub async fn clear_manual(ex: Exec<'_>, registration: RegistrationId) -> anyhow::Result<bool> {
    let removed = on!(ex, c => sqlx::query(
        "DELETE FROM attendance WHERE registration_id = $1 AND source = 'manual'")
        .bind(registration.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("clearing a manual attendance mark")?;
    Ok(removed > 0)
}

/// Every record of the webinar.
pub async fn list(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Record>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attendance WHERE webinar_id = $1 \
         ORDER BY registration_id, session_id, source"
    );
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(webinar.0).fetch_all(c).await)
        .context("listing attendance")?;
    rows.into_iter().map(Record::try_from).collect()
}

/// The records of one registration.
pub async fn of_registration(
    ex: Exec<'_>,
    registration: RegistrationId,
) -> anyhow::Result<Vec<Record>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attendance WHERE registration_id = $1 ORDER BY session_id, source"
    );
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(registration.0).fetch_all(c).await)
        .context("reading a registration's attendance")?;
    rows.into_iter().map(Record::try_from).collect()
}

/// A person of the participant list, as stored.
#[derive(Debug, sqlx::FromRow)]
struct RawParticipant {
    id: Uuid,
    name: String,
    email: String,
    organization: Option<String>,
    role: Option<String>,
    country: Option<String>,
    status: String,
    session_id: Uuid,
    share_in_participant_list: bool,
}

/// A person of the participant list.
#[derive(Debug)]
pub struct ParticipantRow {
    pub registration_id: RegistrationId,
    pub name: String,
    pub email: String,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub country: Option<String>,
    pub status: RegistrationStatus,
    pub session_id: SessionId,
    pub share_in_participant_list: bool,
}

impl TryFrom<RawParticipant> for ParticipantRow {
    type Error = anyhow::Error;

    fn try_from(r: RawParticipant) -> anyhow::Result<ParticipantRow> {
        Ok(ParticipantRow {
            registration_id: RegistrationId(r.id),
            name: r.name,
            email: r.email,
            organization: r.organization,
            role: r.role,
            country: r.country,
            status: decode("registration status", &r.status, RegistrationStatus::parse)?,
            session_id: SessionId(r.session_id),
            share_in_participant_list: r.share_in_participant_list,
        })
    }
}

/// The list's order: by organization (those without one last), then by name. Both
/// queries below use it, so their rows can be merged as they stream.
macro_rules! list_order {
    () => {
        " ORDER BY COALESCE(r.organization, '') = '', LOWER(COALESCE(r.organization, '')), \
         LOWER(r.name), r.id"
    };
}

const PARTICIPANTS: &str = concat!(
    "SELECT r.id, r.name, r.email, r.organization, r.role, r.country, r.status, \
     r.session_id, r.share_in_participant_list FROM registrations r WHERE r.webinar_id = $1",
    list_order!()
);

const RECORDS_IN_LIST_ORDER: &str = concat!(
    "SELECT a.registration_id, a.session_id, a.source, a.attended, a.joined_at, a.left_at, \
     a.minutes FROM attendance a JOIN registrations r ON r.id = a.registration_id \
     WHERE a.webinar_id = $1",
    list_order!(),
    ", a.session_id, a.source"
);

/// The people of the participant list, streamed from the database in list order.
pub fn participants<'c>(
    ex: Exec<'c>,
    webinar: WebinarId,
) -> BoxStream<'c, anyhow::Result<ParticipantRow>> {
    let convert = |row: Result<RawParticipant, sqlx::Error>| {
        row.context("reading the participant list")
            .and_then(ParticipantRow::try_from)
    };
    on!(ex, c => sqlx::query_as::<_, RawParticipant>(PARTICIPANTS)
        .bind(webinar.0)
        .fetch(c)
        .map(convert)
        .boxed())
}

/// The attendance records of the webinar in the participant list's order (read on a
/// second connection, so both streams are produced at once).
pub fn records_in_list_order<'c>(
    ex: Exec<'c>,
    webinar: WebinarId,
) -> BoxStream<'c, anyhow::Result<Record>> {
    let convert = |row: Result<Row, sqlx::Error>| {
        row.context("reading attendance for the participant list")
            .and_then(Record::try_from)
    };
    on!(ex, c => sqlx::query_as::<_, Row>(RECORDS_IN_LIST_ORDER)
        .bind(webinar.0)
        .fetch(c)
        .map(convert)
        .boxed())
}
