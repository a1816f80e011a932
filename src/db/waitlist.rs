//! Waiting lists: which registrations wait for which full session, in the order they came.
//!
//! A session's list changes only while its row is locked (`lock_session`), so a
//! registration that finds the session full and a cancellation that frees a seat there
//! never decide on each other's stale view. SQLite has one writer, which is that lock.

use anyhow::Context;
use chrono::Utc;
use uuid::Uuid;

use super::{Exec, on};
use crate::domain::{RegistrationId, SessionId, WebinarId};

/// Locks the session's row until the transaction ends (PostgreSQL: `FOR NO KEY UPDATE`,
/// the lock a seat count UPDATE takes, so rows that merely reference the session are not
/// held up; on
/// SQLite the write transaction already excludes every other writer).
#[tracing::instrument(skip_all, fields(session = %id))]
pub async fn lock_session(ex: Exec<'_>, id: SessionId) -> anyhow::Result<()> {
    if let Exec::Postgres(c) = ex {
        sqlx::query("SELECT id FROM sessions WHERE id = $1 FOR NO KEY UPDATE")
            .bind(id.0)
            .fetch_optional(c)
            .await
            .context("locking a session")?;
    }
    Ok(())
}

/// Puts the registration at the end of the session's list; false if it was on it already.
#[tracing::instrument(skip_all, fields(registration = %registration, session = %session))]
pub async fn add(
    ex: Exec<'_>,
    registration: RegistrationId,
    session: SessionId,
) -> anyhow::Result<bool> {
    let added = on!(ex, c => sqlx::query(
        "INSERT INTO waitlist (registration_id, session_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (registration_id, session_id) DO NOTHING",
    )
    .bind(registration.0)
    .bind(session.0)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("adding to a waiting list")?;
    Ok(added == 1)
}

/// How many people wait for the session.
#[tracing::instrument(skip_all, fields(session = %session))]
pub async fn waiting(ex: Exec<'_>, session: SessionId) -> anyhow::Result<i64> {
    let (count,): (i64,) = on!(ex, c => sqlx::query_as(
        "SELECT COUNT(*) FROM waitlist w JOIN registrations r ON r.id = w.registration_id \
         WHERE w.session_id = $1 AND r.status = 'waitlisted'",
    )
    .bind(session.0)
    .fetch_one(c)
    .await)
    .context("counting a waiting list")?;
    Ok(count)
}

/// The first person waiting for the session, their registration row locked. On
/// PostgreSQL a registration another transaction is changing (promoted in another
/// session, cancelling) is passed over: it is leaving this list.
#[tracing::instrument(skip_all, fields(session = %session))]
pub async fn first(ex: Exec<'_>, session: SessionId) -> anyhow::Result<Option<RegistrationId>> {
    const PICK: &str = "SELECT r.id FROM waitlist w JOIN registrations r ON r.id = w.registration_id \
         WHERE w.session_id = $1 AND r.status = 'waitlisted' ORDER BY w.position LIMIT 1";
    let row: Option<(Uuid,)> = match ex {
        Exec::Sqlite(c) => sqlx::query_as(PICK).bind(session.0).fetch_optional(c).await,
        Exec::Postgres(c) => {
            sqlx::query_as(&format!("{PICK} FOR UPDATE OF r SKIP LOCKED"))
                .bind(session.0)
                .fetch_optional(c)
                .await
        }
    }
    .context("reading the first person waiting")?;
    Ok(row.map(|(id,)| RegistrationId(id)))
}

/// Takes the registration off every list it is on.
#[tracing::instrument(skip_all, fields(registration = %registration))]
pub async fn leave_all(ex: Exec<'_>, registration: RegistrationId) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM waitlist WHERE registration_id = $1")
        .bind(registration.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("leaving the waiting lists")?;
    Ok(())
}

/// Takes everyone off the session's list (the session was cancelled); returns who was on it.
#[tracing::instrument(skip_all, fields(session = %session))]
pub async fn clear(ex: Exec<'_>, session: SessionId) -> anyhow::Result<Vec<RegistrationId>> {
    let rows: Vec<(Uuid,)> = on!(ex, c => sqlx::query_as(
        "DELETE FROM waitlist WHERE session_id = $1 RETURNING registration_id",
    )
    .bind(session.0)
    .fetch_all(c)
    .await)
    .context("clearing a waiting list")?;
    Ok(rows.into_iter().map(|(id,)| RegistrationId(id)).collect())
}

/// A place on a waiting list: the session and the place in line (1 is next).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub registration: RegistrationId,
    pub session: SessionId,
    pub position: u32,
}

#[derive(sqlx::FromRow)]
struct PlaceRow {
    registration_id: Uuid,
    session_id: Uuid,
    place: i64,
}

/// Everyone waiting in the webinar (or only `registration`), with their place in each
/// line, in the order of the lists.
#[tracing::instrument(skip_all, fields(webinar = %webinar))]
pub async fn places(
    ex: Exec<'_>,
    webinar: WebinarId,
    registration: Option<RegistrationId>,
) -> anyhow::Result<Vec<Place>> {
    let rows = on!(ex, c => sqlx::query_as::<_, PlaceRow>(
        "SELECT registration_id, session_id, place FROM ( \
           SELECT w.registration_id, w.session_id, w.position, \
             ROW_NUMBER() OVER (PARTITION BY w.session_id ORDER BY w.position) AS place \
           FROM waitlist w JOIN registrations r ON r.id = w.registration_id \
           WHERE r.webinar_id = $1 AND r.status = 'waitlisted') ranked \
         WHERE $2 IS NULL OR registration_id = $2 ORDER BY position",
    )
    .bind(webinar.0)
    .bind(registration.map(|r| r.0))
    .fetch_all(c)
    .await)
    .context("reading places on the waiting lists")?;
    rows.into_iter()
        .map(|r| {
            Ok(Place {
                registration: RegistrationId(r.registration_id),
                session: SessionId(r.session_id),
                position: u32::try_from(r.place).context("unexpected waiting list place")?,
            })
        })
        .collect()
}
