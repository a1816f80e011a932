//! The `meridian` command line: `serve` (the default), organizer accounts, and backup
//! and restore of a SQLite database.

use std::path::{Path, PathBuf};

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
    /// Copy the SQLite database (consistent, while the server runs) and the secret key
    /// file into the folder PATH.
    Backup { path: PathBuf },
    /// Put a backup made by `meridian backup` (the folder PATH) in place of the
    /// database and secret key file; refuses while a server runs on that database.
    Restore {
        path: PathBuf,
        /// Replace an existing database (and a different secret key file).
        #[arg(long)]
        force: bool,
    },
    /// Inbound mail (calendar answers, bounces).
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Subcommand)]
pub enum MailCommand {
    /// Process one RFC 822 message from standard input (a mail server's pipe delivery).
    /// Exit status (sysexits): 0 done, 65 unreadable (stored as such), 75 try again later.
    Receive,
}

/// `meridian mail receive`: 0 when processed, 65 (EX_DATAERR) when unreadable, 75
/// (EX_TEMPFAIL) when it could not be stored, so the mail server delivers it again later.
pub async fn receive_mail(settings: Settings, raw: &[u8]) -> u8 {
    let ctx = match mail_context(settings).await {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("meridian: {e:#}");
            return 75;
        }
    };
    let outcome = crate::services::inbound::receive(&ctx, raw).await;
    ctx.db.close().await;
    match outcome {
        Ok(stored) => {
            println!("{}: {}", stored.outcome, stored.reason);
            if stored.outcome == "unreadable" {
                65
            } else {
                0
            }
        }
        Err(e) => {
            eprintln!("meridian: {:#}", plain(e));
            75
        }
    }
}

/// What a use case needs, without the HTTP server; mail queued is sent by the server.
async fn mail_context(settings: Settings) -> anyhow::Result<crate::context::Context> {
    let db = Db::connect(&settings.database).await?;
    let keys = crate::security::Keys::load(&settings.security)?;
    let mailer = crate::email::Mailer::new(&settings.mail)?;
    Ok(crate::context::Context {
        db,
        keys,
        settings: std::sync::Arc::new(settings),
        mailer,
        public: Default::default(),
        registrations: Default::default(),
    })
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
    let (id, token) = api_tokens::create(&db, &organizer, label)
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
    api_tokens::revoke(&db, &organizer, id)
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
        AppError::Internal(cause) | AppError::DatabaseFull(cause) => cause,
        other => anyhow::anyhow!("{other}"),
    }
}

/// The database's name inside a backup folder.
pub const BACKUP_DATABASE: &str = "meridian.db";
/// The secret key file's name inside a backup folder.
pub const BACKUP_SECRET: &str = "secret.key";

/// `meridian backup PATH` on PostgreSQL: what to run instead.
const PG_BACKUP: &str = "meridian backup copies a SQLite database; back up PostgreSQL with \
    pg_dump --format=custom --file=PATH/meridian.dump \"$DATABASE_URL\" and keep \
    security.secret (or the secret key file) with it";
const PG_RESTORE: &str = "meridian restore puts back a SQLite database; restore PostgreSQL \
    with pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" \
    PATH/meridian.dump while no instance runs";

/// Writes a consistent copy of the SQLite database (`VACUUM INTO`, which reads one
/// snapshot while the server goes on writing) and the secret key file into the new or
/// empty folder `to`; returns the lines to print.
pub async fn backup(settings: &Settings, to: &Path) -> anyhow::Result<Vec<String>> {
    let Some(file) = db::sqlite_file(&settings.database)? else {
        anyhow::bail!("{PG_BACKUP}");
    };
    if !file.is_file() {
        anyhow::bail!(
            "there is no database at {} (database.url) to back up",
            file.display()
        );
    }
    crate::security::create_private_dir(to)
        .with_context(|| format!("creating the backup folder {}", to.display()))?;
    let copy = to.join(BACKUP_DATABASE);
    if copy.exists() {
        anyhow::bail!(
            "{} exists already: back up into a new folder",
            copy.display()
        );
    }
    let db = Db::connect(&settings.database).await?;
    let copied = db.backup_sqlite(&copy).await;
    db.close().await;
    copied?;
    crate::security::make_private(&copy)
        .with_context(|| format!("making {} private", copy.display()))?;
    let mut lines = vec![format!(
        "Copied the database {} to {}.",
        file.display(),
        copy.display()
    )];
    if settings.security.secret.0.is_empty() {
        let key = &settings.security.secret_file;
        let key_copy = to.join(BACKUP_SECRET);
        std::fs::copy(key, &key_copy).with_context(|| {
            format!(
                "copying the secret key file {} (security.secret_file)",
                key.display()
            )
        })?;
        crate::security::make_private(&key_copy)
            .with_context(|| format!("making {} private", key_copy.display()))?;
        lines.push(format!(
            "Copied the secret key file {} to {}.",
            key.display(),
            key_copy.display()
        ));
    } else {
        lines.push(
            "The secret is set in security.secret: keep it with the backup (manage and join \
             links are derived from it)."
                .into(),
        );
    }
    Ok(lines)
}

/// Puts the backup in folder `from` in place of the SQLite database `database.url` names
/// (and its secret key file). Refuses while a server runs on that database (it holds the
/// database's lock), and refuses to replace a database or a different key without `force`.
pub async fn restore(settings: &Settings, from: &Path, force: bool) -> anyhow::Result<Vec<String>> {
    let Some(target) = db::sqlite_file(&settings.database)? else {
        anyhow::bail!("{PG_RESTORE}");
    };
    let source = from.join(BACKUP_DATABASE);
    if !source.is_file() {
        anyhow::bail!(
            "{} has no {BACKUP_DATABASE}: give the folder `meridian backup` wrote",
            from.display()
        );
    }
    check_backup(&source).await?;
    let _lock = db::lock_sqlite(&target, true)?.with_context(|| {
        format!(
            "refusing to restore: a Meridian server is running on {} (stop it first)",
            target.display()
        )
    })?;
    let has_data = std::fs::metadata(&target).is_ok_and(|m| m.len() > 0);
    if has_data && !force {
        anyhow::bail!(
            "{} exists: add --force to replace it (what it holds now is lost)",
            target.display()
        );
    }
    let key_source = from.join(BACKUP_SECRET);
    let key_target = &settings.security.secret_file;
    let restore_key = settings.security.secret.0.is_empty() && key_source.is_file();
    if restore_key && !force {
        let differs = std::fs::read(key_target)
            .ok()
            .is_some_and(|now| std::fs::read(&key_source).ok() != Some(now));
        if differs {
            anyhow::bail!(
                "{} holds a different secret key: add --force to replace it",
                key_target.display()
            );
        }
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::security::create_private_dir(dir)
            .with_context(|| format!("creating the database folder {}", dir.display()))?;
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    std::fs::copy(&source, &partial)
        .with_context(|| format!("copying {} to {}", source.display(), partial.display()))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("writing {}", partial.display()))?;
    crate::security::make_private(&partial)
        .with_context(|| format!("making {} private", partial.display()))?;
    // The old database's write-ahead log would be replayed onto the restored file.
    for suffix in ["-wal", "-shm"] {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(PathBuf::from(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", name.display())),
        }
    }
    std::fs::rename(&partial, &target)
        .with_context(|| format!("moving {} to {}", partial.display(), target.display()))?;
    let mut lines = vec![format!(
        "Restored {} to {}.",
        source.display(),
        target.display()
    )];
    if restore_key {
        if let Some(dir) = key_target.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::security::create_private_dir(dir)
                .with_context(|| format!("creating the folder {}", dir.display()))?;
        }
        std::fs::copy(&key_source, key_target).with_context(|| {
            format!(
                "copying {} to {} (security.secret_file)",
                key_source.display(),
                key_target.display()
            )
        })?;
        crate::security::make_private(key_target)
            .with_context(|| format!("making {} private", key_target.display()))?;
        lines.push(format!(
            "Restored the secret key file to {}.",
            key_target.display()
        ));
    } else if !settings.security.secret.0.is_empty() {
        lines.push("security.secret is set: the backup's key file was not used.".into());
    } else {
        lines.push(format!(
            "The backup has no {BACKUP_SECRET}: links sent before need the secret the backed-up \
             server used."
        ));
    }
    Ok(lines)
}

/// The copy is a whole SQLite database (not a truncated or foreign file).
async fn check_backup(file: &Path) -> anyhow::Result<()> {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(false)
        .connect()
        .await
        .with_context(|| format!("opening the backup {}", file.display()))?;
    let verdict: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
    if verdict != "ok" {
        anyhow::bail!("the backup {} is damaged: {verdict}", file.display());
    }
    Ok(())
}
