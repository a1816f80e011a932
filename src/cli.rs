//! The `meridian` command line: `serve` (the default) and organizer accounts.

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{self, Db};
use crate::domain::{EmailAddress, PersonName};
use crate::security::{random_token, token_hash};
use crate::services::accounts;

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
    db::organizers::add_token(tx.exec(), organizer.id, &token_hash(&token)).await?;
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
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let db = Db::connect(&settings.database).await?;
    let organizer = {
        let mut conn = db.conn().await?;
        db::organizers::find_by_email(conn.exec(), &email).await?
    }
    .with_context(|| format!("no organizer has the email {}", email.as_str()))?;
    let link = accounts::password_link(&db, &settings.server.public_url, organizer.id).await?;
    db.close().await;
    Ok(link)
}
