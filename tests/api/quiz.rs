//! Quizzes in live rooms (`docs/protocol.md` "Quizzes", SPEC §3, §4 Quiz, §6), as the trainer
//! and the participants see them over real WebSockets.
//!
//! Expected scores are computed here from the contract's rule and the `response_ms` the server
//! recorded in `quiz_answered`, never read back from the server's own arithmetic.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use pratico::store::events::EventRow;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::helpers::{TestApp, spawn_app};
use crate::live_client::{
    LiveClient, LiveRoom, WAIT, assert_events_in_order, contains, eventually, kind, returning,
};
use crate::restart::{Server, free_local_addr};

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

// --- the main scenario ---

/// What a participant does with a question.
#[derive(Clone, Copy)]
enum Said {
    Choices(&'static [&'static str]),
    Text(&'static str),
    Nothing,
}

use Said::{Choices, Nothing, Text};

/// What Zoé, Léo and Inès do with each question of `five_kinds`: some right, some wrong, some
/// nothing. A question everyone answers closes by itself; the first one is closed by the trainer,
/// the last one by the reveal.
const SCRIPT: [[Said; 3]; 5] = [
    [Choices(&["Paris"]), Choices(&["Lyon"]), Nothing],
    [Choices(&["2", "4"]), Choices(&["2"]), Choices(&["4", "2"])],
    [Choices(&["Faux"]), Choices(&["Vrai"]), Choices(&["Vrai"])],
    [Choices(&["Bien"]), Choices(&["Bof"]), Choices(&["Bien"])],
    [
        Text("Très clair, merci"),
        Text("Plus d'exemples SVP"),
        Nothing,
    ],
];

impl Said {
    fn message(self, quiz: &Quiz, index: usize) -> Option<Value> {
        match self {
            Choices(texts) => Some(quiz.choose(index, texts)),
            Text(text) => Some(quiz.write(index, text)),
            Nothing => None,
        }
    }

    /// The `answer` recorded in `quiz_answered`.
    fn recorded(self, quiz: &Quiz, index: usize) -> Option<Value> {
        let mut message = self.message(quiz, index)?;
        let fields = message.as_object_mut().unwrap();
        fields.retain(|k, _| k == "choice_ids" || k == "text");
        Some(message)
    }
}

/// A quiz played through to `quiz_end`; every message each client read is in its `seen`.
struct Played {
    app: TestApp,
    room: LiveRoom,
    quiz: Quiz,
    scoring: &'static str,
    trainer: LiveClient,
    /// Zoé Durand, Léo Petit, Inès Roy: who `SCRIPT` speaks for, in its order.
    people: [LiveClient; 3],
}

/// Plays `SCRIPT` on `five_kinds` under `scoring`; Zoé waits `zoe_waits` before her first
/// answer (to earn less than all the points under `speed`).
async fn play(scoring: &'static str, zoe_waits: Duration) -> Played {
    let mut s = quiz_room(scoring, five_kinds()).await;
    let mut people = [
        s.join("Zoé", "Durand").await,
        s.join("Léo", "Petit").await,
        s.join("Inès", "Roy").await,
    ];
    let start = start(s.quiz.id());
    everyone_gets(&mut s.trainer, &mut people, start, "quiz_started").await;
    for (index, step) in SCRIPT.iter().enumerate() {
        s.trainer_does(&mut people, "quiz_next", "quiz_question")
            .await;
        if index == 0 {
            tokio::time::sleep(zoe_waits).await;
        }
        for (client, said) in people.iter_mut().zip(step) {
            if let Some(answer) = said.message(&s.quiz, index) {
                accepted(client, answer).await;
            }
        }
        if step.iter().all(|said| !matches!(said, Nothing)) {
            for client in std::iter::once(&mut s.trainer).chain(people.iter_mut()) {
                client.recv_type("quiz_question_closed").await;
            }
        } else if index == 0 {
            s.trainer_does(&mut people, "quiz_close", "quiz_question_closed")
                .await;
        }
        s.trainer_does(&mut people, "quiz_reveal", "quiz_results")
            .await;
    }
    s.trainer_does(&mut people, "quiz_end", "quiz_ended").await;
    let QuizRoom {
        app,
        room,
        quiz,
        trainer,
    } = s;
    Played {
        app,
        room,
        quiz,
        scoring,
        trainer,
        people,
    }
}

/// The messages of type `kind` a client read, in order.
fn received<'a>(client: &'a LiveClient, message_kind: &str) -> Vec<&'a Value> {
    client
        .seen
        .iter()
        .filter(|m| kind(m) == message_kind)
        .collect()
}

/// What the `quiz_results` of one question must hold, worked out by hand.
struct Expected {
    question_id: String,
    correct_choice_ids: Value,
    distribution: BTreeMap<String, u64>,
    answered: usize,
    standings: BTreeMap<String, (i64, i64)>,
    /// By participant id: `{answered, correct, points, score, rank}`.
    yours: BTreeMap<String, Value>,
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

#[track_caller]
fn assert_results(results: &Value, expected: &Expected, yours: &Value) {
    assert_eq!(
        results["question_id"],
        expected.question_id.as_str(),
        "{results}"
    );
    assert_eq!(
        results["correct_choice_ids"], expected.correct_choice_ids,
        "{results}"
    );
    assert_eq!(
        counts(&results["distribution"]),
        expected.distribution,
        "{results}"
    );
    assert_eq!(results["answered"], expected.answered, "{results}");
    assert_eq!(
        standings(&results["leaderboard"]),
        expected.standings,
        "{results}"
    );
    assert_eq!(results["yours"], *yours, "{results}");
}

impl Played {
    /// Checks the recorded answers to question `index` against `SCRIPT` and the scoring rule,
    /// adds their points to `scores`, and tells what the question's results must hold.
    fn expect(
        &self,
        index: usize,
        events: &[EventRow],
        scores: &mut BTreeMap<String, i64>,
    ) -> Expected {
        let question = self.quiz.question(index);
        let question_id = self.quiz.question_id(index);
        let correct: BTreeSet<&str> = correct_ids(question).into_iter().collect();
        let scored =
            ["single", "multiple", "true_false"].contains(&question["kind"].as_str().unwrap());
        let (points, limit) = (
            question["points"].as_i64().unwrap(),
            question["time_limit_s"].as_i64().unwrap(),
        );
        let mut distribution: BTreeMap<String, u64> = question["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_str().unwrap().to_owned(), 0))
            .collect();
        let mut results = BTreeMap::new();
        for (client, said) in self.people.iter().zip(SCRIPT[index]) {
            let id = client.participant_id.as_str();
            let recorded = answers_of(events, id, question_id);
            let Some(answer) = said.recorded(&self.quiz, index) else {
                assert!(recorded.is_empty(), "{id} did not answer: {recorded:?}");
                results.insert(id, (false, Value::Null, 0));
                continue;
            };
            let [data] = recorded[..] else {
                panic!("one quiz_answered from {id} to {question_id}: {recorded:?}");
            };
            assert_eq!(data["answer"], answer, "{data}");
            let chosen: BTreeSet<&str> = data["answer"]["choice_ids"]
                .as_array()
                .map(|ids| ids.iter().map(|c| c.as_str().unwrap()).collect())
                .unwrap_or_default();
            for choice in &chosen {
                *distribution.get_mut(*choice).unwrap() += 1;
            }
            let right = scored.then(|| chosen == correct);
            let earned = match right {
                Some(true) => rule(
                    self.scoring,
                    points,
                    limit,
                    data["response_ms"].as_i64().unwrap(),
                ),
                _ => 0,
            };
            assert_eq!(data["correct"], json!(right), "{data}");
            assert_eq!(data["points"], earned, "{data}");
            *scores.get_mut(id).unwrap() += earned;
            results.insert(id, (true, json!(right), earned));
        }
        let standings = expected_standings(scores);
        let answered = results.values().filter(|r| r.0).count();
        let yours = results
            .into_iter()
            .map(|(id, (answered, correct, points))| {
                let (score, rank) = standings[id];
                let yours = json!({"answered": answered, "correct": correct, "points": points,
                                   "score": score, "rank": rank});
                (id.to_owned(), yours)
            })
            .collect();
        Expected {
            question_id: question_id.to_owned(),
            correct_choice_ids: json!(correct_ids(question)),
            distribution,
            answered,
            standings,
            yours,
        }
    }

    /// Checks every `quiz_answered` and every `quiz_results` against the rule computed by hand
    /// from the recorded answers; returns the final scores by participant id.
    async fn assert_results_follow_the_rule(&self) -> BTreeMap<String, i64> {
        let events = self.room.events(&self.app).await;
        let mut scores: BTreeMap<String, i64> = self
            .people
            .iter()
            .map(|p| (p.participant_id.clone(), 0))
            .collect();
        let trainer_results = received(&self.trainer, "quiz_results");
        assert_eq!(trainer_results.len(), SCRIPT.len());
        for (index, results) in trainer_results.into_iter().enumerate() {
            let expected = self.expect(index, &events, &mut scores);
            assert_results(results, &expected, &Value::Null);
            for client in &self.people {
                let results = received(client, "quiz_results")[index];
                assert_results(results, &expected, &expected.yours[&client.participant_id]);
            }
        }
        scores
    }

    /// `quiz_ended` for everyone, the `quiz_ended` event and the room's `quiz_scores` all hold
    /// `scores` (by participant id).
    async fn assert_ended_with(&self, scores: &BTreeMap<String, i64>) {
        let expected = expected_standings(scores);
        let [ended] = &received(&self.trainer, "quiz_ended")[..] else {
            panic!("one quiz_ended for the trainer");
        };
        assert_eq!(ended["quiz_id"], self.quiz.id());
        assert_eq!(standings(&ended["leaderboard"]), expected, "{ended}");
        assert_eq!(ended["yours"], Value::Null, "{ended}");
        for client in &self.people {
            let [ended] = &received(client, "quiz_ended")[..] else {
                panic!("one quiz_ended for {}", client.participant_id);
            };
            assert_eq!(ended["quiz_id"], self.quiz.id());
            assert_eq!(standings(&ended["leaderboard"]), expected, "{ended}");
            let (score, rank) = expected[&client.participant_id];
            let yours = &ended["yours"];
            assert!(
                contains(
                    yours,
                    &json!({"participant_id": client.participant_id, "score": score, "rank": rank})
                ),
                "{ended}"
            );
        }

        let events = self.room.events(&self.app).await;
        let [event] = &data_of(&events, "quiz_ended")[..] else {
            panic!("one quiz_ended event");
        };
        assert_eq!(event["quiz_id"], self.quiz.id());
        let names = [("Zoé", "Durand"), ("Léo", "Petit"), ("Inès", "Roy")];
        let mut lines: Vec<Value> = self
            .people
            .iter()
            .zip(names)
            .map(|(client, (first, last))| {
                json!({"participant_id": client.participant_id, "first_name": first,
                       "last_name": last, "score": scores[&client.participant_id]})
            })
            .collect();
        lines.sort_by_key(|l| l["participant_id"].to_string());
        let mut stored = event["scores"].as_array().unwrap().clone();
        stored.sort_by_key(|l| l["participant_id"].to_string());
        assert_eq!(stored, lines, "{event}");
        assert_room_scores(&self.app, &self.room, &event["scores"]).await;
    }
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

#[tokio::test]
async fn every_frame_a_participant_gets_before_the_results_is_free_of_correct_answers() {
    let played = play("accuracy", Duration::ZERO).await;
    for client in &played.people {
        let mut closed = BTreeSet::new();
        for message in &client.seen {
            match kind(message) {
                "quiz_results" => {
                    let question_id = message["question_id"].as_str().unwrap();
                    assert!(
                        closed.contains(question_id),
                        "results only once the question is closed: {message}"
                    );
                    continue;
                }
                "quiz_question_closed" => {
                    closed.insert(message["question_id"].as_str().unwrap());
                }
                "quiz_question" => assert_without_correct_answers(&message["question"]),
                _ => {}
            }
            for secret in ["correct", "correct_choice_ids", "distribution"] {
                assert!(!has_key(message, secret), "no `{secret}`: {message}");
            }
        }
        assert_eq!(received(client, "quiz_question").len(), 5);
    }
    let asked = received(&played.trainer, "quiz_question");
    assert_eq!(asked.len(), 5);
    for (index, message) in asked.iter().enumerate() {
        assert_eq!(message["index"], index);
        assert_eq!(message["count"], 5);
        let quiz = played.quiz.question(index);
        let question = &message["question"];
        assert_eq!(question["id"], quiz["id"]);
        for field in ["kind", "prompt", "time_limit_s", "points", "choices"] {
            assert_eq!(
                question[field], quiz[field],
                "the trainer's copy has `correct`"
            );
        }
    }
}

#[tokio::test]
async fn a_participant_never_gets_another_ones_answer_and_the_trainer_gets_open_answers() {
    let played = play("accuracy", Duration::ZERO).await;
    let [zoe, leo, ines] = &played.people;
    let open_id = played.quiz.question_id(4);
    let open: Vec<&Value> = received(&played.trainer, "quiz_open_answer");
    assert_eq!(open.len(), 2, "{open:#?}");
    for (message, client, first, last, text) in [
        (open[0], zoe, "Zoé", "Durand", "Très clair, merci"),
        (open[1], leo, "Léo", "Petit", "Plus d'exemples SVP"),
    ] {
        assert_eq!(
            *message,
            json!({"type": "quiz_open_answer", "question_id": open_id,
                    "participant_id": client.participant_id, "first_name": first,
                    "last_name": last, "text": text})
        );
    }
    for client in [zoe, leo, ines] {
        for trainer_only in ["quiz_open_answer", "quiz_progress"] {
            assert!(
                received(client, trainer_only).is_empty(),
                "{trainer_only} is for the trainer"
            );
        }
        for message in &client.seen {
            for answer in ["answer", "choice_ids"] {
                assert!(!has_key(message, answer), "no `{answer}`: {message}");
            }
        }
    }
    zoe.assert_never_saw("Plus d'exemples");
    leo.assert_never_saw("Très clair");
    ines.assert_never_saw("Plus d'exemples");
    ines.assert_never_saw("Très clair");
}

#[tokio::test]
async fn results_under_accuracy_give_the_points_of_every_right_answer() {
    let played = play("accuracy", Duration::ZERO).await;
    let scores = played.assert_results_follow_the_rule().await;
    let by_hand: BTreeMap<String, i64> = played
        .people
        .iter()
        .map(|p| p.participant_id.clone())
        .zip([1000 + 600, 300, 600 + 300])
        .collect();
    assert_eq!(scores, by_hand);
}

#[tokio::test]
async fn results_under_speed_follow_the_rule_from_the_recorded_response_times() {
    let waits = Duration::from_millis(800);
    let played = play("speed", waits).await;
    let scores = played.assert_results_follow_the_rule().await;
    let events = played.room.events(&played.app).await;
    let zoe = &played.people[0].participant_id;
    let [first] = answers_of(&events, zoe, played.quiz.question_id(0))[..] else {
        panic!("Zoé answered the first question");
    };
    let response_ms = first["response_ms"].as_i64().unwrap();
    assert!(
        (800..3000).contains(&response_ms),
        "the server times the answer: {first}"
    );
    let points = first["points"].as_i64().unwrap();
    assert!(
        (500..1000).contains(&points),
        "a slower answer earns less: {first}"
    );
    played.assert_ended_with(&scores).await;
}

#[tokio::test]
async fn quiz_end_gives_everyone_the_final_standings_and_stores_the_scores_in_the_room() {
    let played = play("accuracy", Duration::ZERO).await;
    let scores: BTreeMap<String, i64> = played
        .people
        .iter()
        .map(|p| p.participant_id.clone())
        .zip([1600, 300, 900])
        .collect();
    played.assert_ended_with(&scores).await;
    let later = played.room.participant(&played.app, "Jade", "Morel").await;
    assert_eq!(
        later.welcome["state"]["activity"],
        Value::Null,
        "no quiz any more"
    );
}

#[tokio::test]
async fn the_quiz_events_are_recorded_in_order_with_the_trainer_as_user() {
    let played = play("accuracy", Duration::ZERO).await;
    let events = played.room.events(&played.app).await;
    for event in &events {
        assert_eq!(
            event.user_id.to_string(),
            played.room.trainer_id,
            "{}",
            event.kind
        );
    }
    let [zoe, leo, ines] = &played.people;
    let quiz = &played.quiz;
    let question = |index: usize| quiz.question_id(index);
    let answered = |client: &LiveClient, first: &str, last: &str, index: usize| {
        (
            "quiz_answered",
            json!({"quiz_id": quiz.id(), "question_id": question(index),
                   "participant_id": client.participant_id, "first_name": first, "last_name": last}),
        )
    };
    assert_events_in_order(
        &events,
        &[
            (
                "quiz_started",
                json!({"quiz_id": quiz.id(), "quiz_title": "Révisions", "scoring": "accuracy",
                       "questions": quiz.0["questions"]}),
            ),
            (
                "quiz_question_opened",
                json!({"quiz_id": quiz.id(), "question_id": question(0), "question_index": 0,
                       "time_limit_s": 30}),
            ),
            answered(zoe, "Zoé", "Durand", 0),
            answered(leo, "Léo", "Petit", 0),
            (
                "quiz_question_closed",
                json!({"quiz_id": quiz.id(), "question_id": question(0), "answered": 2,
                       "present": 3}),
            ),
            (
                "quiz_question_opened",
                json!({"question_id": question(1), "question_index": 1}),
            ),
            answered(ines, "Inès", "Roy", 1),
            (
                "quiz_question_closed",
                json!({"question_id": question(1), "answered": 3, "present": 3}),
            ),
            ("quiz_question_opened", json!({"question_index": 4})),
            answered(leo, "Léo", "Petit", 4),
            (
                "quiz_question_closed",
                json!({"question_id": question(4), "answered": 2, "present": 3}),
            ),
            ("quiz_ended", json!({"quiz_id": quiz.id()})),
        ],
    );
    let answered = data_of(&events, "quiz_answered");
    assert_eq!(answered.len(), 13, "every accepted answer, once");
    for data in answered {
        assert!(data["response_ms"].is_i64(), "{data}");
    }
}

// --- starting ---

#[tokio::test]
async fn quiz_start_reaches_everyone_and_a_second_one_is_quiz_in_progress() {
    let mut s = quiz_room("speed", five_kinds()).await;
    let mut people = [s.join("Zoé", "Durand").await];
    let (started, copies) = everyone_gets(
        &mut s.trainer,
        &mut people,
        start(s.quiz.id()),
        "quiz_started",
    )
    .await;
    let expected = json!({"type": "quiz_started", "quiz_id": s.quiz.id(), "title": "Révisions",
                          "scoring": "speed", "question_count": 5});
    assert_eq!(started, expected);
    assert_eq!(copies[0], expected);
    s.trainer
        .refused(start(s.quiz.id()), "quiz_in_progress")
        .await;
    let [zoe] = &mut people;
    zoe.expect_silence("quiz_started").await;
    let events = s.events().await;
    assert_eq!(data_of(&events, "quiz_started").len(), 1);
}

#[tokio::test]
async fn quiz_start_needs_a_quiz_of_the_trainers_own() {
    let mut s = quiz_room("accuracy", five_kinds()).await;
    let mut zoe = s.join("Zoé", "Durand").await;
    s.trainer
        .refused(command("quiz_start"), "bad_message")
        .await;
    let stranger = s.app.signup("Bob Martin").await;
    let theirs = create_quiz(&s.app, &stranger, "accuracy", five_kinds()).await;
    s.trainer.refused(start(theirs.id()), "not_found").await;
    let unknown = uuid::Uuid::now_v7().to_string();
    s.trainer.refused(start(&unknown), "not_found").await;
    zoe.expect_silence("quiz_started").await;
    assert!(data_of(&s.events().await, "quiz_started").is_empty());
}

// --- refusals ---

#[tokio::test]
async fn quiz_commands_from_a_participant_are_forbidden_and_the_trainer_does_not_answer() {
    let mut s = quiz_room("accuracy", five_kinds()).await;
    let mut zoe = s.join("Zoé", "Durand").await;
    zoe.refused(start(s.quiz.id()), "forbidden").await;
    let mut people = [zoe];
    s.start_and_open(&mut people).await;
    let [zoe] = &mut people;
    for kind in [
        "quiz_start",
        "quiz_next",
        "quiz_close",
        "quiz_reveal",
        "quiz_end",
    ] {
        zoe.refused(command(kind), "forbidden").await;
    }
    s.trainer
        .refused(s.quiz.choose(0, &["Paris"]), "forbidden")
        .await;
    zoe.expect_silence("quiz_question_closed").await;
    let later = s.join("Léo", "Petit").await;
    let activity = &later.welcome["state"]["activity"];
    assert_eq!(activity["index"], 0, "{activity}");
    assert_eq!(activity["phase"], "open", "{activity}");
    assert!(data_of(&s.events().await, "quiz_answered").is_empty());
}

#[tokio::test]
async fn with_no_quiz_running_answers_and_quiz_commands_are_not_in_quiz() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut zoe = s.join("Zoé", "Durand").await;
    let answer = s.quiz.choose(0, &["Rome"]);
    zoe.refused(answer.clone(), "not_in_quiz").await;
    for kind in ["quiz_next", "quiz_close", "quiz_reveal", "quiz_end"] {
        s.trainer.refused(command(kind), "not_in_quiz").await;
    }
    let mut people = [zoe];
    s.start_and_open(&mut people).await;
    s.trainer_does(&mut people, "quiz_end", "quiz_ended").await;
    let [zoe] = &mut people;
    zoe.refused(answer, "not_in_quiz").await;
    s.trainer.refused(command("quiz_next"), "not_in_quiz").await;
    assert!(data_of(&s.events().await, "quiz_answered").is_empty());
}

#[tokio::test]
async fn an_answer_to_a_question_that_is_not_open_is_question_closed() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    let start = start(s.quiz.id());
    everyone_gets(&mut s.trainer, &mut people, start, "quiz_started").await;
    let [zoe, _] = &mut people;
    let first = s.quiz.choose(0, &["Rome"]);
    zoe.refused(first.clone(), "question_closed").await;
    s.trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let [zoe, _] = &mut people;
    zoe.refused(s.quiz.choose(1, &["Vrai"]), "question_closed")
        .await;
    s.trainer_does(&mut people, "quiz_close", "quiz_question_closed")
        .await;
    let [zoe, _] = &mut people;
    zoe.refused(first.clone(), "question_closed").await;
    s.trainer_does(&mut people, "quiz_reveal", "quiz_results")
        .await;
    let [zoe, leo] = &mut people;
    zoe.refused(first.clone(), "question_closed").await;
    leo.refused(first, "question_closed").await;
    zoe.expect_silence("quiz_answer_accepted").await;
    assert!(data_of(&s.events().await, "quiz_answered").is_empty());
}

#[tokio::test]
async fn a_second_answer_is_already_answered_even_after_coming_back_with_the_resume_token() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let [zoe, _] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Milan"])).await;
    zoe.refused(s.quiz.choose(0, &["Milan"]), "already_answered")
        .await;
    zoe.refused(s.quiz.choose(0, &["Rome"]), "already_answered")
        .await;
    let token = zoe.resume_token.clone().unwrap();
    let [zoe, _leo] = people;
    zoe.close().await;
    let mut back = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    back.refused(s.quiz.choose(0, &["Rome"]), "already_answered")
        .await;
    back.expect_silence("quiz_answer_accepted").await;
    let events = s.events().await;
    let [mine] = answers_of(&events, &back.participant_id, s.quiz.question_id(0))[..] else {
        panic!("one answer from Zoé: {events:#?}");
    };
    assert_eq!(
        mine["answer"]["choice_ids"],
        json!([s.quiz.choice(0, "Milan")])
    );
    assert_eq!(mine["points"], 0);
}

#[tokio::test]
async fn bad_answers_are_refused_and_the_participant_may_still_answer() {
    let questions = json!([
        {"kind": "single", "prompt": "Capitale de l'Italie ?",
         "choices": [{"text": "Rome", "correct": true}, {"text": "Milan"}]},
        {"kind": "multiple", "prompt": "Villes italiennes ?",
         "choices": [{"text": "Rome", "correct": true}, {"text": "Milan", "correct": true},
                     {"text": "Lyon"}]},
        {"kind": "open", "prompt": "Une remarque ?"}
    ]);
    let mut s = quiz_room("accuracy", questions).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let quiz = s.quiz.clone();
    let (single, multiple, open) = (
        quiz.question_id(0),
        quiz.question_id(1),
        quiz.question_id(2),
    );
    let answer = |question_id: &str, fields: Value| {
        let mut message = json!({"type": "quiz_answer", "question_id": question_id});
        message
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        message
    };
    let rome = quiz.choice(0, "Rome");
    let milan = quiz.choice(0, "Milan");
    let [zoe, _] = &mut people;
    for fields in [
        json!({"choice_ids": ["nowhere"]}),
        json!({"choice_ids": [rome, milan]}),
        json!({"choice_ids": []}),
        json!({"choice_ids": [rome], "text": "Rome"}),
        json!({}),
        json!({"text": "Rome"}),
    ] {
        zoe.refused(answer(single, fields), "bad_answer").await;
    }
    accepted(zoe, quiz.choose(0, &["Rome"])).await;

    s.trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let [zoe, _] = &mut people;
    let (m_rome, m_milan) = (quiz.choice(1, "Rome"), quiz.choice(1, "Milan"));
    zoe.refused(
        answer(multiple, json!({"choice_ids": [m_rome, "nowhere"]})),
        "bad_answer",
    )
    .await;
    accepted(zoe, quiz.choose(1, &["Milan", "Rome"])).await;

    s.trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let [zoe, _] = &mut people;
    let too_long = "é".repeat(501);
    for fields in [
        json!({"text": ""}),
        json!({"text": "   "}),
        json!({"text": too_long}),
        json!({"choice_ids": [rome]}),
    ] {
        zoe.refused(answer(open, fields), "bad_answer").await;
    }
    let longest = "é".repeat(500);
    accepted(zoe, quiz.write(2, &longest)).await;

    let events = s.events().await;
    let zoe_id = &people[0].participant_id;
    let recorded: Vec<&Value> = data_of(&events, "quiz_answered")
        .into_iter()
        .filter(|d| d["participant_id"] == zoe_id.as_str())
        .map(|d| &d["answer"])
        .collect();
    assert_eq!(
        recorded,
        [
            &json!({"choice_ids": [rome]}),
            &json!({"choice_ids": [m_milan, m_rome]}),
            &json!({"text": longest})
        ]
    );
}

// --- answering and closing ---

#[tokio::test]
async fn quiz_answer_accepted_comes_once_the_answer_is_in_the_database() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let [zoe, _] = &mut people;
    let reply = zoe
        .request(
            json!({"type": "quiz_answer", "question_id": s.quiz.question_id(0),
                        "choice_ids": [s.quiz.choice(0, "Rome")]}),
        )
        .await;
    let events = s.events().await;
    assert_eq!(reply["type"], "quiz_answer_accepted", "{reply}");
    assert_eq!(reply["question_id"], s.quiz.question_id(0));
    assert!(reply["req"].is_string(), "the req is echoed: {reply}");
    let stored = answers_of(&events, &zoe.participant_id, s.quiz.question_id(0));
    assert_eq!(stored.len(), 1, "stored before the reply: {stored:?}");
    assert!(
        !has_key(&reply, "correct") && !has_key(&reply, "points"),
        "{reply}"
    );
}

#[tokio::test]
async fn the_trainer_follows_the_answers_with_quiz_progress() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [
        s.join("Zoé", "Durand").await,
        s.join("Léo", "Petit").await,
        s.join("Inès", "Roy").await,
    ];
    let asked = s.start_and_open(&mut people).await;
    let question_id = asked["question"]["id"].clone();
    let progress = |answered: usize| {
        json!({"type": "quiz_progress", "question_id": question_id, "answered": answered,
               "present": 3})
    };
    assert_eq!(s.trainer.recv_type("quiz_progress").await, progress(0));
    for (answered, client) in people.iter_mut().take(2).enumerate() {
        accepted(client, s.quiz.choose(0, &["Rome"])).await;
        assert_eq!(
            s.trainer.recv_type("quiz_progress").await,
            progress(answered + 1)
        );
    }
    let (closed, _) = s
        .trainer_does(&mut people, "quiz_close", "quiz_question_closed")
        .await;
    assert_eq!(
        closed,
        json!({"type": "quiz_question_closed", "question_id": question_id, "answered": 2,
               "present": 3})
    );
    for client in &mut people {
        client.expect_silence("quiz_progress").await;
    }
}

#[tokio::test]
async fn a_question_closes_by_itself_once_every_participant_online_has_answered() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let gone = s.join("Inès", "Roy").await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let gone_id = gone.participant_id.clone();
    gone.close().await;
    s.trainer
        .recv_where("Inès leaving", |m| {
            kind(m) == "participant_left" && m["participant_id"] == gone_id.as_str()
        })
        .await;
    let [zoe, leo] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    zoe.expect_silence("quiz_question_closed").await;
    accepted(leo, s.quiz.choose(0, &["Milan"])).await;
    let expected = json!({"type": "quiz_question_closed", "question_id": s.quiz.question_id(0),
                          "answered": 2, "present": 2});
    for client in std::iter::once(&mut s.trainer).chain(people.iter_mut()) {
        assert_eq!(client.recv_type("quiz_question_closed").await, expected);
    }
    let [zoe, _] = &mut people;
    let mut late = s.join("Jade", "Morel").await;
    assert_eq!(late.welcome["state"]["activity"]["phase"], "closed");
    late.refused(s.quiz.choose(0, &["Rome"]), "question_closed")
        .await;
    zoe.ping().await;
    assert_eq!(data_of(&s.events().await, "quiz_question_closed").len(), 1);
}

#[tokio::test]
async fn a_question_closes_by_itself_when_its_time_limit_ends() {
    let mut s = quiz_room("accuracy", two_questions(5)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    let opened_at = now_ms();
    let asked = s.start_and_open(&mut people).await;
    let deadline = asked["deadline_ms"].as_i64().unwrap();
    assert!(
        (opened_at + 5000..now_ms() + 5000 + 1).contains(&deadline),
        "5 s from the opening: {asked}"
    );
    let remaining = asked["remaining_ms"].as_i64().unwrap();
    assert!((4000..=5000).contains(&remaining), "{asked}");
    let [zoe, _] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    let closed = s
        .trainer
        .recv_where_pinging(
            "the question timing out",
            WAIT + Duration::from_secs(3),
            |m| kind(m) == "quiz_question_closed",
        )
        .await;
    let at = now_ms();
    assert!(
        (deadline..deadline + 2500).contains(&at),
        "closed at the deadline {deadline}, seen at {at}"
    );
    assert_eq!(
        closed,
        json!({"type": "quiz_question_closed", "question_id": s.quiz.question_id(0),
               "answered": 1, "present": 2})
    );
    let [zoe, leo] = &mut people;
    zoe.recv_type("quiz_question_closed").await;
    leo.recv_type("quiz_question_closed").await;
    leo.refused(s.quiz.choose(0, &["Rome"]), "question_closed")
        .await;
    assert_events_in_order(
        &s.events().await,
        &[(
            "quiz_question_closed",
            json!({"question_id": s.quiz.question_id(0), "answered": 1, "present": 2}),
        )],
    );
}

#[tokio::test]
async fn a_participant_joining_mid_question_finds_it_in_welcome_and_may_answer() {
    let mut s = quiz_room("speed", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await];
    let asked = s.start_and_open(&mut people).await;
    let mut ines = s.join("Inès", "Roy").await;
    let state = &ines.welcome["state"];
    let activity = &state["activity"];
    assert!(
        contains(
            activity,
            &json!({"kind": "quiz", "quiz_id": s.quiz.id(), "title": "Révisions",
                    "scoring": "speed", "question_count": 2, "index": 0, "phase": "open",
                    "deadline_ms": asked["deadline_ms"], "answered": 0})
        ),
        "{activity}"
    );
    let question = &activity["question"];
    assert_without_correct_answers(question);
    let mut expected = asked["question"].clone();
    for choice in expected["choices"].as_array_mut().unwrap() {
        choice.as_object_mut().unwrap().remove("correct");
    }
    assert_eq!(*question, expected);
    assert_eq!(state["score"], 0);
    assert_eq!(state["answers"], json!([]));
    accepted(&mut ines, s.quiz.choose(0, &["Rome"])).await;
    let trainer_view = s.room.trainer(&s.app).await;
    let activity = &trainer_view.welcome["state"]["activity"];
    assert_eq!(activity["answered"], 1, "{activity}");
    assert_eq!(
        activity["question"], asked["question"],
        "the trainer's has `correct`"
    );
}

#[tokio::test]
async fn a_returning_participant_sees_their_answers_but_no_result_before_the_reveal() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let [zoe, leo] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    accepted(leo, s.quiz.choose(0, &["Milan"])).await;
    s.trainer_does(&mut people, "quiz_reveal", "quiz_results")
        .await;
    let (asked, _) = s
        .trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let [zoe, _] = &mut people;
    accepted(zoe, s.quiz.choose(1, &["Vrai"])).await;
    let token = zoe.resume_token.clone().unwrap();
    let [zoe, mut leo] = people;
    zoe.close().await;

    let mut zoe = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    let state = &zoe.welcome["state"];
    assert_eq!(state["score"], 1000, "only the revealed question counts");
    let answers = state["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2, "{answers:#?}");
    assert!(
        contains(
            &answers[0],
            &json!({"question_id": s.quiz.question_id(0), "correct": true, "points": 1000,
                    "answer": {"choice_ids": [s.quiz.choice(0, "Rome")]}})
        ),
        "{answers:#?}"
    );
    assert!(
        contains(
            &answers[1],
            &json!({"question_id": s.quiz.question_id(1),
                    "answer": {"choice_ids": [s.quiz.choice(1, "Vrai")]}})
        ),
        "{answers:#?}"
    );
    assert_unsettled(&answers[1]);
    let activity = &state["activity"];
    assert!(
        contains(
            activity,
            &json!({"phase": "open", "index": 1, "deadline_ms": asked["deadline_ms"],
                    "answered": 1})
        ),
        "{activity}"
    );
    assert_without_correct_answers(&activity["question"]);

    s.trainer.command(command("quiz_reveal")).await;
    let results = zoe.recv_type("quiz_results").await;
    assert_eq!(
        results["yours"],
        json!({"answered": true, "correct": true, "points": 1000, "score": 2000, "rank": 1})
    );
    leo.recv_type("quiz_results").await;
}

// --- an imported quiz ---

#[tokio::test]
async fn an_imported_gift_quiz_runs_in_a_room() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let gift = "::Capitale:: Quelle est la capitale de la France ? {=Paris ~Lyon ~Marseille}\n\n\
                ::Pairs:: Lesquels sont pairs ? {~%50%2 ~%-100%3 ~%50%4}\n\n\
                ::Terre:: La Terre est ronde. {TRUE}\n\n\
                ::Avis:: Une remarque ? {}\n";
    let request = app
        .request(
            Method::POST,
            "/api/quizzes/import?format=gift&title=Import",
            Some(&room.token),
        )
        .header("content-type", "text/plain; charset=utf-8")
        .body(gift);
    let quiz = Quiz(app.send(request).await.expect(StatusCode::CREATED));
    let kinds: Vec<&str> = quiz
        .questions()
        .iter()
        .map(|q| q["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["single", "multiple", "true_false", "open"]);

    let mut s = QuizRoom::joined(app, room, quiz).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    let start = start(s.quiz.id());
    let (started, _) = everyone_gets(&mut s.trainer, &mut people, start, "quiz_started").await;
    assert_eq!(started["title"], "Import");
    assert_eq!(started["question_count"], 4);
    let quiz = s.quiz.clone();
    for index in 0..2 {
        let (asked, copies) = s
            .trainer_does(&mut people, "quiz_next", "quiz_question")
            .await;
        assert_eq!(
            asked["question"]["choices"],
            quiz.question(index)["choices"]
        );
        for copy in &copies {
            assert_without_correct_answers(&copy["question"]);
        }
    }
    let [zoe, leo] = &mut people;
    accepted(zoe, quiz.choose(1, &["4", "2"])).await;
    accepted(leo, quiz.choose(1, &["2", "3"])).await;
    let (results, copies) = s
        .trainer_does(&mut people, "quiz_reveal", "quiz_results")
        .await;
    assert_eq!(
        results["correct_choice_ids"],
        json!([quiz.choice(1, "2"), quiz.choice(1, "4")])
    );
    let points = quiz.question(1)["points"].as_i64().unwrap();
    assert_eq!(copies[0]["yours"]["points"], points);
    assert_eq!(copies[0]["yours"]["correct"], true);
    assert_eq!(copies[1]["yours"]["points"], 0);
    assert_eq!(copies[1]["yours"]["correct"], false);
}

// --- a crash mid-question ---

/// A leaderboard as {participant_id: score}.
fn scores_of(leaderboard: &Value) -> BTreeMap<String, i64> {
    standings(leaderboard)
        .into_iter()
        .map(|(id, (score, _))| (id, score))
        .collect()
}

/// The real binary on a fresh database, a room, a quiz of its trainer, the trainer joined.
async fn quiz_room_on_binary(scoring: &str, questions: Value) -> (Server, QuizRoom) {
    let app = TestApp::without_server(free_local_addr()).await;
    let server = Server::start(&app).await;
    let room = LiveRoom::launch(&app).await;
    let quiz = create_quiz(&app, &room.token, scoring, questions).await;
    (server, QuizRoom::joined(app, room, quiz).await)
}

#[tokio::test]
async fn after_a_kill_mid_question_it_is_still_open_and_no_answer_is_lost() {
    let (mut server, mut s) = quiz_room_on_binary("accuracy", two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    let asked = s.start_and_open(&mut people).await;
    let ines = s.join("Inès", "Roy").await;
    let deadline = ines.welcome["state"]["activity"]["deadline_ms"].clone();
    assert_eq!(deadline, asked["deadline_ms"]);
    let [zoe, leo] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    accepted(leo, s.quiz.choose(0, &["Milan"])).await;
    let seats: Vec<(String, String)> = [&people[0], &people[1], &ines]
        .iter()
        .map(|c| (c.participant_id.clone(), c.resume_token.clone().unwrap()))
        .collect();
    server.kill();
    drop((s.trainer, people, ines));

    let _server = Server::start(&s.app).await;
    let mut back = Vec::new();
    for (id, token) in &seats {
        let client = LiveClient::joined(&s.app, &s.room.name, returning(token)).await;
        assert_eq!(&client.participant_id, id);
        let activity = &client.welcome["state"]["activity"];
        assert!(
            contains(activity, &json!({"phase": "open", "index": 0})),
            "the same question: {activity}"
        );
        let remaining = activity["deadline_ms"].as_i64().unwrap() - now_ms();
        assert!(remaining > 50_000, "its time runs on: {activity}");
        back.push(client);
    }
    s.trainer = s.room.trainer(&s.app).await;
    assert_eq!(s.trainer.welcome["state"]["activity"]["answered"], 2);
    let [zoe, leo, ines] = &mut back[..] else {
        unreachable!()
    };
    let mine = &zoe.welcome["state"]["answers"][0];
    assert_eq!(mine["question_id"], s.quiz.question_id(0), "{mine}");
    assert_unsettled(mine);
    zoe.refused(s.quiz.choose(0, &["Milan"]), "already_answered")
        .await;
    accepted(ines, s.quiz.choose(0, &["Rome"])).await;
    let closed = s.trainer.recv_type("quiz_question_closed").await;
    assert!(
        contains(&closed, &json!({"answered": 3, "present": 3})),
        "everyone online has answered: {closed}"
    );
    leo.recv_type("quiz_question_closed").await;
    let (ended, _) = s.trainer_does(&mut back, "quiz_end", "quiz_ended").await;
    let expected: BTreeMap<String, i64> = seats
        .iter()
        .map(|(id, _)| id.clone())
        .zip([1000, 0, 1000])
        .collect();
    assert_eq!(
        scores_of(&ended["leaderboard"]),
        expected,
        "answers from before and after the kill count"
    );

    let events = s.events().await;
    for ((id, _), choice) in seats.iter().zip(["Rome", "Milan", "Rome"]) {
        let [answer] = answers_of(&events, id, s.quiz.question_id(0))[..] else {
            panic!("one stored answer from {id}");
        };
        assert_eq!(
            answer["answer"]["choice_ids"],
            json!([s.quiz.choice(0, choice)])
        );
    }
    let [event] = &data_of(&events, "quiz_ended")[..] else {
        panic!("one quiz_ended event");
    };
    assert_room_scores(&s.app, &s.room, &event["scores"]).await;
}

#[tokio::test]
async fn after_a_kill_a_revealed_question_is_still_revealed_with_its_answer_and_points() {
    let (mut server, mut s) = quiz_room_on_binary("accuracy", two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let [zoe, leo] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    accepted(leo, s.quiz.choose(0, &["Milan"])).await;
    s.trainer_does(&mut people, "quiz_reveal", "quiz_results")
        .await;
    let token = people[0].resume_token.clone().unwrap();
    server.kill();
    drop((s.trainer, people));

    let _server = Server::start(&s.app).await;
    let zoe = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    let state = &zoe.welcome["state"];
    let activity = &state["activity"];
    assert_eq!(activity["phase"], "revealed", "{activity}");
    assert_eq!(
        correct_ids(&activity["question"]),
        [s.quiz.choice(0, "Rome")],
        "the correct answer stays shown: {activity}"
    );
    assert!(
        contains(
            &state["answers"][0],
            &json!({"correct": true, "points": 1000})
        ),
        "{state}"
    );
    assert_eq!(state["score"], 1000);
    let events = s.room.events(&s.app).await;
    let [revealed] = &data_of(&events, "quiz_results_revealed")[..] else {
        panic!("one quiz_results_revealed event");
    };
    assert_eq!(revealed["question_id"], s.quiz.question_id(0));
    assert_eq!(
        counts(&revealed["distribution"]),
        BTreeMap::from([
            (s.quiz.choice(0, "Rome").to_owned(), 1),
            (s.quiz.choice(0, "Milan").to_owned(), 1)
        ])
    );
}

#[tokio::test]
async fn ending_the_session_mid_question_ends_the_quiz_and_everyone_gets_the_standings() {
    let mut s = quiz_room("accuracy", two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    accepted(&mut people[0], s.quiz.choose(0, &["Rome"])).await;
    s.trainer.command(json!({"type": "end_session"})).await;
    for client in &mut people {
        let ended = client.recv_type("quiz_ended").await;
        assert_eq!(ended["quiz_id"], s.quiz.id());
        assert_eq!(
            ended["yours"]["participant_id"],
            json!(client.participant_id)
        );
        client.recv_type("session_ended").await;
    }
    let events = s.events().await;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let tail = &kinds[kinds.len() - 5..];
    assert_eq!(
        tail,
        [
            "quiz_question_closed",
            "quiz_ended",
            "participant_left",
            "participant_left",
            "session_ended"
        ]
    );
    let path = format!("/api/sessions/{}/report?lang=fr", s.room.id);
    let report = s.app.get(&path, &s.room.token).await.expect(StatusCode::OK);
    assert_eq!(report["notes"], json!([]), "nothing is missing: {report}");
    assert_eq!(report["quizzes"][0]["ranking"][0]["score"], 1000);
}

#[tokio::test]
async fn a_participant_who_reloads_after_the_quiz_ended_keeps_their_rank_and_points() {
    let mut s = quiz_room("accuracy", two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    accepted(&mut people[1], s.quiz.choose(0, &["Rome"])).await;
    s.trainer_does(&mut people, "quiz_end", "quiz_ended").await;
    let token = people[1].resume_token.clone().unwrap();
    let leo_id = people[1].participant_id.clone();
    drop(people);

    let leo = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    let state = &leo.welcome["state"];
    assert_eq!(state["score"], 1000, "{state}");
    let ended = &state["quiz_ended"];
    assert_eq!(ended["quiz_id"], s.quiz.id());
    assert_eq!(ended["title"], "Révisions");
    assert!(
        contains(
            &ended["yours"],
            &json!({"participant_id": leo_id, "score": 1000, "rank": 1})
        ),
        "{ended}"
    );
    assert_eq!(ended["leaderboard"].as_array().unwrap().len(), 2);
}

// --- failing at the time of writing (see the report): a room loaded from its row forgets
// --- `rooms.quiz_id` and `rooms.quiz_scores`, and reopens a question replayed from its event at
// --- the time the event row was stamped rather than the moment the question opened ---

/// A room launched with `quiz_id`: the quiz is chosen at launch.
async fn launched_with_its_quiz(app: TestApp, questions: Value) -> QuizRoom {
    let token = app.signup("Ana Martin").await;
    let quiz = create_quiz(&app, &token, "accuracy", questions).await;
    let room = LiveRoom::launch_by(&app, token, json!({"quiz_id": quiz.id()})).await;
    QuizRoom::joined(app, room, quiz).await
}

#[tokio::test]
async fn quiz_start_without_quiz_id_runs_the_quiz_chosen_at_launch() {
    let mut s = launched_with_its_quiz(spawn_app().await, five_kinds()).await;
    let mut people = [s.join("Zoé", "Durand").await];
    let (started, _) = s
        .trainer_does(&mut people, "quiz_start", "quiz_started")
        .await;
    assert_eq!(started["quiz_id"], s.quiz.id());
    assert_eq!(started["question_count"], 5);
    let (asked, _) = s
        .trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    assert_eq!(asked["question"]["id"], s.quiz.question_id(0));
}

#[tokio::test]
async fn the_final_scores_and_the_quiz_chosen_at_launch_survive_a_restart() {
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let mut s = launched_with_its_quiz(app, two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await];
    s.start_and_open(&mut people).await;
    let [zoe] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    s.trainer_does(&mut people, "quiz_end", "quiz_ended").await;
    let path = format!("/api/rooms/{}", s.room.id);
    let events = s.events().await;
    let scores = data_of(&events, "quiz_ended")[0]["scores"].clone();
    assert_room_scores(&s.app, &s.room, &scores).await;
    let token = people[0].resume_token.clone().unwrap();
    server.kill();
    drop((s.trainer, people));

    let _server = Server::start(&s.app).await;
    let _zoe = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    let mut trainer = s.room.trainer(&s.app).await;
    trainer.command(s.room.goto(1)).await;
    let page = s.room.page(1).to_owned();
    eventually("the room is checkpointed after the restart", async || {
        let row = s.app.get(&path, &s.room.token).await.expect(StatusCode::OK);
        row["state"]["page_id"] == page.as_str()
    })
    .await;
    let row = s.app.get(&path, &s.room.token).await.expect(StatusCode::OK);
    assert_eq!(
        row["quiz_id"],
        json!(s.quiz.id()),
        "the quiz chosen at launch is kept"
    );
    assert_room_scores(&s.app, &s.room, &scores).await;
}

#[tokio::test]
async fn after_a_kill_an_open_questions_deadline_is_exactly_the_same() {
    // A room resumed from its events reopens the question at the time its event row was
    // stamped, a little after the moment it opened: only rooms not checkpointed since show it,
    // and only when a millisecond ticked in between, so many rooms open a question just before
    // the kill.
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let mut rooms = Vec::new();
    for _ in 0..30 {
        let room = LiveRoom::launch(&app).await;
        let quiz = create_quiz(&app, &room.token, "accuracy", two_questions(60)).await;
        let mut trainer = room.trainer(&app).await;
        trainer.command(start(quiz.id())).await;
        rooms.push((room, trainer));
    }
    let mut deadlines = Vec::new();
    for (_, trainer) in &mut rooms {
        trainer.command(command("quiz_next")).await;
        deadlines.push(trainer.recv_type("quiz_question").await["deadline_ms"].clone());
    }
    server.kill();

    let _server = Server::start(&app).await;
    for ((room, _), deadline) in rooms.iter().zip(&deadlines) {
        let trainer = room.trainer(&app).await;
        let activity = &trainer.welcome["state"]["activity"];
        assert_eq!(activity["deadline_ms"], *deadline, "{activity}");
    }
}

/// `kill -9` rounds in the answer-burst test: `PRATICO_FAULT_KILLS` (scripts/fault-test.sh
/// sets more), 3 by default.
fn kill_rounds() -> usize {
    std::env::var("PRATICO_FAULT_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

#[tokio::test]
async fn repeated_kills_during_answer_bursts_lose_and_duplicate_no_acknowledged_answer() {
    const PARTICIPANTS: usize = 20;
    let rounds = kill_rounds();
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let room = LiveRoom::launch(&app).await;
    let question = json!({"kind": "single", "prompt": "Capitale de l'Italie ?",
        "time_limit_s": 600, "choices": [{"text": "Rome", "correct": true}, {"text": "Milan"}]});
    let quiz = create_quiz(&app, &room.token, "speed", json!(vec![question; rounds])).await;
    let mut trainer = room.trainer(&app).await;
    trainer.command(start(quiz.id())).await;
    let mut people = Vec::new();
    for i in 0..PARTICIPANTS {
        people.push(room.participant(&app, "Élève", &format!("N°{i}")).await);
    }
    // (participant, question) pairs acknowledged, and those the server said it already had.
    let mut acked = BTreeSet::new();
    let mut already = BTreeSet::new();
    for round in 0..rounds {
        trainer.command(command("quiz_next")).await;
        let question_id = quiz.question_id(round).to_owned();
        let answer = quiz.choose(round, &["Rome"]);
        for person in &mut people {
            person.recv_type("quiz_question").await;
        }
        for (i, person) in people.iter_mut().enumerate() {
            let mut sent = answer.clone();
            sent["req"] = json!(format!("{round}-{i}"));
            person.send(sent).await;
        }
        // Killed while the burst is being committed: some answers are acknowledged, some
        // stored without their acknowledgement reaching anyone, some never stored.
        tokio::time::sleep(Duration::from_millis(3 * round as u64)).await;
        server.kill();
        for person in &mut people {
            let (seen, _) = person.read_to_end(WAIT).await;
            if seen.iter().any(|m| {
                kind(m) == "quiz_answer_accepted" && m["question_id"] == question_id.as_str()
            }) {
                acked.insert((person.participant_id.clone(), question_id.clone()));
            }
        }
        server = Server::start(&app).await;
        trainer = room.trainer(&app).await;
        for person in &mut people {
            let token = person.resume_token.clone().unwrap();
            let id = person.participant_id.clone();
            *person = LiveClient::joined(&app, &room.name, returning(&token)).await;
            assert_eq!(person.participant_id, id, "the same seat after the kill");
            let key = (id, question_id.clone());
            // The welcome says which answers the room has, as the real client reads it.
            let kept = person.welcome["state"]["answers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["question_id"] == question_id.as_str());
            if acked.contains(&key) {
                assert!(kept, "an acknowledged answer is missing from the welcome");
                continue;
            }
            if kept {
                // Stored, its acknowledgement lost in the kill (the question may even have
                // closed, everyone having answered).
                already.insert(key);
                continue;
            }
            // Never stored: the client sends it again, and it is taken.
            let reply = person.request(answer.clone()).await;
            assert_eq!(
                kind(&reply),
                "quiz_answer_accepted",
                "a resent answer got {reply}"
            );
            acked.insert(key);
        }
    }

    let events = room.events(&app).await;
    let stored: Vec<(String, String)> = events
        .iter()
        .filter(|e| e.kind == "quiz_answered")
        .map(|e| {
            let field = |k: &str| e.data.0[k].as_str().unwrap().to_owned();
            (field("participant_id"), field("question_id"))
        })
        .collect();
    let unique: BTreeSet<_> = stored.iter().cloned().collect();
    assert_eq!(unique.len(), stored.len(), "an answer was stored twice");
    let lost: Vec<_> = acked.difference(&unique).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    assert!(
        already.is_subset(&unique),
        "`already_answered` for an answer not stored"
    );
    assert_eq!(
        stored.len(),
        PARTICIPANTS * rounds,
        "every answer is stored once in the end"
    );
    eprintln!(
        "{rounds} kills: {} answers acknowledged, {} stored without their acknowledgement \
         reaching the client, {} stored, 0 lost, 0 duplicated",
        acked.len(),
        already.len(),
        stored.len()
    );
}
