//! Renaming the room and ending the session, over the socket and over HTTP.

use reqwest::StatusCode;
use serde_json::json;

use super::live_room;
use crate::helpers::eventually;
use crate::live_client::{LiveClient, assert_events_in_order, contains, participant};

#[tokio::test]
async fn rename_over_the_socket_reaches_everyone_and_frees_the_old_name() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer
        .command(json!({"type": "rename", "name": "atelier-du-jeudi"}))
        .await;
    for client in [&mut trainer, &mut zoe] {
        let renamed = client.recv_type("renamed").await;
        assert!(
            contains(
                &renamed,
                &json!({"from": "atelier", "to": "atelier-du-jeudi",
                        "link": app.url("/r/atelier-du-jeudi")})
            ),
            "{renamed}"
        );
    }
    eventually("the old name is gone", async || {
        app.get_public("/api/join/atelier").await.status == StatusCode::NOT_FOUND
    })
    .await;
    let info = app.get_public("/api/join/atelier-du-jeudi").await;
    assert_eq!(info.expect(StatusCode::OK)["name"], "atelier-du-jeudi");
    let leo = LiveClient::joined(&app, "atelier-du-jeudi", participant("Léo", "Petit")).await;
    assert_eq!(leo.welcome["state"]["name"], "atelier-du-jeudi");
    assert_eq!(
        LiveClient::refused_upgrade(&app, "atelier").await,
        StatusCode::NOT_FOUND
    );

    let other = app.launch(&room.token, &room.capsule_id).await;
    assert_eq!(other["name"], "atelier", "the old name is free again");
    let taken = json!({"type": "rename", "name": "atelier"});
    trainer.refused(taken, "name_taken").await;
    let invalid = json!({"type": "rename", "name": "Pas Bon"});
    trainer.refused(invalid, "bad_message").await;
    assert_events_in_order(
        &room.events(&app).await,
        &[(
            "room_renamed",
            json!({"from": "atelier", "to": "atelier-du-jeudi"}),
        )],
    );
}

#[tokio::test]
async fn end_session_ends_it_for_everyone_and_keeps_the_events() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;
    trainer.command(json!({"type": "end_session"})).await;
    for client in [&mut trainer, &mut zoe, &mut leo] {
        let ended = client.recv_type("session_ended").await;
        assert_eq!(ended["reason"], "trainer");
        assert!(ended["duration_s"].is_u64(), "{ended}");
        client.expect_closed(1000).await;
    }
    app.get(&format!("/api/rooms/{}", room.id), &room.token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        LiveClient::refused_upgrade(&app, &room.name).await,
        StatusCode::NOT_FOUND
    );
    let events = room.events(&app).await;
    assert_eq!(events.first().unwrap().kind, "session_started");
    let last = events.last().unwrap();
    assert_eq!(last.kind, "session_ended");
    assert!(
        contains(
            &last.data.0,
            &json!({"reason": "trainer", "participant_count": 2})
        ),
        "{}",
        last.data.0
    );
}

#[tokio::test]
async fn ending_over_http_ends_the_live_session_too() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    app.post(
        &format!("/api/rooms/{}/end", room.id),
        &room.token,
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    for client in [&mut trainer, &mut zoe] {
        assert_eq!(client.recv_type("session_ended").await["reason"], "trainer");
        client.expect_closed(1000).await;
    }
    assert_eq!(
        room.events(&app).await.last().unwrap().kind,
        "session_ended"
    );
}
