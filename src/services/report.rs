//! The webinar report: invited, registered and attended, per session, organization,
//! UTC offset and language, and the time zones no session suited.

use std::collections::{BTreeMap, HashMap};

use chrono::{Offset, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::context::Context;
use crate::db;
use crate::domain::assignment;
use crate::domain::attendance::attended_by;
use crate::domain::registration::{Registration, RegistrationStatus};
use crate::domain::webinar::{Session, SessionStatus, Webinar};
use crate::domain::{SessionId, TimeZone};
use crate::error::AppResult;
use crate::i18n::utc_offset;

#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub webinar_id: uuid::Uuid,
    pub title: String,
    pub totals: Line,
    /// Invited and registered count in the session assigned; attended in the session
    /// actually joined.
    pub per_session: Vec<Line>,
    pub per_organization: Vec<Line>,
    /// UTC offset of each person's time zone on the day of the webinar.
    pub per_utc_offset: Vec<Line>,
    pub per_language: Vec<Line>,
    /// Time zones of invitees and registrants for which no session fell inside working hours.
    pub zones_without_suitable_session: Vec<Zone>,
}

/// One line of a report table.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Line {
    pub name: String,
    /// On the invitation list (imported invitees who were invited or registered).
    pub invited: usize,
    /// Registration confirmed and not cancelled.
    pub registered: usize,
    /// On the waiting list of a full session (no seat), not counted in `registered`.
    pub waitlisted: usize,
    pub attended: usize,
    /// Declined the invitation in their calendar (an iTIP reply).
    pub declined: usize,
    /// Mail to their address came back undeliverable for good.
    pub bounced: usize,
    /// attended / registered, when anyone registered.
    pub attendance_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Zone {
    pub time_zone: String,
    pub utc_offset: String,
    pub people: usize,
}

#[derive(Clone, Copy)]
struct Person {
    invited: bool,
    registered: bool,
    waitlisted: bool,
    attended: bool,
    declined: bool,
    bounced: bool,
}

impl Line {
    fn named(name: impl Into<String>) -> Line {
        Line {
            name: name.into(),
            ..Line::default()
        }
    }

    fn count(&mut self, p: Person) {
        self.invited += usize::from(p.invited);
        self.registered += usize::from(p.registered);
        self.waitlisted += usize::from(p.waitlisted);
        self.attended += usize::from(p.attended);
        self.declined += usize::from(p.declined);
        self.bounced += usize::from(p.bounced);
    }

    fn with_rate(mut self) -> Line {
        self.attendance_rate = (self.registered > 0)
            .then(|| (self.attended as f64 / self.registered as f64 * 1000.0).round() / 1000.0);
        self
    }
}

#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn build(ctx: &Context, webinar: &Webinar) -> AppResult<Report> {
    let mut conn = ctx.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    let registrations = db::registrations::list(conn.exec(), webinar.id, None).await?;
    let records = db::attendance::list(conn.exec(), webinar.id).await?;
    let invitees = db::invitees::list(conn.exec(), webinar.id).await?;
    drop(conn);
    let attended = attended_by(&records);
    // Each person once: the invitees, and those who registered without an invitation.
    let zones = invitees.iter().map(|i| i.time_zone).chain(
        registrations
            .iter()
            .filter(|r| r.invitee_id.is_none())
            .map(|r| r.time_zone),
    );
    Ok(compute(
        webinar,
        &sessions,
        &registrations,
        &attended,
        zones,
    ))
}

fn compute(
    webinar: &Webinar,
    sessions: &[Session],
    registrations: &[Registration],
    attended: &HashMap<crate::domain::RegistrationId, Vec<crate::domain::attendance::Presence>>,
    zones: impl Iterator<Item = TimeZone>,
) -> Report {
    let reference = sessions.first().map_or_else(Utc::now, |s| s.starts_at);
    let mut totals = Line::named("All");
    let mut per_session: Vec<(SessionId, Line)> = sessions
        .iter()
        .map(|s| (s.id, Line::named(s.label.clone())))
        .collect();
    let mut per_organization: BTreeMap<String, Line> = BTreeMap::new();
    let mut per_offset: BTreeMap<i32, Line> = BTreeMap::new();
    let mut per_language: BTreeMap<&str, Line> = BTreeMap::new();
    for r in registrations {
        let presence = attended.get(&r.id);
        let person = Person {
            invited: r.invitee_id.is_some(),
            registered: r.status == RegistrationStatus::Registered,
            waitlisted: r.status == RegistrationStatus::Waitlisted,
            attended: presence.is_some(),
            declined: r.answer.answer == crate::domain::answer::Answer::Declined,
            bounced: r.answer.address_bounced,
        };
        totals.count(person);
        if let Some((_, line)) = per_session.iter_mut().find(|(id, _)| *id == r.session_id) {
            line.count(Person {
                attended: false,
                ..person
            });
        }
        for p in presence.into_iter().flatten() {
            if let Some((_, line)) = per_session.iter_mut().find(|(id, _)| *id == p.session_id) {
                line.attended += 1;
            }
        }
        let organization = r.organization.clone().unwrap_or_else(|| "—".into());
        per_organization
            .entry(organization.clone())
            .or_insert_with(|| Line::named(organization))
            .count(person);
        let tz = r.time_zone.0;
        let seconds = reference
            .with_timezone(&tz)
            .offset()
            .fix()
            .local_minus_utc();
        per_offset
            .entry(seconds)
            .or_insert_with(|| Line::named(utc_offset(tz, reference)))
            .count(person);
        per_language
            .entry(r.language.code())
            .or_insert_with(|| Line::named(r.language.code()))
            .count(person);
    }
    Report {
        webinar_id: webinar.id.0,
        title: webinar.title.clone(),
        totals: totals.with_rate(),
        per_session: per_session
            .into_iter()
            .map(|(_, l)| l.with_rate())
            .collect(),
        per_organization: per_organization
            .into_values()
            .map(Line::with_rate)
            .collect(),
        per_utc_offset: per_offset.into_values().map(Line::with_rate).collect(),
        per_language: per_language.into_values().map(Line::with_rate).collect(),
        zones_without_suitable_session: unserved(webinar, sessions, zones, reference),
    }
}

/// The zones (with how many people are in each) where no session lies inside working hours.
fn unserved(
    webinar: &Webinar,
    sessions: &[Session],
    zones: impl Iterator<Item = TimeZone>,
    reference: chrono::DateTime<Utc>,
) -> Vec<Zone> {
    let candidates: Vec<_> = sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Scheduled)
        .map(|s| s.candidate(Utc::now()))
        .collect();
    let mut people: BTreeMap<&'static str, usize> = BTreeMap::new();
    for tz in zones {
        *people.entry(tz.0.name()).or_default() += 1;
    }
    people
        .into_iter()
        .filter_map(|(name, count)| {
            let tz: TimeZone = name.parse().ok()?;
            let served = assignment::evaluate(&webinar.rules, tz.0, &candidates)
                .iter()
                .any(|s| s.suitable);
            (!served).then(|| Zone {
                time_zone: name.to_string(),
                utc_offset: utc_offset(tz.0, reference),
                people: count,
            })
        })
        .collect()
}
