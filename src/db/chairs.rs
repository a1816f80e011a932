//! Chairs of sessions.

use anyhow::Context;
use chrono::Utc;
use uuid::Uuid;

use super::{Exec, Page, on};
use crate::domain::chair::Chair;
use crate::domain::{ChairId, EmailAddress, SessionId, WebinarId};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    webinar_id: Uuid,
    session_id: Uuid,
    name: String,
    email: String,
    time_zone: String,
    language: String,
    calendar_uid: String,
    calendar_sequence: i64,
    #[sqlx(flatten)]
    answer: super::answers::AnswerRow,
    status: String,
}

const COLUMNS: &str = "id, webinar_id, session_id, name, email, time_zone, language, calendar_uid, \
    calendar_sequence, status, \
    calendar_answer, calendar_answered_at, calendar_comment, calendar_answer_sequence, \
    calendar_answer_stamp, address_bounced";

impl TryFrom<Row> for Chair {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Chair> {
        Ok(Chair {
            id: ChairId(r.id),
            webinar_id: WebinarId(r.webinar_id),
            session_id: SessionId(r.session_id),
            name: r.name,
            email: EmailAddress::parse(&r.email)?,
            time_zone: r.time_zone.parse()?,
            language: r.language.parse()?,
            calendar_uid: r.calendar_uid,
            calendar_sequence: u32::try_from(r.calendar_sequence).context("calendar_sequence")?,
            active: r.status == "active",
            answer: r.answer.decode()?,
        })
    }
}

fn status(c: &Chair) -> &'static str {
    if c.active { "active" } else { "removed" }
}

#[tracing::instrument(skip_all, fields(session = %c.session_id))]
pub async fn insert(ex: Exec<'_>, c: &Chair) -> anyhow::Result<()> {
    on!(ex, conn => sqlx::query(
        "INSERT INTO session_chairs (id, webinar_id, session_id, name, email, email_key, time_zone, \
         language, calendar_uid, calendar_sequence, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(c.id.0)
    .bind(c.webinar_id.0)
    .bind(c.session_id.0)
    .bind(&c.name)
    .bind(c.email.as_str())
    .bind(c.email.key())
    .bind(c.time_zone.0.name())
    .bind(c.language.code())
    .bind(&c.calendar_uid)
    .bind(i64::from(c.calendar_sequence))
    .bind(status(c))
    .bind(Utc::now())
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
    .context("inserting a chair")?;
    Ok(())
}

/// Writes what changes after creation: name, zone, language, sequence, status.
#[tracing::instrument(skip_all, fields(chair = %c.id))]
pub async fn update(ex: Exec<'_>, c: &Chair) -> anyhow::Result<()> {
    on!(ex, conn => sqlx::query(
        "UPDATE session_chairs SET name = $2, time_zone = $3, language = $4, calendar_sequence = $5, \
         status = $6 WHERE id = $1",
    )
    .bind(c.id.0)
    .bind(&c.name)
    .bind(c.time_zone.0.name())
    .bind(c.language.code())
    .bind(i64::from(c.calendar_sequence))
    .bind(status(c))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
    .context("updating a chair")?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(session = %session))]
pub async fn list_for_session(ex: Exec<'_>, session: SessionId) -> anyhow::Result<Vec<Chair>> {
    page_for_session(ex, session, None).await
}

/// A session's chairs in the order they were named: all of them, or a page that starts
/// after the chair whose id is `page.after` (the last of the page before).
pub async fn page_for_session(
    ex: Exec<'_>,
    session: SessionId,
    page: Option<&Page<Uuid>>,
) -> anyhow::Result<Vec<Chair>> {
    let after = page.and_then(|p| p.after);
    let sql = format!(
        "SELECT {COLUMNS} FROM session_chairs WHERE session_id = $1 {} \
         ORDER BY created_at, id {}",
        if after.is_some() {
            "AND (created_at, id) > (SELECT created_at, id FROM session_chairs WHERE id = $2)"
        } else {
            ""
        },
        match (page, after) {
            (None, _) => "",
            (Some(_), None) => "LIMIT $2",
            (Some(_), Some(_)) => "LIMIT $3",
        }
    );
    let rows = on!(ex, c => {
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(session.0);
        if let Some(after) = after {
            query = query.bind(after);
        }
        if let Some(page) = page {
            query = query.bind(page.limit);
        }
        query.fetch_all(c).await
    })
    .context("listing chairs")?;
    rows.into_iter().map(Chair::try_from).collect()
}

pub async fn find_by_email(
    ex: Exec<'_>,
    session: SessionId,
    email: &EmailAddress,
) -> anyhow::Result<Option<Chair>> {
    let sql =
        format!("SELECT {COLUMNS} FROM session_chairs WHERE session_id = $1 AND email_key = $2");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(session.0).bind(email.key()).fetch_optional(c).await)
        .context("reading a chair")?;
    row.map(Chair::try_from).transpose()
}

pub async fn get(ex: Exec<'_>, id: ChairId) -> anyhow::Result<Option<Chair>> {
    let sql = format!("SELECT {COLUMNS} FROM session_chairs WHERE id = $1");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(id.0).fetch_optional(c).await)
        .context("reading a chair")?;
    row.map(Chair::try_from).transpose()
}

/// A page of the chairs page: filtered (session, search, `status` active), in `sort`
/// order (see [`super::lists`]).
pub async fn list_page(
    ex: Exec<'_>,
    webinar: WebinarId,
    filter: &super::lists::Filter,
    sort: super::lists::Sort,
    window: &super::lists::Window,
) -> anyhow::Result<super::lists::Listed<Chair>> {
    let listed =
        super::lists::page::<Row>(ex, "session_chairs", COLUMNS, webinar, filter, sort, window)
            .await?;
    listed.try_map(Chair::try_from)
}

/// The counts on top of a page of the chairs page (see [`super::lists::counts`]): all
/// chairs the filter's `status` keeps, and those the whole filter keeps.
pub async fn counts<T>(
    mut ex: Exec<'_>,
    webinar: WebinarId,
    filter: &super::lists::Filter,
    window: &super::lists::Window,
    listed: &super::lists::Listed<T>,
) -> anyhow::Result<(super::lists::Counted, i64)> {
    let all = super::lists::Filter {
        status: filter.status.clone(),
        ..Default::default()
    };
    let total = super::lists::count(ex.reborrow(), "session_chairs", webinar, &all).await?;
    let narrowed = super::lists::Filter {
        status: String::new(),
        ..filter.clone()
    };
    if !narrowed.narrows() {
        return Ok((super::lists::Counted::Exactly(total), total));
    }
    super::lists::counts(ex, "session_chairs", webinar, filter, window, listed)
        .await
        .map(|(matching, _)| (matching, total))
}
