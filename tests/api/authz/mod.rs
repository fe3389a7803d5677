//! The authorisation matrix (issue 8): every HTTP route and every live command, tried by each
//! kind of caller, and what each one gets (SPEC §5–§6, docs/protocol.md, docs/security.md "Who
//! can do what").
//!
//! The callers: nobody; a participant of the room (their resume token as bearer); a participant
//! of another trainer's room (theirs); another trainer; the room's trainer, who owns everything
//! the tables name. A table runs everyone but the owner first, checks that the owner's things
//! did not change and that no stranger's answer held one of the owner's ids, then runs the
//! owner's column, which proves that every path in the table is real.

mod http_routes;
mod live_socket;
mod tokens;

use base64::Engine;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pratico::store::{Db, auth_tokens, now_ms};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Answer, TestApp, spawn_app_with};
use crate::live_client::{LiveClient, LiveRoom, kind};

/// The password `TestApp::signup` gives every account.
const PASSWORD: &str = "correct horse battery";
const DAY_MS: i64 = 86_400_000;

// --- who calls, and what they get ---

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    /// No credentials at all.
    Anonymous,
    /// A participant of the trainer's room, with their resume token.
    Participant,
    /// A participant of another trainer's room, with their resume token.
    OtherRoomParticipant,
    /// Another trainer, logged in.
    OtherTrainer,
    /// The trainer who owns the room and everything else a table names.
    Trainer,
}

/// The columns of every table, in the order they run: the owner last.
const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::Participant,
    Caller::OtherRoomParticipant,
    Caller::OtherTrainer,
    Caller::Trainer,
];

impl Caller {
    /// Callers with no business in the trainer's things: their answers never hold the
    /// trainer's ids (other than those they sent).
    fn is_stranger(self) -> bool {
        matches!(
            self,
            Caller::Anonymous | Caller::OtherRoomParticipant | Caller::OtherTrainer
        )
    }
}

/// What an HTTP caller must get.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Success, with this status.
    Ok(StatusCode),
    /// `{"error": {"code", "message"}}` with this status and code.
    Error(StatusCode, &'static str),
    /// 422 `validation_failed` naming this field.
    Invalid(&'static str),
}

const OK: Expect = Expect::Ok(StatusCode::OK);
const CREATED: Expect = Expect::Ok(StatusCode::CREATED);
const NO_CONTENT: Expect = Expect::Ok(StatusCode::NO_CONTENT);
const UNAUTHORIZED: Expect = Expect::Error(StatusCode::UNAUTHORIZED, "unauthorized");
const NOT_FOUND: Expect = Expect::Error(StatusCode::NOT_FOUND, "not_found");

impl Expect {
    fn check(self, answer: &Answer) -> Result<(), String> {
        let (status, code, field) = match self {
            Expect::Ok(status) if answer.status == status => return Ok(()),
            Expect::Ok(status) => (status, None, None),
            Expect::Error(status, code) => (status, Some(code), None),
            Expect::Invalid(field) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("validation_failed"),
                Some(field),
            ),
        };
        let error = &answer.body["error"];
        let message = error["message"].as_str().unwrap_or("");
        let right = answer.status == status
            && code.is_none_or(|code| error["code"] == code && !message.is_empty())
            && field.is_none_or(|field| error["field"] == field);
        if right {
            Ok(())
        } else {
            Err(format!(
                "expected {self:?}, got {} {}",
                answer.status, answer.body
            ))
        }
    }
}

/// Everyone logged out gets 401; another trainer is told there is no such thing.
fn owner_only(owner: Expect) -> [Expect; 5] {
    [UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, NOT_FOUND, owner]
}

/// Everyone logged out gets 401; any trainer is served (their own things).
fn any_trainer(ok: Expect) -> [Expect; 5] {
    [UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, ok, ok]
}

// --- routes ---

#[derive(Clone, Debug)]
enum Body {
    None,
    Json(Value),
    Text(&'static str),
}

#[derive(Clone, Debug)]
struct Route {
    method: Method,
    path: String,
    body: Body,
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

fn get(path: impl Into<String>) -> Route {
    route(Method::GET, path, Body::None)
}

fn post(path: impl Into<String>, body: Value) -> Route {
    route(Method::POST, path, Body::Json(body))
}

fn patch(path: impl Into<String>, body: Value) -> Route {
    route(Method::PATCH, path, Body::Json(body))
}

fn delete(path: impl Into<String>) -> Route {
    route(Method::DELETE, path, Body::None)
}

fn route(method: Method, path: impl Into<String>, body: Body) -> Route {
    Route {
        method,
        path: path.into(),
        body,
    }
}

/// How a token travels.
#[derive(Clone, Copy, Debug)]
enum Carry {
    Bearer,
    Cookie,
}

impl Route {
    /// The text of the request, to tell which ids the caller sent.
    fn sent(&self) -> String {
        match &self.body {
            Body::None => self.path.clone(),
            Body::Json(body) => format!("{} {body}", self.path),
            Body::Text(text) => format!("{} {text}", self.path),
        }
    }

    async fn call(&self, app: &TestApp, token: Option<&str>, carry: Carry) -> Answer {
        let mut request = app.client.request(self.method.clone(), app.url(&self.path));
        request = match (token, carry) {
            (None, _) => request,
            (Some(token), Carry::Bearer) => request.bearer_auth(token),
            (Some(token), Carry::Cookie) => {
                request.header("cookie", format!("pratico_token={token}"))
            }
        };
        request = match &self.body {
            Body::None => request,
            Body::Json(body) => request.json(body),
            Body::Text(text) => request
                .header("content-type", "text/plain; charset=utf-8")
                .body(*text),
        };
        app.send(request).await
    }
}

/// One route and what each caller gets, in the order of `CALLERS`.
struct Row {
    route: Route,
    expect: [Expect; 5],
}

fn row(route: Route, expect: [Expect; 5]) -> Row {
    Row { route, expect }
}

// --- the world every table runs in ---

/// Two trainers, each with a live room and a participant in it; the first, who owns every
/// table, also has a quiz and an ended session.
struct World {
    app: TestApp,
    /// The trainer's live room, on their capsule.
    room: LiveRoom,
    /// Another trainer's live room, on that trainer's capsule.
    other_room: LiveRoom,
    quiz_id: String,
    other_quiz_id: String,
    /// The room id of an ended session of the trainer.
    ended_id: String,
    /// A participant of `room`, connected throughout.
    zoe: LiveClient,
    /// A participant of `other_room`, connected throughout.
    leo: LiveClient,
}

fn quiz(title: &str, capsule_id: Option<&str>) -> Value {
    json!({"title": title, "capsule_id": capsule_id, "questions": [
        {"kind": "single", "prompt": "2 + 2 ?", "time_limit_s": 600,
         "choices": [{"text": "4", "correct": true}, {"text": "5"}]}
    ]})
}

impl World {
    async fn new() -> Self {
        // Participants stay online however slowly a test goes, so that the trainer's view of
        // the room only changes when someone changes it; the rate limit is not under test.
        let app = spawn_app_with(|c| {
            c.heartbeat_timeout_s = 600;
            c.rate_per_sec = 1_000;
            c.rate_burst = 1_000;
        })
        .await;
        let room = LiveRoom::launch(&app).await;
        let other_room =
            LiveRoom::launch_by(&app, app.signup("Bruno Leroy").await, json!({})).await;
        let mut quiz_ids = Vec::new();
        for token in [&room.token, &other_room.token] {
            let quiz = app.post("/api/quizzes", token, quiz("Calcul", None)).await;
            quiz_ids.push(
                quiz.expect(StatusCode::CREATED)["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        let ended = app.launch(&room.token, &room.capsule_id).await;
        let ended_id = ended["id"].as_str().unwrap().to_owned();
        app.post(
            &format!("/api/rooms/{ended_id}/end"),
            &room.token,
            json!({}),
        )
        .await
        .expect(StatusCode::OK);
        let zoe = room.participant(&app, "Zoé", "Durand").await;
        let leo = other_room.participant(&app, "Léo", "Petit").await;
        let other_quiz_id = quiz_ids.pop().unwrap();
        let quiz_id = quiz_ids.pop().unwrap();
        Self {
            app,
            room,
            other_room,
            quiz_id,
            other_quiz_id,
            ended_id,
            zoe,
            leo,
        }
    }

    fn token(&self, who: Caller) -> Option<&str> {
        match who {
            Caller::Anonymous => None,
            Caller::Participant => self.zoe.resume_token.as_deref(),
            Caller::OtherRoomParticipant => self.leo.resume_token.as_deref(),
            Caller::OtherTrainer => Some(&self.other_room.token),
            Caller::Trainer => Some(&self.room.token),
        }
    }

    /// The ids of the trainer's things, which no stranger may learn.
    fn owner_ids(&self) -> [&str; 6] {
        [
            &self.room.trainer_id,
            &self.room.capsule_id,
            &self.room.id,
            &self.quiz_id,
            &self.ended_id,
            &self.zoe.participant_id,
        ]
    }

    /// Everything the trainer can read of their things.
    async fn owners_view(&self) -> Vec<Value> {
        let (room, ended) = (&self.room.id, &self.ended_id);
        let mut view = Vec::new();
        for path in [
            format!("/api/capsules/{}", self.room.capsule_id),
            format!("/api/quizzes/{}", self.quiz_id),
            format!("/api/rooms/{room}"),
            "/api/capsules".to_owned(),
            "/api/quizzes".to_owned(),
            "/api/rooms".to_owned(),
            "/api/sessions".to_owned(),
            format!("/api/sessions/{room}/events"),
            format!("/api/sessions/{ended}/events"),
        ] {
            let answer = self.app.get(&path, &self.room.token).await;
            view.push(json!({"path": path, "status": answer.status.as_u16(), "body": answer.body}));
        }
        view
    }

    /// Runs `rows` for `callers`, row by row; each answer that is not as expected, or that
    /// hands a stranger one of the trainer's ids, is a line of the result.
    async fn run(&self, rows: &[Row], callers: &[Caller]) -> Vec<String> {
        let mut failures = Vec::new();
        for row in rows {
            for (who, expect) in CALLERS.into_iter().zip(row.expect) {
                if !callers.contains(&who) {
                    continue;
                }
                let answer = row
                    .route
                    .call(&self.app, self.token(who), Carry::Bearer)
                    .await;
                if let Err(wrong) = expect.check(&answer) {
                    failures.push(format!("{} by {who:?}: {wrong}", row.route));
                }
                let (sent, shown) = (row.route.sent(), answer.body.to_string());
                for id in self.owner_ids() {
                    if who.is_stranger() && !sent.contains(id) && shown.contains(id) {
                        failures.push(format!("{} by {who:?} shows {id}: {shown}", row.route));
                    }
                }
            }
        }
        failures
    }

    /// Runs a whole table: everyone but the trainer, then (their things unchanged) the trainer.
    async fn run_matrix(&self, rows: &[Row]) {
        let before = self.owners_view().await;
        let mut failures = self.run(rows, &CALLERS[..4]).await;
        let after = self.owners_view().await;
        if before != after {
            failures.push(format!(
                "the others changed the trainer's things:\nbefore {before:#?}\nafter {after:#?}"
            ));
        }
        failures.extend(self.run(rows, &[Caller::Trainer]).await);
        assert!(
            failures.is_empty(),
            "{} cells of the matrix are wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// A log-in token of the trainer whose row says it expired yesterday, written through the
    /// store as a 31-day-old log-in would have left it.
    async fn expired_token(&self) -> String {
        let token = random_token();
        let db = Db::connect(&self.app.database_url).await.unwrap();
        let user_id = Uuid::parse_str(&self.room.trainer_id).unwrap();
        let now = now_ms();
        let hash = auth_tokens::hash(&token);
        auth_tokens::insert(&db, &hash, user_id, now - 31 * DAY_MS, now - DAY_MS)
            .await
            .unwrap();
        token
    }

    /// A token of a second log-in of the trainer, logged out since.
    async fn logged_out_token(&self) -> String {
        let me = self.app.get("/api/me", &self.room.token).await;
        let email = me.expect(StatusCode::OK)["email"].clone();
        let login = json!({"email": email, "password": PASSWORD});
        let login = self
            .app
            .send(
                self.app
                    .request(Method::POST, "/api/auth/login", None)
                    .json(&login),
            )
            .await;
        let token = login.expect(StatusCode::OK)["token"]
            .as_str()
            .unwrap()
            .to_owned();
        self.app
            .post("/api/auth/logout", &token, json!({}))
            .await
            .expect(StatusCode::NO_CONTENT);
        token
    }

    // --- the tables, one per family of routes ---

    fn account_rows(&self) -> Vec<Row> {
        vec![
            row(get("/api/me"), any_trainer(OK)),
            // Last: it ends the trainers' sessions.
            row(post("/api/auth/logout", json!({})), any_trainer(NO_CONTENT)),
        ]
    }

    fn capsule_rows(&self) -> Vec<Row> {
        let snapshot = crate::helpers::fixture_json("tldraw/synthetic-5-pages-fr.tldr");
        let capsule = format!("/api/capsules/{}", self.room.capsule_id);
        vec![
            row(
                post(
                    "/api/capsules",
                    json!({"title": "Nouveau", "snapshot": snapshot}),
                ),
                any_trainer(CREATED),
            ),
            row(get("/api/capsules"), any_trainer(OK)),
            row(get(&capsule), owner_only(OK)),
            row(patch(&capsule, json!({"title": "Repris"})), owner_only(OK)),
            row(delete(&capsule), owner_only(NO_CONTENT)),
        ]
    }

    fn quiz_rows(&self) -> Vec<Row> {
        let capsule = Some(self.room.capsule_id.as_str());
        let mine = format!("/api/quizzes/{}", self.quiz_id);
        let theirs = format!("/api/quizzes/{}", self.other_quiz_id);
        let gift = "/api/quizzes/import?format=gift&title=Importé";
        vec![
            row(
                post("/api/quizzes", quiz("Nouveau", None)),
                any_trainer(CREATED),
            ),
            // A quiz may name a capsule of its author's only.
            row(
                post("/api/quizzes", quiz("Nouveau", capsule)),
                [
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    Expect::Invalid("capsule_id"),
                    CREATED,
                ],
            ),
            row(
                route(Method::POST, gift, Body::Text("::Q1:: 2 + 2 ? {=4 ~5}\n")),
                any_trainer(CREATED),
            ),
            row(get("/api/quizzes"), any_trainer(OK)),
            row(get(&mine), owner_only(OK)),
            // The other trainer's quiz, pointed at the trainer's capsule by its author.
            row(
                patch(&theirs, json!({"capsule_id": self.room.capsule_id})),
                [
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    Expect::Invalid("capsule_id"),
                    NOT_FOUND,
                ],
            ),
            row(patch(&mine, json!({"title": "Repris"})), owner_only(OK)),
            row(delete(&mine), owner_only(NO_CONTENT)),
        ]
    }

    fn room_rows(&self) -> Vec<Row> {
        let room = format!("/api/rooms/{}", self.room.id);
        let capsule = &self.room.capsule_id;
        vec![
            row(
                post("/api/rooms", json!({"capsule_id": capsule})),
                [
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    Expect::Invalid("capsule_id"),
                    CREATED,
                ],
            ),
            row(
                post(
                    "/api/rooms",
                    json!({"capsule_id": capsule, "quiz_id": self.other_quiz_id}),
                ),
                [
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    Expect::Invalid("capsule_id"),
                    Expect::Invalid("quiz_id"),
                ],
            ),
            row(get("/api/rooms"), any_trainer(OK)),
            row(get(&room), owner_only(OK)),
            row(
                patch(
                    &room,
                    json!({"name": "salle-ana", "params": {"chat": "off"}}),
                ),
                owner_only(OK),
            ),
            row(post(format!("{room}/end"), json!({})), owner_only(OK)),
        ]
    }

    fn session_rows(&self) -> Vec<Row> {
        let live = format!("/api/sessions/{}", self.room.id);
        let ended = format!("/api/sessions/{}", self.ended_id);
        let session_live = Expect::Error(StatusCode::CONFLICT, "session_live");
        vec![
            row(get("/api/sessions"), any_trainer(OK)),
            row(
                get(format!("/api/sessions?capsule_id={}", self.room.capsule_id)),
                any_trainer(OK),
            ),
            row(get(format!("{live}/events")), owner_only(OK)),
            row(get(format!("{ended}/events")), owner_only(OK)),
            row(get(format!("{live}/report")), owner_only(OK)),
            row(get(format!("{ended}/report")), owner_only(OK)),
            row(get(format!("{ended}/report?format=csv")), owner_only(OK)),
            row(get(format!("{ended}/report?format=xlsx")), owner_only(OK)),
            row(get(format!("{ended}/report?format=html")), owner_only(OK)),
            row(
                delete(&live),
                [
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    UNAUTHORIZED,
                    NOT_FOUND,
                    session_live,
                ],
            ),
            row(delete(&ended), owner_only(NO_CONTENT)),
        ]
    }

    /// Every route that needs a logged-in trainer.
    fn trainer_routes(&self) -> Vec<Route> {
        [
            self.account_rows(),
            self.capsule_rows(),
            self.quiz_rows(),
            self.room_rows(),
            self.session_rows(),
        ]
        .into_iter()
        .flatten()
        .map(|row| row.route)
        .collect()
    }
}

/// 256 random bits, as a log-in token looks.
fn random_token() -> String {
    let bytes = [Uuid::new_v4().into_bytes(), Uuid::new_v4().into_bytes()].concat();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Sends a `join` that must be refused with `code`, whatever it would otherwise get (a
/// `welcome` included), and checks that the socket still answers.
async fn refused_join(client: &mut LiveClient, join: Value, code: &str, what: &str) {
    client.send(join).await;
    let answer = client
        .recv_where("welcome or error", |m| {
            ["welcome", "error"].contains(&kind(m))
        })
        .await;
    assert!(
        kind(&answer) == "error" && answer["code"] == code,
        "a join with {what} must get {code}: {answer}"
    );
    client.ping().await;
}
