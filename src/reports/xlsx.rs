//! Spreadsheets (XLSX, as Zoom and Webex offer their reports): the first sheet's cells as
//! the records the CSV parsers read, dates written the ISO way.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::{ImportError, MAX_RECORDS, Rec};

/// An XLSX file is a ZIP archive.
pub(super) fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The non-blank rows of the first sheet, numbered as the spreadsheet numbers them.
pub(super) fn records(bytes: &[u8]) -> Result<Vec<Rec>, ImportError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        ImportError::file(format!(
            "the spreadsheet cannot be read ({e}); export the report again, as .xlsx or CSV"
        ))
    };
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::file("the spreadsheet has no sheet"))?
        .map_err(|e| unreadable(&e))?;
    let first = range.start().map_or(0, |(row, _)| row as usize);
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(text).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            let line = first + i + 1;
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

/// A cell as the CSV export would have written it; a date cell as `2026-11-27 07:01:23`.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "Yes" } else { "No" }.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
        }
        Data::Error(e) => format!("#{e}"),
    }
}

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};

    use crate::reports::test_support::{dt, err};
    use crate::reports::{Format, parse};

    /// A Zoom meeting export saved as XLSX: text headers, date cells, whole minutes.
    #[test]
    fn a_zoom_spreadsheet_is_read_like_its_csv() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = CellFormat::new().set_num_format("mm/dd/yyyy hh:mm:ss AM/PM");
        let headers = [
            "Name (Original Name)",
            "User Email",
            "Join Time",
            "Leave Time",
            "Duration (Minutes)",
            "Guest",
        ];
        for (col, h) in headers.iter().enumerate() {
            sheet.write_string(0, col as u16, *h).unwrap();
        }
        let at = |h, m, s| {
            ExcelDateTime::from_ymd(2026, 11, 27)
                .unwrap()
                .and_hms(h, m, s)
                .unwrap()
        };
        sheet.write_string(1, 0, "Ann Lee").unwrap();
        sheet.write_string(1, 1, "ann@x.org").unwrap();
        sheet
            .write_datetime_with_format(1, 2, at(7, 1, 23), &date)
            .unwrap();
        sheet
            .write_datetime_with_format(1, 3, at(7, 31, 0), &date)
            .unwrap();
        sheet.write_number(1, 4, 30.0).unwrap();
        sheet.write_string(1, 5, "No").unwrap();
        // A row written as text, as some exports do.
        sheet.write_string(3, 0, "Bob Roy").unwrap();
        sheet.write_string(3, 2, "11/27/2026 07:05:00 AM").unwrap();
        sheet.write_string(3, 3, "11/27/2026 07:15:00 AM").unwrap();
        sheet.write_number(3, 4, 10.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let report = parse(&bytes).unwrap();
        assert_eq!(report.format, Format::Zoom);
        let rows: Vec<_> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.name.as_str(),
                    r.email.as_deref(),
                    r.joined_at,
                    r.minutes,
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    2,
                    "Ann Lee",
                    Some("ann@x.org"),
                    Some(dt(2026, 11, 27, 7, 1, 23)),
                    30
                ),
                (4, "Bob Roy", None, Some(dt(2026, 11, 27, 7, 5, 0)), 10),
            ]
        );
    }

    #[test]
    fn a_broken_or_foreign_spreadsheet_is_refused() {
        let e = err(b"PK\x03\x04 not really a zip");
        assert!(e.message.contains("spreadsheet cannot be read"), "{e}");
        let mut book = Workbook::new();
        book.add_worksheet()
            .write_string(0, 0, "Shoe size")
            .unwrap();
        let e = err(&book.save_to_buffer().unwrap());
        assert!(e.message.contains("not an attendance report"), "{e}");
    }
}
