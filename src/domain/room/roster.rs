//! Who sits in the room: joins and rejoins, leaves, kicks and bans, the sweep after a reload,
//! who is online, and who is told of arrivals and departures.

use uuid::Uuid;

use super::state::{Seat, ban_key};
use super::{Eviction, LiveRoom, Outcome, RoomError, RoomResult};
use crate::domain::events::{LeaveReason, RoomEvent};
use crate::domain::names::{fold, parse_person_name};
use crate::domain::protocol::{ErrorCode, Headcount, PersonView, Role, ServerMessage};

impl LiveRoom {
    /// Marks a seated, unbanned participant online without recording anything (a room that
    /// reloaded finds them still connected); `false` if there is no such seat.
    pub fn mark_online(&mut self, id: Uuid) -> bool {
        let seated = self.seat(id).is_some_and(|s| !s.banned);
        if seated {
            self.online.insert(id);
        }
        seated
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
                    ErrorCode::Banned,
                    "you were banned from this session",
                ));
            }
            let id = seat.participant_id;
            return Ok((id, self.seat_online(id, true)));
        }
        let (Some(first), Some(last)) = (first_name, last_name) else {
            return Err(RoomError::new(
                ErrorCode::BadMessage,
                "give first_name and last_name (or a valid resume_token)",
            ));
        };
        let first = parse_person_name(first)
            .map_err(|m| RoomError::new(ErrorCode::BadMessage, format!("first_name {m}")))?;
        let last = parse_person_name(last)
            .map_err(|m| RoomError::new(ErrorCode::BadMessage, format!("last_name {m}")))?;
        if self.state.locked {
            return Err(RoomError::new(
                ErrorCode::RoomLocked,
                "the trainer has locked this session: no new participants",
            ));
        }
        // Keys checkpointed before names were accent-folded are folded here too.
        let key = ban_key(&first, &last);
        if (self.state.banned_names.iter()).any(|banned| *banned == key || fold(banned) == key) {
            return Err(RoomError::new(
                ErrorCode::Banned,
                "you were banned from this session",
            ));
        }
        if self.state.participants.len() >= self.limits.max_participants {
            return Err(RoomError::new(
                ErrorCode::RoomFull,
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

    /// The trainer's switch of a participant's drawing: an event if it changes anything; the
    /// room's canvas, told of it once saved, reconnects their canvas with its new access.
    pub(super) fn set_drawing(
        &mut self,
        participant_id: Uuid,
        allowed: bool,
    ) -> RoomResult<Outcome> {
        if self.seat(participant_id).is_none() {
            return Err(RoomError::new(
                ErrorCode::NotFound,
                "no such participant in this session",
            ));
        }
        let allowed_now = !self.state.drawing_off.contains(&participant_id);
        if allowed_now == allowed {
            return Ok(Outcome::default());
        }
        let event = RoomEvent::ParticipantDrawingChanged {
            participant_id,
            allowed,
        };
        self.evolve(&event, 0);
        Ok(Outcome {
            events: vec![event],
            ..Outcome::default()
        })
    }

    pub(super) fn kick(&mut self, participant_id: Uuid, ban: bool) -> RoomResult<Outcome> {
        let Some(seat) = self.seat(participant_id).cloned() else {
            return Err(RoomError::new(
                ErrorCode::NotFound,
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

    pub(super) fn person_view(&self, seat: &Seat) -> PersonView {
        PersonView {
            participant_id: seat.participant_id,
            first_name: seat.first_name.clone(),
            last_name: seat.last_name.clone(),
            role: Role::Participant,
            online: self.online.contains(&seat.participant_id),
        }
    }
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
