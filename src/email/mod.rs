//! Email: letters queued in the outbox with the change that causes them, rendered in the
//! recipient's language with a calendar invitation, and delivered by a background worker.

pub mod letter;
pub mod message;
pub mod reminders;
pub mod render;
pub mod transport;
pub mod worker;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

use crate::calendar::Method;
use crate::db::{self, Exec};
use crate::domain::WebinarId;
use letter::Letter;

/// What the worker needs to deliver mail; shared through the app state.
pub struct Mailer {
    pub transport: transport::Transport,
    pub renderer: render::Renderer,
    /// Woken after a commit that queued mail, so delivery starts at once.
    pub wake: Notify,
    /// When the worker last finished a round (`/readyz` asks); `None` before the first.
    last_round: Mutex<Option<Instant>>,
}

impl Mailer {
    pub fn new(settings: &crate::config::MailSettings) -> anyhow::Result<Arc<Mailer>> {
        Ok(Arc::new(Mailer {
            transport: transport::Transport::from_settings(settings)?,
            renderer: render::Renderer::new(),
            wake: Notify::new(),
            last_round: Mutex::new(None),
        }))
    }

    /// The worker finished a round (looked for due mail and delivered what it found).
    pub fn round_finished(&self) {
        *self.last_round.lock().expect("never poisoned") = Some(Instant::now());
    }

    pub fn last_round(&self) -> Option<Instant> {
        *self.last_round.lock().expect("never poisoned")
    }
}

/// Queues `letter` in the caller's transaction; a letter already queued under the same
/// idempotency key (the same change) is not queued twice. True when queued.
pub async fn queue(
    mut ex: Exec<'_>,
    host: &str,
    webinar: WebinarId,
    letter: &Letter,
    extra: &str,
) -> anyhow::Result<bool> {
    // A later state of a calendar event (its sequence has risen) replaces what has not
    // gone out yet. A first state has nothing to replace, so new registrations and
    // invitations, the hot path, make no extra statement.
    // A DECLINECOUNTER states no new version of the event: it replaces nothing.
    if matches!(letter.kind.method(), Some(Method::Request | Method::Cancel)) && letter.sequence > 0
    {
        db::outbox::supersede(
            ex.reborrow(),
            letter.recipient(),
            &letter.event_key_prefix(),
        )
        .await?;
    }
    let outgoing = Outgoing::new(host, webinar, letter, extra)?;
    db::outbox::enqueue(ex, &outgoing.message()).await
}

/// A first letter about something (nothing it could replace) made ready for the outbox
/// before its transaction, so that many are queued with one statement
/// (`db::outbox::enqueue_many`, the registration batch); `queue` stores the same.
pub struct Outgoing {
    webinar: WebinarId,
    key: String,
    recipient: String,
    kind: &'static str,
    payload: String,
    message_id: String,
}

impl Outgoing {
    pub fn new(
        host: &str,
        webinar: WebinarId,
        letter: &Letter,
        extra: &str,
    ) -> anyhow::Result<Outgoing> {
        Ok(Outgoing {
            webinar,
            key: letter.idempotency_key(extra),
            recipient: letter.recipient().to_string(),
            kind: letter.kind.as_str(),
            payload: serde_json::to_string(letter)?,
            message_id: db::outbox::message_id(host),
        })
    }

    pub fn message(&self) -> db::outbox::NewMessage<'_> {
        db::outbox::NewMessage {
            webinar: self.webinar,
            idempotency_key: &self.key,
            recipient: &self.recipient,
            kind: self.kind,
            payload: &self.payload,
            message_id: &self.message_id,
        }
    }
}
