//! The sign-in lockout rule: after too many failed sign-ins an account (or a client
//! address) waits, twice as long after each further failure.

use chrono::{DateTime, Duration, Utc};

/// How long failures are remembered; older ones no longer count.
pub const MEMORY: Duration = Duration::hours(24);
/// The longest lockout.
const LONGEST: Duration = Duration::hours(24);

#[derive(Clone, Copy, Debug)]
pub struct Lockout {
    /// Failures allowed before the first lockout; 0 turns the lockout off.
    pub max_failures: u32,
    pub first: Duration,
}

impl Lockout {
    /// Until when a subject with `failures` remembered failures, the last at `last`,
    /// may not sign in; `None` when it may.
    pub fn until(&self, failures: u32, last: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.max_failures == 0 || failures < self.max_failures {
            return None;
        }
        let doublings = (failures - self.max_failures).min(16);
        let wait = (self.first * 2i32.pow(doublings)).min(LONGEST);
        Some(last + wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_starts_at_the_limit_and_doubles_with_each_further_failure() {
        let rule = Lockout {
            max_failures: 3,
            first: Duration::minutes(5),
        };
        let last = Utc::now();
        assert_eq!(rule.until(2, last), None);
        assert_eq!(rule.until(3, last), Some(last + Duration::minutes(5)));
        assert_eq!(rule.until(4, last), Some(last + Duration::minutes(10)));
        assert_eq!(rule.until(5, last), Some(last + Duration::minutes(20)));
        assert_eq!(rule.until(500, last), Some(last + Duration::hours(24)));
    }

    #[test]
    fn no_limit_means_no_lockout() {
        let rule = Lockout {
            max_failures: 0,
            first: Duration::minutes(5),
        };
        assert_eq!(rule.until(1000, Utc::now()), None);
    }
}
