//! Abuse limits: what a client with the link cannot do to a room.

use std::time::Duration;

use crate::helpers::spawn_app_with;
use crate::live_client::{LiveClient, LiveRoom};

#[tokio::test]
async fn a_socket_that_pings_but_never_joins_is_closed_after_the_heartbeat_timeout() {
    let app = spawn_app_with(|c| c.heartbeat_timeout_s = 1).await;
    let room = LiveRoom::launch(&app).await;
    let mut lurker = LiveClient::connect(&app, &room.name).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    for _ in 0..8 {
        lurker.send(serde_json::json!({"type": "ping"})).await;
        zoe.send(serde_json::json!({"type": "ping"})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (_, code) = lurker.read_to_end(Duration::from_secs(3)).await;
    assert_eq!(code, Some(4000), "the lurker is closed with 4000");
    zoe.ping().await;
}
