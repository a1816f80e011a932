//! Turns a [`Letter`] into subject, text, HTML and calendar, in the recipient's language,
//! from the templates under `templates/email/` and the catalogues under `templates/i18n/`.

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::{Environment, context};

use super::letter::Letter;
use crate::calendar::{self, Invite, Method, Role};
use crate::domain::clock;
use crate::domain::material::DocumentLink;
use crate::domain::{Language, TimeZone};
use crate::i18n;

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub calendar: Option<(Method, String)>,
}

/// What rendering needs besides the letter.
pub struct RenderContext<'a> {
    pub manage_url: Option<String>,
    /// A registrant's personal join link, given instead of the meeting's own URL.
    pub join_link: Option<String>,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub now: DateTime<Utc>,
    /// The webinar's documents in the reader's language, with the other languages.
    pub documents: Vec<DocumentLink>,
}

pub struct Renderer {
    env: Environment<'static>,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    pub fn new() -> Renderer {
        let mut env = Environment::new();
        for (name, source) in [
            (
                "subject.txt",
                include_str!("../../templates/email/subject.txt"),
            ),
            ("body.txt", include_str!("../../templates/email/body.txt")),
            ("body.html", include_str!("../../templates/email/body.html")),
        ] {
            env.add_template(name, source)
                .expect("the email templates parse");
        }
        Renderer { env }
    }

    pub fn render(&self, letter: &Letter, ctx: &RenderContext<'_>) -> anyhow::Result<Rendered> {
        let language: Language = letter.language.parse().context("letter language")?;
        let tz: TimeZone = letter.time_zone.parse().context("letter time zone")?;
        let t = |key: &str, args: &[(&str, &str)]| i18n::text(language, key, args);
        let kind = letter.kind.as_str();
        let when_local = i18n::session_time(language, tz.0, letter.starts_at, letter.ends_at);
        let common = [
            ("title", letter.webinar_title.as_str()),
            ("session", letter.session_label.as_str()),
            ("name", letter.to_name.as_str()),
            ("when", when_local.as_str()),
            ("zone", tz.0.name()),
        ];
        let mut subject = t(&format!("email.{kind}.subject"), &common);
        if letter.test_to.is_some() {
            subject = format!("{} {subject}", t("email.test_prefix", &[]));
        }
        let method = letter.kind.method();
        let calendar_note = match method {
            Some(Method::Request) => Some(t("email.calendar_request", &[])),
            Some(Method::Cancel) => Some(t("email.calendar_cancel", &[])),
            Some(Method::DeclineCounter) | None => None,
        };
        let previous = previous_time(letter, language, tz.0);
        let follow_up = letter.kind.is_follow_up();
        let member = letter.kind.is_member();
        let join_url = ctx
            .join_link
            .as_deref()
            .or(letter.join_url.as_deref())
            .filter(|_| letter.kind.has_join_link());
        let values = context! {
            lang => language.code(),
            dir => if language == Language::Ar { "rtl" } else { "ltr" },
            align => if language == Language::Ar { "right" } else { "left" },
            subject => &subject,
            greeting => t("email.greeting", &common),
            intro => t(&format!("email.{kind}.intro"), &common),
            outside_hours => (letter.outside_working_hours && !letter.kind.is_chair() && method != Some(Method::Cancel))
                .then(|| t("email.outside_hours", &common)),
            clock_change => clock_note(letter, language, tz.0, ctx.now).filter(|_| !member),
            labels => context! {
                session => t("email.session", &[]),
                when => t("email.when", &[]),
                utc => t("email.utc", &[]),
                previous => t("email.previous", &[]),
                join => t("email.join", &[]),
            },
            session_label => &letter.session_label,
            when_local => &when_local,
            when_utc => utc_time(language, letter.starts_at, letter.ends_at),
            previous => previous,
            join_url => join_url.filter(|_| method != Some(Method::Cancel)),
            show_join_later => method != Some(Method::Cancel) && !follow_up && !member && letter.kind.promises_join_link(),
            join_later => t("email.join_later", &[]),
            manage_url => ctx.manage_url.as_deref().filter(|_| letter.kind.has_manage_link()),
            manage_text => if member { t("email.member_invitation.link", &common) } else { t("email.manage", &[]) },
            manage_button => if member { t("email.member_invitation.button", &[]) } else { t("email.manage_button", &[]) },
            about_session => !member,
            calendar_note => calendar_note,
            footer => t("email.footer", &common),
            documents => &ctx.documents,
            documents_label => t("page.materials", &[]),
        };
        let render = |name: &str| {
            self.env
                .get_template(name)
                .and_then(|tpl| tpl.render(&values))
                .with_context(|| format!("rendering templates/email/{name}"))
        };
        Ok(Rendered {
            subject: render("subject.txt")?.trim().to_string(),
            text: render("body.txt")?,
            html: render("body.html")?,
            calendar: method.map(|m| (m, calendar_text(letter, ctx, m, &when_local))),
        })
    }
}

/// The calendar of the event a letter is about (None for letters without one): what the
/// email carries, and what the manage page's download offers, from one builder.
pub fn calendar_of(letter: &Letter, ctx: &RenderContext<'_>) -> anyhow::Result<Option<String>> {
    let Some(method) = letter.kind.method() else {
        return Ok(None);
    };
    let language: Language = letter.language.parse().context("letter language")?;
    let tz: TimeZone = letter.time_zone.parse().context("letter time zone")?;
    let when = i18n::session_time(language, tz.0, letter.starts_at, letter.ends_at);
    Ok(Some(calendar_text(letter, ctx, method, &when)))
}

/// The invitation's iCalendar text; the description repeats the essentials of the body.
/// Calendar events are forwarded and shared, so they carry the join link but never the
/// manage link, which stays in the email body.
fn calendar_text(letter: &Letter, ctx: &RenderContext<'_>, method: Method, when: &str) -> String {
    let mut description = format!("{}\n{when}", letter.webinar_title);
    let join_url = ctx.join_link.as_deref().or(letter.join_url.as_deref());
    let join_url = join_url.filter(|_| method != Method::Cancel);
    if let Some(join) = join_url {
        description.push_str(&format!("\n{join}"));
    }
    let summary = format!("{} ({})", letter.webinar_title, letter.session_label);
    calendar::build(&Invite {
        method,
        uid: &letter.calendar_uid,
        sequence: letter.sequence,
        stamp: ctx.now,
        starts_at: letter.starts_at,
        ends_at: letter.ends_at,
        summary: &summary,
        description: &description,
        location: join_url,
        url: join_url,
        organizer_name: ctx.organizer_name,
        organizer_email: ctx.organizer_email,
        attendee_name: &letter.to_name,
        attendee_email: &letter.to_email,
        role: if letter.kind.is_chair() {
            Role::Chair
        } else {
            Role::Participant
        },
    })
}

fn utc_time(language: Language, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    let pattern = i18n::text(language, "date.utc", &[]);
    // The pattern holds a literal {end}, filled once the date is formatted.
    i18n::format_date(language, starts_at.with_timezone(&chrono_tz::UTC), &pattern)
        .replace("{end}", &ends_at.format("%H:%M").to_string())
}

fn previous_time(letter: &Letter, language: Language, tz: Tz) -> Option<String> {
    let (starts_at, ends_at) = (letter.previous_starts_at?, letter.previous_ends_at?);
    let when = i18n::session_time(language, tz, starts_at, ends_at);
    Some(match &letter.previous_label {
        Some(label) if *label != letter.session_label => format!("{label}: {when}"),
        _ => when,
    })
}

/// Someone whose clocks change between the day the email is written and the session
/// would add today's difference and be off by the change: the email says so, and that
/// the time it shows (already the local time on the session's date) is after the change.
fn clock_note(letter: &Letter, language: Language, tz: Tz, now: DateTime<Utc>) -> Option<String> {
    if !letter.kind.tells_clock_change() || !clock::offset_differs(tz, now, letter.starts_at) {
        return None;
    }
    let (before, after) = (
        i18n::utc_offset(tz, now),
        i18n::utc_offset(tz, letter.starts_at),
    );
    Some(i18n::text(
        language,
        "email.clock_change",
        &[("zone", tz.name()), ("before", &before), ("after", &after)],
    ))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::email::letter::Kind;

    fn letter(kind: Kind, language: &str, zone: &str) -> Letter {
        let starts_at = Utc.with_ymd_and_hms(2027, 4, 1, 12, 0, 0).unwrap();
        Letter {
            kind,
            to_name: "Zoé".into(),
            to_email: "zoe@example.org".into(),
            language: language.into(),
            time_zone: zone.into(),
            webinar_title: "Webinar".into(),
            session_label: "AM".into(),
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(2),
            join_url: None,
            previous_starts_at: None,
            previous_ends_at: None,
            previous_label: None,
            registration_id: None,
            outside_working_hours: false,
            calendar_uid: "uid".into(),
            sequence: 0,
            account_link_id: None,
            test_to: None,
        }
    }

    /// Rendered on 20 February 2027, before Europe's change of 28 March.
    fn rendered(letter: &Letter) -> Rendered {
        let ctx = RenderContext {
            manage_url: None,
            join_link: None,
            organizer_name: "Organizers",
            organizer_email: "organizers@example.org",
            now: Utc.with_ymd_and_hms(2027, 2, 20, 9, 0, 0).unwrap(),
            documents: Vec::new(),
        };
        Renderer::new().render(letter, &ctx).unwrap()
    }

    #[test]
    fn letters_about_a_session_after_a_clock_change_say_so_with_the_new_offset() {
        for kind in [
            Kind::Invitation,
            Kind::ChairInvitation,
            Kind::Confirmation,
            Kind::Switched,
            Kind::Rescheduled,
            Kind::ChairRescheduled,
            Kind::Reminder,
            Kind::MovedUp,
        ] {
            let r = rendered(&letter(kind, "en", "Europe/Zurich"));
            assert!(
                r.text.contains("the clocks in your time zone (Europe/Zurich) change before this session, from UTC+01:00 to UTC+02:00")
                    && r.text.contains("(Europe/Zurich, UTC+02:00)"),
                "{kind:?}: {}",
                r.text
            );
        }
        let arabic = rendered(&letter(Kind::Invitation, "ar", "Europe/Zurich"));
        assert!(
            arabic
                .html
                .contains("\u{2066}UTC+01:00\u{2069} إلى \u{2066}UTC+02:00\u{2069}"),
            "{}",
            arabic.html
        );
    }

    #[test]
    fn cancellations_follow_ups_and_zones_without_a_change_do_not() {
        for kind in [
            Kind::Cancelled,
            Kind::SessionCancelled,
            Kind::ThankYou,
            Kind::ManageLink,
            Kind::Waitlisted,
        ] {
            let r = rendered(&letter(kind, "en", "Europe/Zurich"));
            assert!(!r.text.contains("clocks"), "{kind:?}: {}", r.text);
        }
        let tokyo = rendered(&letter(Kind::Invitation, "en", "Asia/Tokyo"));
        assert!(!tokyo.text.contains("clocks"), "{}", tokyo.text);
    }
}
