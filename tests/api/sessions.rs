use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

/// The types of a room's events, in stored order, read through the store's own query.
pub async fn event_types(app: &TestApp, room_id: &str) -> Vec<String> {
    let db = pratico::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let room_id = uuid::Uuid::parse_str(room_id).unwrap();
    pratico::store::events::for_room(&db, room_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[tokio::test]
async fn sessions_are_listed_from_events_live_and_ended() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let deck = app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let other_deck = app
        .capsule_from_fixture(&token, "Autre", "bjornarprytz__solitaire__diagram.tldr")
        .await;
    let ended = app.launch(&token, deck["id"].as_str().unwrap()).await;
    let ended_id = ended["id"].as_str().unwrap();
    app.patch(
        &format!("/api/rooms/{ended_id}"),
        &token,
        json!({"name": "atelier-final"}),
    )
    .await
    .expect(StatusCode::OK);
    let live = app.launch(&token, other_deck["id"].as_str().unwrap()).await;
    app.post(&format!("/api/rooms/{ended_id}/end"), &token, json!({}))
        .await
        .expect(StatusCode::OK);

    let sessions = app
        .get("/api/sessions", &token)
        .await
        .expect(StatusCode::OK);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["room_id"], live["id"]);
    assert_eq!(sessions[0]["live"], true);
    assert_eq!(sessions[0]["ended_at"], serde_json::Value::Null);
    assert_eq!(sessions[1]["room_id"], ended["id"]);
    assert_eq!(sessions[1]["live"], false);
    assert_eq!(sessions[1]["room_name"], "atelier-final");
    assert_eq!(sessions[1]["capsule_title"], "Atelier");
    assert_eq!(sessions[1]["trainer_name"], "Ana Martin");
    assert_eq!(sessions[1]["end_reason"], "trainer");
    assert!(sessions[1]["duration_s"].is_i64());

    let by_capsule = app
        .get(
            &format!("/api/sessions?capsule_id={}", deck["id"].as_str().unwrap()),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(by_capsule.as_array().unwrap().len(), 1);
    let future = app
        .get("/api/sessions?from=2999-01-01", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(future, json!([]));
    let past = app
        .get("/api/sessions?to=2000-01-01T00:00:00Z", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(past, json!([]));
    let all = app
        .get("/api/sessions?from=2000-01-01&to=2999-01-01", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(all.as_array().unwrap().len(), 2);
    app.get("/api/sessions?from=yesterday", &token)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_query");

    let other = app.signup("Bob").await;
    assert_eq!(
        app.get("/api/sessions", &other)
            .await
            .expect(StatusCode::OK),
        json!([])
    );
    assert_eq!(
        event_types(&app, ended_id).await,
        ["session_started", "room_renamed", "session_ended"]
    );
}
