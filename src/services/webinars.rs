//! Creating webinars and their sessions; moving and cancelling sessions.

use std::sync::Arc;

use crate::context::{Context, Published, Work};
use crate::db;
use crate::domain::member::Access;
use crate::domain::member::{Actor, Role};
use crate::domain::registration::{Registration, RegistrationStatus};
use crate::domain::webinar::{NewSession, Session, SessionChanges, SessionStatus, Webinar};
use crate::domain::{SessionId, WebinarId};
use crate::email::letter::{Kind, Letter};
use crate::error::{AppError, AppResult};

/// A webinar anyone may read by its id.
pub async fn public_webinar(ctx: &Context, id: WebinarId) -> AppResult<Webinar> {
    let mut conn = ctx.db.conn().await?;
    db::webinars::find(conn.exec(), id)
        .await?
        .ok_or_else(|| AppError::not_found("webinar"))
}

/// The webinar and its sessions for public pages and the public listing.
pub async fn published(ctx: &Context, id: WebinarId) -> AppResult<Arc<Published>> {
    if let Some(found) = ctx.public.get(id) {
        return Ok(found);
    }
    let mut conn = ctx.db.conn().await?;
    let webinar = db::webinars::find(conn.exec(), id)
        .await?
        .ok_or_else(|| AppError::not_found("webinar"))?;
    let sessions = db::sessions::list(conn.exec(), id).await?;
    let published = Arc::new(Published { webinar, sessions });
    ctx.public.put(id, published.clone());
    Ok(published)
}

fn session(webinar: WebinarId, new: NewSession) -> Session {
    Session {
        id: SessionId::new(),
        webinar_id: webinar,
        label: new.label,
        starts_at: new.starts_at,
        duration_minutes: new.duration_minutes,
        capacity: new.capacity,
        taken: 0,
        join_url: new.join_url,
        status: SessionStatus::Scheduled,
    }
}

#[tracing::instrument(skip_all)]
pub async fn create(
    ctx: &Context,
    by: &Actor,
    webinar: Webinar,
    sessions: Vec<NewSession>,
) -> AppResult<(Webinar, Vec<Session>)> {
    let mut tx = ctx.begin().await?;
    db::webinars::insert(tx.exec(), &webinar).await?;
    db::members::insert(tx.exec(), webinar.id, by.id, Role::Owner, true).await?;
    let access = Access {
        webinar,
        actor: by.clone(),
        role: Role::Owner,
        personal_data: true,
    };
    tx.audit(
        &access,
        "webinar.created",
        &format!(
            "created “{}” with {} session(s)",
            access.title,
            sessions.len()
        ),
    )
    .await?;
    let webinar = access.webinar;
    let mut stored = Vec::with_capacity(sessions.len());
    for new in sessions {
        let s = session(webinar.id, new);
        db::sessions::insert(tx.exec(), &s).await?;
        stored.push(s);
    }
    tx.listing_changed(webinar.id);
    tx.commit().await?;
    stored.sort_by_key(|s| s.starts_at);
    Ok((webinar, stored))
}

/// Stores the webinar's edited fields; returns its sessions.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn update(ctx: &Context, webinar: &Access) -> AppResult<Vec<Session>> {
    let mut tx = ctx.begin().await?;
    db::webinars::update(tx.exec(), webinar).await?;
    let sessions = db::sessions::list(tx.exec(), webinar.id).await?;
    tx.listing_changed(webinar.id);
    tx.audit(
        webinar,
        "webinar.updated",
        &format!("edited the webinar “{}”", webinar.title),
    )
    .await?;
    tx.commit().await?;
    Ok(sessions)
}

#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn add_session(ctx: &Context, webinar: &Access, new: NewSession) -> AppResult<Session> {
    let mut tx = ctx.begin().await?;
    let s = add_session_in(&mut tx, webinar, new).await?;
    tx.audit(
        webinar,
        "session.added",
        &format!(
            "added session {} at {} UTC",
            s.label,
            s.starts_at.format("%Y-%m-%d %H:%M")
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Adds a session inside the caller's transaction.
pub(crate) async fn add_session_in(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    new: NewSession,
) -> AppResult<Session> {
    let s = session(webinar.id, new);
    db::sessions::insert(tx.exec(), &s).await?;
    tx.listing_changed(webinar.id);
    Ok(s)
}

async fn locked_session(tx: &mut Work<'_>, webinar: &Webinar, id: SessionId) -> AppResult<Session> {
    db::sessions::find(tx.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("session"))
}

/// Applies the changes; when the time moves, every registration in the session gets a
/// higher calendar sequence so that calendars take the update.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, session = %id))]
pub async fn change_session(
    ctx: &Context,
    webinar: &Access,
    id: SessionId,
    changes: SessionChanges,
) -> AppResult<Session> {
    let mut tx = ctx.begin().await?;
    let s = change_session_in(&mut tx, webinar, id, changes).await?;
    tx.audit(
        webinar,
        "session.changed",
        &format!(
            "changed session {}: {} UTC, {} minutes",
            s.label,
            s.starts_at.format("%Y-%m-%d %H:%M"),
            s.duration_minutes
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Changes a session inside the caller's transaction (see `change_session`).
pub(crate) async fn change_session_in(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    id: SessionId,
    changes: SessionChanges,
) -> AppResult<Session> {
    let mut s = locked_session(tx, webinar, id).await?;
    if s.status == SessionStatus::Cancelled {
        return Err(AppError::Conflict(format!(
            "session {:?} has been cancelled and cannot be changed",
            s.label
        )));
    }
    let before = s.clone();
    if let Some(label) = changes.label {
        s.label = label;
    }
    if let Some(starts_at) = changes.starts_at {
        s.starts_at = starts_at;
    }
    if let Some(duration) = changes.duration_minutes {
        s.duration_minutes = duration;
    }
    if let Some(capacity) = changes.capacity {
        s.capacity = capacity;
    }
    if let Some(join_url) = changes.join_url {
        s.join_url = join_url;
    }
    if !db::sessions::update(tx.exec(), &s).await? {
        let fresh = locked_session(tx, webinar, id).await?;
        return Err(AppError::Conflict(format!(
            "capacity {} is below the {} registrations the session already has",
            s.capacity.unwrap_or_default(),
            fresh.taken
        )));
    }
    if s.capacity != before.capacity {
        // More seats: the people waiting take them (the answer shows the seats after).
        if crate::services::waitlist::seat_freed(tx, webinar, id).await? > 0 {
            s.taken = locked_session(tx, webinar, id).await?.taken;
        }
    }
    if (before.starts_at, before.duration_minutes) != (s.starts_at, s.duration_minutes) {
        for mut r in active_registrations(tx, webinar, id).await? {
            r.calendar_sequence += 1;
            db::registrations::update(tx.exec(), &r).await?;
            let letter = Letter::for_registration(Kind::Rescheduled, &r, webinar, &s).was(&before);
            tx.queue(webinar, &letter, "").await?;
        }
        for mut chair in active_chairs(tx, id).await? {
            chair.calendar_sequence += 1;
            db::chairs::update(tx.exec(), &chair).await?;
            let letter =
                Letter::for_chair(Kind::ChairRescheduled, &chair, webinar, &s).was(&before);
            tx.queue(webinar, &letter, "").await?;
        }
    }
    tx.listing_changed(webinar.id);
    Ok(s)
}

/// The people a change of this session's time would notify: its registrants who hold a
/// seat and its active chairs.
pub(crate) async fn people_to_notify(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    id: SessionId,
) -> AppResult<usize> {
    Ok(active_registrations(tx, webinar, id).await?.len() + active_chairs(tx, id).await?.len())
}

async fn active_chairs(
    tx: &mut Work<'_>,
    id: SessionId,
) -> AppResult<Vec<crate::domain::chair::Chair>> {
    let all = db::chairs::list_for_session(tx.exec(), id).await?;
    Ok(all.into_iter().filter(|c| c.active).collect())
}

async fn active_registrations(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    id: SessionId,
) -> AppResult<Vec<Registration>> {
    let all = db::registrations::list(tx.exec(), webinar.id, Some(id)).await?;
    Ok(all.into_iter().filter(|r| r.status.holds_seat()).collect())
}

/// Cancels the session and every registration in it; cancelling twice changes nothing.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, session = %id))]
pub async fn cancel_session(ctx: &Context, webinar: &Access, id: SessionId) -> AppResult<Session> {
    let mut tx = ctx.begin().await?;
    let s = cancel_session_in(&mut tx, webinar, id).await?;
    tx.audit(
        webinar,
        "session.cancelled",
        &format!("cancelled session {}", s.label),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Cancels a session inside the caller's transaction (see `cancel_session`).
pub(crate) async fn cancel_session_in(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    id: SessionId,
) -> AppResult<Session> {
    let mut s = locked_session(tx, webinar, id).await?;
    if s.status == SessionStatus::Cancelled {
        return Ok(s);
    }
    for mut r in active_registrations(tx, webinar, id).await? {
        r.status = RegistrationStatus::Cancelled;
        r.calendar_sequence += 1;
        db::registrations::update(tx.exec(), &r).await?;
        let letter = Letter::for_registration(Kind::SessionCancelled, &r, webinar, &s);
        tx.queue(webinar, &letter, "").await?;
    }
    for mut chair in active_chairs(tx, id).await? {
        chair.active = false;
        chair.calendar_sequence += 1;
        db::chairs::update(tx.exec(), &chair).await?;
        let letter = Letter::for_chair(Kind::ChairCancelled, &chair, webinar, &s);
        tx.queue(webinar, &letter, "").await?;
    }
    crate::services::waitlist::session_cancelled(tx, webinar, id).await?;
    s.status = SessionStatus::Cancelled;
    s.taken = 0;
    db::sessions::update(tx.exec(), &s).await?;
    db::sessions::clear_seats(tx.exec(), s.id).await?;
    tx.listing_changed(webinar.id);
    Ok(s)
}
