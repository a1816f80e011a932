//! The organizer's API tokens page (`/organizer/tokens`): list, create (the token is
//! shown once, on the answer to the form), revoke.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use minijinja::context;
use serde::Deserialize;

use super::organizer::{base, parse_id};
use super::render::render;
use super::web::CsrfForm;
use super::web::{PageResult, SignedIn, Web};
use crate::db::organizers::Organizer;
use crate::domain::ApiTokenId;
use crate::services::api_tokens;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizer/tokens", get(tokens_page).post(create_token))
        .route("/organizer/tokens/{id}/revoke", post(revoke_token))
}

async fn tokens_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
) -> PageResult {
    show(&state, &web, &organizer, None).await
}

/// The page, with `new_token` shown when one was just made.
async fn show(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    new_token: Option<String>,
) -> PageResult {
    let when = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let tokens: Vec<_> = api_tokens::list(&state.db, organizer.id)
        .await?
        .into_iter()
        .map(|t| {
            context! {
                id => t.id.to_string(),
                label => t.label,
                created => when(t.created_at),
                last_used => t.last_used_at.map(when),
            }
        })
        .collect();
    render(
        "organizer/tokens.html",
        context! { ..base(web, Some(organizer)), ..context! { tokens => tokens, new_token => new_token } },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    csrf: String,
    label: String,
}

async fn create_token(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Form(form): Form<CreateForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let (_, token) = api_tokens::create(&state.db, &organizer, &form.label).await?;
    show(&state, &web, &organizer, Some(token)).await
}

async fn revoke_token(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let id = parse_id(&id, "API token", ApiTokenId)?;
    api_tokens::revoke(&state.db, &organizer, id).await?;
    Ok(Redirect::to("/organizer/tokens").into_response())
}
