//! The live endpoint (`GET /api/live/{name}`) and the capsule a live room shows.

use axum::body::Body;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use std::time::Duration;

use super::AppState;
use super::auth::{hash_token, token_from};
use super::client::ClientAddr;
use super::error::{ApiError, ApiResult};
use crate::live::socket;
use crate::store::{StoreError, auth_tokens, now_ms, rooms};

fn room_not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("room"),
        e => e.into(),
    }
}

/// When a client refused for holding too many sockets may try again.
const SOCKET_RETRY: Duration = Duration::from_secs(10);
/// Bytes read from a live socket at once.
const READ_BUFFER: usize = 1024;
/// Bytes of queued frames that trigger a write before the writer's flush.
const WRITE_BUFFER: usize = 4 * 1024;

/// Upgrades to the live protocol (docs/protocol.md) for the room called `name`.
#[utoipa::path(get, path = "/api/live/{name}", tag = "live", params(("name" = String, Path)),
    responses((status = 101, description = "WebSocket"), (status = 404), (status = 426, description = "not a WebSocket request"),
               (status = 429, description = "too many live connections from this address")))]
pub async fn upgrade(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ClientAddr(from): ClientAddr,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    // Refused before anything else is done: a flood of upgrades must cost next to nothing.
    let slot = state.live_sockets.take(from).ok_or_else(|| {
        ApiError::too_many(
            "too_many_connections",
            "too many live connections from your network address; close some and retry",
            SOCKET_RETRY,
        )
    })?;
    let (room_id, _) = rooms::key_by_name(&state.db, &name)
        .await
        .map_err(room_not_found)?;
    let upgrade = upgrade.map_err(|e| {
        ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_required",
            format!("connect with a WebSocket: {}", e.body_text()),
        )
    })?;
    let live = state.live.clone();
    // Frames past the protocol's limit are refused by the reader with a close code; the
    // transport's own cap only keeps absurd frames out of memory.
    let transport_cap = live.config().max_frame_bytes.saturating_mul(4).max(1 << 20);
    let cookie_token = token_from(&headers);
    Ok(upgrade
        // Idle connections must stay cheap (docs/benchmarks.md, S4): the default 128 KiB read
        // buffer is zero-filled per connection, and the write buffer keeps the capacity of the
        // largest burst it held. Client frames are small (a larger one grows the buffer), and
        // 4 KiB still gathers a burst of broadcasts into few writes.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(transport_cap)
        .max_frame_size(transport_cap)
        .on_upgrade(move |socket| async move {
            socket::serve(socket, live, room_id, cookie_token, from).await;
            drop(slot);
        }))
}

/// The tldraw document a live room shows (a copy taken at launch, so it never changes: its
/// ETag is the room's id). For a joined participant (their resume token as bearer) or the
/// trainer.
#[utoipa::path(get, path = "/api/live/{name}/snapshot", tag = "live", params(("name" = String, Path)),
    responses((status = 200, description = "the capsule's store snapshot"), (status = 304), (status = 401), (status = 404)))]
pub async fn snapshot(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (room_id, trainer_id) = rooms::key_by_name(&state.db, &name)
        .await
        .map_err(room_not_found)?;
    let token = token_from(&headers).ok_or_else(|| {
        ApiError::unauthorized(
            "send your resume token (or log-in token) as `Authorization: Bearer`",
        )
    })?;
    let participant = state.live.key().verify(&token, room_id).is_some();
    let trainer = || async {
        auth_tokens::user_for(&state.db, &hash_token(&token), now_ms())
            .await
            .map(|user| user.is_some_and(|u| u.id == trainer_id))
    };
    if !participant && !trainer().await? {
        return Err(ApiError::not_found("room"));
    }
    let etag = format!("\"{room_id}\"");
    let cache = [
        (ETAG, etag.clone()),
        (CACHE_CONTROL, "private, max-age=3600".to_owned()),
    ];
    if headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let snapshot = rooms::snapshot_text(&state.db, room_id)
        .await
        .map_err(room_not_found)?;
    Ok((
        cache,
        [(CONTENT_TYPE, "application/json".to_owned())],
        Body::from(snapshot),
    )
        .into_response())
}
