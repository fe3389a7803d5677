//! Lock, kick, ban, and the trainer's commands refused to participants.

use serde_json::json;

use super::{about, chat, default_params, kick, live_room, set_params, texts};
use crate::helpers::eventually;
use crate::live_client::{LiveClient, assert_events_in_order, contains, participant, returning};

#[tokio::test]
async fn a_locked_room_refuses_new_participants_but_welcomes_back_a_resume_token() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer.command(json!({"type": "lock"})).await;
    for client in [&mut trainer, &mut zoe] {
        assert_eq!(client.recv_type("locked").await["locked"], true);
    }
    let join_info = format!("/api/join/{}", room.name);
    eventually("the join page says locked", async || {
        app.get_public(&join_info).await.body["locked"] == true
    })
    .await;

    let mut newcomer = LiveClient::connect(&app, &room.name).await;
    newcomer
        .refused(participant("Léo", "Petit"), "room_locked")
        .await;
    let (id, token) = (
        zoe.participant_id.clone(),
        zoe.resume_token.clone().unwrap(),
    );
    zoe.close().await;
    let back = LiveClient::joined(&app, &room.name, returning(&token)).await;
    assert_eq!(back.participant_id, id);
    assert_eq!(back.welcome["state"]["locked"], true);

    trainer.command(json!({"type": "unlock"})).await;
    assert_eq!(trainer.recv_type("locked").await["locked"], false);
    newcomer.join(participant("Léo", "Petit")).await;
    assert_events_in_order(
        &room.events(&app).await,
        &[("room_locked", json!({})), ("room_unlocked", json!({}))],
    );
}

#[tokio::test]
async fn a_kicked_participant_is_closed_with_4001_and_may_come_back() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;
    trainer.command(kick(&zoe.participant_id, false)).await;
    assert_eq!(zoe.recv_type("kicked").await["ban"], false);
    zoe.expect_closed(4001).await;
    for client in [&mut trainer, &mut leo] {
        let left = client
            .recv_where(
                "Zoé leaving",
                about("participant_left", &zoe.participant_id),
            )
            .await;
        assert!(
            contains(
                &left,
                &json!({"first_name": "Zoé", "last_name": "Durand", "reason": "kicked"})
            ),
            "{left}"
        );
    }
    let back = LiveClient::joined(
        &app,
        &room.name,
        returning(zoe.resume_token.as_deref().unwrap()),
    )
    .await;
    assert_eq!(back.participant_id, zoe.participant_id);
}

#[tokio::test]
async fn a_banned_participant_is_closed_with_4003_and_refused_by_token_and_by_name() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;
    trainer.command(kick(&zoe.participant_id, true)).await;
    assert_eq!(zoe.recv_type("kicked").await["ban"], true);
    zoe.expect_closed(4003).await;
    for client in [&mut trainer, &mut leo] {
        let left = client
            .recv_where(
                "Zoé leaving",
                about("participant_left", &zoe.participant_id),
            )
            .await;
        assert_eq!(left["reason"], "banned", "{left}");
    }

    let mut again = LiveClient::connect(&app, &room.name).await;
    let token = zoe.resume_token.as_deref().unwrap();
    again.refused(returning(token), "banned").await;
    again.refused(participant("Zoé", "Durand"), "banned").await;
    // The same name written another way: a decomposed é, capitals, no accent.
    for (first, last) in [
        ("Zoe\u{301}", "Durand"),
        ("ZOÉ", "DURAND"),
        ("Zoe", "Durand"),
    ] {
        again.refused(participant(first, last), "banned").await;
    }
    again.join(participant("Zoé", "Dupont")).await;
    assert_ne!(again.participant_id, zoe.participant_id);
}

#[tokio::test]
async fn kicking_an_unknown_participant_is_not_found() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let nobody = uuid::Uuid::now_v7().to_string();
    trainer.refused(kick(&nobody, false), "not_found").await;
    trainer
        .refused(json!({"type": "kick"}), "bad_message")
        .await;
}

#[tokio::test]
async fn trainer_commands_from_a_participant_are_forbidden() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    zoe.command(chat("Bonjour")).await;
    let message_id = zoe.recv_type("chat_message").await["id"].clone();
    for command in [
        room.goto(1),
        set_params(json!({"chat": "off"})),
        json!({"type": "lock"}),
        json!({"type": "unlock"}),
        kick(&zoe.participant_id, false),
        json!({"type": "chat_delete", "message_id": message_id}),
        json!({"type": "rename", "name": "pris-par-zoe"}),
        json!({"type": "end_session"}),
    ] {
        zoe.refused(command, "forbidden").await;
    }
    trainer.expect_silence("page_changed").await;
    let later = room.participant(&app, "Léo", "Petit").await;
    let state = &later.welcome["state"];
    assert_eq!(state["page_id"], room.page(0));
    assert_eq!(state["params"], default_params());
    assert_eq!(state["locked"], false);
    assert_eq!(state["name"], room.name.as_str());
    assert_eq!(texts(&state["chat"]), ["Bonjour"]);
}
