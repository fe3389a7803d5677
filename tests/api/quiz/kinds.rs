//! The question kinds beyond choices (SPEC §8): `numeric`, `short` and `ordering`, asked,
//! answered, scored and revealed over real sockets, then read back in the session's report.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    Quiz, QuizRoom, accepted, answers_of, assert_without_correct_answers, data_of, everyone_gets,
    has_key, quiz_room, start,
};
use crate::live_client::LiveClient;

fn three_kinds() -> Value {
    json!([
        {"kind": "numeric", "prompt": "Année de la prise de la Bastille ?",
         "answer": 1789, "tolerance": 1},
        {"kind": "short", "prompt": "Capitale de la France ?", "accepted": ["Paris", "Lutèce"],
         "points": 500},
        {"kind": "ordering", "prompt": "Dans l'ordre :", "partial_credit": true, "items": [
            {"id": "un", "text": "Un"}, {"id": "deux", "text": "Deux"},
            {"id": "trois", "text": "Trois"}, {"id": "quatre", "text": "Quatre"}]}
    ])
}

fn answer(quiz: &Quiz, index: usize, fields: Value) -> Value {
    let mut message = json!({"type": "quiz_answer", "question_id": quiz.question_id(index)});
    message
        .as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    message
}

/// The trainer reveals; each participant's `quiz_results`, and the trainer's.
async fn reveal(s: &mut QuizRoom, people: &mut [LiveClient]) -> (Value, Vec<Value>) {
    s.trainer_does(people, "quiz_reveal", "quiz_results").await
}

#[tokio::test]
async fn numeric_short_and_ordering_questions_are_scored_and_revealed() {
    let mut s = quiz_room("accuracy", three_kinds()).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    let quiz = s.quiz.clone();

    // Numeric: a typed French number within the tolerance is right.
    everyone_gets(
        &mut s.trainer,
        &mut people,
        start(quiz.id()),
        "quiz_started",
    )
    .await;
    let (asked, shown) = s
        .trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    assert_eq!(
        asked["question"]["solution"],
        json!({"answer": 1789.0, "tolerance": 1.0})
    );
    for question in shown {
        assert!(!has_key(&question, "solution"), "{question}");
        assert_without_correct_answers(&question["question"]);
    }
    let [zoe, leo] = &mut people;
    let refused = zoe
        .refused(answer(&quiz, 0, json!({"text": "douze"})), "bad_answer")
        .await;
    assert!(refused["message"].as_str().unwrap().contains("douze"));
    accepted(zoe, answer(&quiz, 0, json!({"text": " 1 789,5 "}))).await;
    accepted(leo, answer(&quiz, 0, json!({"number": 1800}))).await;
    let (trainer, results) = reveal(&mut s, &mut people).await;
    assert_eq!(results[0]["solution"], asked["question"]["solution"]);
    assert_eq!(
        (
            results[0]["yours"]["correct"].clone(),
            results[0]["yours"]["points"].clone()
        ),
        (json!(true), json!(1000))
    );
    assert_eq!(results[1]["yours"]["correct"], false);
    assert_eq!(results[1]["yours"]["points"], 0);
    assert!(
        !has_key(&results[0], "top_answers"),
        "others' answers stay private"
    );
    assert_eq!(
        trainer["top_answers"],
        json!([{"text": "1789.5", "count": 1, "correct": true},
               {"text": "1800", "count": 1, "correct": false}])
    );

    // Short: case, accents and spaces are folded.
    let asked = s
        .trainer_does(&mut people, "quiz_next", "quiz_question")
        .await
        .0;
    assert_eq!(
        asked["question"]["solution"]["accepted"],
        json!(["Paris", "Lutèce"])
    );
    let [zoe, leo] = &mut people;
    accepted(zoe, answer(&quiz, 1, json!({"text": "  lutece "}))).await;
    accepted(leo, answer(&quiz, 1, json!({"text": "Lyon"}))).await;
    let (_, results) = reveal(&mut s, &mut people).await;
    assert_eq!(results[0]["yours"]["points"], 500);
    assert_eq!(results[1]["yours"]["points"], 0);

    // Ordering: shown mixed; partial credit for the items in their place.
    let (asked, shown) = s
        .trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let right = ["un", "deux", "trois", "quatre"];
    assert_eq!(asked["question"]["solution"]["item_ids"], json!(right));
    let shown = &shown[0];
    let shown_ids: Vec<&str> = (shown["question"]["items"].as_array().unwrap().iter())
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_ne!(shown_ids, right, "never shown in the right order");
    assert!(!has_key(shown, "solution"), "{shown}");
    let [zoe, leo] = &mut people;
    zoe.refused(
        answer(&quiz, 2, json!({"item_ids": ["un", "deux", "trois"]})),
        "bad_answer",
    )
    .await;
    accepted(zoe, answer(&quiz, 2, json!({"item_ids": right}))).await;
    // `choice_ids` are read as the order too; two of four in place.
    let half = ["un", "deux", "quatre", "trois"];
    accepted(leo, answer(&quiz, 2, json!({"choice_ids": half}))).await;
    let (trainer, results) = reveal(&mut s, &mut people).await;
    assert_eq!(
        (
            results[0]["yours"]["correct"].clone(),
            results[0]["yours"]["points"].clone()
        ),
        (json!(true), json!(1000))
    );
    assert_eq!(
        (
            results[1]["yours"]["correct"].clone(),
            results[1]["yours"]["points"].clone()
        ),
        (json!(false), json!(500))
    );
    assert_eq!(
        trainer["distribution"],
        json!([{"choice_id": "un", "count": 2}, {"choice_id": "deux", "count": 2},
               {"choice_id": "trois", "count": 1}, {"choice_id": "quatre", "count": 1}])
    );
    s.trainer_does(&mut people, "quiz_end", "quiz_ended").await;

    // Stored as the server read them.
    let events = s.events().await;
    let [zoe, leo] = &people;
    let stored = |who: &LiveClient, index| {
        answers_of(&events, &who.participant_id, quiz.question_id(index))[0].clone()
    };
    assert_eq!(stored(zoe, 0)["answer"], json!({"number": 1789.5}));
    assert_eq!(stored(leo, 2)["answer"], json!({"item_ids": half}));
    assert_eq!(stored(leo, 2)["points"], 500);
    let revealed = data_of(&events, "quiz_results_revealed");
    assert_eq!(revealed.len(), 3);

    // And in the report, with the other rule too.
    let path = format!("/api/sessions/{}/report", s.room.id);
    let report = s.app.get(&path, &s.room.token).await.expect(StatusCode::OK);
    let questions = &report["quizzes"][0]["questions"];
    assert_eq!(
        questions[0]["solution"],
        json!({"answer": 1789.0, "tolerance": 1.0})
    );
    assert_eq!(questions[0]["percent_correct"], 50.0);
    let texts: Vec<&str> = (questions[2]["answers"].as_array().unwrap().iter())
        .map(|a| a["answer_text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Un → Deux → Quatre → Trois"), "{texts:?}");
    assert_eq!(
        questions[2]["items"][3],
        json!({"id": "quatre", "text": "Quatre"})
    );
    assert!(
        questions[0].get("items").is_none(),
        "items are for ordering"
    );
    assert_eq!(questions[1]["top_answers"][0]["count"], 1);
    let speed = format!("{path}?scoring=speed");
    let rescored = s
        .app
        .get(&speed, &s.room.token)
        .await
        .expect(StatusCode::OK);
    let leo_line = (rescored["quizzes"][0]["questions"][2]["answers"]
        .as_array()
        .unwrap())
    .iter()
    .find(|a| a["first_name"] == "Léo")
    .unwrap()
    .clone();
    let points = leo_line["points"].as_i64().unwrap();
    assert!(
        (250..=500).contains(&points),
        "half of a speed score: {leo_line}"
    );
}

#[tokio::test]
async fn the_new_kinds_are_checked_when_a_quiz_is_written() {
    let s = quiz_room("accuracy", three_kinds()).await;
    let refused = |questions: Value, field: &'static str| {
        let (app, token) = (&s.app, &s.room.token);
        async move {
            let body = json!({"title": "T", "questions": questions});
            let error = app.post("/api/quizzes", token, body).await;
            let error = error.expect(StatusCode::UNPROCESSABLE_ENTITY);
            let message = error["error"]["message"].as_str().unwrap().to_owned();
            assert!(message.contains(field), "{field}: {message}");
        }
    };
    refused(json!([{"kind": "numeric", "prompt": "?"}]), "questions[0]").await;
    refused(
        json!([{"kind": "numeric", "prompt": "?", "min": 3, "max": 1}]),
        "questions[0].min",
    )
    .await;
    refused(
        json!([{"kind": "numeric", "prompt": "?", "answer": 1, "tolerance": -1}]),
        "questions[0].tolerance",
    )
    .await;
    refused(
        json!([{"kind": "short", "prompt": "?"}]),
        "questions[0].accepted",
    )
    .await;
    refused(
        json!([{"kind": "ordering", "prompt": "?", "items": [{"text": "seul"}]}]),
        "questions[0].items",
    )
    .await;
    refused(
        json!([{"kind": "single", "prompt": "?", "accepted": ["x"],
                "choices": [{"text": "a", "correct": true}, {"text": "b"}]}]),
        "questions[0].accepted",
    )
    .await;
    // Written back as given, with ids filled in.
    let quiz = &s.quiz;
    assert_eq!(quiz.question(0)["answer"], 1789.0);
    assert_eq!(quiz.question(1)["accepted"], json!(["Paris", "Lutèce"]));
    assert_eq!(
        quiz.question(2)["items"][0],
        json!({"id": "un", "text": "Un"})
    );
    assert_eq!(quiz.question(2)["partial_credit"], true);
}
