//! The chat: delivery, length, chat off, rate limit, deletion, and the recent chat in `welcome`.

use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{chat, live_room, set_params, texts};
use crate::live_client::contains;

#[tokio::test]
async fn a_chat_message_reaches_everyone_including_its_sender() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;
    zoe.command(chat("Bonjour à tous")).await;
    let expected = json!({"participant_id": zoe.participant_id, "author_name": "Zoé Durand",
                          "text": "Bonjour à tous"});
    let mut ids = Vec::new();
    for client in [&mut zoe, &mut leo, &mut trainer] {
        let message = client.recv_type("chat_message").await;
        assert!(contains(&message, &expected), "{message}");
        let at = message["at"].as_str().unwrap();
        assert!(
            OffsetDateTime::parse(at, &Rfc3339).is_ok(),
            "RFC 3339: {at}"
        );
        ids.push(message["id"].as_str().unwrap().to_owned());
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
}

#[tokio::test]
async fn a_chat_text_holds_1_to_1000_characters() {
    let (app, room) = live_room().await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    zoe.refused(chat("   "), "bad_message").await;
    zoe.refused(chat(&"é".repeat(1001)), "too_large").await;
    zoe.command(chat(&"é".repeat(1000))).await;
    let message = zoe.recv_type("chat_message").await;
    assert_eq!(message["text"].as_str().unwrap().chars().count(), 1000);
}

#[tokio::test]
async fn with_chat_off_participants_get_chat_off_and_the_trainer_still_writes() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer.command(set_params(json!({"chat": "off"}))).await;
    zoe.refused(chat("Allô ?"), "chat_off").await;
    trainer.command(chat("Silence, on tourne")).await;
    let message = zoe.recv_type("chat_message").await;
    assert_eq!(message["text"], "Silence, on tourne");
    assert_eq!(message["participant_id"], room.trainer_id.as_str());

    trainer.command(set_params(json!({"chat": "on"}))).await;
    zoe.command(chat("Merci")).await;
}

#[tokio::test]
async fn chat_faster_than_5_messages_in_10_s_is_rate_limited() {
    let (app, room) = live_room().await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;
    for i in 1..=5 {
        zoe.command(chat(&format!("message {i}"))).await;
    }
    zoe.refused(chat("un de trop"), "rate_limited").await;
    zoe.ping().await;
    leo.command(chat("Moi, je peux encore")).await;
}

#[tokio::test]
async fn the_trainer_deletes_a_chat_message_for_everyone() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;
    zoe.command(chat("Oups")).await;
    let oops = zoe.recv_type("chat_message").await["id"].clone();
    zoe.command(chat("Bonjour")).await;

    trainer
        .command(json!({"type": "chat_delete", "message_id": oops}))
        .await;
    for client in [&mut trainer, &mut zoe, &mut leo] {
        assert_eq!(client.recv_type("chat_deleted").await["message_id"], oops);
    }
    let later = room.participant(&app, "Inès", "Roy").await;
    assert_eq!(texts(&later.welcome["state"]["chat"]), ["Bonjour"]);
    let unknown = json!({"type": "chat_delete", "message_id": uuid::Uuid::now_v7()});
    trainer.refused(unknown, "not_found").await;
}

#[tokio::test]
async fn a_later_joiner_finds_the_recent_chat_in_welcome() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    zoe.command(chat("Bonjour")).await;
    trainer.command(chat("Bienvenue")).await;

    let later = room.participant(&app, "Léo", "Petit").await;
    let history = &later.welcome["state"]["chat"];
    assert_eq!(texts(history), ["Bonjour", "Bienvenue"]);
    let first = &history[0];
    assert!(
        contains(
            first,
            &json!({"participant_id": zoe.participant_id, "author_name": "Zoé Durand"})
        ),
        "{first}"
    );
    assert!(
        first["id"].is_string() && first["at"].is_string(),
        "{first}"
    );
}

#[tokio::test]
async fn welcome_holds_only_the_last_100_chat_messages() {
    let (app, room) = live_room().await;
    let mut sent = 0;
    for p in 0..21 {
        let mut writer = room.participant(&app, &format!("P{p}"), "Bavard").await;
        for _ in 0..5 {
            sent += 1;
            writer.command(chat(&format!("message {sent}"))).await;
        }
    }
    let later = room.participant(&app, "Dernier", "Venu").await;
    let expected: Vec<String> = (6..=105).map(|n| format!("message {n}")).collect();
    assert_eq!(texts(&later.welcome["state"]["chat"]), expected);
}
