//! A whole quiz played by a script (`SCRIPT` on one question of each kind): no participant
//! gets a correct answer or another one's answer before the reveal, the results and standings
//! follow the scoring rule, and the events are recorded in order.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use Said::{Choices, Nothing, Text};
use pratico::store::events::EventRow;
use serde_json::{Value, json};

use super::{
    Quiz, QuizRoom, accepted, answers_of, assert_room_scores, assert_without_correct_answers,
    correct_ids, counts, data_of, everyone_gets, expected_standings, five_kinds, has_key,
    quiz_room, rule, standings, start,
};
use crate::helpers::TestApp;
use crate::live_client::{LiveClient, LiveRoom, assert_events_in_order, contains, kind};

/// What a participant does with a question.
#[derive(Clone, Copy)]
enum Said {
    Choices(&'static [&'static str]),
    Text(&'static str),
    Nothing,
}

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
            // The server times answers on its wall clock (no paused time to advance): a slower
            // answer has to be slower for real.
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
