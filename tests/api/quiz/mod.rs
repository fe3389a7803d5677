//! Quizzes in live rooms (`docs/protocol.md` "Quizzes", SPEC §3, §4 Quiz, §6), as the trainer
//! and the participants see them over real WebSockets.
//!
//! Expected scores are computed here from the contract's rule and the `response_ms` the server
//! recorded in `quiz_answered`, never read back from the server's own arithmetic.

mod answering;
mod crash;
mod ending;
mod gift_import;
mod images;
mod kinds;
mod refusals;
mod starting;
mod whole_quiz;

use std::collections::BTreeMap;

use pratico::store::events::EventRow;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::helpers::{TestApp, eventually, spawn_app};
use crate::live_client::{LiveClient, LiveRoom};

// --- quizzes and messages ---

/// One question of each kind; the choices are named by their text below.
fn five_kinds() -> Value {
    json!([
        {"kind": "single", "prompt": "Capitale de la France ?", "choices": [
            {"text": "Paris", "correct": true}, {"text": "Lyon"}, {"text": "Marseille"}]},
        {"kind": "multiple", "prompt": "Nombres pairs ?", "points": 600, "choices": [
            {"text": "2", "correct": true}, {"text": "3"}, {"text": "4", "correct": true}]},
        {"kind": "true_false", "prompt": "La Terre est ronde.", "points": 300, "choices": [
            {"text": "Vrai", "correct": true}, {"text": "Faux"}]},
        {"kind": "poll", "prompt": "Votre humeur ?", "choices": [
            {"text": "Bien"}, {"text": "Bof"}]},
        {"kind": "open", "prompt": "Une remarque ?"}
    ])
}

/// A single-choice question with `time_limit_s` ("Rome" is right), then a true/false one
/// ("Vrai" is right).
fn two_questions(time_limit_s: u32) -> Value {
    json!([
        {"kind": "single", "prompt": "Capitale de l'Italie ?", "time_limit_s": time_limit_s,
         "choices": [{"text": "Rome", "correct": true}, {"text": "Milan"}]},
        {"kind": "true_false", "prompt": "Rome est en Italie.",
         "choices": [{"text": "Vrai", "correct": true}, {"text": "Faux"}]}
    ])
}

/// A quiz as `POST /api/quizzes` (or the GIFT import) returned it.
#[derive(Clone)]
struct Quiz(Value);

impl Quiz {
    fn id(&self) -> &str {
        self.0["id"].as_str().unwrap()
    }

    fn question(&self, index: usize) -> &Value {
        &self.0["questions"][index]
    }

    fn question_id(&self, index: usize) -> &str {
        self.question(index)["id"].as_str().unwrap()
    }

    fn questions(&self) -> &[Value] {
        self.0["questions"].as_array().unwrap()
    }

    /// The id of the choice of question `index` whose text is `text`.
    fn choice(&self, index: usize, text: &str) -> &str {
        let question = self.question(index);
        question["choices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["text"] == text)
            .unwrap_or_else(|| panic!("no choice `{text}` in {question}"))["id"]
            .as_str()
            .unwrap()
    }

    /// `quiz_answer` choosing the choices of question `index` with these texts.
    fn choose(&self, index: usize, texts: &[&str]) -> Value {
        let ids: Vec<&str> = texts.iter().map(|t| self.choice(index, t)).collect();
        json!({"type": "quiz_answer", "question_id": self.question_id(index), "choice_ids": ids})
    }

    /// `quiz_answer` writing `text` to question `index`.
    fn write(&self, index: usize, text: &str) -> Value {
        json!({"type": "quiz_answer", "question_id": self.question_id(index), "text": text})
    }
}

/// The ids of a question's correct choices, in order.
fn correct_ids(question: &Value) -> Vec<&str> {
    question["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["correct"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

async fn create_quiz(app: &TestApp, token: &str, scoring: &str, questions: Value) -> Quiz {
    let body =
        json!({"title": "Révisions", "settings": {"scoring": scoring}, "questions": questions});
    Quiz(
        app.post("/api/quizzes", token, body)
            .await
            .expect(StatusCode::CREATED),
    )
}

fn start(quiz_id: &str) -> Value {
    json!({"type": "quiz_start", "quiz_id": quiz_id})
}

/// A command without fields: `quiz_next`, `quiz_close`, `quiz_reveal`, `quiz_end`.
fn command(kind: &str) -> Value {
    json!({"type": kind})
}

// --- fixtures ---

/// A launched room, a quiz of its trainer, and the trainer joined.
struct QuizRoom {
    app: TestApp,
    room: LiveRoom,
    quiz: Quiz,
    trainer: LiveClient,
}

async fn quiz_room(scoring: &str, questions: Value) -> QuizRoom {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let quiz = create_quiz(&app, &room.token, scoring, questions).await;
    QuizRoom::joined(app, room, quiz).await
}

impl QuizRoom {
    /// The trainer joins `room`, where `quiz` will run.
    async fn joined(app: TestApp, room: LiveRoom, quiz: Quiz) -> Self {
        let trainer = room.trainer(&app).await;
        Self {
            app,
            room,
            quiz,
            trainer,
        }
    }

    async fn join(&self, first_name: &str, last_name: &str) -> LiveClient {
        self.room
            .participant(&self.app, first_name, last_name)
            .await
    }

    /// The room's events, in stored order.
    async fn events(&self) -> Vec<EventRow> {
        self.room.events(&self.app).await
    }

    /// The trainer sends `command_kind` (a command without fields) and everyone gets a `kind`.
    async fn trainer_does(
        &mut self,
        people: &mut [LiveClient],
        command_kind: &str,
        kind: &str,
    ) -> (Value, Vec<Value>) {
        everyone_gets(&mut self.trainer, people, command(command_kind), kind).await
    }

    /// Starts the quiz and opens its first question for `people`; the trainer's `quiz_question`.
    async fn start_and_open(&mut self, people: &mut [LiveClient]) -> Value {
        let start = start(self.quiz.id());
        everyone_gets(&mut self.trainer, people, start, "quiz_started").await;
        self.trainer_does(people, "quiz_next", "quiz_question")
            .await
            .0
    }
}

/// The trainer's `message` is acknowledged and everyone gets a message of type `kind`: the
/// trainer's copy, and each participant's.
async fn everyone_gets(
    trainer: &mut LiveClient,
    people: &mut [LiveClient],
    message: Value,
    kind: &str,
) -> (Value, Vec<Value>) {
    trainer.command(message).await;
    let mut copies = Vec::new();
    for client in people.iter_mut() {
        copies.push(client.recv_type(kind).await);
    }
    (trainer.recv_type(kind).await, copies)
}

/// An answer that must be accepted: `quiz_answer_accepted` {question_id, req}.
async fn accepted(client: &mut LiveClient, answer: Value) -> Value {
    let shown = answer.to_string();
    let reply = client.request(answer.clone()).await;
    assert_eq!(reply["type"], "quiz_answer_accepted", "{shown} → {reply}");
    assert_eq!(reply["question_id"], answer["question_id"], "{reply}");
    reply
}

/// Now, in milliseconds since the epoch (the server's clock is this machine's).
fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Whether an object with `key` is anywhere in `value`.
fn has_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.contains_key(key) || map.values().any(|v| has_key(v, key)),
        Value::Array(items) => items.iter().any(|v| has_key(v, key)),
        _ => false,
    }
}

/// The data of the events of type `kind`.
fn data_of<'a>(events: &'a [EventRow], event_kind: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e.kind == event_kind)
        .map(|e| &e.data.0)
        .collect()
}

/// The `quiz_answered` data of one participant for one question.
fn answers_of<'a>(
    events: &'a [EventRow],
    participant_id: &str,
    question_id: &str,
) -> Vec<&'a Value> {
    data_of(events, "quiz_answered")
        .into_iter()
        .filter(|d| d["participant_id"] == participant_id && d["question_id"] == question_id)
        .collect()
}

/// A participant's own answer as `welcome.state.answers` lists it, without its result.
#[track_caller]
fn assert_unsettled(answer: &Value) {
    for hidden in ["correct", "points"] {
        assert!(
            answer.get(hidden).is_none_or(Value::is_null),
            "no `{hidden}` before the reveal: {answer}"
        );
    }
}

/// A question as a participant gets it: each choice is only `{id, text}`.
#[track_caller]
fn assert_without_correct_answers(question: &Value) {
    assert!(!has_key(question, "correct"), "{question}");
    for choice in question["choices"].as_array().unwrap() {
        let keys: Vec<&str> = choice
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["id", "text"], "{question}");
    }
}

// --- the scoring rule, by hand ---

/// Points of a correct answer: all of them under `accuracy`; under `speed`
/// `round(points × (1 − t / (2T)))`, halves away from zero, all of them under 0.5 s.
fn rule(scoring: &str, points: i64, time_limit_s: i64, response_ms: i64) -> i64 {
    assert!(
        (0..=time_limit_s * 1000).contains(&response_ms),
        "an accepted answer comes in time: {response_ms} ms"
    );
    match scoring {
        "accuracy" => points,
        "speed" if response_ms < 500 => points,
        "speed" => {
            // points × (1 − t / 2T) = points × (2T − t) / 2T, in exact integers (ms); n / d is
            // rounded half up (it is positive: away from zero) as (2n + d) / 2d.
            let two_t = 2 * time_limit_s * 1000;
            (2 * points * (two_t - response_ms) + two_t) / (2 * two_t)
        }
        other => panic!("no scoring `{other}`"),
    }
}

#[test]
fn the_speed_rule_by_hand_rounds_exact_halves_away_from_zero() {
    assert_eq!(rule("speed", 1000, 5, 499), 1000);
    assert_eq!(rule("speed", 1000, 20, 10_000), 750);
    assert_eq!(rule("speed", 1000, 5, 5_000), 500);
    assert_eq!(rule("speed", 3, 10, 10_000), 2, "1.5");
    assert_eq!(rule("speed", 1000, 5, 1_285), 872, "871.5");
    assert_eq!(rule("speed", 1000, 30, 7_710), 872, "871.5");
    assert_eq!(rule("speed", 333, 20, 3_000), 308, "308.025");
    assert_eq!(rule("accuracy", 600, 30, 29_000), 600);
}

/// Each participant's score and rank: 1 + how many have a better score.
fn expected_standings(scores: &BTreeMap<String, i64>) -> BTreeMap<String, (i64, i64)> {
    scores
        .iter()
        .map(|(id, score)| {
            let better = scores.values().filter(|s| *s > score).count() as i64;
            (id.clone(), (*score, better + 1))
        })
        .collect()
}

/// A leaderboard as {participant_id: (score, rank)}; it must be sorted best first.
#[track_caller]
fn standings(leaderboard: &Value) -> BTreeMap<String, (i64, i64)> {
    let lines = leaderboard.as_array().unwrap();
    let scores: Vec<i64> = lines.iter().map(|l| l["score"].as_i64().unwrap()).collect();
    assert!(
        scores.is_sorted_by(|a, b| a >= b),
        "best first: {leaderboard}"
    );
    lines
        .iter()
        .map(|l| {
            let id = l["participant_id"].as_str().unwrap().to_owned();
            (
                id,
                (l["score"].as_i64().unwrap(), l["rank"].as_i64().unwrap()),
            )
        })
        .collect()
}

/// `distribution` as {choice_id: count}.
fn counts(distribution: &Value) -> BTreeMap<String, u64> {
    distribution
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let id = d["choice_id"].as_str().unwrap().to_owned();
            (id, d["count"].as_u64().unwrap())
        })
        .collect()
}

/// `GET /api/rooms/{id}` comes to show `scores` as `quiz_scores` (checkpoints are debounced).
async fn assert_room_scores(app: &TestApp, room: &LiveRoom, scores: &Value) {
    let path = format!("/api/rooms/{}", room.id);
    let sorted = |lines: &Value| {
        let mut lines = lines.as_array().cloned().unwrap_or_default();
        lines.sort_by_key(|l| l["participant_id"].to_string());
        lines
    };
    let expected = sorted(scores);
    eventually("the room's quiz_scores are the final scores", async || {
        let room = app.get(&path, &room.token).await.expect(StatusCode::OK);
        sorted(&room["quiz_scores"]) == expected
    })
    .await;
}

/// A room launched with `quiz_id`: the quiz is chosen at launch.
async fn launched_with_its_quiz(app: TestApp, questions: Value) -> QuizRoom {
    let token = app.signup("Ana Martin").await;
    let quiz = create_quiz(&app, &token, "accuracy", questions).await;
    let room = LiveRoom::launch_by(&app, token, json!({"quiz_id": quiz.id()})).await;
    QuizRoom::joined(app, room, quiz).await
}
