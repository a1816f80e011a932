//! What an operator watches: whether this instance is ready to serve (`/readyz`), and
//! the figures read from the database when `/metrics` is scraped.

use std::time::Duration;

use chrono::Utc;

use crate::context::Context;
use crate::db;

/// A check that `/readyz` runs, by name; `Err` says what is wrong.
pub struct Check {
    pub name: &'static str,
    pub outcome: Result<String, String>,
}

/// A database that does not answer within this is taken as not answering.
const DATABASE_WAIT: Duration = Duration::from_secs(5);

/// The database answers, its schema has every migration this binary carries, and the
/// mail worker (when on) finished a round within `mail.worker_max_idle_ms`.
pub async fn readiness(ctx: &Context) -> Vec<Check> {
    let database = match tokio::time::timeout(DATABASE_WAIT, ctx.db.ping()).await {
        Ok(Ok(())) => Ok("ok".to_string()),
        Ok(Err(e)) => Err(format!("{e:#}")),
        Err(_) => Err(format!("no answer within {} s", DATABASE_WAIT.as_secs())),
    };
    let migrations = if database.is_ok() {
        match tokio::time::timeout(DATABASE_WAIT, ctx.db.missing_migrations()).await {
            Ok(Ok(missing)) if missing.is_empty() => Ok("ok".to_string()),
            Ok(Ok(missing)) => Err(format!("not applied: {missing:?}")),
            Ok(Err(e)) => Err(format!("{e:#}")),
            Err(_) => Err(format!("no answer within {} s", DATABASE_WAIT.as_secs())),
        }
    } else {
        Err("the database does not answer".to_string())
    };
    vec![
        Check {
            name: "database",
            outcome: database,
        },
        Check {
            name: "migrations",
            outcome: migrations,
        },
        Check {
            name: "mail_worker",
            outcome: mail_worker(ctx),
        },
    ]
}

fn mail_worker(ctx: &Context) -> Result<String, String> {
    let mail = &ctx.settings.mail;
    if !mail.worker {
        return Ok("off (mail.worker = false)".to_string());
    }
    let allowed = Duration::from_millis(mail.worker_max_idle_ms);
    match ctx.mailer.last_round() {
        None => Err("has not finished a round yet".to_string()),
        Some(at) if at.elapsed() > allowed => Err(format!(
            "last finished a round {} ms ago, more than mail.worker_max_idle_ms = {}",
            at.elapsed().as_millis(),
            mail.worker_max_idle_ms
        )),
        Some(_) => Ok("ok".to_string()),
    }
}

/// Sets the gauges read at scrape time: the outbox's depth and its oldest pending
/// message's age, and the database pool's use.
pub async fn record_gauges(ctx: &Context) -> anyhow::Result<()> {
    // Before the outbox query borrows a connection of its own.
    let (open, in_use, max) = ctx.db.pool_use();
    metrics::gauge!("meridian_db_pool_connections", "state" => "open").set(f64::from(open));
    metrics::gauge!("meridian_db_pool_connections", "state" => "in_use").set(f64::from(in_use));
    metrics::gauge!("meridian_db_pool_connections", "state" => "max").set(f64::from(max));
    let (pending, oldest) = {
        let mut conn = ctx.db.conn().await?;
        db::outbox::pending(conn.exec()).await?
    };
    metrics::gauge!("meridian_outbox_pending").set(pending as f64);
    let age = oldest.map_or(0.0, |at| {
        (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
    });
    metrics::gauge!("meridian_outbox_oldest_pending_seconds").set(age);
    Ok(())
}
