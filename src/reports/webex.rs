//! Webex: the attendee report of a meeting or event, one row per join (a person on two
//! devices or rejoining has several), as downloaded (UTF-16 LE, tabs) or re-saved with
//! commas. Webex wraps its date cells in Excel's formula quoting (`="2021-06-14
//! 17:00:00"`, which a CSV reader sees as `="2021-06-14 17:00:00"`) and writes durations
//! rounded up as `204 mins`.

use super::vocab::{SheetField, WEBEX, sheet_col};
use super::{
    Cols, Format, Hints, ImportError, Rec, Report, ReportRow, Span, detect_day_first, timed_row,
};

/// How many records from the top the header may be.
const HEAD: usize = 20;

fn col(header: &Rec, field: SheetField) -> Option<usize> {
    sheet_col(WEBEX, &header.cells, field)
}

/// The columns of a Webex attendee table, if `rec` is its header.
fn header_cols(rec: &Rec) -> Option<Cols> {
    col(rec, SheetField::Mark)?;
    let (name, last_name) = match col(rec, SheetField::Name) {
        Some(name) => (name, None),
        None => (
            col(rec, SheetField::FirstName)?,
            col(rec, SheetField::LastName),
        ),
    };
    Some(Cols {
        name,
        last_name,
        email: col(rec, SheetField::Email),
        join: Some(col(rec, SheetField::Join)?),
        leave: Some(col(rec, SheetField::Leave)?),
        duration: col(rec, SheetField::Duration),
        ..Cols::default()
    })
}

/// `="2021-06-14 17:00:00"` → `2021-06-14 17:00:00`.
fn unformula(cell: &str) -> &str {
    cell.strip_prefix("=\"")
        .and_then(|c| c.strip_suffix('"'))
        .unwrap_or(cell)
}

/// `Ok(None)` when the records are not a Webex attendee report.
pub(super) fn parse(records: &[Rec], hints: Hints) -> Result<Option<Report>, ImportError> {
    let Some((at, cols)) = records
        .iter()
        .take(HEAD)
        .enumerate()
        .find_map(|(i, r)| header_cols(r).map(|c| (i, c)))
    else {
        return Ok(None);
    };
    let data: Vec<Rec> = records[at + 1..]
        .iter()
        .map(|r| Rec {
            line: r.line,
            cells: r.cells.iter().map(|c| unformula(c).to_string()).collect(),
        })
        .collect();
    let with_cols: Vec<(Cols, &Rec)> = data.iter().map(|r| (cols, r)).collect();
    let day_first = detect_day_first(&with_cols, hints);
    let rows = data
        .iter()
        .map(|rec| row(rec, &cols, day_first))
        .collect::<Result<_, _>>()?;
    Ok(Some(Report {
        format: Format::Webex,
        rows,
        utc: false,
        meetings: Vec::new(),
    }))
}

fn row(rec: &Rec, cols: &Cols, day_first: bool) -> Result<ReportRow, ImportError> {
    timed_row(
        rec,
        cols,
        day_first,
        Span::Stay,
        ("attendance duration", "minutes such as \"204 mins\""),
    )
}

#[cfg(test)]
mod tests {
    use crate::reports::test_support::{dt, err, utf16};
    use crate::reports::{Format, Span, parse};

    /// The layout of the real export (tests/data/attendance/real/webex-2021-en-utf16.csv)
    /// re-saved with commas, with a person on two devices.
    #[test]
    fn webex_rows_one_per_join() {
        let text = "Meeting Name,Meeting Start Time,Meeting End Time,Display Name,Attendee Email,\
            Join Time,Leave Time,Attendance Duration,Connection Type\n\
            Weekly,=\"2026-11-27 14:00:00\",=\"2026-11-27 15:00:00\",Ann Lee,ann@x.org,\
            =\"2026-11-27 13:58:10\",=\"2026-11-27 14:30:00\",32 mins,Desktop\n\
            Weekly,=\"2026-11-27 14:00:00\",=\"2026-11-27 15:00:00\",Ann Lee,ann@x.org,\
            =\"2026-11-27 14:10:00\",=\"2026-11-27 15:00:00\",50 mins,Mobile\n";
        let report = parse(text.as_bytes()).unwrap();
        assert_eq!(report.format, Format::Webex);
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.line, r.email.as_deref(), r.joined_at, r.minutes, r.span))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    2,
                    Some("ann@x.org"),
                    Some(dt(2026, 11, 27, 13, 58, 10)),
                    32,
                    Span::Stay
                ),
                (
                    3,
                    Some("ann@x.org"),
                    Some(dt(2026, 11, 27, 14, 10, 0)),
                    50,
                    Span::Stay
                ),
            ]
        );
    }

    /// The meeting variant from a Portuguese interface (the column list of a program that
    /// reads these exports): the display name, not `Nome` (the first name), is the name.
    #[test]
    fn webex_in_portuguese() {
        let text = "Nome da reunião,Data de início da reunião,Data de término da reunião,\
            Nome de exibição,Nome,Sobrenome,Função,E-mail do convidado,Hora da entrada,\
            Hora da saída,Duração da presença,Tipo de conexão,Nome da sessão\n\
            Aula,=\"2026-11-27 14:00:00\",=\"2026-11-27 15:00:00\",Ana Lima (Ana),Ana,Lima,\
            Participante,ana@x.br,=\"2026-11-27 14:02:00\",=\"2026-11-27 14:50:00\",48 min,\
            Desktop,S1\n";
        let report = parse(text.as_bytes()).unwrap();
        assert_eq!(report.format, Format::Webex);
        let r = &report.rows[0];
        assert_eq!(
            (r.name.as_str(), r.email.as_deref(), r.minutes),
            ("Ana Lima (Ana)", Some("ana@x.br"), 48)
        );
    }

    #[test]
    fn webex_unreadable_duration_names_its_line() {
        let text = "Event Name\tName\tAttendee Email\tJoin Time\tLeave Time\tAttendance Duration\n\
            E\tAnn\tann@x.org\t2026-11-27 14:00:00\t2026-11-27 14:30:00\ta while\n";
        let e = err(&utf16(text, false));
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("\"a while\""), "{e}");
    }
}
