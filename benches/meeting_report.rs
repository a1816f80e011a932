//! Reading a Zoom webinar attendee report of 100,000 rows (15 MB): time to parse, beside a tenth of it (time must grow with the size, not its
//! square). Run with `cargo bench --bench meeting_report` (release build).
//!
//! ROWS=20000 cargo bench --bench meeting_report   # another size

use std::time::{Duration, Instant};

use meridian::reports;

/// A report as Zoom writes it: preamble, host section, then one attendee row per join.
fn zoom_report(rows: usize) -> Vec<u8> {
    let mut out = String::from(
        "Attendee Report,\n\
         Report Generated:,\"Nov 27, 2026 10:12 AM\"\n\
         Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered\n\
         Bench,812 3456 7890,\"Nov 27, 2026 07:00 AM\",91,100000\n\
         Host Details,\n\
         Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n\
         Yes,Host,host@example.org,\"Nov 27, 2026 06:52:10\",\"Nov 27, 2026 08:31:40\",100\n\
         Attendee Details,\n\
         Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,\
         Approval Status,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name\n",
    );
    for i in 0..rows {
        let (join, leave) = (i % 30, 30 + i % 29);
        out.push_str(&format!(
            "Yes,Person {i},Person,{i},person.{i}@example.org,\"Nov 20, 2026 09:12:44\",approved,\
             \"Nov 27, 2026 07:{join:02}:23\",\"Nov 27, 2026 08:{leave:02}:05\",{},Yes,France\n",
            60 + leave - join
        ));
    }
    out.into_bytes()
}

/// The best of a few parses (the least disturbed by other work on the machine).
fn time_parse(file: &[u8], rounds: usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut rows = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let report = reports::parse(file).expect("the generated report parses");
        best = best.min(started.elapsed());
        rows = report.rows.len();
    }
    (best, rows)
}

fn main() {
    let large: usize = std::env::var("ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let small = large / 10;
    let (small_file, large_file) = (zoom_report(small), zoom_report(large));
    let (small_time, small_rows) = time_parse(&small_file, 5);
    let (large_time, large_rows) = time_parse(&large_file, 3);
    println!("| report | size | rows read | parse time (best of 3-5) |");
    println!("|---|---|---|---|");
    for (file, rows, time) in [
        (&small_file, small_rows, small_time),
        (&large_file, large_rows, large_time),
    ] {
        println!(
            "| Zoom attendee report | {:.1} MB | {rows} | {:.0} ms |",
            file.len() as f64 / 1e6,
            time.as_secs_f64() * 1e3
        );
    }
    println!(
        "tenfold rows took {:.1}x the time (linear: about 10x; quadratic: about 100x)",
        large_time.as_secs_f64() / small_time.as_secs_f64()
    );
}
