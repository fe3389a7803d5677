//! The room's chat: messages sent (checked, flood-guarded, kept for `welcome`) and deleted.

use uuid::Uuid;

use super::params::Switch;
use super::{CHAT_HISTORY, ChatMessage, LiveRoom, Outcome, RoomError, RoomResult, Sender};
use crate::domain::events::RoomEvent;
use crate::domain::protocol::{ChatLine, ErrorCode, ServerMessage};

pub(super) const MAX_CHAT_CHARS: usize = 1_000;
/// Chat flood guard per participant: at most this many messages per window.
pub(super) const CHAT_BURST: usize = 5;
pub(super) const CHAT_WINDOW_MS: i64 = 10_000;

impl LiveRoom {
    pub(super) fn chat_send(
        &mut self,
        sender: Sender,
        text: String,
        stamp: (Uuid, i64),
    ) -> RoomResult<Outcome> {
        let text = text.trim();
        if text.is_empty() {
            return Err(RoomError::new(
                ErrorCode::BadMessage,
                "a chat message needs some text",
            ));
        }
        // PostgreSQL stores no NUL: one would fail the room's whole batch.
        if text.contains('\0') {
            return Err(RoomError::new(
                ErrorCode::BadMessage,
                "a chat message may not contain the NUL character",
            ));
        }
        if text.chars().count() > MAX_CHAT_CHARS {
            return Err(RoomError::new(
                ErrorCode::TooLarge,
                format!("a chat message holds at most {MAX_CHAT_CHARS} characters"),
            ));
        }
        let (id, now) = stamp;
        let (author_id, first_name, last_name) = match sender {
            Sender::Trainer => (
                self.facts.trainer_id,
                self.facts.trainer_name.clone(),
                String::new(),
            ),
            Sender::Participant(pid) => {
                if self.params.chat == Switch::Off {
                    return Err(RoomError::new(
                        ErrorCode::ChatOff,
                        "the trainer has turned the chat off",
                    ));
                }
                if !self.chat_times.allow(pid, now) {
                    return Err(RoomError::new(
                        ErrorCode::RateLimited,
                        format!(
                            "at most {CHAT_BURST} chat messages every {} seconds",
                            CHAT_WINDOW_MS / 1000
                        ),
                    ));
                }
                let seat = self.seat(pid).expect("joined participants have a seat");
                (pid, seat.first_name.clone(), seat.last_name.clone())
            }
        };
        let author_name = format!("{first_name} {last_name}").trim_end().to_owned();
        let message = ChatMessage {
            id,
            created_at: now,
            participant_id: author_id,
            author_name,
            text: text.to_owned(),
        };
        if self.chat.len() == CHAT_HISTORY {
            self.chat.pop_front();
        }
        self.chat.push_back(message.clone());
        Ok(Outcome {
            events: vec![RoomEvent::ChatMessageSent {
                participant_id: author_id,
                first_name,
                last_name,
                length: message.text.chars().count(),
            }],
            broadcast: vec![ServerMessage::ChatMessage(ChatLine::from(&message))],
            chat_insert: Some(message),
            ..Outcome::default()
        })
    }

    /// The trainer removes a message from the chat kept for `welcome` (and from the store).
    pub(super) fn chat_delete(&mut self, message_id: Uuid) -> RoomResult<Outcome> {
        let Some(at) = self.chat.iter().position(|m| m.id == message_id) else {
            return Err(RoomError::new(ErrorCode::NotFound, "no such chat message"));
        };
        self.chat.remove(at);
        Ok(Outcome {
            broadcast: vec![ServerMessage::ChatDeleted { message_id }],
            chat_delete: Some(message_id),
            ..Outcome::default()
        })
    }
}

impl From<&ChatMessage> for ChatLine {
    fn from(m: &ChatMessage) -> Self {
        ChatLine {
            id: m.id,
            participant_id: m.participant_id,
            author_name: m.author_name.clone(),
            text: m.text.clone(),
            at: crate::domain::rfc3339(m.created_at),
        }
    }
}
