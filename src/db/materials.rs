//! Materials (documents) of a webinar; uploaded files are kept in the database.

use anyhow::Context;
use chrono::Utc;
use uuid::Uuid;

use super::{Exec, decode, on};
use crate::domain::material::{Material, MaterialKind};
use crate::domain::{MaterialId, WebinarId};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    webinar_id: Uuid,
    document: String,
    kind: String,
    title: String,
    language: String,
    url: Option<String>,
    file_name: Option<String>,
}

impl TryFrom<Row> for Material {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Material> {
        Ok(Material {
            id: MaterialId(r.id),
            webinar_id: WebinarId(r.webinar_id),
            document: r.document,
            kind: decode("material kind", &r.kind, |k| MaterialKind::parse(k).ok())?,
            title: r.title,
            language: r.language.parse()?,
            url: r.url,
            file_name: r.file_name,
        })
    }
}

/// An uploaded file: its name, type and bytes.
pub struct File {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Stores a version; one with the same document and language is replaced.
pub async fn save(ex: Exec<'_>, m: &Material, file: Option<&File>) -> anyhow::Result<()> {
    let mut ex = ex;
    on!(ex.reborrow(), c => sqlx::query("DELETE FROM materials WHERE webinar_id = $1 AND document = $2 AND language = $3")
        .bind(m.webinar_id.0)
        .bind(&m.document)
        .bind(m.language.code())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("replacing a material")?;
    on!(ex, c => sqlx::query(
        "INSERT INTO materials (id, webinar_id, document, kind, title, language, url, file_name, content_type, content, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(m.id.0)
    .bind(m.webinar_id.0)
    .bind(&m.document)
    .bind(m.kind.as_str())
    .bind(&m.title)
    .bind(m.language.code())
    .bind(&m.url)
    .bind(file.map(|f| f.name.clone()))
    .bind(file.map(|f| f.content_type.clone()))
    .bind(file.map(|f| f.bytes.clone()))
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("storing a material")?;
    Ok(())
}

pub async fn list(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Material>> {
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(
        "SELECT id, webinar_id, document, kind, title, language, url, file_name FROM materials \
         WHERE webinar_id = $1 ORDER BY created_at",
    )
    .bind(webinar.0)
    .fetch_all(c)
    .await)
    .context("listing materials")?;
    rows.into_iter().map(Material::try_from).collect()
}

/// The stored file of a material, if it is one.
pub async fn file(ex: Exec<'_>, id: MaterialId) -> anyhow::Result<Option<File>> {
    #[derive(sqlx::FromRow)]
    struct FileRow {
        file_name: Option<String>,
        content_type: Option<String>,
        content: Option<Vec<u8>>,
    }
    let row = on!(ex, c => sqlx::query_as::<_, FileRow>("SELECT file_name, content_type, content FROM materials WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)
    .context("reading a material file")?;
    Ok(row.and_then(|r| {
        Some(File {
            name: r.file_name?,
            content_type: r
                .content_type
                .unwrap_or_else(|| "application/octet-stream".into()),
            bytes: r.content?,
        })
    }))
}

pub async fn delete(ex: Exec<'_>, webinar: WebinarId, id: MaterialId) -> anyhow::Result<bool> {
    let done = on!(ex, c => sqlx::query("DELETE FROM materials WHERE id = $1 AND webinar_id = $2")
        .bind(id.0)
        .bind(webinar.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("removing a material")?;
    Ok(done == 1)
}
