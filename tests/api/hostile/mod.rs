//! Hostile input (issue 8): what anyone with a room's link, or a trainer's own documents, may
//! throw at the server. Each input is refused with the documented error or kept exactly as
//! given; what is kept is escaped wherever it is shown (HTML report, CSV, XLSX); and after each
//! hostile step the room still serves an honest participant: that is what "none may crash a
//! room" means.

mod characters;
mod frames;
mod http_bodies;
mod lookalikes;

use pratico::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fixture_json, spawn_app_with};
use crate::live_client::{LiveClient, LiveRoom, kind};

// --- fixtures ---

/// The server, with a per-connection rate that these tests (many frames in a row) stay under.
async fn app() -> TestApp {
    spawn_app_with(|c: &mut Config| {
        c.rate_per_sec = 1_000;
        c.rate_burst = 1_000;
    })
    .await
}

/// A launched room with its trainer and one honest participant, joined.
struct Session {
    app: TestApp,
    room: LiveRoom,
    trainer: LiveClient,
    honest: LiveClient,
}

async fn session() -> Session {
    let app = app().await;
    let room = LiveRoom::launch(&app).await;
    let trainer = room.trainer(&app).await;
    let honest = room.participant(&app, "Honnête", "Martin").await;
    Session {
        app,
        room,
        trainer,
        honest,
    }
}

impl Session {
    /// The room still serves: the trainer's chat reaches the honest participant, whose ping is
    /// answered. `step` names the hostile step just taken, and makes the text unique.
    async fn still_serves(&mut self, step: &str) {
        still_serves(&mut self.trainer, &mut self.honest, step).await;
    }
}

async fn still_serves(trainer: &mut LiveClient, honest: &mut LiveClient, step: &str) {
    let text = format!("still here after {step}");
    trainer.command(chat(&text)).await;
    honest
        .recv_where(&format!("the trainer's chat after {step}"), |m| {
            kind(m) == "chat_message" && m["text"] == text.as_str()
        })
        .await;
    honest.ping().await;
}

fn chat(text: &str) -> Value {
    json!({"type": "chat_send", "text": text})
}

/// The five-page fixture deck with the pages' names replaced, in index order.
fn deck_with_page_names(names: &[&str]) -> Value {
    let mut deck = fixture_json("tldraw/synthetic-5-pages-fr.tldr");
    let mut pages: Vec<&mut Value> = deck["records"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .filter(|r| r["typeName"] == "page")
        .collect();
    pages.sort_by(|a, b| a["index"].as_str().cmp(&b["index"].as_str()));
    for (page, name) in pages.into_iter().zip(names) {
        page["name"] = json!(name);
    }
    deck
}

/// Launches a room on `deck` (with `options` such as `quiz_id`) as the trainer of `token`.
async fn launch_deck(app: &TestApp, token: &str, deck: Value, options: Value) -> LiveRoom {
    let me = app.get("/api/me", token).await.expect(StatusCode::OK);
    let capsule = app
        .post(
            "/api/capsules",
            token,
            json!({"title": "Atelier", "snapshot": deck}),
        )
        .await
        .expect(StatusCode::CREATED);
    let mut launch = json!({"capsule_id": capsule["id"]});
    launch
        .as_object_mut()
        .unwrap()
        .extend(options.as_object().unwrap().clone());
    let room = app
        .post("/api/rooms", token, launch)
        .await
        .expect(StatusCode::CREATED);
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    LiveRoom {
        id: text(&room["id"]),
        name: text(&room["name"]),
        token: token.to_owned(),
        trainer_id: text(&me["id"]),
        capsule_id: text(&capsule["id"]),
        pages: capsule["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (text(&p["id"]), text(&p["name"])))
            .collect(),
    }
}

/// The body of a report, with its status and content type.
async fn report(app: &TestApp, room_id: &str, token: &str, query: &str) -> reqwest::Response {
    let path = format!("/api/sessions/{room_id}/report{query}");
    let response = app
        .request(Method::GET, &path, Some(token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response
}

/// `&`, `<`, `>`, `"`, `'` as HTML entities, as the report must show them.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
