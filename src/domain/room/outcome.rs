//! What deciding a command yields: an `Outcome` (events, messages, chat changes, an
//! eviction) or a `RoomError`, and who the command came from.

use serde::Serialize;
use uuid::Uuid;

use super::ChatMessage;
use crate::domain::events::RoomEvent;
use crate::domain::protocol::{ErrorCode, QuizOutcome, ServerMessage, Standing, YourResult};

/// Who sent a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Trainer,
    Participant(Uuid),
}

/// A refusal, with the protocol's error code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RoomError {
    pub code: ErrorCode,
    pub message: String,
}

impl RoomError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// A command of the trainer's from someone else.
    pub fn trainer_only() -> Self {
        Self::new(ErrorCode::Forbidden, "only the trainer may do this")
    }
}

pub type RoomResult<T> = Result<T, RoomError>;

/// Why a participant's connection is to be closed by the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    Kicked,
    Banned,
}

/// What a decided command asks of the world, all of it after its events are committed.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub events: Vec<RoomEvent>,
    /// To every connection, the sender's included.
    pub broadcast: Vec<ServerMessage>,
    /// To the trainer's connections only.
    pub to_trainers: Vec<ServerMessage>,
    /// To every participant, not the trainer.
    pub to_participants: Vec<ServerMessage>,
    /// To one participant each.
    pub to_each: Vec<(Uuid, ServerMessage)>,
    /// To each of many participants, the same message but for a part of their own.
    pub personal: Option<Personal>,
    /// What confirms the command to its sender, when more than a plain `ack`.
    pub reply: Option<ServerMessage>,
    pub chat_insert: Option<ChatMessage>,
    pub chat_delete: Option<Uuid>,
    /// A participant to tell (`kicked`) and disconnect.
    pub evict: Option<(Uuid, Eviction)>,
}

/// One message for each of many participants (a reveal, the end of a quiz), the same for all
/// but its `yours`: the common part is serialised once and each `yours` spliced in, rather than
/// thousands of copies of the leaderboard built and serialised one by one.
#[derive(Debug, PartialEq)]
pub struct Personal {
    /// The message with `yours: null`, which its serialisation ends with.
    pub common: ServerMessage,
    pub yours: Vec<(Uuid, Yours)>,
}

/// A participant's own part of a `Personal` message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Yours {
    Result(YourResult),
    Standing(Standing),
}

impl Personal {
    /// The whole message one participant gets, as a value (tests and checks; delivery splices).
    pub fn message(&self, yours: &Yours) -> ServerMessage {
        let mut message = self.common.clone();
        match (&mut message, yours) {
            (ServerMessage::QuizResults { yours: slot, .. }, Yours::Result(result)) => {
                *slot = Some(result.clone());
            }
            (ServerMessage::QuizEnded(QuizOutcome { yours: slot, .. }), Yours::Standing(s)) => {
                *slot = Some(s.clone());
            }
            _ => unreachable!("a personal message is a reveal or an end of quiz"),
        }
        message
    }
}

impl Outcome {
    /// Every message for one participant, the personal ones whole.
    pub fn each(&self) -> Vec<(Uuid, ServerMessage)> {
        let personal = self
            .personal
            .iter()
            .flat_map(|p| (p.yours.iter()).map(move |(id, yours)| (*id, p.message(yours))));
        self.to_each.iter().cloned().chain(personal).collect()
    }
}
