//! Where emails go: `.eml` files in `mail.outbox_dir` (the default) or an SMTP server.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Semaphore;

use crate::config::{MailSettings, MailTransport};

/// SMTP connections kept open and messages in flight at once. lettre's pool size only
/// bounds idle connections, so the semaphore keeps a burst from opening one per message.
pub const SMTP_CONNECTIONS: usize = 64;

pub enum Transport {
    /// One `{uuid}.eml` per message in this folder, readable by this user only: the
    /// messages carry live manage links. Written one at a time: files created side by
    /// side in one folder only wait for each other's lock on it.
    File(PathBuf, Semaphore),
    /// The pooled transport, the slots, and how long one send may take
    /// (`mail.send_timeout_secs`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>, Semaphore, Duration),
}

/// Why a delivery failed, and whether trying again can help.
#[derive(Debug)]
pub enum SendError {
    /// Try again later: 4xx answers, refused or dropped connections, timeouts, disk errors.
    Transient(String),
    /// Never going to work (5xx): the message is marked failed with the server's words.
    Permanent(String),
}

impl Transport {
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Transport> {
        match settings.transport {
            MailTransport::File => {
                crate::security::create_private_dir(&settings.outbox_dir).with_context(|| {
                    format!(
                        "creating the mail folder {} (mail.outbox_dir)",
                        settings.outbox_dir.display()
                    )
                })?;
                Ok(Transport::File(
                    settings.outbox_dir.clone(),
                    Semaphore::new(1),
                ))
            }
            MailTransport::Smtp => {
                let send_timeout = Duration::from_secs(settings.send_timeout_secs);
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
                    .context("mail.smtp_url is not a usable SMTP URL")?
                    .timeout(Some(send_timeout.min(Duration::from_secs(30))))
                    .pool_config(PoolConfig::new().max_size(SMTP_CONNECTIONS as u32))
                    .build();
                Ok(Transport::Smtp(
                    transport,
                    Semaphore::new(SMTP_CONNECTIONS),
                    send_timeout,
                ))
            }
        }
    }

    /// Sends `message`; `envelope_sender` (VERP) replaces the From address as the SMTP
    /// envelope sender, where bounces go. Over SMTP, a message whose turn for a connection
    /// comes after `start_by` is not sent (a transient failure): its claim could run out
    /// while it is being sent, and another claim send it a second time.
    pub async fn send(
        &self,
        message: Message,
        envelope_sender: Option<lettre::Address>,
        start_by: std::time::Instant,
    ) -> Result<(), SendError> {
        match self {
            Transport::File(dir, writing) => {
                let _turn = writing
                    .acquire()
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                let path = dir.join(format!("{}.eml", uuid::Uuid::new_v4()));
                // Encoding and writing in one hop to a blocking thread.
                tokio::task::spawn_blocking(move || {
                    crate::security::write_private_file(&path, &message.formatted())
                })
                .await
                .map_err(std::io::Error::other)
                .and_then(|written| written)
                .map_err(|e| SendError::Transient(format!("writing the .eml file: {e}")))
            }
            Transport::Smtp(smtp, slots, send_timeout) => {
                let _slot = slots
                    .acquire()
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                if std::time::Instant::now() > start_by {
                    return Err(SendError::Transient(
                        "no SMTP connection was free before the message's claim would run out \
                         while sending (the server was slow); tried again later"
                            .into(),
                    ));
                }
                // lettre's timeout bounds only the connect: a server that stops answering
                // mid-message must not hold the worker forever.
                let sending = async {
                    match envelope_sender {
                        None => smtp.send(message).await,
                        Some(sender) => {
                            let envelope = lettre::address::Envelope::new(
                                Some(sender),
                                message.envelope().to().to_vec(),
                            )
                            .map_err(|e| SendError::Permanent(e.to_string()));
                            match envelope {
                                Ok(envelope) => {
                                    smtp.send_raw(&envelope, &message.formatted()).await
                                }
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    .map_err(|e| {
                        if e.is_permanent() {
                            SendError::Permanent(error_text(&e))
                        } else {
                            // 4xx answers, and refused or broken connections, which lettre
                            // calls neither.
                            SendError::Transient(error_text(&e))
                        }
                    })
                };
                match tokio::time::timeout(*send_timeout, sending).await {
                    Err(_) => Err(SendError::Transient(format!(
                        "the SMTP server did not answer within {} seconds",
                        send_timeout.as_secs()
                    ))),
                    Ok(result) => result.map(|_| ()),
                }
            }
        }
    }
}

/// The error with its causes, as the organizer will read it in the outbox.
fn error_text(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
