//! After the event: attendance import and corrections, the participant list, the
//! report and the follow-up emails. Organizer only.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiPath, ApiQuery, body_error};
use crate::db::organizers::Organizer;
use crate::domain::attendance::Presence;
use crate::domain::member::Need;
use crate::domain::registration::Registration;
use crate::domain::values::{self, EmailAddress};
use crate::domain::{Language, RegistrationId, SessionId, TimeZone, WebinarId};
use crate::error::{AppError, AppResult};
use crate::routes::downloads::{ParticipantsQuery, participants_response};
use crate::routes::upload::REPORT_LIMIT;
use crate::services::attendance::{self as service, ImportOutcome, Mark};
use crate::services::follow_up::{self, FollowUp};
use crate::services::members;
use crate::services::report::{self, Report};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/webinars/{id}/attendance",
            post(import).layer(DefaultBodyLimit::max(REPORT_LIMIT)),
        )
        .route("/v1/webinars/{id}/attendance/links", post(link))
        .route(
            "/v1/webinars/{id}/registrations/{registration_id}/attendance",
            put(mark).get(read).delete(unmark),
        )
        .route("/v1/webinars/{id}/participants", get(participant_list))
        .route("/v1/webinars/{id}/report", get(read_report))
        .route("/v1/webinars/{id}/follow-up", post(send_follow_up))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The session the report is of; everyone in it is counted in this session.
    #[param(value_type = uuid::Uuid, required = true)]
    pub session_id: Option<SessionId>,
    /// Time zone the report's times are written in; default (also when blank) the webinar's.
    pub tz: Option<String>,
    /// `true`: answer what the import would do and store nothing; default `false`.
    #[param(value_type = Option<bool>)]
    pub dry_run: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/attendance", tag = "attendance",
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ImportQuery),
    request_body(description = "Zoom webinar attendee report or meeting participants (CSV or XLSX), or Microsoft Teams attendance report or attendance list (UTF-16, tab-separated, or re-saved as CSV), as exported", content_type = "text/csv"),
    responses((status = 200, body = ImportOutcome), (status = 400, body = super::openapi::ErrorBody),
        (status = 404, body = super::openapi::ErrorBody), (status = 422, description = "the report cannot be read: the message says where", body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn import(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<ImportOutcome>> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(format!(
            "the report is larger than {} MB: split it by session",
            REPORT_LIMIT / (1024 * 1024)
        )),
        status => body_error(status, e.body_text()),
    })?;
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let session_id = query.session_id.ok_or_else(|| {
        AppError::BadRequest("add ?session_id= with the session this report is of".into())
    })?;
    let tz = super::given(query.tz.as_deref())
        .map(str::parse::<TimeZone>)
        .transpose()?;
    let dry_run = values::flag("dry_run", query.dry_run.as_deref())?;
    Ok(Json(
        service::import(&state, &webinar, session_id, tz, dry_run, body).await?,
    ))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct MarkInput {
    /// True: attended; false: absent, whatever the join link or the report say.
    pub attended: bool,
    /// The session attended; default the session registered for.
    #[schema(value_type = Option<uuid::Uuid>)]
    #[serde(default)]
    pub session_id: Option<SessionId>,
    /// Minutes attended, if known; a session lasts at most a day.
    #[serde(default)]
    #[schema(maximum = 1440)]
    pub minutes: Option<u32>,
}

/// A person's attendance as it counts now, one entry per session they are on record for.
#[derive(Serialize, ToSchema)]
pub struct AttendanceView {
    pub registration_id: uuid::Uuid,
    pub name: String,
    pub attended: bool,
    pub sessions: Vec<PresenceView>,
}

#[derive(Serialize, ToSchema)]
pub struct PresenceView {
    pub session_id: uuid::Uuid,
    pub attended: bool,
    /// `join_link`, `import` or `manual`: the source that counts.
    pub source: String,
    pub joined_at: Option<String>,
    pub left_at: Option<String>,
    pub minutes: Option<u32>,
}

fn attendance_view((r, presence): (Registration, Vec<Presence>)) -> Json<AttendanceView> {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    Json(AttendanceView {
        registration_id: r.id.0,
        name: r.name,
        attended: presence.iter().any(|p| p.attended),
        sessions: presence
            .into_iter()
            .map(|p| PresenceView {
                session_id: p.session_id.0,
                attended: p.attended,
                source: p.source.as_str().to_string(),
                joined_at: time(p.joined_at),
                left_at: time(p.left_at),
                minutes: p.minutes,
            })
            .collect(),
    })
}

#[derive(Deserialize, ToSchema)]
pub struct LinkInput {
    /// The row's name as the report writes it (an unmatched row of an import's answer).
    pub name: String,
    /// The row's e-mail address as the report writes it, if it has one.
    #[serde(default)]
    pub email: Option<String>,
    /// The address of the registration the row is.
    pub registration_email: String,
}

#[derive(Serialize, ToSchema)]
pub struct LinkView {
    pub registration_id: uuid::Uuid,
    pub name: String,
}

/// Links a report row that matched nobody to a registration; every later import of the
/// webinar (the same report again included) matches that row to it.
#[utoipa::path(post, path = "/api/v1/webinars/{id}/attendance/links", tag = "attendance",
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    request_body = LinkInput,
    responses((status = 200, body = LinkView), (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn link(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<LinkInput>,
) -> AppResult<Json<LinkView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let registrant = EmailAddress::parse(&input.registration_email)?;
    let email = super::given(input.email.as_deref());
    let r = service::link(&state, &webinar, &input.name, email, &registrant).await?;
    Ok(Json(LinkView {
        registration_id: r.id.0,
        name: r.name,
    }))
}

#[utoipa::path(put, path = "/api/v1/webinars/{id}/registrations/{registration_id}/attendance", tag = "attendance",
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("registration_id" = uuid::Uuid, Path)),
    request_body = MarkInput,
    responses((status = 200, body = AttendanceView), (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn mark(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, registration)): ApiPath<(WebinarId, RegistrationId)>,
    ApiJson(input): ApiJson<MarkInput>,
) -> AppResult<Json<AttendanceView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let mark = Mark {
        attended: input.attended,
        session_id: input.session_id,
        minutes: input.minutes,
    };
    Ok(attendance_view(
        service::mark(&state, &webinar, registration, mark).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}/registrations/{registration_id}/attendance", tag = "attendance",
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("registration_id" = uuid::Uuid, Path)),
    responses((status = 200, body = AttendanceView), (status = 404, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, registration)): ApiPath<(WebinarId, RegistrationId)>,
) -> AppResult<Json<AttendanceView>> {
    let webinar = members::access(&state, &organizer, id, Need::Read).await?;
    Ok(attendance_view(
        service::of_registration(&state, &webinar, registration).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/webinars/{id}/registrations/{registration_id}/attendance", tag = "attendance",
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("registration_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "the correction is gone; the join link and the report count again", body = AttendanceView),
        (status = 404, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn unmark(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, registration)): ApiPath<(WebinarId, RegistrationId)>,
) -> AppResult<Json<AttendanceView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    Ok(attendance_view(
        service::unmark(&state, &webinar, registration).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}/participants", tag = "attendance",
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ParticipantsQuery),
    responses((status = 200, description = "grouped by organization, in the asked format",
            content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/html"))),
        (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn participant_list(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiQuery(query): ApiQuery<ParticipantsQuery>,
) -> AppResult<Response> {
    let webinar = members::access(&state, &organizer, id, Need::Read).await?;
    let language = match super::given(query.lang.as_deref()) {
        Some(code) => code.parse()?,
        None => Language::En,
    };
    participants_response(&state, &webinar, &query, language).await
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}/report", tag = "attendance",
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, body = Report), (status = 404, body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn read_report(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
) -> AppResult<Json<Report>> {
    let webinar = members::access(&state, &organizer, id, Need::Read).await?;
    Ok(Json(report::build(&state, &webinar).await?))
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/follow-up", tag = "attendance",
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, description = "queued now (people emailed before are not counted again)", body = FollowUp),
        (status = 409, description = "a session is still to come", body = super::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn send_follow_up(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
) -> AppResult<Json<FollowUp>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    Ok(Json(follow_up::send(&state, &webinar).await?))
}
