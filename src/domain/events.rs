//! The event catalog of `room_events` (SPEC §3). Each event's data carries everything a report
//! needs, because the room it happened in is deleted when the session ends.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use uuid::Uuid;

use super::quiz::{Answer, Question, Scoring};
use super::reactions::Counts;
use super::room::RoomParams;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PageRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    Closed,
    Timeout,
    Kicked,
    Banned,
    SessionEnded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Trainer,
    Idle,
    Admin,
}

/// What the trainer does with a question from the class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QaMark {
    Approved,
    Answered,
    Pinned,
    Unpinned,
    Hidden,
}

/// How many answers picked one choice of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChoiceCount {
    pub choice_id: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreLine {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub score: i64,
}

/// One event: `type` is the variant name in snake_case, `data` its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum RoomEvent {
    SessionStarted {
        room_name: String,
        capsule_id: Uuid,
        capsule_title: String,
        trainer_name: String,
        pages: Vec<PageRef>,
        params: RoomParams,
        /// The quiz chosen at launch, if any.
        quiz_id: Option<Uuid>,
    },
    RoomRenamed {
        from: String,
        to: String,
    },
    ParticipantJoined {
        participant_id: Uuid,
        first_name: String,
        last_name: String,
        rejoin: bool,
    },
    ParticipantLeft {
        participant_id: Uuid,
        first_name: String,
        last_name: String,
        reason: LeaveReason,
    },
    PageChanged {
        page_id: String,
        page_name: String,
        page_index: usize,
    },
    ParamsChanged {
        params: RoomParams,
        changed: Vec<String>,
    },
    /// The trainer asked for words (a word cloud).
    CloudStarted {
        cloud_id: Uuid,
        prompt: String,
        max_words: u32,
    },
    /// A participant's word, as sent (trimmed): reports list the cloud's words.
    CloudWordSent {
        cloud_id: Uuid,
        participant_id: Uuid,
        text: String,
    },
    /// The trainer hid a word from the cloud (`hidden: false`: showed it again); `word` is
    /// the word as clients were shown it.
    CloudWordHidden {
        cloud_id: Uuid,
        word: String,
        hidden: bool,
    },
    /// The trainer showed the cloud to participants (`shown: false`: stopped).
    CloudShown {
        cloud_id: Uuid,
        shown: bool,
    },
    CloudEnded {
        cloud_id: Uuid,
    },
    /// A participant asked the class's question (`params.qa`); `pending` when it waits for the
    /// trainer's approval.
    QaAsked {
        question_id: Uuid,
        participant_id: Uuid,
        first_name: String,
        last_name: String,
        text: String,
        pending: bool,
    },
    /// A participant voted for a question (once each).
    QaVoted {
        question_id: Uuid,
        participant_id: Uuid,
    },
    /// The trainer approved, answered, pinned, unpinned or hid a question.
    QaMarked {
        question_id: Uuid,
        mark: QaMark,
    },
    /// How many of each reaction participants sent in one minute (only minutes with some),
    /// appended once the minute is over. Who sent them is not kept.
    ReactionsCounted {
        /// The minute's start in epoch milliseconds (UTC, a multiple of 60,000).
        minute: i64,
        counts: Counts,
    },
    RoomLocked {},
    RoomUnlocked {},
    QuizStarted {
        quiz_id: Uuid,
        quiz_title: String,
        scoring: Scoring,
        /// The full questions, correct answers included: reports need nothing else.
        questions: Vec<Question>,
    },
    QuizQuestionOpened {
        quiz_id: Uuid,
        question_id: String,
        question_index: usize,
        time_limit_s: u32,
    },
    QuizAnswered {
        quiz_id: Uuid,
        question_id: String,
        participant_id: Uuid,
        first_name: String,
        last_name: String,
        answer: Answer,
        correct: Option<bool>,
        points: i64,
        response_ms: i64,
    },
    QuizQuestionClosed {
        quiz_id: Uuid,
        question_id: String,
        answered: usize,
        present: usize,
    },
    /// The trainer showed the class a question's results: from now on its correct answers
    /// and everyone's points are public (a restart shows them still).
    QuizResultsRevealed {
        quiz_id: Uuid,
        question_id: String,
        distribution: Vec<ChoiceCount>,
    },
    QuizEnded {
        quiz_id: Uuid,
        scores: Vec<ScoreLine>,
    },
    ChatMessageSent {
        participant_id: Uuid,
        first_name: String,
        last_name: String,
        /// Only the length: chat content dies with the room.
        length: usize,
    },
    /// Someone drew on the room's shared canvas during one minute: how many records (shapes,
    /// bindings, …) they created, changed and deleted; never the strokes themselves. One
    /// event per person per minute they drew in, appended once the minute is over.
    CanvasEdited {
        /// The participant who drew; absent (not `null`) for the trainer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant_id: Option<Uuid>,
        /// The minute's start in epoch milliseconds (UTC, a multiple of 60,000).
        minute: i64,
        created: u32,
        updated: u32,
        deleted: u32,
    },
    /// The trainer turned a participant's drawing on the shared canvas off (`allowed: false`:
    /// their canvas is read-only, even in `draw` mode) or back on. They keep their seat.
    ParticipantDrawingChanged {
        participant_id: Uuid,
        allowed: bool,
    },
    SessionEnded {
        reason: EndReason,
        duration_s: i64,
        participant_count: usize,
        /// The room's name at the end, so listings need not replay renames.
        room_name: String,
    },
}

impl RoomEvent {
    /// Splits the event into its `type` and its `data`, the two columns of `room_events`.
    pub fn to_parts(&self) -> (String, Value) {
        let mut tagged = serde_json::to_value(self).expect("events serialise");
        let kind = tagged["type"]
            .as_str()
            .expect("events carry a type")
            .to_owned();
        (kind, tagged["data"].take())
    }

    /// Reads an event back from its two columns; `None` for a type this build does not know.
    pub fn from_parts(kind: &str, data: Value) -> Option<Self> {
        serde_json::from_value(serde_json::json!({ "type": kind, "data": data })).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_into_type_and_data_and_back() {
        let event = RoomEvent::RoomRenamed {
            from: "a-b-c".into(),
            to: "d-e-f".into(),
        };
        let (kind, data) = event.to_parts();
        assert_eq!(kind, "room_renamed");
        assert_eq!(data, serde_json::json!({"from": "a-b-c", "to": "d-e-f"}));
        assert_eq!(RoomEvent::from_parts(&kind, data), Some(event));
    }

    #[test]
    fn canvas_edits_of_the_trainer_name_nobody() {
        let trainer = RoomEvent::CanvasEdited {
            participant_id: None,
            minute: 1_800_000_060_000,
            created: 3,
            updated: 10,
            deleted: 1,
        };
        let (kind, data) = trainer.to_parts();
        assert_eq!(kind, "canvas_edited");
        assert_eq!(
            data,
            serde_json::json!({"minute": 1_800_000_060_000_i64, "created": 3, "updated": 10, "deleted": 1})
        );
        assert_eq!(RoomEvent::from_parts(&kind, data), Some(trainer));
        let id = Uuid::from_u128(7);
        let participant = RoomEvent::CanvasEdited {
            participant_id: Some(id),
            minute: 0,
            created: 0,
            updated: 1,
            deleted: 0,
        };
        let (_, data) = participant.to_parts();
        assert_eq!(data["participant_id"], id.to_string());
        assert_eq!(RoomEvent::from_parts(&kind, data), Some(participant));
    }

    #[test]
    fn data_less_events_store_an_empty_object() {
        let (kind, data) = RoomEvent::RoomLocked {}.to_parts();
        assert_eq!(
            (kind.as_str(), data),
            ("room_locked", serde_json::json!({}))
        );
    }
}
