//! Microsoft Teams: the current attendance report (section 2, one row per person) and
//! the older layout or an activities-only file (one row per join).

use super::{
    Cols, Format, ImportError, Rec, Report, ReportRow, detect_day_first, find_col, found_columns,
    minutes_between, minutes_of, name_and_email, parse_time_cell, time, value,
};

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
        .take_while(|r| r.title().is_none() && !is_participants_header(r) && !is_activity_header(r))
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
    let name = find_col(rec, NAME)
        .ok_or_else(|| ImportError::at(rec.line, "the participants header has no Name column"))?;
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

#[cfg(test)]
mod tests {
    use crate::reports::test_support::{TEAMS, dt, err, row, teams_text, utf16};
    use crate::reports::{Format, ReportRow, parse};

    const TEAMS_LEGACY: &[u8] =
        include_bytes!("../../tests/data/attendance/teams-attendance-legacy.csv");

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
    fn unparseable_duration_names_line_and_value() {
        let text = "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\n\
            Ann\t11/27/26, 2:00:00 PM\t11/27/26, 2:30:00 PM\tabout half an hour\ta@x.org\n";
        let e = err(&utf16(text, false));
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("duration \"about half an hour\""), "{e}");
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
}
