//! The live protocol (`docs/protocol.md`, SPEC §6), as a client sees it over a real WebSocket.

mod chat;
mod cloud;
mod events;
mod joining;
mod limits;
mod moderation;
mod navigation;
mod presence;
mod protocol_errors;
mod qa;
mod reactions;
mod rename_and_end;

use pratico::config::Config;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};
use crate::live_client::{LiveRoom, kind};

async fn live_room() -> (TestApp, LiveRoom) {
    live_room_with(|_| {}).await
}

async fn live_room_with(configure: impl FnOnce(&mut Config)) -> (TestApp, LiveRoom) {
    let app = spawn_app_with(configure).await;
    let room = LiveRoom::launch(&app).await;
    (app, room)
}

fn chat(text: &str) -> Value {
    json!({"type": "chat_send", "text": text})
}

fn set_params(params: Value) -> Value {
    json!({"type": "set_params", "params": params})
}

fn kick(participant_id: &str, ban: bool) -> Value {
    json!({"type": "kick", "participant_id": participant_id, "ban": ban})
}

/// A message about participant `id`: `participant_joined`, `participant_left`, …
fn about(message_kind: &'static str, id: &str) -> impl Fn(&Value) -> bool + use<> {
    let id = id.to_owned();
    move |m| kind(m) == message_kind && m["participant_id"] == id.as_str()
}

fn texts(chat: &Value) -> Vec<&str> {
    chat.as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect()
}

fn default_params() -> Value {
    json!({"navigation": "follow", "collaboration": "view", "chat": "on"})
}
