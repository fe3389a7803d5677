//! Images in questions and choices (issue 16): a quiz names its owner's uploaded images by URL,
//! the room sends them with the question to everyone, participants load them with their room
//! and resume token, the sweep of unused images spares them, and reports name them without
//! holding them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{QuizRoom, accepted, create_quiz, everyone_gets, start};
use crate::helpers::{TestApp, eventually, spawn_app, spawn_app_with};
use crate::live_client::{LiveClient, LiveRoom, returning};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const GIF: &[u8] = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,";
const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>"#;

/// Uploads `bytes` as the trainer of `token`: the asset's URL.
async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> String {
    let request = app
        .request(Method::POST, "/api/assets", Some(token))
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec());
    let asset = app.send(request).await.expect(StatusCode::CREATED);
    asset["url"].as_str().unwrap().to_owned()
}

/// The status of a GET of `path` (with `token` as bearer if given), and its bytes.
async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Vec<u8>) {
    let response = app
        .request(Method::GET, path, token)
        .send()
        .await
        .expect("answered");
    (response.status(), response.bytes().await.unwrap().to_vec())
}

/// A single-choice question with an image and one illustrated choice, then a numeric one with
/// an image.
fn illustrated(question_image: &str, choice_image: &str) -> Value {
    json!([
        {"kind": "single", "prompt": "Quel animal ?", "image": question_image, "choices": [
            {"text": "Chat", "correct": true, "image": choice_image},
            {"text": "Chien"}]},
        {"kind": "numeric", "prompt": "Combien de pattes ?", "answer": 4,
         "image": choice_image}
    ])
}

#[tokio::test]
async fn everyone_gets_the_images_with_the_question_and_participants_load_them_with_their_seat() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let photo = upload(&app, &room.token, PNG).await;
    let drawing = upload(&app, &room.token, GIF).await;
    let quiz = create_quiz(&app, &room.token, "accuracy", illustrated(&photo, &drawing)).await;
    assert_eq!(quiz.question(0)["image"], photo.as_str());
    assert_eq!(quiz.question(0)["choices"][0]["image"], drawing.as_str());
    assert!(quiz.question(0)["choices"][1].get("image").is_none());
    let mut s = QuizRoom::joined(app, room, quiz).await;
    let mut people = [s.join("Zoé", "Durand").await];

    let quiz_id = s.quiz.id().to_owned();
    everyone_gets(&mut s.trainer, &mut people, start(&quiz_id), "quiz_started").await;
    let (asked, shown) = s
        .trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let shown = &shown[0];
    for (who, question) in [("trainer", &asked), ("participant", shown)] {
        let question = &question["question"];
        assert_eq!(question["image"], photo.as_str(), "{who}: {question}");
        assert_eq!(
            question["choices"][0]["image"],
            drawing.as_str(),
            "{who}: {question}"
        );
        assert!(question["choices"][1].get("image").is_none(), "{question}");
    }
    assert!(shown["question"]["choices"][0].get("correct").is_none());

    // Zoé loads them with her room and resume token; nobody else does.
    let resume = people[0].resume_token.clone().unwrap();
    let room_name = s.room.name.clone();
    for (url, bytes) in [(&photo, PNG), (&drawing, GIF)] {
        let as_zoe = format!("{url}?room={room_name}&token={resume}");
        assert_eq!(
            fetch(&s.app, &as_zoe, None).await,
            (StatusCode::OK, bytes.to_vec())
        );
        assert_eq!(fetch(&s.app, url, None).await.0, StatusCode::NOT_FOUND);
        let forged = format!("{url}?room={room_name}&token=x{resume}");
        assert_eq!(fetch(&s.app, &forged, None).await.0, StatusCode::NOT_FOUND);
    }
    let stranger = s.app.signup("Bob Durand").await;
    assert_eq!(
        fetch(&s.app, &photo, Some(&stranger)).await.0,
        StatusCode::NOT_FOUND
    );

    // Coming back mid-question, the welcome shows the question with its images.
    let mut again = LiveClient::connect(&s.app, &room_name).await;
    let welcome = again.join(returning(&resume)).await;
    let question = &welcome["state"]["activity"]["question"];
    assert_eq!(question["image"], photo.as_str(), "{welcome}");
    assert_eq!(question["choices"][0]["image"], drawing.as_str());

    let quiz = s.quiz.clone();
    accepted(&mut again, quiz.choose(0, &["Chat"])).await;
    s.trainer.command(json!({"type": "quiz_end"})).await;

    // The report says which question and choice had an image, and holds no image.
    let path = format!("/api/sessions/{}/report", s.room.id);
    let report = s.app.get(&path, &s.room.token).await.expect(StatusCode::OK);
    let questions = &report["quizzes"][0]["questions"];
    assert_eq!(questions[0]["has_image"], true, "{questions}");
    assert_eq!(questions[0]["distribution"][0]["has_image"], true);
    assert!(questions[0]["distribution"][1].get("has_image").is_none());
    assert_eq!(questions[1]["has_image"], true);
    let (status, html) = fetch(&s.app, &format!("{path}?format=html"), Some(&s.room.token)).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("shown with an image"), "{html}");
    assert!(html.contains("choices shown with images"));
    for held in ["/api/assets/", "data:image", "<img"] {
        assert!(!html.contains(held), "no `{held}` in the HTML report");
    }
    assert!(!report.to_string().contains("/api/assets/"));
}

#[tokio::test]
async fn a_quiz_names_only_its_owners_images_and_says_which_one_is_not() {
    let app = spawn_app().await;
    let ana = app.signup("Ana Martin").await;
    let bob = app.signup("Bob Durand").await;
    let mine = upload(&app, &ana, SVG.as_bytes()).await;
    let theirs = upload(&app, &bob, PNG).await;
    let made_up = "/api/assets/7d6f1e1a-0000-4000-8000-000000000000";
    let body = |questions: Value| json!({"title": "Images", "questions": questions});

    for (image, field, named) in [
        (
            theirs.as_str(),
            "questions[0].choices[0].image",
            "question 1 (q1), choice 1 (c1)",
        ),
        (
            made_up,
            "questions[0].choices[0].image",
            "question 1 (q1), choice 1 (c1)",
        ),
    ] {
        let refused = app
            .post("/api/quizzes", &ana, body(illustrated(&mine, image)))
            .await;
        refused.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "unknown_asset");
        assert_eq!(refused.body["error"]["field"], field);
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{message}");
    }
    let refused = app
        .post("/api/quizzes", &ana, body(illustrated(&theirs, &mine)))
        .await;
    refused.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "unknown_asset");
    assert_eq!(refused.body["error"]["field"], "questions[0].image");

    // Not an asset's URL at all: a rule of the quiz itself.
    for elsewhere in [
        "https://tracker.example/p.png",
        "data:image/png;base64,iVBORw0K",
    ] {
        let refused = app
            .post("/api/quizzes", &ana, body(illustrated(elsewhere, &mine)))
            .await;
        refused.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(refused.body["error"]["field"], "questions[0].image");
    }

    // Saved with her own images; an edit to someone else's is refused and changes nothing.
    let quiz = app
        .post("/api/quizzes", &ana, body(illustrated(&mine, &mine)))
        .await
        .expect(StatusCode::CREATED);
    let path = format!("/api/quizzes/{}", quiz["id"].as_str().unwrap());
    let patch = json!({"questions": illustrated(&mine, &theirs)});
    let answer = app
        .send(app.request(Method::PATCH, &path, Some(&ana)).json(&patch))
        .await;
    answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "unknown_asset");
    let stored = app.get(&path, &ana).await.expect(StatusCode::OK);
    assert_eq!(stored["questions"], quiz["questions"]);
}

#[tokio::test]
async fn the_sweep_keeps_the_images_of_quizzes_and_of_the_quiz_a_live_room_runs() {
    let app = spawn_app_with(|c| c.unused_asset_grace_s = 1).await;
    let room = LiveRoom::launch(&app).await;
    let token = room.token.clone();
    let status_of = async |url: &str| fetch(&app, url, Some(&token)).await.0;
    // Three different images (the same bytes would be one asset).
    let in_quiz = upload(&app, &token, PNG).await;
    let in_room = upload(&app, &token, GIF).await;
    let unused = upload(&app, &token, SVG.as_bytes()).await;
    let kept = create_quiz(&app, &token, "accuracy", illustrated(&in_quiz, &in_quiz)).await;
    let running = create_quiz(&app, &token, "accuracy", illustrated(&in_room, &in_room)).await;

    // The room starts the second quiz, which is then deleted: the room's copy still shows it.
    let mut trainer = room.trainer(&app).await;
    everyone_gets(&mut trainer, &mut [], start(running.id()), "quiz_started").await;
    app.delete(&format!("/api/quizzes/{}", running.id()), &token)
        .await
        .expect(StatusCode::NO_CONTENT);

    eventually("the unused image is deleted", async || {
        status_of(&unused).await == StatusCode::NOT_FOUND
    })
    .await;
    assert_eq!(status_of(&in_quiz).await, StatusCode::OK, "a quiz uses it");
    assert_eq!(
        status_of(&in_room).await,
        StatusCode::OK,
        "the quiz the live room runs uses it"
    );

    // Once the session ends, nothing holds the deleted quiz's image any more.
    drop(trainer);
    app.post(&format!("/api/rooms/{}/end", room.id), &token, json!({}))
        .await
        .expect(StatusCode::OK);
    eventually("the room's quiz image goes with the room", async || {
        status_of(&in_room).await == StatusCode::NOT_FOUND
    })
    .await;
    assert_eq!(status_of(&in_quiz).await, StatusCode::OK);
    app.delete(&format!("/api/quizzes/{}", kept.id()), &token)
        .await
        .expect(StatusCode::NO_CONTENT);
    eventually("the deleted quiz's image goes", async || {
        status_of(&in_quiz).await == StatusCode::NOT_FOUND
    })
    .await;
}
