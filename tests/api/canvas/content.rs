//! What URLs a document may hold (issue 20): a capsule or a push that would make participants'
//! browsers load another site (an embed, a bookmark, an image from elsewhere, a link away) is
//! refused; a capsule stored before the rule launches without it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::client::{CanvasClient, geo};
use super::endpoint::Board;
use crate::helpers::{TestApp, fixture_json, spawn_app};

/// A 1 × 1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const DECK: &str = "synthetic-5-pages-fr.tldr";

/// A shape of `kind` on `page`, as tldraw 5.4.2 makes it, with these props.
fn shape(id: &str, page: &str, kind: &str, props: Value) -> Value {
    let mut shape = geo(id, page, 0.0);
    shape["type"] = json!(kind);
    shape["props"] = props;
    shape
}

fn embed(id: &str, page: &str, url: &str) -> Value {
    shape(id, page, "embed", json!({"w": 560, "h": 315, "url": url}))
}

fn image_asset(id: &str, src: &str) -> Value {
    json!({"id": id, "typeName": "asset", "type": "image", "meta": {},
           "props": {"w": 1, "h": 1, "name": "x.png", "isAnimated": false,
                     "mimeType": "image/png", "src": src}})
}

fn geo_with(id: &str, page: &str, url: &str, link: &str) -> Value {
    let mut shape = geo(id, page, 0.0);
    shape["props"]["url"] = json!(url);
    shape["props"]["richText"] = json!({"type": "doc", "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": "lien", "marks": [{"type": "link", "attrs": {"href": link}}]}]}]});
    shape
}

/// The deck's `.tldr` with `extra` records added, and its first page's id.
fn deck_with(extra: &[Value]) -> Value {
    let mut file = fixture_json(&format!("tldraw/{DECK}"));
    let records = file["records"].as_array_mut().unwrap();
    records.extend(extra.iter().cloned());
    file
}

fn first_page() -> String {
    let file = fixture_json(&format!("tldraw/{DECK}"));
    let records = file["records"].as_array().unwrap();
    let page = records.iter().find(|r| r["typeName"] == "page").unwrap();
    page["id"].as_str().unwrap().to_owned()
}

/// The trainer's capsule import of `records` (on top of the deck): its answer.
async fn import(
    app: &TestApp,
    token: &str,
    records: &[Value],
    lang: &str,
) -> crate::helpers::Answer {
    let body = json!({"title": "Atelier", "snapshot": deck_with(records)});
    app.post(&format!("/api/capsules?lang={lang}"), token, body)
        .await
}

#[tokio::test]
async fn an_import_that_would_load_another_site_is_refused_naming_the_shape_and_the_field() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let page = first_page();
    let youtube = "https://www.youtube.com/embed/dQw4w9WgXcQ";
    let cases = [
        (
            vec![embed("shape:yt", &page, youtube)],
            "shape \"shape:yt\" (embed)",
            "embedded pages",
        ),
        (
            vec![embed(
                "shape:page",
                &page,
                "data:text/html,<script>alert(1)</script>",
            )],
            "shape \"shape:page\" (embed)",
            "embedded pages",
        ),
        (
            vec![image_asset("asset:far", "https://cdn.example.com/cat.png")],
            "asset \"asset:far\" (image)",
            "props.src is \"https://cdn.example.com/cat.png\"",
        ),
        (
            vec![shape(
                "shape:mark",
                &page,
                "bookmark",
                json!({"w": 300, "h": 320, "assetId": null, "url": "https://example.org"}),
            )],
            "shape \"shape:mark\" (bookmark)",
            "bookmarks",
        ),
        (
            vec![geo_with(
                "shape:js",
                &page,
                "javascript:alert(document.cookie)",
                "",
            )],
            "shape \"shape:js\" (geo)",
            "props.url is \"javascript:alert(document.cookie)\"",
        ),
        (
            vec![shape(
                "shape:txt",
                &page,
                "text",
                json!({"url": "https://tracker.example/p", "w": 8}),
            )],
            "shape \"shape:txt\" (text)",
            "props.url is \"https://tracker.example/p\"",
        ),
        (
            vec![geo_with(
                "shape:link",
                &page,
                "",
                "https://example.org/away",
            )],
            "shape \"shape:link\" (geo)",
            "props.richText.content[0].content[0].marks[0].attrs.href",
        ),
    ];
    for (records, names, says) in cases {
        let answer = import(&app, &token, &records, "en").await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("snapshot: {names}")),
            "{message}"
        );
        assert!(message.contains(says), "{message}");
    }
    let answer = import(&app, &token, &[embed("shape:yt", &page, youtube)], "fr").await;
    answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("les pages intégrées et les signets"),
        "{message}"
    );

    // Nor does a new document reach a capsule through its PATCH.
    let capsule = app.capsule_from_fixture(&token, "Atelier", DECK).await;
    let path = format!("/api/capsules/{}?lang=fr", capsule["id"].as_str().unwrap());
    let far = image_asset("asset:far", "https://cdn.example.com/cat.png");
    let answer = app
        .patch(&path, &token, json!({"snapshot": deck_with(&[far])}))
        .await;
    answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("asset \"asset:far\" (image) : props.src vaut"),
        "{message}"
    );
    let list = app
        .get("/api/capsules", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "the sample deck and the one import: {list}"
    );
}

#[tokio::test]
async fn a_deck_of_its_own_images_and_inline_images_is_accepted() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let png = base64_decode(PNG);
    let uploaded = app
        .send(
            app.request(reqwest::Method::POST, "/api/assets", Some(&token))
                .header("content-type", "image/png")
                .body(png),
        )
        .await
        .expect(StatusCode::CREATED);
    let own = uploaded["url"].as_str().unwrap().to_owned();
    let absolute = app.url(&own);
    let page = first_page();
    let records = [
        image_asset("asset:own", &own),
        image_asset("asset:absolute", &absolute),
        image_asset("asset:inline", &format!("data:image/png;base64,{PNG}")),
        image_asset(
            "asset:svg",
            "data:image/svg+xml;utf8,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
        ),
        shape(
            "shape:img",
            &page,
            "image",
            json!({"w": 1, "h": 1, "url": "", "assetId": "asset:own"}),
        ),
        geo_with("shape:geo", &page, "", &own),
    ];
    let capsule = import(&app, &token, &records, "en")
        .await
        .expect(StatusCode::CREATED);
    let path = format!("/api/capsules/{}", capsule["id"].as_str().unwrap());
    let stored = app.get(&path, &token).await.expect(StatusCode::OK);
    let store = &stored["snapshot"]["store"];
    assert_eq!(store["asset:own"]["props"]["src"], own.as_str());
    assert_eq!(store["asset:absolute"]["props"]["src"], absolute.as_str());
    assert!(
        store["asset:inline"]["props"]["src"]
            .as_str()
            .unwrap()
            .starts_with("/api/assets/"),
        "an inline image moves to the asset store"
    );
}

#[tokio::test]
async fn a_live_push_of_an_outside_image_or_an_embed_is_refused_and_reaches_nobody() {
    let board = Board::open().await;
    let page = board.first_page();
    let mut watcher = board.participant("z1").await;
    for (n, bad) in [
        json!({"asset:far": ["put", image_asset("asset:far", "https://cdn.example.com/cat.png")]}),
        json!({"shape:yt": ["put", embed("shape:yt", &page, "https://www.youtube.com/embed/x")]}),
        json!({"shape:js": ["put", geo_with("shape:js", &page, "https://example.org", "")]}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut trainer = board.trainer(&format!("bad{n}")).await;
        trainer
            .send(json!({"type": "push", "clientClock": 0, "diff": bad}))
            .await;
        assert_eq!(
            trainer.closed().await,
            (4099, "INVALID_RECORD".into()),
            "{bad}"
        );
    }
    // A change made afterwards is the next the participant gets: nothing of the refused ones.
    let mut trainer = board.trainer("good").await;
    let good = json!({"shape:ok": ["put", geo("shape:ok", &page, 1.0)]});
    assert_eq!(trainer.push(good).await, "commit");
    let patch = watcher
        .next_where(|m| m["type"] == "patch" && m["diff"]["shape:ok"].is_array())
        .await;
    let patch = patch.unwrap();
    for id in ["asset:far", "shape:yt", "shape:js"] {
        assert!(patch["diff"].get(id).is_none(), "{patch}");
    }
    // A geo shape patched to a link away is refused too.
    let away = json!({"shape:ok": ["patch", {"props": ["patch", {"url": ["put", "https://example.org"]}]}]});
    trainer
        .send(json!({"type": "push", "clientClock": 9, "diff": away}))
        .await;
    assert_eq!(trainer.closed().await, (4099, "INVALID_RECORD".into()));
    let fresh = board.participant("z2").await;
    let diff = fresh.hello["diff"].as_object().unwrap();
    assert!(diff.contains_key("shape:ok"));
    assert_eq!(
        diff["shape:ok"][1]["props"]["url"], "",
        "the refused patch was not stored"
    );
    for id in ["asset:far", "shape:yt", "shape:js"] {
        assert!(!diff.contains_key(id), "{id} was stored");
    }
}

#[tokio::test]
async fn the_capsule_editor_refuses_an_embed_too() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = app.capsule_from_fixture(&token, "Atelier", DECK).await;
    let path = format!("/api/capsules/{}/sync", capsule["id"].as_str().unwrap());
    let mut editor = CanvasClient::at(app.addr, &path, "e1", Some(&token))
        .await
        .unwrap();
    let bad = json!({"shape:yt": ["put", embed("shape:yt", &first_page(), "https://www.youtube.com/embed/x")]});
    editor
        .send(json!({"type": "push", "clientClock": 0, "diff": bad}))
        .await;
    assert_eq!(editor.closed().await, (4099, "INVALID_RECORD".into()));
    let editor = CanvasClient::at(app.addr, &path, "e2", Some(&token))
        .await
        .unwrap();
    assert!(editor.hello["diff"].get("shape:yt").is_none());
}

#[tokio::test]
async fn a_capsule_stored_before_the_rules_launches_and_copies_without_what_they_refuse() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let capsule = app.capsule_from_fixture(&token, "Atelier", DECK).await;
    let capsule_id: uuid::Uuid = capsule["id"].as_str().unwrap().parse().unwrap();
    let page = first_page();
    let legacy = [
        embed("shape:yt", &page, "https://www.youtube.com/embed/x"),
        embed(
            "shape:page",
            &page,
            "data:text/html,<script>alert(1)</script>",
        ),
        shape(
            "shape:mark",
            &page,
            "bookmark",
            json!({"w": 300, "h": 320, "assetId": "asset:mark", "url": "https://example.org"}),
        ),
        json!({"id": "asset:mark", "typeName": "asset", "type": "bookmark", "meta": {},
               "props": {"title": "", "description": "", "image": "https://example.org/i.png",
                         "favicon": "https://example.org/f.ico", "src": "https://example.org"}}),
        image_asset("asset:far", "https://cdn.example.com/cat.png"),
        shape(
            "shape:cat",
            &page,
            "image",
            json!({"w": 1, "h": 1, "playing": true, "url": "", "assetId": "asset:far", "crop": null,
                   "flipX": false, "flipY": false, "altText": ""}),
        ),
        geo_with(
            "shape:js",
            &page,
            "javascript:alert(1)",
            "https://example.org/away",
        ),
    ];
    // Written as an older server stored it, past today's import checks.
    let document = pratico::domain::tldraw::read_document(deck_with(&legacy)).unwrap();
    let db = pratico::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    pratico::store::capsules::save_document(&db, capsule_id, &document, pratico::store::now_ms())
        .await
        .unwrap();

    let outside = [
        "shape:yt",
        "shape:page",
        "shape:mark",
        "asset:mark",
        "asset:far",
    ];
    let room = app.launch(&token, &capsule_id.to_string()).await;
    let name = room["name"].as_str().unwrap();
    let snapshot = app
        .get(&format!("/api/live/{name}/snapshot"), &token)
        .await
        .expect(StatusCode::OK);
    let store = snapshot["store"].as_object().unwrap();
    for id in outside {
        assert!(!store.contains_key(id), "{id} reached the room");
    }
    assert_eq!(store["shape:js"]["props"]["url"], "");
    let href = &store["shape:js"]["props"]["richText"]["content"][0]["content"][0]["marks"][0]["attrs"]
        ["href"];
    assert_eq!(href, "");
    assert!(
        store.contains_key("shape:cat"),
        "the image's frame stays, without its outside file"
    );
    let text = serde_json::to_string(&snapshot).unwrap();
    for host in [
        "example.org",
        "example.com",
        "youtube",
        "javascript:",
        "text/html",
    ] {
        assert!(!text.contains(host), "{host} is in the room's snapshot");
    }

    // The live canvas serves the same document.
    let mut trainer = CanvasClient::open(app.addr, name, "t1", Some(&token))
        .await
        .unwrap();
    let diff = trainer.hello["diff"].as_object().unwrap();
    for id in outside {
        assert!(!diff.contains_key(id), "{id} reached the canvas");
    }
    assert_eq!(diff["shape:js"][1]["props"]["url"], "");
    let ok = json!({"shape:ok": ["put", geo("shape:ok", &page, 1.0)]});
    assert_eq!(trainer.push(ok).await, "commit", "the canvas works");

    // A copy of the capsule leaves them behind too.
    let copy = app
        .post(
            &format!("/api/capsules/{capsule_id}/duplicate"),
            &token,
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    let copy = app
        .get(
            &format!("/api/capsules/{}", copy["id"].as_str().unwrap()),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    let text = serde_json::to_string(&copy["snapshot"]).unwrap();
    for host in [
        "example.org",
        "example.com",
        "youtube",
        "javascript:",
        "text/html",
    ] {
        assert!(!text.contains(host), "{host} is in the copy");
    }
    let count_on_page = |capsule: &Value| {
        let pages = capsule["pages"].as_array().unwrap();
        let on_page = pages.iter().find(|p| p["id"] == page.as_str()).unwrap();
        on_page["shape_count"].as_u64().unwrap()
    };
    assert_eq!(
        count_on_page(&copy),
        count_on_page(&capsule) + 2,
        "the image and the geo stay, the embeds and the bookmark go"
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}
