//! Value types parsed once at the edge: an address, a language, a zone, a name.

use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;
use serde::Serialize;

/// Why a value was refused; the text tells the user what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid(message.into())
}

/// The text without control characters and Unicode format characters (category Cf:
/// bidi overrides and isolates, zero-width characters), which make a name read
/// differently from what it is.
pub fn without_invisible(text: &str) -> String {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    text.chars()
        .filter(|c| {
            !matches!(
                c.general_category(),
                GeneralCategory::Format | GeneralCategory::Control
            )
        })
        .collect()
}

/// A yes/no query parameter: `true` or `false`; absent or blank is `false`.
pub fn flag(field: &str, value: Option<&str>) -> Result<bool, Invalid> {
    match value.map(str::trim) {
        None | Some("" | "false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Invalid(format!(
            "{field} must be true or false, not \"{other}\""
        ))),
    }
}

/// An http:// or https:// link (the scheme in any case) with a host, for people to open.
pub fn web_link(field: &str, value: Option<&str>) -> Result<Option<String>, Invalid> {
    let Some(url) = optional_text(field, value, 2000)? else {
        return Ok(None);
    };
    let rest = ["https://", "http://"].into_iter().find_map(|scheme| {
        url.get(..scheme.len())
            .filter(|s| s.eq_ignore_ascii_case(scheme))
            .map(|_| &url[scheme.len()..])
    });
    let host = rest.map(|rest| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        if host.starts_with('[') {
            host.split_inclusive(']').next().unwrap_or_default()
        } else {
            host.split(':').next().unwrap_or_default()
        }
    });
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(Some(url)),
        _ => Err(invalid(format!(
            "{field} must be an http:// or https:// link with a host, such as \
             https://meet.example.org/webinar"
        ))),
    }
}

/// An instant given by a user (session start, registration window, report time),
/// refused outside 2000–2100: other years are typing
/// mistakes, and years beyond 9999 cannot even be written back in RFC 3339.
pub fn instant_in_range(
    field: &str,
    t: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>, Invalid> {
    use chrono::Datelike;
    if (2000..2100).contains(&t.year()) {
        Ok(t)
    } else {
        Err(invalid(format!(
            "{field} must lie between the years 2000 and 2099 (UTC), not {}",
            t.format("%Y-%m-%d %H:%M UTC")
        )))
    }
}

/// A trimmed, non-empty text of at most `max` characters without control characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(format!("{field} must not be empty")));
    }
    bounded_text(field, value, max)
}

/// An optional two-letter country code, upper-cased; empty becomes `None`.
pub fn optional_country(value: Option<&str>) -> Result<Option<String>, Invalid> {
    Ok(value
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(Country::parse)
        .transpose()?
        .map(|c| c.as_str().to_string()))
}

/// Like [`required_text`], but empty becomes `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, Invalid> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => bounded_text(field, value, max).map(Some),
    }
}

fn bounded_text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    if value.chars().count() > max {
        return Err(invalid(format!(
            "{field} is too long: at most {max} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{field} must not contain line breaks or control characters"
        )));
    }
    Ok(value.to_string())
}

/// A person's name: 1 to 200 characters on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX: usize = 200;

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        required_text("name", value, Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address as people type it; compared case-insensitively through [`EmailAddress::key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim();
        let bad = || invalid(format!("{value:?} is not a valid email address"));
        if value.is_empty() {
            return Err(invalid("email must not be empty"));
        }
        if value.len() > 254 {
            return Err(invalid("email is too long: at most 254 characters"));
        }
        let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        if domain_ok && local_ok {
            Ok(Self(value.to_string()))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for uniqueness: the same address in any letter case is one person.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// The languages Meridian writes its pages and emails in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Es,
    Fr,
    Ru,
    Ar,
}

impl Language {
    pub const ALL: [Language; 5] = [Self::En, Self::Es, Self::Fr, Self::Ru, Self::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
            Self::Fr => "fr",
            Self::Ru => "ru",
            Self::Ar => "ar",
        }
    }
}

impl FromStr for Language {
    type Err = Invalid;

    fn from_str(value: &str) -> Result<Self, Invalid> {
        // Accept regional tags such as "es-AR" by their primary language.
        let primary = value.trim().split(['-', '_']).next().unwrap_or_default();
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
            .ok_or_else(|| {
                invalid(format!(
                    "unknown language {value:?}: use one of en, es, fr, ru, ar"
                ))
            })
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An IANA time zone such as `Asia/Tokyo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(pub Tz);

impl FromStr for TimeZone {
    type Err = Invalid;

    fn from_str(value: &str) -> Result<Self, Invalid> {
        let value = value.trim();
        if value.is_empty() {
            return Err(invalid(
                "time_zone must not be empty: use an IANA zone such as Europe/Zurich",
            ));
        }
        value.parse::<Tz>().map(TimeZone).map_err(|_| {
            invalid(format!(
                "unknown time zone {value:?}: use an IANA zone such as Asia/Tokyo or America/New_York"
            ))
        })
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

impl Serialize for TimeZone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name())
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Country(String);

impl Country {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let value = value.trim();
        if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(Self(value.to_ascii_uppercase()))
        } else {
            Err(invalid(format!(
                "country {value:?} must be a two-letter ISO code such as CH"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses an RFC 3339 instant with an explicit offset, in the years Meridian takes.
pub fn parse_instant(field: &str, value: &str) -> Result<chrono::DateTime<chrono::Utc>, Invalid> {
    let t = chrono::DateTime::<chrono::FixedOffset>::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            Invalid(format!(
                "{field} must be an RFC 3339 time with an offset, such as 2026-09-24T07:00:00Z"
            ))
        })?;
    instant_in_range(field, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_links_take_either_case_and_need_a_host() {
        for ok in [
            "https://meet.example.org/j/1",
            "HTTPS://Meet.Example.org",
            "http://[::1]:8080/x",
            "https://user@host.example.org?x",
        ] {
            assert_eq!(web_link("url", Some(ok)), Ok(Some(ok.to_string())), "{ok}");
        }
        for bad in [
            "http://",
            "https:///path",
            "https://:443/",
            "ftp://x.org",
            "meet.example.org",
        ] {
            let e = web_link("join_url", Some(bad)).unwrap_err();
            assert!(
                e.0.starts_with("join_url must be an http:// or https:// link"),
                "{bad}: {e}"
            );
        }
        assert_eq!(web_link("url", Some("  ")), Ok(None));
    }

    #[test]
    fn invisible_characters_are_dropped() {
        assert_eq!(
            without_invisible("a\u{202e}b\u{200b}c\u{7}d\u{feff}é"),
            "abcdé"
        );
    }

    #[test]
    fn instants_outside_2000_to_2100_are_refused() {
        use chrono::{TimeZone, Utc};
        let at = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
        for ok in [
            at(2000, 1, 1, 0, 0, 0),
            at(2026, 9, 24, 7, 0, 0),
            at(2099, 12, 31, 23, 59, 59),
        ] {
            assert_eq!(instant_in_range("starts_at", ok), Ok(ok));
        }
        for bad in [
            at(1999, 12, 31, 23, 59, 59),
            at(2100, 1, 1, 0, 0, 0),
            at(0, 1, 1, 0, 0, 0),
        ] {
            let e = instant_in_range("starts_at", bad).unwrap_err();
            assert!(e.0.starts_with("starts_at must lie between"), "{e}");
        }
    }

    #[test]
    fn emails_are_checked_and_keyed_case_insensitively() {
        let a = EmailAddress::parse(" Chair@Bali-Process.example.org ").unwrap();
        assert_eq!(a.as_str(), "Chair@Bali-Process.example.org");
        assert_eq!(a.key(), "chair@bali-process.example.org");
        for bad in [
            "",
            "no-at",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@.org",
            ".a@b.org",
            "a@b..org",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn languages_accept_regional_tags() {
        assert_eq!("es-AR".parse::<Language>().unwrap(), Language::Es);
        assert_eq!("AR".parse::<Language>().unwrap(), Language::Ar);
        assert!("de".parse::<Language>().is_err());
    }

    #[test]
    fn zones_must_be_iana_names() {
        assert_eq!(
            "Asia/Tokyo".parse::<TimeZone>().unwrap().to_string(),
            "Asia/Tokyo"
        );
        assert!("Mars/Olympus".parse::<TimeZone>().is_err());
    }

    #[test]
    fn names_refuse_line_breaks_and_overlong_values() {
        assert!(PersonName::parse("Ana\r\nBcc: x@y.org").is_err());
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(201)).is_err());
        assert_eq!(PersonName::parse(" مريم ").unwrap().as_str(), "مريم");
    }
}
