//! A canvas socket as tldraw's client uses it: `connect`, pushes, and what the server sends
//! (`data` frames unwrapped), over a real WebSocket.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use super::schema;

const WAIT: Duration = Duration::from_secs(10);

pub struct CanvasClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    backlog: VecDeque<Value>,
    clock: u64,
    /// The connect reply.
    pub hello: Value,
}

/// How the server ended a canvas socket: the close code and reason.
pub type Closed = (u16, String);

impl CanvasClient {
    /// Opens the canvas of room `name` as `token` (none: no credentials) and connects with
    /// `lastServerClock` -1. Fails with the close if the server refuses.
    pub async fn open(
        addr: SocketAddr,
        name: &str,
        session: &str,
        token: Option<&str>,
    ) -> Result<CanvasClient, Closed> {
        CanvasClient::at(addr, &format!("/api/live/{name}/canvas"), session, token).await
    }

    /// Opens the document served at `path` (a room's canvas, a capsule's editor).
    pub async fn at(
        addr: SocketAddr,
        path: &str,
        session: &str,
        token: Option<&str>,
    ) -> Result<CanvasClient, Closed> {
        CanvasClient::coming_back(addr, path, session, token, -1).await
    }

    /// Opens the document at `path` as a client that saw it up to `last_server_clock`.
    pub async fn coming_back(
        addr: SocketAddr,
        path: &str,
        session: &str,
        token: Option<&str>,
        last_server_clock: i64,
    ) -> Result<CanvasClient, Closed> {
        let mut url = format!("ws://{addr}{path}?sessionId={session}");
        if let Some(token) = token {
            url.push_str(&format!("&token={token}"));
        }
        let (ws, _) = connect_async(url).await.expect("the canvas upgrades");
        let mut client = CanvasClient {
            ws,
            backlog: VecDeque::new(),
            clock: 0,
            hello: Value::Null,
        };
        client
            .send(
                json!({"type": "connect", "connectRequestId": "c1", "lastServerClock": last_server_clock,
            "protocolVersion": 8, "schema": schema().serialized()}),
            )
            .await;
        client.hello = client.next().await?;
        assert_eq!(client.hello["type"], "connect", "{}", client.hello);
        Ok(client)
    }

    pub async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .expect("the canvas takes a frame");
    }

    /// Pushes a document diff; returns the `push_result`'s action.
    pub async fn push(&mut self, diff: Value) -> Value {
        self.push_result(diff).await["action"].clone()
    }

    /// Pushes a document diff; returns its `push_result`.
    pub async fn push_result(&mut self, diff: Value) -> Value {
        let clock = self.clock;
        self.clock += 1;
        self.send(json!({"type": "push", "clientClock": clock, "diff": diff}))
            .await;
        let result = self
            .next_where(|m| m["type"] == "push_result")
            .await
            .expect("a push_result");
        assert_eq!(result["clientClock"], clock);
        result
    }

    /// The next message, or how the socket closed.
    pub async fn next(&mut self) -> Result<Value, Closed> {
        if let Some(message) = self.backlog.pop_front() {
            return Ok(message);
        }
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the canvas answers in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let message: Value = serde_json::from_str(&text).expect("JSON");
                    if message["type"] == "data" {
                        self.backlog
                            .extend(message["data"].as_array().unwrap().iter().cloned());
                    } else {
                        self.backlog.push_back(message);
                    }
                    if let Some(message) = self.backlog.pop_front() {
                        return Ok(message);
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map_or((1005, String::new()), |f| {
                        (u16::from(f.code), f.reason.to_string())
                    }));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err((1006, e.to_string())),
                None => return Err((1006, "ended".into())),
            }
        }
    }

    /// The next message that `matches` (others before it are dropped).
    pub async fn next_where(&mut self, matches: impl Fn(&Value) -> bool) -> Result<Value, Closed> {
        loop {
            let message = self.next().await?;
            if matches(&message) {
                return Ok(message);
            }
        }
    }

    /// Waits for the socket's close.
    pub async fn closed(&mut self) -> Closed {
        loop {
            if let Err(closed) = self.next().await {
                return closed;
            }
        }
    }
}

/// A geo shape on page `page`, as tldraw 5.4.2 makes it.
pub fn geo(id: &str, page: &str, x: f64) -> Value {
    json!({
        "id": id, "typeName": "shape", "type": "geo", "x": x, "y": 0, "rotation": 0,
        "index": "a9", "parentId": page, "isLocked": false, "opacity": 1, "meta": {},
        "props": {"w": 100, "h": 80, "geo": "rectangle", "dash": "draw", "growY": 0, "flipX": false, "flipY": false,
                  "url": "", "scale": 1, "color": "black", "labelColor": "black", "fill": "none",
                  "size": "m", "font": "draw", "align": "middle", "verticalAlign": "middle",
                  "richText": {"type": "doc", "content": [{"type": "paragraph"}]}}
    })
}
