//! Abuse limits: what a client with the link cannot do to a room.

use std::time::Duration;

use serde_json::json;

use crate::helpers::spawn_app_with;
use crate::live_client::{LiveClient, LiveRoom, eventually, kind, participant};

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

/// The server's count of open live sockets, from `/metrics`.
async fn open_sockets(app: &crate::helpers::TestApp) -> f64 {
    let text = app.text("/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix("live_connections "))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn a_client_that_stops_reading_loses_its_socket_within_the_heartbeat_timeout() {
    const BATCH: usize = 100;
    let app = spawn_app_with(|c| {
        c.rate_per_sec = 1_000_000;
        c.rate_burst = 1_000_000;
        c.heartbeat_timeout_s = 2;
    })
    .await;
    let room = LiveRoom::launch(&app).await;
    let mut trainer = room.trainer(&app).await;
    // Alive as far as the server can tell (it pings), but it never reads what it is sent.
    let mut sleeper = LiveClient::connect_with_small_buffer(&app, &room.name).await;
    sleeper.join(participant("Léo", "Petit")).await;
    let id = sleeper.participant_id.clone();
    let mut sent = 0;
    let mut dropped = false;
    while !dropped && sent < 200_000 {
        for _ in 0..BATCH {
            sent += 1;
            let mut goto = room.goto(sent % 5);
            goto["req"] = json!(format!("go-{sent}"));
            trainer.send(goto).await;
        }
        sleeper.send(json!({"type": "ping"})).await;
        let last = format!("go-{sent}");
        trainer
            .recv_where(&last, |m| kind(m) == "ack" && m["req"] == last.as_str())
            .await;
        dropped = trainer
            .take(|m| kind(m) == "participant_left" && m["participant_id"] == id.as_str())
            .is_some();
        trainer.clear_backlog();
    }
    assert!(dropped, "the sleeper is still in after {sent} page changes");
    // Its writer was stuck on a full socket: it gives up, and the socket is closed, while
    // the sleeper still reads nothing.
    eventually("only the trainer's socket left open", async || {
        trainer.send(json!({"type": "ping"})).await;
        open_sockets(&app).await == 1.0
    })
    .await;
    trainer.ping().await;
}
