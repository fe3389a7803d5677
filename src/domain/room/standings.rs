//! The quiz's standings: the live ranking of the run, the final one of the quiz ended last,
//! and what each client is shown of them.

use uuid::Uuid;

use super::{LiveRoom, Sender};
use crate::domain::protocol::{QuizOutcome, Standing};
use crate::domain::ranking::{self, Ranked};

/// How many of the best scores every participant sees (the trainer sees them all).
pub(super) const LEADERBOARD_TOP: usize = 10;

impl LiveRoom {
    /// The final standings of the quiz ended last (`rooms.quiz_scores`), ranked.
    pub(super) fn final_standings(&self) -> Vec<Standing> {
        let mut standings: Vec<Standing> = (self.quiz_scores.iter())
            .map(|s| Standing {
                participant_id: s.participant_id,
                first_name: s.first_name.clone(),
                last_name: s.last_name.clone(),
                score: s.score,
                rank: 0,
            })
            .collect();
        ranking::rank(&mut standings);
        standings
    }

    /// The end of the quiz last ended as one client sees it: every standing for the trainer,
    /// the best few and their own for a participant.
    pub(super) fn quiz_outcome(&self, standings: &[Standing], who: Sender) -> QuizOutcome {
        let quiz_id = self.quiz_id.unwrap_or_default();
        let title = self.state.last_quiz_title.clone().unwrap_or_default();
        match who {
            Sender::Trainer => QuizOutcome {
                quiz_id,
                title,
                leaderboard: standings.to_vec(),
                yours: None,
            },
            Sender::Participant(me) => QuizOutcome {
                quiz_id,
                title,
                leaderboard: standings.iter().take(LEADERBOARD_TOP).cloned().collect(),
                yours: standings.iter().find(|s| s.participant_id == me).cloned(),
            },
        }
    }

    /// Every seated participant, best score first; equal scores share a rank.
    pub(super) fn standings(&self) -> Vec<Standing> {
        let scores = self.state.quiz.as_ref().map(|r| &r.scores);
        let mut standings: Vec<Standing> = self
            .state
            .participants
            .iter()
            .filter(|s| !s.banned)
            .map(|s| Standing {
                participant_id: s.participant_id,
                first_name: s.first_name.clone(),
                last_name: s.last_name.clone(),
                score: scores
                    .and_then(|m| m.get(&s.participant_id))
                    .copied()
                    .unwrap_or(0),
                rank: 0,
            })
            .collect();
        ranking::rank(&mut standings);
        standings
    }
}

impl Ranked for Standing {
    fn score(&self) -> i64 {
        self.score
    }
    fn person(&self) -> (&str, &str, Uuid) {
        (&self.first_name, &self.last_name, self.participant_id)
    }
    fn set_rank(&mut self, rank: usize) {
        self.rank = rank;
    }
}
