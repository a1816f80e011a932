//! Settings: `config/default.toml` (built in), then `config/local.toml` if present, then
//! `MERIDIAN__SECTION__KEY` environment variables. Every value is checked here, once.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Clone, Debug)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub security: SecuritySettings,
    pub mail: MailSettings,
    pub log: LogSettings,
    pub metrics: MetricsSettings,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct LogSettings {
    pub format: LogFormat,
}

#[derive(Clone, Debug)]
pub struct MetricsSettings {
    /// Where `/metrics` is served, on a listener of its own; `None` is off.
    pub bind: Option<SocketAddr>,
}

#[derive(Clone, Debug)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    /// Without a trailing slash.
    pub public_url: String,
    /// Peers whose `X-Forwarded-For` names the client (reverse proxies).
    pub trusted_proxies: Vec<IpAddr>,
    /// Open connections at most; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers.
    pub header_timeout_secs: u64,
    /// Seconds a connection may stay open with nothing read or written.
    pub idle_timeout_secs: u64,
}

#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub sqlite_synchronous: SqliteSync,
    /// SQLite only: the most pages the database file may have (`PRAGMA max_page_count`);
    /// `None` for SQLite's own limit. A cap below the disk's size, or the fault drill's
    /// way of filling the "disk" without filling the machine's.
    pub sqlite_max_page_count: Option<u64>,
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
    /// Writes per minute and client address on public endpoints and sign-in; 0 is off.
    pub rate_limit_per_minute: u32,
    /// Failed sign-ins per account, and per client address, before a lockout; 0 is off.
    pub sign_in_failures_per_account: u32,
    pub sign_in_failures_per_address: u32,
    /// The first lockout, in seconds; each further failure doubles it.
    pub sign_in_lockout_secs: u64,
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
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field(
                "sign_in_failures_per_account",
                &self.sign_in_failures_per_account,
            )
            .field(
                "sign_in_failures_per_address",
                &self.sign_in_failures_per_address,
            )
            .field("sign_in_lockout_secs", &self.sign_in_lockout_secs)
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
    pub from: lettre::message::Mailbox,
    pub worker: bool,
    pub poll_interval_ms: u64,
    pub retry_base_ms: u64,
    pub max_attempts: u32,
    /// How long one SMTP send may take before it counts as a transient failure.
    pub send_timeout_secs: u64,
    /// How long a claimed message is reserved for the worker that claimed it; a message
    /// whose sending was never confirmed (the process died) is claimed again after it.
    pub lease_secs: u64,
    /// `/readyz` fails when the worker has not finished a round for longer than this.
    pub worker_max_idle_ms: u64,
    /// Minutes before a session, largest first.
    pub reminder_minutes: Vec<u32>,
    /// `bounces@example.org`: each message goes out with the envelope sender
    /// `bounces+<outbox id>@example.org` (VERP), so a bounce names its message.
    pub bounce_address: Option<lettre::Address>,
    pub inbound: InboundSettings,
}

/// Mail that comes back: calendar answers and bounces.
#[derive(Clone, Debug)]
pub struct InboundSettings {
    /// The bearer secret of `POST /api/v1/inbound-mail`; `None` turns the route off.
    pub secret: Option<Secret>,
    /// Larger messages are stored as unreadable.
    pub max_bytes: usize,
    /// The mailbox Meridian polls; `None`: no polling.
    pub imap: Option<ImapSettings>,
    /// The deployment's own mail server (its authserv-id): when set, an answer counts as
    /// the attendee's only if that server's `Authentication-Results` say `dmarc=pass`.
    pub authserv_id: Option<String>,
}

#[derive(Clone)]
pub struct ImapSettings {
    /// `imaps://` (TLS from the start), else `imap://` with STARTTLS (plain text only on
    /// a loopback address whose server offers no TLS).
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    /// The folder read (`INBOX` by default).
    pub folder: String,
    /// Where processed messages are moved.
    pub done_folder: String,
    /// Where unreadable messages are moved (failures to store stay and are retried).
    pub failed_folder: String,
    pub poll_interval_secs: u64,
}

/// Never prints the password.
impl std::fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}:***@{}:{}/{}",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.host,
            self.port,
            self.folder
        )
    }
}

impl ImapSettings {
    /// `imaps://user:password@host:993/INBOX` or `imap://...` (port 143 by default);
    /// user and password percent-encoded.
    pub fn parse(url: &str) -> Option<(bool, String, u16, String, String, String)> {
        let (tls, rest) = if let Some(r) = url.strip_prefix("imaps://") {
            (true, r)
        } else {
            (false, url.strip_prefix("imap://")?)
        };
        let (authority, folder) = rest.split_once('/').unwrap_or((rest, ""));
        let (credentials, host_port) = authority.rsplit_once('@')?;
        let (user, password) = credentials.split_once(':')?;
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (host_port, if tls { 993 } else { 143 }),
        };
        let folder = decode(folder)?;
        Some((
            tls,
            host.trim_matches(['[', ']']).to_string(),
            port,
            decode(user)?,
            decode(password)?,
            if folder.is_empty() {
                "INBOX".into()
            } else {
                folder
            },
        ))
        .filter(|(_, host, _, user, _, _)| !host.is_empty() && !user.is_empty())
    }
}

/// The settings as written, before validation.
#[derive(Deserialize)]
struct Raw {
    server: RawServer,
    database: RawDatabase,
    security: RawSecurity,
    mail: RawMail,
    log: RawLog,
    metrics: RawMetrics,
}

#[derive(Deserialize)]
struct RawLog {
    format: String,
}

#[derive(Deserialize)]
struct RawMetrics {
    bind: String,
}

#[derive(Deserialize)]
struct RawServer {
    bind: String,
    public_url: String,
    trusted_proxies: String,
    max_connections: String,
    header_timeout_secs: String,
    idle_timeout_secs: String,
}

#[derive(Deserialize)]
struct RawDatabase {
    url: String,
    max_connections: String,
    sqlite_synchronous: String,
    sqlite_max_page_count: String,
}

#[derive(Deserialize)]
struct RawSecurity {
    secret: String,
    secret_file: String,
    rate_limit_per_minute: String,
    sign_in_failures_per_account: String,
    sign_in_failures_per_address: String,
    sign_in_lockout_secs: String,
}

#[derive(Deserialize)]
struct RawMail {
    transport: String,
    outbox_dir: String,
    smtp_url: String,
    from: String,
    worker: String,
    poll_interval_ms: String,
    retry_base_ms: String,
    max_attempts: String,
    send_timeout_secs: String,
    lease_secs: String,
    worker_max_idle_ms: String,
    reminder_minutes: String,
    bounce_address: String,
    inbound: RawInbound,
}

#[derive(Deserialize)]
struct RawInbound {
    secret: String,
    max_bytes: String,
    imap_url: String,
    done_folder: String,
    failed_folder: String,
    poll_interval_secs: String,
    authserv_id: String,
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

    /// The host of `server.public_url`, for calendar UIDs and Message-IDs.
    pub fn public_host(&self) -> &str {
        let rest = self
            .server
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or_default();
        rest.split(['/', ':'])
            .next()
            .filter(|h| !h.is_empty())
            .unwrap_or("meridian")
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

/// A URL fit for an error message: a password in it is replaced by `***`.
fn redact_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // Not a URL at all: a password may still sit before an "@".
        return match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_string(),
        };
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..])
        }
        None => url.to_string(),
    }
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
        let trusted_proxies = self
            .server
            .trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<IpAddr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                invalid(
                    "server.trusted_proxies",
                    &self.server.trusted_proxies,
                    "IP addresses, comma-separated, such as \"127.0.0.1,::1\"",
                )
            })?;
        let server = ServerSettings {
            bind,
            public_url,
            trusted_proxies,
            max_connections: number(
                "server.max_connections",
                &self.server.max_connections,
                1,
                1_000_000,
            )? as usize,
            header_timeout_secs: number(
                "server.header_timeout_secs",
                &self.server.header_timeout_secs,
                1,
                3600,
            )?,
            idle_timeout_secs: number(
                "server.idle_timeout_secs",
                &self.server.idle_timeout_secs,
                1,
                86_400,
            )?,
        };
        Ok(Settings {
            server,
            database: self.database.validate()?,
            security: self.security.validate()?,
            mail: self.mail.validate()?,
            log: self.log.validate()?,
            metrics: self.metrics.validate()?,
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
        let max_connections =
            number("database.max_connections", &self.max_connections, 1, 1000)? as u32;
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
        let sqlite_max_page_count = match number(
            "database.sqlite_max_page_count",
            &self.sqlite_max_page_count,
            0,
            4_294_967_294,
        )? {
            0 => None,
            pages => Some(pages),
        };
        Ok(DatabaseSettings {
            url,
            max_connections,
            sqlite_synchronous,
            sqlite_max_page_count,
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
            rate_limit_per_minute: number(
                "security.rate_limit_per_minute",
                &self.rate_limit_per_minute,
                0,
                1_000_000,
            )? as u32,
            sign_in_failures_per_account: number(
                "security.sign_in_failures_per_account",
                &self.sign_in_failures_per_account,
                0,
                1000,
            )? as u32,
            sign_in_failures_per_address: number(
                "security.sign_in_failures_per_address",
                &self.sign_in_failures_per_address,
                0,
                100_000,
            )? as u32,
            sign_in_lockout_secs: number(
                "security.sign_in_lockout_secs",
                &self.sign_in_lockout_secs,
                1,
                86_400,
            )?,
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
                &redact_credentials(&self.smtp_url),
                "smtp://host:port or smtps://host:port",
            ));
        }
        if self.outbox_dir.trim().is_empty() {
            return Err(invalid("mail.outbox_dir", "", "a folder path"));
        }
        let from = parse_from(&self.from)?;
        let worker = match self.worker.to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(invalid("mail.worker", &self.worker, "true or false")),
        };
        let mut reminder_minutes = self
            .reminder_minutes
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| m.parse::<u32>().ok().filter(|m| (1..=43_200).contains(m)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                invalid(
                    "mail.reminder_minutes",
                    &self.reminder_minutes,
                    "minutes before the session, comma-separated, such as \"1440,60\"",
                )
            })?;
        reminder_minutes.sort_unstable_by(|a, b| b.cmp(a));
        reminder_minutes.dedup();
        let send_timeout_secs = number("mail.send_timeout_secs", &self.send_timeout_secs, 1, 600)?;
        // The worker's lanes share the SMTP slots, so a message may wait for rounds of
        // stalled sends; it is sent only while its lease has a send timeout left, so the
        // lease must leave room for a few rounds, or the message is put off every time.
        let lease_secs = number("mail.lease_secs", &self.lease_secs, 1, 86_400)?;
        if lease_secs < 5 * send_timeout_secs {
            return Err(invalid(
                "mail.lease_secs",
                &self.lease_secs,
                &format!(
                    "at least 5 x mail.send_timeout_secs ({}), or a slow send could go out twice",
                    5 * send_timeout_secs
                ),
            ));
        }
        Ok(MailSettings {
            transport,
            outbox_dir: PathBuf::from(self.outbox_dir),
            smtp_url: self.smtp_url,
            from,
            worker,
            poll_interval_ms: number(
                "mail.poll_interval_ms",
                &self.poll_interval_ms,
                10,
                3_600_000,
            )?,
            retry_base_ms: number("mail.retry_base_ms", &self.retry_base_ms, 1, 3_600_000)?,
            max_attempts: number("mail.max_attempts", &self.max_attempts, 1, 100)? as u32,
            send_timeout_secs,
            lease_secs,
            worker_max_idle_ms: number(
                "mail.worker_max_idle_ms",
                &self.worker_max_idle_ms,
                10,
                86_400_000,
            )?,
            reminder_minutes,
            bounce_address: match self.bounce_address.trim() {
                "" => None,
                a => Some(a.parse().map_err(|_| {
                    invalid(
                        "mail.bounce_address",
                        a,
                        "an address such as bounces@example.org, or empty",
                    )
                })?),
            },
            inbound: InboundSettings {
                secret: match self.inbound.secret.trim() {
                    "" => None,
                    s if s.len() < 16 => {
                        return Err(invalid(
                            "mail.inbound.secret",
                            "***",
                            "at least 16 characters, or empty to turn POST /api/v1/inbound-mail off",
                        ));
                    }
                    s => Some(Secret(s.to_string())),
                },
                max_bytes: number(
                    "mail.inbound.max_bytes",
                    &self.inbound.max_bytes,
                    1024,
                    1 << 30,
                )? as usize,
                imap: self.inbound.imap()?,
                authserv_id: Some(self.inbound.authserv_id.trim().to_string())
                    .filter(|id| !id.is_empty()),
            },
        })
    }
}

impl RawInbound {
    fn imap(&self) -> anyhow::Result<Option<ImapSettings>> {
        let url = self.imap_url.trim();
        if url.is_empty() {
            return Ok(None);
        }
        let (tls, host, port, user, password, folder) =
            ImapSettings::parse(url).ok_or_else(|| {
                invalid(
                    "mail.inbound.imap_url",
                    &redact_credentials(url),
                    "imaps://user:password@host:993/INBOX or imap://user:password@host:143/INBOX",
                )
            })?;
        for (key, value) in [
            ("mail.inbound.done_folder", &self.done_folder),
            ("mail.inbound.failed_folder", &self.failed_folder),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(key, value, "a folder name such as Meridian-Done"));
            }
        }
        Ok(Some(ImapSettings {
            tls,
            host,
            port,
            user,
            password,
            folder,
            done_folder: self.done_folder.trim().to_string(),
            failed_folder: self.failed_folder.trim().to_string(),
            poll_interval_secs: number(
                "mail.inbound.poll_interval_secs",
                &self.poll_interval_secs,
                1,
                86_400,
            )?,
        }))
    }
}

impl RawLog {
    fn validate(self) -> anyhow::Result<LogSettings> {
        let format = match self.format.to_ascii_lowercase().as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(invalid("log.format", &self.format, "\"text\" or \"json\"")),
        };
        Ok(LogSettings { format })
    }
}

impl RawMetrics {
    fn validate(self) -> anyhow::Result<MetricsSettings> {
        let bind = self.bind.trim();
        if bind.is_empty() {
            return Ok(MetricsSettings { bind: None });
        }
        let bind = bind.parse().map_err(|_| {
            invalid(
                "metrics.bind",
                &self.bind,
                "host:port such as 127.0.0.1:9464, or empty for no metrics",
            )
        })?;
        Ok(MetricsSettings { bind: Some(bind) })
    }
}

fn number(key: &str, value: &str, min: u64, max: u64) -> anyhow::Result<u64> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| invalid(key, value, &format!("a whole number from {min} to {max}")))
}

/// `mail.from` is `address` or `Name <address>`.
fn parse_from(from: &str) -> anyhow::Result<lettre::message::Mailbox> {
    from.parse().map_err(|_| {
        invalid(
            "mail.from",
            from,
            "an address such as Meridian <meridian@example.org>",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_urls_name_server_account_and_folder() {
        let (tls, host, port, user, password, folder) =
            ImapSettings::parse("imaps://webinars%40example.org:p%40ss@imap.example.org/Replies")
                .unwrap();
        assert_eq!(
            (
                tls,
                host.as_str(),
                port,
                user.as_str(),
                password.as_str(),
                folder.as_str()
            ),
            (
                true,
                "imap.example.org",
                993,
                "webinars@example.org",
                "p@ss",
                "Replies"
            )
        );
        let (tls, _, port, _, _, folder) =
            ImapSettings::parse("imap://u:p@127.0.0.1:1143").unwrap();
        assert_eq!((tls, port, folder.as_str()), (false, 1143, "INBOX"));
        for bad in [
            "http://u:p@h/INBOX",
            "imaps://h/INBOX",
            "imap://u:p@:993/INBOX",
        ] {
            assert!(ImapSettings::parse(bad).is_none(), "{bad}");
        }
        let mut raw: Raw = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize())
            .unwrap();
        raw.mail.inbound.imap_url = "imaps://user:s3cret@/INBOX".into();
        let e = raw.validate().unwrap_err().to_string();
        assert!(
            e.contains("mail.inbound.imap_url") && !e.contains("s3cret"),
            "{e}"
        );
    }

    #[test]
    fn smtp_passwords_stay_out_of_error_messages() {
        assert_eq!(
            redact_credentials("smpt://mailer:s3cret@mail.example.org:587/x"),
            "smpt://mailer:***@mail.example.org:587/x"
        );
        assert_eq!(
            redact_credentials("mailer:s3cret@mail.example.org"),
            "***@mail.example.org"
        );
        assert_eq!(
            redact_credentials("smtp://mail.example.org"),
            "smtp://mail.example.org"
        );
        let e = invalid(
            "mail.smtp_url",
            &redact_credentials("http://u:s3cret@h"),
            "smtp://",
        );
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
