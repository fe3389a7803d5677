//! The crash test: the real binary is killed (SIGKILL) in the middle of a session and started
//! again on the same database; nothing acknowledged is lost and participants get their seats back.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, eventually_within};
use crate::live_client::{
    LiveClient, LiveRoom, assert_events_in_order, kind, participant, returning,
};

/// The `pratico` binary, serving `app`'s database on `app`'s address; killed when dropped.
pub struct Server {
    child: Child,
}

impl Server {
    pub async fn start(app: &TestApp) -> Self {
        Self::start_with(app, &[]).await
    }

    /// Starts the binary with these `PRATICO_*` settings added.
    pub async fn start_with(app: &TestApp, settings: &[(&str, &str)]) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_pratico"))
            .envs(settings.iter().copied())
            .env("PRATICO_DATABASE_URL", &app.database_url)
            .env("PRATICO_LISTEN", app.addr.to_string())
            .env("PRATICO_LOG", "warn")
            // Tests sign many trainers up from one address (see `spawn_app_with`).
            .env("PRATICO_AUTH_ATTEMPTS_PER_MINUTE", "10000")
            .env_remove("PRATICO_PUBLIC_URL")
            .stdout(Stdio::null())
            .spawn()
            .expect("the pratico binary starts");
        let mut server = Self { child };
        server.wait_until_healthy(app).await;
        server
    }

    async fn wait_until_healthy(&mut self, app: &TestApp) {
        let child = &mut self.child;
        eventually_within(
            Duration::from_secs(30),
            "the server is healthy",
            async || {
                if let Some(status) = child.try_wait().unwrap() {
                    panic!("the server exited early: {status}");
                }
                let health = app.client.get(app.url("/healthz")).send().await;
                health.is_ok_and(|r| r.status() == StatusCode::OK)
            },
        )
        .await;
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the server to exit (after a signal), for up to 30 s.
    pub fn wait(&mut self) {
        for _ in 0..300 {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not stop within 30 s");
    }

    /// `kill -9`: no shutdown, no last checkpoint.
    pub fn kill(&mut self) {
        self.child.kill().expect("the server is killed");
        self.child.wait().expect("the killed server is reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A local address nobody listens on (bound, then released). Its port is drawn below the
/// ephemeral range (32768–60999 on Linux) that the other tests' servers and every outgoing
/// connection take ports from, so that none takes it before the binary binds it.
pub fn free_local_addr() -> SocketAddr {
    loop {
        let port = 20_000 + (uuid::Uuid::new_v4().as_u128() % 12_000) as u16;
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
            return listener.local_addr().unwrap();
        }
    }
}

#[tokio::test]
async fn after_a_kill_acknowledged_events_are_kept_and_participants_get_their_seats_back() {
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let room = LiveRoom::launch(&app).await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let leo = room.participant(&app, "Léo", "Petit").await;
    trainer.command(room.goto(2)).await;
    trainer
        .command(json!({"type": "set_params", "params": {"collaboration": "draw"}}))
        .await;
    zoe.command(json!({"type": "chat_send", "text": "Avant la panne"}))
        .await;
    trainer.command(json!({"type": "lock"})).await;
    let seats = [
        (
            zoe.participant_id.clone(),
            zoe.resume_token.clone().unwrap(),
        ),
        (
            leo.participant_id.clone(),
            leo.resume_token.clone().unwrap(),
        ),
    ];
    server.kill();
    drop((trainer, zoe, leo));

    let _server = Server::start(&app).await;
    for (id, token) in &seats {
        let back = LiveClient::joined(&app, &room.name, returning(token)).await;
        assert_eq!(&back.participant_id, id, "the same seat");
        let state = &back.welcome["state"];
        assert_eq!(state["page_id"], room.page(2));
        assert_eq!(state["params"]["collaboration"], "draw");
        assert_eq!(state["locked"], true);
        let chat: Vec<&str> = state["chat"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap())
            .collect();
        assert_eq!(chat, ["Avant la panne"]);
    }
    let trainer = room.trainer(&app).await;
    assert_eq!(
        trainer.welcome["state"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let mut newcomer = LiveClient::connect(&app, &room.name).await;
    newcomer
        .refused(participant("Inès", "Roy"), "room_locked")
        .await;

    let events = room.events(&app).await;
    for event in &events {
        assert_eq!(event.user_id.to_string(), room.trainer_id, "{}", event.kind);
    }
    let [(zoe_id, _), (leo_id, _)] = &seats;
    assert_events_in_order(
        &events,
        &[
            ("session_started", json!({"room_name": room.name})),
            (
                "participant_joined",
                json!({"participant_id": zoe_id, "rejoin": false}),
            ),
            (
                "participant_joined",
                json!({"participant_id": leo_id, "rejoin": false}),
            ),
            (
                "page_changed",
                json!({"page_id": room.page(2), "page_index": 2}),
            ),
            ("params_changed", json!({"changed": ["collaboration"]})),
            (
                "chat_message_sent",
                json!({"participant_id": zoe_id, "length": 14}),
            ),
            ("room_locked", json!({})),
            (
                "participant_joined",
                json!({"participant_id": zoe_id, "rejoin": true}),
            ),
            (
                "participant_joined",
                json!({"participant_id": leo_id, "rejoin": true}),
            ),
        ],
    );
}

#[tokio::test]
async fn after_a_kill_those_who_do_not_come_back_are_recorded_as_gone_after_the_heartbeat() {
    let app = TestApp::without_server(free_local_addr()).await;
    let heartbeat = [("PRATICO_HEARTBEAT_TIMEOUT_S", "2")];
    let mut server = Server::start_with(&app, &heartbeat).await;
    let room = LiveRoom::launch(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let leo = room.participant(&app, "Léo", "Petit").await;
    let (zoe_token, leo_id) = (
        zoe.resume_token.clone().unwrap(),
        leo.participant_id.clone(),
    );
    server.kill();
    drop((zoe, leo));

    let _server = Server::start_with(&app, &heartbeat).await;
    let mut trainer = room.trainer(&app).await;
    let zoe_stays = LiveClient::joined(&app, &room.name, returning(&zoe_token))
        .await
        .stay_in_background();
    let gone = trainer
        .recv_where_pinging("Léo recorded as gone", Duration::from_secs(15), |m| {
            kind(m) == "participant_left" && m["participant_id"] == leo_id.as_str()
        })
        .await;
    assert_eq!(gone["reason"], "timeout");
    zoe_stays.abort();

    let events = room.events(&app).await;
    let left: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "participant_left")
        .map(|e| e.data.0["participant_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        left.first(),
        Some(&leo_id),
        "Léo, and not Zoé who came back: {left:?}"
    );
}
