//! The messages of the live protocol (docs/protocol.md), as Rust types.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

pub use super::codes::{CloseCode, ErrorCode};
pub use super::events::ChoiceCount;
use super::events::{EndReason, LeaveReason, PageRef, QaMark};
use super::quiz::{Answer, AnswerCount, Item, QuestionKind, Scoring, Solution};
use super::reactions::{Counts, Reaction};
use super::room::{ParamsPatch, QaStatus, RoomParams};

/// A client's message. `req` (any string) travels beside these fields and is echoed back.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ClientMessage {
    Join(JoinMessage),
    Ping,
    ChatSend {
        text: String,
    },
    SetPage {
        page_id: String,
    },
    GotoPage {
        page_id: String,
    },
    SetParams {
        params: ParamsPatch,
    },
    Lock,
    Unlock,
    Kick {
        participant_id: Uuid,
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        ban: bool,
    },
    ChatDelete {
        message_id: Uuid,
    },
    Rename {
        name: String,
    },
    EndSession,
    QuizStart {
        /// The quiz to run; the room's own quiz (chosen at launch) when left out.
        #[serde(default)]
        #[ts(optional)]
        quiz_id: Option<Uuid>,
    },
    QuizNext,
    QuizClose,
    QuizReveal,
    QuizEnd,
    /// A participant's reaction (one of `params.reactions`).
    React {
        reaction: Reaction,
    },
    /// The trainer asks for words: a new word cloud (the one running, if any, ends first).
    CloudStart {
        prompt: String,
        /// Words each participant may send (default 3).
        #[serde(default)]
        #[ts(optional)]
        max_words: Option<u32>,
    },
    /// A participant's word or short phrase for the running cloud.
    CloudSend {
        text: String,
    },
    /// The trainer hides a word of the cloud (or shows it again with `hidden: false`).
    CloudHide {
        word: String,
        #[serde(default)]
        #[ts(optional)]
        hidden: Option<bool>,
    },
    /// The trainer shows the cloud to participants, or stops showing it.
    CloudShow {
        shown: bool,
    },
    CloudEnd,
    /// A participant's question for the trainer (`params.qa`).
    QaAsk {
        text: String,
    },
    QaVote {
        question_id: Uuid,
    },
    /// The trainer approves, answers, pins, unpins or hides a question.
    QaMark {
        question_id: Uuid,
        mark: QaMark,
    },
    QuizAnswer {
        question_id: String,
        #[serde(default)]
        #[ts(optional)]
        choice_ids: Option<Vec<String>>,
        #[serde(default)]
        #[ts(optional)]
        text: Option<String>,
        /// For `numeric` questions (a `text` holding a number is read too).
        #[serde(default)]
        #[ts(optional)]
        number: Option<f64>,
        /// For `ordering` questions: every item's id, in the order given.
        #[serde(default)]
        #[ts(optional)]
        item_ids: Option<Vec<String>>,
    },
}

/// Every `type` a client may send, to tell an unknown type from a malformed message.
pub const CLIENT_TYPES: &[&str] = &[
    "join",
    "ping",
    "chat_send",
    "set_page",
    "goto_page",
    "set_params",
    "lock",
    "unlock",
    "kick",
    "chat_delete",
    "rename",
    "end_session",
    "quiz_start",
    "quiz_next",
    "quiz_close",
    "quiz_reveal",
    "quiz_end",
    "quiz_answer",
    "react",
    "cloud_start",
    "cloud_send",
    "cloud_hide",
    "cloud_show",
    "cloud_end",
    "qa_ask",
    "qa_vote",
    "qa_mark",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JoinRole {
    Participant,
    Trainer,
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct JoinMessage {
    #[serde(rename = "as")]
    pub role: JoinRole,
    #[ts(optional)]
    pub first_name: Option<String>,
    #[ts(optional)]
    pub last_name: Option<String>,
    #[ts(optional)]
    pub resume_token: Option<String>,
    /// The trainer's bearer token (the cookie may stand in for it).
    #[ts(optional)]
    pub token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Trainer,
    Participant,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PersonView {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub online: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChatLine {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub author_name: String,
    pub text: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CapsuleView {
    pub id: Uuid,
    pub title: String,
    pub pages: Vec<PageRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WelcomeState {
    pub name: String,
    pub capsule: CapsuleView,
    pub page_id: Option<String>,
    pub params: RoomParams,
    /// Every seat, for the trainer and in rooms up to the roster limit; beyond it, a
    /// participant's own seat only (`headcount` tells how many there are).
    pub participants: Vec<PersonView>,
    pub headcount: Headcount,
    pub locked: bool,
    /// The activity in progress (a quiz), if any.
    pub activity: Option<QuizActivity>,
    pub chat: Vec<ChatLine>,
    /// The participant's own score and answers (zero and none for the trainer); once a quiz
    /// has ended, and until another starts, the final score of that quiz.
    pub score: i64,
    pub answers: Vec<YourAnswer>,
    /// The final standings of the quiz ended last, until another starts: what `quiz_ended`
    /// said, for a client that (re)connects after it.
    pub quiz_ended: Option<QuizOutcome>,
    /// The word cloud running, if any (words for participants only while it is shown), with
    /// the participant's own words in `yours`.
    pub cloud: Option<CloudView>,
    /// Questions from the class as this client may see them, pinned first, then by votes.
    pub qa: Vec<QaView>,
    /// The questions this participant voted for, and those they asked.
    pub qa_voted: Vec<Uuid>,
    pub qa_asked: Vec<Uuid>,
    /// For the trainer: the reactions counted so far, as the last `reactions` frame said them
    /// (a presenter that reloads shows them at once). Absent for participants.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reactions: Option<Counts>,
}

/// A question from the class as a client sees it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QaView {
    pub question_id: Uuid,
    pub text: String,
    /// Who asked: for the trainer always, for the class with `params.qa_names`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub author_name: Option<String>,
    pub votes: usize,
    pub status: QaStatus,
    pub pinned: bool,
    pub asked_at: String,
}

/// A word cloud as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CloudView {
    pub cloud_id: Uuid,
    pub prompt: String,
    pub max_words: u32,
    /// Whether participants see the words.
    pub shown: bool,
    /// The words sent most (at most 100), most sent first; hidden ones for the trainer only.
    pub words: Vec<CloudWord>,
    /// How many different words were sent, and by how many participants.
    pub distinct: usize,
    pub contributors: usize,
    /// In a `welcome`, the participant's own words (none for the trainer); absent elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub yours: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CloudWord {
    /// The word as it was first sent; `word` in `cloud_hide` names it.
    pub text: String,
    pub count: u32,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub hidden: bool,
}

/// The end of a quiz: the standings (all of them for the trainer, the best ones for a
/// participant) and the participant's own.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuizOutcome {
    pub quiz_id: Uuid,
    pub title: String,
    pub leaderboard: Vec<Standing>,
    pub yours: Option<Standing>,
}

/// How many people a room holds: participants online and seats taken (online or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Headcount {
    pub online: usize,
    pub seats: usize,
}

/// What kind of activity runs in a room (others may follow the quiz).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Quiz,
}

/// Where a quiz stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QuizPhase {
    /// Started, no question opened yet.
    Idle,
    Open,
    Closed,
    Revealed,
}

/// A quiz in progress, as `welcome` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuizActivity {
    pub kind: ActivityKind,
    pub quiz_id: Uuid,
    pub title: String,
    pub scoring: Scoring,
    pub question_count: usize,
    /// The question opened last, if any.
    pub index: Option<usize>,
    pub question: Option<QuestionView>,
    pub phase: QuizPhase,
    /// When the open question closes, in milliseconds since the Unix epoch on the server's
    /// clock (for API users; a client's clock may be minutes off).
    pub deadline_ms: Option<i64>,
    /// How long the open question stays open from when this was sent: clients count from it.
    pub remaining_ms: Option<i64>,
    pub answered: usize,
}

/// A question as sent to clients: `correct` only for the trainer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuestionView {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub choices: Vec<ChoiceView>,
    pub time_limit_s: u32,
    pub points: u32,
    /// An image shown with the prompt (`/api/assets/{id}`; a participant adds
    /// `?room={name}&token={resume token}` to load it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub image: Option<String>,
    /// `ordering`: the items to put in order, mixed (the same way for everyone).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Item>>", optional)]
    pub items: Vec<Item>,
    /// The right answer of a `numeric`, `short` or `ordering` question: the trainer's only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub solution: Option<Solution>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChoiceView {
    pub id: String,
    pub text: String,
    /// An image shown with the choice, as the question's.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub correct: Option<bool>,
}

/// A participant's own answer, with its result once the question is over.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct YourAnswer {
    pub question_id: String,
    pub answer: Answer,
    pub correct: Option<bool>,
    pub points: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Standing {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub score: i64,
    /// Equal scores share a rank (1, 2, 2, 4).
    pub rank: usize,
}

/// What a participant learns at the reveal.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct YourResult {
    pub answered: bool,
    pub correct: Option<bool>,
    pub points: i64,
    pub score: i64,
    pub rank: usize,
}

/// A message from the server.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ServerMessage {
    Welcome {
        you: PersonView,
        resume_token: Option<String>,
        state: Box<WelcomeState>,
    },
    Ack {
        req: Option<String>,
    },
    Pong {
        req: Option<String>,
    },
    Error {
        code: ErrorCode,
        message: String,
        req: Option<String>,
    },
    ParticipantJoined {
        #[serde(flatten)]
        participant: PersonView,
        rejoin: bool,
    },
    ParticipantLeft {
        participant_id: Uuid,
        first_name: String,
        last_name: String,
        reason: LeaveReason,
    },
    /// To participants of a room past its roster limit, instead of every arrival and
    /// departure: at most once a second, when the count changed.
    Headcount(Headcount),
    PageChanged {
        page_id: String,
        page_name: String,
        page_index: usize,
    },
    ParamsChanged {
        params: RoomParams,
        changed: Vec<String>,
    },
    Locked {
        locked: bool,
    },
    ChatMessage(ChatLine),
    ChatDeleted {
        message_id: Uuid,
    },
    Renamed {
        from: String,
        to: String,
        link: String,
    },
    Kicked {
        ban: bool,
    },
    SessionEnded {
        reason: EndReason,
        duration_s: i64,
    },
    QuizStarted {
        quiz_id: Uuid,
        title: String,
        scoring: Scoring,
        question_count: usize,
    },
    /// A question opens; participants get it without the correct choices.
    QuizQuestion {
        index: usize,
        count: usize,
        question: QuestionView,
        /// When it closes, in milliseconds since the Unix epoch on the server's clock.
        deadline_ms: i64,
        /// How long it stays open from now (clients with a wrong clock count from this).
        remaining_ms: i64,
    },
    /// To the trainer: answers so far out of the participants present.
    QuizProgress {
        question_id: String,
        answered: usize,
        present: usize,
    },
    QuizAnswerAccepted {
        question_id: String,
        req: Option<String>,
    },
    /// To the trainer: a free-text answer as it comes.
    QuizOpenAnswer {
        question_id: String,
        participant_id: Uuid,
        first_name: String,
        last_name: String,
        text: String,
    },
    QuizQuestionClosed {
        question_id: String,
        answered: usize,
        present: usize,
    },
    QuizResults {
        question_id: String,
        correct_choice_ids: Vec<String>,
        /// Per choice, how many picked it; for `ordering`, per item, how many put it in its
        /// right place.
        distribution: Vec<ChoiceCount>,
        /// The right answer of a `numeric`, `short` or `ordering` question.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        solution: Option<Solution>,
        /// To the trainer: the answers given most to a `numeric`, `short` or `open` question.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        #[ts(as = "Option<Vec<AnswerCount>>", optional)]
        top_answers: Vec<AnswerCount>,
        answered: usize,
        /// The best scores (all of them for the trainer).
        leaderboard: Vec<Standing>,
        /// The participant's own result (none for the trainer).
        yours: Option<YourResult>,
    },
    QuizEnded(QuizOutcome),
    /// A word cloud begins: participants may send words.
    CloudStarted {
        cloud_id: Uuid,
        prompt: String,
        max_words: u32,
    },
    /// The cloud as it grows: to the trainer a few times a second, to participants once a
    /// second while the trainer shows it (without hidden words).
    Cloud(CloudView),
    CloudEnded {
        cloud_id: Uuid,
    },
    /// The questions from the class as they stand: to the trainer a few times a second when
    /// they change (all of them, with names), to participants once a second (the open and
    /// answered ones; names only with `params.qa_names`).
    Qa {
        questions: Vec<QaView>,
    },
    /// To the trainer, at most a few times a second while participants react: how many of
    /// each reaction were sent since the room's task started (the difference from the last
    /// one is what just came).
    Reactions {
        counts: Counts,
    },
}

impl ServerMessage {
    pub fn error(code: ErrorCode, message: impl Into<String>, req: Option<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            req,
        }
    }

    /// The same confirmation, echoing the request's `req`.
    pub fn with_req(self, req: Option<String>) -> Self {
        match self {
            Self::Ack { .. } => Self::Ack { req },
            Self::QuizAnswerAccepted { question_id, .. } => {
                Self::QuizAnswerAccepted { question_id, req }
            }
            other => other,
        }
    }
}

/// Reads a client's frame: its `req`, and the message or the error to answer with.
pub fn parse_client_message(
    text: &str,
) -> (Option<String>, Result<ClientMessage, (ErrorCode, String)>) {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => return (None, Err((ErrorCode::BadMessage, format!("not JSON: {e}")))),
    };
    let req = match &value["req"] {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    };
    let Some(kind) = value.get("type").and_then(|t| t.as_str()) else {
        return (
            req,
            Err((
                ErrorCode::BadMessage,
                "a message is an object with a string `type`".into(),
            )),
        );
    };
    if !CLIENT_TYPES.contains(&kind) {
        return (
            req,
            Err((
                ErrorCode::UnknownType,
                format!("unknown message type `{kind}`"),
            )),
        );
    }
    let kind = kind.to_owned();
    let parsed =
        serde_json::from_value(value).map_err(|e| (ErrorCode::BadMessage, format!("{kind}: {e}")));
    (req, parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_read_with_their_req() {
        let (req, msg) =
            parse_client_message(r#"{"type":"goto_page","page_id":"page:a","req":"7"}"#);
        assert_eq!(req.as_deref(), Some("7"));
        assert_eq!(
            msg.unwrap(),
            ClientMessage::GotoPage {
                page_id: "page:a".into()
            }
        );
        let (_, msg) = parse_client_message(r#"{"type":"lock","req":1}"#);
        assert_eq!(msg.unwrap(), ClientMessage::Lock);
    }

    #[test]
    fn bad_frames_get_their_codes() {
        assert_eq!(
            parse_client_message("nope").1.unwrap_err().0,
            ErrorCode::BadMessage
        );
        assert_eq!(
            parse_client_message("[1]").1.unwrap_err().0,
            ErrorCode::BadMessage
        );
        assert_eq!(
            parse_client_message(r#"{"type":"dance"}"#).1.unwrap_err().0,
            ErrorCode::UnknownType
        );
        let (req, msg) = parse_client_message(r#"{"type":"goto_page","req":"x"}"#);
        assert_eq!(
            (req.as_deref(), msg.unwrap_err().0),
            (Some("x"), ErrorCode::BadMessage)
        );
    }

    #[test]
    fn server_messages_carry_their_type() {
        let frame = serde_json::to_string(&ServerMessage::Locked { locked: true }).unwrap();
        assert_eq!(frame, r#"{"type":"locked","locked":true}"#);
        let frame = serde_json::to_string(&ServerMessage::Ack { req: None }).unwrap();
        assert_eq!(frame, r#"{"type":"ack","req":null}"#);
    }
}
