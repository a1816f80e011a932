//! The session planner's use cases: propose start times for a webinar's invitees
//! (`domain::planner`), and apply a chosen proposal by moving, adding or cancelling
//! sessions in one transaction, through the same steps as a reschedule.

use chrono::{DateTime, Duration, Utc};

use crate::context::{Context, Work};
use crate::db;
use crate::domain::member::Access;
use crate::domain::planner::{self, Person, Plan, Request, Slot, Weight};
use crate::domain::webinar::{NewSession, Session, SessionChanges, SessionStatus, Webinar};
use crate::error::{AppError, AppResult};

/// What the organizer asks, before defaults: absent fields take the webinar's own.
#[derive(Debug, Clone, Default)]
pub struct Ask {
    pub sessions: Option<u32>,
    pub dates: Option<Vec<String>>,
    pub duration_minutes: Option<u32>,
    pub step_minutes: Option<u32>,
    pub weight: Option<String>,
    pub seats: Option<u32>,
}

/// The webinar's people and current sessions as the planner reads them.
pub struct Audience {
    pub people: Vec<Person>,
    /// Scheduled (not cancelled) sessions, earliest first.
    pub sessions: Vec<Session>,
}

pub async fn audience(ctx: &Context, webinar: &Webinar) -> AppResult<Audience> {
    let mut conn = ctx.db.conn().await?;
    let mut sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    sessions.retain(|s| s.status != SessionStatus::Cancelled);
    sessions.sort_by_key(|s| s.starts_at);
    let people = db::invitees::list(conn.exec(), webinar.id)
        .await?
        .into_iter()
        .map(|i| Person {
            time_zone: i.time_zone.0,
            organization: i.organization,
        })
        .collect();
    Ok(Audience { people, sessions })
}

/// The sessions as slots for the rule, as the coverage page and the registration page
/// see them now (closed and full sessions take nobody).
pub fn slots(sessions: &[Session], now: DateTime<Utc>) -> Vec<Slot> {
    sessions
        .iter()
        .map(|s| {
            let c = s.candidate(now);
            Slot {
                starts_at: c.starts_at,
                ends_at: c.ends_at,
                open: c.open,
                seats: c.seats_left,
            }
        })
        .collect()
}

impl Ask {
    /// The request with the webinar's defaults: as many sessions as it has, on their
    /// dates, with their length and seats; a 30-minute step; each person counting once.
    pub fn request(&self, current: &[Session]) -> AppResult<Request> {
        let first = current.first();
        let sessions = self
            .sessions
            .or_else(|| u32::try_from(current.len()).ok().filter(|&n| n > 0))
            .ok_or_else(|| AppError::BadRequest("sessions is required: from 1 to 4".into()))?;
        let dates = match &self.dates {
            Some(d) => d.clone(),
            None => {
                let mut days: Vec<String> = current
                    .iter()
                    .map(|s| s.starts_at.date_naive().to_string())
                    .collect();
                days.dedup();
                if days.is_empty() {
                    return Err(AppError::BadRequest(
                        "dates is required: the days the sessions may fall on, as YYYY-MM-DD"
                            .into(),
                    ));
                }
                days
            }
        };
        let duration = self
            .duration_minutes
            .or(first.map(|s| s.duration_minutes))
            .ok_or_else(|| AppError::BadRequest("duration_minutes is required".into()))?;
        let weight = Weight::parse(self.weight.as_deref().unwrap_or("person"))?;
        let seats = self.seats.or_else(|| {
            let limits: Vec<u32> = current.iter().filter_map(|s| s.capacity).collect();
            (!limits.is_empty() && limits.len() == current.len())
                .then(|| limits.into_iter().min())
                .flatten()
        });
        Ok(Request::new(
            sessions,
            &dates,
            duration,
            self.step_minutes.unwrap_or(30),
            weight,
            seats,
        )?)
    }
}

/// A plan with what it was made from.
pub struct Planned {
    pub request: Request,
    pub plan: Plan,
    pub audience: Audience,
}

/// Proposals for the webinar beside its current sessions; the search runs off the
/// request threads.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn plan(ctx: &Context, webinar: &Webinar, ask: &Ask) -> AppResult<Planned> {
    let audience = audience(ctx, webinar).await?;
    let request = ask.request(&audience.sessions)?;
    let current = slots(&audience.sessions, Utc::now());
    let rules = webinar.rules;
    let job = request.clone();
    let (plan, audience) = tokio::task::spawn_blocking(move || {
        let plan = planner::plan(&rules, &audience.people, &job, &current);
        (plan, audience)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("the planner stopped: {e}")))?;
    Ok(Planned {
        request,
        plan,
        audience,
    })
}

/// The clock-change warnings for a proposal's times, as sessions labelled `label` with
/// the UTC start (the same warnings the webinar page shows for real sessions).
pub fn proposal_warnings(
    planned: &Planned,
    index: usize,
    label: &str,
    now: DateTime<Utc>,
) -> Vec<super::clock_warnings::Warning> {
    let Some(proposal) = planned.plan.proposals.get(index) else {
        return Vec::new();
    };
    let webinar = planned
        .audience
        .sessions
        .first()
        .map_or_else(crate::domain::WebinarId::new, |s| s.webinar_id);
    let sessions: Vec<Session> = proposal
        .starts_at
        .iter()
        .map(|t| Session {
            id: crate::domain::SessionId::new(),
            webinar_id: webinar,
            label: format!("{label}: {} UTC", t.format("%Y-%m-%d %H:%M")),
            starts_at: *t,
            duration_minutes: planned.request.duration_minutes,
            capacity: None,
            taken: 0,
            join_url: None,
            status: SessionStatus::Scheduled,
        })
        .collect();
    let zones: Vec<chrono_tz::Tz> = planned
        .audience
        .people
        .iter()
        .map(|p| p.time_zone)
        .collect();
    super::clock_warnings::compute(&sessions, &zones, now)
}

/// What applying a proposal does to the current sessions.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// Sessions whose time (or length) changes, with the new start.
    pub moved: Vec<(Session, DateTime<Utc>)>,
    /// Sessions that stay as they are.
    pub kept: Vec<Session>,
    /// New sessions' start times.
    pub added: Vec<DateTime<Utc>>,
    /// Sessions beyond the proposal's count, cancelled.
    pub cancelled: Vec<Session>,
    /// Registrants and chairs who get an updated invitation or a cancellation.
    pub notified: usize,
}

/// Pairs the current sessions (earliest first) with the proposal's times (earliest
/// first) and counts who would be told; changes nothing.
pub async fn preview(
    ctx: &Context,
    webinar: &Webinar,
    starts_at: &[DateTime<Utc>],
    duration_minutes: u32,
) -> AppResult<Change> {
    let (_, _, change) = paired(ctx, webinar, starts_at, duration_minutes).await?;
    Ok(change)
}

/// The proposal checked, a transaction begun, and the pairing read inside it.
async fn paired<'c>(
    ctx: &'c Context,
    webinar: &Webinar,
    starts_at: &[DateTime<Utc>],
    duration_minutes: u32,
) -> AppResult<(Work<'c>, Audience, Change)> {
    let proposal = check_proposal(starts_at, duration_minutes)?;
    let audience = audience(ctx, webinar).await?;
    let mut tx = ctx.begin().await?;
    let change = pair(
        &mut tx,
        webinar,
        &audience.sessions,
        &proposal,
        duration_minutes,
    )
    .await?;
    Ok((tx, audience, change))
}

fn check_proposal(
    starts_at: &[DateTime<Utc>],
    duration_minutes: u32,
) -> AppResult<Vec<DateTime<Utc>>> {
    let mut times = starts_at.to_vec();
    times.sort();
    times.dedup();
    if times.is_empty() || times.len() > 4 {
        return Err(AppError::BadRequest(
            "a proposal has from 1 to 4 distinct start times".into(),
        ));
    }
    for t in &times {
        crate::domain::values::instant_in_range("starts_at", *t)?;
    }
    crate::domain::webinar::check_duration(duration_minutes)?;
    Ok(times)
}

async fn pair(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    current: &[Session],
    proposal: &[DateTime<Utc>],
    duration_minutes: u32,
) -> AppResult<Change> {
    let mut change = Change::default();
    for (i, s) in current.iter().enumerate() {
        match proposal.get(i) {
            Some(&t) if t == s.starts_at && s.duration_minutes == duration_minutes => {
                change.kept.push(s.clone());
            }
            Some(&t) => {
                change.notified += super::webinars::people_to_notify(tx, webinar, s.id).await?;
                change.moved.push((s.clone(), t));
            }
            None => {
                change.notified += super::webinars::people_to_notify(tx, webinar, s.id).await?;
                change.cancelled.push(s.clone());
            }
        }
    }
    change.added = proposal.iter().skip(current.len()).copied().collect();
    Ok(change)
}

/// Applies a proposal in one transaction: the i-th current session (earliest first) moves
/// to the i-th time through the reschedule path (its registrants and chairs get an
/// updated invitation), missing sessions are added, sessions beyond the proposal are
/// cancelled (their people are told). Nothing changes when any step fails.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn apply(
    ctx: &Context,
    webinar: &Access,
    starts_at: &[DateTime<Utc>],
    duration_minutes: u32,
) -> AppResult<Change> {
    let (mut tx, audience, change) = paired(ctx, webinar, starts_at, duration_minutes).await?;
    for (s, t) in &change.moved {
        let changes = SessionChanges {
            starts_at: Some(*t),
            duration_minutes: Some(duration_minutes),
            ..SessionChanges::default()
        };
        super::webinars::change_session_in(&mut tx, webinar, s.id, changes).await?;
    }
    for s in &change.cancelled {
        super::webinars::cancel_session_in(&mut tx, webinar, s.id).await?;
    }
    let seats = audience.sessions.first().and_then(|s| s.capacity);
    let join_url = audience.sessions.first().and_then(|s| s.join_url.clone());
    for t in &change.added {
        let label = format!("{} UTC", t.format("%H:%M"));
        let new = NewSession::parse(
            &label,
            *t,
            Some(duration_minutes),
            seats,
            join_url.as_deref(),
        )?;
        super::webinars::add_session_in(&mut tx, webinar, new).await?;
    }
    tx.audit(
        webinar,
        "plan.applied",
        &format!(
            "applied a plan: {} moved, {} added, {} cancelled",
            change.moved.len(),
            change.added.len(),
            change.cancelled.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(change)
}

/// The end of a session that starts at `t`.
pub fn ends(t: DateTime<Utc>, duration_minutes: u32) -> DateTime<Utc> {
    t + Duration::minutes(i64::from(duration_minutes))
}
