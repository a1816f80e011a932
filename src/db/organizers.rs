//! Organizers and their API tokens (stored as hashes only).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Exec, on};
use crate::domain::{ApiTokenId, EmailAddress, OrganizerId};

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

/// An API token as its owner sees it (the token itself is never stored).
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    label: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> Self {
        ApiToken {
            id: ApiTokenId(r.id),
            label: r.label,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn add_token(
    ex: Exec<'_>,
    organizer: OrganizerId,
    token_hash: &str,
    label: &str,
) -> anyhow::Result<ApiTokenId> {
    let id = ApiTokenId::new();
    on!(ex, c => sqlx::query(
        "INSERT INTO api_tokens (id, token_hash, organizer_id, label, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.0)
    .bind(token_hash)
    .bind(organizer.0)
    .bind(label)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// The organizer owning a token, and the token.
#[tracing::instrument(skip_all)]
pub async fn find_by_token(
    ex: Exec<'_>,
    token_hash: &str,
) -> anyhow::Result<Option<(Organizer, ApiToken)>> {
    #[derive(sqlx::FromRow)]
    struct Found {
        #[sqlx(flatten)]
        organizer: Row,
        token_id: Uuid,
        label: String,
        created_at: DateTime<Utc>,
        last_used_at: Option<DateTime<Utc>>,
    }
    let row = on!(ex, c => sqlx::query_as::<_, Found>(
        "SELECT o.id, o.email, o.name, t.id AS token_id, t.label, t.created_at, t.last_used_at \
         FROM organizers o JOIN api_tokens t ON t.organizer_id = o.id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| {
        let token = ApiToken {
            id: ApiTokenId(r.token_id),
            label: r.label,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        };
        (Organizer::from(r.organizer), token)
    }))
}

/// Notes that the token was used now.
#[tracing::instrument(skip_all)]
pub async fn token_used(ex: Exec<'_>, id: ApiTokenId, at: DateTime<Utc>) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
        .bind(id.0)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The organizer's tokens, oldest first.
#[tracing::instrument(skip_all)]
pub async fn tokens(ex: Exec<'_>, organizer: OrganizerId) -> anyhow::Result<Vec<ApiToken>> {
    let rows = on!(ex, c => sqlx::query_as::<_, TokenRow>(
        "SELECT id, label, created_at, last_used_at FROM api_tokens \
         WHERE organizer_id = $1 ORDER BY created_at, id",
    )
    .bind(organizer.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(ApiToken::from).collect())
}

/// Revokes one of the organizer's tokens: true when it existed.
#[tracing::instrument(skip_all)]
pub async fn revoke_token(
    ex: Exec<'_>,
    organizer: OrganizerId,
    id: ApiTokenId,
) -> anyhow::Result<bool> {
    let done = on!(ex, c => sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND organizer_id = $2")
        .bind(id.0)
        .bind(organizer.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

#[tracing::instrument(skip_all)]
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
