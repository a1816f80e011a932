//! The session planner on a large audience: 10,000 invitees in 400 zones (the zones of
//! the tz database that differ the most, with their organizations), ranked exactly over
//! the grid. Beside the plan, the baseline in the same run: telling one combination in
//! full with `planner::evaluate` (the per-person rule), so the table shows how many
//! combinations' worth of the plain rule one whole plan costs.
//! Run with `cargo bench --bench planner` (release build).

use std::time::{Duration, Instant};

use chrono_tz::TZ_VARIANTS;
use meridian::domain::assignment::Rules;
use meridian::domain::planner::{self, Person, Request, Weight};

/// 10,000 invitees spread over 400 zones (every zone of the database taken in turn
/// until 400 are used) and 60 organizations.
fn audience(people: usize, zones: usize) -> Vec<Person> {
    let step = TZ_VARIANTS.len() / zones;
    let chosen: Vec<_> = (0..zones).map(|i| TZ_VARIANTS[i * step]).collect();
    (0..people)
        .map(|i| Person {
            time_zone: chosen[(i * 7919) % zones],
            organization: Some(format!("Organization {}", (i * 31) % 60)),
        })
        .collect()
}

fn best_of<T>(rounds: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..rounds {
        let started = Instant::now();
        let out = f();
        best = best.min(started.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one round"))
}

fn main() {
    let people = audience(10_000, 400);
    let rules = Rules::default();
    let dates = vec!["2027-09-24".to_string()];
    println!(
        "| plan | combinations | time (best of 5) | covered / total | baseline: one evaluate() |"
    );
    println!("|---|---|---|---|---|");
    for (sessions, step, weight) in [
        (2, 15, Weight::Person),
        (3, 30, Weight::Person),
        (2, 15, Weight::Organization),
        (3, 30, Weight::Organization),
    ] {
        let request =
            Request::new(sessions, &dates, 120, step, weight, None).expect("valid request");
        let (time, plan) = best_of(5, || planner::plan(&rules, &people, &request, &[]));
        let best = &plan.proposals[0];
        let grid = request.grid();
        let slots: Vec<_> = grid
            .iter()
            .take(sessions as usize)
            .map(|&t| planner::Slot {
                starts_at: t,
                ends_at: t + chrono::Duration::minutes(120),
                open: true,
                seats: None,
            })
            .collect();
        let (one, _) = best_of(5, || planner::evaluate(&rules, &people, &slots, weight));
        let n = grid.len() as u64;
        let combinations = (0..u64::from(sessions)).fold(1, |acc, i| acc * (n - i) / (i + 1));
        println!(
            "| {sessions} sessions, {step}-minute grid, {} | {combinations} | {:.1} ms | {} / {} | {:.2} ms |",
            weight.as_str(),
            time.as_secs_f64() * 1e3,
            best.covered,
            plan.total,
            one.as_secs_f64() * 1e3,
        );
    }
}
