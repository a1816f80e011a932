//! Registering, switching and cancelling, with seats held exactly under concurrency.

use chrono::Utc;

use crate::context::{Context, RegistrationOutcome, Work};
use crate::db;
use crate::db::answers::Who;
use crate::domain::answer::{Answer, CalendarAnswer};
use crate::domain::assignment::{self, Recommendation};
use crate::domain::invitee::Invitee;
use crate::domain::member::Access;
use crate::domain::registration::{Assignment, Registration, RegistrationStatus};
use crate::domain::webinar::{RegistrationPolicy, Session, SessionStatus, Webinar};
use crate::domain::{
    EmailAddress, InviteeId, Language, PersonName, RegistrationId, SessionId, TimeZone,
};
use crate::email::Outgoing;
use crate::email::letter::{Kind, Letter};
use crate::error::{AppError, AppResult};
use crate::security::token_hash;
use crate::services::{self, invitations, waitlist};

mod batch;

/// A registration request, already checked.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub name: PersonName,
    pub email: EmailAddress,
    pub organization: Option<String>,
    /// From the invitee list; none when someone registers on their own.
    pub role: Option<String>,
    pub country: Option<String>,
    pub time_zone: TimeZone,
    pub language: Option<Language>,
    /// The session the person picked; `None` lets the time-zone rule pick.
    pub session_id: Option<SessionId>,
    /// Agreed to be named (organization, role, country) in the shareable participant list.
    pub share_in_participant_list: bool,
    /// When the person is put on a waiting list: the other sessions whose lists they join
    /// too (they get whichever seat frees first).
    pub also_wait_for: Vec<SessionId>,
}

pub enum Registered {
    /// A new registration (`registered`, `waitlisted`, or `pending` approval), with its
    /// manage token (shown to this caller only).
    Created(Box<Registration>, String),
    /// Nothing is shown to this caller: the address's owner was emailed instead (their
    /// link to an existing registration, or, for an address on the invitee list, their
    /// invitation). The caller has not shown that the address is theirs.
    CheckEmail,
}

/// How many times a registration is retried when a concurrent one took the last seat
/// of the session the rule picked.
const ATTEMPTS: usize = 5;

#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn register(
    ctx: &Context,
    webinar: &Webinar,
    new: NewRegistration,
) -> AppResult<Registered> {
    if let Some(reason) = webinar.registration_closed_reason(Utc::now()) {
        return Err(AppError::Forbidden(reason));
    }
    // One query for the common case: neither registered nor invited.
    let (registered, invited) = {
        let mut conn = ctx.db.conn().await?;
        db::registrations::email_known(conn.exec(), webinar.id, &new.email).await?
    };
    if registered && let Some(existing) = find_existing(ctx, webinar, &new.email).await? {
        send_link(ctx, webinar, &existing).await?;
        return Ok(Registered::CheckEmail);
    }
    if invited && let Some(invitee) = find_invitee(ctx, webinar, &new.email).await? {
        invite_on_request(ctx, webinar, &invitee, new.session_id).await?;
        return Ok(Registered::CheckEmail);
    }
    match webinar.registration_policy {
        RegistrationPolicy::Open => {}
        RegistrationPolicy::InviteesOnly => return Err(invitation_only()),
        RegistrationPolicy::Approval => return request_approval(ctx, webinar, &new).await,
    }
    if !webinar.waiting_list
        && let Some(done) = register_in_batch(ctx, webinar, &new).await?
    {
        return Ok(done);
    }
    // One by one: what a batch left undecided, and webinars with waiting lists.
    for _ in 0..ATTEMPTS {
        // Read before the write transaction, so that it holds the (SQLite: only) writer
        // for its writes alone: the seat is taken by one conditional UPDATE, which
        // notices a session that filled up meanwhile, and the rule is asked again.
        let sessions = {
            let mut conn = ctx.db.conn().await?;
            db::sessions::list(conn.exec(), webinar.id).await?
        };
        // `to_wait`: the session is full already, and the person may wait for it.
        let (session, assignment, to_wait) = match pick_session(webinar, &sessions, &new) {
            Ok((session, assignment)) => (session, assignment, new.session_id.is_some()),
            Err(problem) => match session_to_wait_for(webinar, &sessions, &new)? {
                Some((session, assignment)) => (session, assignment, true),
                None => return Err(problem),
            },
        };
        if webinar.waiting_list {
            // Checked before any lock is taken: each must be a session one may wait for.
            for id in &new.also_wait_for {
                waitable(&sessions, *id)?;
            }
        }
        let mut tx = ctx.begin().await?;
        let mut someone_waits = false;
        if webinar.waiting_list {
            for id in lists_to_join(&session, &new) {
                db::waitlist::lock_session(tx.exec(), id).await?;
            }
            // Never ahead of the people waiting, even for a seat that just freed.
            someone_waits = db::waitlist::waiting(tx.exec(), session.id).await? > 0;
        }
        if someone_waits || !db::sessions::take_seat(tx.exec(), session.id).await? {
            if webinar.waiting_list && (someone_waits || to_wait) {
                return join_waiting_lists(ctx, tx, webinar, &new, &sessions, &session, assignment)
                    .await;
            }
            if new.session_id.is_some() {
                return Err(full(&session));
            }
            continue;
        }
        let registration = build(ctx, webinar, &new, &session, assignment, None);
        let token = ctx.keys.manage_token(registration.id);
        if let Err(e) =
            db::registrations::insert(tx.exec(), &registration, &token_hash(&token)).await
        {
            if db::is_unique_violation(&e) {
                // A concurrent registration with the same email won: its owner gets the
                // link, as above.
                tx.rollback().await?;
                return match find_existing(ctx, webinar, &new.email).await? {
                    Some(existing) => {
                        send_link(ctx, webinar, &existing).await?;
                        Ok(Registered::CheckEmail)
                    }
                    None => Err(AppError::Internal(e)),
                };
            }
            return Err(e.into());
        }
        let letter = Letter::for_registration(Kind::Confirmation, &registration, webinar, &session);
        tx.queue(webinar, &letter, "").await?;
        tx.listing_changed(webinar.id);
        tx.commit().await?;
        metrics::counter!("meridian_registrations_total", "status" => "confirmed").increment(1);
        return Ok(Registered::Created(Box::new(registration), token));
    }
    Err(AppError::Conflict(
        "every session filled up while registering: please try again".into(),
    ))
}

/// The usual way: the registration is stored with the others that arrive meanwhile
/// (`batch`), in the session the rule picks among the sessions this instance knows (the
/// seat `UPDATE` decides). `None`: not decided there, so the caller goes one by one.
async fn register_in_batch(
    ctx: &Context,
    webinar: &Webinar,
    new: &NewRegistration,
) -> AppResult<Option<Registered>> {
    let published = services::webinars::published(ctx, webinar.id).await?;
    let Ok((session, assignment)) = pick_session(webinar, &published.sessions, new) else {
        return Ok(None);
    };
    let registration = build(ctx, webinar, new, &session, assignment, None);
    let token = ctx.keys.manage_token(registration.id);
    let letter = Letter::for_registration(Kind::Confirmation, &registration, webinar, &session);
    let confirmation = Outgoing::new(ctx.settings.public_host(), webinar.id, &letter, "")?;
    Ok(
        match batch::store(ctx, registration, token_hash(&token), confirmation).await {
            RegistrationOutcome::Stored(registration) => {
                Some(Registered::Created(registration, token))
            }
            RegistrationOutcome::Duplicate => {
                match find_existing(ctx, webinar, &new.email).await? {
                    Some(existing) => {
                        send_link(ctx, webinar, &existing).await?;
                        Some(Registered::CheckEmail)
                    }
                    None => None,
                }
            }
            RegistrationOutcome::OneByOne => None,
        },
    )
}

/// The sessions whose lists a person who finds `session` full joins: that one first, then
/// the others they named, each once; in a fixed order, the order their rows are locked in.
fn lists_to_join(session: &Session, new: &NewRegistration) -> Vec<SessionId> {
    let mut ids = vec![session.id];
    for id in &new.also_wait_for {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    ids.sort_by_key(|id| id.0);
    ids
}

/// The session a person who found no seat would wait for: the one they chose, or the
/// one the rule picks when seats are not counted; none when the webinar keeps no lists.
fn session_to_wait_for(
    webinar: &Webinar,
    sessions: &[Session],
    new: &NewRegistration,
) -> AppResult<Option<(Session, Assignment)>> {
    if !webinar.waiting_list {
        return Ok(None);
    }
    Ok(match new.session_id {
        Some(id) => Some((waitable(sessions, id)?.clone(), Assignment::Chosen)),
        None => {
            let unlimited: Vec<Session> = sessions
                .iter()
                .map(|s| Session {
                    capacity: None,
                    ..s.clone()
                })
                .collect();
            recommended(webinar, &unlimited, new.time_zone)
                .map(|i| (sessions[i].clone(), Assignment::Auto))
        }
    })
}

/// Stores the registration as `waitlisted` at the end of the lists of `session` and of
/// the other sessions named (their rows are locked by the caller), then lets any free
/// seat among them go to the first in line, which may be this person.
async fn join_waiting_lists(
    ctx: &Context,
    mut tx: Work<'_>,
    webinar: &Webinar,
    new: &NewRegistration,
    sessions: &[Session],
    session: &Session,
    assignment: Assignment,
) -> AppResult<Registered> {
    let mut lists = vec![session.id];
    for id in &new.also_wait_for {
        let other = waitable(sessions, *id)?;
        if !lists.contains(&other.id) {
            lists.push(other.id);
        }
    }
    let mut registration = build(ctx, webinar, new, session, assignment, None);
    registration.status = RegistrationStatus::Waitlisted;
    let token = ctx.keys.manage_token(registration.id);
    if !db::registrations::insert_if_absent(tx.exec(), &registration, &token_hash(&token)).await? {
        tx.rollback().await?;
        if let Some(existing) = find_existing(ctx, webinar, &new.email).await? {
            send_link(ctx, webinar, &existing).await?;
        }
        return Ok(Registered::CheckEmail);
    }
    for id in &lists {
        db::waitlist::add(tx.exec(), registration.id, *id).await?;
    }
    for id in &lists {
        waitlist::seat_freed(&mut tx, webinar, *id).await?;
    }
    let registration = db::registrations::find(tx.exec(), webinar.id, registration.id)
        .await?
        .ok_or_else(|| AppError::not_found("registration"))?;
    if registration.status == RegistrationStatus::Waitlisted {
        let letter = Letter::for_registration(Kind::Waitlisted, &registration, webinar, session);
        tx.queue(webinar, &letter, "").await?;
    }
    tx.commit().await?;
    metrics::counter!("meridian_registrations_total", "status" => "waitlisted").increment(1);
    Ok(Registered::Created(Box::new(registration), token))
}

fn invitation_only() -> AppError {
    AppError::Forbidden(
        "registration for this webinar is by invitation only: if you were invited, \
         register with the address the invitation was sent to"
            .into(),
    )
}

/// An `approval` webinar: the registration waits as `pending`, holding no seat, in the
/// session the person chose or the rule picked; they are told it awaits approval.
async fn request_approval(
    ctx: &Context,
    webinar: &Webinar,
    new: &NewRegistration,
) -> AppResult<Registered> {
    let sessions = {
        let mut conn = ctx.db.conn().await?;
        db::sessions::list(conn.exec(), webinar.id).await?
    };
    let (session, assignment) = pick_session(webinar, &sessions, new)?;
    let mut registration = build(ctx, webinar, new, &session, assignment, None);
    registration.status = RegistrationStatus::Pending;
    let token = ctx.keys.manage_token(registration.id);
    let mut tx = ctx.begin().await?;
    if !db::registrations::insert_if_absent(tx.exec(), &registration, &token_hash(&token)).await? {
        tx.rollback().await?;
        if let Some(existing) = find_existing(ctx, webinar, &new.email).await? {
            send_link(ctx, webinar, &existing).await?;
        }
        return Ok(Registered::CheckEmail);
    }
    let letter = Letter::for_registration(Kind::Pending, &registration, webinar, &session);
    tx.queue(webinar, &letter, "").await?;
    tx.commit().await?;
    metrics::counter!("meridian_registrations_total", "status" => "pending").increment(1);
    Ok(Registered::Created(Box::new(registration), token))
}

async fn find_invitee(
    ctx: &Context,
    webinar: &Webinar,
    email: &EmailAddress,
) -> AppResult<Option<Invitee>> {
    let mut conn = ctx.db.conn().await?;
    let Some(link) = db::invitees::find_link(conn.exec(), webinar.id, email).await? else {
        return Ok(None);
    };
    Ok(db::invitees::find(conn.exec(), webinar.id, InviteeId(link.id)).await?)
}

/// Someone asked to register an address on the invitee list. Nothing is registered in
/// the caller's name and nothing from the list is shown to them: the invitee gets their
/// invitation now (in the session asked for when it can be booked), with the personal
/// link through which they confirm, switch or decline.
async fn invite_on_request(
    ctx: &Context,
    webinar: &Webinar,
    invitee: &Invitee,
    wished: Option<SessionId>,
) -> AppResult<()> {
    let sessions = {
        let mut conn = ctx.db.conn().await?;
        db::sessions::list(conn.exec(), webinar.id).await?
    };
    let mut new = invitations::new_registration(invitee);
    new.session_id = wished.filter(|id| bookable(&sessions, *id).is_ok());
    let (session, assignment) = pick_session(webinar, &sessions, &new)?;
    let mut tx = ctx.begin().await?;
    if !db::sessions::take_seat(tx.exec(), session.id).await? {
        return Err(full(&session));
    }
    let mut registration = build(ctx, webinar, &new, &session, assignment, Some(invitee.id));
    registration.status = RegistrationStatus::Invited;
    let token = ctx.keys.manage_token(registration.id);
    if !db::registrations::insert_if_absent(tx.exec(), &registration, &token_hash(&token)).await? {
        // Invited or registered meanwhile: the owner gets that registration's link.
        tx.rollback().await?;
        if let Some(existing) = find_existing(ctx, webinar, &invitee.email).await? {
            send_link(ctx, webinar, &existing).await?;
        }
        return Ok(());
    }
    let letter = Letter::for_registration(Kind::Invitation, &registration, webinar, &session);
    tx.queue(webinar, &letter, "").await?;
    tx.listing_changed(webinar.id);
    tx.commit().await?;
    Ok(())
}

/// The registrant (only) gets their personal link by email, at most once an hour per
/// registration, so neither the registration form nor the join page's "email me my
/// link" can be used to flood an inbox.
pub async fn send_link(ctx: &Context, webinar: &Webinar, r: &Registration) -> AppResult<()> {
    let mut tx = ctx.begin().await?;
    let Some(session) = db::sessions::find(tx.exec(), webinar.id, r.session_id).await? else {
        return Ok(());
    };
    let letter = Letter::for_registration(Kind::ManageLink, r, webinar, &session);
    let hour = Utc::now().timestamp() / 3600;
    tx.queue(webinar, &letter, &format!(":{hour}")).await?;
    tx.commit().await?;
    Ok(())
}

async fn find_existing(
    ctx: &Context,
    webinar: &Webinar,
    email: &EmailAddress,
) -> AppResult<Option<Registration>> {
    let mut conn = ctx.db.conn().await?;
    Ok(db::registrations::find_by_email(conn.exec(), webinar.id, email).await?)
}

fn pick_session(
    webinar: &Webinar,
    sessions: &[Session],
    new: &NewRegistration,
) -> AppResult<(Session, Assignment)> {
    match new.session_id {
        Some(id) => {
            let session = bookable(sessions, id)?;
            Ok((session.clone(), Assignment::Chosen))
        }
        None => {
            let index = recommended(webinar, sessions, new.time_zone).ok_or_else(|| {
                AppError::Conflict("no session of this webinar has seats left".into())
            })?;
            Ok((sessions[index].clone(), Assignment::Auto))
        }
    }
}

/// Where in `sessions` the rule's session for someone in `tz` is, if any is available.
pub fn recommended(webinar: &Webinar, sessions: &[Session], tz: TimeZone) -> Option<usize> {
    let pick = recommend(webinar, sessions, tz)?;
    sessions.iter().position(|s| s.id.0 == pick.session_id)
}

pub fn recommend(webinar: &Webinar, sessions: &[Session], tz: TimeZone) -> Option<Recommendation> {
    let now = Utc::now();
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    assignment::recommend(&webinar.rules, tz.0, &candidates)
}

/// Whether `session` falls outside working hours for someone in `tz`.
pub fn outside_working_hours(webinar: &Webinar, session: &Session, tz: TimeZone) -> bool {
    let candidate = session.candidate(Utc::now());
    !assignment::evaluate(&webinar.rules, tz.0, &[candidate])
        .first()
        .is_some_and(|s| s.suitable)
}

/// The session with `id`, if a new registration may go there now; else a 404 or 409 that says why.
fn bookable(sessions: &[Session], id: SessionId) -> AppResult<&Session> {
    let session = waitable(sessions, id)?;
    if session.seats_left() == Some(0) {
        return Err(full(session));
    }
    Ok(session)
}

/// The session with `id`, if one may register for it or wait for a seat in it: scheduled
/// and not started; else a 404 or 409 that says why.
fn waitable(sessions: &[Session], id: SessionId) -> AppResult<&Session> {
    let session = sessions.iter().find(|s| s.id == id).ok_or_else(|| {
        AppError::NotFound(format!("session {id} is not a session of this webinar"))
    })?;
    if session.status == SessionStatus::Cancelled {
        return Err(AppError::Conflict(format!(
            "session {:?} has been cancelled",
            session.label
        )));
    }
    if session.starts_at <= Utc::now() {
        return Err(AppError::Conflict(format!(
            "session {:?} has already started",
            session.label
        )));
    }
    Ok(session)
}

fn full(session: &Session) -> AppError {
    AppError::Conflict(format!(
        "session {:?} is full: choose another session",
        session.label
    ))
}

pub fn build(
    ctx: &Context,
    webinar: &Webinar,
    new: &NewRegistration,
    session: &Session,
    assignment: Assignment,
    invitee_id: Option<InviteeId>,
) -> Registration {
    // Ordered by creation time (UUIDv7): a batch's rows land side by side in the indexes
    // led by the id (the primary key, the calendar UID, the confirmation's key) instead
    // of on a page each, which is what the write-ahead log pays for.
    let id = RegistrationId(uuid::Uuid::now_v7());
    Registration {
        id,
        webinar_id: webinar.id,
        session_id: session.id,
        invitee_id,
        name: new.name.as_str().to_string(),
        email: new.email.clone(),
        organization: new.organization.clone(),
        role: new.role.clone(),
        country: new.country.clone(),
        time_zone: new.time_zone,
        language: new.language.unwrap_or_else(|| webinar.default_language()),
        status: RegistrationStatus::Registered,
        assignment,
        outside_working_hours: outside_working_hours(webinar, session, new.time_zone),
        share_in_participant_list: new.share_in_participant_list,
        calendar_uid: calendar_uid(ctx, id),
        calendar_sequence: 0,
        created_at: Utc::now(),
        answer: Default::default(),
    }
}

/// One stable UID per registration, under the host of the public URL.
pub fn calendar_uid(ctx: &Context, id: RegistrationId) -> String {
    format!("registration-{id}@{}", ctx.settings.public_host())
}

/// A registration found by its manage token, with its webinar.
pub async fn by_token(ctx: &Context, token: &str) -> AppResult<(Registration, Webinar)> {
    let mut conn = ctx.db.conn().await?;
    let registration = db::registrations::find_by_token(conn.exec(), &token_hash(token))
        .await?
        .ok_or_else(|| AppError::not_found("registration"))?;
    let webinar = db::webinars::find(conn.exec(), registration.webinar_id)
        .await?
        .ok_or_else(|| AppError::not_found("webinar"))?;
    Ok((registration, webinar))
}

/// A registration found by its join token (which is checked without a lookup).
pub async fn by_join_token(ctx: &Context, token: &str) -> AppResult<(Registration, Webinar)> {
    let not_found = || {
        AppError::NotFound(
            "this join link is not valid: use the link in your latest email from the organizers"
                .into(),
        )
    };
    let id = ctx.keys.check_join_token(token).ok_or_else(not_found)?;
    let mut conn = ctx.db.conn().await?;
    let registration = db::registrations::get(conn.exec(), id)
        .await?
        .ok_or_else(not_found)?;
    let webinar = db::webinars::find(conn.exec(), registration.webinar_id)
        .await?
        .ok_or_else(not_found)?;
    Ok((registration, webinar))
}

async fn locked(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    id: RegistrationId,
) -> AppResult<Registration> {
    db::registrations::find_for_update(tx.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("registration"))
}

/// Moves the registration to `session_id` (also confirming an invitation or taking
/// back a cancellation); the calendar sequence rises when the time changes.
#[tracing::instrument(skip_all)]
pub async fn switch(ctx: &Context, token: &str, session_id: SessionId) -> AppResult<Registration> {
    let (registration, webinar) = by_token(ctx, token).await?;
    check_email_budget(ctx, &registration).await?;
    move_registration(ctx, &webinar, None, registration.id, session_id).await
}

/// Emails about one registration, and to one address, within an hour before the
/// registrant's own changes are refused: whoever holds a manage link (it may have been
/// made with someone else's address) cannot turn Meridian into a mail cannon.
const EMAILS_PER_REGISTRATION_PER_HOUR: i64 = 6;
const EMAILS_PER_ADDRESS_PER_HOUR: i64 = 20;

async fn check_email_budget(ctx: &Context, r: &Registration) -> AppResult<()> {
    let since = Utc::now() - chrono::Duration::hours(1);
    let prefix = format!("{}:", r.calendar_uid);
    let (to_address, about_this) = {
        let mut conn = ctx.db.conn().await?;
        db::outbox::recent(conn.exec(), r.email.as_str(), &prefix, since).await?
    };
    if about_this >= EMAILS_PER_REGISTRATION_PER_HOUR || to_address >= EMAILS_PER_ADDRESS_PER_HOUR {
        return Err(AppError::TooManyRequests {
            message: "this registration has changed too often in the last hour: \
                      please try again later"
                .into(),
            retry_after: 3600,
        });
    }
    Ok(())
}

/// Moves registration `id` to `session_id`: the registrant's switch, or the organizer's move.
/// The organizer moves a registration to another session (recorded in the audit trail).
pub async fn move_to(
    ctx: &Context,
    webinar: &Access,
    id: RegistrationId,
    session_id: SessionId,
) -> AppResult<Registration> {
    move_registration(ctx, webinar, Some(webinar), id, session_id).await
}

#[tracing::instrument(skip_all, fields(registration = %id))]
async fn move_registration(
    ctx: &Context,
    webinar: &Webinar,
    by: Option<&Access>,
    id: RegistrationId,
    session_id: SessionId,
) -> AppResult<Registration> {
    let mut tx = ctx.begin().await?;
    match move_in(&mut tx, webinar, by, id, session_id).await {
        Ok(registration) => {
            tx.commit().await?;
            Ok(registration)
        }
        Err(refused) => {
            // Rolled back before answering: a dropped PostgreSQL transaction keeps its row
            // locks until its connection is used again, and a waiting person whose row is
            // still locked is skipped (SKIP LOCKED) by a seat freed meanwhile.
            tx.rollback().await?;
            Err(refused)
        }
    }
}

/// `move_registration` inside the caller's transaction (a calendar's new time proposed
/// moves the person with the answer that asked for it). A refusal (full, not bookable)
/// comes before anything is written.
pub(crate) async fn move_in(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    by: Option<&Access>,
    id: RegistrationId,
    session_id: SessionId,
) -> AppResult<Registration> {
    let webinar = webinar.clone();
    let mut registration = locked(tx, &webinar, id).await?;
    let same = registration.session_id == session_id;
    if same && registration.status == RegistrationStatus::Registered {
        return Ok(registration);
    }
    let sessions = db::sessions::list(tx.exec(), webinar.id).await?;
    // Declined (or delegated) in the person's calendar, not by the organizers: their
    // link takes them back.
    let declined_in_calendar = registration.status == RegistrationStatus::Declined
        && matches!(
            registration.answer.answer,
            Answer::Declined | Answer::Delegated
        );
    match registration.status {
        RegistrationStatus::Declined if !declined_in_calendar => {
            return Err(AppError::Conflict(
                "the organizers did not approve this registration".into(),
            ));
        }
        // Waiting for approval, or coming back on an `approval` webinar without an
        // invitation: only the wish is recorded, no seat is taken until approved.
        RegistrationStatus::Pending | RegistrationStatus::Cancelled
            if registration.status == RegistrationStatus::Pending
                || (webinar.registration_policy == RegistrationPolicy::Approval
                    && registration.invitee_id.is_none()) =>
        {
            let target = bookable(&sessions, session_id)?.clone();
            let returning = registration.status == RegistrationStatus::Cancelled;
            registration.status = RegistrationStatus::Pending;
            registration.session_id = target.id;
            registration.assignment = Assignment::Chosen;
            registration.outside_working_hours =
                outside_working_hours(&webinar, &target, registration.time_zone);
            db::registrations::update(tx.exec(), &registration).await?;
            if returning {
                let letter =
                    Letter::for_registration(Kind::Pending, &registration, &webinar, &target);
                tx.queue(&webinar, &letter, "").await?;
            }
            return Ok(registration);
        }
        _ => {}
    }
    if same && registration.status == RegistrationStatus::Invited {
        registration.status = RegistrationStatus::Registered;
        db::registrations::update(tx.exec(), &registration).await?;
        if let Some(session) = sessions.iter().find(|s| s.id == session_id) {
            let letter =
                Letter::for_registration(Kind::Confirmation, &registration, &webinar, session);
            tx.queue(&webinar, &letter, "").await?;
        }
        return Ok(registration);
    }
    let target = bookable(&sessions, session_id)?.clone();
    let previous = sessions
        .iter()
        .find(|s| s.id == registration.session_id)
        .cloned();
    let had_seat = registration.status.holds_seat();
    if declined_in_calendar {
        let answer = CalendarAnswer {
            address_bounced: registration.answer.address_bounced,
            ..Default::default()
        };
        db::answers::set_answer(tx.exec(), Who::Registration(registration.id.0), &answer).await?;
        registration.answer = answer;
    }
    if webinar.waiting_list {
        db::waitlist::lock_session(tx.exec(), target.id).await?;
        if db::waitlist::waiting(tx.exec(), target.id).await? > 0 {
            return Err(full(&target));
        }
    }
    if !db::sessions::take_seat(tx.exec(), target.id).await? {
        return Err(full(&target));
    }
    if had_seat {
        db::sessions::release_seat(tx.exec(), registration.session_id).await?;
    }
    if registration.status == RegistrationStatus::Waitlisted {
        db::waitlist::leave_all(tx.exec(), registration.id).await?;
    }
    let left = registration.session_id;
    registration.session_id = target.id;
    registration.status = RegistrationStatus::Registered;
    registration.assignment = Assignment::Chosen;
    registration.outside_working_hours =
        outside_working_hours(&webinar, &target, registration.time_zone);
    registration.calendar_sequence += 1;
    db::registrations::update(tx.exec(), &registration).await?;
    if had_seat {
        waitlist::seat_freed(tx, &webinar, left).await?;
    }
    let letter = match previous {
        Some(previous) if had_seat => {
            Letter::for_registration(Kind::Switched, &registration, &webinar, &target)
                .was(&previous)
        }
        _ => Letter::for_registration(Kind::Confirmation, &registration, &webinar, &target),
    };
    tx.queue(&webinar, &letter, "").await?;
    tx.listing_changed(webinar.id);
    if let Some(by) = by {
        tx.audit(
            by,
            "registration.moved",
            &format!(
                "moved {} to session {session_id}",
                registration.email.as_str()
            ),
        )
        .await?;
    }
    Ok(registration)
}

/// The registrant agrees (or no longer agrees) to be named in the shareable list.
#[tracing::instrument(skip_all)]
pub async fn set_consent(ctx: &Context, token: &str, share: bool) -> AppResult<Registration> {
    let (mut registration, _) = by_token(ctx, token).await?;
    let mut tx = ctx.begin().await?;
    db::registrations::set_share(tx.exec(), registration.id, share).await?;
    tx.commit().await?;
    registration.share_in_participant_list = share;
    Ok(registration)
}

/// Cancels the registration and frees its seat; cancelling twice changes nothing.
#[tracing::instrument(skip_all)]
pub async fn cancel(ctx: &Context, token: &str) -> AppResult<Registration> {
    let (registration, webinar) = by_token(ctx, token).await?;
    check_email_budget(ctx, &registration).await?;
    let mut tx = ctx.begin().await?;
    let mut registration = locked(&mut tx, &webinar, registration.id).await?;
    if matches!(
        registration.status,
        RegistrationStatus::Cancelled | RegistrationStatus::Declined
    ) {
        return Ok(registration);
    }
    let was_waiting = registration.status == RegistrationStatus::Waitlisted;
    release(
        &mut tx,
        &webinar,
        &mut registration,
        RegistrationStatus::Cancelled,
    )
    .await?;
    if was_waiting {
        // No calendar event was sent: leaving the lists is all there is to undo.
        db::registrations::update(tx.exec(), &registration).await?;
        tx.commit().await?;
        return Ok(registration);
    }
    registration.calendar_sequence += 1;
    db::registrations::update(tx.exec(), &registration).await?;
    if let Some(session) =
        db::sessions::find(tx.exec(), webinar.id, registration.session_id).await?
    {
        let letter = Letter::for_registration(Kind::Cancelled, &registration, &webinar, &session);
        tx.queue(&webinar, &letter, "").await?;
    }
    tx.listing_changed(webinar.id);
    tx.commit().await?;
    Ok(registration)
}

/// Gives back the seat `registration` holds, if any (the first person waiting for the
/// session takes it), or its places on waiting lists, and gives it `status` (cancelled,
/// or declined in the person's calendar): the one place a seat is freed by its holder.
/// The caller writes the registration.
pub async fn release(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    registration: &mut Registration,
    status: RegistrationStatus,
) -> AppResult<()> {
    let had_seat = registration.status.holds_seat();
    if registration.status == RegistrationStatus::Waitlisted {
        db::waitlist::leave_all(tx.exec(), registration.id).await?;
    }
    if had_seat {
        db::sessions::release_seat(tx.exec(), registration.session_id).await?;
        tx.listing_changed(webinar.id);
    }
    registration.status = status;
    if had_seat {
        // The first person waiting for the session takes the seat, in this transaction.
        waitlist::seat_freed(tx, webinar, registration.session_id).await?;
    }
    Ok(())
}

/// A calendar answer DELEGATED to `delegate`: the delegator's seat passes to a
/// registration of the delegate's own (`invited`, the same session, the delegator's
/// language and zone, their own links), who is sent an invitation (REQUEST); the
/// delegator becomes `declined` (their link can take them back while seats are left).
/// The seat changes hands without being freed: nobody waiting takes it in between,
/// and a full session can be delegated too. `Err` says why nothing was done (the
/// answer is then held for the organizer). The caller records the delegator's answer.
pub async fn delegate(
    tx: &mut Work<'_>,
    ctx: &Context,
    webinar: &Webinar,
    id: RegistrationId,
    to: &EmailAddress,
) -> AppResult<Result<Registration, String>> {
    let mut delegator = locked(tx, webinar, id).await?;
    if !delegator.status.holds_seat() {
        return Ok(Err(format!(
            "the registration of {} is {}: it has no seat to hand over",
            delegator.email.as_str(),
            delegator.status.as_str()
        )));
    }
    if let Some(existing) = db::registrations::find_by_email(tx.exec(), webinar.id, to).await? {
        return Ok(Err(format!(
            "the delegate {} is already registered ({})",
            to.as_str(),
            existing.status.as_str()
        )));
    }
    let Some(session) = db::sessions::find(tx.exec(), webinar.id, delegator.session_id).await?
    else {
        return Err(AppError::not_found("session"));
    };
    // The calendar names the delegate by address only.
    let Ok(name) = PersonName::parse(to.as_str()) else {
        return Ok(Err(format!(
            "the delegate's address {} is too long",
            to.as_str()
        )));
    };
    let new = NewRegistration {
        name,
        email: to.clone(),
        organization: None,
        role: None,
        country: None,
        time_zone: delegator.time_zone,
        language: Some(delegator.language),
        session_id: Some(session.id),
        share_in_participant_list: false,
        also_wait_for: Vec::new(),
    };
    let mut registration = build(ctx, webinar, &new, &session, delegator.assignment, None);
    registration.status = RegistrationStatus::Invited;
    let token = ctx.keys.manage_token(registration.id);
    if !db::registrations::insert_if_absent(tx.exec(), &registration, &token_hash(&token)).await? {
        return Ok(Err(format!(
            "the delegate {} registered meanwhile",
            to.as_str()
        )));
    }
    delegator.status = RegistrationStatus::Declined;
    db::registrations::update(tx.exec(), &delegator).await?;
    let letter = Letter::for_registration(Kind::Invitation, &registration, webinar, &session);
    tx.queue(webinar, &letter, "").await?;
    Ok(Ok(registration))
}

/// The organizers' answer to registrations waiting for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Decline,
}

/// What a decision changed: the registrations decided, and the ones left as they were.
#[derive(Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct DecisionReport {
    /// Registrations approved (now `registered`) or declined (now `declined`).
    pub decided: Vec<uuid::Uuid>,
    /// Registrations left unchanged, each with the reason.
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub registration_id: uuid::Uuid,
    pub reason: String,
}

/// Approves (takes a seat in the session asked for, confirms with a calendar
/// invitation) or declines pending registrations, each emailed in their language.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, count = ids.len()))]
pub async fn decide(
    ctx: &Context,
    webinar: &Access,
    ids: &[RegistrationId],
    decision: Decision,
) -> AppResult<DecisionReport> {
    let mut report = DecisionReport::default();
    let mut tx = ctx.begin().await?;
    let sessions = db::sessions::list(tx.exec(), webinar.id).await?;
    for &id in ids {
        let skip = |reason: &str| Skipped {
            registration_id: id.0,
            reason: reason.to_string(),
        };
        let Some(mut r) = db::registrations::find(tx.exec(), webinar.id, id).await? else {
            report
                .skipped
                .push(skip("not a registration of this webinar"));
            continue;
        };
        if r.status != RegistrationStatus::Pending {
            report.skipped.push(skip(&format!(
                "not waiting for approval (it is {})",
                r.status.as_str()
            )));
            continue;
        }
        let Some(session) = sessions.iter().find(|s| s.id == r.session_id) else {
            report.skipped.push(skip("its session no longer exists"));
            continue;
        };
        let kind = match decision {
            Decision::Approve => {
                if let Err(problem) = bookable(&sessions, session.id) {
                    report.skipped.push(skip(&problem.to_string()));
                    continue;
                }
                if !db::sessions::take_seat(tx.exec(), session.id).await? {
                    report.skipped.push(skip(&full(session).to_string()));
                    continue;
                }
                r.status = RegistrationStatus::Registered;
                Kind::Confirmation
            }
            Decision::Decline => {
                r.status = RegistrationStatus::Declined;
                Kind::Declined
            }
        };
        db::registrations::update(tx.exec(), &r).await?;
        let letter = Letter::for_registration(kind, &r, webinar, session);
        tx.queue(webinar, &letter, "").await?;
        report.decided.push(id.0);
    }
    tx.listing_changed(webinar.id);
    tx.audit(
        webinar,
        "registrations.decided",
        &format!(
            "{} {} registration(s)",
            match decision {
                Decision::Approve => "approved",
                Decision::Decline => "declined",
            },
            ids.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
