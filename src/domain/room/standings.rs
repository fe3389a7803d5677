//! The quiz's standings: the live ranking of the run, the final one of the quiz ended last,
//! and what each client is shown of them.

use uuid::Uuid;

use super::{LiveRoom, Sender};
use crate::domain::events::ScoreLine;
use crate::domain::protocol::{QuizOutcome, Standing};
use crate::domain::ranking::{self, Ranked};

/// How many of the best scores every participant sees (the trainer sees them all).
pub(super) const LEADERBOARD_TOP: usize = 10;

impl LiveRoom {
    /// The final scores of the quiz ended last (`rooms.quiz_scores`).
    pub fn quiz_scores(&self) -> &[ScoreLine] {
        &self.quiz_scores
    }

    /// Keeps the final scores of the quiz ended last, and ranks them.
    pub fn set_quiz_scores(&mut self, scores: Vec<ScoreLine>) {
        let mut standings: Vec<Standing> = (scores.iter())
            .map(|s| Standing {
                participant_id: s.participant_id,
                first_name: s.first_name.clone(),
                last_name: s.last_name.clone(),
                score: s.score,
                rank: 0,
            })
            .collect();
        ranking::rank(&mut standings);
        self.final_standings = standings;
        self.quiz_scores = scores;
    }

    /// A participant's standing in the quiz ended last, if they were ranked.
    pub(super) fn final_standing(&self, id: Uuid) -> Option<&Standing> {
        self.final_standings.iter().find(|s| s.participant_id == id)
    }

    /// The end of the quiz last ended as one client sees it: every standing for the trainer,
    /// the best few and their own for a participant.
    pub(super) fn quiz_outcome(&self, who: Sender) -> QuizOutcome {
        match who {
            Sender::Trainer => self.outcome_with(self.final_standings.clone(), None),
            Sender::Participant(me) => {
                let yours = self.final_standing(me).cloned();
                self.outcome_with(self.final_top(), yours)
            }
        }
    }

    /// The best few of the final standings: what every participant is shown.
    pub(super) fn final_top(&self) -> Vec<Standing> {
        (self.final_standings.iter().take(LEADERBOARD_TOP).cloned()).collect()
    }

    pub(super) fn outcome_with(
        &self,
        leaderboard: Vec<Standing>,
        yours: Option<Standing>,
    ) -> QuizOutcome {
        QuizOutcome {
            quiz_id: self.quiz_id.unwrap_or_default(),
            title: self.state.last_quiz_title.clone().unwrap_or_default(),
            leaderboard,
            yours,
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
