//! The delivery worker: claims due messages from the outbox under a lease, renders and
//! sends them, and records the outcome. A message whose sending was not confirmed (the
//! process died, the lease ran out) is claimed again, so nothing queued is lost.

use std::time::Duration;

use chrono::Utc;
use lettre::message::Mailbox;
use tokio::sync::watch;

use super::letter::Letter;
use super::render::{RenderContext, Rendered};
use super::transport::SendError;
use super::{message, reminders};
use crate::db::{self, outbox::Claimed};
use std::collections::HashMap;

use uuid::Uuid;

use crate::context::Context;
use crate::domain::material::{self, Material};
use crate::domain::{RegistrationId, WebinarId};

/// Messages claimed at once; sent side by side over the SMTP pool.
const BATCH: i64 = 128;
/// Retries never wait longer than this.
const MAX_BACKOFF_MS: u64 = 3_600_000;

/// Delivery lanes: while a lane waits on the database (claiming, recording) or renders,
/// the others keep the SMTP connections busy. A batch's sends end one by one, leaving
/// connections idle until its slowest; with two lanes a 50,000-invitation fan-out ran at
/// 74% of a plain client's rate, with four at 74-85%, 80% on average
/// (`benches/invitations.rs`, docs/PERFORMANCE.md). Up to
/// `LANES * BATCH` messages are claimed at once, and sent again if the process dies; a
/// send waits for one of the `SMTP_CONNECTIONS`, so it starts only while its claim has
/// `mail.send_timeout_secs` left (`Transport::send`).
const LANES: usize = 4;

/// Runs until `stop` turns true.
pub async fn run(ctx: Context, stop: watch::Receiver<bool>) {
    let lanes: Vec<_> = (0..LANES)
        .map(|lane| tokio::spawn(run_lane(ctx.clone(), stop.clone(), lane == 0)))
        .collect();
    for lane in lanes {
        let _ = lane.await;
    }
}

async fn run_lane(ctx: Context, mut stop: watch::Receiver<bool>, queues_reminders: bool) {
    let poll = Duration::from_millis(ctx.settings.mail.poll_interval_ms);
    loop {
        if queues_reminders && let Err(e) = reminders::queue_due(&ctx).await {
            tracing::error!(error = format!("{e:#}"), "queueing reminders failed");
        }
        let delivered = match deliver_due(&ctx).await {
            Ok(n) => {
                ctx.mailer.round_finished();
                n
            }
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "email delivery failed");
                0
            }
        };
        if *stop.borrow() {
            return;
        }
        if delivered == BATCH as usize {
            // A full batch: there is likely more, so bring another lane in.
            ctx.mailer.wake.notify_one();
        } else if delivered == 0 {
            tokio::select! {
                _ = ctx.mailer.wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = stop.changed() => return,
            }
        }
    }
}

/// Delivers one batch of due messages; returns how many were attempted.
#[tracing::instrument(skip_all)]
pub async fn deliver_due(ctx: &Context) -> anyhow::Result<usize> {
    Ok(deliver_batch(ctx, false).await?.attempted)
}

/// Queues the reminders that are due and delivers every due message now, on the caller's
/// task, until a round sends nothing; returns the messages sent, in order. With
/// `mail.worker` off this is the only sender, so a test sees at once what was sent and
/// that nothing more was, without waiting for a worker.
#[tracing::instrument(skip_all)]
pub async fn drain(ctx: &Context) -> anyhow::Result<Vec<lettre::Message>> {
    reminders::queue_due(ctx).await?;
    let mut sent = Vec::new();
    loop {
        // A message sent can let the same person's next one go; one that failed is not
        // tried again here (its retry is not due yet, or it failed for good).
        let batch = deliver_batch(ctx, true).await?;
        if batch.sent.is_empty() {
            return Ok(sent);
        }
        sent.extend(batch.sent);
    }
}

struct Batch {
    attempted: usize,
    /// The messages sent, when asked to keep them.
    sent: Vec<lettre::Message>,
}

async fn deliver_batch(ctx: &Context, keep_sent: bool) -> anyhow::Result<Batch> {
    // A send begun by then ends (or times out) before the claim runs out.
    let start_by = std::time::Instant::now()
        + Duration::from_secs(
            ctx.settings
                .mail
                .lease_secs
                .saturating_sub(ctx.settings.mail.send_timeout_secs),
        );
    let mut tx = ctx.db.begin().await?;
    let claimed = db::outbox::claim(
        tx.exec(),
        BATCH,
        chrono::Duration::seconds(ctx.settings.mail.lease_secs as i64),
    )
    .await?;
    tx.commit().await?;
    if claimed.is_empty() {
        return Ok(Batch {
            attempted: 0,
            sent: Vec::new(),
        });
    }
    let documents = documents_of(ctx, &claimed).await?;
    // Rendering is CPU work (templates, calendars, MIME encoding): done on a blocking
    // thread, so a batch of it never holds up the requests on the async workers.
    let composed = {
        let ctx = ctx.clone();
        let claimed = claimed.clone();
        tokio::task::spawn_blocking(move || {
            claimed
                .iter()
                .map(|m| {
                    let materials = documents
                        .get(&m.webinar_id)
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    compose(&ctx, m, materials).map_err(|e| {
                        SendError::Permanent(format!("cannot compose the email: {e:#}"))
                    })
                })
                .collect::<Vec<_>>()
        })
        .await?
    };
    let outcomes = futures_util::future::join_all(
        claimed
            .iter()
            .zip(composed)
            .map(|(m, email)| send_one(ctx, m, email, keep_sent, start_by)),
    )
    .await;
    let mut tx = ctx.db.begin().await?;
    let mut sent = Vec::with_capacity(claimed.len());
    let mut kept = Vec::new();
    for (m, outcome) in claimed.iter().zip(outcomes) {
        match outcome {
            Ok(copy) => {
                count_email(m, "sent");
                sent.push(m.id);
                kept.extend(copy);
            }
            Err(SendError::Permanent(error)) => {
                tracing::warn!(id = m.id, error, "email refused for good");
                count_email(m, "failed");
                db::outbox::mark_attempt_failed(tx.exec(), m.id, &error, None).await?
            }
            Err(SendError::Transient(error)) => {
                let retry_at = next_attempt(ctx, m.attempts);
                tracing::warn!(
                    id = m.id,
                    error,
                    retry = retry_at.is_some(),
                    "email delivery failed"
                );
                count_email(
                    m,
                    if retry_at.is_some() {
                        "retry"
                    } else {
                        "failed"
                    },
                );
                db::outbox::mark_attempt_failed(tx.exec(), m.id, &error, retry_at).await?
            }
        }
    }
    db::outbox::mark_sent(tx.exec(), &sent).await?;
    tx.commit().await?;
    Ok(Batch {
        attempted: claimed.len(),
        sent: kept,
    })
}

/// `meridian_emails_total{kind, status}`: sent, retry (a transient failure, tried
/// again later) or failed (for good).
fn count_email(m: &Claimed, status: &'static str) {
    metrics::counter!("meridian_emails_total", "kind" => m.kind.clone(), "status" => status)
        .increment(1);
}

/// Exponential backoff from `mail.retry_base_ms`; `None` once `mail.max_attempts` is reached.
fn next_attempt(ctx: &Context, attempts_before: i64) -> Option<chrono::DateTime<Utc>> {
    let attempts = u32::try_from(attempts_before + 1).unwrap_or(u32::MAX);
    if attempts >= ctx.settings.mail.max_attempts {
        return None;
    }
    let base = ctx.settings.mail.retry_base_ms;
    let delay = base
        .saturating_mul(1u64 << attempts.saturating_sub(1).min(30))
        .min(MAX_BACKOFF_MS);
    Some(Utc::now() + chrono::Duration::milliseconds(delay as i64))
}

/// The current documents of each webinar in the batch, read once per batch.
async fn documents_of(
    ctx: &Context,
    claimed: &[Claimed],
) -> anyhow::Result<HashMap<Uuid, Vec<Material>>> {
    let mut documents = HashMap::new();
    let mut conn = ctx.db.conn().await?;
    for m in claimed {
        if let std::collections::hash_map::Entry::Vacant(entry) = documents.entry(m.webinar_id) {
            entry.insert(db::materials::list(conn.exec(), WebinarId(m.webinar_id)).await?);
        }
    }
    Ok(documents)
}

/// Sends one composed message; with `keep`, answers a copy of what was sent.
async fn send_one(
    ctx: &Context,
    m: &Claimed,
    email: Result<lettre::Message, SendError>,
    keep: bool,
    start_by: std::time::Instant,
) -> Result<Option<lettre::Message>, SendError> {
    let email = email?;
    let copy = keep.then(|| email.clone());
    // VERP: `bounces+<outbox id>@domain`, so that a bounce names this message.
    let envelope_sender = ctx
        .settings
        .mail
        .bounce_address
        .as_ref()
        .and_then(|a| lettre::Address::new(format!("{}+{}", a.user(), m.id), a.domain()).ok());
    ctx.mailer
        .transport
        .send(email, envelope_sender, start_by)
        .await?;
    Ok(copy)
}

fn compose(ctx: &Context, m: &Claimed, materials: &[Material]) -> anyhow::Result<lettre::Message> {
    let letter: Letter = serde_json::from_str(&m.payload)?;
    let rendered = render(ctx, &letter, materials)?;
    let to = match &letter.test_to {
        Some(tester) => Mailbox::new(None, tester.parse()?),
        None => Mailbox::new(Some(letter.to_name.clone()), letter.to_email.parse()?),
    };
    message::build(&ctx.settings.mail.from, to, &m.message_id, rendered)
}

/// What a letter says when it is delivered now: subject, bodies and calendar, with the
/// manage and join links derived from its registration, and the webinar's documents
/// (`materials`) in the reader's language. The send page's preview shows the same.
pub fn render(ctx: &Context, letter: &Letter, materials: &[Material]) -> anyhow::Result<Rendered> {
    let language = letter.language.parse()?;
    let documents = material::for_reader(materials, language, &ctx.settings.server.public_url);
    let settings = &ctx.settings;
    let from = &settings.mail.from;
    let registration = letter.registration_id.map(RegistrationId);
    let manage_url = registration.map(|id| ctx.manage_url(id)).or_else(|| {
        letter.account_link_id.map(|link| {
            format!(
                "{}/organizer/set-password/{}",
                settings.server.public_url,
                ctx.keys.account_link_token(link)
            )
        })
    });
    let join_link = registration.map(|id| ctx.join_link(id));
    let organizer_name = from.name.clone().unwrap_or_else(|| "Meridian".into());
    let organizer_email = from.email.to_string();
    ctx.mailer.renderer.render(
        letter,
        &RenderContext {
            manage_url,
            join_link,
            organizer_name: &organizer_name,
            organizer_email: &organizer_email,
            now: Utc::now(),
            documents,
        },
    )
}
