//! What the use cases run with: the database, the keys, the mail handle, the public
//! listing cache and the settings. `startup` builds it, the HTTP state wraps it, and the
//! services and background jobs take it; none of them sees HTTP.
//!
//! A change goes through a `Work` (one transaction): what it queued and what it changed
//! is remembered, and `Work::commit` does the after-commit steps in one place (wake the
//! mail worker, forget the public copy of a webinar that changed).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::config::Settings;
use crate::db::{self, Db, Exec, Tx};
use crate::domain::member::Access;
use crate::domain::registration::Registration;
use crate::domain::webinar::{Session, Webinar};
use crate::domain::{RegistrationId, SessionId, WebinarId};
use crate::email::{self, Mailer, Outgoing, letter::Letter};
use crate::error::AppResult;
use crate::security::Keys;

#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub keys: Keys,
    pub settings: Arc<Settings>,
    pub mailer: Arc<Mailer>,
    /// Public webinar listings, kept for a second (`services::webinars::published`).
    pub public: Arc<PublicCache>,
    /// Open registrations waiting to be stored together (`services::registrations`).
    pub registrations: Arc<Batches>,
}

impl Context {
    /// Starts a change: one transaction whose after-commit steps `Work::commit` takes.
    pub async fn begin(&self) -> AppResult<Work<'_>> {
        Ok(Work {
            ctx: self,
            tx: self.db.begin().await?,
            queued_mail: false,
            listing_changed: Vec::new(),
            seats_taken: Vec::new(),
        })
    }

    /// Starts delivery now for mail queued by a transaction that committed elsewhere.
    pub fn wake_mailer(&self) {
        self.mailer.wake.notify_one();
    }

    /// The private link where a registrant reads, switches or cancels the registration.
    pub fn manage_url(&self, id: RegistrationId) -> String {
        format!(
            "{}/r/{}",
            self.settings.server.public_url,
            self.keys.manage_token(id)
        )
    }

    /// The registrant's personal join link: records attendance, then opens the meeting.
    pub fn join_link(&self, id: RegistrationId) -> String {
        format!(
            "{}/j/{}",
            self.settings.server.public_url,
            self.keys.join_token(id)
        )
    }
}

/// One change in progress (a transaction), and what its commit must be followed by.
pub struct Work<'c> {
    ctx: &'c Context,
    tx: Tx,
    queued_mail: bool,
    listing_changed: Vec<WebinarId>,
    seats_taken: Vec<(WebinarId, SessionId, u32)>,
}

impl Work<'_> {
    pub fn exec(&mut self) -> Exec<'_> {
        self.tx.exec()
    }

    /// Queues `letter` in this transaction (the email goes out only if it commits);
    /// false when the same letter was queued before.
    pub async fn queue(
        &mut self,
        webinar: &Webinar,
        letter: &Letter,
        extra: &str,
    ) -> AppResult<bool> {
        self.queued_mail = true;
        Ok(email::queue(
            self.tx.exec(),
            self.ctx.settings.public_host(),
            webinar.id,
            letter,
            extra,
        )
        .await?)
    }

    /// Queues letters made ready beforehand (first letters about something, see
    /// [`Outgoing`]) with one statement per few hundred; answers how many were queued.
    pub async fn queue_many(&mut self, letters: &[&Outgoing]) -> AppResult<u64> {
        self.queued_mail = true;
        let messages: Vec<_> = letters.iter().map(|l| l.message()).collect();
        Ok(db::outbox::enqueue_many(self.tx.exec(), &messages).await?)
    }

    /// Records in the audit trail, in this transaction, that `access.actor` did `action`
    /// to the webinar (`summary` says what changed): if the change rolls back, so does this.
    pub async fn audit(&mut self, access: &Access, action: &str, summary: &str) -> AppResult<()> {
        Ok(db::audit::insert(
            self.tx.exec(),
            &db::audit::NewEvent {
                webinar: Some(access.webinar.id),
                organizer: Some(access.actor.id),
                actor: &access.actor.email,
                action,
                summary,
            },
        )
        .await?)
    }

    /// The public listing of `webinar` (sessions, seats) changes with this transaction.
    pub fn listing_changed(&mut self, webinar: WebinarId) {
        if !self.listing_changed.contains(&webinar) {
            self.listing_changed.push(webinar);
        }
    }

    /// Only the seats taken of `session` change with this transaction, to `taken`: the
    /// public copy is brought up to date instead of forgotten (registrations come many
    /// at a time, and each would otherwise send every reader back to the database).
    pub fn seats_taken(&mut self, webinar: WebinarId, session: SessionId, taken: u32) {
        self.seats_taken.push((webinar, session, taken));
    }

    /// Commits, then wakes the mail worker if mail was queued and forgets (or, for seats
    /// only, updates) the public copies of the webinars whose listing changed.
    pub async fn commit(self) -> AppResult<()> {
        self.tx.commit().await?;
        if self.queued_mail {
            self.ctx.wake_mailer();
        }
        for (webinar, session, taken) in self.seats_taken {
            self.ctx.public.seats_taken(webinar, session, taken);
        }
        for webinar in self.listing_changed {
            self.ctx.public.forget(webinar);
        }
        Ok(())
    }

    /// Undoes the transaction; nothing follows.
    pub async fn rollback(self) -> AppResult<()> {
        Ok(self.tx.rollback().await?)
    }
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
    entries: Mutex<HashMap<WebinarId, (Instant, Arc<Published>)>>,
}

const PUBLIC_FOR: Duration = Duration::from_secs(1);

impl PublicCache {
    pub fn get(&self, id: WebinarId) -> Option<Arc<Published>> {
        let entries = self
            .entries
            .lock()
            .expect("the cache lock is never poisoned");
        entries
            .get(&id)
            .filter(|(at, _)| at.elapsed() < PUBLIC_FOR)
            .map(|(_, p)| p.clone())
    }

    pub fn put(&self, id: WebinarId, published: Arc<Published>) {
        let mut entries = self
            .entries
            .lock()
            .expect("the cache lock is never poisoned");
        if entries.len() >= 1024 {
            entries.retain(|_, (at, _)| at.elapsed() < PUBLIC_FOR);
        }
        entries.insert(id, (Instant::now(), published));
    }

    /// Sets the seats taken of one session in the copy kept of its webinar, if any.
    pub fn seats_taken(&self, webinar: WebinarId, session: SessionId, taken: u32) {
        let mut entries = self
            .entries
            .lock()
            .expect("the cache lock is never poisoned");
        if let Some((_, published)) = entries.get_mut(&webinar)
            && published
                .sessions
                .iter()
                .any(|s| s.id == session && s.taken != taken)
        {
            let mut sessions = published.sessions.clone();
            for s in sessions.iter_mut().filter(|s| s.id == session) {
                s.taken = taken;
            }
            *published = Arc::new(Published {
                webinar: published.webinar.clone(),
                sessions,
            });
        }
    }

    /// Forgets a webinar that changed here, so the next reader sees the change.
    pub fn forget(&self, id: WebinarId) {
        self.entries
            .lock()
            .expect("the cache lock is never poisoned")
            .remove(&id);
    }
}

/// Open registrations waiting to be stored together (`services::registrations::batch`
/// writes them), and whether a task is writing batches: the queue is the instance's, so
/// it lives here beside the public cache.
#[derive(Default)]
pub struct Batches(pub(crate) Mutex<Waiting>);

#[derive(Default)]
pub(crate) struct Waiting {
    pub entries: Vec<RegistrationBatch>,
    pub writing: bool,
}

/// One registration, ready to store: its row, manage-token hash and confirmation.
pub struct RegistrationBatch {
    pub registration: Registration,
    pub token_hash: String,
    pub confirmation: Outgoing,
    pub done: oneshot::Sender<RegistrationOutcome>,
}

/// What became of a registration sent to be stored with others.
pub enum RegistrationOutcome {
    Stored(Box<Registration>),
    /// The email is registered in this webinar already (by someone in the same batch,
    /// or stored meanwhile); committed when this is told.
    Duplicate,
    /// Not decided here: take the one-by-one path.
    OneByOne,
}
