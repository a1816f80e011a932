//! What an email says, frozen when the change that causes it is committed: the outbox
//! stores it as JSON, and the worker renders it later in the recipient's language.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::Method;
use crate::db::organizers::Organizer;
use crate::domain::chair::Chair;
use crate::domain::registration::Registration;
use crate::domain::webinar::{Session, Webinar};
use crate::domain::{Language, TimeZone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invitation,
    Confirmation,
    Switched,
    Rescheduled,
    Cancelled,
    SessionCancelled,
    ChairInvitation,
    ChairRescheduled,
    ChairCancelled,
    Reminder,
    ManageLink,
    ThankYou,
    MissedYou,
    /// An `approval` webinar received the registration; it awaits the organizers.
    Pending,
    /// The organizers did not approve the registration.
    Declined,
    /// An owner added this address as a co-organizer; it carries the link to set a password.
    MemberInvitation,
    /// The session was full: the person is on its waiting list (no seat, no calendar).
    Waitlisted,
    /// A seat freed and the first person waiting took it: a calendar invitation.
    MovedUp,
    /// The person proposed, in their calendar (iTIP COUNTER), the time of another
    /// session: their link to switch to it.
    SwitchOffer,
    /// The organizers declined the new time the person proposed (METHOD:DECLINECOUNTER).
    CounterDeclined,
}

impl Kind {
    /// Every kind (the outbox page filters by them).
    pub const ALL: [Kind; 18] = [
        Self::Invitation,
        Self::Confirmation,
        Self::Switched,
        Self::Rescheduled,
        Self::Cancelled,
        Self::SessionCancelled,
        Self::ChairInvitation,
        Self::ChairRescheduled,
        Self::ChairCancelled,
        Self::Reminder,
        Self::ManageLink,
        Self::ThankYou,
        Self::MissedYou,
        Self::Pending,
        Self::Declined,
        Self::MemberInvitation,
        Self::Waitlisted,
        Self::MovedUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Confirmation => "confirmation",
            Self::Switched => "switched",
            Self::Rescheduled => "rescheduled",
            Self::Cancelled => "cancelled",
            Self::SessionCancelled => "session_cancelled",
            Self::ChairInvitation => "chair_invitation",
            Self::ChairRescheduled => "chair_rescheduled",
            Self::ChairCancelled => "chair_cancelled",
            Self::Reminder => "reminder",
            Self::ManageLink => "manage_link",
            Self::ThankYou => "thank_you",
            Self::MissedYou => "missed_you",
            Self::Pending => "pending",
            Self::Declined => "declined",
            Self::MemberInvitation => "member_invitation",
            Self::Waitlisted => "waitlisted",
            Self::MovedUp => "moved_up",
            Self::SwitchOffer => "switch_offer",
            Self::CounterDeclined => "counter_declined",
        }
    }

    /// The iTIP method of the calendar the email carries, if it carries one.
    pub fn method(self) -> Option<Method> {
        match self {
            Self::Invitation
            | Self::Confirmation
            | Self::Switched
            | Self::Rescheduled
            | Self::ChairInvitation
            | Self::ChairRescheduled
            | Self::MovedUp => Some(Method::Request),
            Self::Cancelled | Self::SessionCancelled | Self::ChairCancelled => Some(Method::Cancel),
            Self::CounterDeclined => Some(Method::DeclineCounter),
            Self::Reminder
            | Self::ManageLink
            | Self::ThankYou
            | Self::MissedYou
            | Self::Pending
            | Self::Declined
            | Self::Waitlisted
            | Self::SwitchOffer
            | Self::MemberInvitation => None,
        }
    }

    /// Sent after the webinar: no join link, no manage link.
    pub fn is_follow_up(self) -> bool {
        matches!(self, Self::ThankYou | Self::MissedYou)
    }

    /// Whether the email gives the personal join link (the person holds a seat).
    pub fn has_join_link(self) -> bool {
        !self.is_follow_up()
            && !matches!(
                self,
                Self::Pending | Self::Declined | Self::Waitlisted | Self::SwitchOffer
            )
            && !self.is_member()
    }

    /// Whether the email may say the join link comes later: not to someone waiting for a
    /// seat that may never come.
    pub fn promises_join_link(self) -> bool {
        self != Self::Waitlisted
    }

    /// Written to a co-organizer about the webinar, not about a session.
    pub fn is_member(self) -> bool {
        self == Self::MemberInvitation
    }

    /// Whether the email gives the manage link.
    pub fn has_manage_link(self) -> bool {
        !self.is_follow_up() && self != Self::Declined
    }

    /// Whether the email announces a session the person is to attend, so it warns when
    /// their clocks change before it (see `render::clock_note`).
    pub fn tells_clock_change(self) -> bool {
        matches!(
            self,
            Self::Invitation
                | Self::Confirmation
                | Self::Switched
                | Self::Rescheduled
                | Self::ChairInvitation
                | Self::ChairRescheduled
                | Self::Reminder
                | Self::MovedUp
        )
    }

    pub fn is_chair(self) -> bool {
        matches!(
            self,
            Self::ChairInvitation | Self::ChairRescheduled | Self::ChairCancelled
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Letter {
    pub kind: Kind,
    pub to_name: String,
    pub to_email: String,
    pub language: String,
    pub time_zone: String,
    pub webinar_title: String,
    pub session_label: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub join_url: Option<String>,
    /// The session as it was before a switch or a move.
    pub previous_starts_at: Option<DateTime<Utc>>,
    pub previous_ends_at: Option<DateTime<Utc>>,
    pub previous_label: Option<String>,
    /// Registrations get a manage link, derived again from this id when rendering.
    pub registration_id: Option<Uuid>,
    pub outside_working_hours: bool,
    pub calendar_uid: String,
    pub sequence: u32,
    /// Member invitations: the id the one-time set-password link is derived from
    /// (`Keys::account_link_token`) when the email is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_link_id: Option<Uuid>,
    /// A test: the letter as `to_name` will read it, delivered to this address instead
    /// (the organizer's), its subject marked from the catalogue (`email.test_prefix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_to: Option<String>,
}

/// Who a letter goes to, and the calendar event it is about.
struct Recipient<'a> {
    name: &'a str,
    email: &'a str,
    language: Language,
    time_zone: TimeZone,
    calendar_uid: &'a str,
    sequence: u32,
}

impl Letter {
    fn new(kind: Kind, to: Recipient<'_>, w: &Webinar, s: &Session) -> Letter {
        Letter {
            kind,
            to_name: to.name.to_string(),
            to_email: to.email.to_string(),
            language: to.language.code().to_string(),
            time_zone: to.time_zone.to_string(),
            webinar_title: w.title.clone(),
            session_label: s.label.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at(),
            join_url: s.join_url.clone(),
            previous_starts_at: None,
            previous_ends_at: None,
            previous_label: None,
            registration_id: None,
            outside_working_hours: false,
            calendar_uid: to.calendar_uid.to_string(),
            sequence: to.sequence,
            account_link_id: None,
            test_to: None,
        }
    }

    /// Tells `organizer` they were added to the webinar and how to create their account.
    pub fn member_invitation(webinar: &Webinar, organizer: &Organizer, link: Uuid) -> Letter {
        let now = Utc::now();
        Letter {
            kind: Kind::MemberInvitation,
            to_name: organizer.name.clone(),
            to_email: organizer.email.clone(),
            language: webinar
                .languages
                .first()
                .copied()
                .unwrap_or(Language::En)
                .code()
                .to_string(),
            time_zone: webinar.time_zone.to_string(),
            webinar_title: webinar.title.clone(),
            session_label: String::new(),
            starts_at: now,
            ends_at: now,
            join_url: None,
            previous_starts_at: None,
            previous_ends_at: None,
            previous_label: None,
            registration_id: None,
            outside_working_hours: false,
            calendar_uid: format!("member-{link}"),
            sequence: 0,
            account_link_id: Some(link),
            test_to: None,
        }
    }

    pub fn for_registration(kind: Kind, r: &Registration, w: &Webinar, s: &Session) -> Letter {
        let to = Recipient {
            name: &r.name,
            email: r.email.as_str(),
            language: r.language,
            time_zone: r.time_zone,
            calendar_uid: &r.calendar_uid,
            sequence: r.calendar_sequence,
        };
        Letter {
            registration_id: Some(r.id.0),
            outside_working_hours: r.outside_working_hours,
            ..Letter::new(kind, to, w, s)
        }
    }

    pub fn for_chair(kind: Kind, c: &Chair, w: &Webinar, s: &Session) -> Letter {
        let to = Recipient {
            name: &c.name,
            email: c.email.as_str(),
            language: c.language,
            time_zone: c.time_zone,
            calendar_uid: &c.calendar_uid,
            sequence: c.calendar_sequence,
        };
        Letter::new(kind, to, w, s)
    }

    /// Records where the person was before, for switches and moves.
    pub fn was(mut self, previous: &Session) -> Letter {
        self.previous_starts_at = Some(previous.starts_at);
        self.previous_ends_at = Some(previous.ends_at());
        self.previous_label = Some(previous.label.clone());
        self
    }

    /// The address the message goes to: the person's, or the tester's.
    pub fn recipient(&self) -> &str {
        self.test_to.as_deref().unwrap_or(&self.to_email)
    }

    /// The start of every idempotency key about this calendar event (see below).
    pub fn event_key_prefix(&self) -> String {
        format!("{}:", self.calendar_uid)
    }

    /// Sending the same change twice must not email anyone twice: the key names the
    /// calendar event, the kind, the version and the session time (plus `extra`).
    /// A follow-up goes once per person, whether it thanks or regrets.
    pub fn idempotency_key(&self, extra: &str) -> String {
        if self.kind.is_follow_up() {
            return format!("{}:follow_up{extra}", self.calendar_uid);
        }
        format!(
            "{}:{}:{}:{}{}",
            self.calendar_uid,
            self.kind.as_str(),
            self.sequence,
            self.starts_at.timestamp(),
            extra
        )
    }
}
