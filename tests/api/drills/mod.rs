//! Fault drills (issue 18): the server killed mid-delivery, an SMTP server that
//! misbehaves, a full database. Each says what it saw on stderr for
//! docs/PERFORMANCE.md ("Fault drills").

mod disk_full;
mod kill;
mod smtp_faults;

use std::collections::HashMap;

use serde_json::Value;

use crate::smtp::Received;

/// An invitee list of `n` people (CSV, as organizers upload it), spread over a few zones.
pub fn invitees_csv(n: usize) -> String {
    const ZONES: [&str; 4] = ["Europe/Zurich", "Asia/Tokyo", "America/New_York", "UTC"];
    let mut csv = String::from("name,email,time_zone,language\n");
    for i in 0..n {
        csv.push_str(&format!(
            "Delegate {i},delegate-{i}@drill.example.org,{},en\n",
            ZONES[i % ZONES.len()]
        ));
    }
    csv
}

/// The invitee addresses of `invitees_csv(n)`.
pub fn invitee_addresses(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("delegate-{i}@drill.example.org"))
        .collect()
}

/// Messages the SMTP server accepted, per envelope recipient.
pub fn accepted_per_recipient(received: &[Received]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for message in received {
        for to in &message.to {
            *counts.entry(to.to_lowercase()).or_default() += 1;
        }
    }
    counts
}

/// The `Message-ID` header of an accepted message.
pub fn message_id(message: &Received) -> String {
    message
        .data
        .split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no Message-ID in {}", message.data))
}

/// Outbox entries (the API's JSON) with the given status.
pub fn with_status<'a>(outbox: &'a Value, status: &str) -> Vec<&'a Value> {
    outbox
        .as_array()
        .expect("the outbox is a list")
        .iter()
        .filter(|m| m["status"] == status)
        .collect()
}
