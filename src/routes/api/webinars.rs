//! `/api/v1/webinars`: create, read, list and edit webinars.

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sessions::{CreateSession, check_new_session};
use super::views::WebinarView;
use super::{ApiJson, ApiPath};
use crate::db;
use crate::db::organizers::Organizer;
use crate::domain::WebinarId;
use crate::domain::member::Need;
use crate::domain::values::Invalid;
use crate::domain::webinar::{Webinar, WebinarChanges, apply};
use crate::error::{AppError, AppResult};
use crate::services;
use crate::services::members;
use crate::services::webinars::public_webinar;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webinars", get(list).post(create))
        .route("/v1/webinars/{id}", get(read).patch(edit))
}

/// A new webinar: a title, and any of the other fields of `WebinarInput`.
#[derive(Deserialize, ToSchema)]
pub struct NewWebinar {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(flatten)]
    pub webinar: WebinarInput,
}

/// A webinar's fields; a change names only the fields it changes.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct WebinarInput {
    /// `null` or left out: unchanged.
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub description: Option<String>,
    /// Codes among en, es, fr, ru, ar; the first is the default for emails. Default `["en"]`.
    pub languages: Option<Vec<String>>,
    /// The organizer's display zone (IANA). Default `UTC`.
    pub time_zone: Option<String>,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    /// Local `HH:MM`, default `07:00`.
    pub window_start: Option<String>,
    /// Local `HH:MM`, default `22:00`.
    pub window_end: Option<String>,
    /// Hours, default `13`.
    pub preferred_local_hour: Option<f64>,
    /// Who may register: `open` (default), `invitees_only` or `approval`.
    pub registration_policy: Option<String>,
    /// Keep a waiting list for full sessions (default false): someone who finds the
    /// session full is put on it (`status: "waitlisted"`), and a freed seat goes to the
    /// first person waiting.
    pub waiting_list: Option<bool>,
    /// A calendar answer DELEGATED to someone else (Outlook's "Delegate", RFC 5546
    /// `DELEGATED-TO`) invites the delegate in the delegator's place, with a registration
    /// of their own (default false: the answer is held for the organizer).
    pub allow_delegation: Option<bool>,
    /// A new time proposed from a calendar (COUNTER) that is the start of another session:
    /// `offer` (default) emails the person their link to switch, `switch` moves them there.
    pub counter_proposals: Option<String>,
    /// Sessions to create with the webinar (only on creation).
    pub sessions: Option<Vec<CreateSession>>,
}

impl WebinarInput {
    /// The changes this input asks for, to check and apply in the domain.
    pub fn changes(&self) -> WebinarChanges {
        WebinarChanges {
            title: self.title.clone(),
            description: self.description.clone(),
            languages: self.languages.clone(),
            time_zone: self.time_zone.clone(),
            registration_opens_at: self.registration_opens_at.clone(),
            registration_closes_at: self.registration_closes_at.clone(),
            window_start: self.window_start.clone(),
            window_end: self.window_end.clone(),
            preferred_local_hour: self.preferred_local_hour,
            registration_policy: self.registration_policy.clone(),
            waiting_list: self.waiting_list,
            allow_delegation: self.allow_delegation,
            counter_proposals: self.counter_proposals.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/webinars", tag = "webinars", request_body = NewWebinar,
    security(("bearer" = [])),
    responses((status = 201, body = WebinarView), (status = 400, body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiJson(new): ApiJson<NewWebinar>,
) -> AppResult<(StatusCode, Json<WebinarView>)> {
    let input = WebinarInput {
        title: Some(new.title),
        ..new.webinar
    };
    let blank = Webinar::blank(organizer.id);
    let webinar = apply(blank, &input.changes())?;
    let sessions = input
        .sessions
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, s)| check_new_session(s).map_err(|e| Invalid(format!("sessions[{i}]: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let (webinar, sessions) = services::webinars::create(
        &state,
        &services::members::actor(&organizer),
        webinar,
        sessions,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(WebinarView::new(&webinar, &sessions, true)),
    ))
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}", tag = "webinars",
    security((), ("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, body = WebinarView), (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn read(
    State(state): State<AppState>,
    organizer: Option<Organizer>,
    ApiPath(id): ApiPath<WebinarId>,
) -> AppResult<Json<WebinarView>> {
    let webinar = public_webinar(&state, id).await?;
    let owner = match organizer {
        Some(o) => members::role_of(&state, &o, id).await?.is_some(),
        None => false,
    };
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), id).await?;
    Ok(Json(WebinarView::new(&webinar, &sessions, owner)))
}

#[utoipa::path(get, path = "/api/v1/webinars", tag = "webinars", security(("bearer" = [])),
    responses((status = 200, body = Vec<WebinarView>), (status = 401, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    organizer: Organizer,
) -> AppResult<Json<Vec<WebinarView>>> {
    let mut conn = state.db.conn().await?;
    let mut views = Vec::new();
    for webinar in db::webinars::list_for(conn.exec(), organizer.id).await? {
        let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
        views.push(WebinarView::new(&webinar, &sessions, true));
    }
    Ok(Json(views))
}

#[utoipa::path(patch, path = "/api/v1/webinars/{id}", tag = "webinars", request_body = WebinarInput,
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, body = WebinarView), (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn edit(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<WebinarInput>,
) -> AppResult<Json<WebinarView>> {
    if input.sessions.is_some() {
        return Err(AppError::BadRequest(
            "sessions are changed through /api/v1/webinars/{id}/sessions, not here".into(),
        ));
    }
    let mut access = members::access(&state, &organizer, id, Need::Edit).await?;
    access.webinar = apply(access.webinar, &input.changes())?;
    let sessions = services::webinars::update(&state, &access).await?;
    Ok(Json(WebinarView::new(&access, &sessions, true)))
}
