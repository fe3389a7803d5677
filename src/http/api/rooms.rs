//! Rooms: the Launch button, renaming, settings, the public join lookup, and the end.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::events::{EndReason, PageRef, RoomEvent};
use crate::domain::names::{parse_room_name, slugify};
use crate::domain::protocol::ErrorCode;
use crate::domain::room::{ParamsPatch, RoomParams, RoomState};
use crate::domain::tldraw;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ApiError, ApiJson, ApiResult, parse_id};
use crate::http::iso;
use crate::live::canvas::Doc;
use crate::live::{LiveError, RoomView};
use crate::store::rooms::{self, NewRoom, RoomDocument, RoomRow};
use crate::store::{StoreError, capsules, now_ms, quizzes};

#[derive(Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct Room {
    pub id: Uuid,
    pub name: String,
    /// The absolute join link to share with participants.
    pub link: String,
    pub chat_id: Uuid,
    pub created_at: String,
    pub created_by: Uuid,
    pub capsule_id: Uuid,
    pub capsule_title: String,
    pub quiz_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub quiz_scores: Value,
    #[schema(value_type = Object)]
    pub params: RoomParams,
    #[schema(value_type = Object)]
    pub state: RoomState,
}

impl Room {
    fn new(row: RoomRow, public_base: &str) -> Self {
        Self {
            link: format!("{public_base}/r/{}", row.name),
            id: row.id,
            name: row.name,
            chat_id: row.chat_id,
            created_at: iso(row.created_at),
            created_by: row.created_by,
            capsule_id: row.capsule_id,
            capsule_title: row.capsule_title,
            quiz_id: row.quiz_id,
            quiz_scores: row.quiz_scores.0,
            params: row.params.0,
            state: row.state.0,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../api-types/", optional_fields = nullable)]
pub struct Launch {
    pub capsule_id: Uuid,
    /// A name of one's own instead of the capsule title's slug (409 if taken).
    pub name: Option<String>,
    pub quiz_id: Option<Uuid>,
    /// Any of `navigation` (`follow`|`free`), `collaboration` (`view`|`draw`), `chat` (`on`|`off`).
    #[schema(value_type = Option<Object>)]
    pub params: Option<ParamsPatch>,
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../api-types/", optional_fields = nullable)]
pub struct RoomPatch {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub params: Option<ParamsPatch>,
}

fn room_not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("room"),
        e => e.into(),
    }
}

fn name_taken(name: &str) -> ApiError {
    ApiError::conflict(
        ErrorCode::NameTaken,
        format!("a live room is already named `{name}`"),
    )
}

fn checked_name(name: &str) -> ApiResult<String> {
    parse_room_name(name).map_err(|m| ApiError::invalid("name", m))
}

/// Launches a session: the room (on a copy of the capsule), its chat and `session_started`,
/// in one transaction. The room starts on the capsule's first page.
#[utoipa::path(post, path = "/api/rooms", tag = "rooms", request_body = Launch,
    responses((status = 201, body = Room), (status = 409, description = "the chosen name is taken"), (status = 422)))]
pub async fn launch(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<Launch>,
) -> ApiResult<(StatusCode, Json<Room>)> {
    let owner = current.user.id;
    let capsule = capsules::summary(&state.db, owner, body.capsule_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::invalid("capsule_id", "no such capsule"),
            e => e.into(),
        })?;
    if let Some(quiz_id) = body.quiz_id {
        quizzes::get(&state.db, owner, quiz_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ApiError::invalid("quiz_id", "no such quiz"),
                e => e.into(),
            })?;
    }
    let (base_name, suffix_if_taken) = match &body.name {
        Some(name) => (checked_name(name)?, false),
        None => (slugify(&capsule.title), true),
    };
    let mut params = RoomParams::default();
    params.apply(body.params.unwrap_or_default());
    let capsule_id = capsule.id;
    let capsule_title = capsule.title.clone();
    // As it is now: the copy the editor holds if it is open (edits not saved yet included),
    // else the stored document, copied by the database without the server reading it. The
    // speaker notes stay with the capsule, where the presenter reads them: participants get
    // the room's copy, and they are taken out of it where it is read (`live::canvas`).
    let edited = (state.live.canvases())
        .current_document(Doc::Capsule(capsule_id))
        .await;
    let mut edited =
        match edited {
            Some(snapshot) => Some(tldraw::read_document(snapshot).map_err(|e| {
                ApiError::internal(format!("the edited capsule cannot be read: {e}"))
            })?),
            None => None,
        };
    let (pages, document) = match &mut edited {
        Some(document) => {
            tldraw::strip_speaker_notes(&mut document.snapshot);
            // A capsule stored before the content policy launches without what it refuses.
            (state.live.canvases().content_policy()).strip_document(document);
            (&document.pages, RoomDocument::Given(&document.snapshot))
        }
        None => (&capsule.pages.0, RoomDocument::CopyOfCapsule),
    };
    let room_state = RoomState {
        page_id: pages.first().map(|p| p.id.clone()),
        ..RoomState::default()
    };
    let new = NewRoom {
        created_by: owner,
        base_name: &base_name,
        suffix_if_taken,
        capsule_id,
        capsule_title: &capsule_title,
        capsule_snapshot: document,
        quiz_id: body.quiz_id,
        params,
        state: room_state,
    };
    let started = |room_name: &str| RoomEvent::SessionStarted {
        room_name: room_name.to_owned(),
        capsule_id,
        capsule_title: capsule_title.clone(),
        trainer_name: current.user.name.clone(),
        pages: pages
            .iter()
            .map(|p| PageRef {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect(),
        params,
        quiz_id: body.quiz_id,
    };
    let row = rooms::create(&state.db, new, started, now_ms())
        .await
        .map_err(|e| match e {
            StoreError::Conflict => name_taken(&base_name),
            StoreError::NotFound => ApiError::invalid("capsule_id", "no such capsule"),
            e => e.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(Room::new(row, &state.public_base)),
    ))
}

/// The caller's live rooms, newest first.
#[utoipa::path(get, path = "/api/rooms", tag = "rooms", responses((status = 200, body = Vec<Room>)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Json<Vec<Room>>> {
    let mut live_rooms = Vec::new();
    for row in rooms::list(&state.db, current.user.id).await? {
        let row = with_live_view(&state, row).await;
        live_rooms.push(Room::new(row, &state.public_base));
    }
    Ok(Json(live_rooms))
}

#[utoipa::path(get, path = "/api/rooms/{id}", tag = "rooms", params(("id" = Uuid, Path)),
    responses((status = 200, body = Room), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Room>> {
    let id = parse_id(&id, "room")?;
    let row = rooms::get(&state.db, current.user.id, id)
        .await
        .map_err(room_not_found)?;
    let row = with_live_view(&state, row).await;
    Ok(Json(Room::new(row, &state.public_base)))
}

/// Renames a room (its link changes) and changes its params, through its live actor, so that
/// connected clients hear of it; each change is recorded.
#[utoipa::path(patch, path = "/api/rooms/{id}", tag = "rooms", params(("id" = Uuid, Path)),
    request_body = RoomPatch,
    responses((status = 200, body = Room), (status = 404), (status = 409, description = "name taken"), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<RoomPatch>,
) -> ApiResult<Json<Room>> {
    let id = parse_id(&id, "room")?;
    let mut room = rooms::get(&state.db, current.user.id, id)
        .await
        .map_err(room_not_found)?;
    let name = patch.name.as_deref().map(checked_name).transpose()?;
    let view = state
        .live
        .update(id, name, patch.params)
        .await
        .map_err(live_error)?;
    overlay(&mut room, view);
    Ok(Json(Room::new(room, &state.public_base)))
}

/// The live actor's view wins over the row, which it checkpoints up to a second later.
fn overlay(room: &mut RoomRow, view: RoomView) {
    room.name = view.name;
    room.params.0 = view.params;
    room.state.0 = view.state;
}

async fn with_live_view(state: &AppState, mut room: RoomRow) -> RoomRow {
    if let Some(view) = state.live.peek(room.id).await {
        overlay(&mut room, view);
    }
    room
}

/// What the live registry answered, as an HTTP error: no such room, the room's own refusal,
/// or the database.
pub(crate) fn live_error(error: LiveError) -> ApiError {
    let refusal = match error {
        LiveError::NotFound => return ApiError::not_found("room"),
        LiveError::Store(error) => return error.into(),
        LiveError::Refused(refusal) => refusal,
    };
    let status = match refusal.code {
        ErrorCode::NameTaken => StatusCode::CONFLICT,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::BadMessage => return ApiError::invalid("body", refusal.message),
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, refusal.code, refusal.message)
}

#[derive(Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct SessionEnd {
    pub room_id: Uuid,
    pub name: String,
    pub started_at: String,
    pub ended_at: String,
    pub duration_s: i64,
    pub participant_count: usize,
    #[schema(value_type = String)]
    pub reason: EndReason,
}

/// Ends the session: connected clients get `session_ended`, `session_ended` is appended, then
/// the room, its chat and its messages are deleted in the same transaction. The events stay.
#[utoipa::path(post, path = "/api/rooms/{id}/end", tag = "rooms", params(("id" = Uuid, Path)),
    responses((status = 200, body = SessionEnd), (status = 404)))]
pub async fn end(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<SessionEnd>> {
    let id = parse_id(&id, "room")?;
    rooms::get(&state.db, current.user.id, id)
        .await
        .map_err(room_not_found)?;
    let summary = state
        .live
        .end(id, EndReason::Trainer)
        .await
        .map_err(live_error)?;
    Ok(Json(SessionEnd {
        room_id: summary.room_id,
        name: summary.name,
        started_at: iso(summary.started_at),
        ended_at: iso(summary.ended_at),
        duration_s: summary.duration_s,
        participant_count: summary.participant_count,
        reason: summary.reason,
    }))
}

#[derive(Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct JoinInfo {
    pub name: String,
    pub title: String,
    pub trainer_name: String,
    pub locked: bool,
}

/// What the join page shows before a participant gives their name. Public.
#[utoipa::path(get, path = "/api/join/{name}", tag = "rooms", params(("name" = String, Path)),
    responses((status = 200, body = JoinInfo), (status = 404)))]
pub async fn join_info(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<JoinInfo>> {
    // Every participant's page asks this: nothing here reads the room's seats.
    let card = rooms::join_card(&state.db, &name)
        .await
        .map_err(room_not_found)?;
    let locked = match state.live.locked(card.id).await {
        Some(locked) => locked,
        // Not running: as its last checkpoint left it.
        None => {
            let room = rooms::get_any(&state.db, card.id)
                .await
                .map_err(room_not_found)?;
            room.state.0.locked
        }
    };
    Ok(Json(JoinInfo {
        name: card.name,
        title: card.capsule_title,
        trainer_name: card.trainer_name,
        locked,
    }))
}
