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

/// One line of the participant list query: a registration (with the role and country
/// from the invitee list), and one of its attendance records (none when there is none; its join and
/// leave times are left out, as the list does not show them).
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
    pub record: Option<Record>,
}

#[derive(sqlx::FromRow)]
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
    a_session_id: Option<Uuid>,
    a_source: Option<String>,
    a_attended: Option<bool>,
    a_minutes: Option<i64>,
}

impl TryFrom<RawParticipant> for ParticipantRow {
    type Error = anyhow::Error;

    fn try_from(r: RawParticipant) -> anyhow::Result<ParticipantRow> {
        let record = match (r.a_session_id, r.a_source) {
            (Some(session_id), Some(source)) => Some(Record::try_from(Row {
                registration_id: r.id,
                session_id,
                source,
                attended: r.a_attended.unwrap_or(false),
                joined_at: None,
                left_at: None,
                minutes: r.a_minutes,
            })?),
            _ => None,
        };
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
            record,
        })
    }
}

/// Grouped by organization (those without one last), then by name; the rows of one
/// registration are adjacent.
const PARTICIPANTS: &str = "SELECT r.id, r.name, r.email, r.organization, r.role, r.country, \
    r.status, r.session_id, r.share_in_participant_list, a.session_id AS a_session_id, \
    a.source AS a_source, a.attended AS a_attended, a.minutes AS a_minutes \
    FROM registrations r \
    LEFT JOIN attendance a ON a.registration_id = r.id \
    WHERE r.webinar_id = $1 \
    ORDER BY COALESCE(r.organization, '') = '', LOWER(COALESCE(r.organization, '')), \
    LOWER(r.name), r.id";

/// The participant list's rows, streamed from the database.
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
