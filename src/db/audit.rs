//! The audit trail: who changed what, written in the change's own transaction.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Exec, Page, on};
use crate::domain::{OrganizerId, WebinarId};

#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub webinar_id: Option<WebinarId>,
    pub organizer_id: Option<OrganizerId>,
    pub actor: String,
    pub action: String,
    pub summary: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: DateTime<Utc>,
    webinar_id: Option<Uuid>,
    organizer_id: Option<Uuid>,
    actor: String,
    action: String,
    summary: String,
}

impl From<Row> for Event {
    fn from(r: Row) -> Self {
        Event {
            id: r.id,
            at: r.at,
            webinar_id: r.webinar_id.map(WebinarId),
            organizer_id: r.organizer_id.map(OrganizerId),
            actor: r.actor,
            action: r.action,
            summary: r.summary,
        }
    }
}

/// One event to record.
pub struct NewEvent<'a> {
    pub webinar: Option<WebinarId>,
    pub organizer: Option<OrganizerId>,
    pub actor: &'a str,
    pub action: &'a str,
    pub summary: &'a str,
}

#[tracing::instrument(skip_all)]
pub async fn insert(ex: Exec<'_>, e: &NewEvent<'_>) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO audit_events (at, webinar_id, organizer_id, actor, action, summary) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Utc::now())
    .bind(e.webinar.map(|w| w.0))
    .bind(e.organizer.map(|o| o.0))
    .bind(e.actor)
    .bind(e.action)
    .bind(e.summary)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("recording an audit event")?;
    Ok(())
}

/// Which events to list: of a webinar or of an account, optionally narrowed.
pub struct Filter<'a> {
    pub webinar: Option<WebinarId>,
    pub organizer: Option<OrganizerId>,
    /// Actions starting with this (`session.` for every session event).
    pub action: Option<&'a str>,
    /// The actor's address contains this (case-insensitive).
    pub actor: Option<&'a str>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The newest events first; the page key is the event id (the next page holds smaller ids).
#[tracing::instrument(skip_all)]
pub async fn page(
    ex: Exec<'_>,
    filter: &Filter<'_>,
    page: &Page<i64>,
) -> anyhow::Result<Vec<Event>> {
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.webinar.is_some() {
        conditions.push(format!("webinar_id = {}", next()));
    }
    if filter.organizer.is_some() {
        conditions.push(format!("organizer_id = {}", next()));
    }
    if filter.action.is_some() {
        conditions.push(format!("action LIKE {} ESCAPE '\\'", next()));
    }
    if filter.actor.is_some() {
        conditions.push(format!("LOWER(actor) LIKE {} ESCAPE '\\'", next()));
    }
    if filter.since.is_some() {
        conditions.push(format!("at >= {}", next()));
    }
    if filter.until.is_some() {
        conditions.push(format!("at < {}", next()));
    }
    if page.after.is_some() {
        conditions.push(format!("id < {}", next()));
    }
    let limit = next();
    let sql = format!(
        "SELECT id, at, webinar_id, organizer_id, actor, action, summary FROM audit_events \
         WHERE {} ORDER BY id DESC LIMIT {limit}",
        if conditions.is_empty() {
            "TRUE".to_string()
        } else {
            conditions.join(" AND ")
        }
    );
    let action = filter.action.map(|a| format!("{}%", like_escape(a)));
    let actor = filter
        .actor
        .map(|a| format!("%{}%", like_escape(&a.to_lowercase())));
    let rows = on!(ex, c => {
        let mut q = sqlx::query_as::<_, Row>(&sql);
        if let Some(w) = filter.webinar {
            q = q.bind(w.0);
        }
        if let Some(o) = filter.organizer {
            q = q.bind(o.0);
        }
        if let Some(a) = &action {
            q = q.bind(a);
        }
        if let Some(a) = &actor {
            q = q.bind(a);
        }
        if let Some(s) = filter.since {
            q = q.bind(s);
        }
        if let Some(u) = filter.until {
            q = q.bind(u);
        }
        if let Some(after) = page.after {
            q = q.bind(after);
        }
        q.bind(page.limit).fetch_all(c).await
    })
    .context("listing audit events")?;
    Ok(rows.into_iter().map(Event::from).collect())
}

fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
