//! The live canvas endpoint (`GET /api/live/{name}/canvas`): tldraw's sync protocol for the
//! room's shared document.
//!
//! Refusals happen after the upgrade, as closes with code 4099 and tldraw's reason: tldraw's
//! client shows those as errors and stops, where a failed upgrade would only make it retry.

use axum::extract::{Path, Query, Request, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::auth::{hash_token, token_from};
use super::client::ClientAddr;
use super::error::{ApiError, ApiResult};
use super::live::{accept_key, banned, socket_slot, switching_protocols};
use crate::domain::canvas::Reason;
use crate::domain::protocol::ErrorCode;
use crate::live::canvas::{self, Who};
use crate::store::{StoreError, auth_tokens, now_ms, rooms};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanvasQuery {
    /// tldraw's per-tab id: the session a reconnecting tab resumes.
    session_id: Option<String>,
    /// A participant's resume token or a trainer's log-in token (or the log-in cookie).
    token: Option<String>,
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
    mut request: Request,
) -> ApiResult<Response> {
    let slot = socket_slot(&state, from)?;
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
    let token = query.token.or_else(|| token_from(request.headers()));
    let (room_id, who) = match rooms::key_by_name(&state.db, &name).await {
        Ok((room_id, trainer_id)) => (room_id, who(&state, room_id, trainer_id, token).await?),
        Err(StoreError::NotFound) => (Uuid::nil(), Err(Reason::NotFound)),
        Err(e) => return Err(e.into()),
    };
    let upgrading = hyper::upgrade::on(&mut request);
    let canvases = state.live.canvases();
    tokio::spawn(async move {
        match upgrading.await {
            Ok(upgraded) => canvas::serve(upgraded, canvases, room_id, session, who).await,
            Err(error) => tracing::debug!(%error, "the WebSocket upgrade did not complete"),
        }
        drop(slot);
    });
    Ok(switching_protocols(accept))
}

/// Who the token names in this room, or why the canvas is refused.
async fn who(
    state: &AppState,
    room_id: Uuid,
    trainer_id: Uuid,
    token: Option<String>,
) -> ApiResult<Result<Who, Reason>> {
    let Some(token) = token else {
        return Ok(Err(Reason::NotAuthenticated));
    };
    if let Some(seat) = state.live.key().verify(&token, room_id) {
        return Ok(if banned(state, room_id, seat).await? {
            Err(Reason::Forbidden)
        } else {
            Ok(Who::Participant(seat))
        });
    }
    let user = auth_tokens::user_for(&state.db, &hash_token(&token), now_ms()).await?;
    Ok(match user {
        Some(user) if user.id == trainer_id => Ok(Who::Trainer),
        Some(_) => Err(Reason::Forbidden),
        None => Err(Reason::NotAuthenticated),
    })
}
