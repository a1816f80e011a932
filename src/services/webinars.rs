//! Creating webinars and their sessions; moving and cancelling sessions.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::db::{self, Tx};
use crate::domain::registration::{Registration, RegistrationStatus};
use crate::domain::webinar::{Session, SessionStatus, Webinar};
use crate::domain::{SessionId, WebinarId};
use crate::email::letter::{Kind, Letter};
use crate::error::{AppError, AppResult};
use crate::services::registrations::queue;
use crate::startup::AppState;

/// A session as the organizer describes it, already checked.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub label: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub capacity: Option<u32>,
    pub join_url: Option<String>,
}

/// Changes to a session; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SessionChanges {
    pub label: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    /// `Some(None)` removes the limit.
    pub capacity: Option<Option<u32>>,
    pub join_url: Option<Option<String>>,
}

/// A webinar and its sessions as the public sees them.
#[derive(Debug)]
pub struct Published {
    pub webinar: Webinar,
    pub sessions: Vec<Session>,
}

/// The public session listing is read far more often than it changes (everyone opens
/// the invitation at once): each instance keeps what it read for a second. Changes made
/// here are seen at once; seat counts and changes from other instances within a second.
/// Registering never reads from here: seats are taken by the database alone.
#[derive(Default)]
pub struct PublicCache {
    entries: std::sync::Mutex<HashMap<WebinarId, (Instant, Arc<Published>)>>,
}

const PUBLIC_FOR: Duration = Duration::from_secs(1);

impl PublicCache {
    fn get(&self, id: WebinarId) -> Option<Arc<Published>> {
        let entries = self
            .entries
            .lock()
            .expect("the cache lock is never poisoned");
        entries
            .get(&id)
            .filter(|(at, _)| at.elapsed() < PUBLIC_FOR)
            .map(|(_, p)| p.clone())
    }

    fn put(&self, id: WebinarId, published: Arc<Published>) {
        let mut entries = self
            .entries
            .lock()
            .expect("the cache lock is never poisoned");
        if entries.len() >= 1024 {
            entries.retain(|_, (at, _)| at.elapsed() < PUBLIC_FOR);
        }
        entries.insert(id, (Instant::now(), published));
    }

    /// Forgets a webinar that changed here, so the next reader sees the change.
    pub fn forget(&self, id: WebinarId) {
        self.entries
            .lock()
            .expect("the cache lock is never poisoned")
            .remove(&id);
    }
}

/// The webinar and its sessions for public pages and the public listing.
pub async fn published(state: &AppState, id: WebinarId) -> AppResult<Arc<Published>> {
    if let Some(found) = state.public.get(id) {
        return Ok(found);
    }
    let mut conn = state.db.conn().await?;
    let webinar = db::webinars::find(conn.exec(), id)
        .await?
        .ok_or_else(|| AppError::not_found("webinar"))?;
    let sessions = db::sessions::list(conn.exec(), id).await?;
    let published = Arc::new(Published { webinar, sessions });
    state.public.put(id, published.clone());
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
    state: &AppState,
    webinar: Webinar,
    sessions: Vec<NewSession>,
) -> AppResult<(Webinar, Vec<Session>)> {
    let mut tx = state.db.begin().await?;
    db::webinars::insert(tx.exec(), &webinar).await?;
    let mut stored = Vec::with_capacity(sessions.len());
    for new in sessions {
        let s = session(webinar.id, new);
        db::sessions::insert(tx.exec(), &s).await?;
        stored.push(s);
    }
    tx.commit().await?;
    state.public.forget(webinar.id);
    stored.sort_by_key(|s| s.starts_at);
    Ok((webinar, stored))
}

/// Stores the webinar's edited fields; returns its sessions.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn update(state: &AppState, webinar: &Webinar) -> AppResult<Vec<Session>> {
    let mut tx = state.db.begin().await?;
    db::webinars::update(tx.exec(), webinar).await?;
    let sessions = db::sessions::list(tx.exec(), webinar.id).await?;
    tx.commit().await?;
    state.public.forget(webinar.id);
    Ok(sessions)
}

#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn add_session(
    state: &AppState,
    webinar: &Webinar,
    new: NewSession,
) -> AppResult<Session> {
    let s = session(webinar.id, new);
    let mut tx = state.db.begin().await?;
    db::sessions::insert(tx.exec(), &s).await?;
    tx.commit().await?;
    state.public.forget(webinar.id);
    Ok(s)
}

async fn locked_session(tx: &mut Tx, webinar: &Webinar, id: SessionId) -> AppResult<Session> {
    db::sessions::find(tx.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("session"))
}

/// Applies the changes; when the time moves, every registration in the session gets a
/// higher calendar sequence so that calendars take the update.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, session = %id))]
pub async fn change_session(
    state: &AppState,
    webinar: &Webinar,
    id: SessionId,
    changes: SessionChanges,
) -> AppResult<Session> {
    let mut tx = state.db.begin().await?;
    let mut s = locked_session(&mut tx, webinar, id).await?;
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
        let fresh = locked_session(&mut tx, webinar, id).await?;
        return Err(AppError::Conflict(format!(
            "capacity {} is below the {} registrations the session already has",
            s.capacity.unwrap_or_default(),
            fresh.taken
        )));
    }
    if (before.starts_at, before.duration_minutes) != (s.starts_at, s.duration_minutes) {
        for mut r in active_registrations(&mut tx, webinar, id).await? {
            r.calendar_sequence += 1;
            db::registrations::update(tx.exec(), &r).await?;
            let letter = Letter::for_registration(Kind::Rescheduled, &r, webinar, &s).was(&before);
            queue(state, &mut tx, webinar, &letter, "").await?;
        }
        for mut chair in active_chairs(&mut tx, id).await? {
            chair.calendar_sequence += 1;
            db::chairs::update(tx.exec(), &chair).await?;
            let letter =
                Letter::for_chair(Kind::ChairRescheduled, &chair, webinar, &s).was(&before);
            queue(state, &mut tx, webinar, &letter, "").await?;
        }
    }
    tx.commit().await?;
    state.public.forget(webinar.id);
    state.wake_mailer();
    Ok(s)
}

async fn active_chairs(tx: &mut Tx, id: SessionId) -> AppResult<Vec<crate::domain::chair::Chair>> {
    let all = db::chairs::list_for_session(tx.exec(), id).await?;
    Ok(all.into_iter().filter(|c| c.active).collect())
}

async fn active_registrations(
    tx: &mut Tx,
    webinar: &Webinar,
    id: SessionId,
) -> AppResult<Vec<Registration>> {
    let all = db::registrations::list(tx.exec(), webinar.id, Some(id)).await?;
    Ok(all.into_iter().filter(|r| r.status.holds_seat()).collect())
}

/// Cancels the session and every registration in it; cancelling twice changes nothing.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, session = %id))]
pub async fn cancel_session(
    state: &AppState,
    webinar: &Webinar,
    id: SessionId,
) -> AppResult<Session> {
    let mut tx = state.db.begin().await?;
    let mut s = locked_session(&mut tx, webinar, id).await?;
    if s.status == SessionStatus::Cancelled {
        return Ok(s);
    }
    for mut r in active_registrations(&mut tx, webinar, id).await? {
        r.status = RegistrationStatus::Cancelled;
        r.calendar_sequence += 1;
        db::registrations::update(tx.exec(), &r).await?;
        let letter = Letter::for_registration(Kind::SessionCancelled, &r, webinar, &s);
        queue(state, &mut tx, webinar, &letter, "").await?;
    }
    for mut chair in active_chairs(&mut tx, id).await? {
        chair.active = false;
        chair.calendar_sequence += 1;
        db::chairs::update(tx.exec(), &chair).await?;
        let letter = Letter::for_chair(Kind::ChairCancelled, &chair, webinar, &s);
        queue(state, &mut tx, webinar, &letter, "").await?;
    }
    s.status = SessionStatus::Cancelled;
    s.taken = 0;
    db::sessions::update(tx.exec(), &s).await?;
    db::sessions::clear_seats(tx.exec(), s.id).await?;
    tx.commit().await?;
    state.public.forget(webinar.id);
    state.wake_mailer();
    Ok(s)
}
