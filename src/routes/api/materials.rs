//! `/api/v1/webinars/{id}/materials`: a webinar's documents, as links or uploaded files.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApiJson, ApiPath};
use crate::db::organizers::Organizer;
use crate::domain::material::Material;
use crate::domain::member::Need;
use crate::domain::{MaterialId, WebinarId};
use crate::error::{AppError, AppResult};
use crate::routes::upload::Upload;
use crate::services::materials::{self, MAX_FILE, MaterialInput};
use crate::services::members;
use crate::services::webinars::public_webinar;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webinars/{id}/materials", get(list).post(add))
        .route("/v1/webinars/{id}/materials/{material}", delete(remove))
        .route_layer(DefaultBodyLimit::max(MAX_FILE + 64 * 1024))
}

#[derive(Serialize, ToSchema)]
pub struct MaterialView {
    pub id: Uuid,
    /// Versions with the same key are translations of one document.
    pub document: String,
    /// agenda, guiding_questions, opening_remarks, closing_remarks, participant_list, report, other.
    pub kind: String,
    pub title: String,
    pub language: String,
    /// The link, or Meridian's address of the uploaded file.
    pub url: String,
    pub file_name: Option<String>,
}

impl MaterialView {
    fn new(m: &Material, public_url: &str) -> Self {
        MaterialView {
            id: m.id.0,
            document: m.document.clone(),
            kind: m.kind.as_str().into(),
            title: m.title.clone(),
            language: m.language.code().into(),
            url: m.href(public_url),
            file_name: m.file_name.clone(),
        }
    }
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct MaterialJson {
    #[schema(required = true)]
    pub title: String,
    /// agenda, guiding_questions, opening_remarks, closing_remarks, participant_list, report, other.
    #[schema(required = true)]
    pub kind: String,
    /// en, es, fr, ru or ar.
    #[schema(required = true)]
    pub language: String,
    /// Shared by the translations of one document; default the kind.
    pub document: Option<String>,
    pub url: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/webinars/{id}/materials", tag = "materials",
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    responses((status = 200, body = Vec<MaterialView>), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<WebinarId>,
) -> AppResult<Json<Vec<MaterialView>>> {
    public_webinar(&state, id).await?;
    let materials = materials::list(&state, id).await?;
    let public_url = &state.settings.server.public_url;
    Ok(Json(
        materials
            .iter()
            .map(|m| MaterialView::new(m, public_url))
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/webinars/{id}/materials", tag = "materials", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id")),
    request_body(description = "JSON {title, kind, language, document?, url} for a link, or multipart/form-data with those fields and a `file`",
        content((MaterialJson = "application/json"), (MaterialUpload = "multipart/form-data"))),
    responses((status = 201, body = MaterialView), (status = 400, body = super::openapi::ErrorBody), (status = 413, body = super::openapi::ErrorBody),
        (status = 422, description = "the body is JSON of another shape", body = super::openapi::ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath(id): ApiPath<WebinarId>,
    request: Request,
) -> AppResult<(StatusCode, Json<MaterialView>)> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (input, file) = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| {
                AppError::BadRequest(format!("the form cannot be read: {}", e.body_text()))
            })?;
        Upload::read(multipart).await?.into_material()
    } else {
        let ApiJson(json) = ApiJson::<MaterialJson>::from_request(request, &state).await?;
        (
            MaterialInput {
                title: json.title,
                kind: json.kind,
                language: json.language,
                document: json.document,
                url: json.url,
            },
            None,
        )
    };
    let material = materials::add(&state, &webinar, &input, file).await?;
    Ok((
        StatusCode::CREATED,
        Json(MaterialView::new(
            &material,
            &state.settings.server.public_url,
        )),
    ))
}

/// The fields a multipart document upload takes, for the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MaterialUpload {
    title: String,
    kind: String,
    language: String,
    document: Option<String>,
    /// A link, if no file is uploaded.
    url: Option<String>,
    #[schema(value_type = Option<String>, format = Binary)]
    file: Option<Vec<u8>>,
}

#[utoipa::path(delete, path = "/api/v1/webinars/{id}/materials/{material}", tag = "materials", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "webinar id"), ("material" = uuid::Uuid, Path, description = "material id")),
    responses((status = 204, description = "removed"), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    organizer: Organizer,
    ApiPath((id, material)): ApiPath<(WebinarId, MaterialId)>,
) -> AppResult<StatusCode> {
    let webinar = members::access(&state, &organizer, id, Need::Edit).await?;
    materials::remove(&state, &webinar, material).await?;
    Ok(StatusCode::NO_CONTENT)
}
