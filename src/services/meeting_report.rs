//! Parse attendance reports exported by meeting platforms.
//!
//! Accepted inputs:
//!
//! * **Zoom webinar attendee report** (Reports → Webinar → Attendee report,
//!   CSV): a preamble (`Attendee Report`, `Report Generated:`, the
//!   `Topic,Webinar ID,...` block), `Host Details` and `Panelist Details`
//!   sections (ignored), then `Attendee Details` with one row per join, and
//!   optionally `Other Attended` (people who joined without registering).
//!   Absent registrants (`Attended` = `No`, `--` times) are left out.
//! * **Zoom meeting participants export** (`Name (Original Name),User Email,
//!   Join Time,Leave Time,Duration (Minutes),Guest,...`), with or without the
//!   meeting-information lines above the header.
//! * **Microsoft Teams attendance report**, current layout (`1. Summary`,
//!   `2. Participants`, `3. In-Meeting Activities`; only section 2 is read,
//!   one row per person) and the older layout (`Meeting Summary`, then a
//!   `Full Name / Join Time / Leave Time / Duration` table, one row per join).
//!   Teams writes UTF-16 LE with a BOM, tab-separated; UTF-16 BE with a BOM
//!   and UTF-8 (with or without BOM) are accepted too.
//!
//! Columns are found by header name, case-insensitively; optional columns may
//! be missing. Rows are returned as written (one per join for Zoom, one per
//! person for Teams section 2); merging is the caller's job.
//!
//! Times are the local wall-clock times printed in the report. Numeric dates
//! are read month-first (US) unless some date in the file has a first number
//! above 12, in which case the whole file is read day-first.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Which platform produced the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zoom,
    Teams,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zoom => "zoom",
            Self::Teams => "teams",
        }
    }
}

/// One attendance row of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// 1-based line number in the file, for error messages.
    pub line: usize,
    /// Display name as written in the report, trimmed.
    pub name: String,
    /// Trimmed e-mail address as written (case kept); `None` when empty or `--`.
    pub email: Option<String>,
    /// Local wall time as written in the report.
    pub joined_at: Option<NaiveDateTime>,
    pub left_at: Option<NaiveDateTime>,
    /// Minutes in session for this row.
    pub minutes: u32,
}

/// The rows of people who attended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub format: Format,
    pub rows: Vec<ReportRow>,
}

/// Why a report could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: Option<usize>,
    pub message: String,
}

impl ImportError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        ImportError {
            line: Some(line),
            message: message.into(),
        }
    }

    fn file(message: impl Into<String>) -> Self {
        ImportError {
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ImportError {}

const ACCEPTED: &str = "accepted formats are a Zoom webinar attendee report (CSV), \
a Zoom meeting participants export (CSV) and a Microsoft Teams attendance report \
(the .csv downloaded from Teams)";

const TIME_EXAMPLES: &str = "expected a date and time such as \"Nov 27, 2026 07:01:23\", \
\"11/27/2026 07:01:23 AM\", \"11/27/26, 7:01:02 AM\" or \"2026-11-27 07:01:23\"";

/// Parse an attendance report, detecting its format from the content.
pub fn parse(bytes: &[u8]) -> Result<Report, ImportError> {
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ImportError::file(format!(
            "the file is empty; export the attendance report again and upload that file ({ACCEPTED})"
        )));
    }

    let tab_records = read_records(&text, b'\t')?;
    if let Some(report) = teams::parse(&tab_records)? {
        return Ok(report);
    }
    let comma_records = read_records(&text, b',')?;
    if let Some(report) = zoom::parse(&comma_records)? {
        return Ok(report);
    }
    Err(ImportError::file(format!(
        "this is not an attendance report this importer knows: {ACCEPTED}. \
         Upload the report file exactly as exported, without editing it in a spreadsheet"
    )))
}

/// Normalise a display name for matching: the display part of a Zoom
/// `Display (Original)` name, whitespace collapsed, trimmed, lower-case.
pub fn normalise_name(name: &str) -> String {
    let collapsed = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let display = match collapsed.find(" (") {
        Some(i) if i > 0 && collapsed.ends_with(')') => &collapsed[..i],
        _ => collapsed.as_str(),
    };
    display.trim().to_lowercase()
}

// ---------------------------------------------------------------- decoding

fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        decode_utf8(rest)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        decode_utf16(rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        decode_utf16(rest, u16::from_be_bytes)?
    } else if bytes.len() >= 2 && bytes[0] != 0 && bytes[1] == 0 {
        // UTF-16 LE that lost its BOM: ASCII text with every other byte zero.
        decode_utf16(bytes, u16::from_le_bytes)?
    } else if bytes.len() >= 2 && bytes[0] == 0 && bytes[1] != 0 {
        decode_utf16(bytes, u16::from_be_bytes)?
    } else {
        decode_utf8(bytes)?
    };
    Ok(text.trim_start_matches('\u{feff}').to_string())
}

fn decode_utf8(bytes: &[u8]) -> Result<String, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(ImportError::at(
                line,
                "the file is not UTF-8 or UTF-16 text; upload the report exactly as \
                 Zoom or Teams exported it (if it was re-saved in a spreadsheet, save it as \
                 \"CSV UTF-8\")",
            ))
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ImportError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ImportError::file(
            "the file looks like UTF-16 text but ends in the middle of a character; \
             it is probably truncated, download the report again",
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => out.push(c),
            Err(_) => {
                let line = out.matches('\n').count() + 1;
                return Err(ImportError::at(
                    line,
                    "the file contains invalid UTF-16 text; download the report again",
                ));
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- records

/// A non-blank record with trimmed cells and its 1-based starting line.
#[derive(Debug)]
struct Rec {
    line: usize,
    cells: Vec<String>,
}

impl Rec {
    fn cell(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.cells.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }

    fn non_empty(&self) -> usize {
        self.cells.iter().filter(|c| !c.is_empty()).count()
    }

    /// A section title: one text cell, the rest empty (Zoom pads with commas).
    fn title(&self) -> Option<String> {
        (self.non_empty() == 1 && !self.cells[0].is_empty()).then(|| self.cells[0].to_lowercase())
    }
}

fn read_records(text: &str, delimiter: u8) -> Result<Vec<Rec>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut lines = LineCounter::new(text);
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            ImportError {
                line,
                message: format!("the file cannot be read as CSV ({e})"),
            }
        })?;
        // The csv crate's own line count skips blank lines, so count newlines
        // before the record's first byte instead.
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line = lines.line_of(start);
        let cells: Vec<String> = record
            .iter()
            .map(|c| c.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{feff}'))
            .map(str::to_string)
            .collect();
        if cells.iter().any(|c| !c.is_empty()) {
            if out.len() == MAX_RECORDS {
                return Err(ImportError::at(
                    line,
                    format!(
                        "the report has more than {MAX_RECORDS} rows, more than any meeting \
                         this importer takes; check that this is the attendance report of one session"
                    ),
                ));
            }
            out.push(Rec { line, cells });
        }
    }
    Ok(out)
}

/// Non-blank lines (rows, headers, preamble) a report may have: well above the joins of
/// the largest webinar, and a bound on the work one upload causes.
pub const MAX_RECORDS: usize = 200_000;

/// Line numbers of byte offsets that only move forward, as records come: each byte is
/// looked at once, so numbering a whole file takes time in proportion to its size.
struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Where counting stopped, and the 1-based line number there.
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// 1-based line number of `offset` (blank lines before it skipped); offsets must not
    /// go backwards.
    fn line_of(&mut self, offset: usize) -> usize {
        let bytes = self.bytes;
        let mut offset = offset.clamp(self.offset, bytes.len());
        // Step over line breaks the reader skipped as blank lines.
        while offset < bytes.len() && (bytes[offset] == b'\n' || bytes[offset] == b'\r') {
            offset += 1;
        }
        self.line += bytes[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// Index of the first header cell equal (case-insensitively) to a candidate.
fn find_col(header: &Rec, candidates: &[&str]) -> Option<usize> {
    candidates.iter().find_map(|cand| {
        header
            .cells
            .iter()
            .position(|h| h.eq_ignore_ascii_case(cand))
    })
}

fn found_columns(header: &Rec) -> String {
    header
        .cells
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `None` for an empty cell or Zoom's `--` placeholder.
fn value(cell: &str) -> Option<&str> {
    match cell {
        "" | "--" | "-" => None,
        v => Some(v),
    }
}

// ---------------------------------------------------------------- shared row building

/// Column positions of an attendance table.
#[derive(Debug, Clone, Copy)]
struct Cols {
    attended: Option<usize>,
    name: usize,
    email: usize,
    join: Option<usize>,
    leave: Option<usize>,
    /// Zoom: whole minutes. Teams: a duration such as `1h 2m 30s`.
    duration: Option<usize>,
}

/// Whether numeric dates in these rows must be read day-first.
fn detect_day_first(rows: &[(Cols, &Rec)]) -> bool {
    rows.iter().any(|(cols, rec)| {
        [cols.join, cols.leave]
            .into_iter()
            .any(|i| time::first_number_above_12(rec.cell(i)))
    })
}

fn parse_time_cell(
    rec: &Rec,
    index: Option<usize>,
    what: &str,
    day_first: bool,
) -> Result<Option<NaiveDateTime>, ImportError> {
    let Some(raw) = value(rec.cell(index)) else {
        return Ok(None);
    };
    time::parse_datetime(raw, day_first)
        .map(Some)
        .ok_or_else(|| {
            ImportError::at(
                rec.line,
                format!("cannot read the {what} \"{raw}\"; {TIME_EXAMPLES}"),
            )
        })
}

fn minutes_between(
    rec: &Rec,
    joined: Option<NaiveDateTime>,
    left: Option<NaiveDateTime>,
) -> Result<u32, ImportError> {
    match (joined, left) {
        (Some(j), Some(l)) if l < j => Err(ImportError::at(
            rec.line,
            "the leave time is before the join time; check the row or export the report again",
        )),
        (Some(j), Some(l)) => minutes_of(rec, (l - j).num_seconds().unsigned_abs()),
        _ => Ok(0),
    }
}

/// [`seconds_to_minutes`], or an error naming the row when the figure is absurd.
fn minutes_of(rec: &Rec, seconds: u64) -> Result<u32, ImportError> {
    seconds_to_minutes(seconds).ok_or_else(|| {
        ImportError::at(
            rec.line,
            "the time in the meeting is longer than any session; check the row or export \
             the report again",
        )
    })
}

/// Nearest minute (half a minute rounds up), at least 1 for any positive time; `None`
/// beyond what minutes are counted in.
fn seconds_to_minutes(seconds: u64) -> Option<u32> {
    let minutes = seconds.checked_add(30)? / 60;
    let minutes = if seconds > 0 { minutes.max(1) } else { 0 };
    u32::try_from(minutes).ok()
}

fn name_and_email(rec: &Rec, cols: &Cols) -> Result<(String, Option<String>), ImportError> {
    let name = rec.cell(Some(cols.name)).to_string();
    let email = value(rec.cell(Some(cols.email))).map(str::to_string);
    if name.is_empty() && email.is_none() {
        return Err(ImportError::at(
            rec.line,
            "the row has neither a name nor an e-mail address; fill one in or delete the row",
        ));
    }
    Ok((name, email))
}

// ---------------------------------------------------------------- Zoom

mod zoom {
    use super::*;

    const NAME: &[&str] = &[
        "user name (original name)",
        "name (original name)",
        "user name",
        "name",
    ];
    const EMAIL: &[&str] = &["email", "user email", "email address", "e-mail"];
    const JOIN: &[&str] = &["join time"];
    const LEAVE: &[&str] = &["leave time"];
    const MINUTES: &[&str] = &[
        "time in session (minutes)",
        "duration (minutes)",
        "total duration (minutes)",
        "duration",
    ];

    #[derive(PartialEq, Eq, Clone, Copy)]
    enum State {
        /// Outside any titled section, or in an attendee section.
        Data,
        /// In `Host Details`, `Panelist Details` or another non-attendee section.
        Skip,
    }

    /// A header of an attendance table, possibly without the title before it.
    fn looks_like_header(rec: &Rec) -> bool {
        find_col(rec, NAME).is_some()
            && (find_col(rec, JOIN).is_some()
                || find_col(rec, MINUTES).is_some()
                || find_col(rec, &["attended"]).is_some())
    }

    fn header_cols(rec: &Rec) -> Result<Cols, ImportError> {
        let name = find_col(rec, NAME).ok_or_else(|| {
            ImportError::at(
                rec.line,
                format!(
                    "the attendee header has no name column (expected \"User Name (Original Name)\" \
                     or \"Name (Original Name)\"; found {})",
                    found_columns(rec)
                ),
            )
        })?;
        let email = find_col(rec, EMAIL).ok_or_else(|| {
            ImportError::at(
                rec.line,
                format!(
                    "the attendee header has no e-mail column (expected \"Email\" or \"User Email\"; \
                     found {}); export the report again with the e-mail column",
                    found_columns(rec)
                ),
            )
        })?;
        Ok(Cols {
            attended: find_col(rec, &["attended"]),
            name,
            email,
            join: find_col(rec, JOIN),
            leave: find_col(rec, LEAVE),
            duration: find_col(rec, MINUTES),
        })
    }

    /// `Ok(None)` when the records do not look like a Zoom report at all.
    pub(super) fn parse(records: &[Rec]) -> Result<Option<Report>, ImportError> {
        let mut state = State::Data;
        let mut header: Option<Cols> = None;
        // True right after an "Attendee Details" / "Other Attended" title: the
        // next record must be that section's header.
        let mut expect_header = false;
        let mut saw_attendee_title = false;
        let mut saw_any_title = false;
        let mut data: Vec<(Cols, &Rec)> = Vec::new();

        for rec in records {
            if let Some(title) = rec.title() {
                let title = title.trim_end_matches(':');
                if title == "attendee details" || title == "other attended" {
                    state = State::Data;
                    header = None;
                    expect_header = true;
                    saw_attendee_title = true;
                    saw_any_title = true;
                    continue;
                }
                if title.ends_with("details") {
                    state = State::Skip;
                    header = None;
                    expect_header = false;
                    saw_any_title = true;
                    continue;
                }
                if header.is_none() {
                    // "Attendee Report" and other preamble lines.
                    continue;
                }
            }
            if state == State::Skip {
                continue;
            }
            match header {
                None if expect_header => {
                    header = Some(header_cols(rec)?);
                    expect_header = false;
                }
                None => {
                    if looks_like_header(rec) {
                        header = Some(header_cols(rec)?);
                    }
                }
                Some(cols) => data.push((cols, rec)),
            }
        }

        if header.is_none() && data.is_empty() && !saw_attendee_title {
            if saw_any_title {
                return Err(ImportError::file(
                    "no \"Attendee Details\" section found in this Zoom report; export the \
                     webinar's Attendee report (Reports → Webinar → Attendee report) rather than \
                     another report",
                ));
            }
            return Ok(None);
        }

        let day_first = detect_day_first(&data);
        let mut rows = Vec::with_capacity(data.len());
        for (cols, rec) in data {
            if let Some(row) = row(rec, &cols, day_first)? {
                rows.push(row);
            }
        }
        Ok(Some(Report {
            format: Format::Zoom,
            rows,
        }))
    }

    fn row(rec: &Rec, cols: &Cols, day_first: bool) -> Result<Option<ReportRow>, ImportError> {
        if let Some(i) = cols.attended {
            let attended = rec.cell(Some(i));
            if attended.eq_ignore_ascii_case("no") {
                return Ok(None);
            }
            if !(attended.eq_ignore_ascii_case("yes") || attended.is_empty()) {
                return Err(ImportError::at(
                    rec.line,
                    format!("the Attended column should say Yes or No, not \"{attended}\""),
                ));
            }
        }
        let raw_minutes = value(rec.cell(cols.duration));
        if cols.attended.is_none() && value(rec.cell(cols.join)).is_none() && raw_minutes.is_none()
        {
            // No attendance data at all: an absent registrant.
            return Ok(None);
        }
        let (name, email) = name_and_email(rec, cols)?;
        let joined_at = parse_time_cell(rec, cols.join, "join time", day_first)?;
        let left_at = parse_time_cell(rec, cols.leave, "leave time", day_first)?;
        let minutes = match raw_minutes {
            Some(raw) => parse_minutes(raw).ok_or_else(|| {
                ImportError::at(
                    rec.line,
                    format!(
                        "cannot read the time in session \"{raw}\"; expected a whole number of minutes"
                    ),
                )
            })?,
            None => minutes_between(rec, joined_at, left_at)?,
        };
        Ok(Some(ReportRow {
            line: rec.line,
            name,
            email,
            joined_at,
            left_at,
            minutes,
        }))
    }

    fn parse_minutes(raw: &str) -> Option<u32> {
        if let Ok(m) = raw.parse::<u32>() {
            return Some(m);
        }
        let m = raw.parse::<f64>().ok()?;
        (m.is_finite() && m >= 0.0 && m < f64::from(u32::MAX)).then(|| m.round() as u32)
    }
}

// ---------------------------------------------------------------- Teams

mod teams {
    use super::*;

    const NAME: &[&str] = &["name", "full name", "participant name"];
    const EMAIL: &[&str] = &["email", "e-mail", "email address"];
    const FIRST_JOIN: &[&str] = &["first join", "first join time"];
    const LAST_LEAVE: &[&str] = &["last leave", "last leave time"];
    const JOIN: &[&str] = &["join time"];
    const LEAVE: &[&str] = &["leave time"];
    const DURATION: &[&str] = &["in-meeting duration", "duration", "attendance duration"];

    fn is_participants_header(rec: &Rec) -> bool {
        find_col(rec, NAME).is_some() && find_col(rec, FIRST_JOIN).is_some()
    }

    fn is_activity_header(rec: &Rec) -> bool {
        find_col(rec, NAME).is_some() && find_col(rec, JOIN).is_some()
    }

    fn is_summary_title(rec: &Rec) -> bool {
        rec.title()
            .is_some_and(|t| t == "1. summary" || t == "meeting summary" || t == "summary")
    }

    /// `Ok(None)` when the records do not look like a Teams report at all.
    pub(super) fn parse(records: &[Rec]) -> Result<Option<Report>, ImportError> {
        // Section 2 (one row per person) wins; otherwise the first per-join
        // table (older layout, or an activities-only file). Never both.
        let header_at = records
            .iter()
            .position(is_participants_header)
            .or_else(|| records.iter().position(is_activity_header));
        let Some(header_at) = header_at else {
            if records.iter().any(is_summary_title) {
                return Err(ImportError::file(
                    "this Teams attendance report has no participants table (\"2. Participants\" \
                     with Name, First Join, Last Leave, In-Meeting Duration, Email); download the \
                     full attendance report from the meeting's Attendance tab",
                ));
            }
            return Ok(None);
        };
        let header = &records[header_at];
        let per_person = is_participants_header(header);
        let cols = header_cols(header, per_person)?;

        let data: Vec<(Cols, &Rec)> = records[header_at + 1..]
            .iter()
            .take_while(|r| {
                r.title().is_none() && !is_participants_header(r) && !is_activity_header(r)
            })
            .map(|r| (cols, r))
            .collect();

        let day_first = detect_day_first(&data);
        let mut rows = Vec::with_capacity(data.len());
        for (cols, rec) in data {
            rows.push(row(rec, &cols, day_first)?);
        }
        Ok(Some(Report {
            format: Format::Teams,
            rows,
        }))
    }

    fn header_cols(rec: &Rec, per_person: bool) -> Result<Cols, ImportError> {
        let name = find_col(rec, NAME).ok_or_else(|| {
            ImportError::at(rec.line, "the participants header has no Name column")
        })?;
        let email = find_col(rec, EMAIL).ok_or_else(|| {
            ImportError::at(
                rec.line,
                format!(
                    "the participants header has no Email column (found {}); download the \
                     attendance report again from Teams",
                    found_columns(rec)
                ),
            )
        })?;
        let (join, leave) = if per_person {
            (find_col(rec, FIRST_JOIN), find_col(rec, LAST_LEAVE))
        } else {
            (find_col(rec, JOIN), find_col(rec, LEAVE))
        };
        Ok(Cols {
            attended: None,
            name,
            email,
            join,
            leave,
            duration: find_col(rec, DURATION),
        })
    }

    fn row(rec: &Rec, cols: &Cols, day_first: bool) -> Result<ReportRow, ImportError> {
        let (name, email) = name_and_email(rec, cols)?;
        let joined_at = parse_time_cell(rec, cols.join, "join time", day_first)?;
        let left_at = parse_time_cell(rec, cols.leave, "leave time", day_first)?;
        let minutes = match value(rec.cell(cols.duration)) {
            Some(raw) => minutes_of(
                rec,
                time::parse_duration_secs(raw).ok_or_else(|| {
                    ImportError::at(
                        rec.line,
                        format!(
                            "cannot read the duration \"{raw}\"; expected hours, minutes and \
                             seconds such as \"1h 28m 58s\", \"45m 3s\" or \"59s\""
                        ),
                    )
                })?,
            )?,
            None => minutes_between(rec, joined_at, left_at)?,
        };
        Ok(ReportRow {
            line: rec.line,
            name,
            email,
            joined_at,
            left_at,
            minutes,
        })
    }
}

// ---------------------------------------------------------------- times and durations

mod time {
    use super::*;
    use chrono::Datelike;

    const ISO: &[&str] = &[
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %I:%M:%S %p",
        "%Y-%m-%d %I:%M %p",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ];
    const MONTH_NAME: &[&str] = &[
        "%B %d, %Y %H:%M:%S",
        "%B %d, %Y %H:%M",
        "%B %d, %Y %I:%M:%S %p",
        "%B %d, %Y %I:%M %p",
        "%B %d %Y %H:%M:%S",
        "%B %d %Y %H:%M",
        "%B %d %Y %I:%M:%S %p",
        "%B %d %Y %I:%M %p",
        "%d %B %Y %H:%M:%S",
        "%d %B %Y %H:%M",
    ];
    const TIME: &[&str] = &["%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M"];

    /// Parse the local date-time forms written by Zoom and Teams.
    pub(super) fn parse_datetime(raw: &str, day_first: bool) -> Option<NaiveDateTime> {
        let mut s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        // ISO with a "T" separator and maybe a trailing "Z".
        if s.len() > 10 && s.as_bytes()[10] == b'T' && s.as_bytes()[4] == b'-' {
            s.replace_range(10..11, " ");
            if s.ends_with('Z') {
                s.pop();
            }
        }
        let s = s.replace("a.m.", "AM").replace("p.m.", "PM");
        let fmts = ISO.iter().chain(MONTH_NAME);
        for f in fmts {
            if let Ok(dt) = NaiveDateTime::parse_from_str(&s, f)
                && dt.year_ce().1 >= 1000
            {
                return Some(dt);
            }
        }
        numeric(&s, day_first)
    }

    /// `11/27/26, 7:01:02 AM`, `11/27/2026 07:01:23`, `27.11.2026 07:01`, ...
    fn numeric(s: &str, day_first: bool) -> Option<NaiveDateTime> {
        let split = s.find([' ', ','])?;
        let (date_part, rest) = s.split_at(split);
        let time_part = rest.trim_start_matches([',', ' ']);
        let date = numeric_date(date_part, day_first)?;
        let t = TIME
            .iter()
            .find_map(|f| NaiveTime::parse_from_str(time_part, f).ok())?;
        Some(date.and_time(t))
    }

    /// `m/d/y`, `d/m/y` (when `day_first`), `d.m.y`, `y-m-d`; 2- or 4-digit years.
    fn numeric_date(date_part: &str, day_first: bool) -> Option<NaiveDate> {
        let sep = ['/', '.', '-']
            .into_iter()
            .find(|c| date_part.contains(*c))?;
        let parts: Vec<&str> = date_part.split(sep).collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let n = |p: &str| p.parse::<u32>().ok();
        let (y, m, d) = if parts[0].len() == 4 {
            (n(parts[0])? as i32, n(parts[1])?, n(parts[2])?)
        } else {
            let year = match parts[2].len() {
                2 => 2000 + n(parts[2])? as i32,
                4 => n(parts[2])? as i32,
                _ => return None,
            };
            let (a, b) = (n(parts[0])?, n(parts[1])?);
            let day_first = day_first || sep == '.' || a > 12;
            if day_first {
                (year, b, a)
            } else {
                (year, a, b)
            }
        };
        NaiveDate::from_ymd_opt(y, m, d)
    }

    /// True for a numeric `d/m/y` date that cannot be read month-first but
    /// can be read day-first (e.g. `15/11/22`).
    pub(super) fn first_number_above_12(raw: &str) -> bool {
        let date = raw.trim().split([' ', ',']).next().unwrap_or("");
        let parts: Vec<&str> = date.split('/').collect();
        let n = |i: usize| parts.get(i).and_then(|p| p.parse::<u32>().ok());
        parts.len() == 3
            && parts[0].len() <= 2
            && n(0).is_some_and(|a| (13..=31).contains(&a))
            && n(1).is_some_and(|b| (1..=12).contains(&b))
    }

    /// `1h 28m 58s`, `45m 3s`, `59s`, `2h`, `1:02:30`, `62:30` → seconds.
    pub(super) fn parse_duration_secs(raw: &str) -> Option<u64> {
        let s = raw.trim().to_lowercase();
        if s.contains(':') {
            let parts: Vec<u64> = s
                .split(':')
                .map(|p| p.trim().parse::<u64>().ok())
                .collect::<Option<_>>()?;
            return match parts[..] {
                [h, m, sec] if m < 60 && sec < 60 => h.checked_mul(3600)?.checked_add(m * 60 + sec),
                [m, sec] if sec < 60 => m.checked_mul(60)?.checked_add(sec),
                _ => None,
            };
        }
        let mut total = 0u64;
        let mut seen = false;
        let mut chars = s.chars().peekable();
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            if chars.peek().is_none() {
                break;
            }
            let mut digits = String::new();
            while let Some(c) = chars.next_if(char::is_ascii_digit) {
                digits.push(c);
            }
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            let mut unit = String::new();
            while let Some(c) = chars.next_if(|c| c.is_alphabetic()) {
                unit.push(c);
            }
            let number: u64 = digits.parse().ok()?;
            let factor = match unit.as_str() {
                "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
                "m" | "min" | "mins" | "minute" | "minutes" => 60,
                "s" | "sec" | "secs" | "second" | "seconds" => 1,
                _ => return None,
            };
            total = total.checked_add(number.checked_mul(factor)?)?;
            seen = true;
        }
        seen.then_some(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZOOM_WEBINAR: &[u8] =
        include_bytes!("../../tests/data/attendance/zoom-webinar-attendees.csv");
    const ZOOM_MEETING: &[u8] =
        include_bytes!("../../tests/data/attendance/zoom-meeting-participants.csv");
    const TEAMS: &[u8] = include_bytes!("../../tests/data/attendance/teams-attendance.csv");
    const TEAMS_LEGACY: &[u8] =
        include_bytes!("../../tests/data/attendance/teams-attendance-legacy.csv");

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    fn row(
        line: usize,
        name: &str,
        email: Option<&str>,
        joined: NaiveDateTime,
        left: NaiveDateTime,
        minutes: u32,
    ) -> ReportRow {
        ReportRow {
            line,
            name: name.to_string(),
            email: email.map(str::to_string),
            joined_at: Some(joined),
            left_at: Some(left),
            minutes,
        }
    }

    fn err(bytes: &[u8]) -> ImportError {
        parse(bytes).expect_err("expected an import error")
    }

    /// Re-encode text as UTF-16 with a BOM.
    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let bytes = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&bytes);
        }
        out
    }

    fn teams_text() -> String {
        decode(TEAMS).unwrap()
    }

    // ------------------------------------------------------------ samples

    #[test]
    fn zoom_webinar_sample_rows() {
        let report = parse(ZOOM_WEBINAR).unwrap();
        assert_eq!(report.format, Format::Zoom);
        let d = |h, m, s| dt(2026, 11, 27, h, m, s);
        assert_eq!(
            report.rows,
            vec![
                row(
                    13,
                    "Amina Diallo",
                    Some("Amina.Diallo@Example.ORG"),
                    d(7, 1, 23),
                    d(8, 30, 5),
                    89
                ),
                row(
                    14,
                    "Kenji Sato",
                    Some("kenji.sato@example.jp"),
                    d(7, 2, 45),
                    d(7, 40, 12),
                    38
                ),
                row(
                    15,
                    "Kenji Sato",
                    Some("kenji.sato@example.jp"),
                    d(7, 44, 3),
                    d(8, 30, 0),
                    46
                ),
                row(
                    16,
                    "Lucía Fernández",
                    Some("lucia.fernandez@example.mx"),
                    d(7, 5, 0),
                    d(8, 15, 30),
                    71
                ),
                // line 17: Olga Ivanova, Attended = No, left out.
                row(
                    18,
                    "Youssef Haddad",
                    Some("youssef.haddad@example.ma"),
                    d(7, 0, 40),
                    d(8, 29, 58),
                    90
                ),
                row(
                    19,
                    "Marie Dubois (iPad de Marie)",
                    None,
                    d(7, 12, 0),
                    d(7, 59, 20),
                    48
                ),
                row(
                    20,
                    "Sam Stranger",
                    Some("stranger@example.net"),
                    d(7, 20, 15),
                    d(7, 35, 45),
                    16
                ),
            ]
        );
        // Host and panelist rows are not attendees.
        assert!(
            report
                .rows
                .iter()
                .all(|r| r.email.as_deref() != Some("events@meridian.example"))
        );
        assert_eq!(normalise_name(&report.rows[5].name), "marie dubois");
    }

    #[test]
    fn zoom_meeting_sample_rows_with_utf8_bom() {
        assert!(ZOOM_MEETING.starts_with(&[0xEF, 0xBB, 0xBF]));
        let report = parse(ZOOM_MEETING).unwrap();
        assert_eq!(report.format, Format::Zoom);
        let d = |h, m, s| dt(2026, 11, 27, h, m, s);
        assert_eq!(
            report.rows,
            vec![
                row(
                    5,
                    "Meridian Events",
                    Some("events@meridian.example"),
                    d(6, 59, 12),
                    d(8, 1, 10),
                    62
                ),
                row(
                    6,
                    "Youssef Haddad",
                    Some("youssef.haddad@example.ma"),
                    d(7, 3, 40),
                    d(7, 58, 2),
                    55
                ),
                row(
                    7,
                    "Olga Ivanova",
                    Some("olga.ivanova@example.ru"),
                    d(7, 10, 0),
                    d(7, 30, 30),
                    21
                ),
                row(
                    8,
                    "Olga Ivanova",
                    Some("olga.ivanova@example.ru"),
                    d(7, 35, 10),
                    d(8, 0, 0),
                    25
                ),
                row(
                    9,
                    "Marie Dubois (Marie's iPhone)",
                    None,
                    d(7, 12, 0),
                    d(7, 59, 20),
                    48
                ),
            ]
        );
    }

    #[test]
    fn teams_sample_is_utf16le_bom_tab_crlf() {
        assert!(TEAMS.starts_with(&[0xFF, 0xFE]));
        let text = teams_text();
        assert!(text.contains("\r\n") && text.contains('\t'));
    }

    fn teams_expected() -> Vec<ReportRow> {
        let d = |h, m, s| dt(2026, 11, 27, h, m, s);
        vec![
            row(
                11,
                "Meridian Events",
                Some("events@meridian.example"),
                d(13, 58, 3),
                d(15, 30, 12),
                92,
            ),
            row(
                12,
                "Kenji Sato",
                Some("kenji.sato@example.jp"),
                d(14, 1, 2),
                d(15, 29, 40),
                87,
            ),
            row(
                13,
                "Lucía Fernández",
                Some("lucia.fernandez@example.mx"),
                d(14, 5, 10),
                d(15, 7, 40),
                63,
            ),
            row(
                14,
                "Olga Ivanova",
                Some("olga.ivanova@example.ru"),
                d(14, 10, 0),
                d(14, 55, 3),
                45,
            ),
            row(
                15,
                "Olga Ivanova",
                Some("olga.ivanova@example.ru"),
                d(14, 12, 30),
                d(14, 13, 29),
                1,
            ),
            row(16, "Guest Speaker", None, d(14, 0, 30), d(15, 29, 50), 89),
        ]
    }

    #[test]
    fn teams_sample_reads_section_2_only() {
        let report = parse(TEAMS).unwrap();
        assert_eq!(report.format, Format::Teams);
        assert_eq!(report.rows, teams_expected());
        // Kenji has two rows in section 3 but exactly one here.
        assert_eq!(
            report
                .rows
                .iter()
                .filter(|r| r.name == "Kenji Sato")
                .count(),
            1
        );
    }

    #[test]
    fn teams_sample_in_other_encodings() {
        let text = teams_text();
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(text.as_bytes());
        let lf_only = text.replace("\r\n", "\n");
        let mut no_bom_le = utf16(&text, false);
        no_bom_le.drain(..2);
        for bytes in [
            text.as_bytes().to_vec(),
            with_bom,
            utf16(&text, true),
            no_bom_le,
            lf_only.into_bytes(),
        ] {
            assert_eq!(parse(&bytes).unwrap().rows, teams_expected());
        }
    }

    #[test]
    fn teams_legacy_sample_one_row_per_join() {
        let report = parse(TEAMS_LEGACY).unwrap();
        assert_eq!(report.format, Format::Teams);
        let d = |h, m, s| dt(2026, 11, 27, h, m, s);
        assert_eq!(
            report.rows,
            vec![
                row(
                    8,
                    "Meridian Events",
                    Some("events@meridian.example"),
                    d(13, 59, 30),
                    d(15, 0, 45),
                    61
                ),
                row(
                    9,
                    "Kenji Sato",
                    Some("kenji.sato@example.jp"),
                    d(14, 2, 0),
                    d(14, 30, 0),
                    28
                ),
                row(
                    10,
                    "Kenji Sato",
                    Some("kenji.sato@example.jp"),
                    d(14, 35, 20),
                    d(15, 0, 0),
                    25
                ),
                row(
                    11,
                    "Youssef Haddad",
                    Some("youssef.haddad@example.ma"),
                    d(14, 4, 5),
                    d(14, 59, 50),
                    56
                ),
            ]
        );
    }

    // ------------------------------------------------------------ Zoom variants

    #[test]
    fn zoom_other_attended_section_is_read_and_host_panelists_are_not() {
        let csv = "Attendee Report,,,,\n\
            Host Details,,,,\n\
            Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n\
            Yes,Host,host@x.org,\"Nov 27, 2026 06:50:00\",\"Nov 27, 2026 08:00:00\",70\n\
            Attendee Details,,,,\n\
            Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n\
            Yes,Ann,ann@x.org,\"Nov 27, 2026 07:00:00\",\"Nov 27, 2026 07:30:00\",30\n\
            Other Attended,,,,\n\
            User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n\
            Walk In,walk@x.org,\"Nov 27, 2026 07:10:00\",\"Nov 27, 2026 07:20:00\",10\n";
        let rows = parse(csv.as_bytes()).unwrap().rows;
        let names: Vec<_> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.line, r.minutes))
            .collect();
        assert_eq!(names, vec![("Ann", 7, 30), ("Walk In", 10, 10)]);
    }

    #[test]
    fn zoom_columns_by_name_case_insensitive_and_optional() {
        // Reordered, different case, no Attended/Leave/minutes columns, padded.
        let csv = "email,JOIN TIME,user name (original name),,\n\
            a@x.org,11/27/2026 07:01 PM,Ann Lee,,\n";
        let rows = parse(csv.as_bytes()).unwrap().rows;
        assert_eq!(
            rows,
            vec![ReportRow {
                line: 2,
                name: "Ann Lee".into(),
                email: Some("a@x.org".into()),
                joined_at: Some(dt(2026, 11, 27, 19, 1, 0)),
                left_at: None,
                minutes: 0,
            }]
        );
    }

    #[test]
    fn zoom_minutes_computed_from_times_when_missing() {
        let csv = "Name (Original Name),User Email,Join Time,Leave Time\n\
            Ann,a@x.org,2026-11-27 07:00:00,2026-11-27 07:45:40\n\
            Bob,--,2026-11-27 07:00:00,2026-11-27 07:00:10\n";
        let rows = parse(csv.as_bytes()).unwrap().rows;
        assert_eq!(rows[0].minutes, 46);
        assert_eq!(rows[1].minutes, 1);
        assert_eq!(rows[1].email, None);
    }

    #[test]
    fn zoom_quoted_multiline_answer_keeps_line_numbers() {
        let csv = "Attendee Details,\n\
            Attended,User Name (Original Name),Email,Question,Join Time,Leave Time,Time in Session (minutes)\n\
            Yes,Ann,a@x.org,\"line one\nline two\",11/27/2026 07:00:00 AM,11/27/2026 07:10:00 AM,10\n\
            Yes,Bob,b@x.org,,11/27/2026 07:00:00 AM,11/27/2026 07:10:00 AM,bad\n";
        let e = err(csv.as_bytes());
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("\"bad\""), "{e}");
    }

    #[test]
    fn zoom_day_first_dates_detected_per_file() {
        let csv = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n\
            Ann,a@x.org,03/11/2026 07:00:00,03/11/2026 07:30:00,30\n\
            Bob,b@x.org,15/11/2026 07:00:00,15/11/2026 07:30:00,30\n";
        let rows = parse(csv.as_bytes()).unwrap().rows;
        assert_eq!(rows[0].joined_at, Some(dt(2026, 11, 3, 7, 0, 0)));
        assert_eq!(rows[1].joined_at, Some(dt(2026, 11, 15, 7, 0, 0)));
    }

    // ------------------------------------------------------------ Teams variants

    #[test]
    fn teams_day_first_24h_export() {
        // Layout and values as in a real non-US export (day-first, 24-hour).
        let text = "1. Summary\nMeeting title\tScrum\nStart time\t15/11/22, 09:30:17\n\n\
            2. Participants\n\
            Name\tFirst join\tLast leave\tIn-meeting duration\tEmail\tParticipant ID (UPN)\tRole\n\
            Goliath, David\t03/11/22, 09:31:18\t03/11/22, 09:41:46\t10m 28s\td@x.es\td@x.es\tPresenter\n\
            Fred\t15/11/22, 09:31:11\t15/11/22, 09:41:45\t10m 34s\tf@x.com\tf@x.com\tPresenter\n\n\
            3. In-Meeting activities\nName\tJoin time\tLeave time\tDuration\tEmail\tRole\n\
            Fred\t15/11/22, 09:31:11\t15/11/22, 09:41:45\t10m 34s\tf@x.com\tPresenter\n";
        let rows = parse(&utf16(text, false)).unwrap().rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Goliath, David");
        assert_eq!(rows[0].joined_at, Some(dt(2022, 11, 3, 9, 31, 18)));
        assert_eq!(rows[1].left_at, Some(dt(2022, 11, 15, 9, 41, 45)));
        assert_eq!((rows[0].minutes, rows[1].minutes), (10, 11));
    }

    #[test]
    fn teams_activities_only_file_is_one_row_per_join() {
        let text = "3. In-Meeting Activities\nName\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n\
            Ann\t11/27/26, 2:00:00 PM\t11/27/26, 2:20:00 PM\t20m\ta@x.org\tAttendee\n\
            Ann\t11/27/26, 2:25:00 PM\t11/27/26, 2:40:00 PM\t15m 0s\ta@x.org\tAttendee\n";
        let rows = parse(text.as_bytes()).unwrap().rows;
        assert_eq!(
            rows.iter().map(|r| r.minutes).collect::<Vec<_>>(),
            vec![20, 15]
        );
    }

    #[test]
    fn teams_zero_duration_is_zero_minutes() {
        let text = "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\n\
            Ann\t11/27/26, 2:00:00 PM\t11/27/26, 2:00:00 PM\t0s\ta@x.org\n";
        assert_eq!(parse(text.as_bytes()).unwrap().rows[0].minutes, 0);
    }

    // ------------------------------------------------------------ errors

    #[test]
    fn empty_files_are_rejected() {
        for bytes in [
            &b""[..],
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"  \r\n\r\n",
            b"\xFF\xFE\n\0",
        ] {
            let e = err(bytes);
            assert_eq!(e.line, None);
            assert!(e.message.starts_with("the file is empty"), "{e}");
        }
    }

    #[test]
    fn unknown_format_names_the_accepted_formats() {
        let e = err(b"First Name,Last Name,Email\nAnn,Lee,a@x.org\n");
        assert_eq!(e.line, None);
        for needle in [
            "Zoom webinar attendee report",
            "Zoom meeting participants",
            "Microsoft Teams attendance report",
        ] {
            assert!(e.message.contains(needle), "{e}");
        }
    }

    #[test]
    fn zoom_report_without_attendee_section() {
        let csv = "Attendee Report,\nHost Details,\n\
            Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n\
            Yes,Host,h@x.org,\"Nov 27, 2026 06:50:00\",\"Nov 27, 2026 08:00:00\",70\n";
        let e = err(csv.as_bytes());
        assert!(e.message.contains("no \"Attendee Details\" section"), "{e}");
    }

    #[test]
    fn zoom_header_without_email_column() {
        let csv = "Attendee Report,\nAttendee Details,\n\
            Attended,User Name (Original Name),Join Time,Leave Time,Time in Session (minutes)\n\
            Yes,Ann,\"Nov 27, 2026 07:00:00\",\"Nov 27, 2026 07:30:00\",30\n";
        let e = err(csv.as_bytes());
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("no e-mail column"), "{e}");
        assert!(e.to_string().starts_with("line 3: "), "{e}");
    }

    #[test]
    fn zoom_header_without_name_column() {
        let csv = "Attendee Details,\nAttended,Email,Join Time\nYes,a@x.org,--\n";
        let e = err(csv.as_bytes());
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("no name column"), "{e}");
    }

    #[test]
    fn teams_header_without_email_column() {
        let text = "1. Summary\n\n2. Participants\n\
            Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tRole\n\
            Ann\t11/27/26, 2:00:00 PM\t11/27/26, 2:30:00 PM\t30m\tAttendee\n";
        let e = err(&utf16(text, false));
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("no Email column"), "{e}");
    }

    #[test]
    fn teams_summary_without_participants() {
        let e = err(b"1. Summary\nMeeting title\tX\nStart time\t11/27/26, 2:00:00 PM\n");
        assert!(e.message.contains("no participants table"), "{e}");
    }

    #[test]
    fn unparseable_time_names_line_and_value() {
        let zoom = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n\
            Ann,a@x.org,11/27/2026 07:00:00 AM,11/27/2026 07:30:00 AM,30\n\
            Bob,b@x.org,yesterday morning,11/27/2026 07:30:00 AM,30\n";
        let e = err(zoom.as_bytes());
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("join time \"yesterday morning\""), "{e}");

        let teams = "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\n\
            Ann\t11/27/26, 2:00:00 PM\t13/45/26, 2:30:00 PM\t30m\ta@x.org\n";
        let e = err(teams.as_bytes());
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("leave time \"13/45/26, 2:30:00 PM\""),
            "{e}"
        );
    }

    #[test]
    fn unparseable_duration_names_line_and_value() {
        let text = "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\n\
            Ann\t11/27/26, 2:00:00 PM\t11/27/26, 2:30:00 PM\tabout half an hour\ta@x.org\n";
        let e = err(&utf16(text, false));
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("duration \"about half an hour\""), "{e}");
    }

    #[test]
    fn zoom_bad_attended_value_and_bad_minutes() {
        let csv =
            "Attended,Name (Original Name),Email,Time in Session (minutes)\nMaybe,Ann,a@x.org,3\n";
        assert!(err(csv.as_bytes()).message.contains("Yes or No"));
        let csv =
            "Attended,Name (Original Name),Email,Time in Session (minutes)\nYes,Ann,a@x.org,-3\n";
        assert_eq!(err(csv.as_bytes()).line, Some(2));
    }

    #[test]
    fn row_without_name_or_email() {
        let csv = "Name (Original Name),User Email,Duration (Minutes)\n,,12\n";
        let e = err(csv.as_bytes());
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("neither a name nor an e-mail"), "{e}");
    }

    #[test]
    fn leave_before_join_is_an_error_when_minutes_are_derived() {
        let csv = "Name (Original Name),User Email,Join Time,Leave Time\n\
            Ann,a@x.org,11/27/2026 08:00 AM,11/27/2026 07:00 AM\n";
        assert_eq!(err(csv.as_bytes()).line, Some(2));
    }

    #[test]
    fn invalid_encodings() {
        let e = err(b"Name (Original Name),User Email\nAnn,\xFFbad\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("not UTF-8"), "{e}");
        let e = err(b"\xFF\xFEN\0a\0m");
        assert!(e.message.contains("truncated"), "{e}");
        // Lone low surrogate on the second line.
        let e = err(b"\xFF\xFEa\0\n\0\x00\xDC");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn error_display() {
        let e = ImportError {
            line: Some(12),
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "line 12: bad");
        let e = ImportError {
            line: None,
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "bad");
    }

    // ------------------------------------------------------------ helpers

    #[test]
    fn record_lines_count_blank_lines() {
        let text = "a\tb\r\n\r\n\r\nc\td\n  \n\ne\tf\n\"g\nh\"\ti\nj\n";
        let recs = read_records(text, b'\t').unwrap();
        let lines: Vec<_> = recs.iter().map(|r| (r.line, r.cells[0].as_str())).collect();
        assert_eq!(
            lines,
            vec![(1, "a"), (4, "c"), (7, "e"), (8, "g\nh"), (10, "j")]
        );
    }

    #[test]
    fn datetime_variants() {
        let want = dt(2026, 11, 27, 7, 1, 23);
        let want_min = dt(2026, 11, 27, 7, 1, 0);
        let cases = [
            ("Nov 27, 2026 07:01:23", want),
            ("Nov 27, 2026 7:01:23 AM", want),
            ("November 27, 2026 07:01:23", want),
            ("Nov 27, 2026 07:01", want_min),
            ("Nov 27, 2026 7:01 AM", want_min),
            ("11/27/2026 07:01:23 AM", want),
            ("11/27/2026 07:01:23", want),
            ("11/27/2026 7:01 am", want_min),
            ("11/27/2026 07:01", want_min),
            ("11/27/26, 7:01:23 AM", want),
            ("11/27/2026, 7:01:23 AM", want),
            ("11/27/26, 7:01 AM", want_min),
            ("2026-11-27 07:01:23", want),
            ("2026-11-27T07:01:23Z", want),
            ("2026-11-27T07:01:23", want),
            ("2026-11-27 07:01", want_min),
            ("2026-11-27 7:01:23 AM", want),
            ("27.11.2026 07:01:23", want),
            ("27/11/2026, 07:01:23", want),
            ("  11/27/2026   07:01:23  AM ", want),
        ];
        for (raw, expected) in cases {
            assert_eq!(time::parse_datetime(raw, false), Some(expected), "{raw}");
        }
        assert_eq!(
            time::parse_datetime("11/27/2026 7:01:23 PM", false),
            Some(dt(2026, 11, 27, 19, 1, 23))
        );
        assert_eq!(
            time::parse_datetime("03/11/2026 07:00", true),
            Some(dt(2026, 11, 3, 7, 0, 0))
        );
        for bad in [
            "",
            "7:01 AM",
            "11/27 07:01",
            "2/30/2026 07:00",
            "Nov 27, 2026",
        ] {
            assert_eq!(time::parse_datetime(bad, false), None, "{bad}");
        }
    }

    #[test]
    fn duration_variants() {
        let cases = [
            ("1h 28m 58s", 5338),
            ("45m 3s", 2703),
            ("59s", 59),
            ("2h", 7200),
            ("1h 2m 30s", 3750),
            ("1 hr 5 min", 3900),
            ("1:02:30", 3750),
            ("62:30", 3750),
            ("0s", 0),
        ];
        for (raw, secs) in cases {
            assert_eq!(time::parse_duration_secs(raw), Some(secs), "{raw}");
        }
        for bad in ["", "abc", "12", "1x", "h", "1:99"] {
            assert_eq!(time::parse_duration_secs(bad), None, "{bad}");
        }
    }

    #[test]
    fn minutes_rounding() {
        assert_eq!(seconds_to_minutes(0), Some(0));
        assert_eq!(seconds_to_minutes(1), Some(1));
        assert_eq!(seconds_to_minutes(89), Some(1));
        assert_eq!(seconds_to_minutes(90), Some(2));
        assert_eq!(seconds_to_minutes(3750), Some(63));
        assert_eq!(seconds_to_minutes(u64::MAX), None);
        assert_eq!(seconds_to_minutes(60 * (u64::from(u32::MAX) + 1)), None);
    }

    #[test]
    fn huge_teams_durations_name_their_line() {
        for duration in ["99999999999999999:00:00", "99999999999999999999h"] {
            let text = format!(
                "2. Participants\nName\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\n\
                 Ann\t11/27/26, 7:00:00 AM\t11/27/26, 8:00:00 AM\t{duration}\ta@x.org\n"
            );
            let e = err(text.as_bytes());
            assert_eq!(e.line, Some(3), "{duration}: {e}");
        }
        let text = "2. Participants\nName\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\n\
             Ann\t11/27/26, 7:00:00 AM\t11/27/26, 8:00:00 AM\t99999999:00:00\ta@x.org\n";
        let e = err(text.as_bytes());
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("longer than any session"), "{e}");
    }

    /// A large file with blank lines and quoted line breaks: every row keeps its own line
    /// number (they are counted in one pass, not from the start for each row).
    #[test]
    fn line_numbers_stay_right_in_a_large_file() {
        let mut csv = String::from(
            "Attendee Details,\n\
             Attended,User Name (Original Name),Email,Question,Join Time,Leave Time,Time in Session (minutes)\n",
        );
        let mut line = 3;
        let mut expected = Vec::new();
        for i in 0..50_000 {
            expected.push(line);
            if i % 7 == 0 {
                csv.push_str(&format!(
                    "Yes,P{i},p{i}@x.org,\"two\nlines\",11/27/2026 07:00:00 AM,11/27/2026 07:10:00 AM,10\n"
                ));
                line += 2;
            } else {
                csv.push_str(&format!(
                    "Yes,P{i},p{i}@x.org,,11/27/2026 07:00:00 AM,11/27/2026 07:10:00 AM,10\n"
                ));
                line += 1;
            }
            if i % 5 == 0 {
                csv.push_str("\r\n\n");
                line += 2;
            }
        }
        let rows = parse(csv.as_bytes()).unwrap().rows;
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn reports_beyond_the_row_cap_are_refused() {
        let mut csv = String::from("Name (Original Name),User Email,Duration (Minutes)\n");
        for i in 0..MAX_RECORDS {
            csv.push_str(&format!("P{i},p{i}@x.org,10\n"));
        }
        let e = err(csv.as_bytes());
        assert_eq!(e.line, Some(MAX_RECORDS + 1));
        assert!(e.message.contains("more than 200000 rows"), "{e}");
    }

    #[test]
    fn normalise_name_cases() {
        assert_eq!(normalise_name("  Amina   Diallo "), "amina diallo");
        assert_eq!(
            normalise_name("Marie Dubois (iPad de Marie)"),
            "marie dubois"
        );
        assert_eq!(normalise_name("LUCÍA\u{a0}FERNÁNDEZ"), "lucía fernández");
        assert_eq!(normalise_name("Kenji Sato (Guest) "), "kenji sato");
        assert_eq!(normalise_name("(Guest)"), "(guest)");
        assert_eq!(
            normalise_name("Ann (left early) Lee"),
            "ann (left early) lee"
        );
        assert_eq!(normalise_name(""), "");
    }
}
