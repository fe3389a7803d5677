use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fixture_text, spawn_app};

fn sample_questions() -> Value {
    json!([
        {"kind": "single", "prompt": "2 + 2 ?", "choices": [
            {"text": "4", "correct": true}, {"text": "5"}]},
        {"kind": "multiple", "prompt": "Nombres pairs ?", "points": 500, "choices": [
            {"text": "2", "correct": true}, {"text": "3"}, {"text": "4", "correct": true}]},
        {"kind": "true_false", "prompt": "La Terre est ronde.", "time_limit_s": 10, "choices": [
            {"text": "Vrai", "correct": true}, {"text": "Faux"}]},
        {"kind": "poll", "prompt": "Votre humeur ?", "choices": [{"text": "Bien"}, {"text": "Bof"}]},
        {"kind": "open", "prompt": "Une remarque ?"}
    ])
}

async fn import_gift(
    app: &TestApp,
    token: &str,
    query: &str,
    text: &str,
) -> crate::helpers::Answer {
    let request = app
        .request(
            Method::POST,
            &format!("/api/quizzes/import?{query}"),
            Some(token),
        )
        .header("content-type", "text/plain; charset=utf-8")
        .body(text.to_owned());
    app.send(request).await
}

#[tokio::test]
async fn a_quiz_is_created_with_ids_and_defaults() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let quiz = app
        .post(
            "/api/quizzes",
            &token,
            json!({"title": "Révisions", "questions": sample_questions()}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(quiz["settings"], json!({"scoring": "accuracy"}));
    let questions = quiz["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 5);
    assert_eq!(questions[0]["id"], "q1");
    assert_eq!(questions[0]["time_limit_s"], 30);
    assert_eq!(questions[0]["points"], 1000);
    assert_eq!(
        questions[0]["choices"][0],
        json!({"id": "c1", "text": "4", "correct": true})
    );
    assert_eq!(questions[1]["points"], 500);
    assert_eq!(questions[2]["time_limit_s"], 10);
    assert_eq!(questions[4]["choices"], json!([]));

    let id = quiz["id"].as_str().unwrap();
    let read = app
        .get(&format!("/api/quizzes/{id}"), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(read["questions"], quiz["questions"]);
    let list = app.get("/api/quizzes", &token).await.expect(StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 2, "this one and the sample");
    assert_eq!(list[0]["id"], quiz["id"]);
}

#[tokio::test]
async fn every_rule_is_checked_and_named() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let single = |choices: Value| json!({"kind": "single", "prompt": "?", "choices": choices});
    let two = json!([{"text": "a", "correct": true}, {"text": "b"}]);
    let cases = [
        (
            json!([single(
                json!([{"text": "a", "correct": true}, {"text": "b", "correct": true}])
            )]),
            "questions[0].choices",
        ),
        (
            json!([single(json!([{"text": "a"}, {"text": "b"}]))]),
            "questions[0].choices",
        ),
        (
            json!([{"kind": "multiple", "prompt": "?", "choices": [{"text": "a"}, {"text": "b"}]}]),
            "questions[0].choices",
        ),
        (
            json!([{"kind": "true_false", "prompt": "?", "choices": [{"text": "a", "correct": true}, {"text": "b"}, {"text": "c"}]}]),
            "questions[0].choices",
        ),
        (
            json!([{"kind": "poll", "prompt": "?", "choices": [{"text": "a", "correct": true}, {"text": "b"}]}]),
            "questions[0].choices",
        ),
        (
            json!([{"kind": "open", "prompt": "?", "choices": [{"text": "a"}]}]),
            "questions[0].choices",
        ),
        (
            json!([single(json!([{"text": "a", "correct": true}]))]),
            "questions[0].choices",
        ),
        (
            json!([single(json!(
                (0..11)
                    .map(|i| json!({"text": i.to_string(), "correct": i == 0}))
                    .collect::<Vec<_>>()
            ))]),
            "questions[0].choices",
        ),
        (
            json!([{"kind": "single", "prompt": "?", "time_limit_s": 4, "choices": two}]),
            "questions[0].time_limit_s",
        ),
        (
            json!([{"kind": "single", "prompt": "?", "time_limit_s": 601, "choices": two}]),
            "questions[0].time_limit_s",
        ),
        (
            json!([{"kind": "single", "prompt": "?", "points": 10001, "choices": two}]),
            "questions[0].points",
        ),
        (
            json!([{"kind": "single", "prompt": "  ", "choices": two}]),
            "questions[0].prompt",
        ),
        (json!([]), "questions"),
        (
            json!(
                (0..201)
                    .map(|_| json!({"kind": "open", "prompt": "?"}))
                    .collect::<Vec<_>>()
            ),
            "questions",
        ),
    ];
    for (questions, field) in cases {
        let answer = app
            .post(
                "/api/quizzes",
                &token,
                json!({"title": "Q", "questions": questions}),
            )
            .await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(answer.body["error"]["field"], field, "{:#}", answer.body);
    }
    let answer = app
        .post(
            "/api/quizzes",
            &token,
            json!({"title": "Q", "settings": {"scoring": "luck"}, "questions": sample_questions()}),
        )
        .await;
    answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let speed = app
        .post("/api/quizzes", &token, json!({"title": "Q", "settings": {"scoring": "speed"}, "questions": sample_questions()}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(speed["settings"]["scoring"], "speed");
}

#[tokio::test]
async fn patch_and_delete() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = app
        .capsule_from_fixture(&token, "Deck", "bjornarprytz__solitaire__diagram.tldr")
        .await;
    let quiz = app
        .post(
            "/api/quizzes",
            &token,
            json!({"title": "Q", "capsule_id": capsule["id"], "questions": sample_questions()}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(quiz["capsule_id"], capsule["id"]);
    let path = format!("/api/quizzes/{}", quiz["id"].as_str().unwrap());
    let patched = app
        .patch(
            &path,
            &token,
            json!({"title": "Q2", "capsule_id": null, "settings": {"scoring": "speed"}}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(patched["title"], "Q2");
    assert_eq!(patched["capsule_id"], Value::Null);
    assert_eq!(patched["questions"], quiz["questions"]);
    let bad = app
        .patch(
            &path,
            &token,
            json!({"questions": [{"kind": "single", "prompt": "?"}]}),
        )
        .await;
    bad.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let other = app.signup("Bob").await;
    app.get(&path, &other)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let theirs = app
        .post(
            "/api/quizzes",
            &other,
            json!({"title": "Q", "capsule_id": capsule["id"], "questions": sample_questions()}),
        )
        .await;
    theirs.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    assert_eq!(
        app.delete(&path, &token).await.status,
        StatusCode::NO_CONTENT
    );
    app.get(&path, &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn moodle_examples_import_with_warnings_for_what_cannot_run() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let text = fixture_text("gift/moodle__examples.gift.txt");
    let quiz = import_gift(&app, &token, "format=gift&title=Moodle%20examples", &text)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(quiz["title"], "Moodle examples");
    let count = |kind: &str| {
        quiz["questions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["kind"] == kind)
            .count()
    };
    assert_eq!(
        [
            count("single"),
            count("multiple"),
            count("true_false"),
            count("short"),
            count("numeric"),
            count("open")
        ],
        [16, 2, 5, 9, 8, 0]
    );
    let warnings = quiz["warnings"].as_array().unwrap();
    let said = |what: &str| {
        let said = warnings
            .iter()
            .filter(|w| w["message"].as_str().unwrap().contains(what));
        said.count()
    };
    assert_eq!(
        (said("matching"), said("partly right")),
        (3, 4),
        "3 matching questions are skipped; 4 lose their partly right answers"
    );
    assert!(warnings.iter().all(|w| w["line"].as_u64().unwrap() > 0));
    // In the trainer's language when asked.
    let french = import_gift(&app, &token, "format=gift&title=Exemples&lang=fr", &text).await;
    let french = french.expect(StatusCode::CREATED);
    let first = &french["warnings"][0]["message"];
    assert!(
        first
            .as_str()
            .unwrap()
            .starts_with("Question d'appariement ignorée"),
        "{first}"
    );
    let broken = import_gift(&app, &token, "format=gift&lang=fr", "Q {=a\n~b").await;
    broken.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_gift");
    assert_eq!(
        broken.body["error"]["message"],
        "ligne 1 : une accolade `{` n'est jamais fermée par `}`"
    );
    let stored = app
        .get(
            &format!("/api/quizzes/{}", quiz["id"].as_str().unwrap()),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(stored["questions"], quiz["questions"]);
}

#[tokio::test]
async fn gift_errors_name_the_line() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let broken = "// a comment\n::Q1:: Fine? {T}\n\n::Q2:: Broken {=yes ~no\n";
    let answer = import_gift(&app, &token, "format=gift", broken).await;
    answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_gift");
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 4"), "{message}");

    let nothing = "// only a matching question\nPair: {=a -> 1 =b -> 2}\n";
    import_gift(&app, &token, "format=gift", nothing)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_gift");
    import_gift(&app, &token, "format=qti", "x")
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    import_gift(&app, &token, "title=missing-format", "x")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_query");
}

#[tokio::test]
async fn a_french_gift_quiz_keeps_its_accents() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let text = "::Capitale:: Quelle est la capitale de la France ? {=Paris ~Lyon ~Marseille}\n\n\
                L'été est chaud. {TRUE}\n\n::Énergie:: Citez une énergie renouvelable. {}";
    let answer = import_gift(&app, &token, "format=gift&title=R%C3%A9visions", text).await;
    let quiz = answer.expect(StatusCode::CREATED);
    assert_eq!(quiz["title"], "Révisions");
    let first = &quiz["questions"][0];
    assert_eq!(first["prompt"], "Quelle est la capitale de la France ?");
    assert_eq!(first["choices"][0]["text"], "Paris");
}
