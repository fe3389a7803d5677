//! A capsule in its trainer's editors (`/api/capsules/{id}/sync`): the live canvas's sync engine
//! on the capsule's document, saved in the capsule within a second.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::client::{CanvasClient, geo};
use crate::helpers::{TestApp, eventually, spawn_app};
use crate::restart::{Server, free_local_addr};

/// A trainer and a blank capsule of theirs.
struct Deck {
    app: TestApp,
    token: String,
    id: String,
}

impl Deck {
    async fn new() -> Deck {
        Deck::on(spawn_app().await).await
    }

    async fn on(app: TestApp) -> Deck {
        let token = app.signup("Ada").await;
        let capsule = (app
            .post("/api/capsules", &token, json!({"title": "Draft"}))
            .await)
            .expect(StatusCode::CREATED);
        let id = capsule["id"].as_str().unwrap().to_owned();
        Deck { app, token, id }
    }

    fn path(&self) -> String {
        format!("/api/capsules/{}/sync", self.id)
    }

    async fn editor(&self, session: &str) -> CanvasClient {
        CanvasClient::at(self.app.addr, &self.path(), session, Some(&self.token))
            .await
            .expect("the capsule's editor")
    }

    async fn capsule(&self) -> Value {
        let path = format!("/api/capsules/{}", self.id);
        self.app
            .get(&path, &self.token)
            .await
            .expect(StatusCode::OK)
    }
}

/// The blank deck's one page.
const PAGE: &str = "page:page";

/// Waits for the `saved` notice that covers `clock`.
async fn saved_past(editor: &mut CanvasClient, clock: i64) -> i64 {
    loop {
        let saved = editor
            .next_where(|m| m["type"] == "custom" && m["data"]["type"] == "saved")
            .await
            .expect("a saved notice");
        let saved = saved["data"]["clock"].as_i64().unwrap();
        if saved >= clock {
            return saved;
        }
    }
}

#[tokio::test]
async fn a_capsule_starts_blank_or_from_the_sample_but_not_both() {
    let app = spawn_app().await;
    let token = app.signup("Ada").await;
    let blank = (app
        .post("/api/capsules", &token, json!({"title": "Blank"}))
        .await)
        .expect(StatusCode::CREATED);
    assert_eq!(
        blank["pages"],
        json!([{"id": PAGE, "name": "Page 1", "shape_count": 0}])
    );
    let body = json!({"title": "Échantillon", "sample": "fr"});
    let sample = (app.post("/api/capsules", &token, body).await).expect(StatusCode::CREATED);
    assert_eq!(sample["pages"].as_array().unwrap().len(), 5);
    assert_eq!(sample["pages"][0]["name"], "Introduction");
    let both = json!({"title": "Both", "sample": "en", "snapshot": {"store": {}}});
    (app.post("/api/capsules", &token, both).await)
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let unknown = json!({"title": "Klingon", "sample": "tlh"});
    let answer = app.post("/api/capsules", &token, unknown).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        answer.body
    );
}

#[tokio::test]
async fn two_editors_see_each_others_changes_live_and_every_change_is_saved_in_the_capsule() {
    let deck = Deck::new().await;
    let before = deck.capsule().await["updated_at"].clone();
    let mut first = deck.editor("tab1").await;
    let mut second = deck.editor("tab2").await;
    assert_eq!(first.hello["isReadonly"], false);
    let result = first
        .push_result(json!({"shape:title": ["put", geo("shape:title", PAGE, 10.0)]}))
        .await;
    assert_eq!(result["action"], "commit");
    let patch = second
        .next_where(|m| m["type"] == "patch")
        .await
        .expect("the second tab hears of the change");
    assert!(patch["diff"].get("shape:title").is_some(), "{patch}");
    // Both tabs are told when the change is in the database.
    let clock = result["serverClock"].as_i64().unwrap();
    saved_past(&mut first, clock).await;
    saved_past(&mut second, clock).await;
    let capsule = deck.capsule().await;
    assert!(capsule["snapshot"]["store"].get("shape:title").is_some());
    assert_eq!(
        capsule["pages"][0]["shape_count"], 1,
        "the slide list follows"
    );
    assert_ne!(capsule["updated_at"], before);
    // A page added in one tab is a new slide.
    let page =
        json!({"meta": {}, "id": "page:two", "name": "Two", "index": "a2", "typeName": "page"});
    let result = second.push_result(json!({"page:two": ["put", page]})).await;
    assert_eq!(result["action"], "commit");
    let clock = result["serverClock"].as_i64().unwrap();
    saved_past(&mut second, clock).await;
    // A tab that (re)connects is told at once what is saved: what it pushed before it went
    // may have been saved while it was away.
    let mut back = deck.editor("tab1").await;
    let saved = back
        .next()
        .await
        .expect("a saved notice after the connect reply");
    assert_eq!(saved["data"], json!({"type": "saved", "clock": clock}));
    let names: Vec<Value> = (deck.capsule().await["pages"].as_array().unwrap().iter())
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, [json!("Page 1"), json!("Two")]);
}

#[tokio::test]
async fn only_the_capsules_trainer_may_open_its_editor() {
    let deck = Deck::new().await;
    let addr = deck.app.addr;
    let anonymous = CanvasClient::at(addr, &deck.path(), "s1", None).await;
    assert_eq!(anonymous.err(), Some((4099, "NOT_AUTHENTICATED".into())));
    let stranger = deck.app.signup("Eve").await;
    let other = CanvasClient::at(addr, &deck.path(), "s1", Some(&stranger)).await;
    assert_eq!(
        other.err(),
        Some((4099, "NOT_FOUND".into())),
        "as if it did not exist"
    );
    for path in [
        "/api/capsules/not-an-id/sync",
        "/api/capsules/00000000-0000-0000-0000-000000000000/sync",
    ] {
        let nothing = CanvasClient::at(addr, path, "s1", Some(&deck.token)).await;
        assert_eq!(nothing.err(), Some((4099, "NOT_FOUND".into())), "{path}");
    }
    // tldraw's sessionId is required, as on the live canvas.
    let no_session = deck.app.get(&deck.path(), &deck.token).await;
    no_session.expect_error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn a_launch_takes_the_capsule_as_edited_and_later_edits_change_no_room() {
    let deck = Deck::new().await;
    let mut editor = deck.editor("tab1").await;
    let first = geo("shape:before", PAGE, 1.0);
    assert_eq!(
        editor.push(json!({"shape:before": ["put", first]})).await,
        "commit"
    );
    // At once: the change is not saved yet, and the launch takes it all the same.
    let room = deck.app.launch(&deck.token, &deck.id).await;
    let name = room["name"].as_str().unwrap();
    let after = geo("shape:after", PAGE, 200.0);
    let result = editor
        .push_result(json!({"shape:after": ["put", after]}))
        .await;
    saved_past(&mut editor, result["serverClock"].as_i64().unwrap()).await;
    let slides = (deck
        .app
        .get(&format!("/api/live/{name}/snapshot"), &deck.token)
        .await)
        .expect(StatusCode::OK);
    assert!(slides["store"].get("shape:before").is_some());
    assert!(
        slides["store"].get("shape:after").is_none(),
        "the room kept its copy"
    );
    assert!(
        deck.capsule().await["snapshot"]["store"]
            .get("shape:after")
            .is_some()
    );
}

#[tokio::test]
async fn a_capsule_open_in_an_editor_is_renamed_but_not_replaced_behind_its_back() {
    let deck = Deck::new().await;
    let mut editor = deck.editor("tab1").await;
    let path = format!("/api/capsules/{}", deck.id);
    let sample = deck.app.post(
        "/api/capsules",
        &deck.token,
        json!({"title": "S", "sample": "en"}),
    );
    let sample = sample.await.expect(StatusCode::CREATED);
    let sample_path = format!("/api/capsules/{}", sample["id"].as_str().unwrap());
    let other = (deck.app.get(&sample_path, &deck.token).await).expect(StatusCode::OK);
    let replace = json!({"snapshot": other["snapshot"]});
    let answer = deck.app.patch(&path, &deck.token, replace.clone()).await;
    answer.expect_error(StatusCode::CONFLICT, "conflict");
    let renamed = (deck
        .app
        .patch(&path, &deck.token, json!({"title": "Final"}))
        .await)
        .expect(StatusCode::OK);
    assert_eq!(renamed["title"], "Final");
    // Once the editor is closed, the document is replaced (though its task is still there).
    let mine = geo("shape:mine", PAGE, 1.0);
    let result = editor
        .push_result(json!({"shape:mine": ["put", mine]}))
        .await;
    saved_past(&mut editor, result["serverClock"].as_i64().unwrap()).await;
    drop(editor);
    let mut replaced = None;
    eventually(
        "the closed editor no longer holds the capsule",
        async || {
            let answer = deck.app.patch(&path, &deck.token, replace.clone()).await;
            let done = answer.status == StatusCode::OK;
            replaced = done.then_some(answer.body);
            done
        },
    )
    .await;
    let replaced = replaced.unwrap();
    assert_eq!(replaced["pages"].as_array().unwrap().len(), 5);
    assert!(replaced["snapshot"]["store"].get("shape:mine").is_none());
    // An editor opened now has the new document, and saves never bring the old one back.
    let editor = deck.editor("tab2").await;
    assert!(editor.hello["diff"].get("shape:mine").is_none());
    assert!(editor.hello["diff"].get("page:page").is_none());
    let first_slide = replaced["pages"][0]["id"].as_str().unwrap();
    assert!(editor.hello["diff"].get(first_slide).is_some());
}

#[tokio::test]
async fn deleting_a_capsule_closes_its_editors() {
    let deck = Deck::new().await;
    let mut editor = deck.editor("tab1").await;
    let path = format!("/api/capsules/{}", deck.id);
    deck.app
        .delete(&path, &deck.token)
        .await
        .expect(StatusCode::NO_CONTENT);
    assert_eq!(editor.closed().await, (4099, "NOT_FOUND".into()));
}

#[tokio::test]
async fn an_editor_coming_back_after_a_kill_gets_the_whole_saved_document() {
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let deck = Deck::on(app).await;
    let mut editor = deck.editor("tab1").await;
    let kept = geo("shape:kept", PAGE, 1.0);
    let result = editor
        .push_result(json!({"shape:kept": ["put", kept]}))
        .await;
    let clock = result["serverClock"].as_i64().unwrap();
    saved_past(&mut editor, clock).await;
    server.kill();
    let _server = Server::start(&deck.app).await;
    // The tab reconnects saying what it saw: the new clock is past it, so it is sent everything
    // again rather than told it is up to date.
    let addr = deck.app.addr;
    let token = Some(deck.token.as_str());
    let back = CanvasClient::coming_back(addr, &deck.path(), "tab1", token, clock).await;
    let back = back.expect("the editor reconnects");
    assert_eq!(back.hello["hydrationType"], "wipe_all");
    assert!(back.hello["serverClock"].as_i64().unwrap() > clock);
    assert!(back.hello["diff"].get("shape:kept").is_some());
    eventually("the capsule lists the shape", async || {
        deck.capsule().await["pages"][0]["shape_count"] == 1
    })
    .await;
}
