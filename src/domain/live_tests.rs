use proptest::prelude::*;

use super::*;
use crate::domain::room::Collaboration;

fn pages() -> Vec<PageRef> {
    ["Introduction", "Les bases", "Exercice"]
        .iter()
        .enumerate()
        .map(|(i, name)| PageRef {
            id: format!("page:{i}"),
            name: (*name).to_owned(),
        })
        .collect()
}

fn room(max_participants: usize) -> LiveRoom {
    room_with(RoomLimits {
        max_participants,
        roster_limit: 200,
    })
}

fn room_with(limits: RoomLimits) -> LiveRoom {
    let facts = RoomFacts {
        id: Uuid::from_u128(1),
        trainer_id: Uuid::from_u128(2),
        trainer_name: "Ana Martin".into(),
        created_at: 0,
        capsule_id: Uuid::from_u128(3),
        capsule_title: "Atelier".into(),
        pages: pages(),
    };
    let state = RoomState {
        page_id: Some("page:0".into()),
        ..RoomState::default()
    };
    LiveRoom::new(
        facts,
        "atelier".into(),
        RoomParams::default(),
        state,
        Vec::new(),
        limits,
    )
}

fn stamp(n: u128) -> (Uuid, i64) {
    (Uuid::from_u128(1_000 + n), n as i64 * 1_000)
}

fn join(room: &mut LiveRoom, first: &str, id: u128) -> Uuid {
    room.join(None, Some(first), Some("Durand"), Uuid::from_u128(id))
        .unwrap()
        .0
}

#[test]
fn a_join_seats_the_participant_and_announces_them() {
    let mut room = room(10);
    let (id, outcome) = room
        .join(None, Some(" Zoé "), Some("Durand"), Uuid::from_u128(7))
        .unwrap();
    assert_eq!(id, Uuid::from_u128(7));
    assert!(room.is_online(id));
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
    assert!(!room.is_online(id));
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
        "bad_message"
    );
    assert_eq!(
        code(room.join(None, Some("a\u{1}"), Some("D"), Uuid::from_u128(9))),
        "bad_message"
    );
    assert_eq!(
        code(room.join(None, None, None, Uuid::from_u128(9))),
        "bad_message"
    );
    let first = join(&mut room, "Zoé", 7);
    assert_eq!(
        code(room.join(None, Some("Léo"), Some("D"), Uuid::from_u128(9))),
        "room_full"
    );
    room.decide(Sender::Trainer, Command::Lock, stamp(1))
        .unwrap();
    assert_eq!(
        code(room.join(None, Some("Léo"), Some("D"), Uuid::from_u128(9))),
        "room_locked"
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
        "banned"
    );
    let again = room.join(None, Some("ZOÉ"), Some("durand"), Uuid::from_u128(8));
    assert_eq!(again.unwrap_err().code, "banned");
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
fn participants_cannot_use_trainer_commands() {
    let mut room = room(10);
    let id = join(&mut room, "Zoé", 7);
    let commands = [
        Command::GotoPage {
            page_id: "page:1".into(),
        },
        Command::SetParams {
            params: ParamsPatch::default(),
        },
        Command::Lock,
        Command::Unlock,
        Command::Kick {
            participant_id: id,
            ban: true,
        },
        Command::ChatDelete {
            message_id: Uuid::nil(),
        },
    ];
    for command in commands {
        let error = room
            .decide(Sender::Participant(id), command, stamp(1))
            .unwrap_err();
        assert_eq!(error.code, "forbidden");
    }
}

#[test]
fn free_navigation_is_personal_and_follow_mode_forbids_it() {
    let mut room = room(10);
    let id = join(&mut room, "Zoé", 7);
    let set_page = || Command::SetPage {
        page_id: "page:2".into(),
    };
    assert_eq!(
        room.decide(Sender::Participant(id), set_page(), stamp(1))
            .unwrap_err()
            .code,
        "forbidden"
    );
    let free = ParamsPatch {
        navigation: Some(Navigation::Free),
        ..ParamsPatch::default()
    };
    room.decide(
        Sender::Trainer,
        Command::SetParams { params: free },
        stamp(2),
    )
    .unwrap();
    let outcome = room
        .decide(Sender::Participant(id), set_page(), stamp(3))
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::default(),
        "nothing is recorded nor broadcast"
    );
    assert_eq!(room.state.page_id.as_deref(), Some("page:0"));
    let unknown = Command::SetPage {
        page_id: "page:9".into(),
    };
    assert_eq!(
        room.decide(Sender::Participant(id), unknown, stamp(4))
            .unwrap_err()
            .code,
        "not_found"
    );
}

#[test]
fn chat_rules() {
    let mut room = room(10);
    let id = join(&mut room, "Zoé", 7);
    let send = |text: &str| Command::ChatSend { text: text.into() };
    let outcome = room
        .decide(Sender::Participant(id), send(" Bonjour "), stamp(1))
        .unwrap();
    assert_eq!(outcome.chat_insert.as_ref().unwrap().text, "Bonjour");
    assert!(matches!(
        &outcome.events[..],
        [RoomEvent::ChatMessageSent { length: 7, .. }]
    ));
    assert_eq!(
        room.decide(Sender::Participant(id), send("  "), stamp(2))
            .unwrap_err()
            .code,
        "bad_message"
    );
    let long = "é".repeat(MAX_CHAT_CHARS + 1);
    assert_eq!(
        room.decide(Sender::Participant(id), send(&long), stamp(2))
            .unwrap_err()
            .code,
        "too_large"
    );
    for n in 0..4 {
        room.decide(Sender::Participant(id), send("encore"), stamp(2 + n))
            .unwrap();
    }
    let flood = room.decide(Sender::Participant(id), send("trop"), stamp(6));
    assert_eq!(flood.unwrap_err().code, "rate_limited");
    assert!(
        room.decide(Sender::Participant(id), send("plus tard"), stamp(20))
            .is_ok()
    );

    let off = ParamsPatch {
        chat: Some(Switch::Off),
        ..ParamsPatch::default()
    };
    room.decide(
        Sender::Trainer,
        Command::SetParams { params: off },
        stamp(30),
    )
    .unwrap();
    assert_eq!(
        room.decide(Sender::Participant(id), send("chut"), stamp(31))
            .unwrap_err()
            .code,
        "chat_off"
    );
    let trainer = room
        .decide(Sender::Trainer, send("Je parle"), stamp(32))
        .unwrap();
    let message = trainer.chat_insert.unwrap();
    assert_eq!(message.author_name, "Ana Martin");
    let deleted = room
        .decide(
            Sender::Trainer,
            Command::ChatDelete {
                message_id: message.id,
            },
            stamp(33),
        )
        .unwrap();
    assert_eq!(deleted.chat_delete, Some(message.id));
    assert!(
        room.welcome_state(Sender::Trainer, 0)
            .chat
            .iter()
            .all(|m| m.id != message.id)
    );
}

#[test]
fn unchanged_params_record_nothing() {
    let mut room = room(10);
    let same = ParamsPatch {
        collaboration: Some(Collaboration::View),
        ..ParamsPatch::default()
    };
    let outcome = room
        .decide(
            Sender::Trainer,
            Command::SetParams { params: same },
            stamp(1),
        )
        .unwrap();
    assert_eq!(outcome, Outcome::default());
}

/// One step of a random session.
#[derive(Debug, Clone)]
enum Step {
    Join(u8),
    Resume(u8),
    Leave(u8),
    Trainer(u8, u8),
    Participant(u8, u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..8).prop_map(Step::Join),
        (0u8..8).prop_map(Step::Resume),
        (0u8..8).prop_map(Step::Leave),
        (0u8..8, 0u8..8).prop_map(|(c, p)| Step::Trainer(c, p)),
        (0u8..8, 0u8..8).prop_map(|(c, p)| Step::Participant(c, p)),
    ]
}

fn command(kind: u8, target: Uuid, page: u8) -> Command {
    let page_id = format!("page:{}", page % 4);
    match kind {
        0 => Command::GotoPage { page_id },
        1 => Command::SetPage { page_id },
        2 => Command::Lock,
        3 => Command::Unlock,
        4 => Command::Kick {
            participant_id: target,
            ban: page.is_multiple_of(2),
        },
        5 => Command::ChatSend {
            text: "x".repeat(usize::from(page) * 200),
        },
        6 => Command::SetParams {
            params: ParamsPatch {
                navigation: Some(if page.is_multiple_of(2) {
                    Navigation::Free
                } else {
                    Navigation::Follow
                }),
                chat: Some(if page.is_multiple_of(3) {
                    Switch::Off
                } else {
                    Switch::On
                }),
                ..ParamsPatch::default()
            },
        },
        _ => Command::ChatDelete { message_id: target },
    }
}

proptest! {
    /// Whatever happens, replaying the recorded events onto the starting room gives the same
    /// durable state: this is what makes a restart lose nothing. And nobody but the trainer
    /// ever gets a trainer command through.
    #[test]
    fn replaying_the_events_rebuilds_the_room(steps in proptest::collection::vec(step(), 1..60)) {
        let mut live = room(5);
        let mut events = Vec::new();
        // The n-th seat taken so far (or an id nobody has).
        let seat = |live: &LiveRoom, n: u8| {
            let seats = &live.state.participants;
            seats.get(usize::from(n) % seats.len().max(1)).map_or(Uuid::nil(), |s| s.participant_id)
        };
        for (i, step) in steps.into_iter().enumerate() {
            let now = stamp(i as u128);
            let outcome = match step {
                // A new seat gets a fresh id: person n joining anew after a ban gets another one.
                Step::Join(n) => live
                    .join(None, Some("P"), Some(&n.to_string()), Uuid::from_u128(10_000 + i as u128))
                    .ok()
                    .map(|(_, o)| o),
                Step::Resume(n) => {
                    let id = seat(&live, n);
                    live.join(Some(id), None, None, Uuid::from_u128(99)).ok().map(|(_, o)| o)
                }
                Step::Leave(n) => {
                    let id = seat(&live, n);
                    live.leave(id, LeaveReason::Closed)
                }
                Step::Trainer(c, p) => {
                    let target = seat(&live, p);
                    live.decide(Sender::Trainer, command(c, target, p), now).ok()
                }
                Step::Participant(c, p) => {
                    let id = seat(&live, p);
                    let sender = Sender::Participant(id);
                    let trainer_only = !matches!(c, 1 | 5);
                    let decided = if live.is_online(id) {
                        live.decide(sender, command(c, id, p), now)
                    } else {
                        continue;
                    };
                    if trainer_only {
                        prop_assert_eq!(decided.as_ref().map(|_| ()).unwrap_err().code, "forbidden");
                    }
                    decided.ok()
                }
            };
            events.extend(outcome.into_iter().flat_map(|o| o.events).map(|e| (e, now.1)));
        }
        prop_assert!(live.participant_count() <= 5);
        let mut replayed = room(5);
        for (event, at) in &events {
            replayed.evolve(event, *at);
        }
        prop_assert_eq!(&replayed.state, &live.state);
        prop_assert_eq!(replayed.params, live.params);
        prop_assert_eq!(&replayed.name, &live.name);
    }
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
