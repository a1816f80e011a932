//! A person's answer to their calendar invitation (iTIP REPLY, RFC 5546), and whether
//! mail to their address bounced; kept on registrations and chairs alike.

use chrono::{DateTime, Utc};

/// What the person answered in their calendar (`PARTSTAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    #[default]
    None,
    Accepted,
    Tentative,
    Declined,
    Delegated,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Accepted => "accepted",
            Self::Tentative => "tentative",
            Self::Declined => "declined",
            Self::Delegated => "delegated",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "none" => Some(Self::None),
            "accepted" => Some(Self::Accepted),
            "tentative" => Some(Self::Tentative),
            "declined" => Some(Self::Declined),
            "delegated" => Some(Self::Delegated),
            _ => None,
        }
    }

    /// The iCalendar participation status (`ACCEPTED`, ...), any case; `NEEDS-ACTION`
    /// and unknown values are no answer.
    pub fn from_partstat(value: &str) -> Option<Self> {
        match value.to_ascii_uppercase().as_str() {
            "ACCEPTED" => Some(Self::Accepted),
            "TENTATIVE" => Some(Self::Tentative),
            "DECLINED" => Some(Self::Declined),
            "DELEGATED" => Some(Self::Delegated),
            _ => None,
        }
    }
}

/// The latest answer taken, with the version of the event it answered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarAnswer {
    pub answer: Answer,
    pub answered_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// The SEQUENCE and DTSTAMP of the reply taken, to order later replies.
    pub sequence: Option<u32>,
    pub stamp: Option<DateTime<Utc>>,
    /// A permanent delivery failure (5.x.x) came back for mail to this address.
    pub address_bounced: bool,
}

/// Where a reply stands against the event and the answer taken before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Newer than what was taken: apply it.
    Newer,
    /// About an older version of the event (lower SEQUENCE than the current one).
    OldSequence,
    /// Same SEQUENCE as the answer taken, but stamped earlier (or at the same instant).
    Earlier,
}

impl CalendarAnswer {
    /// RFC 5546 3.2.3/2.1.5: a reply to an older SEQUENCE than the event's current one
    /// is out of date; among replies to the same SEQUENCE the later DTSTAMP wins.
    pub fn order(
        &self,
        event_sequence: u32,
        reply_sequence: u32,
        reply_stamp: Option<DateTime<Utc>>,
    ) -> Order {
        if reply_sequence < event_sequence {
            return Order::OldSequence;
        }
        match (self.sequence, self.stamp, reply_stamp) {
            (Some(taken), _, _) if reply_sequence < taken => Order::OldSequence,
            (Some(taken), Some(before), Some(now)) if reply_sequence == taken && now <= before => {
                Order::Earlier
            }
            _ => Order::Newer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 9, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn replies_are_ordered_by_sequence_then_stamp() {
        let none = CalendarAnswer::default();
        assert_eq!(none.order(2, 1, Some(at(1))), Order::OldSequence);
        assert_eq!(none.order(2, 2, Some(at(1))), Order::Newer);
        let taken = CalendarAnswer {
            answer: Answer::Accepted,
            sequence: Some(2),
            stamp: Some(at(5)),
            ..Default::default()
        };
        assert_eq!(taken.order(2, 2, Some(at(4))), Order::Earlier);
        assert_eq!(taken.order(2, 2, Some(at(5))), Order::Earlier);
        assert_eq!(taken.order(2, 2, Some(at(6))), Order::Newer);
        assert_eq!(taken.order(2, 3, Some(at(1))), Order::Newer);
        assert_eq!(taken.order(0, 1, Some(at(9))), Order::OldSequence);
    }

    #[test]
    fn partstat_names_map_to_answers() {
        assert_eq!(Answer::from_partstat("declined"), Some(Answer::Declined));
        assert_eq!(Answer::from_partstat("NEEDS-ACTION"), None);
        for a in [Answer::None, Answer::Accepted, Answer::Declined] {
            assert_eq!(Answer::parse(a.as_str()), Some(a));
        }
    }
}
