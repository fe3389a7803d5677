//! Seats and presence: resume tokens, leaving, close frames, WebSocket pings, the heartbeat
//! timeout, a full room, and resume tokens never given to others.

use std::time::Duration;

use serde_json::json;

use super::{about, chat, live_room, live_room_with};
use crate::helpers::WAIT;
use crate::live_client::{LiveClient, assert_events_in_order, contains, participant, returning};

#[tokio::test]
async fn a_resume_token_brings_a_participant_back_to_the_same_seat() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let _leo = room.participant(&app, "Léo", "Petit").await;
    let (id, token) = (
        zoe.participant_id.clone(),
        zoe.resume_token.clone().unwrap(),
    );
    let first = trainer
        .recv_where("Zoé joining", about("participant_joined", &id))
        .await;
    assert_eq!(first["rejoin"], false, "{first}");
    zoe.close().await;
    trainer
        .recv_where("Zoé leaving", about("participant_left", &id))
        .await;

    let back = LiveClient::joined(&app, &room.name, returning(&token)).await;
    assert_eq!(back.participant_id, id);
    assert_eq!(back.welcome["you"]["first_name"], "Zoé");
    assert_eq!(back.welcome["you"]["last_name"], "Durand");
    assert!(back.resume_token.is_some());
    let seats = back.welcome["state"]["participants"].as_array().unwrap();
    assert_eq!(seats.len(), 2, "no new seat: {seats:#?}");
    let rejoined = trainer
        .recv_where("Zoé coming back", about("participant_joined", &id))
        .await;
    assert_eq!(rejoined["rejoin"], true, "{rejoined}");
    assert_events_in_order(
        &room.events(&app).await,
        &[
            (
                "participant_joined",
                json!({"participant_id": id, "rejoin": false}),
            ),
            (
                "participant_left",
                json!({"participant_id": id, "reason": "closed"}),
            ),
            (
                "participant_joined",
                json!({"participant_id": id, "first_name": "Zoé", "last_name": "Durand",
                       "rejoin": true}),
            ),
        ],
    );
}

#[tokio::test]
async fn a_resume_token_of_another_room_is_ignored() {
    let (app, room) = live_room().await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let other = app.launch(&room.token, &room.capsule_id).await;
    let other = other["name"].as_str().unwrap();
    let token = zoe.resume_token.as_deref().unwrap();

    let mut client = LiveClient::connect(&app, other).await;
    client.refused(returning(token), "bad_message").await;
    let mut with_names = participant("Zoé", "Durand");
    with_names["resume_token"] = json!(token);
    client.join(with_names).await;
    assert_ne!(client.participant_id, zoe.participant_id);
}

#[tokio::test]
async fn closing_a_socket_tells_everyone_participant_left_closed() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;
    let id = zoe.participant_id.clone();
    zoe.close().await;
    for client in [&mut trainer, &mut leo] {
        let left = client
            .recv_where("Zoé leaving", about("participant_left", &id))
            .await;
        assert!(
            contains(
                &left,
                &json!({"first_name": "Zoé", "last_name": "Durand", "reason": "closed"})
            ),
            "{left}"
        );
    }
    let later = room.participant(&app, "Inès", "Roy").await;
    let seats = later.welcome["state"]["participants"].as_array().unwrap();
    let seat = seats
        .iter()
        .find(|s| s["participant_id"] == id.as_str())
        .unwrap_or_else(|| panic!("a seat outlives its connection: {seats:#?}"));
    assert_eq!(seat["online"], false);
}

#[tokio::test]
async fn a_close_frame_from_a_client_is_answered_and_everyone_is_told() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    zoe.send_close().await;
    let (_, code) = zoe.read_to_end(WAIT).await;
    assert!(code.is_some(), "the server answers with a close frame");
    let left = trainer
        .recv_where(
            "Zoé leaving",
            about("participant_left", &zoe.participant_id),
        )
        .await;
    assert_eq!(left["reason"], "closed");
}

#[tokio::test]
async fn a_websocket_ping_gets_its_pong_and_a_fragmented_message_is_put_together() {
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    zoe.send_frame(Message::Ping(b"still there?".to_vec().into()))
        .await;
    // One chat message in three frames, the middle one split inside a multi-byte character.
    let text = json!({"type": "chat_send", "text": "en trois morceaux, é", "req": "frag"})
        .to_string()
        .into_bytes();
    let cut = text.len() - 5;
    let fragments = [
        Frame::message(text[..10].to_vec(), OpCode::Data(Data::Text), false),
        Frame::message(text[10..cut].to_vec(), OpCode::Data(Data::Continue), false),
        Frame::message(text[cut..].to_vec(), OpCode::Data(Data::Continue), true),
    ];
    for fragment in fragments {
        zoe.send_frame(Message::Frame(fragment)).await;
    }
    let ack = zoe.recv_where("the ack", |m| m["req"] == "frag").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(
        zoe.pongs,
        [b"still there?".to_vec()],
        "the ping's payload comes back"
    );
    let said = trainer.recv_type("chat_message").await;
    assert_eq!(said["text"], "en trois morceaux, é");
}

#[tokio::test]
async fn a_silent_participant_is_dropped_after_the_heartbeat_timeout() {
    let (app, room) = live_room_with(|c| c.heartbeat_timeout_s = 1).await;
    let mut trainer = room.trainer(&app).await;
    let mut silent = room.participant(&app, "Zoé", "Durand").await;
    let mut lively = room.participant(&app, "Léo", "Petit").await;
    let (left, ()) = tokio::join!(
        trainer.recv_where_pinging(
            "Zoé timing out",
            Duration::from_secs(8),
            about("participant_left", &silent.participant_id),
        ),
        lively.keep_alive(Duration::from_secs(3)),
    );
    assert_eq!(left["reason"], "timeout", "{left}");
    silent.expect_closed(4000).await;
    lively.ping().await;
    assert!(
        trainer
            .take(about("participant_left", &lively.participant_id))
            .is_none(),
        "a client that pings stays"
    );
    assert_events_in_order(
        &room.events(&app).await,
        &[(
            "participant_left",
            json!({"participant_id": silent.participant_id, "reason": "timeout"}),
        )],
    );
}

#[tokio::test]
async fn a_full_room_refuses_a_new_participant_with_room_full() {
    let (app, room) = live_room_with(|c| c.max_participants = 2).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let _leo = room.participant(&app, "Léo", "Petit").await;
    let mut third = LiveClient::connect(&app, &room.name).await;
    third.refused(participant("Inès", "Roy"), "room_full").await;
    room.trainer(&app).await;
    let (id, token) = (
        zoe.participant_id.clone(),
        zoe.resume_token.clone().unwrap(),
    );
    zoe.close().await;
    let back = LiveClient::joined(&app, &room.name, returning(&token)).await;
    assert_eq!(back.participant_id, id, "a seat already taken comes back");
}

#[tokio::test]
async fn a_participant_never_receives_another_participants_resume_token() {
    let (app, room) = live_room().await;
    let _trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let leo = room.participant(&app, "Léo", "Petit").await;
    let (leo_id, leo_first_token) = (
        leo.participant_id.clone(),
        leo.resume_token.clone().unwrap(),
    );
    leo.close().await;
    let mut leo = LiveClient::joined(&app, &room.name, returning(&leo_first_token)).await;
    zoe.recv_where("Léo coming back", about("participant_joined", &leo_id))
        .await;
    leo.command(chat("Re-bonjour")).await;
    zoe.recv_type("chat_message").await;
    zoe.ping().await;

    zoe.assert_never_saw(&leo_first_token);
    zoe.assert_never_saw(leo.resume_token.as_deref().unwrap());
    leo.assert_never_saw(zoe.resume_token.as_deref().unwrap());
}
