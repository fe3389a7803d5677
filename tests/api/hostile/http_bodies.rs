//! Hostile HTTP bodies: snapshots that are not tldraw documents, deeply nested JSON.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::session;

/// `depth` nested arrays, or objects, around `inner`.
fn nested(depth: usize, objects: bool, inner: &str) -> String {
    let (open, close) = if objects {
        ("{\"a\":", "}")
    } else {
        ("[", "]")
    };
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[tokio::test]
async fn hostile_snapshots_that_are_not_tldraw_documents_are_422() {
    let mut s = session().await;
    let token = s.room.token.clone();
    let deep_store = serde_json::from_str::<Value>(&nested(100, true, "{}")).unwrap();
    let not_documents = [
        json!(42),
        json!("a .tldr file"),
        json!([]),
        json!({}),
        json!({"store": 5, "schema": {}}),
        json!({"store": {"page:a": {"id": "page:b", "typeName": "page"}}, "schema": {}}),
        json!({"records": "none", "schema": {}}),
        json!({"records": [{"id": 1}], "schema": {"schemaVersion": 2}}),
        json!({"document": [], "session": {}}),
        json!({"store": deep_store, "schema": {}}),
        json!({"store": {"<script>": {"id": "<script>", "typeName": "page"}}, "schema": {}}),
    ];
    let capsule = s
        .app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let path = format!("/api/capsules/{}", capsule["id"].as_str().unwrap());
    for snapshot in not_documents {
        let body = json!({"title": "Pas un dessin", "snapshot": snapshot});
        let answer = s.app.post("/api/capsules", &token, body.clone()).await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(
            answer.body["error"]["field"], "snapshot",
            "{:#}",
            answer.body
        );
        let answer = s
            .app
            .patch(&path, &token, json!({"snapshot": snapshot}))
            .await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        s.still_serves(&format!("the snapshot {snapshot:.40}"))
            .await;
    }
    let kept = s.app.get(&path, &token).await.expect(StatusCode::OK);
    assert_eq!(
        kept["pages"], capsule["pages"],
        "the refused patches changed nothing"
    );
}

#[tokio::test]
async fn hostile_deeply_nested_json_bodies_are_a_clear_4xx() {
    let mut s = session().await;
    let token = s.room.token.clone();
    let capsule = format!("/api/capsules/{}", s.room.capsule_id);
    let room = format!("/api/rooms/{}", s.room.id);
    let deep = nested(10_000, false, "");
    let deep_objects = nested(10_000, true, "{}");
    let bodies = [
        deep.clone(),
        deep_objects.clone(),
        format!(r#"{{"title":"x","snapshot":{deep_objects}}}"#),
        format!(r#"{{"title":{deep},"questions":[]}}"#),
        format!(r#"{{"email":"a@b.c","password":"p","name":{deep}}}"#),
        r#"{"title":"x","snapshot":{},"n":1e400}"#.to_owned(),
        format!(
            r#"{{"capsule_id":"{}","params":{deep_objects}}}"#,
            s.room.capsule_id
        ),
    ];
    let routes = [
        (Method::POST, "/api/auth/signup", false),
        (Method::POST, "/api/auth/login", false),
        (Method::POST, "/api/capsules", true),
        (Method::PATCH, capsule.as_str(), true),
        (Method::POST, "/api/quizzes", true),
        (Method::POST, "/api/rooms", true),
        (Method::PATCH, room.as_str(), true),
    ];
    for (method, path, auth) in routes {
        for body in &bodies {
            let request = s
                .app
                .request(method.clone(), path, auth.then_some(token.as_str()))
                .header("content-type", "application/json")
                .body(body.clone());
            let answer = s.app.send(request).await;
            // Mostly 400 `malformed_json` or 422 `validation_failed`; a route that does not read
            // the deep field answers as it would without it (log-in: 401).
            assert!(
                answer.status.is_client_error(),
                "{method} {path} {body:.60}: {} {:#}",
                answer.status,
                answer.body
            );
            assert!(
                !answer.code().is_empty(),
                "{method} {path}: {:#}",
                answer.body
            );
            assert!(!answer.body["error"]["message"].as_str().unwrap().is_empty());
        }
        s.still_serves(&format!("deep bodies on {method} {path}"))
            .await;
    }
    // A GIFT import of ten thousand nested braces is read as text: a clear 422 too.
    let request = s
        .app
        .request(
            Method::POST,
            "/api/quizzes/import?format=gift&title=x",
            Some(&token),
        )
        .header("content-type", "text/plain")
        .body("{".repeat(10_000));
    let answer = s.app.send(request).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:#}",
        answer.body
    );
    s.still_serves("a GIFT import of nested braces").await;
}
