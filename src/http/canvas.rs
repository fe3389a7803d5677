//! The canvas endpoints: tldraw's sync protocol for a live room's shared document
//! (`GET /api/live/{name}/canvas`) and for a capsule in its trainer's editor
//! (`GET /api/capsules/{id}/sync`).
//!
//! Refusals happen after the upgrade, as closes with code 4099 and tldraw's reason: tldraw's
//! client shows those as errors and stops, where a failed upgrade would only make it retry.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::AppState;
use super::api::capsules::Capsule;
use super::api::rooms::live_error;
use super::auth::{CurrentUser, hash_token, token_from};
use super::client::ClientAddr;
use super::error::{ApiError, ApiResult, object_body, optional_object_body};
use super::live::{accept_key, banned, socket_slot, switching_protocols};
use crate::domain::canvas::{Document, Reason};
use crate::domain::names::{MAX_TITLE, parse_title};
use crate::domain::protocol::ErrorCode;
use crate::domain::tldraw;
use crate::live::canvas::{self, Doc, Who};
use crate::live::logins::Login;
use crate::store::users::UserRow;
use crate::store::{StoreError, auth_tokens, capsules, now_ms, rooms};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanvasQuery {
    /// tldraw's per-tab id: the session a reconnecting tab resumes.
    session_id: Option<String>,
    /// A participant's resume token or a trainer's log-in token (or the log-in cookie).
    token: Option<String>,
}

impl CanvasQuery {
    /// The token of the query, else the request's log-in (bearer or cookie).
    fn token(&self, state: &AppState, request: &Request) -> ApiResult<Option<String>> {
        match &self.token {
            Some(token) => Ok(Some(token.clone())),
            None => token_from(request.headers(), &state.config),
        }
    }
}

/// The longest session id taken from a client.
const MAX_SESSION_ID: usize = 128;

#[utoipa::path(get, path = "/api/live/{name}/canvas", tag = "live",
    params(("name" = String, Path), ("sessionId" = String, Query), ("token" = Option<String>, Query)),
    responses((status = 101, description = "WebSocket speaking tldraw's sync protocol, version 8"),
               (status = 400, description = "no sessionId"), (status = 426, description = "not a WebSocket request"),
               (status = 429, description = "too many live connections from this address")))]
pub async fn upgrade(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<CanvasQuery>,
    ClientAddr(from): ClientAddr,
    request: Request,
) -> ApiResult<Response> {
    let token = query.token(&state, &request)?;
    let (room_id, access) = match rooms::key_by_name(&state.db, &name).await {
        Ok((room_id, trainer_id)) => (room_id, who(&state, room_id, trainer_id, token).await?),
        Err(StoreError::NotFound) => (Uuid::nil(), Access::refused(Reason::NotFound)),
        Err(e) => return Err(e.into()),
    };
    serve(&state, Doc::Room(room_id), query, from, request, access)
}

/// A capsule's document, for its trainer's editors: every change is saved in the capsule
/// within a second, and each save is told to the editors (`saved`, docs/protocol.md).
#[utoipa::path(get, path = "/api/capsules/{id}/sync", tag = "capsules",
    params(("id" = Uuid, Path), ("sessionId" = String, Query), ("token" = Option<String>, Query)),
    responses((status = 101, description = "WebSocket speaking tldraw's sync protocol, version 8"),
               (status = 400, description = "no sessionId"), (status = 426, description = "not a WebSocket request"),
               (status = 429, description = "too many live connections from this address")))]
pub async fn capsule_upgrade(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<CanvasQuery>,
    ClientAddr(from): ClientAddr,
    request: Request,
) -> ApiResult<Response> {
    let token = query.token(&state, &request)?;
    let id = id.parse().unwrap_or(Uuid::nil());
    let access = capsule_editor(&state, id, token).await?;
    serve(&state, Doc::Capsule(id), query, from, request, access)
}

/// Who a canvas socket serves (or why it is refused), and the trainer's log-in it was opened
/// with: the socket closes when that is revoked.
struct Access {
    who: Result<Who, Reason>,
    login: Option<Login>,
}

impl Access {
    fn refused(reason: Reason) -> Self {
        Self {
            who: Err(reason),
            login: None,
        }
    }

    fn participant(seat: Uuid) -> Self {
        Self {
            who: Ok(Who::Participant(seat)),
            login: None,
        }
    }

    fn trainer(login: Login) -> Self {
        Self {
            who: Ok(Who::Trainer),
            login: Some(login),
        }
    }
}

/// Holds the log-in token for a socket, then finds whose it is (in this order: see
/// `Logins::hold`).
async fn log_in(state: &AppState, token: &str) -> ApiResult<(Option<UserRow>, Login)> {
    let hash = hash_token(token);
    let login = state.live.logins().hold(hash.clone());
    let user = auth_tokens::user_for(&state.db, &hash, now_ms()).await?;
    Ok((user, login))
}

/// Upgrades the request to a canvas socket on `doc`, served to `who` (or refused, after the
/// upgrade, for the reason given).
fn serve(
    state: &AppState,
    doc: Doc,
    query: CanvasQuery,
    from: std::net::IpAddr,
    mut request: Request,
    access: Access,
) -> ApiResult<Response> {
    let slot = socket_slot(state, from)?;
    let session = query
        .session_id
        .filter(|s| !s.is_empty() && s.len() <= MAX_SESSION_ID)
        .ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::BadRequest,
                "`sessionId` (1 to 128 characters) is required in the query",
            )
        })?;
    let accept = accept_key(request.headers())?;
    let upgrading = hyper::upgrade::on(&mut request);
    let canvases = state.live.canvases();
    tokio::spawn(async move {
        match upgrading.await {
            Ok(upgraded) => {
                let Access { who, login } = access;
                canvas::serve(upgraded, canvases, doc, session, who, login).await
            }
            Err(error) => tracing::debug!(%error, "the WebSocket upgrade did not complete"),
        }
        drop(slot);
    });
    Ok(switching_protocols(accept))
}

/// The capsule's owner may edit it; anyone else is told it does not exist.
async fn capsule_editor(state: &AppState, id: Uuid, token: Option<String>) -> ApiResult<Access> {
    let Some(token) = token else {
        return Ok(Access::refused(Reason::NotAuthenticated));
    };
    let (Some(user), login) = log_in(state, &token).await? else {
        return Ok(Access::refused(Reason::NotAuthenticated));
    };
    Ok(match capsules::owns(&state.db, user.id, id).await? {
        true => Access::trainer(login),
        false => Access::refused(Reason::NotFound),
    })
}

/// Who the token names in this room, or why the canvas is refused.
async fn who(
    state: &AppState,
    room_id: Uuid,
    trainer_id: Uuid,
    token: Option<String>,
) -> ApiResult<Access> {
    let Some(token) = token else {
        return Ok(Access::refused(Reason::NotAuthenticated));
    };
    if let Some(seat) = state.live.key().verify(&token, room_id) {
        return Ok(if banned(state, room_id, seat).await? {
            Access::refused(Reason::Forbidden)
        } else {
            Access::participant(seat)
        });
    }
    Ok(match log_in(state, &token).await? {
        (Some(user), login) if user.id == trainer_id => Access::trainer(login),
        (Some(_), _) => Access::refused(Reason::Forbidden),
        (None, _) => Access::refused(Reason::NotAuthenticated),
    })
}

/// The room called `name`, if the caller is its trainer: 404 for no such live room, 403 for
/// another trainer's.
async fn trainers_room(state: &AppState, name: &str, current: &CurrentUser) -> ApiResult<Uuid> {
    let (room_id, trainer_id) = match rooms::key_by_name(&state.db, name).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(ApiError::not_found("room")),
        Err(e) => return Err(e.into()),
    };
    if trainer_id != current.user.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "only the room's trainer may do this",
        ));
    }
    Ok(room_id)
}

/// Whether a participant drawing on the shared canvas may draw.
#[derive(Debug, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../api-types/")]
pub struct DrawingAllowed {
    pub allowed: bool,
}

/// The participants of a live room whose drawing the trainer turned off.
#[derive(Debug, Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct DrawingOff {
    pub participant_ids: Vec<Uuid>,
}

/// Turns a participant's drawing on the shared canvas off (their canvas becomes read-only; they
/// keep their seat) or back on. Their canvas reconnects within a second with its new access.
/// Recorded as a `participant_drawing_changed` event: it holds across restarts.
#[utoipa::path(put, path = "/api/live/{name}/canvas/drawing/{participant_id}", tag = "live",
    params(("name" = String, Path), ("participant_id" = Uuid, Path)), request_body = DrawingAllowed,
    responses((status = 204), (status = 400, description = "not `{\"allowed\": true|false}`"),
               (status = 401), (status = 403, description = "not the room's trainer"),
               (status = 404, description = "no such live room or participant")))]
pub async fn set_drawing(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((name, participant_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let room_id = trainers_room(&state, &name, &current).await?;
    let participant_id: Uuid = participant_id
        .parse()
        .map_err(|_| ApiError::not_found("participant"))?;
    let DrawingAllowed { allowed } = object_body(
        &body,
        "send `{\"allowed\": true}` or `{\"allowed\": false}`",
    )?;
    (state.live)
        .set_drawing(room_id, participant_id, allowed)
        .await
        .map_err(live_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The participants whose drawing the trainer turned off.
#[utoipa::path(get, path = "/api/live/{name}/canvas/drawing", tag = "live",
    params(("name" = String, Path)),
    responses((status = 200, body = DrawingOff), (status = 401), (status = 403), (status = 404)))]
pub async fn drawing(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(name): Path<String>,
) -> ApiResult<Json<DrawingOff>> {
    let room_id = trainers_room(&state, &name, &current).await?;
    let view = state.live.view(room_id).await.map_err(live_error)?;
    let participant_ids = view.state.drawing_off.into_iter().collect();
    Ok(Json(DrawingOff { participant_ids }))
}

/// A capsule made of the live board.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../api-types/", optional_fields = nullable)]
pub struct BoardCapsule {
    /// Default: the room's capsule title and " (board, YYYY-MM-DD)".
    pub title: Option<String>,
}

/// Saves the room's shared canvas as it is now (every page, everyone's drawings) as a new
/// capsule of the trainer's.
#[utoipa::path(post, path = "/api/live/{name}/canvas/capsule", tag = "live",
    params(("name" = String, Path)), request_body = Option<BoardCapsule>,
    responses((status = 201, body = Capsule), (status = 400), (status = 401),
               (status = 403, description = "not the room's trainer"),
               (status = 404, description = "no such live room"), (status = 422)))]
pub async fn save_board(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Capsule>)> {
    let room_id = trainers_room(&state, &name, &current).await?;
    let asked: BoardCapsule = optional_object_body(&body, "send `{\"title\": \"…\"}` or nothing")?;
    let not_found = |e: StoreError| match e {
        StoreError::NotFound => ApiError::not_found("room"),
        e => e.into(),
    };
    let room = rooms::get_any(&state.db, room_id)
        .await
        .map_err(not_found)?;
    let title = match asked.title {
        Some(title) => parse_title(&title).map_err(|m| ApiError::invalid("title", m))?,
        None => default_title(&room.capsule_title, now_ms()),
    };
    let snapshot = match state
        .live
        .canvases()
        .current_document(Doc::Room(room_id))
        .await
    {
        Some(snapshot) => snapshot,
        None => saved_board(&state, room_id).await?,
    };
    let document = tldraw::read_document(snapshot)
        .map_err(|e| ApiError::internal(format!("the board cannot be read as a capsule: {e}")))?;
    Capsule::insert(&state, current.user.id, &title, document).await
}

/// The room's canvas as last saved, as a tldraw store snapshot.
async fn saved_board(state: &AppState, room_id: Uuid) -> ApiResult<Value> {
    let (stored, _) = match rooms::canvas(&state.db, room_id).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(ApiError::not_found("room")),
        Err(e) => return Err(e.into()),
    };
    if stored.get("documents").is_none() {
        // Never edited: still the capsule's snapshot.
        return Ok(stored);
    }
    let doc = Document::from_snapshot(&stored)
        .map_err(|e| ApiError::internal(format!("the room's saved canvas cannot be read: {e}")))?;
    Ok(doc.store_snapshot())
}

/// "<capsule title> (board, YYYY-MM-DD)", the capsule's title shortened to fit a title.
fn default_title(capsule_title: &str, now: i64) -> String {
    let date: String = super::iso(now).chars().take(10).collect();
    let suffix = format!(" (board, {date})");
    let room: usize = MAX_TITLE - suffix.chars().count();
    let base: String = capsule_title.trim().chars().take(room).collect();
    let base = if base.is_empty() {
        "Board"
    } else {
        base.trim_end()
    };
    format!("{base}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_title_names_the_capsule_and_the_day() {
        // 2026-12-07T06:00:00Z
        let now = 1_796_623_200_000;
        assert_eq!(default_title("Intro", now), "Intro (board, 2026-12-07)");
        let long = "x".repeat(300);
        let title = default_title(&long, now);
        assert_eq!(title.chars().count(), MAX_TITLE);
        assert!(parse_title(&title).is_ok());
        assert_eq!(default_title("  ", now), "Board (board, 2026-12-07)");
    }
}
