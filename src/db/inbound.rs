//! Inbound mail as processed: one row per message, by its Message-ID.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Exec, on};
use crate::domain::WebinarId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    pub id: Uuid,
    pub message_key: String,
    pub webinar_id: Option<Uuid>,
    /// `answer`, `counter`, `bounce`, `auto_reply`, `other` or `unreadable`.
    pub kind: String,
    /// `applied`, `held`, `ignored` or `unreadable`.
    pub outcome: String,
    pub reason: String,
    pub sender: Option<String>,
    pub subject: Option<String>,
    /// What was read, as JSON (`services::inbound` writes and reads it).
    pub details: String,
    pub received_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, message_key, webinar_id, kind, outcome, reason, sender, subject, \
    details, received_at, decided_at";

/// Stores `m` unless a message with its key is stored; true when stored.
#[tracing::instrument(skip_all, fields(outcome = m.outcome))]
pub async fn insert(ex: Exec<'_>, m: &Stored) -> anyhow::Result<bool> {
    let inserted = on!(ex, c => sqlx::query(
        "INSERT INTO inbound_messages (id, message_key, webinar_id, kind, outcome, reason, sender, \
         subject, details, received_at, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (message_key) DO NOTHING",
    )
    .bind(m.id)
    .bind(&m.message_key)
    .bind(m.webinar_id)
    .bind(&m.kind)
    .bind(&m.outcome)
    .bind(&m.reason)
    .bind(&m.sender)
    .bind(&m.subject)
    .bind(&m.details)
    .bind(m.received_at)
    .bind(m.decided_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("storing an inbound message")?;
    Ok(inserted == 1)
}

pub async fn find_by_key(ex: Exec<'_>, key: &str) -> anyhow::Result<Option<Stored>> {
    let sql = format!("SELECT {COLUMNS} FROM inbound_messages WHERE message_key = $1");
    on!(ex, c => sqlx::query_as::<_, Stored>(&sql).bind(key).fetch_optional(c).await)
        .context("reading an inbound message")
}

pub async fn find(ex: Exec<'_>, webinar: WebinarId, id: Uuid) -> anyhow::Result<Option<Stored>> {
    let sql = format!("SELECT {COLUMNS} FROM inbound_messages WHERE id = $1 AND webinar_id = $2");
    on!(ex, c => sqlx::query_as::<_, Stored>(&sql).bind(id).bind(webinar.0).fetch_optional(c).await)
        .context("reading an inbound message")
}

/// The messages about `webinar`, newest first.
pub async fn list(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Stored>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM inbound_messages WHERE webinar_id = $1 ORDER BY received_at DESC, id"
    );
    on!(ex, c => sqlx::query_as::<_, Stored>(&sql).bind(webinar.0).fetch_all(c).await)
        .context("listing inbound messages")
}

/// The organizer's decision on a held message.
pub async fn decide(ex: Exec<'_>, id: Uuid, outcome: &str, reason: &str) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE inbound_messages SET outcome = $2, reason = $3, decided_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(outcome)
    .bind(reason)
    .bind(Utc::now())
    .execute(c)
    .await.map(|r| r.rows_affected()))
    .context("deciding an inbound message")?;
    Ok(())
}
