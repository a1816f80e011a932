//! Sending the invitations: every imported invitee not yet invited gets a registration
//! (status `invited`, in the session the time-zone rule picks) and an invitation email.

use std::collections::HashSet;

use serde::Serialize;

use crate::context::{Context, Work};
use crate::db;
use crate::domain::InviteeId;
use crate::domain::invitee::Invitee;
use crate::domain::member::Access;
use crate::domain::registration::{Assignment, RegistrationStatus};
use crate::domain::webinar::{Session, SessionStatus, Webinar};
use crate::email;
use crate::email::letter::{Kind, Letter};
use crate::email::render::Rendered;
use crate::error::{AppError, AppResult};
use crate::security::token_hash;
use crate::services::registrations::{NewRegistration, build, recommended};

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct InvitationReport {
    /// Invitations queued now; invitees invited before are not counted (or emailed) again.
    pub queued: usize,
    /// Invitees left out because no session had a seat, by email.
    pub unassigned: Vec<String>,
}

#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn send(ctx: &Context, webinar: &Access) -> AppResult<InvitationReport> {
    let invitees = not_yet_invited(ctx, webinar).await?;
    invite_all(ctx, webinar, &invitees).await
}

/// Sends the invitation to these invitees (a page's selection) who have no registration
/// yet; the others are left as they are (their registration has its own messages).
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, selected = ids.len()))]
pub async fn send_to(
    ctx: &Context,
    webinar: &Access,
    ids: &[InviteeId],
) -> AppResult<InvitationReport> {
    let invitees = {
        let mut conn = ctx.db.conn().await?;
        let chosen = db::invitees::by_ids(conn.exec(), webinar.id, ids).await?;
        let keys: Vec<String> = chosen.iter().map(|i| i.email.key()).collect();
        let invited: HashSet<String> =
            db::registrations::by_email_keys(conn.exec(), webinar.id, &keys)
                .await?
                .into_iter()
                .map(|r| r.email.key())
                .collect();
        chosen
            .into_iter()
            .filter(|i| !invited.contains(&i.email.key()))
            .collect::<Vec<_>>()
    };
    invite_all(ctx, webinar, &invitees).await
}

async fn invite_all(
    ctx: &Context,
    webinar: &Access,
    invitees: &[Invitee],
) -> AppResult<InvitationReport> {
    let mut report = InvitationReport::default();
    let mut sessions = {
        let mut conn = ctx.db.conn().await?;
        db::sessions::list(conn.exec(), webinar.id).await?
    };
    // Committed in chunks, so that delivery starts while the rest is still being queued.
    for chunk in invitees.chunks(CHUNK) {
        let mut tx = ctx.begin().await?;
        for invitee in chunk {
            invite(ctx, &mut tx, webinar, &mut sessions, invitee, &mut report).await?;
        }
        tx.listing_changed(webinar.id);
        tx.audit(
            webinar,
            "invitations.sent",
            &format!("sent {} invitation(s)", chunk.len()),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// The imported invitees who have no registration yet (the ones `send` would invite).
pub async fn not_yet_invited(ctx: &Context, webinar: &Webinar) -> AppResult<Vec<Invitee>> {
    let mut conn = ctx.db.conn().await?;
    let invited: HashSet<String> = db::registrations::list(conn.exec(), webinar.id, None)
        .await?
        .into_iter()
        .map(|r| r.email.key())
        .collect();
    Ok(db::invitees::list(conn.exec(), webinar.id)
        .await?
        .into_iter()
        .filter(|i| !invited.contains(&i.email.key()))
        .collect())
}

/// Puts a failed message back in the queue and wakes the worker.
pub async fn retry_message(ctx: &Context, webinar: &Access, message: i64) -> AppResult<()> {
    let mut tx = ctx.begin().await?;
    if !db::outbox::retry(tx.exec(), webinar.id, message).await? {
        return Err(AppError::Conflict(format!(
            "message {message} is not a failed message of this webinar"
        )));
    }
    tx.audit(
        webinar,
        "outbox.retried",
        &format!("retried message {message}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The invitation `invitee` would receive if it were sent now: the session the rule
/// picks for them, in their language and zone, with the webinar's documents; built on a
/// registration that is never stored (its manage and join links lead nowhere).
pub async fn preview(
    ctx: &Context,
    webinar: &Webinar,
    invitee: InviteeId,
) -> AppResult<(Invitee, Letter, Rendered)> {
    let mut conn = ctx.db.conn().await?;
    let invitee = db::invitees::find(conn.exec(), webinar.id, invitee)
        .await?
        .ok_or_else(|| AppError::not_found("invitee"))?;
    let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    let materials = db::materials::list(conn.exec(), webinar.id).await?;
    drop(conn);
    let session = recommended(webinar, &sessions, invitee.time_zone)
        .map(|i| &sessions[i])
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "no session has a seat for {}",
                invitee.email.as_str()
            ))
        })?;
    let mut registration = build(
        ctx,
        webinar,
        &new_registration(&invitee),
        session,
        Assignment::Auto,
        Some(invitee.id),
    );
    registration.status = RegistrationStatus::Invited;
    let letter = Letter::for_registration(Kind::Invitation, &registration, webinar, session);
    let rendered = email::worker::render(ctx, &letter, &materials)?;
    Ok((invitee, letter, rendered))
}

/// Sends [`preview`] to the organizer who asks, marked as a test: no registration is
/// made and the invitee's state does not change.
pub async fn send_test(ctx: &Context, webinar: &Access, invitee: InviteeId) -> AppResult<String> {
    let (invitee, mut letter, _) = preview(ctx, webinar, invitee).await?;
    let to = webinar.actor.email.clone();
    letter.test_to = Some(to.clone());
    let mut work = ctx.begin().await?;
    // Every test is a message of its own, however often it is asked for.
    work.queue(webinar, &letter, &format!(":test:{}", uuid::Uuid::new_v4()))
        .await?;
    work.audit(
        webinar,
        "invitations.tested",
        &format!(
            "sent a test of the invitation of {} to {to}",
            invitee.email.as_str()
        ),
    )
    .await?;
    work.commit().await?;
    Ok(to)
}

/// Invitees registered and queued per transaction.
const CHUNK: usize = 500;

async fn invite(
    ctx: &Context,
    tx: &mut Work<'_>,
    webinar: &Webinar,
    sessions: &mut [Session],
    invitee: &Invitee,
    report: &mut InvitationReport,
) -> AppResult<()> {
    let Some(session) = take_a_seat(tx, webinar, sessions, invitee).await? else {
        report.unassigned.push(invitee.email.as_str().to_string());
        return Ok(());
    };
    let new = new_registration(invitee);
    let mut registration = build(
        ctx,
        webinar,
        &new,
        &session,
        Assignment::Auto,
        Some(invitee.id),
    );
    registration.status = RegistrationStatus::Invited;
    let token = ctx.keys.manage_token(registration.id);
    if !db::registrations::insert_if_absent(tx.exec(), &registration, &token_hash(&token)).await? {
        // The invitee registered on their own meanwhile.
        db::sessions::release_seat(tx.exec(), session.id).await?;
        return Ok(());
    }
    let letter = Letter::for_registration(Kind::Invitation, &registration, webinar, &session);
    if tx.queue(webinar, &letter, "").await? {
        report.queued += 1;
    }
    Ok(())
}

pub(crate) fn new_registration(invitee: &Invitee) -> NewRegistration {
    NewRegistration {
        name: invitee.name.clone(),
        email: invitee.email.clone(),
        organization: invitee.organization.clone(),
        role: invitee.role.clone(),
        country: invitee.country.as_ref().map(|c| c.as_str().to_string()),
        time_zone: invitee.time_zone,
        language: Some(invitee.language),
        session_id: None,
        share_in_participant_list: false,
        also_wait_for: Vec::new(),
    }
}

/// The rule's session for this invitee, with a seat taken; the local copy of the
/// sessions keeps the seat counts in step so later invitees see them.
async fn take_a_seat(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    sessions: &mut [Session],
    invitee: &Invitee,
) -> AppResult<Option<Session>> {
    loop {
        let Some(index) = recommended(webinar, sessions, invitee.time_zone) else {
            return Ok(None);
        };
        let session = &mut sessions[index];
        if db::sessions::take_seat(tx.exec(), session.id).await? {
            session.taken += 1;
            return Ok(Some(session.clone()));
        }
        // Filled or cancelled meanwhile (PostgreSQL): note it and ask again.
        match session.capacity {
            Some(capacity) => session.taken = capacity,
            None => session.status = SessionStatus::Cancelled,
        }
    }
}
