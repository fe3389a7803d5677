//! The asset store: images uploaded by trainers, recognised by their content, served to their
//! trainer and to the participants of that trainer's live rooms, to nobody else.

use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, spawn_app, spawn_app_with};
use crate::live_client::{LiveClient, LiveRoom, participant};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
];
const GIF: &[u8] = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,";
const WEBP: &[u8] =
    b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0/\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";
const SVG: &str = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>"#;

/// Uploads `bytes` (declared as `declared`) as the trainer of `token` (if any).
async fn send_upload(app: &TestApp, token: Option<&str>, declared: &str, bytes: &[u8]) -> Answer {
    let request = app
        .request(Method::POST, "/api/assets", token)
        .header(CONTENT_TYPE, declared)
        .body(bytes.to_vec());
    app.send(request).await
}

/// Uploads as the trainer of `token`: the status and the answer.
async fn upload(app: &TestApp, token: &str, declared: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let answer = send_upload(app, Some(token), declared, bytes).await;
    (answer.status, answer.body)
}

/// The raw answer to a GET of `path`, with `token` as bearer if given.
async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    app.request(Method::GET, path, token)
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn each_image_kind_is_stored_by_its_content_and_served_back_to_its_trainer() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let kinds: [(&[u8], &str); 5] = [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (WEBP, "image/webp"),
        (SVG.as_bytes(), "image/svg+xml"),
    ];
    for (bytes, content_type) in kinds {
        // What the client declares does not matter: the bytes do.
        let (status, asset) = upload(&app, &token, "application/octet-stream", bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{asset}");
        let id = asset["id"].as_str().unwrap();
        assert_eq!(asset["url"], format!("/api/assets/{id}"));
        assert_eq!(asset["content_type"], content_type);
        assert_eq!(asset["bytes"], bytes.len());

        let served = fetch(&app, asset["url"].as_str().unwrap(), Some(&token)).await;
        assert_eq!(served.status(), StatusCode::OK);
        let headers = served.headers().clone();
        assert_eq!(headers[CONTENT_TYPE], content_type);
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let cache = headers[CACHE_CONTROL].to_str().unwrap();
        assert!(
            cache.contains("max-age=31536000") && cache.contains("immutable"),
            "{cache}"
        );
        let csp = headers.get("content-security-policy");
        if content_type == "image/svg+xml" {
            let csp = csp.expect("an SVG cannot run script").to_str().unwrap();
            assert!(
                csp.contains("sandbox") && csp.contains("default-src 'none'"),
                "{csp}"
            );
        }
        assert_eq!(&served.bytes().await.unwrap()[..], bytes);
    }
}

#[tokio::test]
async fn the_same_bytes_again_are_the_same_asset() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let (status, first) = upload(&app, &token, "image/png", PNG).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, again) = upload(&app, &token, "image/png", PNG).await;
    assert_eq!(status, StatusCode::OK, "already stored");
    assert_eq!(again, first);
    // Another trainer's copy of the same bytes is theirs.
    let other = app.signup("Bob Durand").await;
    let (status, theirs) = upload(&app, &other, "image/png", PNG).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(theirs["id"], first["id"]);
}

#[tokio::test]
async fn what_is_not_an_image_is_refused_with_415_whatever_it_claims() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let html = b"<html><script>alert(1)</script></html>";
    for (declared, bytes) in [
        ("image/png", &html[..]),
        ("image/svg+xml", b"<svgx onload=alert(1)>"),
        ("image/png", b""),
        ("application/pdf", b"%PDF-1.7 ..."),
    ] {
        send_upload(&app, Some(&token), declared, bytes)
            .await
            .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_413() {
    let app = spawn_app_with(|c| c.max_asset_bytes = 1024).await;
    let token = app.signup("Ana Martin").await;
    let mut big = PNG.to_vec();
    big.resize(1025, 0);
    send_upload(&app, Some(&token), "image/png", &big)
        .await
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    big.truncate(1024);
    let (status, _) = upload(&app, &token, "image/png", &big).await;
    assert_eq!(status, StatusCode::CREATED, "the limit itself is allowed");
}

#[tokio::test]
async fn only_a_signed_in_trainer_uploads() {
    let app = spawn_app().await;
    send_upload(&app, None, "image/png", PNG)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn another_trainer_a_stranger_or_a_made_up_id_get_404() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let (_, asset) = upload(&app, &token, "image/png", PNG).await;
    let url = asset["url"].as_str().unwrap();
    let other = app.signup("Bob Durand").await;
    for who in [Some(other.as_str()), None, Some("not-a-token")] {
        let answer = app.send(app.request(Method::GET, url, who)).await;
        answer.expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    for path in [
        "/api/assets/not-an-id",
        "/api/assets/7d6f1e1a-0000-4000-8000-000000000000",
    ] {
        let answer = app.send(app.request(Method::GET, path, Some(&token))).await;
        answer.expect_error(StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn participants_of_the_trainers_live_room_see_its_assets_and_no_one_else_does() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let (_, asset) = upload(&app, &room.token, "image/png", PNG).await;
    let url = asset["url"].as_str().unwrap();
    let zoe = LiveClient::joined(&app, &room.name, participant("Zoé", "Roux")).await;
    let resume = zoe.resume_token.clone().expect("a resume token");
    let as_zoe = format!("{url}?room={}&token={resume}", room.name);
    let served = fetch(&app, &as_zoe, None).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(&served.bytes().await.unwrap()[..], PNG);

    // Her token opens nothing in another trainer's room, nor another trainer's asset.
    let other = LiveRoom::launch(&app).await;
    let (_, theirs) = upload(&app, &other.token, "image/gif", GIF).await;
    let elsewhere = format!(
        "{}?room={}&token={resume}",
        theirs["url"].as_str().unwrap(),
        room.name
    );
    assert_eq!(
        fetch(&app, &elsewhere, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let wrong_room = format!("{url}?room={}&token={resume}", other.name);
    assert_eq!(
        fetch(&app, &wrong_room, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let forged = format!("{url}?room={}&token=x{resume}", room.name);
    assert_eq!(
        fetch(&app, &forged, None).await.status(),
        StatusCode::NOT_FOUND
    );

    // Banned, she sees it no more.
    let mut trainer =
        LiveClient::joined(&app, &room.name, crate::live_client::trainer(&room.token)).await;
    let zoe_id = zoe.participant_id.clone();
    trainer
        .command(json!({"type": "kick", "participant_id": zoe_id, "ban": true}))
        .await;
    assert_eq!(
        fetch(&app, &as_zoe, None).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// The PNG as a `data:` URL.
fn inline_png() -> String {
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD.encode(PNG);
    format!("data:image/png;base64,{png}")
}

/// Imports the five-page fixture with these asset records added, as `title`.
async fn import_with(app: &TestApp, token: &str, title: &str, assets: Vec<Value>) -> Value {
    let mut file = crate::helpers::fixture_json("tldraw/synthetic-5-pages-fr.tldr");
    file["records"].as_array_mut().unwrap().extend(assets);
    app.post(
        "/api/capsules",
        token,
        json!({"title": title, "snapshot": file}),
    )
    .await
    .expect(StatusCode::CREATED)
}

/// A tldraw asset record holding its file inline, as tldraw.com's `.tldr` files do.
fn inline_asset(id: &str, mime: &str, src: String) -> Value {
    json!({"id": id, "typeName": "asset", "type": "image", "meta": {},
        "props": {"src": src, "w": 1, "h": 1, "mimeType": mime, "name": "x", "isAnimated": false,
            "fileSize": 1}})
}

#[tokio::test]
async fn images_inline_in_an_imported_file_move_to_the_store_and_the_room_serves_them() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    // The same image twice is stored once; a video stays inline.
    let video = "data:video/mp4;base64,AAAAIGZ0eXBpc29t".to_owned();
    let assets = vec![
        inline_asset("asset:a", "image/png", inline_png()),
        inline_asset("asset:b", "image/png", inline_png()),
        inline_asset("asset:v", "video/mp4", video.clone()),
    ];
    let capsule = import_with(&app, &token, "Avec image", assets).await;
    let id = capsule["id"].as_str().unwrap();
    let stored = app
        .get(&format!("/api/capsules/{id}"), &token)
        .await
        .expect(StatusCode::OK);
    let store = &stored["snapshot"]["store"];
    let url = store["asset:a"]["props"]["src"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.starts_with("/api/assets/"), "{url}");
    assert_eq!(store["asset:b"]["props"]["src"], url.as_str());
    assert_eq!(store["asset:v"]["props"]["src"], video.as_str());
    assert!(!stored["snapshot"].to_string().contains("data:image"));
    let served = fetch(&app, &url, Some(&token)).await;
    assert_eq!(&served.bytes().await.unwrap()[..], PNG);

    // A participant of a room launched on it gets the image the room's document names.
    let room = app.launch(&token, id).await;
    let name = room["name"].as_str().unwrap();
    let zoe = LiveClient::joined(&app, name, participant("Zoé", "Roux")).await;
    let resume = zoe.resume_token.clone().unwrap();
    let snapshot = app
        .get(&format!("/api/live/{name}/snapshot"), &resume)
        .await
        .expect(StatusCode::OK);
    assert_eq!(snapshot["store"]["asset:a"]["props"]["src"], url.as_str());
    let as_zoe = format!("{url}?room={name}&token={resume}");
    assert_eq!(fetch(&app, &as_zoe, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_capsule_exports_as_a_tldr_file_with_its_images_inline_that_imports_back() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let inline = inline_png();
    let assets = vec![inline_asset("asset:a", "image/png", inline.clone())];
    let capsule = import_with(&app, &token, "Séance 1", assets).await;
    let id = capsule["id"].as_str().unwrap();

    let exported = fetch(&app, &format!("/api/capsules/{id}/export"), Some(&token)).await;
    assert_eq!(exported.status(), StatusCode::OK);
    let disposition = exported.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(disposition, "attachment; filename=\"seance-1.tldr\"");
    let tldr: Value = exported.json().await.unwrap();
    assert_eq!(tldr["tldrawFileFormatVersion"], 1);
    let asset = tldr["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "asset:a")
        .unwrap();
    assert_eq!(
        asset["props"]["src"],
        inline.as_str(),
        "the file stands alone"
    );

    // Imported again (by another trainer), it is the same document.
    let other = app.signup("Bob Durand").await;
    let again = app
        .post(
            "/api/capsules",
            &other,
            json!({"title": "Copie", "snapshot": tldr}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(again["pages"], capsule["pages"]);
    let nobody = fetch(&app, &format!("/api/capsules/{id}/export"), Some(&other)).await;
    assert_eq!(
        nobody.status(),
        StatusCode::NOT_FOUND,
        "another trainer's capsule"
    );
}

#[tokio::test]
async fn a_duplicate_is_a_new_capsule_with_the_same_document() {
    let app = spawn_app().await;
    let token = app.signup("Ana Martin").await;
    let capsule = app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let id = capsule["id"].as_str().unwrap();
    let path = format!("/api/capsules/{id}/duplicate");
    let request = app.request(Method::POST, &path, Some(&token));
    let copy = app.send(request).await.expect(StatusCode::CREATED);
    assert_eq!(copy["title"], "Atelier (copy)");
    assert_ne!(copy["id"], capsule["id"]);
    assert_eq!(copy["pages"], capsule["pages"]);
    let named = app
        .post(&path, &token, json!({"title": "Atelier (copie)"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(named["title"], "Atelier (copie)");
    let original = app
        .get(&format!("/api/capsules/{id}"), &token)
        .await
        .expect(StatusCode::OK);
    let copied = app
        .get(
            &format!("/api/capsules/{}", copy["id"].as_str().unwrap()),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(copied["snapshot"], original["snapshot"]);
    app.post(&path, &token, json!({"title": ""}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let other = app.signup("Bob Durand").await;
    app.post(&path, &other, json!({}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

/// A `multipart/form-data` body, as a browser's form sends it: a text field, then the file.
fn form_with_file(boundary: &str, file_field: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"red.png\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

#[tokio::test]
async fn an_image_sent_as_a_form_file_is_stored_the_same() {
    let app = spawn_app_with(|c| c.max_asset_bytes = 4096).await;
    let token = app.signup("Ana Martin").await;
    let form = "multipart/form-data; boundary=XyZ";
    let (status, asset) = upload(&app, &token, form, &form_with_file("XyZ", "picture", PNG)).await;
    assert_eq!(status, StatusCode::CREATED, "{asset}");
    assert_eq!(asset["content_type"], "image/png");
    assert_eq!(asset["bytes"], PNG.len());
    let served = fetch(&app, asset["url"].as_str().unwrap(), Some(&token)).await;
    assert_eq!(&served.bytes().await.unwrap()[..], PNG);

    let html = form_with_file("XyZ", "file", b"<html></html>");
    send_upload(&app, Some(&token), form, &html)
        .await
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let too_big = form_with_file("XyZ", "file", &[0u8; 5000]);
    send_upload(&app, Some(&token), form, &too_big)
        .await
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let no_file =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XyZ--\r\n";
    send_upload(&app, Some(&token), form, no_file)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn images_no_document_uses_are_deleted_after_the_grace_period() {
    let app = spawn_app_with(|c| c.unused_asset_grace_s = 1).await;
    let token = app.signup("Ana Martin").await;
    let status_of = async |url: &str| fetch(&app, url, Some(&token)).await.status();
    // Three different images (the same bytes would be one asset).
    let (_, unused) = upload(&app, &token, "image/webp", WEBP).await;
    let (_, in_room) = upload(&app, &token, "image/gif", GIF).await;
    let in_room_url = in_room["url"].as_str().unwrap().to_owned();
    let asset = inline_asset("asset:r", "image/gif", in_room_url.clone());
    let capsule = import_with(&app, &token, "Salle", vec![asset]).await;
    let capsule_id = capsule["id"].as_str().unwrap();
    let kept = import_with(
        &app,
        &token,
        "Gardée",
        vec![inline_asset("asset:k", "image/png", inline_png())],
    )
    .await;
    let kept_id = kept["id"].as_str().unwrap();
    let kept_capsule = app
        .get(&format!("/api/capsules/{kept_id}"), &token)
        .await
        .expect(StatusCode::OK);
    let kept_url = kept_capsule["snapshot"]["store"]["asset:k"]["props"]["src"]
        .as_str()
        .unwrap()
        .to_owned();
    // The room keeps its copy of the capsule, which is then deleted.
    let room = app.launch(&token, capsule_id).await;
    app.delete(&format!("/api/capsules/{capsule_id}"), &token)
        .await
        .expect(StatusCode::NO_CONTENT);

    let unused_url = unused["url"].as_str().unwrap().to_owned();
    crate::helpers::eventually("the unused image is deleted", async || {
        status_of(&unused_url).await == StatusCode::NOT_FOUND
    })
    .await;
    assert_eq!(
        status_of(&kept_url).await,
        StatusCode::OK,
        "a capsule uses it"
    );
    assert_eq!(
        status_of(&in_room_url).await,
        StatusCode::OK,
        "a live room uses it"
    );

    let end = format!("/api/rooms/{}/end", room["id"].as_str().unwrap());
    app.post(&end, &token, json!({}))
        .await
        .expect(StatusCode::OK);
    crate::helpers::eventually("the room's image goes with the room", async || {
        status_of(&in_room_url).await == StatusCode::NOT_FOUND
    })
    .await;
    assert_eq!(status_of(&kept_url).await, StatusCode::OK);
}
