//! What deciding a command yields: an `Outcome` (events, messages, chat changes, an
//! eviction) or a `RoomError`, and who the command came from.

use uuid::Uuid;

use super::ChatMessage;
use crate::domain::events::RoomEvent;
use crate::domain::protocol::{ErrorCode, ServerMessage};

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
    /// What confirms the command to its sender, when more than a plain `ack`.
    pub reply: Option<ServerMessage>,
    pub chat_insert: Option<ChatMessage>,
    pub chat_delete: Option<Uuid>,
    /// A participant to tell (`kicked`) and disconnect.
    pub evict: Option<(Uuid, Eviction)>,
}
