//! The web UI: the Vite build in `web/dist` (committed), embedded in the binary so that
//! `cargo run` needs no Node.
//!
//! - `/assets/*` (content-hashed names) and `/tldraw/<version>/*` (tldraw's fonts, icons and
//!   translations, served from here rather than tldraw's CDN so the UI works on a closed
//!   network) are cached for a year;
//! - `/config.js` hands the page its run-time settings (the tldraw licence key);
//! - any other GET outside `/api` answers `index.html` and the page routes itself (`/`,
//!   `/r/{name}` for participants, `/live/{room id}` the presenter, `/present/{name}` the
//!   audience screen, `/capsules/{id}/edit` the editor, `/sessions/…`).
//!
//! Text files are compressed once per encoding and kept in memory: a room of thousands of
//! participants opening the page at once costs one compression, not thousands.
//!
//! Every answer carries [`CONTENT_SECURITY_POLICY`]: whatever a capsule holds, a participant's
//! browser talks to this server only, runs no script but the UI's own and shows no frame.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY as CONTENT_SECURITY_POLICY_HEADER,
    CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use super::AppState;
use crate::compression::Encoding;

#[derive(RustEmbed)]
#[folder = "web/dist/"]
struct Dist;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Smaller files gain nothing from compression.
const MIN_COMPRESSED_BYTES: usize = 1024;

/// The UI's Content-Security-Policy. Everything from this origin only, and nothing framed or
/// framing; the relaxations are what tldraw needs, each for the reason given:
/// - `style-src 'unsafe-inline'`: tldraw and React set `style` attributes on every shape and
///   inject their own `<style>` elements (styles run no script);
/// - `img-src data: blob:`: tldraw draws its cursors and icons as `data:` SVGs, and shows images
///   being pasted or exported as `blob:` URLs; capsules may hold `data:image` sources;
/// - `media-src data: blob:`: the same for videos;
/// - `font-src data:`: fonts inlined in tldraw's exported SVGs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' data: blob:; \
     font-src 'self' data:; connect-src 'self'; frame-src 'none'; frame-ancestors 'none'; \
     object-src 'none'; base-uri 'none'; form-action 'self'";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/config.js", get(config_js))
        .fallback(get(page_or_asset))
        .layer(map_response(with_content_security_policy))
}

async fn with_content_security_policy(mut response: Response) -> Response {
    response.headers_mut().insert(
        CONTENT_SECURITY_POLICY_HEADER,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

/// `window.PRATICO_CONFIG`, read by the page before it starts.
async fn config_js(State(state): State<AppState>) -> Response {
    let settings = serde_json::json!({ "tldrawLicenseKey": state.config.tldraw_license_key });
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        format!("window.PRATICO_CONFIG = {settings};\n"),
    )
        .into_response()
}

async fn page_or_asset(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let immutable = path.starts_with("assets/") || path.starts_with("tldraw/");
    if let Some(file) = Dist::get(path).filter(|_| !path.is_empty()) {
        let cache = if immutable { IMMUTABLE } else { "no-cache" };
        return serve(file, cache, &headers).await;
    }
    if immutable {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    match Dist::get("index.html") {
        Some(index) => serve(index, "no-cache", &headers).await,
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the web UI is not built: run `npm ci && npm run build` in web/",
        )
            .into_response(),
    }
}

async fn serve(
    file: rust_embed::EmbeddedFile,
    cache: &'static str,
    request: &HeaderMap,
) -> Response {
    let hash = file.metadata.sha256_hash();
    let etag = format!("\"{}\"", hex::encode(&hash[..16]));
    let mime = file.metadata.mimetype().to_owned();
    let mut headers = HeaderMap::new();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header"),
    );
    if let Ok(mime) = HeaderValue::from_str(&mime) {
        headers.insert(CONTENT_TYPE, mime);
    }
    if request.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    if !compressible(&mime) || file.data.len() < MIN_COMPRESSED_BYTES {
        return (headers, Body::from(file.data)).into_response();
    }
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    let Some(encoding) = Encoding::accepted(request) else {
        return (headers, Body::from(file.data)).into_response();
    };
    let body = compressed(hash, encoding, file.data.into_owned()).await;
    headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding.name()));
    (headers, Body::from(body)).into_response()
}

fn compressible(mime: &str) -> bool {
    mime.starts_with("text/")
        || ["javascript", "json", "svg", "wasm"]
            .iter()
            .any(|kind| mime.contains(kind))
}

/// Compressed bodies by content hash and encoding.
type Compressed = HashMap<([u8; 32], Encoding), Bytes>;
static COMPRESSED: LazyLock<Mutex<Compressed>> = LazyLock::new(Mutex::default);

async fn compressed(hash: [u8; 32], encoding: Encoding, data: Vec<u8>) -> Bytes {
    let key = (hash, encoding);
    if let Some(body) = COMPRESSED.lock().expect("not poisoned").get(&key) {
        return body.clone();
    }
    // Two first requests may both compress; the result is the same.
    let body: Bytes = tokio::task::spawn_blocking(move || encoding.compress(&data))
        .await
        .expect("compression does not panic")
        .into();
    COMPRESSED
        .lock()
        .expect("not poisoned")
        .insert(key, body.clone());
    body
}
