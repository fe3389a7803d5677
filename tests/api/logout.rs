//! Ending log-ins: a log-out, a password change and "log out everywhere" stop the tokens they
//! end and close, at once, every socket opened with them (the live socket, the room's canvas,
//! the capsule editor), and nothing else.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::canvas::client::CanvasClient;
use crate::helpers::{Answer, TestApp, spawn_app};
use crate::live_client::{LiveClient, LiveRoom, trainer};

const PASSWORD: &str = "correct horse battery";

/// A trainer's account: logged in twice (A and B, two browsers), with a live room.
struct Account {
    email: String,
    a: String,
    b: String,
    room: LiveRoom,
}

impl Account {
    async fn new(app: &TestApp) -> Self {
        let email = "ana@example.org".to_owned();
        let signup = json!({"email": email, "password": PASSWORD, "name": "Ana Martin"});
        let signed = app
            .send(
                app.request(Method::POST, "/api/auth/signup", None)
                    .json(&signup),
            )
            .await
            .expect(StatusCode::CREATED);
        let a = signed["token"].as_str().unwrap().to_owned();
        let b = log_in(app, &email, PASSWORD).await.expect(StatusCode::OK)["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let room = LiveRoom::launch_by(app, a.clone(), json!({})).await;
        Self { email, a, b, room }
    }

    /// The live socket, the room's canvas and the capsule's editor, opened with `token`.
    async fn sockets(&self, app: &TestApp, token: &str, tab: &str) -> Sockets {
        let live = LiveClient::joined(app, &self.room.name, trainer(token)).await;
        let canvas = CanvasClient::open(app.addr, &self.room.name, tab, Some(token))
            .await
            .expect("the room's canvas opens");
        let editor_path = format!("/api/capsules/{}/sync", self.room.capsule_id);
        let editor = CanvasClient::at(app.addr, &editor_path, tab, Some(token))
            .await
            .expect("the capsule's editor opens");
        Sockets {
            live,
            canvas,
            editor,
        }
    }
}

struct Sockets {
    live: LiveClient,
    canvas: CanvasClient,
    editor: CanvasClient,
}

impl Sockets {
    /// Each socket closes, saying the log-in ended.
    async fn expect_logged_out(&mut self) {
        let reason = self.live.expect_closed(4004).await;
        assert!(reason.contains("log in"), "{reason}");
        for canvas in [&mut self.canvas, &mut self.editor] {
            assert_eq!(
                canvas.closed().await,
                (4099, "NOT_AUTHENTICATED".to_owned())
            );
        }
    }

    /// Each socket still answers.
    async fn expect_open(&mut self) {
        self.live.ping().await;
        for canvas in [&mut self.canvas, &mut self.editor] {
            canvas.send(json!({"type": "ping"})).await;
            let pong = canvas.next_where(|m| m["type"] == "pong").await;
            assert!(pong.is_ok(), "{pong:?}");
        }
    }
}

async fn log_in(app: &TestApp, email: &str, password: &str) -> Answer {
    let body = json!({"email": email, "password": password});
    app.send(
        app.request(Method::POST, "/api/auth/login", None)
            .json(&body),
    )
    .await
}

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/me", token).await.status
}

#[tokio::test]
async fn logging_out_closes_the_sockets_of_that_log_in_and_no_other() {
    let app = spawn_app().await;
    let account = Account::new(&app).await;
    let mut a = account.sockets(&app, &account.a, "a").await;
    let mut b = account.sockets(&app, &account.b, "b").await;
    // A trainer's socket that logged in by the cookie closes alike.
    let mut by_cookie = LiveClient::connect_with_cookie(&app, &account.room.name, &account.a).await;
    by_cookie
        .join(json!({"type": "join", "as": "trainer"}))
        .await;
    let mut zoe = account.room.participant(&app, "Zoé", "Durand").await;

    let out = app.request(Method::POST, "/api/auth/logout", Some(&account.a));
    assert_eq!(app.send(out).await.status, StatusCode::NO_CONTENT);
    a.expect_logged_out().await;
    by_cookie.expect_closed(4004).await;
    b.expect_open().await;
    zoe.ping().await;
    assert_eq!(me(&app, &account.a).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &account.b).await, StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_ends_every_other_log_in_and_keeps_this_one() {
    let app = spawn_app().await;
    let account = Account::new(&app).await;
    let mut a = account.sockets(&app, &account.a, "a").await;
    let mut b = account.sockets(&app, &account.b, "b").await;
    let change = |current: &str, new: &str| {
        let body = json!({"current_password": current, "new_password": new});
        app.post("/api/auth/password", &account.a, body)
    };

    change("wrong horse battery", "a new long password")
        .await
        .expect_error(StatusCode::FORBIDDEN, "invalid_credentials");
    let weak = change(PASSWORD, "short").await;
    weak.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(weak.body["error"]["field"], "new_password");
    // Refusals ended nothing.
    assert_eq!(me(&app, &account.b).await, StatusCode::OK);
    b.expect_open().await;

    let changed = change(PASSWORD, "a new long password").await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:#}", changed.body);
    b.expect_logged_out().await;
    a.expect_open().await;
    assert_eq!(me(&app, &account.b).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &account.a).await, StatusCode::OK);
    log_in(&app, &account.email, PASSWORD)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    log_in(&app, &account.email, "a new long password")
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn logging_out_everywhere_ends_every_log_in_of_the_account_only() {
    let app = spawn_app().await;
    let account = Account::new(&app).await;
    let mut a = account.sockets(&app, &account.a, "a").await;
    let mut b = account.sockets(&app, &account.b, "b").await;
    let other = app.signup("Someone Else").await;

    let response = app
        .request(Method::POST, "/api/auth/logout-all", Some(&account.b))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    a.expect_logged_out().await;
    b.expect_logged_out().await;
    for token in [&account.a, &account.b] {
        assert_eq!(me(&app, token).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(me(&app, &other).await, StatusCode::OK);
    // The room lives on: the trainer logs in again and takes it back.
    let again = log_in(&app, &account.email, PASSWORD)
        .await
        .expect(StatusCode::OK);
    let token = again["token"].as_str().unwrap();
    let welcome: Value = LiveClient::joined(&app, &account.room.name, trainer(token))
        .await
        .welcome;
    assert_eq!(welcome["you"]["role"], "trainer");
}
