//! The live endpoint (`GET /api/live/{name}`) and the capsule a live room shows.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONNECTION, CONTENT_ENCODING, CONTENT_TYPE, ETAG, HeaderName, IF_NONE_MATCH,
    SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use std::net::IpAddr;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::AppState;
use super::auth::{hash_token, token_from};
use super::client::ClientAddr;
use super::error::{ApiError, ApiResult};
use super::per_address::AddressSlot;
use crate::compression::Encoding;
use crate::domain::protocol::ErrorCode;
use crate::live::canvas::{Served, SnapshotError};
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
/// Upgrades to the live protocol (docs/protocol.md) for the room called `name`.
#[utoipa::path(get, path = "/api/live/{name}", tag = "live", params(("name" = String, Path)),
    responses((status = 101, description = "WebSocket"), (status = 404), (status = 426, description = "not a WebSocket request"),
               (status = 429, description = "too many live connections from this address")))]
pub async fn upgrade(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ClientAddr(from): ClientAddr,
    mut request: Request,
) -> ApiResult<Response> {
    // Refused before anything else is done: a flood of upgrades must cost next to nothing.
    let slot = socket_slot(&state, from)?;
    let (room_id, _) = rooms::key_by_name(&state.db, &name)
        .await
        .map_err(room_not_found)?;
    let accept = accept_key(request.headers())?;
    let cookie_token = token_from(request.headers(), &state.config)?;
    let upgrading = hyper::upgrade::on(&mut request);
    let live = state.live.clone();
    // Frames past the protocol's limit are refused by the reader with a close code; the
    // transport's own cap only keeps absurd frames out of memory.
    let transport_cap = live.config().max_frame_bytes.saturating_mul(4).max(1 << 20);
    tokio::spawn(async move {
        match upgrading.await {
            Ok(upgraded) => {
                socket::serve(upgraded, transport_cap, live, room_id, cookie_token, from).await
            }
            Err(error) => tracing::debug!(%error, "the WebSocket upgrade did not complete"),
        }
        drop(slot);
    });
    Ok(switching_protocols(accept))
}

/// One of the live sockets (room or canvas) a client address may hold open, or a 429.
pub(super) fn socket_slot(state: &AppState, from: IpAddr) -> ApiResult<AddressSlot> {
    state.live_sockets.take(from).ok_or_else(|| {
        ApiError::too_many(
            ErrorCode::TooManyConnections,
            "too many live connections from your network address; close some and retry",
            SOCKET_RETRY,
        )
    })
}

/// The 101 answer that completes a WebSocket handshake.
pub(super) fn switching_protocols(accept: String) -> Response {
    (
        StatusCode::SWITCHING_PROTOCOLS,
        [
            (CONNECTION, "upgrade".to_owned()),
            (UPGRADE, "websocket".to_owned()),
            (SEC_WEBSOCKET_ACCEPT, accept),
        ],
    )
        .into_response()
}

/// The handshake's answer (RFC 6455, 4.2.1) to a valid WebSocket opening request, or a 426
/// saying what is wrong with it.
pub(super) fn accept_key(headers: &HeaderMap) -> ApiResult<String> {
    handshake_key(headers).map_err(|why| {
        ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            ErrorCode::UpgradeRequired,
            format!("connect with a WebSocket: {why}"),
        )
    })
}

fn handshake_key(headers: &HeaderMap) -> Result<String, &'static str> {
    let lists = |name: &HeaderName, token: &str| {
        headers.get_all(name).iter().any(|value| {
            value.to_str().is_ok_and(|value| {
                value
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    if !lists(&CONNECTION, "upgrade") {
        return Err("the `Connection` header must include `upgrade`");
    }
    if !lists(&UPGRADE, "websocket") {
        return Err("the `Upgrade` header must be `websocket`");
    }
    if headers.get(SEC_WEBSOCKET_VERSION).map(|v| v.as_bytes()) != Some(b"13") {
        return Err("`Sec-WebSocket-Version` must be 13");
    }
    let key = headers
        .get(SEC_WEBSOCKET_KEY)
        .ok_or("the `Sec-WebSocket-Key` header is missing")?;
    Ok(tungstenite::handshake::derive_accept_key(key.as_bytes()))
}

/// Whether the seat was banned: asked of the running room, else read from its checkpoint.
pub(crate) async fn banned(state: &AppState, room_id: Uuid, seat: Uuid) -> ApiResult<bool> {
    if let Some(banned) = state.live.banned(room_id, seat).await {
        return Ok(banned);
    }
    let room = rooms::get_any(&state.db, room_id)
        .await
        .map_err(room_not_found)?;
    let seats = &room.state.0.participants;
    Ok(seats.iter().any(|s| s.participant_id == seat && s.banned))
}

/// Fetches of a room's document a seat may make in a minute (all at once, or spread out).
/// A client fetches it when it opens the room and revalidates with its ETag when it comes back:
/// a dozen leaves room for reloads and drops, and keeps one participant from making the server
/// send megabytes in a loop.
pub const SNAPSHOT_FETCHES_PER_MINUTE: u32 = 12;

/// The tldraw document a live room shows (a copy of the capsule taken at launch, then the
/// shared canvas as last saved). For a joined participant (their resume token as bearer; not once
/// banned) or the trainer. Built and compressed once per version of the document (see
/// `live::canvas::Snapshots`), with an ETag that changes with it.
#[utoipa::path(get, path = "/api/live/{name}/snapshot", tag = "live", params(("name" = String, Path)),
    responses((status = 200, description = "the capsule's store snapshot (`br` or `gzip` when accepted), with its ETag"),
               (status = 304, description = "`If-None-Match` names the current version"), (status = 401),
               (status = 403, description = "the seat was banned"), (status = 404),
               (status = 429, description = "too many fetches from this seat; `Retry-After` says when to try again")))]
pub async fn snapshot(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (room_id, trainer_id) = rooms::key_by_name(&state.db, &name)
        .await
        .map_err(room_not_found)?;
    let token = token_from(&headers, &state.config)?.ok_or_else(|| {
        ApiError::unauthorized(
            "send your resume token (or log-in token) as `Authorization: Bearer`",
        )
    })?;
    let seat = state.live.key().verify(&token, room_id);
    let trainer = || async {
        auth_tokens::user_for(&state.db, &hash_token(&token), now_ms())
            .await
            .map(|user| user.is_some_and(|u| u.id == trainer_id))
    };
    let fetcher = match seat {
        Some(seat) if banned(&state, room_id, seat).await? => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Banned,
                "you were banned from this session",
            ));
        }
        Some(seat) => seat,
        None if trainer().await? => trainer_id,
        None => return Err(ApiError::not_found("room")),
    };
    state
        .snapshot_fetches
        .attempt(fetcher, Instant::now())
        .map_err(|wait| {
            ApiError::too_many(
                ErrorCode::RateLimited,
                format!(
                    "this session's document was fetched {SNAPSHOT_FETCHES_PER_MINUTE} times in \
                     a minute from your seat; wait a little and try again"
                ),
                wait,
            )
        })?;
    let known = headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    let served = (state.live.canvases().snapshots())
        .serve(room_id, known, Encoding::accepted(&headers))
        .await
        .map_err(|e| match e {
            SnapshotError::Store(e) => room_not_found(e),
            e @ SnapshotError::Unreadable(_) => ApiError::internal(e),
        })?;
    let cache = |etag: &str| {
        [
            (ETAG, etag.to_owned()),
            (CACHE_CONTROL, "private, no-cache".to_owned()),
            (VARY, "accept-encoding".to_owned()),
        ]
    };
    Ok(match served {
        Served::NotModified { etag } => (StatusCode::NOT_MODIFIED, cache(&etag)).into_response(),
        Served::Body {
            etag,
            encoding,
            body,
        } => {
            let mut response = (
                cache(&etag),
                [(CONTENT_TYPE, "application/json")],
                Body::from(body),
            )
                .into_response();
            if let Some(encoding) = encoding {
                let name = HeaderValue::from_static(encoding.name());
                response.headers_mut().insert(CONTENT_ENCODING, name);
            }
            response
        }
    })
}
