//! The quiz run: questions asked without their answers, scored, revealed, ended; time; the
//! standings; a session ended mid-quiz; the replay of random quiz sessions.

use std::collections::BTreeMap;

use proptest::prelude::*;
use uuid::Uuid;

use super::online;
use crate::domain::events::{PageRef, RoomEvent};
use crate::domain::protocol::{ChoiceCount, ErrorCode, QuizPhase, ServerMessage, Standing};
use crate::domain::quiz::{
    Answer, ChoiceInput, Question, QuestionInput, QuestionKind, Scoring, parse_questions,
};
use crate::domain::room::{
    Command, LiveRoom, Outcome, QuizSheet, RoomFacts, RoomLimits, RoomParams, RoomResult,
    RoomState, Sender,
};

const T0: i64 = 1_000_000;

fn questions() -> Vec<Question> {
    let choice = |text: &str, correct: bool| ChoiceInput {
        id: None,
        text: text.into(),
        correct,
        image: None,
    };
    let question = |kind, choices, points| QuestionInput {
        choices,
        time_limit_s: Some(20),
        points: Some(points),
        ..QuestionInput::new(kind, "?")
    };
    parse_questions(vec![
        question(
            QuestionKind::Single,
            vec![choice("a", true), choice("b", false)],
            1000,
        ),
        question(
            QuestionKind::Multiple,
            vec![choice("a", true), choice("b", false), choice("c", true)],
            500,
        ),
        question(
            QuestionKind::TrueFalse,
            vec![choice("Vrai", false), choice("Faux", true)],
            1000,
        ),
        question(
            QuestionKind::Poll,
            vec![choice("x", false), choice("y", false)],
            1000,
        ),
        question(QuestionKind::Open, vec![], 1000),
    ])
    .unwrap()
}

fn sheet(scoring: Scoring) -> QuizSheet {
    QuizSheet {
        id: Uuid::from_u128(77),
        title: "Révisions".into(),
        scoring,
        questions: questions(),
    }
}

fn start(scoring: Scoring) -> Command {
    Command::QuizStart {
        quiz: Box::new(sheet(scoring)),
    }
}

fn room() -> LiveRoom {
    let facts = RoomFacts {
        id: Uuid::from_u128(1),
        trainer_id: Uuid::from_u128(2),
        trainer_name: "Ana".into(),
        created_at: 0,
        capsule_id: Uuid::from_u128(3),
        capsule_title: "Atelier".into(),
        pages: vec![PageRef {
            id: "page:0".into(),
            name: "Intro".into(),
        }],
    };
    LiveRoom::new(
        facts,
        "atelier".into(),
        RoomParams::default(),
        RoomState::default(),
        Vec::new(),
        RoomLimits {
            max_participants: 100,
            roster_limit: 200,
        },
    )
}

fn stamp(at: i64) -> (Uuid, i64) {
    (Uuid::from_u128(at as u128), at)
}

fn trainer(room: &mut LiveRoom, command: Command, at: i64) -> Outcome {
    room.decide(Sender::Trainer, command, stamp(at)).unwrap()
}

fn answer(
    room: &mut LiveRoom,
    who: Uuid,
    question: &str,
    answer: Answer,
    at: i64,
) -> RoomResult<Outcome> {
    let command = Command::QuizAnswer {
        question_id: question.into(),
        answer,
        received_at: at,
    };
    room.decide(Sender::Participant(who), command, stamp(at))
}

fn choices(ids: &[&str]) -> Answer {
    Answer::Choices {
        choice_ids: ids.iter().map(|s| s.to_string()).collect(),
    }
}

fn join(room: &mut LiveRoom, n: u128) -> Uuid {
    room.join(
        None,
        Some("P"),
        Some(&n.to_string()),
        Uuid::from_u128(100 + n),
    )
    .unwrap()
    .0
}

/// Every message participants could receive from an outcome.
fn to_participants(outcome: &Outcome) -> Vec<ServerMessage> {
    let each = outcome.each().into_iter().map(|(_, m)| m);
    (outcome.broadcast.iter())
        .chain(&outcome.to_participants)
        .cloned()
        .chain(each)
        .chain(outcome.reply.clone())
        .collect()
}

fn leaks_correct_answers(message: &ServerMessage) -> bool {
    let json = serde_json::to_value(message).unwrap();
    !matches!(
        message,
        ServerMessage::QuizResults { .. } | ServerMessage::QuizEnded(_)
    ) && json.to_string().contains("\"correct\"")
}

#[test]
fn a_question_is_asked_without_its_answers_then_scored_and_revealed() {
    let mut room = room();
    let (zoe, leo) = (join(&mut room, 1), join(&mut room, 2));
    let started = trainer(&mut room, start(Scoring::Speed), T0);
    assert!(matches!(
        &started.events[..],
        [RoomEvent::QuizStarted { .. }]
    ));
    let opened = trainer(&mut room, Command::QuizNext, T0 + 1_000);
    assert!(
        to_participants(&opened)
            .iter()
            .all(|m| !leaks_correct_answers(m))
    );
    assert!(
        opened
            .to_trainers
            .iter()
            .any(|m| serde_json::to_string(m).unwrap().contains("\"correct\""))
    );
    assert_eq!(room.quiz_deadline(), Some(T0 + 1_000 + 20_000));

    // 10 s of a 20 s limit: 1000 × (1 − 10/40) = 750.
    let accepted = answer(&mut room, zoe, "q1", choices(&["c1"]), T0 + 11_000).unwrap();
    assert!(matches!(
        &accepted.events[..],
        [RoomEvent::QuizAnswered {
            correct: Some(true),
            points: 750,
            response_ms: 10_000,
            ..
        }]
    ));
    assert!(matches!(
        accepted.reply,
        Some(ServerMessage::QuizAnswerAccepted { .. })
    ));
    let again = answer(&mut room, zoe, "q1", choices(&["c2"]), T0 + 12_000);
    assert_eq!(again.unwrap_err().code, ErrorCode::AlreadyAnswered);
    let wrong = answer(&mut room, leo, "q1", choices(&["c2"]), T0 + 1_200).unwrap();
    assert!(
        wrong.events.iter().any(|e| matches!(
            e,
            RoomEvent::QuizQuestionClosed {
                answered: 2,
                present: 2,
                ..
            }
        )),
        "everyone present has answered: the question closes"
    );
    let late = answer(&mut room, leo, "q1", choices(&["c1"]), T0 + 1_300);
    assert_eq!(late.unwrap_err().code, ErrorCode::QuestionClosed);

    let revealed = trainer(&mut room, Command::QuizReveal, T0 + 14_000);
    let yours = |who: Uuid| {
        revealed.each().into_iter().find_map(|(id, m)| match m {
            ServerMessage::QuizResults {
                yours: Some(yours), ..
            } if id == who => Some(yours),
            _ => None,
        })
    };
    let zoe_result = yours(zoe).unwrap();
    assert_eq!(
        (zoe_result.points, zoe_result.score, zoe_result.rank),
        (750, 750, 1)
    );
    let leo_result = yours(leo).unwrap();
    assert_eq!(
        (leo_result.correct, leo_result.points, leo_result.rank),
        (Some(false), 0, 2)
    );
}

#[test]
fn answers_are_checked() {
    let mut room = room();
    let zoe = join(&mut room, 1);
    assert_eq!(
        answer(&mut room, zoe, "q1", choices(&["c1"]), T0)
            .unwrap_err()
            .code,
        ErrorCode::NotInQuiz
    );
    trainer(&mut room, start(Scoring::Accuracy), T0);
    let second = room.decide(Sender::Trainer, start(Scoring::Accuracy), stamp(T0));
    assert_eq!(second.unwrap_err().code, ErrorCode::QuizInProgress);
    assert_eq!(
        answer(&mut room, zoe, "q1", choices(&["c1"]), T0)
            .unwrap_err()
            .code,
        ErrorCode::QuestionClosed
    );
    trainer(&mut room, Command::QuizNext, T0);
    assert_eq!(
        answer(&mut room, zoe, "q2", choices(&["c1"]), T0)
            .unwrap_err()
            .code,
        ErrorCode::QuestionClosed
    );
    assert_eq!(
        answer(&mut room, zoe, "q1", choices(&["c9"]), T0)
            .unwrap_err()
            .code,
        ErrorCode::BadAnswer
    );
    assert_eq!(
        answer(&mut room, zoe, "q1", choices(&["c1", "c2"]), T0)
            .unwrap_err()
            .code,
        ErrorCode::BadAnswer
    );
    let text = Answer::Text { text: "hm".into() };
    assert_eq!(
        answer(&mut room, zoe, "q1", text, T0).unwrap_err().code,
        ErrorCode::BadAnswer
    );
    assert_eq!(
        answer(&mut room, zoe, "q1", choices(&["c1"]), T0 + 20_001)
            .unwrap_err()
            .code,
        ErrorCode::QuestionClosed
    );
    let forbidden = room.decide(Sender::Participant(zoe), Command::QuizNext, stamp(T0));
    assert_eq!(forbidden.unwrap_err().code, ErrorCode::Forbidden);
}

#[test]
fn time_closes_the_question() {
    let mut room = room();
    join(&mut room, 1);
    trainer(&mut room, start(Scoring::Accuracy), T0);
    trainer(&mut room, Command::QuizNext, T0);
    assert!(room.quiz_tick(T0 + 19_999).is_none());
    let closed = room.quiz_tick(T0 + 20_000).unwrap();
    assert!(matches!(
        &closed.events[..],
        [RoomEvent::QuizQuestionClosed {
            answered: 0,
            present: 1,
            ..
        }]
    ));
    assert_eq!(room.quiz_deadline(), None);
}

#[test]
fn the_end_records_final_scores_and_the_room_keeps_them() {
    let mut room = room();
    let zoe = join(&mut room, 1);
    join(&mut room, 2);
    trainer(&mut room, start(Scoring::Accuracy), T0);
    trainer(&mut room, Command::QuizNext, T0);
    answer(&mut room, zoe, "q1", choices(&["c1"]), T0 + 100).unwrap();
    let ended = trainer(&mut room, Command::QuizEnd, T0 + 200);
    let Some(RoomEvent::QuizEnded { scores, .. }) = ended.events.last() else {
        panic!("quiz_ended is recorded: {:?}", ended.events);
    };
    assert_eq!(scores[0].participant_id, zoe);
    assert_eq!(scores[0].score, 1000);
    assert_eq!(scores[1].score, 0);
    assert_eq!(room.quiz_scores(), scores.as_slice());
    assert!(room.state.quiz.is_none());
    assert_eq!(
        answer(&mut room, zoe, "q2", choices(&["c1"]), T0)
            .unwrap_err()
            .code,
        ErrorCode::NotInQuiz
    );
}

#[test]
fn a_welcome_shows_a_participants_answer_but_not_its_result_before_the_reveal() {
    let mut room = room();
    let zoe = join(&mut room, 1);
    join(&mut room, 2);
    trainer(&mut room, start(Scoring::Accuracy), T0);
    trainer(&mut room, Command::QuizNext, T0);
    answer(&mut room, zoe, "q1", choices(&["c1"]), T0 + 100).unwrap();
    let state = room.welcome_state(Sender::Participant(zoe), T0 + 5_000);
    let activity = state.activity.clone().unwrap();
    assert_eq!(
        (activity.phase, activity.deadline_ms, activity.remaining_ms),
        (QuizPhase::Open, Some(T0 + 20_000), Some(15_000)),
        "the deadline on the server's clock, and the time left for any other clock"
    );
    assert!(
        !serde_json::to_string(&state)
            .unwrap()
            .contains("\"correct\":true")
    );
    assert_eq!(state.score, 0, "the score moves only at the reveal");
    assert_eq!(state.answers[0].correct, None);
    trainer(&mut room, Command::QuizReveal, T0 + 200);
    let state = room.welcome_state(Sender::Participant(zoe), 0);
    assert_eq!((state.score, state.answers[0].correct), (1000, Some(true)));
}

#[test]
fn the_reveal_is_an_event_so_a_replay_shows_the_question_revealed() {
    let mut room = room();
    let zoe = join(&mut room, 1);
    let mut events = Vec::new();
    let mut record = |outcome: &Outcome, at: i64| {
        events.extend(outcome.events.iter().cloned().map(|e| (e, at)));
    };
    let start = start(Scoring::Accuracy);
    record(&trainer(&mut room, start, T0), T0);
    record(&trainer(&mut room, Command::QuizNext, T0), T0);
    let answered = answer(&mut room, zoe, "q1", choices(&["c1"]), T0 + 100).unwrap();
    record(&answered, T0 + 100);
    let revealed = trainer(&mut room, Command::QuizReveal, T0 + 200);
    record(&revealed, T0 + 200);
    let Some(RoomEvent::QuizResultsRevealed {
        question_id,
        distribution,
        ..
    }) = revealed.events.last()
    else {
        panic!("the reveal is recorded: {:?}", revealed.events);
    };
    assert_eq!(question_id, "q1");
    assert_eq!(
        distribution,
        &[
            ChoiceCount {
                choice_id: "c1".into(),
                count: 1
            },
            ChoiceCount {
                choice_id: "c2".into(),
                count: 0
            }
        ]
    );

    let mut replayed = room_with_seats(&room);
    for (event, at) in &events {
        replayed.evolve(event, *at);
    }
    assert_eq!(replayed.state.quiz, room.state.quiz);
    replayed.mark_online(zoe);
    let state = replayed.welcome_state(Sender::Participant(zoe), T0 + 300);
    let activity = state.activity.unwrap();
    assert_eq!(activity.phase, QuizPhase::Revealed);
    assert_eq!(activity.question.unwrap().choices[0].correct, Some(true));
    assert_eq!((state.score, state.answers[0].points), (1000, Some(1000)));
}

/// A room with the seats of `room` and nothing else, as a replay starts from.
fn room_with_seats(room: &LiveRoom) -> LiveRoom {
    let mut empty = self::room();
    empty.state.participants = room.state.participants.clone();
    LiveRoom::new(
        empty.facts.clone(),
        empty.name.clone(),
        empty.params,
        empty.state,
        Vec::new(),
        RoomLimits {
            max_participants: 100,
            roster_limit: 200,
        },
    )
}

#[test]
fn ending_the_session_during_a_question_closes_it_and_ends_the_quiz_first() {
    let mut room = room();
    let zoe = join(&mut room, 1);
    join(&mut room, 2);
    trainer(&mut room, start(Scoring::Accuracy), T0);
    trainer(&mut room, Command::QuizNext, T0);
    answer(&mut room, zoe, "q1", choices(&["c1"]), T0 + 100).unwrap();
    let ended = room.end(crate::domain::events::EndReason::Trainer, T0 + 5_000);
    let kinds: Vec<String> = ended.events.iter().map(|e| e.to_parts().0).collect();
    assert_eq!(
        kinds,
        [
            "quiz_question_closed",
            "quiz_ended",
            "participant_left",
            "participant_left",
            "session_ended"
        ]
    );
    let standings: Vec<(Uuid, Option<Standing>)> = (ended.each().into_iter())
        .map(|(id, m)| match m {
            ServerMessage::QuizEnded(outcome) => (id, outcome.yours),
            other => panic!("only final standings go to each: {other:?}"),
        })
        .collect();
    assert_eq!(standings.len(), 2, "each participant gets their standing");
    let zoes = standings.iter().find(|(id, _)| *id == zoe).unwrap();
    assert_eq!(zoes.1.as_ref().map(|s| (s.score, s.rank)), Some((1000, 1)));
}

#[test]
fn a_participant_back_after_the_quiz_ended_keeps_their_rank_and_points() {
    let mut room = room();
    let zoe = join(&mut room, 1);
    let leo = join(&mut room, 2);
    trainer(&mut room, start(Scoring::Accuracy), T0);
    trainer(&mut room, Command::QuizNext, T0);
    answer(&mut room, leo, "q1", choices(&["c1"]), T0 + 100).unwrap();
    trainer(&mut room, Command::QuizEnd, T0 + 200);
    room.leave(leo, crate::domain::events::LeaveReason::Closed);
    room.join(Some(leo), None, None, Uuid::nil()).unwrap();

    let state = room.welcome_state(Sender::Participant(leo), T0 + 300);
    assert!(state.activity.is_none());
    assert_eq!(state.score, 1000);
    let ended = state
        .quiz_ended
        .expect("the final standings stay in the welcome");
    assert_eq!(ended.title, "Révisions");
    let yours = ended.yours.unwrap();
    assert_eq!(
        (yours.participant_id, yours.score, yours.rank),
        (leo, 1000, 1)
    );
    assert_eq!(ended.leaderboard.len(), 2);
    let trainers = room.welcome_state(Sender::Trainer, T0 + 300);
    assert!(trainers.quiz_ended.unwrap().yours.is_none());

    // Until another quiz starts.
    trainer(&mut room, start(Scoring::Accuracy), T0 + 400);
    let state = room.welcome_state(Sender::Participant(zoe), T0 + 500);
    assert!(state.quiz_ended.is_none());
    assert_eq!(state.score, 0);
}

#[test]
fn the_live_leaderboard_and_the_report_rank_tied_accented_names_alike() {
    use crate::domain::report::{Scope, build};
    let mut room = room();
    let mut events: Vec<(i64, RoomEvent)> = Vec::new();
    let mut people = Vec::new();
    for (n, (first, last)) in [("Zoé", "Zola"), ("Émile", "Étienne"), ("Abel", "Martin")]
        .into_iter()
        .enumerate()
    {
        let (id, joined) = room
            .join(
                None,
                Some(first),
                Some(last),
                Uuid::from_u128(500 + n as u128),
            )
            .unwrap();
        events.extend(joined.events.into_iter().map(|e| (T0, e)));
        people.push(id);
    }
    let start = start(Scoring::Accuracy);
    let mut steps = vec![
        trainer(&mut room, start, T0),
        trainer(&mut room, Command::QuizNext, T0),
    ];
    // Zola and Étienne tie; raw names would put `Z` before `É`, folded ones `e` before `z`.
    for (who, pick) in [(people[0], "c1"), (people[1], "c1"), (people[2], "c2")] {
        steps.push(answer(&mut room, who, "q1", choices(&[pick]), T0 + 100).unwrap());
    }
    steps.push(trainer(&mut room, Command::QuizEnd, T0 + 200));
    let ended = steps.last().unwrap();
    let Some(ServerMessage::QuizEnded(live)) = ended.to_trainers.last().cloned() else {
        panic!(
            "the trainer gets the final standings: {:?}",
            ended.to_trainers
        );
    };
    for step in steps {
        events.extend(step.events.into_iter().map(|e| (T0 + 200, e)));
    }
    let scope = Scope {
        room_id: room.facts.id,
        trainer_id: room.facts.trainer_id,
        live_now: Some(T0 + 300),
        scoring: None,
    };
    let report = build(&scope, events);
    let reported: Vec<(String, i64, usize)> = (report.quizzes[0].ranking.iter())
        .map(|l| (l.last_name.clone(), l.score, l.rank))
        .collect();
    let shown: Vec<(String, i64, usize)> = (live.leaderboard.iter())
        .map(|s| (s.last_name.clone(), s.score, s.rank))
        .collect();
    assert_eq!(shown, reported);
    assert_eq!(
        shown,
        [
            ("Étienne".to_owned(), 1000, 1),
            ("Zola".to_owned(), 1000, 1),
            ("Martin".to_owned(), 0, 3)
        ]
    );
}

/// One step of a random quiz.
#[derive(Debug, Clone)]
enum Step {
    Next,
    Close,
    Reveal,
    Tick(u16),
    Answer { who: u8, pick: u8, delay: u16 },
    Leave(u8),
    Rejoin(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => Just(Step::Next),
        1 => Just(Step::Close),
        1 => Just(Step::Reveal),
        1 => (0u16..30_000).prop_map(Step::Tick),
        6 => (0u8..4, 0u8..8, 0u16..25_000).prop_map(|(who, pick, delay)| Step::Answer { who, pick, delay }),
        1 => (0u8..4).prop_map(Step::Leave),
        1 => (0u8..4).prop_map(Step::Rejoin),
    ]
}

fn random_answer(pick: u8) -> Answer {
    match pick {
        0 => choices(&["c1"]),
        1 => choices(&["c2"]),
        2 => choices(&["c1", "c3"]),
        3 => choices(&["c3"]),
        4 => Answer::Text {
            text: "une idée".into(),
        },
        5 => choices(&["c1", "c2"]),
        6 => Answer::Text {
            text: String::new(),
        },
        _ => choices(&["zz"]),
    }
}

proptest! {
    /// Whatever the trainer and participants do: nothing panics, participants never see a
    /// correct answer before the reveal, the scores are the fold of the `quiz_answered` events,
    /// and replaying the events gives the same quiz state.
    #[test]
    fn scores_are_the_fold_of_the_answers(
        scoring in prop_oneof![Just(Scoring::Accuracy), Just(Scoring::Speed)],
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        let mut live = room();
        let people: Vec<Uuid> = (1..=4).map(|n| join(&mut live, n)).collect();
        let mut now = T0;
        let mut events = Vec::new();
        let started = trainer(&mut live, start(scoring), now);
        events.extend(started.events.into_iter().map(|e| (e, now)));
        for step in steps {
            now += 100;
            let outcome = match step {
                Step::Next => live.decide(Sender::Trainer, Command::QuizNext, stamp(now)).ok(),
                Step::Close => live.decide(Sender::Trainer, Command::QuizClose, stamp(now)).ok(),
                Step::Reveal => live.decide(Sender::Trainer, Command::QuizReveal, stamp(now)).ok(),
                Step::Tick(ms) => {
                    now += i64::from(ms);
                    live.quiz_tick(now)
                }
                Step::Answer { who, pick, delay } => {
                    let id = people[usize::from(who)];
                    let question = live.state.quiz.as_ref().and_then(|r| r.index).map(|i| format!("q{}", i + 1));
                    if !online(&live, id) {
                        continue;
                    }
                    let at = now + i64::from(delay);
                    answer(&mut live, id, &question.unwrap_or_default(), random_answer(pick), at).ok()
                }
                Step::Leave(who) => live.leave(people[usize::from(who)], crate::domain::events::LeaveReason::Closed),
                Step::Rejoin(who) => live.join(Some(people[usize::from(who)]), None, None, Uuid::nil()).ok().map(|(_, o)| o),
            };
            let Some(outcome) = outcome else { continue };
            let revealing = outcome.each().iter().any(|(_, m)| matches!(m, ServerMessage::QuizResults { .. }));
            if !revealing {
                for message in to_participants(&outcome) {
                    prop_assert!(!leaks_correct_answers(&message), "{message:?}");
                }
            }
            events.extend(outcome.events.into_iter().map(|e| (e, now)));
        }
        let mut folded: BTreeMap<Uuid, i64> = BTreeMap::new();
        for (event, _) in &events {
            if let RoomEvent::QuizAnswered { participant_id, points, .. } = event {
                *folded.entry(*participant_id).or_default() += points;
            }
        }
        let run = live.state.quiz.as_ref().unwrap();
        prop_assert_eq!(&run.scores, &folded);
        let mut replayed = room();
        for (event, at) in &events {
            replayed.evolve(event, *at);
        }
        // The reveal included: a restart shows a revealed question revealed.
        prop_assert_eq!(replayed.state.quiz.as_ref(), Some(run));
    }
}
