//! Parse attendance reports exported by meeting platforms: code that reads another
//! program's files, one file per platform (`zoom.rs`, `teams.rs`, `webex.rs`, `meet.rs`)
//! beside the shared decoding (`decode.rs`) and time handling (`time.rs`); no I/O.
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
//! * **Microsoft Teams 2020 attendance list** (`Full Name⇥User Action⇥Timestamp`, the
//!   events `Joined`, `Joined before` and `Left`), as Teams wrote it or after Excel's
//!   "CSV UTF-8" (commas, quotes): the events are paired per person into stays.
//! * **Microsoft Teams live-event / town-hall engagement report** (`Session Id,
//!   Participant Id, Full Name, UserAgent, UTC Event Timestamp, Action, Role`): events
//!   paired per viewer (`Participant Id`, their address) and device (`Session Id`);
//!   anonymous viewers are left out; its times are UTC ([`Report::utc`]).
//! * **Webex attendee report** (`Event Name⇥...⇥Name⇥Attendee Email⇥Join Time⇥Leave
//!   Time⇥Attendance Duration⇥Connection Type`, UTF-16 with tabs, dates in Excel's
//!   `="..."` quoting), one row per join.
//! * **Google Meet attendance report** (`First name,Last name,Email,Duration,Time
//!   joined,Time exited`), one row per person, times of day on the session's day.
//!
//! Any of these may come as an XLSX spreadsheet (`xlsx.rs`, the first sheet), as Zoom
//! and Webex offer them.
//!
//! Teams headers, events and durations are read in the languages of `vocab.rs` (data,
//! one table per language). Cells may be separated by tabs, commas or semicolons (a
//! spreadsheet's re-save). Columns are found by header name, case-insensitively;
//! optional columns may be missing; where a header repeats (Zoom usage reports list
//! the host's `User Email` and `Duration (Minutes)` before the participant's), the
//! participant's, after the name, are taken. Rows are returned as written (one per
//! stay, or one per person for Teams section 2, see [`Span`]); Zoom's waiting-room rows
//! are left out; merging is the caller's job.
//!
//! Times are the local wall-clock times printed in the report. Numeric dates are
//! read day-first when some date can only be read so, month-first when some date can
//! only be read so, and otherwise in the order that puts them on the session's day
//! ([`Hints::day`]); without that, month-first.

mod decode;
mod meet;
#[cfg(test)]
mod real;
mod teams;
mod time;
mod vocab;
mod webex;
mod xlsx;
mod zoom;

#[cfg(test)]
mod test_support;

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use unicode_normalization::UnicodeNormalization;

use crate::domain::values::without_invisible;

pub use crate::domain::attendance::Span;

pub use decode::LineCounter;
use decode::decode;
use time::{TIME_EXAMPLES, seconds_to_minutes};

/// Which platform produced the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zoom,
    Teams,
    Webex,
    Meet,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zoom => "zoom",
            Self::Teams => "teams",
            Self::Webex => "webex",
            Self::Meet => "meet",
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
    /// What the row's times mean.
    pub span: Span,
    /// Which of the report's [`Report::meetings`] the row belongs to, where the file holds
    /// several (a Zoom usage report lists every meeting of an account over a period).
    pub meeting: Option<u32>,
}

/// What the importer knows of the session besides the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints {
    /// The session's day in the zone the report's times are read in: decides whether
    /// `05/11/22` is 5 November or 11 May.
    pub day: Option<NaiveDate>,
}

/// The rows of people who attended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub format: Format,
    pub rows: Vec<ReportRow>,
    /// The times are UTC (Teams live-event reports), not the organizer's wall time.
    pub utc: bool,
    /// The meetings the file holds, as the organizer would name them ("topic (ID),
    /// started ..."), where it says; the rows refer to them by index.
    pub meetings: Vec<String>,
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
a Zoom meeting participants export (CSV), a Microsoft Teams attendance report, \
attendance list or live-event engagement report (the .csv downloaded from Teams), a Webex \
attendee report and a Google Meet attendance report";

/// Parse an attendance report, detecting its format from the content.
pub fn parse(bytes: &[u8]) -> Result<Report, ImportError> {
    parse_with(bytes, Hints::default())
}

/// [`parse`], with what is known of the session.
pub fn parse_with(bytes: &[u8], hints: Hints) -> Result<Report, ImportError> {
    if xlsx::is_xlsx(bytes) {
        let records = xlsx::records(bytes)?;
        if let Some(report) = by_platform(&records, hints)? {
            return Ok(report);
        }
        return Err(ImportError::file(format!(
            "this spreadsheet is not an attendance report this importer knows: {ACCEPTED}"
        )));
    }
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ImportError::file(format!(
            "the file is empty; export the attendance report again and upload that file ({ACCEPTED})"
        )));
    }
    for delimiter in delimiters(&text) {
        let records = read_records(&text, delimiter)?;
        if let Some(report) = by_platform(&records, hints)? {
            return Ok(report);
        }
    }
    let utf16 = bytes.len() >= 2 && (bytes[0] == 0 || bytes[1] == 0 || bytes[0] >= 0xFE);
    if let Some(headers) = teams::unread_language(&read_records(&text, b'\t')?, utf16) {
        let languages: Vec<&str> = vocab::TEAMS.iter().map(|l| l.code).collect();
        return Err(ImportError::file(format!(
            "this is a Microsoft Teams report, but with no attendance table this importer \
             reads: either it is in a language this importer does not read yet (it reads {}), \
             or its participants section is missing; its headers are {headers}. Download the \
             attendance report again with Teams in one of those languages",
            languages.join(", ")
        )));
    }
    let first = delimiters(&text)
        .into_iter()
        .filter_map(|d| read_records(&text, d).ok())
        .filter_map(|records| records.into_iter().next())
        .max_by_key(Rec::non_empty)
        .map(|r| found_columns(&r))
        .unwrap_or_default();
    Err(ImportError::file(format!(
        "this is not an attendance report this importer knows: {ACCEPTED}. \
         Its first line has {first}. Upload the report file exactly as exported"
    )))
}

/// The report of the first platform whose parser claims the records. Webex and Meet go
/// first: their headers share words with Teams (`Name`, `Join Time`) and Zoom (`First
/// Name`, `Duration`), and each needs a column only it writes.
fn by_platform(records: &[Rec], hints: Hints) -> Result<Option<Report>, ImportError> {
    if let Some(report) = webex::parse(records, hints)? {
        return Ok(Some(report));
    }
    if let Some(report) = meet::parse(records, hints)? {
        return Ok(Some(report));
    }
    if let Some(report) = teams::parse(records, hints)? {
        return Ok(Some(report));
    }
    zoom::parse(records, hints)
}

/// Tab, comma and semicolon, the most frequent in the first lines first: a report is
/// read with each until one parser claims it.
fn delimiters(text: &str) -> [u8; 3] {
    let head: String = text.lines().take(12).collect();
    let mut all = [b'\t', b',', b';'];
    all.sort_by_key(|d| std::cmp::Reverse(head.bytes().filter(|b| b == d).count()));
    all
}

/// Normalise a display name for matching: compatibility forms folded (NFKC), invisible
/// format characters (bidi marks and isolates, zero-width joiners) removed, whitespace
/// collapsed, the trailing part in brackets dropped (Zoom's `Display (Original)`,
/// Teams' `(Guest)`, `(External)`, `(Unverified)`, `(Host)`), lower-cased.
/// The non-blank rows of an XLSX file's first sheet as (row number, trimmed cells), for
/// lists other than meeting reports (the invitees).
pub fn spreadsheet_rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    Ok(xlsx::records(bytes)?
        .into_iter()
        .map(|r| (r.line, r.cells))
        .collect())
}

/// Whether `bytes` is an XLSX spreadsheet (a ZIP archive) rather than text.
pub fn is_spreadsheet(bytes: &[u8]) -> bool {
    xlsx::is_xlsx(bytes)
}

pub fn normalise_name(name: &str) -> String {
    let visible = without_invisible(&name.nfkc().collect::<String>());
    let collapsed = visible.split_whitespace().collect::<Vec<_>>().join(" ");
    let display = match collapsed.rfind(" (") {
        Some(i) if i > 0 && collapsed.ends_with(')') => &collapsed[..i],
        _ => collapsed.as_str(),
    };
    display.trim().to_lowercase()
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
    let mut lines = LineCounter::new(text.as_bytes());
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map(|p| lines.line_of(p.byte() as usize));
            ImportError {
                line,
                message: format!("the file cannot be read as CSV ({e})"),
            }
        })?;
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

/// Index of the first header cell equal (case-insensitively) to a candidate.
fn find_col(header: &Rec, candidates: &[&str]) -> Option<usize> {
    find_col_after(header, candidates, None)
}

/// [`find_col`], preferring a cell after `after` (a repeated header: the participant's
/// columns follow the participant's name).
fn find_col_after(header: &Rec, candidates: &[&str], after: Option<usize>) -> Option<usize> {
    let matches = |h: &String| candidates.iter().any(|c| h.eq_ignore_ascii_case(c));
    after
        .and_then(|a| {
            header
                .cells
                .iter()
                .skip(a + 1)
                .position(matches)
                .map(|i| i + a + 1)
        })
        .or_else(|| {
            candidates.iter().find_map(|cand| {
                header
                    .cells
                    .iter()
                    .position(|h| h.eq_ignore_ascii_case(cand))
            })
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
#[derive(Debug, Clone, Copy, Default)]
struct Cols {
    attended: Option<usize>,
    name: usize,
    /// Zoom webinar reports of older accounts: `First Name` in `name`, this beside it.
    last_name: Option<usize>,
    email: Option<usize>,
    /// Taken when `email` is empty (Teams webinars: `Registration Email`).
    other_email: Option<usize>,
    join: Option<usize>,
    leave: Option<usize>,
    /// Zoom: whole minutes. Teams: a duration such as `1h 2m 30s`.
    duration: Option<usize>,
    /// Zoom: `In Waiting Room`; rows saying Yes are not attendance.
    waiting: Option<usize>,
}

/// Whether numeric dates in these rows are day-first (see `time::day_first`).
fn detect_day_first(rows: &[(Cols, &Rec)], hints: Hints) -> bool {
    let cells = rows
        .iter()
        .flat_map(|(cols, rec)| [rec.cell(cols.join), rec.cell(cols.leave)]);
    time::day_first(cells, hints.day)
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

/// The minutes of a row: its duration cell read as written (`what` names the column,
/// `examples` shows the platform's form), else the time between its join and leave.
fn row_minutes(
    rec: &Rec,
    duration: Option<&str>,
    (joined_at, left_at): (Option<NaiveDateTime>, Option<NaiveDateTime>),
    what: &str,
    examples: &str,
) -> Result<u32, ImportError> {
    match duration {
        Some(raw) => minutes_of(
            rec,
            time::parse_duration_secs(raw).ok_or_else(|| {
                ImportError::at(
                    rec.line,
                    format!("cannot read the {what} \"{raw}\"; expected {examples}"),
                )
            })?,
        ),
        None => minutes_between(rec, joined_at, left_at),
    }
}

/// A row whose join and leave cells are full dates and times (Teams, Webex): the person,
/// the times, and the minutes of its duration cell (`what`, written like `examples`)
/// or between the times.
fn timed_row(
    rec: &Rec,
    cols: &Cols,
    day_first: bool,
    span: Span,
    (what, examples): (&str, &str),
) -> Result<ReportRow, ImportError> {
    let (name, email) = name_and_email(rec, cols)?;
    let joined_at = parse_time_cell(rec, cols.join, "join time", day_first)?;
    let left_at = parse_time_cell(rec, cols.leave, "leave time", day_first)?;
    let minutes = row_minutes(
        rec,
        value(rec.cell(cols.duration)),
        (joined_at, left_at),
        what,
        examples,
    )?;
    Ok(ReportRow {
        line: rec.line,
        name,
        email,
        joined_at,
        left_at,
        minutes,
        span,
        meeting: None,
    })
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

fn name_and_email(rec: &Rec, cols: &Cols) -> Result<(String, Option<String>), ImportError> {
    let name = match value(rec.cell(cols.last_name)) {
        Some(last) => format!("{} {last}", rec.cell(Some(cols.name)))
            .trim()
            .to_string(),
        None => rec.cell(Some(cols.name)).to_string(),
    };
    let email = address(rec.cell(cols.email))
        .or_else(|| address(rec.cell(cols.other_email)))
        .map(str::to_string);
    if name.is_empty() && email.is_none() {
        return Err(ImportError::at(
            rec.line,
            "the row has neither a name nor an e-mail address; fill one in or delete the row",
        ));
    }
    Ok((name, email))
}

/// The cell's e-mail address, if it holds something shaped like one (text, `@`, text).
/// A cell without one (a real Teams export has `EMAIL` where the publisher blanked the
/// addresses) says nothing about who the row is.
fn address(cell: &str) -> Option<&str> {
    value(cell).filter(|v| {
        v.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_support::err;

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
        assert!(
            e.message
                .contains("Its first line has \"First Name\", \"Last Name\", \"Email\""),
            "{e}"
        );
        for needle in [
            "Zoom webinar attendee report",
            "Zoom meeting participants",
            "Microsoft Teams attendance report",
        ] {
            assert!(e.message.contains(needle), "{e}");
        }
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
        // A bidi isolate Zoom keeps from a right-to-left name, and a zero-width joiner.
        assert_eq!(normalise_name("Amina Diallo\u{2069}"), "amina diallo");
        assert_eq!(
            normalise_name("\u{2068}ليلى\u{200d} حداد\u{2069}"),
            "ليلى حداد"
        );
        // Compatibility forms (full-width letters, ligatures) read as their plain form.
        assert_eq!(normalise_name("Ｋｅｎｊｉ Sato"), "kenji sato");
        assert_eq!(normalise_name("ﬁona Lee (External)"), "fiona lee");
    }
}
