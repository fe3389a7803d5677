//! What a client is shown on (re)connection: the `welcome` state, the quiz as it stands for
//! them, and who they are.

use super::quiz_run::question_view;
use super::state::Phase;
use super::{LiveRoom, Sender};
use crate::domain::protocol::{
    ActivityKind, CapsuleView, ChatLine, PersonView, QuizActivity, QuizOutcome, QuizPhase, Role,
    WelcomeState, YourAnswer,
};

impl LiveRoom {
    /// Everything a client needs on (re)connection, sent at `now`.
    pub fn welcome_state(&self, sender: Sender, now: i64) -> WelcomeState {
        let (activity, score, answers) = self.quiz_welcome(sender, now);
        let (qa, qa_voted, qa_asked) = self.qa_welcome(sender);
        WelcomeState {
            name: self.name.clone(),
            capsule: CapsuleView {
                id: self.facts.capsule_id,
                title: self.facts.capsule_title.clone(),
                pages: self.facts.pages.clone(),
            },
            page_id: self.state.page_id.clone(),
            params: self.params,
            participants: match sender {
                Sender::Participant(id) if self.crowded() => {
                    vec![self.person_view(self.seat_of(id))]
                }
                _ => self
                    .state
                    .participants
                    .iter()
                    .filter(|s| !s.banned)
                    .map(|s| self.person_view(s))
                    .collect(),
            },
            headcount: self.headcount(),
            locked: self.state.locked,
            activity,
            chat: self.chat.iter().map(ChatLine::from).collect(),
            score,
            answers,
            quiz_ended: self.last_quiz_welcome(sender),
            cloud: self.cloud_welcome(sender),
            qa,
            qa_voted,
            qa_asked,
            reactions: (sender == Sender::Trainer).then(|| self.reaction_totals().clone()),
        }
    }

    pub fn you(&self, sender: Sender) -> PersonView {
        match sender {
            Sender::Trainer => PersonView {
                participant_id: self.facts.trainer_id,
                first_name: self.facts.trainer_name.clone(),
                last_name: String::new(),
                role: Role::Trainer,
                online: true,
            },
            Sender::Participant(id) => {
                self.person_view(self.seat(id).expect("joined participants have a seat"))
            }
        }
    }

    /// What a `welcome` says of the quiz ended last, while no other runs: a participant who
    /// reloads keeps their rank and points.
    fn last_quiz_welcome(&self, who: Sender) -> Option<QuizOutcome> {
        if self.state.quiz.is_some() || self.quiz_scores.is_empty() {
            return None;
        }
        Some(self.quiz_outcome(who))
    }

    /// The quiz part of a `welcome`: the activity, and the participant's own score and answers.
    /// Correct answers show only for the trainer, or for questions already over.
    /// The score is the final one of the quiz ended last while no other runs.
    fn quiz_welcome(
        &self,
        sender: Sender,
        now: i64,
    ) -> (Option<QuizActivity>, i64, Vec<YourAnswer>) {
        let Some(run) = &self.state.quiz else {
            let score = match sender {
                Sender::Participant(me) => self.final_standing(me).map_or(0, |s| s.score),
                Sender::Trainer => 0,
            };
            return (None, score, Vec::new());
        };
        let trainer = sender == Sender::Trainer;
        let (phase, deadline_ms) = match run.phase {
            Phase::Idle => (QuizPhase::Idle, None),
            Phase::Open { deadline, .. } => (QuizPhase::Open, Some(deadline)),
            Phase::Closed => (QuizPhase::Closed, None),
            Phase::Revealed => (QuizPhase::Revealed, None),
        };
        let activity = QuizActivity {
            kind: ActivityKind::Quiz,
            quiz_id: run.quiz_id,
            title: run.title.clone(),
            scoring: run.scoring,
            question_count: run.questions.len(),
            index: run.index,
            // Once revealed, the correct answers are everyone's.
            question: (run.current())
                .map(|q| question_view(q, trainer || run.phase == Phase::Revealed)),
            phase,
            deadline_ms,
            remaining_ms: deadline_ms.map(|deadline| (deadline - now).max(0)),
            answered: run.index.map_or(0, |i| run.answers[i].len()),
        };
        let Sender::Participant(me) = sender else {
            return (Some(activity), 0, Vec::new());
        };
        let settled = |i: usize| {
            Some(i) < run.index || (Some(i) == run.index && run.phase == Phase::Revealed)
        };
        let answers = run
            .answers
            .iter()
            .enumerate()
            .filter_map(|(i, by_participant)| {
                let record = by_participant.get(&me)?;
                let shown = settled(i);
                Some(YourAnswer {
                    question_id: run.questions[i].id.clone(),
                    answer: record.answer.clone(),
                    correct: if shown { record.correct } else { None },
                    points: shown.then_some(record.points),
                })
            })
            .collect();
        // Only settled questions count: a score that moved would tell the answer before the reveal.
        let score = run
            .answers
            .iter()
            .enumerate()
            .filter(|(i, _)| settled(*i))
            .filter_map(|(_, by_participant)| by_participant.get(&me).map(|a| a.points))
            .sum();
        (Some(activity), score, answers)
    }
}
