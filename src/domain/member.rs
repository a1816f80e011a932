//! Who may do what on a webinar: the members' roles, and what each request needs.

use std::ops::Deref;

use super::OrganizerId;
use super::webinar::Webinar;

/// A member's role on one webinar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, including the members.
    Owner,
    /// Everything about the event: sessions, invitees, chairs, sending, attendance, exports.
    Organizer,
    /// Read-only pages; lists with personal data only when granted.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Organizer => "organizer",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "owner" => Ok(Self::Owner),
            "organizer" => Ok(Self::Organizer),
            "viewer" => Ok(Self::Viewer),
            other => Err(format!(
                "role must be \"owner\", \"organizer\" or \"viewer\", not {other:?}"
            )),
        }
    }

    pub const ALL: [Role; 3] = [Role::Owner, Role::Organizer, Role::Viewer];
}

/// What a request needs of the member making it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Pages and lists without personal data.
    Read,
    /// Downloads of the lists with personal data (participant list, invitees, registrations).
    PersonalData,
    /// Any change to the event.
    Edit,
    /// The members themselves.
    Own,
}

/// Whether a member with `role` (and, for viewers, the `personal_data` grant) may do what
/// `need` asks.
pub fn allows(role: Role, personal_data: bool, need: Need) -> bool {
    match need {
        Need::Read => true,
        Need::PersonalData => role != Role::Viewer || personal_data,
        Need::Edit => role != Role::Viewer,
        Need::Own => role == Role::Owner,
    }
}

/// Why a member may not do something, in words that say what to ask for.
pub fn refusal(role: Role, need: Need) -> String {
    let asks = match need {
        Need::Read => "read it",
        Need::PersonalData => "download personal data (an owner can grant it)",
        Need::Edit => "change it (an owner or organizer can)",
        Need::Own => "manage its members (only an owner can)",
    };
    format!(
        "you are a {} of this webinar and may not {asks}",
        role.as_str()
    )
}

/// The organizer making a change, as the audit trail names them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: OrganizerId,
    pub email: String,
}

/// A webinar as one of its members may use it: proof that the role was checked, and who
/// acts (for the audit trail). Derefs to the webinar.
#[derive(Debug, Clone)]
pub struct Access {
    pub webinar: Webinar,
    pub actor: Actor,
    pub role: Role,
    pub personal_data: bool,
}

impl Access {
    pub fn allows(&self, need: Need) -> bool {
        allows(self.role, self.personal_data, need)
    }
}

impl Deref for Access {
    type Target = Webinar;

    fn deref(&self) -> &Webinar {
        &self.webinar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_gets_what_the_issue_lists() {
        use Need::*;
        for need in [Read, PersonalData, Edit, Own] {
            assert!(allows(Role::Owner, false, need));
        }
        assert!(allows(Role::Organizer, false, PersonalData));
        assert!(allows(Role::Organizer, false, Edit));
        assert!(!allows(Role::Organizer, true, Own));
        assert!(allows(Role::Viewer, false, Read));
        assert!(!allows(Role::Viewer, false, PersonalData));
        assert!(allows(Role::Viewer, true, PersonalData));
        assert!(!allows(Role::Viewer, true, Edit));
        assert!(!allows(Role::Viewer, true, Own));
    }

    #[test]
    fn roles_parse_back() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("admin").unwrap_err().contains("viewer"));
    }
}
