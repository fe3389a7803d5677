//! Inline SVG charts for the HTML report: no script, no external file, printable as is.

use std::fmt::Write;

use super::html::esc;
use super::locale::{Locale, Words, fill};
use crate::domain::report::{Attendance, LeftReason, QuestionReport, RankLine};

const WIDTH: f64 = 720.0;
const LABEL: f64 = 170.0;
const ROW: f64 = 16.0;
const AXIS: f64 = 22.0;
/// Past this many participants the timeline would be taller than a few pages: the attendance
/// table lists everyone anyway.
pub const TIMELINE_MAX_ROWS: usize = 100;
pub const RANKING_MAX_ROWS: usize = 20;

fn open(out: &mut String, height: f64, title: &str) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"><title>{}</title>"#,
        esc(title)
    );
}

/// A label cut to fit the label column.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{cut}…")
}

/// One row per participant, a bar per presence; open-ended presences are hatched.
pub fn attendance_timeline(rows: &[Attendance], start: i64, until: i64, locale: &Locale) -> String {
    let rows = &rows[..rows.len().min(TIMELINE_MAX_ROWS)];
    let span = (until - start).max(1) as f64;
    // Room on the right for the last time label.
    let plot = WIDTH - LABEL - 30.0;
    let x = |t: i64| LABEL + (t - start).clamp(0, until - start) as f64 / span * plot;
    let height = AXIS + ROW * rows.len() as f64 + 4.0;
    let mut out = String::new();
    open(&mut out, height, locale.words().timeline_title);
    for i in 0..=4 {
        let t = start + (until - start) * i / 4;
        let tx = x(t);
        let _ = writeln!(
            out,
            r##"<line x1="{tx:.1}" y1="{AXIS}" x2="{tx:.1}" y2="{height}" stroke="#ddd"/><text x="{tx:.1}" y="14" font-size="10" text-anchor="middle" fill="#555">{}</text>"##,
            locale.clock(t)
        );
    }
    for (i, a) in rows.iter().enumerate() {
        let y = AXIS + ROW * i as f64;
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#222">{}</text>"##,
            LABEL - 6.0,
            y + 11.0,
            esc(&short(&format!("{} {}", a.first_name, a.last_name), 28))
        );
        for interval in &a.intervals {
            let (x1, x2) = (x(interval.joined_at.0), x(interval.left_at.0));
            let open_ended = matches!(
                interval.left_reason,
                LeftReason::StillPresent | LeftReason::Unrecorded
            );
            let fill = if open_ended { "#9cc3e6" } else { "#2f6fb0" };
            let _ = writeln!(
                out,
                r#"<rect x="{x1:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}"/>"#,
                y + 3.0,
                (x2 - x1).max(1.0),
                ROW - 6.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per `(label, value, highlighted)`, scaled to the largest value.
fn bars(title: &str, items: &[(String, f64, String, bool)]) -> String {
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max).max(1.0);
    let plot = WIDTH - LABEL - 80.0;
    let height = ROW * items.len() as f64 + 6.0;
    let mut out = String::new();
    open(&mut out, height, title);
    for (i, (label, value, shown, highlighted)) in items.iter().enumerate() {
        let y = 3.0 + ROW * i as f64;
        let w = (value / max * plot).max(if *value > 0.0 { 1.0 } else { 0.0 });
        let fill = if *highlighted { "#2e8b57" } else { "#8a94a6" };
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#222">{}</text><rect x="{LABEL}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{fill}"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#222">{}</text>"##,
            LABEL - 6.0,
            y + 10.0,
            esc(&short(label, 30)),
            y + 1.0,
            ROW - 4.0,
            LABEL + w + 4.0,
            y + 10.0,
            esc(shown)
        );
    }
    out.push_str("</svg>");
    out
}

/// How many answers named each choice; correct choices in green.
pub fn distribution(question: &QuestionReport, words: &Words) -> String {
    let items: Vec<_> = question
        .distribution
        .iter()
        .map(|c| {
            let shown = format!("{} ({} %)", c.count, c.percent);
            (c.text.clone(), c.count as f64, shown, c.correct)
        })
        .collect();
    let n = (question.index + 1).to_string();
    bars(&fill(words.answers_to, &[("n", &n)]), &items)
}

/// The best scores of a quiz; the podium in green.
pub fn ranking(lines: &[RankLine], words: &Words) -> String {
    let items: Vec<_> = lines
        .iter()
        .take(RANKING_MAX_ROWS)
        .map(|r| {
            let label = format!("{}. {} {}", r.rank, r.first_name, r.last_name);
            (label, r.score as f64, r.score.to_string(), r.rank <= 3)
        })
        .collect();
    bars(words.ranking_title, &items)
}
