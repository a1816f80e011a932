//! Registrations: one per webinar and email, found by id, email or manage-token hash.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Exec, Page, decode, lists, on};
use crate::domain::registration::{Assignment, Registration, RegistrationStatus};
use crate::domain::{EmailAddress, InviteeId, RegistrationId, SessionId, WebinarId};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    webinar_id: Uuid,
    session_id: Uuid,
    invitee_id: Option<Uuid>,
    name: String,
    email: String,
    organization: Option<String>,
    role: Option<String>,
    country: Option<String>,
    time_zone: String,
    language: String,
    status: String,
    assignment: String,
    outside_working_hours: bool,
    share_in_participant_list: bool,
    calendar_uid: String,
    calendar_sequence: i64,
    #[sqlx(flatten)]
    answer: super::answers::AnswerRow,
    created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, webinar_id, session_id, invitee_id, name, email, organization, role, country, \
    time_zone, language, status, assignment, outside_working_hours, share_in_participant_list, \
    calendar_uid, calendar_sequence, created_at, \
    calendar_answer, calendar_answered_at, calendar_comment, calendar_answer_sequence, \
    calendar_answer_stamp, address_bounced";

impl TryFrom<Row> for Registration {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Registration> {
        Ok(Registration {
            id: RegistrationId(r.id),
            webinar_id: WebinarId(r.webinar_id),
            session_id: SessionId(r.session_id),
            invitee_id: r.invitee_id.map(InviteeId),
            name: r.name,
            email: EmailAddress::parse(&r.email)?,
            organization: r.organization,
            role: r.role,
            country: r.country,
            time_zone: r.time_zone.parse()?,
            language: r.language.parse()?,
            status: decode("registration status", &r.status, RegistrationStatus::parse)?,
            assignment: decode("assignment", &r.assignment, Assignment::parse)?,
            outside_working_hours: r.outside_working_hours,
            share_in_participant_list: r.share_in_participant_list,
            calendar_uid: r.calendar_uid,
            calendar_sequence: u32::try_from(r.calendar_sequence)
                .context("unexpected calendar_sequence in the database")?,
            created_at: r.created_at,
            answer: r.answer.decode()?,
        })
    }
}

/// Stores a new registration; fails with a unique violation when the email is taken.
#[tracing::instrument(skip_all, fields(registration = %r.id))]
pub async fn insert(ex: Exec<'_>, r: &Registration, token_hash: &str) -> anyhow::Result<()> {
    insert_with(ex, r, token_hash, "").await.map(|_| ())
}

/// Stores a new registration unless the email is registered already; true when stored.
pub async fn insert_if_absent(
    ex: Exec<'_>,
    r: &Registration,
    token_hash: &str,
) -> anyhow::Result<bool> {
    insert_with(
        ex,
        r,
        token_hash,
        " ON CONFLICT (webinar_id, email_key) DO NOTHING",
    )
    .await
}

async fn insert_with(
    ex: Exec<'_>,
    r: &Registration,
    token_hash: &str,
    on_conflict: &str,
) -> anyhow::Result<bool> {
    let sql = format!(
        "INSERT INTO registrations (id, webinar_id, session_id, invitee_id, name, email, email_key, \
         organization, time_zone, language, status, assignment, outside_working_hours, token_hash, \
         calendar_uid, calendar_sequence, created_at, updated_at, share_in_participant_list, role, country) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20){on_conflict}"
    );
    let inserted = on!(ex, c => sqlx::query(&sql)
        .bind(r.id.0)
        .bind(r.webinar_id.0)
        .bind(r.session_id.0)
        .bind(r.invitee_id.map(|i| i.0))
        .bind(&r.name)
        .bind(r.email.as_str())
        .bind(r.email.key())
        .bind(&r.organization)
        .bind(r.time_zone.0.name())
        .bind(r.language.code())
        .bind(r.status.as_str())
        .bind(r.assignment.as_str())
        .bind(r.outside_working_hours)
        .bind(token_hash)
        .bind(&r.calendar_uid)
        .bind(i64::from(r.calendar_sequence))
        .bind(r.created_at)
        .bind(r.share_in_participant_list)
        .bind(&r.role)
        .bind(&r.country)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("inserting a registration")?;
    Ok(inserted == 1)
}

/// Rows of a multi-row statement: at most this many per statement, so SQLite stays well
/// under its bound-parameter limit (21 per registration, 10 per outbox row).
pub const ROWS_PER_STATEMENT: usize = 500;

/// Stores new registrations with as few statements as possible (one per
/// [`ROWS_PER_STATEMENT`]); a row whose email is registered already in its webinar is
/// skipped. Answers the ids of the rows stored.
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn insert_many_if_absent(
    mut ex: Exec<'_>,
    rows: &[(&Registration, &str)],
) -> anyhow::Result<Vec<RegistrationId>> {
    let mut stored = Vec::with_capacity(rows.len());
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let values = super::value_rows(&ex, part.len(), 21);
        let sql = format!(
            "INSERT INTO registrations (id, webinar_id, session_id, invitee_id, name, email, email_key, \
             organization, time_zone, language, status, assignment, outside_working_hours, token_hash, \
             calendar_uid, calendar_sequence, created_at, updated_at, share_in_participant_list, role, country) \
             VALUES {values} ON CONFLICT (webinar_id, email_key) DO NOTHING RETURNING id"
        );
        let ids: Vec<Uuid> = on!(ex.reborrow(), c => {
            let mut q = sqlx::query_scalar::<_, Uuid>(&sql).persistent(false);
            for (r, token_hash) in part {
                q = q
                    .bind(r.id.0)
                    .bind(r.webinar_id.0)
                    .bind(r.session_id.0)
                    .bind(r.invitee_id.map(|i| i.0))
                    .bind(r.name.as_str())
                    .bind(r.email.as_str())
                    .bind(r.email.key())
                    .bind(r.organization.as_deref())
                    .bind(r.time_zone.0.name())
                    .bind(r.language.code())
                    .bind(r.status.as_str())
                    .bind(r.assignment.as_str())
                    .bind(r.outside_working_hours)
                    .bind(*token_hash)
                    .bind(r.calendar_uid.as_str())
                    .bind(i64::from(r.calendar_sequence))
                    .bind(r.created_at)
                    .bind(r.created_at)
                    .bind(r.share_in_participant_list)
                    .bind(r.role.as_deref())
                    .bind(r.country.as_deref());
            }
            q.fetch_all(c).await
        })
        .context("inserting registrations")?;
        stored.extend(ids.into_iter().map(RegistrationId));
    }
    Ok(stored)
}

/// Writes the fields that change after creation: session, status, assignment, sequence.
#[tracing::instrument(skip_all, fields(registration = %r.id))]
pub async fn update(ex: Exec<'_>, r: &Registration) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE registrations SET session_id = $2, status = $3, assignment = $4, \
         outside_working_hours = $5, calendar_sequence = $6, updated_at = $7 WHERE id = $1",
    )
    .bind(r.id.0)
    .bind(r.session_id.0)
    .bind(r.status.as_str())
    .bind(r.assignment.as_str())
    .bind(r.outside_working_hours)
    .bind(i64::from(r.calendar_sequence))
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("updating a registration")?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(registration = %id))]
pub async fn find(
    ex: Exec<'_>,
    webinar: WebinarId,
    id: RegistrationId,
) -> anyhow::Result<Option<Registration>> {
    let sql = format!("SELECT {COLUMNS} FROM registrations WHERE id = $1 AND webinar_id = $2");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(id.0).bind(webinar.0).fetch_optional(c).await)
        .context("reading a registration")?;
    row.map(Registration::try_from).transpose()
}

/// Like [`find`], and on PostgreSQL the row stays locked until the transaction ends, so
/// a change decided on what was read (cancel, switch) cannot cross a promotion from a
/// waiting list. SQLite's one writer excludes the others already.
#[tracing::instrument(skip_all, fields(registration = %id))]
pub async fn find_for_update(
    ex: Exec<'_>,
    webinar: WebinarId,
    id: RegistrationId,
) -> anyhow::Result<Option<Registration>> {
    let sql = format!("SELECT {COLUMNS} FROM registrations WHERE id = $1 AND webinar_id = $2");
    let row = match ex {
        Exec::Sqlite(c) => {
            sqlx::query_as::<_, Row>(&sql)
                .bind(id.0)
                .bind(webinar.0)
                .fetch_optional(c)
                .await
        }
        Exec::Postgres(c) => {
            sqlx::query_as::<_, Row>(&format!("{sql} FOR UPDATE"))
                .bind(id.0)
                .bind(webinar.0)
                .fetch_optional(c)
                .await
        }
    }
    .context("reading a registration")?;
    row.map(Registration::try_from).transpose()
}

/// Records the person's answer on being named in the shareable participant list.
pub async fn set_share(ex: Exec<'_>, id: RegistrationId, share: bool) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE registrations SET share_in_participant_list = $2, updated_at = $3 WHERE id = $1")
        .bind(id.0)
        .bind(share)
        .bind(Utc::now())
        .execute(c)
        .await
        .map(|_| ()))
    .context("recording consent to the participant list")?;
    Ok(())
}

/// Copies an invitee's organization, role and country to their registration, after the
/// organizer changed them.
pub async fn follow_invitee(ex: Exec<'_>, invitee: InviteeId) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE registrations SET \
         organization = (SELECT i.organization FROM invitees i WHERE i.id = $1), \
         role = (SELECT i.role FROM invitees i WHERE i.id = $1), \
         country = (SELECT i.country FROM invitees i WHERE i.id = $1) \
         WHERE invitee_id = $1")
        .bind(invitee.0)
        .execute(c)
        .await
        .map(|_| ()))
    .context("copying an invitee's details to their registration")?;
    Ok(())
}

/// [`follow_invitee`] for many invitees at once (an import's chunk).
pub async fn follow_invitees(mut ex: Exec<'_>, invitees: &[InviteeId]) -> anyhow::Result<()> {
    // Few parameters per statement (see db::invitees::upsert_many).
    for part in invitees.chunks(40) {
        let sql = format!(
            "UPDATE registrations SET organization = i.organization, role = i.role, \
             country = i.country FROM invitees i \
             WHERE registrations.invitee_id = i.id AND i.id IN ({})",
            (1..=part.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        on!(ex.reborrow(), c => {
            let mut q = sqlx::query(&sql).persistent(false);
            for id in part {
                q = q.bind(id.0);
            }
            q.execute(c).await.map(|_| ())
        })
        .context("copying invitees' details to their registrations")?;
    }
    Ok(())
}

/// A registration by id alone (its webinar is read from it).
pub async fn get(ex: Exec<'_>, id: RegistrationId) -> anyhow::Result<Option<Registration>> {
    let sql = format!("SELECT {COLUMNS} FROM registrations WHERE id = $1");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(id.0).fetch_optional(c).await)
        .context("reading a registration")?;
    row.map(Registration::try_from).transpose()
}

#[tracing::instrument(skip_all)]
pub async fn find_by_token(ex: Exec<'_>, token_hash: &str) -> anyhow::Result<Option<Registration>> {
    let sql = format!("SELECT {COLUMNS} FROM registrations WHERE token_hash = $1");
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql).bind(token_hash).fetch_optional(c).await)
        .context("reading a registration by token")?;
    row.map(Registration::try_from).transpose()
}

#[tracing::instrument(skip_all, fields(webinar = %webinar))]
pub async fn find_by_email(
    ex: Exec<'_>,
    webinar: WebinarId,
    email: &EmailAddress,
) -> anyhow::Result<Option<Registration>> {
    let sql =
        format!("SELECT {COLUMNS} FROM registrations WHERE webinar_id = $1 AND email_key = $2");
    let keep = super::keep_prepared(&ex);
    let row = on!(ex, c => sqlx::query_as::<_, Row>(&sql)
        .persistent(keep)
        .bind(webinar.0)
        .bind(email.key())
        .fetch_optional(c)
        .await)
    .context("reading a registration by email")?;
    row.map(Registration::try_from).transpose()
}

/// Whether the webinar has a registration, and whether an invitee, with this email: one
/// query for the common case of neither.
#[tracing::instrument(skip_all, fields(webinar = %webinar))]
pub async fn email_known(
    ex: Exec<'_>,
    webinar: WebinarId,
    email: &EmailAddress,
) -> anyhow::Result<(bool, bool)> {
    let keep = super::keep_prepared(&ex);
    on!(ex, c => sqlx::query_as::<_, (bool, bool)>(
        "SELECT EXISTS (SELECT 1 FROM registrations WHERE webinar_id = $1 AND email_key = $2), \
         EXISTS (SELECT 1 FROM invitees WHERE webinar_id = $1 AND email_key = $2)",
    )
    .persistent(keep)
    .bind(webinar.0)
    .bind(email.key())
    .fetch_one(c)
    .await)
    .context("looking up an email among registrations and invitees")
}

/// The webinar's registrations of these email keys (for a page of invitees: a few hundred
/// at most, one bound parameter each).
#[tracing::instrument(skip_all, fields(webinar = %webinar, keys = keys.len()))]
pub async fn by_email_keys(
    ex: Exec<'_>,
    webinar: WebinarId,
    keys: &[String],
) -> anyhow::Result<Vec<Registration>> {
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let placeholders: Vec<String> = (2..keys.len() + 2).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM registrations WHERE webinar_id = $1 AND email_key IN ({})",
        placeholders.join(", ")
    );
    let rows = on!(ex, c => {
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(webinar.0);
        for key in keys {
            query = query.bind(key);
        }
        query.fetch_all(c).await
    })
    .context("reading registrations by email")?;
    rows.into_iter().map(Registration::try_from).collect()
}

/// Where a registration sorts in the list: when it came, then its email key.
pub type Key = (DateTime<Utc>, String);

pub fn key(r: &Registration) -> Key {
    (r.created_at, r.email.key())
}

/// The webinar's registrations, optionally of one session, in the order they came.
pub async fn list(
    ex: Exec<'_>,
    webinar: WebinarId,
    session: Option<SessionId>,
) -> anyhow::Result<Vec<Registration>> {
    list_in_order(ex, webinar, session, None).await
}

/// One page of [`list`], in the same order.
pub async fn page(
    ex: Exec<'_>,
    webinar: WebinarId,
    session: Option<SessionId>,
    page: &Page<Key>,
) -> anyhow::Result<Vec<Registration>> {
    list_in_order(ex, webinar, session, Some(page)).await
}

#[tracing::instrument(skip_all, fields(webinar = %webinar))]
async fn list_in_order(
    ex: Exec<'_>,
    webinar: WebinarId,
    session: Option<SessionId>,
    page: Option<&Page<Key>>,
) -> anyhow::Result<Vec<Registration>> {
    let after = page.and_then(|p| p.after.as_ref());
    let sql = format!(
        "SELECT {COLUMNS} FROM registrations WHERE webinar_id = $1 \
         AND ($2 IS NULL OR session_id = $2) {} ORDER BY created_at, email_key {}",
        if after.is_some() {
            "AND (created_at, email_key) > ($3, $4)"
        } else {
            ""
        },
        match (page, after) {
            (None, _) => "",
            (Some(_), None) => "LIMIT $3",
            (Some(_), Some(_)) => "LIMIT $5",
        }
    );
    let rows = on!(ex, c => {
        let mut query = sqlx::query_as::<_, Row>(&sql)
            .bind(webinar.0)
            .bind(session.map(|s| s.0));
        if let Some((created_at, email_key)) = after {
            query = query.bind(created_at).bind(email_key);
        }
        if let Some(page) = page {
            query = query.bind(page.limit);
        }
        query.fetch_all(c).await
    })
    .context("listing registrations")?;
    rows.into_iter().map(Registration::try_from).collect()
}

/// A page of the registrations page: filtered, in `sort` order (see [`super::lists`]).
pub async fn list_page(
    ex: Exec<'_>,
    webinar: WebinarId,
    filter: &lists::Filter,
    sort: lists::Sort,
    window: &lists::Window,
) -> anyhow::Result<lists::Listed<Registration>> {
    let listed =
        lists::page::<Row>(ex, "registrations", COLUMNS, webinar, filter, sort, window).await?;
    listed.try_map(Registration::try_from)
}

/// The counts on top of a page of the registrations page (see [`lists::counts`]).
pub async fn counts<T>(
    ex: Exec<'_>,
    webinar: WebinarId,
    filter: &lists::Filter,
    window: &lists::Window,
    listed: &lists::Listed<T>,
) -> anyhow::Result<(lists::Counted, i64)> {
    lists::counts(ex, "registrations", webinar, filter, window, listed).await
}

/// How many registrations the filter keeps.
pub async fn count(
    ex: Exec<'_>,
    webinar: WebinarId,
    filter: &lists::Filter,
) -> anyhow::Result<i64> {
    lists::count(ex, "registrations", webinar, filter).await
}
