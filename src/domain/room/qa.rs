//! Questions from the class: participants ask (when `params.qa` is on), vote for others'
//! questions once each, and the trainer approves (moderated mode), answers, pins or hides them.
//!
//! The questions live in `RoomState::qa` and change only in `evolve`; how often clients are
//! sent them is the actor's business (`take_qa_*`).

use uuid::Uuid;

use super::params::Qa;
use super::state::{QaQuestion, QaStatus};
use super::throttle::Throttle;
use super::{LiveRoom, Outcome, RoomError, RoomResult, Sender};
use crate::domain::events::{QaMark, RoomEvent};
use crate::domain::protocol::{ErrorCode, QaView, ServerMessage};
use crate::domain::rfc3339;

pub const MAX_QA_CHARS: usize = 500;
/// Questions a room holds, at most (a flood guard for the room as a whole).
pub const MAX_QA_QUESTIONS: usize = 1_000;
/// Questions per participant: at most this many in any window.
pub(super) const QA_BURST: usize = 3;
pub(super) const QA_WINDOW_MS: i64 = 60_000;
/// The questions a participant's frame lists, at most: what a phone shows, and a frame sent to
/// every seat once a second stays small in a crowd (the trainer gets them all).
const SHOWN_QUESTIONS: usize = 50;

/// What clients may ask of the questions from the class.
#[derive(Debug, Clone, PartialEq)]
pub enum QaCommand {
    Ask { text: String },
    Vote { question_id: Uuid },
    Mark { question_id: Uuid, mark: QaMark },
}

impl QaCommand {
    pub fn participants_may(&self) -> bool {
        !matches!(self, Self::Mark { .. })
    }
}

/// Which audiences have not seen the questions as they are now.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct QaUnseen {
    trainers: bool,
    participants: bool,
}

fn refused(code: ErrorCode, message: impl Into<String>) -> RoomError {
    RoomError::new(code, message)
}

impl LiveRoom {
    pub(super) fn qa(
        &mut self,
        sender: Sender,
        command: QaCommand,
        stamp: (Uuid, i64),
    ) -> RoomResult<Outcome> {
        let (id, at) = stamp;
        let event = match (command, sender) {
            (QaCommand::Ask { text }, Sender::Participant(pid)) => {
                self.qa_ask(pid, text, id, at)?
            }
            (QaCommand::Vote { question_id }, Sender::Participant(pid)) => {
                self.qa_vote(pid, question_id)?
            }
            (QaCommand::Mark { question_id, mark }, Sender::Trainer) => {
                self.qa_question(question_id)?;
                RoomEvent::QaMarked { question_id, mark }
            }
            _ => return Err(refused(ErrorCode::Forbidden, "not yours to do")),
        };
        self.evolve(&event, at);
        Ok(Outcome {
            events: vec![event],
            ..Outcome::default()
        })
    }

    fn qa_ask(
        &mut self,
        participant: Uuid,
        text: String,
        id: Uuid,
        at: i64,
    ) -> RoomResult<RoomEvent> {
        if self.params.qa == Qa::Off {
            return Err(refused(
                ErrorCode::QaOff,
                "the trainer takes no questions now",
            ));
        }
        let text = text.trim();
        let length = text.chars().count();
        if length == 0 || length > MAX_QA_CHARS {
            return Err(refused(
                ErrorCode::BadMessage,
                format!("a question holds 1 to {MAX_QA_CHARS} characters"),
            ));
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            return Err(refused(
                ErrorCode::BadMessage,
                "a question may not contain control characters",
            ));
        }
        if self.state.qa.len() >= MAX_QA_QUESTIONS {
            return Err(refused(
                ErrorCode::RoomFull,
                format!("this session holds {MAX_QA_QUESTIONS} questions already"),
            ));
        }
        if !self.qa_asks.allow(participant, at) {
            let (burst, window) = (self.qa_asks.burst(), self.qa_asks.window_s());
            return Err(refused(
                ErrorCode::RateLimited,
                format!("at most {burst} questions every {window} seconds"),
            ));
        }
        let seat = self.seat_of(participant);
        Ok(RoomEvent::QaAsked {
            question_id: id,
            participant_id: participant,
            first_name: seat.first_name.clone(),
            last_name: seat.last_name.clone(),
            text: text.to_owned(),
            pending: self.params.qa == Qa::Moderated,
        })
    }

    fn qa_vote(&self, participant: Uuid, question_id: Uuid) -> RoomResult<RoomEvent> {
        let question = self.qa_question(question_id)?;
        if !matches!(question.status, QaStatus::Open | QaStatus::Answered) {
            return Err(refused(ErrorCode::NotFound, "no such question"));
        }
        if question.participant_id == participant {
            return Err(refused(
                ErrorCode::AlreadyVoted,
                "this is your own question",
            ));
        }
        if question.votes.contains(&participant) {
            return Err(refused(
                ErrorCode::AlreadyVoted,
                "you have already voted for this question",
            ));
        }
        Ok(RoomEvent::QaVoted {
            question_id,
            participant_id: participant,
        })
    }

    fn qa_question(&self, question_id: Uuid) -> RoomResult<&QaQuestion> {
        (self.state.qa.iter())
            .find(|q| q.question_id == question_id)
            .ok_or_else(|| refused(ErrorCode::NotFound, "no such question"))
    }

    /// Applies a question event (see `evolve`).
    pub(super) fn evolve_qa(&mut self, event: &RoomEvent, at: i64) {
        match event {
            RoomEvent::QaAsked {
                question_id,
                participant_id,
                first_name,
                last_name,
                text,
                pending,
            } => self.state.qa.push(QaQuestion {
                question_id: *question_id,
                participant_id: *participant_id,
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                text: text.clone(),
                asked_at: at,
                status: if *pending {
                    QaStatus::Pending
                } else {
                    QaStatus::Open
                },
                pinned: false,
                votes: Default::default(),
            }),
            RoomEvent::QaVoted {
                question_id,
                participant_id,
            } => {
                if let Some(q) = self.qa_question_mut(*question_id) {
                    q.votes.insert(*participant_id);
                }
            }
            RoomEvent::QaMarked { question_id, mark } => {
                if let Some(q) = self.qa_question_mut(*question_id) {
                    match mark {
                        QaMark::Approved => q.status = QaStatus::Open,
                        QaMark::Answered => q.status = QaStatus::Answered,
                        QaMark::Hidden => q.status = QaStatus::Hidden,
                        QaMark::Pinned => q.pinned = true,
                        QaMark::Unpinned => q.pinned = false,
                    }
                }
            }
            _ => return,
        }
        // A question waiting for approval changes nothing the class sees.
        let waiting = matches!(event, RoomEvent::QaAsked { pending: true, .. });
        self.qa_unseen.trainers = true;
        self.qa_unseen.participants |= !waiting;
    }

    fn qa_question_mut(&mut self, question_id: Uuid) -> Option<&mut QaQuestion> {
        self.state
            .qa
            .iter_mut()
            .find(|q| q.question_id == question_id)
    }

    /// The questions as the trainer (`for_trainer`) or the class sees them: pinned first, then
    /// the most voted, then the oldest.
    fn qa_views(&self, for_trainer: bool) -> Vec<QaView> {
        let mut shown: Vec<&QaQuestion> = (self.state.qa.iter())
            .filter(|q| for_trainer || matches!(q.status, QaStatus::Open | QaStatus::Answered))
            .collect();
        shown.sort_by(|a, b| {
            (b.pinned.cmp(&a.pinned))
                .then(b.votes.len().cmp(&a.votes.len()))
                .then(a.asked_at.cmp(&b.asked_at))
        });
        if !for_trainer {
            shown.truncate(SHOWN_QUESTIONS);
        }
        let named = for_trainer || self.params.qa_names;
        (shown.into_iter())
            .map(|q| QaView {
                question_id: q.question_id,
                text: q.text.clone(),
                author_name: named.then(|| format!("{} {}", q.first_name, q.last_name)),
                votes: q.votes.len(),
                status: q.status,
                pinned: q.pinned,
                asked_at: rfc3339(q.asked_at),
            })
            .collect()
    }

    /// The questions for a `welcome`, and which of them the participant voted for and asked.
    pub(super) fn qa_welcome(&self, sender: Sender) -> (Vec<QaView>, Vec<Uuid>, Vec<Uuid>) {
        let views = self.qa_views(sender == Sender::Trainer);
        let Sender::Participant(id) = sender else {
            return (views, Vec::new(), Vec::new());
        };
        let mine = |keep: &dyn Fn(&QaQuestion) -> bool| -> Vec<Uuid> {
            (self.state.qa.iter().filter(|q| keep(q)))
                .map(|q| q.question_id)
                .collect()
        };
        let voted = mine(&|q| q.votes.contains(&id));
        let asked = mine(&|q| q.participant_id == id);
        (views, voted, asked)
    }

    /// Params about to apply: the class is sent the questions again if names come or go.
    pub(super) fn qa_unseen_after_params(&mut self, params: &super::RoomParams) {
        if params.qa_names != self.params.qa_names && !self.state.qa.is_empty() {
            self.qa_unseen.participants = true;
        }
    }

    /// Whether the trainer has not seen the questions as they are now.
    pub fn qa_unseen_by_trainers(&self) -> bool {
        self.qa_unseen.trainers
    }

    /// The trainer's `qa` frame, if the questions changed since the last one.
    pub fn take_qa_for_trainers(&mut self) -> Option<ServerMessage> {
        std::mem::take(&mut self.qa_unseen.trainers).then(|| ServerMessage::Qa {
            questions: self.qa_views(true),
        })
    }

    /// Participants' `qa` frame, if the questions changed since the last one.
    pub fn take_qa_for_participants(&mut self) -> Option<ServerMessage> {
        std::mem::take(&mut self.qa_unseen.participants).then(|| ServerMessage::Qa {
            questions: self.qa_views(false),
        })
    }

    /// A new throttle for questions (one per room).
    pub(super) fn qa_throttle() -> Throttle {
        Throttle::new(QA_BURST, QA_WINDOW_MS)
    }
}
