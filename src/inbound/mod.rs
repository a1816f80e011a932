//! Mail that comes back, read from the raw message with no I/O: calendar answers (iTIP
//! REPLY and COUNTER carried by email, RFC 5546/6047, in `itip.rs`), delivery status
//! notifications (RFC 3464, in `dsn.rs`) and auto-replies. What to do with them is
//! `services::inbound`'s job.

pub mod dsn;
pub mod itip;

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};

/// What a message may be before it is refused as unreadable.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_bytes: usize,
    /// Multipart and attached messages nested deeper than this are refused.
    pub max_depth: usize,
    /// `mail.bounce_address`: mail to its VERP form is a bounce even without a report.
    pub bounce_address: Option<String>,
    /// `mail.inbound.authserv_id`: the deployment's own mail server, whose
    /// `Authentication-Results` (RFC 8601) are believed.
    pub authserv_id: Option<String>,
}

/// Who a message says it is from and to, for matching and for the organizer's list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Envelope {
    pub message_id: Option<String>,
    /// The address in `From`, lower-cased.
    pub from: Option<String>,
    /// The address in `Sender`, lower-cased.
    pub sender: Option<String>,
    /// Every address the message was delivered to (`To`, `Delivered-To`,
    /// `X-Original-To`, `Envelope-To`), lower-cased.
    pub to: Vec<String>,
    pub subject: Option<String>,
    /// The DMARC result (`pass`, `fail`, ...) the trusted server stamped, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dmarc: Option<String>,
}

impl Envelope {
    /// Whether `address` is the one who sent this message (From or Sender).
    pub fn sent_by(&self, address: &str) -> bool {
        let address = address.to_lowercase();
        self.from.as_deref() == Some(address.as_str())
            || self.sender.as_deref() == Some(address.as_str())
    }
}

/// What the message is.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A calendar answer (REPLY) or a proposal of a new time (COUNTER).
    Answer(itip::Answer),
    Bounce(dsn::Bounce),
    /// An out-of-office or another automatic answer, and the header that says so.
    AutoReply(String),
    /// None of the above: why.
    Other(String),
}

#[derive(Debug, Clone)]
pub struct Inbound {
    pub envelope: Envelope,
    /// `Err` is why it cannot be read (stored as unreadable).
    pub content: Result<Content, String>,
}

/// Reads one raw RFC 822 message; never panics on any input.
pub fn read(raw: &[u8], limits: &Limits) -> Inbound {
    if raw.len() > limits.max_bytes {
        let envelope = MessageParser::new()
            .parse_headers(&raw[..raw.len().min(256 * 1024)])
            .map(|m| envelope_of(&m, limits))
            .unwrap_or_default();
        return Inbound {
            envelope,
            content: Err(format!(
                "the message is {} bytes, over mail.inbound.max_bytes ({})",
                raw.len(),
                limits.max_bytes
            )),
        };
    }
    let Some(message) = MessageParser::new().parse(raw) else {
        return Inbound {
            envelope: Envelope::default(),
            content: Err("not an email message".into()),
        };
    };
    let envelope = envelope_of(&message, limits);
    let content = content_of(&message, &envelope, limits);
    Inbound { envelope, content }
}

fn content_of(
    message: &Message<'_>,
    envelope: &Envelope,
    limits: &Limits,
) -> Result<Content, String> {
    if message.parts.is_empty() || message.headers().is_empty() {
        return Err("not an email message: no headers".into());
    }
    let depth = depth(message);
    if depth > limits.max_depth {
        return Err(format!(
            "MIME parts are nested {depth} deep, over the limit of {}",
            limits.max_depth
        ));
    }
    // A bounce first: it may quote the whole invitation, which is not an answer.
    if let Some(bounce) = dsn::read(message) {
        return Ok(Content::Bounce(bounce));
    }
    let to_verp = limits
        .bounce_address
        .as_ref()
        .is_some_and(|verp| verp_id(&envelope.to, verp).is_some());
    if to_verp || dsn::looks_like_bounce(message) {
        return Ok(Content::Bounce(dsn::from_text(message)));
    }
    if let Some(charset) = unknown_charset(message) {
        return Err(format!("unknown charset {charset:?}"));
    }
    if let Some(answer) = itip::find(message)? {
        // A calendar answer decides, even under `Auto-Submitted: auto-generated`
        // (Google Calendar sends its replies so).
        return Ok(Content::Answer(answer));
    }
    if let Some(why) = auto_reply(message) {
        return Ok(Content::AutoReply(why));
    }
    Ok(Content::Other(
        "neither a calendar answer nor a delivery status notification".into(),
    ))
}

fn envelope_of(message: &Message<'_>, limits: &Limits) -> Envelope {
    let first = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_lowercase)
    };
    let mut to: Vec<String> = message
        .to()
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .map(str::to_lowercase)
        .collect();
    for name in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        for value in message.header_values(name) {
            if let Some(text) = value.as_text() {
                to.push(text.trim().trim_matches(['<', '>']).to_lowercase());
            }
        }
    }
    to.dedup();
    Envelope {
        message_id: message.message_id().map(str::to_string),
        from: first(message.from()),
        sender: first(message.sender()),
        to,
        subject: message.subject().map(str::to_string),
        dmarc: limits
            .authserv_id
            .as_deref()
            .and_then(|id| dmarc_result(message, id)),
    }
}

/// The `dmarc=` result in the `Authentication-Results` header stamped by `authserv_id`
/// (the first such header: the one the receiving server added on top). Headers naming
/// another server are anyone's words and are not read.
pub fn dmarc_result(message: &Message<'_>, authserv_id: &str) -> Option<String> {
    let ours = message
        .header_values("Authentication-Results")
        .filter_map(|v| v.as_text())
        .find(|v| {
            v.split(';')
                .next()
                .and_then(|id| id.split_whitespace().next())
                .is_some_and(|id| id.eq_ignore_ascii_case(authserv_id))
        })?;
    ours.split(';').skip(1).find_map(|method| {
        let (name, result) = method.trim().split_once('=')?;
        name.trim().eq_ignore_ascii_case("dmarc").then(|| {
            result
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        })
    })
}

/// How deeply multiparts and attached messages nest (the message itself is 1).
fn depth(message: &Message<'_>) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(message, 0u32, 1usize)];
    while let Some((m, part, d)) = stack.pop() {
        deepest = deepest.max(d);
        if d > 64 {
            break;
        }
        let Some(p) = m.parts.get(part as usize) else {
            continue;
        };
        match &p.body {
            PartType::Multipart(children) => {
                stack.extend(children.iter().map(|&c| (m, c, d + 1)));
            }
            PartType::Message(inner) => stack.push((inner, 0, d + 1)),
            _ => {}
        }
    }
    deepest
}

/// A text part in a charset mail-parser cannot decode (it would read it as UTF-8).
fn unknown_charset(message: &Message<'_>) -> Option<String> {
    message.parts.iter().find_map(|p| {
        let charset = p.content_type()?.attribute("charset")?;
        let known = matches!(p.body, PartType::Text(_) | PartType::Html(_))
            .then(|| mail_parser::decoders::charsets::map::charset_decoder(charset.as_bytes()))
            .is_none_or(|d| d.is_some())
            || charset.eq_ignore_ascii_case("utf-8")
            || charset.eq_ignore_ascii_case("us-ascii");
        (!known).then(|| charset.to_string())
    })
}

/// Why this is an automatic answer, if it is one (RFC 3834 and the common vendor marks).
fn auto_reply(message: &Message<'_>) -> Option<String> {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    if let Some(v) = header("Auto-Submitted").filter(|v| v != "no") {
        return Some(format!("Auto-Submitted: {v}"));
    }
    for name in ["X-Autoreply", "X-Autorespond", "X-Autoresponse"] {
        if header(name).is_some() {
            return Some(format!("{name} header"));
        }
    }
    if let Some(v) = header("Precedence").filter(|v| v == "auto_reply") {
        return Some(format!("Precedence: {v}"));
    }
    if let Some(v) = header("X-Auto-Response-Suppress").filter(|v| v.contains("oof")) {
        return Some(format!("X-Auto-Response-Suppress: {v}"));
    }
    let subject = message.subject().unwrap_or_default().to_lowercase();
    ["automatic reply:", "out of office", "autoreply:", "auto:"]
        .iter()
        .find(|p| subject.starts_with(*p))
        .map(|_| format!("subject {subject:?}"))
}

/// The outbox message a VERP address names: `local+<id>@domain` for `bounce_address`
/// `local@domain`, among the addresses the bounce was delivered to.
pub fn verp_id(to: &[String], bounce_address: &str) -> Option<i64> {
    let (local, domain) = bounce_address.rsplit_once('@')?;
    to.iter().find_map(|address| {
        let (l, d) = address.rsplit_once('@')?;
        if !d.eq_ignore_ascii_case(domain) {
            return None;
        }
        let (base, id) = l.split_once('+')?;
        if !base.eq_ignore_ascii_case(local) {
            return None;
        }
        id.parse().ok()
    })
}

/// The text of a part, whatever its type, as read by mail-parser (UTF-8).
fn text_of<'a>(part: &'a mail_parser::MessagePart<'_>) -> Option<std::borrow::Cow<'a, str>> {
    match &part.body {
        PartType::Text(t) | PartType::Html(t) => Some(std::borrow::Cow::Borrowed(t.as_ref())),
        PartType::Binary(b) | PartType::InlineBinary(b) => Some(String::from_utf8_lossy(b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
