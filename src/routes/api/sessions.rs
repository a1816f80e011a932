//! Sessions of a webinar: the organizer adds, moves and cancels them; anyone lists them
//! in their own time zone with the recommended one marked.

use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router, extract::State};
use chrono::Utc;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::{LocalSessionView, SessionListing, SessionView};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::db::organizers::Organizer;
use crate::domain::assignment;
use crate::domain::member::Need;
use crate::domain::values::parse_instant;
use crate::domain::values::{Invalid, required_text};
use crate::domain::webinar::Session;
use crate::domain::webinar::{
    LABEL_MAX, NewSession, SessionChanges, check_capacity, check_duration, check_join_url,
};
use crate::domain::{SessionId, TimeZone, WebinarId};
use crate::error::AppResult;
use crate::services;
use crate::services::members;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webinars/{id}/sessions", post(create).get(listing))
        .route(
            "/v1/webinars/{id}/sessions/{session_id}",
            patch(change).delete(cancel),
        )
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct CreateSession {
    /// E.g. `AM` or `PM`.
    #[schema(required = true, min_length = 1, max_length = 100)]
    pub label: String,
    /// RFC 3339 with an offset, e.g. `2026-09-24T07:00:00Z`.
    #[schema(required = true)]
    pub starts_at: String,
    #[schema(required = true, nullable = false, minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<u32>,
    /// Seats; leave out for no limit.
    #[schema(minimum = 1)]
    pub capacity: Option<u32>,
    pub join_url: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ChangeSession {
    pub label: Option<String>,
    pub starts_at: Option<String>,
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<u32>,
    /// A number of seats, or `null` for no limit.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<u32>, minimum = 1)]
    pub capacity: Option<Option<u32>>,
    /// A URL, or `null` to remove it.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub join_url: Option<Option<String>>,
}

/// Tells `"field": null` (Some(None)) apart from a field left out (None).
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub fn check_new_session(s: &CreateSession) -> Result<NewSession, Invalid> {
    NewSession::parse(
        &s.label,
        parse_instant("starts_at", &s.starts_at)?,
        s.duration_minutes,
        s.capacity,
        s.join_url.as_deref(),
    )
}

fn check_changes(c: &ChangeSession) -> Result<SessionChanges, Invalid> {
    Ok(SessionChanges {
        label: c
            .label
            .as_deref()
            .map(|l| required_text("label", l, LABEL_MAX))
            .transpose()?,
        starts_at: c
            .starts_at
            .as_deref()
            .map(|t| parse_instant("starts_at", t))
            .transpose()?,
        duration_minutes: c.duration_minutes.map(check_duration).transpose()?,
        capacity: c.capacity.map(check_capacity).transpose()?,
        join_url: c
            .join_url
            .as_ref()
            .map(|u| check_join_url(u.as_deref()))
            .transpose()?,
    })
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/sessions", tag = "sessions", request_body = CreateSession,
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 201, body = SessionView), (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<CreateSession>,
) -> AppResult<(StatusCode, Json<SessionView>)> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let session =
        services::webinars::add_session(&state, &webinar, check_new_session(&input)?).await?;
    Ok((StatusCode::CREATED, Json(SessionView::new(&session, true))))
}

#[utoipa::path(patch, path = "/api/v1/webinars/{id}/sessions/{session_id}", tag = "sessions",
    request_body = ChangeSession, security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("session_id" = uuid::Uuid, Path, description = "session id")),
    responses((status = 200, body = SessionView), (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "the session is cancelled, or the capacity is below its registrations", body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn change(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, session_id)): ApiPath<(WebinarId, SessionId)>,
    ApiJson(input): ApiJson<ChangeSession>,
) -> AppResult<Json<SessionView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let changes = check_changes(&input)?;
    let session = services::webinars::change_session(&state, &webinar, session_id, changes).await?;
    Ok(Json(SessionView::new(&session, true)))
}

#[utoipa::path(delete, path = "/api/v1/webinars/{id}/sessions/{session_id}", tag = "sessions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("session_id" = uuid::Uuid, Path, description = "session id")),
    responses((status = 200, description = "the session, now cancelled, with its registrations", body = SessionView), (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn cancel(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, session_id)): ApiPath<(WebinarId, SessionId)>,
) -> AppResult<Json<SessionView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let session = services::webinars::cancel_session(&state, &webinar, session_id).await?;
    Ok(Json(SessionView::new(&session, true)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListingQuery {
    /// IANA zone to show the sessions in; default (also when blank) UTC.
    pub tz: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}/sessions", tag = "sessions",
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ListingQuery),
    responses((status = 200, body = SessionListing), (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn listing(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<WebinarId>,
    ApiQuery(query): ApiQuery<ListingQuery>,
) -> AppResult<Json<SessionListing>> {
    let tz: TimeZone = super::given(query.tz.as_deref()).unwrap_or("UTC").parse()?;
    let published = services::webinars::published(&state, id).await?;
    Ok(Json(local_listing(
        &published.webinar.rules,
        tz,
        &published.sessions,
        false,
    )))
}

/// Every session as seen from `tz`, with the rule's recommendation.
pub fn local_listing(
    rules: &assignment::Rules,
    tz: TimeZone,
    sessions: &[Session],
    show_join_url: bool,
) -> SessionListing {
    let now = Utc::now();
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    let local = assignment::evaluate(rules, tz.0, &candidates);
    let recommended = local.iter().find(|l| l.recommended);
    SessionListing {
        time_zone: tz.to_string(),
        recommended_session_id: recommended.map(|l| l.id),
        outside_working_hours: recommended.is_some_and(|l| !l.suitable),
        sessions: sessions
            .iter()
            .zip(&local)
            .map(|(s, l)| LocalSessionView::new(s, l, show_join_url))
            .collect(),
    }
}
