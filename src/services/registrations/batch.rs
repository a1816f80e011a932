//! Open registrations stored together: the ones that arrive while a batch is being
//! written wait for the next, which stores them all in one transaction with a constant
//! number of statements (a seat `UPDATE` per session, one multi-row `INSERT` of the
//! registrations, one of their confirmations). Each caller is answered after the commit.
//!
//! Anything the batch cannot decide exactly for everyone in it (a session without room
//! for all who picked it, a failed statement) sends those callers back to the
//! one-by-one path (`register`'s loop), which decides each against the database.

use std::collections::{HashMap, HashSet};

use tokio::sync::oneshot;

use crate::context::{Context, RegistrationBatch as Entry, RegistrationOutcome as Outcome, Work};
use crate::db;
use crate::domain::registration::Registration;
use crate::domain::{RegistrationId, SessionId, WebinarId};
use crate::email::Outgoing;
use crate::error::AppResult;

/// At most this many registrations in one transaction; more wait for the next.
const MOST: usize = 1024;

/// Stores `registration` with whichever others arrive meanwhile.
pub(super) async fn store(
    ctx: &Context,
    registration: Registration,
    token_hash: String,
    confirmation: Outgoing,
) -> Outcome {
    let (done, outcome) = oneshot::channel();
    let start = {
        let mut waiting = ctx.registrations.0.lock().expect("never poisoned");
        waiting.entries.push(Entry {
            registration,
            token_hash,
            confirmation,
            done,
        });
        !std::mem::replace(&mut waiting.writing, true)
    };
    if start {
        // Its own task: a caller that goes away (the client hung up) must not stop the
        // batches of the others.
        tokio::spawn(write_batches(ctx.clone()));
    }
    // Dropped unanswered only if the writing task panicked.
    outcome.await.unwrap_or(Outcome::OneByOne)
}

/// Writes batches until nobody waits.
async fn write_batches(ctx: Context) {
    let _unstuck = Unstuck(&ctx);
    loop {
        let batch = {
            let mut waiting = ctx.registrations.0.lock().expect("never poisoned");
            if waiting.entries.is_empty() {
                waiting.writing = false;
                return;
            }
            let now = waiting.entries.len().min(MOST);
            let rest = waiting.entries.split_off(now);
            std::mem::replace(&mut waiting.entries, rest)
        };
        write(&ctx, batch).await;
    }
}

/// Should the writing task panic, the ones waiting go one by one (their answers are
/// dropped) and the next registration starts a new task.
struct Unstuck<'c>(&'c Context);

impl Drop for Unstuck<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut waiting = self
                .0
                .registrations
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            waiting.writing = false;
            waiting.entries.clear();
        }
    }
}

/// Stores one batch and answers everyone in it.
#[tracing::instrument(skip_all, fields(registrations = batch.len()))]
async fn write(ctx: &Context, batch: Vec<Entry>) {
    // The same email twice in a webinar: the first one is tried, the others follow it.
    let mut first_of: HashMap<(WebinarId, String), usize> = HashMap::new();
    let mut follows: Vec<Option<usize>> = Vec::with_capacity(batch.len());
    for (i, e) in batch.iter().enumerate() {
        let key = (e.registration.webinar_id, e.registration.email.key());
        match first_of.get(&key) {
            Some(first) => follows.push(Some(*first)),
            None => {
                first_of.insert(key, i);
                follows.push(None);
            }
        }
    }
    let outcomes = match try_write(ctx, &batch, &follows).await {
        Ok(outcomes) => outcomes,
        Err(e) => {
            tracing::warn!(
                error = format!("{e:#}"),
                "a registration batch failed; its registrations are tried one by one"
            );
            batch.iter().map(|_| Answer::OneByOne).collect()
        }
    };
    for (e, outcome) in batch.into_iter().zip(outcomes) {
        let _ = e.done.send(match outcome {
            Answer::Stored => Outcome::Stored(Box::new(e.registration)),
            Answer::Duplicate => Outcome::Duplicate,
            Answer::OneByOne => Outcome::OneByOne,
        });
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Answer {
    Stored,
    Duplicate,
    OneByOne,
}

async fn try_write(
    ctx: &Context,
    batch: &[Entry],
    follows: &[Option<usize>],
) -> AppResult<Vec<Answer>> {
    let mut answers = vec![Answer::OneByOne; batch.len()];
    // Seats wanted per session, sessions in a fixed order (the order rows are locked in).
    let mut wanted: Vec<(SessionId, WebinarId, u32)> = Vec::new();
    for (e, follows) in batch.iter().zip(follows) {
        if follows.is_some() {
            continue;
        }
        let r = &e.registration;
        match wanted.iter_mut().find(|(s, _, _)| *s == r.session_id) {
            Some((_, _, n)) => *n += 1,
            None => wanted.push((r.session_id, r.webinar_id, 1)),
        }
    }
    wanted.sort_by_key(|(s, _, _)| s.0);
    let mut work = ctx.begin().await?;
    let (rows, stored) = match stage(&mut work, batch, follows, &wanted).await {
        Ok(staged) => staged,
        Err(e) => {
            // Rolled back at once: PostgreSQL would keep the seat rows locked until the
            // connection is used again, and the callers now go one by one on them.
            let _ = work.rollback().await;
            return Err(e);
        }
    };
    work.commit().await?;
    let tried: HashSet<_> = rows.iter().map(|(r, _)| r.id).collect();
    for (i, (e, follows)) in batch.iter().zip(follows).enumerate() {
        let r = &e.registration;
        answers[i] = if stored.contains(&r.id) {
            Answer::Stored
        } else if tried.contains(&r.id) {
            Answer::Duplicate
        } else {
            match follows {
                // Behind someone with the same email: that one decides.
                Some(first) if stored.contains(&batch[*first].registration.id) => Answer::Duplicate,
                _ => Answer::OneByOne,
            }
        };
    }
    let created = answers.iter().filter(|a| **a == Answer::Stored).count();
    metrics::counter!("meridian_registrations_total", "status" => "confirmed")
        .increment(created as u64);
    Ok(answers)
}

/// The batch's statements, in `work`: answers the rows tried and the ids stored.
async fn stage<'b>(
    work: &mut Work<'_>,
    batch: &'b [Entry],
    follows: &[Option<usize>],
    wanted: &[(SessionId, WebinarId, u32)],
) -> AppResult<(Vec<(&'b Registration, &'b str)>, HashSet<RegistrationId>)> {
    let mut taken: HashMap<SessionId, u32> = HashMap::new();
    for (session, _, seats) in wanted {
        if let Some(now) = db::sessions::take_seats(work.exec(), *session, *seats).await? {
            taken.insert(*session, now);
        }
    }
    let rows: Vec<(&Registration, &str)> = batch
        .iter()
        .zip(follows)
        .filter(|(e, follows)| follows.is_none() && taken.contains_key(&e.registration.session_id))
        .map(|(e, _)| (&e.registration, e.token_hash.as_str()))
        .collect();
    let stored: HashSet<_> = db::registrations::insert_many_if_absent(work.exec(), &rows)
        .await?
        .into_iter()
        .collect();
    // Rows not stored lost to a registration stored since the caller looked: their
    // seats go back.
    let mut lost: HashMap<SessionId, u32> = HashMap::new();
    for (r, _) in &rows {
        if !stored.contains(&r.id) {
            *lost.entry(r.session_id).or_default() += 1;
        }
    }
    let mut lost: Vec<_> = lost.into_iter().collect();
    lost.sort_by_key(|(s, _)| s.0);
    for (session, seats) in lost {
        let now = db::sessions::release_seats(work.exec(), session, seats)
            .await?
            .ok_or_else(|| anyhow::anyhow!("seats just taken could not be given back"))?;
        taken.insert(session, now);
    }
    let letters: Vec<&Outgoing> = batch
        .iter()
        .filter(|e| stored.contains(&e.registration.id))
        .map(|e| &e.confirmation)
        .collect();
    work.queue_many(&letters).await?;
    for (session, webinar, _) in wanted {
        if let Some(now) = taken.get(session) {
            work.seats_taken(*webinar, *session, *now);
        }
    }
    Ok((rows, stored))
}
