//! What the parsers' unit tests share: sample files and row builders.

use chrono::{NaiveDate, NaiveDateTime};

use super::{ImportError, ReportRow, Span, decode::decode, parse};

pub(super) const TEAMS: &[u8] = include_bytes!("../../tests/data/attendance/teams-attendance.csv");

pub(super) fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, s)
        .unwrap()
}

pub(super) fn row(
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
        span: Span::Stay,
        meeting: None,
    }
}

pub(super) fn err(bytes: &[u8]) -> ImportError {
    parse(bytes).expect_err("expected an import error")
}

/// Re-encode text as UTF-16 with a BOM.
pub(super) fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
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

pub(super) fn teams_text() -> String {
    decode(TEAMS).unwrap()
}
