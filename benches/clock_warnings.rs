//! The clock-change warnings of the webinar page for every IANA zone (about 600) and
//! 4 sessions, with 10,000 people: time beside the least any method must do (reading
//! each zone's offset at each session once). Run with `cargo bench --bench clock_warnings`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Offset, TimeZone, Utc};
use chrono_tz::{TZ_VARIANTS, Tz};
use meridian::domain::webinar::{Session, SessionStatus};
use meridian::domain::{SessionId, WebinarId};
use meridian::services::clock_warnings;

fn sessions() -> Vec<Session> {
    // Around Europe's and North America's spring changes, and two calm dates.
    [
        "2027-03-10T07:00:00Z",
        "2027-03-26T14:00:00Z",
        "2027-06-15T07:00:00Z",
        "2027-11-02T14:00:00Z",
    ]
    .iter()
    .map(|start| Session {
        id: SessionId(uuid::Uuid::new_v4()),
        webinar_id: WebinarId(uuid::Uuid::nil()),
        label: start.to_string(),
        starts_at: start.parse().unwrap(),
        duration_minutes: 120,
        capacity: None,
        taken: 0,
        join_url: None,
        status: SessionStatus::Scheduled,
    })
    .collect()
}

fn best_of(rounds: usize, mut run: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut answer = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        answer = black_box(run());
        best = best.min(started.elapsed());
    }
    (best, answer)
}

fn main() {
    let sessions = sessions();
    let people: Vec<Tz> = (0..10_000)
        .map(|i| TZ_VARIANTS[i % TZ_VARIANTS.len()])
        .collect();
    let now = Utc.with_ymd_and_hms(2027, 1, 15, 12, 0, 0).unwrap();
    let (warnings_time, warned) = best_of(10, || {
        clock_warnings::compute(&sessions, &people, now).len()
    });
    let (baseline_time, _) = best_of(10, || {
        let mut sum = 0i64;
        for tz in TZ_VARIANTS {
            for s in &sessions {
                let offset = tz.offset_from_utc_datetime(&s.starts_at.naive_utc());
                sum += i64::from(offset.fix().local_minus_utc());
            }
        }
        sum as usize
    });
    println!("| what | zones × sessions | people | time (best of 10) |");
    println!("|---|---|---|---|");
    println!(
        "| clock warnings ({warned} sessions warned) | {} × {} | {} | {:.2} ms |",
        TZ_VARIANTS.len(),
        sessions.len(),
        people.len(),
        warnings_time.as_secs_f64() * 1000.0
    );
    println!(
        "| baseline: one offset per zone and session | {} × {} | — | {:.3} ms |",
        TZ_VARIANTS.len(),
        sessions.len(),
        baseline_time.as_secs_f64() * 1000.0
    );
    println!(
        "ratio: {:.0}×",
        warnings_time.as_secs_f64() / baseline_time.as_secs_f64().max(1e-9)
    );
}
