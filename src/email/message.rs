//! The MIME shape calendars recognise as an invitation (RFC 6047, ../ICALENDAR checklist):
//! multipart/mixed { multipart/alternative { text, html, text/calendar; method=... }, invite.ics }.

use anyhow::Context;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use super::render::Rendered;

pub fn build(
    from: &Mailbox,
    to: Mailbox,
    message_id: &str,
    rendered: Rendered,
) -> anyhow::Result<Message> {
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(message_id.to_string()))
        .date_now();
    let text_and_html = MultiPart::alternative()
        .singlepart(SinglePart::plain(rendered.text))
        .singlepart(SinglePart::html(rendered.html));
    let message = match rendered.calendar {
        None => builder.multipart(text_and_html),
        Some((method, ics)) => {
            let calendar_type = ContentType::parse(&format!(
                "text/calendar; charset=UTF-8; method={}",
                method.as_str()
            ))
            .context("calendar content type")?;
            let calendar = SinglePart::builder()
                .header(calendar_type)
                .body(ics.clone());
            let attachment_type = ContentType::parse("application/ics; name=\"invite.ics\"")
                .context("attachment content type")?;
            builder.multipart(
                MultiPart::mixed()
                    .multipart(text_and_html.singlepart(calendar))
                    .singlepart(Attachment::new("invite.ics".into()).body(ics, attachment_type)),
            )
        }
    };
    message.context("building the email")
}
