//! A live room as a state machine: commands in, events and messages out.
//!
//! `LiveRoom` holds what the room is at instant t. Each command is first *decided* (checked
//! against the rules, turned into events and messages), then its events are *applied* with
//! `evolve`, the same function that replays stored events after a restart. No clock, socket or
//! database here: the caller passes `now` and fresh ids, stores the events, and delivers the
//! messages once the events are committed.
//!
//! The room's files, each using only this one and those listed before it (this one holds
//! `LiveRoom`, what it is built from and its small accessors, and uses only `params` and
//! `state`):
//!
//! - `params`: the settings (`rooms.params`) and their patch;
//! - `state`: seats, bans and the quiz run (`rooms.state`);
//! - `outcome`: who sends, what a decision yields (`Outcome`) or why it is refused;
//! - `evolve`: the one place events change the state, on decision and on replay;
//! - `standings`: the quiz's ranking, live and final;
//! - `quiz_run`: the quiz's decisions (start, open, answer, close, reveal, end, time up);
//! - `chat`: sending and deleting chat messages, and the flood guard;
//! - `roster`: joins, leaves, kicks and bans, who is online, who is told of it;
//! - `decide`: the commands and their dispatch, pages, params, lock, rename, end;
//! - `incoming`: a client's message read into what it asks of the room;
//! - `view`: what a client is shown on (re)connection (`welcome`).

mod chat;
mod cloud;
mod decide;
mod evolve;
mod incoming;
mod outcome;
mod params;
mod qa;
mod quiz_run;
mod reacting;
mod roster;
mod standings;
mod state;
mod throttle;
mod view;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use cloud::CloudCommand;
pub use decide::Command;
pub use incoming::Incoming;
pub use outcome::{Eviction, Outcome, Personal, RoomError, RoomResult, Sender, Yours};
pub use params::{Collaboration, Navigation, ParamsPatch, Qa, RoomParams, Switch};
pub use qa::QaCommand;
pub use quiz_run::QuizSheet;
pub use state::{AnswerRecord, Phase, QaQuestion, QaStatus, QuizRun, RoomState, Seat};

use super::events::{PageRef, ScoreLine};
use super::protocol::Standing;
use super::reactions::Tally;
use chat::{CHAT_BURST, CHAT_WINDOW_MS};
use reacting::{REACTION_BURST, REACTION_WINDOW_MS};
use throttle::Throttle;

/// How many chat messages a room keeps in memory (and sends in `welcome`).
pub const CHAT_HISTORY: usize = 100;

/// How many people a room seats, and how many it names to each participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomLimits {
    /// Seats per room: participants who joined, online or not.
    pub max_participants: usize,
    /// Up to this many seats every participant is told of every arrival and departure and
    /// their `welcome` lists everyone. Beyond, only trainers are; participants get the head
    /// count. (Each member of a crowd told of every other member is n² frames: at 10,000, a
    /// hundred million.)
    pub roster_limit: usize,
}

/// A chat message, as kept in memory and in `chat_messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: Uuid,
    pub created_at: i64,
    pub participant_id: Uuid,
    pub author_name: String,
    pub text: String,
}

/// The fixed facts of a session, read from its `session_started` event and its row.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomFacts {
    pub id: Uuid,
    pub trainer_id: Uuid,
    pub trainer_name: String,
    pub created_at: i64,
    pub capsule_id: Uuid,
    pub capsule_title: String,
    pub pages: Vec<PageRef>,
}

#[derive(Debug, Clone)]
pub struct LiveRoom {
    pub facts: RoomFacts,
    pub name: String,
    /// The quiz last started (`rooms.quiz_id`).
    pub quiz_id: Option<Uuid>,
    /// The final scores of the quiz ended last (`rooms.quiz_scores`), set with
    /// `set_quiz_scores`.
    quiz_scores: Vec<ScoreLine>,
    /// The same, ranked once: every `welcome` until the next quiz shows them.
    final_standings: Vec<Standing>,
    pub params: RoomParams,
    pub state: RoomState,
    /// Participants with an open connection.
    online: HashSet<Uuid>,
    /// Whether those online are those present for the open question. Not after a reload
    /// (a restart, a crash): everyone is reconnecting, and the first few back must not close
    /// the question on the others, so it waits for all who were present before (or for its
    /// time limit, or the trainer). The next question opens with whoever is back.
    presence_known: bool,
    /// Seat index by participant id, into `state.participants`.
    seats: HashMap<Uuid, usize>,
    chat: VecDeque<ChatMessage>,
    /// Recent chat times per participant, for the flood guard.
    chat_times: Throttle,
    /// Reactions since the room's task started (not room state: a tap is not an event).
    reactions: Tally,
    reaction_taps: Throttle,
    /// Who has not seen the word cloud as it is now (it is sent a few times a second).
    cloud_unseen: cloud::CloudUnseen,
    /// Who has not seen the questions from the class as they are now.
    qa_unseen: qa::QaUnseen,
    qa_asks: Throttle,
    limits: RoomLimits,
}

impl LiveRoom {
    pub fn new(
        facts: RoomFacts,
        name: String,
        params: RoomParams,
        state: RoomState,
        chat: Vec<ChatMessage>,
        limits: RoomLimits,
    ) -> Self {
        let seats = state
            .participants
            .iter()
            .enumerate()
            .map(|(i, s)| (s.participant_id, i))
            .collect();
        let skip = chat.len().saturating_sub(CHAT_HISTORY);
        Self {
            facts,
            name,
            quiz_id: None,
            quiz_scores: Vec::new(),
            final_standings: Vec::new(),
            params,
            state,
            online: HashSet::new(),
            presence_known: false,
            seats,
            chat: chat.into_iter().skip(skip).collect(),
            chat_times: Throttle::new(CHAT_BURST, CHAT_WINDOW_MS),
            reactions: Tally::default(),
            reaction_taps: Throttle::new(REACTION_BURST, REACTION_WINDOW_MS),
            cloud_unseen: Default::default(),
            qa_unseen: Default::default(),
            qa_asks: Self::qa_throttle(),
            limits,
        }
    }

    /// The seat of a joined participant.
    fn seat_of(&self, id: Uuid) -> &Seat {
        self.seat(id).expect("joined participants have a seat")
    }

    fn seat(&self, id: Uuid) -> Option<&Seat> {
        self.seats.get(&id).map(|&i| &self.state.participants[i])
    }

    /// Whether the seat `id` was banned (a banned participant's token opens nothing).
    pub fn is_banned(&self, id: Uuid) -> bool {
        self.seat(id).is_some_and(|s| s.banned)
    }

    pub fn has_seat(&self, id: Uuid) -> bool {
        self.seats.contains_key(&id)
    }

    pub fn online_count(&self) -> usize {
        self.online.len()
    }

    /// Participants with an open connection, without a copy.
    fn online_ids(&self) -> impl ExactSizeIterator<Item = &Uuid> {
        self.online.iter()
    }

    /// Participants with an open connection, for closing them all at the end.
    pub fn online_participants(&self) -> Vec<Uuid> {
        self.online.iter().copied().collect()
    }

    /// Seats ever taken in this session.
    pub fn participant_count(&self) -> usize {
        self.state.participants.len()
    }
}
