//! Invitees of a webinar, unique by email (in any letter case).

use anyhow::Context;
use chrono::Utc;
use uuid::Uuid;

use super::{Exec, Page, lists, on};
use crate::domain::invitee::{Invitee, NewInvitee};
use crate::domain::{Country, EmailAddress, InviteeId, PersonName, WebinarId};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    webinar_id: Uuid,
    name: String,
    email: String,
    organization: Option<String>,
    role: Option<String>,
    country: Option<String>,
    time_zone: String,
    language: String,
}

impl TryFrom<Row> for Invitee {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Invitee> {
        Ok(Invitee {
            id: InviteeId(r.id),
            webinar_id: WebinarId(r.webinar_id),
            name: PersonName::parse(&r.name)?,
            email: EmailAddress::parse(&r.email)?,
            organization: r.organization,
            role: r.role,
            country: r.country.as_deref().map(Country::parse).transpose()?,
            time_zone: r.time_zone.parse()?,
            language: r.language.parse()?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted,
    Updated(InviteeId),
}

/// What a registration takes from the invitee with the same email.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteeLink {
    pub id: Uuid,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub country: Option<String>,
}

#[tracing::instrument(skip_all, fields(webinar = %webinar))]
pub async fn find_link(
    ex: Exec<'_>,
    webinar: WebinarId,
    email: &EmailAddress,
) -> anyhow::Result<Option<InviteeLink>> {
    let keep = super::keep_prepared(&ex);
    on!(ex, c => sqlx::query_as::<_, InviteeLink>(
        "SELECT id, organization, role, country FROM invitees WHERE webinar_id = $1 AND email_key = $2",
    )
    .persistent(keep)
    .bind(webinar.0)
    .bind(email.key())
    .fetch_optional(c)
    .await)
    .context("looking up an invitee")
}

/// Rows per multi-row statement (and emails per look-up). Small on purpose: sqlx's
/// SQLite driver looks each parameter's name up by scanning all of them, so a statement
/// costs the square of its parameters (500 rows of 11 took 30 s for 100,000 rows; 40
/// rows take a fraction of a second, and the statements stay few).
const INSERT_ROWS: usize = 40;

/// Adds the invitees, or updates those with the same email (an import's chunk, or one
/// person): look-ups of the emails there already, then one INSERT per 40 new rows and one
/// UPDATE per 40 known emails. A later row with the email of an earlier one updates it, as
/// it would one by one.
#[tracing::instrument(skip_all, fields(webinar = %webinar, rows = rows.len()))]
pub async fn upsert_many(
    mut ex: Exec<'_>,
    webinar: WebinarId,
    rows: &[NewInvitee],
) -> anyhow::Result<Vec<Upserted>> {
    let keys: Vec<String> = rows.iter().map(|i| i.email.key()).collect();
    let mut known: std::collections::HashMap<String, Uuid> = Default::default();
    for part in keys.chunks(INSERT_ROWS) {
        let sql = format!(
            "SELECT email_key, id FROM invitees WHERE webinar_id = $1 AND email_key IN ({})",
            (2..part.len() + 2)
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        // Not prepared once for all: a plan made while the table was empty (a scan)
        // would stay cached on PostgreSQL and read the whole table for every chunk.
        let found: Vec<(String, Uuid)> = on!(ex.reborrow(), c => {
            let mut q = sqlx::query_as(&sql).persistent(false).bind(webinar.0);
            for key in part {
                q = q.bind(key);
            }
            q.fetch_all(c).await
        })
        .context("looking up invitees by email")?;
        known.extend(found);
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut new: Vec<(Uuid, &NewInvitee)> = Vec::new();
    let mut new_at: std::collections::HashMap<&str, usize> = Default::default();
    let mut changed: Vec<(Uuid, &NewInvitee)> = Vec::new();
    for (i, key) in rows.iter().zip(&keys) {
        if let Some(&at) = new_at.get(key.as_str()) {
            new[at].1 = i;
            out.push(Upserted::Updated(InviteeId(new[at].0)));
        } else if let Some(&id) = known.get(key) {
            changed.push((id, i));
            out.push(Upserted::Updated(InviteeId(id)));
        } else {
            new_at.insert(key, new.len());
            new.push((InviteeId::new().0, i));
            out.push(Upserted::Inserted);
        }
    }
    // Known emails: one UPDATE per 40 rows, from a VALUES list (its columns are
    // column1.. on both databases); a row listed twice takes its later values.
    for part in changed.chunks(INSERT_ROWS) {
        let values: Vec<String> = (0..part.len())
            .map(|r| {
                let p: Vec<String> = (1..=9).map(|k| format!("${}", r * 9 + k + 1)).collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "UPDATE invitees SET name = v.column2, email = v.column3, email_key = v.column4, \
             organization = v.column5, role = v.column6, country = v.column7, \
             time_zone = v.column8, language = v.column9 \
             FROM (VALUES {}) AS v WHERE invitees.id = v.column1 AND invitees.webinar_id = $1",
            values.join(", ")
        );
        let ids: std::collections::HashSet<Uuid> = part.iter().map(|(id, _)| *id).collect();
        // SQLite does not look the VALUES rows up by key (it scans the table for each
        // statement); one UPDATE by primary key per row is quicker there, in-process.
        if ids.len() < part.len() || matches!(ex, Exec::Sqlite(_)) {
            // Twice in one statement would be one change, not the later; one by one then.
            for (id, i) in part {
                update(ex.reborrow(), webinar, InviteeId(*id), i).await?;
            }
            continue;
        }
        on!(ex.reborrow(), c => {
            let mut q = sqlx::query(&sql).persistent(false).bind(webinar.0);
            for (id, i) in part {
                q = q
                    .bind(*id)
                    .bind(i.name.as_str())
                    .bind(i.email.as_str())
                    .bind(i.email.key())
                    .bind(&i.organization)
                    .bind(&i.role)
                    .bind(i.country.as_ref().map(Country::as_str))
                    .bind(i.time_zone.0.name())
                    .bind(i.language.code());
            }
            q.execute(c).await.map(|_| ())
        })
        .context("updating invitees")?;
    }
    // Each row a microsecond after the one before: "by arrival" keeps the file's order.
    let now = Utc::now();
    let arrival = |n: usize| now + chrono::Duration::microseconds(n as i64);
    for (chunk, part) in new.chunks(INSERT_ROWS).enumerate() {
        let values: Vec<String> = (0..part.len())
            .map(|r| {
                let p: Vec<String> = (1..=11).map(|k| format!("${}", r * 11 + k)).collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO invitees (id, webinar_id, name, email, email_key, organization, role, \
             country, time_zone, language, created_at) VALUES {}",
            values.join(", ")
        );
        on!(ex.reborrow(), c => {
            let mut q = sqlx::query(&sql);
            for (n, (id, i)) in part.iter().enumerate() {
                q = q
                    .bind(*id)
                    .bind(webinar.0)
                    .bind(i.name.as_str())
                    .bind(i.email.as_str())
                    .bind(i.email.key())
                    .bind(&i.organization)
                    .bind(&i.role)
                    .bind(i.country.as_ref().map(Country::as_str))
                    .bind(i.time_zone.0.name())
                    .bind(i.language.code())
                    .bind(arrival(chunk * INSERT_ROWS + n));
            }
            q.execute(c).await.map(|_| ())
        })
        .context("storing invitees")?;
    }
    Ok(out)
}

/// Where an invitee sorts in the list: organization (none first), name, id.
pub type Key = (String, String, Uuid);

pub fn key(i: &Invitee) -> Key {
    (
        i.organization.clone().unwrap_or_default(),
        i.name.as_str().to_string(),
        i.id.0,
    )
}

/// The webinar's invitees by organization (none first), then name.
pub async fn list(ex: Exec<'_>, webinar: WebinarId) -> anyhow::Result<Vec<Invitee>> {
    list_in_order(ex, webinar, None).await
}

/// One page of [`list`], in the same order.
pub async fn page(
    ex: Exec<'_>,
    webinar: WebinarId,
    page: &Page<Key>,
) -> anyhow::Result<Vec<Invitee>> {
    list_in_order(ex, webinar, Some(page)).await
}

#[tracing::instrument(skip_all, fields(webinar = %webinar))]
async fn list_in_order(
    ex: Exec<'_>,
    webinar: WebinarId,
    page: Option<&Page<Key>>,
) -> anyhow::Result<Vec<Invitee>> {
    let after = page.and_then(|p| p.after.as_ref());
    let sql = format!(
        "SELECT id, webinar_id, name, email, organization, role, country, time_zone, language \
         FROM invitees WHERE webinar_id = $1 {} \
         ORDER BY COALESCE(organization, ''), name, id {}",
        if after.is_some() {
            "AND (COALESCE(organization, ''), name, id) > ($2, $3, $4)"
        } else {
            ""
        },
        match (page, after) {
            (None, _) => "",
            (Some(_), None) => "LIMIT $2",
            (Some(_), Some(_)) => "LIMIT $5",
        }
    );
    let rows = on!(ex, c => {
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(webinar.0);
        if let Some((organization, name, id)) = after {
            query = query.bind(organization).bind(name).bind(id);
        }
        if let Some(page) = page {
            query = query.bind(page.limit);
        }
        query.fetch_all(c).await
    })
    .context("listing invitees")?;
    rows.into_iter().map(Invitee::try_from).collect()
}

pub async fn find(
    ex: Exec<'_>,
    webinar: WebinarId,
    id: InviteeId,
) -> anyhow::Result<Option<Invitee>> {
    let row = on!(ex, c => sqlx::query_as::<_, Row>(
        "SELECT id, webinar_id, name, email, organization, role, country, time_zone, language \
         FROM invitees WHERE webinar_id = $1 AND id = $2",
    )
    .bind(webinar.0)
    .bind(id.0)
    .fetch_optional(c)
    .await)
    .context("reading an invitee")?;
    row.map(Invitee::try_from).transpose()
}

/// Replaces the invitee's fields; fails with a unique violation when the new email is taken.
pub async fn update(
    ex: Exec<'_>,
    webinar: WebinarId,
    id: InviteeId,
    i: &NewInvitee,
) -> anyhow::Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE invitees SET name = $3, email = $4, email_key = $5, organization = $6, role = $7, \
         country = $8, time_zone = $9, language = $10 WHERE id = $1 AND webinar_id = $2",
    )
    .bind(id.0)
    .bind(webinar.0)
    .bind(i.name.as_str())
    .bind(i.email.as_str())
    .bind(i.email.key())
    .bind(&i.organization)
    .bind(&i.role)
    .bind(i.country.as_ref().map(Country::as_str))
    .bind(i.time_zone.0.name())
    .bind(i.language.code())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("updating an invitee")?;
    Ok(())
}

pub async fn delete(ex: Exec<'_>, webinar: WebinarId, id: InviteeId) -> anyhow::Result<bool> {
    let done = on!(ex, c => sqlx::query("DELETE FROM invitees WHERE id = $1 AND webinar_id = $2")
        .bind(id.0)
        .bind(webinar.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("removing an invitee")?;
    Ok(done == 1)
}

/// A page of the invitees page: filtered, in `sort` order (see [`super::lists`]).
pub async fn list_page(
    ex: Exec<'_>,
    webinar: WebinarId,
    filter: &lists::Filter,
    sort: lists::Sort,
    window: &lists::Window,
) -> anyhow::Result<lists::Listed<Invitee>> {
    let listed = lists::page::<Row>(
        ex,
        "invitees",
        "id, webinar_id, name, email, organization, role, country, time_zone, language",
        webinar,
        filter,
        sort,
        window,
    )
    .await?;
    listed.try_map(Invitee::try_from)
}

/// The counts on top of a page of the invitees page (see [`lists::counts`]).
pub async fn counts<T>(
    ex: Exec<'_>,
    webinar: WebinarId,
    filter: &lists::Filter,
    window: &lists::Window,
    listed: &lists::Listed<T>,
) -> anyhow::Result<(lists::Counted, i64)> {
    lists::counts(ex, "invitees", webinar, filter, window, listed).await
}

/// How many invitees the filter keeps.
pub async fn count(
    ex: Exec<'_>,
    webinar: WebinarId,
    filter: &lists::Filter,
) -> anyhow::Result<i64> {
    lists::count(ex, "invitees", webinar, filter).await
}

/// These invitees of the webinar (a page's selection: at most a few hundred ids).
pub async fn by_ids(
    mut ex: Exec<'_>,
    webinar: WebinarId,
    ids: &[InviteeId],
) -> anyhow::Result<Vec<Invitee>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(invitee) = find(ex.reborrow(), webinar, *id).await? {
            found.push(invitee);
        }
    }
    Ok(found)
}
