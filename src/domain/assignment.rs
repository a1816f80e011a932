//! Time-zone assignment: picks the webinar session that best fits a person's local working day.
//! Pure logic; each session is judged on its own local date, with the UTC offset at its instant.

use std::cmp::Reverse;

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

const DAY_SECS: i64 = 86_400;

/// The webinar's assignment settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Earliest acceptable local start (default 07:00).
    pub window_start: NaiveTime,
    /// Latest acceptable local end (default 22:00).
    pub window_end: NaiveTime,
    /// Local time the session's midpoint should be nearest to (default 13:00).
    pub preferred_local: NaiveTime,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            window_start: clock(7, 0),
            window_end: clock(22, 0),
            preferred_local: clock(13, 0),
        }
    }
}

impl Rules {
    /// Validates window_start < window_end; returns Err(String message naming the problem) otherwise.
    pub fn new(
        window_start: NaiveTime,
        window_end: NaiveTime,
        preferred_local: NaiveTime,
    ) -> Result<Rules, String> {
        if window_start >= window_end {
            return Err(format!(
                "window_start ({window_start}) must be earlier than window_end ({window_end})"
            ));
        }
        Ok(Rules {
            window_start,
            window_end,
            preferred_local,
        })
    }
}

/// One session as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// False when the session is cancelled or closed.
    pub open: bool,
    /// None = unlimited.
    pub seats_left: Option<u32>,
}

impl Candidate {
    /// Open, with a seat left: the rule may recommend it.
    pub fn is_available(&self) -> bool {
        self.open && self.seats_left.is_none_or(|n| n > 0)
    }
}

/// How one session looks to a person in `tz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSession {
    pub id: Uuid,
    pub local_start: DateTime<Tz>,
    pub local_end: DateTime<Tz>,
    pub suitable: bool,
    pub available: bool,
    /// 0 when suitable; otherwise rounded up, so any overrun counts.
    pub minutes_outside_window: u32,
    pub recommended: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recommendation {
    pub session_id: Uuid,
    pub outside_working_hours: bool,
}

/// Every candidate, in the given order, as seen from `tz`, with exactly one `recommended == true` when any is available.
pub fn evaluate(rules: &Rules, tz: Tz, candidates: &[Candidate]) -> Vec<LocalSession> {
    let scored: Vec<Scored> = candidates.iter().map(|c| score(rules, tz, c)).collect();
    // `min_by_key` keeps the first of equal ranks, so identical sessions fall back to input order.
    let best = scored
        .iter()
        .enumerate()
        .filter(|(_, s)| s.view.available)
        .min_by_key(|(_, s)| s.rank)
        .map(|(i, _)| i);
    scored
        .into_iter()
        .enumerate()
        .map(|(i, s)| LocalSession {
            recommended: best == Some(i),
            ..s.view
        })
        .collect()
}

/// The session the rule recommends for a person in `tz`, or None when no session is available.
pub fn recommend(rules: &Rules, tz: Tz, candidates: &[Candidate]) -> Option<Recommendation> {
    evaluate(rules, tz, candidates)
        .into_iter()
        .find(|s| s.recommended)
        .map(|s| Recommendation {
            session_id: s.id,
            outside_working_hours: !s.suitable,
        })
}

/// Ordered best first: suitable, least outside the window, midpoint nearest the preferred
/// time, most seats left (unlimited is most), earliest start.
type Rank = (bool, i64, i64, Reverse<u64>, DateTime<Utc>);

struct Scored {
    view: LocalSession,
    rank: Rank,
}

/// How well one session's time suits a person in one zone, before seats and ties: the
/// part of the rule that depends on the zone. The planner ranks whole grids with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// Inside the window on the session's local day.
    pub suitable: bool,
    /// Seconds outside the nearest day's window (0 exactly when suitable).
    pub outside_secs: i64,
    /// Distance of the wall-clock midpoint from the preferred time, in half-seconds.
    pub gap_half_secs: i64,
}

/// The zone-dependent part of the rule for a session from `starts_at` to `ends_at`.
pub fn fit(rules: &Rules, tz: Tz, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Fit {
    let local_start = starts_at.with_timezone(&tz);
    let local_end = ends_at.with_timezone(&tz);
    fit_local(rules, &local_start, &local_end)
}

fn fit_local(rules: &Rules, local_start: &DateTime<Tz>, local_end: &DateTime<Tz>) -> Fit {
    let day = local_start.date_naive();
    let (start, end) = (wall_secs(local_start, day), wall_secs(local_end, day));
    let window = (day_secs(rules.window_start), day_secs(rules.window_end));
    Fit {
        suitable: start >= window.0 && end <= window.1,
        outside_secs: secs_outside(window, start, end),
        gap_half_secs: midpoint_gap(start, end, day_secs(rules.preferred_local)),
    }
}

fn score(rules: &Rules, tz: Tz, c: &Candidate) -> Scored {
    let local_start = c.starts_at.with_timezone(&tz);
    let local_end = c.ends_at.with_timezone(&tz);
    let fit = fit_local(rules, &local_start, &local_end);
    let seats = c.seats_left.map_or(u64::MAX, u64::from);
    Scored {
        view: LocalSession {
            id: c.id,
            local_start,
            local_end,
            suitable: fit.suitable,
            available: c.is_available(),
            minutes_outside_window: whole_minutes(fit.outside_secs),
            recommended: false,
        },
        rank: (
            !fit.suitable,
            fit.outside_secs,
            fit.gap_half_secs,
            Reverse(seats),
            c.starts_at,
        ),
    }
}

/// Wall-clock seconds since local midnight of `day`. A later local date adds whole days
/// (00:30 next day reads as 24:30), and reading the end's own wall clock keeps DST jumps.
fn wall_secs(t: &DateTime<Tz>, day: NaiveDate) -> i64 {
    let days = (t.date_naive() - day).num_days();
    days * DAY_SECS + day_secs(t.time())
}

fn day_secs(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight())
}

/// Distance to the nearest of the windows on the previous, same and next local day, so a
/// session just past midnight is measured against the evening it follows, not the morning.
fn secs_outside((window_start, window_end): (i64, i64), start: i64, end: i64) -> i64 {
    [-DAY_SECS, 0, DAY_SECS]
        .into_iter()
        .map(|shift| (window_start + shift - start).max(0) + (end - window_end - shift).max(0))
        .fold(i64::MAX, i64::min)
}

/// Distance around the 24-hour clock between the wall-clock midpoint and the preferred time,
/// in half-seconds so that odd-length sessions compare exactly.
fn midpoint_gap(start: i64, end: i64, preferred: i64) -> i64 {
    let diff = (start + end - 2 * preferred).rem_euclid(2 * DAY_SECS);
    diff.min(2 * DAY_SECS - diff)
}

fn whole_minutes(secs: i64) -> u32 {
    let minutes = u64::try_from(secs).unwrap_or(0).div_ceil(60);
    u32::try_from(minutes).unwrap_or(u32::MAX)
}

fn clock(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("constant wall-clock time is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use chrono_tz::{America, Asia, Australia, Europe, Pacific};

    const AM: Uuid = Uuid::from_u128(1);
    const PM: Uuid = Uuid::from_u128(2);

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
        date.and_hms_opt(h, m, 0).unwrap().and_utc()
    }

    fn session(id: u128, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Candidate {
        Candidate {
            id: Uuid::from_u128(id),
            starts_at,
            ends_at,
            open: true,
            seats_left: Some(50),
        }
    }

    /// The model webinar: AM 07:00–09:00 UTC and PM 14:00–16:00 UTC.
    fn model(date: NaiveDate) -> Vec<Candidate> {
        vec![
            session(1, utc(date, 7, 0), utc(date, 9, 0)),
            session(2, utc(date, 14, 0), utc(date, 16, 0)),
        ]
    }

    fn local(t: &DateTime<Tz>) -> String {
        t.format("%m-%d %H:%M %:z").to_string()
    }

    fn picked(id: Uuid) -> Recommendation {
        Recommendation {
            session_id: id,
            outside_working_hours: false,
        }
    }

    fn fallback(id: Uuid) -> Recommendation {
        Recommendation {
            session_id: id,
            outside_working_hours: true,
        }
    }

    fn get(sessions: &[LocalSession], id: Uuid) -> &LocalSession {
        sessions.iter().find(|s| s.id == id).unwrap()
    }

    fn assert_span(s: &LocalSession, start: &str, end: &str) {
        assert_eq!(
            (local(&s.local_start), local(&s.local_end)),
            (start.into(), end.into())
        );
    }

    /// Evaluates and recommends, checking the two agree on the one recommended session.
    fn run(rules: &Rules, tz: Tz, candidates: &[Candidate]) -> (Vec<LocalSession>, Recommendation) {
        let sessions = evaluate(rules, tz, candidates);
        let rec = recommend(rules, tz, candidates).expect("a session is available");
        let marked: Vec<Uuid> = sessions
            .iter()
            .filter(|s| s.recommended)
            .map(|s| s.id)
            .collect();
        assert_eq!(marked, vec![rec.session_id]);
        assert_eq!(
            rec.outside_working_hours,
            !get(&sessions, rec.session_id).suitable
        );
        (sessions, rec)
    }

    fn run_model(tz: Tz, date: NaiveDate) -> (Vec<LocalSession>, Recommendation) {
        run(&Rules::default(), tz, &model(date))
    }

    fn rules(start: (u32, u32), end: (u32, u32), preferred: (u32, u32)) -> Rules {
        Rules::new(
            clock(start.0, start.1),
            clock(end.0, end.1),
            clock(preferred.0, preferred.1),
        )
        .unwrap()
    }

    #[test]
    fn default_rules_are_seven_to_twenty_two_preferring_one_pm() {
        assert_eq!(Rules::default(), rules((7, 0), (22, 0), (13, 0)));
    }

    #[test]
    fn rules_reject_a_window_that_does_not_start_before_it_ends() {
        let equal = Rules::new(clock(9, 0), clock(9, 0), clock(9, 0)).unwrap_err();
        let reversed = Rules::new(clock(22, 0), clock(7, 0), clock(13, 0)).unwrap_err();
        assert!(equal.contains("window_start") && equal.contains("window_end"));
        assert!(reversed.contains("22:00") && reversed.contains("07:00"));
    }

    #[test]
    fn tokyo_gets_the_morning_utc_session() {
        let (sessions, rec) = run_model(Asia::Tokyo, day(2024, 9, 10));
        let (am, pm) = (get(&sessions, AM), get(&sessions, PM));
        assert_span(am, "09-10 16:00 +09:00", "09-10 18:00 +09:00");
        assert_span(pm, "09-10 23:00 +09:00", "09-11 01:00 +09:00");
        assert!(am.suitable && !pm.suitable);
        assert_eq!(
            (am.minutes_outside_window, pm.minutes_outside_window),
            (0, 180)
        );
        assert_eq!(rec, picked(AM));
    }

    #[test]
    fn sydney_gets_the_morning_utc_session_in_winter_at_plus_ten() {
        let (sessions, rec) = run_model(Australia::Sydney, day(2024, 6, 12));
        assert_span(
            get(&sessions, AM),
            "06-12 17:00 +10:00",
            "06-12 19:00 +10:00",
        );
        assert_span(
            get(&sessions, PM),
            "06-13 00:00 +10:00",
            "06-13 02:00 +10:00",
        );
        // Ending 4h past the previous evening's 22:00 beats starting 7h before 07:00.
        assert_eq!(get(&sessions, PM).minutes_outside_window, 240);
        assert_eq!(rec.session_id, AM);
    }

    #[test]
    fn sydney_gets_the_morning_utc_session_in_summer_at_plus_eleven() {
        let (sessions, rec) = run_model(Australia::Sydney, day(2024, 12, 11));
        assert_span(
            get(&sessions, AM),
            "12-11 18:00 +11:00",
            "12-11 20:00 +11:00",
        );
        assert_span(
            get(&sessions, PM),
            "12-12 01:00 +11:00",
            "12-12 03:00 +11:00",
        );
        assert_eq!(get(&sessions, PM).minutes_outside_window, 300);
        assert_eq!(rec.session_id, AM);
    }

    #[test]
    fn apia_stays_at_plus_thirteen_and_may_end_exactly_at_window_end() {
        for date in [day(2024, 1, 10), day(2024, 9, 10)] {
            let (sessions, rec) = run_model(Pacific::Apia, date);
            let (am, pm) = (get(&sessions, AM), get(&sessions, PM));
            assert_eq!(
                local(&am.local_start),
                format!("{} 20:00 +13:00", date.format("%m-%d"))
            );
            assert_eq!(
                local(&am.local_end),
                format!("{} 22:00 +13:00", date.format("%m-%d"))
            );
            assert_eq!(am.local_end.time(), Rules::default().window_end);
            assert_eq!(pm.local_start.time(), clock(3, 0));
            assert_eq!(pm.local_start.date_naive(), date.succ_opt().unwrap());
            assert!(am.suitable && !pm.suitable);
            assert_eq!(rec, picked(AM));
        }
    }

    #[test]
    fn kathmandu_sees_quarter_hour_offsets_and_gets_the_morning_utc_session() {
        let (sessions, rec) = run_model(Asia::Kathmandu, day(2024, 9, 10));
        let am = get(&sessions, AM);
        assert_eq!(
            am.local_start.hour() * 60 + am.local_start.minute(),
            12 * 60 + 45
        );
        assert_span(am, "09-10 12:45 +05:45", "09-10 14:45 +05:45");
        assert_span(
            get(&sessions, PM),
            "09-10 19:45 +05:45",
            "09-10 21:45 +05:45",
        );
        // Both suit; AM's midpoint 13:45 is nearer 13:00 than PM's 20:45.
        assert!(sessions.iter().all(|s| s.suitable));
        assert_eq!(rec, picked(AM));
    }

    #[test]
    fn lord_howe_half_hour_dst_shifts_the_sessions_by_thirty_minutes() {
        let (winter, rec) = run_model(Australia::Lord_Howe, day(2024, 6, 12));
        assert_span(get(&winter, AM), "06-12 17:30 +10:30", "06-12 19:30 +10:30");
        assert_span(get(&winter, PM), "06-13 00:30 +10:30", "06-13 02:30 +10:30");
        assert_eq!(rec.session_id, AM);

        let (summer, rec) = run_model(Australia::Lord_Howe, day(2024, 12, 11));
        assert_span(get(&summer, AM), "12-11 18:00 +11:00", "12-11 20:00 +11:00");
        assert_span(get(&summer, PM), "12-12 01:00 +11:00", "12-12 03:00 +11:00");
        assert_eq!(rec.session_id, AM);
    }

    #[test]
    fn st_johns_gets_the_afternoon_utc_session_in_summer_and_winter() {
        let (summer, rec) = run_model(America::St_Johns, day(2024, 7, 10));
        assert_span(get(&summer, AM), "07-10 04:30 -02:30", "07-10 06:30 -02:30");
        assert_span(get(&summer, PM), "07-10 11:30 -02:30", "07-10 13:30 -02:30");
        assert_eq!(get(&summer, AM).minutes_outside_window, 150);
        assert_eq!(rec, picked(PM));

        let (winter, rec) = run_model(America::St_Johns, day(2024, 1, 10));
        assert_span(get(&winter, AM), "01-10 03:30 -03:30", "01-10 05:30 -03:30");
        assert_span(get(&winter, PM), "01-10 10:30 -03:30", "01-10 12:30 -03:30");
        assert_eq!(get(&winter, AM).minutes_outside_window, 210);
        assert_eq!(rec, picked(PM));
    }

    #[test]
    fn new_york_uses_each_sessions_own_offset_around_the_march_switch() {
        let (before, rec) = run_model(America::New_York, day(2024, 3, 9));
        assert_span(get(&before, AM), "03-09 02:00 -05:00", "03-09 04:00 -05:00");
        assert_span(get(&before, PM), "03-09 09:00 -05:00", "03-09 11:00 -05:00");
        assert_eq!(rec.session_id, PM);

        // 07:00 UTC on 10 March is the switch instant itself: 02:00 EST becomes 03:00 EDT.
        let (after, rec) = run_model(America::New_York, day(2024, 3, 10));
        assert_span(get(&after, AM), "03-10 03:00 -04:00", "03-10 05:00 -04:00");
        assert_span(get(&after, PM), "03-10 10:00 -04:00", "03-10 12:00 -04:00");
        assert_eq!(rec.session_id, PM);
    }

    #[test]
    fn new_york_uses_each_sessions_own_offset_around_the_november_switch() {
        let (before, _) = run_model(America::New_York, day(2024, 11, 2));
        assert_span(get(&before, PM), "11-02 10:00 -04:00", "11-02 12:00 -04:00");
        let (after, rec) = run_model(America::New_York, day(2024, 11, 4));
        assert_span(get(&after, PM), "11-04 09:00 -05:00", "11-04 11:00 -05:00");
        assert_eq!(rec.session_id, PM);
    }

    #[test]
    fn one_request_judges_sessions_on_different_dates_by_their_own_offsets() {
        let candidates = [
            session(1, utc(day(2024, 3, 9), 14, 0), utc(day(2024, 3, 9), 16, 0)),
            session(
                2,
                utc(day(2024, 3, 11), 14, 0),
                utc(day(2024, 3, 11), 16, 0),
            ),
        ];
        let (sessions, rec) = run(&Rules::default(), America::New_York, &candidates);
        assert_span(&sessions[0], "03-09 09:00 -05:00", "03-09 11:00 -05:00");
        assert_span(&sessions[1], "03-11 10:00 -04:00", "03-11 12:00 -04:00");
        // Same UTC time, but after the switch the midpoint is 11:00 instead of 10:00.
        assert_eq!(rec.session_id, Uuid::from_u128(2));
    }

    #[test]
    fn zurich_recommendation_flips_across_the_march_switch() {
        let (before, rec) = run_model(Europe::Zurich, day(2024, 3, 30));
        assert_span(get(&before, AM), "03-30 08:00 +01:00", "03-30 10:00 +01:00");
        assert_span(get(&before, PM), "03-30 15:00 +01:00", "03-30 17:00 +01:00");
        // Midpoints 09:00 vs 16:00: 4h vs 3h from 13:00.
        assert_eq!(rec, picked(PM));

        let (after, rec) = run_model(Europe::Zurich, day(2024, 3, 31));
        assert_span(get(&after, AM), "03-31 09:00 +02:00", "03-31 11:00 +02:00");
        assert_span(get(&after, PM), "03-31 16:00 +02:00", "03-31 18:00 +02:00");
        assert_eq!(rec, picked(AM));
    }

    #[test]
    fn zurich_recommendation_flips_back_across_the_october_switch() {
        let (before, rec) = run_model(Europe::Zurich, day(2024, 10, 26));
        assert_span(get(&before, AM), "10-26 09:00 +02:00", "10-26 11:00 +02:00");
        assert_eq!(rec.session_id, AM);
        let (after, rec) = run_model(Europe::Zurich, day(2024, 10, 27));
        assert_span(get(&after, AM), "10-27 08:00 +01:00", "10-27 10:00 +01:00");
        assert_eq!(rec.session_id, PM);
    }

    #[test]
    fn new_york_and_zurich_are_five_hours_apart_in_the_gap_weeks() {
        for (date, ny_pm, zurich_pm) in [
            (day(2024, 3, 20), "03-20 10:00 -04:00", "03-20 15:00 +01:00"),
            (
                day(2024, 10, 30),
                "10-30 10:00 -04:00",
                "10-30 15:00 +01:00",
            ),
            (day(2024, 4, 10), "04-10 10:00 -04:00", "04-10 16:00 +02:00"),
        ] {
            let (ny, _) = run_model(America::New_York, date);
            let (zurich, _) = run_model(Europe::Zurich, date);
            assert_eq!(local(&get(&ny, PM).local_start), ny_pm);
            assert_eq!(local(&get(&zurich, PM).local_start), zurich_pm);
        }
    }

    #[test]
    fn model_case_picks_for_mexico_city_new_york_zurich_and_nairobi() {
        let date = day(2024, 9, 10);
        let (mexico, rec) = run_model(America::Mexico_City, date);
        assert_span(get(&mexico, PM), "09-10 08:00 -06:00", "09-10 10:00 -06:00");
        assert_eq!(rec, picked(PM));

        let (ny, rec) = run_model(America::New_York, date);
        assert_span(get(&ny, PM), "09-10 10:00 -04:00", "09-10 12:00 -04:00");
        assert_eq!(rec, picked(PM));

        let (zurich, rec) = run_model(Europe::Zurich, date);
        assert_span(get(&zurich, AM), "09-10 09:00 +02:00", "09-10 11:00 +02:00");
        assert_span(get(&zurich, PM), "09-10 16:00 +02:00", "09-10 18:00 +02:00");
        assert_eq!(rec, picked(AM));

        // Midpoints 11:00 vs 18:00: 2h vs 5h from 13:00.
        let (nairobi, rec) = run_model(chrono_tz::Africa::Nairobi, date);
        assert_span(
            get(&nairobi, AM),
            "09-10 10:00 +03:00",
            "09-10 12:00 +03:00",
        );
        assert_span(
            get(&nairobi, PM),
            "09-10 17:00 +03:00",
            "09-10 19:00 +03:00",
        );
        assert_eq!(rec, picked(AM));
    }

    #[test]
    fn session_crossing_local_midnight_is_unsuitable_and_measured_past_window_end() {
        let date = day(2024, 9, 10);
        let late = session(1, utc(date, 12, 0), utc(date, 15, 30));
        let (sessions, rec) = run(&Rules::default(), Asia::Tokyo, &[late]);
        let s = &sessions[0];
        assert_span(s, "09-10 21:00 +09:00", "09-11 00:30 +09:00");
        // End reads as 24:30, i.e. 150 minutes past 22:00.
        assert!(!s.suitable);
        assert_eq!(s.minutes_outside_window, 150);
        assert!(rec.outside_working_hours);
    }

    #[test]
    fn distance_uses_the_next_days_window_when_that_is_nearer() {
        let date = day(2024, 9, 10);
        let s = session(1, utc(date, 23, 50), utc(date + TimeDelta::days(1), 0, 40));
        let sessions = evaluate(&rules((0, 30), (22, 0), (13, 0)), Tz::UTC, &[s]);
        // Same day: 160 min past 22:00; next day: 40 min before 00:30.
        assert_eq!(sessions[0].minutes_outside_window, 40);
    }

    #[test]
    fn distance_uses_the_previous_days_window_when_that_is_nearer() {
        let date = day(2024, 9, 10);
        let s = session(1, utc(date, 0, 0), utc(date, 0, 30));
        let sessions = evaluate(&rules((7, 0), (23, 59), (13, 0)), Tz::UTC, &[s]);
        // Same day: 420 min before 07:00; previous day: ends 31 min past 23:59.
        assert_eq!(sessions[0].minutes_outside_window, 31);
    }

    #[test]
    fn window_edges_are_inclusive_and_any_overrun_counts_as_a_minute() {
        let date = day(2024, 9, 10);
        let edge = session(1, utc(date, 7, 0), utc(date, 22, 0));
        let over = session(
            2,
            utc(date, 20, 0),
            utc(date, 22, 0) + TimeDelta::seconds(30),
        );
        let sessions = evaluate(&Rules::default(), Tz::UTC, &[edge, over]);
        assert!(sessions[0].suitable);
        assert_eq!(sessions[0].minutes_outside_window, 0);
        assert!(!sessions[1].suitable);
        assert_eq!(sessions[1].minutes_outside_window, 1);
    }

    #[test]
    fn spring_forward_during_a_session_is_read_from_the_real_wall_clock() {
        // Zurich springs 02:00 -> 03:00 at 01:00 UTC: a 2-hour session spans 3 wall hours.
        let date = day(2024, 3, 31);
        let s = session(1, utc(date, 0, 30), utc(date, 2, 30));
        let sessions = evaluate(&rules((1, 0), (4, 0), (2, 30)), Europe::Zurich, &[s]);
        assert_span(&sessions[0], "03-31 01:30 +01:00", "03-31 04:30 +02:00");
        assert!(!sessions[0].suitable);
        assert_eq!(sessions[0].minutes_outside_window, 30);
    }

    #[test]
    fn fall_back_during_a_session_is_read_from_the_real_wall_clock() {
        // New York falls 02:00 -> 01:00 at 06:00 UTC: a 1-hour session ends at the wall time it began.
        let date = day(2024, 11, 3);
        let s = session(1, utc(date, 5, 30), utc(date, 6, 30));
        let sessions = evaluate(&rules((1, 0), (1, 45), (1, 30)), America::New_York, &[s]);
        assert_span(&sessions[0], "11-03 01:30 -04:00", "11-03 01:30 -05:00");
        assert!(sessions[0].suitable);
    }

    #[test]
    fn full_session_is_never_recommended_even_when_it_fits_best() {
        let mut candidates = model(day(2024, 9, 10));
        candidates[0].seats_left = Some(0);
        let (sessions, rec) = run(&Rules::default(), Europe::Zurich, &candidates);
        let am = get(&sessions, AM);
        assert!(am.suitable && !am.available && !am.recommended);
        assert_eq!(rec, picked(PM));
    }

    #[test]
    fn closed_session_is_never_recommended_even_when_the_rest_are_unsuitable() {
        let mut candidates = model(day(2024, 9, 10));
        candidates[0].open = false;
        let (sessions, rec) = run(&Rules::default(), Asia::Tokyo, &candidates);
        assert!(get(&sessions, AM).suitable && !get(&sessions, AM).available);
        assert_eq!(rec, fallback(PM));
    }

    #[test]
    fn honolulu_gets_the_least_bad_session_flagged_outside_working_hours() {
        let (sessions, rec) = run_model(Pacific::Honolulu, day(2024, 9, 10));
        let (am, pm) = (get(&sessions, AM), get(&sessions, PM));
        assert_span(am, "09-09 21:00 -10:00", "09-09 23:00 -10:00");
        assert_span(pm, "09-10 04:00 -10:00", "09-10 06:00 -10:00");
        assert_eq!(
            (am.minutes_outside_window, pm.minutes_outside_window),
            (60, 180)
        );
        assert_eq!(rec, fallback(AM));
    }

    #[test]
    fn los_angeles_with_a_narrow_window_gets_the_least_bad_session() {
        let narrow = rules((9, 0), (17, 0), (13, 0));
        let (sessions, rec) = run(&narrow, America::Los_Angeles, &model(day(2024, 9, 10)));
        let (am, pm) = (get(&sessions, AM), get(&sessions, PM));
        assert_span(am, "09-10 00:00 -07:00", "09-10 02:00 -07:00");
        assert_span(pm, "09-10 07:00 -07:00", "09-10 09:00 -07:00");
        assert_eq!(
            (am.minutes_outside_window, pm.minutes_outside_window),
            (540, 120)
        );
        assert_eq!(rec, fallback(PM));
    }

    #[test]
    fn least_bad_tie_on_distance_goes_to_the_midpoint_nearest_preferred() {
        let date = day(2024, 9, 10);
        let early = session(1, utc(date, 8, 0), utc(date, 9, 0));
        let late = session(2, utc(date, 13, 0), utc(date, 14, 0));
        let (sessions, rec) = run(&rules((10, 0), (12, 0), (12, 0)), Tz::UTC, &[early, late]);
        assert!(sessions.iter().all(|s| s.minutes_outside_window == 120));
        // Midpoints 08:30 vs 13:30 are 3.5h vs 1.5h from 12:00.
        assert_eq!(rec, fallback(Uuid::from_u128(2)));
    }

    fn equally_good_pair(first_seats: Option<u32>, second_seats: Option<u32>) -> [Candidate; 2] {
        // Midpoints 12:00 and 14:00 are both an hour from 13:00.
        let date = day(2024, 9, 10);
        let mut first = session(1, utc(date, 11, 0), utc(date, 13, 0));
        let mut second = session(2, utc(date, 13, 0), utc(date, 15, 0));
        (first.seats_left, second.seats_left) = (first_seats, second_seats);
        [first, second]
    }

    #[test]
    fn tie_between_suitable_sessions_goes_to_more_seats_left() {
        let pair = equally_good_pair(Some(5), Some(10));
        let (_, rec) = run(&Rules::default(), Tz::UTC, &pair);
        assert_eq!(rec.session_id, Uuid::from_u128(2));
    }

    #[test]
    fn unlimited_seats_beat_any_number_of_seats_in_a_tie() {
        let pair = equally_good_pair(Some(u32::MAX), None);
        let (_, rec) = run(&Rules::default(), Tz::UTC, &pair);
        assert_eq!(rec.session_id, Uuid::from_u128(2));
    }

    #[test]
    fn tie_with_equal_seats_goes_to_the_earlier_session_whatever_the_order() {
        let [first, second] = equally_good_pair(Some(7), Some(7));
        let (_, rec) = run(&Rules::default(), Tz::UTC, &[second, first]);
        assert_eq!(rec.session_id, Uuid::from_u128(1));
    }

    #[test]
    fn no_available_session_means_no_recommendation() {
        let mut candidates = model(day(2024, 9, 10));
        candidates[0].open = false;
        candidates[1].seats_left = Some(0);
        let sessions = evaluate(&Rules::default(), Asia::Tokyo, &candidates);
        assert_eq!(sessions.len(), 2);
        assert!(sessions.iter().all(|s| !s.available && !s.recommended));
        assert_eq!(recommend(&Rules::default(), Asia::Tokyo, &candidates), None);
        assert_eq!(recommend(&Rules::default(), Asia::Tokyo, &[]), None);
        assert!(evaluate(&Rules::default(), Asia::Tokyo, &[]).is_empty());
    }

    #[test]
    fn evaluate_keeps_input_order_and_marks_exactly_one() {
        let mut candidates = model(day(2024, 9, 10));
        candidates.reverse();
        let sessions = evaluate(&Rules::default(), Asia::Tokyo, &candidates);
        assert_eq!(
            sessions.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![PM, AM]
        );
        assert_eq!(sessions.iter().filter(|s| s.recommended).count(), 1);
    }
}
