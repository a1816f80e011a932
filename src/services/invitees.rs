//! Importing invitees from CSV or JSON: good rows are stored, bad rows are named by line.

use serde::Serialize;

use crate::context::Context;
use crate::db;
use crate::db::invitees::Upserted;
use crate::domain::InviteeId;
use crate::domain::invitee::InviteeRow;
use crate::domain::member::Access;
use crate::error::{AppError, AppResult};
use crate::reports::{self, LineCounter};

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

/// The largest invitee list taken at once, in rows and in bytes (CSV or XLSX; JSON
/// bodies keep the API's 1 MiB).
pub const MAX_ROWS: usize = 100_000;
pub const MAX_FILE: usize = 32 * 1024 * 1024;
/// The refused lines an import answers in full; beyond them, only their count.
pub const MAX_ERRORS: usize = 1_000;
/// Rows stored per transaction (see [`import`]).
const CHUNK: usize = 1_000;

/// A row as read, with its line (the CSV header is line 1; in a spreadsheet, its row
/// number; in JSON, the item's position), or why it cannot be read.
pub type ReadRow = (u64, Result<InviteeRow, Refused>);

/// Why a line was refused: the message (English, as the API answers) and what it is
/// about, for a page to tell in its own language.
#[derive(Debug, Clone)]
pub struct Refused {
    pub problem: RowProblem,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    /// These columns hold a value that is not valid (`name`, `email`, `time_zone`...).
    Fields(Vec<&'static str>),
    /// More or fewer fields than the header has.
    FieldCount,
    /// Not UTF-8 text.
    NotUtf8,
    /// Anything else the reader could not take.
    Unreadable,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// New invitees.
    pub imported: usize,
    /// Rows whose email matched an invitee already there (or an earlier row of the file).
    pub updated: usize,
    /// The first 1,000 refused lines, in file order.
    pub errors: Vec<RowError>,
    /// How many lines were refused in all.
    pub error_count: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub line: u64,
    pub message: String,
    #[serde(skip)]
    pub problem: RowProblem,
}

impl ImportReport {
    fn refuse(&mut self, line: u64, refused: Refused) {
        self.error_count += 1;
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(RowError {
                line,
                message: refused.message,
                problem: refused.problem,
            });
        }
    }
}

/// The rows of an invitee list, read as they are stored.
pub type Rows<'a> = Box<dyn Iterator<Item = ReadRow> + Send + 'a>;

/// Reads a CSV file with a header line, one record at a time; a file without the
/// required columns, or with more than [`MAX_ROWS`] records, is refused whole.
pub fn read_csv(body: &[u8]) -> AppResult<Rows<'_>> {
    // A first quick pass counts the records (the header apart), so that a list too long
    // is refused before any of it is stored.
    let records = csv::ReaderBuilder::new()
        .from_reader(body)
        .byte_records()
        .count();
    if records > MAX_ROWS {
        return Err(too_many(records));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(body);
    let headers = reader
        .headers()
        .map_err(|e| AppError::BadRequest(format!("the CSV header line cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect::<Vec<_>>();
    let index = columns(&headers, "the CSV header (line 1)")?;
    if records == 0 {
        return Err(AppError::BadRequest(
            "the CSV file has a header but no invitees".into(),
        ));
    }
    // Lines as an editor numbers them, whether the file ends its lines with LF, CRLF (as
    // Excel writes) or CR; a row's line is where it starts, also after a quoted field
    // that spans lines.
    let mut lines = LineCounter::new(body);
    let mut line_at =
        move |p: Option<&csv::Position>| lines.line_of(p.map_or(0, |p| p.byte() as usize)) as u64;
    Ok(Box::new(reader.into_records().filter_map(
        move |record| match record {
            Ok(record) => {
                let line = line_at(record.position());
                if record.iter().all(str::is_empty) {
                    return None;
                }
                Some((line, Ok(row_of(&index, |at| record.get(at)))))
            }
            Err(e) => Some((line_at(e.position()), Err(csv_problem(&e)))),
        },
    )))
}

/// Reads an uploaded list: an XLSX spreadsheet (told by its bytes) or CSV.
pub fn read_file(body: &[u8]) -> AppResult<Rows<'_>> {
    if reports::is_spreadsheet(body) {
        read_xlsx(body)
    } else {
        read_csv(body)
    }
}

/// Reads the first sheet of an XLSX file: a header row, then one invitee per row.
pub fn read_xlsx(body: &[u8]) -> AppResult<Rows<'static>> {
    let mut rows = reports::spreadsheet_rows(body)
        .map_err(|_| {
            AppError::BadRequest(
                "the spreadsheet cannot be read: save it again as .xlsx, or as CSV UTF-8".into(),
            )
        })?
        .into_iter();
    let Some((header_line, headers)) = rows.next() else {
        return Err(AppError::BadRequest("the spreadsheet is empty".into()));
    };
    let headers: Vec<String> = headers.iter().map(|h| h.to_ascii_lowercase()).collect();
    let index = columns(
        &headers,
        &format!("the spreadsheet's header (row {header_line})"),
    )?;
    match rows.len() {
        0 => Err(AppError::BadRequest(
            "the spreadsheet has a header but no invitees".into(),
        )),
        n if n > MAX_ROWS => Err(too_many(n)),
        _ => Ok(Box::new(rows.map(move |(line, cells)| {
            (
                line as u64,
                Ok(row_of(&index, |at| cells.get(at).map(String::as_str))),
            )
        }))),
    }
}

fn too_many(rows: usize) -> AppError {
    AppError::PayloadTooLarge(format!(
        "the list has {rows} rows; at most {MAX_ROWS} are imported at once: split the file"
    ))
}

/// Where each of [`CSV_COLUMNS`] is among `headers`; the required ones must be there.
fn columns(headers: &[String], what: &str) -> AppResult<Vec<Option<usize>>> {
    let missing: Vec<_> = REQUIRED
        .iter()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .map(|c| c.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::BadRequest(format!(
            "{what} lacks the column(s) {}: expected {}",
            missing.join(", "),
            CSV_COLUMNS.join(",")
        )));
    }
    Ok(CSV_COLUMNS
        .iter()
        .map(|c| headers.iter().position(|h| h == c))
        .collect())
}

fn row_of<'r>(index: &[Option<usize>], cell: impl Fn(usize) -> Option<&'r str>) -> InviteeRow {
    let field = |i: usize| {
        index[i]
            .and_then(&cell)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    InviteeRow {
        name: field(0).unwrap_or_default(),
        email: field(1).unwrap_or_default(),
        organization: field(2),
        role: field(3),
        country: field(4),
        time_zone: field(5).unwrap_or_default(),
        language: field(6),
    }
}

fn csv_problem(e: &csv::Error) -> Refused {
    let (problem, message) = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => (
            RowProblem::FieldCount,
            format!("expected {expected_len} fields as in the header, found {len}"),
        ),
        csv::ErrorKind::Utf8 { .. } => (
            RowProblem::NotUtf8,
            "the line is not valid UTF-8 text".into(),
        ),
        _ => (RowProblem::Unreadable, format!("unreadable line: {e}")),
    };
    Refused { problem, message }
}

/// Reads a JSON array of invitee objects.
pub fn read_json(items: Vec<serde_json::Value>) -> AppResult<Rows<'static>> {
    if items.is_empty() {
        return Err(AppError::BadRequest("the list of invitees is empty".into()));
    }
    if items.len() > MAX_ROWS {
        return Err(too_many(items.len()));
    }
    Ok(Box::new(items.into_iter().zip(1u64..).map(|(item, n)| {
        let row = serde_json::from_value::<InviteeRow>(item).map_err(|e| Refused {
            problem: RowProblem::Unreadable,
            message: format!("item {n} is not an invitee object: {e}"),
        });
        (n, row)
    })))
}

/// Stores every valid row (new, or updated by email), [`CHUNK`] rows per transaction:
/// a list of 100,000 never holds SQLite's one writer for long (registrations and the
/// mailer go on between chunks), and memory stays at one chunk besides the file. Each
/// chunk is an upsert by email, so sending the same file again after an interruption
/// completes it; the audit row, with the totals, comes last.
#[tracing::instrument(skip_all, fields(webinar = %webinar.id))]
pub async fn import(
    ctx: &Context,
    webinar: &Access,
    mut rows: Rows<'_>,
) -> AppResult<ImportReport> {
    let mut report = ImportReport::default();
    let mut chunk = Vec::with_capacity(CHUNK);
    loop {
        for (line, row) in rows.by_ref() {
            let checked = row.and_then(|r| {
                r.check_fields(webinar.default_language())
                    .map_err(|problems| Refused {
                        message: problems
                            .iter()
                            .map(|(_, m)| m.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                        problem: RowProblem::Fields(problems.into_iter().map(|(f, _)| f).collect()),
                    })
            });
            match checked {
                Ok(invitee) => {
                    chunk.push(invitee);
                    if chunk.len() == CHUNK {
                        break;
                    }
                }
                Err(refused) => report.refuse(line, refused),
            }
        }
        if chunk.is_empty() {
            break;
        }
        let mut work = ctx.begin().await?;
        let mut updated = Vec::new();
        for stored in db::invitees::upsert_many(work.exec(), webinar.id, &chunk).await? {
            match stored {
                Upserted::Inserted => report.imported += 1,
                Upserted::Updated(id) => updated.push(id),
            }
        }
        report.updated += updated.len();
        db::registrations::follow_invitees(work.exec(), &updated).await?;
        work.commit().await?;
        chunk.clear();
    }
    let mut work = ctx.begin().await?;
    work.audit(
        webinar,
        "invitees.imported",
        &format!(
            "imported invitees: {} new, {} updated, {} lines refused",
            report.imported, report.updated, report.error_count
        ),
    )
    .await?;
    work.commit().await?;
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
