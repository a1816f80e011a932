//! The organizer's list pages (invitees, registrations, attendance, chairs): filters, a
//! sort order read along its index (migrations 0015, 0017), and keyset pages forwards and
//! backwards, with the count of the same filter (up to a bound). The three tables have the
//! `list_*` columns, so one builder serves them all.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use super::{Exec, on};
use crate::domain::WebinarId;

/// The orders a list page offers, each with its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By organization (those without one last), then name.
    #[default]
    Organization,
    Name,
    /// In the order they came.
    Created,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "" | "organization" => Some(Sort::Organization),
            "name" => Some(Sort::Name),
            "created" => Some(Sort::Created),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Organization => "organization",
            Sort::Name => "name",
            Sort::Created => "created",
        }
    }

    /// A term that is always true and names the partial index of this order (0008,
    /// 0015), so that the page reads along it and nothing else uses it.
    fn guard(self) -> &'static str {
        match self {
            Sort::Organization => " AND list_last >= 0",
            Sort::Name => " AND list_name IS NOT NULL",
            Sort::Created => " AND created_at IS NOT NULL",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Sort::Organization => &["list_last", "list_org", "list_name", "id"],
            Sort::Name => &["list_name", "id"],
            Sort::Created => &["created_at", "id"],
        }
    }
}

/// One value of a row's place in the order (what a cursor holds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Part {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
    Id(Uuid),
}

pub type Key = Vec<Part>;

/// The sort columns every listed row carries, so that its key can be taken.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Place {
    pub id: Uuid,
    pub list_last: i64,
    pub list_org: String,
    pub list_name: String,
    pub created_at: DateTime<Utc>,
}

impl Place {
    pub fn key(&self, sort: Sort) -> Key {
        match sort {
            Sort::Organization => vec![
                Part::Int(self.list_last),
                Part::Text(self.list_org.clone()),
                Part::Text(self.list_name.clone()),
                Part::Id(self.id),
            ],
            Sort::Name => vec![Part::Text(self.list_name.clone()), Part::Id(self.id)],
            Sort::Created => vec![Part::Time(self.created_at), Part::Id(self.id)],
        }
    }
}

/// What narrows a list; empty fields narrow nothing. `session` and `status` apply to
/// registrations and chairs, `attendance` to registrations.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Matched, lower-cased, anywhere in the name, email or organization.
    pub search: String,
    pub language: String,
    pub zone: String,
    pub session: Option<Uuid>,
    pub status: String,
    pub attendance: Option<Attendance>,
}

impl Filter {
    /// Whether the filter narrows anything (else its count is the whole list's).
    pub fn narrows(&self) -> bool {
        !self.search.trim().is_empty()
            || !self.language.is_empty()
            || !self.zone.is_empty()
            || self.session.is_some()
            || !self.status.is_empty()
            || self.attendance.is_some()
    }
}

/// The attendance filter: who attended (in any session, as it counts: a manual
/// correction wins over the join link and the report), who is on record as absent only,
/// and who has no record at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attendance {
    Attended,
    Absent,
    Unmarked,
}

impl Attendance {
    pub fn parse(s: &str) -> Option<Attendance> {
        match s {
            "attended" => Some(Attendance::Attended),
            "absent" => Some(Attendance::Absent),
            "unmarked" => Some(Attendance::Unmarked),
            _ => None,
        }
    }
}

/// A registration of `registrations` with an attendance record that counts as attended:
/// attended, and no manual record of the same session saying absent (`attended` is an
/// INTEGER on SQLite, a BOOLEAN on PostgreSQL: both read it as a condition).
const ATTENDED: &str = "EXISTS (SELECT 1 FROM attendance a WHERE a.registration_id = registrations.id \
     AND a.attended AND NOT EXISTS (SELECT 1 FROM attendance m \
     WHERE m.registration_id = a.registration_id AND m.session_id = a.session_id \
     AND m.source = 'manual' AND NOT m.attended))";
const ON_RECORD: &str =
    "EXISTS (SELECT 1 FROM attendance a WHERE a.registration_id = registrations.id)";

/// Where a page starts: after the key of the previous page's last row, or before the
/// key of the next page's first row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    After(Key),
    Before(Key),
}

/// A page asked for: its start and how many rows.
#[derive(Debug, Clone)]
pub struct Window {
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

/// A page of rows, each with its key (for the links to the neighbouring pages).
#[derive(Debug)]
pub struct Listed<T> {
    pub rows: Vec<(T, Key)>,
    pub has_previous: bool,
    pub has_next: bool,
}

impl<T> Listed<T> {
    /// The same page with each row converted.
    pub fn try_map<U>(self, f: impl Fn(T) -> anyhow::Result<U>) -> anyhow::Result<Listed<U>> {
        Ok(Listed {
            rows: self
                .rows
                .into_iter()
                .map(|(row, key)| Ok((f(row)?, key)))
                .collect::<anyhow::Result<_>>()?,
            has_previous: self.has_previous,
            has_next: self.has_next,
        })
    }

    /// Cuts the `limit + 1` rows read in `window`'s direction to the page, in order, and
    /// says which neighbours it has.
    pub fn cut(mut rows: Vec<(T, Key)>, window: &Window) -> Listed<T> {
        let more = rows.len() as i64 > window.limit;
        rows.truncate(window.limit as usize);
        let backwards = matches!(window.cursor, Some(Cursor::Before(_)));
        if backwards {
            rows.reverse();
        }
        Listed {
            rows,
            has_previous: if backwards {
                more
            } else {
                window.cursor.is_some()
            },
            has_next: if backwards { true } else { more },
        }
    }
}

impl Window {
    /// `AND (columns) > ($n, ...)` (or `<` before a key) with its values, the ORDER BY
    /// of `columns` in the page's direction, and the LIMIT (one more row than the page,
    /// to know whether another follows); `first` is the number of the first placeholder.
    pub(crate) fn keyset(&self, columns: &[&str], first: usize) -> (String, Vec<Bind>, String) {
        let (backwards, key) = match &self.cursor {
            None => (false, None),
            Some(Cursor::After(k)) => (false, Some(k)),
            Some(Cursor::Before(k)) => (true, Some(k)),
        };
        let mut clause = String::new();
        let mut binds = Vec::new();
        if let Some(key) = key {
            let marks: Vec<String> = (first..first + key.len())
                .map(|n| format!("${n}"))
                .collect();
            clause = format!(
                " AND ({}) {} ({})",
                columns.join(", "),
                if backwards { "<" } else { ">" },
                marks.join(", ")
            );
            binds.extend(key.iter().map(Bind::from));
        }
        let direction = if backwards { " DESC" } else { "" };
        let order: Vec<String> = columns.iter().map(|c| format!("{c}{direction}")).collect();
        binds.push(Bind::Int(self.limit + 1));
        let order = format!(
            "ORDER BY {} LIMIT ${}",
            order.join(", "),
            first + binds.len() - 1
        );
        (clause, binds, order)
    }
}

/// A value bound to a query built here, of a type both databases take.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Id(Uuid),
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

/// Binds every value of a `&[Bind]` to the query, in order.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for b in $binds {
            query = match b {
                $crate::db::lists::Bind::Id(v) => query.bind(*v),
                $crate::db::lists::Bind::Text(v) => query.bind(v.clone()),
                $crate::db::lists::Bind::Int(v) => query.bind(*v),
                $crate::db::lists::Bind::Time(v) => query.bind(*v),
            };
        }
        query
    }};
}
pub(crate) use bind_all;

impl From<&Part> for Bind {
    fn from(p: &Part) -> Bind {
        match p {
            Part::Int(i) => Bind::Int(*i),
            Part::Text(t) => Bind::Text(t.clone()),
            Part::Time(t) => Bind::Time(*t),
            Part::Id(u) => Bind::Id(*u),
        }
    }
}

/// `WHERE ...` of the filter on `table`, and its bound values from `$1`.
/// What a filter's SQL is for. A count reads the filters' indexes (0017). A page reads
/// along the index of its order: on SQLite (no statistics) its equality filters are
/// written `+column`, which no index serves, else SQLite would take a filter's index and
/// sort every row the filter keeps; and its search first finds the matching ids in the
/// search index (0017), so a rare match does not read every row of the webinar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Count,
    Page { sqlite: bool },
}

fn filtered(table: &str, webinar: WebinarId, filter: &Filter, use_: Use) -> (String, Vec<Bind>) {
    let mut sql = String::from("webinar_id = $1");
    let plus = if use_ == (Use::Page { sqlite: true }) {
        "+"
    } else {
        ""
    };
    let mut binds = vec![Bind::Id(webinar.0)];
    let mut add = |sql: &mut String, clause: &str, bind: Bind| {
        binds.push(bind);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    let search = filter.search.trim().to_lowercase();
    if !search.is_empty() {
        let pattern = format!("%{}%", escape_like(&search));
        // `list_name IS NOT NULL` (always true) is the search indexes' predicate (0018).
        let like = "list_name IS NOT NULL AND (list_name LIKE ? ESCAPE '\\' OR email_key LIKE ? ESCAPE '\\' OR list_org LIKE ? ESCAPE '\\')";
        let clause = match use_ {
            Use::Count => format!(" AND {like}"),
            Use::Page { sqlite } => {
                // SQLite would rather take registrations' (non-partial) list order index
                // of 0008, which lacks the email, and read every row for it.
                let index = match (sqlite, table) {
                    (true, "invitees" | "registrations") => format!(" INDEXED BY {table}_search"),
                    _ => String::new(),
                };
                format!(
                    " AND id IN (SELECT id FROM {table}{index} WHERE webinar_id = $1 AND {like})"
                )
            }
        };
        add(&mut sql, &clause, Bind::Text(pattern));
    }
    if !filter.language.is_empty() {
        add(
            &mut sql,
            &format!(" AND {plus}language = ?"),
            Bind::Text(filter.language.clone()),
        );
    }
    if !filter.zone.is_empty() {
        add(
            &mut sql,
            &format!(" AND {plus}time_zone = ?"),
            Bind::Text(filter.zone.clone()),
        );
    }
    if table == "registrations" || table == "session_chairs" {
        if let Some(session) = filter.session {
            add(
                &mut sql,
                &format!(" AND {plus}session_id = ?"),
                Bind::Id(session),
            );
        }
        if !filter.status.is_empty() {
            add(
                &mut sql,
                &format!(" AND {plus}status = ?"),
                Bind::Text(filter.status.clone()),
            );
        }
    }
    if table == "registrations" {
        match filter.attendance {
            None => {}
            Some(Attendance::Attended) => sql.push_str(&format!(" AND {ATTENDED}")),
            Some(Attendance::Absent) => {
                sql.push_str(&format!(" AND {ON_RECORD} AND NOT {ATTENDED}"))
            }
            Some(Attendance::Unmarked) => sql.push_str(&format!(" AND NOT {ON_RECORD}")),
        }
    }
    (sql, binds)
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// How many rows of `table` the filter keeps.
#[tracing::instrument(skip_all, fields(table, webinar = %webinar))]
pub(crate) async fn count(
    ex: Exec<'_>,
    table: &'static str,
    webinar: WebinarId,
    filter: &Filter,
) -> anyhow::Result<i64> {
    let (clause, binds) = filtered(table, webinar, filter, Use::Count);
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {clause}");
    on!(ex, c => {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(c).await
    })
    .with_context(|| format!("counting {table}"))
}

/// How many rows a filter keeps, counted no further than a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Exactly(i64),
    /// More than this many.
    MoreThan(i64),
}

/// How many rows of `table` the filter keeps, counting at most `bound + 1` of them, so a
/// broad filter stops reading early.
#[tracing::instrument(skip_all, fields(table, webinar = %webinar))]
pub(crate) async fn count_up_to(
    ex: Exec<'_>,
    table: &'static str,
    webinar: WebinarId,
    filter: &Filter,
    bound: i64,
) -> anyhow::Result<Counted> {
    let (clause, mut binds) = filtered(table, webinar, filter, Use::Count);
    binds.push(Bind::Int(bound + 1));
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {clause} LIMIT ${}) AS kept",
        binds.len()
    );
    let n = on!(ex, c => {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(c).await
    })
    .with_context(|| format!("counting {table}"))?;
    Ok(if n > bound {
        Counted::MoreThan(bound)
    } else {
        Counted::Exactly(n)
    })
}

/// One page of `table` (`columns` selected into `R`, plus the [`Place`] of each row).
#[tracing::instrument(skip_all, fields(table, webinar = %webinar))]
pub(crate) async fn page<R>(
    ex: Exec<'_>,
    table: &'static str,
    columns: &str,
    webinar: WebinarId,
    filter: &Filter,
    sort: Sort,
    window: &Window,
) -> anyhow::Result<Listed<R>>
where
    R: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let sqlite = matches!(ex, Exec::Sqlite(_));
    let (mut clause, mut binds) = filtered(table, webinar, filter, Use::Page { sqlite });
    clause.push_str(sort.guard());
    if let Some(Cursor::After(key) | Cursor::Before(key)) = &window.cursor {
        anyhow::ensure!(
            key.len() == sort.columns().len(),
            "a cursor of another order"
        );
    }
    // Named with the table: `list_last` alone in the ORDER BY would be the selected
    // CAST(list_last ...) below, which no index holds, and both databases would sort
    // every row the filter keeps instead of reading along the order's index.
    let ordered: Vec<String> = sort
        .columns()
        .iter()
        .map(|c| format!("{table}.{c}"))
        .collect();
    let ordered: Vec<&str> = ordered.iter().map(String::as_str).collect();
    let (keyset, more, order) = window.keyset(&ordered, binds.len() + 1);
    clause.push_str(&keyset);
    binds.extend(more);
    let sql = format!(
        // list_last is INTEGER (32 bits on PostgreSQL).
        "SELECT {columns}, CAST(list_last AS BIGINT) AS list_last, list_org, list_name, created_at \
         FROM {table} WHERE {clause} {order}"
    );
    let rows: Vec<(R, Key)> = on!(ex, c => {
        bind_all!(sqlx::query(&sql), &binds)
            .fetch_all(c)
            .await
            .and_then(|rows| {
                rows.iter()
                    .map(|row| Ok((R::from_row(row)?, Place::from_row(row)?.key(sort))))
                    .collect::<Result<Vec<_>, sqlx::Error>>()
            })
    })
    .with_context(|| format!("listing {table}"))?;
    Ok(Listed::cut(rows, window))
}

/// The filter's count is told exactly up to this many rows, then as "more than".
pub const COUNT_BOUND: i64 = 1000;

/// The counts on top of a list page: the filter's (up to [`COUNT_BOUND`]) and the whole
/// list's. A filter that narrows nothing is counted once; a first page that holds every
/// row the filter keeps is its own count, so a rare match is not read twice.
#[tracing::instrument(skip_all, fields(table, webinar = %webinar))]
pub(crate) async fn counts<T>(
    mut ex: Exec<'_>,
    table: &'static str,
    webinar: WebinarId,
    filter: &Filter,
    window: &Window,
    listed: &Listed<T>,
) -> anyhow::Result<(Counted, i64)> {
    let total = count(ex.reborrow(), table, webinar, &Filter::default()).await?;
    if !filter.narrows() {
        return Ok((Counted::Exactly(total), total));
    }
    if window.cursor.is_none() && !listed.has_next {
        return Ok((Counted::Exactly(listed.rows.len() as i64), total));
    }
    let matching = count_up_to(ex, table, webinar, filter, COUNT_BOUND).await?;
    Ok((matching, total))
}
