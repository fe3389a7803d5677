//! `evolve`: the one place events change a room, as commands are decided and as stored
//! events are replayed after a restart. The quiz run follows only from its events too, so a
//! restart rebuilds it exactly; scores are the sum of the points in `quiz_answered` events.

use std::collections::BTreeMap;

use super::LiveRoom;
use super::state::{AnswerRecord, Phase, QuizRun, Seat, ban_key};
use crate::domain::events::{LeaveReason, RoomEvent};

impl LiveRoom {
    /// Applies one event to the state. Used as commands are decided and when stored events
    /// are replayed after a restart, so both paths give the same room.
    pub fn evolve(&mut self, event: &RoomEvent, at: i64) {
        match event {
            RoomEvent::RoomRenamed { to, .. } => self.name = to.clone(),
            RoomEvent::ParticipantJoined {
                participant_id,
                first_name,
                last_name,
                ..
            } => {
                self.state.present.insert(*participant_id);
                if !self.seats.contains_key(participant_id) {
                    self.seats
                        .insert(*participant_id, self.state.participants.len());
                    self.state.participants.push(Seat {
                        participant_id: *participant_id,
                        first_name: first_name.clone(),
                        last_name: last_name.clone(),
                        banned: false,
                    });
                }
            }
            RoomEvent::ParticipantLeft {
                participant_id,
                reason,
                first_name,
                last_name,
            } => {
                self.state.present.remove(participant_id);
                if *reason == LeaveReason::Banned {
                    if let Some(&i) = self.seats.get(participant_id) {
                        self.state.participants[i].banned = true;
                    }
                    let key = ban_key(first_name, last_name);
                    if !self.state.banned_names.contains(&key) {
                        self.state.banned_names.push(key);
                    }
                }
            }
            RoomEvent::PageChanged { page_id, .. } => self.state.page_id = Some(page_id.clone()),
            RoomEvent::ParamsChanged { params, .. } => {
                // Whether the class sees who asked may have changed.
                self.qa_unseen_after_params(params);
                self.params = *params;
            }
            RoomEvent::RoomLocked {} => self.state.locked = true,
            RoomEvent::RoomUnlocked {} => self.state.locked = false,
            RoomEvent::QuizStarted { .. }
            | RoomEvent::QuizQuestionOpened { .. }
            | RoomEvent::QuizAnswered { .. }
            | RoomEvent::QuizQuestionClosed { .. }
            | RoomEvent::QuizResultsRevealed { .. }
            | RoomEvent::QuizEnded { .. } => self.evolve_quiz(event, at),
            RoomEvent::CloudStarted { .. }
            | RoomEvent::CloudWordSent { .. }
            | RoomEvent::CloudWordHidden { .. }
            | RoomEvent::CloudShown { .. }
            | RoomEvent::CloudEnded { .. } => self.evolve_cloud(event),
            RoomEvent::QaAsked { .. } | RoomEvent::QaVoted { .. } | RoomEvent::QaMarked { .. } => {
                self.evolve_qa(event, at)
            }
            // What was drawn lives in the canvas document, not in the room's state.
            RoomEvent::CanvasEdited { .. } => {}
            RoomEvent::ParticipantDrawingChanged {
                participant_id,
                allowed,
            } => {
                match allowed {
                    true => self.state.drawing_off.remove(participant_id),
                    false => self.state.drawing_off.insert(*participant_id),
                };
            }
            _ => {}
        }
    }

    /// Applies a quiz event; `at` is when it happened (it times the question it opens).
    fn evolve_quiz(&mut self, event: &RoomEvent, at: i64) {
        match event {
            RoomEvent::QuizStarted {
                quiz_id,
                quiz_title,
                scoring,
                questions,
            } => {
                self.quiz_id = Some(*quiz_id);
                self.state.quiz = Some(QuizRun {
                    quiz_id: *quiz_id,
                    title: quiz_title.clone(),
                    scoring: *scoring,
                    questions: questions.clone(),
                    index: None,
                    phase: Phase::Idle,
                    answers: vec![BTreeMap::new(); questions.len()],
                    scores: BTreeMap::new(),
                });
            }
            RoomEvent::QuizQuestionOpened {
                question_index,
                time_limit_s,
                ..
            } => {
                if let Some(run) = &mut self.state.quiz
                    && *question_index < run.questions.len()
                {
                    run.index = Some(*question_index);
                    run.phase = Phase::Open {
                        opened_at: at,
                        deadline: at + i64::from(*time_limit_s) * 1000,
                    };
                }
            }
            RoomEvent::QuizAnswered {
                question_id,
                participant_id,
                answer,
                correct,
                points,
                response_ms,
                ..
            } => {
                let Some(run) = &mut self.state.quiz else {
                    return;
                };
                let Some(index) = run.questions.iter().position(|q| &q.id == question_id) else {
                    return;
                };
                let record = AnswerRecord {
                    answer: answer.clone(),
                    correct: *correct,
                    points: *points,
                    response_ms: *response_ms,
                };
                if run.answers[index].insert(*participant_id, record).is_none() {
                    *run.scores.entry(*participant_id).or_default() += points;
                }
            }
            RoomEvent::QuizQuestionClosed { .. } => {
                if let Some(run) = &mut self.state.quiz {
                    run.phase = Phase::Closed;
                }
            }
            RoomEvent::QuizResultsRevealed { question_id, .. } => {
                if let Some(run) = &mut self.state.quiz
                    && run.current().is_some_and(|q| &q.id == question_id)
                {
                    run.phase = Phase::Revealed;
                }
            }
            RoomEvent::QuizEnded { scores, .. } => {
                if let Some(run) = self.state.quiz.take() {
                    self.state.last_quiz_title = Some(run.title);
                }
                self.set_quiz_scores(scores.clone());
            }
            _ => {}
        }
    }
}
