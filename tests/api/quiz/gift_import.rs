//! A quiz imported from Moodle's GIFT format runs in a room.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Quiz, QuizRoom, accepted, assert_without_correct_answers, everyone_gets, start};
use crate::helpers::spawn_app;
use crate::live_client::LiveRoom;

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
