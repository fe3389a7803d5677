//! Protocol errors: `ping` answered, malformed and unknown messages answered with errors on a
//! connection that stays usable.

use serde_json::json;

use super::{chat, live_room};

#[tokio::test]
async fn ping_is_answered_with_pong_echoing_req() {
    let (app, room) = live_room().await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    zoe.send(json!({"type": "ping", "req": "are-you-there"}))
        .await;
    assert_eq!(zoe.recv_type("pong").await["req"], "are-you-there");
}

#[tokio::test]
async fn malformed_and_unknown_messages_get_errors_and_the_connection_stays_usable() {
    let (app, room) = live_room().await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    for not_a_message in ["hello {", "[1, 2]", "\"ping\"", "42"] {
        zoe.send_text(not_a_message).await;
        zoe.expect_error("bad_message").await;
        zoe.ping().await;
    }
    zoe.refused(json!({"text": "no type"}), "bad_message").await;
    zoe.ping().await;
    zoe.refused(json!({"type": 42}), "bad_message").await;
    zoe.ping().await;
    let unknown = zoe.refused(json!({"type": "dance"}), "unknown_type").await;
    assert!(unknown["req"].is_string(), "req is echoed: {unknown}");
    zoe.ping().await;
    zoe.refused(json!({"type": "chat_send"}), "bad_message")
        .await;
    zoe.ping().await;
    zoe.command(chat("Toujours là")).await;
}
