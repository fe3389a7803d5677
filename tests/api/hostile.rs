//! Hostile input (issue 8): what anyone with a room's link, or a trainer's own documents, may
//! throw at the server. Each input is refused with the documented error or kept exactly as
//! given; what is kept is escaped wherever it is shown (HTML report, CSV, XLSX); and after each
//! hostile step the room still serves an honest participant: that is what "none may crash a
//! room" means.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use futures_util::{SinkExt, StreamExt};
use pratico::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data as OpData, OpCode};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::{TestApp, fixture_json, spawn_app_with};
use crate::live_client::{LiveClient, LiveRoom, WAIT, assert_error, kind, participant};

// --- fixtures ---

/// The server, with a per-connection rate that these tests (many frames in a row) stay under.
async fn app() -> TestApp {
    spawn_app_with(|c: &mut Config| {
        c.rate_per_sec = 1_000;
        c.rate_burst = 1_000;
    })
    .await
}

/// A launched room with its trainer and one honest participant, joined.
struct Session {
    app: TestApp,
    room: LiveRoom,
    trainer: LiveClient,
    honest: LiveClient,
}

async fn session() -> Session {
    let app = app().await;
    let room = LiveRoom::launch(&app).await;
    let trainer = room.trainer(&app).await;
    let honest = room.participant(&app, "Honnête", "Martin").await;
    Session {
        app,
        room,
        trainer,
        honest,
    }
}

impl Session {
    /// The room still serves: the trainer's chat reaches the honest participant, whose ping is
    /// answered. `step` names the hostile step just taken, and makes the text unique.
    async fn still_serves(&mut self, step: &str) {
        still_serves(&mut self.trainer, &mut self.honest, step).await;
    }
}

async fn still_serves(trainer: &mut LiveClient, honest: &mut LiveClient, step: &str) {
    let text = format!("still here after {step}");
    trainer.command(chat(&text)).await;
    honest
        .recv_where(&format!("the trainer's chat after {step}"), |m| {
            kind(m) == "chat_message" && m["text"] == text.as_str()
        })
        .await;
    honest.ping().await;
}

fn chat(text: &str) -> Value {
    json!({"type": "chat_send", "text": text})
}

/// The five-page fixture deck with the pages' names replaced, in index order.
fn deck_with_page_names(names: &[&str]) -> Value {
    let mut deck = fixture_json("tldraw/synthetic-5-pages-fr.tldr");
    let mut pages: Vec<&mut Value> = deck["records"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .filter(|r| r["typeName"] == "page")
        .collect();
    pages.sort_by(|a, b| a["index"].as_str().cmp(&b["index"].as_str()));
    for (page, name) in pages.into_iter().zip(names) {
        page["name"] = json!(name);
    }
    deck
}

/// Launches a room on `deck` (with `options` such as `quiz_id`) as the trainer of `token`.
async fn launch_deck(app: &TestApp, token: &str, deck: Value, options: Value) -> LiveRoom {
    let me = app.get("/api/me", token).await.expect(StatusCode::OK);
    let capsule = app
        .post(
            "/api/capsules",
            token,
            json!({"title": "Atelier", "snapshot": deck}),
        )
        .await
        .expect(StatusCode::CREATED);
    let mut launch = json!({"capsule_id": capsule["id"]});
    launch
        .as_object_mut()
        .unwrap()
        .extend(options.as_object().unwrap().clone());
    let room = app
        .post("/api/rooms", token, launch)
        .await
        .expect(StatusCode::CREATED);
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    LiveRoom {
        id: text(&room["id"]),
        name: text(&room["name"]),
        token: token.to_owned(),
        trainer_id: text(&me["id"]),
        capsule_id: text(&capsule["id"]),
        pages: capsule["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (text(&p["id"]), text(&p["name"])))
            .collect(),
    }
}

/// The body of a report, with its status and content type.
async fn report(app: &TestApp, room_id: &str, token: &str, query: &str) -> reqwest::Response {
    let path = format!("/api/sessions/{room_id}/report{query}");
    let response = app
        .request(Method::GET, &path, Some(token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response
}

/// `&`, `<`, `>`, `"`, `'` as HTML entities, as the report must show them.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

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

// --- names and chat ---

#[tokio::test]
async fn hostile_names_with_control_characters_are_refused_naming_the_field() {
    let mut s = session().await;
    let mut newcomer = LiveClient::connect(&s.app, &s.room.name).await;
    // Inside the name: at either end, whitespace is trimmed first.
    for bad in [
        "Zo\u{0}é",
        "Zo\u{1b}[2Jé",
        "Zo\né",
        "Zo\té",
        "Zo\u{7f}é",
        "Zo\u{85}é",
        "Zo\u{9b}é",
        "\u{0}",
    ] {
        let refused = newcomer
            .refused(participant(bad, "Durand"), "bad_message")
            .await;
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains("first_name"), "{bad:?}: {message}");
        let refused = newcomer
            .refused(participant("Zoé", bad), "bad_message")
            .await;
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains("last_name"), "{bad:?}: {message}");
        s.still_serves(&format!("the name {bad:?}")).await;
    }
    // The refused joins left the socket open, and took no seat.
    newcomer.join(participant("\tZoé\n", " Durand ")).await;
    assert_eq!(newcomer.welcome["you"]["first_name"], "Zoé");
    assert_eq!(newcomer.welcome["you"]["last_name"], "Durand");
    let joined: Vec<Value> = s
        .room
        .events(&s.app)
        .await
        .into_iter()
        .filter(|e| e.kind == "participant_joined")
        .map(|e| e.data.0)
        .collect();
    assert_eq!(joined.len(), 2, "{joined:#?}");
    for data in &joined {
        for field in ["first_name", "last_name"] {
            let name = data[field].as_str().unwrap();
            assert!(!name.chars().any(char::is_control), "{data}");
        }
    }
    s.still_serves("the honest join").await;
}

#[tokio::test]
async fn hostile_chat_with_control_characters_is_kept_as_given() {
    let mut s = session().await;
    let mut zoe = s.room.participant(&s.app, "Zoé", "Durand").await;
    // The protocol asks only 1–1,000 characters of a chat text (after trimming).
    let texts = [
        "ligne 1\nligne 2",
        "bip\u{7}",
        "\u{1b}[31mrouge\u{1b}[0m",
        "une\ttabulation",
        "  entouré d'espaces \n",
    ];
    for text in texts {
        zoe.command(chat(text)).await;
        let seen = s
            .trainer
            .recv_where(&format!("{text:?}"), |m| {
                kind(m) == "chat_message" && m["participant_id"] == zoe.participant_id.as_str()
            })
            .await;
        assert_eq!(seen["text"], text.trim(), "kept as given, trimmed");
        s.still_serves(&format!("the chat {text:?}")).await;
    }
    let late = s.room.participant(&s.app, "Léo", "Petit").await;
    let history: Vec<&str> = late.welcome["state"]["chat"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["participant_id"] == zoe.participant_id.as_str())
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    let trimmed: Vec<&str> = texts.iter().map(|t| t.trim()).collect();
    assert_eq!(history, trimmed);
    let lengths: Vec<u64> = s
        .room
        .events(&s.app)
        .await
        .into_iter()
        .filter(|e| e.kind == "chat_message_sent" && e.data.0["first_name"] == "Zoé")
        .map(|e| e.data.0["length"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = trimmed.iter().map(|t| t.chars().count() as u64).collect();
    assert_eq!(lengths, expected);
}

/// U+0000 is a character like another for the protocol; PostgreSQL stores no NUL in `text`
/// nor in `jsonb`. A chat text or an open answer holding one must be kept or refused, never
/// turn the room's commit into a failure that stalls and reloads the room for everyone.
#[tokio::test]
async fn hostile_nul_characters_in_chat_are_kept_or_refused() {
    let mut s = session().await;
    let mut zoe = s.room.participant(&s.app, "Zoé", "Durand").await;
    let answer = zoe.request(chat("a\u{0}b")).await;
    match kind(&answer) {
        "ack" => {
            let seen = s.trainer.recv_type("chat_message").await;
            assert_eq!(seen["text"], "a\u{0}b");
        }
        _ => assert_error(&answer, "bad_message", "a NUL in a chat text"),
    }
    s.still_serves("a NUL in a chat text").await;
}

/// The same for an open answer, kept in `room_events.data`.
#[tokio::test]
async fn hostile_nul_characters_in_open_answers_are_kept_or_refused() {
    let mut s = session().await;
    let mut zoe = s.room.participant(&s.app, "Zoé", "Durand").await;
    let questions = json!([{"kind": "open", "prompt": "Une remarque ?"}]);
    let quiz = s
        .app
        .post(
            "/api/quizzes",
            &s.room.token,
            json!({"title": "Q", "questions": questions}),
        )
        .await
        .expect(StatusCode::CREATED);
    s.trainer
        .command(json!({"type": "quiz_start", "quiz_id": quiz["id"]}))
        .await;
    s.trainer.command(json!({"type": "quiz_next"})).await;
    let question_id = quiz["questions"][0]["id"].as_str().unwrap();
    let answer = zoe
        .request(json!({"type": "quiz_answer", "question_id": question_id, "text": "x\u{0}y"}))
        .await;
    assert!(
        kind(&answer) == "quiz_answer_accepted" || answer["code"] == "bad_answer",
        "{answer}"
    );
    s.still_serves("a NUL in an open answer").await;
}

/// A NUL where a trainer's documents hold text: kept, or refused with a 4xx.
#[tokio::test]
async fn hostile_nul_characters_in_documents_are_kept_or_refused() {
    let mut s = session().await;
    let token = s.room.token.clone();
    let questions = json!([{"kind": "open", "prompt": "Pour\u{0}quoi ?"}]);
    let quiz = json!({"title": "Q", "questions": questions});
    let deck = deck_with_page_names(&["Intro\u{0}duction"]);
    let capsule = json!({"title": "Atelier", "snapshot": deck});
    let mut answers = Vec::new();
    for (what, path, body) in [
        ("a quiz prompt", "/api/quizzes", quiz),
        ("a page name", "/api/capsules", capsule),
    ] {
        let answer = s.app.post(path, &token, body).await;
        answers.push((what, answer.status, answer.body));
        s.still_serves(&format!("a NUL in {what}")).await;
    }
    let failed: Vec<String> = answers
        .into_iter()
        .filter(|(_, status, _)| !(*status == StatusCode::CREATED || status.is_client_error()))
        .map(|(what, status, body)| format!("a NUL in {what}: {status} {body}"))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[tokio::test]
async fn hostile_rtl_overrides_are_refused_in_names_and_kept_in_chat() {
    let mut s = session().await;
    // A name that shows reversed (`Durand`, U+202E, `gnp.exe` reads as `Durandexe.png`) or as
    // nothing could pass for someone else in the trainer's list and in the reports.
    let mut newcomer = LiveClient::connect(&s.app, &s.room.name).await;
    for (first, last, field) in [
        ("\u{202E}éoZ", "Durand", "first_name"),
        ("Zoé", "Durand\u{202E}gnp.exe", "last_name"),
        ("Zoé", "\u{2066}Durand\u{2069}", "last_name"),
        ("\u{200B}", "Durand", "first_name"),
    ] {
        let refused = newcomer
            .refused(participant(first, last), "bad_message")
            .await;
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains(field), "{first:?} {last:?}: {message}");
        s.still_serves(&format!("the name {first:?} {last:?}"))
            .await;
    }
    // A joiner inside a name is how some names are written.
    let (first, last) = ("Mohammad\u{200C}reza", "Durand");
    let mut zoe = s.room.participant(&s.app, first, last).await;
    assert_eq!(zoe.welcome["you"]["first_name"], first);

    // Chat text is kept as written: the trainer sees it inside a message bubble.
    let text = "\u{202E}!ruojnob\u{202C} et \u{2066}isolé\u{2069}";
    zoe.command(chat(text)).await;
    let seen = s
        .trainer
        .recv_where("zoé's chat", |m| {
            m["type"] == "chat_message" && m["text"] == text
        })
        .await;
    assert_eq!(seen["author_name"], format!("{first} {last}"));
    s.still_serves("right-to-left overrides").await;

    let events = s.room.events(&s.app).await;
    let joined = events
        .iter()
        .find(|e| e.kind == "participant_joined" && e.data.0["first_name"] == first)
        .expect("the join is recorded under the name given");
    assert_eq!(joined.data.0["last_name"], last);
    let body = report(&s.app, &s.room.id, &s.room.token, "")
        .await
        .json::<Value>()
        .await
        .unwrap();
    let attendance = body["attendance"].as_array().unwrap();
    assert!(
        attendance
            .iter()
            .all(|a| !a["last_name"].as_str().unwrap().contains('\u{202E}')),
        "{attendance:#?}"
    );
}

#[tokio::test]
async fn hostile_emoji_runs_are_counted_in_characters_and_refused_past_the_limits() {
    let mut s = session().await;
    // Names: 64 characters at most, an emoji being one (four bytes).
    let mut newcomer = LiveClient::connect(&s.app, &s.room.name).await;
    for too_long in ["😀".repeat(65), "👨‍👩‍👧‍👦".repeat(10), "😀".repeat(2_560)]
    {
        let refused = newcomer
            .refused(participant(&too_long, "Durand"), "bad_message")
            .await;
        assert!(refused["message"].as_str().unwrap().contains("first_name"));
        s.still_serves(&format!("a name of {} bytes", too_long.len()))
            .await;
    }
    let longest = "😀".repeat(64);
    newcomer.join(participant(&longest, "Durand")).await;
    assert_eq!(newcomer.welcome["you"]["first_name"], longest.as_str());

    // Chat: 1,000 characters at most.
    for (text, accepted) in [
        ("😀".repeat(1_000), true),
        ("👍🏽".repeat(500), true),
        ("😀".repeat(1_001), false),
        // 10 KB of emoji.
        ("😀".repeat(2_560), false),
        ("👨‍👩‍👧‍👦".repeat(400), false),
    ] {
        let label = format!("a chat of {} characters", text.chars().count());
        if accepted {
            newcomer.command(chat(&text)).await;
            let seen = s
                .trainer
                .recv_where(&label, |m| {
                    kind(m) == "chat_message"
                        && m["participant_id"] == newcomer.participant_id.as_str()
                })
                .await;
            assert_eq!(seen["text"], text.as_str(), "{label} kept as given");
        } else {
            newcomer.refused(chat(&text), "too_large").await;
        }
        s.still_serves(&label).await;
    }
}

// --- look-alikes, stored as given and escaped where shown ---

/// Participants whose names look like markup, SQL and spreadsheet formulas.
const PEOPLE: [(&str, &str); 4] = [
    ("<script>alert(1)</script>", "'); DROP TABLE room_events;--"),
    ("=HYPERLINK(\"http://evil.example\",\"clic\")", "+1+1"),
    ("-2+3", "@SUM(A1)"),
    ("x;=1+1", "<img src=x onerror=alert(1)>"),
];

/// Their chat messages and open answers, in the same order.
const SAID: [&str; 4] = [
    "<script>alert('chat')</script>",
    "'); DROP TABLE chat_messages;--",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
];

const ANSWERS: [&str; 4] = [
    "<script>alert('answer')</script>",
    "'); DELETE FROM room_events;--",
    "=HYPERLINK(\"http://evil.example\")",
    "-1+1",
];

const TRAINER_NAME: &str = "Ana <b>Martin</b>";
const PAGE_NAMES: [&str; 2] = ["<script>alert('page')</script>", "=1+1 & \"co\""];

/// A cell a spreadsheet could run: it starts like a formula (a `-` only if it is no number).
fn runnable(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => cell.parse::<f64>().is_err(),
        _ => false,
    }
}

#[tokio::test]
async fn hostile_lookalikes_are_stored_as_given_and_escaped_in_every_report() {
    let app = app().await;
    let token = app.signup(TRAINER_NAME).await;
    let questions = json!([
        {"kind": "open", "prompt": "<b>Pourquoi ?</b>"},
        {"kind": "single", "prompt": "=1+1", "choices": [
            {"text": "<i>deux</i>", "correct": true}, {"text": "@trois"}]}
    ]);
    let quiz = app
        .post(
            "/api/quizzes",
            &token,
            json!({"title": "<script>alert('quiz')</script>", "questions": questions}),
        )
        .await
        .expect(StatusCode::CREATED);
    let deck = deck_with_page_names(&PAGE_NAMES);
    let room = launch_deck(&app, &token, deck, json!({"quiz_id": quiz["id"]})).await;
    assert_eq!(room.pages[0].1, PAGE_NAMES[0]);
    let mut trainer = room.trainer(&app).await;
    let mut honest = room.participant(&app, "Honnête", "Martin").await;

    let mut people = Vec::new();
    for (first, last) in PEOPLE {
        let client = room.participant(&app, first, last).await;
        assert_eq!(client.welcome["you"]["first_name"], first);
        assert_eq!(client.welcome["you"]["last_name"], last);
        people.push(client);
        still_serves(&mut trainer, &mut honest, &format!("the join of {first}")).await;
    }
    for ((client, text), (first, last)) in people.iter_mut().zip(SAID).zip(PEOPLE) {
        client.command(chat(text)).await;
        let seen = trainer
            .recv_where(text, |m| {
                kind(m) == "chat_message" && m["participant_id"] == client.participant_id.as_str()
            })
            .await;
        assert_eq!(seen["text"], text);
        assert_eq!(seen["author_name"], format!("{first} {last}"));
        still_serves(&mut trainer, &mut honest, &format!("the chat {text}")).await;
    }
    let late = room.participant(&app, "Léo", "Petit").await;
    let history: Vec<&str> = late.welcome["state"]["chat"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .filter(|t| SAID.contains(t))
        .collect();
    assert_eq!(history, SAID, "the chat keeps the texts as given");
    late.close().await;

    // An open question answered with look-alikes, then the page with a hostile name.
    trainer
        .command(json!({"type": "quiz_start", "quiz_id": quiz["id"]}))
        .await;
    trainer.command(json!({"type": "quiz_next"})).await;
    let question_id = quiz["questions"][0]["id"].as_str().unwrap();
    for (client, text) in people.iter_mut().zip(ANSWERS) {
        let answer = json!({"type": "quiz_answer", "question_id": question_id, "text": text});
        let accepted = client.request(answer).await;
        assert_eq!(
            kind(&accepted),
            "quiz_answer_accepted",
            "{text}: {accepted}"
        );
        let seen = trainer
            .recv_where(text, |m| {
                kind(m) == "quiz_open_answer"
                    && m["participant_id"] == client.participant_id.as_str()
            })
            .await;
        assert_eq!(seen["text"], text);
    }
    trainer.command(json!({"type": "quiz_reveal"})).await;
    // The second question only opens and closes: its choices reach the reports.
    trainer.command(json!({"type": "quiz_next"})).await;
    trainer.command(json!({"type": "quiz_reveal"})).await;
    trainer.command(json!({"type": "quiz_end"})).await;
    trainer.command(room.goto(1)).await;
    still_serves(&mut trainer, &mut honest, "the quiz").await;

    // room_events keep everything as given.
    let events = room.events(&app).await;
    for (first, last) in PEOPLE {
        assert!(
            events.iter().any(|e| e.kind == "participant_joined"
                && e.data.0["first_name"] == first
                && e.data.0["last_name"] == last),
            "{first} {last} is recorded as given"
        );
    }
    let answered: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == "quiz_answered")
        .map(|e| e.data.0["answer"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(answered, ANSWERS);
    trainer.command(json!({"type": "end_session"})).await;

    // The JSON report: as given.
    let json_report: Value = report(&app, &room.id, &token, "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json_report["session"]["trainer_name"], TRAINER_NAME);
    for (first, last) in PEOPLE {
        assert!(
            json_report["attendance"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["first_name"] == first && a["last_name"] == last),
            "{first} {last} in {:#}",
            json_report["attendance"]
        );
    }
    let quiz_report = &json_report["quizzes"][0];
    assert_eq!(quiz_report["quiz_title"], quiz["title"]);
    let mut texts: Vec<&str> = quiz_report["questions"][0]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer_text"].as_str().unwrap())
        .collect();
    let mut expected = ANSWERS.to_vec();
    texts.sort_unstable();
    expected.sort_unstable();
    assert_eq!(texts, expected);

    // The HTML report: everything people typed is escaped; the page runs nothing.
    let response = report(&app, &room.id, &token, "?format=html").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script"), "no script from user data");
    assert!(!html.contains("<img"), "no element from user data");
    assert!(!html.contains("<i>deux</i>") && !html.contains("<b>Martin</b>"));
    let mut shown: Vec<&str> = vec![TRAINER_NAME, PAGE_NAMES[0], PAGE_NAMES[1], "<i>deux</i>"];
    shown.extend(PEOPLE.iter().flat_map(|(f, l)| [*f, *l]));
    for text in shown {
        assert!(html.contains(&escaped(text)), "{text} shown escaped");
    }
    assert!(html.contains(&escaped("<script>alert('quiz')</script>")));
    assert!(html.contains(&escaped("<b>Pourquoi ?</b>")));

    // CSV: no cell a spreadsheet would run; the look-alikes otherwise as given.
    let zipped = report(&app, &room.id, &token, "?format=csv")
        .await
        .bytes()
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(zipped.to_vec())).unwrap();
    let mut cells: Vec<String> = Vec::new();
    let mut raw_attendance = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(!runnable(cell), "{name}: a formula: {cell}");
                cells.push(cell.to_owned());
            }
        }
        if name == "attendance.csv" {
            raw_attendance = text;
        }
    }
    let mut defused: Vec<(&str, String)> = [
        "<script>alert(1)</script>",
        "'); DROP TABLE room_events;--",
        "<img src=x onerror=alert(1)>",
        "<i>deux</i>",
    ]
    .into_iter()
    .map(|as_given| (as_given, as_given.to_owned()))
    .collect();
    for formula in [
        PEOPLE[1].0,
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        ANSWERS[2],
        "-1+1",
        PAGE_NAMES[1],
        "@trois",
        "=1+1",
    ] {
        defused.push((formula, format!("'{formula}")));
    }
    for (given, written) in defused {
        assert!(cells.contains(&written), "{given} written as {written}");
    }
    // In a French spreadsheet `;` separates cells: a cell holding `;=` is quoted whole.
    assert!(raw_attendance.contains("\"x;=1+1\""), "{raw_attendance}");
    let one = report(&app, &room.id, &token, "?format=csv&table=attendance")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        one.trim_start_matches('\u{feff}'),
        raw_attendance.trim_start_matches('\u{feff}')
    );

    // XLSX: text cells, never formulas, holding exactly what was typed.
    let bytes = report(&app, &room.id, &token, "?format=xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let mut strings = Vec::new();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} holds no formula"
        );
        let range = book.worksheet_range(&name).unwrap();
        strings.extend(range.used_cells().filter_map(|(_, _, cell)| match cell {
            Data::String(s) => Some(s.clone()),
            _ => None,
        }));
    }
    let mut typed: Vec<&str> = PEOPLE.iter().flat_map(|(f, l)| [*f, *l]).collect();
    typed.extend(ANSWERS);
    typed.extend(PAGE_NAMES);
    typed.extend(["@trois", "<i>deux</i>", "=1+1", TRAINER_NAME]);
    for text in typed {
        assert!(
            strings.iter().any(|s| s == text),
            "{text} is a text cell as given"
        );
    }
}

#[tokio::test]
async fn hostile_overlong_page_names_still_export_and_xlsx_cuts_them_at_excels_limit() {
    let app = app().await;
    let token = app.signup("Ana Martin").await;
    // Excel holds 32,767 UTF-16 units in a cell; an emoji takes two.
    let emoji = "😀".repeat(20_000);
    let accents = "é".repeat(40_000);
    let room = launch_deck(
        &app,
        &token,
        deck_with_page_names(&[&emoji, &accents]),
        json!({}),
    )
    .await;
    let mut trainer = room.trainer(&app).await;
    let mut honest = room.participant(&app, "Honnête", "Martin").await;
    trainer.command(room.goto(1)).await;
    still_serves(&mut trainer, &mut honest, "an overlong page name").await;

    let json_report: Value = report(&app, &room.id, &token, "")
        .await
        .json()
        .await
        .unwrap();
    let totals = json_report["pages"]["totals"].to_string();
    assert!(totals.contains(&emoji) && totals.contains(&accents));
    let html = report(&app, &room.id, &token, "?format=html")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&emoji) && html.contains(&accents));
    let csv = report(&app, &room.id, &token, "?format=csv&table=page_totals")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains(&emoji) && csv.contains(&accents));

    let bytes = report(&app, &room.id, &token, "?format=xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range("page_totals").unwrap();
    let names: Vec<String> = range.rows().skip(1).map(|row| row[2].to_string()).collect();
    let cut_emoji = "😀".repeat(16_383);
    let cut_accents = "é".repeat(32_767);
    assert!(names.contains(&cut_emoji), "emoji cut at a character");
    assert!(names.contains(&cut_accents));
    still_serves(&mut trainer, &mut honest, "the reports").await;
}

// --- frames ---

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

// --- HTTP ---

/// `depth` nested arrays, or objects, around `inner`.
fn nested(depth: usize, objects: bool, inner: &str) -> String {
    let (open, close) = if objects {
        ("{\"a\":", "}")
    } else {
        ("[", "]")
    };
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[tokio::test]
async fn hostile_snapshots_that_are_not_tldraw_documents_are_422() {
    let mut s = session().await;
    let token = s.room.token.clone();
    let deep_store = serde_json::from_str::<Value>(&nested(100, true, "{}")).unwrap();
    let not_documents = [
        json!(42),
        json!("a .tldr file"),
        json!([]),
        json!({}),
        json!({"store": 5, "schema": {}}),
        json!({"store": {"page:a": {"id": "page:b", "typeName": "page"}}, "schema": {}}),
        json!({"records": "none", "schema": {}}),
        json!({"records": [{"id": 1}], "schema": {"schemaVersion": 2}}),
        json!({"document": [], "session": {}}),
        json!({"store": deep_store, "schema": {}}),
        json!({"store": {"<script>": {"id": "<script>", "typeName": "page"}}, "schema": {}}),
    ];
    let capsule = s
        .app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let path = format!("/api/capsules/{}", capsule["id"].as_str().unwrap());
    for snapshot in not_documents {
        let body = json!({"title": "Pas un dessin", "snapshot": snapshot});
        let answer = s.app.post("/api/capsules", &token, body.clone()).await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(
            answer.body["error"]["field"], "snapshot",
            "{:#}",
            answer.body
        );
        let answer = s
            .app
            .patch(&path, &token, json!({"snapshot": snapshot}))
            .await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        s.still_serves(&format!("the snapshot {snapshot:.40}"))
            .await;
    }
    let kept = s.app.get(&path, &token).await.expect(StatusCode::OK);
    assert_eq!(
        kept["pages"], capsule["pages"],
        "the refused patches changed nothing"
    );
}

#[tokio::test]
async fn hostile_deeply_nested_json_bodies_are_a_clear_4xx() {
    let mut s = session().await;
    let token = s.room.token.clone();
    let capsule = format!("/api/capsules/{}", s.room.capsule_id);
    let room = format!("/api/rooms/{}", s.room.id);
    let deep = nested(10_000, false, "");
    let deep_objects = nested(10_000, true, "{}");
    let bodies = [
        deep.clone(),
        deep_objects.clone(),
        format!(r#"{{"title":"x","snapshot":{deep_objects}}}"#),
        format!(r#"{{"title":{deep},"questions":[]}}"#),
        format!(r#"{{"email":"a@b.c","password":"p","name":{deep}}}"#),
        r#"{"title":"x","snapshot":{},"n":1e400}"#.to_owned(),
        format!(
            r#"{{"capsule_id":"{}","params":{deep_objects}}}"#,
            s.room.capsule_id
        ),
    ];
    let routes = [
        (Method::POST, "/api/auth/signup", false),
        (Method::POST, "/api/auth/login", false),
        (Method::POST, "/api/capsules", true),
        (Method::PATCH, capsule.as_str(), true),
        (Method::POST, "/api/quizzes", true),
        (Method::POST, "/api/rooms", true),
        (Method::PATCH, room.as_str(), true),
    ];
    for (method, path, auth) in routes {
        for body in &bodies {
            let request = s
                .app
                .request(method.clone(), path, auth.then_some(token.as_str()))
                .header("content-type", "application/json")
                .body(body.clone());
            let answer = s.app.send(request).await;
            // Mostly 400 `malformed_json` or 422 `validation_failed`; a route that does not read
            // the deep field answers as it would without it (log-in: 401).
            assert!(
                answer.status.is_client_error(),
                "{method} {path} {body:.60}: {} {:#}",
                answer.status,
                answer.body
            );
            assert!(
                !answer.code().is_empty(),
                "{method} {path}: {:#}",
                answer.body
            );
            assert!(!answer.body["error"]["message"].as_str().unwrap().is_empty());
        }
        s.still_serves(&format!("deep bodies on {method} {path}"))
            .await;
    }
    // A GIFT import of ten thousand nested braces is read as text: a clear 422 too.
    let request = s
        .app
        .request(
            Method::POST,
            "/api/quizzes/import?format=gift&title=x",
            Some(&token),
        )
        .header("content-type", "text/plain")
        .body("{".repeat(10_000));
    let answer = s.app.send(request).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:#}",
        answer.body
    );
    s.still_serves("a GIFT import of nested braces").await;
}
