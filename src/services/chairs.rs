//! Naming chairs of a session: each gets the session's calendar invitation as CHAIR.

use crate::context::Context;
use crate::db;
use crate::domain::chair::Chair;
use crate::domain::member::Access;
use crate::domain::webinar::{SessionStatus, Webinar};
use crate::domain::{ChairId, EmailAddress, Language, PersonName, SessionId, TimeZone};
use crate::email::letter::{Kind, Letter};
use crate::error::{AppError, AppResult};

pub struct NewChair {
    pub name: PersonName,
    pub email: EmailAddress,
    pub time_zone: Option<TimeZone>,
    pub language: Option<Language>,
}

/// Adds the chair and queues their invitation; naming the same person again returns
/// the chair as it is (`false`) and sends nothing.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, session = %session_id))]
pub async fn add(
    ctx: &Context,
    webinar: &Access,
    session_id: SessionId,
    new: NewChair,
) -> AppResult<(Chair, bool)> {
    let mut tx = ctx.begin().await?;
    let session = db::sessions::find(tx.exec(), webinar.id, session_id)
        .await?
        .ok_or_else(|| AppError::not_found("session"))?;
    if session.status == SessionStatus::Cancelled {
        return Err(AppError::Conflict(format!(
            "session {:?} has been cancelled",
            session.label
        )));
    }
    let existing = db::chairs::find_by_email(tx.exec(), session.id, &new.email).await?;
    let chair = match existing {
        Some(chair) if chair.active => return Ok((chair, false)),
        Some(mut chair) => {
            chair.active = true;
            chair.calendar_sequence += 1;
            chair.name = new.name.as_str().to_string();
            chair.time_zone = new.time_zone.unwrap_or(chair.time_zone);
            chair.language = new.language.unwrap_or(chair.language);
            db::chairs::update(tx.exec(), &chair).await?;
            chair
        }
        None => {
            let id = ChairId::new();
            let chair = Chair {
                id,
                webinar_id: webinar.id,
                session_id: session.id,
                name: new.name.as_str().to_string(),
                email: new.email,
                time_zone: new.time_zone.unwrap_or(webinar.time_zone),
                language: new.language.unwrap_or_else(|| webinar.default_language()),
                calendar_uid: format!("chair-{id}@{}", ctx.settings.public_host()),
                calendar_sequence: 0,
                active: true,
                answer: Default::default(),
            };
            db::chairs::insert(tx.exec(), &chair).await?;
            chair
        }
    };
    let letter = Letter::for_chair(Kind::ChairInvitation, &chair, webinar, &session);
    tx.queue(webinar, &letter, "").await?;
    tx.audit(
        webinar,
        "chair.added",
        &format!(
            "named {} chair of session {}",
            chair.email.as_str(),
            session.label
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((chair, true))
}

pub async fn list(
    ctx: &Context,
    webinar: &Webinar,
    session_id: SessionId,
    page: Option<&db::Page<uuid::Uuid>>,
) -> AppResult<Vec<Chair>> {
    let mut conn = ctx.db.conn().await?;
    db::sessions::find(conn.exec(), webinar.id, session_id)
        .await?
        .ok_or_else(|| AppError::not_found("session"))?;
    Ok(db::chairs::page_for_session(conn.exec(), session_id, page).await?)
}
