//! The members of each webinar and their roles.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Exec, on};
use crate::domain::member::Role;
use crate::domain::{MemberId, OrganizerId, WebinarId};

#[derive(Debug, Clone)]
pub struct Member {
    pub id: MemberId,
    pub webinar_id: WebinarId,
    pub organizer_id: OrganizerId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub personal_data: bool,
    /// False until the account has a password (an invited address).
    pub has_account: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    webinar_id: Uuid,
    organizer_id: Uuid,
    email: String,
    name: String,
    role: String,
    personal_data: bool,
    has_account: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<Row> for Member {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Member> {
        Ok(Member {
            id: MemberId(r.id),
            webinar_id: WebinarId(r.webinar_id),
            organizer_id: OrganizerId(r.organizer_id),
            email: r.email,
            name: r.name,
            role: Role::parse(&r.role).map_err(anyhow::Error::msg)?,
            personal_data: r.personal_data,
            has_account: r.has_account,
            created_at: r.created_at,
        })
    }
}

const SELECT: &str = "SELECT m.id, m.webinar_id, m.organizer_id, o.email, o.name, m.role, \
    m.personal_data, (o.password_hash IS NOT NULL) AS has_account, m.created_at \
    FROM webinar_members m JOIN organizers o ON o.id = m.organizer_id";

#[tracing::instrument(skip_all)]
pub async fn insert(
    ex: Exec<'_>,
    webinar: WebinarId,
    organizer: OrganizerId,
    role: Role,
    personal_data: bool,
) -> anyhow::Result<MemberId> {
    let id = MemberId::new();
    on!(ex, c => sqlx::query(
        "INSERT INTO webinar_members (id, webinar_id, organizer_id, role, personal_data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.0)
    .bind(webinar.0)
    .bind(organizer.0)
    .bind(role.as_str())
    .bind(personal_data)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("adding a member")?;
    Ok(id)
}

/// The member `organizer` is of `webinar`, if any.
#[tracing::instrument(skip_all)]
pub async fn find(
    ex: Exec<'_>,
    webinar: WebinarId,
    organizer: OrganizerId,
) -> anyhow::Result<Option<Member>> {
    let sql = format!("{SELECT} WHERE m.webinar_id = $1 AND m.organizer_id = $2");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql)
        .bind(webinar.0)
        .bind(organizer.0)
        .fetch_optional(c)
        .await)
    .context("reading a member")?;
    row.map(Member::try_from).transpose()
}

#[tracing::instrument(skip_all)]
pub async fn get(ex: Exec<'_>, webinar: WebinarId, id: MemberId) -> anyhow::Result<Option<Member>> {
    let sql = format!("{SELECT} WHERE m.webinar_id = $1 AND m.id = $2");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql)
        .bind(webinar.0)
        .bind(id.0)
        .fetch_optional(c)
        .await)
    .context("reading a member")?;
    row.map(Member::try_from).transpose()
}

/// The members of `webinar`, owners first, then by address.
#[tracing::instrument(skip_all)]
pub async fn list(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Member>> {
    let sql = format!(
        "{SELECT} WHERE m.webinar_id = $1 ORDER BY CASE m.role WHEN 'owner' THEN 0 \
         WHEN 'organizer' THEN 1 ELSE 2 END, o.email_key"
    );
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(webinar.0).fetch_all(c).await)
        .context("listing members")?;
    rows.into_iter().map(Member::try_from).collect()
}

#[tracing::instrument(skip_all)]
pub async fn update(
    ex: Exec<'_>,
    id: MemberId,
    role: Role,
    personal_data: bool,
) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("UPDATE webinar_members SET role = $2, personal_data = $3 WHERE id = $1")
        .bind(id.0)
        .bind(role.as_str())
        .bind(personal_data)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("changing a member")?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn delete(ex: Exec<'_>, id: MemberId) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM webinar_members WHERE id = $1")
        .bind(id.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("removing a member")?;
    Ok(())
}

/// How many owners `webinar` has. On PostgreSQL the owners' rows are locked, so two
/// owners leaving at once cannot both see the other stay.
#[tracing::instrument(skip_all)]
pub async fn owners(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<i64> {
    let ids: Vec<Uuid> = match ex {
        Exec::Sqlite(c) => {
            sqlx::query_scalar(
                "SELECT id FROM webinar_members WHERE webinar_id = $1 AND role = 'owner'",
            )
            .bind(webinar.0)
            .fetch_all(c)
            .await
        }
        Exec::Postgres(c) => sqlx::query_scalar(
            "SELECT id FROM webinar_members WHERE webinar_id = $1 AND role = 'owner' FOR UPDATE",
        )
        .bind(webinar.0)
        .fetch_all(c)
        .await,
    }
    .context("counting owners")?;
    Ok(ids.len() as i64)
}
