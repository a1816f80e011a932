//! `/api/v1/webinars/{id}/members`: co-organizers and their roles; `/audit`: the audit
//! trail of the webinar; `/api/v1/account/audit`: the account's sign-ins.

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::{get, patch};
use axum::{Json, Router, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging::{PageQuery, next_link};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::db::audit::{Event, Filter};
use crate::db::members::Member;
use crate::db::organizers::Organizer;
use crate::domain::member::{Need, Role};
use crate::domain::{EmailAddress, MemberId, WebinarId};
use crate::error::{AppError, AppResult};
use crate::services::members::{self, NewMember};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webinars/{id}/members", get(list).post(add))
        .route(
            "/v1/webinars/{id}/members/{member_id}",
            patch(change).delete(remove),
        )
        .route("/v1/webinars/{id}/audit", get(audit))
        .route("/v1/account/audit", get(account_audit))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct MemberInput {
    #[schema(required = true)]
    pub email: String,
    /// `owner`, `organizer` or `viewer`.
    #[schema(required = true)]
    pub role: String,
    /// Viewers only: may download the lists with personal data. Default false.
    pub personal_data: bool,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct MemberChange {
    /// `owner`, `organizer` or `viewer`; unchanged when left out.
    pub role: Option<String>,
    /// Viewers: may download the lists with personal data; unchanged when left out.
    pub personal_data: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `owner`, `organizer` or `viewer`.
    pub role: String,
    /// Whether the member may download lists with personal data.
    pub personal_data: bool,
    /// False until an invited address has set its password.
    pub has_account: bool,
    pub added_at: DateTime<Utc>,
}

impl From<&Member> for MemberView {
    fn from(m: &Member) -> Self {
        MemberView {
            id: m.id.0,
            email: m.email.clone(),
            name: m.name.clone(),
            role: m.role.as_str().into(),
            personal_data: m.role != Role::Viewer || m.personal_data,
            has_account: m.has_account,
            added_at: m.created_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}/members", tag = "members",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, body = Vec<MemberView>)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
) -> AppResult<Json<Vec<MemberView>>> {
    let access = members::access(&state, &organizer, id, Need::Read).await?;
    let list = members::list(&state, &access).await?;
    Ok(Json(list.iter().map(MemberView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/members", tag = "members",
    request_body = MemberInput, security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 201, description = "added; an address without an account is emailed a link to create one", body = MemberView),
        (status = 409, description = "already a member", body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn add(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<MemberInput>,
) -> AppResult<(StatusCode, Json<MemberView>)> {
    let access = members::access(&state, &organizer, id, Need::Own).await?;
    let new = NewMember {
        email: EmailAddress::parse(&input.email)?,
        role: Role::parse(input.role.trim()).map_err(AppError::BadRequest)?,
        personal_data: input.personal_data,
    };
    let member = members::add(&state, &access, new).await?;
    Ok((StatusCode::CREATED, Json(MemberView::from(&member))))
}

#[utoipa::path(patch, path = "/api/v1/webinars/{id}/members/{member_id}", tag = "members",
    request_body = MemberChange, security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("member_id" = uuid::Uuid, Path, description = "member id")),
    responses((status = 200, body = MemberView),
        (status = 409, description = "the last owner cannot be demoted", body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn change(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, member_id)): ApiPath<(WebinarId, MemberId)>,
    ApiJson(input): ApiJson<MemberChange>,
) -> AppResult<Json<MemberView>> {
    let access = members::access(&state, &organizer, id, Need::Own).await?;
    let role = input
        .role
        .as_deref()
        .map(|r| Role::parse(r.trim()).map_err(AppError::BadRequest))
        .transpose()?;
    let member = members::change(&state, &access, member_id, role, input.personal_data).await?;
    Ok(Json(MemberView::from(&member)))
}

#[utoipa::path(delete, path = "/api/v1/webinars/{id}/members/{member_id}", tag = "members",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("member_id" = uuid::Uuid, Path, description = "member id")),
    responses((status = 204, description = "removed"),
        (status = 409, description = "the last owner cannot leave", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn remove(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, member_id)): ApiPath<(WebinarId, MemberId)>,
) -> AppResult<StatusCode> {
    let access = members::access(&state, &organizer, id, Need::Own).await?;
    members::remove(&state, &access, member_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AuditQuery {
    /// Only actions starting with this, e.g. `session.` or `member.added`.
    pub action: Option<String>,
    /// Only actions by an address containing this.
    pub actor: Option<String>,
    /// From this day (UTC, `YYYY-MM-DD`), included.
    #[param(value_type = Option<String>, format = Date)]
    pub since: Option<String>,
    /// To this day (UTC, `YYYY-MM-DD`), included.
    #[param(value_type = Option<String>, format = Date)]
    pub until: Option<String>,
    /// Rows per page, 1 to 200 (see the other lists).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The account that acted (its address at the time).
    pub actor: String,
    /// What was done, e.g. `session.changed`, `invitations.sent`, `member.added`.
    pub action: String,
    /// A short summary of the change.
    pub summary: String,
}

impl From<&Event> for AuditView {
    fn from(e: &Event) -> Self {
        AuditView {
            id: e.id,
            at: e.at,
            actor: e.actor.clone(),
            action: e.action.clone(),
            summary: e.summary.clone(),
        }
    }
}

fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The events of `base` filtered as `query` asks, one page, with the `Link` to the next.
async fn events(
    state: &AppState,
    query: &AuditQuery,
    base: Filter<'_>,
    uri: &Uri,
) -> AppResult<(HeaderMap, Json<Vec<AuditView>>)> {
    let paging = PageQuery {
        limit: Some(query.limit.clone().unwrap_or_else(|| "100".into())),
        cursor: query.cursor.clone(),
    };
    let page = paging.page::<i64>()?.expect("a limit is always given");
    let (since, until) = members::audit_days(query.since.as_deref(), query.until.as_deref())?;
    let filter = Filter {
        action: text(&query.action),
        actor: text(&query.actor),
        since,
        until,
        ..base
    };
    let mut rows = members::audit(state, &filter, &page).await?;
    let headers = next_link(
        &mut rows,
        Some(&page),
        |e: &Event| e.id,
        &state.settings.server.public_url,
        uri,
    );
    Ok((headers, Json(rows.iter().map(AuditView::from).collect())))
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}/audit", tag = "members",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id"), AuditQuery),
    responses((status = 200, description = "newest first; 100 a page unless `limit` says otherwise, the next page in the `Link: rel=\"next\"` header", body = Vec<AuditView>)))]
#[tracing::instrument(skip_all)]
pub async fn audit(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiQuery(query): ApiQuery<AuditQuery>,
    uri: Uri,
) -> AppResult<(HeaderMap, Json<Vec<AuditView>>)> {
    members::access(&state, &organizer, id, Need::Edit).await?;
    let base = Filter {
        webinar: Some(id),
        organizer: None,
        action: None,
        actor: None,
        since: None,
        until: None,
    };
    events(&state, &query, base, &uri).await
}

#[utoipa::path(get, path = "/api/v1/account/audit", tag = "members",
    security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, description = "the account's own events (sign-ins, failed sign-ins), newest first", body = Vec<AuditView>)))]
#[tracing::instrument(skip_all)]
pub async fn account_audit(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiQuery(query): ApiQuery<AuditQuery>,
    uri: Uri,
) -> AppResult<(HeaderMap, Json<Vec<AuditView>>)> {
    let base = Filter {
        webinar: None,
        organizer: Some(organizer.id),
        action: Some("account."),
        actor: None,
        since: None,
        until: None,
    };
    let query = AuditQuery {
        action: None,
        ..query
    };
    events(&state, &query, base, &uri).await
}
