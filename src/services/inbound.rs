//! Mail that comes back, whichever way it arrives (IMAP, `meridian mail receive`, the
//! webhook): one processor. Each message is read (`inbound::read`), acted on and stored
//! in one transaction, by its Message-ID, so the same message twice changes nothing.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::context::{Context, Work};
use crate::db::{self, answers::Who, inbound::Stored};
use crate::domain::answer::{Answer as Partstat, CalendarAnswer, Order};
use crate::domain::member::Access;
use crate::domain::registration::RegistrationStatus;
use crate::domain::webinar::{CounterProposals, SessionStatus, Webinar};
use crate::domain::{ChairId, EmailAddress, RegistrationId, WebinarId};
use crate::email::letter::{Kind, Letter};
use crate::error::{AppError, AppResult};
use crate::inbound::{self, Content, Envelope, Limits, dsn::Bounce, itip};
use crate::services::registrations;

/// MIME parts (and attached messages) nested deeper than this are refused.
const MAX_DEPTH: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    Held,
    Ignored,
    Unreadable,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Held => "held",
            Self::Ignored => "ignored",
            Self::Unreadable => "unreadable",
        }
    }
}

/// What was read, kept with the message so that a held one can be applied later.
#[derive(Debug, Serialize, Deserialize)]
struct Details {
    envelope: Envelope,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<itip::Answer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bounce: Option<Bounce>,
}

/// What became of one message.
struct Decision {
    webinar: Option<WebinarId>,
    outcome: Outcome,
    reason: String,
}

fn decision(webinar: Option<WebinarId>, outcome: Outcome, reason: impl Into<String>) -> Decision {
    Decision {
        webinar,
        outcome,
        reason: reason.into(),
    }
}

/// Processes one raw message; a message processed before is answered as it was stored.
#[tracing::instrument(skip_all, fields(bytes = raw.len()))]
pub async fn receive(ctx: &Context, raw: &[u8]) -> AppResult<Stored> {
    let limits = Limits {
        max_bytes: ctx.settings.mail.inbound.max_bytes,
        max_depth: MAX_DEPTH,
        bounce_address: ctx
            .settings
            .mail
            .bounce_address
            .as_ref()
            .map(|a| a.to_string()),
        authserv_id: ctx.settings.mail.inbound.authserv_id.clone(),
    };
    let read = inbound::read(raw, &limits);
    let key = match &read.envelope.message_id {
        Some(id) => format!("<{}>", id.trim_matches(['<', '>'])),
        None => format!("sha256:{:x}", Sha256::digest(raw)),
    };
    {
        let mut conn = ctx.db.conn().await?;
        if let Some(stored) = db::inbound::find_by_key(conn.exec(), &key).await? {
            return Ok(stored);
        }
    }
    let mut tx = ctx.begin().await?;
    let mut details = Details {
        envelope: read.envelope.clone(),
        answer: None,
        bounce: None,
    };
    let (kind, d) = match read.content {
        Err(why) => ("unreadable", decision(None, Outcome::Unreadable, why)),
        Ok(Content::Answer(answer)) => {
            let d = take_answer(&mut tx, ctx, &read.envelope, &answer, false).await?;
            let kind = match answer.method {
                itip::Method::Reply => "answer",
                itip::Method::Counter => "counter",
            };
            details.answer = Some(answer);
            (kind, d)
        }
        Ok(Content::Bounce(bounce)) => {
            let d = take_bounce(&mut tx, ctx, &read.envelope, &bounce).await?;
            details.bounce = Some(bounce);
            ("bounce", d)
        }
        Ok(Content::AutoReply(why)) => (
            "auto_reply",
            decision(
                None,
                Outcome::Ignored,
                format!("an automatic reply ({why})"),
            ),
        ),
        Ok(Content::Other(why)) => ("other", decision(None, Outcome::Ignored, why)),
    };
    let stored = Stored {
        id: Uuid::new_v4(),
        message_key: key.clone(),
        webinar_id: d.webinar.map(|w| w.0),
        kind: kind.to_string(),
        outcome: d.outcome.as_str().to_string(),
        reason: d.reason,
        sender: read.envelope.from.clone(),
        subject: read.envelope.subject.clone(),
        details: serde_json::to_string(&details).map_err(anyhow::Error::from)?,
        received_at: Utc::now(),
        decided_at: None,
    };
    if !db::inbound::insert(tx.exec(), &stored).await? {
        // The same message, processed meanwhile elsewhere: nothing of this one counts.
        tx.rollback().await?;
        let mut conn = ctx.db.conn().await?;
        return db::inbound::find_by_key(conn.exec(), &key)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("inbound message vanished")));
    }
    tx.commit().await?;
    metrics::counter!("meridian_inbound_total", "kind" => kind, "outcome" => stored.outcome.clone())
        .increment(1);
    Ok(stored)
}

/// A calendar answer: found by its UID, then checked against the attendee and sender.
/// `trusted` is the organizer applying a held answer: who sent it no longer matters.
async fn take_answer(
    tx: &mut Work<'_>,
    ctx: &Context,
    envelope: &Envelope,
    a: &itip::Answer,
    trusted: bool,
) -> AppResult<Decision> {
    let Some((who, webinar_id)) = db::answers::find_uid(tx.exec(), &a.uid).await? else {
        return Ok(decision(
            None,
            Outcome::Ignored,
            format!("no invitation has the UID {:?}", a.uid),
        ));
    };
    let web = Some(webinar_id);
    let webinar = db::webinars::find(tx.exec(), webinar_id)
        .await?
        .ok_or_else(|| AppError::not_found("webinar"))?;
    let (email, sequence, taken) = match who {
        Who::Registration(id) => {
            let r = db::registrations::get(tx.exec(), RegistrationId(id))
                .await?
                .ok_or_else(|| AppError::not_found("registration"))?;
            (r.email.clone(), r.calendar_sequence, r.answer)
        }
        Who::Chair(id) => {
            let c = db::chairs::get(tx.exec(), ChairId(id))
                .await?
                .ok_or_else(|| AppError::not_found("chair"))?;
            (c.email.clone(), c.calendar_sequence, c.answer)
        }
    };
    if !trusted {
        if a.attendee != email.key() {
            return Ok(decision(
                web,
                Outcome::Held,
                format!(
                    "the answer speaks for {}, but this invitation went to {}",
                    a.attendee,
                    email.as_str()
                ),
            ));
        }
        if let Some(server) = &ctx.settings.mail.inbound.authserv_id
            && envelope.dmarc.as_deref() != Some("pass")
        {
            return Ok(decision(
                web,
                Outcome::Held,
                format!(
                    "{server} did not find dmarc=pass for it ({}): the sender is not proven",
                    envelope.dmarc.as_deref().unwrap_or("no result")
                ),
            ));
        }
        if !envelope.sent_by(&a.attendee) {
            return Ok(decision(
                web,
                Outcome::Held,
                format!(
                    "sent by {}, not by the attendee {} it speaks for",
                    envelope.from.as_deref().unwrap_or("an unknown sender"),
                    a.attendee
                ),
            ));
        }
    }
    if a.method == itip::Method::Counter {
        if let (Who::Registration(id), Some(start), false) = (who, a.proposed_start, trusted)
            && let Some(done) = counter(tx, &webinar, RegistrationId(id), start).await?
        {
            return Ok(decision(
                web,
                Outcome::Applied,
                format!("{} proposes the time of the {done}", a.attendee),
            ));
        }
        let when = a
            .proposed_start
            .map_or("an unreadable time".into(), |t| t.to_rfc3339());
        return Ok(decision(
            web,
            Outcome::Held,
            format!(
                "{} proposes a new time, {when}, when no other session starts",
                a.attendee
            ),
        ));
    }
    let Some(answer) = a.answer else {
        return Ok(decision(
            web,
            Outcome::Ignored,
            "the answer gives no participation status",
        ));
    };
    match taken.order(sequence, a.sequence, a.stamp) {
        Order::OldSequence => {
            return Ok(decision(
                web,
                Outcome::Ignored,
                format!(
                    "answers version {} of the invitation, which is at version {sequence}: \
                     recorded, nothing changed",
                    a.sequence
                ),
            ));
        }
        Order::Earlier => {
            return Ok(decision(
                web,
                Outcome::Ignored,
                "an earlier answer than the one already taken (DTSTAMP): nothing changed",
            ));
        }
        Order::Newer => {}
    }
    let delegation = answer == Partstat::Delegated;
    if delegation && !trusted && !(webinar.allow_delegation && matches!(who, Who::Registration(_)))
    {
        let why = match who {
            Who::Registration(_) => "the webinar does not allow delegation (allow_delegation)",
            Who::Chair(_) => "a chair's delegation is for the organizer to decide",
        };
        return Ok(decision(
            web,
            Outcome::Held,
            format!(
                "{} delegated to {}: {why}",
                a.attendee,
                a.delegated_to.join(", ")
            ),
        ));
    }
    let recorded = CalendarAnswer {
        answer,
        answered_at: Some(Utc::now()),
        comment: a.comment.clone(),
        sequence: Some(a.sequence),
        stamp: a.stamp,
        address_bounced: taken.address_bounced,
    };
    let reason = match who {
        Who::Registration(id) if delegation => {
            match delegate(tx, ctx, &webinar, RegistrationId(id), &a.delegated_to).await? {
                Ok(reason) => reason,
                Err(held) => return Ok(decision(web, Outcome::Held, held)),
            }
        }
        Who::Registration(id) => {
            match registration_answer(tx, &webinar, RegistrationId(id), answer, trusted).await? {
                Ok(reason) => reason,
                Err(held) => return Ok(decision(web, Outcome::Held, held)),
            }
        }
        Who::Chair(_) => format!("the chair answered {}", answer.as_str()),
    };
    db::answers::set_answer(tx.exec(), who, &recorded).await?;
    Ok(decision(web, Outcome::Applied, reason))
}

/// A COUNTER whose proposed start is that of another session with seats: per the
/// webinar's `counter_proposals`, the person is emailed their personal link to switch
/// (they decide), or moved there at once (the updated invitation is sent). What was
/// done, or `None` when no session starts then.
async fn counter(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    id: RegistrationId,
    start: chrono::DateTime<Utc>,
) -> AppResult<Option<String>> {
    let Some(r) = db::registrations::find(tx.exec(), webinar.id, id).await? else {
        return Ok(None);
    };
    let sessions = db::sessions::list(tx.exec(), webinar.id).await?;
    let Some(target) = sessions.iter().find(|s| {
        s.starts_at == start
            && s.id != r.session_id
            && s.status == SessionStatus::Scheduled
            && s.starts_at > Utc::now()
            && s.seats_left() != Some(0)
    }) else {
        return Ok(None);
    };
    if webinar.counter_proposals == CounterProposals::Switch && r.status.holds_seat() {
        // A refusal (someone waits for that seat, or it was taken meanwhile) comes before
        // anything is written: the person is then offered the switch instead.
        match registrations::move_in(tx, webinar, None, id, target.id).await {
            Ok(_) => {
                return Ok(Some(format!(
                    "{} session: they were moved there and sent the updated invitation",
                    target.label
                )));
            }
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let mut letter = Letter::for_registration(Kind::SwitchOffer, &r, webinar, target);
    letter.outside_working_hours = false;
    tx.queue(webinar, &letter, "").await?;
    Ok(Some(format!(
        "{} session: they were emailed their link to switch",
        target.label
    )))
}

/// A DELEGATED answer: the delegate named in DELEGATED-TO is invited in the person's
/// place; `Err` holds it for the organizer.
async fn delegate(
    tx: &mut Work<'_>,
    ctx: &Context,
    webinar: &Webinar,
    id: RegistrationId,
    to: &[String],
) -> AppResult<Result<String, String>> {
    let [to] = to else {
        return Ok(Err(format!(
            "delegated to {}: name exactly one delegate to invite",
            if to.is_empty() {
                "nobody".into()
            } else {
                to.join(", ")
            }
        )));
    };
    let Ok(address) = EmailAddress::parse(to) else {
        return Ok(Err(format!(
            "delegated to {to:?}, which is not an email address"
        )));
    };
    Ok(registrations::delegate(tx, ctx, webinar, id, &address)
        .await?
        .map(|r| format!("delegated: {} was invited in their place", r.email.as_str())))
}

/// What an answer does to a registration; `Err` holds it for the organizer.
async fn registration_answer(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    id: RegistrationId,
    answer: Partstat,
    trusted: bool,
) -> AppResult<Result<String, String>> {
    let mut r = db::registrations::find(tx.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("registration"))?;
    let status = r.status;
    let reason = match (answer, status) {
        (Partstat::Accepted, RegistrationStatus::Invited) => {
            // The invitation is confirmed as it stands: no second invitation goes out.
            r.status = RegistrationStatus::Registered;
            db::registrations::update(tx.exec(), &r).await?;
            "accepted: the invitation is now a registration".to_string()
        }
        (Partstat::Accepted, RegistrationStatus::Registered) => "accepted".to_string(),
        (Partstat::Accepted, _) if !trusted => {
            return Ok(Err(format!(
                "accepted, but the registration is {}: the person can register again \
                 through their personal link",
                status.as_str()
            )));
        }
        (Partstat::Declined, s) if s.holds_seat() || s == RegistrationStatus::Pending => {
            registrations::release(tx, webinar, &mut r, RegistrationStatus::Declined).await?;
            db::registrations::update(tx.exec(), &r).await?;
            "declined: the seat is free again".to_string()
        }
        (answer, _) => format!("answered {}", answer.as_str()),
    };
    Ok(Ok(reason))
}

/// A delivery status notification: the message it names, by VERP or by Message-ID.
async fn take_bounce(
    tx: &mut Work<'_>,
    ctx: &Context,
    envelope: &Envelope,
    b: &Bounce,
) -> AppResult<Decision> {
    let verp = ctx
        .settings
        .mail
        .bounce_address
        .as_ref()
        .and_then(|a| inbound::verp_id(&envelope.to, a.as_ref()));
    let message_id = b
        .original_message_id
        .as_deref()
        .map(|m| format!("<{}>", m.trim_matches(['<', '>'])));
    let Some(sent) = db::outbox::find_sent(tx.exec(), verp, message_id.as_deref()).await? else {
        return Ok(decision(
            None,
            Outcome::Ignored,
            "a bounce about no message Meridian sent",
        ));
    };
    let web = Some(WebinarId(sent.webinar_id));
    let status = b.status.as_deref().unwrap_or("no status");
    if !b.permanent {
        return Ok(decision(
            web,
            Outcome::Ignored,
            format!(
                "a delay or temporary failure ({status}) for {}: the mail server keeps trying",
                sent.recipient
            ),
        ));
    }
    db::outbox::mark_bounced(
        tx.exec(),
        sent.id,
        b.status.as_deref(),
        b.diagnostic.as_deref(),
    )
    .await?;
    if let Ok(email) = EmailAddress::parse(&sent.recipient) {
        db::answers::set_bounced(tx.exec(), WebinarId(sent.webinar_id), &email).await?;
    }
    Ok(decision(
        web,
        Outcome::Applied,
        format!(
            "the message to {} bounced ({status}){}",
            sent.recipient,
            b.diagnostic
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ),
    ))
}

/// The messages processed for `webinar`, newest first.
pub async fn list(ctx: &Context, webinar: &Webinar) -> AppResult<Vec<Stored>> {
    let mut conn = ctx.db.conn().await?;
    Ok(db::inbound::list(conn.exec(), webinar.id).await?)
}

/// The organizer applies a held message as if its sender had been the attendee.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, message = %id))]
pub async fn apply(ctx: &Context, webinar: &Access, id: Uuid) -> AppResult<Stored> {
    let mut tx = ctx.begin().await?;
    let stored = held(&mut tx, webinar, id).await?;
    let details: Details =
        serde_json::from_str(&stored.details).map_err(|e| AppError::Internal(e.into()))?;
    let Some(answer) = details.answer else {
        return Err(AppError::Conflict(
            "only calendar answers can be applied".into(),
        ));
    };
    if answer.method == itip::Method::Counter {
        return Err(AppError::Conflict(
            "a proposal of a new time is answered by switching the person's session, or \
             dismissed"
                .into(),
        ));
    }
    let d = take_answer(&mut tx, ctx, &details.envelope, &answer, true).await?;
    let (outcome, reason) = match d.outcome {
        Outcome::Applied => ("applied", format!("applied by the organizer: {}", d.reason)),
        _ => (
            "ignored",
            format!("applied by the organizer, but {}", d.reason),
        ),
    };
    db::inbound::decide(tx.exec(), id, outcome, &reason).await?;
    tx.audit(
        webinar,
        "inbound.applied",
        &format!(
            "applied held message {id} from {}: {reason}",
            stored.sender.as_deref().unwrap_or("an unknown sender")
        ),
    )
    .await?;
    let after = db::inbound::find(tx.exec(), webinar.id, id).await?;
    tx.commit().await?;
    after.ok_or_else(|| AppError::not_found("inbound message"))
}

/// The organizer sets a held message aside; nothing changes, except that a new time
/// proposed (COUNTER) is declined: the person gets METHOD:DECLINECOUNTER.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, message = %id))]
pub async fn dismiss(ctx: &Context, webinar: &Access, id: Uuid) -> AppResult<Stored> {
    let mut tx = ctx.begin().await?;
    let stored = held(&mut tx, webinar, id).await?;
    let details: Details =
        serde_json::from_str(&stored.details).map_err(|e| AppError::Internal(e.into()))?;
    let reason = match details.answer {
        Some(a)
            if a.method == itip::Method::Counter
                && decline_counter(&mut tx, webinar, &a).await? =>
        {
            "the new time was declined by the organizer (DECLINECOUNTER sent)"
        }
        _ => "dismissed by the organizer",
    };
    db::inbound::decide(tx.exec(), id, "ignored", reason).await?;
    tx.audit(
        webinar,
        "inbound.dismissed",
        &format!(
            "held message {id} from {}: {reason}",
            stored.sender.as_deref().unwrap_or("an unknown sender")
        ),
    )
    .await?;
    let after = db::inbound::find(tx.exec(), webinar.id, id).await?;
    tx.commit().await?;
    after.ok_or_else(|| AppError::not_found("inbound message"))
}

/// Queues METHOD:DECLINECOUNTER to the registrant whose event the proposal was about;
/// false when it names no registration of this webinar.
async fn decline_counter(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    a: &itip::Answer,
) -> AppResult<bool> {
    let Some((Who::Registration(id), webinar_id)) =
        db::answers::find_uid(tx.exec(), &a.uid).await?
    else {
        return Ok(false);
    };
    if webinar_id != webinar.id {
        return Ok(false);
    }
    let Some(r) = db::registrations::find(tx.exec(), webinar.id, RegistrationId(id)).await? else {
        return Ok(false);
    };
    let Some(session) = db::sessions::find(tx.exec(), webinar.id, r.session_id).await? else {
        return Ok(false);
    };
    let letter = Letter::for_registration(Kind::CounterDeclined, &r, webinar, &session);
    let stamp = a.stamp.map(|s| s.timestamp()).unwrap_or_default();
    tx.queue(webinar, &letter, &format!(":{stamp}")).await?;
    Ok(true)
}

async fn held(tx: &mut Work<'_>, webinar: &Webinar, id: Uuid) -> AppResult<Stored> {
    let stored = db::inbound::find(tx.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("inbound message"))?;
    if stored.outcome != "held" {
        return Err(AppError::Conflict(format!(
            "this message is {}, not held: only held messages are applied or dismissed",
            stored.outcome
        )));
    }
    Ok(stored)
}
