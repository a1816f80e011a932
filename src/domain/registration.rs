//! A person's place in one session of a webinar.

use chrono::{DateTime, Utc};

use super::{EmailAddress, InviteeId, Language, RegistrationId, SessionId, TimeZone, WebinarId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    /// Created by the organizer's invitations; holds a seat until the invitee answers.
    Invited,
    Registered,
    Cancelled,
    /// Waiting for an organizer's approval (`approval` webinars); holds no seat.
    Pending,
    /// Not approved by the organizers; holds no seat.
    Declined,
    /// On the waiting list of one or more full sessions (`waitlist` rows); holds no seat
    /// until a freed seat comes to them.
    Waitlisted,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Registered => "registered",
            Self::Cancelled => "cancelled",
            Self::Pending => "pending",
            Self::Declined => "declined",
            Self::Waitlisted => "waitlisted",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "invited" => Some(Self::Invited),
            "registered" => Some(Self::Registered),
            "cancelled" => Some(Self::Cancelled),
            "pending" => Some(Self::Pending),
            "declined" => Some(Self::Declined),
            "waitlisted" => Some(Self::Waitlisted),
            _ => None,
        }
    }

    pub fn holds_seat(self) -> bool {
        matches!(self, Self::Invited | Self::Registered)
    }
}

/// Whether the person picked the session or the time-zone rule did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    Auto,
    Chosen,
}

impl Assignment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Chosen => "chosen",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "auto" => Some(Self::Auto),
            "chosen" => Some(Self::Chosen),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Registration {
    pub id: RegistrationId,
    pub webinar_id: WebinarId,
    pub session_id: SessionId,
    pub invitee_id: Option<InviteeId>,
    pub name: String,
    pub email: EmailAddress,
    pub organization: Option<String>,
    /// From the invitee list (kept in step with it), for the participant list.
    pub role: Option<String>,
    /// ISO 3166 alpha-2 code, from the invitee list.
    pub country: Option<String>,
    pub time_zone: TimeZone,
    pub language: Language,
    pub status: RegistrationStatus,
    pub assignment: Assignment,
    pub outside_working_hours: bool,
    /// The person agreed to be named in the shareable participant list.
    pub share_in_participant_list: bool,
    /// Stable UID of this registration's calendar event.
    pub calendar_uid: String,
    /// Raised on every change of time or status, never lowered.
    pub calendar_sequence: u32,
    pub created_at: DateTime<Utc>,
    /// The answer given in the person's calendar, and whether their address bounced.
    pub answer: super::answer::CalendarAnswer,
}
