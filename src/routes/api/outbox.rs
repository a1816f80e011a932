//! Sending invitations and watching the outbox.

use axum::http::{HeaderMap, Uri};
use axum::routing::{get, post};
use axum::{Json, Router, extract::State};
use serde::Serialize;
use utoipa::ToSchema;

use super::paging::{self, PageQuery};
use super::views::utc;
use super::{ApiPath, ApiQuery};
use crate::db;
use crate::db::organizers::Organizer;
use crate::domain::WebinarId;
use crate::domain::member::Need;
use crate::error::AppResult;
use crate::services::invitations::{self, InvitationReport};
use crate::services::members;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webinars/{id}/invitations", post(send_invitations))
        .route("/v1/webinars/{id}/outbox", get(list))
        .route("/v1/webinars/{id}/outbox/{message}/retry", post(retry))
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/invitations", tag = "invitees", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, description = "invitations queued for the invitees not invited yet", body = InvitationReport),
        (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn send_invitations(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
) -> AppResult<Json<InvitationReport>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    Ok(Json(invitations::send(&state, &webinar).await?))
}

#[derive(Serialize, ToSchema)]
pub struct OutboxEntry {
    pub id: i64,
    pub recipient: String,
    /// invitation, confirmation, switched, rescheduled, cancelled, session_cancelled,
    /// chair_invitation, chair_rescheduled, chair_cancelled, reminder, manage_link.
    pub kind: String,
    /// `pending`, `sent`, `failed`, `superseded` (replaced, before it went out, by a
    /// newer message about the same calendar event) or `bounced` (sent, then reported
    /// undeliverable for good).
    pub status: String,
    pub attempts: i64,
    /// The server's answer to the last failed attempt.
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// When a pending message is tried next.
    pub next_attempt_at: Option<String>,
    /// `bounced`: the reported status (such as `5.1.1`) and the mail server's words.
    pub bounce_status: Option<String>,
    pub bounce_diagnostic: Option<String>,
}

/// In the order they were queued.
#[utoipa::path(get, path = "/api/v1/webinars/{id}/outbox", tag = "invitees", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), PageQuery),
    responses((status = 200, body = Vec<OutboxEntry>, headers(("Link" = String, description = "with limit, when another page follows: <URL of the next page>; rel=\"next\" (RFC 8288); the URL keeps the other query parameters"))),
        (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
    uri: Uri,
) -> AppResult<(HeaderMap, Json<Vec<OutboxEntry>>)> {
    let page = paging.page()?;
    members::access(&state, &organizer, id, Need::Read).await?;
    let mut conn = state.db.conn().await?;
    let mut entries = match &page {
        Some(page) => db::outbox::page(conn.exec(), id, page).await?,
        None => db::outbox::list(conn.exec(), id).await?,
    };
    let link = paging::next_link(
        &mut entries,
        page.as_ref(),
        |e| e.id,
        &state.settings.server.public_url,
        &uri,
    );
    Ok((
        link,
        Json(
            entries
                .into_iter()
                .map(|e| OutboxEntry {
                    next_attempt_at: (e.status == "pending").then(|| utc(e.next_attempt_at)),
                    id: e.id,
                    recipient: e.recipient,
                    kind: e.kind,
                    status: e.status,
                    attempts: e.attempts,
                    last_error: e.last_error,
                    created_at: utc(e.created_at),
                    sent_at: e.sent_at.map(utc),
                    bounce_status: e.bounce_status,
                    bounce_diagnostic: e.bounce_diagnostic,
                })
                .collect(),
        ),
    ))
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/outbox/{message}/retry", tag = "invitees", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("message" = i64, Path, description = "outbox message id")),
    responses((status = 200, description = "queued again", body = Retried), (status = 404, body = super::openapi::ErrorBody), (status = 409, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn retry(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, message)): ApiPath<(WebinarId, i64)>,
) -> AppResult<Json<Retried>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    invitations::retry_message(&state, &webinar, message).await?;
    Ok(Json(Retried { status: "pending" }))
}

#[derive(Serialize, ToSchema)]
pub struct Retried {
    /// `pending`: the message waits for the mail worker again.
    pub status: &'static str,
}
