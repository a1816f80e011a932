//! The real exports under `tests/data/attendance/real/` (see SOURCES.md there), read and
//! merged into people as the import does. Every expected figure below was worked out by
//! reading the file (the arithmetic is in the comments), not by running the importer.
//! Times are the report's wall times, taken as UTC here (the zone is the service's job).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, TimeZone as _, Utc};

use super::{Format, Hints, normalise_name, parse_with};
use crate::domain::RegistrationId;
use crate::domain::attendance::{Merged, Person, ReportWindow, Row, match_rows};

macro_rules! real {
    ($file:literal) => {
        include_bytes!(concat!("../../tests/data/attendance/real/", $file))
    };
}

/// A session on `day` ending at `end` (wall time), for the merge.
struct Session {
    day: NaiveDate,
    end: (u32, u32),
}

/// Per person (key: e-mail when the row has one, else the normalised name), their
/// presence.
fn people(bytes: &[u8], session: Session) -> (Format, HashMap<String, Merged>) {
    people_at_most(bytes, session, 600)
}

/// [`people`], with the most minutes anyone can have (the session plus its join window).
fn people_at_most(
    bytes: &[u8],
    session: Session,
    max_minutes: u32,
) -> (Format, HashMap<String, Merged>) {
    let report = parse_with(
        bytes,
        Hints {
            day: Some(session.day),
        },
    )
    .unwrap();
    let utc = |t: NaiveDateTime| Utc.from_utc_datetime(&t);
    let key = |name: &str, email: &Option<String>| {
        email
            .as_ref()
            .map(|e| e.to_lowercase())
            .unwrap_or_else(|| normalise_name(name))
    };
    let rows: Vec<Row> = report
        .rows
        .iter()
        .map(|r| Row {
            line: r.line,
            name: r.name.clone(),
            email: r.email.clone(),
            joined_at: r.joined_at.map(utc),
            left_at: r.left_at.map(utc),
            minutes: r.minutes,
            span: r.span,
            meeting: r.meeting,
        })
        .collect();
    let mut keys: Vec<String> = Vec::new();
    for r in &report.rows {
        let k = key(&r.name, &r.email);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let ids: Vec<RegistrationId> = keys.iter().map(|_| RegistrationId::new()).collect();
    let persons: Vec<Person<'_>> = keys
        .iter()
        .zip(&ids)
        .map(|(k, id)| Person {
            id: *id,
            name: k,
            email_key: k,
        })
        .collect();
    let end = session
        .day
        .and_hms_opt(session.end.0, session.end.1, 0)
        .unwrap();
    // The day's stays count; a stay on another day (trying the link ahead) does not.
    let window = ReportWindow {
        opens_at: utc(session.day.and_hms_opt(0, 0, 0).unwrap()),
        ends_at: utc(end),
        closes_at: utc(end) + chrono::Duration::minutes(60),
        max_minutes,
    };
    let (merged, unmatched) =
        match_rows(&persons, &rows, &HashMap::new(), window, normalise_name).unwrap();
    assert!(unmatched.is_empty(), "{unmatched:?}");
    let by_id: HashMap<RegistrationId, &String> = ids.iter().copied().zip(&keys).collect();
    let out = merged
        .into_iter()
        .map(|m| (by_id[&m.registration_id].clone(), m))
        .collect();
    (report.format, out)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Expect `key` to have attended `minutes` from `joined` (h, m, s on the session's day).
#[track_caller]
fn expect(
    people: &HashMap<String, Merged>,
    on: NaiveDate,
    key: &str,
    minutes: u32,
    joined: (u32, u32, u32),
) {
    let m = people
        .get(key)
        .unwrap_or_else(|| panic!("{key} not found in {:?}", people.keys()));
    let at = Utc.from_utc_datetime(&on.and_hms_opt(joined.0, joined.1, joined.2).unwrap());
    assert_eq!((m.minutes, m.joined_at), (minutes, Some(at)), "{key}");
}

/// Teams 2020 list from an Austrian school, UTF-16 LE; `11/12/2020` is 11 December
/// (the session's day), 24-hour times. Session 12:20-16:00.
#[test]
fn teams_list_de_utf16() {
    let on = day(2020, 12, 11);
    let bytes = real!("teams-list-2020-de-utf16.csv");
    assert!(bytes.starts_with(&[0xFF, 0xFE]));
    let (format, p) = people(
        bytes,
        Session {
            day: on,
            end: (16, 0),
        },
    );
    assert_eq!(format, Format::Teams);
    assert_eq!(p.len(), 5);
    // 12:27:24-12:45:18 (17:54), 13:45:41-13:56:48 (11:07), 15:42:10-15:42:48 (0:38),
    // 15:53:25-15:59:01 (5:36): 35:15.
    expect(&p, on, "mustermann max", 35, (12, 27, 24));
    // 10:02 + 1:00 + 0:07 = 11:09.
    expect(&p, on, "musterfrau franziska", 11, (12, 28, 9));
    // 6:12 + 5:48 + 17:04 + 16:38 = 45:42.
    expect(&p, on, "huber uwe", 46, (12, 32, 15));
    // 9:42 + 9:50 = 19:32.
    expect(&p, on, "müller franz", 20, (12, 32, 41));
    // 5:46 + 10:43 + 1:37 + 7:08 + 0:16 + 0:07 = 25:37.
    expect(&p, on, "müller hans", 26, (12, 39, 32));
}

/// Without the session's day the same list would be read month-first (12 November):
/// the day decides, not a guess from the numbers.
#[test]
fn the_sessions_day_decides_the_date_order() {
    let bytes = real!("teams-list-2020-de-utf16.csv");
    let first = |day| {
        parse_with(bytes, Hints { day }).unwrap().rows[0]
            .joined_at
            .unwrap()
            .date()
    };
    assert_eq!(first(Some(day(2020, 12, 11))), day(2020, 12, 11));
    assert_eq!(first(Some(day(2020, 11, 12))), day(2020, 11, 12));
    assert_eq!(first(None), day(2020, 11, 12));
}

/// Teams 2020 list after Excel's "CSV UTF-8": BOM, commas, quoted `11/4/2020, 9:50:12 AM`.
/// Session 09:50-10:10 on 4 November; who never left is in until 10:10.
#[test]
fn teams_list_en_excel_utf8() {
    let on = day(2020, 11, 4);
    let bytes = real!("teams-list-2020-en-excel-utf8.csv");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let (_, p) = people(
        bytes,
        Session {
            day: on,
            end: (10, 10),
        },
    );
    assert_eq!(p.len(), 38);
    // Joined 9:50:12, never left: to 10:10:00, 19:48.
    expect(&p, on, "alma bruno", 20, (9, 50, 12));
    // "Joined before" 9:50:12, left 10:06:45: 16:33.
    expect(&p, on, "clara dario", 17, (9, 50, 12));
    // 9:50:30-10:06:47: 16:17.
    expect(&p, on, "kira lena", 16, (9, 50, 30));
    // Joined 10:06:23, open: 3:37.
    expect(&p, on, "wilma almab", 4, (10, 6, 23));
}

/// The same kind after Excel with CRLF line ends; roll numbers as names; `9/4/2020` is
/// 4 September. Session 12:00-13:00.
#[test]
fn teams_list_en_excel_crlf() {
    let on = day(2020, 9, 4);
    let (_, p) = people(
        real!("teams-list-2020-en-excel-crlf.csv"),
        Session {
            day: on,
            end: (13, 0),
        },
    );
    assert_eq!(p.len(), 32);
    // Joined 11:57:51 AM, open until 13:00: 62:09.
    expect(&p, on, "alma. bruno clara u", 62, (11, 57, 51));
    // 11:59:38 AM-12:13:43 PM: 14:05.
    expect(&p, on, "34031a7970", 14, (11, 59, 38));
    // 12:00:57-12:01:14: 17 s, at least a minute.
    expect(&p, on, "36033a79h3", 1, (12, 0, 57));
    // 12:38:49-12:39:13 (0:24), then 12:56:15 open to 13:00 (3:45): 4:09.
    expect(&p, on, "36033a7960", 4, (12, 38, 49));
}

/// Teams 2020 list, UTF-16; repeated `Joined` without `Left` (a second device, or a
/// reconnection Teams did not close). Session 10:30-11:30 on 5 October 2021.
#[test]
fn teams_list_en_utf16_repeated_joins() {
    let on = day(2021, 10, 5);
    let (_, p) = people(
        real!("teams-list-2020-en-utf16-2021.csv"),
        Session {
            day: on,
            end: (11, 30),
        },
    );
    // 10:31:35-10:35:42 (4:07), 10:35:51-10:48:12 (12:21), 10:48:24 open (41:36): 58:04.
    expect(&p, on, "s d alma", 58, (10, 31, 35));
    // Joined before 10:31:35, joined again twice, never left: 58:25.
    expect(&p, on, "20736082m", 58, (10, 31, 35));
    // 10:42:16-11:21:12 (38:56), 11:22:22 open (7:38): 46:34.
    expect(&p, on, "20736565k", 47, (10, 42, 16));
    // 10:45:19-10:49:34 (4:15), 10:58:17-11:12:44 (14:27): 18:42.
    expect(&p, on, "20736566l", 19, (10, 45, 19));
    // 4 s and 7 s: at least a minute.
    expect(&p, on, "20732625j", 1, (10, 43, 30));
    // 11:10:21-11:11:32.
    expect(&p, on, "bruno clara", 1, (11, 10, 21));
}

/// Teams 2020 list in Portuguese (`Entrou`/`Saiu`), 24-hour, `30/03/2021`.
/// Session 21:15-23:00.
#[test]
fn teams_list_pt_utf16() {
    let on = day(2021, 3, 30);
    let (_, p) = people(
        real!("teams-list-2020-pt-utf16-a.csv"),
        Session {
            day: on,
            end: (23, 0),
        },
    );
    // 38 different names in 52 lines.
    assert_eq!(p.len(), 38);
    // 21:16:50-21:33:56 (17:06), 21:34:16 open to 23:00 (1:25:44): 1:42:50.
    expect(&p, on, "dmitri edda felix", 103, (21, 16, 50));
    // 21:17:25-22:20:03 (1:02:38), 22:20:58 open (39:02): 1:41:40.
    expect(&p, on, "sara timo ulla vito", 102, (21, 17, 25));
}

/// The other Portuguese lists: `09/03/2021` is 9 March only because the session is then.
#[test]
fn teams_lists_pt_read_on_the_sessions_day() {
    for (bytes, on) in [
        (
            &real!("teams-list-2020-pt-utf16-b.csv")[..],
            day(2021, 3, 9),
        ),
        (
            &real!("teams-list-2020-pt-utf16-c.csv")[..],
            day(2021, 3, 15),
        ),
        (
            &real!("teams-list-2020-pt-utf16-d.csv")[..],
            day(2021, 3, 8),
        ),
    ] {
        let report = parse_with(bytes, Hints { day: Some(on) }).unwrap();
        assert!(
            report
                .rows
                .iter()
                .all(|r| r.joined_at.unwrap().date() == on),
            "{on}"
        );
    }
}

/// Teams 2021 report in French, one row per join: `13/04/2021 à 09:01:31`, `2 h 44 m`
/// with no-break spaces. The publisher masked names with `*`; addresses tell people
/// apart. Session 09:00-12:00.
#[test]
fn teams_report_fr_two_devices() {
    let on = day(2021, 4, 13);
    let (format, p) = people(
        real!("teams-legacy-2021-fr-utf16.csv"),
        Session {
            day: on,
            end: (12, 0),
        },
    );
    assert_eq!(format, Format::Teams);
    assert_eq!(p.len(), 6);
    // 09:01:31-11:45:31.
    expect(&p, on, "exemple1.*****@epitech.eu", 164, (9, 1, 31));
    // Two rows at once: 09:01:39-11:27:03 and 09:02:39-11:27:03: 2:25:24, not twice.
    expect(&p, on, "exemple3.*****@epitech.eu", 145, (9, 1, 39));
    // 09:05:39-11:45:55: 2:40:16.
    expect(&p, on, "exemple5.******@epitech.eu", 160, (9, 5, 39));
    // 09:08:39-11:27:03: 2:18:24.
    expect(&p, on, "exemple8.*****@epitech.eu", 138, (9, 8, 39));
}

/// Teams 2022 participant rows from an Indonesian interface (`Nama`), re-saved with
/// semicolons. Session 08:00-09:40 on 13 April 2022.
#[test]
fn teams_rows_id_semicolons() {
    let on = day(2022, 4, 13);
    let (_, p) = people(
        real!("teams-2022-id-semicolon.csv"),
        Session {
            day: on,
            end: (9, 40),
        },
    );
    // 7:56:32-9:38:51: 1:42:19.
    expect(&p, on, "alma@example.ac.id", 102, (7, 56, 32));
    // 7:58:37-7:58:48 (0:11), 8:00:25-8:02:22 (1:57), 8:04:07-9:38:47 (1:34:40): 1:36:48.
    expect(&p, on, "yara.zeno@example.ac.id", 97, (7, 58, 37));
    // 7:58:53-9:07:18 (1:08:25), 9:09:52-9:38:51 (28:59): 1:37:24.
    expect(&p, on, "dmitri.edda@example.ac.id", 97, (7, 58, 53));
    // 7:58:38-9:26:41: 1:28:03.
    expect(&p, on, "boris.cora@example.ac.id", 88, (7, 58, 38));
}

/// Teams current layout, UTF-16 BE and the same as UTF-8: section 2 only, one row per
/// person, the `In-meeting duration` is the time in. Session 09:30-10:00 on 14 Nov 2022.
#[test]
fn teams_current_layout_utf16be_and_utf8() {
    let on = day(2022, 11, 14);
    for bytes in [
        &real!("teams-2022-en-utf16be-14.csv")[..],
        &real!("teams-2022-en-utf8-14.csv")[..],
    ] {
        let (_, p) = people(
            bytes,
            Session {
                day: on,
                end: (10, 0),
            },
        );
        assert_eq!(p.len(), 7);
        // 19m 26s.
        expect(&p, on, "bruno.alma.clara@example.int", 19, (9, 30, 46));
        // 19m 21s.
        expect(&p, on, "greta@example2.es", 19, (9, 30, 52));
        // 14m 50s.
        expect(&p, on, "sven@example6.co.uk", 15, (9, 35, 21));
    }
}

/// Zoom meeting participants, with and without the meeting lines above; two devices at
/// once (Power Girl, Swarm) count once. Session 10:00-12:00 on 19 November 2021.
#[test]
fn zoom_meeting_overlaps_count_once() {
    let on = day(2021, 11, 19);
    for bytes in [
        &real!("zoom-meeting-2021-preamble.csv")[..],
        &real!("zoom-meeting-2021-plain.csv")[..],
    ] {
        let (format, p) = people(
            bytes,
            Session {
                day: on,
                end: (12, 0),
            },
        );
        assert_eq!(format, Format::Zoom);
        // 31 rows, four people twice: the 27 participants the meeting line counts.
        assert_eq!(p.len(), 27);
        // 10:08:26-12:01:58 and 10:11:31-12:01:58 at once: 1:53:32 (not 114 + 111).
        expect(&p, on, "power-girl_kryptonian@dc.com", 114, (10, 8, 26));
        // 10:14:30-10:24:26 and 10:24:12-12:01:58 overlap: 1:47:28.
        expect(&p, on, "swarm_mutant@marvel.com", 107, (10, 14, 30));
        // 10:08:32-11:00:13 (51:41) and 11:28:11-12:01:58 (33:47): 85:28.
        expect(&p, on, "cyborg-superman_cyborg@dc.com", 85, (10, 8, 32));
        // 11:01:02-11:02:35 (1:33) and 11:02:46-11:29:38 (26:52): 28:25.
        expect(&p, on, "dazzler_mutant@marvel.com", 28, (11, 1, 2));
        // 9:54:15-12:01:59: 2:07:44.
        expect(&p, on, "loki_asgardian@marvel.com", 128, (9, 54, 15));
    }
}

/// Teams 2020 list, English, `3/11/2022` month-first: 11 March, the day the publisher
/// committed it (the session's day decides). Session 13:30-14:30.
#[test]
fn teams_list_en_month_first() {
    let on = day(2022, 3, 11);
    let (_, p) = people(
        real!("teams-list-2020-en-utf16-march.csv"),
        Session {
            day: on,
            end: (14, 30),
        },
    );
    assert_eq!(p.len(), 6);
    // 1:30:31 PM, never left: 59:29.
    expect(&p, on, "clara m", 59, (13, 30, 31));
    // 1:31:10-1:31:56 PM (0:46), 1:32:04 PM open (57:56): 58:42.
    expect(&p, on, "fabio greta", 59, (13, 31, 10));
    // 1:31:58 PM open: 58:02.
    expect(&p, on, "kira lena marco", 58, (13, 31, 58));
}

/// Teams 2020 list downloaded during the class: most people "Joined before" the
/// download's first instant, and two names appear twice each (two students with one
/// name, or one on two devices: a name-only list cannot tell, so they count once).
/// `9/3/2020` is 3 September. Session 14:30-15:30.
#[test]
fn teams_list_en_same_names_count_once() {
    let on = day(2020, 9, 3);
    let (_, p) = people(
        real!("teams-list-2020-en-utf16-same-names.csv"),
        Session {
            day: on,
            end: (15, 30),
        },
    );
    // 60 lines, 55 different names.
    assert_eq!(p.len(), 55);
    // "Joined before" 2:41:55 PM twice, never left: 48:05 once, not twice.
    expect(&p, on, "umar dario", 48, (14, 41, 55));
    expect(&p, on, "marco dario", 48, (14, 41, 55));
    // 2:41:55-2:46:41 PM (4:46), 2:46:58 PM open (43:02): 47:48.
    expect(&p, on, "juno kai", 48, (14, 41, 55));
    // 2:42:47-2:44:30 PM: 1:43.
    expect(&p, on, "yara dario", 2, (14, 42, 47));
    // 2:47:05 PM open: 42:55.
    expect(&p, on, "yarab zenob", 43, (14, 47, 5));
}

/// Two more Portuguese lists, `16/03/2021` and `15/03/2021`. Sessions 08:00-10:00 and
/// 19:20-21:10.
#[test]
fn teams_lists_pt_more_classes() {
    let on = day(2021, 3, 16);
    let (_, p) = people(
        real!("teams-list-2020-pt-utf16-e.csv"),
        Session {
            day: on,
            end: (10, 0),
        },
    );
    // 47 lines, 39 different names.
    assert_eq!(p.len(), 39);
    // 08:00:18-08:05:08 (4:50), 08:05:22 open to 10:00 (1:54:38): 1:59:28.
    expect(&p, on, "alma dario elena", 119, (8, 0, 18));
    // 08:00:46-08:47:59 (47:13), 08:48:07 open (1:11:53): 1:59:06.
    expect(&p, on, "kira xenia yara", 119, (8, 0, 46));
    // 08:01:24-09:41:45 (1:40:21), 09:41:50 open (18:10): 1:58:31.
    expect(&p, on, "gil lena hedda ilja", 119, (8, 1, 24));
    // 09:31:18 open: 28:42.
    expect(&p, on, "borisb corab ada", 29, (9, 31, 18));

    let on = day(2021, 3, 15);
    let (_, p) = people(
        real!("teams-list-2020-pt-utf16-f.csv"),
        Session {
            day: on,
            end: (21, 10),
        },
    );
    // 112 lines, 48 different names.
    assert_eq!(p.len(), 48);
    // 19:21:47-19:23:28 (1:41), 19:23:37-21:02:06 (1:38:29): 1:40:10.
    expect(
        &p,
        on,
        "dario elena fabio greta hugo irene",
        100,
        (19, 21, 47),
    );
    // 19:22:11-20:03:44 (41:33), 20:14:02-20:15:38 (1:36), 20:15:51-20:50:00 (34:09):
    // 1:17:18.
    expect(&p, on, "marco nadia oskar zoë", 77, (19, 22, 11));
    // 19:22:52-19:34:03 (11:11), 19:37:37 open to 21:10 (1:32:23): 1:43:34.
    expect(&p, on, "zeno jonas greta ada", 104, (19, 22, 52));
    // 19:23:09-20:53:13 (1:30:04), 20:53:19-21:02:07 (8:48): 1:38:52.
    expect(&p, on, "tanja ivo jana", 99, (19, 23, 9));
}

/// Teams current layout in Polish (`1. Podsumowanie`, `Imię i nazwisko`, `Ostatnie
/// wyjście`, `Czas udziału w spotkaniu`, `2 godz. 18 min 8 s`), UTF-16 LE, CRLF, with
/// US dates `3/10/25, 8:02:00 AM` (10 March 2025). The publisher put placeholders in:
/// `EMAIL` where the address was (not an address, so people are told apart by name)
/// and one `ID@uczelnia.pl` for every UPN. Session 08:00-10:30.
#[test]
fn teams_report_pl_placeholders_are_not_addresses() {
    let on = day(2025, 3, 10);
    let (format, p) = people(
        real!("teams-2025-pl-utf16.csv"),
        Session {
            day: on,
            end: (10, 30),
        },
    );
    assert_eq!(format, Format::Teams);
    assert_eq!(p.len(), 7);
    // 2 godz. 18 min 8 s.
    expect(&p, on, "uczestnik jakis 1", 138, (8, 2, 0));
    // 2 godz. 15 min 14 s.
    expect(&p, on, "uczestnik jakis 2", 135, (8, 0, 50));
    // 1 godz. 57 min 16 s.
    expect(&p, on, "uczestnik jakis 4", 117, (8, 1, 24));
    // 2 godz. 13 min 18 s.
    expect(&p, on, "uczestnik jakis 7", 133, (8, 2, 41));
}

/// A Teams 2020 list saved before anyone joined: only the header. It is a Teams file
/// with nobody in it, not an unreadable one.
#[test]
fn an_empty_teams_list_has_nobody() {
    let report = parse_with(
        real!("teams-list-2020-en-utf16-empty.csv"),
        Hints {
            day: Some(day(2021, 5, 2)),
        },
    )
    .unwrap();
    assert_eq!(report.format, Format::Teams);
    assert!(report.rows.is_empty());
}

/// A whole school day in one Zoom meeting (2,220 rows, UTF-8 BOM, CRLF, `05/24/2021
/// 09:20:05 AM`): 397 addresses, people on two devices at once, two pairs of students
/// with one name told apart by their addresses. Session until 18:00.
#[test]
fn zoom_meeting_school_day() {
    let on = day(2021, 5, 24);
    let (format, p) = people(
        real!("zoom-meeting-2021-school-day.csv"),
        Session {
            day: on,
            end: (18, 0),
        },
    );
    assert_eq!(format, Format::Zoom);
    assert_eq!(p.len(), 397);
    // 09:20:05-09:29:42 (two rows end to end, 9:37), 09:29:52-09:30:19 (0:27),
    // 09:30:20-10:32:09 (three rows, two devices: 1:01:49), 11:25:15-11:26:50 (1:35),
    // 11:26:51-14:02:52 (three rows, two devices: 2:36:01): 3:49:29, where the rows'
    // own minutes add up to 450.
    expect(&p, on, "umaaaaa_viggob_357@example.school", 229, (9, 20, 5));
    // Two students called Dmitri Hugo: 19 rows, 2:55:56 together ...
    expect(&p, on, "dmitri_clara0_788@example.school", 176, (9, 25, 13));
    // ... and 09:23:37-09:24:19, 09:24:20-10:31:52, 14:58:12-14:58:39,
    // 14:58:39-17:31:43: 3:41:45.
    expect(
        &p,
        on,
        "dmitri_fabio37_766@example.school",
        222,
        (9, 23, 37),
    );
    // 09:22:17-09:22:54 (0:37), 09:22:55-10:31:10 (1:08:15): 1:08:52.
    expect(&p, on, "dario_fabio37_370@example.school", 69, (9, 22, 17));
}

/// Three Teams 2020 lists of one Indian college: two after Excel (commas, quotes, CRLF,
/// no BOM) and one as Teams wrote it (UTF-16). The file names give the days:
/// `07-09-2020` lecture (`9/7/2020`, 7 September), `12-09-2020` tutorial (12 September);
/// `8/31/2020` is unambiguous.
#[test]
fn teams_lists_en_one_college() {
    let on = day(2020, 9, 7);
    let (_, p) = people(
        real!("teams-list-2020-en-excel-crlf-lecture.csv"),
        Session {
            day: on,
            end: (17, 10),
        },
    );
    // 144 lines, 89 different names.
    assert_eq!(p.len(), 89);
    // Joined 2:55:32 PM, open to 17:10: 2:14:28.
    expect(&p, on, "alma bruno", 134, (14, 55, 32));
    // "Joined before" 2:55:32-4:59:33 PM (2:04:01), 5:01:36 PM open (8:24): 2:12:25.
    expect(&p, on, "kira lena", 132, (14, 55, 32));
    // 2:55:32-4:29:05 (1:33:33), 4:29:38-4:30:46 (1:08), 4:33:29 open (36:31): 2:11:12.
    expect(&p, on, "sven tanja", 131, (14, 55, 32));
    // 3:05:34-4:15:56 (1:10:22), 4:18:17-4:18:35 (0:18), 4:18:47-4:35:08 (16:21),
    // 4:35:20 open (34:40): 2:01:41.
    expect(&p, on, "fabioaa ruib", 122, (15, 5, 34));
    // 4:08:20-5:00:08 PM: 51:48.
    expect(&p, on, "umaraa veraaa", 52, (16, 8, 20));

    let on = day(2020, 9, 12);
    let (_, p) = people(
        real!("teams-list-2020-en-excel-crlf-tutorial.csv"),
        Session {
            day: on,
            end: (15, 0),
        },
    );
    // 98 lines, 61 different names.
    assert_eq!(p.len(), 61);
    // 12:46:13-12:48:21 (2:08), 1:05:00-2:14:13 (1:09:13), 2:16:25-2:50:14 (33:49),
    // 2:53:37 open to 15:00 (6:23): 1:51:33.
    expect(&p, on, "greta hugo", 112, (12, 46, 13));
    // 1:03:56-2:28:45 PM: 1:24:49.
    expect(&p, on, "adab borisb", 85, (13, 3, 56));
    // 12:56:30-2:00:43 (1:04:13), 2:01:07-2:01:20 (0:13), 2:29:11 open (30:49): 1:35:15.
    expect(&p, on, "rui sara", 95, (12, 56, 30));
    // 1:41:04 PM open: 1:18:56.
    expect(&p, on, "milab noelb", 79, (13, 41, 4));

    let on = day(2020, 8, 31);
    let (_, p) = people(
        real!("teams-list-2020-en-utf16-august.csv"),
        Session {
            day: on,
            end: (10, 30),
        },
    );
    // 30 lines, 26 different names.
    assert_eq!(p.len(), 26);
    // 9:30:29-10:00:00 (29:31), 10:00:16 open to 10:30 (29:44): 59:15.
    expect(&p, on, "elena fabio", 59, (9, 30, 29));
    // 9:30:29-9:45:37 (15:08), 9:45:51 open (44:09): 59:17.
    expect(&p, on, "hugo irene", 59, (9, 30, 29));
    // 9:43:12 AM open: 46:48.
    expect(&p, on, "zoe aron", 47, (9, 43, 12));
}

/// Teams 2021-2022 report in English (`Meeting Summary`, then one row per join:
/// `Full Name⇥Join Time⇥Leave Time⇥Duration⇥Email⇥Role⇥Participant ID (UPN)`), UTF-16 LE.
/// The publisher edited it for a demo: some `Duration` cells disagree with the row's
/// own join and leave (`1h 15m` for 2:47:02-3:02:16 PM); the times are the presence.
/// Session 14:45-16:05 on 18 February 2022.
#[test]
fn teams_legacy_report_en_times_decide() {
    let on = day(2022, 2, 18);
    let (format, p) = people(
        real!("teams-legacy-2022-en-utf16.csv"),
        Session {
            day: on,
            end: (16, 5),
        },
    );
    assert_eq!(format, Format::Teams);
    assert_eq!(p.len(), 3);
    // 2:47:02-3:02:16 PM: 15:14.
    expect(&p, on, "clara@example.com", 15, (14, 47, 2));
    // 2:47:17-3:10:31 PM: 23:14 (the cell says 14s).
    expect(&p, on, "fabio@example.com", 23, (14, 47, 17));
    // 2:47:20-2:48:09 (0:49), 3:13:16-4:02:16 (49:00): 49:49.
    expect(&p, on, "irene@example.com", 50, (14, 47, 20));
}

/// A Teams 2020 list the teacher opened in Excel and saved as XLSX (sheet `in`, every
/// cell text, day-first `24/09/2020, 14:00:49` from an Indian Windows; the file name says
/// 24-09-2020). Session 14:00-16:30.
#[test]
fn teams_list_saved_as_xlsx() {
    let on = day(2020, 9, 24);
    let bytes = real!("teams-list-2020-en-excel.xlsx");
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let (format, p) = people(
        bytes,
        Session {
            day: on,
            end: (16, 30),
        },
    );
    assert_eq!(format, Format::Teams);
    // 132 rows, 88 different names.
    assert_eq!(p.len(), 88);
    // Joined 13:52:08, before the teacher, open to 16:30: 2:37:52.
    expect(&p, on, "elena fabio", 158, (13, 52, 8));
    // 14:19:36-14:21:34 (1:58), 14:21:45-14:25:02 (3:17), 14:28:31-14:42:48 (14:17),
    // 14:52:15-15:00:47 (8:32), 15:24:10 open (1:05:50): 1:33:54.
    expect(&p, on, "gilb heddab", 94, (14, 19, 36));
    // 14:29:21-14:48:59 (19:38), 14:54:36-16:06:18 (1:11:42): 1:31:20.
    expect(&p, on, "hugoaa lotta", 91, (14, 29, 21));
    // 14:36:50-14:49:34 (12:44), 14:50:28-15:17:38 (27:10): 39:54.
    expect(&p, on, "kiraaa lenaaa", 40, (14, 36, 50));
    // 14:13:00-14:22:11 (9:11), 15:40:37 open (49:23): 58:34.
    expect(&p, on, "otto petra", 59, (14, 13, 0));
}

/// Teams 2020 list from 2026 (`2/7/26, 8:03:45 PM`: 7 February, the day it was
/// committed), a name in Arabic script beside Latin ones and logins (`alma.GRETA`).
/// Session 20:00-22:00.
#[test]
fn teams_list_2026_arabic_script_name() {
    let on = day(2026, 2, 7);
    let (_, p) = people(
        real!("teams-list-2026-en-utf16-arabic.csv"),
        Session {
            day: on,
            end: (22, 0),
        },
    );
    assert_eq!(p.len(), 7);
    // 8:03:45 PM, never left: 1:56:15.
    expect(&p, on, "سلمى كريم سلمى كريم ليلى", 116, (20, 3, 45));
    // 8:04:58-8:54:34 PM (49:36), 9:12:49 PM open (47:11): 1:36:47.
    expect(&p, on, "alma bruno", 97, (20, 4, 58));
    // 8:46:17-8:58:03 PM: 11:46.
    expect(&p, on, "alma.greta", 12, (20, 46, 17));
    // 9:19:09-9:43:21 PM (24:12), 9:43:41 PM open (16:19): 40:31.
    expect(&p, on, "hugo", 41, (21, 19, 9));
}

/// Teams 2020 list of a class where everyone but the teacher came as a guest:
/// `Greta Hugo (Guest)`, logins like `rosa519 (Guest)`. The suffix is not part of the
/// name. `11/18/2020`; session 12:45-13:45.
#[test]
fn teams_list_guests() {
    let on = day(2020, 11, 18);
    let (_, p) = people(
        real!("teams-list-2020-en-utf16-guests.csv"),
        Session {
            day: on,
            end: (13, 45),
        },
    );
    // 60 lines, 40 different names.
    assert_eq!(p.len(), 40);
    // 12:52:17 PM open to 13:45: 52:43.
    expect(&p, on, "dr. alma bruno", 53, (12, 52, 17));
    // 12:59:57-1:25:16 (25:19), 1:25:31-1:29:24 (3:53), 1:30:58 PM open (14:02): 43:14.
    expect(&p, on, "greta hugo", 43, (12, 59, 57));
    // 1:00:55-1:07:57 (7:02), 1:08:40-1:23:30 (14:50), 1:29:27 PM open (15:33): 37:25.
    expect(&p, on, "rosa519", 37, (13, 0, 55));
    // 1:02:34-1:02:51 PM: 17 s, at least a minute.
    expect(&p, on, "zeno77", 1, (13, 2, 34));
}

/// One more Portuguese list, `31/03/2021`. Session 07:40-09:40.
#[test]
fn teams_list_pt_early_class() {
    let on = day(2021, 3, 31);
    let (_, p) = people(
        real!("teams-list-2020-pt-utf16-g.csv"),
        Session {
            day: on,
            end: (9, 40),
        },
    );
    // 49 lines, 23 different names.
    assert_eq!(p.len(), 23);
    // 07:40:32, never left: 1:59:28.
    expect(&p, on, "alma bruno clara", 119, (7, 40, 32));
    // 07:40:54-09:37:20: 1:56:26.
    expect(&p, on, "dario elena fabio greta hugo", 116, (7, 40, 54));
    // 08:37:06-09:38:16: 1:01:10.
    expect(&p, on, "fiona gil rui hedda", 61, (8, 37, 6));
    // 09:30:26-09:38:12: 7:46.
    expect(&p, on, "karl lotta mads", 8, (9, 30, 26));
}

/// Zoom meeting participants from a Russian interface (`Имя (первоначальное имя)`,
/// `Время подключения`, `В зале ожидания` = in the waiting room, `Да`/`Нет`), UTF-8 BOM,
/// `20.12.2025 07:03:42 AM`. Almost everyone waited in the waiting room first: those rows
/// are not attendance, and the first join is when they were let in. Session until 08:10.
#[test]
fn zoom_meeting_ru_waiting_room() {
    let on = day(2025, 12, 20);
    let (format, p) = people(
        real!("zoom-meeting-2025-ru.csv"),
        Session {
            day: on,
            end: (8, 10),
        },
    );
    assert_eq!(format, Format::Zoom);
    // 25 rows, 11 of them in the waiting room; 12 people.
    assert_eq!(p.len(), 12);
    // Waiting 07:04:55-07:05:28, then in 07:05:28-08:07:28: 1:02:00.
    expect(&p, on, "dario elena", 62, (7, 5, 28));
    // Waiting 07:07:34-07:07:43; in 07:07:44-07:21:21 (13:37), 07:21:43-08:07:28
    // (45:45): 59:22.
    expect(&p, on, "lena", 59, (7, 7, 44));
    // Zoom's name for someone who gave none: waiting, then in 07:06:36-07:07:20.
    expect(&p, on, "пользователь zoom", 1, (7, 6, 36));
    // Never waited: 07:03:42-07:29:03 and 07:28:48-08:07:16 overlap: 1:03:34 (the rows
    // say 26 + 39).
    expect(&p, on, "clara7355@example.com", 64, (7, 3, 42));
}

/// Zoom meeting participants with the `Recording Consent` and `In Waiting Room` columns
/// (nobody waited), UTF-8 BOM, CRLF, `01/26/2023 03:43:42 PM`; guests without an address;
/// rows of one person overlapping. Session until 17:30.
#[test]
fn zoom_meeting_with_waiting_room_column() {
    let on = day(2023, 1, 26);
    let (_, p) = people(
        real!("zoom-meeting-2023-waiting-room-column.csv"),
        Session {
            day: on,
            end: (17, 30),
        },
    );
    // 89 rows, 55 people.
    assert_eq!(p.len(), 55);
    // Six rows, two pairs overlapping (16:19:38-16:21:34, 16:40:54-16:42:49): 1:27:15,
    // where the rows say 94.
    expect(&p, on, "bruno.clara@example.edu", 87, (15, 43, 42));
    // 15:43:50-16:07:36, 16:07:50-16:54:50, 16:54:51-17:22:54: 1:38:49.
    expect(&p, on, "fabio.greta@example.edu", 99, (15, 43, 50));
    // 16:02:42-16:14:10 and 16:13:41-16:37:00 overlap, then 16:37:00-16:55:55: 53:13.
    expect(&p, on, "brunob.umar@example.edu", 53, (16, 2, 42));
    // A guest without an address, by name: 16:04:37-16:19:39, 16:32:52-16:34:01,
    // 16:36:13-16:41:16, 16:41:17-17:09:58: 49:55.
    expect(&p, on, "quentinb rosab", 50, (16, 4, 37));
}

/// Zoom meeting participants exported with "Show unique users": the meeting line, then
/// one row per person with `Total Duration (Minutes)` and no times. Zoom adds up a
/// person's devices, so one guest has 316 minutes of a 146-minute meeting: that counts as
/// the most anyone can have attended (a 150-minute session and its 90-minute join window),
/// and refuses nothing. 8 March 2022.
#[test]
fn zoom_unique_users_totals_capped() {
    let on = day(2022, 3, 8);
    let (format, p) = people_at_most(
        real!("zoom-meeting-2022-unique-users.csv"),
        Session {
            day: on,
            end: (12, 15),
        },
        240,
    );
    assert_eq!(format, Format::Zoom);
    let minutes = |key: &str| {
        let m = &p[key];
        assert_eq!((m.joined_at, m.left_at), (None, None), "{key}: no times");
        m.minutes
    };
    // 48 rows, 47 people: the host by address, the guests by the name they showed
    // (`Display (Original)`), so `Noel Olga (Pia RUI)` and `Noel Olga` are one person.
    assert_eq!(p.len(), 47);
    assert_eq!(minutes("alma@example.net"), 147);
    // 316, capped.
    assert_eq!(minutes("irene"), 240);
    // 65 + 76.
    assert_eq!(minutes("noel olga"), 141);
    assert_eq!(minutes("dario elena fabio greta hugo"), 146);
    assert_eq!(minutes("adab borisb"), 14);
}

/// A Webex Events attendee report as downloaded: UTF-16 LE, BOM, tabs, CRLF, dates in
/// Excel's formula quoting (`"=""2021-06-14 17:00:00"""`), durations rounded up
/// (`201 mins` for 3:20:27). Event 17:00-20:15 on 14 June 2021.
#[test]
fn webex_event_utf16() {
    let on = day(2021, 6, 14);
    let bytes = real!("webex-2021-en-utf16.csv");
    assert!(bytes.starts_with(&[0xFF, 0xFE]));
    let (format, p) = people(
        bytes,
        Session {
            day: on,
            end: (20, 15),
        },
    );
    assert_eq!(format, Format::Webex);
    assert_eq!(p.len(), 4);
    // 16:58:50-20:22:49: 3:23:59.
    expect(&p, on, "host@mail.com", 204, (16, 58, 50));
    // 17:02:22-20:22:49: 3:20:27 (Webex says 201).
    expect(&p, on, "user1@mail.com", 200, (17, 2, 22));
    // 17:02:26-20:22:36: 3:20:10.
    expect(&p, on, "user2@mail.com", 200, (17, 2, 26));
    // 17:05:45-20:22:34: 3:16:49.
    expect(&p, on, "user3@mail.com", 197, (17, 5, 45));
}

/// Google Meet attendance reports of two classes (the same 185 students): one row per
/// person, times of day in minutes on the session's day (11 and 18 October 2022, from
/// the file names), `2 hrs 10 mins`. Where a row's join and exit are further apart than
/// its duration the person left in between: the duration counts.
#[test]
fn google_meet_reports() {
    let on = day(2022, 10, 11);
    let (format, p) = people(
        real!("meet-2022-en-a.csv"),
        Session {
            day: on,
            end: (14, 0),
        },
    );
    assert_eq!(format, Format::Meet);
    assert_eq!(p.len(), 185);
    // 11:45-13:56 is 131, the duration 130: no gap.
    expect(&p, on, "3073373947@example.edu.my", 131, (11, 45, 0));
    // 12:02-13:56 is 114, the duration 1 hr 52 mins: out for two minutes.
    expect(&p, on, "3363070278@example.edu.my", 112, (12, 2, 0));
    // 12:09-13:54 but only 23 mins in.
    expect(&p, on, "3073373773@example.edu.my", 23, (12, 9, 0));
    // 11:56-13:56, 1 hr 17 mins.
    expect(&p, on, "3073373627@example.edu.my", 77, (11, 56, 0));
    // The first in, at 11:37; 139 against 2 hrs 18 mins.
    expect(&p, on, "3073377351@example.edu.my", 139, (11, 37, 0));

    let on = day(2022, 10, 18);
    let (_, p) = people(
        real!("meet-2022-en-b.csv"),
        Session {
            day: on,
            end: (13, 30),
        },
    );
    assert_eq!(p.len(), 185);
    // 11:29-13:30 is 121, `2 hrs`.
    expect(&p, on, "3343375001@example.edu.my", 121, (11, 29, 0));
    // 12:01-13:30 but `1 hr`.
    expect(&p, on, "3343375312@example.edu.my", 60, (12, 1, 0));
}

/// A Zoom webinar attendee report of an older account (satRdays DC, 28 March 2020, 548
/// minutes from 08:07): `Host Details` and `Panelist Details` (not attendees), then
/// `Attendee Details` with `First Name` and `Last Name` and no `User Name`, one row per
/// join, then `Other Attended` without any Email column and with 12-hour times. People on
/// two devices have rows that overlap: the rows of three of them add up to 722, 713 and
/// 633 minutes of the 548.
#[test]
fn zoom_webinar_sections_and_overlaps() {
    let on = day(2020, 3, 28);
    let (format, p) = people(
        real!("zoom-webinar-2020-en-sections.csv"),
        Session {
            day: on,
            end: (17, 15),
        },
    );
    assert_eq!(format, Format::Zoom);
    // 924 attendee rows (Attended = Yes) of 455 addresses, and 4 other attendees.
    assert_eq!(p.len(), 459);
    // 08:32:49-12:51:57 (covering 08:36:37-10:00:15 and 11:50:51-12:51:57),
    // 12:51:31-13:51:24, 12:51:57-13:51:41, 13:51:24-17:07:07: one stay to 17:07:07,
    // 8:34:18 (the rows say 722).
    expect(&p, on, "attendee414@email.com", 514, (8, 32, 49));
    // 08:59:22-17:14:36 covers 13:37:22-15:19:10 and 15:15:14-17:10:14: 8:15:14 (713).
    expect(&p, on, "attendee469@email.com", 495, (8, 59, 22));
    // 5:07 + 4:44 + 12:23 + 1:56, then 09:20:50-16:02:22 covering three more rows:
    // 7:05:42 (633).
    expect(&p, on, "attendee183@email.com", 426, (8, 52, 58));
    // 09:07:39-09:26:54: 19:15 (Zoom says 20).
    expect(&p, on, "attendee130@email.com", 19, (9, 7, 39));
    // Other Attended, by name: 1:52 PM-2:40 PM.
    expect(&p, on, "userother_4", 48, (13, 52, 0));
}

/// A Teams webinar report (UTF-16 LE, current layout with the registration columns):
/// a guest has no `Email` but a `Registration Email`, and is that registrant, not the
/// attendee whose name their display name repeats (`Elena Fabio (Guest)` is not
/// `Elena Fabio`); someone who joined under another name (`jonas`) is known by the
/// address they registered with. 17 April 2023, 19:29:57-19:43:23.
#[test]
fn teams_webinar_registration_emails() {
    let on = day(2023, 4, 17);
    let bytes = real!("teams-webinar-2023-en-utf16.csv");
    assert!(bytes.starts_with(&[0xFF, 0xFE]));
    let (format, p) = people(
        bytes,
        Session {
            day: on,
            end: (19, 45),
        },
    );
    assert_eq!(format, Format::Teams);
    assert_eq!(p.len(), 5);
    // The organizer: 19:30:01-19:43:23, 13m 22s.
    expect(&p, on, "alma.bruno@example.uk", 13, (19, 30, 1));
    // 19:31:47-19:37:02 with a gap, 3m 30s in (section 3: 3:16 and 0:14).
    expect(&p, on, "elena.dario@example1.com", 4, (19, 31, 47));
    // Its Email (not the registration's): 19:31:48-19:35:02, 3m 14s.
    expect(&p, on, "38greta@example2.org", 3, (19, 31, 48));
    // No Email: the registration's. 19:35:36-19:36:36, 59s.
    expect(&p, on, "irene@example1.com", 1, (19, 35, 36));
    // The guest: 19:40:25-19:42:24, 1m 58s.
    expect(&p, on, "kira@example4.com", 2, (19, 40, 25));
}

/// A Teams live-event engagement report (`Session Id,Participant Id,Full Name,UserAgent,
/// UTC Event Timestamp,Action,Role`; 1,891 events of a town hall on 2 March 2023, 11:00
/// to 12:00 UTC): events paired per viewing session (one device); viewers known by their
/// address; anonymous viewers (no name, no id: 30 events) are nobody; trying the link on
/// other days is not presence; several devices at once count once.
#[test]
fn teams_live_event_devices_and_days() {
    let on = day(2023, 3, 2);
    let bytes = real!("teams-live-event-2023-en.csv");
    let report = super::parse(bytes).unwrap();
    assert!(report.utc);
    let (format, p) = people(
        bytes,
        Session {
            day: on,
            end: (12, 0),
        },
    );
    assert_eq!(format, Format::Teams);
    assert_eq!(p.len(), 619);
    // 20 February 14:56:30-15:06:58 (another day), then three devices: 11:10-11:27,
    // 11:15-11:57, 11:23-11:51: 11:10-11:57.
    expect(&p, on, "person10@fake.email.uk", 47, (11, 10, 0));
    // 28 February (3 seconds), then 11:09-11:10.
    expect(&p, on, "person7@fake.email.uk", 1, (11, 9, 0));
    // 1 March, then 11:01-11:06 and 11:06-11:57 on two devices.
    expect(&p, on, "person9@fake.email.uk", 56, (11, 1, 0));
    // Three devices: 11:00-13:00 (left open), 11:00 never left (to 12:00), 11:05-11:58.
    expect(&p, on, "person98@fake.email.uk", 120, (11, 0, 0));
    // Only ever tried the link, on 23 February: in the report, not in the session.
    let tried = &p["person5@fake.email.uk"];
    assert_eq!((tried.minutes, tried.joined_at), (0, None));
}

/// Zoom meeting participants from a Japanese interface (`名前 (元の名前),ユーザーメール,
/// 参加時刻,退出時刻,所要時間（分）`) after a spreadsheet's re-save: UTF-8 BOM, CRLF, times cut
/// to the minute (`2020/12/8 8:35`), the publisher's `太郎N` names and addresses cut to
/// `taro1…` (not addresses: people are known by name). 8 December 2020, until 12:40.
#[test]
fn zoom_meeting_ja_after_a_spreadsheet() {
    let on = day(2020, 12, 8);
    let (format, p) = people(
        real!("zoom-meeting-2020-ja-excel.csv"),
        Session {
            day: on,
            end: (12, 40),
        },
    );
    assert_eq!(format, Format::Zoom);
    // 太郎1 to 太郎204, one row each (the last line has no line end).
    assert_eq!(p.len(), 204);
    // 8:35-12:39 (Zoom, with the seconds, says 245).
    expect(&p, on, "太郎1", 244, (8, 35, 0));
    // 9:08-11:44 (157).
    expect(&p, on, "太郎12", 156, (9, 8, 0));
    // Listed last, 9:37-12:39 (183).
    expect(&p, on, "太郎202", 182, (9, 37, 0));
    // 8:42-8:42: under a minute, which the cut times cannot tell from nothing (Zoom: 1).
    expect(&p, on, "太郎5", 0, (8, 42, 0));
}

/// Every real file is read (none refused), whatever its layout.
#[test]
fn every_real_file_is_read() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/attendance/real");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv" || e == "xlsx") {
            let bytes = std::fs::read(&path).unwrap();
            let report = super::parse(&bytes).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let empty = path.ends_with("teams-list-2020-en-utf16-empty.csv");
            assert_eq!(report.rows.is_empty(), empty, "{path:?}");
            n += 1;
        }
    }
    assert_eq!(n, 45);
}

/// A Zoom usage report exported with participants: five meetings of one account on one
/// day, one after another, each row with the meeting's columns (`Host email`, the
/// meeting's `Duration (minutes)`) before the participant's (`Email`, their own
/// `Duration (minutes)`). Counted by reading the file: 1 (Data Analysis, the host alone
/// at 5:52 PM) + 2,162 (Machine Learning) + 402 (Cloud Computing) + 1,008 (Data Analysis
/// from 3:56 PM) + 826 (Embedded Systems) rows.
#[test]
fn zoom_usage_report_with_five_meetings() {
    let report = parse_with(
        real!("zoom-usage-2026-en-five-meetings.csv"),
        Hints {
            day: NaiveDate::from_ymd_opt(2026, 5, 30),
        },
    )
    .unwrap();
    assert_eq!(report.format, Format::Zoom);
    assert_eq!(report.rows.len(), 4399);
    assert_eq!(report.meetings.len(), 5);
    let learning = report
        .meetings
        .iter()
        .position(|m| m.starts_with("\"Machine Learning"))
        .unwrap();
    assert_eq!(
        report.meetings[learning],
        "\"Machine Learning -  Summer Online Internship - 2026 by APSSDC\" (970 1912 6650), \
         started 05/30/2026 05:49:22 PM"
    );
    let of = |m: usize| {
        report
            .rows
            .iter()
            .filter(|r| r.meeting == Some(m as u32))
            .count()
    };
    assert_eq!(of(learning), 2162);
    // Line 4, the first of Machine Learning: the participant's address and minutes
    // (68), not the host's and the meeting's (122).
    let first = report.rows.iter().find(|r| r.line == 4).unwrap();
    assert_eq!(first.email.as_deref(), Some("greta2@example1.com"));
    assert_eq!(first.minutes, 68);
    assert_eq!(first.meeting, Some(learning as u32));
    // The host's one-row meeting at 5:52:14 PM and the Data Analysis meeting from
    // 3:56:56 PM share an ID: two meetings, told apart by their start.
    let data_analysis: Vec<_> = report
        .meetings
        .iter()
        .filter(|m| m.contains("(932 5001 3841)"))
        .collect();
    assert_eq!(data_analysis.len(), 2);
}
