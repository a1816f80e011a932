//! Reminders before each session (`mail.reminder_minutes`), sent once per session time:
//! a moved session gets its reminders again for the new time. A reminder goes to those
//! registered when it falls due (later registrants just had their confirmation). They
//! carry no calendar.

use chrono::{Duration, Utc};

use super::letter::{Kind, Letter};
use crate::context::Context;
use crate::db;

/// Queues the reminders that fell due since the last look; returns how many.
#[tracing::instrument(skip_all)]
pub async fn queue_due(ctx: &Context) -> anyhow::Result<usize> {
    let offsets = &ctx.settings.mail.reminder_minutes;
    let Some(longest) = offsets.first() else {
        return Ok(0);
    };
    let now = Utc::now();
    let sessions = {
        let mut conn = ctx.db.conn().await?;
        db::sessions::starting_between(
            conn.exec(),
            now,
            now + Duration::minutes(i64::from(*longest)),
        )
        .await?
    };
    let mut queued = 0;
    for session in sessions {
        // Only the nearest reminder that fell due: after downtime, no burst of stale ones.
        let Some(minutes) = offsets
            .iter()
            .rev()
            .copied()
            .find(|m| session.starts_at - Duration::minutes(i64::from(*m)) <= now)
        else {
            continue;
        };
        let mut tx = ctx.begin().await?;
        if !db::sessions::mark_reminder(tx.exec(), session.id, minutes, session.starts_at).await? {
            continue;
        }
        let Some(webinar) = db::webinars::find(tx.exec(), session.webinar_id).await? else {
            continue;
        };
        let registrations =
            db::registrations::list(tx.exec(), webinar.id, Some(session.id)).await?;
        for r in registrations.iter().filter(|r| r.status.holds_seat()) {
            let letter = Letter::for_registration(Kind::Reminder, r, &webinar, &session);
            if super::queue(
                tx.exec(),
                ctx.settings.public_host(),
                webinar.id,
                &letter,
                &format!(":{minutes}"),
            )
            .await?
            {
                queued += 1;
            }
        }
        tx.commit().await?;
    }
    if queued > 0 {
        ctx.mailer.wake.notify_one();
    }
    Ok(queued)
}
