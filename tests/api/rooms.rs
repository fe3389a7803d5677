use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, eventually_within, spawn_app};

async fn deck(app: &TestApp, token: &str, title: &str) -> String {
    let capsule = app
        .capsule_from_fixture(token, title, "synthetic-5-pages-fr.tldr")
        .await;
    capsule["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn launch_creates_room_chat_and_event_and_names_by_slug() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let capsule = deck(&app, &token, "Économie d'énergie : les bases").await;
    let first = app.launch(&token, &capsule).await;
    assert_eq!(first["name"], "economie-d-energie-les-bases");
    assert_eq!(first["link"], app.url("/r/economie-d-energie-les-bases"));
    assert_eq!(
        first["params"],
        json!({"navigation": "follow", "collaboration": "view", "chat": "on"})
    );
    assert_eq!(
        first["state"]["page_id"], "page:b83pr300MSn_VRaC4FvnB",
        "the first page in index order"
    );
    assert!(first["chat_id"].is_string());
    assert_eq!(first["capsule_id"], capsule.as_str());

    let second = app.launch(&token, &capsule).await;
    assert_eq!(second["name"], "economie-d-energie-les-bases-2");
    let third = app.launch(&token, &capsule).await;
    assert_eq!(third["name"], "economie-d-energie-les-bases-3");

    let mine = app.get("/api/rooms", &token).await.expect(StatusCode::OK);
    assert_eq!(mine.as_array().unwrap().len(), 3);
    let one = app
        .get(
            &format!("/api/rooms/{}", first["id"].as_str().unwrap()),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(one["name"], first["name"]);
}

#[tokio::test]
async fn concurrent_launches_never_share_a_name() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = deck(&app, &token, "Atelier").await;
    let launches = (0..8).map(|_| app.post("/api/rooms", &token, json!({"capsule_id": capsule})));
    let rooms = futures_util::future::join_all(launches).await;
    let mut names: Vec<String> = rooms
        .into_iter()
        .map(|r| {
            r.expect(StatusCode::CREATED)["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 8, "{names:?}");
    assert!(
        names.contains(&"atelier".to_owned()) && names.contains(&"atelier-8".to_owned()),
        "{names:?}"
    );
}

#[tokio::test]
async fn launch_options_and_their_errors() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = deck(&app, &token, "Atelier").await;
    let room = app
        .post("/api/rooms", &token, json!({"capsule_id": capsule, "name": "mon-atelier", "params": {"navigation": "free", "chat": "off"}}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(room["name"], "mon-atelier");
    assert_eq!(
        room["params"],
        json!({"navigation": "free", "collaboration": "view", "chat": "off"})
    );

    app.post(
        "/api/rooms",
        &token,
        json!({"capsule_id": capsule, "name": "mon-atelier"}),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "name_taken");
    let bad_name = app
        .post(
            "/api/rooms",
            &token,
            json!({"capsule_id": capsule, "name": "Mon Atelier"}),
        )
        .await;
    bad_name.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(bad_name.body["error"]["field"], "name");
    let bad_params = app
        .post(
            "/api/rooms",
            &token,
            json!({"capsule_id": capsule, "params": {"navigation": "chaos"}}),
        )
        .await;
    bad_params.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let unknown = app
        .post(
            "/api/rooms",
            &token,
            json!({"capsule_id": uuid::Uuid::now_v7()}),
        )
        .await;
    unknown.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(unknown.body["error"]["field"], "capsule_id");
    let other = app.signup("Bob").await;
    app.post("/api/rooms", &other, json!({"capsule_id": capsule}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test]
async fn a_running_room_keeps_its_copy_of_the_capsule() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = deck(&app, &token, "Atelier").await;
    let room = app.launch(&token, &capsule).await;
    assert_eq!(
        app.delete(&format!("/api/capsules/{capsule}"), &token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let still = app
        .get(
            &format!("/api/rooms/{}", room["id"].as_str().unwrap()),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(still["capsule_title"], "Atelier");
    let join = app
        .send(app.request(Method::GET, "/api/join/atelier", None))
        .await;
    assert_eq!(join.expect(StatusCode::OK)["title"], "Atelier");
}

#[tokio::test]
async fn rename_and_params_are_recorded() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = deck(&app, &token, "Atelier").await;
    let room = app.launch(&token, &capsule).await;
    app.launch(&token, &capsule).await; // atelier-2
    let path = format!("/api/rooms/{}", room["id"].as_str().unwrap());

    let renamed = app
        .patch(
            &path,
            &token,
            json!({"name": "atelier-du-jeudi", "params": {"collaboration": "draw"}}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(renamed["name"], "atelier-du-jeudi");
    assert_eq!(renamed["link"], app.url("/r/atelier-du-jeudi"));
    assert_eq!(renamed["params"]["collaboration"], "draw");
    let join = app
        .send(app.request(Method::GET, "/api/join/atelier-du-jeudi", None))
        .await;
    join.expect(StatusCode::OK);
    let gone = app
        .send(app.request(Method::GET, "/api/join/atelier", None))
        .await;
    gone.expect_error(StatusCode::NOT_FOUND, "not_found");

    app.patch(&path, &token, json!({"name": "atelier-2"}))
        .await
        .expect_error(StatusCode::CONFLICT, "name_taken");
    let invalid = app.patch(&path, &token, json!({"name": "x"})).await;
    invalid.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let unknown_param = app
        .patch(&path, &token, json!({"params": {"chatt": "off"}}))
        .await;
    unknown_param.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let other = app.signup("Bob").await;
    app.patch(&path, &other, json!({"name": "pris"}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.get(&path, &other)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.post(&format!("{path}/end"), &other, json!({}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");

    let events = crate::sessions::event_types(&app, room["id"].as_str().unwrap()).await;
    assert_eq!(
        events,
        ["session_started", "room_renamed", "params_changed"]
    );
}

#[tokio::test]
async fn join_info_is_public() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let capsule = deck(&app, &token, "Atelier").await;
    app.launch(&token, &capsule).await;
    let info = app
        .send(app.request(Method::GET, "/api/join/atelier", None))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        info,
        json!({"name": "atelier", "title": "Atelier", "trainer_name": "Ana Martin", "locked": false})
    );
    let missing = app
        .send(app.request(Method::GET, "/api/join/nowhere", None))
        .await;
    missing.expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn ending_deletes_room_chat_and_messages_but_keeps_events() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = deck(&app, &token, "Atelier").await;
    let room = app.launch(&token, &capsule).await;
    let room_id = room["id"].as_str().unwrap();
    let chat_id = room["chat_id"].as_str().unwrap();
    crate::schema::insert_chat_message(&app, chat_id).await;

    let summary = app
        .post(&format!("/api/rooms/{room_id}/end"), &token, json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(summary["room_id"], room_id);
    assert_eq!(summary["reason"], "trainer");
    assert_eq!(summary["participant_count"], 0);
    assert!(summary["duration_s"].as_i64().unwrap() >= 0);

    let counts = crate::schema::row_counts(&app, room_id, chat_id).await;
    assert_eq!(
        counts,
        [0, 0, 0, 2],
        "rooms, chats, chat_messages gone; two events stay"
    );
    app.get(&format!("/api/rooms/{room_id}"), &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.post(&format!("/api/rooms/{room_id}/end"), &token, json!({}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let again = app.launch(&token, &capsule).await;
    assert_eq!(again["name"], "atelier", "the name is free again");
    let join = app
        .send(app.request(Method::GET, "/api/join/atelier", None))
        .await;
    assert_eq!(join.expect(StatusCode::OK)["name"], "atelier");
    let _: Value = summary;
}

#[tokio::test]
async fn a_room_nobody_joins_is_ended_as_idle() {
    let app = crate::helpers::spawn_app_with(|c| c.idle_end_hours = 1.0 / 3600.0).await;
    let token = app.signup("Ana").await;
    let capsule = deck(&app, &token, "Atelier").await;
    let room = app.launch(&token, &capsule).await;
    let path = format!("/api/rooms/{}", room["id"].as_str().unwrap());
    eventually_within(
        Duration::from_secs(10),
        "the idle room is ended",
        async || app.get(&path, &token).await.status == StatusCode::NOT_FOUND,
    )
    .await;
    let sessions = app
        .get("/api/sessions", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(sessions[0]["room_id"], room["id"]);
    assert_eq!(sessions[0]["end_reason"], "idle");
}

#[tokio::test]
async fn speaker_notes_stay_with_the_capsule_and_never_reach_the_room() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = app
        .post("/api/capsules", &token, json!({"title": "Notes"}))
        .await;
    let id = capsule.expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/capsules/{id}");
    let mut snapshot = app.get(&path, &token).await.expect(StatusCode::OK)["snapshot"].clone();
    snapshot["store"]["page:page"]["meta"] = json!({"notes": "Ask who has used Python", "x": 1});
    let patched = app
        .patch(&path, &token, json!({"snapshot": snapshot}))
        .await;
    patched.expect(StatusCode::OK);
    let room = app.launch(&token, &id).await;
    let slides = format!("/api/live/{}/snapshot", room["name"].as_str().unwrap());
    let slides = app.get(&slides, &token).await.expect(StatusCode::OK);
    assert_eq!(
        slides["store"]["page:page"]["meta"],
        json!({"x": 1}),
        "no notes in the room"
    );
    let kept = app.get(&path, &token).await.expect(StatusCode::OK);
    assert_eq!(
        kept["snapshot"]["store"]["page:page"]["meta"]["notes"],
        "Ask who has used Python"
    );
}
