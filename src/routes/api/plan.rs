//! The session planner: proposals for the sessions' times, and applying one.

use axum::routing::post;
use axum::{Json, Router, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath};
use crate::db::organizers::Organizer;
use crate::domain::WebinarId;
use crate::domain::member::Need;
use crate::domain::planner::{Evaluation, Plan};
use crate::domain::values::parse_instant;
use crate::error::AppResult;
use crate::services;
use crate::services::members;
use crate::services::planner::Ask;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webinars/{id}/plan", post(plan))
        .route("/v1/webinars/{id}/plan/apply", post(apply))
}

/// What to plan. Fields left out take the webinar's own: as many sessions as it has,
/// their dates, their length and seats; a 30-minute step; `person` weight.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct PlanInput {
    /// How many identical sessions, 1 to 4.
    #[schema(minimum = 1, maximum = 4)]
    pub sessions: Option<u32>,
    /// The UTC days the sessions may start on (1 to 7), as `YYYY-MM-DD`.
    #[schema(min_items = 1, max_items = 7, example = json!(["2027-09-24"]))]
    pub dates: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<u32>,
    /// 15, 30 or 60.
    #[schema(example = 30)]
    pub step_minutes: Option<u32>,
    /// `person` (each invitee counts once) or `organization` (each organization once,
    /// covered when one of its invitees is).
    #[schema(example = "person")]
    pub weight: Option<String>,
    /// Seats per proposed session; default: the current sessions' limit, if all have one.
    #[schema(minimum = 1)]
    pub seats: Option<u32>,
}

/// Invitees (by zone and organization) without a session inside their window.
#[derive(Serialize, ToSchema)]
pub struct LeftOutView {
    pub time_zone: String,
    pub organization: Option<String>,
    pub invitees: usize,
}

#[derive(Serialize, ToSchema)]
pub struct ExpectedView {
    pub starts_at: DateTime<Utc>,
    /// Invitees the rule assigns to this session (within its seats).
    pub expected: usize,
}

/// One set of start times and how it serves the invitees.
#[derive(Serialize, ToSchema)]
pub struct EvaluationView {
    pub starts_at: Vec<DateTime<Utc>>,
    /// People or organizations (by `weight`) with a session inside their window.
    pub covered: usize,
    pub left_out: Vec<LeftOutView>,
    /// Mean distance of the assigned sessions' local midpoints from the preferred time.
    pub mean_distance_minutes: u32,
    pub per_session: Vec<ExpectedView>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanView {
    /// `person` or `organization`.
    pub weight: String,
    /// Invitees, or organizations, counted by `weight`.
    pub total: usize,
    /// The webinar's current sessions, told the same way.
    pub current: EvaluationView,
    /// The best proposals, best first (at most 5).
    pub proposals: Vec<EvaluationView>,
}

impl EvaluationView {
    pub fn new(e: &Evaluation) -> EvaluationView {
        EvaluationView {
            starts_at: e.starts_at.clone(),
            covered: e.covered,
            left_out: e
                .left_out
                .iter()
                .map(|l| LeftOutView {
                    time_zone: l.time_zone.name().to_string(),
                    organization: l.organization.clone(),
                    invitees: l.invitees,
                })
                .collect(),
            mean_distance_minutes: e.mean_distance_minutes,
            per_session: e
                .starts_at
                .iter()
                .zip(&e.per_session)
                .map(|(&starts_at, &expected)| ExpectedView {
                    starts_at,
                    expected,
                })
                .collect(),
        }
    }
}

impl PlanView {
    pub fn new(plan: &Plan) -> PlanView {
        PlanView {
            weight: plan.weight.as_str().to_string(),
            total: plan.total,
            current: EvaluationView::new(&plan.current),
            proposals: plan.proposals.iter().map(EvaluationView::new).collect(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/plan", tag = "sessions", request_body = PlanInput,
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, description = "the best proposals beside the current sessions", body = PlanView),
        (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn plan(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<PlanInput>,
) -> AppResult<Json<PlanView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let ask = Ask {
        sessions: input.sessions,
        dates: input.dates,
        duration_minutes: input.duration_minutes,
        step_minutes: input.step_minutes,
        weight: input.weight,
        seats: input.seats,
    };
    let planned = services::planner::plan(&state, &webinar, &ask).await?;
    Ok(Json(PlanView::new(&planned.plan)))
}

/// A proposal to apply: the sessions' new start times and length.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ApplyInput {
    /// 1 to 4 RFC 3339 instants.
    #[schema(required = true, min_items = 1, max_items = 4)]
    pub starts_at: Vec<String>,
    #[schema(required = true, nullable = false, minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AppliedView {
    /// Sessions moved to a new time (their people got an updated invitation).
    pub moved: usize,
    /// Sessions added.
    pub added: usize,
    /// Sessions beyond the proposal's count, cancelled.
    pub cancelled: usize,
    /// Registrants and chairs told of the change.
    pub notified: usize,
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/plan/apply", tag = "sessions", request_body = ApplyInput,
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, description = "the sessions now hold the proposal's times", body = AppliedView),
        (status = 400, body = super::openapi::ErrorBody), (status = 404, body = super::openapi::ErrorBody),
        (status = 409, description = "a moved session's seats are below its registrations", body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn apply(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    ApiJson(input): ApiJson<ApplyInput>,
) -> AppResult<Json<AppliedView>> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let starts_at = input
        .starts_at
        .iter()
        .map(|t| parse_instant("starts_at", t))
        .collect::<Result<Vec<_>, _>>()?;
    let duration = input
        .duration_minutes
        .ok_or_else(|| crate::error::AppError::BadRequest("duration_minutes is required".into()))?;
    let change = services::planner::apply(&state, &webinar, &starts_at, duration).await?;
    Ok(Json(AppliedView {
        moved: change.moved.len(),
        added: change.added.len(),
        cancelled: change.cancelled.len(),
        notified: change.notified,
    }))
}
