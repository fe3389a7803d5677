//! The report's questions from the class: each question, who asked it, its votes and what the
//! trainer did with it.

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::At;
use crate::domain::events::{QaMark, RoomEvent};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct QaLine {
    pub question_id: Uuid,
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub text: String,
    pub asked_at: At,
    pub votes: usize,
    /// Waited for the trainer's approval and never got it.
    pub pending: bool,
    pub answered: bool,
    pub pinned: bool,
    pub hidden: bool,
}

/// The questions of a session, most voted first (then in the order asked).
#[derive(Default)]
pub(super) struct QaFold(Vec<QaLine>);

impl QaFold {
    pub(super) fn apply(&mut self, at: i64, event: &RoomEvent) {
        match event {
            RoomEvent::QaAsked {
                question_id,
                participant_id,
                first_name,
                last_name,
                text,
                pending,
            } => self.0.push(QaLine {
                question_id: *question_id,
                participant_id: *participant_id,
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                text: text.clone(),
                asked_at: At(at),
                votes: 0,
                pending: *pending,
                answered: false,
                pinned: false,
                hidden: false,
            }),
            RoomEvent::QaVoted { question_id, .. } => {
                if let Some(line) = self.line(*question_id) {
                    line.votes += 1;
                }
            }
            RoomEvent::QaMarked { question_id, mark } => {
                if let Some(line) = self.line(*question_id) {
                    match mark {
                        QaMark::Approved => line.pending = false,
                        QaMark::Answered => (line.answered, line.pending) = (true, false),
                        QaMark::Hidden => line.hidden = true,
                        QaMark::Pinned => line.pinned = true,
                        QaMark::Unpinned => line.pinned = false,
                    }
                }
            }
            _ => {}
        }
    }

    fn line(&mut self, id: Uuid) -> Option<&mut QaLine> {
        self.0.iter_mut().find(|line| line.question_id == id)
    }

    pub(super) fn finish(mut self) -> Vec<QaLine> {
        // Stable: equal votes stay in the order asked.
        self.0.sort_by_key(|line| std::cmp::Reverse(line.votes));
        self.0
    }
}
