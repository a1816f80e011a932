//! Delivery status notifications (RFC 3464): `multipart/report;
//! report-type=delivery-status` with a `message/delivery-status` part, and the original
//! message (or its headers) attached, where its Message-ID is found.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bounce {
    /// `5.1.1`; `None` when the report gives none.
    pub status: Option<String>,
    /// A permanent failure (5.x.x, or `Action: failed` without a status).
    pub permanent: bool,
    pub diagnostic: Option<String>,
    pub recipient: Option<String>,
    /// The Message-ID of the message that bounced, when the report quotes it.
    pub original_message_id: Option<String>,
}

/// The report, when this message is one.
pub fn read(message: &Message<'_>) -> Option<Bounce> {
    let is_report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|t| t.to_ascii_lowercase().contains("delivery-status"))
    });
    let status_part = message.parts.iter().find(|p| {
        p.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct
                    .subtype()
                    .is_some_and(|s| s.to_ascii_lowercase().ends_with("delivery-status"))
        })
    });
    if !is_report && status_part.is_none() {
        return None;
    }
    let fields = status_part
        .and_then(super::text_of)
        .map(|t| recipient_fields(&t))
        .unwrap_or_default();
    let status = fields.status.clone();
    // `Action: failed` is the MTA giving up, whatever the code (RFC 3464 2.3.3; old
    // Sendmail reports 4.0.0 after days of retries); `delayed` is still trying.
    let permanent = match (fields.action.as_deref(), status.as_deref()) {
        (Some("failed"), _) => true,
        (Some(_), _) => false,
        (None, Some(s)) => s.starts_with('5'),
        (None, None) => false,
    };
    Some(Bounce {
        status,
        permanent,
        diagnostic: fields.diagnostic,
        recipient: fields.recipient,
        original_message_id: original_message_id(message),
    })
}

/// A bounce in prose, without a report (qmail, Exim, old Gmail): sent by the mail
/// system itself, or naming the recipients that failed.
pub fn looks_like_bounce(message: &Message<'_>) -> bool {
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let local = from.split('@').next().unwrap_or_default();
    matches!(local, "mailer-daemon" | "postmaster")
        || message.header_raw("X-Failed-Recipients").is_some()
}

/// A bounce without a report (some MTAs write only text): the first status code in its
/// text, if any, and the Message-ID of the copy it quotes.
pub fn from_text(message: &Message<'_>) -> Bounce {
    let text = message.body_text(0).unwrap_or_default();
    let status = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|w| is_status(w))
        .map(str::to_string);
    Bounce {
        permanent: status.as_deref().is_none_or(|s| s.starts_with('5')),
        status,
        diagnostic: text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| l.chars().take(500).collect()),
        recipient: message
            .header_raw("X-Failed-Recipients")
            .and_then(|r| r.split(',').next())
            .map(|r| r.trim().to_lowercase()),
        original_message_id: original_message_id(message).or_else(|| quoted_message_id(&text)),
    }
}

/// The Message-ID header of a copy quoted inline in the text.
fn quoted_message_id(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (name, value) = line.trim_start().split_once(':')?;
        name.eq_ignore_ascii_case("message-id")
            .then(|| value.trim().trim_matches(['<', '>']).to_string())
            .filter(|id| id.contains('@'))
    })
}

fn is_status(word: &str) -> bool {
    let mut parts = word.split('.');
    matches!(parts.next(), Some("4" | "5"))
        && parts
            .by_ref()
            .take(2)
            .filter(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .count()
            == 2
        && parts.next().is_none()
}

#[derive(Debug, Default)]
struct Fields {
    action: Option<String>,
    status: Option<String>,
    diagnostic: Option<String>,
    recipient: Option<String>,
}

/// The first failed recipient's fields (else the first recipient's): the blocks after
/// the per-message block, each `Name: value` with continuation lines.
fn recipient_fields(text: &str) -> Fields {
    let mut blocks: Vec<Fields> = Vec::new();
    let mut current = Fields::default();
    let mut last: Option<&'static str> = None;
    let flush = |f: &mut Fields, blocks: &mut Vec<Fields>| {
        if f.action.is_some() || f.status.is_some() || f.recipient.is_some() {
            blocks.push(std::mem::take(f));
        } else {
            *f = Fields::default();
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut current, &mut blocks);
            last = None;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if last == Some("diagnostic")
                && let Some(d) = current.diagnostic.as_mut()
            {
                d.push(' ');
                d.push_str(line.trim());
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        last = None;
        match name.trim().to_ascii_lowercase().as_str() {
            "action" => current.action = Some(value.to_ascii_lowercase()),
            "status" => {
                current.status = value.split_whitespace().next().map(str::to_string);
            }
            "diagnostic-code" => {
                current.diagnostic = Some(strip_type(&value));
                last = Some("diagnostic");
            }
            "final-recipient" => current.recipient = Some(strip_type(&value).to_lowercase()),
            "original-recipient" if current.recipient.is_none() => {
                current.recipient = Some(strip_type(&value).to_lowercase())
            }
            _ => {}
        }
    }
    flush(&mut current, &mut blocks);
    let failed = blocks.iter().position(|b| {
        b.action.as_deref() == Some("failed")
            || b.status.as_deref().is_some_and(|s| s.starts_with('5'))
    });
    match failed {
        Some(i) => blocks.swap_remove(i),
        None => blocks.into_iter().next().unwrap_or_default(),
    }
}

/// `rfc822; someone@example.org` -> `someone@example.org`; `smtp; 550 ...` -> `550 ...`.
fn strip_type(value: &str) -> String {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') => rest.trim().to_string(),
        _ => value.trim().to_string(),
    }
}

/// The Message-ID of the message that bounced: from the attached message or headers.
fn original_message_id(message: &Message<'_>) -> Option<String> {
    message.parts.iter().skip(1).find_map(|p| match &p.body {
        PartType::Message(inner) => inner.message_id().map(str::to_string),
        _ => {
            let ct = p.content_type()?;
            // text/rfc822-headers (RFC 6522), and the message/rfc822-headers some send.
            let headers_part = ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("rfc822-headers"));
            let rfc822 = ct.ctype().eq_ignore_ascii_case("message")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("rfc822"));
            if !(headers_part || rfc822) {
                return None;
            }
            let text = super::text_of(p)?;
            MessageParser::new()
                .parse_headers(text.as_bytes())
                .and_then(|m| m.message_id().map(str::to_string))
        }
    })
}
