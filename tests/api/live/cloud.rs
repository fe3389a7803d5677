//! Word clouds (`docs/protocol.md` "Word clouds"): the trainer asks, participants send a few
//! words each, the trainer watches the cloud grow, hides a word, shows it to the class; the
//! report keeps it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::live_room;
use crate::live_client::{LiveClient, returning};

fn send(text: &str) -> Value {
    json!({"type": "cloud_send", "text": text})
}

/// The trainer's `cloud` frames until one has `contributors` contributors and `words` words.
async fn trainer_sees(trainer: &mut LiveClient, contributors: u64, words: usize) -> Value {
    loop {
        let cloud = trainer.recv_type("cloud").await;
        let counted = cloud["words"].as_array().unwrap().len();
        if cloud["contributors"] == contributors && counted == words {
            return cloud;
        }
    }
}

#[tokio::test]
async fn a_word_cloud_grows_is_moderated_shown_and_reported() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;

    zoe.refused(send("écoute"), "no_cloud").await;
    zoe.refused(json!({"type": "cloud_start", "prompt": "?"}), "forbidden")
        .await;
    let start = json!({"type": "cloud_start", "prompt": "Un mot pour cette formation ?",
                       "max_words": 2});
    trainer.command(start).await;
    for client in [&mut zoe, &mut leo] {
        let started = client.recv_type("cloud_started").await;
        assert_eq!(started["prompt"], "Un mot pour cette formation ?");
        assert_eq!(started["max_words"], 2);
    }

    // Folded: "Écoute", " ecoute " and "ÉCOUTE" are one word.
    zoe.command(send("Écoute")).await;
    zoe.refused(send(" ecoute "), "bad_message").await;
    zoe.command(send("Partage")).await;
    zoe.refused(send("Rythme"), "word_limit").await;
    zoe.refused(send("a\u{7}b"), "bad_message").await;
    leo.command(send("ÉCOUTE")).await;
    trainer.refused(send("moi"), "forbidden").await;
    let cloud = trainer_sees(&mut trainer, 2, 2).await;
    assert_eq!(
        cloud["words"],
        json!([{"text": "Écoute", "count": 2}, {"text": "Partage", "count": 1}])
    );
    assert_eq!(cloud["shown"], false);
    zoe.assert_never_saw(r#""type":"cloud""#);

    // Hidden from the class, then shown to it.
    trainer
        .command(json!({"type": "cloud_hide", "word": "partage"}))
        .await;
    let cloud = trainer_sees(&mut trainer, 2, 2).await;
    assert_eq!(
        cloud["words"][1],
        json!({"text": "Partage", "count": 1, "hidden": true})
    );
    trainer
        .command(json!({"type": "cloud_show", "shown": true}))
        .await;
    for client in [&mut zoe, &mut leo] {
        let shown = client.recv_type("cloud").await;
        assert_eq!(shown["words"], json!([{"text": "Écoute", "count": 2}]));
        assert_eq!(shown["distinct"], 2);
    }
    let resume = zoe.resume_token.clone().unwrap();
    drop(zoe);
    let zoe = LiveClient::joined(&app, &room.name, returning(&resume)).await;
    let welcomed = &zoe.welcome["state"]["cloud"];
    assert_eq!(welcomed["yours"], json!(["Écoute", "Partage"]));
    assert_eq!(welcomed["words"], json!([{"text": "Écoute", "count": 2}]));

    trainer.command(json!({"type": "cloud_end"})).await;
    leo.recv_type("cloud_ended").await;
    leo.refused(send("Fin"), "no_cloud").await;
    trainer.command(json!({"type": "end_session"})).await;

    let path = format!("/api/sessions/{}/report", room.id);
    let report = app.get(&path, &room.token).await.expect(StatusCode::OK);
    let cloud = &report["clouds"][0];
    assert_eq!(cloud["prompt"], "Un mot pour cette formation ?");
    assert_eq!(cloud["contributors"], 2);
    assert_eq!(
        cloud["words"],
        json!([{"text": "Écoute", "count": 2, "hidden": false},
               {"text": "Partage", "count": 1, "hidden": true}])
    );
    assert!(cloud["ended_at"].is_string());
}

#[tokio::test]
async fn a_new_cloud_ends_the_one_running_and_the_end_of_the_session_ends_it_too() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer
        .command(json!({"type": "cloud_start", "prompt": "Premier ?"}))
        .await;
    let first = zoe.recv_type("cloud_started").await;
    assert_eq!(first["max_words"], 3, "three words by default");
    let too_many = json!({"type": "cloud_start", "prompt": "Second ?", "max_words": 11});
    trainer.refused(too_many, "bad_message").await;
    trainer
        .command(json!({"type": "cloud_start", "prompt": "Second ?"}))
        .await;
    let ended = zoe.recv_type("cloud_ended").await;
    assert_eq!(ended["cloud_id"], first["cloud_id"]);
    let second = zoe.recv_type("cloud_started").await;
    trainer.command(json!({"type": "end_session"})).await;
    let events = room.events(&app).await;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let ends: Vec<&Value> = (events.iter())
        .filter(|e| e.kind == "cloud_ended")
        .map(|e| &e.data.0["cloud_id"])
        .collect();
    assert_eq!(ends, [&first["cloud_id"], &second["cloud_id"]]);
    let last_cloud = kinds.iter().rposition(|k| *k == "cloud_ended");
    assert!(last_cloud < kinds.iter().position(|k| *k == "session_ended"));
}
