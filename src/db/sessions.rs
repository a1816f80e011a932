//! Sessions of a webinar and their seat counts.
//!
//! Seats are taken with one conditional UPDATE, which both databases run atomically
//! against concurrent registrations: no read-then-write race, no lock held in Rust.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Exec, decode, on};
use crate::domain::webinar::{Session, SessionStatus};
use crate::domain::{SessionId, WebinarId};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    webinar_id: Uuid,
    label: String,
    starts_at: DateTime<Utc>,
    duration_minutes: i64,
    capacity: Option<i64>,
    taken: i64,
    join_url: Option<String>,
    status: String,
}

const COLUMNS: &str =
    "id, webinar_id, label, starts_at, duration_minutes, capacity, taken, join_url, status";

fn count(column: &str, value: i64) -> anyhow::Result<u32> {
    u32::try_from(value).with_context(|| format!("unexpected {column} {value} in the database"))
}

impl TryFrom<Row> for Session {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Session> {
        Ok(Session {
            id: SessionId(r.id),
            webinar_id: WebinarId(r.webinar_id),
            label: r.label,
            starts_at: r.starts_at,
            duration_minutes: count("duration_minutes", r.duration_minutes)?,
            capacity: r.capacity.map(|c| count("capacity", c)).transpose()?,
            taken: count("taken", r.taken)?,
            join_url: r.join_url,
            status: decode("session status", &r.status, SessionStatus::parse)?,
        })
    }
}

#[tracing::instrument(skip_all, fields(session = %s.id))]
pub async fn insert(ex: Exec<'_>, s: &Session) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO sessions (id, webinar_id, label, starts_at, duration_minutes, capacity, taken, \
         join_url, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(s.id.0)
    .bind(s.webinar_id.0)
    .bind(&s.label)
    .bind(s.starts_at)
    .bind(i64::from(s.duration_minutes))
    .bind(s.capacity.map(i64::from))
    .bind(i64::from(s.taken))
    .bind(&s.join_url)
    .bind(s.status.as_str())
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("inserting a session")?;
    Ok(())
}

/// Writes the editable fields, unless the new capacity is below the seats already
/// taken (checked in the same statement, so no registration slips in between): false then.
#[tracing::instrument(skip_all, fields(session = %s.id))]
pub async fn update(ex: Exec<'_>, s: &Session) -> anyhow::Result<bool> {
    let done = on!(ex, c => sqlx::query(
        "UPDATE sessions SET label = $2, starts_at = $3, duration_minutes = $4, capacity = $5, \
         join_url = $6, status = $7 WHERE id = $1 AND ($5 IS NULL OR taken <= $5)",
    )
    .bind(s.id.0)
    .bind(&s.label)
    .bind(s.starts_at)
    .bind(i64::from(s.duration_minutes))
    .bind(s.capacity.map(i64::from))
    .bind(&s.join_url)
    .bind(s.status.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("updating a session")?;
    Ok(done == 1)
}

#[tracing::instrument(skip_all, fields(session = %id))]
pub async fn find(
    ex: Exec<'_>,
    webinar: WebinarId,
    id: SessionId,
) -> anyhow::Result<Option<Session>> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE id = $1 AND webinar_id = $2");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(id.0).bind(webinar.0).fetch_optional(c).await)
        .context("reading a session")?;
    row.map(Session::try_from).transpose()
}

#[tracing::instrument(skip_all, fields(webinar = %webinar))]
pub async fn list(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Session>> {
    let sql =
        format!("SELECT {COLUMNS} FROM sessions WHERE webinar_id = $1 ORDER BY starts_at, label");
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(webinar.0).fetch_all(c).await)
        .context("listing sessions")?;
    rows.into_iter().map(Session::try_from).collect()
}

/// Takes one seat if the session is scheduled and not full; false when it could not.
#[tracing::instrument(skip_all, fields(session = %id))]
pub async fn take_seat(ex: Exec<'_>, id: SessionId) -> anyhow::Result<bool> {
    let done = on!(ex, c => sqlx::query(
        "UPDATE sessions SET taken = taken + 1 \
         WHERE id = $1 AND status = 'scheduled' AND (capacity IS NULL OR taken < capacity)",
    )
    .bind(id.0)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("taking a seat")?;
    Ok(done == 1)
}

/// Takes `seats` seats at once if the session is scheduled and has that many left;
/// answers the seats taken afterwards, or `None` (nothing taken) when it could not.
#[tracing::instrument(skip_all, fields(session = %id, seats))]
pub async fn take_seats(ex: Exec<'_>, id: SessionId, seats: u32) -> anyhow::Result<Option<u32>> {
    let taken = on!(ex, c => sqlx::query_scalar::<_, i64>(
        "UPDATE sessions SET taken = taken + $2 \
         WHERE id = $1 AND status = 'scheduled' AND (capacity IS NULL OR taken + $2 <= capacity) \
         RETURNING taken",
    )
    .bind(id.0)
    .bind(i64::from(seats))
    .fetch_optional(c)
    .await)
    .context("taking seats")?;
    taken.map(|t| count("taken", t)).transpose()
}

/// Gives back `seats` seats taken in the same transaction.
#[tracing::instrument(skip_all, fields(session = %id, seats))]
pub async fn release_seats(ex: Exec<'_>, id: SessionId, seats: u32) -> anyhow::Result<Option<u32>> {
    let taken = on!(ex, c => sqlx::query_scalar::<_, i64>(
        "UPDATE sessions SET taken = taken - $2 WHERE id = $1 AND taken >= $2 RETURNING taken",
    )
    .bind(id.0)
    .bind(i64::from(seats))
    .fetch_optional(c)
    .await)
    .context("giving seats back")?;
    taken.map(|t| count("taken", t)).transpose()
}

#[tracing::instrument(skip_all, fields(session = %id))]
pub async fn release_seat(ex: Exec<'_>, id: SessionId) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("UPDATE sessions SET taken = taken - 1 WHERE id = $1 AND taken > 0")
        .bind(id.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("releasing a seat")?;
    Ok(())
}

/// Frees every seat of a cancelled session.
#[tracing::instrument(skip_all, fields(session = %id))]
pub async fn clear_seats(ex: Exec<'_>, id: SessionId) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("UPDATE sessions SET taken = 0 WHERE id = $1")
        .bind(id.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("clearing seats")?;
    Ok(())
}

/// Scheduled sessions starting after `from` and no later than `to`.
#[tracing::instrument(skip_all)]
pub async fn starting_between(
    ex: Exec<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<Session>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sessions WHERE status = 'scheduled' AND starts_at > $1 AND starts_at <= $2 \
         ORDER BY starts_at"
    );
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(from).bind(to).fetch_all(c).await)
        .context("listing upcoming sessions")?;
    rows.into_iter().map(Session::try_from).collect()
}

/// Records that the reminder `minutes` before `starts_at` went out; false if it had already.
#[tracing::instrument(skip_all, fields(session = %id))]
pub async fn mark_reminder(
    ex: Exec<'_>,
    id: SessionId,
    minutes: u32,
    starts_at: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = on!(ex, c => sqlx::query(
        "INSERT INTO session_reminders (session_id, minutes, starts_at, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id.0)
    .bind(i64::from(minutes))
    .bind(starts_at)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("recording a reminder")?;
    Ok(done == 1)
}
