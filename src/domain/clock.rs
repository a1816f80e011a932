//! Clock changes (daylight saving and other offset changes) near a session, found by
//! comparing UTC offsets: chrono-tz gives offsets at instants, not a list of transitions.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Offset, TimeZone as _, Utc};
use chrono_tz::Tz;

use super::SessionId;
use super::webinar::{Session, SessionStatus};

/// How far from a session a clock change is worth a warning.
pub const WARNING_DAYS: i64 = 7;

/// One change of a zone's UTC offset: the first minute at the new offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockChange {
    pub at: DateTime<Utc>,
    /// Seconds east of UTC before and after the change.
    pub offset_before: i32,
    pub offset_after: i32,
}

/// The zone's offset from UTC at an instant, in seconds east of UTC.
pub fn offset_at(tz: Tz, at: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// Whether someone in `tz` will be at another offset at `at` than `now`: their own
/// arithmetic from today's difference to the organizer's (or to UTC) will be wrong.
pub fn offset_differs(tz: Tz, now: DateTime<Utc>, at: DateTime<Utc>) -> bool {
    offset_at(tz, now) != offset_at(tz, at)
}

/// The clock change in `tz` nearest to `at` within `days` days before or after it.
pub fn change_near(tz: Tz, at: DateTime<Utc>, days: i64) -> Option<ClockChange> {
    changes_between(tz, at - Duration::days(days), at + Duration::days(days))
        .into_iter()
        .min_by_key(|c| (c.at - at).abs())
}

/// Every clock change in `tz` in `[from, to]`. Offsets are compared every 6 hours (no
/// zone changes its clocks twice within that), then each step that differs is bisected
/// to the minute.
pub fn changes_between(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<ClockChange> {
    const STEP: Duration = Duration::hours(6);
    let mut changes = Vec::new();
    // A change at `from` itself is in the range: start a minute before.
    let start = from - Duration::minutes(1);
    let (mut left, mut left_offset) = (start, offset_at(tz, start));
    while left < to {
        let right = (left + STEP).min(to);
        let right_offset = offset_at(tz, right);
        if right_offset != left_offset {
            let change = bisect(tz, left, right, left_offset);
            if change.at >= from {
                changes.push(change);
            }
        }
        (left, left_offset) = (right, right_offset);
    }
    changes
}

/// The first whole minute after `before` (at `offset_before`) and up to `after` where
/// the offset is another (transitions fall on whole minutes).
fn bisect(tz: Tz, before: DateTime<Utc>, after: DateTime<Utc>, offset_before: i32) -> ClockChange {
    let minute = |m: i64| DateTime::from_timestamp(m * 60, 0).unwrap_or(after);
    let (mut low, mut high) = (
        before.timestamp().div_euclid(60),
        (after.timestamp() + 59).div_euclid(60),
    );
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if offset_at(tz, minute(middle)) == offset_before {
            low = middle;
        } else {
            high = middle;
        }
    }
    let at = minute(high);
    ClockChange {
        at,
        offset_before,
        offset_after: offset_at(tz, at),
    }
}

/// A zone whose clocks change near a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneChange {
    pub zone: Tz,
    pub change: ClockChange,
}

/// People in one zone whose offset at a session differs from their offset now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftedZone {
    pub zone: Tz,
    pub people: usize,
    pub offset_now: i32,
    pub offset_then: i32,
}

/// What to warn the organizer about for one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClockWarning {
    pub session_id: SessionId,
    /// Zones with a clock change within [`WARNING_DAYS`] of the session, each once.
    pub zones: Vec<ZoneChange>,
    /// Zones whose offset at the session is not their offset now, with their people.
    pub shifted: Vec<ShiftedZone>,
}

impl SessionClockWarning {
    /// How many people's offset at the session differs from their offset now.
    pub fn shifted_people(&self) -> usize {
        self.shifted.iter().map(|s| s.people).sum()
    }
}

/// The warnings for the scheduled sessions, given how many people are in each zone
/// (`zones` may repeat a zone; each is looked at once). Sessions with nothing to say
/// are left out.
pub fn session_warnings(
    sessions: &[Session],
    zones: &[(Tz, usize)],
    now: DateTime<Utc>,
) -> Vec<SessionClockWarning> {
    let mut by_name: BTreeMap<&str, (Tz, usize)> = BTreeMap::new();
    for &(zone, count) in zones {
        by_name.entry(zone.name()).or_insert((zone, 0)).1 += count;
    }
    let people: Vec<(Tz, usize)> = by_name.into_values().collect();
    sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Scheduled)
        .map(|s| warning_for(s, &people, now))
        .filter(|w| !w.zones.is_empty() || !w.shifted.is_empty())
        .collect()
}

fn warning_for(s: &Session, people: &[(Tz, usize)], now: DateTime<Utc>) -> SessionClockWarning {
    let mut warning = SessionClockWarning {
        session_id: s.id,
        zones: Vec::new(),
        shifted: Vec::new(),
    };
    for &(zone, count) in people {
        if let Some(change) = change_near(zone, s.starts_at, WARNING_DAYS) {
            warning.zones.push(ZoneChange { zone, change });
        }
        let (offset_now, offset_then) = (offset_at(zone, now), offset_at(zone, s.starts_at));
        if offset_now != offset_then && count > 0 {
            warning.shifted.push(ShiftedZone {
                zone,
                people: count,
                offset_now,
                offset_then,
            });
        }
    }
    warning
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn zone(name: &str) -> Tz {
        name.parse().unwrap()
    }

    const HOUR: i32 = 3600;

    #[test]
    fn zurich_springs_forward_at_one_utc_on_the_last_sunday_of_march() {
        let change = change_near(zone("Europe/Zurich"), utc(2027, 3, 25, 12, 0), 7).unwrap();
        assert_eq!(change.at, utc(2027, 3, 28, 1, 0));
        assert_eq!(
            (change.offset_before, change.offset_after),
            (HOUR, 2 * HOUR)
        );
    }

    #[test]
    fn zurich_falls_back_at_the_end_of_october() {
        let change = change_near(zone("Europe/Zurich"), utc(2026, 10, 30, 9, 0), 7).unwrap();
        assert_eq!(change.at, utc(2026, 10, 25, 1, 0));
        assert_eq!(
            (change.offset_before, change.offset_after),
            (2 * HOUR, HOUR)
        );
    }

    #[test]
    fn the_seven_day_limit_holds_on_both_sides() {
        let tz = zone("Europe/Zurich");
        let change = utc(2027, 3, 28, 1, 0);
        let week = Duration::days(7);
        assert!(change_near(tz, change - week, 7).is_some());
        assert!(change_near(tz, change + week, 7).is_some());
        assert!(change_near(tz, change - week - Duration::minutes(1), 7).is_none());
        assert!(change_near(tz, change + week + Duration::minutes(1), 7).is_none());
    }

    #[test]
    fn santiago_changes_in_the_southern_autumn_and_spring() {
        let tz = zone("America/Santiago");
        // Summer time ends on the first Sunday of April (03:00 UTC): -03:00 to -04:00.
        let april = change_near(tz, utc(2027, 4, 1, 15, 0), 7).unwrap();
        assert_eq!(april.at, utc(2027, 4, 4, 3, 0));
        assert_eq!(
            (april.offset_before, april.offset_after),
            (-3 * HOUR, -4 * HOUR)
        );
        // And starts on the first Sunday of September (04:00 UTC).
        let september = change_near(tz, utc(2027, 9, 10, 15, 0), 7).unwrap();
        assert_eq!(september.at, utc(2027, 9, 5, 4, 0));
        assert_eq!(september.offset_after, -3 * HOUR);
    }

    #[test]
    fn lord_howe_moves_by_half_an_hour() {
        let tz = zone("Australia/Lord_Howe");
        // First Sunday of April, 02:00 local summer time (+11:00) = 15:00 UTC on Saturday.
        let change = change_near(tz, utc(2027, 4, 5, 0, 0), 7).unwrap();
        assert_eq!(change.at, utc(2027, 4, 3, 15, 0));
        assert_eq!(
            (change.offset_before, change.offset_after),
            (11 * HOUR, 10 * HOUR + HOUR / 2)
        );
    }

    #[test]
    fn sydney_springs_forward_in_october() {
        let change = change_near(zone("Australia/Sydney"), utc(2027, 10, 1, 0, 0), 7).unwrap();
        // First Sunday of October, 02:00 local (+10:00) = 16:00 UTC on Saturday.
        assert_eq!(change.at, utc(2027, 10, 2, 16, 0));
        assert_eq!(change.offset_after, 11 * HOUR);
    }

    #[test]
    fn tokyo_never_changes() {
        let tz = zone("Asia/Tokyo");
        assert_eq!(change_near(tz, utc(2027, 3, 28, 1, 0), 7), None);
        assert!(changes_between(tz, utc(2026, 1, 1, 0, 0), utc(2028, 1, 1, 0, 0)).is_empty());
        assert!(!offset_differs(
            tz,
            utc(2027, 1, 10, 0, 0),
            utc(2027, 7, 10, 0, 0)
        ));
    }

    #[test]
    fn the_offset_differs_across_a_change_and_not_across_a_year() {
        let tz = zone("Europe/Zurich");
        assert!(offset_differs(
            tz,
            utc(2027, 2, 20, 9, 0),
            utc(2027, 4, 1, 9, 0)
        ));
        assert!(!offset_differs(
            tz,
            utc(2027, 2, 20, 9, 0),
            utc(2028, 2, 20, 9, 0)
        ));
    }

    #[test]
    fn the_nearest_of_two_changes_is_reported() {
        // Two changes within the window only with a wide window.
        let tz = zone("Europe/Zurich");
        let all = changes_between(tz, utc(2027, 1, 1, 0, 0), utc(2028, 1, 1, 0, 0));
        assert_eq!(all.len(), 2);
        let near = change_near(tz, utc(2027, 10, 1, 0, 0), 200).unwrap();
        assert_eq!(near.at, utc(2027, 10, 31, 1, 0));
    }

    fn session(starts_at: DateTime<Utc>) -> Session {
        Session {
            id: SessionId(Uuid::new_v4()),
            webinar_id: crate::domain::WebinarId(Uuid::new_v4()),
            label: "A".into(),
            starts_at,
            duration_minutes: 60,
            capacity: None,
            taken: 0,
            join_url: None,
            status: SessionStatus::Scheduled,
        }
    }

    #[test]
    fn warnings_name_each_zone_once_and_count_the_shifted_people() {
        let now = utc(2027, 2, 20, 9, 0);
        let near = session(utc(2027, 3, 30, 9, 0));
        let far = session(utc(2027, 5, 12, 9, 0));
        let calm = session(utc(2027, 2, 24, 9, 0));
        let zones = [
            (zone("Europe/Zurich"), 2),
            (zone("Asia/Tokyo"), 5),
            (zone("Europe/Zurich"), 1),
            (zone("America/Santiago"), 4),
        ];
        let warnings = session_warnings(&[near.clone(), far.clone(), calm], &zones, now);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        let first = &warnings[0];
        assert_eq!(first.session_id, near.id);
        // Zurich moves on 28 March, Santiago on 4 April; Tokyo never.
        let names: Vec<_> = first.zones.iter().map(|z| z.zone.name()).collect();
        assert_eq!(names, ["America/Santiago", "Europe/Zurich"]);
        // Only Zurich is already at another offset than on 20 February.
        assert_eq!(first.shifted_people(), 3);
        let second = &warnings[1];
        assert_eq!(second.session_id, far.id);
        assert!(second.zones.is_empty());
        // Zurich is an hour later, Santiago an hour earlier than on 20 February.
        let shifted: Vec<_> = second
            .shifted
            .iter()
            .map(|s| (s.zone.name(), s.people))
            .collect();
        assert_eq!(shifted, [("America/Santiago", 4), ("Europe/Zurich", 3)]);
    }

    #[test]
    fn cancelled_sessions_get_no_warning() {
        let mut s = session(utc(2027, 3, 30, 9, 0));
        s.status = SessionStatus::Cancelled;
        let warnings = session_warnings(&[s], &[(zone("Europe/Zurich"), 1)], utc(2027, 2, 1, 0, 0));
        assert!(warnings.is_empty());
    }
}
