//! Attendance records (one per registration, session and source) and the participant
//! list, read in pages so its memory does not grow with the number of people.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Exec, decode, on};
use crate::domain::attendance::{Record, RowKey, Source};
use crate::domain::registration::RegistrationStatus;
use crate::domain::{RegistrationId, SessionId, WebinarId};

#[derive(sqlx::FromRow)]
struct Row {
    registration_id: Uuid,
    session_id: Uuid,
    source: String,
    attended: bool,
    joined_at: Option<DateTime<Utc>>,
    left_at: Option<DateTime<Utc>>,
    minutes: Option<i64>,
}

impl TryFrom<Row> for Record {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Record> {
        Ok(Record {
            registration_id: RegistrationId(r.registration_id),
            session_id: SessionId(r.session_id),
            source: decode("attendance source", &r.source, Source::parse)?,
            attended: r.attended,
            joined_at: r.joined_at,
            left_at: r.left_at,
            minutes: r.minutes.map(|m| m.clamp(0, i64::from(u32::MAX)) as u32),
        })
    }
}

const COLUMNS: &str = "registration_id, session_id, source, attended, joined_at, left_at, minutes";

const UPSERT: &str = "INSERT INTO attendance (registration_id, session_id, source, webinar_id, \
    attended, joined_at, left_at, minutes, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
    ON CONFLICT (registration_id, session_id, source) ";

/// Stores `r`, replacing what the same source said of the same person and session.
pub async fn save(ex: Exec<'_>, webinar: WebinarId, r: &Record) -> anyhow::Result<()> {
    write(
        ex,
        webinar,
        r,
        "DO UPDATE SET attended = excluded.attended, joined_at = excluded.joined_at, \
         left_at = excluded.left_at, minutes = excluded.minutes, updated_at = excluded.updated_at",
    )
    .await
    .map(|_| ())
}

/// Stores `r` unless that source already has a record for that person and session (the
/// first use of the join link is when the person joined); true when stored.
pub async fn save_first(ex: Exec<'_>, webinar: WebinarId, r: &Record) -> anyhow::Result<bool> {
    write(ex, webinar, r, "DO NOTHING").await
}

async fn write(
    ex: Exec<'_>,
    webinar: WebinarId,
    r: &Record,
    on_conflict: &str,
) -> anyhow::Result<bool> {
    let sql = format!("{UPSERT}{on_conflict}");
    let stored = on!(ex, c => sqlx::query(&sql)
        .bind(r.registration_id.0)
        .bind(r.session_id.0)
        .bind(r.source.as_str())
        .bind(webinar.0)
        .bind(r.attended)
        .bind(r.joined_at)
        .bind(r.left_at)
        .bind(r.minutes.map(i64::from))
        .bind(Utc::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("recording attendance")?;
    Ok(stored == 1)
}

/// Forgets every imported record of `session`, before a report is imported again.
pub async fn clear_imported(ex: Exec<'_>, session: SessionId) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM attendance WHERE session_id = $1 AND source = 'import'")
        .bind(session.0)
        .execute(c)
        .await
        .map(|_| ()))
    .context("clearing imported attendance")?;
    Ok(())
}

/// Removes the organizer's corrections for one person; true if there were any.
pub async fn clear_manual(ex: Exec<'_>, registration: RegistrationId) -> anyhow::Result<bool> {
    let removed = on!(ex, c => sqlx::query(
        "DELETE FROM attendance WHERE registration_id = $1 AND source = 'manual'")
        .bind(registration.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("clearing a manual attendance mark")?;
    Ok(removed > 0)
}

/// Remembers that a report row (normalised name, lower-cased e-mail or '') is
/// `registration`, for every later import of the webinar.
pub async fn save_link(
    ex: Exec<'_>,
    webinar: WebinarId,
    key: &RowKey,
    registration: RegistrationId,
) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO report_links (webinar_id, name_key, email_key, registration_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (webinar_id, name_key, email_key) \
         DO UPDATE SET registration_id = excluded.registration_id, created_at = excluded.created_at")
        .bind(webinar.0)
        .bind(&key.name)
        .bind(&key.email)
        .bind(registration.0)
        .bind(Utc::now())
        .execute(c)
        .await
        .map(|_| ()))
    .context("remembering a report row's registration")?;
    Ok(())
}

/// The report rows the organizers linked to a registration.
pub async fn links(
    ex: Exec<'_>,
    webinar: WebinarId,
) -> anyhow::Result<Vec<(RowKey, RegistrationId)>> {
    let rows: Vec<(String, String, Uuid)> = on!(ex, c => sqlx::query_as(
        "SELECT name_key, email_key, registration_id FROM report_links WHERE webinar_id = $1")
        .bind(webinar.0)
        .fetch_all(c)
        .await)
    .context("reading the linked report rows")?;
    Ok(rows
        .into_iter()
        .map(|(name, email, id)| (RowKey { name, email }, RegistrationId(id)))
        .collect())
}

/// A report row that matched nobody, kept from its session's last import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub session_id: SessionId,
    pub line: usize,
    pub name: String,
    pub email: Option<String>,
    pub minutes: u32,
}

/// Replaces the unmatched rows kept for `session` with `rows` (its latest import).
pub async fn replace_unmatched(
    ex: Exec<'_>,
    webinar: WebinarId,
    session: SessionId,
    rows: &[Unmatched],
) -> anyhow::Result<()> {
    on!(ex, c => async {
        sqlx::query("DELETE FROM unmatched_rows WHERE session_id = $1")
            .bind(session.0)
            .execute(&mut *c)
            .await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO unmatched_rows (session_id, webinar_id, line, name, email, minutes) \
                 VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(session.0)
                .bind(webinar.0)
                .bind(r.line as i64)
                .bind(&r.name)
                .bind(&r.email)
                .bind(i64::from(r.minutes))
                .execute(&mut *c)
                .await?;
        }
        Ok::<(), sqlx::Error>(())
    }
    .await)
    .context("keeping the unmatched report rows")?;
    Ok(())
}

/// The unmatched rows kept for the webinar's sessions, by session and line.
pub async fn unmatched(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Unmatched>> {
    let rows: Vec<(Uuid, i64, String, Option<String>, i64)> = on!(ex, c => sqlx::query_as(
        "SELECT session_id, line, name, email, minutes FROM unmatched_rows \
         WHERE webinar_id = $1 ORDER BY session_id, line")
        .bind(webinar.0)
        .fetch_all(c)
        .await)
    .context("reading the unmatched report rows")?;
    Ok(rows
        .into_iter()
        .map(|(session, line, name, email, minutes)| Unmatched {
            session_id: SessionId(session),
            line: usize::try_from(line).unwrap_or(0),
            name,
            email,
            minutes: minutes.clamp(0, i64::from(u32::MAX)) as u32,
        })
        .collect())
}

/// Forgets one kept unmatched row (it has been linked).
pub async fn forget_unmatched(ex: Exec<'_>, session: SessionId, line: usize) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM unmatched_rows WHERE session_id = $1 AND line = $2")
        .bind(session.0)
        .bind(line as i64)
        .execute(c)
        .await
        .map(|_| ()))
    .context("forgetting a linked report row")?;
    Ok(())
}

/// Every record of the webinar.
pub async fn list(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Record>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attendance WHERE webinar_id = $1 \
         ORDER BY registration_id, session_id, source"
    );
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(webinar.0).fetch_all(c).await)
        .context("listing attendance")?;
    rows.into_iter().map(Record::try_from).collect()
}

/// The records of these registrations (a list page's rows: at most a few hundred).
pub async fn of_registrations(
    ex: Exec<'_>,
    registrations: &[RegistrationId],
) -> anyhow::Result<Vec<Record>> {
    if registrations.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=registrations.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM attendance WHERE registration_id IN ({}) \
         ORDER BY registration_id, session_id, source",
        marks.join(", ")
    );
    let rows = on!(ex, c => {
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for r in registrations {
            query = query.bind(r.0);
        }
        query.fetch_all(c).await
    })
    .context("reading a page's attendance")?;
    rows.into_iter().map(Record::try_from).collect()
}

/// The records of one registration.
pub async fn of_registration(
    ex: Exec<'_>,
    registration: RegistrationId,
) -> anyhow::Result<Vec<Record>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attendance WHERE registration_id = $1 ORDER BY session_id, source"
    );
    let rows = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(registration.0).fetch_all(c).await)
        .context("reading a registration's attendance")?;
    rows.into_iter().map(Record::try_from).collect()
}

/// A person of the participant list.
#[derive(Debug)]
pub struct ParticipantRow {
    pub registration_id: RegistrationId,
    pub name: String,
    pub email: String,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub country: Option<String>,
    pub status: RegistrationStatus,
    pub session_id: SessionId,
    pub share_in_participant_list: bool,
}

/// A place in the list's order: the last person of a page, after whom the next page
/// starts. The order is by organization (those without one last), then by name, as the
/// `list_*` columns and their index give it.
#[derive(Debug, Clone)]
pub struct ListKey {
    last: i32,
    org: String,
    name: String,
    id: Uuid,
}

impl ListKey {
    /// Before everyone.
    pub fn start() -> ListKey {
        ListKey {
            last: -1,
            org: String::new(),
            name: String::new(),
            id: Uuid::nil(),
        }
    }
}

/// People of the participant list after `after`, at most `size` of them, each with their
/// attendance records, and the key of the last one (`None` past the end).
///
/// The database hands each page over as one JSON value: a page is one row to carry from
/// SQLite's thread instead of a row per person, which is what made long lists slow.
pub async fn participants_page(
    ex: Exec<'_>,
    webinar: WebinarId,
    after: &ListKey,
    size: u32,
) -> anyhow::Result<(Vec<(ParticipantRow, Vec<Record>)>, Option<ListKey>)> {
    let sql = match ex {
        Exec::Sqlite(_) => SQLITE_PAGE,
        Exec::Postgres(_) => POSTGRES_PAGE,
    };
    let json: String = on!(ex, c => sqlx::query_scalar(sql)
        .bind(webinar.0)
        .bind(after.last)
        .bind(&after.org)
        .bind(&after.name)
        .bind(after.id)
        .bind(i64::from(size))
        .fetch_one(c)
        .await)
    .context("reading the participant list")?;
    let page: Vec<PagePerson> =
        serde_json::from_str(&json).context("reading a page of the participant list")?;
    let next = match page.last() {
        Some(p) => Some(ListKey {
            last: p.9,
            org: p.10.clone(),
            name: p.11.clone(),
            id: uuid(&p.0)?,
        }),
        None => None,
    };
    let people = page
        .into_iter()
        .map(PagePerson::into_row)
        .collect::<anyhow::Result<_>>()?;
    Ok((people, next))
}

/// A person as a page gives them: the registration's columns, the list key, the records.
#[derive(serde::Deserialize)]
struct PagePerson(
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    u8,
    i32,
    String,
    String,
    Vec<PageRecord>,
);

#[derive(serde::Deserialize)]
struct PageRecord(
    String,
    String,
    u8,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<i64>,
);

impl PagePerson {
    fn into_row(self) -> anyhow::Result<(ParticipantRow, Vec<Record>)> {
        let registration_id = RegistrationId(uuid(&self.0)?);
        let records = self
            .12
            .into_iter()
            .map(|r| {
                Ok(Record {
                    registration_id,
                    session_id: SessionId(uuid(&r.0)?),
                    source: decode("attendance source", &r.1, Source::parse)?,
                    attended: r.2 != 0,
                    joined_at: r.3,
                    left_at: r.4,
                    minutes: r.5.map(|m| m.clamp(0, i64::from(u32::MAX)) as u32),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let row = ParticipantRow {
            registration_id,
            name: self.1,
            email: self.2,
            organization: self.3,
            role: self.4,
            country: self.5,
            status: decode("registration status", &self.6, RegistrationStatus::parse)?,
            session_id: SessionId(uuid(&self.7)?),
            share_in_participant_list: self.8 != 0,
        };
        Ok((row, records))
    }
}

/// An id as a page writes it (hex on SQLite, hyphenated on PostgreSQL).
fn uuid(text: &str) -> anyhow::Result<Uuid> {
    Uuid::parse_str(text).with_context(|| format!("unexpected id {text:?} in the database"))
}

/// One page: the people after the key, along the index, with their records nested.
/// Both texts give the same JSON: ids as text, flags as 0 or 1. (`list_last >= 0` is
/// always true; PostgreSQL's index is partial on it, see migration 0008.)
const SQLITE_PAGE: &str = "SELECT json_group_array(json_array(hex(r.id), r.name, r.email, \
    r.organization, r.role, r.country, r.status, hex(r.session_id), \
    r.share_in_participant_list, r.list_last, r.list_org, r.list_name, \
    json((SELECT json_group_array(json_array(hex(a.session_id), a.source, a.attended, \
    a.joined_at, a.left_at, a.minutes) ORDER BY a.session_id, a.source) \
    FROM attendance a WHERE a.registration_id = r.id))) \
    ORDER BY r.list_last, r.list_org, r.list_name, r.id) \
    FROM (SELECT r.id, r.name, r.email, r.organization, r.role, r.country, r.status, \
    r.session_id, r.share_in_participant_list, r.list_last, r.list_org, r.list_name \
    FROM registrations r WHERE r.webinar_id = $1 \
    AND (r.list_last, r.list_org, r.list_name, r.id) > ($2, $3, $4, $5) \
    ORDER BY r.list_last, r.list_org, r.list_name, r.id LIMIT $6) r";

const POSTGRES_PAGE: &str = "SELECT COALESCE(json_agg(json_build_array(r.id, r.name, r.email, \
    r.organization, r.role, r.country, r.status, r.session_id, \
    r.share_in_participant_list::int, r.list_last, r.list_org, r.list_name, \
    (SELECT COALESCE(json_agg(json_build_array(a.session_id, a.source, a.attended::int, \
    a.joined_at, a.left_at, a.minutes) ORDER BY a.session_id, a.source), '[]'::json) \
    FROM attendance a WHERE a.registration_id = r.id)) \
    ORDER BY r.list_last, r.list_org, r.list_name, r.id), '[]'::json)::text \
    FROM (SELECT r.id, r.name, r.email, r.organization, r.role, r.country, r.status, \
    r.session_id, r.share_in_participant_list, r.list_last, r.list_org, r.list_name \
    FROM registrations r WHERE r.webinar_id = $1 AND r.list_last >= 0 \
    AND (r.list_last, r.list_org, r.list_name, r.id) > ($2, $3, $4, $5) \
    ORDER BY r.list_last, r.list_org, r.list_name, r.id LIMIT $6) r";
