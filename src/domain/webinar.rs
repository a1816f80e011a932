//! A webinar and the identical sessions it is held as.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::assignment::{Candidate, Rules};
use super::values::{Invalid, parse_instant, required_text};
use super::{Language, OrganizerId, SessionId, TimeZone, WebinarId};

#[derive(Debug, Clone)]
pub struct Webinar {
    pub id: WebinarId,
    pub organizer_id: OrganizerId,
    pub title: String,
    pub description: String,
    pub languages: Vec<Language>,
    /// The organizer's display zone.
    pub time_zone: TimeZone,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub rules: Rules,
    pub registration_policy: RegistrationPolicy,
    /// A full session keeps a waiting list: the first person waiting takes a freed seat.
    pub waiting_list: bool,
    /// A calendar answer DELEGATED to someone else invites the delegate (else it is held
    /// for the organizer).
    pub allow_delegation: bool,
    /// What a new time proposed (COUNTER) matching another session does.
    pub counter_proposals: CounterProposals,
}

/// What happens when someone proposes a new time (iTIP COUNTER) that is the start of
/// another session of the webinar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CounterProposals {
    /// The person is emailed their personal link to switch; they decide.
    #[default]
    Offer,
    /// The person is moved to that session at once (and sent the updated invitation).
    Switch,
}

impl CounterProposals {
    pub const ALL: [CounterProposals; 2] = [Self::Offer, Self::Switch];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Switch => "switch",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == value.trim())
            .ok_or_else(|| {
                Invalid(format!(
                    "counter_proposals must be \"offer\" or \"switch\", not {value:?}"
                ))
            })
    }
}

/// Who may register for a webinar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegistrationPolicy {
    /// Anyone with the link.
    #[default]
    Open,
    /// Only addresses on the invitee list; others are refused and nothing is stored.
    InviteesOnly,
    /// Registrations wait as `pending`, holding no seat, until an organizer approves them.
    Approval,
}

impl RegistrationPolicy {
    pub const ALL: [RegistrationPolicy; 3] = [Self::Open, Self::InviteesOnly, Self::Approval];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InviteesOnly => "invitees_only",
            Self::Approval => "approval",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == value.trim())
            .ok_or_else(|| {
                Invalid(format!(
                    "registration_policy must be \"open\", \"invitees_only\" or \"approval\", not {value:?}"
                ))
            })
    }
}

impl Webinar {
    /// A new webinar with the defaults (English, UTC, 07:00–22:00, 13:00), before the
    /// organizer's fields are applied.
    pub fn blank(organizer: OrganizerId) -> Webinar {
        Webinar {
            id: WebinarId::new(),
            organizer_id: organizer,
            title: String::new(),
            description: String::new(),
            languages: vec![Language::En],
            time_zone: TimeZone(chrono_tz::UTC),
            registration_opens_at: None,
            registration_closes_at: None,
            rules: Rules::default(),
            registration_policy: RegistrationPolicy::Open,
            waiting_list: false,
            allow_delegation: false,
            counter_proposals: CounterProposals::Offer,
        }
    }

    /// Why registration is not possible at `now`, if it is not.
    pub fn registration_closed_reason(&self, now: DateTime<Utc>) -> Option<String> {
        if let Some(opens) = self.registration_opens_at.filter(|t| now < *t) {
            return Some(format!("registration opens at {}", opens.to_rfc3339()));
        }
        if let Some(closes) = self.registration_closes_at.filter(|t| now >= *t) {
            return Some(format!("registration closed at {}", closes.to_rfc3339()));
        }
        None
    }

    /// The language used for someone who has not said which they read.
    pub fn default_language(&self) -> Language {
        self.languages.first().copied().unwrap_or(Language::En)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    Scheduled,
    Cancelled,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "scheduled" => Some(Self::Scheduled),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub webinar_id: WebinarId,
    pub label: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub capacity: Option<u32>,
    /// Registrations that hold a seat.
    pub taken: u32,
    pub join_url: Option<String>,
    pub status: SessionStatus,
}

impl Session {
    pub const MAX_DURATION_MINUTES: u32 = 24 * 60;

    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Duration::minutes(i64::from(self.duration_minutes))
    }

    pub fn seats_left(&self) -> Option<u32> {
        self.capacity.map(|c| c.saturating_sub(self.taken))
    }

    /// Open for new registrations at `now`: scheduled, not yet started, with a seat.
    pub fn is_bookable(&self, now: DateTime<Utc>) -> bool {
        self.status == SessionStatus::Scheduled
            && self.starts_at > now
            && self.seats_left() != Some(0)
    }

    pub fn candidate(&self, now: DateTime<Utc>) -> Candidate {
        Candidate {
            id: self.id.0,
            starts_at: self.starts_at,
            ends_at: self.ends_at(),
            open: self.status == SessionStatus::Scheduled && self.starts_at > now,
            seats_left: self.seats_left(),
        }
    }
}

/// Parses `HH:MM` as used for `window_start` and `window_end`.
pub fn parse_clock(field: &str, value: &str) -> Result<NaiveTime, Invalid> {
    NaiveTime::parse_from_str(value.trim(), "%H:%M").map_err(|_| {
        Invalid(format!(
            "{field} must be a local time as HH:MM, such as 07:00"
        ))
    })
}

/// `preferred_local_hour` is a number of hours such as 13 or 13.5.
pub fn parse_preferred_hour(value: f64) -> Result<NaiveTime, Invalid> {
    if !(0.0..24.0).contains(&value) {
        return Err(Invalid(
            "preferred_local_hour must be a number of hours from 0 to 23.99, such as 13".into(),
        ));
    }
    let minutes = (value * 60.0).round() as u32;
    Ok(
        NaiveTime::from_num_seconds_from_midnight_opt(minutes.min(1439) * 60, 0)
            .unwrap_or(NaiveTime::MIN),
    )
}

pub fn preferred_hour(rules: &Rules) -> f64 {
    use chrono::Timelike;
    f64::from(rules.preferred_local.num_seconds_from_midnight()) / 3600.0
}

const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 20_000;

/// A webinar's fields as an organizer writes them (API or page form); `None` leaves a
/// field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebinarChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub languages: Option<Vec<String>>,
    pub time_zone: Option<String>,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub preferred_local_hour: Option<f64>,
    pub registration_policy: Option<String>,
    pub waiting_list: Option<bool>,
    pub allow_delegation: Option<bool>,
    pub counter_proposals: Option<String>,
}

/// Checks the changes and applies them over `w` (a new webinar's defaults, or the
/// stored one).
pub fn apply(mut w: Webinar, input: &WebinarChanges) -> Result<Webinar, Invalid> {
    if let Some(title) = &input.title {
        w.title = required_text("title", title, TITLE_MAX)?;
    }
    if let Some(description) = &input.description {
        if description.chars().count() > DESCRIPTION_MAX {
            return Err(Invalid(format!(
                "description is too long: at most {DESCRIPTION_MAX} characters"
            )));
        }
        w.description = description.trim().to_string();
    }
    if let Some(languages) = &input.languages {
        let mut parsed = Vec::new();
        for code in languages {
            let language = code.parse::<Language>()?;
            if !parsed.contains(&language) {
                parsed.push(language);
            }
        }
        if parsed.is_empty() {
            return Err(Invalid("languages must name at least one language".into()));
        }
        w.languages = parsed;
    }
    if let Some(zone) = &input.time_zone {
        w.time_zone = zone.parse()?;
    }
    if let Some(t) = &input.registration_opens_at {
        w.registration_opens_at = Some(parse_instant("registration_opens_at", t)?);
    }
    if let Some(t) = &input.registration_closes_at {
        w.registration_closes_at = Some(parse_instant("registration_closes_at", t)?);
    }
    if let (Some(opens), Some(closes)) = (w.registration_opens_at, w.registration_closes_at)
        && opens >= closes
    {
        return Err(Invalid(
            "registration_opens_at must be before registration_closes_at".into(),
        ));
    }
    if let Some(policy) = &input.registration_policy {
        w.registration_policy = RegistrationPolicy::parse(policy)?;
    }
    if let Some(waiting_list) = input.waiting_list {
        w.waiting_list = waiting_list;
    }
    if let Some(allow) = input.allow_delegation {
        w.allow_delegation = allow;
    }
    if let Some(counter) = &input.counter_proposals {
        w.counter_proposals = CounterProposals::parse(counter)?;
    }
    let mut rules = w.rules;
    if let Some(t) = &input.window_start {
        rules.window_start = parse_clock("window_start", t)?;
    }
    if let Some(t) = &input.window_end {
        rules.window_end = parse_clock("window_end", t)?;
    }
    if let Some(hour) = input.preferred_local_hour {
        rules.preferred_local = parse_preferred_hour(hour)?;
    }
    w.rules =
        Rules::new(rules.window_start, rules.window_end, rules.preferred_local).map_err(Invalid)?;
    Ok(w)
}

/// A session as the organizer describes it, already checked.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub label: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub capacity: Option<u32>,
    pub join_url: Option<String>,
}

/// Changes to a session; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SessionChanges {
    pub label: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    /// `Some(None)` removes the limit.
    pub capacity: Option<Option<u32>>,
    pub join_url: Option<Option<String>>,
}

impl NewSession {
    /// Checks a new session's fields; the start is an instant already (the API reads it
    /// from RFC 3339, the page from a local time in the organizer's zone).
    pub fn parse(
        label: &str,
        starts_at: DateTime<Utc>,
        duration_minutes: Option<u32>,
        capacity: Option<u32>,
        join_url: Option<&str>,
    ) -> Result<NewSession, Invalid> {
        Ok(NewSession {
            label: required_text("label", label, LABEL_MAX)?,
            starts_at: super::values::instant_in_range("starts_at", starts_at)?,
            duration_minutes: check_duration(
                duration_minutes.ok_or_else(|| Invalid("duration_minutes is required".into()))?,
            )?,
            capacity: check_capacity(capacity)?,
            join_url: check_join_url(join_url)?,
        })
    }
}

pub const LABEL_MAX: usize = 100;

pub fn check_duration(minutes: u32) -> Result<u32, Invalid> {
    if (1..=Session::MAX_DURATION_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(Invalid(format!(
            "duration_minutes must be from 1 to {}",
            Session::MAX_DURATION_MINUTES
        )))
    }
}

pub fn check_capacity(capacity: Option<u32>) -> Result<Option<u32>, Invalid> {
    match capacity {
        Some(0) => Err(Invalid(
            "capacity must be at least 1, or left out for no limit".into(),
        )),
        other => Ok(other),
    }
}

pub fn check_join_url(url: Option<&str>) -> Result<Option<String>, Invalid> {
    super::values::web_link("join_url", url)
}
