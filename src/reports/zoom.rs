//! Zoom: the webinar attendee report (preamble, titled sections) and the meeting
//! participants export (one table, maybe beside the meeting's own columns in a usage
//! report); one row per join.

use super::{
    Cols, Format, Hints, ImportError, Rec, Report, ReportRow, Span, detect_day_first, find_col,
    find_col_after, found_columns, minutes_between, name_and_email, parse_time_cell, value,
};

use super::vocab::{ZoomField, zoom_no, zoom_words, zoom_yes};

// The words of each column, every language's (see `vocab::ZOOM`).
fn name() -> &'static [&'static str] {
    zoom_words(ZoomField::Name)
}
fn first_name() -> &'static [&'static str] {
    zoom_words(ZoomField::FirstName)
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum State {
    /// Outside any titled section, or in an attendee section.
    Data,
    /// In `Host Details`, `Panelist Details` or another non-attendee section.
    Skip,
}

/// A header of an attendance table, possibly without the title before it.
fn looks_like_header(rec: &Rec) -> bool {
    (find_col(rec, name()).is_some() || find_col(rec, first_name()).is_some())
        && (find_col(rec, zoom_words(ZoomField::Join)).is_some()
            || find_col(rec, zoom_words(ZoomField::Minutes)).is_some()
            || find_col(rec, zoom_words(ZoomField::Attended)).is_some())
}

/// The columns of an attendee table. The e-mail column is optional (Zoom's `Other
/// Attended` section has none: those rows match by name); where a usage report repeats
/// `User Email` and `Duration (Minutes)` (the host's, then the participant's), the ones
/// after the participant's name are taken.
fn header_cols(rec: &Rec) -> Result<Cols, ImportError> {
    let (name, last_name) = match find_col(rec, name()) {
        Some(name) => (name, None),
        None => match (
            find_col(rec, first_name()),
            find_col(rec, zoom_words(ZoomField::LastName)),
        ) {
            (Some(first), last) => (first, last),
            (None, _) => {
                return Err(ImportError::at(
                    rec.line,
                    format!(
                        "the attendee header has no name column (expected \"User Name (Original \
                         Name)\", \"Name (Original Name)\" or \"First Name\" and \"Last Name\"; \
                         found {})",
                        found_columns(rec)
                    ),
                ));
            }
        },
    };
    let after = Some(name);
    let col = |field| find_col_after(rec, zoom_words(field), after);
    Ok(Cols {
        attended: find_col(rec, zoom_words(ZoomField::Attended)),
        name,
        last_name,
        email: col(ZoomField::Email),
        other_email: None,
        join: col(ZoomField::Join),
        leave: col(ZoomField::Leave),
        duration: col(ZoomField::Minutes),
        waiting: find_col(rec, zoom_words(ZoomField::Waiting)),
    })
}

/// A usage report's meeting columns (before the participant's name): which meeting a
/// row is of.
#[derive(Clone, Copy, Default)]
struct MeetingCols {
    id: Option<usize>,
    topic: Option<usize>,
    start: Option<usize>,
}

impl MeetingCols {
    fn of(rec: &Rec, name: usize) -> Self {
        let before = |field| find_col(rec, zoom_words(field)).filter(|&i| i < name);
        let id = before(ZoomField::MeetingId);
        MeetingCols {
            id,
            topic: id.and(before(ZoomField::Topic)),
            start: id.and(before(ZoomField::MeetingStart)),
        }
    }

    /// The meeting a row is of: its ID and start (one meeting ID recurs, as on another
    /// day), and how the organizer would name it.
    fn of_row(&self, rec: &Rec) -> Option<((String, String), String)> {
        let id = value(rec.cell(self.id))?.to_string();
        let start = rec.cell(self.start).trim().to_string();
        let topic = rec.cell(self.topic).trim();
        let label = match (topic.is_empty(), start.is_empty()) {
            (false, false) => format!("\"{topic}\" ({id}), started {start}"),
            (false, true) => format!("\"{topic}\" ({id})"),
            (true, false) => format!("{id}, started {start}"),
            (true, true) => id.clone(),
        };
        Some(((id, start), label))
    }
}

/// `Ok(None)` when the records do not look like a Zoom report at all.
pub(super) fn parse(records: &[Rec], hints: Hints) -> Result<Option<Report>, ImportError> {
    let mut state = State::Data;
    let mut header: Option<Cols> = None;
    // True right after an "Attendee Details" / "Other Attended" title: the
    // next record must be that section's header.
    let mut expect_header = false;
    let mut saw_attendee_title = false;
    let mut saw_any_title = false;
    let mut data: Vec<(Cols, &Rec)> = Vec::new();
    let mut meeting_cols = MeetingCols::default();
    // The meeting columns of each record in `data`.
    let mut data_meetings: Vec<MeetingCols> = Vec::new();

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
                let cols = header_cols(rec)?;
                meeting_cols = MeetingCols::of(rec, cols.name);
                header = Some(cols);
                expect_header = false;
            }
            None => {
                if looks_like_header(rec) {
                    let cols = header_cols(rec)?;
                    meeting_cols = MeetingCols::of(rec, cols.name);
                    header = Some(cols);
                }
            }
            Some(cols) => {
                data.push((cols, rec));
                data_meetings.push(meeting_cols);
            }
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

    let day_first = detect_day_first(&data, hints);
    let mut rows = Vec::with_capacity(data.len());
    let mut meetings: Vec<String> = Vec::new();
    let mut meeting_index: std::collections::HashMap<(String, String), u32> = Default::default();
    for ((cols, rec), meeting_cols) in data.into_iter().zip(data_meetings) {
        if let Some(mut row) = row(rec, &cols, day_first)? {
            if let Some((key, label)) = meeting_cols.of_row(rec) {
                let next = meetings.len() as u32;
                let at = *meeting_index.entry(key).or_insert_with(|| {
                    meetings.push(label);
                    next
                });
                row.meeting = Some(at);
            }
            rows.push(row);
        }
    }
    Ok(Some(Report {
        format: Format::Zoom,
        rows,
        utc: false,
        meetings,
    }))
}

fn row(rec: &Rec, cols: &Cols, day_first: bool) -> Result<Option<ReportRow>, ImportError> {
    if let Some(i) = cols.attended {
        let attended = rec.cell(Some(i));
        if zoom_no(attended) {
            return Ok(None);
        }
        if !(zoom_yes(attended) || attended.is_empty()) {
            return Err(ImportError::at(
                rec.line,
                format!("the Attended column should say Yes or No, not \"{attended}\""),
            ));
        }
    }
    if zoom_yes(rec.cell(cols.waiting)) {
        // In the waiting room, not in the meeting.
        return Ok(None);
    }
    let raw_minutes = value(rec.cell(cols.duration));
    if cols.attended.is_none() && value(rec.cell(cols.join)).is_none() && raw_minutes.is_none() {
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
        span: Span::Stay,
        meeting: None,
    }))
}

fn parse_minutes(raw: &str) -> Option<u32> {
    if let Ok(m) = raw.parse::<u32>() {
        return Some(m);
    }
    let m = raw.parse::<f64>().ok()?;
    (m.is_finite() && m >= 0.0 && m < f64::from(u32::MAX)).then(|| m.round() as u32)
}

#[cfg(test)]
mod tests {
    use crate::reports::test_support::{dt, err, row};
    use crate::reports::{Format, ReportRow, Span, normalise_name, parse};

    const ZOOM_WEBINAR: &[u8] =
        include_bytes!("../../tests/data/attendance/zoom-webinar-attendees.csv");

    const ZOOM_MEETING: &[u8] =
        include_bytes!("../../tests/data/attendance/zoom-meeting-participants.csv");

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
                span: Span::Stay,
                meeting: None,
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

    #[test]
    fn zoom_report_without_attendee_section() {
        let csv = "Attendee Report,\nHost Details,\n\
            Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n\
            Yes,Host,h@x.org,\"Nov 27, 2026 06:50:00\",\"Nov 27, 2026 08:00:00\",70\n";
        let e = err(csv.as_bytes());
        assert!(e.message.contains("no \"Attendee Details\" section"), "{e}");
    }

    #[test]
    fn zoom_header_without_email_column_is_read_by_name() {
        // `Other Attended` never has an Email column.
        let csv = "Attendee Report,\nAttendee Details,\n\
            Attended,User Name (Original Name),Join Time,Leave Time,Time in Session (minutes)\n\
            Yes,Ann,\"Nov 27, 2026 07:00:00\",\"Nov 27, 2026 07:30:00\",30\n";
        let rows = parse(csv.as_bytes()).unwrap().rows;
        assert_eq!(
            (rows[0].name.as_str(), rows[0].email.as_deref()),
            ("Ann", None)
        );
    }

    #[test]
    fn zoom_first_and_last_name_make_the_name() {
        let csv = "Attendee Details,\n\
            Attended,First Name,Last Name,Email,Join Time,Leave Time,Time in Session (minutes)\n\
            Yes,Ann,Lee,a@x.org,\"Nov 27, 2026 07:00:00\",\"Nov 27, 2026 07:30:00\",30\n";
        let rows = parse(csv.as_bytes()).unwrap().rows;
        assert_eq!(rows[0].name, "Ann Lee");
    }

    #[test]
    fn zoom_waiting_room_rows_are_not_attendance() {
        let csv = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room\n\
            Ann,a@x.org,11/27/2026 06:50:00 AM,11/27/2026 07:00:00 AM,10,No,Yes\n\
            Ann,a@x.org,11/27/2026 07:00:00 AM,11/27/2026 07:30:00 AM,30,No,No\n\
            Bob,b@x.org,11/27/2026 06:55:00 AM,11/27/2026 07:20:00 AM,25,No,Yes\n";
        let rows = parse(csv.as_bytes()).unwrap().rows;
        let got: Vec<_> = rows.iter().map(|r| (r.name.as_str(), r.minutes)).collect();
        assert_eq!(got, vec![("Ann", 30)]);
        assert_eq!(rows[0].joined_at, Some(dt(2026, 11, 27, 7, 0, 0)));
    }

    /// A usage report exported with participants: the host's `User Email` and
    /// `Duration (Minutes)` come first; the participant's follow their name.
    #[test]
    fn zoom_repeated_headers_take_the_participants_columns() {
        let csv = "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,\
            Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n\
            812,Review,11/27/2026 07:00:00 AM,11/27/2026 08:00:00 AM,host@x.org,60,2,\
            Ann,a@x.org,11/27/2026 07:05:00 AM,11/27/2026 07:25:00 AM,20,No\n";
        let rows = parse(csv.as_bytes()).unwrap().rows;
        assert_eq!(rows[0].email.as_deref(), Some("a@x.org"));
        assert_eq!(rows[0].minutes, 20);
    }

    #[test]
    fn zoom_header_without_name_column() {
        let csv = "Attendee Details,\nAttended,Email,Join Time\nYes,a@x.org,--\n";
        let e = err(csv.as_bytes());
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("no name column"), "{e}");
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
}
