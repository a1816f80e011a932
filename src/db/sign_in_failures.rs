//! Failed sign-ins by subject (`account:<email key>` or `address:<ip>`), shared by
//! every instance through the database.

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::{Exec, on};

/// Failures of `subject` since `since`: how many, and the latest.
pub struct Failures {
    pub count: u32,
    pub last: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all)]
pub async fn since(ex: Exec<'_>, subject: &str, since: DateTime<Utc>) -> anyhow::Result<Failures> {
    #[derive(sqlx::FromRow)]
    struct Row {
        count: i64,
        last: Option<DateTime<Utc>>,
    }
    let row = on!(ex, c => sqlx::query_as::<_, Row>(
        "SELECT COUNT(*) AS count, MAX(failed_at) AS last FROM sign_in_failures \
         WHERE subject = $1 AND failed_at > $2",
    )
    .bind(subject)
    .bind(since)
    .fetch_one(c)
    .await)
    .context("counting failed sign-ins")?;
    Ok(Failures {
        count: u32::try_from(row.count).unwrap_or(u32::MAX),
        last: row.last,
    })
}

#[tracing::instrument(skip_all)]
pub async fn record(ex: Exec<'_>, subject: &str, at: DateTime<Utc>) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("INSERT INTO sign_in_failures (subject, failed_at) VALUES ($1, $2)")
        .bind(subject)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("recording a failed sign-in")?;
    Ok(())
}

/// Forgets the failures of `subject`, after it signed in.
#[tracing::instrument(skip_all)]
pub async fn clear(ex: Exec<'_>, subject: &str) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1")
        .bind(subject)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("clearing failed sign-ins")?;
    Ok(())
}

/// Forgets failures older than `before`, which no longer count.
#[tracing::instrument(skip_all)]
pub async fn forget_before(ex: Exec<'_>, before: DateTime<Utc>) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM sign_in_failures WHERE failed_at < $1")
        .bind(before)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("forgetting old failed sign-ins")?;
    Ok(())
}
