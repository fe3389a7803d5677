use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{fixture_json, fixture_text, spawn_app};

fn expected_pages(file: &str) -> Value {
    let manifest = fixture_json("tldraw/manifest.json");
    let entry = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == file)
        .unwrap_or_else(|| panic!("{file} is in the manifest"));
    let pages: Vec<Value> = entry["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!({"id": p["id"], "name": p["name"], "shape_count": p["shape_count"]}))
        .collect();
    Value::Array(pages)
}

#[tokio::test]
async fn every_valid_fixture_imports_with_its_pages_in_order() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let manifest = fixture_json("tldraw/manifest.json");
    let mut imported = 0;
    for entry in manifest["files"].as_array().unwrap() {
        if entry["valid"] != true {
            continue;
        }
        let file = entry["file"].as_str().unwrap();
        let capsule = app.capsule_from_fixture(&token, file, file).await;
        assert_eq!(capsule["pages"], expected_pages(file), "{file}");
        assert_eq!(capsule["title"], file);
        imported += 1;
    }
    assert!(imported >= 8, "the manifest lists the valid fixtures");
}

#[tokio::test]
async fn the_three_snapshot_shapes_store_the_same_document() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let file = fixture_json("tldraw/synthetic-5-pages-fr.tldr");
    let from_file = app
        .post(
            "/api/capsules",
            &token,
            json!({"title": "Fichier", "snapshot": file}),
        )
        .await
        .expect(StatusCode::CREATED);
    let stored = app
        .get(
            &format!("/api/capsules/{}", from_file["id"].as_str().unwrap()),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    let store_snapshot = stored["snapshot"].clone();
    assert!(store_snapshot["store"].is_object() && store_snapshot["schema"].is_object());

    let file_text = fixture_text("tldraw/synthetic-5-pages-fr.tldr");
    let from_text = app
        .post(
            "/api/capsules",
            &token,
            json!({"title": "Texte", "snapshot": file_text}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        from_text["pages"], from_file["pages"],
        "a .tldr file's text is read too"
    );

    let editor_snapshot =
        json!({"document": store_snapshot, "session": {"version": 0, "currentPageId": "page:x"}});
    for snapshot in [store_snapshot.clone(), editor_snapshot] {
        let capsule = app
            .post(
                "/api/capsules",
                &token,
                json!({"title": "Autre forme", "snapshot": snapshot}),
            )
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(capsule["pages"], from_file["pages"]);
        let again = app
            .get(
                &format!("/api/capsules/{}", capsule["id"].as_str().unwrap()),
                &token,
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(again["snapshot"], store_snapshot);
    }
    let names: Vec<&str> = from_file["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Introduction",
            "Les bases",
            "Exercice",
            "Quiz",
            "Conclusion"
        ]
    );
}

#[tokio::test]
async fn documents_that_are_not_tldraw_2_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let legacy = fixture_json("tldraw/Abla-ouh__Philosophers__test.tldr");
    let cases = [
        legacy,
        json!({"hello": "world"}),
        json!([1, 2, 3]),
        json!("a string that is not JSON"),
        json!({"store": {}, "schema": {}}),
        json!({"tldrawFileFormatVersion": 1, "schema": {}, "records": "nope"}),
    ];
    for snapshot in cases {
        let answer = app
            .post(
                "/api/capsules",
                &token,
                json!({"title": "T", "snapshot": snapshot}),
            )
            .await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(answer.body["error"]["field"], "snapshot");
    }
    let legacy = fixture_json("tldraw/Abla-ouh__Philosophers__test.tldr");
    let answer = app
        .post(
            "/api/capsules",
            &token,
            json!({"title": "T", "snapshot": legacy}),
        )
        .await;
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("tldraw 1"), "{message}");
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = crate::helpers::spawn_app_with(|c| c.max_body_bytes = 64 * 1024).await;
    let token = app.signup("Ana").await;
    let big = json!({"title": "Big", "snapshot": {"store": {}, "schema": {}, "padding": "x".repeat(100 * 1024)}});
    app.post("/api/capsules", &token, big)
        .await
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn list_get_patch_delete() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let first = app
        .capsule_from_fixture(&token, "Premier", "bjornarprytz__solitaire__diagram.tldr")
        .await;
    let second = app
        .capsule_from_fixture(&token, "Second", "struckchure__gelt__system-design.tldr")
        .await;
    let id = second["id"].as_str().unwrap();

    let list = app
        .get("/api/capsules", &token)
        .await
        .expect(StatusCode::OK);
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    // The sample capsule every account starts with is the oldest.
    assert_eq!(
        titles,
        ["Second", "Premier", "Initiation à la programmation"]
    );
    assert!(
        list[0].get("snapshot").is_none(),
        "listings leave snapshots out"
    );

    let renamed = app
        .patch(
            &format!("/api/capsules/{id}"),
            &token,
            json!({"title": "  Renommé "}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(renamed["title"], "Renommé");
    assert_eq!(renamed["pages"], second["pages"]);

    let replaced = app
        .patch(
            &format!("/api/capsules/{id}"),
            &token,
            json!({"snapshot": fixture_json("tldraw/synthetic-5-pages-fr.tldr")}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(replaced["pages"].as_array().unwrap().len(), 5);
    assert_eq!(replaced["title"], "Renommé");

    let answer = app.delete(&format!("/api/capsules/{id}"), &token).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/capsules/{id}"), &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.delete(&format!("/api/capsules/{id}"), &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(first["pages"][0]["shape_count"], 3);
}

#[tokio::test]
async fn capsules_are_private_to_their_owner() {
    let app = spawn_app().await;
    let owner = app.signup("Ana").await;
    let other = app.signup("Bob").await;
    let capsule = app
        .capsule_from_fixture(&owner, "À moi", "bjornarprytz__solitaire__diagram.tldr")
        .await;
    let path = format!("/api/capsules/{}", capsule["id"].as_str().unwrap());
    app.get(&path, &other)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.patch(&path, &other, json!({"title": "Volé"}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.delete(&path, &other)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let theirs = app
        .get("/api/capsules", &other)
        .await
        .expect(StatusCode::OK);
    let titles: Vec<&Value> = theirs
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["title"])
        .collect();
    assert_eq!(
        titles,
        ["Initiation à la programmation"],
        "only their own sample"
    );
    let anonymous = app.send(app.request(Method::GET, &path, None)).await;
    anonymous.expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn bad_capsule_input() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let snapshot = fixture_json("tldraw/bjornarprytz__solitaire__diagram.tldr");
    let answer = app
        .post(
            "/api/capsules",
            &token,
            json!({"title": "  ", "snapshot": snapshot}),
        )
        .await;
    answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(answer.body["error"]["field"], "title");
    app.get("/api/capsules/not-a-uuid", &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn an_import_refused_says_why_in_the_trainer_s_language() {
    let app = spawn_app().await;
    let token = app.signup("Ana").await;
    let tldraw_1 = json!({"title": "Old", "snapshot": {"document": {"pages": {}}}});
    for (query, expected) in [
        ("", "this is a tldraw 1 file"),
        ("?lang=fr", "ce fichier vient de tldraw 1"),
    ] {
        let answer = app
            .post(&format!("/api/capsules{query}"), &token, tldraw_1.clone())
            .await;
        answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
    }
    let no_page =
        json!({"title": "Empty", "snapshot": {"store": {}, "schema": {"schemaVersion": 2}}});
    let answer = app.post("/api/capsules?lang=fr", &token, no_page).await;
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("le document n'a aucune page"), "{message}");
}
