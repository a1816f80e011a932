//! The registrant's personal join link `/j/{token}`: records the join and opens the
//! meeting during the join window, or says why not; never shows the manage link, and
//! offers to email it instead.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use chrono::Utc;
use minijinja::context;

use super::render::{page_base, render};
use super::web::{CsrfForm, PageResult, Web};
use crate::i18n;
use crate::services::attendance::{self as service, Join};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/j/{token}", get(join))
        .route("/j/{token}/send-link", post(send_link))
}

/// Records the join and sends the registrant on to the meeting, or says why not yet.
async fn join(
    State(state): State<AppState>,
    web: Web,
    method: Method,
    Path(token): Path<String>,
) -> PageResult {
    // A HEAD request (link checkers, mail scanners) is answered like a GET but is not
    // somebody joining.
    let record_join = method != Method::HEAD;
    let (outcome, registration, webinar, session) =
        service::join(&state, &token, Utc::now(), record_join).await?;
    let language = web.language(Some(registration.language), webinar.default_language());
    let t = |key: &str, args: &[(&str, &str)]| i18n::text(language, key, args);
    let session_args = [("session", session.label.as_str())];
    let message = match outcome {
        Join::Meeting(url) => return Ok(crate::routes::downloads::see_other(&url)),
        Join::NotYet(opens_at) => {
            let local = opens_at.with_timezone(&registration.time_zone.0);
            let time = format!(
                "{} {}",
                i18n::format_date(language, local, &t("date.long", &[])),
                local.format("%H:%M")
            );
            t(
                "page.join_not_yet",
                &[("session", session.label.as_str()), ("time", time.as_str())],
            )
        }
        Join::NoMeetingLink => t("page.join_no_link", &session_args),
        Join::Ended => t("page.join_ended", &session_args),
        Join::SessionCancelled => t("page.join_session_cancelled", &session_args),
        Join::RegistrationCancelled => t("page.join_registration_cancelled", &[]),
        Join::Waitlisted => t("page.join_waitlisted", &session_args),
    };
    let context = context! { ..page_base(language, Some(&web.csrf)), ..context! {
        title => &webinar.title,
        session => &session.label,
        when => i18n::session_time(language, registration.time_zone.0, session.starts_at, session.ends_at()),
        zone => registration.time_zone.to_string(),
        message => message,
        token => &token,
        sent => false,
    }};
    render("join.html", context).map_err(|e| e.in_language(registration.language))
}

/// "Email me my personal link": join links are shared widely, so the join page never
/// shows the manage link; it sends it to the address the registration was made with.
async fn send_link(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let (registration, webinar) =
        crate::services::registrations::by_join_token(&state, &token).await?;
    crate::services::registrations::send_link(&state, &webinar, &registration).await?;
    let language = web.language(Some(registration.language), webinar.default_language());
    let context = context! { ..page_base(language, None), ..context! {
        title => &webinar.title,
        message => i18n::text(language, "page.join_link_sent", &[]),
    }};
    render("message.html", context).map_err(|e| e.in_language(registration.language))
}
