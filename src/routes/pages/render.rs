//! Page rendering: minijinja templates under `templates/pages/`, embedded in the binary,
//! with `t("key", name=value)` reading the catalogue of the page's language.

use std::sync::OnceLock;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, ErrorKind, State, Value};

use super::web::PageResult;
use crate::domain::Language;
use crate::error::AppError;
use crate::i18n;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../../templates/pages/", $name)))),*]
    };
}

const TEMPLATES: [(&str, &str); 32] = templates!(
    "base.html",
    "register.html",
    "manage.html",
    "message.html",
    "organizer/base.html",
    "organizer/sign_in.html",
    "organizer/set_password.html",
    "organizer/webinars.html",
    "organizer/webinar.html",
    "organizer/invitees.html",
    "organizer/pager.html",
    "organizer/sorts.html",
    "organizer/coverage.html",
    "organizer/day_map.html",
    "organizer/clock_warnings.html",
    "organizer/plan.html",
    "organizer/plan_confirm.html",
    "organizer/outbox.html",
    "organizer/members.html",
    "organizer/audit.html",
    "organizer/account.html",
    "organizer/registrations.html",
    "organizer/inbound.html",
    "organizer/confirm_send.html",
    "organizer/invitee_edit.html",
    "organizer/attendance.html",
    "organizer/chairs.html",
    "organizer/link_form.html",
    "organizer/report.html",
    "organizer/tokens.html",
    "participants.html",
    "join.html",
);

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("templates/pages/{name}: {e}"));
        }
        env.add_function("t", translate);
        env
    })
}

/// `t("page.name")` or `t("page.seats_left", count=3)` in the language of the page.
fn translate(state: &State, key: &str, args: Kwargs) -> Result<String, Error> {
    let language = state
        .lookup("lang")
        .and_then(|l| l.as_str().and_then(|code| code.parse::<Language>().ok()))
        .unwrap_or(Language::En);
    let mut pairs = Vec::new();
    for name in args.args() {
        let value: Value = args.get(name)?;
        pairs.push((name.to_string(), value.to_string()));
    }
    args.assert_all_used()?;
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let text = i18n::text(language, key, &borrowed);
    if text == key {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("no text for {key}"),
        ));
    }
    Ok(text)
}

/// Renders page `name` with `context` (which must hold `lang`).
pub fn render(name: &str, context: Value) -> PageResult {
    Ok(html(name, context)?)
}

/// Renders `name` with `context` (which must hold `lang`).
pub fn html(name: &str, context: Value) -> Result<Response, AppError> {
    let html = environment()
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| {
            AppError::Internal(anyhow::anyhow!("rendering templates/pages/{name}: {e:#}"))
        })?;
    Ok(Html(html).into_response())
}

/// An HTML page for an error, in the page's language.
/// What every page's layout needs: its language, the writing direction, the languages
/// of the switcher, and the form token when the page has forms.
pub fn page_base(language: Language, csrf: Option<&str>) -> Value {
    minijinja::context! {
        lang => language.code(),
        dir => if language == Language::Ar { "rtl" } else { "ltr" },
        languages => Language::ALL.iter().map(|l| l.code()).collect::<Vec<_>>(),
        csrf => csrf,
    }
}

/// Every IANA zone, for the zone pickers.
pub fn zone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

pub fn error_page(error: AppError, language: Language) -> Response {
    let status = match &error {
        AppError::Internal(cause) => {
            tracing::error!(error = format!("{cause:#}"), "page failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        AppError::DatabaseFull(cause) => {
            tracing::error!(error = format!("{cause:#}"), "the database is full");
            StatusCode::SERVICE_UNAVAILABLE
        }
        other => other.status(),
    };
    let message = match (&error, status) {
        (_, StatusCode::NOT_FOUND) => i18n::text(language, "page.not_found", &[]),
        (AppError::TooManyRequests { retry_after, .. }, _) => i18n::text(
            language,
            "page.too_many_requests",
            &[("seconds", &retry_after.to_string())],
        ),
        (AppError::DatabaseFull(_), _) => i18n::text(language, "page.database_full", &[]),
        (AppError::Internal(_), _) => "internal error".to_string(),
        (other, _) => other.to_string(),
    };
    let context = minijinja::context! { ..page_base(language, None), ..minijinja::context! {
        title => i18n::text(language, "page.error_title", &[]),
        message => message,
    }};
    let response = match html("message.html", context) {
        Ok(page) => (status, [(header::CACHE_CONTROL, "no-store")], page).into_response(),
        Err(_) => (status, "error").into_response(),
    };
    error.decorate(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_page_template_parses() {
        let env = super::environment();
        for (name, _) in super::TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }
}
