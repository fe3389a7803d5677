//! The report as flat tables, one per subject: what CSV files and XLSX sheets are made of.
//! Each cell keeps its type so that a spreadsheet gets numbers, booleans and dates.

use crate::domain::report::{At, SessionReport};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Epoch milliseconds, shown in UTC.
    Time(i64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}
impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Self::Int(n as i64)
    }
}
impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Self::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}
impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Self::Int(n.into())
    }
}
impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Self::Float(n)
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}
impl From<At> for Cell {
    fn from(at: At) -> Self {
        Self::Time(at.0)
    }
}
impl From<uuid::Uuid> for Cell {
    fn from(id: uuid::Uuid) -> Self {
        Self::Text(id.to_string())
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Empty, Into::into)
    }
}

/// An enum as its serde name (`session_ended`).
fn tag(value: impl serde::Serialize) -> Cell {
    Cell::Text(super::serde_name(value))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

/// The tables, in the order files and sheets come.
pub const NAMES: [&str; 16] = [
    "session",
    "attendance",
    "presence",
    "pages",
    "page_totals",
    "quiz_answers",
    "quiz_questions",
    "quiz_choices",
    "quiz_ranking",
    "chat",
    "board",
    "board_minutes",
    "reactions",
    "cloud_words",
    "qa",
    "notes",
];

macro_rules! row {
    ($($cell:expr),* $(,)?) => { vec![$(Cell::from($cell)),*] };
}

pub fn tables(report: &SessionReport) -> Vec<Table> {
    vec![
        session(report),
        attendance(report),
        presence(report),
        pages(report),
        page_totals(report),
        quiz_answers(report),
        quiz_questions(report),
        quiz_choices(report),
        quiz_ranking(report),
        chat(report),
        board(report),
        board_minutes(report),
        reactions(report),
        cloud_words(report),
        qa(report),
        notes(report),
    ]
}

fn session(report: &SessionReport) -> Table {
    let s = &report.session;
    Table {
        name: "session",
        columns: &[
            "room_id",
            "room_name",
            "capsule_id",
            "capsule_title",
            "trainer_name",
            "status",
            "started_at",
            "ended_at",
            "until",
            "duration_s",
            "end_reason",
            "participant_count",
        ],
        rows: vec![row![
            s.room_id,
            s.room_name.as_str(),
            s.capsule_id,
            s.capsule_title.as_str(),
            s.trainer_name.as_str(),
            tag(s.status),
            s.started_at,
            s.ended_at,
            s.until,
            s.duration_s,
            s.end_reason.map_or(Cell::Empty, tag),
            s.participant_count,
        ]],
    }
}

fn attendance(report: &SessionReport) -> Table {
    Table {
        name: "attendance",
        columns: &[
            "participant_id",
            "first_name",
            "last_name",
            "first_joined_at",
            "last_left_at",
            "present_s",
            "reconnections",
            "present_at_end",
        ],
        rows: report
            .attendance
            .iter()
            .map(|a| {
                row![
                    a.participant_id,
                    a.first_name.as_str(),
                    a.last_name.as_str(),
                    a.first_joined_at,
                    a.last_left_at,
                    a.present_s,
                    a.reconnections,
                    a.present_at_end,
                ]
            })
            .collect(),
    }
}

fn presence(report: &SessionReport) -> Table {
    Table {
        name: "presence",
        columns: &[
            "participant_id",
            "first_name",
            "last_name",
            "joined_at",
            "left_at",
            "duration_s",
            "left_reason",
        ],
        rows: report
            .attendance
            .iter()
            .flat_map(|a| {
                a.intervals.iter().map(|i| {
                    row![
                        a.participant_id,
                        a.first_name.as_str(),
                        a.last_name.as_str(),
                        i.joined_at,
                        i.left_at,
                        i.duration_s,
                        tag(i.left_reason),
                    ]
                })
            })
            .collect(),
    }
}

fn pages(report: &SessionReport) -> Table {
    Table {
        name: "pages",
        columns: &[
            "page_index",
            "page_id",
            "page_name",
            "navigation",
            "from",
            "to",
            "duration_s",
        ],
        rows: report
            .pages
            .timeline
            .iter()
            .map(|v| {
                row![
                    v.page_index,
                    v.page_id.as_str(),
                    v.page_name.as_str(),
                    tag(v.navigation),
                    v.from,
                    v.to,
                    v.duration_s,
                ]
            })
            .collect(),
    }
}

fn page_totals(report: &SessionReport) -> Table {
    Table {
        name: "page_totals",
        columns: &["page_index", "page_id", "page_name", "views", "duration_s"],
        rows: report
            .pages
            .totals
            .iter()
            .map(|t| {
                row![
                    t.page_index,
                    t.page_id.as_str(),
                    t.page_name.as_str(),
                    t.views,
                    t.duration_s,
                ]
            })
            .collect(),
    }
}

/// One row per participant × question: their answer, or an empty one if they were there and
/// did not answer.
fn quiz_answers(report: &SessionReport) -> Table {
    let mut rows = Vec::new();
    for quiz in &report.quizzes {
        for q in &quiz.questions {
            for a in &q.answers {
                rows.push(row![
                    quiz.quiz_id,
                    quiz.quiz_title.as_str(),
                    q.index + 1,
                    q.question_id.as_str(),
                    a.participant_id,
                    a.first_name.as_str(),
                    a.last_name.as_str(),
                    true,
                    a.answer_text.as_str(),
                    a.correct,
                    a.response_s,
                    a.points,
                ]);
            }
            for p in &q.not_answered {
                rows.push(row![
                    quiz.quiz_id,
                    quiz.quiz_title.as_str(),
                    q.index + 1,
                    q.question_id.as_str(),
                    p.participant_id,
                    p.first_name.as_str(),
                    p.last_name.as_str(),
                    false,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    0_i64,
                ]);
            }
        }
    }
    Table {
        name: "quiz_answers",
        columns: &[
            "quiz_id",
            "quiz_title",
            "question_number",
            "question_id",
            "participant_id",
            "first_name",
            "last_name",
            "answered",
            "answer",
            "correct",
            "response_s",
            "points",
        ],
        rows,
    }
}

fn quiz_questions(report: &SessionReport) -> Table {
    let rows = report
        .quizzes
        .iter()
        .flat_map(|quiz| {
            quiz.questions.iter().map(|q| {
                row![
                    quiz.quiz_id,
                    quiz.quiz_title.as_str(),
                    q.index + 1,
                    q.question_id.as_str(),
                    tag(q.kind),
                    q.prompt.as_str(),
                    q.opened_at,
                    q.closed_at,
                    q.present,
                    q.answered,
                    q.not_answered.len(),
                    q.correct,
                    q.percent_correct,
                    q.median_response_s,
                ]
            })
        })
        .collect();
    Table {
        name: "quiz_questions",
        columns: &[
            "quiz_id",
            "quiz_title",
            "question_number",
            "question_id",
            "kind",
            "prompt",
            "opened_at",
            "closed_at",
            "present",
            "answered",
            "not_answered",
            "correct",
            "percent_correct",
            "median_response_s",
        ],
        rows,
    }
}

fn quiz_choices(report: &SessionReport) -> Table {
    let mut rows = Vec::new();
    for quiz in &report.quizzes {
        for q in &quiz.questions {
            for c in &q.distribution {
                rows.push(row![
                    quiz.quiz_id,
                    quiz.quiz_title.as_str(),
                    q.index + 1,
                    q.question_id.as_str(),
                    c.choice_id.as_str(),
                    c.text.as_str(),
                    c.correct,
                    c.count,
                    c.percent,
                ]);
            }
        }
    }
    Table {
        name: "quiz_choices",
        columns: &[
            "quiz_id",
            "quiz_title",
            "question_number",
            "question_id",
            "choice_id",
            "choice",
            "correct",
            "count",
            "percent",
        ],
        rows,
    }
}

fn quiz_ranking(report: &SessionReport) -> Table {
    let rows = report
        .quizzes
        .iter()
        .flat_map(|quiz| {
            quiz.ranking.iter().map(|r| {
                row![
                    quiz.quiz_id,
                    quiz.quiz_title.as_str(),
                    tag(quiz.scoring),
                    r.rank,
                    r.participant_id,
                    r.first_name.as_str(),
                    r.last_name.as_str(),
                    r.score,
                    r.correct,
                    r.answered,
                ]
            })
        })
        .collect();
    Table {
        name: "quiz_ranking",
        columns: &[
            "quiz_id",
            "quiz_title",
            "scoring",
            "rank",
            "participant_id",
            "first_name",
            "last_name",
            "score",
            "correct",
            "answered",
        ],
        rows,
    }
}

fn chat(report: &SessionReport) -> Table {
    Table {
        name: "chat",
        columns: &[
            "participant_id",
            "first_name",
            "last_name",
            "role",
            "messages",
            "characters",
        ],
        rows: report
            .chat
            .iter()
            .map(|c| {
                row![
                    c.participant_id,
                    c.first_name.as_str(),
                    c.last_name.as_str(),
                    if c.trainer { "trainer" } else { "participant" },
                    c.messages,
                    c.characters,
                ]
            })
            .collect(),
    }
}

/// Who drew on the shared canvas: one row per person (the trainer has no id).
fn board(report: &SessionReport) -> Table {
    Table {
        name: "board",
        columns: &[
            "participant_id",
            "first_name",
            "last_name",
            "role",
            "minutes",
            "first_minute",
            "last_minute",
            "created",
            "updated",
            "deleted",
        ],
        rows: (report.board.people.iter())
            .map(|d| {
                row![
                    d.participant_id,
                    d.first_name.as_str(),
                    d.last_name.as_str(),
                    if d.trainer { "trainer" } else { "participant" },
                    d.minutes.len(),
                    d.minutes.first().copied(),
                    d.minutes.last().copied(),
                    d.created,
                    d.updated,
                    d.deleted,
                ]
            })
            .collect(),
    }
}

/// Drawing on the shared canvas minute by minute, everyone's counts added up.
fn board_minutes(report: &SessionReport) -> Table {
    Table {
        name: "board_minutes",
        columns: &["minute", "drawers", "created", "updated", "deleted"],
        rows: (report.board.timeline.iter())
            .map(|m| row![m.minute, m.drawers, m.created, m.updated, m.deleted,])
            .collect(),
    }
}

/// Reactions minute by minute: one row per reaction sent in a minute.
fn reactions(report: &SessionReport) -> Table {
    Table {
        name: "reactions",
        columns: &["minute", "reaction", "count"],
        rows: (report.reactions.minutes.iter())
            .flat_map(|m| {
                (m.counts.iter()).map(|(reaction, count)| row![m.minute, tag(reaction), *count])
            })
            .collect(),
    }
}

/// Every word sent to each word cloud, with its count.
fn cloud_words(report: &SessionReport) -> Table {
    Table {
        name: "cloud_words",
        columns: &["cloud_id", "prompt", "word", "count", "hidden"],
        rows: (report.clouds.iter())
            .flat_map(|cloud| {
                (cloud.words.iter()).map(|w| {
                    row![
                        cloud.cloud_id,
                        cloud.prompt.as_str(),
                        w.text.as_str(),
                        w.count,
                        w.hidden
                    ]
                })
            })
            .collect(),
    }
}

/// The questions from the class, most voted first.
fn qa(report: &SessionReport) -> Table {
    Table {
        name: "qa",
        columns: &[
            "question_id",
            "asked_at",
            "first_name",
            "last_name",
            "question",
            "votes",
            "answered",
            "pinned",
            "hidden",
            "pending",
        ],
        rows: (report.qa.iter())
            .map(|q| {
                row![
                    q.question_id,
                    q.asked_at,
                    q.first_name.as_str(),
                    q.last_name.as_str(),
                    q.text.as_str(),
                    q.votes,
                    q.answered,
                    q.pinned,
                    q.hidden,
                    q.pending,
                ]
            })
            .collect(),
    }
}

fn notes(report: &SessionReport) -> Table {
    Table {
        name: "notes",
        columns: &["code", "message"],
        rows: report
            .notes
            .iter()
            .map(|n| row![n.code, n.message.as_str()])
            .collect(),
    }
}
