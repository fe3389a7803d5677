//! Commands from the trainer and participants: who may send what, pages, chat, params; and
//! the replay of random sessions.

use proptest::prelude::*;
use uuid::Uuid;

use super::{join, online, room, stamp};
use crate::domain::events::{LeaveReason, RoomEvent};
use crate::domain::protocol::ErrorCode;
use crate::domain::room::chat::MAX_CHAT_CHARS;
use crate::domain::room::{
    Collaboration, Command, LiveRoom, Navigation, Outcome, ParamsPatch, Sender, Switch,
};

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
        assert_eq!(error.code, ErrorCode::Forbidden);
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
        ErrorCode::Forbidden
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
        ErrorCode::NotFound
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
        ErrorCode::BadMessage
    );
    let long = "é".repeat(MAX_CHAT_CHARS + 1);
    assert_eq!(
        room.decide(Sender::Participant(id), send(&long), stamp(2))
            .unwrap_err()
            .code,
        ErrorCode::TooLarge
    );
    for n in 0..4 {
        room.decide(Sender::Participant(id), send("encore"), stamp(2 + n))
            .unwrap();
    }
    let flood = room.decide(Sender::Participant(id), send("trop"), stamp(6));
    assert_eq!(flood.unwrap_err().code, ErrorCode::RateLimited);
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
        ErrorCode::ChatOff
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
    /// Someone drew on the canvas: an event the room's state does not depend on.
    Draw(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..8).prop_map(Step::Join),
        (0u8..8).prop_map(Step::Resume),
        (0u8..8).prop_map(Step::Leave),
        (0u8..8, 0u8..8).prop_map(|(c, p)| Step::Trainer(c, p)),
        (0u8..8, 0u8..8).prop_map(|(c, p)| Step::Participant(c, p)),
        (0u8..8).prop_map(Step::Draw),
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
                // Recorded without touching the live room (the actor appends it as it is).
                Step::Draw(n) => {
                    let event = RoomEvent::CanvasEdited {
                        participant_id: (n > 0).then(|| seat(&live, n)),
                        minute: now.1 - now.1.rem_euclid(60_000),
                        created: u32::from(n),
                        updated: 1,
                        deleted: 0,
                    };
                    events.push((event, now.1));
                    continue;
                }
                Step::Trainer(c, p) => {
                    let target = seat(&live, p);
                    live.decide(Sender::Trainer, command(c, target, p), now).ok()
                }
                Step::Participant(c, p) => {
                    let id = seat(&live, p);
                    let sender = Sender::Participant(id);
                    let trainer_only = !matches!(c, 1 | 5);
                    let decided = if online(&live, id) {
                        live.decide(sender, command(c, id, p), now)
                    } else {
                        continue;
                    };
                    if trainer_only {
                        prop_assert_eq!(decided.as_ref().map(|_| ()).unwrap_err().code, ErrorCode::Forbidden);
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
