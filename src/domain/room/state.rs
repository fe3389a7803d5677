//! The part of a room's state kept in `rooms.state`: its seats, bans, page, and the quiz
//! in progress (`QuizRun`), all of it following from events (see `evolve`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::domain::names::fold;
use crate::domain::quiz::{Answer, Question, Scoring};

/// A seat in the room. Seats outlive connections: a participant who comes back gets theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Seat {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    /// Banned seats are refused, token or not.
    #[serde(default)]
    pub banned: bool,
}

/// `rooms.state`: what the room looks like at instant t, beyond its params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, TS)]
#[ts(export_to = "../api-types/")]
pub struct RoomState {
    /// The page the trainer shows; `None` only for a capsule without pages.
    pub page_id: Option<String>,
    #[serde(default)]
    pub locked: bool,
    #[serde(default)]
    pub participants: Vec<Seat>,
    /// `first last` (lowercased) of banned participants: a new seat under that name is refused.
    #[serde(default)]
    pub banned_names: Vec<String>,
    /// The last event this state includes (id, created_at); on resume, later events are
    /// replayed onto it.
    #[serde(default)]
    pub last_event: Option<(Uuid, i64)>,
    /// The quiz in progress, if any.
    #[serde(default)]
    pub quiz: Option<QuizRun>,
    /// The title of the quiz ended last (its final scores are `rooms.quiz_scores`).
    #[serde(default)]
    pub last_quiz_title: Option<String>,
    /// Participants present as the events tell it: joined and not left since. After a
    /// restart, they are who the room expects back.
    #[serde(default)]
    pub present: BTreeSet<Uuid>,
    /// Participants whose drawing on the shared canvas the trainer turned off.
    #[serde(default)]
    pub drawing_off: BTreeSet<Uuid>,
    /// The word cloud running, if any.
    #[serde(default)]
    pub cloud: Option<CloudRun>,
    /// Questions from the class, in the order asked.
    #[serde(default)]
    pub qa: Vec<QaQuestion>,
}

/// A question from the class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct QaQuestion {
    pub question_id: Uuid,
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub text: String,
    pub asked_at: i64,
    pub status: QaStatus,
    pub pinned: bool,
    pub votes: BTreeSet<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "../api-types/")]
pub enum QaStatus {
    /// Waiting for the trainer's approval (moderated mode): the trainer's only.
    Pending,
    Open,
    Answered,
    /// Hidden by the trainer: the trainer's only.
    Hidden,
}

/// A word cloud running in a room, as its events made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct CloudRun {
    pub cloud_id: Uuid,
    pub prompt: String,
    pub max_words: u32,
    pub shown: bool,
    /// By folded word (`quiz::fold_answer`): the word as first sent, how many sent it, hidden.
    pub words: BTreeMap<String, CloudEntry>,
    /// Each participant's words, folded.
    pub sent: BTreeMap<Uuid, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct CloudEntry {
    pub text: String,
    pub count: u32,
    pub hidden: bool,
}

/// How a banned name is kept in `banned_names`.
pub(super) fn ban_key(first: &str, last: &str) -> String {
    fold(&format!("{first} {last}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "phase", rename_all = "snake_case")]
#[ts(export_to = "../api-types/")]
pub enum Phase {
    /// Started, no question opened yet.
    Idle,
    Open {
        opened_at: i64,
        deadline: i64,
    },
    Closed,
    Revealed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct AnswerRecord {
    pub answer: Answer,
    pub correct: Option<bool>,
    pub points: i64,
    pub response_ms: i64,
}

/// The quiz in progress in a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct QuizRun {
    pub quiz_id: Uuid,
    pub title: String,
    pub scoring: Scoring,
    pub questions: Vec<Question>,
    /// The question opened last.
    pub index: Option<usize>,
    pub phase: Phase,
    /// Per question (by index), each participant's answer.
    pub answers: Vec<BTreeMap<Uuid, AnswerRecord>>,
    pub scores: BTreeMap<Uuid, i64>,
}

impl QuizRun {
    pub(super) fn current(&self) -> Option<&Question> {
        self.index.map(|i| &self.questions[i])
    }
}
