//! Google Meet: the attendance report Meet writes for a meeting (`First name,Last
//! name,Email,Duration,Time joined,Time exited`), one row per person: the first join, the
//! last exit and the time actually in (`2 hrs 10 mins`, gaps left out). Its times are
//! times of day, in minutes, without a date: the day is the session's
//! ([`Hints::day`]); without it the rows keep only their durations.

use chrono::{Duration, NaiveDateTime};

use super::vocab::{MEET, SheetField, sheet_col};
use super::{
    Cols, Format, Hints, ImportError, Rec, Report, ReportRow, Span, name_and_email, row_minutes,
    time, value,
};

/// How many records from the top the header may be.
const HEAD: usize = 20;

fn col(header: &Rec, field: SheetField) -> Option<usize> {
    sheet_col(MEET, &header.cells, field)
}

/// The columns of a Meet attendance table, if `rec` is its header.
fn header_cols(rec: &Rec) -> Option<Cols> {
    col(rec, SheetField::Mark)?;
    let (name, last_name) = match col(rec, SheetField::FirstName) {
        Some(first) => (first, col(rec, SheetField::LastName)),
        None => (col(rec, SheetField::Name)?, None),
    };
    Some(Cols {
        name,
        last_name,
        email: col(rec, SheetField::Email),
        join: Some(col(rec, SheetField::Join)?),
        leave: col(rec, SheetField::Leave),
        duration: col(rec, SheetField::Duration),
        ..Cols::default()
    })
}

/// `Ok(None)` when the records are not a Meet attendance report.
pub(super) fn parse(records: &[Rec], hints: Hints) -> Result<Option<Report>, ImportError> {
    let Some((at, cols)) = records
        .iter()
        .take(HEAD)
        .enumerate()
        .find_map(|(i, r)| header_cols(r).map(|c| (i, c)))
    else {
        return Ok(None);
    };
    let rows = records[at + 1..]
        .iter()
        .map(|rec| row(rec, &cols, hints))
        .collect::<Result<_, _>>()?;
    Ok(Some(Report {
        format: Format::Meet,
        rows,
        utc: false,
        meetings: Vec::new(),
    }))
}

/// A time cell: a full date and time when Meet wrote one, else a time of day on the
/// session's day (`None` without that day).
fn when(
    rec: &Rec,
    index: Option<usize>,
    what: &str,
    hints: Hints,
) -> Result<Option<NaiveDateTime>, ImportError> {
    let Some(raw) = value(rec.cell(index)) else {
        return Ok(None);
    };
    if let Some(at) = time::parse_datetime(raw, false) {
        return Ok(Some(at));
    }
    let t = time::parse_time_of_day(raw).ok_or_else(|| {
        ImportError::at(
            rec.line,
            format!(
                "cannot read the {what} \"{raw}\"; expected a time such as \"11:45\" or \"1:05 PM\""
            ),
        )
    })?;
    Ok(hints.day.map(|day| day.and_time(t)))
}

fn row(rec: &Rec, cols: &Cols, hints: Hints) -> Result<ReportRow, ImportError> {
    let (name, email) = name_and_email(rec, cols)?;
    let joined_at = when(rec, cols.join, "time joined", hints)?;
    let left_at = when(rec, cols.leave, "time exited", hints)?.map(|left| match joined_at {
        // Past midnight: the exit is on the next day.
        Some(joined) if left < joined && joined.time() > left.time() => left + Duration::days(1),
        _ => left,
    });
    let minutes = row_minutes(
        rec,
        value(rec.cell(cols.duration)),
        (joined_at, left_at),
        "duration",
        "hours and minutes such as \"1 hr 52 mins\" or \"23 mins\"",
    )?;
    let span = if joined_at.is_some() && left_at.is_some() {
        Span::Summary
    } else {
        Span::Stay
    };
    Ok(ReportRow {
        line: rec.line,
        name,
        email,
        // Without its exit a join says nothing of the presence's end.
        joined_at: joined_at.filter(|_| left_at.is_some()),
        left_at,
        minutes,
        span,
        meeting: None,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::reports::test_support::{dt, err};
    use crate::reports::{Format, Hints, Span, parse, parse_with};

    const MEET: &str = "First name,Last name,Email,Duration,Time joined,Time exited\n\
        Ann Lee,,ann@x.org,1 hr 52 mins,12:02,13:56\n\
        Bob,Roy,bob@x.org,23 mins,23:50,0:13\n";

    #[test]
    fn meet_times_are_on_the_sessions_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27);
        let report = parse_with(MEET.as_bytes(), Hints { day }).unwrap();
        assert_eq!(report.format, Format::Meet);
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.name.as_str(), r.joined_at, r.left_at, r.minutes, r.span))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Ann Lee",
                    Some(dt(2026, 11, 27, 12, 2, 0)),
                    Some(dt(2026, 11, 27, 13, 56, 0)),
                    112,
                    Span::Summary
                ),
                (
                    "Bob Roy",
                    Some(dt(2026, 11, 27, 23, 50, 0)),
                    Some(dt(2026, 11, 28, 0, 13, 0)),
                    23,
                    Span::Summary
                ),
            ]
        );
    }

    /// Without the session's day the times say nothing; the durations still count.
    #[test]
    fn meet_without_a_day_keeps_the_durations() {
        let report = parse(MEET.as_bytes()).unwrap();
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.joined_at, r.minutes, r.span))
            .collect();
        assert_eq!(got, vec![(None, 112, Span::Stay), (None, 23, Span::Stay)]);
    }

    #[test]
    fn meet_unreadable_time_names_its_line() {
        let text = "First name,Last name,Email,Duration,Time joined,Time exited\n\
            Ann,,a@x.org,5 mins,noonish,12:05\n";
        let e = err(text.as_bytes());
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("\"noonish\""), "{e}");
    }
}
