//! Microsoft Teams: the current attendance report (section 2, one row per person), the
//! older layout or an activities-only file (one row per join), and the 2020 attendance
//! list (one row per event, paired here into stays); in any language of `vocab.rs`.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::vocab::{self, Event, Field};
use super::{
    Cols, Format, Hints, ImportError, Rec, Report, ReportRow, Span, address, detect_day_first,
    found_columns, parse_time_cell, time, timed_row,
};

/// Index of the header cell naming `field`, in any language.
fn col(rec: &Rec, field: Field) -> Option<usize> {
    rec.cells
        .iter()
        .position(|c| vocab::field_of(c) == Some(field))
}

/// How many records from the top a table's header may be.
const HEAD: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    /// Section 2: one row per person, first join and last leave.
    People,
    /// One row per join (older layout, section 3, re-saved participant lists).
    Stays,
    /// The 2020 attendance list: one row per event.
    Events,
}

fn table_of(rec: &Rec) -> Option<Table> {
    col(rec, Field::Name)?;
    if col(rec, Field::FirstJoin).is_some() {
        Some(Table::People)
    } else if col(rec, Field::Join).is_some() {
        Some(Table::Stays)
    } else if col(rec, Field::Action).is_some()
        && (col(rec, Field::Timestamp).is_some() || col(rec, Field::UtcTimestamp).is_some())
    {
        Some(Table::Events)
    } else {
        None
    }
}

/// `Ok(None)` when the records do not look like a Teams report at all.
pub(super) fn parse(records: &[Rec], hints: Hints) -> Result<Option<Report>, ImportError> {
    // Section 2 (one row per person) wins; otherwise the first per-join or event table.
    // Never both.
    // Teams puts its table near the top (after the summary at most).
    let head = &records[..records.len().min(HEAD)];
    let header_at = head
        .iter()
        .position(|r| table_of(r) == Some(Table::People))
        .or_else(|| head.iter().position(|r| table_of(r).is_some()));
    let Some(header_at) = header_at else {
        return Ok(None);
    };
    let header = &records[header_at];
    let table = table_of(header).expect("found above");
    let data: Vec<&Rec> = records[header_at + 1..]
        .iter()
        .take_while(|r| !is_section_title(r) && table_of(r).is_none())
        .collect();
    let rows = if table == Table::Events {
        events(header, &data, hints)?
    } else {
        let cols = header_cols(header, table);
        let with_cols: Vec<(Cols, &Rec)> = data.iter().map(|r| (cols, *r)).collect();
        let day_first = detect_day_first(&with_cols, hints);
        let span = if table == Table::People {
            Span::Summary
        } else {
            Span::Stay
        };
        data.iter()
            .map(|rec| row(rec, &cols, day_first, span))
            .collect::<Result<_, _>>()?
    };
    Ok(Some(Report {
        format: Format::Teams,
        rows,
        utc: col(header, Field::UtcTimestamp).is_some(),
        meetings: Vec::new(),
    }))
}

/// `2. Participants`, `3. In-Meeting Activities`, `Meeting Summary`...: a line of one
/// cell (a spreadsheet may pad it with empty ones) after a table ends it.
fn is_section_title(rec: &Rec) -> bool {
    rec.title().is_some()
}

fn header_cols(rec: &Rec, table: Table) -> Cols {
    let (join, leave) = match table {
        Table::People => (col(rec, Field::FirstJoin), col(rec, Field::LastLeave)),
        _ => (col(rec, Field::Join), col(rec, Field::Leave)),
    };
    Cols {
        name: col(rec, Field::Name).expect("a table has a name"),
        email: col(rec, Field::Email),
        other_email: col(rec, Field::RegistrationEmail),
        join,
        leave,
        duration: col(rec, Field::Duration),
        ..Cols::default()
    }
}

fn row(rec: &Rec, cols: &Cols, day_first: bool, span: Span) -> Result<ReportRow, ImportError> {
    timed_row(
        rec,
        cols,
        day_first,
        span,
        (
            "duration",
            "hours, minutes and seconds such as \"1h 28m 58s\", \"45m 3s\" or \"59s\"",
        ),
    )
}

/// One event of the attendance list.
struct Happening {
    line: usize,
    event: Event,
    at: NaiveDateTime,
}

/// The 2020 attendance list (and a live event's engagement report), paired per person
/// (by the name as written: the list has no e-mail; in a live event by the viewer's
/// `Participant Id`, their sign-in address, and per viewing session, `Session Id`, one a
/// device): a join opens a stay unless one is open (a reconnection whose leave Teams
/// did not write), a leave closes the open stay; a stay still open at the end of the
/// list is [`Span::Open`] (it ends with the session). A live event's anonymous viewers
/// (no name, no participant id) are nobody a registration can be: their rows are left
/// out.
fn events(header: &Rec, data: &[&Rec], hints: Hints) -> Result<Vec<ReportRow>, ImportError> {
    let name_col = col(header, Field::Name);
    let action_col = col(header, Field::Action);
    let time_col = col(header, Field::Timestamp).or_else(|| col(header, Field::UtcTimestamp));
    let device_col = col(header, Field::Device);
    let participant_col = col(header, Field::Participant);
    let cols = Cols {
        join: time_col,
        ..Cols::default()
    };
    let with_cols: Vec<(Cols, &Rec)> = data.iter().map(|r| (cols, *r)).collect();
    let day_first = detect_day_first(&with_cols, hints);

    // Who (name, participant) and on which device (session).
    type Who<'a> = (&'a str, &'a str, &'a str);
    let mut order: Vec<Who<'_>> = Vec::new();
    let mut by_who: HashMap<Who<'_>, Vec<Happening>> = HashMap::new();
    for rec in data {
        let name = rec.cell(name_col);
        let participant = rec.cell(participant_col);
        if name.is_empty() {
            if participant_col.is_some() && participant.is_empty() {
                // An anonymous viewer of a live event.
                continue;
            }
            return Err(ImportError::at(
                rec.line,
                "the row has no name; fill it in or delete the row",
            ));
        }
        let action = rec.cell(action_col);
        let event = vocab::event_of(action).ok_or_else(|| {
            ImportError::at(
                rec.line,
                format!(
                    "the action \"{action}\" is not one this importer knows (such as \"Joined\", \
                     \"Joined before\" or \"Left\")"
                ),
            )
        })?;
        let at = parse_time_cell(rec, time_col, "time", day_first)?.ok_or_else(|| {
            ImportError::at(rec.line, "the row has no time; download the list again")
        })?;
        let who = (name, participant, rec.cell(device_col));
        let list = by_who.entry(who).or_insert_with(|| {
            order.push(who);
            Vec::new()
        });
        list.push(Happening {
            line: rec.line,
            event,
            at,
        });
    }

    let mut rows = Vec::new();
    for who in order {
        let (name, participant, _) = who;
        let email = address(participant).map(str::to_string);
        let mut list = by_who.remove(&who).unwrap_or_default();
        // Stable: events at the same second keep the file's order.
        list.sort_by_key(|h| h.at);
        let mut open: Option<&Happening> = None;
        for h in &list {
            match (h.event, open) {
                (Event::Joined, None) => open = Some(h),
                (Event::Joined, Some(_)) | (Event::Left, None) => {}
                (Event::Left, Some(start)) => {
                    let seconds = (h.at - start.at).num_seconds().unsigned_abs();
                    rows.push(ReportRow {
                        line: start.line,
                        name: name.to_string(),
                        email: email.clone(),
                        joined_at: Some(start.at),
                        left_at: Some(h.at),
                        minutes: time::seconds_to_minutes(seconds).ok_or_else(|| {
                            ImportError::at(start.line, "the stay is longer than any session")
                        })?,
                        span: Span::Stay,
                        meeting: None,
                    });
                    open = None;
                }
            }
        }
        if let Some(start) = open {
            rows.push(ReportRow {
                line: start.line,
                name: name.to_string(),
                email: email.clone(),
                joined_at: Some(start.at),
                left_at: None,
                minutes: 0,
                span: Span::Open,
                meeting: None,
            });
        }
    }
    Ok(rows)
}

/// The headers of a file that is from Teams (UTF-16, a `Participant ID (UPN)` column,
/// numbered sections) but whose words are in none of the known languages.
pub(super) fn unread_language(records: &[Rec], utf16: bool) -> Option<String> {
    let marked = records.iter().take(40).any(|r| {
        r.cells.iter().any(|c| {
            let c = c.to_lowercase();
            vocab::TEAMS_MARKS
                .iter()
                .any(|m| c.starts_with(m) || c.ends_with("(upn)"))
        })
    });
    if !(marked || utf16) {
        return None;
    }
    let header = records
        .iter()
        .take(40)
        .max_by_key(|r| (r.non_empty(), std::cmp::Reverse(r.line)))?;
    Some(found_columns(header))
}

#[cfg(test)]
mod tests {
    use crate::reports::test_support::{TEAMS, dt, err, row, teams_text, utf16};
    use crate::reports::{Format, ReportRow, Span, parse};

    const TEAMS_LEGACY: &[u8] =
        include_bytes!("../../tests/data/attendance/teams-attendance-legacy.csv");

    /// Section 2: one summary row per person.
    fn teams_expected() -> Vec<ReportRow> {
        let d = |h, m, s| dt(2026, 11, 27, h, m, s);
        let rows = vec![
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
        ];
        rows.into_iter()
            .map(|r| ReportRow {
                span: Span::Summary,
                meeting: None,
                ..r
            })
            .collect()
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

    /// Without an Email column the rows are still read; they match by name.
    #[test]
    fn teams_header_without_email_column() {
        let text = "1. Summary\n\n2. Participants\n\
            Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tRole\n\
            Ann\t11/27/26, 2:00:00 PM\t11/27/26, 2:30:00 PM\t30m\tAttendee\n";
        let rows = parse(&utf16(text, false)).unwrap().rows;
        assert_eq!(
            (rows[0].name.as_str(), rows[0].email.as_deref()),
            ("Ann", None)
        );
        assert_eq!(rows[0].minutes, 30);
    }

    #[test]
    fn teams_summary_without_participants() {
        let e = err(b"1. Summary\nMeeting title\tX\nStart time\t11/27/26, 2:00:00 PM\n");
        assert!(e.message.contains("a Microsoft Teams report"), "{e}");
        assert!(e.message.contains("\"Meeting title\""), "{e}");
    }

    /// A Teams file in a language without a table in `vocab.rs` is called a Teams file,
    /// with its headers, never "not a Teams report".
    #[test]
    fn teams_in_an_unknown_language_says_so() {
        let text = "1. Yhteenveto\n\n2. Osallistujat\n\
            Nimi\tEnsimmäinen liittyminen\tViimeinen poistuminen\tKesto\tSähköposti\n\
            Ann\t27.11.2026 14.00.00\t27.11.2026 14.30.00\t30 min\ta@x.org\n";
        let e = err(&utf16(text, false));
        assert!(e.message.contains("a Microsoft Teams report"), "{e}");
        assert!(e.message.contains("does not read yet"), "{e}");
        assert!(e.message.contains("\"Ensimmäinen liittyminen\""), "{e}");
    }

    #[test]
    fn teams_list_events_are_paired_per_person() {
        let text = "Full Name\tUser Action\tTimestamp\n\
            Ann\tJoined before\t11/27/26, 2:00:00 PM\n\
            Bob\tJoined\t11/27/26, 2:05:00 PM\n\
            Ann\tLeft\t11/27/26, 2:20:00 PM\n\
            Ann\tJoined\t11/27/26, 2:30:00 PM\n\
            Ann\tJoined\t11/27/26, 2:31:00 PM\n\
            Bob\tLeft\t11/27/26, 2:10:00 PM\n\
            Ann\tLeft\t11/27/26, 2:40:00 PM\n\
            Cy\tLeft\t11/27/26, 2:50:00 PM\n\
            Cy\tJoined\t11/27/26, 2:55:00 PM\n";
        let rows = parse(&utf16(text, false)).unwrap().rows;
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.line, r.minutes, r.span))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Ann", 2, 20, Span::Stay),
                ("Ann", 5, 10, Span::Stay),
                ("Bob", 3, 5, Span::Stay),
                ("Cy", 10, 0, Span::Open),
            ]
        );
    }

    /// Teams webinars: a guest's `Email` is empty and `Registration Email` says who they
    /// are; the name keeps its `(Guest)` (matching drops it only for names).
    #[test]
    fn teams_webinar_guests_are_known_by_their_registration_email() {
        let text = "2. Participants\n\
            Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tRegistration Email\tRole\n\
            Ann Lee (Guest)\t11/27/26, 2:00:00 PM\t11/27/26, 2:30:00 PM\t30m\t\tann@x.org\tAttendee\n\
            Bob Roy\t11/27/26, 2:00:00 PM\t11/27/26, 2:10:00 PM\t10m\tbob@x.org\tb.roy@x.org\tAttendee\n";
        let rows = parse(&utf16(text, false)).unwrap().rows;
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.email.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Ann Lee (Guest)", Some("ann@x.org")),
                ("Bob Roy", Some("bob@x.org"))
            ]
        );
    }

    /// A Polish interface: headers and durations from the Polish table (no real Polish
    /// export was found to keep as a sample; see tests/data/attendance/real/SOURCES.md).
    #[test]
    fn teams_in_polish_is_read_from_its_table() {
        let text = "1. Podsumowanie\n\n2. Uczestnicy\n\
            Imię i nazwisko\tPierwsze dołączenie\tOstatnie opuszczenie\tCzas trwania spotkania\tAdres e-mail\n\
            Anna Nowak\t27.11.2026, 14:00:00\t27.11.2026, 16:18:08\t2 godz. 18 min 8 s\ta@x.pl\n";
        let rows = parse(&utf16(text, false)).unwrap().rows;
        assert_eq!(rows[0].name, "Anna Nowak");
        assert_eq!(rows[0].email.as_deref(), Some("a@x.pl"));
        assert_eq!(rows[0].minutes, 138);
        assert_eq!(rows[0].joined_at, Some(dt(2026, 11, 27, 14, 0, 0)));
    }

    /// A live event / town hall engagement report (a real one is
    /// tests/data/attendance/real/teams-live-event-2023-en.csv): one row per event, paired
    /// per viewing session (`Session Id`, one device), the viewer's address from
    /// `Participant Id`, UTC times; anonymous viewers (no name, no id) are nobody.
    #[test]
    fn teams_live_event_report_pairs_events_per_device() {
        let text = "Session Id,Participant Id,Full Name,UserAgent,UTC Event Timestamp,Action,Role\n\
            s1,ann@x.org,Ann Lee,Chrome,11/27/2026 14:00:00,Joined,Attendee\n\
            s2,ann@x.org,Ann Lee,Teams iOS,11/27/2026 14:10:00,Joined,Attendee\n\
            s1,ann@x.org,Ann Lee,Chrome,11/27/2026 14:30:00,Left,Attendee\n\
            s2,ann@x.org,Ann Lee,Teams iOS,11/27/2026 14:40:00,Left,Attendee\n\
            s3,bob@x.org,Bob Roy,Edge,11/27/2026 14:05:00,Joined,Attendee\n\
            s4,, ,Edge,11/27/2026 14:06:00,Joined,Attendee\n";
        let report = parse(text.as_bytes()).unwrap();
        assert!(report.utc);
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.email.as_deref(),
                    r.line,
                    r.minutes,
                    r.span,
                )
            })
            .collect();
        // Two devices: 14:00-14:30 and 14:10-14:40 (their union is the import's job).
        assert_eq!(
            got,
            vec![
                ("Ann Lee", Some("ann@x.org"), 2, 30, Span::Stay),
                ("Ann Lee", Some("ann@x.org"), 3, 30, Span::Stay),
                ("Bob Roy", Some("bob@x.org"), 6, 0, Span::Open),
            ]
        );
    }

    #[test]
    fn unknown_list_action_names_its_line() {
        let text = "Full Name,User Action,Timestamp\nAnn,Waved,\"11/4/2020, 9:50:12 AM\"\n";
        let e = err(text.as_bytes());
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("\"Waved\""), "{e}");
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
