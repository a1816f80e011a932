//! Reading the emails Meridian sends: MIME parts through mail-parser, and the calendar's
//! properties after unfolding.

use mail_parser::{MessageParser, MimeHeaders};

use crate::smtp::Received;

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    /// With its angle brackets, as bounces quote it.
    pub message_id: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The text/calendar part inside multipart/alternative, and its `method=` parameter.
    pub calendar: Option<String>,
    pub method_param: Option<String>,
    /// The invite.ics attachment.
    pub attachment: Option<String>,
}

pub fn parse(raw: &str) -> Mail {
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message");
    let to = message.to().and_then(|a| a.first()).expect("a To address");
    let mut mail = Mail {
        to: to.address().unwrap_or_default().to_string(),
        message_id: format!("<{}>", message.message_id().unwrap_or_default()),
        subject: message.subject().unwrap_or_default().to_string(),
        text: message
            .body_text(0)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        html: message
            .body_html(0)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        calendar: None,
        method_param: None,
        attachment: None,
    };
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let kind = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_lowercase();
        let body = String::from_utf8_lossy(part.contents()).to_string();
        if kind == "text/calendar" {
            mail.method_param = ct.attribute("method").map(str::to_string);
            mail.calendar = Some(body);
        } else if kind == "application/ics" {
            mail.attachment = Some(body);
        }
    }
    mail
}

pub fn parse_all(received: &[Received]) -> Vec<Mail> {
    received.iter().map(|r| parse(&r.data)).collect()
}

/// The unfolded content lines of a calendar.
pub fn unfolded(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in ics.split("\r\n") {
        if let Some(rest) = line.strip_prefix(' ') {
            lines
                .last_mut()
                .expect("a folded line follows a line")
                .push_str(rest);
        } else if !line.is_empty() {
            lines.push(line.to_string());
        }
    }
    lines
}

/// The value of the first property `name` (parameters dropped).
pub fn prop(ics: &str, name: &str) -> Option<String> {
    unfolded(ics).into_iter().find_map(|line| {
        let (head, value) = split_property(&line)?;
        (head.split(';').next()? == name).then(|| value.to_string())
    })
}

/// The whole unfolded line of the first property `name`, with its parameters.
pub fn prop_line(ics: &str, name: &str) -> Option<String> {
    unfolded(ics).into_iter().find(|line| {
        split_property(line).is_some_and(|(head, _)| head.split(';').next() == Some(name))
    })
}

/// Splits at the first colon outside double quotes.
fn split_property(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some((&line[..i], &line[i + 1..])),
            _ => {}
        }
    }
    None
}

impl Mail {
    pub fn ics(&self) -> &str {
        self.calendar
            .as_deref()
            .unwrap_or_else(|| panic!("no calendar in {:?}", self.subject))
    }

    pub fn ics_prop(&self, name: &str) -> String {
        prop(self.ics(), name).unwrap_or_else(|| panic!("no {name} in\n{}", self.ics()))
    }
}
