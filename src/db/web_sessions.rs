//! Organizers' browser sessions and one-time password links (both stored as hashes).

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::organizers::Organizer;
use super::{Exec, on};
use crate::domain::OrganizerId;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    email: String,
    name: String,
}

fn organizer(r: Row) -> Organizer {
    Organizer {
        id: OrganizerId(r.id),
        email: r.email,
        name: r.name,
    }
}

pub async fn create(
    ex: Exec<'_>,
    token_hash: &str,
    organizer: OrganizerId,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO web_sessions (token_hash, organizer_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(organizer.0)
    .bind(expires_at)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("starting a web session")?;
    Ok(())
}

/// The organizer of an unexpired session.
pub async fn find(ex: Exec<'_>, token_hash: &str) -> anyhow::Result<Option<Organizer>> {
    let row = on!(ex, c => sqlx::query_as::<_, Row>(
        "SELECT o.id, o.email, o.name FROM organizers o JOIN web_sessions s ON s.organizer_id = o.id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(Utc::now())
    .fetch_optional(c)
    .await)
    .context("reading a web session")?;
    Ok(row.map(organizer))
}

pub async fn delete(ex: Exec<'_>, token_hash: &str) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("ending a web session")?;
    Ok(())
}

pub async fn create_password_link(
    ex: Exec<'_>,
    token_hash: &str,
    organizer: OrganizerId,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO password_links (token_hash, organizer_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(organizer.0)
    .bind(expires_at)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("creating a password link")?;
    Ok(())
}

/// The organizer of an unexpired password link.
pub async fn find_password_link(
    ex: Exec<'_>,
    token_hash: &str,
) -> anyhow::Result<Option<Organizer>> {
    let row = on!(ex, c => sqlx::query_as::<_, Row>(
        "SELECT o.id, o.email, o.name FROM organizers o JOIN password_links l ON l.organizer_id = o.id \
         WHERE l.token_hash = $1 AND l.expires_at > $2",
    )
    .bind(token_hash)
    .bind(Utc::now())
    .fetch_optional(c)
    .await)
    .context("reading a password link")?;
    Ok(row.map(organizer))
}

/// Uses up the link: true when it was still there.
pub async fn consume_password_link(ex: Exec<'_>, token_hash: &str) -> anyhow::Result<bool> {
    let done = on!(ex, c => sqlx::query("DELETE FROM password_links WHERE token_hash = $1")
        .bind(token_hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("using a password link")?;
    Ok(done == 1)
}

/// Ends every browser session of the organizer (after a password reset).
pub async fn delete_all_for(ex: Exec<'_>, organizer: OrganizerId) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM web_sessions WHERE organizer_id = $1")
        .bind(organizer.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("ending the organizer's web sessions")?;
    Ok(())
}
