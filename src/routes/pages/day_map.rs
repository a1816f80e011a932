//! The map of everyone's day: one row per invitee zone (or zone and organization), one
//! column per UTC hour of a date, each cell coloured by what that hour is locally (night,
//! awake but outside the window, inside the window, the preferred hour), and sessions
//! drawn as bands across all rows. Inline SVG, mirrored for right-to-left languages,
//! with a table beside it for screen readers (built by the template from `rows`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, Timelike, Utc};
use chrono_tz::Tz;
use minijinja::{Value, context};

use crate::domain::Language;
use crate::domain::assignment::Rules;
use crate::domain::planner::Person;
use crate::i18n;

const LABEL_W: i64 = 170;
const CELL_W: i64 = 26;
const ROW_H: i64 = 22;
/// Two lines of band labels (current, proposal), then the hours.
const HEAD_H: i64 = 52;
const GRID_W: i64 = 24 * CELL_W;
const WIDTH: i64 = LABEL_W + GRID_W + 8;

/// What one local hour is, for the colour and the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hour {
    Night,
    Outside,
    Window,
    Preferred,
}

impl Hour {
    fn of(rules: &Rules, local: NaiveTime) -> Hour {
        let start = local.num_seconds_from_midnight();
        let end = start + 3600;
        let (ws, we) = (
            rules.window_start.num_seconds_from_midnight(),
            rules.window_end.num_seconds_from_midnight(),
        );
        let preferred = rules.preferred_local.num_seconds_from_midnight();
        if (start..end).contains(&preferred) && start >= ws && end <= we {
            Hour::Preferred
        } else if start >= ws && end <= we {
            Hour::Window
        } else if start < 6 * 3600 {
            Hour::Night
        } else {
            Hour::Outside
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Hour::Night => "#26344d",
            Hour::Outside => "#f1d9a7",
            Hour::Window => "#a9dcb6",
            Hour::Preferred => "#1f7a3a",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Hour::Night => "org.map_night",
            Hour::Outside => "org.map_outside",
            Hour::Window => "org.map_window",
            Hour::Preferred => "org.map_preferred",
        }
    }
}

/// A session drawn across the map.
pub struct Band {
    pub label: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The current sessions are outlined; a proposal is filled.
    pub proposal: bool,
}

/// One row: a zone, perhaps one organization's people in it.
struct Row {
    tz: Tz,
    organization: Option<String>,
    invitees: usize,
}

/// The city a zone is named for, as people say it: `America/Argentina/Buenos_Aires`
/// reads `Buenos Aires`.
pub fn city(tz: Tz) -> String {
    tz.name()
        .rsplit('/')
        .next()
        .unwrap_or(tz.name())
        .replace('_', " ")
}

/// The map for `date` (a UTC day) as a template value: `svg` (safe markup), `rows` for
/// the table, `legend` and `bands` with their local times per row.
pub fn map(
    language: Language,
    rules: &Rules,
    date: NaiveDate,
    people: &[Person],
    bands: &[Band],
    by_organization: bool,
) -> Value {
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let mut grouped: BTreeMap<(i32, &str, Option<&str>), Row> = BTreeMap::new();
    for p in people {
        let offset = midnight
            .with_timezone(&p.time_zone)
            .offset()
            .fix()
            .local_minus_utc();
        let organization = if by_organization {
            p.organization.as_deref()
        } else {
            None
        };
        grouped
            .entry((offset, p.time_zone.name(), organization))
            .or_insert_with(|| Row {
                tz: p.time_zone,
                organization: organization.map(str::to_string),
                invitees: 0,
            })
            .invitees += 1;
    }
    let rows: Vec<Row> = grouped.into_values().collect();
    let rtl = language == Language::Ar;
    let x = |minutes: i64| -> i64 {
        let along = minutes * CELL_W / 60;
        if rtl { GRID_W - along } else { LABEL_W + along }
    };
    // The zone names sit in the label column: on the left, or on the right in Arabic
    // (where "start" is the right edge of the text).
    let label_x = if rtl { WIDTH - 4 } else { 0 };
    let height = HEAD_H + ROW_H * rows.len().max(1) as i64 + 4;
    let t = |key: &str| i18n::text(language, key, &[]);
    let title = i18n::text(
        language,
        "org.map_title",
        &[(
            "date",
            &i18n::format_date(
                language,
                midnight.with_timezone(&chrono_tz::UTC),
                &i18n::text(language, "date.long", &[]),
            ),
        )],
    );
    let mut svg = format!(
        "<svg class=\"day-map\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" style=\"max-width: {WIDTH}px\" xmlns=\"http://www.w3.org/2000/svg\" direction=\"{}\">",
        escape(&title),
        if rtl { "rtl" } else { "ltr" }
    );
    // Hour labels (UTC) along the top, named in the label column.
    svg.push_str(&format!(
        "<text class=\"axis\" x=\"{label_x}\" y=\"{}\">{}</text>",
        HEAD_H - 6,
        escape(&t("org.map_utc_hours"))
    ));
    for h in 0..24i64 {
        let (a, b) = (x(h * 60), x(h * 60 + 60));
        svg.push_str(&format!(
            "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{h:02}</text>",
            (a + b) / 2,
            HEAD_H - 6
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let y = HEAD_H + ROW_H * i as i64;
        let name = match &row.organization {
            Some(org) => format!("{org} · {} ({})", city(row.tz), row.invitees),
            None => format!("{} ({})", city(row.tz), row.invitees),
        };
        svg.push_str(&format!(
            "<text x=\"{label_x}\" y=\"{}\"><title>{}</title>{}</text>",
            y + ROW_H - 7,
            escape(row.tz.name()),
            escape(&truncate(&name, 30))
        ));
        for h in 0..24i64 {
            let local = (midnight + Duration::hours(h))
                .with_timezone(&row.tz)
                .time();
            let kind = Hour::of(rules, local);
            let (a, b) = (x(h * 60), x(h * 60 + 60));
            svg.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"></rect>",
                a.min(b),
                y + 1,
                CELL_W - 1,
                ROW_H - 2,
                kind.colour()
            ));
        }
    }
    for band in bands {
        let from = (band.starts_at - midnight).num_minutes().clamp(0, 24 * 60);
        let to = (band.ends_at - midnight).num_minutes().clamp(0, 24 * 60);
        if to <= from {
            continue;
        }
        let (a, b) = (x(from), x(to));
        let (left, width) = (a.min(b), (a - b).abs());
        let (style, label_y) = if band.proposal {
            (
                "fill=\"#6a3d9a\" fill-opacity=\"0.28\" stroke=\"#4b2a6e\" stroke-width=\"3\"",
                28,
            )
        } else {
            (
                "fill=\"none\" stroke=\"#0b4f9c\" stroke-width=\"3\" stroke-dasharray=\"6 3\"",
                12,
            )
        };
        svg.push_str(&format!(
            "<rect x=\"{left}\" y=\"{}\" width=\"{width}\" height=\"{}\" {style}></rect>\
             <text class=\"band\" x=\"{}\" y=\"{label_y}\" text-anchor=\"middle\">{}</text>",
            HEAD_H - 18,
            height - HEAD_H + 16,
            left + width / 2,
            escape(&band.label)
        ));
    }
    svg.push_str("</svg>");
    let table: Vec<Value> = rows
        .iter()
        .map(|row| {
            context! {
                zone => row.tz.name(),
                city => city(row.tz),
                organization => row.organization.as_deref(),
                invitees => row.invitees,
                offset => i18n::utc_offset(row.tz, midnight),
                bands => bands.iter().map(|b| {
                    let start = b.starts_at.with_timezone(&row.tz);
                    let end = b.ends_at.with_timezone(&row.tz);
                    let fit = crate::domain::assignment::fit(rules, row.tz, b.starts_at, b.ends_at);
                    context! {
                        time => format!("{}–{}", start.format("%H:%M"), end.format("%H:%M")),
                        inside => fit.suitable,
                    }
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    context! {
        svg => Value::from_safe_string(svg),
        title => title,
        rows => table,
        bands => bands.iter().map(|b| context! { label => &b.label, proposal => b.proposal }).collect::<Vec<_>>(),
        legend => [Hour::Night, Hour::Outside, Hour::Window, Hour::Preferred]
            .iter()
            .map(|h| context! { colour => h.colour(), text => t(h.key()) })
            .collect::<Vec<_>>(),
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn hours_are_night_outside_inside_or_preferred_by_the_rules() {
        let rules = Rules::default();
        assert_eq!(Hour::of(&rules, at(3, 0)), Hour::Night);
        assert_eq!(Hour::of(&rules, at(6, 0)), Hour::Outside);
        assert_eq!(
            Hour::of(&rules, at(6, 30)),
            Hour::Outside,
            "06:30–07:30 starts before 07:00"
        );
        assert_eq!(Hour::of(&rules, at(7, 0)), Hour::Window);
        assert_eq!(Hour::of(&rules, at(13, 0)), Hour::Preferred);
        assert_eq!(Hour::of(&rules, at(12, 30)), Hour::Preferred);
        assert_eq!(Hour::of(&rules, at(21, 0)), Hour::Window);
        assert_eq!(Hour::of(&rules, at(22, 0)), Hour::Outside);
    }

    #[test]
    fn a_zone_reads_as_its_city() {
        assert_eq!(
            city(chrono_tz::America::Argentina::Buenos_Aires),
            "Buenos Aires"
        );
        assert_eq!(city(chrono_tz::UTC), "UTC");
    }
}
