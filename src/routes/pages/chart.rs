//! A small inline SVG bar chart: for each row, all invitees and those with a suitable
//! session, so gaps in coverage stand out. No script and no external library.

use crate::services::coverage::Row;

const BAR: u32 = 22;
const GAP: u32 = 10;
const LABEL: u32 = 110;
const WIDTH: u32 = 560;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The coverage chart as SVG markup (already escaped; safe to insert as is), described
/// for screen readers by `label`.
pub fn bars(rows: &[Row], label: &str) -> minijinja::Value {
    pairs(
        rows.iter()
            .map(|r| (r.name.as_str(), r.invitees, r.suitable)),
        label,
    )
}

/// Per row, a pale bar for the whole (`all`) and a dark one for the part (`part`).
pub fn pairs<'a>(
    rows: impl Iterator<Item = (&'a str, usize, usize)>,
    label: &str,
) -> minijinja::Value {
    let rows: Vec<_> = rows.collect();
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let scale = |n: usize| ((n as f64 / max) * f64::from(WIDTH - LABEL - 60)).round() as u32;
    let height = rows.len() as u32 * (BAR + GAP) + GAP;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(label)
    );
    for (i, &(name, total, part)) in rows.iter().enumerate() {
        let y = GAP + i as u32 * (BAR + GAP);
        let (all, good) = (scale(total), scale(part));
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{all}\" height=\"{BAR}\" fill=\"#f5c2c0\"></rect>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{good}\" height=\"{BAR}\" fill=\"#1f7a3a\"></rect>\
             <text x=\"{}\" y=\"{}\">{part} / {total}</text>",
            y + BAR - 6,
            escape(name),
            LABEL + all + 6,
            y + BAR - 6,
        ));
    }
    svg.push_str("</svg>");
    minijinja::Value::from_safe_string(svg)
}
