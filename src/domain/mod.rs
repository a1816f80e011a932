//! Meridian's vocabulary as plain Rust: valid values only, no HTTP and no SQL.

pub mod answer;
pub mod assignment;
pub mod attendance;
pub mod chair;
pub mod clock;
mod ids;
pub mod invitee;
pub mod lockout;
pub mod material;
pub mod member;
pub mod planner;
pub mod registration;
pub mod values;
pub mod webinar;

pub use ids::{
    ApiTokenId, ChairId, InviteeId, MaterialId, MemberId, OrganizerId, RegistrationId, SessionId,
    WebinarId,
};
pub use values::{
    Country, EmailAddress, Language, PersonName, TimeZone, optional_text, required_text,
};
