//! A live room as a state machine: commands in, events and messages out.
//!
//! `LiveRoom` holds what the room is at instant t. Each command is first *decided* (checked
//! against the rules, turned into events and messages), then its events are *applied* with
//! `evolve`, the same function that replays stored events after a restart. No clock, socket or
//! database here: the caller passes `now` and fresh ids, stores the events, and delivers the
//! messages once the events are committed.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::{EndReason, LeaveReason, PageRef, RoomEvent, ScoreLine};
use super::live_quiz::QuizSheet;
use super::names::{parse_person_name, parse_room_name};
use super::protocol::{ChatLine, Headcount, PersonView, Role, ServerMessage, WelcomeState};
use super::quiz::Answer;
use super::room::{Navigation, ParamsPatch, RoomParams, RoomState, Seat, Switch};

/// How many chat messages a room keeps in memory (and sends in `welcome`).
pub const CHAT_HISTORY: usize = 100;
pub const MAX_CHAT_CHARS: usize = 1_000;
/// Chat flood guard per participant: at most this many messages per window.
const CHAT_BURST: usize = 5;
const CHAT_WINDOW_MS: i64 = 10_000;

/// Who sent a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Trainer,
    Participant(Uuid),
}

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
    QuizStart {
        quiz: Box<QuizSheet>,
    },
    QuizNext,
    QuizClose,
    QuizReveal,
    QuizEnd,
    /// `received_at`: when the server read the frame (not when the room got round to it).
    QuizAnswer {
        question_id: String,
        answer: Answer,
        received_at: i64,
    },
}

/// A refusal, with the protocol's error code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RoomError {
    pub code: &'static str,
    pub message: String,
}

impl RoomError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

pub type RoomResult<T> = Result<T, RoomError>;

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

/// Why a participant's connection is to be closed by the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    Kicked,
    Banned,
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

/// What a decided command asks of the world, all of it after its events are committed.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub events: Vec<RoomEvent>,
    /// To every connection, the sender's included.
    pub broadcast: Vec<ServerMessage>,
    /// To the trainer's connections only.
    pub to_trainers: Vec<ServerMessage>,
    /// To every participant, not the trainer.
    pub to_participants: Vec<ServerMessage>,
    /// To one participant each.
    pub to_each: Vec<(Uuid, ServerMessage)>,
    /// What confirms the command to its sender, when more than a plain `ack`.
    pub reply: Option<ServerMessage>,
    pub chat_insert: Option<ChatMessage>,
    pub chat_delete: Option<Uuid>,
    /// A participant to tell (`kicked`) and disconnect.
    pub evict: Option<(Uuid, Eviction)>,
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
    /// The quiz last started (`rooms.quiz_id`) and the final scores of the last one ended
    /// (`rooms.quiz_scores`).
    pub quiz_id: Option<Uuid>,
    pub quiz_scores: Vec<ScoreLine>,
    pub params: RoomParams,
    pub state: RoomState,
    /// Participants with an open connection.
    online: HashSet<Uuid>,
    /// Whether those online are those present for the open question. Not after a reload
    /// (a restart, a crash): everyone is reconnecting, and the first few back must not close
    /// the question on the others, so it waits for all who were present before (or for its
    /// time limit, or the trainer). The next question opens with whoever is back.
    pub(super) presence_known: bool,
    /// Seat index by participant id, into `state.participants`.
    seats: HashMap<Uuid, usize>,
    chat: VecDeque<ChatMessage>,
    /// Recent chat times per participant, for the flood guard.
    chat_times: HashMap<Uuid, VecDeque<i64>>,
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
            params,
            state,
            online: HashSet::new(),
            presence_known: false,
            seats,
            chat: chat.into_iter().skip(skip).collect(),
            chat_times: HashMap::new(),
            limits,
        }
    }

    /// The seat of a joined participant.
    pub(super) fn seat_of(&self, id: Uuid) -> &Seat {
        self.seat(id).expect("joined participants have a seat")
    }

    fn seat(&self, id: Uuid) -> Option<&Seat> {
        self.seats.get(&id).map(|&i| &self.state.participants[i])
    }

    /// Marks a seated, unbanned participant online without recording anything (a room that
    /// reloaded finds them still connected); `false` if there is no such seat.
    pub fn mark_online(&mut self, id: Uuid) -> bool {
        let seated = self.seat(id).is_some_and(|s| !s.banned);
        if seated {
            self.online.insert(id);
        }
        seated
    }

    /// Whether the seat `id` was banned (a banned participant's token opens nothing).
    pub fn is_banned(&self, id: Uuid) -> bool {
        self.seat(id).is_some_and(|s| s.banned)
    }

    pub fn has_seat(&self, id: Uuid) -> bool {
        self.seats.contains_key(&id)
    }

    pub fn is_online(&self, id: Uuid) -> bool {
        self.online.contains(&id)
    }

    pub fn online_count(&self) -> usize {
        self.online.len()
    }

    /// Participants with an open connection, without a copy.
    pub(super) fn online_ids(&self) -> impl ExactSizeIterator<Item = &Uuid> {
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

    pub fn headcount(&self) -> Headcount {
        Headcount {
            online: self.online.len(),
            seats: self.state.participants.len(),
        }
    }

    /// Past its roster limit: arrivals and departures go to trainers only.
    pub fn crowded(&self) -> bool {
        self.state.participants.len() > self.limits.roster_limit
    }

    /// An arrival or departure: to everyone in a class, to trainers in a crowd.
    fn presence(&self, message: ServerMessage) -> Outcome {
        if self.crowded() {
            Outcome {
                to_trainers: vec![message],
                ..Outcome::default()
            }
        } else {
            Outcome {
                broadcast: vec![message],
                ..Outcome::default()
            }
        }
    }

    fn ban_key(first: &str, last: &str) -> String {
        format!("{} {}", first.to_lowercase(), last.to_lowercase())
    }

    /// Seats a participant: back in their seat with a verified `resume` id, else in a new one
    /// (`new_id`) under the names given. Returns the seat's id and whether it is a rejoin.
    pub fn join(
        &mut self,
        resume: Option<Uuid>,
        first_name: Option<&str>,
        last_name: Option<&str>,
        new_id: Uuid,
    ) -> RoomResult<(Uuid, Outcome)> {
        if let Some(seat) = resume.and_then(|id| self.seat(id)) {
            if seat.banned {
                return Err(RoomError::new(
                    "banned",
                    "you were banned from this session",
                ));
            }
            let id = seat.participant_id;
            return Ok((id, self.seat_online(id, true)));
        }
        let (Some(first), Some(last)) = (first_name, last_name) else {
            return Err(RoomError::new(
                "bad_message",
                "give first_name and last_name (or a valid resume_token)",
            ));
        };
        let first = parse_person_name(first)
            .map_err(|m| RoomError::new("bad_message", format!("first_name {m}")))?;
        let last = parse_person_name(last)
            .map_err(|m| RoomError::new("bad_message", format!("last_name {m}")))?;
        if self.state.locked {
            return Err(RoomError::new(
                "room_locked",
                "the trainer has locked this session: no new participants",
            ));
        }
        if self
            .state
            .banned_names
            .contains(&Self::ban_key(&first, &last))
        {
            return Err(RoomError::new(
                "banned",
                "you were banned from this session",
            ));
        }
        if self.state.participants.len() >= self.limits.max_participants {
            return Err(RoomError::new(
                "room_full",
                format!(
                    "this session is full ({} participants)",
                    self.limits.max_participants
                ),
            ));
        }
        self.seats.insert(new_id, self.state.participants.len());
        self.state.participants.push(Seat {
            participant_id: new_id,
            first_name: first,
            last_name: last,
            banned: false,
        });
        Ok((new_id, self.seat_online(new_id, false)))
    }

    fn seat_online(&mut self, id: Uuid, rejoin: bool) -> Outcome {
        self.online.insert(id);
        let seat = self.seat(id).expect("seated").clone();
        let event = RoomEvent::ParticipantJoined {
            participant_id: id,
            first_name: seat.first_name.clone(),
            last_name: seat.last_name.clone(),
            rejoin,
        };
        self.evolve(&event, 0);
        let message = ServerMessage::ParticipantJoined {
            participant: self.person_view(&seat),
            rejoin,
        };
        Outcome {
            events: vec![event],
            ..self.presence(message)
        }
    }

    /// After a reload, those the events still show present but who did not come back within
    /// the heartbeat timeout: they left when the server went (`timeout`), so that the open
    /// question stops waiting for them and the report does not keep them to the end.
    pub fn sweep_absent(&mut self) -> Option<Outcome> {
        let absent: Vec<Uuid> = (self.state.present.iter())
            .filter(|id| !self.online.contains(id))
            .copied()
            .collect();
        if absent.is_empty() {
            return None;
        }
        let mut outcome = Outcome::default();
        for id in absent {
            let Some(seat) = self.seat(id).cloned() else {
                continue;
            };
            let event = left_event(&seat, LeaveReason::Timeout);
            self.evolve(&event, 0);
            outcome.events.push(event);
            let told = self.presence(left_message(&seat, LeaveReason::Timeout));
            outcome.broadcast.extend(told.broadcast);
            outcome.to_trainers.extend(told.to_trainers);
        }
        self.close_if_all_answered(&mut outcome);
        Some(outcome)
    }

    /// A participant's connection is gone; `None` if they were not online.
    pub fn leave(&mut self, id: Uuid, reason: LeaveReason) -> Option<Outcome> {
        if !self.online.remove(&id) {
            return None;
        }
        let seat = self.seat(id)?.clone();
        let event = left_event(&seat, reason);
        self.evolve(&event, 0);
        let mut outcome = Outcome {
            events: vec![event],
            ..self.presence(left_message(&seat, reason))
        };
        // Those still here may all have answered the open question now.
        self.close_if_all_answered(&mut outcome);
        Some(outcome)
    }

    /// Checks and turns a command into what must happen; the state changes in `evolve`.
    pub fn decide(
        &mut self,
        sender: Sender,
        command: Command,
        stamp: (Uuid, i64),
    ) -> RoomResult<Outcome> {
        let trainer_only = !matches!(
            command,
            Command::ChatSend { .. } | Command::SetPage { .. } | Command::QuizAnswer { .. }
        );
        if trainer_only && sender != Sender::Trainer {
            return Err(forbidden());
        }
        // Only a seat in the room speaks: not a stranger, nor one removed earlier in the
        // burst this command is decided in (its connection closes once the removal is saved).
        if let Sender::Participant(id) = sender
            && !self.online.contains(&id)
        {
            return Err(RoomError::new(
                "forbidden",
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
                Sender::Trainer => Err(RoomError::new("forbidden", "the trainer does not answer")),
            },
            Command::Kick {
                participant_id,
                ban,
            } => self.kick(participant_id, ban),
            Command::ChatDelete { message_id } => {
                let Some(at) = self.chat.iter().position(|m| m.id == message_id) else {
                    return Err(RoomError::new("not_found", "no such chat message"));
                };
                self.chat.remove(at);
                Ok(Outcome {
                    broadcast: vec![ServerMessage::ChatDeleted { message_id }],
                    chat_delete: Some(message_id),
                    ..Outcome::default()
                })
            }
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
                RoomError::new("not_found", format!("no page `{page_id}` in this capsule"))
            })
    }

    fn set_page(&self, sender: Sender, page_id: &str) -> RoomResult<Outcome> {
        if sender == Sender::Trainer {
            return Err(RoomError::new(
                "forbidden",
                "the trainer moves everyone with goto_page",
            ));
        }
        if self.params.navigation != Navigation::Free {
            return Err(RoomError::new(
                "forbidden",
                "navigation follows the trainer; free navigation is off",
            ));
        }
        self.page(page_id)?;
        Ok(Outcome::default())
    }

    fn chat_send(
        &mut self,
        sender: Sender,
        text: String,
        stamp: (Uuid, i64),
    ) -> RoomResult<Outcome> {
        let text = text.trim();
        if text.is_empty() {
            return Err(RoomError::new(
                "bad_message",
                "a chat message needs some text",
            ));
        }
        // PostgreSQL stores no NUL: one would fail the room's whole batch.
        if text.contains('\0') {
            return Err(RoomError::new(
                "bad_message",
                "a chat message may not contain the NUL character",
            ));
        }
        if text.chars().count() > MAX_CHAT_CHARS {
            return Err(RoomError::new(
                "too_large",
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
                        "chat_off",
                        "the trainer has turned the chat off",
                    ));
                }
                let times = self.chat_times.entry(pid).or_default();
                while times.front().is_some_and(|t| now - t >= CHAT_WINDOW_MS) {
                    times.pop_front();
                }
                if times.len() >= CHAT_BURST {
                    return Err(RoomError::new(
                        "rate_limited",
                        format!(
                            "at most {CHAT_BURST} chat messages every {} seconds",
                            CHAT_WINDOW_MS / 1000
                        ),
                    ));
                }
                times.push_back(now);
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

    fn kick(&mut self, participant_id: Uuid, ban: bool) -> RoomResult<Outcome> {
        let Some(seat) = self.seat(participant_id).cloned() else {
            return Err(RoomError::new(
                "not_found",
                "no such participant in this session",
            ));
        };
        let online = self.online.remove(&participant_id);
        let reason = if ban {
            LeaveReason::Banned
        } else {
            LeaveReason::Kicked
        };
        // A ban is recorded even for an absent participant: the event is what bans on replay.
        if !online && !ban {
            return Ok(Outcome::default());
        }
        let event = left_event(&seat, reason);
        self.evolve(&event, 0);
        let eviction = if ban {
            Eviction::Banned
        } else {
            Eviction::Kicked
        };
        let mut outcome = Outcome {
            events: vec![event],
            evict: online.then_some((participant_id, eviction)),
            ..self.presence(left_message(&seat, reason))
        };
        // The one removed may have been the last who had not answered.
        self.close_if_all_answered(&mut outcome);
        Ok(outcome)
    }

    /// The event of a rename to `name`, `None` if the room has that name already. The
    /// caller applies it once the database has accepted the name (only it knows the names
    /// of other rooms).
    pub fn rename(&self, name: &str) -> RoomResult<Option<RoomEvent>> {
        let name = parse_room_name(name)
            .map_err(|m| RoomError::new("bad_message", format!("name {m}")))?;
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
                    let key = Self::ban_key(first_name, last_name);
                    if !self.state.banned_names.contains(&key) {
                        self.state.banned_names.push(key);
                    }
                }
            }
            RoomEvent::PageChanged { page_id, .. } => self.state.page_id = Some(page_id.clone()),
            RoomEvent::ParamsChanged { params, .. } => self.params = *params,
            RoomEvent::RoomLocked {} => self.state.locked = true,
            RoomEvent::RoomUnlocked {} => self.state.locked = false,
            RoomEvent::QuizStarted { .. }
            | RoomEvent::QuizQuestionOpened { .. }
            | RoomEvent::QuizAnswered { .. }
            | RoomEvent::QuizQuestionClosed { .. }
            | RoomEvent::QuizResultsRevealed { .. }
            | RoomEvent::QuizEnded { .. } => self.evolve_quiz(event, at),
            _ => {}
        }
    }

    fn person_view(&self, seat: &Seat) -> PersonView {
        PersonView {
            participant_id: seat.participant_id,
            first_name: seat.first_name.clone(),
            last_name: seat.last_name.clone(),
            role: Role::Participant,
            online: self.online.contains(&seat.participant_id),
        }
    }

    /// Everything a client needs on (re)connection, sent at `now`.
    pub fn welcome_state(&self, sender: Sender, now: i64) -> WelcomeState {
        let (activity, score, answers) = self.quiz_welcome(sender, now);
        WelcomeState {
            name: self.name.clone(),
            capsule: super::protocol::CapsuleView {
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
}

fn forbidden() -> RoomError {
    RoomError::new("forbidden", "only the trainer may do this")
}

fn left_event(seat: &Seat, reason: LeaveReason) -> RoomEvent {
    RoomEvent::ParticipantLeft {
        participant_id: seat.participant_id,
        first_name: seat.first_name.clone(),
        last_name: seat.last_name.clone(),
        reason,
    }
}

fn left_message(seat: &Seat, reason: LeaveReason) -> ServerMessage {
    ServerMessage::ParticipantLeft {
        participant_id: seat.participant_id,
        first_name: seat.first_name.clone(),
        last_name: seat.last_name.clone(),
        reason,
    }
}

impl From<&ChatMessage> for ChatLine {
    fn from(m: &ChatMessage) -> Self {
        ChatLine {
            id: m.id,
            participant_id: m.participant_id,
            author_name: m.author_name.clone(),
            text: m.text.clone(),
            at: super::rfc3339(m.created_at),
        }
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
