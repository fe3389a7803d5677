//! The authorisation matrix (issue 8): every HTTP route and every live command, tried by each
//! kind of caller, and what each one gets (SPEC §5–§6, docs/protocol.md, docs/security.md "Who
//! can do what").
//!
//! The callers: nobody; a participant of the room (their resume token as bearer); a participant
//! of another trainer's room (theirs); another trainer; the room's trainer, who owns everything
//! the tables name. A table runs everyone but the owner first, checks that the owner's things
//! did not change and that no stranger's answer held one of the owner's ids, then runs the
//! owner's column, which proves that every path in the table is real.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pratico::store::{Db, auth_tokens, now_ms};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::{Answer, TestApp, spawn_app, spawn_app_with};
use crate::live_client::{LiveClient, LiveRoom, WAIT, kind, participant, returning, trainer};

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

// --- HTTP, family by family ---

#[tokio::test]
async fn account_routes_serve_a_logged_in_trainer_only_and_logout_ends_that_session() {
    let world = World::new().await;
    world.run_matrix(&world.account_rows()).await;
    for token in [&world.room.token, &world.other_room.token] {
        let me = world.app.get("/api/me", token).await;
        assert!(
            UNAUTHORIZED.check(&me).is_ok(),
            "a logged-out token is refused: {me:?}"
        );
    }
}

#[tokio::test]
async fn a_trainers_capsules_are_theirs_alone() {
    let world = World::new().await;
    world.run_matrix(&world.capsule_rows()).await;
}

#[tokio::test]
async fn a_trainers_quizzes_are_theirs_alone_and_may_not_name_another_trainers_capsule() {
    let world = World::new().await;
    world.run_matrix(&world.quiz_rows()).await;
}

#[tokio::test]
async fn only_a_rooms_trainer_reads_changes_or_ends_it_and_launches_name_their_own_things_only() {
    let world = World::new().await;
    world.run_matrix(&world.room_rows()).await;
}

#[tokio::test]
async fn only_a_sessions_trainer_lists_reads_reports_or_erases_it() {
    let world = World::new().await;
    world.run_matrix(&world.session_rows()).await;
}

#[tokio::test]
async fn the_snapshot_is_for_the_rooms_participants_and_trainer_and_the_upgrade_for_anyone() {
    let world = World::new().await;
    let name = &world.room.name;
    let upgrade_required = Expect::Error(StatusCode::UPGRADE_REQUIRED, "upgrade_required");
    world
        .run_matrix(&[
            row(
                get(format!("/api/live/{name}/snapshot")),
                [UNAUTHORIZED, OK, NOT_FOUND, NOT_FOUND, OK],
            ),
            // The socket is open to anyone with the link; `join` decides who is who.
            row(get(format!("/api/live/{name}")), [upgrade_required; 5]),
            row(get("/api/live/no-such-room/snapshot"), [NOT_FOUND; 5]),
            row(get("/api/live/no-such-room"), [NOT_FOUND; 5]),
        ])
        .await;
    // Anyone gets a socket, and a `pong` even before joining (docs/protocol.md: `ping` is for
    // anyone at any time).
    let mut anyone = LiveClient::connect(&world.app, name).await;
    anyone.ping().await;

    // A banned seat's token opens nothing: neither the room (join) nor its capsule (snapshot),
    // (a room that is not running answers from its checkpoint).
    let mut teacher = world.room.trainer(&world.app).await;
    let kim = world.room.participant(&world.app, "Kim", "Nguyen").await;
    let kick = json!({"type": "kick", "participant_id": kim.participant_id, "ban": true});
    teacher.command(kick).await;
    let banned = kim.resume_token.as_deref().unwrap();
    let mut again = LiveClient::connect(&world.app, name).await;
    refused_join(
        &mut again,
        returning(banned),
        "banned",
        "a banned seat's token",
    )
    .await;
    let snapshot = format!("/api/live/{name}/snapshot");
    world
        .app
        .get(&snapshot, banned)
        .await
        .expect_error(StatusCode::FORBIDDEN, "banned");
    let zoe = world.room.participant(&world.app, "Zoé", "Martin").await;
    let unbanned = zoe.resume_token.as_deref().unwrap();
    world
        .app
        .get(&snapshot, unbanned)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn public_routes_answer_everyone_alike_whatever_token_they_carry() {
    let world = World::new().await;
    let app = &world.app;
    let me = app.get("/api/me", &world.room.token).await;
    let email = me.expect(StatusCode::OK)["email"].clone();
    let join = format!("/api/join/{}", world.room.name);
    let mut failures = Vec::new();
    let mut join_infos = Vec::new();
    for who in CALLERS {
        let token = world.token(who);
        let email_of_their_own = format!("{}@example.org", Uuid::new_v4().simple());
        let signup = json!({"email": email_of_their_own, "password": PASSWORD, "name": "Nouvelle"});
        let login = json!({"email": email, "password": PASSWORD});
        for (route, expect) in [
            (get(&join), OK),
            (get("/api/join/no-such-room"), NOT_FOUND),
            (post("/api/auth/signup", signup), CREATED),
            (post("/api/auth/login", login), OK),
            (get("/api/openapi.json"), OK),
            (get("/healthz"), OK),
            (get("/readyz"), OK),
            (get("/metrics"), OK),
        ] {
            let answer = route.call(app, token, Carry::Bearer).await;
            if let Err(wrong) = expect.check(&answer) {
                failures.push(format!("{route} by {who:?}: {wrong}"));
            }
            match route.path.as_str() {
                path if path == join => join_infos.push(answer.body),
                "/api/auth/signup" if answer.body["user"]["email"] != email_of_their_own => {
                    failures.push(format!("{route} by {who:?} signs up someone else"));
                }
                "/api/auth/login" if answer.body["user"]["id"] != world.room.trainer_id => {
                    failures.push(format!("{route} by {who:?} logs in someone else"));
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        join_infos[0],
        json!({"name": world.room.name, "title": "Atelier", "trainer_name": "Ana Martin",
               "locked": false}),
        "the join page shows no more than this"
    );
    assert!(
        join_infos.iter().all(|info| *info == join_infos[0]),
        "a token changes nothing: {join_infos:#?}"
    );
}

// --- tokens ---

#[tokio::test]
async fn every_trainer_route_refuses_random_expired_logged_out_and_resume_tokens_with_401() {
    let world = World::new().await;
    let (expired, logged_out) = (world.expired_token().await, world.logged_out_token().await);
    let bad_tokens = [
        ("a random token", random_token()),
        ("an expired token", expired.clone()),
        ("a logged-out token", logged_out.clone()),
        (
            "a participant's resume token",
            world.zoe.resume_token.clone().unwrap(),
        ),
    ];
    let mut failures = Vec::new();
    for route in world.trainer_routes() {
        for (what, token) in &bad_tokens {
            for carry in [Carry::Bearer, Carry::Cookie] {
                let answer = route.call(&world.app, Some(token), carry).await;
                if let Err(wrong) = UNAUTHORIZED.check(&answer) {
                    failures.push(format!("{route} with {what} as {carry:?}: {wrong}"));
                }
            }
        }
    }
    // The snapshot answers an invalid token as it answers a stranger: no such room (and 401
    // to no token at all).
    let snapshot = get(format!("/api/live/{}/snapshot", world.room.name));
    for (what, token) in &bad_tokens[..3] {
        let answer = snapshot.call(&world.app, Some(token), Carry::Bearer).await;
        if let Err(wrong) = NOT_FOUND.check(&answer) {
            failures.push(format!("{snapshot} with {what}: {wrong}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The trainer's own session was not touched by the other one's log-out.
    world
        .app
        .get("/api/me", &world.room.token)
        .await
        .expect(StatusCode::OK);
}

/// The rows of `auth_tokens`: (token_hash, created_at, expires_at).
async fn auth_token_rows(db: &Db) -> Vec<(Vec<u8>, i64, i64)> {
    const SQL: &str = "SELECT token_hash, created_at, expires_at FROM auth_tokens";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
    }
    .unwrap()
}

/// Everything the database holds, as text to search: on PostgreSQL every row of every table;
/// on SQLite the database files themselves (the write-ahead log included).
async fn whole_database(app: &TestApp, db: &Db) -> Vec<u8> {
    match db {
        Db::Postgres(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            assert!(tables.iter().any(|t| t == "auth_tokens"), "{tables:?}");
            let mut all = Vec::new();
            for table in tables {
                let sql = sqlx::AssertSqlSafe(format!("SELECT t::text FROM \"{table}\" t"));
                let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await.unwrap();
                all.extend(rows.join("\n").into_bytes());
            }
            all
        }
        Db::Sqlite(_) => {
            let path = app.database_url.trim_start_matches("sqlite://");
            let mut all = std::fs::read(path).unwrap();
            all.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            all
        }
    }
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn log_in_tokens_are_stored_only_as_their_sha256_hash() {
    let app = spawn_app().await;
    let password = "un mot de passe bien long";
    let account = json!({"email": "ana@example.org", "password": password, "name": "Ana Martin"});
    let signup = app.request(Method::POST, "/api/auth/signup", None);
    let signup = app.send(signup.json(&account)).await;
    let mut tokens = vec![signup.expect(StatusCode::CREATED)["token"].clone()];
    for _ in 0..2 {
        let login = app.request(Method::POST, "/api/auth/login", None);
        let login = app.send(login.json(&account)).await;
        tokens.push(login.expect(StatusCode::OK)["token"].clone());
    }
    let tokens: Vec<String> = tokens
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();

    let db = Db::connect(&app.database_url).await.unwrap();
    let rows = auth_token_rows(&db).await;
    let mut stored: Vec<Vec<u8>> = rows.iter().map(|(hash, _, _)| hash.clone()).collect();
    // SHA-256 computed here, not by the server's own function.
    let sha256 = |token: &str| Sha256::digest(token.as_bytes()).to_vec();
    let mut expected: Vec<Vec<u8>> = tokens.iter().map(|t| sha256(t)).collect();
    stored.sort();
    expected.sort();
    assert_eq!(
        stored, expected,
        "one row per log-in, keyed by SHA-256(token)"
    );
    for (_, created_at, expires_at) in &rows {
        assert_eq!(expires_at - created_at, 30 * DAY_MS, "the default TTL");
    }
    let everything = whole_database(&app, &db).await;
    for token in &tokens {
        let raw = URL_SAFE_NO_PAD.decode(token).unwrap();
        assert_eq!(raw.len(), 32, "256 random bits");
        assert!(!holds(&everything, token.as_bytes()), "{token} is stored");
        assert!(!holds(&everything, &raw), "{token}'s bytes are stored");
        // PostgreSQL shows `bytea` in hex.
        for shown in [hex::encode(&raw), hex::encode(token)] {
            assert!(
                !holds(&everything, shown.as_bytes()),
                "{token} is stored in hex"
            );
        }
    }
    assert!(
        !holds(&everything, password.as_bytes()),
        "the password is stored"
    );

    app.post("/api/auth/logout", &tokens[1], json!({}))
        .await
        .expect(StatusCode::NO_CONTENT);
    let left: Vec<Vec<u8>> = auth_token_rows(&db)
        .await
        .into_iter()
        .map(|(hash, _, _)| hash)
        .collect();
    assert_eq!(left.len(), 2, "logging out deletes that session's row");
    assert!(!left.contains(&sha256(&tokens[1])));
    app.get("/api/me", &tokens[0]).await.expect(StatusCode::OK);
}

// --- the live socket ---

#[tokio::test]
async fn only_the_rooms_trainer_joins_as_trainer_whatever_token_is_offered_and_the_socket_stays_usable()
 {
    let world = World::new().await;
    let (app, name) = (&world.app, &world.room.name);
    let offered = [
        ("no token and no cookie", Value::Null),
        ("an empty token", json!("")),
        ("a random token", json!(random_token())),
        ("an expired token", json!(world.expired_token().await)),
        ("a logged-out token", json!(world.logged_out_token().await)),
        (
            "the participant's resume token",
            json!(world.zoe.resume_token),
        ),
        ("another room's resume token", json!(world.leo.resume_token)),
        ("another trainer's token", json!(world.other_room.token)),
    ];
    let mut client = LiveClient::connect(app, name).await;
    for (what, token) in offered {
        let join = json!({"type": "join", "as": "trainer", "token": token});
        refused_join(&mut client, join, "forbidden", what).await;
        let command = client.request(world.room.goto(1)).await;
        assert_eq!(
            command["code"], "bad_message",
            "still not joined: {command}"
        );
    }
    let welcome = client.join(trainer(&world.room.token)).await;
    assert_eq!(welcome["you"]["role"], "trainer");

    // The cookie, when the join carries no token; a token given wins over it.
    let as_trainer = json!({"type": "join", "as": "trainer"});
    let mut cookie = LiveClient::connect_with_cookie(app, name, &world.other_room.token).await;
    let what = "another trainer's cookie";
    refused_join(&mut cookie, as_trainer.clone(), "forbidden", what).await;
    let mut cookie = LiveClient::connect_with_cookie(app, name, &world.expired_token().await).await;
    let what = "an expired cookie";
    refused_join(&mut cookie, as_trainer.clone(), "forbidden", what).await;
    let mut cookie = LiveClient::connect_with_cookie(app, name, &world.room.token).await;
    let join = trainer(&world.other_room.token);
    let what = "another trainer's token over the trainer's cookie";
    refused_join(&mut cookie, join, "forbidden", what).await;
    let welcome = cookie.join(as_trainer).await;
    assert_eq!(
        welcome["you"]["participant_id"],
        world.room.trainer_id.as_str()
    );
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

/// `token` with one byte of its signature changed.
fn tampered(token: &str) -> String {
    let mut bytes = URL_SAFE_NO_PAD.decode(token).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `token` (room ‖ participant ‖ signature) with its room replaced by `room_id`.
fn moved_to(token: &str, room_id: &str) -> String {
    let mut bytes = URL_SAFE_NO_PAD.decode(token).unwrap();
    bytes[..16].copy_from_slice(Uuid::parse_str(room_id).unwrap().as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn forged_and_other_room_resume_tokens_are_ignored_by_join_and_refused_by_the_snapshot() {
    let world = World::new().await;
    let (app, room) = (&world.app, &world.room);
    let zoe = world.zoe.resume_token.as_deref().unwrap();
    let leo = world.leo.resume_token.as_deref().unwrap();
    // Zoé's seat id under Léo's signature: a valid signature, for another seat and room.
    let mut spliced = URL_SAFE_NO_PAD.decode(leo).unwrap();
    spliced[..32].copy_from_slice(&URL_SAFE_NO_PAD.decode(zoe).unwrap()[..32]);
    let forged = [
        ("a tampered signature", tampered(zoe)),
        ("another room's token", leo.to_owned()),
        (
            "another room's token moved to this room",
            moved_to(leo, &room.id),
        ),
        (
            "this seat with another seat's signature",
            URL_SAFE_NO_PAD.encode(spliced),
        ),
        ("the trainer's log-in token", room.token.clone()),
        ("garbage", "pas-un-jeton".to_owned()),
    ];
    let snapshot = format!("/api/live/{}/snapshot", room.name);
    let mut seats = vec![world.zoe.participant_id.clone()];
    for (what, token) in &forged {
        let mut client = LiveClient::connect(app, &room.name).await;
        refused_join(&mut client, returning(token), "bad_message", what).await;
        let mut with_names = participant("Nouveau", &format!("Venu {}", seats.len()));
        with_names["resume_token"] = json!(token);
        let welcome = client.join(with_names).await;
        let seat = welcome["you"]["participant_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            !seats.contains(&seat),
            "a join with {what} and names takes a new seat, not {seat}"
        );
        assert_eq!(welcome["state"]["answers"], json!([]), "{what}");
        seats.push(seat);
        if *what != "the trainer's log-in token" {
            let answer = app.get(&snapshot, token).await;
            assert!(
                NOT_FOUND.check(&answer).is_ok(),
                "the snapshot with {what}: {answer:?}"
            );
        }
    }
    // The real token still opens Zoé's seat, and fetches the document.
    let mut back = LiveClient::connect(app, &room.name).await;
    let welcome = back.join(returning(zoe)).await;
    assert_eq!(
        welcome["you"]["participant_id"],
        world.zoe.participant_id.as_str()
    );
    app.get(&snapshot, zoe).await.expect(StatusCode::OK);
}

/// What a live client must get.
#[derive(Clone, Copy, Debug)]
enum Reply {
    Ack,
    Pong,
    Accepted,
    Refused(&'static str),
}

const NOT_JOINED: Reply = Reply::Refused("bad_message");
const FORBIDDEN: Reply = Reply::Refused("forbidden");

impl Reply {
    fn check(self, answer: &Value) -> Result<(), String> {
        let right = match self {
            Reply::Ack => kind(answer) == "ack",
            Reply::Pong => kind(answer) == "pong",
            Reply::Accepted => kind(answer) == "quiz_answer_accepted",
            Reply::Refused(code) => {
                kind(answer) == "error"
                    && answer["code"] == code
                    && answer["message"].as_str().is_some_and(|m| !m.is_empty())
            }
        };
        if right {
            Ok(())
        } else {
            Err(format!("expected {self:?}, got {answer}"))
        }
    }
}

/// A trainer's command: refused to everyone else, acknowledged to the trainer.
fn trainers(message: Value) -> (Value, [Reply; 5]) {
    let refused = [NOT_JOINED, FORBIDDEN, NOT_JOINED, NOT_JOINED, Reply::Ack];
    (message, refused)
}

#[tokio::test]
async fn participants_get_forbidden_for_every_trainer_command_strangers_bad_message_and_sockets_stay_usable()
 {
    let world = World::new().await;
    let World {
        app,
        room,
        other_room,
        quiz_id,
        zoe,
        leo,
        ..
    } = world;
    let teacher = room.trainer(&app).await;
    let mut observer = room.participant(&app, "Obs", "Erver").await;
    let kim = room.participant(&app, "Kim", "Nguyen").await;
    // Strangers on this room's socket: one who never joins, another trainer refused as
    // trainer, a participant of another room whose token is ignored.
    let anonymous = LiveClient::connect(&app, &room.name).await;
    let mut bruno = LiveClient::connect(&app, &room.name).await;
    let what = "another trainer's token";
    refused_join(&mut bruno, trainer(&other_room.token), "forbidden", what).await;
    let mut leo_here = LiveClient::connect(&app, &room.name).await;
    let leo_token = leo.resume_token.as_deref().unwrap();
    let what = "another room's resume token";
    refused_join(&mut leo_here, returning(leo_token), "bad_message", what).await;
    let mut zoe = zoe;
    zoe.command(json!({"type": "chat_send", "text": "à effacer"}))
        .await;
    let message_id = zoe.recv_type("chat_message").await["id"].clone();
    let answer = json!({"type": "quiz_answer", "question_id": "q1", "choice_ids": ["c1"]});
    let chat = json!({"type": "chat_send", "text": "Bonjour"});
    let participants = [NOT_JOINED, Reply::Ack, NOT_JOINED, NOT_JOINED, FORBIDDEN];

    // In an order in which each of the trainer's commands succeeds: the refusals before it are
    // about who sends it, not about the state of the room.
    let steps = [
        trainers(room.goto(1)),
        trainers(json!({"type": "set_params", "params": {"navigation": "free"}})),
        (
            json!({"type": "set_page", "page_id": room.page(2)}),
            participants,
        ),
        trainers(json!({"type": "lock"})),
        trainers(json!({"type": "unlock"})),
        (
            chat,
            [NOT_JOINED, Reply::Ack, NOT_JOINED, NOT_JOINED, Reply::Ack],
        ),
        trainers(json!({"type": "chat_delete", "message_id": message_id})),
        trainers(json!({"type": "kick", "participant_id": kim.participant_id})),
        trainers(json!({"type": "quiz_start", "quiz_id": quiz_id})),
        trainers(json!({"type": "quiz_next"})),
        (
            answer,
            [
                NOT_JOINED,
                Reply::Accepted,
                NOT_JOINED,
                NOT_JOINED,
                FORBIDDEN,
            ],
        ),
        trainers(json!({"type": "quiz_close"})),
        trainers(json!({"type": "quiz_reveal"})),
        trainers(json!({"type": "quiz_end"})),
        trainers(json!({"type": "rename", "name": "salle-renommee"})),
        (json!({"type": "ping"}), [Reply::Pong; 5]),
        trainers(json!({"type": "end_session"})),
    ];
    let mut clients = [anonymous, zoe, leo_here, bruno, teacher];
    let mut failures = Vec::new();
    for (message, replies) in steps {
        for (i, (who, reply)) in CALLERS.into_iter().zip(replies).enumerate() {
            let client = &mut clients[i];
            let answer = client.request(message.clone()).await;
            if let Err(wrong) = reply.check(&answer) {
                failures.push(format!("{message} by {who:?}: {wrong}"));
            }
            if matches!(reply, Reply::Refused(_)) {
                // The connection stays usable.
                client.ping().await;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Nothing refused happened: the observer saw each of the trainer's commands once.
    let (seen, close) = observer.read_to_end(WAIT).await;
    assert_eq!(close, Some(1000), "the session ended");
    let count = |wanted: &str| seen.iter().filter(|m| kind(m) == wanted).count();
    let kicked = seen
        .iter()
        .filter(|m| kind(m) == "participant_left" && m["reason"] == "kicked")
        .count();
    let counts = [
        ("page_changed", count("page_changed")),
        ("params_changed", count("params_changed")),
        ("locked", count("locked")),
        ("chat_message", count("chat_message")),
        ("chat_deleted", count("chat_deleted")),
        ("participant_left kicked", kicked),
        ("quiz_started", count("quiz_started")),
        ("quiz_question", count("quiz_question")),
        ("quiz_question_closed", count("quiz_question_closed")),
        ("quiz_results", count("quiz_results")),
        ("quiz_ended", count("quiz_ended")),
        ("renamed", count("renamed")),
        ("session_ended", count("session_ended")),
    ];
    assert_eq!(
        counts,
        [
            ("page_changed", 1),
            ("params_changed", 1),
            ("locked", 2),
            ("chat_message", 3),
            ("chat_deleted", 1),
            ("participant_left kicked", 1),
            ("quiz_started", 1),
            ("quiz_question", 1),
            ("quiz_question_closed", 1),
            ("quiz_results", 1),
            ("quiz_ended", 1),
            ("renamed", 1),
            ("session_ended", 1),
        ],
        "what the observer saw: {seen:#?}"
    );
    drop((kim, leo));
}
