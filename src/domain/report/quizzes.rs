//! Quiz results: per participant × question the answer, per question the statistics, per quiz
//! the ranking. Points are the recorded ones, or recomputed from the question snapshot of
//! `quiz_started` with `quiz::points_for` when another rule is asked for.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::{At, Attendance, Note, People, Scope};
use crate::domain::events::{RoomEvent, ScoreLine};
use crate::domain::quiz::{
    Answer, AnswerCount, Item, Question, QuestionKind, Scoring, Solution, TOP_ANSWERS, top_answers,
};
use crate::domain::ranking;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct QuizReport {
    pub quiz_id: Uuid,
    pub quiz_title: String,
    /// The rule the points below follow.
    pub scoring: Scoring,
    /// The rule the quiz ran with.
    pub recorded_scoring: Scoring,
    pub rescored: bool,
    pub started_at: At,
    pub ended_at: Option<At>,
    pub questions: Vec<QuestionReport>,
    pub ranking: Vec<RankLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct QuestionReport {
    pub question_id: String,
    /// Position in the quiz, from 0.
    pub index: usize,
    pub kind: QuestionKind,
    pub prompt: String,
    /// The question was shown with an image (which a report names, never holds: the image
    /// may be gone by the time the report is read). Left out when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub has_image: bool,
    pub points: u32,
    pub time_limit_s: u32,
    pub opened_at: Option<At>,
    pub closed_at: Option<At>,
    /// Participants there while the question was open, or who answered it.
    pub present: usize,
    pub answered: usize,
    pub correct: usize,
    /// Of the answers; `None` for polls, open questions and questions nobody answered.
    pub percent_correct: Option<f64>,
    pub median_response_s: Option<f64>,
    /// How many answers named each choice (none for open questions); for `ordering`, how many
    /// put each item in its right place.
    pub distribution: Vec<ChoiceCount>,
    /// The right answer of a `numeric`, `short` or `ordering` question.
    pub solution: Option<Solution>,
    /// An `ordering` question's items, in the right order (left out for other kinds).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Item>>", optional)]
    pub items: Vec<Item>,
    /// The answers given most to a `numeric`, `short` or `open` question.
    pub top_answers: Vec<AnswerCount>,
    pub answers: Vec<AnswerLine>,
    /// Present while the question was open, and did not answer.
    pub not_answered: Vec<Participant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct ChoiceCount {
    pub choice_id: String,
    pub text: String,
    pub correct: bool,
    /// The choice was shown with an image (left out when false).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub has_image: bool,
    pub count: usize,
    /// Of the answers.
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct AnswerLine {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub answer: Answer,
    /// The answer as people read it: the choices' texts, or the text written.
    pub answer_text: String,
    pub correct: Option<bool>,
    pub response_s: f64,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Participant {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct RankLine {
    /// Equal scores share a rank (1, 2, 2, 4).
    pub rank: usize,
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub score: i64,
    pub correct: usize,
    pub answered: usize,
}

#[derive(Default)]
pub(super) struct QuizFold {
    runs: Vec<Run>,
    /// The latest run of each quiz: a quiz's events belong to its last `quiz_started`.
    latest: HashMap<Uuid, usize>,
    /// Quiz events that name no started quiz or no question of it.
    orphans: usize,
}

struct Run {
    quiz_id: Uuid,
    title: String,
    recorded: Scoring,
    started_at: i64,
    ended: Option<(i64, Vec<ScoreLine>)>,
    questions: Vec<Asked>,
    by_id: HashMap<String, usize>,
}

struct Asked {
    question: Question,
    opened_at: Option<i64>,
    closed_at: Option<i64>,
    answers: Vec<Recorded>,
    answered: HashSet<Uuid>,
}

struct Recorded {
    participant_id: Uuid,
    answer: Answer,
    correct: Option<bool>,
    points: i64,
    response_ms: i64,
}

impl QuizFold {
    pub fn apply(&mut self, at: i64, event: RoomEvent) {
        match event {
            RoomEvent::QuizStarted {
                quiz_id,
                quiz_title,
                scoring,
                questions,
            } => {
                self.latest.insert(quiz_id, self.runs.len());
                self.runs.push(Run {
                    quiz_id,
                    title: quiz_title,
                    recorded: scoring,
                    started_at: at,
                    ended: None,
                    by_id: questions
                        .iter()
                        .enumerate()
                        .map(|(i, q)| (q.id.clone(), i))
                        .collect(),
                    questions: questions
                        .into_iter()
                        .map(|question| Asked {
                            question,
                            opened_at: None,
                            closed_at: None,
                            answers: Vec::new(),
                            answered: HashSet::new(),
                        })
                        .collect(),
                });
            }
            RoomEvent::QuizQuestionOpened {
                quiz_id,
                question_id,
                ..
            } => {
                if let Some(asked) = self.asked(quiz_id, &question_id) {
                    asked.opened_at.get_or_insert(at);
                }
            }
            RoomEvent::QuizAnswered {
                quiz_id,
                question_id,
                participant_id,
                answer,
                correct,
                points,
                response_ms,
                ..
            } => {
                if let Some(asked) = self.asked(quiz_id, &question_id)
                    && asked.answered.insert(participant_id)
                {
                    asked.answers.push(Recorded {
                        participant_id,
                        answer,
                        correct,
                        points,
                        response_ms,
                    });
                }
            }
            RoomEvent::QuizQuestionClosed {
                quiz_id,
                question_id,
                ..
            } => {
                if let Some(asked) = self.asked(quiz_id, &question_id) {
                    asked.closed_at.get_or_insert(at);
                }
            }
            RoomEvent::QuizEnded { quiz_id, scores } => {
                match self.latest.get(&quiz_id).map(|&i| &mut self.runs[i]) {
                    Some(run) => run.ended = Some((at, scores)),
                    None => self.orphans += 1,
                }
            }
            _ => {}
        }
    }

    fn asked(&mut self, quiz_id: Uuid, question_id: &str) -> Option<&mut Asked> {
        let asked = self
            .latest
            .get(&quiz_id)
            .map(|&i| &mut self.runs[i])
            .and_then(|run| {
                let &q = run.by_id.get(question_id)?;
                Some(&mut run.questions[q])
            });
        if asked.is_none() {
            self.orphans += 1;
        }
        asked
    }

    pub fn finish(
        self,
        scope: &Scope,
        until: i64,
        attendance: &[Attendance],
        people: &People,
        notes: &mut Vec<Note>,
    ) -> Vec<QuizReport> {
        if self.orphans > 0 {
            notes.push(Note::new(
                "quiz_events_ignored",
                format!(
                    "{} quiz event(s) name no started quiz or no question of it: ignored",
                    self.orphans
                ),
            ));
        }
        self.runs
            .into_iter()
            .map(|run| run.finish(scope, until, attendance, people, notes))
            .collect()
    }
}

impl Run {
    fn finish(
        self,
        scope: &Scope,
        until: i64,
        attendance: &[Attendance],
        people: &People,
        notes: &mut Vec<Note>,
    ) -> QuizReport {
        let scoring = scope.scoring.unwrap_or(self.recorded);
        let rescored = scoring != self.recorded;
        let end = self.ended.as_ref().map_or(until, |(at, _)| *at);
        if self.ended.is_none() {
            notes.push(Note::new(
                "quiz_not_ended",
                format!("quiz `{}` has no quiz_ended event", self.title),
            ));
        }
        let unclosed = self
            .questions
            .iter()
            .filter(|a| a.opened_at.is_some() && a.closed_at.is_none())
            .count();
        if unclosed > 0 {
            notes.push(Note::new(
                "question_not_closed",
                format!(
                    "quiz `{}`: {unclosed} question(s) were never closed; they count as open until the quiz's end",
                    self.title
                ),
            ));
        }
        let questions: Vec<QuestionReport> = self
            .questions
            .into_iter()
            .enumerate()
            .map(|(index, asked)| asked.finish(index, scoring, rescored, end, attendance, people))
            .collect();
        let ranking = ranking(&questions, people);
        if let Some((_, recorded)) = &self.ended
            && !rescored
            && !same_scores(recorded, &ranking)
        {
            notes.push(Note::new(
                "scores_differ",
                format!(
                    "quiz `{}`: the scores of quiz_ended differ from the sum of the answers' points; the report shows the sum",
                    self.title
                ),
            ));
        }
        QuizReport {
            quiz_id: self.quiz_id,
            quiz_title: self.title,
            scoring,
            recorded_scoring: self.recorded,
            rescored,
            started_at: At(self.started_at),
            ended_at: self.ended.map(|(at, _)| At(at)),
            questions,
            ranking,
        }
    }
}

impl Asked {
    fn finish(
        self,
        index: usize,
        scoring: Scoring,
        rescored: bool,
        quiz_end: i64,
        attendance: &[Attendance],
        people: &People,
    ) -> QuestionReport {
        let q = self.question;
        let not_answered: Vec<Participant> = match self.opened_at {
            Some(opened) => {
                let closed = self.closed_at.unwrap_or(quiz_end).max(opened);
                attendance
                    .iter()
                    .filter(|a| {
                        !self.answered.contains(&a.participant_id)
                            && a.present_during(opened, closed)
                    })
                    .map(|a| participant(a.participant_id, people))
                    .collect()
            }
            None => Vec::new(),
        };
        let mut answers: Vec<AnswerLine> = self
            .answers
            .into_iter()
            .map(|r| {
                let points = if rescored {
                    q.points_earned(scoring, q.grade(&r.answer), r.response_ms)
                } else {
                    r.points
                };
                let (first_name, last_name) = people.names(r.participant_id);
                AnswerLine {
                    participant_id: r.participant_id,
                    first_name,
                    last_name,
                    answer_text: answer_text(&q, &r.answer),
                    answer: r.answer,
                    correct: r.correct,
                    response_s: r.response_ms as f64 / 1000.0,
                    points,
                }
            })
            .collect();
        answers.sort_by_cached_key(|a| people.sort_key(a.participant_id));
        let answered = answers.len();
        let correct = answers.iter().filter(|a| a.correct == Some(true)).count();
        QuestionReport {
            question_id: q.id.clone(),
            index,
            kind: q.kind,
            prompt: q.prompt.clone(),
            has_image: q.image.is_some(),
            points: q.points,
            time_limit_s: q.time_limit_s,
            opened_at: self.opened_at.map(At),
            closed_at: self.closed_at.map(At),
            present: answered + not_answered.len(),
            answered,
            correct,
            percent_correct: (q.kind.is_scored() && answered > 0)
                .then(|| percent(correct, answered)),
            median_response_s: median_seconds(&answers),
            distribution: distribution(&q, &answers),
            solution: q.solution(),
            items: q.items.clone(),
            top_answers: top_answers(answers.iter().map(|a| (&a.answer, a.correct)), TOP_ANSWERS),
            answers,
            not_answered,
        }
    }
}

fn participant(id: Uuid, people: &People) -> Participant {
    let (first_name, last_name) = people.names(id);
    Participant {
        participant_id: id,
        first_name,
        last_name,
    }
}

/// A percentage with one decimal.
fn percent(part: usize, whole: usize) -> f64 {
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

fn median_seconds(answers: &[AnswerLine]) -> Option<f64> {
    let mut times: Vec<f64> = answers.iter().map(|a| a.response_s).collect();
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    match times.len() {
        0 => None,
        n if n % 2 == 1 => Some(times[mid]),
        _ => Some(((times[mid - 1] + times[mid]) * 500.0).round() / 1000.0),
    }
}

fn answer_text(question: &Question, answer: &Answer) -> String {
    match answer {
        Answer::Text { text } => text.clone(),
        Answer::Number { number } => number.to_string(),
        Answer::Order { item_ids } => item_ids
            .iter()
            .map(|id| {
                (question.items.iter())
                    .find(|item| &item.id == id)
                    .map_or(id.as_str(), |item| item.text.as_str())
            })
            .collect::<Vec<_>>()
            .join(" → "),
        Answer::Choices { choice_ids } => choice_ids
            .iter()
            .map(|id| {
                question
                    .choices
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or(id.as_str(), |c| c.text.as_str())
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn distribution(question: &Question, answers: &[AnswerLine]) -> Vec<ChoiceCount> {
    let percent_of = |count| match answers.len() {
        0 => 0.0,
        all => percent(count, all),
    };
    if question.kind == QuestionKind::Ordering {
        // Per item, how many put it in its right place.
        return (question.items.iter().enumerate())
            .map(|(position, item)| {
                let count = (answers.iter())
                    .filter(|a| matches!(&a.answer, Answer::Order { item_ids } if item_ids.get(position) == Some(&item.id)))
                    .count();
                ChoiceCount {
                    choice_id: item.id.clone(),
                    text: item.text.clone(),
                    correct: true,
                    has_image: false,
                    count,
                    percent: percent_of(count),
                }
            })
            .collect();
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for answer in answers {
        if let Answer::Choices { choice_ids } = &answer.answer {
            for id in choice_ids {
                *counts.entry(id.as_str()).or_default() += 1;
            }
        }
    }
    question
        .choices
        .iter()
        .map(|choice| {
            let count = counts.get(choice.id.as_str()).copied().unwrap_or(0);
            ChoiceCount {
                choice_id: choice.id.clone(),
                text: choice.text.clone(),
                correct: choice.correct,
                has_image: choice.image.is_some(),
                count,
                percent: percent_of(count),
            }
        })
        .collect()
}

/// Everyone who answered or was there for a question, by total points; a participant present
/// who never answered ranks with 0.
fn ranking(questions: &[QuestionReport], people: &People) -> Vec<RankLine> {
    let mut totals: HashMap<Uuid, (i64, usize, usize)> = HashMap::new();
    for question in questions {
        for answer in &question.answers {
            let total = totals.entry(answer.participant_id).or_default();
            total.0 += answer.points;
            total.1 += usize::from(answer.correct == Some(true));
            total.2 += 1;
        }
        for absent in &question.not_answered {
            totals.entry(absent.participant_id).or_default();
        }
    }
    let mut lines: Vec<RankLine> = totals
        .into_iter()
        .map(|(id, (score, correct, answered))| {
            let (first_name, last_name) = people.names(id);
            RankLine {
                rank: 0,
                participant_id: id,
                first_name,
                last_name,
                score,
                correct,
                answered,
            }
        })
        .collect();
    ranking::rank(&mut lines);
    lines
}

impl ranking::Ranked for RankLine {
    fn score(&self) -> i64 {
        self.score
    }
    fn person(&self) -> (&str, &str, Uuid) {
        (&self.first_name, &self.last_name, self.participant_id)
    }
    fn set_rank(&mut self, rank: usize) {
        self.rank = rank;
    }
}

/// Whether `quiz_ended`'s scores agree with the ranking (a missing line counts as 0).
fn same_scores(recorded: &[ScoreLine], ranking: &[RankLine]) -> bool {
    let recorded: HashMap<Uuid, i64> = recorded
        .iter()
        .map(|s| (s.participant_id, s.score))
        .collect();
    let computed: HashMap<Uuid, i64> = ranking
        .iter()
        .map(|l| (l.participant_id, l.score))
        .collect();
    let agree = |a: &HashMap<Uuid, i64>, b: &HashMap<Uuid, i64>| {
        a.iter()
            .all(|(id, score)| b.get(id).copied().unwrap_or(0) == *score)
    };
    agree(&recorded, &computed) && agree(&computed, &recorded)
}
