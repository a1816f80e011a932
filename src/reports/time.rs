//! Dates, times and durations as Zoom and Teams print them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

pub(super) const TIME_EXAMPLES: &str = "expected a date and time such as \"Nov 27, 2026 07:01:23\", \
\"11/27/2026 07:01:23 AM\", \"11/27/26, 7:01:02 AM\" or \"2026-11-27 07:01:23\"";

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

/// A time of day without a date (Google Meet's `11:45`, `1:05 PM`).
pub(super) fn parse_time_of_day(raw: &str) -> Option<NaiveTime> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let s = s.replace("a.m.", "AM").replace("p.m.", "PM");
    TIME.iter()
        .find_map(|f| NaiveTime::parse_from_str(&s, f).ok())
}

/// `11/27/26, 7:01:02 AM`, `11/27/2026 07:01:23`, `27.11.2026 07:01`, ...
fn numeric(s: &str, day_first: bool) -> Option<NaiveDateTime> {
    let split = s.find([' ', ','])?;
    let (date_part, rest) = s.split_at(split);
    let mut time_part = rest.trim_start_matches([',', ' ']);
    // `13/04/2021 à 09:01:31`: the word some languages put between date and time.
    for joiner in super::vocab::DATE_TIME_JOINERS {
        if let Some(after) = time_part.strip_prefix(joiner)
            && after.starts_with(' ')
        {
            time_part = after.trim_start();
            break;
        }
    }
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

/// The first two numbers of a numeric `a/b/y` date, when it is one.
fn slash_pair(raw: &str) -> Option<(u32, u32)> {
    let date = raw.trim().split([' ', ',']).next().unwrap_or("");
    let parts: Vec<&str> = date.split('/').collect();
    if parts.len() != 3 || parts[0].len() > 2 {
        return None;
    }
    Some((parts[0].parse().ok()?, parts[1].parse().ok()?))
}

/// Whether the numeric dates of a report are day-first (`d/m/y`), from the cells holding
/// dates and the local day of the session being imported. A date that can be read only
/// one way decides; otherwise the reading that falls on the session's day (give or take
/// one, for zones and midnight) does; otherwise month-first, as Teams and Zoom write in
/// English.
pub(super) fn day_first<'a>(cells: impl Iterator<Item = &'a str>, day: Option<NaiveDate>) -> bool {
    let mut ambiguous: Option<&str> = None;
    for cell in cells {
        match slash_pair(cell) {
            Some((a, b)) if a > 12 && b <= 12 => return true,
            Some((a, b)) if b > 12 && a <= 12 => return false,
            Some(_) if ambiguous.is_none() => ambiguous = Some(cell),
            _ => {}
        }
    }
    let (Some(cell), Some(day)) = (ambiguous, day) else {
        return false;
    };
    let near =
        |dt: Option<NaiveDateTime>| dt.is_some_and(|dt| (dt.date() - day).num_days().abs() <= 1);
    near(parse_datetime(cell, true)) && !near(parse_datetime(cell, false))
}

/// `1h 28m 58s`, `45m 3s`, `59s`, `2h`, `1:02:30`, `62:30`, and the units of other
/// languages (`2 h 44 m`, `2 godz. 18 min 8 s`, see `vocab::DURATION_UNITS`) → seconds.
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
        // `godz.`: some languages abbreviate with a dot.
        if chars.next_if_eq(&'.').is_some() {
            unit.push('.');
        }
        let number: u64 = digits.parse().ok()?;
        let factor = super::vocab::unit_seconds(&unit)?;
        total = total.checked_add(number.checked_mul(factor)?)?;
        seen = true;
    }
    seen.then_some(total)
}

/// Nearest minute (half a minute rounds up), at least 1 for any positive time; `None`
/// beyond what minutes are counted in.
pub(super) fn seconds_to_minutes(seconds: u64) -> Option<u32> {
    let minutes = seconds.checked_add(30)? / 60;
    let minutes = if seconds > 0 { minutes.max(1) } else { 0 };
    u32::try_from(minutes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::test_support::dt;

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
            assert_eq!(parse_datetime(raw, false), Some(expected), "{raw}");
        }
        assert_eq!(
            parse_datetime("11/27/2026 7:01:23 PM", false),
            Some(dt(2026, 11, 27, 19, 1, 23))
        );
        assert_eq!(
            parse_datetime("03/11/2026 07:00", true),
            Some(dt(2026, 11, 3, 7, 0, 0))
        );
        for bad in [
            "",
            "7:01 AM",
            "11/27 07:01",
            "2/30/2026 07:00",
            "Nov 27, 2026",
        ] {
            assert_eq!(parse_datetime(bad, false), None, "{bad}");
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
            assert_eq!(parse_duration_secs(raw), Some(secs), "{raw}");
        }
        for bad in ["", "abc", "12", "1x", "h", "1:99"] {
            assert_eq!(parse_duration_secs(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_with_a_word_before_the_time() {
        let want = dt(2021, 4, 13, 9, 1, 31);
        assert_eq!(parse_datetime("13/04/2021 à 09:01:31", true), Some(want));
        assert_eq!(parse_datetime("13.04.2021 um 09:01:31", true), Some(want));
    }

    #[test]
    fn durations_in_other_languages() {
        let cases = [
            ("2\u{a0}h 44\u{a0}m", 9840),
            ("56\u{a0}m 15\u{a0}s", 3375),
            ("2 godz. 18 min 8 s", 8288),
            ("1 ч 5 мин 3 с", 3903),
            ("1小时5分钟", 3900),
        ];
        for (raw, secs) in cases {
            assert_eq!(parse_duration_secs(raw), Some(secs), "{raw}");
        }
    }

    /// Only a date that can be read one way, or the session's day, decides.
    #[test]
    fn date_order_from_the_file_or_the_sessions_day() {
        let nov5 = NaiveDate::from_ymd_opt(2022, 11, 5);
        let may11 = NaiveDate::from_ymd_opt(2022, 5, 11);
        let cells = || ["05/11/22, 10:00:00", "05/11/22, 11:00:00"].into_iter();
        assert!(day_first(cells(), nov5));
        assert!(!day_first(cells(), may11));
        assert!(!day_first(cells(), None));
        assert!(day_first(
            ["05/11/22, 10:00", "13/11/22, 10:00"].into_iter(),
            may11
        ));
        assert!(!day_first(["11/13/22, 10:00"].into_iter(), nov5));
        assert!(!day_first(["2022-11-05 10:00"].into_iter(), nov5));
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
}
