//! `/api/v1/webinars/{id}/invitees`: import from CSV or JSON; list with each invitee's
//! recommended session.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::routing::post;
use axum::{Json, Router, extract::State};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::paging::{self, PageQuery};
use super::{ApiPath, ApiQuery, BODY_LIMIT, body_error};
use crate::db;
use crate::db::organizers::Organizer;
use crate::domain::WebinarId;
use crate::domain::assignment;
use crate::domain::member::Need;
use crate::error::{AppError, AppResult};
use crate::services;
use crate::services::invitees::ImportReport;
use crate::services::members;
use crate::startup::AppState;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/webinars/{id}/invitees",
        post(import)
            .layer(DefaultBodyLimit::max(services::invitees::MAX_FILE))
            .get(list),
    )
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/invitees", tag = "invitees",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id")),
    request_body(description = "text/csv with the header name,email,organization,role,country,time_zone,language, or an XLSX spreadsheet whose first sheet has that header row (up to 100,000 rows and 32 MiB); or a JSON array of objects with those fields (up to 1 MiB). Rows are stored in chunks of 1,000; the answer lists the first 1,000 refused lines and counts them all.",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<serde_json::Value> = "application/json"))),
    responses((status = 200, body = ImportReport), (status = 400, body = super::openapi::ErrorBody), (status = 413, body = super::openapi::ErrorBody), (status = 415, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn import(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<ImportReport>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let too_large = |limit: usize| {
        AppError::PayloadTooLarge(format!(
            "the body is larger than {limit} bytes (a CSV or XLSX list takes up to \
             {} bytes, JSON up to {BODY_LIMIT})",
            services::invitees::MAX_FILE
        ))
    };
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(services::invitees::MAX_FILE),
        _ => body_error(e.status(), e.body_text()),
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let rows = if content_type.starts_with("text/csv") {
        services::invitees::read_csv(&body)?
    } else if content_type.starts_with(XLSX) {
        services::invitees::read_xlsx(&body)?
    } else if content_type.starts_with("application/json") {
        if body.len() > BODY_LIMIT {
            return Err(too_large(BODY_LIMIT));
        }
        let items: Vec<serde_json::Value> = serde_json::from_slice(&body).map_err(|e| {
            AppError::BadRequest(format!("the body must be a JSON array of invitees: {e}"))
        })?;
        services::invitees::read_json(items)?
    } else {
        return Err(AppError::UnsupportedMediaType(format!(
            "send invitees as text/csv, as an XLSX spreadsheet ({XLSX}) or as a JSON array (application/json)"
        )));
    };
    Ok(Json(
        services::invitees::import(&state, &webinar, rows).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct InviteeView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub country: Option<String>,
    pub time_zone: String,
    pub language: String,
    /// The session the time-zone rule recommends now; `null` when every session is full.
    pub recommended_session_id: Option<Uuid>,
    pub recommended_session_label: Option<String>,
    /// The recommended session's local start in the invitee's zone.
    pub recommended_local_start: Option<String>,
    pub outside_working_hours: bool,
    /// The invitee's registration, once invited or registered.
    pub registration: Option<InviteeRegistration>,
}

#[derive(Serialize, ToSchema)]
pub struct InviteeRegistration {
    pub id: Uuid,
    pub session_id: Uuid,
    pub status: String,
}

/// By organization (none first), then name.
#[utoipa::path(get, path = "/api/v1/webinars/{id}/invitees", tag = "invitees",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id"), PageQuery),
    responses((status = 200, body = Vec<InviteeView>, headers(("Link" = String, description = "with limit, when another page follows: <URL of the next page>; rel=\"next\" (RFC 8288); the URL keeps the other query parameters"))),
        (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
    uri: Uri,
) -> AppResult<(HeaderMap, Json<Vec<InviteeView>>)> {
    let page = paging.page()?;
    let webinar = members::access(&state, &organizer, id, Need::Read).await?;
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), id).await?;
    let mut invitees = match &page {
        Some(page) => db::invitees::page(conn.exec(), id, page).await?,
        None => db::invitees::list(conn.exec(), id).await?,
    };
    let link = paging::next_link(
        &mut invitees,
        page.as_ref(),
        db::invitees::key,
        &state.settings.server.public_url,
        &uri,
    );
    // A page needs the registrations of its invitees only.
    let registrations = match &page {
        Some(_) => {
            let keys: Vec<String> = invitees.iter().map(|i| i.email.key()).collect();
            db::registrations::by_email_keys(conn.exec(), id, &keys).await?
        }
        None => db::registrations::list(conn.exec(), id, None).await?,
    };
    let registrations: HashMap<String, _> = registrations
        .into_iter()
        .map(|r| (r.email.key(), r))
        .collect();
    let now = Utc::now();
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    let views = invitees
        .into_iter()
        .map(|i| {
            let local = assignment::evaluate(&webinar.rules, i.time_zone.0, &candidates);
            let pick = sessions.iter().zip(&local).find(|(_, l)| l.recommended);
            InviteeView {
                id: i.id.0,
                name: i.name.as_str().to_string(),
                email: i.email.as_str().to_string(),
                organization: i.organization,
                role: i.role,
                country: i.country.map(|c| c.as_str().to_string()),
                time_zone: i.time_zone.to_string(),
                language: i.language.code().to_string(),
                recommended_session_id: pick.map(|(s, _)| s.id.0),
                recommended_session_label: pick.map(|(s, _)| s.label.clone()),
                recommended_local_start: pick.map(|(_, l)| {
                    l.local_start
                        .fixed_offset()
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                }),
                outside_working_hours: pick.is_some_and(|(_, l)| !l.suitable),
                registration: registrations
                    .get(&i.email.key())
                    .map(|r| InviteeRegistration {
                        id: r.id.0,
                        session_id: r.session_id.0,
                        status: r.status.as_str().to_string(),
                    }),
            }
        })
        .collect();
    Ok((link, Json(views)))
}
