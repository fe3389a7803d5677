//! The canvas endpoint over real sockets: who may connect, who may write, what a mode switch
//! does, and that the board outlives a restart.

use reqwest::StatusCode;
use serde_json::json;

use super::client::{CanvasClient, geo};
use crate::helpers::eventually;
use crate::helpers::{TestApp, spawn_app};
use crate::live_client::{LiveClient, LiveRoom, participant};
use crate::restart::{Server, free_local_addr};

/// A room, its trainer's canvas and a participant's resume token.
pub(super) struct Board {
    pub(super) app: TestApp,
    pub(super) room: LiveRoom,
    /// Keeps the participant's seat (and room socket) open.
    pub(super) _seat: LiveClient,
    pub(super) resume: String,
}

impl Board {
    pub(super) async fn open() -> Board {
        let app = spawn_app().await;
        Board::on(app).await
    }

    pub(super) async fn on(app: TestApp) -> Board {
        let room = LiveRoom::launch(&app).await;
        let seat = LiveClient::joined(&app, &room.name, participant("Zoé", "Durand")).await;
        let resume = seat.resume_token.clone().expect("a resume token");
        Board {
            app,
            room,
            _seat: seat,
            resume,
        }
    }

    pub(super) async fn trainer(&self, session: &str) -> CanvasClient {
        CanvasClient::open(
            self.app.addr,
            &self.room.name,
            session,
            Some(&self.room.token),
        )
        .await
        .expect("the trainer's canvas")
    }

    pub(super) async fn participant(&self, session: &str) -> CanvasClient {
        CanvasClient::open(self.app.addr, &self.room.name, session, Some(&self.resume))
            .await
            .expect("the participant's canvas")
    }

    pub(super) fn first_page(&self) -> String {
        self.room.pages[0].0.clone()
    }

    pub(super) async fn set_collaboration(&self, mode: &str) {
        let path = format!("/api/rooms/{}", self.room.id);
        self.app
            .patch(
                &path,
                &self.room.token,
                json!({"params": {"collaboration": mode}}),
            )
            .await
            .expect(StatusCode::OK);
    }
}

#[tokio::test]
async fn the_trainer_draws_and_a_viewing_participant_sees_it_live_but_cannot_draw() {
    let board = Board::open().await;
    let mut trainer = board.trainer("t1").await;
    let mut zoe = board.participant("z1").await;
    assert_eq!(trainer.hello["isReadonly"], false);
    assert_eq!(
        zoe.hello["isReadonly"], true,
        "participants only look in `view` mode"
    );
    assert_eq!(zoe.hello["hydrationType"], "wipe_all");
    let pages: Vec<&String> = zoe.hello["diff"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("page:"))
        .collect();
    assert_eq!(
        pages.len(),
        board.room.pages.len(),
        "the whole capsule is the shared document"
    );
    let page = board.first_page();
    let action = trainer
        .push(json!({"shape:t1": ["put", geo("shape:t1", &page, 10.0)]}))
        .await;
    assert_eq!(action, "commit");
    let patch = zoe.next_where(|m| m["type"] == "patch").await.unwrap();
    assert_eq!(patch["diff"]["shape:t1"][0], "put");
    let refused = zoe
        .push(json!({"shape:z1": ["put", geo("shape:z1", &page, 0.0)]}))
        .await;
    assert_eq!(
        refused, "discard",
        "a read-only session's drawing is discarded"
    );
    let bad = json!({"shape:t2": ["put", {"id": "shape:t2", "typeName": "shape", "x": "left"}]});
    trainer
        .send(json!({"type": "push", "clientClock": 9, "diff": bad}))
        .await;
    assert_eq!(trainer.closed().await, (4099, "INVALID_RECORD".into()));
}

#[tokio::test]
async fn switching_to_draw_reconnects_participants_who_may_then_draw_for_everyone() {
    let board = Board::open().await;
    let mut trainer = board.trainer("t1").await;
    let mut zoe = board.participant("z1").await;
    assert_eq!(zoe.hello["isReadonly"], true);
    board.set_collaboration("draw").await;
    let (code, _) = zoe.closed().await;
    assert_eq!(
        code, 1000,
        "a normal close: tldraw's client reconnects by itself"
    );
    let mut zoe = board.participant("z1").await;
    assert_eq!(zoe.hello["isReadonly"], false);
    let page = board.first_page();
    let action = zoe
        .push(json!({"shape:z1": ["put", geo("shape:z1", &page, 5.0)]}))
        .await;
    let zoe_id = board._seat.participant_id.as_str();
    let stroke = &action["rebaseWithDiff"]["shape:z1"];
    assert_eq!(
        stroke[1]["meta"]["createdBy"], zoe_id,
        "the server marks whose stroke it is: {action}"
    );
    let patch = trainer
        .next_where(|m| m["type"] == "patch" && m["diff"].get("shape:z1").is_some())
        .await
        .unwrap();
    assert_eq!(patch["diff"]["shape:z1"][1]["x"], 5.0);
    // Her own stroke she may move; the capsule's shapes she may not remove.
    let moved = zoe
        .push(json!({"shape:z1": ["patch", {"x": ["put", 6]}]}))
        .await;
    assert_eq!(moved, "commit");
    let slide_shape = zoe.hello["diff"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.starts_with("shape:"))
        .expect("the capsule has shapes")
        .clone();
    let removed = zoe.push(json!({slide_shape.clone(): ["remove"]})).await;
    assert_eq!(removed, "discard", "a participant cannot erase the slide");
    board.set_collaboration("private").await;
    zoe.closed().await;
    let zoe = board.participant("z1").await;
    assert_eq!(
        zoe.hello["isReadonly"], true,
        "in `private` mode the shared canvas is read-only"
    );
}

#[tokio::test]
async fn a_canvas_socket_without_the_right_credentials_is_refused_with_the_reason() {
    let board = Board::open().await;
    let addr = board.app.addr;
    let name = &board.room.name;
    let refused = |r: Result<CanvasClient, (u16, String)>| r.err().expect("refused");
    assert_eq!(
        refused(CanvasClient::open(addr, name, "s", None).await),
        (4099, "NOT_AUTHENTICATED".into())
    );
    assert_eq!(
        refused(CanvasClient::open(addr, name, "s", Some("forged")).await),
        (4099, "NOT_AUTHENTICATED".into())
    );
    assert_eq!(
        refused(CanvasClient::open(addr, "no-such-room", "s", Some(&board.resume)).await),
        (4099, "NOT_FOUND".into())
    );
    let other = board.app.signup("Other Trainer").await;
    assert_eq!(
        refused(CanvasClient::open(addr, name, "s", Some(&other)).await),
        (4099, "FORBIDDEN".into())
    );
    let url = board.app.url(&format!("/api/live/{name}/canvas"));
    let answer = board.app.client.get(url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "no sessionId");
}

#[tokio::test]
async fn a_banned_participant_is_taken_off_the_canvas_and_refused_after() {
    let board = Board::open().await;
    let mut trainer_room = LiveClient::joined(
        &board.app,
        &board.room.name,
        crate::live_client::trainer(&board.room.token),
    )
    .await;
    let mut zoe = board.participant("z1").await;
    let zoe_id = board._seat.participant_id.clone();
    trainer_room
        .command(json!({"type": "kick", "participant_id": zoe_id, "ban": true}))
        .await;
    assert_eq!(zoe.closed().await, (4099, "FORBIDDEN".into()));
    let again =
        CanvasClient::open(board.app.addr, &board.room.name, "z1", Some(&board.resume)).await;
    assert_eq!(again.err(), Some((4099, "FORBIDDEN".into())));
}

#[tokio::test]
async fn the_board_survives_a_kill_of_the_server() {
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let board = Board::on(app).await;
    let page = board.first_page();
    let mut trainer = board.trainer("t1").await;
    assert_eq!(
        trainer
            .push(json!({"shape:kept": ["put", geo("shape:kept", &page, 1.0)]}))
            .await,
        "commit"
    );
    let clock = trainer.hello["serverClock"].as_i64().unwrap();
    // Saved within a second of the change: wait until the database holds it (asked of the
    // database, not of the snapshot endpoint, which limits fetches per seat).
    let db = pratico::store::Db::connect(&board.app.database_url)
        .await
        .unwrap();
    let room_id = board.room.id.parse().unwrap();
    eventually("the board is saved", async || {
        let stored = pratico::store::rooms::snapshot_text(&db, room_id).await;
        stored.unwrap().contains("shape:kept")
    })
    .await;
    drop(db);
    server.kill();
    let _server = Server::start(&board.app).await;
    let trainer = board.trainer("t1").await;
    assert!(
        trainer.hello["diff"].get("shape:kept").is_some(),
        "the shape drawn before the kill is back"
    );
    assert!(
        trainer.hello["serverClock"].as_i64().unwrap() > clock,
        "the clock never goes back"
    );
}

#[tokio::test]
async fn ending_the_session_closes_the_canvas_and_deletes_the_board() {
    let board = Board::open().await;
    let mut trainer = board.trainer("t1").await;
    let page = board.first_page();
    assert_eq!(
        trainer
            .push(json!({"shape:x": ["put", geo("shape:x", &page, 1.0)]}))
            .await,
        "commit"
    );
    let path = format!("/api/rooms/{}/end", board.room.id);
    board
        .app
        .post(&path, &board.room.token, json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(trainer.closed().await, (4099, "NOT_FOUND".into()));
    let again = CanvasClient::open(
        board.app.addr,
        &board.room.name,
        "t1",
        Some(&board.room.token),
    )
    .await;
    assert_eq!(again.err(), Some((4099, "NOT_FOUND".into())));
}
