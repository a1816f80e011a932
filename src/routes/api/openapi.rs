//! `GET /api/openapi.json`: the OpenAPI 3 document, generated from the handlers' annotations.

use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        super::invitees::import, super::invitees::list,
        super::outbox::send_invitations, super::outbox::list, super::outbox::retry,
        super::chairs::add, super::chairs::list,
        super::materials::list, super::materials::add, super::materials::remove,
        super::registrations::register, super::registrations::list, super::registrations::read,
        super::registrations::switch, super::registrations::cancel,
        super::registrations::approve, super::registrations::decline,
        super::attendance::import, super::attendance::mark, super::attendance::read, super::attendance::unmark,
        super::attendance::participant_list, super::attendance::read_report, super::attendance::send_follow_up,
    ),
    modifiers(&BearerAuth),
    tags((name = "webinars"), (name = "sessions"), (name = "invitees"), (name = "registrations"), (name = "materials"), (name = "attendance"))
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
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
