//! Registrations: anyone registers for a webinar; the holder of a manage token reads,
//! switches and cancels; the organizer lists them.

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paging::{self, PageQuery};
use super::sessions::local_listing;
use super::views::{PersonalLinks, RegistrationView};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::db;
use crate::db::organizers::Organizer;
use crate::domain::member::Need;
use crate::domain::registration::{Registration, RegistrationStatus};
use crate::domain::values::{optional_country, optional_text};
use crate::domain::webinar::{Session, Webinar};
use crate::domain::{EmailAddress, Language, PersonName, RegistrationId, SessionId, WebinarId};
use crate::error::{AppError, AppResult};
use crate::services::members;
use crate::services::registrations::{
    self as service, Decision, DecisionReport, NewRegistration, Registered,
};
use crate::services::webinars::{public_webinar, published};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webinars/{id}/registrations", post(register).get(list))
        .route("/v1/webinars/{id}/registrations/approve", post(approve))
        .route("/v1/webinars/{id}/registrations/decline", post(decline))
        .route(
            "/v1/registrations/{token}",
            get(read).patch(switch).delete(cancel),
        )
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct RegisterInput {
    #[schema(required = true)]
    pub name: String,
    #[schema(required = true)]
    pub email: String,
    /// IANA zone, e.g. `Asia/Tokyo`.
    #[schema(required = true)]
    pub time_zone: String,
    pub organization: Option<String>,
    /// Role or title, for the participant list.
    pub role: Option<String>,
    /// ISO 3166 two-letter country code, for the participant list.
    pub country: Option<String>,
    /// en, es, fr, ru or ar; default the webinar's first language.
    pub language: Option<String>,
    /// Leave out to let the time-zone rule pick.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub session_id: Option<SessionId>,
    /// Agrees to be named in the shareable participant list (default false).
    pub share_in_participant_list: bool,
    /// On a webinar with `waiting_list`: when the session is full and the person is put on
    /// its waiting list, the ids of other sessions whose lists they join too; they get
    /// whichever seat frees first and leave the other lists.
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 50)]
    pub also_wait_for: Vec<SessionId>,
}

/// More sessions than a webinar sensibly has: a longer `also_wait_for` is refused.
const ALSO_WAIT_FOR_MAX: usize = 50;

impl RegisterInput {
    fn check(&self) -> AppResult<NewRegistration> {
        if self.also_wait_for.len() > ALSO_WAIT_FOR_MAX {
            return Err(AppError::BadRequest(format!(
                "also_wait_for: at most {ALSO_WAIT_FOR_MAX} session ids"
            )));
        }
        Ok(NewRegistration {
            name: PersonName::parse(&self.name)?,
            email: EmailAddress::parse(&self.email)?,
            organization: optional_text("organization", self.organization.as_deref(), 300)?,
            role: optional_text("role", self.role.as_deref(), 200)?,
            country: optional_country(self.country.as_deref())?,
            time_zone: self.time_zone.parse()?,
            language: self
                .language
                .as_deref()
                .filter(|l| !l.trim().is_empty())
                .map(str::parse::<Language>)
                .transpose()?,
            session_id: self.session_id,
            share_in_participant_list: self.share_in_participant_list,
            also_wait_for: self.also_wait_for.clone(),
        })
    }
}

/// The registration with its session seen from the registrant's zone.
fn view(
    state: &AppState,
    webinar: &Webinar,
    sessions: &[Session],
    r: &Registration,
    token: Option<&str>,
) -> RegistrationView {
    let listing = local_listing(&webinar.rules, r.time_zone, sessions, token.is_some());
    let session = listing
        .sessions
        .into_iter()
        .find(|s| s.session.id == r.session_id.0);
    let links = token.map(|t| PersonalLinks {
        manage: format!("{}/r/{t}", state.settings.server.public_url),
        join: state.join_link(r.id),
    });
    RegistrationView::new(r, session, links)
}

/// A registrant's view with their places on waiting lists.
async fn own_view(
    state: &AppState,
    webinar: &Webinar,
    r: &Registration,
    token: &str,
) -> AppResult<RegistrationView> {
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    let places = if r.status == RegistrationStatus::Waitlisted {
        db::waitlist::places(conn.exec(), webinar.id, Some(r.id)).await?
    } else {
        Vec::new()
    };
    Ok(view(state, webinar, &sessions, r, Some(token)).waiting(&places))
}

/// The answer when nothing can be shown to the caller: the address's owner was emailed.
#[derive(Serialize, ToSchema)]
pub struct CheckEmail {
    /// Always `check your email`.
    pub status: &'static str,
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/registrations", tag = "registrations",
    request_body = RegisterInput, params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses(
        (status = 201, description = "registered (or, on an `approval` webinar, pending approval; or, when the session is full and the webinar keeps a `waiting_list`, `status: \"waitlisted\"` with `waitlist_position`, 1 for the first in line); the answer holds the manage_url", body = RegistrationView),
        (status = 202, description = "nothing is shown to the caller: the address was registered already, or is on the invitee list; its owner gets their personal link or invitation by email", body = CheckEmail),
        (status = 400, body = super::openapi::ErrorBody),
        (status = 403, description = "registration is closed, or the webinar is by invitation only", body = super::openapi::ErrorBody),
        (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "the chosen session is cancelled or started, or full on a webinar without a waiting list", body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody),
        (status = 429, description = "too many requests from this address; see Retry-After", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn register(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> AppResult<Response> {
    let new = input.check()?;
    // The copy this instance keeps (a second at most, changes made here seen at once):
    // registrations come in bursts.
    let webinar = published(&state, id).await?.webinar.clone();
    Ok(match service::register(&state, &webinar, new).await? {
        Registered::Created(r, token) => {
            let view = if r.status == RegistrationStatus::Registered {
                // Seats as of this registration's commit (it updated the copy).
                let published = published(&state, id).await?;
                view(&state, &webinar, &published.sessions, &r, Some(&token))
            } else {
                own_view(&state, &webinar, &r, &token).await?
            };
            (StatusCode::CREATED, Json(view)).into_response()
        }
        Registered::CheckEmail => (
            StatusCode::ACCEPTED,
            Json(CheckEmail {
                status: "check your email",
            }),
        )
            .into_response(),
    })
}

/// Registrations to approve or decline.
#[derive(Deserialize, ToSchema)]
pub struct DecisionInput {
    /// Ids of registrations waiting for approval (status `pending`); at most 10,000.
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 10000)]
    pub registration_ids: Vec<RegistrationId>,
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/registrations/approve", tag = "registrations",
    security(("bearer" = [])), request_body = DecisionInput,
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, description = "approved: each gets a seat and a calendar invitation; registrations that were not pending or whose session is full are listed in skipped", body = DecisionReport),
        (status = 400, body = super::openapi::ErrorBody), (status = 401, body = super::openapi::ErrorBody),
        (status = 404, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn approve(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Json<DecisionReport>> {
    decide(&state, &organizer, id, input, Decision::Approve).await
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/registrations/decline", tag = "registrations",
    security(("bearer" = [])), request_body = DecisionInput,
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, description = "declined: each person is told by email; registrations that were not pending are listed in skipped", body = DecisionReport),
        (status = 400, body = super::openapi::ErrorBody), (status = 401, body = super::openapi::ErrorBody),
        (status = 404, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn decline(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Json<DecisionReport>> {
    decide(&state, &organizer, id, input, Decision::Decline).await
}

async fn decide(
    state: &AppState,
    organizer: &Organizer,
    id: WebinarId,
    input: DecisionInput,
    decision: Decision,
) -> AppResult<Json<DecisionReport>> {
    if input.registration_ids.len() > 10_000 {
        return Err(AppError::BadRequest(
            "registration_ids: at most 10,000 at a time".into(),
        ));
    }
    let webinar = members::access(state, organizer, id, Need::Edit).await?;
    let report = service::decide(state, &webinar, &input.registration_ids, decision).await?;
    Ok(Json(report))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only the registrations of this session.
    #[param(value_type = Option<uuid::Uuid>)]
    pub session_id: Option<SessionId>,
}

/// In the order they came.
#[utoipa::path(get, path = "/api/v1/webinars/{id}/registrations", tag = "registrations",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id"), ListQuery, PageQuery),
    responses((status = 200, body = Vec<RegistrationView>, headers(("Link" = String, description = "with limit, when another page follows: <URL of the next page>; rel=\"next\" (RFC 8288); the URL keeps the other query parameters"))),
        (status = 401, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiQuery(paging): ApiQuery<PageQuery>,
    uri: Uri,
) -> AppResult<(HeaderMap, Json<Vec<RegistrationView>>)> {
    let page = paging.page()?;
    let webinar = members::access(&state, &organizer, id, Need::Read).await?;
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), id).await?;
    let mut registrations = match &page {
        Some(page) => db::registrations::page(conn.exec(), id, query.session_id, page).await?,
        None => db::registrations::list(conn.exec(), id, query.session_id).await?,
    };
    let link = paging::next_link(
        &mut registrations,
        page.as_ref(),
        db::registrations::key,
        &state.settings.server.public_url,
        &uri,
    );
    let places = db::waitlist::places(conn.exec(), id, None).await?;
    Ok((
        link,
        Json(
            registrations
                .iter()
                .map(|r| view(&state, &webinar, &sessions, r, None).waiting(&places))
                .collect(),
        ),
    ))
}

#[utoipa::path(get, path = "/api/v1/registrations/{token}", tag = "registrations",
    params(("token" = String, Path, description = "the private manage token")),
    responses((status = 200, body = RegistrationView), (status = 404, body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn read(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> AppResult<Json<RegistrationView>> {
    let (registration, webinar) = service::by_token(&state, &token).await?;
    Ok(Json(
        own_view(&state, &webinar, &registration, &token).await?,
    ))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct SwitchInput {
    /// The session to move to.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub session_id: Option<SessionId>,
    /// Agree (true) or no longer agree (false) to be named in the shareable participant list.
    pub share_in_participant_list: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/registrations/{token}", tag = "registrations", request_body = SwitchInput,
    params(("token" = String, Path, description = "the private manage token")),
    responses((status = 200, body = RegistrationView), (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "the session is full, cancelled or started", body = super::openapi::ErrorBody), (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody),
        (status = 429, description = "too many changes or requests; see Retry-After", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn switch(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(input): ApiJson<SwitchInput>,
) -> AppResult<Json<RegistrationView>> {
    if input.session_id.is_none() && input.share_in_participant_list.is_none() {
        return Err(AppError::BadRequest(
            "give session_id (the session to switch to) or share_in_participant_list".into(),
        ));
    }
    let mut registration = None;
    if let Some(share) = input.share_in_participant_list {
        registration = Some(service::set_consent(&state, &token, share).await?);
    }
    if let Some(session_id) = input.session_id {
        registration = Some(service::switch(&state, &token, session_id).await?);
    }
    let registration = registration.expect("one of the two was given");
    let webinar = public_webinar(&state, registration.webinar_id).await?;
    Ok(Json(
        own_view(&state, &webinar, &registration, &token).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/registrations/{token}", tag = "registrations",
    params(("token" = String, Path, description = "the private manage token")),
    responses((status = 200, description = "cancelled", body = RegistrationView), (status = 404, body = super::openapi::ErrorBody),
        (status = 429, description = "too many changes or requests; see Retry-After", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn cancel(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> AppResult<Json<RegistrationView>> {
    let registration = service::cancel(&state, &token).await?;
    let webinar = public_webinar(&state, registration.webinar_id).await?;
    Ok(Json(
        own_view(&state, &webinar, &registration, &token).await?,
    ))
}
