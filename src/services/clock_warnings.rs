//! Clock-change warnings for a webinar's sessions: the sessions within a week of a clock
//! change in an invitee's or registrant's zone, and how many people will be at another
//! UTC offset on the session's date than today (the webinar page and the plan show them).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use uuid::Uuid;

use crate::context::Context;
use crate::db;
use crate::domain::clock::{self, SessionClockWarning};
use crate::domain::registration::RegistrationStatus;
use crate::domain::webinar::{Session, Webinar};
use crate::error::AppResult;
use crate::i18n::utc_offset;

/// One session's warning, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub session_id: Uuid,
    pub session_label: String,
    /// Zones whose clocks change within a week of the session.
    pub changes: Vec<Change>,
    /// People whose UTC offset on the session's date differs from today's.
    pub shifted_people: usize,
    pub shifted: Vec<Shift>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    #[serde(skip)]
    pub zone: Tz,
    pub time_zone: String,
    /// The instant of the change (the first minute at the new offset).
    pub at: DateTime<Utc>,
    pub offset_before: String,
    pub offset_after: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Shift {
    pub time_zone: String,
    pub people: usize,
    pub offset_now: String,
    pub offset_then: String,
}

/// The warnings for a webinar's sessions, for everyone on its invitee list and everyone
/// who registered without an invitation (cancelled and declined registrations aside).
#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn for_webinar(
    ctx: &Context,
    webinar: &Webinar,
    sessions: &[Session],
) -> AppResult<Vec<Warning>> {
    let mut conn = ctx.db.conn().await?;
    let invitees = db::invitees::list(conn.exec(), webinar.id).await?;
    let registrations = db::registrations::list(conn.exec(), webinar.id, None).await?;
    drop(conn);
    let zones: Vec<Tz> = invitees
        .iter()
        .map(|i| i.time_zone.0)
        .chain(
            registrations
                .iter()
                .filter(|r| r.invitee_id.is_none())
                .filter(|r| {
                    !matches!(
                        r.status,
                        RegistrationStatus::Cancelled | RegistrationStatus::Declined
                    )
                })
                .map(|r| r.time_zone.0),
        )
        .collect();
    Ok(compute(sessions, &zones, Utc::now()))
}

/// The warnings for sessions and the zones people are in (one entry per person).
pub fn compute(sessions: &[Session], zones: &[Tz], now: DateTime<Utc>) -> Vec<Warning> {
    let people: Vec<(Tz, usize)> = zones.iter().map(|&z| (z, 1)).collect();
    clock::session_warnings(sessions, &people, now)
        .into_iter()
        .map(|w| shown(w, sessions, now))
        .collect()
}

fn shown(w: SessionClockWarning, sessions: &[Session], now: DateTime<Utc>) -> Warning {
    let session = sessions.iter().find(|s| s.id == w.session_id);
    let starts_at = session.map_or(now, |s| s.starts_at);
    Warning {
        session_id: w.session_id.0,
        session_label: session.map(|s| s.label.clone()).unwrap_or_default(),
        shifted_people: w.shifted_people(),
        changes: w
            .zones
            .iter()
            .map(|z| Change {
                zone: z.zone,
                time_zone: z.zone.name().to_string(),
                at: z.change.at,
                offset_before: utc_offset(z.zone, z.change.at - Duration::minutes(1)),
                offset_after: utc_offset(z.zone, z.change.at),
            })
            .collect(),
        shifted: w
            .shifted
            .iter()
            .map(|s| Shift {
                time_zone: s.zone.name().to_string(),
                people: s.people,
                offset_now: utc_offset(s.zone, now),
                offset_then: utc_offset(s.zone, starts_at),
            })
            .collect(),
    }
}
