//! The session planner: which start times serve the invitees best under the very rule
//! that will assign them (`assignment`). Pure: people, rules and times in, figures out.
//!
//! One function, [`assign`], says where each person goes for a given set of sessions;
//! the coverage page, the current sessions' figures and every proposal's figures come from
//! it. The search over the grid ([`plan`]) is exact: every combination of grid times is
//! ranked, on a table that holds the rule's verdict per zone class and grid time (zones
//! whose verdicts agree on every grid time are one class), and the best five are then
//! told in full by [`assign`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::assignment::{self, Rules};
use super::values::Invalid;

/// The most combinations one plan may rank (a longer step or fewer dates ranks fewer).
pub const MAX_COMBINATIONS: u64 = 5_000_000;
/// At most this many proposals are answered.
pub const MAX_PROPOSALS: usize = 5;
const MAX_DATES: usize = 7;
const MAX_SESSIONS: usize = 4;

/// Whether each invitee counts once, or each organization once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Person,
    Organization,
}

impl Weight {
    pub fn as_str(self) -> &'static str {
        match self {
            Weight::Person => "person",
            Weight::Organization => "organization",
        }
    }

    pub fn parse(value: &str) -> Result<Weight, Invalid> {
        match value {
            "person" => Ok(Weight::Person),
            "organization" => Ok(Weight::Organization),
            other => Err(Invalid(format!(
                "weight must be \"person\" or \"organization\", not {other:?}"
            ))),
        }
    }
}

/// What to plan: checked by [`Request::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub sessions: usize,
    pub dates: Vec<NaiveDate>,
    pub duration_minutes: u32,
    pub step_minutes: u32,
    pub weight: Weight,
    /// Seats per proposed session; None = unlimited.
    pub seats: Option<u32>,
}

impl Request {
    pub fn new(
        sessions: u32,
        dates: &[String],
        duration_minutes: u32,
        step_minutes: u32,
        weight: Weight,
        seats: Option<u32>,
    ) -> Result<Request, Invalid> {
        let sessions = usize::try_from(sessions).unwrap_or(usize::MAX);
        if !(1..=MAX_SESSIONS).contains(&sessions) {
            return Err(Invalid(format!(
                "sessions must be from 1 to {MAX_SESSIONS}, not {sessions}"
            )));
        }
        if dates.is_empty() || dates.len() > MAX_DATES {
            return Err(Invalid(format!(
                "dates must list from 1 to {MAX_DATES} days as YYYY-MM-DD"
            )));
        }
        let mut parsed = Vec::with_capacity(dates.len());
        for text in dates {
            let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| Invalid(format!("dates: {text:?} is not a date as YYYY-MM-DD")))?;
            let year = chrono::Datelike::year(&date);
            if !(2000..2100).contains(&year) {
                return Err(Invalid(format!(
                    "dates: {text:?} must fall in the years 2000 to 2099"
                )));
            }
            parsed.push(date);
        }
        parsed.sort();
        parsed.dedup();
        if !(1..=24 * 60).contains(&duration_minutes) {
            return Err(Invalid(
                "duration_minutes must be from 1 to 1440".to_string(),
            ));
        }
        if ![15, 30, 60].contains(&step_minutes) {
            return Err(Invalid(format!(
                "step_minutes must be 15, 30 or 60, not {step_minutes}"
            )));
        }
        if seats == Some(0) {
            return Err(Invalid("seats must be at least 1".into()));
        }
        let request = Request {
            sessions,
            dates: parsed,
            duration_minutes,
            step_minutes,
            weight,
            seats,
        };
        let combinations = choose(request.grid().len() as u64, sessions as u64);
        if combinations > MAX_COMBINATIONS {
            return Err(Invalid(format!(
                "{sessions} sessions on a {step_minutes}-minute grid over {} day(s) make \
                 {combinations} combinations, more than the {MAX_COMBINATIONS} a plan ranks: \
                 use a longer step_minutes or fewer dates",
                request.dates.len()
            )));
        }
        Ok(request)
    }

    /// Every start time the plan may use, in time order: each date's UTC day on the step.
    pub fn grid(&self) -> Vec<DateTime<Utc>> {
        let per_day = 24 * 60 / self.step_minutes;
        self.dates
            .iter()
            .flat_map(|d| {
                let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
                (0..per_day)
                    .map(move |i| midnight + Duration::minutes(i64::from(i * self.step_minutes)))
            })
            .collect()
    }

    fn slot(&self, starts_at: DateTime<Utc>) -> Slot {
        Slot {
            starts_at,
            ends_at: starts_at + Duration::minutes(i64::from(self.duration_minutes)),
            open: true,
            seats: self.seats,
        }
    }
}

/// One session as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// False when the session is cancelled or closed: nobody is assigned to it.
    pub open: bool,
    /// Seats left; None = unlimited.
    pub seats: Option<u32>,
}

/// One invitee: their zone and organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub time_zone: Tz,
    pub organization: Option<String>,
}

/// Where the rule puts one person, for a given set of sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Index into the sessions; None when no session is open or has a seat for them.
    pub session: Option<usize>,
    /// The session lies inside their window.
    pub suitable: bool,
    /// Distance of the session's local midpoint from the preferred time, in half-seconds.
    pub gap_half_secs: i64,
}

/// The rule applied to everyone: each person gets the session the rule recommends to
/// them (`assignment::evaluate`'s order). Where seats run out, seats go first to the
/// people the session suits best (least outside the window, then nearest the preferred
/// time, then in list order), and the others get their next choice with a seat left.
pub fn assign(rules: &Rules, people: &[Person], slots: &[Slot]) -> Vec<Placement> {
    let mut zones: HashMap<Tz, Vec<Choice>> = HashMap::new();
    let order = tie_order(slots);
    for p in people {
        zones
            .entry(p.time_zone)
            .or_insert_with(|| choices(rules, p.time_zone, slots, &order));
    }
    let first: Vec<Option<&Choice>> = people.iter().map(|p| zones[&p.time_zone].first()).collect();
    let mut load = vec![0u64; slots.len()];
    for c in first.iter().flatten() {
        load[c.slot] += 1;
    }
    let binding = slots
        .iter()
        .zip(&load)
        .any(|(s, &n)| s.seats.is_some_and(|seats| u64::from(seats) < n));
    if !binding {
        return first
            .iter()
            .map(|c| c.map_or(Placement::NONE, Choice::placement))
            .collect();
    }
    let mut seats: Vec<u64> = slots
        .iter()
        .map(|s| s.seats.map_or(u64::MAX, u64::from))
        .collect();
    let mut queue: Vec<usize> = (0..people.len()).collect();
    queue.sort_by_key(|&i| first[i].map(|c| (c.outside_secs, c.gap_half_secs)));
    let mut placed = vec![Placement::NONE; people.len()];
    for i in queue {
        let list = &zones[&people[i].time_zone];
        if let Some(c) = list.iter().find(|c| seats[c.slot] > 0) {
            seats[c.slot] -= 1;
            placed[i] = c.placement();
        }
    }
    placed
}

impl Placement {
    const NONE: Placement = Placement {
        session: None,
        suitable: false,
        gap_half_secs: 0,
    };
}

/// One available session as a zone sees it, in the rule's order.
#[derive(Debug, Clone, Copy)]
struct Choice {
    slot: usize,
    outside_secs: i64,
    gap_half_secs: i64,
}

impl Choice {
    fn placement(&self) -> Placement {
        Placement {
            session: Some(self.slot),
            suitable: self.outside_secs == 0,
            gap_half_secs: self.gap_half_secs,
        }
    }
}

/// The rule's last two tie-breaks, which do not depend on the zone: most seats left
/// (unlimited most), then earliest start. `order[i]` is slot i's place in that order.
fn tie_order(slots: &[Slot]) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..slots.len()).collect();
    indices.sort_by_key(|&i| {
        (
            std::cmp::Reverse(slots[i].seats.map_or(u64::MAX, u64::from)),
            slots[i].starts_at,
        )
    });
    let mut order = vec![0; slots.len()];
    for (place, i) in indices.into_iter().enumerate() {
        order[i] = place;
    }
    order
}

/// The available slots in the rule's order for a person in `tz`.
fn choices(rules: &Rules, tz: Tz, slots: &[Slot], order: &[usize]) -> Vec<Choice> {
    let mut list: Vec<(Choice, usize)> = slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.open && s.seats != Some(0))
        .map(|(i, s)| {
            let fit = assignment::fit(rules, tz, s.starts_at, s.ends_at);
            (
                Choice {
                    slot: i,
                    outside_secs: fit.outside_secs,
                    gap_half_secs: fit.gap_half_secs,
                },
                order[i],
            )
        })
        .collect();
    list.sort_by_key(|(c, tie)| (c.outside_secs, c.gap_half_secs, *tie));
    list.into_iter().map(|(c, _)| c).collect()
}

/// How one set of sessions serves the people: the figures of the planner's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub starts_at: Vec<DateTime<Utc>>,
    /// People or organizations (by the weight) with a session inside their window.
    pub covered: usize,
    /// People without a session inside their window, by zone and organization.
    pub left_out: Vec<LeftOut>,
    /// Mean distance of the assigned sessions' local midpoints from the preferred time.
    pub mean_distance_minutes: u32,
    /// People the rule assigns to each session, in `starts_at` order.
    pub per_session: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub time_zone: Tz,
    pub organization: Option<String>,
    pub invitees: usize,
}

/// Tells one set of sessions in full (through [`assign`]).
pub fn evaluate(rules: &Rules, people: &[Person], slots: &[Slot], weight: Weight) -> Evaluation {
    let placed = assign(rules, people, slots);
    let mut per_session = vec![0; slots.len()];
    let mut left: BTreeMap<(&str, Option<&str>), (Tz, usize)> = BTreeMap::new();
    let (mut gap_sum, mut assigned) = (0i64, 0i64);
    for (p, at) in people.iter().zip(&placed) {
        if let Some(s) = at.session {
            per_session[s] += 1;
            gap_sum += at.gap_half_secs;
            assigned += 1;
        }
        if !at.suitable {
            let entry = left
                .entry((p.time_zone.name(), p.organization.as_deref()))
                .or_insert((p.time_zone, 0));
            entry.1 += 1;
        }
    }
    let covered = covered(&placed, &Units::of(people), weight);
    Evaluation {
        starts_at: slots.iter().map(|s| s.starts_at).collect(),
        covered,
        left_out: left
            .into_iter()
            .map(|((_, organization), (time_zone, invitees))| LeftOut {
                time_zone,
                organization: organization.map(str::to_string),
                invitees,
            })
            .collect(),
        mean_distance_minutes: mean_minutes(gap_sum, assigned),
        per_session,
    }
}

/// How many count in `total` for the weight: people, or organizations (an invitee
/// without an organization counts as one of their own).
pub fn total(people: &[Person], weight: Weight) -> usize {
    match weight {
        Weight::Person => people.len(),
        Weight::Organization => Units::of(people).count,
    }
}

/// The units an organization weight counts: one per organization (compared without case
/// and surrounding spaces), one per invitee without one.
struct Units {
    count: usize,
    of_person: Vec<usize>,
}

impl Units {
    fn of(people: &[Person]) -> Units {
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut count = 0;
        let of_person = people
            .iter()
            .map(|p| {
                let key = p
                    .organization
                    .as_deref()
                    .map(|o| o.trim().to_lowercase())
                    .filter(|o| !o.is_empty());
                match key {
                    Some(k) => *names.entry(k).or_insert_with(|| {
                        count += 1;
                        count - 1
                    }),
                    None => {
                        count += 1;
                        count - 1
                    }
                }
            })
            .collect();
        Units { count, of_person }
    }
}

fn mean_minutes(gap_half_secs: i64, people: i64) -> u32 {
    if people == 0 {
        return 0;
    }
    // Half-seconds to minutes, rounded to the nearest.
    let minutes = (gap_half_secs + 60 * people) / (120 * people);
    u32::try_from(minutes).unwrap_or(u32::MAX)
}

/// The planner's answer: the current sessions and the best proposals, told the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub weight: Weight,
    pub total: usize,
    pub current: Evaluation,
    pub proposals: Vec<Evaluation>,
}

/// Ranks every combination of `request.sessions` distinct grid times and tells the best
/// five in full, beside the current sessions.
pub fn plan(rules: &Rules, people: &[Person], request: &Request, current: &[Slot]) -> Plan {
    let grid: Vec<Slot> = request
        .grid()
        .into_iter()
        .map(|t| request.slot(t))
        .collect();
    let best = Search::new(rules, people, &grid, request).run();
    Plan {
        weight: request.weight,
        total: total(people, request.weight),
        current: evaluate(rules, people, current, request.weight),
        proposals: best
            .into_iter()
            .map(|combo| {
                let slots: Vec<Slot> = combo.iter().map(|&i| grid[i]).collect();
                evaluate(rules, people, &slots, request.weight)
            })
            .collect(),
    }
}

/// A combination's rank, best first: most covered (by the weight), fewest people outside
/// their window, smallest mean distance, earliest times.
#[derive(Debug, Clone)]
struct Ranked {
    covered: usize,
    outside: usize,
    gap_sum: i64,
    assigned: i64,
    combo: Vec<usize>,
}

impl Ranked {
    fn order(&self, other: &Ranked) -> Ordering {
        other
            .covered
            .cmp(&self.covered)
            .then(self.outside.cmp(&other.outside))
            .then_with(|| {
                // Mean distances compared exactly: a/b < c/d as a*d < c*b.
                let left = i128::from(self.gap_sum) * i128::from(other.assigned.max(1));
                let right = i128::from(other.gap_sum) * i128::from(self.assigned.max(1));
                left.cmp(&right)
            })
            .then_with(|| self.combo.cmp(&other.combo))
    }
}

/// The exhaustive search: a key per (zone class, grid time) that orders grid times as the
/// rule does, so a person's session is the minimum key of a combination's times.
struct Search<'a> {
    rules: &'a Rules,
    people: &'a [Person],
    grid: &'a [Slot],
    request: &'a Request,
    /// keys[class * n + slot]: outside seconds, gap, slot index packed so that `min` picks.
    keys: Vec<u64>,
    classes: usize,
    /// People per class.
    count: Vec<u64>,
    /// (unit, class) pairs for the organization weight, each once.
    unit_classes: Vec<(usize, usize)>,
    units: Units,
}

const SLOT_BITS: u32 = 12;
const GAP_BITS: u32 = 20;

impl<'a> Search<'a> {
    fn new(rules: &'a Rules, people: &'a [Person], grid: &'a [Slot], request: &'a Request) -> Self {
        let n = grid.len();
        assert!(n < 1 << SLOT_BITS, "the grid fits the key");
        let mut zone_class: HashMap<Tz, usize> = HashMap::new();
        let mut row_class: HashMap<Vec<u64>, usize> = HashMap::new();
        let mut keys = Vec::new();
        let mut count = Vec::new();
        let mut class_of_person = Vec::with_capacity(people.len());
        for p in people {
            let class = *zone_class.entry(p.time_zone).or_insert_with(|| {
                let row: Vec<u64> = grid
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let fit = assignment::fit(rules, p.time_zone, s.starts_at, s.ends_at);
                        pack(fit.outside_secs, fit.gap_half_secs, i)
                    })
                    .collect();
                let next = row_class.len();
                *row_class.entry(row.clone()).or_insert_with(|| {
                    keys.extend_from_slice(&row);
                    count.push(0);
                    next
                })
            });
            count[class] += 1;
            class_of_person.push(class);
        }
        let units = Units::of(people);
        let mut unit_classes: Vec<(usize, usize)> = units
            .of_person
            .iter()
            .zip(&class_of_person)
            .map(|(&u, &c)| (u, c))
            .collect();
        unit_classes.sort_unstable();
        unit_classes.dedup();
        Search {
            rules,
            people,
            grid,
            request,
            keys,
            classes: count.len(),
            count,
            unit_classes,
            units,
        }
    }

    fn run(&self) -> Vec<Vec<usize>> {
        let k = self.request.sessions.min(self.grid.len());
        let mut best: Vec<Ranked> = Vec::new();
        let mut prefix = vec![vec![u64::MAX; self.classes]; k + 1];
        let mut combo = Vec::with_capacity(k);
        let mut scratch = Scratch {
            covered: vec![false; self.classes],
            unit_seen: vec![false; self.units.count],
            load: vec![0; self.grid.len()],
        };
        self.descend(0, k, &mut prefix, &mut combo, &mut best, &mut scratch);
        best.into_iter().map(|r| r.combo).collect()
    }

    fn descend(
        &self,
        from: usize,
        k: usize,
        prefix: &mut [Vec<u64>],
        combo: &mut Vec<usize>,
        best: &mut Vec<Ranked>,
        scratch: &mut Scratch,
    ) {
        let level = combo.len();
        let n = self.grid.len();
        for slot in from..=(n - (k - level)) {
            let (done, rest) = prefix.split_at_mut(level + 1);
            let below = &done[level];
            let here = &mut rest[0];
            for class in 0..self.classes {
                here[class] = below[class].min(self.keys[class * n + slot]);
            }
            combo.push(slot);
            if level + 1 == k {
                self.score(&prefix[k], combo, best, scratch);
            } else {
                self.descend(slot + 1, k, prefix, combo, best, scratch);
            }
            combo.pop();
        }
    }

    fn score(&self, mins: &[u64], combo: &[usize], best: &mut Vec<Ranked>, s: &mut Scratch) {
        let (mut covered_people, mut gap_sum) = (0u64, 0i64);
        for (class, &key) in mins.iter().enumerate() {
            let suitable = key >> (SLOT_BITS + GAP_BITS) == 0;
            let n = self.count[class];
            s.covered[class] = suitable;
            covered_people += n * u64::from(suitable);
            gap_sum += (n as i64) * ((key >> SLOT_BITS) & ((1 << GAP_BITS) - 1)) as i64;
            s.load[(key & ((1 << SLOT_BITS) - 1)) as usize] += n;
        }
        let binding = self
            .request
            .seats
            .is_some_and(|seats| combo.iter().any(|&slot| s.load[slot] > u64::from(seats)));
        for &slot in combo {
            s.load[slot] = 0;
        }
        let total_people = self.people.len();
        let ranked = if binding {
            // Seats run out: tell this combination through the rule itself.
            let slots: Vec<Slot> = combo.iter().map(|&i| self.grid[i]).collect();
            let placed = assign(self.rules, self.people, &slots);
            let assigned = placed.iter().filter(|p| p.session.is_some());
            Ranked {
                covered: covered(&placed, &self.units, self.request.weight),
                outside: placed.iter().filter(|p| !p.suitable).count(),
                gap_sum: assigned.clone().map(|p| p.gap_half_secs).sum(),
                assigned: assigned.count() as i64,
                combo: combo.to_vec(),
            }
        } else {
            let covered = match self.request.weight {
                Weight::Person => covered_people as usize,
                Weight::Organization => {
                    s.unit_seen.iter_mut().for_each(|u| *u = false);
                    for &(unit, class) in &self.unit_classes {
                        s.unit_seen[unit] |= s.covered[class];
                    }
                    s.unit_seen.iter().filter(|&&u| u).count()
                }
            };
            Ranked {
                covered,
                outside: total_people - covered_people as usize,
                gap_sum,
                assigned: total_people as i64,
                combo: combo.to_vec(),
            }
        };
        keep(best, ranked);
    }
}

struct Scratch {
    covered: Vec<bool>,
    unit_seen: Vec<bool>,
    load: Vec<u64>,
}

/// People or organizations (by the weight) with a session inside their window.
fn covered(placed: &[Placement], units: &Units, weight: Weight) -> usize {
    match weight {
        Weight::Person => placed.iter().filter(|p| p.suitable).count(),
        Weight::Organization => {
            let mut seen = vec![false; units.count];
            for (u, at) in units.of_person.iter().zip(placed) {
                seen[*u] |= at.suitable;
            }
            seen.iter().filter(|&&s| s).count()
        }
    }
}

fn keep(best: &mut Vec<Ranked>, candidate: Ranked) {
    if best.len() == MAX_PROPOSALS
        && best
            .last()
            .is_some_and(|worst| candidate.order(worst) != Ordering::Less)
    {
        return;
    }
    let at = best.partition_point(|b| b.order(&candidate) == Ordering::Less);
    best.insert(at, candidate);
    best.truncate(MAX_PROPOSALS);
}

fn pack(outside_secs: i64, gap_half_secs: i64, slot: usize) -> u64 {
    let outside = u64::try_from(outside_secs).unwrap_or(0);
    let gap = u64::try_from(gap_half_secs).unwrap_or(0);
    debug_assert!(gap < 1 << GAP_BITS);
    (outside << (SLOT_BITS + GAP_BITS)) | (gap << SLOT_BITS) | slot as u64
}

fn choose(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    (0..k).fold(1u64, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn person(zone: &str, org: Option<&str>) -> Person {
        Person {
            time_zone: zone.parse().unwrap(),
            organization: org.map(str::to_string),
        }
    }

    fn request(sessions: u32, date: &str, step: u32, weight: Weight) -> Request {
        Request::new(sessions, &[date.to_string()], 120, step, weight, None).unwrap()
    }

    #[test]
    fn requests_name_what_is_wrong() {
        let bad = |s, d: &[&str], dur, step| {
            let dates: Vec<String> = d.iter().map(|x| x.to_string()).collect();
            Request::new(s, &dates, dur, step, Weight::Person, None)
                .unwrap_err()
                .0
        };
        assert!(bad(0, &["2027-09-24"], 120, 30).contains("sessions"));
        assert!(bad(5, &["2027-09-24"], 120, 30).contains("sessions"));
        assert!(bad(2, &[], 120, 30).contains("dates"));
        assert!(bad(2, &["24/09/2027"], 120, 30).contains("24/09/2027"));
        assert!(bad(2, &["2027-09-24"], 0, 30).contains("duration_minutes"));
        assert!(bad(2, &["2027-09-24"], 120, 20).contains("step_minutes"));
        let wide = bad(4, &["2027-09-24", "2027-09-25", "2027-09-26"], 120, 15);
        assert!(
            wide.contains("combinations") && wide.contains("step_minutes"),
            "{wide}"
        );
        assert!(Weight::parse("people").unwrap_err().0.contains("person"));
    }

    #[test]
    fn choose_counts_combinations() {
        assert_eq!(choose(96, 2), 4560);
        assert_eq!(choose(48, 3), 17296);
        assert_eq!(choose(3, 4), 0);
    }

    #[test]
    fn one_zone_gets_a_session_at_its_preferred_hour() {
        let people = vec![person("Asia/Tokyo", None)];
        let plan = plan(
            &Rules::default(),
            &people,
            &request(1, "2027-09-24", 60, Weight::Person),
            &[],
        );
        // 13:00 preferred midpoint in Tokyo (UTC+9) for 120 minutes: 12:00–14:00 local,
        // 03:00 UTC.
        let first = &plan.proposals[0];
        assert_eq!(
            first.starts_at,
            vec![Utc.with_ymd_and_hms(2027, 9, 24, 3, 0, 0).unwrap()]
        );
        assert_eq!((first.covered, first.mean_distance_minutes), (1, 0));
        assert_eq!(plan.current.covered, 0);
        assert_eq!(plan.current.left_out.len(), 1);
        assert_eq!(plan.proposals.len(), MAX_PROPOSALS);
    }

    #[test]
    fn an_organization_counts_once_and_is_covered_by_any_member() {
        let people = vec![
            person("Pacific/Apia", Some("Pacific Forum")),
            person("Europe/Paris", Some("Pacific Forum")),
            person("America/Lima", Some(" pacific forum ")),
            person("Asia/Tokyo", None),
        ];
        assert_eq!(total(&people, Weight::Organization), 2);
        let at = |h| {
            let start = Utc.with_ymd_and_hms(2027, 9, 24, h, 0, 0).unwrap();
            Slot {
                starts_at: start,
                ends_at: start + Duration::hours(2),
                open: true,
                seats: None,
            }
        };
        // 09:00 UTC suits Paris (11:00) only; Tokyo is at 18:00, inside too.
        let e = evaluate(&Rules::default(), &people, &[at(9)], Weight::Organization);
        assert_eq!(e.covered, 2);
        let e = evaluate(&Rules::default(), &people, &[at(9)], Weight::Person);
        assert_eq!(e.covered, 2);
        assert_eq!(
            e.left_out
                .iter()
                .map(|l| (l.time_zone.name(), l.invitees))
                .collect::<Vec<_>>(),
            vec![("America/Lima", 1), ("Pacific/Apia", 1)]
        );
    }

    #[test]
    fn seats_go_to_those_the_session_suits_best_and_the_rest_take_their_next_choice() {
        let people = vec![
            person("Europe/Paris", None),
            person("Europe/London", None),
            person("Asia/Tokyo", None),
        ];
        let slot = |h, seats| {
            let start = Utc.with_ymd_and_hms(2027, 9, 24, h, 0, 0).unwrap();
            Slot {
                starts_at: start,
                ends_at: start + Duration::hours(2),
                open: true,
                seats,
            }
        };
        // 10:00 UTC: Paris 12:00 (midpoint 13:00, gap 0), London 11:00, Tokyo 19:00.
        let placed = assign(
            &Rules::default(),
            &people,
            &[slot(10, Some(1)), slot(16, None)],
        );
        assert_eq!(
            placed[0].session,
            Some(0),
            "Paris fits 10:00 best and gets the seat"
        );
        assert_eq!(placed[1].session, Some(1), "London moves on to 16:00");
        // Tokyo's 10:00 UTC (19:00 local) is taken too; 16:00 UTC is 01:00 there.
        assert_eq!((placed[2].session, placed[2].suitable), (Some(1), false));
        let none = assign(&Rules::default(), &people, &[slot(10, Some(1))]);
        assert_eq!(none.iter().filter(|p| p.session.is_none()).count(), 2);
    }

    #[test]
    fn where_seats_bind_the_proposals_respect_them() {
        let people = vec![person("Europe/Paris", None), person("Europe/Paris", None)];
        let dates = ["2027-09-24".to_string()];
        let request = Request::new(2, &dates, 120, 60, Weight::Person, Some(1)).unwrap();
        let plan = plan(&Rules::default(), &people, &request, &[]);
        for p in &plan.proposals {
            assert!(p.per_session.iter().all(|&n| n <= 1), "{p:?}");
            assert_eq!(p.covered, 2, "{p:?}");
        }
        // One seat and one session: one person has no seat, and is left out.
        let single = Request::new(1, &dates, 120, 60, Weight::Person, Some(1)).unwrap();
        let best = &plan_of(&people, &single).proposals[0];
        assert_eq!((best.covered, best.per_session.clone()), (1, vec![1]));
        assert_eq!(best.left_out[0].invitees, 1);
    }

    fn plan_of(people: &[Person], request: &Request) -> Plan {
        plan(&Rules::default(), people, request, &[])
    }

    /// A small deterministic generator, so that a failure can be replayed.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, below: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % below as u64) as usize
        }
    }

    const ZONES: &[&str] = &[
        "UTC",
        "Europe/Zurich",
        "Europe/London",
        "America/New_York",
        "America/Santiago",
        "America/St_Johns",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Eucla",
        "Australia/Adelaide",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Pacific/Apia",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Asia/Tehran",
        "Africa/Casablanca",
        "Asia/Tokyo",
    ];

    /// Every combination ranked by the rule itself (`assignment::recommend` per person),
    /// with no table and no classes: what the planner must agree with.
    fn brute_force(
        rules: &Rules,
        people: &[Person],
        request: &Request,
    ) -> Vec<(Vec<DateTime<Utc>>, usize, usize, i64)> {
        let grid = request.grid();
        let n = grid.len();
        let mut all = Vec::new();
        let mut pick = |combo: &[usize]| {
            let candidates: Vec<assignment::Candidate> = combo
                .iter()
                .enumerate()
                .map(|(i, &g)| assignment::Candidate {
                    id: uuid::Uuid::from_u128(i as u128 + 1),
                    starts_at: grid[g],
                    ends_at: grid[g] + Duration::minutes(i64::from(request.duration_minutes)),
                    open: true,
                    seats_left: None,
                })
                .collect();
            let mut suitable_people = 0;
            let mut gap = 0i64;
            let mut unit_covered: BTreeMap<String, bool> = BTreeMap::new();
            for (index, p) in people.iter().enumerate() {
                let rec = assignment::recommend(rules, p.time_zone, &candidates).unwrap();
                let chosen = candidates.iter().find(|c| c.id == rec.session_id).unwrap();
                let fit = assignment::fit(rules, p.time_zone, chosen.starts_at, chosen.ends_at);
                assert_eq!(fit.suitable, !rec.outside_working_hours);
                suitable_people += usize::from(fit.suitable);
                gap += fit.gap_half_secs;
                let unit = p
                    .organization
                    .as_deref()
                    .map(|o| o.trim().to_lowercase())
                    .unwrap_or_else(|| format!("person {index}"));
                *unit_covered.entry(unit).or_default() |= fit.suitable;
            }
            let covered = match request.weight {
                Weight::Person => suitable_people,
                Weight::Organization => unit_covered.values().filter(|&&c| c).count(),
            };
            let times: Vec<DateTime<Utc>> = combo.iter().map(|&g| grid[g]).collect();
            all.push((times, covered, people.len() - suitable_people, gap));
        };
        fn each(
            n: usize,
            k: usize,
            from: usize,
            combo: &mut Vec<usize>,
            f: &mut dyn FnMut(&[usize]),
        ) {
            if combo.len() == k {
                f(combo);
                return;
            }
            for i in from..n {
                combo.push(i);
                each(n, k, i + 1, combo, f);
                combo.pop();
            }
        }
        each(n, request.sessions, 0, &mut Vec::new(), &mut pick);
        all.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
                .then(a.0.cmp(&b.0))
        });
        all
    }

    #[test]
    fn the_planner_agrees_with_a_brute_force_ranking_by_the_rule_itself() {
        let cases: &[(u32, &[&str], u32, Weight)] = &[
            (2, &["2027-09-24"], 60, Weight::Person),
            (1, &["2027-03-28"], 30, Weight::Person),
            (2, &["2027-03-14"], 60, Weight::Organization),
            (3, &["2027-04-03", "2027-04-04"], 60, Weight::Person),
            (2, &["2027-10-30", "2027-10-31"], 60, Weight::Organization),
            (2, &["2027-09-25"], 60, Weight::Organization),
        ];
        let orgs = [
            "Colombo Process",
            "Bali Process",
            "MIDSA",
            "RCM",
            "Budapest Process",
        ];
        let mut rng = Lcg(20_270_924);
        for (round, &(sessions, dates, step, weight)) in cases.iter().enumerate() {
            let count = 5 + rng.next(20);
            let people: Vec<Person> = (0..count)
                .map(|_| {
                    let org = rng.next(orgs.len() + 2);
                    person(ZONES[rng.next(ZONES.len())], orgs.get(org).copied())
                })
                .collect();
            let dates: Vec<String> = dates.iter().map(|d| d.to_string()).collect();
            let duration = [60, 90, 120][rng.next(3)];
            let request = Request::new(sessions, &dates, duration, step, weight, None).unwrap();
            let rules = Rules::default();
            let planned = plan(&rules, &people, &request, &[]);
            let expected = brute_force(&rules, &people, &request);
            assert_eq!(planned.proposals.len(), MAX_PROPOSALS, "round {round}");
            for (got, want) in planned.proposals.iter().zip(&expected) {
                let outside: usize = got.left_out.iter().map(|l| l.invitees).sum();
                assert_eq!(
                    (&got.starts_at, got.covered, outside),
                    (&want.0, want.1, want.2),
                    "round {round}: {people:?}"
                );
                assert_eq!(
                    got.mean_distance_minutes,
                    mean_minutes(want.3, people.len() as i64),
                    "round {round}"
                );
                assert_eq!(got.per_session.iter().sum::<usize>(), people.len());
            }
        }
    }
}
