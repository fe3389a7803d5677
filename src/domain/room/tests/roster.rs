//! Joins, rejoins, bans and kicks; the roster limit; the sweep after a reload.

use uuid::Uuid;

use super::{join, online, room, room_with, stamp};
use crate::domain::events::{LeaveReason, RoomEvent};
use crate::domain::protocol::ErrorCode;
use crate::domain::protocol::Headcount;
use crate::domain::room::{Command, Eviction, Outcome, RoomLimits, RoomResult, Sender};

#[test]
fn a_join_seats_the_participant_and_announces_them() {
    let mut room = room(10);
    let (id, outcome) = room
        .join(None, Some(" Zoé "), Some("Durand"), Uuid::from_u128(7))
        .unwrap();
    assert_eq!(id, Uuid::from_u128(7));
    assert!(online(&room, id));
    assert!(matches!(
        &outcome.events[..],
        [RoomEvent::ParticipantJoined { first_name, rejoin: false, .. }] if first_name == "Zoé"
    ));
    let state = room.welcome_state(Sender::Trainer, 0);
    assert_eq!(state.participants.len(), 1);
    assert!(state.participants[0].online);
}

#[test]
fn a_resume_brings_back_the_same_seat() {
    let mut room = room(10);
    let id = join(&mut room, "Zoé", 7);
    room.leave(id, LeaveReason::Closed).unwrap();
    assert!(!online(&room, id));
    let (again, outcome) = room.join(Some(id), None, None, Uuid::from_u128(8)).unwrap();
    assert_eq!(again, id);
    assert!(matches!(
        &outcome.events[..],
        [RoomEvent::ParticipantJoined { rejoin: true, .. }]
    ));
    assert_eq!(room.participant_count(), 1);
}

#[test]
fn joins_are_refused_with_their_codes() {
    let mut room = room(1);
    let code = |r: RoomResult<(Uuid, Outcome)>| r.unwrap_err().code;
    assert_eq!(
        code(room.join(None, Some(""), Some("D"), Uuid::from_u128(9))),
        ErrorCode::BadMessage
    );
    assert_eq!(
        code(room.join(None, Some("a\u{1}"), Some("D"), Uuid::from_u128(9))),
        ErrorCode::BadMessage
    );
    assert_eq!(
        code(room.join(None, None, None, Uuid::from_u128(9))),
        ErrorCode::BadMessage
    );
    let first = join(&mut room, "Zoé", 7);
    assert_eq!(
        code(room.join(None, Some("Léo"), Some("D"), Uuid::from_u128(9))),
        ErrorCode::RoomFull
    );
    room.decide(Sender::Trainer, Command::Lock, stamp(1))
        .unwrap();
    assert_eq!(
        code(room.join(None, Some("Léo"), Some("D"), Uuid::from_u128(9))),
        ErrorCode::RoomLocked
    );
    assert!(
        room.join(Some(first), None, None, Uuid::from_u128(9))
            .is_ok(),
        "a locked room takes back its own"
    );
}

#[test]
fn a_ban_refuses_the_seat_and_the_name() {
    let mut room = room(10);
    let id = join(&mut room, "Zoé", 7);
    let outcome = room
        .decide(
            Sender::Trainer,
            Command::Kick {
                participant_id: id,
                ban: true,
            },
            stamp(1),
        )
        .unwrap();
    assert_eq!(outcome.evict, Some((id, Eviction::Banned)));
    assert_eq!(
        room.join(Some(id), None, None, Uuid::from_u128(8))
            .unwrap_err()
            .code,
        ErrorCode::Banned
    );
    let again = room.join(None, Some("ZOÉ"), Some("durand"), Uuid::from_u128(8));
    assert_eq!(again.unwrap_err().code, ErrorCode::Banned);
    assert!(
        room.welcome_state(Sender::Trainer, 0)
            .participants
            .is_empty()
    );
}

#[test]
fn a_kick_lets_them_come_back() {
    let mut room = room(10);
    let id = join(&mut room, "Zoé", 7);
    let outcome = room
        .decide(
            Sender::Trainer,
            Command::Kick {
                participant_id: id,
                ban: false,
            },
            stamp(1),
        )
        .unwrap();
    assert_eq!(outcome.evict, Some((id, Eviction::Kicked)));
    assert!(room.join(Some(id), None, None, Uuid::from_u128(8)).is_ok());
}

#[test]
fn past_the_roster_limit_arrivals_and_departures_go_to_trainers_only() {
    let mut room = room_with(RoomLimits {
        max_participants: 10,
        roster_limit: 1,
    });
    let (zoe, outcome) = room
        .join(None, Some("Zoé"), Some("Durand"), Uuid::from_u128(7))
        .unwrap();
    assert!(!room.crowded());
    assert_eq!((outcome.broadcast.len(), outcome.to_trainers.len()), (1, 0));
    let (leo, outcome) = room
        .join(None, Some("Léo"), Some("Petit"), Uuid::from_u128(8))
        .unwrap();
    assert!(room.crowded());
    assert_eq!((outcome.broadcast.len(), outcome.to_trainers.len()), (0, 1));
    assert_eq!(
        outcome.events.len(),
        1,
        "the arrival is recorded all the same"
    );

    let seen = room.welcome_state(Sender::Participant(leo), 0);
    assert_eq!(seen.participants.len(), 1);
    assert_eq!(seen.participants[0].participant_id, leo);
    assert_eq!(
        seen.headcount,
        Headcount {
            online: 2,
            seats: 2
        }
    );
    assert_eq!(room.welcome_state(Sender::Trainer, 0).participants.len(), 2);

    let outcome = room.leave(zoe, LeaveReason::Closed).unwrap();
    assert_eq!((outcome.broadcast.len(), outcome.to_trainers.len()), (0, 1));
    let outcome = room
        .decide(
            Sender::Trainer,
            Command::Kick {
                participant_id: leo,
                ban: true,
            },
            stamp(1),
        )
        .unwrap();
    assert_eq!((outcome.broadcast.len(), outcome.to_trainers.len()), (0, 1));
    assert_eq!(
        room.headcount(),
        Headcount {
            online: 0,
            seats: 2
        }
    );
}

#[test]
fn after_a_reload_those_present_before_who_did_not_come_back_are_swept_as_timed_out() {
    let mut before = room(10);
    let zoe = join(&mut before, "Zoé", 7);
    let leo = join(&mut before, "Léo", 8);
    // A crash: the next room starts from the same state, nobody online yet.
    let mut after = room(10);
    after.state = before.state.clone();
    for (i, seat) in after.state.participants.iter().enumerate() {
        after.seats.insert(seat.participant_id, i);
    }
    assert!(after.mark_online(zoe));
    let outcome = after.sweep_absent().unwrap();
    assert!(matches!(
        &outcome.events[..],
        [RoomEvent::ParticipantLeft { participant_id, reason: LeaveReason::Timeout, .. }] if *participant_id == leo
    ));
    assert_eq!(
        after.state.present.iter().copied().collect::<Vec<_>>(),
        [zoe]
    );
    assert!(after.sweep_absent().is_none(), "once");
}

#[test]
fn a_participants_drawing_goes_off_and_on_as_events_only_the_trainer_makes() {
    let mut room = room(10);
    let id = join(&mut room, "Zoé", 7);
    let set = |allowed| Command::SetDrawing {
        participant_id: id,
        allowed,
    };
    let refused = room.decide(Sender::Participant(id), set(false), stamp(1));
    assert_eq!(refused.unwrap_err().code, ErrorCode::Forbidden);

    let outcome = room.decide(Sender::Trainer, set(false), stamp(2)).unwrap();
    assert!(matches!(
        &outcome.events[..],
        [RoomEvent::ParticipantDrawingChanged { allowed: false, participant_id }] if *participant_id == id
    ));
    assert!(room.state.drawing_off.contains(&id));
    let again = room.decide(Sender::Trainer, set(false), stamp(3)).unwrap();
    assert!(again.events.is_empty(), "already off: nothing to record");

    let on = room.decide(Sender::Trainer, set(true), stamp(4)).unwrap();
    assert_eq!(on.events.len(), 1);
    assert!(room.state.drawing_off.is_empty());

    let stranger = Command::SetDrawing {
        participant_id: Uuid::from_u128(99),
        allowed: false,
    };
    let unknown = room.decide(Sender::Trainer, stranger, stamp(5));
    assert_eq!(unknown.unwrap_err().code, ErrorCode::NotFound);
}
