//! Coverage: before sending, how well the sessions serve the imported invitees — how
//! many get a session inside their working hours, per session, organization and UTC offset.

use std::collections::BTreeMap;

use chrono::{Offset, Utc};
use serde::Serialize;

use crate::domain::invitee::Invitee;
use crate::domain::planner::{self, Person};
use crate::domain::webinar::{Session, Webinar};
use crate::i18n::utc_offset;

#[derive(Debug, Default, Serialize)]
pub struct Coverage {
    pub invitees: usize,
    /// Invitees whose recommended session lies inside their working hours.
    pub suitable: usize,
    pub per_session: Vec<Row>,
    pub per_organization: Vec<Row>,
    pub per_offset: Vec<Row>,
}

/// One line of a coverage table.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Row {
    pub name: String,
    pub invitees: usize,
    pub suitable: usize,
}

pub fn compute(webinar: &Webinar, sessions: &[Session], invitees: &[Invitee]) -> Coverage {
    let now = Utc::now();
    // The planner's assignment: the figures here and the plan's "current" cannot differ.
    let slots = super::planner::slots(sessions, now);
    let people: Vec<Person> = invitees
        .iter()
        .map(|i| Person {
            time_zone: i.time_zone.0,
            organization: i.organization.clone(),
        })
        .collect();
    let placed = planner::assign(&webinar.rules, &people, &slots);
    // Offsets are read on the first session's date, when the webinar happens.
    let reference = sessions.first().map_or(now, |s| s.starts_at);
    let mut per_session: Vec<Row> = sessions
        .iter()
        .map(|s| Row {
            name: s.label.clone(),
            ..Row::default()
        })
        .collect();
    let mut per_organization: BTreeMap<String, Row> = BTreeMap::new();
    let mut per_offset: BTreeMap<i32, Row> = BTreeMap::new();
    let mut coverage = Coverage {
        invitees: invitees.len(),
        ..Coverage::default()
    };
    for (invitee, at) in invitees.iter().zip(&placed) {
        let suitable = at.suitable;
        coverage.suitable += usize::from(suitable);
        if let Some(index) = at.session {
            count(&mut per_session[index], suitable);
        }
        let organization = invitee.organization.clone().unwrap_or_else(|| "—".into());
        count(
            per_organization
                .entry(organization.clone())
                .or_insert_with(|| Row {
                    name: organization,
                    ..Row::default()
                }),
            suitable,
        );
        let tz = invitee.time_zone.0;
        let seconds = reference
            .with_timezone(&tz)
            .offset()
            .fix()
            .local_minus_utc();
        let row = per_offset.entry(seconds).or_insert_with(|| Row {
            name: utc_offset(tz, reference),
            ..Row::default()
        });
        count(row, suitable);
    }
    coverage.per_session = per_session;
    coverage.per_organization = per_organization.into_values().collect();
    coverage.per_offset = per_offset.into_values().collect();
    coverage
}

fn count(row: &mut Row, suitable: bool) {
    row.invitees += 1;
    row.suitable += usize::from(suitable);
}
