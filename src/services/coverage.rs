//! Coverage: before sending, how well the sessions serve the imported invitees — how
//! many get a session inside their working hours, per session, organization and UTC offset.

use std::collections::BTreeMap;

use chrono::{Offset, Utc};
use serde::Serialize;

use crate::domain::assignment;
use crate::domain::invitee::Invitee;
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
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    // Offsets are read on the first session's date, when the webinar happens.
    let reference = sessions.first().map_or(now, |s| s.starts_at);
    let mut per_session: BTreeMap<usize, Row> = BTreeMap::new();
    let mut per_organization: BTreeMap<String, Row> = BTreeMap::new();
    let mut per_offset: BTreeMap<i32, Row> = BTreeMap::new();
    let mut coverage = Coverage {
        invitees: invitees.len(),
        ..Coverage::default()
    };
    for invitee in invitees {
        let recommendation =
            assignment::recommend(&webinar.rules, invitee.time_zone.0, &candidates);
        let suitable = recommendation.is_some_and(|r| !r.outside_working_hours);
        coverage.suitable += usize::from(suitable);
        if let Some(index) =
            recommendation.and_then(|r| sessions.iter().position(|s| s.id.0 == r.session_id))
        {
            let row = per_session.entry(index).or_insert_with(|| Row {
                name: sessions[index].label.clone(),
                ..Row::default()
            });
            count(row, suitable);
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
    coverage.per_session = (0..sessions.len())
        .map(|i| {
            per_session.remove(&i).unwrap_or_else(|| Row {
                name: sessions[i].label.clone(),
                ..Row::default()
            })
        })
        .collect();
    coverage.per_organization = per_organization.into_values().collect();
    coverage.per_offset = per_offset.into_values().collect();
    coverage
}

fn count(row: &mut Row, suitable: bool) {
    row.invitees += 1;
    row.suitable += usize::from(suitable);
}
