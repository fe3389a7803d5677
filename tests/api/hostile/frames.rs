//! Hostile frames: over the size limit, megabytes, binary, fragmented, not UTF-8, garbage.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data as OpData, OpCode};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{chat, session};
use crate::helpers::{TestApp, WAIT};
use crate::live_client::{assert_error, kind, participant};

/// A raw WebSocket, for what `LiveClient` does not send: binary and fragmented frames, bytes
/// that are not UTF-8.
struct Raw(WebSocketStream<MaybeTlsStream<TcpStream>>);

/// What a raw socket read.
#[derive(Debug, PartialEq)]
enum Got {
    Message(Value),
    Closed(Option<u16>),
}

impl Raw {
    async fn connect(app: &TestApp, name: &str) -> Self {
        let url = format!("ws://{}/api/live/{name}", app.addr);
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Self(ws)
    }

    async fn send(&mut self, message: Message) {
        // The server may close first (that is what some tests wait for): a failed write is
        // then read as the close.
        let _ = self.0.send(message).await;
    }

    async fn read(&mut self) -> Got {
        let until = Instant::now() + WAIT;
        loop {
            let next = tokio::time::timeout_at(until, self.0.next())
                .await
                .expect("the server answers in time");
            match next {
                Some(Ok(Message::Text(text))) => {
                    return Got::Message(serde_json::from_str(&text).unwrap());
                }
                Some(Ok(Message::Close(frame))) => {
                    return Got::Closed(frame.map(|f| u16::from(f.code)));
                }
                Some(Ok(Message::Binary(_))) => panic!("the server sends text frames only"),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Got::Closed(None),
            }
        }
    }

    /// The next message of type `wanted` (others are skipped).
    async fn recv_type(&mut self, wanted: &str) -> Value {
        loop {
            match self.read().await {
                Got::Message(m) if kind(&m) == wanted => return m,
                Got::Message(_) => {}
                closed => panic!("waiting for {wanted}: {closed:?}"),
            }
        }
    }

    async fn join(&mut self, first: &str, last: &str) -> Value {
        self.send(Message::text(participant(first, last).to_string()))
            .await;
        self.recv_type("welcome").await
    }

    async fn ping(&mut self, req: &str) {
        let ping = json!({"type": "ping", "req": req}).to_string();
        self.send(Message::text(ping)).await;
        let pong = self.recv_type("pong").await;
        assert_eq!(pong["req"], req);
    }

    /// Reads until the server closes; the close code, if a close frame came.
    async fn closed(&mut self) -> Option<u16> {
        loop {
            if let Got::Closed(code) = self.read().await {
                return code;
            }
        }
    }
}

#[tokio::test]
async fn hostile_frames_over_the_limit_are_closed_with_1009() {
    let mut s = session().await;
    let limit = 64 * 1024;
    // A chat frame of exactly `len` bytes.
    let frame_of = |len: usize| {
        let empty = chat("").to_string().len();
        let frame = chat(&"x".repeat(len - empty)).to_string();
        assert_eq!(frame.len(), len);
        frame
    };

    let mut zoe = s.room.participant(&s.app, "Zoé", "Durand").await;
    zoe.send_text(frame_of(limit)).await;
    zoe.expect_error("too_large").await;
    zoe.ping().await;
    zoe.try_send_text(frame_of(limit + 1)).await;
    zoe.expect_closed(1009).await;
    s.still_serves("a frame one byte over the limit").await;

    // The same message in 100 fragments of 1 KiB.
    let mut raw = Raw::connect(&s.app, &s.room.name).await;
    raw.join("Léo", "Petit").await;
    let text = frame_of(100 * 1024).into_bytes();
    let pieces: Vec<&[u8]> = text.chunks(1024).collect();
    for (i, piece) in pieces.iter().enumerate() {
        let opcode = if i == 0 {
            OpCode::Data(OpData::Text)
        } else {
            OpCode::Data(OpData::Continue)
        };
        let frame = Frame::message(piece.to_vec(), opcode, i == pieces.len() - 1);
        raw.send(Message::Frame(frame)).await;
    }
    assert_eq!(raw.closed().await, Some(1009), "fragments add up");
    s.still_serves("a fragmented message over the limit").await;
}

#[tokio::test]
async fn hostile_frames_of_megabytes_are_closed_with_1009() {
    let mut s = session().await;
    let mut raw = Raw::connect(&s.app, &s.room.name).await;
    raw.join("Léo", "Petit").await;
    let huge = chat(&"x".repeat(2 * 1024 * 1024)).to_string();
    raw.send(Message::text(huge)).await;
    assert_eq!(raw.closed().await, Some(1009));
    s.still_serves("a 2 MiB frame").await;
}

#[tokio::test]
async fn hostile_garbage_frames_get_bad_message_and_the_connection_stays_usable() {
    let mut s = session().await;
    let mut raw = Raw::connect(&s.app, &s.room.name).await;
    // Before the join as after it.
    raw.send(Message::binary(vec![0u8, 159, 146, 150])).await;
    assert_error(&raw.recv_type("error").await, "bad_message", "binary");
    raw.join("Zoé", "Durand").await;

    let deep_array = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let deep_in_message =
        format!(r#"{{"type":"chat_send","text":"x","req":"deep","x":{deep_array}}}"#);
    let garbage: Vec<Message> = vec![
        Message::binary(b"{\"type\":\"ping\"}".to_vec()),
        Message::binary(vec![0xff; 1024]),
        Message::text(""),
        Message::text("\u{feff}{\"type\":\"ping\"}"),
        Message::text("{\"type\":\"ping\""),
        Message::text("null"),
        Message::text("{}"),
        Message::text("{\"type\":null}"),
        Message::text(r#"{"type":"chat_send","text":"\ud800"}"#),
        Message::text(format!(r#"{{"type":"ping","req":{}}}"#, "9".repeat(5_000))),
        Message::text(r#"{"type":"kick","participant_id":"x","ban":1e400}"#),
        Message::text(deep_array),
        Message::text(deep_object),
        Message::text(deep_in_message),
        Message::text("[".repeat(30_000)),
    ];
    for (i, message) in garbage.into_iter().enumerate() {
        let shown = format!("{message:.60}");
        raw.send(message).await;
        let error = raw.recv_type("error").await;
        assert_error(&error, "bad_message", &shown);
        raw.ping(&format!("after-{i}")).await;
        s.still_serves(&format!("garbage frame {i}")).await;
    }
    // A `type` the server does not know, and a duplicate key: the last one counts.
    raw.send(Message::text(r#"{"type":"dance","req":"d"}"#))
        .await;
    let error = raw.recv_type("error").await;
    assert_error(&error, "unknown_type", "dance");
    assert_eq!(error["req"], "d");
    raw.send(Message::text(
        r#"{"type":"lock","type":"ping","req":"first","req":"last"}"#,
    ))
    .await;
    assert_eq!(raw.recv_type("pong").await["req"], "last");

    // Text that is not UTF-8 breaks the WebSocket protocol itself: the connection ends, the
    // room does not.
    let frame = Frame::message(
        vec![b'"', 0xc3, 0x28, b'"'],
        OpCode::Data(OpData::Text),
        true,
    );
    raw.send(Message::Frame(frame)).await;
    raw.closed().await;
    s.still_serves("a text frame that is not UTF-8").await;
}
