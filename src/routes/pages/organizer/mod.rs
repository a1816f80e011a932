//! The organizer's pages under `/organizer`: sign-in, webinars and sessions, invitees,
//! chairs, coverage, invitations, outbox, registrations, replies and bounces. Every form carries the CSRF token.

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDateTime, Offset, TimeZone as _, Utc};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::render::render;
use super::web::{
    CsrfForm, PageResult, SignedIn, Web, append_cookie, change_then, cookie, reshow, set_cookie,
    told,
};
use crate::db;
use crate::db::organizers::Organizer;
use crate::domain::invitee::InviteeRow;
pub(crate) use crate::domain::member::{Access, Need};
use crate::domain::webinar::{NewSession, SessionChanges, WebinarChanges};
use crate::domain::webinar::{Session, Webinar};
use crate::domain::{
    EmailAddress, InviteeId, Language, PersonName, RegistrationId, SessionId, TimeZone, WebinarId,
};
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::routes::client::ClientIp;
pub(crate) use crate::routes::upload::Upload;
use crate::services::{self, accounts, chairs::NewChair, coverage};
use crate::startup::AppState;

mod chairs;
mod inbound;
mod invitees;
mod lists;
mod plan;
mod registrations;
mod sending;
mod sign_in;
mod team;
mod webinars;

pub(crate) use chairs::*;
pub(crate) use inbound::*;
pub(crate) use invitees::*;
pub(crate) use lists::*;
pub(crate) use plan::*;
pub(crate) use registrations::*;
pub(crate) use sending::*;
pub(crate) use sign_in::*;
pub(crate) use team::*;
pub(crate) use webinars::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizer/sign-in", get(sign_in_page).post(sign_in))
        .route("/organizer/sign-out", post(sign_out))
        .route(
            "/organizer/set-password/{token}",
            get(set_password_page).post(set_password),
        )
        .route("/organizer", get(webinars_page))
        .route("/organizer/account", get(account_page))
        .route(
            "/organizer/webinars/{id}/members",
            get(members_page).post(add_member),
        )
        .route(
            "/organizer/webinars/{id}/members/{member}",
            post(change_member),
        )
        .route(
            "/organizer/webinars/{id}/members/{member}/remove",
            post(remove_member),
        )
        .route("/organizer/webinars/{id}/audit", get(audit_page))
        .route("/organizer/webinars", post(create_webinar))
        .route(
            "/organizer/webinars/{id}",
            get(webinar_page).post(edit_webinar),
        )
        .route("/organizer/webinars/{id}/sessions", post(add_session))
        .route(
            "/organizer/webinars/{id}/sessions/{session}",
            post(edit_session),
        )
        .route(
            "/organizer/webinars/{id}/sessions/{session}/cancel",
            post(cancel_session),
        )
        .route(
            "/organizer/webinars/{id}/sessions/{session}/chairs",
            post(add_chair),
        )
        .route(
            "/organizer/webinars/{id}/materials",
            post(add_material).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/organizer/webinars/{id}/materials/{material}/remove",
            post(remove_material),
        )
        .route(
            "/organizer/webinars/{id}/invitees",
            get(invitees_page)
                .post(upload_invitees)
                .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route(
            "/organizer/webinars/{id}/invitees/bulk",
            post(bulk_invitees),
        )
        .route(
            "/organizer/webinars/{id}/invitees/{invitee}",
            get(invitee_page).post(edit_invitee),
        )
        .route(
            "/organizer/webinars/{id}/invitees/{invitee}/remove",
            post(remove_invitee),
        )
        .route("/organizer/webinars/{id}/chairs", get(chairs_page))
        .route("/organizer/webinars/{id}/coverage", get(coverage_page))
        .route("/organizer/webinars/{id}/plan", get(plan_page))
        .route("/organizer/webinars/{id}/plan/confirm", post(confirm_plan))
        .route("/organizer/webinars/{id}/plan/apply", post(apply_plan))
        .route(
            "/organizer/webinars/{id}/invitations",
            get(confirm_send_page).post(send_invitations),
        )
        .route(
            "/organizer/webinars/{id}/invitations/test",
            post(send_test_invitation),
        )
        .route("/organizer/webinars/{id}/outbox", get(outbox_page))
        .route(
            "/organizer/webinars/{id}/outbox/{message}/retry",
            post(retry_message),
        )
        .route(
            "/organizer/webinars/{id}/registrations",
            get(registrations_page),
        )
        .route(
            "/organizer/webinars/{id}/registrations/{registration}/move",
            post(move_registration),
        )
        .route(
            "/organizer/webinars/{id}/registrations/decide",
            post(bulk_registrations),
        )
        .route(
            "/organizer/webinars/{id}/registrations/bulk",
            post(bulk_registrations),
        )
        .route("/organizer/webinars/{id}/inbound", get(inbound_page))
        .route(
            "/organizer/webinars/{id}/inbound/{message}/{decision}",
            post(decide_inbound),
        )
}

/// Documents and invitee lists uploaded from the pages may be large; every other form
/// keeps the pages' small limit (`super::FORM_LIMIT`).
const UPLOAD_LIMIT: usize = services::materials::MAX_FILE + 64 * 1024;
/// An invitee list of 100,000 people (CSV or XLSX), with the form around it.
const IMPORT_LIMIT: usize = services::invitees::MAX_FILE + 64 * 1024;

/// The organizer's language: the switcher's choice, else the browser's, else English.
pub(crate) fn lang(web: &Web) -> Language {
    web.language(None, Language::En)
}

pub(crate) fn base(web: &Web, organizer: Option<&Organizer>) -> Value {
    let language = lang(web);
    context! { ..super::render::page_base(language, Some(&web.csrf)), ..context! {
        organizer => organizer.map(|o| context! { name => &o.name, email => &o.email }),
    }}
}

pub(crate) fn to(path: String) -> PageResult {
    Ok(crate::routes::downloads::see_other(&path))
}

pub(crate) fn parse_id<T>(value: &str, what: &str, wrap: impl Fn(uuid::Uuid) -> T) -> AppResult<T> {
    value
        .parse()
        .map(wrap)
        .map_err(|_| AppError::not_found(what))
}

/// The webinar of the page's address as the signed-in organizer may use it for `need`.
pub(crate) async fn mine(
    state: &AppState,
    organizer: &Organizer,
    id: &str,
    need: Need,
) -> AppResult<Access> {
    services::members::access(state, organizer, parse_id(id, "webinar", WebinarId)?, need).await
}
