//! A small inline SVG bar chart: for each row, its label, a whole and a part (all invitees
//! and those with a suitable session; registered and attended) and both numbers, with a
//! legend in the reader's language, mirrored in right-to-left languages. The page shows
//! the same figures in a table beside it for screen readers. No script, no library.

use crate::services::coverage::Row;

const BAR: u32 = 22;
const GAP: u32 = 10;
const LABEL: u32 = 110;
const WIDTH: u32 = 560;
/// The room a legend's words take before the next swatch.
const LEGEND_WORD: u32 = 200;
const PALE: &str = "#f5c2c0";
const DARK: &str = "#1f7a3a";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a chart says in words, in the reader's language: its title (also its name for
/// screen readers) and what the pale bar (`whole`) and the dark bar (`part`) count.
pub struct Words<'a> {
    pub title: &'a str,
    pub whole: &'a str,
    pub part: &'a str,
}

/// The coverage chart as SVG markup (already escaped; safe to insert as is).
pub fn bars(rows: &[Row], words: &Words, rtl: bool) -> minijinja::Value {
    pairs(
        rows.iter()
            .map(|r| (r.name.as_str(), r.invitees, r.suitable)),
        words,
        rtl,
    )
}

/// Where things go across the chart, measured from the side the language reads from:
/// mirrored in right-to-left languages, so labels stand first and bars grow the way
/// the page reads.
struct Across {
    rtl: bool,
}

impl Across {
    /// The x of a box `width` wide that starts `from` the reading side.
    fn boxed(&self, from: u32, width: u32) -> u32 {
        if self.rtl { WIDTH - from - width } else { from }
    }

    /// The x and anchor of a text that starts `from` the reading side (texts are laid
    /// out left to right, so that numbers and zone offsets never read backwards).
    fn text(&self, from: u32) -> (u32, &'static str) {
        if self.rtl {
            (WIDTH - from, "end")
        } else {
            (from, "start")
        }
    }
}

/// Per row, its label, a pale bar for the whole (`all`), a dark one for the part
/// (`part`) and both numbers; a legend on top says what the bars count.
pub fn pairs<'a>(
    rows: impl Iterator<Item = (&'a str, usize, usize)>,
    words: &Words,
    rtl: bool,
) -> minijinja::Value {
    let rows: Vec<_> = rows.collect();
    let across = Across { rtl };
    // The part may exceed the whole (people attend a session they did not register for).
    let max = rows.iter().map(|r| r.1.max(r.2)).max().unwrap_or(0).max(1) as f64;
    let scale = |n: usize| ((n as f64 / max) * f64::from(WIDTH - LABEL - 60)).round() as u32;
    let top = BAR + GAP;
    let height = top + rows.len() as u32 * (BAR + GAP) + GAP;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(words.title)
    );
    // The legend: a swatch and its words for each kind of bar.
    let mut from = 0;
    for (colour, word) in [(PALE, words.whole), (DARK, words.part)] {
        let (x, anchor) = across.text(from + 18);
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{GAP}\" width=\"12\" height=\"12\" fill=\"{colour}\"></rect>\
             <text class=\"legend\" x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\" direction=\"ltr\">{}</text>",
            across.boxed(from, 12),
            GAP + 11,
            escape(word),
        ));
        from += 18 + LEGEND_WORD;
    }
    for (i, &(name, total, part)) in rows.iter().enumerate() {
        let y = top + GAP + i as u32 * (BAR + GAP);
        let (all, good) = (scale(total), scale(part));
        let (label_x, label_anchor) = across.text(0);
        let (value_x, value_anchor) = across.text(LABEL + all.max(good) + 6);
        svg.push_str(&format!(
            "<text x=\"{label_x}\" y=\"{}\" text-anchor=\"{label_anchor}\" direction=\"ltr\">{}</text>\
             <rect x=\"{}\" y=\"{y}\" width=\"{all}\" height=\"{BAR}\" fill=\"{PALE}\"></rect>\
             <rect x=\"{}\" y=\"{y}\" width=\"{good}\" height=\"{BAR}\" fill=\"{DARK}\"></rect>\
             <text x=\"{value_x}\" y=\"{}\" text-anchor=\"{value_anchor}\" direction=\"ltr\">{part} / {total}</text>",
            y + BAR - 6,
            escape(name),
            across.boxed(LABEL, all),
            across.boxed(LABEL, good),
            y + BAR - 6,
        ));
    }
    svg.push_str("</svg>");
    minijinja::Value::from_safe_string(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Words<'static> {
        Words {
            title: "Registered and attended per session",
            whole: "Registered",
            part: "Attended",
        }
    }

    /// Every x in the chart, whatever it is.
    fn xs(svg: &str) -> Vec<u32> {
        svg.split(" x=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn a_part_larger_than_its_whole_stays_inside_the_chart_both_ways() {
        // Three attended the AM session though only one registered for it.
        let rows = [("AM", 1, 3), ("PM", 2, 0)];
        for rtl in [false, true] {
            let svg = pairs(rows.into_iter(), &words(), rtl).to_string();
            assert!(xs(&svg).iter().all(|&x| x <= WIDTH), "{svg}");
            assert!(svg.contains(">3 / 1</text>"), "{svg}");
        }
    }

    #[test]
    fn right_to_left_mirrors_labels_and_bars() {
        let rows = [("AM", 2, 1)];
        let ltr = pairs(rows.into_iter(), &words(), false).to_string();
        let rtl = pairs(rows.into_iter(), &words(), true).to_string();
        assert!(
            ltr.contains("<text x=\"0\" y=\"58\" text-anchor=\"start\""),
            "{ltr}"
        );
        assert!(
            rtl.contains("<text x=\"560\" y=\"58\" text-anchor=\"end\""),
            "{rtl}"
        );
        // The whole bar ends at the label column's edge on the reading side.
        assert!(
            ltr.contains(&format!("<rect x=\"{LABEL}\" y=\"42\" width=\"390\"")),
            "{ltr}"
        );
        assert!(
            rtl.contains("<rect x=\"60\" y=\"42\" width=\"390\""),
            "{rtl}"
        );
    }
}
