//! The commands a joined client sends, and their decision: who may send what, then the
//! chat, roster and quiz each decide their own; pages, params and the lock are decided here,
//! as are the rename and the end of the session.

use uuid::Uuid;

use super::cloud::CloudCommand;
use super::params::{Navigation, ParamsPatch};
use super::qa::QaCommand;
use super::quiz_run::QuizSheet;
use super::{LiveRoom, Outcome, RoomError, RoomResult, Sender};
use crate::domain::events::{EndReason, LeaveReason, PageRef, RoomEvent};
use crate::domain::names::parse_room_name;
use crate::domain::protocol::{ErrorCode, ServerMessage};
use crate::domain::quiz::Answer;
use crate::domain::reactions::Reaction;

/// What a joined client may ask of the room (joins and leaves have their own methods).
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
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
        ban: bool,
    },
    ChatDelete {
        message_id: Uuid,
    },
    /// Turns a participant's drawing on the shared canvas off or back on.
    SetDrawing {
        participant_id: Uuid,
        allowed: bool,
    },
    QuizStart {
        quiz: Box<QuizSheet>,
    },
    QuizNext,
    QuizClose,
    QuizReveal,
    QuizEnd,
    React {
        reaction: Reaction,
    },
    Cloud(CloudCommand),
    Qa(QaCommand),
    /// `received_at`: when the server read the frame (not when the room got round to it).
    QuizAnswer {
        question_id: String,
        answer: Answer,
        received_at: i64,
    },
}

impl LiveRoom {
    /// Checks and turns a command into what must happen; the state changes in `evolve`.
    pub fn decide(
        &mut self,
        sender: Sender,
        command: Command,
        stamp: (Uuid, i64),
    ) -> RoomResult<Outcome> {
        let trainer_only = match &command {
            Command::ChatSend { .. }
            | Command::SetPage { .. }
            | Command::QuizAnswer { .. }
            | Command::React { .. } => false,
            Command::Cloud(cloud) => !cloud.participants_may(),
            Command::Qa(qa) => !qa.participants_may(),
            _ => true,
        };
        if trainer_only && sender != Sender::Trainer {
            return Err(RoomError::trainer_only());
        }
        // Only a seat in the room speaks: not a stranger, nor one removed earlier in the
        // burst this command is decided in (its connection closes once the removal is saved).
        if let Sender::Participant(id) = sender
            && !self.online.contains(&id)
        {
            return Err(RoomError::new(
                ErrorCode::Forbidden,
                "you are no longer in this session",
            ));
        }
        match command {
            Command::ChatSend { text } => self.chat_send(sender, text, stamp),
            Command::SetPage { page_id } => self.set_page(sender, &page_id),
            Command::GotoPage { page_id } => {
                let (page_index, page) = self.page(&page_id)?;
                let event = RoomEvent::PageChanged {
                    page_id: page.id.clone(),
                    page_name: page.name.clone(),
                    page_index,
                };
                Ok(self.record(event, stamp.1))
            }
            Command::SetParams { params } => {
                let mut next = self.params;
                let changed = next.apply(params);
                if changed.is_empty() {
                    return Ok(Outcome::default());
                }
                let event = RoomEvent::ParamsChanged {
                    params: next,
                    changed: changed.into_iter().map(String::from).collect(),
                };
                Ok(self.record(event, stamp.1))
            }
            Command::Lock => Ok(self.record(RoomEvent::RoomLocked {}, stamp.1)),
            Command::Unlock => Ok(self.record(RoomEvent::RoomUnlocked {}, stamp.1)),
            Command::React { reaction } => self.react(sender, reaction, stamp.1),
            Command::Cloud(command) => self.cloud(sender, command, stamp.1),
            Command::Qa(command) => self.qa(sender, command, stamp),
            Command::QuizStart { quiz } => self.quiz_start(*quiz, stamp.1),
            Command::QuizNext => self.quiz_next(stamp.1),
            Command::QuizClose => self.quiz_close(stamp.1),
            Command::QuizReveal => self.quiz_reveal(stamp.1),
            Command::QuizEnd => self.quiz_end(stamp.1),
            Command::QuizAnswer {
                question_id,
                answer,
                received_at,
            } => match sender {
                Sender::Participant(id) => self.quiz_answer(id, &question_id, answer, received_at),
                Sender::Trainer => Err(RoomError::new(
                    ErrorCode::Forbidden,
                    "the trainer does not answer",
                )),
            },
            Command::Kick {
                participant_id,
                ban,
            } => self.kick(participant_id, ban),
            Command::ChatDelete { message_id } => self.chat_delete(message_id),
            Command::SetDrawing {
                participant_id,
                allowed,
            } => self.set_drawing(participant_id, allowed),
        }
    }

    /// An outcome made of one event and its broadcast; the state follows the event.
    fn record(&mut self, event: RoomEvent, at: i64) -> Outcome {
        self.evolve(&event, at);
        let message = match &event {
            RoomEvent::PageChanged {
                page_id,
                page_name,
                page_index,
            } => ServerMessage::PageChanged {
                page_id: page_id.clone(),
                page_name: page_name.clone(),
                page_index: *page_index,
            },
            RoomEvent::ParamsChanged { params, changed } => ServerMessage::ParamsChanged {
                params: *params,
                changed: changed.clone(),
            },
            RoomEvent::RoomLocked {} | RoomEvent::RoomUnlocked {} => ServerMessage::Locked {
                locked: self.state.locked,
            },
            other => unreachable!("record is not used for {other:?}"),
        };
        Outcome {
            events: vec![event],
            broadcast: vec![message],
            ..Outcome::default()
        }
    }

    fn page(&self, page_id: &str) -> RoomResult<(usize, &PageRef)> {
        self.facts
            .pages
            .iter()
            .enumerate()
            .find(|(_, p)| p.id == page_id)
            .ok_or_else(|| {
                RoomError::new(
                    ErrorCode::NotFound,
                    format!("no page `{page_id}` in this capsule"),
                )
            })
    }

    fn set_page(&self, sender: Sender, page_id: &str) -> RoomResult<Outcome> {
        if sender == Sender::Trainer {
            return Err(RoomError::new(
                ErrorCode::Forbidden,
                "the trainer moves everyone with goto_page",
            ));
        }
        if self.params.navigation != Navigation::Free {
            return Err(RoomError::new(
                ErrorCode::Forbidden,
                "navigation follows the trainer; free navigation is off",
            ));
        }
        self.page(page_id)?;
        Ok(Outcome::default())
    }

    /// The event of a rename to `name`, `None` if the room has that name already. The
    /// caller applies it once the database has accepted the name (only it knows the names
    /// of other rooms).
    pub fn rename(&self, name: &str) -> RoomResult<Option<RoomEvent>> {
        let name = parse_room_name(name)
            .map_err(|m| RoomError::new(ErrorCode::BadMessage, format!("name {m}")))?;
        Ok((name != self.name).then(|| RoomEvent::RoomRenamed {
            from: self.name.clone(),
            to: name,
        }))
    }

    /// The session ends at `at`: a running quiz ends first (its open question closed, its
    /// final standings told), as with the trainer's own `quiz_end`; everyone online leaves;
    /// then `session_ended`, the last event.
    pub fn end(&mut self, reason: EndReason, at: i64) -> Outcome {
        let mut outcome = Outcome::default();
        if self.state.quiz.is_some()
            && let Ok(ended) = self.quiz_end(at)
        {
            outcome = ended;
        }
        if let Some(ended) = self.cloud_end(at) {
            outcome.events.extend(ended.events);
            outcome.broadcast.extend(ended.broadcast);
        }
        // The minute of reactions under way is recorded before the end.
        if let Some(counted) = self.reactions_minute_over(i64::MAX) {
            outcome.events.extend(counted.events);
        }
        for id in self.online_participants() {
            if let Some(left) = self.leave(id, LeaveReason::SessionEnded) {
                outcome.events.extend(left.events);
            }
        }
        let event = RoomEvent::SessionEnded {
            reason,
            duration_s: (at - self.facts.created_at).max(0) / 1000,
            participant_count: self.participant_count(),
            room_name: self.name.clone(),
        };
        self.evolve(&event, at);
        outcome.events.push(event);
        outcome
    }
}
