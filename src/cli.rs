//! The `meridian` command line: `serve` (the default) and organizer accounts.

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::organizers::Organizer;
use crate::db::{self, Db};
use crate::domain::{ApiTokenId, EmailAddress, PersonName};
use crate::error::AppError;
use crate::security::{random_token, token_hash};
use crate::services::{accounts, api_tokens};

#[derive(Parser)]
#[command(
    name = "meridian",
    version,
    about = "Webinar scheduling and registration for every time zone"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Manage organizer accounts.
    Organizer {
        #[command(subcommand)]
        command: OrganizerCommand,
    },
}

#[derive(Subcommand)]
pub enum OrganizerCommand {
    /// Create an organizer and print their API token (alone on the last line).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Print a new one-time link (valid 24 hours) to set the organizer's password.
    PasswordLink {
        #[arg(long)]
        email: String,
    },
    /// List the organizer's API tokens: id, label, created, last used.
    Tokens {
        #[arg(long)]
        email: String,
    },
    /// Create an API token and print it (alone on the last line; shown once).
    TokenCreate {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke one of the organizer's API tokens (by the id `tokens` lists).
    TokenRevoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        id: String,
    },
}

/// Creates the organizer and returns the lines to print; the token is the last.
pub async fn create_organizer(
    settings: &Settings,
    email: &str,
    name: &str,
) -> anyhow::Result<Vec<String>> {
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = PersonName::parse(name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let db = Db::connect(&settings.database).await?;
    let mut tx = db.begin().await?;
    if db::organizers::find_by_email(tx.exec(), &email)
        .await?
        .is_some()
    {
        anyhow::bail!(
            "an organizer with the email {} exists already",
            email.as_str()
        );
    }
    let organizer = db::organizers::insert(tx.exec(), &email, name.as_str()).await?;
    let token = random_token();
    db::organizers::add_token(
        tx.exec(),
        organizer.id,
        &token_hash(&token),
        "created with the account",
    )
    .await?;
    tx.commit().await.context("saving the organizer")?;
    let link = accounts::password_link(&db, &settings.server.public_url, organizer.id).await?;
    db.close().await;
    Ok(vec![
        format!(
            "Created organizer {} <{}>.",
            organizer.name, organizer.email
        ),
        format!("Set a password for the organizer pages within 24 hours: {link}"),
        "API token (shown once; send it as Authorization: Bearer <token>):".into(),
        token,
    ])
}

/// A new one-time link to set (or reset) an organizer's password.
pub async fn password_link(settings: &Settings, email: &str) -> anyhow::Result<String> {
    let (db, organizer) = organizer(settings, email).await?;
    let link = accounts::password_link(&db, &settings.server.public_url, organizer.id).await?;
    db.close().await;
    Ok(link)
}

/// The organizer's API tokens, one line each: id, label, created, last used.
pub async fn list_tokens(settings: &Settings, email: &str) -> anyhow::Result<Vec<String>> {
    let (db, organizer) = organizer(settings, email).await?;
    let tokens = api_tokens::list(&db, organizer.id).await.map_err(plain)?;
    db.close().await;
    if tokens.is_empty() {
        return Ok(vec![format!("{} has no API tokens.", organizer.email)]);
    }
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut lines = vec!["id\tlabel\tcreated\tlast used".to_string()];
    lines.extend(tokens.into_iter().map(|t| {
        format!(
            "{}\t{}\t{}\t{}",
            t.id,
            t.label,
            when(t.created_at),
            t.last_used_at.map_or_else(|| "never".into(), when)
        )
    }));
    Ok(lines)
}

/// Creates an API token; the token is the last line.
pub async fn create_token(
    settings: &Settings,
    email: &str,
    label: &str,
) -> anyhow::Result<Vec<String>> {
    let (db, organizer) = organizer(settings, email).await?;
    let (id, token) = api_tokens::create(&db, organizer.id, label)
        .await
        .map_err(plain)?;
    db.close().await;
    Ok(vec![
        format!("Created API token {id} for {}.", organizer.email),
        "API token (shown once; send it as Authorization: Bearer <token>):".into(),
        token,
    ])
}

/// Revokes an API token; it stops working at once.
pub async fn revoke_token(settings: &Settings, email: &str, id: &str) -> anyhow::Result<String> {
    let id =
        id.trim().parse().map(ApiTokenId).map_err(|_| {
            anyhow::anyhow!("--id: not a token id (see `meridian organizer tokens`)")
        })?;
    let (db, organizer) = organizer(settings, email).await?;
    api_tokens::revoke(&db, organizer.id, id)
        .await
        .map_err(|e| anyhow::anyhow!("--id: {e}"))?;
    db.close().await;
    Ok(format!("Revoked API token {id} of {}.", organizer.email))
}

/// The database and the organizer with `--email`.
async fn organizer(settings: &Settings, email: &str) -> anyhow::Result<(Db, Organizer)> {
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let db = Db::connect(&settings.database).await?;
    let organizer = {
        let mut conn = db.conn().await?;
        db::organizers::find_by_email(conn.exec(), &email).await?
    }
    .with_context(|| format!("no organizer has the email {}", email.as_str()))?;
    Ok((db, organizer))
}

/// An `AppError` for the command line: its message, with the cause of an internal one.
fn plain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Internal(cause) => cause,
        other => anyhow::anyhow!("{other}"),
    }
}
