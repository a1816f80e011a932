//! Chairs of a session: they get its calendar invitation with the CHAIR role.

use super::{ChairId, EmailAddress, Language, SessionId, TimeZone, WebinarId};

#[derive(Debug, Clone)]
pub struct Chair {
    pub id: ChairId,
    pub webinar_id: WebinarId,
    pub session_id: SessionId,
    pub name: String,
    pub email: EmailAddress,
    pub time_zone: TimeZone,
    pub language: Language,
    pub calendar_uid: String,
    pub calendar_sequence: u32,
    /// False once removed or once the session is cancelled.
    pub active: bool,
    /// The answer given in the chair's calendar, and whether their address bounced.
    pub answer: super::answer::CalendarAnswer,
}
