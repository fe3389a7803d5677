//! Random sessions driven through a `LiveRoom`: hostile names and chat, every command from
//! any sender, bans, a quiz; the rules hold and the events replay to the same room.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use uuid::Uuid;

use super::*;
use crate::domain::events::{LeaveReason, PageRef, QaMark, RoomEvent};
use crate::domain::protocol::{QuizOutcome, ServerMessage};
use crate::domain::quiz::{
    Answer, ChoiceInput, QuestionInput, QuestionKind, Scoring, parse_questions,
};
use crate::domain::reactions::{Reaction, ReactionSet};
use crate::domain::room::chat::MAX_CHAT_CHARS;
use crate::domain::room::tests::online;
use crate::domain::room::{
    CloudCommand, Collaboration, Command, LiveRoom, Navigation, Outcome, ParamsPatch, Qa,
    QaCommand, QuizSheet, RoomFacts, RoomLimits, RoomParams, RoomState, Sender, Switch,
};

const MAX_SEATS: usize = 6;
const TRAINER: u128 = 2;

fn room(roster_limit: usize) -> LiveRoom {
    let facts = RoomFacts {
        id: Uuid::from_u128(1),
        trainer_id: Uuid::from_u128(TRAINER),
        trainer_name: "Ana <b>Martin</b>".into(),
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
    LiveRoom::new(
        facts,
        "atelier".into(),
        RoomParams::default(),
        state,
        Vec::new(),
        RoomLimits {
            max_participants: MAX_SEATS,
            roster_limit,
        },
    )
}

/// One question of each kind: q1 single (c1), q2 multiple (c1 c3), q3 true/false (c2),
/// q4 poll, q5 open.
fn sheet(scoring: Scoring, empty: bool) -> QuizSheet {
    let choice = |text: &str, correct: bool| ChoiceInput {
        id: None,
        text: text.into(),
        correct,
        image: None,
    };
    let question = |kind, choices| QuestionInput {
        choices,
        time_limit_s: Some(5),
        points: Some(1000),
        ..QuestionInput::new(kind, "<i>?</i>")
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
            QuestionKind::TrueFalse,
            vec![choice("Vrai", false), choice("Faux", true)],
        ),
        question(
            QuestionKind::Poll,
            vec![choice("x", false), choice("y", false)],
        ),
        question(QuestionKind::Open, vec![]),
    ])
    .unwrap();
    QuizSheet {
        id: Uuid::from_u128(77),
        title: "=Quiz".into(),
        scoring,
        questions: if empty { Vec::new() } else { questions },
    }
}

/// Who sends a command.
#[derive(Debug, Clone)]
enum Who {
    Trainer,
    /// The n-th seat taken so far (banned, offline or online), or nobody's if none.
    Seat(u8),
    /// An id no seat has.
    Unknown(u128),
}

#[derive(Debug, Clone)]
enum What {
    Chat(String),
    SetPage(u8),
    GotoPage(u8),
    SetParams(
        Option<Navigation>,
        Option<Collaboration>,
        Option<Switch>,
        Option<ReactionSet>,
        Option<Qa>,
    ),
    Lock,
    Unlock,
    /// Seat n, or an unknown id.
    Kick(Option<u8>, bool),
    /// The n-th message of the room's chat, or an unknown id.
    ChatDelete(Option<u8>),
    QuizStart {
        scoring: Scoring,
        empty: bool,
    },
    QuizNext,
    QuizClose,
    QuizReveal,
    QuizEnd,
    /// Question q(n % 6 + 1) (q6 does not exist).
    Answer(u8, Answer),
    /// Reaction n % 8.
    React(u8),
    Cloud(CloudCommand),
    QaAsk(String),
    /// The n-th question asked, or an unknown id.
    QaVote(Option<u8>),
    QaMark(Option<u8>, QaMark),
}

impl What {
    /// What only the trainer may do.
    fn trainer_only(&self) -> bool {
        !matches!(
            self,
            What::Chat(_)
                | What::SetPage(_)
                | What::Answer(..)
                | What::React(_)
                | What::Cloud(CloudCommand::Send { .. })
                | What::QaAsk(_)
                | What::QaVote(_)
        )
    }
}

#[derive(Debug, Clone)]
enum Step {
    Join(String, String),
    /// A new seat under the names of seat n (the same person, or someone pretending).
    JoinAs(u8),
    Resume(u8),
    /// A resume token that verified but names no seat of this room, without names.
    ResumeUnknown(u128),
    Leave(u8, LeaveReason),
    Do(Who, What),
    Tick(u16),
}

fn answer() -> impl Strategy<Value = Answer> {
    let choice_ids = proptest::collection::vec(
        prop_oneof![
            4 => proptest::sample::select(vec!["c1", "c2", "c3"]).prop_map(str::to_owned),
            1 => hostile_text(),
        ],
        0..4,
    );
    prop_oneof![
        3 => choice_ids.prop_map(|choice_ids| Answer::Choices { choice_ids }),
        1 => hostile_text().prop_map(|text| Answer::Text { text }),
    ]
}

/// Left alone, or set to `a` or `b`.
fn switch<T: Clone + std::fmt::Debug + 'static>(a: T, b: T) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(prop_oneof![Just(a), Just(b)])
}

/// The id of the n-th question asked in the room, or an unknown one.
fn asked(live: &LiveRoom, n: Option<u8>, fresh: u128) -> Uuid {
    let qa = &live.state.qa;
    n.and_then(|n| qa.get(usize::from(n) % qa.len().max(1)))
        .map_or(Uuid::from_u128(fresh), |q| q.question_id)
}

fn cloud_command() -> impl Strategy<Value = CloudCommand> {
    prop_oneof![
        1 => (hostile_text(), proptest::option::of(0u32..12))
            .prop_map(|(prompt, max_words)| CloudCommand::Start { prompt, max_words }),
        4 => prop_oneof![
            3 => proptest::sample::select(vec!["Écoute", "ecoute", "Partage", "Rythme"])
                .prop_map(str::to_owned),
            1 => hostile_text(),
        ]
        .prop_map(|text| CloudCommand::Send { text }),
        1 => (hostile_text(), any::<bool>())
            .prop_map(|(word, hidden)| CloudCommand::Hide { word, hidden }),
        1 => any::<bool>().prop_map(|shown| CloudCommand::Show { shown }),
        1 => Just(CloudCommand::End),
    ]
}

fn what() -> impl Strategy<Value = What> {
    prop_oneof![
        3 => hostile_text().prop_map(What::Chat),
        1 => any::<u8>().prop_map(What::SetPage),
        1 => any::<u8>().prop_map(What::GotoPage),
        1 => (
            switch(Navigation::Follow, Navigation::Free),
            switch(Collaboration::View, Collaboration::Draw),
            switch(Switch::On, Switch::Off),
            switch(
                Reaction::ALL.into_iter().collect(),
                [Reaction::Clap].into_iter().collect()
            ),
            proptest::option::of(prop_oneof![Just(Qa::Off), Just(Qa::On), Just(Qa::Moderated)]),
        )
            .prop_map(|(n, c, s, r, q)| What::SetParams(n, c, s, r, q)),
        1 => Just(What::Lock),
        1 => Just(What::Unlock),
        2 => (proptest::option::of(any::<u8>()), any::<bool>())
            .prop_map(|(who, ban)| What::Kick(who, ban)),
        1 => proptest::option::of(any::<u8>()).prop_map(What::ChatDelete),
        1 => (
            prop_oneof![Just(Scoring::Accuracy), Just(Scoring::Speed)],
            proptest::bool::weighted(0.2),
        )
            .prop_map(|(scoring, empty)| What::QuizStart { scoring, empty }),
        2 => Just(What::QuizNext),
        1 => Just(What::QuizClose),
        1 => Just(What::QuizReveal),
        1 => Just(What::QuizEnd),
        5 => (any::<u8>(), answer()).prop_map(|(q, a)| What::Answer(q, a)),
        3 => any::<u8>().prop_map(What::React),
        3 => cloud_command().prop_map(What::Cloud),
        2 => hostile_text().prop_map(What::QaAsk),
        2 => proptest::option::of(any::<u8>()).prop_map(What::QaVote),
        1 => (
            proptest::option::of(any::<u8>()),
            proptest::sample::select(vec![
                QaMark::Approved,
                QaMark::Answered,
                QaMark::Pinned,
                QaMark::Unpinned,
                QaMark::Hidden,
            ]),
        )
            .prop_map(|(n, mark)| What::QaMark(n, mark)),
    ]
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        3 => Just(Who::Trainer),
        4 => any::<u8>().prop_map(Who::Seat),
        1 => any::<u128>().prop_map(Who::Unknown),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let reason = proptest::sample::select(vec![
        LeaveReason::Closed,
        LeaveReason::Timeout,
        LeaveReason::SessionEnded,
    ]);
    prop_oneof![
        3 => (hostile_text(), hostile_text()).prop_map(|(f, l)| Step::Join(f, l)),
        2 => (0u8..4).prop_map(|n| Step::Join(format!("P{n}"), "Durand".into())),
        1 => any::<u8>().prop_map(Step::JoinAs),
        2 => any::<u8>().prop_map(Step::Resume),
        1 => any::<u128>().prop_map(Step::ResumeUnknown),
        2 => (any::<u8>(), reason).prop_map(|(n, r)| Step::Leave(n, r)),
        12 => (who(), what()).prop_map(|(w, c)| Step::Do(w, c)),
        1 => (0u16..8_000).prop_map(Step::Tick),
    ]
}

/// The rule of docs/protocol.md for names, stated again: trimmed, 1–64 characters, no
/// control characters.
/// docs/protocol.md's rule for names, written out again: trimmed, 1–64 characters, no
/// control characters, no text-direction or invisible characters, joiners only inside.
fn acceptable_name(name: &str) -> bool {
    const HIDDEN: &[char] = &[
        '\u{AD}', '\u{61C}', '\u{180E}', '\u{200B}', '\u{200E}', '\u{200F}', '\u{202A}',
        '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2060}', '\u{2061}', '\u{2062}',
        '\u{2063}', '\u{2064}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}',
    ];
    const JOINERS: &[char] = &['\u{200C}', '\u{200D}'];
    let name: String = name.trim().nfc().collect();
    !name.is_empty()
        && name.chars().count() <= 64
        && !name.chars().any(|c| c.is_control() || HIDDEN.contains(&c))
        && !name.starts_with(JOINERS)
        && !name.ends_with(JOINERS)
}

/// As people compare names: composed, then without accents, in lowercase.
fn ban_key(first: &str, last: &str) -> String {
    let name = format!("{first} {last}");
    let bare: String = name.nfd().filter(|c| !is_combining_mark(*c)).collect();
    bare.to_lowercase()
}

/// A name as the room keeps it: trimmed and composed.
fn kept(name: &str) -> String {
    name.trim().nfc().collect()
}

/// Whether a message names a participant among its leaderboard or standings.
fn ranks(message: &ServerMessage, id: Uuid) -> bool {
    match message {
        ServerMessage::QuizResults { leaderboard, .. } => {
            leaderboard.iter().any(|s| s.participant_id == id)
        }
        ServerMessage::QuizEnded(QuizOutcome {
            leaderboard, yours, ..
        }) => {
            leaderboard.iter().any(|s| s.participant_id == id)
                || yours.as_ref().is_some_and(|s| s.participant_id == id)
        }
        _ => false,
    }
}

/// Whether a JSON value holds a key named `correct` anywhere.
fn has_correct_key(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k == "correct" || k == "correct_choice_ids" || has_correct_key(v)),
        Value::Array(items) => items.iter().any(has_correct_key),
        _ => false,
    }
}

/// Everything participants could receive from an outcome.
fn to_participants(outcome: &Outcome) -> Vec<ServerMessage> {
    let each = outcome.each().into_iter().map(|(_, m)| m);
    (outcome.broadcast.iter())
        .chain(&outcome.to_participants)
        .cloned()
        .chain(each)
        .chain(outcome.reply.clone())
        .collect()
}

/// A session driven by `steps`. With `unknown_speakers` off, chat and answers from ids
/// that hold no seat are left out (see `an_unknown_participant_s_chat_or_answer_is_refused`).
fn drive(
    roster_limit: usize,
    steps: Vec<Step>,
    unknown_speakers: bool,
) -> Result<(), TestCaseError> {
    let mut live = room(roster_limit);
    let mut events: Vec<(RoomEvent, i64)> = Vec::new();
    let mut banned: HashSet<Uuid> = HashSet::new();
    let mut banned_names: HashSet<String> = HashSet::new();
    let mut now: i64 = 1_000_000;
    let mut fresh: u128 = 10_000;
    let seat = |live: &LiveRoom, n: u8| {
        let seats = &live.state.participants;
        seats
            .get(usize::from(n) % seats.len().max(1))
            .map_or(Uuid::nil(), |s| s.participant_id)
    };
    for step in steps {
        now += 100;
        fresh += 1;
        let stamp = (Uuid::from_u128(fresh), now);
        let outcome: Option<Outcome> = match step {
            Step::Join(first, last) => {
                let was_locked = live.state.locked;
                let joined = live.join(None, Some(&first), Some(&last), Uuid::from_u128(fresh));
                let valid = acceptable_name(&first) && acceptable_name(&last);
                match joined {
                    Ok((id, outcome)) => {
                        prop_assert!(valid, "{first:?} {last:?} was seated");
                        prop_assert!(!was_locked, "a locked room seated someone new");
                        let seat = live
                            .state
                            .participants
                            .iter()
                            .find(|s| s.participant_id == id)
                            .unwrap();
                        prop_assert_eq!(&seat.first_name, &kept(&first), "names kept as given");
                        prop_assert_eq!(&seat.last_name, &kept(&last));
                        prop_assert!(!banned_names.contains(&ban_key(&kept(&first), &kept(&last))));
                        Some(outcome)
                    }
                    Err(error) => {
                        if !valid {
                            prop_assert_eq!(error.code, ErrorCode::BadMessage);
                        } else {
                            prop_assert!(
                                [
                                    ErrorCode::RoomLocked,
                                    ErrorCode::Banned,
                                    ErrorCode::RoomFull
                                ]
                                .contains(&error.code),
                                "{:?}",
                                error
                            );
                        }
                        None
                    }
                }
            }
            Step::JoinAs(n) => {
                let id = seat(&live, n);
                let Some(s) = live
                    .state
                    .participants
                    .iter()
                    .find(|s| s.participant_id == id)
                    .cloned()
                else {
                    continue;
                };
                let joined = live.join(
                    None,
                    Some(&s.first_name),
                    Some(&s.last_name),
                    Uuid::from_u128(fresh),
                );
                if banned_names.contains(&ban_key(&s.first_name, &s.last_name)) {
                    prop_assert!(joined.is_err(), "a banned name took a new seat");
                }
                joined.ok().map(|(_, o)| o)
            }
            Step::Resume(n) => {
                let id = seat(&live, n);
                let joined = live.join(Some(id), None, None, Uuid::from_u128(fresh));
                if banned.contains(&id) {
                    prop_assert_eq!(
                        joined.as_ref().map(|_| ()).unwrap_err().code,
                        ErrorCode::Banned
                    );
                } else if id != Uuid::nil() {
                    let (again, _) = joined.as_ref().unwrap();
                    prop_assert_eq!(*again, id, "the same seat comes back");
                }
                joined.ok().map(|(_, o)| o)
            }
            Step::ResumeUnknown(n) => {
                let joined =
                    live.join(Some(Uuid::from_u128(n)), None, None, Uuid::from_u128(fresh));
                prop_assert_eq!(joined.unwrap_err().code, ErrorCode::BadMessage);
                None
            }
            Step::Leave(n, reason) => {
                let id = seat(&live, n);
                let online = online(&live, id);
                let left = live.leave(id, reason);
                prop_assert_eq!(left.is_some(), online);
                left
            }
            Step::Tick(ms) => {
                now += i64::from(ms);
                live.quiz_tick(now)
            }
            Step::Do(who, what) => {
                let sender = match who {
                    Who::Trainer => Sender::Trainer,
                    Who::Seat(n) => Sender::Participant(seat(&live, n)),
                    Who::Unknown(n) => Sender::Participant(Uuid::from_u128(n)),
                };
                let seated = match sender {
                    Sender::Trainer => true,
                    Sender::Participant(id) => live
                        .state
                        .participants
                        .iter()
                        .any(|s| s.participant_id == id),
                };
                if !unknown_speakers && !seated && matches!(what, What::Chat(_) | What::Answer(..))
                {
                    continue;
                }
                let trainer_only = what.trainer_only();
                let chat_text = match &what {
                    What::Chat(text) => Some(text.clone()),
                    _ => None,
                };
                let answering = matches!(
                    what,
                    What::Answer(..)
                        | What::React(_)
                        | What::Cloud(CloudCommand::Send { .. })
                        | What::QaAsk(_)
                        | What::QaVote(_)
                );
                let command = match what {
                    What::Chat(text) => Command::ChatSend { text },
                    What::SetPage(p) => Command::SetPage {
                        page_id: format!("page:{}", p % 4),
                    },
                    What::GotoPage(p) => Command::GotoPage {
                        page_id: format!("page:{}", p % 4),
                    },
                    What::SetParams(navigation, collaboration, chat, reactions, qa) => {
                        Command::SetParams {
                            params: ParamsPatch {
                                navigation,
                                collaboration,
                                chat,
                                reactions,
                                qa,
                                qa_names: None,
                            },
                        }
                    }
                    What::Lock => Command::Lock,
                    What::Unlock => Command::Unlock,
                    What::Kick(target, ban) => Command::Kick {
                        participant_id: target.map_or(Uuid::from_u128(fresh), |n| seat(&live, n)),
                        ban,
                    },
                    What::ChatDelete(n) => {
                        let chat = live.welcome_state(Sender::Trainer, 0).chat;
                        let id = n
                            .and_then(|n| chat.get(usize::from(n) % chat.len().max(1)))
                            .map_or(Uuid::from_u128(fresh), |m| m.id);
                        Command::ChatDelete { message_id: id }
                    }
                    What::QuizStart { scoring, empty } => Command::QuizStart {
                        quiz: Box::new(sheet(scoring, empty)),
                    },
                    What::QuizNext => Command::QuizNext,
                    What::QuizClose => Command::QuizClose,
                    What::QuizReveal => Command::QuizReveal,
                    What::QuizEnd => Command::QuizEnd,
                    What::Answer(q, answer) => Command::QuizAnswer {
                        question_id: format!("q{}", q % 6 + 1),
                        answer,
                        received_at: now,
                    },
                    What::React(n) => Command::React {
                        reaction: Reaction::ALL[usize::from(n) % Reaction::ALL.len()],
                    },
                    What::Cloud(cloud) => Command::Cloud(cloud),
                    What::QaAsk(text) => Command::Qa(QaCommand::Ask { text }),
                    What::QaVote(n) => Command::Qa(QaCommand::Vote {
                        question_id: asked(&live, n, fresh),
                    }),
                    What::QaMark(n, mark) => Command::Qa(QaCommand::Mark {
                        question_id: asked(&live, n, fresh),
                        mark,
                    }),
                };
                let absent = matches!(sender, Sender::Participant(id) if !online(&live, id));
                let decided = live.decide(sender, command, stamp);
                if absent {
                    // Only a participant in the room speaks.
                    prop_assert_eq!(
                        decided.as_ref().map(|_| ()).unwrap_err().code,
                        ErrorCode::Forbidden
                    );
                    continue;
                }
                if let Err(error) = &decided {
                    prop_assert!(DOCUMENTED_CODES.contains(&error.code), "{:?}", error);
                    prop_assert!(!error.message.is_empty());
                }
                if sender != Sender::Trainer && trainer_only {
                    prop_assert_eq!(
                        decided.as_ref().map(|_| ()).unwrap_err().code,
                        ErrorCode::Forbidden
                    );
                }
                if sender == Sender::Trainer && answering {
                    prop_assert_eq!(
                        decided.as_ref().map(|_| ()).unwrap_err().code,
                        ErrorCode::Forbidden
                    );
                }
                if let Some(text) = chat_text {
                    let trimmed = text.trim();
                    match &decided {
                        Ok(outcome) => {
                            let stored = &outcome.chat_insert.as_ref().unwrap().text;
                            prop_assert_eq!(stored.as_str(), trimmed, "chat kept as given");
                        }
                        Err(error) if trimmed.is_empty() => {
                            prop_assert_eq!(error.code, ErrorCode::BadMessage)
                        }
                        Err(error) if trimmed.chars().count() > MAX_CHAT_CHARS => {
                            prop_assert_eq!(error.code, ErrorCode::TooLarge)
                        }
                        Err(error) if trimmed.contains('\0') => {
                            prop_assert_eq!(error.code, ErrorCode::BadMessage)
                        }
                        Err(error) => prop_assert!(
                            [ErrorCode::ChatOff, ErrorCode::RateLimited].contains(&error.code),
                            "{:?}",
                            error
                        ),
                    }
                }
                decided.ok()
            }
        };
        let Some(outcome) = outcome else { continue };
        for event in &outcome.events {
            if let RoomEvent::ParticipantLeft {
                participant_id,
                first_name,
                last_name,
                reason: LeaveReason::Banned,
            } = event
            {
                banned.insert(*participant_id);
                banned_names.insert(ban_key(first_name, last_name));
            }
        }
        for message in to_participants(&outcome) {
            if !matches!(
                message,
                ServerMessage::QuizResults { .. } | ServerMessage::QuizEnded(_)
            ) {
                let json = serde_json::to_value(message).unwrap();
                prop_assert!(!has_correct_key(&json), "a participant would see {json}");
            }
        }
        let each = outcome.each().into_iter().map(|(_, m)| m);
        let messages = (outcome.broadcast.iter())
            .chain(&outcome.to_trainers)
            .cloned();
        for message in &messages.chain(each).collect::<Vec<_>>() {
            for id in &banned {
                prop_assert!(!ranks(message, *id), "a banned seat is ranked: {message:?}");
            }
        }
        events.extend(outcome.events.into_iter().map(|e| (e, now)));

        // Banned seats never come back, by token or by name, and nobody lists them.
        for &id in &banned {
            prop_assert!(!online(&live, id));
            let again = live.join(Some(id), None, None, Uuid::from_u128(fresh + 1));
            prop_assert_eq!(again.map(|_| ()).unwrap_err().code, ErrorCode::Banned);
        }
        let listed = live.welcome_state(Sender::Trainer, 0).participants;
        prop_assert!(listed.iter().all(|p| !banned.contains(&p.participant_id)));
        prop_assert!(live.participant_count() <= MAX_SEATS);
        for id in live.online_participants() {
            prop_assert!(!banned.contains(&id));
            // Every participant's welcome can be built (a crowd sees only its own seat).
            live.welcome_state(Sender::Participant(id), 0);
        }
    }

    let mut replayed = room(roster_limit);
    for (event, at) in &events {
        replayed.evolve(event, *at);
    }
    // Every change is an event: the reveal and the last quiz's title included.
    prop_assert_eq!(&replayed.state, &live.state);
    prop_assert_eq!(replayed.params, live.params);
    prop_assert_eq!(&replayed.name, &live.name);
    prop_assert_eq!(replayed.quiz_id, live.quiz_id);
    prop_assert_eq!(replayed.quiz_scores(), live.quiz_scores());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Joins with hostile names, leaves, kicks and bans, every command from the trainer,
    /// seated participants and strangers, and a quiz: nothing panics, a participant's
    /// trainer command is `forbidden`, names and chat are kept as given or refused by
    /// the rules, banned seats stay out, and replaying the events rebuilds the room.
    #[test]
    fn hostile_sessions_keep_the_rules_and_replay_to_the_same_room(
        roster_limit in prop_oneof![Just(2usize), Just(200)],
        steps in proptest::collection::vec(step(), 1..120),
    ) {
        drive(roster_limit, steps, false)?;
    }
}

/// The same sessions, chat and answers from ids that hold no seat included.
#[test]
fn hostile_sessions_with_strangers_speaking() {
    let config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(
        roster_limit in prop_oneof![Just(2usize), Just(200)],
        steps in proptest::collection::vec(step(), 1..120),
    )| {
        drive(roster_limit, steps, true)?;
    });
}

/// The room answers a stranger's chat or answer (an id that holds no seat) with an error,
/// as it does their trainer commands (`forbidden`) and page moves.
#[test]
fn an_unknown_participant_s_chat_or_answer_is_refused() {
    let mut live = room(200);
    let stranger = Sender::Participant(Uuid::from_u128(999));
    let chat = live.decide(
        stranger,
        Command::ChatSend {
            text: "Bonjour".into(),
        },
        (Uuid::from_u128(5), 1_000),
    );
    assert!(chat.is_err(), "a stranger's chat is refused: {chat:?}");

    live.join(None, Some("Zoé"), Some("Durand"), Uuid::from_u128(10))
        .unwrap();
    let quiz = Box::new(sheet(Scoring::Accuracy, false));
    live.decide(
        Sender::Trainer,
        Command::QuizStart { quiz },
        (Uuid::from_u128(6), 2_000),
    )
    .unwrap();
    live.decide(
        Sender::Trainer,
        Command::QuizNext,
        (Uuid::from_u128(7), 3_000),
    )
    .unwrap();
    let answer = live.decide(
        stranger,
        Command::QuizAnswer {
            question_id: "q1".into(),
            answer: Answer::Choices {
                choice_ids: vec!["c1".into()],
            },
            received_at: 3_100,
        },
        (Uuid::from_u128(8), 3_100),
    );
    assert!(
        answer.is_err(),
        "a stranger's answer is refused: {answer:?}"
    );
}

/// A banned seat's own commands, decided before its connection is gone (the actor closes
/// it only once the ban is committed), are refused.
#[test]
fn a_banned_seat_cannot_chat_or_answer_after_the_ban() {
    let mut live = room(200);
    let (zoe, _) = live
        .join(None, Some("Zoé"), Some("Durand"), Uuid::from_u128(10))
        .unwrap();
    let quiz = Box::new(sheet(Scoring::Accuracy, false));
    live.decide(
        Sender::Trainer,
        Command::QuizStart { quiz },
        (Uuid::from_u128(6), 2_000),
    )
    .unwrap();
    live.decide(
        Sender::Trainer,
        Command::QuizNext,
        (Uuid::from_u128(7), 3_000),
    )
    .unwrap();
    let ban = Command::Kick {
        participant_id: zoe,
        ban: true,
    };
    live.decide(Sender::Trainer, ban, (Uuid::from_u128(8), 3_050))
        .unwrap();
    let chat = live.decide(
        Sender::Participant(zoe),
        Command::ChatSend {
            text: "encore là".into(),
        },
        (Uuid::from_u128(9), 3_060),
    );
    assert!(chat.is_err(), "chat after the ban: {chat:?}");
    let answer = live.decide(
        Sender::Participant(zoe),
        Command::QuizAnswer {
            question_id: "q1".into(),
            answer: Answer::Choices {
                choice_ids: vec!["c1".into()],
            },
            received_at: 3_070,
        },
        (Uuid::from_u128(11), 3_070),
    );
    assert!(answer.is_err(), "answer after the ban: {answer:?}");
}
