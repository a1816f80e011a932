//! Words and dates in the five languages: one string catalogue per language
//! (`templates/i18n/<code>.toml`), and dates written the way each language writes them.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Locale, Offset, Utc};
use chrono_tz::Tz;

use crate::domain::Language;

/// The catalogues, embedded so that the binary runs from any folder.
const CATALOGUES: [(Language, &str); 5] = [
    (Language::En, include_str!("../templates/i18n/en.toml")),
    (Language::Es, include_str!("../templates/i18n/es.toml")),
    (Language::Fr, include_str!("../templates/i18n/fr.toml")),
    (Language::Ru, include_str!("../templates/i18n/ru.toml")),
    (Language::Ar, include_str!("../templates/i18n/ar.toml")),
];

type Catalogue = HashMap<String, String>;

fn catalogues() -> &'static HashMap<Language, Catalogue> {
    static LOADED: OnceLock<HashMap<Language, Catalogue>> = OnceLock::new();
    LOADED.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(language, text)| {
                let table: toml::Table = text
                    .parse()
                    .unwrap_or_else(|e| panic!("templates/i18n/{language}.toml: {e}"));
                let mut flat = Catalogue::new();
                flatten("", &table, &mut flat);
                (*language, flat)
            })
            .collect()
    })
}

fn flatten(prefix: &str, table: &toml::Table, into: &mut Catalogue) {
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&key, inner, into),
            toml::Value::String(text) => {
                into.insert(key, text.clone());
            }
            other => panic!("i18n key {key} must be a string, not {other:?}"),
        }
    }
}

/// The text for `key` in `language`, falling back to English; `{name}` placeholders are
/// filled from `args`.
pub fn text(language: Language, key: &str, args: &[(&str, &str)]) -> String {
    let all = catalogues();
    let template = all[&language]
        .get(key)
        .or_else(|| all[&Language::En].get(key))
        .map(String::as_str)
        .unwrap_or(key);
    fill(template, args)
}

/// Fills `{name}` placeholders in one pass over the template: a value is never read
/// again, so a name or title holding `{when}` stays as written and cannot grow the text.
/// Braces that name no argument are kept.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let value = args.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every key of the English catalogue, to check the others against.
pub fn keys() -> Vec<String> {
    catalogues()[&Language::En].keys().cloned().collect()
}

pub fn has_key(language: Language, key: &str) -> bool {
    catalogues()[&language].contains_key(key)
}

fn locale(language: Language) -> Locale {
    match language {
        Language::En => Locale::en_GB,
        Language::Es => Locale::es_ES,
        Language::Fr => Locale::fr_FR,
        Language::Ru => Locale::ru_RU,
        Language::Ar => Locale::ar_EG,
    }
}

/// A date written with `pattern` (strftime), with day and month names in `language`.
pub fn format_date(language: Language, at: DateTime<Tz>, pattern: &str) -> String {
    at.format_localized(pattern, locale(language)).to_string()
}

/// `UTC+05:45`, `UTC−03:00`, `UTC` for the offset in force at `at`.
pub fn utc_offset(tz: Tz, at: DateTime<Utc>) -> String {
    let seconds = at.with_timezone(&tz).offset().fix().local_minus_utc();
    if seconds == 0 {
        return "UTC".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A session's date and local time range as the language writes it, with the zone's
/// name and UTC offset, e.g. "Thursday 24 September 2030, 16:00–18:00 (Asia/Tokyo, UTC+09:00)".
pub fn session_time(
    language: Language,
    tz: Tz,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> String {
    let start = starts_at.with_timezone(&tz);
    let end = ends_at.with_timezone(&tz);
    let date_format = text(language, "date.long", &[]);
    let date = format_date(language, start, &date_format);
    let end_text = if end.date_naive() == start.date_naive() {
        end.format("%H:%M").to_string()
    } else {
        let next = format_date(language, end, &text(language, "date.short", &[]));
        format!("{} {next}", end.format("%H:%M"))
    };
    // In Arabic the time range is isolated left to right, or "16:00–18:00" shows reversed.
    let (start_text, end_text) = match language {
        Language::Ar => (
            format!("\u{2066}{}", start.format("%H:%M")),
            format!("{end_text}\u{2069}"),
        ),
        _ => (start.format("%H:%M").to_string(), end_text),
    };
    text(
        language,
        "date.session",
        &[
            ("date", &date),
            ("start", &start_text),
            ("end", &end_text),
            ("zone", tz.name()),
            ("offset", &utc_offset(tz, starts_at)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn placeholders_are_filled_once_and_values_are_not_read_again() {
        assert_eq!(
            fill(
                "Dear {name}, see you {when}.",
                &[("name", "{when}"), ("when", "Monday")]
            ),
            "Dear {when}, see you Monday."
        );
        assert_eq!(fill("{a}{a}", &[("a", "{a}{a}")]), "{a}{a}{a}{a}");
        assert_eq!(fill("{ {x} {unknown} }", &[("x", "1")]), "{ 1 {unknown} }");
        assert_eq!(fill("tail {", &[]), "tail {");
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 9, 24, h, m, 0).unwrap()
    }

    #[test]
    fn every_catalogue_has_every_english_key() {
        for language in Language::ALL {
            for key in keys() {
                assert!(
                    has_key(language, &key),
                    "templates/i18n/{language}.toml lacks {key}"
                );
            }
        }
    }

    #[test]
    fn every_document_kind_has_a_name() {
        for kind in crate::domain::material::MaterialKind::ALL {
            let key = format!("org.material_kind_{}", kind.as_str());
            assert!(
                has_key(Language::En, &key),
                "templates/i18n/en.toml lacks {key}"
            );
        }
    }

    #[test]
    fn session_times_are_written_in_each_language_with_zone_and_offset() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let en = session_time(Language::En, tokyo, at(7, 0), at(9, 0));
        assert!(
            en.contains("Tuesday") && en.contains("24 September 2030"),
            "{en}"
        );
        assert!(en.contains("16:00") && en.contains("18:00"), "{en}");
        assert!(
            en.contains("Asia/Tokyo") && en.contains("UTC+09:00"),
            "{en}"
        );
        let es = session_time(Language::Es, tokyo, at(7, 0), at(9, 0));
        assert!(es.contains("martes") && es.contains("septiembre"), "{es}");
        let fr = session_time(Language::Fr, tokyo, at(7, 0), at(9, 0));
        assert!(fr.contains("mardi") && fr.contains("septembre"), "{fr}");
        let ru = session_time(Language::Ru, tokyo, at(7, 0), at(9, 0));
        assert!(ru.contains("сентября"), "{ru}");
        let ar = session_time(Language::Ar, tokyo, at(7, 0), at(9, 0));
        assert!(ar.contains("سبتمبر"), "{ar}");
    }

    #[test]
    fn offsets_show_quarter_hours_and_signs() {
        let kathmandu: Tz = "Asia/Kathmandu".parse().unwrap();
        assert_eq!(utc_offset(kathmandu, at(7, 0)), "UTC+05:45");
        let st_johns: Tz = "America/St_Johns".parse().unwrap();
        assert_eq!(utc_offset(st_johns, at(7, 0)), "UTC-02:30");
        assert_eq!(utc_offset(chrono_tz::UTC, at(7, 0)), "UTC");
    }

    #[test]
    fn a_session_past_local_midnight_names_the_end_day() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let text = session_time(Language::En, tokyo, at(14, 0), at(16, 0));
        assert!(text.contains("23:00") && text.contains("01:00"), "{text}");
        assert!(text.contains("25"), "the end day is named: {text}");
    }
}
