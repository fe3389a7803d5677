use uuid::Uuid;

use super::*;
use crate::domain::events::{LeaveReason, PageRef, ScoreLine};
use crate::domain::quiz::{Answer, Choice, Question, QuestionKind};
use crate::domain::room::{Navigation, RoomParams};

const T0: i64 = 1_800_000_000_000;
const TRAINER: Uuid = Uuid::from_u128(0xAAAA);
const ROOM: Uuid = Uuid::from_u128(0xBBBB);
const QUIZ: Uuid = Uuid::from_u128(0xCCCC);

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn at(ms: i64) -> i64 {
    T0 + ms
}

fn scope(live_now: Option<i64>, scoring: Option<Scoring>) -> Scope {
    Scope {
        room_id: ROOM,
        trainer_id: TRAINER,
        live_now,
        scoring,
    }
}

fn started() -> (i64, RoomEvent) {
    let page = |id: &str, name: &str| PageRef {
        id: id.into(),
        name: name.into(),
    };
    (
        at(0),
        RoomEvent::SessionStarted {
            room_name: "atelier".into(),
            capsule_id: id(7),
            capsule_title: "Atelier".into(),
            trainer_name: "Ana Martin".into(),
            pages: vec![page("p1", "Intro"), page("p2", "Corps"), page("p3", "Fin")],
            params: RoomParams::default(),
            quiz_id: None,
        },
    )
}

fn name_of(n: u128) -> (String, String) {
    match n {
        1 => ("Zoé".into(), "Durand".into()),
        2 => ("Émile".into(), "Blanc".into()),
        _ => (format!("P{n}"), "Test".into()),
    }
}

fn joined(ms: i64, n: u128) -> (i64, RoomEvent) {
    let (first_name, last_name) = name_of(n);
    let event = RoomEvent::ParticipantJoined {
        participant_id: id(n),
        first_name,
        last_name,
        rejoin: false,
    };
    (at(ms), event)
}

fn left(ms: i64, n: u128, reason: LeaveReason) -> (i64, RoomEvent) {
    let (first_name, last_name) = name_of(n);
    let event = RoomEvent::ParticipantLeft {
        participant_id: id(n),
        first_name,
        last_name,
        reason,
    };
    (at(ms), event)
}

fn ended(ms: i64) -> (i64, RoomEvent) {
    let event = RoomEvent::SessionEnded {
        reason: EndReason::Trainer,
        duration_s: ms / 1000,
        participant_count: 2,
        room_name: "atelier".into(),
    };
    (at(ms), event)
}

fn row(report: &SessionReport, n: u128) -> &Attendance {
    report
        .attendance
        .iter()
        .find(|a| a.participant_id == id(n))
        .expect("participant is in the attendance")
}

#[test]
fn attendance_counts_every_presence_to_the_second() {
    let events = vec![
        started(),
        joined(1_000, 1),
        joined(2_500, 2),
        left(61_999, 1, LeaveReason::Timeout),
        joined(70_000, 1),
        // A duplicate join while present is not a new interval.
        joined(75_000, 1),
        left(100_000, 2, LeaveReason::Closed),
        // A leave of someone absent (a late ban) changes nothing.
        left(101_000, 2, LeaveReason::Banned),
        left(180_000, 1, LeaveReason::SessionEnded),
        ended(180_000),
    ];
    let report = build(&scope(None, None), events);
    assert_eq!(report.session.status, Status::Ended);
    assert_eq!(report.session.duration_s, 180);
    assert_eq!(report.session.participant_count, 2);
    assert!(report.notes.is_empty(), "{:?}", report.notes);

    let zoe = row(&report, 1);
    assert_eq!(zoe.intervals.len(), 2);
    assert_eq!(zoe.reconnections, 1);
    // 60.999 s + 110 s = 170.999 s
    assert_eq!(zoe.present_s, 170);
    assert_eq!(zoe.intervals[0].left_reason, LeftReason::Timeout);
    assert_eq!(zoe.intervals[0].duration_s, 60);
    assert!(zoe.present_at_end);

    let emile = row(&report, 2);
    assert_eq!((emile.present_s, emile.reconnections), (97, 0));
    assert!(!emile.present_at_end);
    // Sorted by last name, accents folded: Blanc before Durand.
    assert_eq!(report.attendance[0].last_name, "Blanc");
    assert_eq!(report.attendance[0].first_name, "Émile");
}

#[test]
fn a_crash_leaves_presence_open_until_the_end_and_says_so() {
    let events = vec![started(), joined(1_000, 1), ended(31_000)];
    let report = build(&scope(None, None), events);
    let zoe = row(&report, 1);
    assert_eq!(zoe.present_s, 30);
    assert_eq!(zoe.intervals[0].left_reason, LeftReason::Unrecorded);
    assert!(zoe.present_at_end);
    let codes: Vec<_> = report.notes.iter().map(|n| n.code).collect();
    assert_eq!(codes, ["leave_unrecorded"]);
}

#[test]
fn a_live_session_reports_up_to_now() {
    let events = vec![started(), joined(1_000, 1)];
    let report = build(&scope(Some(at(11_000)), None), events);
    assert_eq!(report.session.status, Status::Live);
    assert_eq!(report.session.until, At(at(11_000)));
    assert_eq!(report.session.ended_at, None);
    let zoe = row(&report, 1);
    assert_eq!(zoe.present_s, 10);
    assert_eq!(zoe.intervals[0].left_reason, LeftReason::StillPresent);
    assert!(report.notes.is_empty(), "being live is not an anomaly");
}

#[test]
fn a_session_never_ended_stops_at_its_last_event() {
    let events = vec![started(), joined(1_000, 1), joined(4_000, 2)];
    let report = build(&scope(None, None), events);
    assert_eq!(report.session.status, Status::Interrupted);
    assert_eq!(report.session.until, At(at(4_000)));
    assert_eq!(row(&report, 1).present_s, 3);
    let codes: Vec<_> = report.notes.iter().map(|n| n.code).collect();
    assert_eq!(codes, ["session_not_ended", "leave_unrecorded"]);
}

#[test]
fn events_after_the_end_and_unknown_types_are_ignored() {
    let unknown = RoomEvent::from_parts("confetti_thrown", serde_json::json!({"n": 3}));
    assert_eq!(unknown, None, "the caller drops unknown types");
    let events = vec![started(), joined(1_000, 1), ended(5_000), joined(9_000, 2)];
    let report = build(&scope(None, None), events);
    assert_eq!(report.attendance.len(), 1);
    assert_eq!(report.session.until, At(at(5_000)));
}

#[test]
fn the_pages_timeline_starts_on_the_first_page_and_splits_on_navigation() {
    let page = |ms, id: &str, index| {
        let event = RoomEvent::PageChanged {
            page_id: id.into(),
            page_name: format!("name {id}"),
            page_index: index,
        };
        (at(ms), event)
    };
    let navigation = |ms, navigation| {
        let params = RoomParams {
            navigation,
            ..RoomParams::default()
        };
        let event = RoomEvent::ParamsChanged {
            params,
            changed: vec!["navigation".into()],
        };
        (at(ms), event)
    };
    let events = vec![
        started(),
        page(10_000, "p2", 1),
        page(12_000, "p2", 1),
        navigation(20_000, Navigation::Free),
        page(30_000, "p1", 0),
        ended(45_000),
    ];
    let report = build(&scope(None, None), events);
    let views: Vec<_> = report
        .pages
        .timeline
        .iter()
        .map(|v| (v.page_id.as_str(), v.navigation, v.duration_s))
        .collect();
    assert_eq!(
        views,
        [
            ("p1", Navigation::Follow, 10),
            ("p2", Navigation::Follow, 10),
            ("p2", Navigation::Free, 10),
            ("p1", Navigation::Free, 15),
        ]
    );
    let totals: Vec<_> = report
        .pages
        .totals
        .iter()
        .map(|t| (t.page_id.as_str(), t.views, t.duration_s))
        .collect();
    assert_eq!(totals, [("p1", 2, 25), ("p2", 2, 20), ("p3", 0, 0)]);
}

#[test]
fn chat_activity_counts_messages_and_tells_the_trainer_apart() {
    let chat = |ms, who: Uuid, first: &str, length| {
        let event = RoomEvent::ChatMessageSent {
            participant_id: who,
            first_name: first.into(),
            last_name: String::new(),
            length,
        };
        (at(ms), event)
    };
    let events = vec![
        started(),
        joined(1_000, 1),
        chat(2_000, id(1), "Zoé", 5),
        chat(3_000, TRAINER, "Ana Martin", 10),
        chat(4_000, id(1), "Zoé", 7),
        ended(5_000),
    ];
    let report = build(&scope(None, None), events);
    let lines: Vec<_> = report
        .chat
        .iter()
        .map(|c| (c.first_name.as_str(), c.trainer, c.messages, c.characters))
        .collect();
    assert_eq!(lines, [("Zoé", false, 2, 12), ("Ana Martin", true, 1, 10)]);
}

#[test]
fn the_board_shows_who_drew_in_which_minutes() {
    const MINUTE: i64 = 60_000;
    let drew = |ms: i64, who: Option<u128>, minute: i64, counts: (u32, u32, u32)| {
        let event = RoomEvent::CanvasEdited {
            participant_id: who.map(id),
            minute: at(minute * MINUTE),
            created: counts.0,
            updated: counts.1,
            deleted: counts.2,
        };
        (at(ms), event)
    };
    let events = vec![
        started(),
        joined(1_000, 1),
        joined(1_000, 2),
        drew(61_000, Some(1), 0, (2, 5, 0)),
        drew(61_000, None, 0, (1, 0, 0)),
        drew(121_000, Some(1), 1, (0, 3, 1)),
        drew(181_000, Some(2), 2, (4, 4, 0)),
        // The same minute again (a restart split its counts): it adds up.
        drew(182_000, Some(2), 2, (1, 0, 0)),
        ended(190_000),
    ];
    let board = build(&scope(None, None), events).board;
    let people: Vec<_> = (board.people.iter())
        .map(|d| {
            let minutes: Vec<i64> = d.minutes.iter().map(|m| (m.0 - T0) / MINUTE).collect();
            let name = format!("{} {}", d.first_name, d.last_name);
            (name, d.trainer, minutes, (d.created, d.updated, d.deleted))
        })
        .collect();
    assert_eq!(
        people,
        [
            ("Ana Martin ".into(), true, vec![0], (1, 0, 0)),
            ("Émile Blanc".into(), false, vec![2], (5, 4, 0)),
            ("Zoé Durand".into(), false, vec![0, 1], (2, 8, 1)),
        ]
    );
    assert_eq!(board.people[0].participant_id, None);
    assert_eq!(board.people[1].participant_id, Some(id(2)));
    let timeline: Vec<_> = (board.timeline.iter())
        .map(|m| ((m.minute.0 - T0) / MINUTE, m.drawers, m.created, m.updated))
        .collect();
    assert_eq!(timeline, [(0, 2, 3, 5), (1, 1, 0, 3), (2, 1, 5, 4)]);
}

#[test]
fn a_session_nobody_drew_in_has_an_empty_board() {
    let board = build(&scope(None, None), vec![started(), ended(1_000)]).board;
    assert_eq!(board, Board::default());
}

fn question(id: &str, kind: QuestionKind, correct: &[bool]) -> Question {
    Question::with_choices(
        id.into(),
        kind,
        format!("question {id}?"),
        correct
            .iter()
            .enumerate()
            .map(|(i, &correct)| Choice {
                id: format!("c{}", i + 1),
                text: format!("choice {}", i + 1),
                correct,
                image: None,
            })
            .collect(),
        20,
        1000,
    )
}

fn quiz_started(ms: i64, scoring: Scoring) -> (i64, RoomEvent) {
    let event = RoomEvent::QuizStarted {
        quiz_id: QUIZ,
        quiz_title: "Bilan".into(),
        scoring,
        questions: vec![
            question("q1", QuestionKind::Single, &[true, false, false]),
            question("q2", QuestionKind::Poll, &[false, false]),
        ],
    };
    (at(ms), event)
}

fn opened(ms: i64, q: &str, index: usize) -> (i64, RoomEvent) {
    let event = RoomEvent::QuizQuestionOpened {
        quiz_id: QUIZ,
        question_id: q.into(),
        question_index: index,
        time_limit_s: 20,
    };
    (at(ms), event)
}

fn closed(ms: i64, q: &str) -> (i64, RoomEvent) {
    let event = RoomEvent::QuizQuestionClosed {
        quiz_id: QUIZ,
        question_id: q.into(),
        answered: 0,
        present: 0,
    };
    (at(ms), event)
}

fn answered(
    ms: i64,
    q: &str,
    n: u128,
    choice: &str,
    correct: Option<bool>,
    points: i64,
) -> (i64, RoomEvent) {
    let (first_name, last_name) = name_of(n);
    let event = RoomEvent::QuizAnswered {
        quiz_id: QUIZ,
        question_id: q.into(),
        participant_id: id(n),
        first_name,
        last_name,
        answer: Answer::Choices {
            choice_ids: vec![choice.into()],
        },
        correct,
        points,
        response_ms: 10_000,
    };
    (at(ms), event)
}

fn quiz_ended(ms: i64, scores: &[(u128, i64)]) -> (i64, RoomEvent) {
    let scores = scores
        .iter()
        .map(|&(n, score)| {
            let (first_name, last_name) = name_of(n);
            ScoreLine {
                participant_id: id(n),
                first_name,
                last_name,
                score,
            }
        })
        .collect();
    (
        at(ms),
        RoomEvent::QuizEnded {
            quiz_id: QUIZ,
            scores,
        },
    )
}

/// Zoé (1) and Émile (2) are there for q1; P3 joins during q1 and says nothing; P4 leaves
/// before it opens. Zoé answers right in 10 s under the speed rule (750 of 1000 points).
fn quiz_session() -> Vec<(i64, RoomEvent)> {
    vec![
        started(),
        joined(1_000, 1),
        joined(1_000, 2),
        joined(1_000, 4),
        left(5_000, 4, LeaveReason::Closed),
        quiz_started(10_000, Scoring::Speed),
        opened(11_000, "q1", 0),
        joined(12_000, 3),
        answered(21_000, "q1", 1, "c1", Some(true), 750),
        answered(21_000, "q1", 2, "c2", Some(false), 0),
        // A second answer of the same participant is not counted.
        answered(22_000, "q1", 2, "c1", Some(true), 750),
        closed(31_000, "q1"),
        opened(32_000, "q2", 1),
        answered(33_000, "q2", 2, "c2", None, 0),
        closed(40_000, "q2"),
        quiz_ended(41_000, &[(1, 750), (2, 0)]),
        left(50_000, 1, LeaveReason::SessionEnded),
        left(50_000, 2, LeaveReason::SessionEnded),
        left(50_000, 3, LeaveReason::SessionEnded),
        ended(50_000),
    ]
}

#[test]
fn quiz_results_per_participant_and_question() {
    let report = build(&scope(None, None), quiz_session());
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let quiz = &report.quizzes[0];
    assert_eq!((quiz.scoring, quiz.rescored), (Scoring::Speed, false));
    let q1 = &quiz.questions[0];
    let answers: Vec<_> = q1
        .answers
        .iter()
        .map(|a| {
            (
                a.last_name.as_str(),
                a.answer_text.as_str(),
                a.correct,
                a.points,
            )
        })
        .collect();
    assert_eq!(
        answers,
        [
            ("Blanc", "choice 2", Some(false), 0),
            ("Durand", "choice 1", Some(true), 750)
        ]
    );
    let silent: Vec<_> = q1.not_answered.iter().map(|p| p.participant_id).collect();
    assert_eq!(silent, [id(3)], "P3 came during q1; P4 had left");
    assert_eq!((q1.present, q1.answered, q1.correct), (3, 2, 1));
    assert_eq!(q1.percent_correct, Some(50.0));
    assert_eq!(q1.median_response_s, Some(10.0));
    let counts: Vec<_> = q1
        .distribution
        .iter()
        .map(|c| (c.count, c.percent))
        .collect();
    assert_eq!(counts, [(1, 50.0), (1, 50.0), (0, 0.0)]);

    let poll = &quiz.questions[1];
    assert_eq!(poll.percent_correct, None, "a poll has no right answer");
    assert_eq!(poll.not_answered.len(), 2);

    let ranking: Vec<_> = quiz
        .ranking
        .iter()
        .map(|r| (r.rank, r.participant_id, r.score))
        .collect();
    assert_eq!(ranking, [(1, id(1), 750), (2, id(2), 0), (2, id(3), 0)]);
}

#[test]
fn rescoring_applies_the_other_rule_to_the_same_answers() {
    let report = build(&scope(None, Some(Scoring::Accuracy)), quiz_session());
    let quiz = &report.quizzes[0];
    assert_eq!(
        (quiz.scoring, quiz.recorded_scoring),
        (Scoring::Accuracy, Scoring::Speed)
    );
    assert!(quiz.rescored);
    assert_eq!(quiz.ranking[0].score, 1000);
    assert!(
        report.notes.is_empty(),
        "recorded scores are not compared when rescoring"
    );
    let same = build(&scope(None, Some(Scoring::Speed)), quiz_session());
    assert_eq!(same.quizzes[0].ranking[0].score, 750);
    assert!(!same.quizzes[0].rescored);
}

#[test]
fn an_unfinished_quiz_still_reports_and_says_so() {
    let mut events = quiz_session();
    events.retain(|(_, e)| {
        !matches!(
            e,
            RoomEvent::QuizEnded { .. } | RoomEvent::QuizQuestionClosed { .. }
        )
    });
    let report = build(&scope(None, None), events);
    let codes: Vec<_> = report.notes.iter().map(|n| n.code).collect();
    assert_eq!(codes, ["quiz_not_ended", "question_not_closed"]);
    assert_eq!(report.quizzes[0].questions[0].answered, 2);
}

#[test]
fn recorded_scores_that_disagree_with_the_answers_are_noted() {
    let mut events = quiz_session();
    let end = events
        .iter_mut()
        .find(|(_, e)| matches!(e, RoomEvent::QuizEnded { .. }))
        .unwrap();
    *end = quiz_ended(41_000, &[(1, 900), (2, 0)]);
    let report = build(&scope(None, None), events);
    assert_eq!(report.notes[0].code, "scores_differ");
    assert_eq!(report.quizzes[0].ranking[0].score, 750);
}

mod random_logs {
    use proptest::prelude::*;

    use super::*;

    /// Any event a log may hold about four participants and three pages, in any order, with
    /// events missing anywhere.
    fn event() -> impl Strategy<Value = RoomEvent> {
        let who = (1..=4_u128).prop_map(id);
        let reason = prop::sample::select(vec![
            LeaveReason::Closed,
            LeaveReason::Timeout,
            LeaveReason::Kicked,
            LeaveReason::Banned,
            LeaveReason::SessionEnded,
        ]);
        prop_oneof![
            (who.clone(), any::<bool>()).prop_map(|(p, rejoin)| RoomEvent::ParticipantJoined {
                participant_id: p,
                first_name: "A".into(),
                last_name: "B".into(),
                rejoin,
            }),
            (who.clone(), reason).prop_map(|(p, reason)| RoomEvent::ParticipantLeft {
                participant_id: p,
                first_name: "A".into(),
                last_name: "B".into(),
                reason,
            }),
            (0..3_usize).prop_map(|i| RoomEvent::PageChanged {
                page_id: format!("p{}", i + 1),
                page_name: format!("page {i}"),
                page_index: i,
            }),
            any::<bool>().prop_map(|free| RoomEvent::ParamsChanged {
                params: RoomParams {
                    navigation: if free {
                        Navigation::Free
                    } else {
                        Navigation::Follow
                    },
                    ..RoomParams::default()
                },
                changed: vec!["navigation".into()],
            }),
            (who, 0..50_usize).prop_map(|(p, length)| RoomEvent::ChatMessageSent {
                participant_id: p,
                first_name: "A".into(),
                last_name: "B".into(),
                length,
            }),
        ]
    }

    /// A log in time order, ended or not, read while live (`Some(now)`) or not.
    fn log() -> impl Strategy<Value = (Vec<(i64, RoomEvent)>, Option<i64>)> {
        let steps = prop::collection::vec((0..20_000_i64, event()), 0..60);
        (
            any::<bool>(),
            steps,
            any::<bool>(),
            prop::option::of(0..50_000_i64),
        )
            .prop_map(|(with_start, steps, with_end, live)| {
                let mut at = T0;
                let mut events = Vec::new();
                if with_start {
                    events.push(started());
                }
                for (step, event) in steps {
                    at += step;
                    events.push((at, event));
                }
                if with_end {
                    events.push(ended(at + 1 - T0));
                }
                (events, live.map(|d| at + d))
            })
    }

    proptest! {
        #[test]
        fn presence_and_pages_stay_within_the_session((events, live) in log()) {
            let report = build(&scope(live, None), events);
            let (start, until) = (report.session.started_at.0, report.session.until.0);
            prop_assert!(start <= until);
            for a in &report.attendance {
                prop_assert_eq!(a.reconnections + 1, a.intervals.len());
                let mut last_left = start;
                let mut ms = 0;
                for i in &a.intervals {
                    prop_assert!(last_left <= i.joined_at.0 && i.joined_at.0 <= i.left_at.0);
                    prop_assert!(i.left_at.0 <= until);
                    last_left = i.left_at.0;
                    ms += i.left_at.0 - i.joined_at.0;
                }
                prop_assert_eq!(a.present_s, ms / 1000);
                prop_assert!(a.present_s <= report.session.duration_s);
            }
            let views = &report.pages.timeline;
            if let (Some(first), Some(last)) = (views.first(), views.last()) {
                prop_assert_eq!(last.to.0, until);
                prop_assert!(first.from.0 >= start);
            }
            for pair in views.windows(2) {
                prop_assert_eq!(pair[0].to, pair[1].from, "views follow each other");
            }
            let shown: i64 = report.pages.totals.iter().map(|t| t.duration_s).sum();
            prop_assert!(shown <= report.session.duration_s);
        }
    }
}
