//! Navigation: page changes acknowledged, stored and followed; free mode; the room's params.

use serde_json::json;

use super::{live_room, set_params};
use crate::helpers::eventually;
use crate::live_client::{assert_events_in_order, contains};

#[tokio::test]
async fn goto_page_is_acked_and_moves_every_participant() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;

    let mut goto = room.goto(2);
    goto["req"] = json!("to-the-exercise");
    trainer.send(goto).await;
    assert_eq!(trainer.recv_type("ack").await["req"], "to-the-exercise");
    let expected = json!({"page_id": room.page(2), "page_name": "Exercice", "page_index": 2});
    for client in [&mut trainer, &mut zoe, &mut leo] {
        let changed = client.recv_type("page_changed").await;
        assert!(contains(&changed, &expected), "{changed}");
    }
    let later = room.participant(&app, "Inès", "Roy").await;
    assert_eq!(later.welcome["state"]["page_id"], room.page(2));
}

#[tokio::test]
async fn an_acked_page_change_is_already_in_the_database() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    trainer.command(room.goto(3)).await;
    let events = room.events(&app).await;
    let last = events.last().unwrap();
    assert_eq!(last.kind, "page_changed");
    assert!(
        contains(
            &last.data.0,
            &json!({"page_id": room.page(3), "page_name": "Quiz", "page_index": 3})
        ),
        "{}",
        last.data.0
    );
}

#[tokio::test]
async fn goto_an_unknown_page_is_not_found() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer
        .refused(
            json!({"type": "goto_page", "page_id": "page:nope"}),
            "not_found",
        )
        .await;
    zoe.expect_silence("page_changed").await;
}

#[tokio::test]
async fn in_free_mode_a_participant_moves_alone_and_nobody_else_is_told() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;
    trainer
        .command(set_params(json!({"navigation": "free"})))
        .await;
    zoe.recv_type("params_changed").await;

    zoe.send(json!({"type": "set_page", "page_id": room.page(2), "req": "my-own-pace"}))
        .await;
    assert_eq!(zoe.recv_type("ack").await["req"], "my-own-pace");
    leo.expect_silence("page_changed").await;
    trainer.expect_silence("page_changed").await;
    zoe.refused(
        json!({"type": "set_page", "page_id": "page:nope"}),
        "not_found",
    )
    .await;

    trainer.command(room.goto(4)).await;
    for client in [&mut zoe, &mut leo] {
        assert_eq!(
            client.recv_type("page_changed").await["page_id"],
            room.page(4),
            "the trainer still brings everyone to a page"
        );
    }
}

#[tokio::test]
async fn in_follow_mode_set_page_is_forbidden() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    zoe.refused(
        json!({"type": "set_page", "page_id": room.page(1)}),
        "forbidden",
    )
    .await;
    trainer.expect_silence("page_changed").await;
}

#[tokio::test]
async fn set_params_reaches_everyone_and_is_stored_in_the_room() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer
        .command(set_params(json!({"navigation": "free", "chat": "off"})))
        .await;
    let expected = json!({"navigation": "free", "collaboration": "view", "chat": "off"});
    for client in [&mut trainer, &mut zoe] {
        let changed = client.recv_type("params_changed").await;
        assert_eq!(changed["params"], expected);
        let mut keys: Vec<&str> = changed["changed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        keys.sort();
        assert_eq!(keys, ["chat", "navigation"]);
    }
    let path = format!("/api/rooms/{}", room.id);
    eventually("GET /api/rooms/{id} shows the new params", async || {
        app.get(&path, &room.token).await.body["params"] == expected
    })
    .await;
    assert_events_in_order(
        &room.events(&app).await,
        &[("params_changed", json!({"params": expected}))],
    );

    trainer
        .refused(set_params(json!({"navigation": "chaos"})), "bad_message")
        .await;
    trainer
        .refused(set_params(json!({"chatt": "on"})), "bad_message")
        .await;
}
