//! Abuse limits: what a client with the link cannot do to a room.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::time::Instant;

use crate::helpers::{eventually, spawn_app_with};
use crate::live_client::{LiveClient, LiveRoom, kind, participant, returning};

#[tokio::test]
async fn a_socket_that_pings_but_never_joins_is_closed_after_the_heartbeat_timeout() {
    let app = spawn_app_with(|c| c.heartbeat_timeout_s = 1).await;
    let room = LiveRoom::launch(&app).await;
    let mut lurker = LiveClient::connect(&app, &room.name).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    // Both ping every 300 ms until the lurker, who never joined, is closed.
    let until = Instant::now() + Duration::from_secs(5);
    let code = loop {
        lurker.send(json!({"type": "ping"})).await;
        zoe.ping().await;
        if let Some(code) = lurker.closes_within(Duration::from_millis(300)).await {
            break code;
        }
        assert!(Instant::now() < until, "the lurker is still open after 5 s");
    };
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

/// Reads from a raw socket until the server closes it (or `limit` passes); `true` if closed.
async fn closed_by_server(stream: &mut tokio::net::TcpStream, limit: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0; 1024];
    let read_until_end = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, read_until_end).await.is_ok()
}

#[tokio::test]
async fn slow_and_silent_sockets_are_closed_while_a_participant_carries_on() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(|_| {}).await;
    let room = LiveRoom::launch(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let addr = app.addr;
    // One connects and says nothing; one sends its upgrade request a byte every second.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut trickler = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /api/live/{} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Padding: {}",
        room.name,
        "a".repeat(60)
    );
    let trickle = async {
        for byte in request.bytes() {
            if trickler.write_all(&[byte]).await.is_err() {
                return true;
            }
            zoe.ping().await;
            // A byte a second is the slow client under test: nothing to wait for but time.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        false
    };
    let cut_off = trickle.await;
    assert!(
        cut_off,
        "a request trickled over {} s was still being read",
        request.len()
    );
    assert!(
        closed_by_server(&mut silent, Duration::from_secs(5)).await,
        "a socket that never sent a byte is still open"
    );
    zoe.command(json!({"type": "chat_send", "text": "toujours là"}))
        .await;
}

#[tokio::test]
async fn one_address_holds_at_most_its_share_of_live_sockets() {
    let app = spawn_app_with(|c| c.max_sockets_per_address = 3).await;
    let room = LiveRoom::launch(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let _leo = room.participant(&app, "Léo", "Petit").await;
    let _lurker = LiveClient::connect(&app, &room.name).await;
    assert_eq!(
        LiveClient::refused_upgrade(&app, &room.name).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A socket closed frees its place.
    zoe.close().await;
    eventually("Zoé's socket closed", async || {
        open_sockets(&app).await == 2.0
    })
    .await;
    LiveClient::connect(&app, &room.name).await;
}

#[tokio::test]
async fn one_address_takes_at_most_its_seats_in_a_room_and_a_seat_always_comes_back() {
    let app = spawn_app_with(|c| c.max_seats_per_address = 2).await;
    let room = LiveRoom::launch(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let _leo = room.participant(&app, "Léo", "Petit").await;
    let mut bot = LiveClient::connect(&app, &room.name).await;
    bot.refused(participant("Bot", "Numéro 3"), "address_full")
        .await;
    let token = zoe.resume_token.clone().unwrap();
    zoe.close().await;
    let back = LiveClient::joined(&app, &room.name, returning(&token)).await;
    assert_eq!(back.welcome["you"]["first_name"], "Zoé");
    // Another room keeps its own count.
    let other = LiveRoom::launch(&app).await;
    other.participant(&app, "Inès", "Roy").await;
}

#[tokio::test]
async fn log_in_and_sign_up_attempts_are_throttled_per_address() {
    let app = spawn_app_with(|c| {
        c.auth_attempts_per_minute = 2;
        c.trust_forwarded_for = true;
    })
    .await;
    let login = |from: &'static str| {
        app.client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", from)
            .json(&json!({"email": "ana@example.org", "password": "not the password"}))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            login("203.0.113.7").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let refused = login("203.0.113.7").await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "Retry-After: {wait}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Sign-up counts against the same address; another address is not affected.
    let signup = app
        .client
        .post(app.url("/api/auth/signup"))
        .header("x-forwarded-for", "203.0.113.7")
        .json(&json!({"name": "Ana Martin", "email": "ana@example.org", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        login("198.51.100.1").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_x_forwarded_for_changes_nothing() {
    let app = spawn_app_with(|c| c.auth_attempts_per_minute = 1).await;
    let login = |from: &'static str| {
        app.client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", from)
            .json(&json!({"email": "ana@example.org", "password": "not the password"}))
            .send()
    };
    assert_eq!(
        login("203.0.113.7").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login("198.51.100.1").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a client cannot pick its own address"
    );
}
