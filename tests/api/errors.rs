//! The error contract: every failure under /api is `{"error": {"code", "message"}}`.

use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app;

#[tokio::test]
async fn malformed_json_is_400_and_says_where() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let request = app
        .request(Method::POST, "/api/capsules", Some(&token))
        .header("content-type", "application/json")
        .body("{\"title\": \"x\",\n \"snapshot\": {oops}");
    let answer = app.send(request).await;
    answer.expect_error(StatusCode::BAD_REQUEST, "malformed_json");
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 2"), "{message}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let request = app
        .request(Method::POST, "/api/capsules", Some(&token))
        .header("content-type", "text/plain")
        .body("{}");
    app.send(request)
        .await
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    app.get("/api/nothing-here", &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.send(app.request(Method::PUT, "/api/capsules", Some(&token)))
        .await
        .expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn wrong_field_types_are_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let body =
        serde_json::json!({"title": "Q", "questions": [{"kind": "nonsense", "prompt": "?"}]});
    let answer = app.post("/api/quizzes", &token, body).await;
    answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        answer.body["error"]["field"], "questions[0].kind",
        "{:#}",
        answer.body
    );
}
