//! `GET /api/live/{name}/snapshot` (issue 20, item 5): compressed once per version of the
//! room's document, revalidated by ETag, and limited per seat.

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, ETAG, HeaderMap, IF_NONE_MATCH, RETRY_AFTER,
};
use serde_json::{Value, json};

use crate::canvas::client::{CanvasClient, geo};
use crate::helpers::{TestApp, eventually, spawn_app};
use crate::live_client::{LiveClient, LiveRoom, participant};

struct Fetched {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: reqwest::header::HeaderName) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }

    /// The document, decompressed.
    fn document(&self) -> Value {
        let mut json = Vec::new();
        match self.header(CONTENT_ENCODING) {
            "br" => brotli::BrotliDecompress(&mut &self.body[..], &mut json).unwrap(),
            "" => json.clone_from(&self.body),
            other => panic!("unexpected encoding {other}"),
        }
        serde_json::from_slice(&json).unwrap()
    }
}

async fn fetch(app: &TestApp, name: &str, token: &str, etag: Option<&str>) -> Fetched {
    let mut request = app
        .client
        .get(app.url(&format!("/api/live/{name}/snapshot")))
        .bearer_auth(token)
        .header(ACCEPT_ENCODING, "gzip, br");
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    let response = request.send().await.unwrap();
    Fetched {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

/// The value of a series of `/metrics` (0 before it is first set).
async fn metric(app: &TestApp, series: &str) -> f64 {
    let text = app.text("/metrics").await;
    let line = text.lines().find(|l| l.starts_with(&format!("{series} ")));
    line.map_or(0.0, |l| l.rsplit(' ').next().unwrap().parse().unwrap())
}

#[tokio::test]
async fn the_document_is_compressed_once_revalidated_by_its_etag_and_changes_with_the_canvas() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let seat = LiveClient::joined(&app, &room.name, participant("Zoé", "Durand")).await;
    let zoe = seat.resume_token.clone().unwrap();
    let compressions = "live_snapshot_compressions_total{encoding=\"br\"}";
    let before = metric(&app, compressions).await;

    let first = fetch(&app, &room.name, &zoe, None).await;
    let second = fetch(&app, &room.name, &room.token, None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header(CONTENT_ENCODING), "br");
    let etag = first.header(ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.contains(&room.id), "{etag}");
    assert_eq!(second.header(ETAG), etag);
    assert_eq!(first.body, second.body, "the same bytes for everyone");
    assert_eq!(
        metric(&app, compressions).await - before,
        1.0,
        "compressed once for both"
    );
    let pages = first.document()["store"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["typeName"] == "page")
        .count();
    assert_eq!(pages, room.pages.len());

    let unchanged = fetch(&app, &room.name, &zoe, Some(&etag)).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.header(ETAG), etag);
    assert!(unchanged.body.is_empty());

    // The trainer draws on the shared canvas; once it is saved the document has a new version.
    let mut canvas = CanvasClient::open(app.addr, &room.name, "t1", Some(&room.token))
        .await
        .unwrap();
    let shape = json!({"shape:new": ["put", geo("shape:new", &room.pages[0].0, 1.0)]});
    assert_eq!(canvas.push(shape).await, "commit");
    // Waited for in the database: each fetch counts against the trainer's seat.
    let db = pratico::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let room_id = room.id.parse().unwrap();
    eventually("the canvas is saved", async || {
        let stored = pratico::store::rooms::snapshot_text(&db, room_id)
            .await
            .unwrap();
        stored.contains("shape:new")
    })
    .await;
    let changed = fetch(&app, &room.name, &room.token, Some(&etag)).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.header(ETAG), etag);
    assert!(changed.document()["store"]["shape:new"].is_object());

    // The room's copy is kept until the session ends.
    let cached = "live_snapshot_cache_bytes";
    assert!(metric(&app, cached).await > 0.0);
    app.post(
        &format!("/api/rooms/{}/end", room.id),
        &room.token,
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    eventually("the ended room's copy is dropped", async || {
        metric(&app, cached).await == 0.0
    })
    .await;
}

#[tokio::test]
async fn a_seat_fetching_too_often_is_told_to_wait() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let seat = LiveClient::joined(&app, &room.name, participant("Zoé", "Durand")).await;
    let zoe = seat.resume_token.clone().unwrap();
    let etag = fetch(&app, &room.name, &zoe, None)
        .await
        .header(ETAG)
        .to_owned();
    for _ in 1..12 {
        let fetched = fetch(&app, &room.name, &zoe, Some(&etag)).await;
        assert_eq!(fetched.status, StatusCode::NOT_MODIFIED);
    }
    let refused = fetch(&app, &room.name, &zoe, Some(&etag)).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let error: Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!(error["error"]["code"], "rate_limited");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("12 times in a minute"),
        "{error}"
    );
    let wait: u64 = refused.header(RETRY_AFTER).parse().unwrap();
    assert!(
        (1..=5).contains(&wait),
        "one fetch comes back every 5 s: {wait}"
    );
    let trainer = fetch(&app, &room.name, &room.token, Some(&etag)).await;
    assert_eq!(
        trainer.status,
        StatusCode::NOT_MODIFIED,
        "other seats are not affected"
    );
}
