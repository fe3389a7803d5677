//! What a client is told before and around the room: a `ping` before `join`, and a
//! `quiz_start`, whose quiz is read before the room gets it, refused and accepted as ever.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::live_client::{LiveClient, LiveRoom, assert_error, kind, participant};

#[tokio::test]
async fn a_ping_before_join_gets_its_pong_and_the_socket_may_still_join() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let mut zoe = LiveClient::connect(&app, &room.name).await;
    let pong = zoe.request(json!({"type": "ping"})).await;
    assert_eq!(kind(&pong), "pong", "{pong}");
    zoe.join(participant("Zoé", "Durand")).await;
    zoe.ping().await;
}

/// A quiz of one question, created by the trainer of `token`; its id.
async fn quiz(app: &TestApp, token: &str) -> String {
    let body = json!({"title": "Révisions", "questions": [{"kind": "single", "prompt": "2 + 2 ?",
        "choices": [{"text": "4", "correct": true}, {"text": "5"}]}]});
    let quiz = app.post("/api/quizzes", token, body).await;
    quiz.expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_quiz_start_without_a_quiz_id_starts_the_quiz_chosen_at_launch() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let quiz_id = quiz(&app, &token).await;
    let room = LiveRoom::launch_by(&app, token, json!({"quiz_id": quiz_id})).await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer.command(json!({"type": "quiz_start"})).await;
    let started = zoe.recv_type("quiz_started").await;
    assert_eq!(started["quiz_id"], quiz_id.as_str());
    assert_eq!(started["question_count"], 1);
}

#[tokio::test]
async fn a_quiz_start_is_refused_with_the_codes_it_always_had() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let quiz_id = quiz(&app, &room.token).await;
    let start = json!({"type": "quiz_start", "quiz_id": quiz_id});

    let mut stranger = LiveClient::connect(&app, &room.name).await;
    stranger.refused(start.clone(), "bad_message").await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    zoe.refused(start.clone(), "forbidden").await;
    let mut trainer = room.trainer(&app).await;
    trainer
        .refused(json!({"type": "quiz_start"}), "bad_message")
        .await;
    let missing = json!({"type": "quiz_start", "quiz_id": uuid::Uuid::now_v7()});
    let refused = trainer.refused(missing, "not_found").await;
    assert_eq!(refused["message"], "no such quiz among yours");
    trainer.command(start).await;
    zoe.recv_type("quiz_started").await;
}

#[tokio::test]
async fn a_quiz_start_is_answered_in_order_with_the_commands_before_it() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let mut trainer = room.trainer(&app).await;
    trainer.send(json!({"type": "lock", "req": "first"})).await;
    let missing = json!({"type": "quiz_start", "quiz_id": uuid::Uuid::now_v7(), "req": "second"});
    trainer.send(missing).await;
    let answered = |m: &Value| !m["req"].is_null();
    let lock = trainer.recv_where("the lock's answer", answered).await;
    assert_eq!((kind(&lock), &lock["req"]), ("ack", &json!("first")));
    let start = trainer.recv_where("the start's answer", answered).await;
    assert_error(&start, "not_found", "a quiz that does not exist");
    assert_eq!(start["req"], "second");
}
