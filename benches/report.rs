//! How long a large session's report takes: 5,000 participants, a quiz of 20 questions that
//! everyone answers, some chat and page changes (about 106,000 events). Measures decoding the
//! stored rows, the fold, and each format, and prints p50/p99 over several runs.
//!
//! `cargo bench --bench report` (add `-- 50` for 50 runs).

use std::time::{Duration, Instant};

use pratico::domain::events::{EndReason, LeaveReason, PageRef, RoomEvent};
use pratico::domain::quiz::{Answer, Choice, Question, QuestionKind, Scoring, points_for};
use pratico::domain::report::{self, Scope, SessionReport};
use pratico::domain::room::RoomParams;
use pratico::export::{self, Format};
use pratico::store::events::EventRow;
use uuid::Uuid;

const PARTICIPANTS: usize = 5_000;
const QUESTIONS: usize = 20;
const T0: i64 = 1_795_770_000_000;

fn question(i: usize) -> Question {
    Question::with_choices(
        format!("q{}", i + 1),
        QuestionKind::Single,
        format!("Question {}?", i + 1),
        (0..4)
            .map(|c| Choice {
                id: format!("c{}", c + 1),
                text: format!("Choice {}", c + 1),
                correct: c == 0,
                image: None,
            })
            .collect(),
        30,
        1000,
    )
}

/// The stored rows of a large session, in order.
fn session() -> (Uuid, Uuid, Vec<EventRow>) {
    let (room, trainer, quiz) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let mut rows = Vec::new();
    let mut push = |at: i64, event: RoomEvent| {
        rows.push(EventRow::stamped(
            (Uuid::now_v7(), at),
            room,
            trainer,
            &event,
        ));
    };
    let pages: Vec<PageRef> = (0..30)
        .map(|i| PageRef {
            id: format!("page:{i}"),
            name: format!("Page {i}"),
        })
        .collect();
    push(
        T0,
        RoomEvent::SessionStarted {
            room_name: "grand-amphi".into(),
            capsule_id: Uuid::now_v7(),
            capsule_title: "Grand amphi".into(),
            trainer_name: "Ana Martin".into(),
            pages: pages.clone(),
            params: RoomParams::default(),
            quiz_id: Some(quiz),
        },
    );
    let people: Vec<(Uuid, String, String)> = (0..PARTICIPANTS)
        .map(|i| {
            (
                Uuid::now_v7(),
                format!("Prénom{i}"),
                format!("Nom{}", i % 997),
            )
        })
        .collect();
    for (i, (id, first, last)) in people.iter().enumerate() {
        let event = RoomEvent::ParticipantJoined {
            participant_id: *id,
            first_name: first.clone(),
            last_name: last.clone(),
            rejoin: false,
        };
        push(T0 + 1_000 + i as i64 * 10, event);
    }
    for (i, page) in pages.iter().enumerate().skip(1) {
        let event = RoomEvent::PageChanged {
            page_id: page.id.clone(),
            page_name: page.name.clone(),
            page_index: i,
        };
        push(T0 + 60_000 + i as i64 * 30_000, event);
    }
    for (i, (id, first, last)) in people.iter().enumerate().step_by(10) {
        let event = RoomEvent::ChatMessageSent {
            participant_id: *id,
            first_name: first.clone(),
            last_name: last.clone(),
            length: 20 + i % 50,
        };
        push(T0 + 100_000 + i as i64, event);
    }
    let questions: Vec<Question> = (0..QUESTIONS).map(question).collect();
    let quiz_at = T0 + 1_000_000;
    push(
        quiz_at,
        RoomEvent::QuizStarted {
            quiz_id: quiz,
            quiz_title: "Bilan".into(),
            scoring: Scoring::Speed,
            questions: questions.clone(),
        },
    );
    for (q, question) in questions.iter().enumerate() {
        let opened = quiz_at + 1_000 + q as i64 * 40_000;
        push(
            opened,
            RoomEvent::QuizQuestionOpened {
                quiz_id: quiz,
                question_id: question.id.clone(),
                question_index: q,
                time_limit_s: 30,
            },
        );
        for (i, (id, first, last)) in people.iter().enumerate() {
            let response_ms = 500 + ((i * 7 + q * 13) % 29_000) as i64;
            let choice = (i + q) % 4;
            let correct = choice == 0;
            let event = RoomEvent::QuizAnswered {
                quiz_id: quiz,
                question_id: question.id.clone(),
                participant_id: *id,
                first_name: first.clone(),
                last_name: last.clone(),
                answer: Answer::Choices {
                    choice_ids: vec![format!("c{}", choice + 1)],
                },
                correct: Some(correct),
                points: points_for(Scoring::Speed, correct, 1000, 30, response_ms),
                response_ms,
            };
            push(opened + response_ms, event);
        }
        push(
            opened + 31_000,
            RoomEvent::QuizQuestionClosed {
                quiz_id: quiz,
                question_id: question.id.clone(),
                answered: PARTICIPANTS,
                present: PARTICIPANTS,
            },
        );
    }
    let end = quiz_at + 2_000_000;
    for (id, first, last) in &people {
        let event = RoomEvent::ParticipantLeft {
            participant_id: *id,
            first_name: first.clone(),
            last_name: last.clone(),
            reason: LeaveReason::SessionEnded,
        };
        push(end, event);
    }
    push(
        end,
        RoomEvent::SessionEnded {
            reason: EndReason::Trainer,
            duration_s: (end - T0) / 1000,
            participant_count: PARTICIPANTS,
            room_name: "grand-amphi".into(),
        },
    );
    // Answers interleave in time across participants: rows go in stored order.
    rows.sort_by_key(|r| (r.created_at, r.id));
    (room, trainer, rows)
}

/// Runs `f` `runs` times and prints its p50 and p99.
fn measure<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> T {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(std::hint::black_box(f()));
        times.push(started.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<28} p50 {:>8.1} ms   p99 {:>8.1} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
    last.expect("at least one run")
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20);
    let (room, trainer, rows) = session();
    println!(
        "{PARTICIPANTS} participants × {QUESTIONS} questions: {} events, {runs} runs\n",
        rows.len()
    );
    let scope = Scope {
        room_id: room,
        trainer_id: trainer,
        live_now: None,
        scoring: None,
    };
    let build = |scoring: Option<Scoring>| -> SessionReport {
        let scope = Scope { scoring, ..scope };
        let events = rows.iter().filter_map(|r| Some((r.created_at, r.event()?)));
        report::build(&scope, events)
    };
    let events: Vec<(i64, RoomEvent)> = measure("decode rows", runs, || {
        rows.iter()
            .filter_map(|r| Some((r.created_at, r.event()?)))
            .collect()
    });
    measure("fold", runs, || {
        report::build(&scope, events.iter().cloned())
    });
    let report = measure("decode + fold (the report)", runs, || build(None));
    measure("decode + fold, rescored", runs, || {
        build(Some(Scoring::Accuracy))
    });
    assert_eq!(report.attendance.len(), PARTICIPANTS);
    for (name, format) in [
        ("json", Format::Json),
        ("csv (zip of all tables)", Format::Csv),
        ("xlsx", Format::Xlsx),
        ("html", Format::Html),
    ] {
        let bytes = measure(name, runs, || {
            export::render(&report, format, None, &Default::default(), false)
                .expect("renders")
                .bytes
        });
        println!("{:<28} {:.1} MB", "", bytes.len() as f64 / 1e6);
    }
}
