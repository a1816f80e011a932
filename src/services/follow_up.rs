//! After the webinar: a thank-you to those who attended and a "sorry we missed you" to
//! registrants who did not, each with the documents, queued once per person.

use chrono::Utc;
use serde::Serialize;

use crate::context::Context;
use crate::db;
use crate::domain::attendance::attended_by;
use crate::domain::member::Access;
use crate::domain::registration::RegistrationStatus;
use crate::domain::webinar::SessionStatus;
use crate::email::letter::{Kind, Letter};
use crate::error::{AppError, AppResult};

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    /// Thank-you emails queued now.
    pub thanked: usize,
    /// "Sorry we missed you" emails queued now.
    pub missed: usize,
}

/// Queues the follow-up emails; people who had theirs already are not emailed again.
/// Refused while a session is still to come, so nobody is told they were missed early.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn send(ctx: &Context, webinar: &Access) -> AppResult<FollowUp> {
    let mut tx = ctx.begin().await?;
    let sessions = db::sessions::list(tx.exec(), webinar.id).await?;
    let scheduled: Vec<_> = sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Scheduled)
        .collect();
    if scheduled.is_empty() {
        return Err(AppError::Conflict(
            "this webinar has no session that took place".into(),
        ));
    }
    if let Some(last) = scheduled.iter().map(|s| s.ends_at()).max()
        && last > Utc::now()
    {
        return Err(AppError::Conflict(format!(
            "the follow-up goes out after the last session ends ({} UTC)",
            last.format("%Y-%m-%d %H:%M")
        )));
    }
    let registrations = db::registrations::list(tx.exec(), webinar.id, None).await?;
    let records = db::attendance::list(tx.exec(), webinar.id).await?;
    let attended = attended_by(&records);
    let mut outcome = FollowUp::default();
    for r in &registrations {
        let (kind, session_id) = match attended.get(&r.id).and_then(|p| p.first()) {
            Some(presence) => (Kind::ThankYou, presence.session_id),
            None if r.status == RegistrationStatus::Registered => (Kind::MissedYou, r.session_id),
            None => continue,
        };
        let Some(session) = sessions.iter().find(|s| s.id == session_id) else {
            continue;
        };
        let letter = Letter::for_registration(kind, r, webinar, session);
        if tx.queue(webinar, &letter, "").await? {
            match kind {
                Kind::ThankYou => outcome.thanked += 1,
                _ => outcome.missed += 1,
            }
        }
    }
    tx.audit(
        webinar,
        "follow_up.sent",
        &format!(
            "queued {} thank-you and {} missed-you email(s)",
            outcome.thanked, outcome.missed
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}
