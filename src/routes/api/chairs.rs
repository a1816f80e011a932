//! `/api/v1/webinars/{id}/sessions/{session_id}/chairs`: name the chairs of a session.

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use axum::{Json, Router, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::paging::{self, PageQuery};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::db::organizers::Organizer;
use crate::domain::chair::Chair;
use crate::domain::member::Need;
use crate::domain::{EmailAddress, Language, PersonName, SessionId, TimeZone, WebinarId};
use crate::error::AppResult;
use crate::services::chairs::{self, NewChair};
use crate::services::members;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/webinars/{id}/sessions/{session_id}/chairs",
        post(add).get(list),
    )
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ChairInput {
    #[schema(required = true)]
    pub name: String,
    #[schema(required = true)]
    pub email: String,
    /// IANA zone; default the webinar's.
    pub time_zone: Option<String>,
    /// en, es, fr, ru or ar; default the webinar's first language.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChairView {
    pub id: Uuid,
    pub session_id: Uuid,
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub language: String,
    /// `active`, or `removed` once the session is cancelled.
    pub status: String,
    /// `none`, `accepted`, `tentative`, `declined` or `delegated`: the answer given in
    /// the chair's calendar to their invitation.
    pub calendar_answer: String,
    pub calendar_answered_at: Option<String>,
    pub calendar_comment: Option<String>,
    /// Mail to this address came back undeliverable for good (5.x.x).
    pub address_bounced: bool,
}

impl From<&Chair> for ChairView {
    fn from(c: &Chair) -> Self {
        ChairView {
            id: c.id.0,
            session_id: c.session_id.0,
            name: c.name.clone(),
            email: c.email.as_str().to_string(),
            time_zone: c.time_zone.to_string(),
            language: c.language.code().to_string(),
            status: if c.active { "active" } else { "removed" }.into(),
            calendar_answer: c.answer.answer.as_str().to_string(),
            calendar_answered_at: c.answer.answered_at.map(super::views::utc),
            calendar_comment: c.answer.comment.clone(),
            address_bounced: c.answer.address_bounced,
        }
    }
}

fn blank_to_none(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/sessions/{session_id}/chairs", tag = "sessions",
    request_body = ChairInput, security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("session_id" = uuid::Uuid, Path, description = "session id")),
    responses((status = 201, description = "named; the calendar invitation is queued", body = ChairView),
        (status = 200, description = "already a chair of this session; nothing sent", body = ChairView),
        (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "the session is cancelled", body = super::openapi::ErrorBody), (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn add(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, session_id)): ApiPath<(WebinarId, SessionId)>,
    ApiJson(input): ApiJson<ChairInput>,
) -> AppResult<(StatusCode, Json<ChairView>)> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let new = NewChair {
        name: PersonName::parse(&input.name)?,
        email: EmailAddress::parse(&input.email)?,
        time_zone: blank_to_none(&input.time_zone)
            .map(str::parse::<TimeZone>)
            .transpose()?,
        language: blank_to_none(&input.language)
            .map(str::parse::<Language>)
            .transpose()?,
    };
    let (chair, created) = chairs::add(&state, &webinar, session_id, new).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ChairView::from(&chair))))
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}/sessions/{session_id}/chairs", tag = "sessions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("session_id" = uuid::Uuid, Path, description = "session id"), PageQuery),
    responses((status = 200, description = "in the order they were named", body = Vec<ChairView>, headers(("Link" = String, description = "with limit, when another page follows: <URL of the next page>; rel=\"next\" (RFC 8288); the URL keeps the other query parameters"))),
        (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, session_id)): ApiPath<(WebinarId, SessionId)>,
    ApiQuery(paging): ApiQuery<PageQuery>,
    uri: Uri,
) -> AppResult<(HeaderMap, Json<Vec<ChairView>>)> {
    let page = paging.page()?;
    let webinar = members::access(&state, &organizer, id, Need::Read).await?;
    let mut chairs = chairs::list(&state, &webinar, session_id, page.as_ref()).await?;
    let link = paging::next_link(
        &mut chairs,
        page.as_ref(),
        |c| c.id.0,
        &state.settings.server.public_url,
        &uri,
    );
    Ok((link, Json(chairs.iter().map(ChairView::from).collect())))
}
