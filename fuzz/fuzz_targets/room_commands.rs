//! Bytes turned into a session (joins with any names, leaves, every command from the trainer
//! or a seated participant, a quiz, the clock moving) driven through `LiveRoom`: nothing
//! panics, a participant's trainer command is `forbidden`, banned seats stay out, and the
//! events replay to the same room.
//!
//! Senders are the trainer and seated participants, as the room actor only lets joined
//! connections speak (chat or answers from an id with no seat are a known panic of the
//! domain, kept as an ignored test in `src/domain/room/tests/hostile/`).

#![no_main]

use std::collections::HashSet;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pratico::domain::events::{LeaveReason, PageRef, RoomEvent};
use pratico::domain::quiz::{
    Answer, ChoiceInput, QuestionInput, QuestionKind, Scoring, parse_questions,
};
use pratico::domain::room::{
    Collaboration, Command, LiveRoom, Navigation, ParamsPatch, Phase, QuizSheet, RoomFacts,
    RoomLimits, RoomParams, RoomState, Sender, Switch,
};
use uuid::Uuid;

#[derive(Arbitrary, Debug)]
enum Op {
    Join(String, String),
    Resume(u8),
    Leave(u8),
    Trainer(What),
    Participant(u8, What),
    Tick(u16),
}

#[derive(Arbitrary, Debug)]
enum What {
    Chat(String),
    SetPage(u8),
    GotoPage(u8),
    SetParams(Option<bool>, Option<bool>, Option<bool>),
    Lock,
    Unlock,
    Kick(u8, bool),
    ChatDelete(u8),
    QuizStart(bool),
    QuizNext,
    QuizClose,
    QuizReveal,
    QuizEnd,
    Choices(u8, Vec<String>),
    Text(u8, String),
}

fn room() -> LiveRoom {
    let facts = RoomFacts {
        id: Uuid::from_u128(1),
        trainer_id: Uuid::from_u128(2),
        trainer_name: "Ana".into(),
        created_at: 0,
        capsule_id: Uuid::from_u128(3),
        capsule_title: "Atelier".into(),
        pages: (0..3)
            .map(|i| PageRef {
                id: format!("page:{i}"),
                name: format!("Page {i}"),
            })
            .collect(),
    };
    let state = RoomState {
        page_id: Some("page:0".into()),
        ..RoomState::default()
    };
    let limits = RoomLimits {
        max_participants: 8,
        roster_limit: 3,
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

fn sheet(speed: bool) -> QuizSheet {
    let choice = |text: &str, correct: bool| ChoiceInput {
        id: None,
        text: text.into(),
        correct,
    };
    let question = |kind, choices| QuestionInput {
        id: None,
        kind,
        prompt: "?".into(),
        choices,
        time_limit_s: Some(5),
        points: None,
    };
    let questions = parse_questions(vec![
        question(
            QuestionKind::Single,
            vec![choice("a", true), choice("b", false)],
        ),
        question(
            QuestionKind::Multiple,
            vec![choice("a", true), choice("b", false), choice("c", true)],
        ),
        question(
            QuestionKind::Poll,
            vec![choice("x", false), choice("y", false)],
        ),
        question(QuestionKind::Open, vec![]),
    ])
    .expect("a valid quiz");
    QuizSheet {
        id: Uuid::from_u128(77),
        title: "Quiz".into(),
        scoring: if speed {
            Scoring::Speed
        } else {
            Scoring::Accuracy
        },
        questions,
    }
}

fn seat(live: &LiveRoom, n: u8) -> Option<Uuid> {
    let seats = &live.state.participants;
    seats
        .get(usize::from(n) % seats.len().max(1))
        .map(|s| s.participant_id)
}

/// Left alone (`None`), or `a` / `b`.
fn pick<T>(on: Option<bool>, a: T, b: T) -> Option<T> {
    on.map(|on| if on { a } else { b })
}

fn command(live: &LiveRoom, what: What, now: i64) -> (Command, bool) {
    let command = match what {
        What::Chat(text) => Command::ChatSend { text },
        What::SetPage(p) => Command::SetPage {
            page_id: format!("page:{}", p % 4),
        },
        What::GotoPage(p) => Command::GotoPage {
            page_id: format!("page:{}", p % 4),
        },
        What::SetParams(n, c, s) => Command::SetParams {
            params: ParamsPatch {
                navigation: pick(n, Navigation::Free, Navigation::Follow),
                collaboration: pick(c, Collaboration::Draw, Collaboration::View),
                chat: pick(s, Switch::On, Switch::Off),
            },
        },
        What::Lock => Command::Lock,
        What::Unlock => Command::Unlock,
        What::Kick(n, ban) => Command::Kick {
            participant_id: seat(live, n).unwrap_or(Uuid::from_u128(9)),
            ban,
        },
        What::ChatDelete(n) => {
            let chat = live.welcome_state(Sender::Trainer).chat;
            let id = chat
                .get(usize::from(n) % chat.len().max(1))
                .map_or(Uuid::from_u128(9), |m| m.id);
            Command::ChatDelete { message_id: id }
        }
        What::QuizStart(speed) => Command::QuizStart {
            quiz: Box::new(sheet(speed)),
        },
        What::QuizNext => Command::QuizNext,
        What::QuizClose => Command::QuizClose,
        What::QuizReveal => Command::QuizReveal,
        What::QuizEnd => Command::QuizEnd,
        What::Choices(q, choice_ids) => Command::QuizAnswer {
            question_id: format!("q{}", q % 5 + 1),
            answer: Answer::Choices { choice_ids },
            received_at: now,
        },
        What::Text(q, text) => Command::QuizAnswer {
            question_id: format!("q{}", q % 5 + 1),
            answer: Answer::Text { text },
            received_at: now,
        },
    };
    let trainer_only = !matches!(
        command,
        Command::ChatSend { .. } | Command::SetPage { .. } | Command::QuizAnswer { .. }
    );
    (command, trainer_only)
}

fuzz_target!(|ops: Vec<Op>| {
    let mut live = room();
    let mut events: Vec<(RoomEvent, i64)> = Vec::new();
    let mut banned: HashSet<Uuid> = HashSet::new();
    let mut now = 1_000_000_i64;
    for (i, op) in ops.into_iter().take(256).enumerate() {
        now += 100;
        let fresh = Uuid::from_u128(10_000 + i as u128);
        let stamp = (fresh, now);
        let outcome = match op {
            Op::Join(first, last) => live.join(None, Some(&first), Some(&last), fresh).ok(),
            Op::Resume(n) => {
                let Some(id) = seat(&live, n) else { continue };
                let joined = live.join(Some(id), None, None, fresh);
                assert_eq!(joined.is_err(), banned.contains(&id));
                joined.ok()
            }
            Op::Leave(n) => {
                let Some(id) = seat(&live, n) else { continue };
                live.leave(id, LeaveReason::Closed).map(|o| (id, o))
            }
            Op::Tick(ms) => {
                now += i64::from(ms);
                live.quiz_tick(now).map(|o| (Uuid::nil(), o))
            }
            Op::Trainer(what) => {
                let (command, _) = command(&live, what, now);
                live.decide(Sender::Trainer, command, stamp)
                    .ok()
                    .map(|o| (Uuid::nil(), o))
            }
            Op::Participant(n, what) => {
                let (command, trainer_only) = command(&live, what, now);
                // A seated participant, or (for trainer commands only) someone with no seat.
                let id = match seat(&live, n) {
                    Some(id) => id,
                    None if trainer_only => Uuid::from_u128(u128::from(n) + 5),
                    None => continue,
                };
                let decided = live.decide(Sender::Participant(id), command, stamp);
                if trainer_only {
                    assert_eq!(decided.as_ref().err().map(|e| e.code), Some("forbidden"));
                }
                decided.ok().map(|o| (id, o))
            }
        };
        let Some((_, outcome)) = outcome else {
            continue;
        };
        for event in &outcome.events {
            if let RoomEvent::ParticipantLeft {
                participant_id,
                reason: LeaveReason::Banned,
                ..
            } = event
            {
                banned.insert(*participant_id);
            }
        }
        events.extend(outcome.events.into_iter().map(|e| (e, now)));
        for id in &banned {
            assert!(
                !live.online_participants().contains(id),
                "a banned seat is back"
            );
        }
    }
    let mut replayed = room();
    for (event, at) in &events {
        replayed.evolve(event, *at);
    }
    let settle = |state: &RoomState| {
        let mut state = state.clone();
        if let Some(run) = &mut state.quiz
            && run.phase == Phase::Revealed
        {
            run.phase = Phase::Closed;
        }
        state
    };
    assert_eq!(settle(&replayed.state), settle(&live.state));
    assert_eq!(replayed.params, live.params);
});
