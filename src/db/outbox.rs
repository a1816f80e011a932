//! The outbox: emails queued in the transaction that causes them, claimed by workers
//! under a lease, delivered in the order they were made for each recipient.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{Exec, Page, lists, on};
use crate::domain::WebinarId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Sent,
    Failed,
    /// Replaced, before it went out, by a newer message about the same calendar event.
    Superseded,
    /// Sent, then reported undeliverable for good (a 5.x.x delivery status notification).
    Bounced,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Superseded => "superseded",
            Self::Bounced => "bounced",
        }
    }
}

/// A message claimed for delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub webinar_id: Uuid,
    pub kind: String,
    pub payload: String,
    pub message_id: String,
    pub attempts: i64,
}

/// A message as the organizer sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub recipient: String,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    /// A permanent failure reported after sending (`bounced`): its status and words.
    pub bounce_status: Option<String>,
    pub bounce_diagnostic: Option<String>,
}

pub struct NewMessage<'a> {
    pub webinar: WebinarId,
    pub idempotency_key: &'a str,
    pub recipient: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub message_id: &'a str,
}

/// Queues the message unless one with the same idempotency key exists; true when queued.
#[tracing::instrument(skip_all, fields(kind = m.kind))]
pub async fn enqueue(ex: Exec<'_>, m: &NewMessage<'_>) -> anyhow::Result<bool> {
    Ok(enqueue_many(ex, std::slice::from_ref(m)).await? == 1)
}

/// Queues many messages with one statement per
/// [`super::registrations::ROWS_PER_STATEMENT`]; one whose idempotency key exists is
/// skipped. Answers how many were queued.
#[tracing::instrument(skip_all, fields(messages = messages.len()))]
pub async fn enqueue_many(mut ex: Exec<'_>, messages: &[NewMessage<'_>]) -> anyhow::Result<u64> {
    let now = Utc::now();
    let mut queued = 0;
    for part in messages.chunks(super::registrations::ROWS_PER_STATEMENT) {
        let values = super::value_rows(&ex, part.len(), 10);
        let sql = format!(
            "INSERT INTO outbox (idempotency_key, webinar_id, recipient, kind, payload, message_id, \
             next_attempt_at, created_at, status, attempts) \
             VALUES {values} ON CONFLICT (idempotency_key) DO NOTHING"
        );
        queued += on!(ex.reborrow(), c => {
            // One row's statement is always the same text: kept prepared.
            let mut q = sqlx::query(&sql).persistent(part.len() == 1);
            for m in part {
                q = q
                    .bind(m.idempotency_key)
                    .bind(m.webinar.0)
                    .bind(m.recipient.to_lowercase())
                    .bind(m.kind)
                    .bind(m.payload)
                    .bind(m.message_id)
                    .bind(now)
                    .bind(now)
                    .bind("pending")
                    .bind(0_i64);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })
        .context("queueing emails")?;
    }
    Ok(queued)
}

/// Leases up to `limit` due messages. A message waits while an older one to the same
/// recipient is still pending, so an update never overtakes its invitation. On
/// PostgreSQL, `SKIP LOCKED` lets several instances claim side by side.
#[tracing::instrument(skip_all)]
pub async fn claim(ex: Exec<'_>, limit: i64, lease: Duration) -> anyhow::Result<Vec<Claimed>> {
    let now = Utc::now();
    const PICK: &str = "SELECT o.id FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= $2 \
        AND (o.locked_until IS NULL OR o.locked_until < $2) \
        AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.recipient = o.recipient \
                        AND p.status = 'pending' AND p.id < o.id) \
        ORDER BY o.id LIMIT $3";
    let rows = match ex {
        Exec::Sqlite(c) => {
            let sql = format!(
                "UPDATE outbox SET locked_until = $1 WHERE id IN ({PICK}) \
                 RETURNING id, webinar_id, kind, payload, message_id, attempts"
            );
            sqlx::query_as::<_, Claimed>(&sql)
                .bind(now + lease)
                .bind(now)
                .bind(limit)
                .fetch_all(c)
                .await
        }
        Exec::Postgres(c) => {
            let sql = format!(
                "UPDATE outbox SET locked_until = $1 WHERE id IN ({PICK} FOR UPDATE SKIP LOCKED) \
                 RETURNING id, webinar_id, kind, payload, message_id, attempts"
            );
            sqlx::query_as::<_, Claimed>(&sql)
                .bind(now + lease)
                .bind(now)
                .bind(limit)
                .fetch_all(c)
                .await
        }
    }
    .context("claiming emails")?;
    let mut rows = rows;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Marks the messages sent, in one statement.
pub async fn mark_sent(ex: Exec<'_>, ids: &[i64]) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, locked_until = NULL, \
         last_error = NULL WHERE id IN ({})",
        placeholders.join(", ")
    );
    on!(ex, c => {
        let mut query = sqlx::query(&sql).bind(Utc::now());
        for id in ids {
            query = query.bind(id);
        }
        query.execute(c).await.map(|r| r.rows_affected())
    })
    .context("marking emails sent")?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or failed for good when `None`.
pub async fn mark_attempt_failed(
    ex: Exec<'_>,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> anyhow::Result<()> {
    let status = if retry_at.is_some() {
        Status::Pending
    } else {
        Status::Failed
    };
    on!(ex, c => sqlx::query(
        "UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3, \
         next_attempt_at = COALESCE($4, next_attempt_at), locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(error)
    .bind(retry_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("recording a failed delivery")?;
    Ok(())
}

/// Puts a failed message back in the queue, due now; false when it was not failed.
pub async fn retry(ex: Exec<'_>, webinar: WebinarId, id: i64) -> anyhow::Result<bool> {
    let done = on!(ex, c => sqlx::query(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $3, attempts = 0 \
         WHERE id = $1 AND webinar_id = $2 AND status = 'failed'",
    )
    .bind(id)
    .bind(webinar.0)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("retrying an email")?;
    Ok(done == 1)
}

/// Retires the recipient's pending, unclaimed messages whose idempotency key starts
/// with `key_prefix` (a calendar event's UID): a newer state of the event replaces them,
/// so a person who changes their mind five times is emailed once, with the last state.
pub async fn supersede(ex: Exec<'_>, recipient: &str, key_prefix: &str) -> anyhow::Result<u64> {
    on!(ex, c => sqlx::query(
        "UPDATE outbox SET status = 'superseded' WHERE recipient = $1 AND status = 'pending' \
         AND (locked_until IS NULL OR locked_until < $2) AND substr(idempotency_key, 1, CAST($3 AS INTEGER)) = $4",
    )
    .bind(recipient.to_lowercase())
    .bind(Utc::now())
    .bind(key_prefix.len() as i64)
    .bind(key_prefix)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("superseding older messages")
}

/// Messages made since `since` for `recipient`, and among them those whose key starts
/// with `key_prefix` (one registration's), superseded ones included.
pub async fn recent(
    ex: Exec<'_>,
    recipient: &str,
    key_prefix: &str,
    since: DateTime<Utc>,
) -> anyhow::Result<(i64, i64)> {
    on!(ex, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN substr(idempotency_key, 1, CAST($3 AS INTEGER)) = $4 THEN 1 ELSE 0 END), 0) \
         FROM outbox WHERE recipient = $1 AND created_at >= $2",
    )
    .bind(recipient.to_lowercase())
    .bind(since)
    .bind(key_prefix.len() as i64)
    .bind(key_prefix)
    .fetch_one(c)
    .await)
    .context("counting recent messages")
}

/// The webinar's messages in the order they were queued.
pub async fn list(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Entry>> {
    list_in_order(ex, webinar, None).await
}

/// One page of [`list`], in the same order; the key is the message id.
pub async fn page(
    ex: Exec<'_>,
    webinar: WebinarId,
    page: &Page<i64>,
) -> anyhow::Result<Vec<Entry>> {
    list_in_order(ex, webinar, Some(page)).await
}

#[tracing::instrument(skip_all, fields(webinar = %webinar))]
async fn list_in_order(
    ex: Exec<'_>,
    webinar: WebinarId,
    page: Option<&Page<i64>>,
) -> anyhow::Result<Vec<Entry>> {
    let sql = format!(
        "SELECT id, recipient, kind, status, attempts, last_error, created_at, sent_at, next_attempt_at, \
         bounce_status, bounce_diagnostic FROM outbox WHERE webinar_id = $1 AND id > $2 ORDER BY id {}",
        if page.is_some() { "LIMIT $3" } else { "" }
    );
    on!(ex, c => {
        let mut query = sqlx::query_as::<_, Entry>(&sql)
            .bind(webinar.0)
            .bind(page.and_then(|p| p.after).unwrap_or(i64::MIN));
        if let Some(page) = page {
            query = query.bind(page.limit);
        }
        query.fetch_all(c).await
    })
    .context("listing the outbox")
}

/// A Message-ID that stays the same through retries; ordered by creation time (UUIDv7),
/// so that the outbox's Message-ID index grows at its end.
pub fn message_id(host: &str) -> String {
    format!("<{}@{host}>", Uuid::now_v7().simple())
}

/// How many messages wait to go out, and when the oldest of them was queued.
#[tracing::instrument(skip_all)]
pub async fn pending(ex: Exec<'_>) -> anyhow::Result<(i64, Option<DateTime<Utc>>)> {
    on!(ex, c => sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'",
    )
    .fetch_one(c)
    .await)
    .context("counting the pending emails")
}

/// A message that was sent: its id, webinar and recipient.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sent {
    pub id: i64,
    pub webinar_id: Uuid,
    pub recipient: String,
}

/// The message a bounce names: by outbox id (VERP) or by its Message-ID.
pub async fn find_sent(
    ex: Exec<'_>,
    id: Option<i64>,
    message_id: Option<&str>,
) -> anyhow::Result<Option<Sent>> {
    on!(ex, c => sqlx::query_as::<_, Sent>(
        "SELECT id, webinar_id, recipient FROM outbox WHERE id = $1 OR message_id = $2 \
         ORDER BY id LIMIT 1",
    )
    .bind(id.unwrap_or(-1))
    .bind(message_id.unwrap_or(""))
    .fetch_optional(c)
    .await)
    .context("finding a sent message")
}

/// Marks a message bounced, with the reported status and diagnostic.
pub async fn mark_bounced(
    ex: Exec<'_>,
    id: i64,
    status: Option<&str>,
    diagnostic: Option<&str>,
) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE outbox SET status = 'bounced', bounce_status = $2, bounce_diagnostic = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(diagnostic)
    .execute(c)
    .await.map(|r| r.rows_affected()))
    .context("marking a message bounced")?;
    Ok(())
}

/// What narrows the outbox page; empty fields narrow nothing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Matched anywhere in the recipient's address (stored lower-cased).
    pub search: String,
    pub status: String,
    pub kind: String,
}

fn filtered(webinar: WebinarId, filter: &Filter) -> (String, Vec<lists::Bind>) {
    let mut sql = String::from("webinar_id = $1");
    let mut binds = vec![lists::Bind::Id(webinar.0)];
    let search = filter.search.trim().to_lowercase();
    if !search.is_empty() {
        binds.push(lists::Bind::Text(format!(
            "%{}%",
            lists::escape_like(&search)
        )));
        sql.push_str(&format!(" AND recipient LIKE ${} ESCAPE '\\'", binds.len()));
    }
    for (column, value) in [("status", &filter.status), ("kind", &filter.kind)] {
        if !value.is_empty() {
            binds.push(lists::Bind::Text(value.clone()));
            sql.push_str(&format!(" AND {column} = ${}", binds.len()));
        }
    }
    (sql, binds)
}

/// One page of the outbox page, in the order queued (along `outbox_by_webinar`).
#[tracing::instrument(skip_all, fields(webinar = %webinar))]
pub async fn list_page(
    ex: Exec<'_>,
    webinar: WebinarId,
    filter: &Filter,
    window: &lists::Window,
) -> anyhow::Result<lists::Listed<Entry>> {
    let (mut clause, mut binds) = filtered(webinar, filter);
    let (keyset, more, order) = window.keyset(&["id"], binds.len() + 1);
    clause.push_str(&keyset);
    binds.extend(more);
    let sql = format!(
        "SELECT id, recipient, kind, status, attempts, last_error, created_at, sent_at, next_attempt_at, \
         bounce_status, bounce_diagnostic FROM outbox WHERE {clause} {order}"
    );
    let rows =
        on!(ex, c => lists::bind_all!(sqlx::query_as::<_, Entry>(&sql), &binds).fetch_all(c).await)
            .context("listing the outbox")?;
    let rows = rows
        .into_iter()
        .map(|e| {
            let key = vec![lists::Part::Int(e.id)];
            (e, key)
        })
        .collect();
    Ok(lists::Listed::cut(rows, window))
}

/// How many messages the filter keeps.
pub async fn count(ex: Exec<'_>, webinar: WebinarId, filter: &Filter) -> anyhow::Result<i64> {
    let (clause, binds) = filtered(webinar, filter);
    let sql = format!("SELECT COUNT(*) FROM outbox WHERE {clause}");
    on!(ex, c => lists::bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(c).await)
        .context("counting the outbox")
}

/// The webinar's messages per status.
pub async fn count_by_status(
    ex: Exec<'_>,
    webinar: WebinarId,
) -> anyhow::Result<Vec<(String, i64)>> {
    on!(ex, c => sqlx::query_as::<_, (String, i64)>(
        "SELECT status, COUNT(*) FROM outbox WHERE webinar_id = $1 GROUP BY status",
    )
    .bind(webinar.0)
    .fetch_all(c)
    .await)
    .context("counting the outbox by status")
}
