//! Waiting lists of full sessions. Every path that frees a seat (a cancellation, a switch
//! away, a raised capacity, a declined invitation) calls [`seat_freed`] in its own
//! transaction: the first people waiting take the free seats at once.

use chrono::Utc;

use crate::context::Work;
use crate::db;
use crate::domain::registration::{Registration, RegistrationStatus};
use crate::domain::webinar::{Session, Webinar};
use crate::domain::{RegistrationId, SessionId};
use crate::email::letter::{Kind, Letter};
use crate::error::AppResult;
use crate::services::registrations::outside_working_hours;

/// A seat of `session` may be free: while one is and someone waits for it, the first in
/// line takes it (their registration becomes `registered` there, leaves every other
/// list, and they get a calendar invitation saying they moved up). Locks the session
/// first, as does a registration that joins its list, so neither decides on a stale
/// view. Returns how many moved up.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, session = %session))]
pub async fn seat_freed(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    session: SessionId,
) -> AppResult<u32> {
    db::waitlist::lock_session(tx.exec(), session).await?;
    let mut moved_up = 0;
    loop {
        let Some(s) = db::sessions::find(tx.exec(), webinar.id, session).await? else {
            break;
        };
        if !s.is_bookable(Utc::now()) {
            break;
        }
        let Some(id) = db::waitlist::first(tx.exec(), session).await? else {
            break;
        };
        let Some(mut r) = db::registrations::find(tx.exec(), webinar.id, id).await? else {
            break;
        };
        if !db::sessions::take_seat(tx.exec(), session).await? {
            break;
        }
        move_up(tx, webinar, &mut r, &s).await?;
        moved_up += 1;
    }
    if moved_up > 0 {
        tx.listing_changed(webinar.id);
    }
    Ok(moved_up)
}

/// The seat is taken: the registration is now in `s`, off every list, and told so.
async fn move_up(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    r: &mut Registration,
    s: &Session,
) -> AppResult<()> {
    r.session_id = s.id;
    r.status = RegistrationStatus::Registered;
    r.outside_working_hours = outside_working_hours(webinar, s, r.time_zone);
    r.calendar_sequence += 1;
    db::registrations::update(tx.exec(), r).await?;
    db::waitlist::leave_all(tx.exec(), r.id).await?;
    let letter = Letter::for_registration(Kind::MovedUp, r, webinar, s);
    tx.queue(webinar, &letter, "").await?;
    metrics::counter!("meridian_registrations_total", "status" => "moved_up").increment(1);
    Ok(())
}

/// The session was cancelled: its list goes. Someone who waits for no other session is
/// cancelled too; someone who does now belongs to the first of those.
pub async fn session_cancelled(
    tx: &mut Work<'_>,
    webinar: &Webinar,
    session: SessionId,
) -> AppResult<()> {
    for id in db::waitlist::clear(tx.exec(), session).await? {
        leave_or_stay(tx, webinar, id).await?;
    }
    Ok(())
}

async fn leave_or_stay(tx: &mut Work<'_>, webinar: &Webinar, id: RegistrationId) -> AppResult<()> {
    let Some(mut r) = db::registrations::find(tx.exec(), webinar.id, id).await? else {
        return Ok(());
    };
    if r.status != RegistrationStatus::Waitlisted {
        return Ok(());
    }
    let places = db::waitlist::places(tx.exec(), webinar.id, Some(id)).await?;
    match places.first() {
        Some(place) => r.session_id = place.session,
        None => r.status = RegistrationStatus::Cancelled,
    }
    db::registrations::update(tx.exec(), &r).await?;
    Ok(())
}
