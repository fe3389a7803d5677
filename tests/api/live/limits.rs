//! Limits: a client that never reads, floods and bursts over the rate, oversized frames.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::{about, chat, live_room, live_room_with};
use crate::helpers::{WAIT, eventually};
use crate::live_client::{LiveClient, kind, participant};

#[tokio::test]
async fn a_client_that_never_reads_is_dropped_without_delaying_the_others() {
    const BATCH: usize = 100;
    let (app, room) = live_room_with(|c| {
        c.rate_per_sec = 1_000_000;
        c.rate_burst = 1_000_000;
        c.heartbeat_timeout_s = 600;
    })
    .await;
    let mut trainer = room.trainer(&app).await;
    let mut reader = room.participant(&app, "Zoé", "Durand").await;
    let mut sleeper = LiveClient::connect_with_small_buffer(&app, &room.name).await;
    sleeper.join(participant("Léo", "Petit")).await;
    let sleeper_left = about("participant_left", &sleeper.participant_id);

    let started = Instant::now();
    let mut sent = 0;
    let mut dropped = None;
    // Bounded in time, not timed: latency is the benchmarks' business (docs/benchmarks.md);
    // here the reader must simply get everything while the sleeper is dropped.
    while dropped.is_none() && started.elapsed() < Duration::from_secs(180) {
        for _ in 0..BATCH {
            sent += 1;
            let mut goto = room.goto(sent % 5);
            goto["req"] = json!(format!("go-{sent}"));
            trainer.send(goto).await;
        }
        for _ in 0..BATCH {
            reader.recv_type("page_changed").await;
        }
        let last = format!("go-{sent}");
        trainer
            .recv_where(&last, |m| kind(m) == "ack" && m["req"] == last.as_str())
            .await;
        dropped = trainer.take(&sleeper_left);
        trainer.clear_backlog();
        reader.clear_backlog();
    }
    assert!(
        dropped.is_some(),
        "the client that never reads is still in after {sent} page changes"
    );

    let next = (sent + 1) % 5;
    trainer.command(room.goto(next)).await;
    reader
        .recv_where("the next page", |m| {
            kind(m) == "page_changed" && m["page_id"] == room.page(next)
        })
        .await;
    let (_, code) = sleeper.read_to_end(Duration::from_secs(10)).await;
    assert_eq!(code, Some(4008), "a slow client is closed as too slow");
}

#[tokio::test]
async fn flooding_is_rate_limited_then_closed_with_1008() {
    let (app, room) = live_room_with(|c| {
        c.rate_per_sec = 5;
        c.rate_burst = 10;
    })
    .await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut sent = 0;
    while sent < 500 {
        let ping = json!({"type": "ping", "req": format!("flood-{sent}")});
        if !zoe.try_send_text(ping.to_string()).await {
            break;
        }
        sent += 1;
    }
    let (messages, code) = zoe.read_to_end(WAIT).await;
    let summary: Vec<String> = messages
        .iter()
        .map(|m| format!("{} {}", kind(m), m["req"]))
        .collect();
    let position = |what: &str| messages.iter().position(|m| kind(m) == what);
    let pongs = messages.iter().filter(|m| kind(m) == "pong").count();
    let limited = messages
        .iter()
        .filter(|m| kind(m) == "error" && m["code"] == "rate_limited")
        .count();
    assert!(
        (1..sent).contains(&pongs),
        "the first pings are answered, not the flood: {pongs} pongs for {sent}: {summary:?}"
    );
    assert!(limited >= 1, "no rate_limited error: {summary:?}");
    assert!(position("pong") < position("error"), "{summary:?}");
    assert_eq!(code, Some(1008));
}

#[tokio::test]
async fn a_burst_just_over_the_rate_is_refused_and_the_connection_survives() {
    let (app, room) = live_room_with(|c| {
        c.rate_per_sec = 5;
        c.rate_burst = 10;
    })
    .await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    for i in 0..12 {
        zoe.send(json!({"type": "ping", "req": format!("burst-{i}")}))
            .await;
    }
    let mut answers = Vec::new();
    for i in 0..12 {
        let req = format!("burst-{i}");
        answers.push(zoe.recv_where(&req, |m| m["req"] == req.as_str()).await);
    }
    let pongs = answers.iter().filter(|m| kind(m) == "pong").count();
    let limited = answers
        .iter()
        .filter(|m| kind(m) == "error" && m["code"] == "rate_limited")
        .count();
    assert!(pongs >= 9, "the burst is served: {answers:#?}");
    assert_eq!(pongs + limited, 12, "{answers:#?}");
    assert!(limited >= 1, "{answers:#?}");
    eventually(
        "a ping is served again once the rate allows it",
        async || kind(&zoe.request(json!({"type": "ping"})).await) == "pong",
    )
    .await;
}

#[tokio::test]
async fn a_frame_over_64_kib_is_closed_with_1009_and_one_under_it_is_read() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let under = chat(&"x".repeat(60 * 1024)).to_string();
    assert!(under.len() < 64 * 1024);
    zoe.send_text(under).await;
    zoe.expect_error("too_large").await;
    zoe.ping().await;

    let over = chat(&"x".repeat(65 * 1024)).to_string();
    assert!(over.len() > 64 * 1024);
    zoe.try_send_text(over).await;
    zoe.expect_closed(1009).await;
    trainer
        .recv_where(
            "Zoé leaving",
            about("participant_left", &zoe.participant_id),
        )
        .await;
    trainer.ping().await;
}
