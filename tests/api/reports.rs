//! Session reports, from `room_events` alone. Most tests write a scripted session's events
//! through the store (times under control); one drives a real session through the API.

mod formats;
mod real_session;
mod routes;

use std::sync::atomic::{AtomicU64, Ordering};

use pratico::domain::events::{EndReason, LeaveReason, PageRef, RoomEvent, ScoreLine};
use pratico::domain::quiz::{Answer, Choice, Question, QuestionKind, Scoring};
use pratico::domain::room::RoomParams;
use pratico::store::Db;
use pratico::store::events::{EventRow, append};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::TestApp;

/// 2026-11-27T09:00:00Z
pub const T0: i64 = 1_795_770_000_000;
pub const ROOM: Uuid = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0001);
pub const QUIZ: Uuid = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0002);
pub const CAPSULE: Uuid = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0003);
pub const ZOE: Uuid = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0011);
pub const EMILE: Uuid = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0012);
pub const LEA: Uuid = Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0013);

pub async fn db(app: &TestApp) -> Db {
    Db::connect(&app.database_url).await.unwrap()
}

/// Increasing event ids, so that events stamped in the same millisecond keep their order.
fn event_id() -> Uuid {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    Uuid::from_u128(
        0x0190_0000_0000_7000_8000_0000_0000_0000 | u128::from(NEXT.fetch_add(1, Ordering::SeqCst)),
    )
}

/// A session's events, written as the room would have, at chosen times.
pub struct Script {
    pub room_id: Uuid,
    pub trainer_id: Uuid,
    /// The time offsets count from.
    pub base: i64,
    pub rows: Vec<EventRow>,
}

impl Script {
    pub fn new(room_id: Uuid, trainer_id: Uuid) -> Self {
        Self::starting(T0, room_id, trainer_id)
    }

    pub fn starting(base: i64, room_id: Uuid, trainer_id: Uuid) -> Self {
        Self {
            room_id,
            trainer_id,
            base,
            rows: Vec::new(),
        }
    }

    /// Adds `event` at `ms` milliseconds after `base`.
    pub fn at(&mut self, ms: i64, event: RoomEvent) -> &mut Self {
        let row = EventRow::stamped(
            (event_id(), self.base + ms),
            self.room_id,
            self.trainer_id,
            &event,
        );
        self.rows.push(row);
        self
    }

    /// Adds a row of a type this build does not know.
    pub fn unknown(&mut self, ms: i64, kind: &str) -> &mut Self {
        let mut row = EventRow::stamped(
            (event_id(), self.base + ms),
            self.room_id,
            self.trainer_id,
            &RoomEvent::RoomLocked {},
        );
        row.kind = kind.to_owned();
        row.data = sqlx::types::Json(serde_json::json!({"emoji": "🎉"}));
        self.rows.push(row);
        self
    }

    pub async fn store(&self, app: &TestApp) {
        append(&db(app).await, &self.rows).await.unwrap();
    }
}

pub fn started(room_name: &str, capsule_id: Uuid) -> RoomEvent {
    let page = |id: &str, name: &str| PageRef {
        id: id.into(),
        name: name.into(),
    };
    RoomEvent::SessionStarted {
        room_name: room_name.into(),
        capsule_id,
        capsule_title: "Atelier RGPD".into(),
        trainer_name: "Ana Martin".into(),
        pages: vec![
            page("page:accueil", "Accueil"),
            page("page:donnees", "Données"),
            page("page:quiz", "Quiz"),
        ],
        params: RoomParams::default(),
        quiz_id: Some(QUIZ),
    }
}

fn name(id: Uuid) -> (&'static str, &'static str) {
    match id {
        ZOE => ("Zoé", "Durand"),
        EMILE => ("Émile", "Blanc"),
        LEA => ("Léa", "Martin"),
        _ => ("Ana Martin", ""),
    }
}

pub fn joined(id: Uuid, rejoin: bool) -> RoomEvent {
    let (first, last) = name(id);
    RoomEvent::ParticipantJoined {
        participant_id: id,
        first_name: first.into(),
        last_name: last.into(),
        rejoin,
    }
}

pub fn left(id: Uuid, reason: LeaveReason) -> RoomEvent {
    let (first, last) = name(id);
    RoomEvent::ParticipantLeft {
        participant_id: id,
        first_name: first.into(),
        last_name: last.into(),
        reason,
    }
}

pub fn page(id: &str, name: &str, index: usize) -> RoomEvent {
    RoomEvent::PageChanged {
        page_id: id.into(),
        page_name: name.into(),
        page_index: index,
    }
}

pub fn chat(id: Uuid, length: usize) -> RoomEvent {
    let (first, last) = name(id);
    RoomEvent::ChatMessageSent {
        participant_id: id,
        first_name: first.into(),
        last_name: last.into(),
        length,
    }
}

pub fn ended(duration_s: i64, participant_count: usize) -> RoomEvent {
    RoomEvent::SessionEnded {
        reason: EndReason::Trainer,
        duration_s,
        participant_count,
        room_name: "atelier-rgpd".into(),
    }
}

fn question(id: &str, kind: QuestionKind, prompt: &str, choices: &[(&str, bool)]) -> Question {
    Question::with_choices(
        id.into(),
        kind,
        prompt.into(),
        choices
            .iter()
            .enumerate()
            .map(|(i, &(text, correct))| Choice {
                id: format!("c{}", i + 1),
                text: text.into(),
                correct,
                image: None,
            })
            .collect(),
        20,
        1000,
    )
}

fn quiz_started() -> RoomEvent {
    RoomEvent::QuizStarted {
        quiz_id: QUIZ,
        quiz_title: "Bilan RGPD".into(),
        scoring: Scoring::Speed,
        questions: vec![
            question(
                "q1",
                QuestionKind::Single,
                "Qui contrôle les données ?",
                &[
                    ("Le responsable de traitement", true),
                    ("Le sous-traitant", false),
                ],
            ),
            question(
                "q2",
                QuestionKind::Multiple,
                "Quelles sont des données personnelles ?",
                &[
                    ("Une adresse IP", true),
                    ("La météo", false),
                    ("Un nom", true),
                ],
            ),
            question(
                "q3",
                QuestionKind::Poll,
                "Le rythme vous convient ?",
                &[("Oui", false), ("Non", false)],
            ),
        ],
    }
}

fn quiz_event(question_id: &str, kind: &str) -> RoomEvent {
    match kind {
        "opened" => RoomEvent::QuizQuestionOpened {
            quiz_id: QUIZ,
            question_id: question_id.into(),
            question_index: question_id[1..].parse::<usize>().unwrap() - 1,
            time_limit_s: 20,
        },
        _ => RoomEvent::QuizQuestionClosed {
            quiz_id: QUIZ,
            question_id: question_id.into(),
            answered: 0,
            present: 0,
        },
    }
}

/// `points` as the live room recorded them under the speed rule.
fn answered(
    question_id: &str,
    who: Uuid,
    choices: &[&str],
    correct: Option<bool>,
    points: i64,
    response_ms: i64,
) -> RoomEvent {
    let (first, last) = name(who);
    RoomEvent::QuizAnswered {
        quiz_id: QUIZ,
        question_id: question_id.into(),
        participant_id: who,
        first_name: first.into(),
        last_name: last.into(),
        answer: Answer::Choices {
            choice_ids: choices.iter().map(|c| c.to_string()).collect(),
        },
        correct,
        points,
        response_ms,
    }
}

fn score(who: Uuid, score: i64) -> ScoreLine {
    let (first, last) = name(who);
    ScoreLine {
        participant_id: who,
        first_name: first.into(),
        last_name: last.into(),
        score,
    }
}

/// What one person (`None`: the trainer) drew on the canvas in the minute starting `minute` ms
/// after the start.
fn drew(who: Option<Uuid>, minute: i64, (created, updated, deleted): (u32, u32, u32)) -> RoomEvent {
    RoomEvent::CanvasEdited {
        participant_id: who,
        minute: T0 + minute,
        created,
        updated,
        deleted,
    }
}

/// A five-minute session: three participants (Émile drops out and comes back, then leaves for
/// good during q2), three pages, a speed quiz of three questions, some chat, drawing on the
/// board (the trainer and Zoé in the second minute, Léa in the second and third), an event of
/// an unknown type. Expected presence: Zoé 295 s, Émile 57.5 + 99.75 = 157 s, Léa 291 s.
pub fn workshop(trainer_id: Uuid) -> Script {
    let mut s = Script::new(ROOM, trainer_id);
    s.at(0, started("atelier-rgpd", CAPSULE))
        .at(5_000, joined(ZOE, false))
        .at(7_500, joined(EMILE, false))
        .at(9_000, joined(LEA, false))
        .at(60_000, page("page:donnees", "Données", 1))
        .at(65_000, left(EMILE, LeaveReason::Timeout))
        .at(95_250, joined(EMILE, true))
        .at(120_000, chat(ZOE, 12))
        .at(120_500, drew(None, 60_000, (3, 12, 0)))
        .at(120_500, drew(Some(ZOE), 60_000, (1, 6, 0)))
        .at(120_500, drew(Some(LEA), 60_000, (1, 0, 0)))
        .at(125_000, chat(trainer_id, 30))
        .at(130_000, chat(LEA, 5))
        .at(150_000, page("page:quiz", "Quiz", 2))
        .at(160_000, quiz_started())
        .at(161_000, quiz_event("q1", "opened"))
        // 1000 × (1 − 2/40) = 950
        .at(
            163_000,
            answered("q1", ZOE, &["c1"], Some(true), 950, 2_000),
        )
        .at(
            171_000,
            answered("q1", EMILE, &["c2"], Some(false), 0, 10_000),
        )
        .at(180_500, drew(Some(LEA), 120_000, (2, 2, 1)))
        .at(181_000, quiz_event("q1", "closed"))
        .at(182_000, quiz_event("q2", "opened"))
        // 1000 × (1 − 4/40) = 900
        .at(
            186_000,
            answered("q2", LEA, &["c1", "c3"], Some(true), 900, 4_000),
        )
        .at(
            192_000,
            answered("q2", ZOE, &["c1"], Some(false), 0, 10_000),
        )
        .at(195_000, left(EMILE, LeaveReason::Closed))
        .at(202_000, quiz_event("q2", "closed"))
        .at(203_000, quiz_event("q3", "opened"))
        .at(205_000, answered("q3", ZOE, &["c2"], None, 0, 2_000))
        .at(206_000, answered("q3", LEA, &["c1"], None, 0, 3_000))
        .at(213_000, quiz_event("q3", "closed"))
        .at(
            214_000,
            RoomEvent::QuizEnded {
                quiz_id: QUIZ,
                scores: vec![score(ZOE, 950), score(LEA, 900), score(EMILE, 0)],
            },
        )
        .unknown(215_000, "reaction_sent")
        .at(300_000, left(ZOE, LeaveReason::SessionEnded))
        .at(300_000, left(LEA, LeaveReason::SessionEnded))
        .at(300_000, ended(300, 3));
    s
}

/// A trainer, their token and their user id.
pub async fn trainer(app: &TestApp, name: &str) -> (String, Uuid) {
    let token = app.signup(name).await;
    let me = app.get("/api/me", &token).await.expect(StatusCode::OK);
    let id = Uuid::parse_str(me["id"].as_str().unwrap()).unwrap();
    (token, id)
}

/// GETs `path` and returns the status, the content type and the raw body.
pub async fn fetch(app: &TestApp, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
    let response = app
        .request(reqwest::Method::GET, path, Some(token))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

pub async fn report_json(app: &TestApp, token: &str, query: &str) -> Value {
    app.get(&format!("/api/sessions/{ROOM}/report{query}"), token)
        .await
        .expect(StatusCode::OK)
}

fn attendance(report: &Value, id: Uuid) -> &Value {
    report["attendance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["participant_id"] == id.to_string())
        .expect("participant in the attendance")
}

#[tokio::test]
async fn the_report_gives_attendance_answers_points_and_rank_from_events_alone() {
    let app = crate::helpers::spawn_app().await;
    let (token, trainer_id) = trainer(&app, "Ana Martin").await;
    workshop(trainer_id).store(&app).await;

    let report = report_json(&app, &token, "").await;
    let session = &report["session"];
    assert_eq!(session["status"], "ended");
    assert_eq!(session["room_name"], "atelier-rgpd");
    assert_eq!(session["duration_s"], 300);
    assert_eq!(session["started_at"], "2026-11-27T09:00:00Z");
    assert_eq!(session["participant_count"], 3);
    assert_eq!(report["notes"], serde_json::json!([]), "nothing is missing");

    let present: Vec<_> = [ZOE, EMILE, LEA]
        .iter()
        .map(|&id| {
            let a = attendance(&report, id);
            (
                a["present_s"].as_i64().unwrap(),
                a["reconnections"].as_i64().unwrap(),
                a["present_at_end"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(present, [(295, 0, true), (157, 1, false), (291, 0, true)]);

    let quiz = &report["quizzes"][0];
    assert_eq!(quiz["scoring"], "speed");
    let q1 = &quiz["questions"][0];
    assert_eq!(q1["answered"], 2);
    assert_eq!(
        q1["not_answered"][0]["first_name"], "Léa",
        "Léa was there and said nothing"
    );
    assert_eq!(q1["percent_correct"], 50.0);
    assert_eq!(q1["median_response_s"], 6.0);
    let q2 = &quiz["questions"][1];
    assert_eq!(
        q2["not_answered"][0]["first_name"], "Émile",
        "there when q2 opened, gone before it closed"
    );
    let ranking: Vec<_> = quiz["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rank"].as_i64().unwrap(),
                r["first_name"].as_str().unwrap(),
                r["score"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranking, [(1, "Zoé", 950), (2, "Léa", 900), (3, "Émile", 0)]);
}

#[tokio::test]
async fn rescoring_recomputes_points_with_the_other_rule() {
    let app = crate::helpers::spawn_app().await;
    let (token, trainer_id) = trainer(&app, "Ana Martin").await;
    workshop(trainer_id).store(&app).await;

    let report = report_json(&app, &token, "?scoring=accuracy").await;
    let quiz = &report["quizzes"][0];
    assert_eq!(
        (quiz["scoring"].as_str(), quiz["recorded_scoring"].as_str()),
        (Some("accuracy"), Some("speed"))
    );
    assert_eq!(quiz["rescored"], true);
    let points: Vec<_> = quiz["questions"][0]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["first_name"].as_str().unwrap(),
                a["points"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        points,
        [("Émile", 0), ("Zoé", 1000)],
        "a right answer earns all its points"
    );
    let ranking: Vec<_> = quiz["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rank"].as_i64().unwrap(),
                r["first_name"].as_str().unwrap(),
                r["score"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranking,
        [(1, "Zoé", 1000), (1, "Léa", 1000), (3, "Émile", 0)]
    );

    let same = report_json(&app, &token, "?scoring=speed").await;
    assert_eq!(same["quizzes"][0]["rescored"], false);
    assert_eq!(same["quizzes"][0]["ranking"][0]["score"], 950);
    app.get(
        &format!("/api/sessions/{ROOM}/report?scoring=fastest"),
        &token,
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_query");
}

#[tokio::test]
async fn missing_events_still_give_a_report_that_says_what_it_assumed() {
    let app = crate::helpers::spawn_app().await;
    let (token, trainer_id) = trainer(&app, "Ana Martin").await;
    // A crash: Zoé's leave and the session's end were never written, and the room is gone.
    let mut s = Script::new(ROOM, trainer_id);
    s.at(0, started("atelier-rgpd", CAPSULE))
        .at(1_000, joined(ZOE, false))
        .unknown(2_000, "hologram_projected")
        .at(61_000, chat(ZOE, 3));
    s.store(&app).await;

    let report = report_json(&app, &token, "").await;
    assert_eq!(report["session"]["status"], "interrupted");
    assert_eq!(report["session"]["until"], "2026-11-27T09:01:01Z");
    let zoe = attendance(&report, ZOE);
    assert_eq!(zoe["present_s"], 60);
    assert_eq!(zoe["intervals"][0]["left_reason"], "unrecorded");
    let codes: Vec<_> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["session_not_ended", "leave_unrecorded"]);
}

#[tokio::test]
async fn a_live_session_reports_up_to_now() {
    let app = crate::helpers::spawn_app().await;
    let (token, _) = trainer(&app, "Ana Martin").await;
    let deck = app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let room = app.launch(&token, deck["id"].as_str().unwrap()).await;
    let report = app
        .get(
            &format!("/api/sessions/{}/report", room["id"].as_str().unwrap()),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(report["session"]["status"], "live");
    assert_eq!(report["session"]["ended_at"], Value::Null);
    assert_eq!(
        report["pages"]["timeline"][0]["page_index"], 0,
        "the room starts on its first page"
    );
    assert_eq!(report["notes"], serde_json::json!([]));
}
