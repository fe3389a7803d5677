//! The printable report: one self-contained HTML page (inline CSS and SVG charts, no script)
//! that reads on a screen and prints on A4, ending with an attendance sheet to sign.

use std::fmt::Write;

use super::locale::{Locale, Words, fill};
use super::{serde_name, svg};
use crate::domain::reactions::{Counts, Reaction};
use crate::domain::report::{QuizReport, SessionReport, Status};

const STYLE: &str = r#"
:root { color: #1d2330; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #2f6fb0; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
.meta { color: #4a5468; margin: 0; }
.notes { background: #fff6e0; border-left: 4px solid #e0a100; padding: .5rem 1rem; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ccd3de; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef2f8; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .5rem 0 1rem; }
.chart { max-width: 100%; height: auto; display: block; }
.legend { color: #4a5468; font-size: .85rem; }
.ok { color: #2e8b57; } .ko { color: #b03030; } .none { color: #8a94a6; }
.signatures td { height: 2.2rem; }
.signatures td.sign { width: 30%; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  :root { font-size: 10.5pt; }
  body { max-width: none; margin: 0; padding: 0; }
  h2 { break-after: avoid; }
  figure, svg, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  section.sheet { break-before: page; }
}
"#;

/// `&`, `<`, `>`, `"` and `'` escaped: names and prompts are typed by people.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A person as reports show them: first name, then last name (the trainer's may be empty).
pub fn person(first_name: &str, last_name: &str) -> String {
    esc(format!("{first_name} {last_name}").trim())
}

/// `1:02:05` for 3725 seconds.
fn duration(seconds: i64) -> String {
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// The page, in `locale`'s language with its clock times at its offset.
pub fn page(report: &SessionReport, locale: &Locale) -> String {
    let s = &report.session;
    let w = locale.words();
    let mut out = String::with_capacity(64 * 1024 + report.attendance.len() * 600);
    let title = if s.capsule_title.is_empty() {
        s.room_name.clone()
    } else {
        s.capsule_title.clone()
    };
    let _ = writeln!(
        out,
        r#"<!doctype html><html lang="{}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{STYLE}</style></head><body>"#,
        w.lang,
        fill(w.title, &[("title", &esc(&title))])
    );
    header(&mut out, report, &title, locale);
    attendance(&mut out, report, locale);
    pages(&mut out, report, locale);
    for quiz in &report.quizzes {
        quiz_section(&mut out, quiz, locale);
    }
    chat(&mut out, report, locale);
    board(&mut out, report, locale);
    reactions(&mut out, report, locale);
    clouds(&mut out, report, locale);
    qa(&mut out, report, locale);
    attendance_sheet(&mut out, report, &title, locale);
    out.push_str("</body></html>\n");
    out
}

fn header(out: &mut String, report: &SessionReport, title: &str, locale: &Locale) {
    let s = &report.session;
    let w = locale.words();
    let status = match s.status {
        Status::Live => w.live,
        Status::Ended => w.ended,
        Status::Interrupted => w.interrupted,
    };
    let meta = fill(
        w.meta,
        &[
            ("room", &esc(&s.room_name)),
            ("trainer", &esc(&s.trainer_name)),
            ("date", &locale.date(s.started_at.0)),
            ("start", &locale.clock(s.started_at.0)),
            ("end", &locale.clock(s.until.0)),
            ("zone", &locale.zone()),
            ("duration", &duration(s.duration_s)),
            ("count", &s.participant_count.to_string()),
            ("status", status),
        ],
    );
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"meta\">{meta}</p>\n</header>",
        esc(title)
    );
    if !report.notes.is_empty() {
        let _ = write!(
            out,
            "<aside class=\"notes\"><b>{}</b><ul>",
            w.missing_events
        );
        for note in &report.notes {
            let _ = writeln!(out, "<li>{}</li>", esc(&note.message));
        }
        out.push_str("</ul></aside>\n");
    }
}

/// `<table>` with a header row; `rows` writes the `<tr>`s.
fn table(out: &mut String, class: &str, columns: &[&str], rows: impl FnOnce(&mut String)) {
    let _ = write!(out, "<table class=\"{class}\"><thead><tr>");
    for column in columns {
        let _ = write!(out, "<th>{column}</th>");
    }
    out.push_str("</tr>\n</thead>\n<tbody>");
    rows(out);
    out.push_str("</tbody></table>");
}

fn attendance(out: &mut String, report: &SessionReport, locale: &Locale) {
    let s = &report.session;
    let w = locale.words();
    let _ = write!(out, "<section id=\"attendance\"><h2>{}</h2>", w.attendance);
    if report.attendance.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", w.nobody);
        return;
    }
    out.push_str("<figure>");
    out.push_str(&svg::attendance_timeline(
        &report.attendance,
        s.started_at.0,
        s.until.0,
        locale,
    ));
    let shown = report.attendance.len().min(svg::TIMELINE_MAX_ROWS);
    let legend = fill(
        w.timeline_legend,
        &[
            ("shown", &shown.to_string()),
            ("count", &report.attendance.len().to_string()),
            ("zone", &locale.zone()),
        ],
    );
    let _ = writeln!(
        out,
        "<figcaption class=\"legend\">{legend}</figcaption></figure>"
    );
    table(out, "attendance", &w.attendance_columns, |out| {
        for a in &report.attendance {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                person(&a.first_name, &a.last_name),
                locale.clock(a.first_joined_at.0),
                locale.clock(a.last_left_at.0),
                duration(a.present_s),
                a.reconnections,
                if a.present_at_end { w.yes } else { w.no },
            );
        }
    });
    out.push_str("</section>\n");
}

fn pages(out: &mut String, report: &SessionReport, locale: &Locale) {
    let w = locale.words();
    let _ = write!(out, "<section id=\"pages\"><h2>{}</h2>", w.pages);
    table(out, "pages", &w.pages_columns, |out| {
        for t in &report.pages.totals {
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                t.page_index + 1,
                esc(&t.page_name),
                t.views,
                duration(t.duration_s)
            );
        }
    });
    let _ = write!(out, "<h3>{}</h3>", w.timeline);
    table(out, "timeline", &w.timeline_columns, |out| {
        for v in &report.pages.timeline {
            let navigation = serde_name(v.navigation);
            let navigation = w.value(&navigation);
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}. {}</td><td>{navigation}</td><td class=\"n\">{}</td></tr>",
                locale.clock(v.from.0),
                locale.clock(v.to.0),
                v.page_index + 1,
                esc(&v.page_name),
                duration(v.duration_s)
            );
        }
    });
    out.push_str("</section>\n");
}

fn quiz_section(out: &mut String, quiz: &QuizReport, locale: &Locale) {
    let w = locale.words();
    let rescored = if quiz.rescored {
        fill(
            w.rescored,
            &[("scoring", w.value(&serde_name(quiz.recorded_scoring)))],
        )
    } else {
        String::new()
    };
    let meta = fill(
        w.quiz_meta,
        &[
            ("count", &quiz.questions.len().to_string()),
            ("scoring", w.value(&serde_name(quiz.scoring))),
            ("rescored", &rescored),
        ],
    );
    let _ = writeln!(
        out,
        "<section class=\"quiz\"><h2>{}</h2><p class=\"meta\">{meta}</p>\n<h3>{}</h3><figure>{}</figure>",
        fill(w.quiz, &[("title", &esc(&quiz.quiz_title))]),
        w.ranking,
        svg::ranking(&quiz.ranking, w),
    );
    // The participant × question grid: ✓ right, ✗ wrong, • answered (not scored), – there
    // and silent, blank: not there.
    let mut columns = vec![w.rank.to_owned(), w.participant.to_owned()];
    columns.extend(
        (1..=quiz.questions.len()).map(|n| fill(w.question_short, &[("n", &n.to_string())])),
    );
    columns.push(w.score.to_owned());
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let marks = grid(quiz);
    table(out, "results", &columns, |out| {
        for (line, marks) in quiz.ranking.iter().zip(&marks) {
            let _ = write!(
                out,
                "<tr><td class=\"n\">{}</td><td>{}</td>",
                line.rank,
                person(&line.first_name, &line.last_name)
            );
            for mark in marks {
                out.push_str(mark);
            }
            let _ = writeln!(out, "<td class=\"n\">{}</td></tr>", line.score);
        }
    });
    let _ = writeln!(out, "<p class=\"legend\">{}</p>", w.marks_legend);
    for q in &quiz.questions {
        let percent = q.percent_correct.map_or(String::new(), |p| {
            fill(w.percent_right, &[("percent", &p.to_string())])
        });
        let median = q.median_response_s.map_or(String::new(), |m| {
            fill(w.median_time, &[("seconds", &m.to_string())])
        });
        let mut meta = fill(
            w.question_meta,
            &[
                ("answered", &q.answered.to_string()),
                ("present", &q.present.to_string()),
                ("percent", &percent),
                ("median", &median),
            ],
        );
        // Named, not shown: a report stands alone and holds no image.
        if q.has_image {
            meta.push_str(w.with_image);
        }
        if q.distribution.iter().any(|c| c.has_image) {
            meta.push_str(w.choice_images);
        }
        let _ = writeln!(
            out,
            "<h3>{}. {}</h3><p class=\"meta\">{meta}</p>",
            fill(w.question_short, &[("n", &(q.index + 1).to_string())]),
            esc(&q.prompt),
        );
        if !q.distribution.is_empty() {
            let _ = writeln!(out, "<figure>{}</figure>", svg::distribution(q, w));
        }
    }
    out.push_str("</section>\n");
}

/// For each ranking line, one `<td>` per question.
fn grid(quiz: &QuizReport) -> Vec<Vec<&'static str>> {
    use std::collections::HashMap;
    let row_of: HashMap<_, _> = quiz
        .ranking
        .iter()
        .enumerate()
        .map(|(i, r)| (r.participant_id, i))
        .collect();
    let blank = "<td></td>";
    let mut marks = vec![vec![blank; quiz.questions.len()]; quiz.ranking.len()];
    for (col, q) in quiz.questions.iter().enumerate() {
        for a in &q.answers {
            if let Some(&row) = row_of.get(&a.participant_id) {
                marks[row][col] = match a.correct {
                    Some(true) => "<td class=\"ok\">✓</td>",
                    Some(false) => "<td class=\"ko\">✗</td>",
                    None => "<td>•</td>",
                };
            }
        }
        for p in &q.not_answered {
            if let Some(&row) = row_of.get(&p.participant_id) {
                marks[row][col] = "<td class=\"none\">–</td>";
            }
        }
    }
    marks
}

fn chat(out: &mut String, report: &SessionReport, locale: &Locale) {
    let w = locale.words();
    let _ = write!(out, "<section id=\"chat\"><h2>{}</h2>", w.chat);
    if report.chat.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", w.no_messages);
        return;
    }
    table(out, "chat", &w.chat_columns, |out| {
        for c in &report.chat {
            let role = if c.trainer { w.trainer } else { "" };
            let _ = writeln!(
                out,
                "<tr><td>{}{role}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                person(&c.first_name, &c.last_name),
                c.messages,
                c.characters
            );
        }
    });
    out.push_str("</section>\n");
}

/// Who drew on the shared canvas: each person's minutes and totals, then minute by minute.
fn board(out: &mut String, report: &SessionReport, locale: &Locale) {
    let w = locale.words();
    let board = &report.board;
    let _ = write!(out, "<section id=\"board\"><h2>{}</h2>", w.board);
    if board.people.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", w.no_drawing);
        return;
    }
    let zone = locale.zone();
    let columns = |names: &[&str; 5]| names.map(|name| fill(name, &[("zone", &zone)]));
    table(
        out,
        "board",
        &columns(&w.board_columns).each_ref().map(String::as_str),
        |out| {
            for d in &board.people {
                let role = if d.trainer { w.trainer } else { "" };
                let minutes: Vec<String> = d.minutes.iter().map(|m| locale.minute(m.0)).collect();
                let _ = writeln!(
                    out,
                    "<tr><td>{}{role}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    person(&d.first_name, &d.last_name),
                    minutes.join(", "),
                    d.created,
                    d.updated,
                    d.deleted
                );
            }
        },
    );
    let _ = write!(out, "<h3>{}</h3>", w.board_timeline);
    let timeline_columns = columns(&w.board_timeline_columns);
    table(
        out,
        "board-timeline",
        &timeline_columns.each_ref().map(String::as_str),
        |out| {
            for m in &board.timeline {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    locale.minute(m.minute.0),
                    m.drawers,
                    m.created,
                    m.updated,
                    m.deleted
                );
            }
        },
    );
    out.push_str("</section>\n");
}

/// The questions from the class, most voted first (none when nobody asked).
fn qa(out: &mut String, report: &SessionReport, locale: &Locale) {
    if report.qa.is_empty() {
        return;
    }
    let w = locale.words();
    let _ = write!(out, "<section id=\"qa\"><h2>{}</h2>", w.qa);
    table(out, "qa", &w.qa_columns, |out| {
        for q in &report.qa {
            let flags = [q.answered, q.pinned, q.hidden, q.pending];
            let marks: Vec<&str> = (flags.iter().zip(w.qa_marks))
                .filter(|(set, _)| **set)
                .map(|(_, mark)| mark)
                .collect();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                esc(&q.text),
                person(&q.first_name, &q.last_name),
                q.votes,
                marks.join(", ")
            );
        }
    });
    out.push_str("</section>\n");
}

/// Each word cloud: its prompt, then its words, the most sent first (none when no cloud ran).
fn clouds(out: &mut String, report: &SessionReport, locale: &Locale) {
    if report.clouds.is_empty() {
        return;
    }
    let w = locale.words();
    let _ = write!(out, "<section id=\"clouds\"><h2>{}</h2>", w.clouds);
    for cloud in &report.clouds {
        let meta = fill(
            w.cloud_meta,
            &[
                ("contributors", &cloud.contributors.to_string()),
                ("words", &cloud.words.len().to_string()),
            ],
        );
        let _ = write!(out, "<h3>{}</h3><p>{meta}</p>", esc(&cloud.prompt));
        table(out, "cloud", &w.cloud_columns, |out| {
            for word in &cloud.words {
                let hidden = if word.hidden { w.hidden } else { "" };
                let _ = writeln!(
                    out,
                    "<tr><td>{}{hidden}</td><td class=\"n\">{}</td></tr>",
                    esc(&word.text),
                    word.count
                );
            }
        });
    }
    out.push_str("</section>\n");
}

/// The reactions sent: in all, then minute by minute.
fn reactions(out: &mut String, report: &SessionReport, locale: &Locale) {
    let w = locale.words();
    let _ = write!(out, "<section id=\"reactions\"><h2>{}</h2>", w.reactions);
    let reactions = &report.reactions;
    if reactions.minutes.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", w.no_reactions);
        return;
    }
    let said = |counts: &Counts| {
        let said: Vec<String> = (counts.iter())
            .map(|(reaction, count)| format!("{} × {count}", reaction_name(*reaction, w)))
            .collect();
        esc(&said.join(" · "))
    };
    let _ = write!(out, "<p>{}</p>", said(&reactions.totals));
    let zone = locale.zone();
    let columns = w
        .reactions_columns
        .map(|name| fill(name, &[("zone", &zone)]));
    table(
        out,
        "reactions",
        &columns.each_ref().map(String::as_str),
        |out| {
            for m in &reactions.minutes {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    locale.minute(m.minute.0),
                    said(&m.counts)
                );
            }
        },
    );
    out.push_str("</section>\n");
}

fn reaction_name(reaction: Reaction, w: &Words) -> &'static str {
    let index = Reaction::ALL.iter().position(|r| *r == reaction);
    index.map_or("", |i| w.reaction_names[i])
}

/// A sheet to print and sign: it starts on a new A4 page, and its header repeats on each.
fn attendance_sheet(out: &mut String, report: &SessionReport, title: &str, locale: &Locale) {
    let s = &report.session;
    let w = locale.words();
    let meta = fill(
        w.sheet_meta,
        &[
            ("title", &esc(title)),
            ("date", &locale.date(s.started_at.0)),
            ("start", &locale.clock(s.started_at.0)),
            ("end", &locale.clock(s.until.0)),
            ("zone", &locale.zone()),
            ("trainer", &esc(&s.trainer_name)),
        ],
    );
    let _ = writeln!(
        out,
        "<section class=\"sheet\" id=\"attendance-sheet\"><h2>{}</h2><p class=\"meta\">{meta}</p>",
        w.sheet
    );
    table(out, "signatures", &w.sheet_columns, |out| {
        for (i, a) in report.attendance.iter().enumerate() {
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"sign\"></td></tr>",
                i + 1,
                esc(&a.last_name),
                esc(&a.first_name),
                locale.clock(a.first_joined_at.0),
                locale.clock(a.last_left_at.0),
                duration(a.present_s),
            );
        }
    });
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_times_read_well() {
        assert_eq!(
            esc(r#"<b>"Zoé" & 'Léa'</b>"#),
            "&lt;b&gt;&quot;Zoé&quot; &amp; &#39;Léa&#39;&lt;/b&gt;"
        );
        assert_eq!(duration(3725), "1:02:05");
    }
}
