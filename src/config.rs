//! Settings: `config/default.toml` (built in), then `config/local.toml` if present, then
//! `MERIDIAN__SECTION__KEY` environment variables. Every value is checked here, once.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Clone, Debug)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub security: SecuritySettings,
    pub mail: MailSettings,
}

#[derive(Clone, Debug)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    /// Without a trailing slash.
    pub public_url: String,
}

#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub sqlite_synchronous: SqliteSync,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqliteSync {
    Full,
    Normal,
}

#[derive(Clone)]
pub struct SecuritySettings {
    pub secret: Secret,
    pub secret_file: PathBuf,
}

/// Never printed: `Debug` shows only whether it is set.
#[derive(Clone, Default)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "<unset>"
        } else {
            "<redacted>"
        })
    }
}

impl std::fmt::Debug for SecuritySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecuritySettings")
            .field("secret", &self.secret)
            .field("secret_file", &self.secret_file)
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTransport {
    File,
    Smtp,
}

#[derive(Clone, Debug)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub outbox_dir: PathBuf,
    pub smtp_url: String,
    pub from: String,
}

/// The settings as written, before validation.
#[derive(Deserialize)]
struct Raw {
    server: RawServer,
    database: RawDatabase,
    security: RawSecurity,
    mail: RawMail,
}

#[derive(Deserialize)]
struct RawServer {
    bind: String,
    public_url: String,
}

#[derive(Deserialize)]
struct RawDatabase {
    url: String,
    max_connections: String,
    sqlite_synchronous: String,
}

#[derive(Deserialize)]
struct RawSecurity {
    secret: String,
    secret_file: String,
}

#[derive(Deserialize)]
struct RawMail {
    transport: String,
    outbox_dir: String,
    smtp_url: String,
    from: String,
}

impl Settings {
    /// Loads the layered settings from the working directory and the environment.
    pub fn load() -> anyhow::Result<Settings> {
        let raw: Raw = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::with_name("config/local").required(false))
            .add_source(
                config::Environment::with_prefix("MERIDIAN")
                    .prefix_separator("__")
                    .separator("__"),
            )
            .build()
            .context("reading settings")?
            .try_deserialize()
            .context("reading settings")?;
        raw.validate()
    }

    /// The built-in defaults alone, for tests that then adjust fields.
    pub fn defaults() -> Settings {
        let raw: Raw = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize())
            .expect("config/default.toml is valid");
        raw.validate().expect("config/default.toml is valid")
    }

    pub fn is_postgres(&self) -> bool {
        self.database.url.starts_with("postgres")
    }
}

fn invalid(key: &str, value: &str, expected: &str) -> anyhow::Error {
    let env = format!("MERIDIAN__{}", key.replace('.', "__").to_uppercase());
    anyhow::anyhow!(
        "invalid setting {key} = {value:?}: expected {expected} (set it in config/local.toml or {env})"
    )
}

impl Raw {
    fn validate(self) -> anyhow::Result<Settings> {
        let bind = self.server.bind.parse().map_err(|_| {
            invalid(
                "server.bind",
                &self.server.bind,
                "host:port such as 127.0.0.1:8080",
            )
        })?;
        let public_url = self.server.public_url.trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://"))
            || public_url.len() <= "https://".len()
        {
            return Err(invalid(
                "server.public_url",
                &self.server.public_url,
                "an http:// or https:// URL",
            ));
        }
        Ok(Settings {
            server: ServerSettings { bind, public_url },
            database: self.database.validate()?,
            security: self.security.validate()?,
            mail: self.mail.validate()?,
        })
    }
}

impl RawDatabase {
    fn validate(self) -> anyhow::Result<DatabaseSettings> {
        let url = self.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database.url",
                &url,
                "sqlite://path/to/file.db or postgres://user@host:port/database",
            ));
        }
        let max_connections = match self.max_connections.parse::<u32>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => {
                return Err(invalid(
                    "database.max_connections",
                    &self.max_connections,
                    "a whole number from 1 to 1000",
                ));
            }
        };
        let sqlite_synchronous = match self.sqlite_synchronous.to_ascii_lowercase().as_str() {
            "full" => SqliteSync::Full,
            "normal" => SqliteSync::Normal,
            _ => {
                return Err(invalid(
                    "database.sqlite_synchronous",
                    &self.sqlite_synchronous,
                    "\"full\" or \"normal\"",
                ));
            }
        };
        Ok(DatabaseSettings {
            url,
            max_connections,
            sqlite_synchronous,
        })
    }
}

impl RawSecurity {
    fn validate(self) -> anyhow::Result<SecuritySettings> {
        if !self.secret.is_empty() && self.secret.len() < 32 {
            return Err(invalid(
                "security.secret",
                "<redacted>",
                "at least 32 characters, or empty to use security.secret_file",
            ));
        }
        if self.secret_file.trim().is_empty() {
            return Err(invalid("security.secret_file", "", "a file path"));
        }
        Ok(SecuritySettings {
            secret: Secret(self.secret),
            secret_file: PathBuf::from(self.secret_file),
        })
    }
}

impl RawMail {
    fn validate(self) -> anyhow::Result<MailSettings> {
        let transport = match self.transport.to_ascii_lowercase().as_str() {
            "file" => MailTransport::File,
            "smtp" => MailTransport::Smtp,
            _ => {
                return Err(invalid(
                    "mail.transport",
                    &self.transport,
                    "\"file\" or \"smtp\"",
                ));
            }
        };
        if !(self.smtp_url.starts_with("smtp://") || self.smtp_url.starts_with("smtps://")) {
            return Err(invalid(
                "mail.smtp_url",
                &self.smtp_url,
                "smtp://host:port or smtps://host:port",
            ));
        }
        if self.outbox_dir.trim().is_empty() {
            return Err(invalid("mail.outbox_dir", "", "a folder path"));
        }
        check_from(&self.from)?;
        Ok(MailSettings {
            transport,
            outbox_dir: PathBuf::from(self.outbox_dir),
            smtp_url: self.smtp_url,
            from: self.from,
        })
    }
}

/// `mail.from` is either `address` or `Name <address>`.
fn check_from(from: &str) -> anyhow::Result<()> {
    let address = match (from.rfind('<'), from.ends_with('>')) {
        (Some(open), true) => &from[open + 1..from.len() - 1],
        (None, false) => from,
        _ => "",
    };
    if crate::domain::EmailAddress::parse(address).is_err() && !address.ends_with("@localhost") {
        bail!(invalid(
            "mail.from",
            from,
            "an address such as Meridian <meridian@example.org>"
        ));
    }
    Ok(())
}
