//! Organizers' API tokens: several per organizer, each with a label; listed, created
//! (the token shown once, only its hash kept), revoked.

use chrono::{Duration, Utc};

use crate::db::organizers::{ApiToken, Organizer};
use crate::db::{self, Db};
use crate::domain::{ApiTokenId, OrganizerId};
use crate::error::{AppError, AppResult};
use crate::security::{random_token, token_hash};

const MAX_LABEL: usize = 100;
/// "Last used" is written at most this often per token, not on every request.
const USE_PRECISION: Duration = Duration::minutes(1);

pub async fn list(db: &Db, organizer: OrganizerId) -> AppResult<Vec<ApiToken>> {
    let mut conn = db.conn().await?;
    Ok(db::organizers::tokens(conn.exec(), organizer).await?)
}

/// A new token for the organizer: its id and the token itself, which is not kept.
pub async fn create(
    db: &Db,
    organizer: &Organizer,
    label: &str,
) -> AppResult<(ApiTokenId, String)> {
    let label = label.trim();
    if label.chars().count() > MAX_LABEL {
        return Err(AppError::BadRequest(format!(
            "the label must have at most {MAX_LABEL} characters"
        )));
    }
    let token = random_token();
    let mut tx = db.begin().await?;
    let id = db::organizers::add_token(tx.exec(), organizer.id, &token_hash(&token), label).await?;
    account_event(
        &mut tx,
        organizer,
        "account.token_created",
        &format!("API token {label:?} ({id})"),
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

/// Revokes one of the organizer's tokens; it stops working at once.
pub async fn revoke(db: &Db, organizer: &Organizer, id: ApiTokenId) -> AppResult<()> {
    let mut tx = db.begin().await?;
    if !db::organizers::revoke_token(tx.exec(), organizer.id, id).await? {
        return Err(AppError::not_found("API token"));
    }
    account_event(
        &mut tx,
        organizer,
        "account.token_revoked",
        &format!("API token {id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records an event of the account itself in the audit trail, in `tx`.
async fn account_event(
    tx: &mut db::Tx,
    organizer: &Organizer,
    action: &str,
    summary: &str,
) -> AppResult<()> {
    Ok(db::audit::insert(
        tx.exec(),
        &db::audit::NewEvent {
            webinar: None,
            organizer: Some(organizer.id),
            actor: &organizer.email,
            action,
            summary,
        },
    )
    .await?)
}

/// The organizer a bearer token belongs to; notes when the token was last used.
pub async fn authenticate(db: &Db, token: &str) -> AppResult<Option<Organizer>> {
    let found = {
        let mut conn = db.conn().await?;
        db::organizers::find_by_token(conn.exec(), &token_hash(token)).await?
    };
    let Some((organizer, token)) = found else {
        return Ok(None);
    };
    let now = Utc::now();
    if token
        .last_used_at
        .is_none_or(|at| now - at >= USE_PRECISION)
    {
        let mut tx = db.begin().await?;
        db::organizers::token_used(tx.exec(), token.id, now).await?;
        tx.commit().await?;
    }
    Ok(Some(organizer))
}
