//! Starting a quiz: `quiz_start` reaches everyone, needs a quiz of the trainer's own, and runs
//! the quiz chosen at launch when it names none.

use serde_json::json;

use super::{
    command, create_quiz, data_of, everyone_gets, five_kinds, launched_with_its_quiz, quiz_room,
    start,
};
use crate::helpers::spawn_app;

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
