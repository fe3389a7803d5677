//! Big capsules (issue 20, item 4): a trainer's storage has a quota (capsules kept, bytes of
//! their documents), refused with 507 `quota_exceeded`; a launch copies the document in SQL;
//! a large document goes through the server (read as text, record by record) unchanged.
//! Memory and `/healthz` under four 14 MiB uploads are measured by `bench capsules`
//! (docs/benchmarks.md), not asserted here.

use reqwest::StatusCode;
use reqwest::header::ACCEPT_ENCODING;
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, fixture_json, spawn_app, spawn_app_with};

/// A deck of `pages` pages with `shapes` shapes each (every tenth inside a group), as a `.tldr`
/// file, with speaker notes on its first page.
fn deck(pages: usize, shapes: usize) -> Value {
    let mut records = Vec::new();
    for p in 0..pages {
        let page = format!("page:{p}");
        let mut meta = json!({});
        if p == 0 {
            meta = json!({"notes": "Bonjour à tous (pour le formateur)"});
        }
        records.push(
            json!({"id": page, "typeName": "page", "index": format!("a{p}"),
            "name": format!("Diapo {p}"), "meta": meta}),
        );
        let group = format!("shape:g{p}");
        records.push(json!({"id": group, "typeName": "shape", "type": "group",
            "parentId": page, "index": "a0", "x": 0, "y": 0, "rotation": 0, "isLocked": false,
            "opacity": 1, "meta": {}, "props": {}}));
        for s in 0..shapes {
            let parent = if s % 10 == 0 { &group } else { &page };
            records.push(json!({"id": format!("shape:{p}-{s}"), "typeName": "shape",
                "type": "geo", "parentId": parent, "index": format!("a{s}"), "x": s, "y": p,
                "rotation": 0, "isLocked": false, "opacity": 1, "meta": {},
                "props": {"geo": "rectangle", "w": 100, "h": 50, "color": "black",
                          "richText": {"type": "doc", "content": [{"type": "paragraph",
                              "content": [{"type": "text", "text": format!("é {p}/{s}")}]}]}}}));
        }
    }
    json!({"tldrawFileFormatVersion": 1,
           "schema": {"schemaVersion": 2, "sequences": {"com.tldraw.store": 4}},
           "records": records})
}

/// The store snapshot a `.tldr` file stands for: its records keyed by id.
fn store_of(file: &Value) -> Value {
    let store: Map<String, Value> = file["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r.clone()))
        .collect();
    Value::Object(store)
}

async fn upload(
    app: &TestApp,
    token: &str,
    title: &str,
    snapshot: &Value,
) -> crate::helpers::Answer {
    app.post(
        "/api/capsules",
        token,
        json!({"title": title, "snapshot": snapshot}),
    )
    .await
}

#[tokio::test]
async fn a_trainer_past_the_capsule_quota_is_refused_with_507_and_what_is_full() {
    let app = spawn_app_with(|c| c.max_capsules_per_trainer = 3).await;
    let ana = app.signup("Ana").await; // the sample deck is her first capsule
    let small = deck(1, 2);
    let second = upload(&app, &ana, "Deux", &small)
        .await
        .expect(StatusCode::CREATED);
    upload(&app, &ana, "Trois", &small)
        .await
        .expect(StatusCode::CREATED);

    let refused = upload(&app, &ana, "Quatre", &small).await;
    refused.expect_error(StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded");
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("3 capsules"), "{message}");
    // Nor a blank deck, nor a copy.
    app.post("/api/capsules", &ana, json!({"title": "Vide"}))
        .await
        .expect_error(StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded");
    let id = second["id"].as_str().unwrap();
    app.post(&format!("/api/capsules/{id}/duplicate"), &ana, json!({}))
        .await
        .expect_error(StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded");
    let listed = app.get("/api/capsules", &ana).await.expect(StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 3);

    // The quota is each trainer's own, and deleting makes room.
    let bea = app.signup("Béa").await;
    upload(&app, &bea, "Deux", &small)
        .await
        .expect(StatusCode::CREATED);
    app.delete(&format!("/api/capsules/{id}"), &ana)
        .await
        .expect(StatusCode::NO_CONTENT);
    upload(&app, &ana, "Quatre", &small)
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn the_bytes_of_a_trainers_documents_have_a_quota_too() {
    // A real deck (its schema and records are what the editor, which a new document goes
    // through, can load).
    let one = fixture_json("tldraw/adrianlyjak__obsidian-aloud-tts__architecture.tldr");
    let size = serde_json::to_string(&store_of(&one)).unwrap().len() as u64;
    // Room for two of these, not three.
    let app = spawn_app_with(|c| c.max_capsule_storage_bytes = 2 * size + size / 2).await;
    let ana = app.signup("Ana").await;
    let sample = app.get("/api/capsules", &ana).await.expect(StatusCode::OK);
    for capsule in sample.as_array().unwrap() {
        let id = capsule["id"].as_str().unwrap();
        app.delete(&format!("/api/capsules/{id}"), &ana)
            .await
            .expect(StatusCode::NO_CONTENT);
    }
    let first = upload(&app, &ana, "Un", &one)
        .await
        .expect(StatusCode::CREATED);
    upload(&app, &ana, "Deux", &one)
        .await
        .expect(StatusCode::CREATED);
    let refused = upload(&app, &ana, "Trois", &one).await;
    refused.expect_error(StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded");
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("MiB"), "{message}");
    let listed = app.get("/api/capsules", &ana).await.expect(StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // Replacing a document by a larger one counts what it adds.
    let id = first["id"].as_str().unwrap();
    let path = format!("/api/capsules/{id}");
    app.patch(&path, &ana, json!({"snapshot": deck(1, 2_000)}))
        .await
        .expect_error(StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded");
    // A smaller one fits, and frees room for a third deck.
    let smaller = fixture_json("tldraw/synthetic-5-pages-fr.tldr");
    app.patch(&path, &ana, json!({"snapshot": smaller}))
        .await
        .expect(StatusCode::OK);
    upload(&app, &ana, "Trois", &one)
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn a_large_capsule_round_trips_and_launches_as_a_copy_without_the_notes() {
    // 3 × 4,000 shapes, about 4 MiB: over the size that waits for a turn.
    let app = spawn_app_with(|c| c.large_bodies_at_once = 1).await;
    let ana = app.signup("Ana").await;
    let file = deck(3, 4_000);
    let text = serde_json::to_string(&json!({"title": "Grand", "snapshot": file})).unwrap();
    assert!(text.len() > 3 << 20, "{}", text.len());

    // Four at once: they take turns, none is refused.
    let uploads = (0..4).map(|_| {
        app.send(
            app.request(reqwest::Method::POST, "/api/capsules", Some(&ana))
                .header("content-type", "application/json")
                .body(text.clone()),
        )
    });
    let created = futures_util::future::join_all(uploads).await;
    let mut ids = Vec::new();
    for answer in created {
        let capsule = answer.expect(StatusCode::CREATED);
        let counts: Vec<&Value> = (capsule["pages"].as_array().unwrap().iter())
            .map(|p| &p["shape_count"])
            .collect();
        assert_eq!(counts, [4_001, 4_001, 4_001], "{}", capsule["pages"]);
        ids.push(capsule["id"].as_str().unwrap().to_owned());
    }

    let expected = store_of(&file);
    let read = app.get(&format!("/api/capsules/{}", ids[0]), &ana).await;
    let read = read.expect(StatusCode::OK);
    assert_eq!(read["snapshot"]["store"], expected);
    assert_eq!(read["snapshot"]["schema"], file["schema"]);

    // The room's document is the capsule's, the trainer's notes taken out.
    let room = app.launch(&ana, &ids[0]).await;
    let name = room["name"].as_str().unwrap();
    let served = app
        .client
        .get(app.url(&format!("/api/live/{name}/snapshot")))
        .bearer_auth(&ana)
        .header(ACCEPT_ENCODING, "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let served: Value = served.json().await.unwrap();
    let mut without_notes = expected.clone();
    without_notes["page:0"]["meta"] = json!({});
    assert_eq!(served["store"], without_notes);

    // The capsule deleted or changed, the room keeps its copy.
    app.delete(&format!("/api/capsules/{}", ids[0]), &ana)
        .await
        .expect(StatusCode::NO_CONTENT);
    let room_id = room["id"].as_str().unwrap();
    app.get(&format!("/api/rooms/{room_id}"), &ana)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn a_launch_of_a_capsule_deleted_meanwhile_or_of_another_trainer_is_refused() {
    let app = spawn_app().await;
    let ana = app.signup("Ana").await;
    let bea = app.signup("Béa").await;
    let capsule = upload(&app, &ana, "Un", &deck(1, 3))
        .await
        .expect(StatusCode::CREATED);
    let id = capsule["id"].as_str().unwrap();
    app.post("/api/rooms", &bea, json!({"capsule_id": id}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    app.delete(&format!("/api/capsules/{id}"), &ana)
        .await
        .expect(StatusCode::NO_CONTENT);
    app.post("/api/rooms", &ana, json!({"capsule_id": id}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}
