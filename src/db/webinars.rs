//! Webinars.

use anyhow::Context;
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use uuid::Uuid;

use super::{Exec, on};
use crate::domain::assignment::Rules;
use crate::domain::webinar::{CounterProposals, RegistrationPolicy, Webinar};
use crate::domain::{Language, OrganizerId, WebinarId};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    organizer_id: Uuid,
    title: String,
    description: String,
    languages: String,
    time_zone: String,
    registration_opens_at: Option<DateTime<Utc>>,
    registration_closes_at: Option<DateTime<Utc>>,
    window_start_minutes: i64,
    window_end_minutes: i64,
    preferred_minutes: i64,
    registration_policy: String,
    waiting_list: bool,
    allow_delegation: bool,
    counter_proposals: String,
}

const COLUMNS: &str = "id, organizer_id, title, description, languages, time_zone, \
    registration_opens_at, registration_closes_at, window_start_minutes, window_end_minutes, \
    preferred_minutes, registration_policy, waiting_list, allow_delegation, counter_proposals";

fn clock(minutes: i64) -> anyhow::Result<NaiveTime> {
    u32::try_from(minutes * 60)
        .ok()
        .and_then(|s| NaiveTime::from_num_seconds_from_midnight_opt(s, 0))
        .with_context(|| format!("unexpected clock minutes {minutes} in the database"))
}

fn minutes(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight() / 60)
}

impl TryFrom<Row> for Webinar {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Webinar> {
        let languages = r
            .languages
            .split(',')
            .filter(|l| !l.is_empty())
            .map(str::parse::<Language>)
            .collect::<Result<Vec<_>, _>>()?;
        let rules = Rules::new(
            clock(r.window_start_minutes)?,
            clock(r.window_end_minutes)?,
            clock(r.preferred_minutes)?,
        )
        .map_err(anyhow::Error::msg)?;
        Ok(Webinar {
            id: WebinarId(r.id),
            organizer_id: OrganizerId(r.organizer_id),
            title: r.title,
            description: r.description,
            languages,
            time_zone: r.time_zone.parse()?,
            registration_opens_at: r.registration_opens_at,
            registration_closes_at: r.registration_closes_at,
            rules,
            registration_policy: RegistrationPolicy::parse(&r.registration_policy)
                .map_err(|e| anyhow::anyhow!(e.0))?,
            waiting_list: r.waiting_list,
            allow_delegation: r.allow_delegation,
            counter_proposals: CounterProposals::parse(&r.counter_proposals)
                .map_err(|e| anyhow::anyhow!(e.0))?,
        })
    }
}

fn language_list(languages: &[Language]) -> String {
    languages
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(",")
}

#[tracing::instrument(skip_all, fields(webinar = %w.id))]
pub async fn insert(ex: Exec<'_>, w: &Webinar) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO webinars (id, organizer_id, title, description, languages, time_zone, \
         registration_opens_at, registration_closes_at, window_start_minutes, window_end_minutes, \
         preferred_minutes, created_at, registration_policy, waiting_list, allow_delegation, \
         counter_proposals) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(w.id.0)
    .bind(w.organizer_id.0)
    .bind(&w.title)
    .bind(&w.description)
    .bind(language_list(&w.languages))
    .bind(w.time_zone.0.name())
    .bind(w.registration_opens_at)
    .bind(w.registration_closes_at)
    .bind(minutes(w.rules.window_start))
    .bind(minutes(w.rules.window_end))
    .bind(minutes(w.rules.preferred_local))
    .bind(Utc::now())
    .bind(w.registration_policy.as_str())
    .bind(w.waiting_list)
    .bind(w.allow_delegation)
    .bind(w.counter_proposals.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("inserting a webinar")?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(webinar = %w.id))]
pub async fn update(ex: Exec<'_>, w: &Webinar) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE webinars SET title = $2, description = $3, languages = $4, time_zone = $5, \
         registration_opens_at = $6, registration_closes_at = $7, window_start_minutes = $8, \
         window_end_minutes = $9, preferred_minutes = $10, registration_policy = $11, \
         waiting_list = $12, allow_delegation = $13, counter_proposals = $14 WHERE id = $1",
    )
    .bind(w.id.0)
    .bind(&w.title)
    .bind(&w.description)
    .bind(language_list(&w.languages))
    .bind(w.time_zone.0.name())
    .bind(w.registration_opens_at)
    .bind(w.registration_closes_at)
    .bind(minutes(w.rules.window_start))
    .bind(minutes(w.rules.window_end))
    .bind(minutes(w.rules.preferred_local))
    .bind(w.registration_policy.as_str())
    .bind(w.waiting_list)
    .bind(w.allow_delegation)
    .bind(w.counter_proposals.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("updating a webinar")?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(webinar = %id))]
pub async fn find(ex: Exec<'_>, id: WebinarId) -> anyhow::Result<Option<Webinar>> {
    let sql = format!("SELECT {COLUMNS} FROM webinars WHERE id = $1");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(id.0).fetch_optional(c).await)
        .context("reading a webinar")?;
    row.map(Webinar::try_from).transpose()
}

#[tracing::instrument(skip_all)]
pub async fn list_for(ex: Exec<'_>, organizer: OrganizerId) -> anyhow::Result<Vec<Webinar>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM webinars WHERE id IN \
         (SELECT webinar_id FROM webinar_members WHERE organizer_id = $1) \
         ORDER BY created_at DESC"
    );
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(organizer.0).fetch_all(c).await)
        .context("listing webinars")?;
    rows.into_iter().map(Webinar::try_from).collect()
}
