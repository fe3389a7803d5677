//! A small client of the live protocol (`docs/protocol.md`), written from the contract alone,
//! and the fixtures the live tests share: a launched room, its events.
//!
//! Every wait is bounded by `WAIT`: a message that does not come fails the test with what came
//! instead. Messages read while waiting for another kind are kept (the backlog), so tests do not
//! depend on the order of messages the protocol leaves unordered (an `ack` and a broadcast).

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use pratico::store::events::EventRow;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::helpers::{TestApp, WAIT};

/// How long "nothing arrives" is watched for.
pub const QUIET: Duration = Duration::from_millis(300);

/// The `join` of a new participant.
pub fn participant(first_name: &str, last_name: &str) -> Value {
    json!({"type": "join", "as": "participant", "first_name": first_name,
           "last_name": last_name, "resume_token": null})
}

/// The `join` of a participant coming back with their resume token (names omitted).
pub fn returning(resume_token: &str) -> Value {
    json!({"type": "join", "as": "participant", "resume_token": resume_token})
}

/// The `join` of the trainer with their bearer token.
pub fn trainer(token: &str) -> Value {
    json!({"type": "join", "as": "trainer", "token": token})
}

/// What reading the socket gave.
#[derive(Debug)]
enum Incoming {
    Message(Value),
    /// A close frame: its code and reason, if it had any.
    Closed(Option<(u16, String)>),
    /// The connection ended without a close frame, and why.
    Ended(#[allow(dead_code)] String),
    TimedOut,
}

pub struct LiveClient {
    ws: WebSocketStream<Lenient>,
    /// Messages read but not taken yet, oldest first.
    backlog: VecDeque<Value>,
    /// Every message received, in order.
    pub seen: Vec<Value>,
    /// The payloads of the WebSocket pongs received, in order.
    pub pongs: Vec<Vec<u8>>,
    /// The `welcome` of the last successful join (`Null` before).
    pub welcome: Value,
    /// `welcome.you.participant_id` of the last successful join.
    pub participant_id: String,
    /// `welcome.resume_token` of the last successful join.
    pub resume_token: Option<String>,
    label: String,
    requests: u32,
}

impl LiveClient {
    /// Opens `ws://…/api/live/{name}`.
    pub async fn connect(app: &TestApp, name: &str) -> Self {
        Self::open(app.addr, name, &[], None)
            .await
            .unwrap_or_else(|e| panic!("/api/live/{name} upgrades: {e}"))
    }

    /// Opens `ws://{addr}/api/live/{name}` at another address than the server's (a relay).
    pub async fn connect_via(addr: SocketAddr, name: &str) -> Self {
        Self::open(addr, name, &[], None)
            .await
            .unwrap_or_else(|e| panic!("/api/live/{name} upgrades through {addr}: {e}"))
    }

    /// Opens the socket with the trainer's `pratico_token` cookie on the upgrade request.
    pub async fn connect_with_cookie(app: &TestApp, name: &str, token: &str) -> Self {
        let cookie = format!("pratico_token={token}");
        Self::open(app.addr, name, &[("cookie", &cookie)], None)
            .await
            .unwrap_or_else(|e| panic!("/api/live/{name} upgrades: {e}"))
    }

    /// Opens the socket with `headers` on the upgrade request (cookies, `Origin`); the status
    /// of the server's refusal if it refuses.
    pub async fn connect_with_headers(
        app: &TestApp,
        name: &str,
        headers: &[(&str, &str)],
    ) -> Result<Self, StatusCode> {
        Self::open(app.addr, name, headers, None)
            .await
            .map_err(|e| match e {
                tungstenite::Error::Http(response) => {
                    StatusCode::from_u16(response.status().as_u16()).unwrap()
                }
                e => panic!("/api/live/{name} fails without an HTTP answer: {e}"),
            })
    }

    /// Opens the socket with a tiny kernel receive buffer, so that a client that stops reading
    /// pushes back on the server quickly.
    pub async fn connect_with_small_buffer(app: &TestApp, name: &str) -> Self {
        Self::open(app.addr, name, &[], Some(4096))
            .await
            .unwrap_or_else(|e| panic!("/api/live/{name} upgrades: {e}"))
    }

    /// Opens a socket and joins with `join`; the join must be welcomed.
    pub async fn joined(app: &TestApp, name: &str, join: Value) -> Self {
        let mut client = Self::connect(app, name).await;
        client.join(join).await;
        client
    }

    /// The HTTP status of an upgrade the server refuses.
    pub async fn refused_upgrade(app: &TestApp, name: &str) -> StatusCode {
        match Self::open(app.addr, name, &[], None).await {
            Ok(_) => panic!("/api/live/{name} was upgraded"),
            Err(tungstenite::Error::Http(response)) => {
                StatusCode::from_u16(response.status().as_u16()).unwrap()
            }
            Err(e) => panic!("/api/live/{name} fails without an HTTP answer: {e}"),
        }
    }

    async fn open(
        addr: SocketAddr,
        name: &str,
        headers: &[(&str, &str)],
        receive_buffer: Option<u32>,
    ) -> Result<Self, tungstenite::Error> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        if let Some(size) = receive_buffer {
            socket.set_recv_buffer_size(size)?;
        }
        let stream = socket.connect(addr).await?;
        let mut request = format!("ws://{addr}/api/live/{name}").into_client_request()?;
        for (name, value) in headers {
            let name: tungstenite::http::HeaderName = name.parse().unwrap();
            request.headers_mut().append(name, value.parse().unwrap());
        }
        let (ws, _) = tokio_tungstenite::client_async(request, Lenient(stream)).await?;
        Ok(Self {
            ws,
            backlog: VecDeque::new(),
            seen: Vec::new(),
            pongs: Vec::new(),
            welcome: Value::Null,
            participant_id: String::new(),
            resume_token: None,
            label: "client".to_owned(),
            requests: 0,
        })
    }

    // --- sending ---

    pub async fn send(&mut self, message: Value) {
        self.send_text(message.to_string()).await;
    }

    /// Leaves like a closing browser tab: a close frame (1000), then the connection is dropped.
    pub async fn close(mut self) {
        self.send_close().await;
    }

    /// Sends a close frame (1000) and keeps the connection, to read the server's answer.
    pub async fn send_close(&mut self) {
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        };
        self.ws
            .close(Some(frame))
            .await
            .unwrap_or_else(|e| panic!("{}: cannot close: {e}", self.label));
    }

    /// Sends one text frame as is (malformed messages, oversized frames).
    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.ws
            .send(Message::text(text))
            .await
            .unwrap_or_else(|e| panic!("{}: cannot send: {e}", self.label));
    }

    /// Sends a WebSocket message or raw frame as is (a ping, a fragment).
    pub async fn send_frame(&mut self, message: Message) {
        self.ws
            .send(message)
            .await
            .unwrap_or_else(|e| panic!("{}: cannot send: {e}", self.label));
    }

    /// Sends one text frame; false when the connection is closed (floods).
    pub async fn try_send_text(&mut self, text: impl Into<String>) -> bool {
        self.ws.send(Message::text(text.into())).await.is_ok()
    }

    fn next_req(&mut self) -> String {
        self.requests += 1;
        format!("{}-{}", self.label, self.requests)
    }

    /// Sends `message` with a fresh `req` and waits for the answer that echoes it (`ack`,
    /// `error`, `pong`, `quiz_answer_accepted`).
    pub async fn request(&mut self, mut message: Value) -> Value {
        let req = self.next_req();
        message["req"] = json!(req);
        self.send(message).await;
        self.recv_where(&format!("the answer to `{req}`"), |m| {
            m["req"] == req.as_str()
                && ["ack", "error", "pong", "quiz_answer_accepted"].contains(&kind(m))
        })
        .await
    }

    /// A command that must be acknowledged; returns the `ack`.
    pub async fn command(&mut self, message: Value) -> Value {
        let shown = message.to_string();
        let answer = self.request(message).await;
        assert_eq!(answer["type"], "ack", "{}: {shown} → {answer}", self.label);
        answer
    }

    /// A message that must be refused with `code` (joins included); returns the `error`.
    pub async fn refused(&mut self, message: Value, code: &str) -> Value {
        let shown = message.to_string();
        let answer = self.request(message).await;
        assert_error(&answer, code, &format!("{}: {shown}", self.label));
        answer
    }

    /// `ping` → `pong` echoing `req`: the connection is alive and usable.
    pub async fn ping(&mut self) {
        let answer = self.request(json!({"type": "ping"})).await;
        assert_eq!(answer["type"], "pong", "{}: ping → {answer}", self.label);
    }

    /// Sends `join` and waits for its `welcome`, which is kept with the seat it gives.
    pub async fn join(&mut self, join: Value) -> Value {
        let shown = join.to_string();
        self.send(join).await;
        let answer = self
            .recv_where("welcome or error", |m| {
                ["welcome", "error"].contains(&kind(m))
            })
            .await;
        assert_eq!(answer["type"], "welcome", "{shown} → {answer}");
        self.participant_id = answer["you"]["participant_id"]
            .as_str()
            .unwrap_or_else(|| panic!("welcome.you.participant_id: {answer:#}"))
            .to_owned();
        self.resume_token = answer["resume_token"].as_str().map(str::to_owned);
        self.label = match answer["you"]["role"].as_str() {
            Some("trainer") => "trainer",
            _ => answer["you"]["first_name"].as_str().unwrap_or("client"),
        }
        .to_owned();
        self.welcome = answer.clone();
        answer
    }

    // --- receiving ---

    /// Reads the socket until a message, a close, or `until`.
    async fn read(&mut self, until: Instant) -> Incoming {
        loop {
            let frame = match tokio::time::timeout_at(until, self.ws.next()).await {
                Err(_) => return Incoming::TimedOut,
                Ok(None) => return Incoming::Ended("the stream ended".to_owned()),
                Ok(Some(Err(e))) => return Incoming::Ended(e.to_string()),
                Ok(Some(Ok(frame))) => frame,
            };
            match frame {
                Message::Text(text) => {
                    let message: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
                        panic!("{}: a frame that is not JSON ({e}): {text}", self.label)
                    });
                    assert!(
                        message["type"].is_string(),
                        "{}: every message has a type: {message}",
                        self.label
                    );
                    self.seen.push(message.clone());
                    return Incoming::Message(message);
                }
                Message::Close(frame) => {
                    return Incoming::Closed(
                        frame.map(|f| (u16::from(f.code), f.reason.to_string())),
                    );
                }
                Message::Binary(bytes) => panic!(
                    "{}: the server sends text frames only, got {} binary bytes",
                    self.label,
                    bytes.len()
                ),
                Message::Pong(payload) => self.pongs.push(payload.to_vec()),
                Message::Ping(_) | Message::Frame(_) => {}
            }
        }
    }

    fn unread(&self) -> String {
        let last: Vec<String> = self
            .backlog
            .iter()
            .rev()
            .take(8)
            .map(Value::to_string)
            .collect();
        format!("{} unread, the last: {last:#?}", self.backlog.len())
    }

    /// The first message, kept or new, that `matches`; others are kept for later.
    pub async fn recv_where(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(found) = self.take(&matches) {
            return found;
        }
        let until = Instant::now() + WAIT;
        loop {
            match self.read(until).await {
                Incoming::Message(m) if matches(&m) => return m,
                Incoming::Message(m) => self.backlog.push_back(m),
                other => panic!(
                    "{}: waiting for {what}: {other:?}; {}",
                    self.label,
                    self.unread()
                ),
            }
        }
    }

    /// The next message, kept or new.
    pub async fn recv(&mut self) -> Value {
        self.recv_where("a message", |_| true).await
    }

    /// The first message of type `kind`, kept or new.
    pub async fn recv_type(&mut self, kind_wanted: &str) -> Value {
        self.recv_where(kind_wanted, |m| kind(m) == kind_wanted)
            .await
    }

    /// The first `error`, which must have `code`.
    pub async fn expect_error(&mut self, code: &str) -> Value {
        let error = self.recv_type("error").await;
        assert_error(&error, code, &self.label);
        error
    }

    /// Takes the first kept message that `matches`, without reading the socket.
    pub fn take(&mut self, matches: impl Fn(&Value) -> bool) -> Option<Value> {
        let at = self.backlog.iter().position(matches)?;
        self.backlog.remove(at)
    }

    /// Forgets the kept messages.
    pub fn clear_backlog(&mut self) {
        self.backlog.clear();
    }

    /// Waits `QUIET` and fails if a message of type `kind` is (or was) received meanwhile.
    pub async fn expect_silence(&mut self, kind_unwanted: &str) {
        if let Some(m) = self.backlog.iter().find(|m| kind(m) == kind_unwanted) {
            panic!("{}: no {kind_unwanted} expected, got {m}", self.label);
        }
        let until = Instant::now() + QUIET;
        loop {
            match self.read(until).await {
                Incoming::TimedOut => return,
                Incoming::Message(m) => {
                    assert_ne!(
                        kind(&m),
                        kind_unwanted,
                        "{}: no {kind_unwanted} expected, got {m}",
                        self.label
                    );
                    self.backlog.push_back(m);
                }
                other => panic!("{}: expected an open connection: {other:?}", self.label),
            }
        }
    }

    /// Reads until a close frame, which must carry `code`; returns its reason.
    pub async fn expect_closed(&mut self, code: u16) -> String {
        let until = Instant::now() + WAIT;
        loop {
            match self.read(until).await {
                Incoming::Message(m) => self.backlog.push_back(m),
                Incoming::Closed(Some((got, reason))) => {
                    assert_eq!(got, code, "{}: close code (reason `{reason}`)", self.label);
                    return reason;
                }
                other => panic!("{}: expected close {code}, got {other:?}", self.label),
            }
        }
    }

    /// Reads for up to `wait`, keeping what arrives: `Some(close code)` as soon as the
    /// connection ends (`Some(None)` without a close frame), `None` if it is still open.
    pub async fn closes_within(&mut self, wait: Duration) -> Option<Option<u16>> {
        let until = Instant::now() + wait;
        loop {
            match self.read(until).await {
                Incoming::Message(m) => self.backlog.push_back(m),
                Incoming::Closed(frame) => return Some(frame.map(|(code, _)| code)),
                Incoming::Ended(_) => return Some(None),
                Incoming::TimedOut => return None,
            }
        }
    }

    /// Reads everything until the connection ends (or `wait` passes): the messages, kept and
    /// new, and the close code if a close frame came.
    pub async fn read_to_end(&mut self, wait: Duration) -> (Vec<Value>, Option<u16>) {
        let until = Instant::now() + wait;
        let mut messages: Vec<Value> = self.backlog.drain(..).collect();
        loop {
            match self.read(until).await {
                Incoming::Message(m) => messages.push(m),
                Incoming::Closed(frame) => return (messages, frame.map(|(code, _)| code)),
                Incoming::Ended(_) => return (messages, None),
                Incoming::TimedOut => {
                    panic!(
                        "{}: the connection is still open after {wait:?}",
                        self.label
                    )
                }
            }
        }
    }

    /// Like `recv_where`, waiting up to `wait` and sending a `ping` every 300 ms meanwhile, so
    /// that this client is never the silent one.
    pub async fn recv_where_pinging(
        &mut self,
        what: &str,
        wait: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        if let Some(found) = self.take(&matches) {
            return found;
        }
        let until = Instant::now() + wait;
        while Instant::now() < until {
            let tick = (Instant::now() + Duration::from_millis(300)).min(until);
            loop {
                match self.read(tick).await {
                    Incoming::Message(m) if matches(&m) => return m,
                    Incoming::Message(m) => self.backlog.push_back(m),
                    Incoming::TimedOut => break,
                    other => panic!("{}: waiting for {what}: {other:?}", self.label),
                }
            }
            self.send(json!({"type": "ping"})).await;
        }
        panic!(
            "{}: no {what} within {wait:?}; {}",
            self.label,
            self.unread()
        )
    }

    /// Stays alive in a task of its own (reading, and a `ping` every 300 ms) until the handle
    /// is aborted: a participant who is there and does nothing.
    pub fn stay_in_background(mut self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                self.keep_alive(Duration::from_secs(10)).await;
                self.clear_backlog();
            }
        })
    }

    /// Stays alive for `wait`: a `ping` every 300 ms; what arrives is kept.
    pub async fn keep_alive(&mut self, wait: Duration) {
        let until = Instant::now() + wait;
        while Instant::now() < until {
            let tick = (Instant::now() + Duration::from_millis(300)).min(until);
            loop {
                match self.read(tick).await {
                    Incoming::Message(m) => self.backlog.push_back(m),
                    Incoming::TimedOut => break,
                    other => panic!("{}: expected an open connection: {other:?}", self.label),
                }
            }
            self.send(json!({"type": "ping"})).await;
        }
    }

    /// Fails if any message received so far contains `secret`.
    pub fn assert_never_saw(&self, secret: &str) {
        for message in &self.seen {
            assert!(
                !message.to_string().contains(secret),
                "{} received a secret it must not see: {message}",
                self.label
            );
        }
    }
}

/// A message's `type` (`""` when it has none).
pub fn kind(message: &Value) -> &str {
    message["type"].as_str().unwrap_or("")
}

/// `message` is an `error` with `code` and a message for people.
#[track_caller]
pub fn assert_error(message: &Value, code: &str, context: &str) {
    assert_eq!(message["type"], "error", "{context} → {message}");
    assert_eq!(message["code"], code, "{context} → {message}");
    let text = message["message"].as_str().unwrap_or("");
    assert!(!text.is_empty(), "an error says what went wrong: {message}");
}

/// A launched room and its trainer, on the five-page fixture capsule "Atelier".
pub struct LiveRoom {
    pub id: String,
    pub name: String,
    pub token: String,
    pub trainer_id: String,
    pub capsule_id: String,
    /// The capsule's pages in order: (id, name).
    pub pages: Vec<(String, String)>,
}

impl LiveRoom {
    pub async fn launch(app: &TestApp) -> Self {
        let token = app.signup("Ana Martin").await;
        Self::launch_by(app, token, json!({})).await
    }

    /// Launches the room as the trainer of `token`, with `options` added to the launch request
    /// (`quiz_id`, `params`).
    pub async fn launch_by(app: &TestApp, token: String, options: Value) -> Self {
        let me = app.get("/api/me", &token).await.expect(StatusCode::OK);
        let capsule = app
            .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
            .await;
        let capsule_id = capsule["id"].as_str().unwrap().to_owned();
        let mut launch = json!({"capsule_id": capsule_id});
        launch
            .as_object_mut()
            .unwrap()
            .extend(options.as_object().unwrap().clone());
        let room = app
            .post("/api/rooms", &token, launch)
            .await
            .expect(StatusCode::CREATED);
        let pages = capsule["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let field = |k: &str| p[k].as_str().unwrap().to_owned();
                (field("id"), field("name"))
            })
            .collect();
        Self {
            id: room["id"].as_str().unwrap().to_owned(),
            name: room["name"].as_str().unwrap().to_owned(),
            trainer_id: me["id"].as_str().unwrap().to_owned(),
            token,
            capsule_id,
            pages,
        }
    }

    /// The trainer, joined.
    pub async fn trainer(&self, app: &TestApp) -> LiveClient {
        LiveClient::joined(app, &self.name, trainer(&self.token)).await
    }

    /// A new participant, joined.
    pub async fn participant(&self, app: &TestApp, first: &str, last: &str) -> LiveClient {
        LiveClient::joined(app, &self.name, participant(first, last)).await
    }

    /// The id of page number `index` (from 0).
    pub fn page(&self, index: usize) -> &str {
        &self.pages[index].0
    }

    /// `goto_page` to page number `index`.
    pub fn goto(&self, index: usize) -> Value {
        json!({"type": "goto_page", "page_id": self.page(index)})
    }

    /// The room's events, in stored order, through the store's own query.
    pub async fn events(&self, app: &TestApp) -> Vec<EventRow> {
        let db = pratico::store::Db::connect(&app.database_url)
            .await
            .unwrap();
        let room_id = uuid::Uuid::parse_str(&self.id).unwrap();
        pratico::store::events::for_room(&db, room_id)
            .await
            .unwrap()
    }
}

/// `actual` holds everything `expected` has (objects: key by key, recursively).
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => expected
            .iter()
            .all(|(k, v)| actual.get(k).is_some_and(|a| contains(a, v))),
        _ => actual == expected,
    }
}

/// `events` hold, in this order (others may come between), events of the given types whose
/// data contain the given data.
#[track_caller]
pub fn assert_events_in_order(events: &[EventRow], expected: &[(&str, Value)]) {
    let mut rest = events.iter();
    for (kind, data) in expected {
        let found = rest.any(|e| e.kind == *kind && contains(&e.data.0, data));
        assert!(
            found,
            "no {kind} {data} in order; events: {:#?}",
            events
                .iter()
                .map(|e| format!("{} {}", e.kind, e.data.0))
                .collect::<Vec<_>>()
        );
    }
}

/// A TCP stream on which writing to a peer that has gone succeeds silently. tungstenite answers
/// the server's pings while it reads, and stops reading at the first answer that cannot be
/// written; with this, what the server sent before it went (its close frame) can still be read.
struct Lenient(TcpStream);

fn peer_gone<T>(result: Poll<io::Result<T>>, instead: T) -> Poll<io::Result<T>> {
    match result {
        Poll::Ready(Err(e))
            if matches!(
                e.kind(),
                io::ErrorKind::BrokenPipe
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::NotConnected
            ) =>
        {
            Poll::Ready(Ok(instead))
        }
        other => other,
    }
}

impl AsyncRead for Lenient {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Lenient {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        peer_gone(Pin::new(&mut self.0).poll_write(cx, buf), buf.len())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        peer_gone(Pin::new(&mut self.0).poll_flush(cx), ())
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        peer_gone(Pin::new(&mut self.0).poll_shutdown(cx), ())
    }
}
