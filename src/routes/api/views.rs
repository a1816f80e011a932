//! The JSON shapes of the API. Field names are a contract with outside clients.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::waitlist::Place;
use crate::domain::assignment::LocalSession;
use crate::domain::registration::Registration;
use crate::domain::webinar::{Session, Webinar, preferred_hour};

#[derive(Serialize, ToSchema)]
pub struct WebinarView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    /// Language codes such as `en`.
    pub languages: Vec<String>,
    /// The organizer's display zone.
    pub time_zone: String,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Local `HH:MM`.
    pub window_start: String,
    /// Local `HH:MM`.
    pub window_end: String,
    /// Hours, e.g. `13`.
    pub preferred_local_hour: f64,
    /// Who may register: `open`, `invitees_only` or `approval`.
    pub registration_policy: String,
    /// Whether a full session keeps a waiting list (the first person waiting takes a
    /// freed seat).
    pub waiting_list: bool,
    /// Whether a calendar answer delegated to someone else invites the delegate.
    pub allow_delegation: bool,
    /// A new time proposed that matches another session: `offer` (emailed a link to
    /// switch) or `switch` (moved there).
    pub counter_proposals: String,
    pub sessions: Vec<SessionView>,
}

impl WebinarView {
    pub fn new(w: &Webinar, sessions: &[Session], show_join_url: bool) -> Self {
        WebinarView {
            id: w.id.0,
            title: w.title.clone(),
            description: w.description.clone(),
            languages: w.languages.iter().map(|l| l.code().to_string()).collect(),
            time_zone: w.time_zone.to_string(),
            registration_opens_at: w.registration_opens_at,
            registration_closes_at: w.registration_closes_at,
            window_start: w.rules.window_start.format("%H:%M").to_string(),
            window_end: w.rules.window_end.format("%H:%M").to_string(),
            preferred_local_hour: preferred_hour(&w.rules),
            registration_policy: w.registration_policy.as_str().to_string(),
            waiting_list: w.waiting_list,
            allow_delegation: w.allow_delegation,
            counter_proposals: w.counter_proposals.as_str().to_string(),
            sessions: sessions
                .iter()
                .map(|s| SessionView::new(s, show_join_url))
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub label: String,
    /// UTC, RFC 3339.
    pub starts_at: String,
    /// UTC, RFC 3339.
    pub ends_at: String,
    pub duration_minutes: u32,
    /// `null` means no limit.
    pub capacity: Option<u32>,
    /// `null` means no limit.
    pub seats_left: Option<u32>,
    /// Shown to the organizer and to registrants; `null` in public listings.
    pub join_url: Option<String>,
    /// `scheduled` or `cancelled`.
    pub status: String,
}

pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn local(t: DateTime<chrono_tz::Tz>) -> String {
    t.fixed_offset().to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl SessionView {
    pub fn new(s: &Session, show_join_url: bool) -> Self {
        SessionView {
            id: s.id.0,
            label: s.label.clone(),
            starts_at: utc(s.starts_at),
            ends_at: utc(s.ends_at()),
            duration_minutes: s.duration_minutes,
            capacity: s.capacity,
            seats_left: s.seats_left(),
            join_url: s.join_url.clone().filter(|_| show_join_url),
            status: s.status.as_str().to_string(),
        }
    }
}

/// A session as seen from one time zone.
#[derive(Serialize, ToSchema)]
pub struct LocalSessionView {
    #[serde(flatten)]
    pub session: SessionView,
    /// RFC 3339 with the zone's offset on the session's date.
    pub local_start: String,
    pub local_end: String,
    /// Inside the webinar's local working window.
    pub suitable: bool,
    pub recommended: bool,
}

impl LocalSessionView {
    pub fn new(s: &Session, local: &LocalSession, show_join_url: bool) -> Self {
        LocalSessionView {
            session: SessionView::new(s, show_join_url),
            local_start: self::local(local.local_start),
            local_end: self::local(local.local_end),
            suitable: local.suitable,
            recommended: local.recommended,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionListing {
    pub time_zone: String,
    /// The session the time-zone rule recommends, if any has seats.
    pub recommended_session_id: Option<Uuid>,
    /// True when even the recommended session falls outside working hours.
    pub outside_working_hours: bool,
    pub sessions: Vec<LocalSessionView>,
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub country: Option<String>,
    pub time_zone: String,
    pub language: String,
    pub session_id: Uuid,
    /// `auto` (picked by the time-zone rule) or `chosen`.
    pub assignment: String,
    pub outside_working_hours: bool,
    /// Agreed to be named in the shareable participant list.
    pub share_in_participant_list: bool,
    /// `invited`, `registered`, `cancelled`, `pending` (awaiting approval), `declined` or
    /// `waitlisted` (on the waiting list of a full session; no seat yet).
    pub status: String,
    /// When `waitlisted`: the place in line for the registration's session (1 is next).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlist_position: Option<u32>,
    /// When `waitlisted`: every session waited for, with the place in its line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting_for: Vec<WaitlistPlace>,
    pub created_at: String,
    /// `none`, `accepted`, `tentative`, `declined` or `delegated`: the answer given in
    /// the person's calendar to their invitation.
    pub calendar_answer: String,
    pub calendar_answered_at: Option<String>,
    /// What the person wrote with their answer.
    pub calendar_comment: Option<String>,
    /// Mail to this address came back undeliverable for good (5.x.x).
    pub address_bounced: bool,
    /// The session in the registrant's time zone.
    pub session: Option<LocalSessionView>,
    /// Only in the answer that created the registration, and to its token's holder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_url: Option<String>,
    /// The personal join link (`/j/{token}`), beside the manage link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_link: Option<String>,
}

impl RegistrationView {
    pub fn new(
        r: &Registration,
        session: Option<LocalSessionView>,
        links: Option<PersonalLinks>,
    ) -> Self {
        let (manage_url, join_link) = links.map(|l| (l.manage, l.join)).unzip();
        RegistrationView {
            id: r.id.0,
            name: r.name.clone(),
            email: r.email.as_str().to_string(),
            organization: r.organization.clone(),
            role: r.role.clone(),
            country: r.country.clone(),
            time_zone: r.time_zone.to_string(),
            language: r.language.code().to_string(),
            session_id: r.session_id.0,
            assignment: r.assignment.as_str().to_string(),
            outside_working_hours: r.outside_working_hours,
            share_in_participant_list: r.share_in_participant_list,
            status: r.status.as_str().to_string(),
            waitlist_position: None,
            waiting_for: Vec::new(),
            created_at: utc(r.created_at),
            calendar_answer: r.answer.answer.as_str().to_string(),
            calendar_answered_at: r.answer.answered_at.map(utc),
            calendar_comment: r.answer.comment.clone(),
            address_bounced: r.answer.address_bounced,
            session,
            manage_url,
            join_link,
        }
    }
}

impl RegistrationView {
    /// Adds the places in line among `places` (of this registration or of many).
    pub fn waiting(mut self, places: &[Place]) -> Self {
        self.waiting_for = places
            .iter()
            .filter(|p| p.registration.0 == self.id)
            .map(|p| WaitlistPlace {
                session_id: p.session.0,
                position: p.position,
            })
            .collect();
        self.waitlist_position = self
            .waiting_for
            .iter()
            .find(|p| p.session_id == self.session_id)
            .map(|p| p.position);
        self
    }
}

/// A place on a session's waiting list.
#[derive(Serialize, ToSchema)]
pub struct WaitlistPlace {
    pub session_id: Uuid,
    /// 1 for the first in line.
    pub position: u32,
}

/// A registrant's private links, shown only to the holder of the manage token.
pub struct PersonalLinks {
    pub manage: String,
    pub join: String,
}
