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

/// The chart as SVG markup (already escaped; safe to insert as is).
pub fn bars(rows: &[Row]) -> minijinja::Value {
    let max = rows.iter().map(|r| r.invitees).max().unwrap_or(0).max(1) as f64;
    let scale = |n: usize| ((n as f64 / max) * f64::from(WIDTH - LABEL - 60)).round() as u32;
    let height = rows.len() as u32 * (BAR + GAP) + GAP;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         aria-label=\"invitees with a suitable session, per row\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, row) in rows.iter().enumerate() {
        let y = GAP + i as u32 * (BAR + GAP);
        let (all, good) = (scale(row.invitees), scale(row.suitable));
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{all}\" height=\"{BAR}\" fill=\"#f5c2c0\"><title>{} invitees</title></rect>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{good}\" height=\"{BAR}\" fill=\"#1f7a3a\"><title>{} with a suitable session</title></rect>\
             <text x=\"{}\" y=\"{}\">{} / {}</text>",
            y + BAR - 6,
            escape(&row.name),
            row.invitees,
            row.suitable,
            LABEL + all + 6,
            y + BAR - 6,
            row.suitable,
            row.invitees
        ));
    }
    svg.push_str("</svg>");
    minijinja::Value::from_safe_string(svg)
}
