//! People the organizer invites, imported from CSV or JSON.

use serde::Deserialize;

use super::values::{Invalid, optional_text};
use super::{Country, EmailAddress, InviteeId, Language, PersonName, TimeZone, WebinarId};

#[derive(Debug, Clone)]
pub struct Invitee {
    pub id: InviteeId,
    pub webinar_id: WebinarId,
    pub name: PersonName,
    pub email: EmailAddress,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub country: Option<Country>,
    pub time_zone: TimeZone,
    pub language: Language,
}

/// One row as written in the CSV file or JSON array, before checking.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InviteeRow {
    pub name: String,
    pub email: String,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub country: Option<String>,
    pub time_zone: String,
    pub language: Option<String>,
}

/// A checked row, ready to store.
#[derive(Debug, Clone)]
pub struct NewInvitee {
    pub name: PersonName,
    pub email: EmailAddress,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub country: Option<Country>,
    pub time_zone: TimeZone,
    pub language: Language,
}

impl InviteeRow {
    /// Checks every field and names all that are wrong, so one pass fixes the row.
    pub fn check(&self, default_language: Language) -> Result<NewInvitee, Invalid> {
        self.check_fields(default_language).map_err(|problems| {
            Invalid(
                problems
                    .into_iter()
                    .map(|(_, message)| message)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }

    /// [`check`](Self::check), answering each wrong field by its column name (`name`,
    /// `email`, `organization`, `role`, `country`, `time_zone`, `language`) with its
    /// problem, so that a page can tell it in its own language.
    pub fn check_fields(
        &self,
        default_language: Language,
    ) -> Result<NewInvitee, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let note = |field: &'static str| move |e: Invalid| (field, e.0);
        let name = PersonName::parse(&self.name)
            .map_err(note("name"))
            .map_err(|p| problems.push(p))
            .ok();
        let email = EmailAddress::parse(&self.email)
            .map_err(note("email"))
            .map_err(|p| problems.push(p))
            .ok();
        let organization = optional_text("organization", self.organization.as_deref(), 300)
            .map_err(note("organization"))
            .map_err(|p| problems.push(p))
            .ok();
        let role = optional_text("role", self.role.as_deref(), 200)
            .map_err(note("role"))
            .map_err(|p| problems.push(p))
            .ok();
        let country = match self.country.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(c) => Country::parse(c)
                .map(Some)
                .map_err(note("country"))
                .map_err(|p| problems.push(p))
                .ok(),
        };
        let time_zone = self
            .time_zone
            .parse::<TimeZone>()
            .map_err(note("time_zone"))
            .map_err(|p| problems.push(p))
            .ok();
        let language = match self.language.as_deref().map(str::trim) {
            None | Some("") => Some(default_language),
            Some(l) => l
                .parse::<Language>()
                .map_err(note("language"))
                .map_err(|p| problems.push(p))
                .ok(),
        };
        match (
            name,
            email,
            organization,
            role,
            country,
            time_zone,
            language,
        ) {
            (
                Some(name),
                Some(email),
                Some(organization),
                Some(role),
                Some(country),
                Some(time_zone),
                Some(language),
            ) if problems.is_empty() => Ok(NewInvitee {
                name,
                email,
                organization,
                role,
                country,
                time_zone,
                language,
            }),
            _ => Err(problems),
        }
    }
}
