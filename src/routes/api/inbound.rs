//! Inbound mail: the webhook that hands Meridian a raw message (calendar answers,
//! bounces), and the organizer's list of what came back for a webinar.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiPath;
use super::views::utc;
use crate::db::inbound::Stored;
use crate::db::organizers::Organizer;
use crate::domain::WebinarId;
use crate::domain::member::Need;
use crate::error::{AppError, AppResult};
use crate::services::inbound;
use crate::services::members;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/inbound-mail",
            // The body is read here up to `mail.inbound.max_bytes` (a larger message is
            // stored as unreadable from its beginning).
            post(receive).layer(DefaultBodyLimit::disable()),
        )
        .route("/v1/webinars/{id}/inbound", get(list))
        .route("/v1/webinars/{id}/inbound/{message}/apply", post(apply))
        .route("/v1/webinars/{id}/inbound/{message}/dismiss", post(dismiss))
}

#[derive(Serialize, ToSchema)]
pub struct InboundView {
    pub id: Uuid,
    /// `answer` (a calendar REPLY), `counter` (a new time proposed), `bounce`,
    /// `auto_reply`, `other` or `unreadable`.
    pub kind: String,
    /// `applied`, `held` (waits for the organizer: apply or dismiss), `ignored` or
    /// `unreadable`.
    pub outcome: String,
    pub reason: String,
    /// The From address.
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub received_at: String,
    /// When the organizer applied or dismissed it.
    pub decided_at: Option<String>,
}

impl From<Stored> for InboundView {
    fn from(s: Stored) -> Self {
        InboundView {
            id: s.id,
            kind: s.kind,
            outcome: s.outcome,
            reason: s.reason,
            sender: s.sender,
            subject: s.subject,
            received_at: utc(s.received_at),
            decided_at: s.decided_at.map(utc),
        }
    }
}

/// One raw RFC 822 message (`message/rfc822`), as mail providers' inbound webhooks post
/// it. Processing the same message (Message-ID) again answers what was done the first time.
#[utoipa::path(post, path = "/api/v1/inbound-mail", tag = "inbound mail",
    security(("inbound_secret" = [])),
    request_body(content = String, content_type = "message/rfc822", description = "the raw message"),
    responses((status = 200, description = "processed (also when unreadable: it is stored as such)", body = InboundView),
        (status = 401, description = "no or wrong Authorization: Bearer <mail.inbound.secret>, or no secret is set", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<InboundView>> {
    let Some(secret) = state
        .settings
        .mail
        .inbound
        .secret
        .as_ref()
        .map(|s| s.0.as_str())
    else {
        return Err(AppError::Unauthorized(
            "inbound mail is off: set mail.inbound.secret to use this route".into(),
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim();
    // Compared as digests, so the time taken says nothing about the secret.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(secret.as_bytes()) {
        return Err(AppError::Unauthorized(
            "this route needs Authorization: Bearer <mail.inbound.secret>".into(),
        ));
    }
    let max = state.settings.mail.inbound.max_bytes;
    let mut raw = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(format!("reading the body: {e}")))?;
        raw.extend_from_slice(&chunk);
        if raw.len() > max {
            break;
        }
    }
    Ok(Json(inbound::receive(&state, &raw).await?.into()))
}

/// Newest first.
#[utoipa::path(get, path = "/api/v1/webinars/{id}/inbound", tag = "inbound mail", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, body = Vec<InboundView>), (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
) -> AppResult<Json<Vec<InboundView>>> {
    let webinar = members::access(&state, &organizer, id, Need::Read).await?;
    let stored = inbound::list(&state, &webinar).await?;
    Ok(Json(stored.into_iter().map(Into::into).collect()))
}

/// Applies a held calendar answer as if its sender were the attendee it speaks for.
#[utoipa::path(post, path = "/api/v1/webinars/{id}/inbound/{message}/apply", tag = "inbound mail", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("message" = uuid::Uuid, Path, description = "inbound message id")),
    responses((status = 200, body = InboundView), (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "not held, or not an answer that can be applied", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn apply(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, message)): ApiPath<(WebinarId, Uuid)>,
) -> AppResult<Json<InboundView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    Ok(Json(
        inbound::apply(&state, &webinar, message).await?.into(),
    ))
}

/// Sets a held message aside; nothing changes.
#[utoipa::path(post, path = "/api/v1/webinars/{id}/inbound/{message}/dismiss", tag = "inbound mail", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("message" = uuid::Uuid, Path, description = "inbound message id")),
    responses((status = 200, body = InboundView), (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "not held", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn dismiss(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, message)): ApiPath<(WebinarId, Uuid)>,
) -> AppResult<Json<InboundView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    Ok(Json(
        inbound::dismiss(&state, &webinar, message).await?.into(),
    ))
}
