//! A real session, through the API and the live socket: launch, a participant joins, the
//! trainer turns a page, both chat, the trainer ends. The room and its chat are gone; the
//! report is still there, in every format.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use super::{db, fetch, trainer};
use crate::helpers::{TestApp, spawn_app};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Joins the room `name` with `join` and waits for the welcome.
async fn join(app: &TestApp, name: &str, join: Value) -> Socket {
    let url = format!("ws://{}/api/live/{name}", app.addr);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    socket.send(Message::text(join.to_string())).await.unwrap();
    until(&mut socket, |m| m["type"] == "welcome").await;
    socket
}

/// Reads frames until one matches (each within five seconds).
async fn until(socket: &mut Socket, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("the server answers")
            .expect("the socket stays open")
            .unwrap();
        if let Message::Text(text) = frame {
            let message: Value = serde_json::from_str(&text).unwrap();
            assert_ne!(message["type"], "error", "{message}");
            if wanted(&message) {
                return message;
            }
        }
    }
}

/// Sends a command with a `req` and waits for its ack.
async fn command(socket: &mut Socket, mut message: Value, req: &str) {
    message["req"] = json!(req);
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
    until(socket, |m| m["type"] == "ack" && m["req"] == req).await;
}

#[tokio::test]
async fn after_a_real_session_the_room_is_gone_and_the_report_remains() {
    let app = spawn_app().await;
    let (token, trainer_id) = trainer(&app, "Ana Martin").await;
    let deck = app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let room = app.launch(&token, deck["id"].as_str().unwrap()).await;
    let (room_id, name) = (room["id"].as_str().unwrap(), room["name"].as_str().unwrap());

    let mut ana = join(
        &app,
        name,
        json!({"type": "join", "as": "trainer", "token": token}),
    )
    .await;
    let mut zoe = join(
        &app,
        name,
        json!({"type": "join", "as": "participant", "first_name": "Zoé", "last_name": "Durand", "resume_token": null}),
    )
    .await;
    let second_page = &deck["pages"][1];
    command(
        &mut ana,
        json!({"type": "goto_page", "page_id": second_page["id"]}),
        "page",
    )
    .await;
    command(
        &mut zoe,
        json!({"type": "chat_send", "text": "Bonjour à tous"}),
        "hello",
    )
    .await;
    command(
        &mut ana,
        json!({"type": "chat_send", "text": "Bienvenue"}),
        "welcome",
    )
    .await;
    app.post(&format!("/api/rooms/{room_id}/end"), &token, json!({}))
        .await
        .expect(StatusCode::OK);

    app.get(&format!("/api/rooms/{room_id}"), &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let db = db(&app).await;
    let chat_id = Uuid::parse_str(room["chat_id"].as_str().unwrap()).unwrap();
    let messages = pratico::store::live::recent_chat(&db, chat_id, 10)
        .await
        .unwrap();
    assert!(messages.is_empty(), "the chat went with the room");

    let report = app
        .get(&format!("/api/sessions/{room_id}/report"), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(report["session"]["status"], "ended");
    assert_eq!(report["session"]["end_reason"], "trainer");
    assert_eq!(report["notes"], json!([]));
    let zoe = &report["attendance"][0];
    assert_eq!(
        (zoe["first_name"].as_str(), zoe["last_name"].as_str()),
        (Some("Zoé"), Some("Durand"))
    );
    assert_eq!(zoe["intervals"][0]["left_reason"], "session_ended");
    assert_eq!(zoe["present_at_end"], true);
    let pages: Vec<_> = report["pages"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["page_id"].clone())
        .collect();
    assert_eq!(
        pages,
        [deck["pages"][0]["id"].clone(), second_page["id"].clone()]
    );
    let chat: Vec<_> = report["chat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["participant_id"].as_str().unwrap() == trainer_id.to_string(),
                c["messages"].as_i64().unwrap(),
                c["characters"].as_i64().unwrap(),
            )
        })
        .collect();
    // Equal counts go by last name: the trainer's is empty.
    assert_eq!(chat, [(true, 1, 9), (false, 1, 14)]);

    for (format, content_type) in [
        ("csv", "application/zip"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("html", "text/html; charset=utf-8"),
    ] {
        let (status, got, body) = fetch(
            &app,
            &format!("/api/sessions/{room_id}/report?format={format}"),
            &token,
        )
        .await;
        assert_eq!((status, got.as_str()), (StatusCode::OK, content_type));
        assert!(!body.is_empty());
    }
}
