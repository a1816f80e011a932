//! What Meridian does, one module per use case: each takes parsed domain values,
//! runs its transaction and answers with domain values or an [`AppError`](crate::error::AppError).

pub mod accounts;
pub mod api_tokens;
pub mod attendance;
pub mod chairs;
pub mod clock_warnings;
pub mod coverage;
pub mod follow_up;
pub mod health;
pub mod inbound;
pub mod invitations;
pub mod invitees;
pub mod mailbox;
pub mod materials;
pub mod members;
pub mod participants;
pub mod planner;
pub mod registrations;
pub mod report;
pub mod waitlist;
pub mod webinars;
