//! Organizers and their API tokens (stored as hashes only).

use chrono::Utc;
use uuid::Uuid;

use super::{Exec, on};
use crate::domain::{EmailAddress, OrganizerId};

#[derive(Debug, Clone)]
pub struct Organizer {
    pub id: OrganizerId,
    pub email: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    email: String,
    name: String,
}

impl From<Row> for Organizer {
    fn from(r: Row) -> Self {
        Organizer {
            id: OrganizerId(r.id),
            email: r.email,
            name: r.name,
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn insert(ex: Exec<'_>, email: &EmailAddress, name: &str) -> anyhow::Result<Organizer> {
    let id = OrganizerId::new();
    on!(ex, c => sqlx::query(
        "INSERT INTO organizers (id, email, email_key, name, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.0)
    .bind(email.as_str())
    .bind(email.key())
    .bind(name)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(Organizer {
        id,
        email: email.as_str().to_string(),
        name: name.to_string(),
    })
}

#[tracing::instrument(skip_all)]
pub async fn find_by_email(
    ex: Exec<'_>,
    email: &EmailAddress,
) -> anyhow::Result<Option<Organizer>> {
    let row = on!(ex, c => sqlx::query_as::<_, Row>(
        "SELECT id, email, name FROM organizers WHERE email_key = $1",
    )
    .bind(email.key())
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Organizer::from))
}

#[tracing::instrument(skip_all)]
pub async fn add_token(
    ex: Exec<'_>,
    organizer: OrganizerId,
    token_hash: &str,
) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO api_tokens (token_hash, organizer_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(organizer.0)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn find_by_token(ex: Exec<'_>, token_hash: &str) -> anyhow::Result<Option<Organizer>> {
    let row = on!(ex, c => sqlx::query_as::<_, Row>(
        "SELECT o.id, o.email, o.name FROM organizers o \
         JOIN api_tokens t ON t.organizer_id = o.id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Organizer::from))
}

pub async fn set_password(
    ex: Exec<'_>,
    organizer: OrganizerId,
    password_hash: &str,
) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("UPDATE organizers SET password_hash = $2 WHERE id = $1")
        .bind(organizer.0)
        .bind(password_hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The organizer with this email and their password hash, if they set one.
pub async fn find_with_password(
    ex: Exec<'_>,
    email: &EmailAddress,
) -> anyhow::Result<Option<(Organizer, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct WithHash {
        id: Uuid,
        email: String,
        name: String,
        password_hash: Option<String>,
    }
    let row = on!(ex, c => sqlx::query_as::<_, WithHash>(
        "SELECT id, email, name, password_hash FROM organizers WHERE email_key = $1",
    )
    .bind(email.key())
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| {
        (
            Organizer {
                id: OrganizerId(r.id),
                email: r.email,
                name: r.name,
            },
            r.password_hash,
        )
    }))
}
