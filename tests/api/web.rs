//! The embedded web UI: the page on every non-API path, cached assets, compression, and the
//! run-time settings handed to the page.

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG,
    REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};

use crate::helpers::{spawn_app, spawn_app_with};

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn every_page_path_serves_the_app() {
    let app = spawn_app().await;
    for path in ["/", "/r/atelier", "/sessions/0193", "/quizzes"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header(&response, CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&response, CACHE_CONTROL), "no-cache", "{path}");
        assert!(
            response.text().await.unwrap().contains("id=\"root\""),
            "{path}"
        );
    }
}

#[tokio::test]
async fn api_paths_keep_their_json_errors() {
    let app = spawn_app().await;
    let answer = app.send(app.client.get(app.url("/api/nothing-here"))).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.body["error"]["code"], "not_found");
    let health = app.send(app.client.get(app.url("/healthz"))).await;
    assert_eq!(health.expect(StatusCode::OK)["status"], "ok");
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_compressed_once() {
    let app = spawn_app().await;
    let index = app.client.get(app.url("/")).send().await.unwrap();
    let html = index.text().await.unwrap();
    let script = html
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
        .expect("index.html loads a hashed script");

    let plain = app.client.get(app.url(script)).send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(header(&plain, CACHE_CONTROL).contains("immutable"));
    assert!(header(&plain, CONTENT_TYPE).contains("javascript"));
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    let etag = header(&plain, ETAG).to_owned();
    let size = plain.bytes().await.unwrap().len();

    for (accept, expected) in [("gzip, deflate, br", "br"), ("gzip;q=1, br;q=0", "gzip")] {
        let response = app
            .client
            .get(app.url(script))
            .header(ACCEPT_ENCODING, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(header(&response, CONTENT_ENCODING), expected);
        assert!(response.bytes().await.unwrap().len() < size / 2);
    }

    let again = app
        .client
        .get(app.url(script))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let missing = app
        .client
        .get(app.url("/assets/nope-123.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        missing.status(),
        StatusCode::NOT_FOUND,
        "no page for a missing asset"
    );
}

#[tokio::test]
async fn tldraw_fonts_icons_and_translations_are_served_from_the_binary() {
    let app = spawn_app().await;
    let version = std::fs::read_dir("web/dist/tldraw")
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    let version = version.to_str().unwrap();
    for file in [
        "icons/icon/0_merged.svg",
        "translations/fr.json",
        "fonts/IBMPlexSans-Medium.woff2",
    ] {
        let response = app
            .client
            .get(app.url(&format!("/tldraw/{version}/{file}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        assert!(
            header(&response, CACHE_CONTROL).contains("immutable"),
            "{file}"
        );
    }
}

#[tokio::test]
async fn the_page_gets_the_tldraw_licence_key_from_the_settings() {
    let app = spawn_app_with(|c| c.tldraw_license_key = Some("tldraw-test/key".into())).await;
    let response = app.client.get(app.url("/config.js")).send().await.unwrap();
    assert!(header(&response, CONTENT_TYPE).starts_with("text/javascript"));
    assert_eq!(header(&response, CACHE_CONTROL), "no-cache");
    let script = response.text().await.unwrap();
    assert!(
        script.contains(r#""tldrawLicenseKey":"tldraw-test/key""#),
        "{script}"
    );

    let app = spawn_app().await;
    let script = app.text("/config.js").await;
    assert!(script.contains(r#""tldrawLicenseKey":null"#), "{script}");
}

/// The UI answers with a policy that keeps a participant's browser on this server (issue 20):
/// nothing framed, no script, connection or image from elsewhere; no answer is sniffed or
/// tells another site where it came from.
#[tokio::test]
async fn the_ui_keeps_browsers_on_this_server() {
    let app = spawn_app().await;
    for path in ["/", "/r/atelier", "/config.js", "/favicon.svg"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let policy = header(&response, CONTENT_SECURITY_POLICY).to_owned();
        let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
        for expected in [
            "default-src 'self'",
            "script-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' data: blob:",
            "frame-src 'none'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(
                directives.contains(&expected),
                "{path}: {expected} in {policy}"
            );
        }
        assert!(
            !policy.contains("unsafe-eval") && !policy.contains('*'),
            "{policy}"
        );
    }
    for path in ["/", "/api/me", "/healthz", "/api/nothing-here"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            header(&response, X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(&response, REFERRER_POLICY), "no-referrer", "{path}");
    }
}
