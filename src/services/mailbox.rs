//! The IMAP mailbox Meridian polls (`mail.inbound.imap_url`): each message in the folder
//! goes through `inbound::receive`, the processor the webhook and `meridian mail
//! receive` use, then moves to `done_folder` (or `failed_folder` when unreadable). A
//! message that could not be stored stays where it is and is tried at the next poll.
//! Between polls it waits in IDLE where the server offers it.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::config::ImapSettings;
use crate::context::Context;
use crate::services::inbound;

/// What one poll did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Polled {
    /// Processed and moved to the done folder.
    pub done: usize,
    /// Unreadable, moved to the failed folder.
    pub failed: usize,
    /// Not stored (the database failed): left in place for the next poll.
    pub left: usize,
}

/// What the IMAP client runs over: TLS, or plain TCP to this machine.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}

type Connection = Session<Box<dyn Io>>;

/// Watches the mailbox until `stop` turns true: processes what is there, then waits in
/// IDLE (RFC 2177) where the server offers it, so a message is taken as it arrives, at
/// most `poll_interval_secs` apart; else polls every `poll_interval_secs`.
pub async fn run(ctx: Context, mut stop: watch::Receiver<bool>) {
    let Some(imap) = ctx.settings.mail.inbound.imap.clone() else {
        return;
    };
    let interval = Duration::from_secs(imap.poll_interval_secs);
    loop {
        if let Err(e) = watch_once(&ctx, &imap, &mut stop).await {
            tracing::warn!(error = format!("{e:#}"), mailbox = ?imap, "watching the inbound mailbox failed");
        }
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
    }
}

/// One connection: process, then IDLE and process again, until the server lacks IDLE,
/// the connection fails, or `stop`.
async fn watch_once(
    ctx: &Context,
    imap: &ImapSettings,
    stop: &mut watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let mut session = connect(imap).await?;
    let interval = Duration::from_secs(imap.poll_interval_secs);
    loop {
        let polled = messages(ctx, imap, &mut session).await?;
        if polled != Polled::default() {
            tracing::info!(?polled, "inbound mail processed");
        }
        let idle = session.capabilities().await?.has_str("IDLE");
        if !idle || *stop.borrow() {
            let _ = session.logout().await;
            return Ok(());
        }
        let mut handle = session.idle();
        handle.init().await.context("starting IDLE")?;
        let stopped = {
            let (wait, _interrupt) = handle.wait_with_timeout(interval);
            tokio::select! {
                answer = wait => { answer.context("waiting in IDLE")?; false }
                _ = stop.changed() => true,
            }
        };
        session = handle.done().await.context("ending IDLE")?;
        if stopped {
            let _ = session.logout().await;
            return Ok(());
        }
    }
}

/// One poll: every message in the folder, processed and moved.
#[tracing::instrument(skip_all)]
pub async fn poll(ctx: &Context) -> anyhow::Result<Polled> {
    let Some(imap) = ctx.settings.mail.inbound.imap.as_ref() else {
        bail!("mail.inbound.imap_url is not set");
    };
    let mut session = connect(imap).await?;
    let polled = messages(ctx, imap, &mut session).await;
    let _ = session.logout().await;
    polled
}

/// Connected (TLS, or STARTTLS; plain only to this machine) and signed in.
async fn connect(imap: &ImapSettings) -> anyhow::Result<Connection> {
    let tcp = TcpStream::connect((imap.host.as_str(), imap.port))
        .await
        .with_context(|| format!("connecting to {}:{}", imap.host, imap.port))?;
    let stream: Box<dyn Io> = if imap.tls {
        let mut client = Client::new(tls(imap, tcp).await?);
        greeting(&mut client).await?;
        Box::new(client.into_inner())
    } else {
        let mut client = Client::new(tcp);
        greeting(&mut client).await?;
        match client.run_command_and_check_ok("STARTTLS", None).await {
            Ok(()) => Box::new(tls(imap, client.into_inner()).await?),
            // Credentials cross no network in plain text: only to this machine.
            Err(_) if is_loopback(&imap.host) => Box::new(client.into_inner()),
            Err(e) => {
                return Err(e).context(
                    "the IMAP server refused STARTTLS (use imaps:// or a server with TLS)",
                );
            }
        }
    };
    Client::new(stream)
        .login(&imap.user, &imap.password)
        .await
        .map_err(|(e, _)| e)
        .context("signing in to the IMAP server")
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn greeting<T: Io>(client: &mut Client<T>) -> anyhow::Result<()> {
    client
        .read_response()
        .await
        .context("reading the IMAP greeting")?
        .context("the IMAP server closed the connection")?;
    Ok(())
}

async fn tls(
    imap: &ImapSettings,
    tcp: TcpStream,
) -> anyhow::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let roots = tokio_rustls::rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS versions")?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(imap.host.clone())
        .context("the IMAP host is not a valid TLS server name")?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .with_context(|| format!("TLS with {}", imap.host))
}

async fn messages(
    ctx: &Context,
    imap: &ImapSettings,
    session: &mut Connection,
) -> anyhow::Result<Polled> {
    session
        .select(&imap.folder)
        .await
        .with_context(|| format!("opening the folder {:?}", imap.folder))?;
    let mut uids: Vec<u32> = session
        .uid_search("UNDELETED")
        .await
        .context("listing the messages")?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut polled = Polled::default();
    for folder in [&imap.done_folder, &imap.failed_folder] {
        // Made once; "already exists" is the usual answer.
        let _ = session.create(folder).await;
    }
    for uid in uids {
        let raw = {
            let fetched: Vec<_> = session
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await
                .context("fetching a message")?
                .try_collect()
                .await
                .context("fetching a message")?;
            fetched
                .iter()
                .find_map(|f| f.body().map(<[u8]>::to_vec))
                .unwrap_or_default()
        };
        let to = match inbound::receive(ctx, &raw).await {
            Ok(stored) if stored.outcome == "unreadable" => {
                polled.failed += 1;
                &imap.failed_folder
            }
            Ok(_) => {
                polled.done += 1;
                &imap.done_folder
            }
            Err(e) => {
                tracing::warn!(uid, error = %e, "an inbound message was not stored; tried again later");
                polled.left += 1;
                continue;
            }
        };
        move_message(session, uid, to).await?;
    }
    Ok(polled)
}

/// MOVE (RFC 6851), or where the server lacks it, COPY then delete.
async fn move_message(session: &mut Connection, uid: u32, folder: &str) -> anyhow::Result<()> {
    let set = uid.to_string();
    if session.uid_mv(&set, folder).await.is_ok() {
        return Ok(());
    }
    session
        .uid_copy(&set, folder)
        .await
        .with_context(|| format!("copying a message to {folder:?}"))?;
    let _: Vec<_> = session
        .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
        .await?
        .try_collect()
        .await?;
    let _: Vec<_> = session.expunge().await?.try_collect().await?;
    Ok(())
}
