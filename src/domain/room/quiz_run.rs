//! A quiz run inside a live room: the trainer opens questions one by one, participants answer
//! once each, the server times and scores, and results are revealed on the trainer's word.
//!
//! The run's state lives in `RoomState::quiz` and changes only in `evolve`.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::outcome::{Personal, Yours};
use super::standings::LEADERBOARD_TOP;
use super::state::{AnswerRecord, Phase, QuizRun};
use super::{LiveRoom, Outcome, RoomError, RoomResult, Sender};
use crate::domain::events::{RoomEvent, ScoreLine};
use crate::domain::protocol::{
    ChoiceCount, ChoiceView, ErrorCode, QuestionView, ServerMessage, Standing, YourResult,
};
use crate::domain::quiz::{Answer, Question, QuestionKind, Scoring, TOP_ANSWERS, top_answers};

/// A quiz as the trainer starts it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizSheet {
    pub id: Uuid,
    pub title: String,
    pub scoring: Scoring,
    pub questions: Vec<Question>,
}

fn no_quiz() -> RoomError {
    RoomError::new(ErrorCode::NotInQuiz, "no quiz is running in this session")
}

/// A question as participants see it: the choices or items, never which are right.
pub(super) fn question_view(question: &Question, with_answers: bool) -> QuestionView {
    QuestionView {
        id: question.id.clone(),
        kind: question.kind,
        prompt: question.prompt.clone(),
        choices: question
            .choices
            .iter()
            .map(|c| ChoiceView {
                id: c.id.clone(),
                text: c.text.clone(),
                image: c.image.clone(),
                correct: with_answers.then_some(c.correct),
            })
            .collect(),
        time_limit_s: question.time_limit_s,
        points: question.points,
        image: question.image.clone(),
        items: question.shuffled_items(),
        solution: question.solution().filter(|_| with_answers),
    }
}

impl LiveRoom {
    fn run(&self) -> RoomResult<&QuizRun> {
        self.state.quiz.as_ref().ok_or_else(no_quiz)
    }

    pub(super) fn quiz_start(&mut self, quiz: QuizSheet, at: i64) -> RoomResult<Outcome> {
        if self.state.quiz.is_some() {
            return Err(RoomError::new(
                ErrorCode::QuizInProgress,
                "a quiz is already running: end it first",
            ));
        }
        if quiz.questions.is_empty() {
            return Err(RoomError::new(
                ErrorCode::BadMessage,
                "this quiz has no question",
            ));
        }
        let started = ServerMessage::QuizStarted {
            quiz_id: quiz.id,
            title: quiz.title.clone(),
            scoring: quiz.scoring,
            question_count: quiz.questions.len(),
        };
        let event = RoomEvent::QuizStarted {
            quiz_id: quiz.id,
            quiz_title: quiz.title,
            scoring: quiz.scoring,
            questions: quiz.questions,
        };
        self.evolve(&event, at);
        Ok(Outcome {
            events: vec![event],
            broadcast: vec![started],
            ..Outcome::default()
        })
    }

    pub(super) fn quiz_next(&mut self, at: i64) -> RoomResult<Outcome> {
        let run = self.run()?;
        let next = run.index.map_or(0, |i| i + 1);
        let Some(question) = run.questions.get(next).cloned() else {
            return Err(RoomError::new(
                ErrorCode::NotFound,
                "that was the last question: end the quiz",
            ));
        };
        let quiz_id = run.quiz_id;
        let count = run.questions.len();
        let mut outcome = self.close_question()?.unwrap_or_default();
        let event = RoomEvent::QuizQuestionOpened {
            quiz_id,
            question_id: question.id.clone(),
            question_index: next,
            time_limit_s: question.time_limit_s,
        };
        self.evolve(&event, at);
        self.presence_known = true;
        outcome.events.push(event);
        let remaining_ms = i64::from(question.time_limit_s) * 1000;
        let asked = |with_answers| ServerMessage::QuizQuestion {
            index: next,
            count,
            question: question_view(&question, with_answers),
            deadline_ms: at + remaining_ms,
            remaining_ms,
        };
        outcome.to_participants.push(asked(false));
        outcome.to_trainers.push(asked(true));
        outcome.to_trainers.push(self.progress());
        Ok(outcome)
    }

    /// Closes the open question, if one is open.
    fn close_question(&mut self) -> RoomResult<Option<Outcome>> {
        let run = self.run()?;
        let (Phase::Open { .. }, Some(question), Some(index)) =
            (run.phase, run.current(), run.index)
        else {
            return Ok(None);
        };
        let question_id = question.id.clone();
        let answered = run.answers[index].len();
        let present = self.online_count();
        let event = RoomEvent::QuizQuestionClosed {
            quiz_id: run.quiz_id,
            question_id: question_id.clone(),
            answered,
            present,
        };
        self.evolve(&event, 0);
        Ok(Some(Outcome {
            events: vec![event],
            broadcast: vec![ServerMessage::QuizQuestionClosed {
                question_id,
                answered,
                present,
            }],
            ..Outcome::default()
        }))
    }

    pub(super) fn quiz_close(&mut self, _at: i64) -> RoomResult<Outcome> {
        self.close_question()?
            .ok_or_else(|| RoomError::new(ErrorCode::QuestionClosed, "no question is open"))
    }

    /// When the open question's time is up (`None` when nothing is open).
    pub fn quiz_deadline(&self) -> Option<i64> {
        match self.state.quiz.as_ref()?.phase {
            Phase::Open { deadline, .. } => Some(deadline),
            _ => None,
        }
    }

    /// Closes the open question if its time is up at `now`.
    pub fn quiz_tick(&mut self, now: i64) -> Option<Outcome> {
        if self.quiz_deadline()? > now {
            return None;
        }
        self.close_question().ok().flatten()
    }

    pub(super) fn quiz_answer(
        &mut self,
        participant: Uuid,
        question_id: &str,
        answer: Answer,
        received_at: i64,
    ) -> RoomResult<Outcome> {
        let run = self.run()?;
        let (Some(index), Some(question)) = (run.index, run.current()) else {
            return Err(RoomError::new(
                ErrorCode::QuestionClosed,
                "no question is open",
            ));
        };
        if question.id != question_id {
            return Err(RoomError::new(
                ErrorCode::QuestionClosed,
                format!("question `{question_id}` is not the one open"),
            ));
        }
        let Phase::Open {
            opened_at,
            deadline,
        } = run.phase
        else {
            return Err(RoomError::new(
                ErrorCode::QuestionClosed,
                "this question is closed",
            ));
        };
        if received_at > deadline {
            return Err(RoomError::new(
                ErrorCode::QuestionClosed,
                "time is up for this question",
            ));
        }
        if run.answers[index].contains_key(&participant) {
            return Err(RoomError::new(
                ErrorCode::AlreadyAnswered,
                "you have already answered this question",
            ));
        }
        let answer = question
            .accept(answer)
            .map_err(|m| RoomError::new(ErrorCode::BadAnswer, m))?;
        let grade = question.grade(&answer);
        let response_ms = (received_at - opened_at).max(0);
        let points = question.points_earned(run.scoring, grade, response_ms);
        let correct = grade.correct();
        let seat = self.seat_of(participant).clone();
        let open_text = match (&answer, question.kind) {
            (Answer::Text { text }, QuestionKind::Open) => Some(text.trim().to_owned()),
            _ => None,
        };
        let event = RoomEvent::QuizAnswered {
            quiz_id: run.quiz_id,
            question_id: question_id.to_owned(),
            participant_id: participant,
            first_name: seat.first_name.clone(),
            last_name: seat.last_name.clone(),
            answer,
            correct,
            points,
            response_ms,
        };
        self.evolve(&event, received_at);
        let mut outcome = Outcome {
            events: vec![event],
            reply: Some(ServerMessage::QuizAnswerAccepted {
                question_id: question_id.to_owned(),
                req: None,
            }),
            ..Outcome::default()
        };
        if let Some(text) = open_text {
            outcome.to_trainers.push(ServerMessage::QuizOpenAnswer {
                question_id: question_id.to_owned(),
                participant_id: participant,
                first_name: seat.first_name,
                last_name: seat.last_name,
                text,
            });
        }
        outcome.to_trainers.push(self.progress());
        self.close_if_all_answered(&mut outcome);
        Ok(outcome)
    }

    /// Closes the open question once everyone present has answered it.
    pub(super) fn close_if_all_answered(&mut self, outcome: &mut Outcome) {
        let Some(QuizRun {
            phase: Phase::Open { .. },
            index: Some(index),
            answers,
            ..
        }) = &self.state.quiz
        else {
            return;
        };
        let answered = &answers[*index];
        let all = if self.presence_known {
            all_answered(self.online_ids(), answered)
        } else {
            // Reloaded mid-question: everyone present before is expected back (those back
            // online are among them: a rejoin is recorded as present).
            all_answered(self.state.present.iter(), answered)
        };
        if all && let Ok(Some(closed)) = self.close_question() {
            outcome.events.extend(closed.events);
            outcome.broadcast.extend(closed.broadcast);
        }
    }

    fn progress(&self) -> ServerMessage {
        let run = self.state.quiz.as_ref();
        let answered = run
            .and_then(|r| r.index.map(|i| r.answers[i].len()))
            .unwrap_or(0);
        ServerMessage::QuizProgress {
            question_id: run
                .and_then(QuizRun::current)
                .map(|q| q.id.clone())
                .unwrap_or_default(),
            answered,
            present: self.online_count(),
        }
    }

    pub(super) fn quiz_reveal(&mut self, at: i64) -> RoomResult<Outcome> {
        let mut outcome = self.close_question()?.unwrap_or_default();
        let run = self.run()?;
        let (Some(index), Some(question)) = (run.index, run.current()) else {
            return Err(RoomError::new(
                ErrorCode::QuestionClosed,
                "no question was asked yet",
            ));
        };
        let answers = &run.answers[index];
        let distribution = distribution(question, answers);
        let correct_choice_ids: Vec<String> = question
            .choices
            .iter()
            .filter(|c| c.correct)
            .map(|c| c.id.clone())
            .collect();
        let standings = self.standings();
        let results =
            |leaderboard: Vec<Standing>, yours: Option<YourResult>| ServerMessage::QuizResults {
                question_id: question.id.clone(),
                correct_choice_ids: correct_choice_ids.clone(),
                distribution: distribution.clone(),
                solution: question.solution(),
                top_answers: Vec::new(),
                answered: answers.len(),
                leaderboard,
                yours,
            };
        let top: Vec<Standing> = standings.iter().take(LEADERBOARD_TOP).cloned().collect();
        let yours = (standings.iter())
            .map(|standing| {
                let mine = answers.get(&standing.participant_id);
                let yours = YourResult {
                    answered: mine.is_some(),
                    correct: mine.and_then(|a| a.correct),
                    points: mine.map_or(0, |a| a.points),
                    score: standing.score,
                    rank: standing.rank,
                };
                (standing.participant_id, Yours::Result(yours))
            })
            .collect();
        outcome.personal = Some(Personal {
            common: results(top, None),
            yours,
        });
        let mut to_trainers = results(standings, None);
        if let ServerMessage::QuizResults { top_answers, .. } = &mut to_trainers {
            *top_answers = self::top_answers(
                answers.values().map(|a| (&a.answer, a.correct)),
                TOP_ANSWERS,
            );
        }
        outcome.to_trainers.push(to_trainers);
        let event = RoomEvent::QuizResultsRevealed {
            quiz_id: run.quiz_id,
            question_id: question.id.clone(),
            distribution,
        };
        self.evolve(&event, at);
        outcome.events.push(event);
        Ok(outcome)
    }

    pub(super) fn quiz_end(&mut self, _at: i64) -> RoomResult<Outcome> {
        let mut outcome = self.close_question()?.unwrap_or_default();
        let quiz_id = self.run()?.quiz_id;
        let event = RoomEvent::QuizEnded {
            quiz_id,
            scores: self
                .standings()
                .into_iter()
                .map(|s| ScoreLine {
                    participant_id: s.participant_id,
                    first_name: s.first_name,
                    last_name: s.last_name,
                    score: s.score,
                })
                .collect(),
        };
        self.evolve(&event, 0);
        outcome.events.push(event);
        // As a `welcome` will show them from now on.
        let ended = self.quiz_outcome(Sender::Trainer);
        let yours = (ended.leaderboard.iter())
            .map(|standing| (standing.participant_id, Yours::Standing(standing.clone())))
            .collect();
        let common = ServerMessage::QuizEnded(self.outcome_with(self.final_top(), None));
        outcome.personal = Some(Personal { common, yours });
        outcome.to_trainers.push(ServerMessage::QuizEnded(ended));
        Ok(outcome)
    }
}

/// Per choice, how many picked it; for `ordering`, per item, how many put it in its place.
fn distribution(question: &Question, answers: &BTreeMap<Uuid, AnswerRecord>) -> Vec<ChoiceCount> {
    let count =
        |picked: &dyn Fn(&Answer) -> bool| answers.values().filter(|a| picked(&a.answer)).count();
    if question.kind == QuestionKind::Ordering {
        return (question.items.iter().enumerate())
            .map(|(position, item)| ChoiceCount {
                choice_id: item.id.clone(),
                count: count(&|answer| {
                    matches!(answer, Answer::Order { item_ids } if item_ids.get(position) == Some(&item.id))
                }),
            })
            .collect();
    }
    (question.choices.iter())
        .map(|c| ChoiceCount {
            choice_id: c.id.clone(),
            count: count(&|answer| {
                matches!(answer, Answer::Choices { choice_ids } if choice_ids.contains(&c.id))
            }),
        })
        .collect()
}

/// Whether everyone `waited` for is in `answered` (and someone is). This runs on every answer:
/// the counts rule most cases out before anyone is looked up.
fn all_answered<'a>(
    mut waited: impl ExactSizeIterator<Item = &'a Uuid>,
    answered: &BTreeMap<Uuid, AnswerRecord>,
) -> bool {
    waited.len() > 0 && answered.len() >= waited.len() && waited.all(|id| answered.contains_key(id))
}
