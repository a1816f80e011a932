//! Organizer accounts for the pages: passwords (argon2), one-time links to set one,
//! and browser sessions.

use anyhow::anyhow;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{Duration, Utc};

use crate::db::organizers::Organizer;
use crate::db::{self, Db};
use crate::domain::{EmailAddress, OrganizerId};
use crate::error::{AppError, AppResult};
use crate::security::{random_token, token_hash};

/// How long a browser stays signed in.
pub const SESSION_DAYS: i64 = 7;
/// How long a link to set a password works.
const LINK_HOURS: i64 = 24;
const MIN_PASSWORD: usize = 10;

/// A one-time link to set the organizer's password (printed by the command line).
pub async fn password_link(
    db: &Db,
    public_url: &str,
    organizer: OrganizerId,
) -> anyhow::Result<String> {
    let token = random_token();
    let mut tx = db.begin().await?;
    db::web_sessions::create_password_link(
        tx.exec(),
        &token_hash(&token),
        organizer,
        Utc::now() + Duration::hours(LINK_HOURS),
    )
    .await?;
    tx.commit().await?;
    Ok(format!("{public_url}/organizer/set-password/{token}"))
}

/// The organizer a password link belongs to, while it is valid.
pub async fn link_owner(db: &Db, token: &str) -> AppResult<Organizer> {
    let mut conn = db.conn().await?;
    db::web_sessions::find_password_link(conn.exec(), &token_hash(token))
        .await?
        .ok_or_else(|| AppError::NotFound("this link has expired or was used already".into()))
}

pub fn hash_password(password: &str) -> AppResult<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::BadRequest(format!(
            "the password must have at least {MIN_PASSWORD} characters"
        )));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow!("hashing a password: {e}")))
}

/// Sets the password through a one-time link, which is used up.
pub async fn set_password(db: &Db, token: &str, password: &str) -> AppResult<Organizer> {
    let organizer = link_owner(db, token).await?;
    let hash = hash_password(password)?;
    let mut tx = db.begin().await?;
    if !db::web_sessions::consume_password_link(tx.exec(), &token_hash(token)).await? {
        return Err(AppError::NotFound(
            "this link has expired or was used already".into(),
        ));
    }
    db::organizers::set_password(tx.exec(), organizer.id, &hash).await?;
    tx.commit().await?;
    Ok(organizer)
}

/// Checks the password and opens a session; returns the session token for the cookie.
pub async fn sign_in(db: &Db, email: &str, password: &str) -> AppResult<(Organizer, String)> {
    let wrong = || AppError::Unauthorized("wrong email or password".into());
    let email = EmailAddress::parse(email).map_err(|_| wrong())?;
    let found = {
        let mut conn = db.conn().await?;
        db::organizers::find_with_password(conn.exec(), &email).await?
    };
    let Some((organizer, Some(hash))) = found else {
        return Err(wrong());
    };
    let parsed = PasswordHash::new(&hash)
        .map_err(|e| AppError::Internal(anyhow!("stored password hash: {e}")))?;
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .map_err(|_| wrong())?;
    let token = random_token();
    let mut tx = db.begin().await?;
    db::web_sessions::create(
        tx.exec(),
        &token_hash(&token),
        organizer.id,
        Utc::now() + Duration::days(SESSION_DAYS),
    )
    .await?;
    tx.commit().await?;
    Ok((organizer, token))
}

pub async fn sign_out(db: &Db, token: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    db::web_sessions::delete(tx.exec(), &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}
