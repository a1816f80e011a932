//! The invitee's pages: the public registration page `/w/{id}` and the private manage
//! page `/r/{token}` (also the personal link in every invitation).

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::render::{html, render};
use super::render::{page_base, zone_names};
use super::web::CsrfForm;
use super::web::{PageResult, Web, reshow};
use crate::db;
use crate::domain::assignment;
use crate::domain::material;
use crate::domain::registration::{Registration, RegistrationStatus};
use crate::domain::values::optional_text;
use crate::domain::webinar::{Session, SessionStatus, Webinar};
use crate::domain::{
    EmailAddress, Language, MaterialId, PersonName, SessionId, TimeZone, WebinarId,
};
use crate::email::letter::{Kind, Letter};
use crate::email::render::{RenderContext, calendar_of};
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::routes::downloads::content_disposition;
use crate::services::registrations::{self as service, NewRegistration, Registered};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{id}", get(register_page).post(register))
        .route("/r/{token}", get(manage_page))
        .route("/r/{token}/switch", post(switch))
        .route("/r/{token}/cancel", post(cancel))
        .route("/r/{token}/consent", post(consent))
        .route("/r/{token}/calendar.ics", get(calendar_file))
        .route("/m/{id}", get(material_file))
}

/// A session as the page shows it to one reader.
#[derive(Serialize)]
struct SessionItem {
    id: String,
    label: String,
    when: String,
    utc: String,
    suitable: bool,
    recommended: bool,
    available: bool,
    full: bool,
    /// Full, and the webinar keeps a waiting list: choosing it joins the list.
    waitable: bool,
    cancelled: bool,
    seats_left: Option<u32>,
}

fn session_items(
    webinar: &Webinar,
    sessions: &[Session],
    tz: TimeZone,
    language: Language,
) -> Vec<SessionItem> {
    let now = Utc::now();
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    let local = assignment::evaluate(&webinar.rules, tz.0, &candidates);
    sessions
        .iter()
        .zip(local)
        .map(|(s, l)| SessionItem {
            id: s.id.to_string(),
            label: s.label.clone(),
            when: i18n::session_time(language, tz.0, s.starts_at, s.ends_at()),
            utc: format!(
                "{}–{} UTC",
                s.starts_at.format("%Y-%m-%d %H:%M"),
                s.ends_at().format("%H:%M")
            ),
            suitable: l.suitable,
            recommended: l.recommended,
            available: l.available,
            full: s.seats_left() == Some(0),
            waitable: webinar.waiting_list
                && s.seats_left() == Some(0)
                && s.status == SessionStatus::Scheduled
                && s.starts_at > now,
            cancelled: s.status == SessionStatus::Cancelled,
            seats_left: s.seats_left(),
        })
        .collect()
}

fn page_context(language: Language, web: &Web) -> minijinja::Value {
    page_base(language, Some(&web.csrf))
}

async fn load(state: &AppState, id: WebinarId) -> AppResult<(Webinar, Vec<Session>)> {
    let published = crate::services::webinars::published(state, id).await?;
    Ok((published.webinar.clone(), published.sessions.clone()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ZoneQuery {
    tz: Option<String>,
}

/// What the visitor typed, kept when the form comes back with an error.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct RegisterForm {
    csrf: String,
    name: String,
    email: String,
    organization: String,
    role: String,
    country: String,
    language: String,
    time_zone: String,
    session_id: String,
    /// "on" when the consent box is ticked; absent otherwise.
    share_in_participant_list: String,
}

#[tracing::instrument(skip_all)]
async fn register_page(
    State(state): State<AppState>,
    web: Web,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(query): Query<ZoneQuery>,
) -> PageResult {
    let id = webinar_id(&id)?;
    // A zone the page cannot use is said, and the times are shown in the webinar's zone.
    let (tz, problem) = match query.tz.as_deref().map(str::parse::<TimeZone>) {
        Some(Ok(tz)) => (Some(tz), None),
        Some(Err(e)) => (None, Some(e.0)),
        None => (None, None),
    };
    show_register(&state, &web, id, tz, RegisterForm::default(), problem).await
}

fn webinar_id(id: &str) -> AppResult<WebinarId> {
    id.parse()
        .map(WebinarId)
        .map_err(|_| AppError::not_found("webinar"))
}

async fn show_register(
    state: &AppState,
    web: &Web,
    id: WebinarId,
    tz: Option<TimeZone>,
    form: RegisterForm,
    problem: Option<String>,
) -> PageResult {
    let (webinar, sessions) = load(state, id).await?;
    let language = web.language(None, webinar.default_language());
    // Without a zone yet, the page's script asks the browser for one.
    let zone_known = tz.is_some();
    let tz = tz.unwrap_or(webinar.time_zone);
    let items = session_items(&webinar, &sessions, tz, language);
    let chosen = (!form.session_id.is_empty())
        .then(|| form.session_id.clone())
        .or_else(|| items.iter().find(|i| i.recommended).map(|i| i.id.clone()));
    let documents = documents(state, &webinar, language).await?;
    let mut ctx = page_context(language, web);
    ctx = context! { ..ctx, ..context! {
        documents => documents,
        webinar => context! { id => webinar.id.to_string(), title => &webinar.title, description => &webinar.description },
        sessions => items,
        chosen => chosen,
        zone => tz.to_string(),
        zone_known => zone_known,
        zones => zone_names(),
        form => form,
        problem => problem,
        closed => webinar.registration_closed_reason(Utc::now()),
    }};
    render("register.html", ctx)
}

#[tracing::instrument(skip_all)]
async fn register(
    State(state): State<AppState>,
    web: Web,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<RegisterForm>,
) -> PageResult {
    let id = webinar_id(&id)?;
    let tz = form.time_zone.parse::<TimeZone>().ok();
    match try_register(&state, &web, id, &form).await {
        Ok(response) => Ok(response),
        Err(problem) => {
            reshow(problem, async |problem| {
                show_register(&state, &web, id, tz, form, Some(problem)).await
            })
            .await
        }
    }
}

async fn try_register(
    state: &AppState,
    web: &Web,
    id: WebinarId,
    form: &RegisterForm,
) -> AppResult<Response> {
    let (webinar, _) = load(state, id).await?;
    // What the visitor typed wrong is told in the page's language.
    let language = web.language(None, webinar.default_language());
    let told = |key: &'static str| move |problem: AppError| retell(problem, language, key);
    web.check_csrf(&form.csrf).map_err(told("error_expired"))?;
    let new = NewRegistration {
        name: PersonName::parse(&form.name)
            .map_err(AppError::from)
            .map_err(told("error_name"))?,
        email: EmailAddress::parse(&form.email)
            .map_err(AppError::from)
            .map_err(told("error_email"))?,
        organization: optional_text("organization", Some(&form.organization), 300)
            .map_err(AppError::from)
            .map_err(told("error_organization"))?,
        role: optional_text("role", Some(&form.role), 200)
            .map_err(AppError::from)
            .map_err(told("error_role"))?,
        country: crate::domain::values::optional_country(Some(&form.country))
            .map_err(AppError::from)
            .map_err(told("error_country"))?,
        time_zone: form
            .time_zone
            .parse()
            .map_err(AppError::from)
            .map_err(told("error_time_zone"))?,
        language: (!form.language.is_empty())
            .then(|| form.language.parse())
            .transpose()
            .map_err(AppError::from)
            .map_err(told("error_language"))?,
        session_id: (!form.session_id.is_empty())
            .then(|| form.session_id.parse().map(SessionId))
            .transpose()
            .map_err(|_| {
                retell(
                    AppError::BadRequest(String::new()),
                    language,
                    "error_session",
                )
            })?,
        share_in_participant_list: !form.share_in_participant_list.is_empty(),
        also_wait_for: Vec::new(),
    };
    let typed_email = new.email.as_str().to_string();
    let closed = webinar
        .registration_closed_reason(chrono::Utc::now())
        .is_some();
    let registered =
        service::register(state, &webinar, new)
            .await
            .map_err(|problem| match problem {
                AppError::Forbidden(_) if !closed => {
                    retell(problem, language, "error_invitees_only")
                }
                AppError::Forbidden(_) => retell(problem, language, "error_closed"),
                AppError::Conflict(_) => retell(problem, language, "error_unavailable"),
                other => other,
            })?;
    match registered {
        Registered::Created(r, token) => {
            let done = match r.status {
                RegistrationStatus::Pending => "pending",
                RegistrationStatus::Waitlisted => "waitlisted",
                _ => "registered",
            };
            Ok(Redirect::to(&format!("/r/{token}?done={done}")).into_response())
        }
        Registered::CheckEmail => {
            let ctx = context! { ..page_context(language, web), ..context! {
                title => &webinar.title,
                message => i18n::text(language, "page.check_email", &[("email", &typed_email)]),
            }};
            html("message.html", ctx)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ManageQuery {
    done: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn manage_page(
    State(state): State<AppState>,
    web: Web,
    axum::extract::Path(token): axum::extract::Path<String>,
    Query(query): Query<ManageQuery>,
) -> PageResult {
    show_manage(&state, &web, &token, query.done.as_deref(), None).await
}

async fn show_manage(
    state: &AppState,
    web: &Web,
    token: &str,
    done: Option<&str>,
    problem: Option<String>,
) -> PageResult {
    let (registration, webinar) = service::by_token(state, token).await?;
    let (_, sessions) = load(state, webinar.id).await?;
    let language = web.language(Some(registration.language), webinar.default_language());
    let items = session_items(&webinar, &sessions, registration.time_zone, language);
    let current = sessions.iter().find(|s| s.id == registration.session_id);
    let session_label = current.map(|s| s.label.clone()).unwrap_or_default();
    let banner = done.and_then(|d| match d {
        "registered" => Some(i18n::text(
            language,
            "page.registered_banner",
            &[("email", registration.email.as_str())],
        )),
        "pending" => Some(i18n::text(
            language,
            "page.pending_banner",
            &[("email", registration.email.as_str())],
        )),
        "waitlisted" => Some(i18n::text(
            language,
            "page.waitlisted_banner",
            &[("email", registration.email.as_str())],
        )),
        "switched" => Some(i18n::text(
            language,
            "page.switched_banner",
            &[("session", &session_label)],
        )),
        "cancelled" => Some(i18n::text(language, "page.cancelled_banner", &[])),
        "confirmed" => Some(i18n::text(language, "page.confirmed_banner", &[])),
        "consent" => Some(i18n::text(language, "page.consent_saved", &[])),
        _ => None,
    });
    let documents = documents(state, &webinar, language).await?;
    let places = waitlist_places(state, &registration, &sessions, language).await?;
    let ctx = context! { ..page_context(language, web), ..context! {
        documents => documents,
        places => places,
        token => token,
        webinar => context! { id => webinar.id.to_string(), title => &webinar.title, description => &webinar.description },
        registration => context! {
            name => &registration.name,
            email => registration.email.as_str(),
            // Declined in their own calendar (not by the organizers): they may come back.
            status => if registration.status == RegistrationStatus::Declined
                && registration.answer.answer == crate::domain::answer::Answer::Declined
            {
                "declined_in_calendar"
            } else {
                registration.status.as_str()
            },
            session_id => registration.session_id.to_string(),
            zone => registration.time_zone.to_string(),
            share_in_participant_list => registration.share_in_participant_list,
        },
        current => items.iter().find(|i| i.id == registration.session_id.to_string()),
        join_url => registration.status.holds_seat().then(|| state.join_link(registration.id)),
        holds_seat => registration.status.holds_seat(),
        sessions => items,
        banner => banner,
        problem => problem,
        google => current.map(|s| google_link(&webinar, s, &registration, &state.join_link(registration.id))),
        outlook => current.map(|s| outlook_link(&webinar, s, &state.join_link(registration.id))),
    }};
    render("manage.html", ctx)
}

/// "Your place on the waiting list of the AM session: 2", one line per list.
async fn waitlist_places(
    state: &AppState,
    r: &Registration,
    sessions: &[Session],
    language: Language,
) -> AppResult<Vec<String>> {
    if r.status != RegistrationStatus::Waitlisted {
        return Ok(Vec::new());
    }
    let mut conn = state.db.conn().await?;
    let places = db::waitlist::places(conn.exec(), r.webinar_id, Some(r.id)).await?;
    Ok(places
        .iter()
        .filter_map(|p| {
            let session = sessions.iter().find(|s| s.id == p.session)?;
            Some(i18n::text(
                language,
                "page.waitlist_place",
                &[
                    ("session", &session.label),
                    ("position", &p.position.to_string()),
                ],
            ))
        })
        .collect())
}

async fn documents(
    state: &AppState,
    webinar: &Webinar,
    language: Language,
) -> AppResult<Vec<material::DocumentLink>> {
    let materials = crate::services::materials::list(state, webinar.id).await?;
    Ok(material::for_reader(
        &materials,
        language,
        &state.settings.server.public_url,
    ))
}

/// An uploaded document, as Meridian keeps it.
#[tracing::instrument(skip_all)]
async fn material_file(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    let id = id
        .parse()
        .map(MaterialId)
        .map_err(|_| AppError::not_found("document"))?;
    let mut conn = state.db.conn().await?;
    let file = db::materials::file(conn.exec(), id)
        .await?
        .ok_or_else(|| AppError::not_found("document"))?;
    // Only PDFs open in the browser; anything else downloads, and nothing uploaded
    // may run script on this site.
    let how = if file.content_type == "application/pdf" {
        "inline"
    } else {
        "attachment"
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::try_from(file.content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(how, &file.name),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
        ],
        file.bytes,
    )
        .into_response())
}

fn event_title(webinar: &Webinar, session: &Session) -> String {
    format!("{} ({})", webinar.title, session.label)
}

fn google_link(webinar: &Webinar, s: &Session, r: &Registration, location: &str) -> String {
    let dates = format!(
        "{}/{}",
        s.starts_at.format("%Y%m%dT%H%M%SZ"),
        s.ends_at().format("%Y%m%dT%H%M%SZ")
    );
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("action", "TEMPLATE")
        .append_pair("text", &event_title(webinar, s))
        .append_pair("dates", &dates)
        .append_pair("details", &webinar.description)
        .append_pair("location", location)
        .append_pair("ctz", r.time_zone.0.name())
        .finish();
    format!("https://calendar.google.com/calendar/render?{query}")
}

fn outlook_link(webinar: &Webinar, s: &Session, location: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("path", "/calendar/action/compose")
        .append_pair("rru", "addevent")
        .append_pair("subject", &event_title(webinar, s))
        .append_pair(
            "startdt",
            &s.starts_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
        .append_pair(
            "enddt",
            &s.ends_at()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
        .append_pair("body", &webinar.description)
        .append_pair("location", location)
        .finish();
    format!("https://outlook.office.com/calendar/0/deeplink/compose?{query}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SwitchForm {
    csrf: String,
    session_id: String,
}

#[tracing::instrument(skip_all)]
async fn switch(
    State(state): State<AppState>,
    web: Web,
    axum::extract::Path(token): axum::extract::Path<String>,
    Form(form): Form<SwitchForm>,
) -> PageResult {
    after_change(&state, &web, &token, async {
        checked(&web, &form.csrf)?;
        let before = service::by_token(&state, &token).await?.0;
        let language = web.language(Some(before.language), Language::En);
        let session_id = form.session_id.parse().map(SessionId).map_err(|_| {
            retell(
                AppError::BadRequest(String::new()),
                language,
                "error_session",
            )
        })?;
        let after = service::switch(&state, &token, session_id)
            .await
            .map_err(|problem| match problem {
                AppError::Conflict(_) => retell(problem, language, "error_unavailable"),
                other => other,
            })?;
        Ok(if before.session_id == after.session_id {
            "confirmed"
        } else {
            "switched"
        })
    })
    .await
}

#[tracing::instrument(skip_all)]
async fn cancel(
    State(state): State<AppState>,
    web: Web,
    axum::extract::Path(token): axum::extract::Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    after_change(&state, &web, &token, async {
        checked(&web, &form.csrf)?;
        service::cancel(&state, &token).await?;
        Ok("cancelled")
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsentForm {
    csrf: String,
    /// "on" when the box is ticked; absent otherwise.
    share_in_participant_list: String,
}

#[tracing::instrument(skip_all)]
async fn consent(
    State(state): State<AppState>,
    web: Web,
    axum::extract::Path(token): axum::extract::Path<String>,
    Form(form): Form<ConsentForm>,
) -> PageResult {
    after_change(&state, &web, &token, async {
        checked(&web, &form.csrf)?;
        let share = !form.share_in_participant_list.is_empty();
        service::set_consent(&state, &token, share).await?;
        Ok("consent")
    })
    .await
}

/// `problem` (keeping its status) told in `language` by the page catalogue's `key`.
fn retell(problem: AppError, language: Language, key: &str) -> AppError {
    problem.retold(i18n::text(language, &format!("page.{key}"), &[]))
}

/// The form's CSRF token checked; an expired form is told in the visitor's language.
fn checked(web: &Web, csrf: &str) -> AppResult<()> {
    web.check_csrf(csrf)
        .map_err(|problem| retell(problem, web.language(None, Language::En), "error_expired"))
}

/// Makes a change from the manage page, then goes back to it: with a banner naming what
/// was `done`, or with the problem shown.
async fn after_change(
    state: &AppState,
    web: &Web,
    token: &str,
    change: impl Future<Output = AppResult<&'static str>>,
) -> PageResult {
    match change.await {
        Ok(done) => Ok(Redirect::to(&format!("/r/{token}?done={done}")).into_response()),
        Err(missing @ AppError::NotFound(_)) => Err(missing.into()),
        Err(problem) => {
            let problem = match problem {
                AppError::TooManyRequests { .. } => retell(
                    problem,
                    web.language(None, Language::En),
                    "error_too_many_changes",
                ),
                other => other,
            };
            reshow(problem, async |problem| {
                show_manage(state, web, token, None, Some(problem)).await
            })
            .await
        }
    }
}

#[tracing::instrument(skip_all)]
async fn calendar_file(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> PageResult {
    let (r, webinar) = service::by_token(&state, &token).await?;
    let (_, sessions) = load(&state, webinar.id).await?;
    let session = sessions
        .iter()
        .find(|s| s.id == r.session_id)
        .ok_or_else(|| AppError::not_found("session"))?;
    // The same event as the registrant's emails carry (one builder): the join link,
    // never the manage link, since the file is meant to be shared with a calendar.
    let kind = if r.status.holds_seat() {
        Kind::Confirmation
    } else {
        Kind::Cancelled
    };
    let letter = Letter::for_registration(kind, &r, &webinar, session);
    let from = &state.settings.mail.from;
    let organizer_name = from.name.clone().unwrap_or_else(|| "Meridian".into());
    let organizer_email = from.email.to_string();
    let context = RenderContext {
        manage_url: None,
        join_link: Some(state.join_link(r.id)),
        organizer_name: &organizer_name,
        organizer_email: &organizer_email,
        now: Utc::now(),
        documents: Vec::new(),
    };
    let ics = calendar_of(&letter, &context)?.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("a registration's letter has a calendar"))
    })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                content_disposition("attachment", "invite.ics"),
            ),
        ],
        ics,
    )
        .into_response())
}
