//! Importing invitees from CSV or JSON: good rows are stored, bad rows are named by line.

use serde::Serialize;

use crate::context::Context;
use crate::db;
use crate::db::invitees::Upserted;
use crate::domain::InviteeId;
use crate::domain::invitee::InviteeRow;
use crate::domain::member::Access;
use crate::error::{AppError, AppResult};
use crate::reports::LineCounter;

/// The CSV columns, in the order of the sample file; `name`, `email` and `time_zone` are required.
pub const CSV_COLUMNS: [&str; 7] = [
    "name",
    "email",
    "organization",
    "role",
    "country",
    "time_zone",
    "language",
];
const REQUIRED: [&str; 3] = ["name", "email", "time_zone"];

/// A row as read, with its line (the CSV header is line 1; in JSON, the item's position).
pub type ReadRow = (u64, Result<InviteeRow, String>);

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// New invitees.
    pub imported: usize,
    /// Rows whose email matched an invitee already there.
    pub updated: usize,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// Reads a CSV file with a header line; a file without the required columns is refused whole.
pub fn read_csv(body: &[u8]) -> AppResult<Vec<ReadRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(body);
    let headers = reader
        .headers()
        .map_err(|e| AppError::BadRequest(format!("the CSV header line cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect::<Vec<_>>();
    let missing: Vec<_> = REQUIRED
        .iter()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::BadRequest(format!(
            "the CSV header (line 1) lacks the column(s) {}: expected {}",
            missing
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            CSV_COLUMNS.join(",")
        )));
    }
    let column = |name: &str| headers.iter().position(|h| h == name);
    let index: Vec<Option<usize>> = CSV_COLUMNS.iter().map(|c| column(c)).collect();
    let mut rows = Vec::new();
    // Lines as an editor numbers them, whether the file ends its lines with LF, CRLF (as
    // Excel writes) or CR; a row's line is where it starts.
    let mut lines = LineCounter::new(body);
    let mut line_at =
        |p: Option<&csv::Position>| lines.line_of(p.map_or(0, |p| p.byte() as usize)) as u64;
    for record in reader.records() {
        let row = match record {
            Ok(record) => {
                let line = line_at(record.position());
                if record.iter().all(str::is_empty) {
                    continue;
                }
                let field = |i: usize| index[i].and_then(|at| record.get(at)).map(str::to_string);
                (
                    line,
                    Ok(InviteeRow {
                        name: field(0).unwrap_or_default(),
                        email: field(1).unwrap_or_default(),
                        organization: field(2),
                        role: field(3),
                        country: field(4),
                        time_zone: field(5).unwrap_or_default(),
                        language: field(6),
                    }),
                )
            }
            Err(e) => (line_at(e.position()), Err(csv_problem(&e))),
        };
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(AppError::BadRequest(
            "the CSV file has a header but no invitees".into(),
        ));
    }
    Ok(rows)
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("expected {expected_len} fields as in the header, found {len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8 text".into(),
        _ => format!("unreadable line: {e}"),
    }
}

/// Reads a JSON array of invitee objects.
pub fn read_json(items: Vec<serde_json::Value>) -> AppResult<Vec<ReadRow>> {
    if items.is_empty() {
        return Err(AppError::BadRequest("the list of invitees is empty".into()));
    }
    Ok(items
        .into_iter()
        .zip(1u64..)
        .map(|(item, n)| {
            let row = serde_json::from_value::<InviteeRow>(item)
                .map_err(|e| format!("item {n} is not an invitee object: {e}"));
            (n, row)
        })
        .collect())
}

/// Stores every valid row (new or updated by email) in one transaction.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id, rows = rows.len()))]
pub async fn import(
    ctx: &Context,
    webinar: &Access,
    rows: Vec<ReadRow>,
) -> AppResult<ImportReport> {
    let mut report = ImportReport::default();
    let mut tx = ctx.begin().await?;
    for (line, row) in rows {
        let checked = row.and_then(|r| r.check(webinar.default_language()).map_err(|e| e.0));
        match checked {
            Ok(invitee) => match db::invitees::upsert(tx.exec(), webinar.id, &invitee).await? {
                Upserted::Inserted => report.imported += 1,
                Upserted::Updated(id) => {
                    report.updated += 1;
                    db::registrations::follow_invitee(tx.exec(), id).await?;
                }
            },
            Err(message) => report.errors.push(RowError { line, message }),
        }
    }
    tx.audit(
        webinar,
        "invitees.imported",
        &format!(
            "imported invitees: {} new, {} updated, {} lines refused",
            report.imported,
            report.updated,
            report.errors.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Changes one invitee; another invitee's email is refused.
pub async fn update(
    ctx: &Context,
    webinar: &Access,
    id: InviteeId,
    row: &InviteeRow,
) -> AppResult<()> {
    let invitee = row.check(webinar.default_language())?;
    let mut tx = ctx.begin().await?;
    db::invitees::find(tx.exec(), webinar.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("invitee"))?;
    if let Err(e) = db::invitees::update(tx.exec(), webinar.id, id, &invitee).await {
        if db::is_unique_violation(&e) {
            return Err(AppError::Conflict(format!(
                "another invitee has the email {}",
                invitee.email.as_str()
            )));
        }
        return Err(e.into());
    }
    db::registrations::follow_invitee(tx.exec(), id).await?;
    tx.audit(
        webinar,
        "invitee.changed",
        &format!("edited invitee {}", invitee.email.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an invitee (their registration, if any, stays).
pub async fn remove(ctx: &Context, webinar: &Access, id: InviteeId) -> AppResult<()> {
    let mut tx = ctx.begin().await?;
    if !db::invitees::delete(tx.exec(), webinar.id, id).await? {
        return Err(AppError::not_found("invitee"));
    }
    tx.audit(webinar, "invitee.removed", &format!("removed invitee {id}"))
        .await?;
    tx.commit().await?;
    Ok(())
}
