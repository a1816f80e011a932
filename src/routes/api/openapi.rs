//! `GET /api/openapi.json`: the OpenAPI 3 document, generated from the handlers' annotations.

use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::startup::AppState;

/// Every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to fix.
    pub error: String,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Meridian", description = "Webinars held as several identical sessions, for audiences in every time zone."),
    paths(
        super::webinars::create, super::webinars::read, super::webinars::list, super::webinars::edit,
        super::sessions::create, super::sessions::change, super::sessions::cancel, super::sessions::listing,
        super::plan::plan, super::plan::apply,
        super::members::list, super::members::add, super::members::change, super::members::remove,
        super::members::audit, super::members::account_audit,
        super::invitees::import, super::invitees::list,
        super::outbox::send_invitations, super::outbox::list, super::outbox::retry,
        super::inbound::receive, super::inbound::list, super::inbound::apply,
        super::inbound::dismiss,
        super::chairs::add, super::chairs::list,
        super::materials::list, super::materials::add, super::materials::remove,
        super::registrations::register, super::registrations::list, super::registrations::read,
        super::registrations::switch, super::registrations::cancel,
        super::registrations::approve, super::registrations::decline,
        super::attendance::import, super::attendance::link, super::attendance::mark, super::attendance::read, super::attendance::unmark,
        super::attendance::participant_list, super::attendance::read_report, super::attendance::send_follow_up,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth, &ExtractorAnswers),
    tags((name = "webinars"), (name = "sessions"), (name = "invitees"), (name = "registrations"), (name = "materials"), (name = "attendance"), (name = "members"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // `POST /api/v1/inbound-mail`: the secret in mail.inbound.secret, not a token.
        components.add_security_scheme(
            "inbound_secret",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Adds the answers of the shared extractors (`super::mod`) to every operation that uses
/// them, so that no route can leave one out: the bearer check (`Organizer`) answers 401,
/// `ApiPath` 404, `ApiQuery` 400, and reading a body 400 or 413; a JSON body of the wrong
/// media type 415. What a handler itself answers (409, the 422 of `ApiJson`, ...) stays in
/// its own `#[utoipa::path]`.
struct ExtractorAnswers;

impl Modify for ExtractorAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let of_webinar = path.starts_with("/api/v1/webinars/{id}");
            for (operation, writes) in [
                (&mut item.get, false),
                (&mut item.put, true),
                (&mut item.post, true),
                (&mut item.delete, true),
                (&mut item.patch, true),
            ] {
                if let Some(operation) = operation {
                    add_extractor_answers(operation, of_webinar, writes);
                }
            }
        }
    }
}

/// `of_webinar`: the route acts on one webinar, so a member whose role does not allow it
/// gets 403 (`services::members::access`).
/// `writes`: the operation stores something, so a full database answers 503.
fn add_extractor_answers(operation: &mut Operation, of_webinar: bool, writes: bool) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let takes = |place: ParameterIn| parameters.iter().any(|p| p.parameter_in == place);
    let (in_path, in_query) = (takes(ParameterIn::Path), takes(ParameterIn::Query));
    let bearer = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let body = operation.request_body.as_ref();
    let json = body.is_some_and(|b| b.content.contains_key("application/json"));
    let mut answers = Vec::new();
    if bearer {
        answers.push((
            "401",
            "the Authorization: Bearer token is missing or not valid",
        ));
    }
    if writes {
        answers.push((
            "503",
            "the database is full: nothing was saved; try again later (Retry-After)",
        ));
    }
    if bearer && of_webinar {
        answers.push((
            "403",
            "your role on this webinar does not allow this: the message says which role does",
        ));
    }
    if in_path {
        answers.push(("404", "not found: no such resource, or an invalid id"));
    }
    if in_query || body.is_some() {
        answers.push((
            "400",
            "a parameter or the body is not valid: the message says which",
        ));
    }
    if body.is_some() {
        answers.push(("413", "the body is too large"));
    }
    if json {
        answers.push((
            "415",
            "the body is not sent with a media type this route takes",
        ));
    }
    for (status, description) in answers {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(description).into());
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
