//! Adding, listing and removing a webinar's documents (a link, or a file kept by Meridian).

use crate::context::Context;
use crate::db;
use crate::db::materials::File;
use crate::domain::material::{Material, MaterialKind, document_key};
use crate::domain::member::Access;
use crate::domain::values::{Invalid, required_text, web_link, without_invisible};
use crate::domain::{Language, MaterialId, WebinarId};
use crate::error::{AppError, AppResult};

/// Uploaded documents may be this large.
pub const MAX_FILE: usize = 20 * 1024 * 1024;

/// A document version as the organizer describes it, before checking.
#[derive(Debug, Default)]
pub struct MaterialInput {
    pub title: String,
    pub kind: String,
    pub language: String,
    pub document: Option<String>,
    pub url: Option<String>,
}

fn check(
    webinar: WebinarId,
    input: &MaterialInput,
    file: Option<&File>,
) -> Result<Material, Invalid> {
    let kind = MaterialKind::parse(if input.kind.trim().is_empty() {
        "other"
    } else {
        &input.kind
    })?;
    let url = web_link("url", input.url.as_deref())?;
    match (&url, file) {
        (Some(_), Some(_)) => return Err(Invalid("give either a url or a file, not both".into())),
        (None, None) => return Err(Invalid("give the document's url or upload its file".into())),
        _ => {}
    }
    let document = match input
        .document
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => document_key(d)?,
        None => kind.as_str().to_string(),
    };
    Ok(Material {
        id: MaterialId::new(),
        webinar_id: webinar,
        document,
        kind,
        title: required_text("title", &input.title, 200)?,
        language: input.language.parse::<Language>()?,
        url,
        file_name: file.map(|f| f.name.clone()),
    })
}

/// A file name safe to send back in Content-Disposition: no path, no quotes or controls.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = without_invisible(base)
        .chars()
        .filter(|c| *c != '"')
        .take(200)
        .collect();
    if cleaned.trim().is_empty() {
        "document".into()
    } else {
        cleaned
    }
}

pub async fn add(
    ctx: &Context,
    webinar: &Access,
    input: &MaterialInput,
    file: Option<File>,
) -> AppResult<Material> {
    if file.as_ref().is_some_and(|f| f.bytes.len() > MAX_FILE) {
        return Err(AppError::PayloadTooLarge(format!(
            "the file is larger than {MAX_FILE} bytes"
        )));
    }
    let material = check(webinar.id, input, file.as_ref())?;
    let mut tx = ctx.begin().await?;
    db::materials::save(tx.exec(), &material, file.as_ref()).await?;
    tx.audit(
        webinar,
        "document.added",
        &format!(
            "added document “{}” ({})",
            material.title,
            material.language.code()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(material)
}

pub async fn list(ctx: &Context, webinar: WebinarId) -> AppResult<Vec<Material>> {
    let mut conn = ctx.db.conn().await?;
    Ok(db::materials::list(conn.exec(), webinar).await?)
}

pub async fn remove(ctx: &Context, webinar: &Access, id: MaterialId) -> AppResult<()> {
    let mut tx = ctx.begin().await?;
    if !db::materials::delete(tx.exec(), webinar.id, id).await? {
        return Err(AppError::not_found("material"));
    }
    tx.audit(
        webinar,
        "document.removed",
        &format!("removed document {id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
