//! The organizer's pages under `/organizer`: sign-in, webinars and sessions, invitees,
//! coverage, invitations, outbox and registrations. Every form carries the CSRF token.

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDateTime, Offset, TimeZone as _, Utc};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::render::render;
use super::web::{SignedIn, Web, append_cookie, cookie, set_cookie};
use crate::db;
use crate::db::organizers::Organizer;
use crate::domain::invitee::InviteeRow;
use crate::domain::webinar::{NewSession, SessionChanges, WebinarChanges};
use crate::domain::webinar::{Session, Webinar};
use crate::domain::{
    EmailAddress, InviteeId, Language, PersonName, RegistrationId, SessionId, TimeZone, WebinarId,
};
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::routes::client::ClientIp;
use crate::services::webinars::owned_webinar;
use crate::services::{self, accounts, chairs::NewChair, coverage};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizer/sign-in", get(sign_in_page).post(sign_in))
        .route("/organizer/sign-out", post(sign_out))
        .route(
            "/organizer/set-password/{token}",
            get(set_password_page).post(set_password),
        )
        .route("/organizer", get(webinars_page))
        .route("/organizer/webinars", post(create_webinar))
        .route(
            "/organizer/webinars/{id}",
            get(webinar_page).post(edit_webinar),
        )
        .route("/organizer/webinars/{id}/sessions", post(add_session))
        .route(
            "/organizer/webinars/{id}/sessions/{session}",
            post(edit_session),
        )
        .route(
            "/organizer/webinars/{id}/sessions/{session}/cancel",
            post(cancel_session),
        )
        .route(
            "/organizer/webinars/{id}/sessions/{session}/chairs",
            post(add_chair),
        )
        .route(
            "/organizer/webinars/{id}/materials",
            post(add_material).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/organizer/webinars/{id}/materials/{material}/remove",
            post(remove_material),
        )
        .route(
            "/organizer/webinars/{id}/invitees",
            get(invitees_page)
                .post(upload_invitees)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/organizer/webinars/{id}/invitees/{invitee}",
            get(invitee_page).post(edit_invitee),
        )
        .route(
            "/organizer/webinars/{id}/invitees/{invitee}/remove",
            post(remove_invitee),
        )
        .route("/organizer/webinars/{id}/coverage", get(coverage_page))
        .route(
            "/organizer/webinars/{id}/invitations",
            get(confirm_send_page).post(send_invitations),
        )
        .route("/organizer/webinars/{id}/outbox", get(outbox_page))
        .route(
            "/organizer/webinars/{id}/outbox/{message}/retry",
            post(retry_message),
        )
        .route(
            "/organizer/webinars/{id}/registrations",
            get(registrations_page),
        )
        .route(
            "/organizer/webinars/{id}/registrations/{registration}/move",
            post(move_registration),
        )
        .route(
            "/organizer/webinars/{id}/registrations/decide",
            post(decide_registrations),
        )
}

/// Documents and invitee lists uploaded from the pages may be large; every other form
/// keeps the pages' small limit (`super::FORM_LIMIT`).
const UPLOAD_LIMIT: usize = services::materials::MAX_FILE + 64 * 1024;

/// The organizer's language: the switcher's choice, else the browser's, else English.
pub(super) fn lang(web: &Web) -> Language {
    web.language(None, Language::En)
}

pub(super) fn base(web: &Web, organizer: Option<&Organizer>) -> Value {
    let language = lang(web);
    context! {
        lang => language.code(),
        dir => if language == Language::Ar { "rtl" } else { "ltr" },
        languages => language_codes(),
        csrf => &web.csrf,
        organizer => organizer.map(|o| context! { name => &o.name, email => &o.email }),
    }
}

/// Runs a page handler's work and turns its error into an HTML error page.
pub(super) fn respond(web: &Web, result: AppResult<Response>) -> Response {
    match result {
        Ok(response) => web.finish(response),
        Err(e) => web.error(e, lang(web)),
    }
}

pub(super) fn to(path: String) -> AppResult<Response> {
    Ok(crate::routes::downloads::see_other(&path))
}

pub(super) fn parse_id<T>(value: &str, what: &str, wrap: impl Fn(uuid::Uuid) -> T) -> AppResult<T> {
    value
        .parse()
        .map(wrap)
        .map_err(|_| AppError::not_found(what))
}

/// Why a multipart upload could not be read: 413 when it is larger than the route takes.
pub(crate) fn unreadable(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge(
            "the upload is larger than this form takes: documents up to 20 MB, attendance \
             reports up to 32 MB"
                .into(),
        )
    } else {
        AppError::BadRequest(format!("the upload could not be read: {}", e.body_text()))
    }
}

/// A form sent as multipart: its text fields and its one file (field `file`).
pub(super) struct Upload {
    fields: HashMap<String, String>,
    pub(super) file: Option<axum::body::Bytes>,
}

impl Upload {
    pub(super) async fn read(mut multipart: Multipart) -> AppResult<Upload> {
        let mut upload = Upload {
            fields: HashMap::new(),
            file: None,
        };
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            match field.name().map(str::to_string) {
                Some(name) if name == "file" => {
                    upload.file = Some(field.bytes().await.map_err(unreadable)?)
                }
                Some(name) => {
                    let value = field.text().await.unwrap_or_default();
                    upload.fields.insert(name, value);
                }
                None => {}
            }
        }
        Ok(upload)
    }

    /// A text field, empty when it was not sent.
    pub(super) fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

pub(super) async fn mine(state: &AppState, organizer: &Organizer, id: &str) -> AppResult<Webinar> {
    owned_webinar(state, organizer, parse_id(id, "webinar", WebinarId)?).await
}

// ----- sign-in ------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignInForm {
    csrf: String,
    email: String,
    password: String,
}

async fn sign_in_page(web: Web) -> Response {
    respond(
        &web,
        render(
            "organizer/sign_in.html",
            context! { ..base(&web, None), ..context! { email => "" } },
        ),
    )
}

async fn sign_in(
    State(state): State<AppState>,
    web: Web,
    ClientIp(from): ClientIp,
    Form(form): Form<SignInForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let limits = accounts::SignInLimits::from_settings(&state.settings.security);
        accounts::sign_in(&state.db, &limits, &form.email, &form.password, from).await
    }
    .await;
    match result {
        Ok((_, token)) => {
            let mut response = Redirect::to("/organizer").into_response();
            let max_age = accounts::SESSION_DAYS * 24 * 3600;
            append_cookie(
                response.headers_mut(),
                &set_cookie(&web.session_cookie(), &token, max_age, web.secure),
            );
            web.finish(response)
        }
        Err(AppError::Internal(e)) => web.error(AppError::Internal(e), lang(&web)),
        Err(problem) => {
            let ctx = context! { ..base(&web, None), ..context! { email => &form.email, problem => problem.to_string() } };
            respond(
                &web,
                render("organizer/sign_in.html", ctx)
                    .map(|page| problem.decorate((problem.status(), page).into_response())),
            )
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CsrfForm {
    pub(super) csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    web: Web,
    headers: axum::http::HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        if let Some(token) = cookie(&headers, &web.session_cookie()) {
            accounts::sign_out(&state.db, token).await?;
        }
        let mut response = Redirect::to("/organizer/sign-in").into_response();
        append_cookie(
            response.headers_mut(),
            &set_cookie(&web.session_cookie(), "", 0, web.secure),
        );
        Ok(response)
    };
    respond(&web, result.await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    csrf: String,
    password: String,
    repeat: String,
}

async fn set_password_page(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
) -> Response {
    let result = async {
        let organizer = accounts::link_owner(&state.db, &token).await?;
        render(
            "organizer/set_password.html",
            context! { ..base(&web, None), ..context! { who => organizer.email, token => token } },
        )
    };
    respond(&web, result.await)
}

async fn set_password(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        if form.password != form.repeat {
            return Err(AppError::BadRequest("the two passwords differ".into()));
        }
        accounts::set_password(&state.db, &token, &form.password).await?;
        to("/organizer/sign-in".into())
    };
    match result.await {
        Err(AppError::BadRequest(problem)) => {
            let ctx =
                context! { ..base(&web, None), ..context! { token => token, problem => problem } };
            respond(
                &web,
                render("organizer/set_password.html", ctx)
                    .map(|p| (axum::http::StatusCode::BAD_REQUEST, p).into_response()),
            )
        }
        other => respond(&web, other),
    }
}

// ----- webinars and sessions ---------------------------------------------------------

async fn webinars_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
) -> Response {
    let result = async {
        let mut conn = state.db.conn().await?;
        let mut rows = Vec::new();
        for w in db::webinars::list_for(conn.exec(), organizer.id).await? {
            let sessions = db::sessions::list(conn.exec(), w.id).await?;
            rows.push(context! {
                id => w.id.to_string(),
                title => w.title,
                sessions => sessions.iter().map(|s| format!("{} · {}", s.label, utc_text(s))).collect::<Vec<_>>(),
                registered => sessions.iter().map(|s| s.taken).sum::<u32>(),
            });
        }
        render(
            "organizer/webinars.html",
            context! { ..base(&web, Some(&organizer)), ..context! {
                webinars => rows, zones => zone_names(), languages => language_codes(),
            }},
        )
    };
    respond(&web, result.await)
}

fn zone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

fn language_codes() -> Vec<&'static str> {
    Language::ALL.iter().map(|l| l.code()).collect()
}

pub(super) fn utc_text(s: &Session) -> String {
    format!(
        "{}–{} UTC",
        s.starts_at.format("%Y-%m-%d %H:%M"),
        s.ends_at().format("%H:%M")
    )
}

/// The webinar form: browsers send one `languages` field per ticked box.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WebinarForm {
    csrf: String,
    title: String,
    description: String,
    time_zone: String,
    window_start: String,
    window_end: String,
    preferred_local_hour: String,
    registration_policy: String,
}

fn webinar_input(form: &WebinarForm, languages: Vec<String>) -> AppResult<WebinarChanges> {
    let preferred = match form.preferred_local_hour.trim() {
        "" => None,
        h => Some(h.parse::<f64>().map_err(|_| {
            AppError::BadRequest("preferred_local_hour must be a number such as 13".into())
        })?),
    };
    let blank = |v: &str| (!v.trim().is_empty()).then(|| v.to_string());
    Ok(WebinarChanges {
        title: Some(form.title.clone()),
        description: Some(form.description.clone()),
        languages: (!languages.is_empty()).then_some(languages),
        time_zone: blank(&form.time_zone),
        window_start: blank(&form.window_start),
        window_end: blank(&form.window_end),
        preferred_local_hour: preferred,
        registration_policy: blank(&form.registration_policy),
        ..Default::default()
    })
}

/// Reads a urlencoded body into the form plus every `languages` value.
fn webinar_form(body: &str) -> (WebinarForm, Vec<String>) {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let languages = pairs
        .iter()
        .filter(|(k, _)| k == "languages")
        .map(|(_, v)| v.clone())
        .collect();
    let single: HashMap<String, String> = pairs
        .into_iter()
        .filter(|(k, _)| k != "languages")
        .collect();
    let get = |k: &str| single.get(k).cloned().unwrap_or_default();
    let form = WebinarForm {
        csrf: get("csrf"),
        title: get("title"),
        description: get("description"),
        time_zone: get("time_zone"),
        window_start: get("window_start"),
        window_end: get("window_end"),
        preferred_local_hour: get("preferred_local_hour"),
        registration_policy: get("registration_policy"),
    };
    (form, languages)
}

async fn create_webinar(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    body: String,
) -> Response {
    let result = async {
        let (form, languages) = webinar_form(&body);
        web.check_csrf(&form.csrf)?;
        let input = webinar_input(&form, languages)?;
        let blank = Webinar::blank(organizer.id);
        let webinar = crate::domain::webinar::apply(blank, &input)?;
        let (webinar, _) = services::webinars::create(&state, webinar, Vec::new()).await?;
        to(format!("/organizer/webinars/{}", webinar.id))
    };
    respond(&web, result.await)
}

async fn webinar_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        show_webinar(&state, &web, &organizer, &webinar, None).await
    };
    respond(&web, result.await)
}

async fn show_webinar(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    w: &Webinar,
    problem: Option<String>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), w.id).await?;
    let mut rows = Vec::new();
    for s in &sessions {
        let chairs = db::chairs::list_for_session(conn.exec(), s.id).await?;
        let local = s.starts_at.with_timezone(&w.time_zone.0);
        rows.push(context! {
            id => s.id.to_string(),
            label => &s.label,
            utc => utc_text(s),
            organizer_time => i18n::session_time(lang(web), w.time_zone.0, s.starts_at, s.ends_at()),
            starts_local => local.format("%Y-%m-%dT%H:%M").to_string(),
            duration => s.duration_minutes,
            capacity => s.capacity,
            taken => s.taken,
            join_url => &s.join_url,
            status => s.status.as_str(),
            chairs => chairs.iter().filter(|c| c.active).map(|c| format!("{} <{}>", c.name, c.email.as_str())).collect::<Vec<_>>(),
        });
    }
    let invitee_list = db::invitees::list(conn.exec(), w.id).await?;
    let invitees = invitee_list.len();
    let zones = zone_table(w, &sessions, &invitee_list);
    let public_url = &state.settings.server.public_url;
    let materials: Vec<Value> = db::materials::list(conn.exec(), w.id)
        .await?
        .iter()
        .map(|m| context! {
            id => m.id.to_string(), title => &m.title, kind => m.kind.as_str(), language => m.language.code(),
            document => &m.document, href => m.href(public_url), file_name => &m.file_name,
        })
        .collect();
    render(
        "organizer/webinar.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(w),
            sessions => rows,
            invitees => invitees,
            invitee_zones => zones,
            materials => materials,
            kinds => crate::domain::material::MaterialKind::ALL.map(|k| k.as_str()),
            public_link => format!("{}/w/{}", state.settings.server.public_url, w.id),
            zones => zone_names(),
            languages => language_codes(),
            problem => problem,
        }},
    )
}

/// Each zone the invitees are in, with every session's local time there.
fn zone_table(
    w: &Webinar,
    sessions: &[Session],
    invitees: &[crate::domain::invitee::Invitee],
) -> Vec<Value> {
    let mut zones: Vec<(TimeZone, usize)> = Vec::new();
    for invitee in invitees {
        match zones.iter_mut().find(|(z, _)| *z == invitee.time_zone) {
            Some((_, count)) => *count += 1,
            None => zones.push((invitee.time_zone, 1)),
        }
    }
    let now = Utc::now();
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    zones.sort_by_key(|(z, _)| {
        sessions.first().map_or(0, |s| {
            s.starts_at
                .with_timezone(&z.0)
                .offset()
                .fix()
                .local_minus_utc()
        })
    });
    zones
        .into_iter()
        .map(|(zone, count)| {
            let local = crate::domain::assignment::evaluate(&w.rules, zone.0, &candidates);
            context! {
                zone => zone.to_string(),
                count => count,
                times => local.iter().map(|l| context! {
                    time => format!("{}–{}", l.local_start.format("%a %H:%M"), l.local_end.format("%H:%M")),
                    suitable => l.suitable,
                    recommended => l.recommended,
                }).collect::<Vec<_>>(),
            }
        })
        .collect()
}

pub(super) fn webinar_value(w: &Webinar) -> Value {
    context! {
        id => w.id.to_string(),
        title => &w.title,
        description => &w.description,
        languages => w.languages.iter().map(|l| l.code()).collect::<Vec<_>>(),
        time_zone => w.time_zone.to_string(),
        window_start => w.rules.window_start.format("%H:%M").to_string(),
        window_end => w.rules.window_end.format("%H:%M").to_string(),
        preferred_local_hour => crate::domain::webinar::preferred_hour(&w.rules),
        registration_policy => w.registration_policy.as_str(),
    }
}

/// Shows the webinar page again with the problem, or goes back to it after success.
async fn back_to_webinar(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    id: &str,
    result: AppResult<()>,
) -> Response {
    let outcome = async {
        match result {
            Ok(()) => to(format!("/organizer/webinars/{id}")),
            Err(AppError::Internal(e)) => Err(AppError::Internal(e)),
            Err(problem) => {
                let webinar = mine(state, organizer, id).await?;
                let page = show_webinar(state, web, organizer, &webinar, Some(problem.to_string()))
                    .await?;
                Ok((problem.status(), page).into_response())
            }
        }
    };
    respond(web, outcome.await)
}

async fn edit_webinar(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let result = async {
        let (form, languages) = webinar_form(&body);
        web.check_csrf(&form.csrf)?;
        let input = webinar_input(&form, languages)?;
        let webinar = crate::domain::webinar::apply(mine(&state, &organizer, &id).await?, &input)?;
        services::webinars::update(&state, &webinar).await?;
        Ok(())
    };
    let result = result.await;
    back_to_webinar(&state, &web, &organizer, &id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SessionForm {
    csrf: String,
    label: String,
    /// `datetime-local` in the webinar's display zone.
    starts_local: String,
    duration_minutes: String,
    capacity: String,
    join_url: String,
}

/// The session form checked into a new session; its local start is read in the
/// webinar's zone.
fn session_fields(w: &Webinar, form: &SessionForm) -> AppResult<NewSession> {
    let local = NaiveDateTime::parse_from_str(form.starts_local.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| AppError::BadRequest("enter the start as a date and time".into()))?;
    let starts_at = w
        .time_zone
        .0
        .from_local_datetime(&local)
        .earliest()
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "{local} does not exist in {} (a clock change)",
                w.time_zone
            ))
        })?
        .with_timezone(&Utc);
    let number = |field: &str, v: &str| -> AppResult<Option<u32>> {
        match v.trim() {
            "" => Ok(None),
            n => n
                .parse()
                .map(Some)
                .map_err(|_| AppError::BadRequest(format!("{field} must be a whole number"))),
        }
    };
    Ok(NewSession::parse(
        &form.label,
        starts_at,
        number("duration_minutes", &form.duration_minutes)?,
        number("capacity", &form.capacity)?,
        Some(&form.join_url),
    )?)
}

async fn add_session(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<SessionForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        let new = session_fields(&webinar, &form)?;
        services::webinars::add_session(&state, &webinar, new).await?;
        Ok(())
    };
    let result = result.await;
    back_to_webinar(&state, &web, &organizer, &id, result).await
}

async fn edit_session(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, session)): Path<(String, String)>,
    Form(form): Form<SessionForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        let checked = session_fields(&webinar, &form)?;
        let changes = SessionChanges {
            label: Some(checked.label),
            starts_at: Some(checked.starts_at),
            duration_minutes: Some(checked.duration_minutes),
            capacity: Some(checked.capacity),
            join_url: Some(checked.join_url),
        };
        services::webinars::change_session(
            &state,
            &webinar,
            parse_id(&session, "session", SessionId)?,
            changes,
        )
        .await?;
        Ok(())
    };
    let result = result.await;
    back_to_webinar(&state, &web, &organizer, &id, result).await
}

async fn cancel_session(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, session)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        services::webinars::cancel_session(
            &state,
            &webinar,
            parse_id(&session, "session", SessionId)?,
        )
        .await?;
        Ok(())
    };
    let result = result.await;
    back_to_webinar(&state, &web, &organizer, &id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChairForm {
    csrf: String,
    name: String,
    email: String,
    time_zone: String,
    language: String,
}

async fn add_chair(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, session)): Path<(String, String)>,
    Form(form): Form<ChairForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        let new = NewChair {
            name: PersonName::parse(&form.name)?,
            email: EmailAddress::parse(&form.email)?,
            time_zone: (!form.time_zone.trim().is_empty())
                .then(|| form.time_zone.parse())
                .transpose()?,
            language: (!form.language.trim().is_empty())
                .then(|| form.language.parse())
                .transpose()?,
        };
        services::chairs::add(
            &state,
            &webinar,
            parse_id(&session, "session", SessionId)?,
            new,
        )
        .await?;
        Ok(())
    };
    let result = result.await;
    back_to_webinar(&state, &web, &organizer, &id, result).await
}

async fn add_material(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Response {
    let result = async {
        let upload = crate::routes::api::materials::read_multipart(multipart).await?;
        web.check_csrf(&upload.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        services::materials::add(&state, &webinar, &upload.input, upload.file).await?;
        Ok(())
    };
    let result = result.await;
    back_to_webinar(&state, &web, &organizer, &id, result).await
}

async fn remove_material(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, material)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        services::materials::remove(
            &state,
            &webinar,
            parse_id(&material, "document", crate::domain::MaterialId)?,
        )
        .await?;
        Ok(())
    };
    let result = result.await;
    back_to_webinar(&state, &web, &organizer, &id, result).await
}

// ----- invitees ----------------------------------------------------------------------

async fn invitees_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        show_invitees(&state, &web, &organizer, &webinar, None, None).await
    };
    respond(&web, result.await)
}

async fn show_invitees(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    w: &Webinar,
    report: Option<&services::invitees::ImportReport>,
    problem: Option<String>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), w.id).await?;
    let invitees = db::invitees::list(conn.exec(), w.id).await?;
    let now = Utc::now();
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    let rows: Vec<Value> = invitees
        .iter()
        .map(|i| {
            let pick = crate::domain::assignment::recommend(&w.rules, i.time_zone.0, &candidates);
            let session = pick.and_then(|p| sessions.iter().find(|s| s.id.0 == p.session_id));
            context! {
                id => i.id.to_string(),
                name => i.name.as_str(),
                email => i.email.as_str(),
                organization => &i.organization,
                role => &i.role,
                country => i.country.as_ref().map(|c| c.as_str()),
                time_zone => i.time_zone.to_string(),
                language => i.language.code(),
                session => session.map(|s| s.label.clone()),
                local => session.map(|s| i18n::session_time(lang(web), i.time_zone.0, s.starts_at, s.ends_at())),
                outside => pick.is_some_and(|p| p.outside_working_hours),
            }
        })
        .collect();
    render(
        "organizer/invitees.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(w),
            invitees => rows,
            report => report.map(|r| context! { imported => r.imported, updated => r.updated, errors => r.errors.iter().map(|e| context! { line => e.line, message => &e.message }).collect::<Vec<_>>() }),
            problem => problem,
        }},
    )
}

async fn upload_invitees(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        let upload = Upload::read(multipart).await?;
        web.check_csrf(upload.field("csrf"))?;
        let file = upload
            .file
            .filter(|f| !f.is_empty())
            .ok_or_else(|| AppError::BadRequest("choose a CSV file to upload".into()))?;
        let outcome = async {
            let rows = services::invitees::read_csv(&file)?;
            services::invitees::import(&state, &webinar, rows).await
        }
        .await;
        match outcome {
            Ok(report) => {
                show_invitees(&state, &web, &organizer, &webinar, Some(&report), None).await
            }
            Err(AppError::Internal(e)) => Err(AppError::Internal(e)),
            Err(problem) => {
                let page = show_invitees(
                    &state,
                    &web,
                    &organizer,
                    &webinar,
                    None,
                    Some(problem.to_string()),
                )
                .await?;
                Ok((problem.status(), page).into_response())
            }
        }
    };
    respond(&web, result.await)
}

async fn invitee_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, invitee)): Path<(String, String)>,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        let mut conn = state.db.conn().await?;
        let i = db::invitees::find(
            conn.exec(),
            webinar.id,
            parse_id(&invitee, "invitee", InviteeId)?,
        )
        .await?
        .ok_or_else(|| AppError::not_found("invitee"))?;
        let form = InviteeForm {
            csrf: String::new(),
            name: i.name.as_str().into(),
            email: i.email.as_str().into(),
            organization: i.organization.unwrap_or_default(),
            role: i.role.unwrap_or_default(),
            country: i
                .country
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            time_zone: i.time_zone.to_string(),
            language: i.language.code().into(),
        };
        show_invitee_form(&web, &organizer, &webinar, &invitee, &form, None)
    };
    respond(&web, result.await)
}

fn show_invitee_form(
    web: &Web,
    organizer: &Organizer,
    w: &Webinar,
    id: &str,
    form: &InviteeForm,
    problem: Option<String>,
) -> AppResult<Response> {
    render(
        "organizer/invitee_edit.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(w), invitee_id => id, form => form, problem => problem, zones => zone_names(), languages => language_codes(),
        }},
    )
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct InviteeForm {
    csrf: String,
    name: String,
    email: String,
    organization: String,
    role: String,
    country: String,
    time_zone: String,
    language: String,
}

async fn edit_invitee(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, invitee)): Path<(String, String)>,
    Form(form): Form<InviteeForm>,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        let outcome = async {
            web.check_csrf(&form.csrf)?;
            let row = InviteeRow {
                name: form.name.clone(),
                email: form.email.clone(),
                organization: Some(form.organization.clone()),
                role: Some(form.role.clone()),
                country: Some(form.country.clone()),
                time_zone: form.time_zone.clone(),
                language: Some(form.language.clone()),
            };
            services::invitees::update(
                &state,
                &webinar,
                parse_id(&invitee, "invitee", InviteeId)?,
                &row,
            )
            .await
        }
        .await;
        match outcome {
            Ok(()) => to(format!("/organizer/webinars/{id}/invitees")),
            Err(AppError::BadRequest(p)) | Err(AppError::Conflict(p)) => {
                let page = show_invitee_form(&web, &organizer, &webinar, &invitee, &form, Some(p))?;
                Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response())
            }
            Err(e) => Err(e),
        }
    };
    respond(&web, result.await)
}

async fn remove_invitee(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, invitee)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        services::invitees::remove(&state, &webinar, parse_id(&invitee, "invitee", InviteeId)?)
            .await?;
        to(format!("/organizer/webinars/{id}/invitees"))
    };
    respond(&web, result.await)
}

// ----- coverage, invitations, outbox, registrations ---------------------------------

async fn coverage_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        let mut conn = state.db.conn().await?;
        let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
        let invitees = db::invitees::list(conn.exec(), webinar.id).await?;
        let coverage = coverage::compute(&webinar, &sessions, &invitees);
        let label = i18n::text(lang(&web), "org.chart_suitable", &[]);
        render(
            "organizer/coverage.html",
            context! { ..base(&web, Some(&organizer)), ..context! {
                webinar => webinar_value(&webinar),
                coverage => &coverage,
                chart => super::chart::bars(&coverage.per_offset, &label),
                session_chart => super::chart::bars(&coverage.per_session, &label),
            }},
        )
    };
    respond(&web, result.await)
}

async fn confirm_send_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        let pending = services::invitations::not_yet_invited(&state, &webinar)
            .await?
            .len();
        render(
            "organizer/confirm_send.html",
            context! { ..base(&web, Some(&organizer)), ..context! {
                webinar => webinar_value(&webinar), pending => pending,
            }},
        )
    };
    respond(&web, result.await)
}

async fn send_invitations(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        let report = services::invitations::send(&state, &webinar).await?;
        to(format!(
            "/organizer/webinars/{id}/outbox?queued={}",
            report.queued
        ))
    };
    respond(&web, result.await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OutboxQuery {
    queued: Option<usize>,
}

async fn outbox_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<OutboxQuery>,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        let mut conn = state.db.conn().await?;
        let entries = db::outbox::list(conn.exec(), webinar.id).await?;
        let count = |status: &str| entries.iter().filter(|e| e.status == status).count();
        let rows: Vec<Value> = entries
            .iter()
            .map(|e| {
                context! {
                    id => e.id, recipient => &e.recipient, kind => &e.kind, status => &e.status,
                    attempts => e.attempts, last_error => &e.last_error,
                    created_at => e.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                }
            })
            .collect();
        render(
            "organizer/outbox.html",
            context! { ..base(&web, Some(&organizer)), ..context! {
                webinar => webinar_value(&webinar), messages => rows, queued => query.queued,
                sent => count("sent"), pending => count("pending"), failed => count("failed"),
            }},
        )
    };
    respond(&web, result.await)
}

async fn retry_message(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, message)): Path<(String, i64)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        services::invitations::retry_message(&state, &webinar, message).await?;
        to(format!("/organizer/webinars/{id}/outbox"))
    };
    respond(&web, result.await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegistrationsQuery {
    session: String,
    status: String,
    q: String,
}

async fn registrations_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<RegistrationsQuery>,
) -> Response {
    let result = async {
        let webinar = mine(&state, &organizer, &id).await?;
        let mut conn = state.db.conn().await?;
        let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
        let session_filter = (!query.session.is_empty())
            .then(|| parse_id(&query.session, "session", SessionId))
            .transpose()?;
        let needle = query.q.trim().to_lowercase();
        let registrations =
            db::registrations::list(conn.exec(), webinar.id, session_filter).await?;
        let rows: Vec<Value> = registrations
            .iter()
            .filter(|r| query.status.is_empty() || r.status.as_str() == query.status)
            .filter(|r| {
                needle.is_empty()
                    || r.name.to_lowercase().contains(&needle)
                    || r.email.key().contains(&needle)
                    || r.organization.as_deref().unwrap_or_default().to_lowercase().contains(&needle)
            })
            .map(|r| {
                let session = sessions.iter().find(|s| s.id == r.session_id);
                context! {
                    id => r.id.to_string(), name => &r.name, email => r.email.as_str(), organization => &r.organization,
                    time_zone => r.time_zone.to_string(), status => r.status.as_str(), assignment => r.assignment.as_str(),
                    pending => r.status == crate::domain::registration::RegistrationStatus::Pending,
                    session_id => r.session_id.to_string(),
                    session => session.map(|s| s.label.clone()),
                    local => session.map(|s| i18n::session_time(lang(&web), r.time_zone.0, s.starts_at, s.ends_at())),
                    outside => r.outside_working_hours,
                }
            })
            .collect();
        let session_options: Vec<Value> = sessions
            .iter()
            .map(|s| context! { id => s.id.to_string(), label => &s.label, taken => s.taken, capacity => s.capacity, status => s.status.as_str() })
            .collect();
        render(
            "organizer/registrations.html",
            context! { ..base(&web, Some(&organizer)), ..context! {
                webinar => webinar_value(&webinar), registrations => rows, sessions => session_options,
                filter => context! { session => &query.session, status => &query.status, q => &query.q },
            }},
        )
    };
    respond(&web, result.await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    csrf: String,
    session_id: String,
}

/// Approves or declines the ticked pending registrations (`registration` repeated).
async fn decide_registrations(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let result = async {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        let field =
            |name: &'static str| pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v);
        web.check_csrf(field("csrf").next().map_or("", |v| v))?;
        let webinar = mine(&state, &organizer, &id).await?;
        let decision = match field("decision").next().map(String::as_str) {
            Some("approve") => services::registrations::Decision::Approve,
            Some("decline") => services::registrations::Decision::Decline,
            _ => return Err(AppError::BadRequest("choose approve or decline".into())),
        };
        let ids = field("registration")
            .map(|v| parse_id(v, "registration", RegistrationId))
            .collect::<AppResult<Vec<_>>>()?;
        if ids.is_empty() {
            return Err(AppError::BadRequest(
                "tick at least one registration waiting for approval".into(),
            ));
        }
        services::registrations::decide(&state, &webinar, &ids, decision).await?;
        to(format!(
            "/organizer/webinars/{id}/registrations?status=pending"
        ))
    };
    respond(&web, result.await)
}

async fn move_registration(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, registration)): Path<(String, String)>,
    Form(form): Form<MoveForm>,
) -> Response {
    let result = async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id).await?;
        let registration = parse_id(&registration, "registration", RegistrationId)?;
        let session = parse_id(&form.session_id, "session", SessionId)?;
        services::registrations::move_to(&state, &webinar, registration, session).await?;
        to(format!("/organizer/webinars/{id}/registrations"))
    };
    respond(&web, result.await)
}
