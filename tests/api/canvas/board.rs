//! What the trainer does with the board: turn a participant's drawing off and on, save the board
//! as a new capsule.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::client::geo;
use super::endpoint::Board;
use crate::helpers::TestApp;
use crate::restart::{Server, free_local_addr};

impl Board {
    fn drawing_path(&self, participant_id: &str) -> String {
        format!(
            "/api/live/{}/canvas/drawing/{participant_id}",
            self.room.name
        )
    }

    async fn put_drawing(
        &self,
        token: &str,
        participant_id: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let request = self
            .app
            .request(Method::PUT, &self.drawing_path(participant_id), Some(token))
            .json(&body);
        let answer = self.app.send(request).await;
        (answer.status, answer.body)
    }

    fn zoe_id(&self) -> String {
        self._seat.participant_id.clone()
    }
}

#[tokio::test]
async fn a_participant_whose_drawing_is_off_reconnects_read_only_and_may_draw_again_once_on() {
    let board = Board::open().await;
    board.set_collaboration("draw").await;
    let page = board.first_page();
    let token = board.room.token.clone();
    let zoe_id = board.zoe_id();
    let mut zoe = board.participant("z1").await;
    assert_eq!(zoe.hello["isReadonly"], false);

    let (status, body) = board
        .put_drawing(&token, &zoe_id, json!({"allowed": false}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (code, _) = zoe.closed().await;
    assert_eq!(code, 1000, "a normal close: tldraw's client reconnects");
    let mut zoe = board.participant("z1").await;
    assert_eq!(zoe.hello["isReadonly"], true, "her drawing is off");
    let refused = zoe
        .push(json!({"shape:z1": ["put", geo("shape:z1", &page, 0.0)]}))
        .await;
    assert_eq!(refused, "discard");
    let listed = board
        .app
        .get(
            &format!("/api/live/{}/canvas/drawing", board.room.name),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["participant_ids"], json!([zoe_id]));

    let (status, _) = board
        .put_drawing(&token, &zoe_id, json!({"allowed": true}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(zoe.closed().await.0, 1000);
    let mut zoe = board.participant("z1").await;
    assert_eq!(zoe.hello["isReadonly"], false, "her drawing is on again");
    let drawn = zoe
        .push(json!({"shape:z2": ["put", geo("shape:z2", &page, 3.0)]}))
        .await;
    assert!(
        drawn == "commit" || drawn.get("rebaseWithDiff").is_some(),
        "{drawn}"
    );
}

#[tokio::test]
async fn a_participants_drawing_stays_off_after_a_kill_of_the_server() {
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let board = Board::on(app).await;
    board.set_collaboration("draw").await;
    let zoe_id = board.zoe_id();
    let (status, body) = board
        .put_drawing(&board.room.token, &zoe_id, json!({"allowed": false}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // Acknowledged means saved: the room's events hold it.
    server.kill();
    let _server = Server::start(&board.app).await;
    let zoe = board.participant("z1").await;
    assert_eq!(zoe.hello["isReadonly"], true, "her drawing is still off");
    let listed = board
        .app
        .get(
            &format!("/api/live/{}/canvas/drawing", board.room.name),
            &board.room.token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["participant_ids"], json!([zoe_id]));
}

#[tokio::test]
async fn only_the_rooms_trainer_turns_drawing_off_and_only_for_a_participant_of_the_room() {
    let board = Board::open().await;
    let token = board.room.token.clone();
    let zoe_id = board.zoe_id();
    let off = json!({"allowed": false});

    let other = board.app.signup("Other Trainer").await;
    let (status, body) = board.put_drawing(&other, &zoe_id, off.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "forbidden");

    let (status, _) = board.put_drawing(&board.resume, &zoe_id, off.clone()).await;
    assert!(
        status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
        "a participant's token: {status}"
    );

    let unknown = uuid::Uuid::now_v7().to_string();
    let (status, body) = board.put_drawing(&token, &unknown, off.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = board.put_drawing(&token, "not-an-id", off.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let request = board
        .app
        .request(
            Method::PUT,
            "/api/live/no-such-room/canvas/drawing/x",
            Some(&token),
        )
        .json(&off);
    assert_eq!(board.app.send(request).await.status, StatusCode::NOT_FOUND);

    for bad in [json!({}), json!({"allowed": "no"}), json!([true])] {
        let (status, body) = board.put_drawing(&token, &zoe_id, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "bad_request");
    }
}

#[tokio::test]
async fn the_board_saved_as_a_capsule_holds_the_rooms_pages_and_everyones_drawings() {
    let board = Board::open().await;
    board.set_collaboration("draw").await;
    let token = board.room.token.clone();
    let page = board.first_page();
    let mut trainer = board.trainer("t1").await;
    let mut zoe = board.participant("z1").await;
    assert_eq!(
        trainer
            .push(json!({"shape:t1": ["put", geo("shape:t1", &page, 1.0)]}))
            .await,
        "commit"
    );
    let drawn = zoe
        .push(json!({"shape:z1": ["put", geo("shape:z1", &page, 2.0)]}))
        .await;
    assert!(drawn != "discard", "{drawn}");

    let save = format!("/api/live/{}/canvas/capsule", board.room.name);
    let other = board.app.signup("Other Trainer").await;
    board
        .app
        .post(&save, &other, json!({}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");

    let saved = board
        .app
        .post(&save, &token, json!({}))
        .await
        .expect(StatusCode::CREATED);
    let title = saved["title"].as_str().unwrap();
    assert!(title.contains("(board, "), "{title}");
    let capsule_id = saved["id"].as_str().unwrap().to_owned();
    let pages: Vec<&str> = saved["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let room_pages: Vec<&str> = board.room.pages.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(pages, room_pages, "the board's pages");

    let list = board
        .app
        .get("/api/capsules", &token)
        .await
        .expect(StatusCode::OK);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == capsule_id.as_str()),
        "{list}"
    );
    let capsule = board
        .app
        .get(&format!("/api/capsules/{capsule_id}"), &token)
        .await
        .expect(StatusCode::OK);
    let store = &capsule["snapshot"]["store"];
    assert!(store.get("shape:t1").is_some(), "the trainer's drawing");
    assert!(store.get("shape:z1").is_some(), "the participant's drawing");

    let named = board
        .app
        .post(&save, &token, json!({"title": "Our board"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(named["title"], "Our board");

    let end = format!("/api/rooms/{}/end", board.room.id);
    board
        .app
        .post(&end, &token, json!({}))
        .await
        .expect(StatusCode::OK);
    board
        .app
        .post(&save, &token, json!({}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_board_nobody_opened_is_saved_from_the_rooms_copy_of_the_capsule() {
    let board = Board::open().await;
    let save = format!("/api/live/{}/canvas/capsule", board.room.name);
    let saved = board
        .app
        .post(&save, &board.room.token, json!({}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        saved["pages"].as_array().unwrap().len(),
        board.room.pages.len()
    );
}
