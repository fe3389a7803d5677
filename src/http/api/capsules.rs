//! Capsules: tldraw documents a trainer presents.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_DISPOSITION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::lang::Lang;
use crate::domain::names::{parse_title, slugify};
use crate::domain::protocol::ErrorCode;
use crate::domain::tldraw::{self, CapsuleDocument, PageInfo};
use crate::http::AppState;
use crate::http::api::assets::{inline_stored_images, store_inline_images};
use crate::http::api::samples::{Language, blank_document};
use crate::http::auth::CurrentUser;
use crate::http::error::{ApiError, ApiJson, ApiQuery, ApiResult, optional_object_body, parse_id};
use crate::http::iso;
use crate::live::canvas::{Doc, Replaced};
use crate::store::capsules::{self, CapsuleSummary};
use crate::store::{StoreError, now_ms};

#[derive(Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct Capsule {
    pub id: Uuid,
    pub title: String,
    pub created_at: String,
    pub updated_at: String,
    /// In tldraw's order (by the pages' fractional `index`).
    #[schema(value_type = Vec<Object>)]
    pub pages: Vec<PageInfo>,
    /// The normalised tldraw store snapshot `{store, schema}`; only when one capsule is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    // The shape `tldraw::read_document` gives every upload, which the web client renders.
    #[ts(
        optional,
        type = "{ store: Record<string, unknown>, schema: Record<string, unknown> }"
    )]
    pub snapshot: Option<Value>,
}

impl Capsule {
    /// Stores a new capsule of `owner_id`'s: the 201 answer with it.
    pub(crate) async fn insert(
        state: &AppState,
        owner_id: Uuid,
        title: &str,
        mut document: CapsuleDocument,
    ) -> ApiResult<(StatusCode, Json<Capsule>)> {
        // A copy of a capsule stored before the content policy, or a room's board, is taken
        // without what the policy refuses (an upload was refused for it already).
        (state.live.canvases().content_policy()).strip_document(&mut document);
        // Images travel inline in files from elsewhere: stored once, referenced by URL.
        store_inline_images(state, owner_id, &mut document.snapshot).await?;
        let summary = capsules::insert(
            &state.db,
            owner_id,
            title,
            &document.snapshot,
            &document.pages,
            now_ms(),
        )
        .await?;
        Ok((StatusCode::CREATED, Json(Capsule::new(summary, None))))
    }

    fn new(summary: CapsuleSummary, snapshot: Option<Value>) -> Self {
        Self {
            id: summary.id,
            title: summary.title,
            created_at: iso(summary.created_at),
            updated_at: iso(summary.updated_at),
            pages: summary.pages.0,
            snapshot,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/", optional_fields = nullable)]
pub struct NewCapsule {
    pub title: String,
    /// A tldraw store snapshot `{store, schema}`, an editor snapshot `{document, session}`, or
    /// the content of a `.tldr` file. Without it (and without `sample`): a blank deck of one
    /// empty page.
    #[schema(value_type = Option<Object>)]
    #[ts(optional, type = "unknown")]
    pub snapshot: Option<Value>,
    /// Start from the sample deck in this language (not with a `snapshot`).
    pub sample: Option<Language>,
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../api-types/", optional_fields = nullable)]
pub struct CapsulePatch {
    pub title: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub snapshot: Option<Value>,
}

/// An uploaded document, refused (422) if it is not a tldraw document or holds what the content
/// policy refuses (an embed, a URL outside this server).
fn read_snapshot(state: &AppState, snapshot: Value, lang: Lang) -> ApiResult<CapsuleDocument> {
    let document =
        tldraw::read_document(snapshot).map_err(|e| ApiError::invalid("snapshot", e.said(lang)))?;
    (state.live.canvases().content_policy())
        .check(&document.snapshot)
        .map_err(|e| ApiError::invalid("snapshot", e.said(lang)))?;
    Ok(document)
}

/// The language of the answer's error message, `en` (default) or `fr`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LangQuery {
    #[param(value_type = Option<String>)]
    pub lang: Option<Lang>,
}

fn not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("capsule"),
        e => e.into(),
    }
}

/// Creates a capsule: a tldraw document imported, the sample deck, or a blank deck.
#[utoipa::path(post, path = "/api/capsules", tag = "capsules", request_body = NewCapsule, params(LangQuery),
    responses((status = 201, body = Capsule), (status = 413),
        (status = 422, description = "not a tldraw 2+ document, or it holds an embed, a bookmark or a URL outside this server")))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<LangQuery>,
    ApiJson(body): ApiJson<NewCapsule>,
) -> ApiResult<(StatusCode, Json<Capsule>)> {
    let lang = query.lang.unwrap_or_default();
    let title = parse_title(&body.title).map_err(|m| ApiError::invalid("title", m))?;
    let document = match (body.snapshot, body.sample) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "sample",
                "give a snapshot or a sample, not both",
            ));
        }
        (Some(snapshot), None) => read_snapshot(&state, snapshot, lang)?,
        (None, Some(language)) => language.sample_document(),
        (None, None) => blank_document(),
    };
    Capsule::insert(&state, current.user.id, &title, document).await
}

/// The caller's capsules, newest first, without their snapshots.
#[utoipa::path(get, path = "/api/capsules", tag = "capsules", responses((status = 200, body = Vec<Capsule>)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Json<Vec<Capsule>>> {
    let rows = capsules::list(&state.db, current.user.id).await?;
    Ok(Json(
        rows.into_iter().map(|s| Capsule::new(s, None)).collect(),
    ))
}

/// One capsule, with its snapshot.
#[utoipa::path(get, path = "/api/capsules/{id}", tag = "capsules", params(("id" = Uuid, Path)),
    responses((status = 200, body = Capsule), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Capsule>> {
    let id = parse_id(&id, "capsule")?;
    let row = capsules::get(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    Ok(Json(Capsule::new(row.summary, Some(row.snapshot.0))))
}

/// Renames a capsule or replaces its document (not while it is open in the editor: 409).
/// Running rooms keep the copy they started with.
#[utoipa::path(patch, path = "/api/capsules/{id}", tag = "capsules", params(("id" = Uuid, Path), LangQuery),
    request_body = CapsulePatch, responses((status = 200, body = Capsule), (status = 404),
        (status = 409, description = "a new document while the capsule is open in the editor"),
        (status = 422, description = "not a tldraw 2+ document, or it holds an embed, a bookmark or a URL outside this server")))]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    ApiJson(patch): ApiJson<CapsulePatch>,
) -> ApiResult<Json<Capsule>> {
    let id = parse_id(&id, "capsule")?;
    let current_row = capsules::get(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    let title = match &patch.title {
        Some(title) => parse_title(title).map_err(|m| ApiError::invalid("title", m))?,
        None => current_row.summary.title.clone(),
    };
    if let Some(snapshot) = patch.snapshot {
        let mut document = read_snapshot(&state, snapshot, query.lang.unwrap_or_default())?;
        store_inline_images(&state, current.user.id, &mut document.snapshot).await?;
        // The capsule's one writer is its editing task.
        let replaced = state.live.canvases().replace(id, document.snapshot).await;
        replaced.map_err(|e| match e {
            Replaced::Open => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "the capsule is open in the editor: change it there, or close the editor and try again",
            ),
            Replaced::Gone => ApiError::not_found("capsule"),
            Replaced::Unavailable(error) => ApiError::internal(error),
        })?;
    }
    capsules::rename(&state.db, current.user.id, id, &title, now_ms())
        .await
        .map_err(not_found)?;
    let row = capsules::get(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    Ok(Json(Capsule::new(row.summary, Some(row.snapshot.0))))
}

/// A capsule's document as it is now: as its editors have it if it is open (saved a second
/// later at most), else as saved. What a launch, a copy and an export take.
pub(crate) async fn current_document(
    state: &AppState,
    row: capsules::CapsuleRow,
) -> ApiResult<CapsuleDocument> {
    let doc = Doc::Capsule(row.summary.id);
    match state.live.canvases().current_document(doc).await {
        Some(snapshot) => tldraw::read_document(snapshot)
            .map_err(|e| ApiError::internal(format!("the edited capsule cannot be read: {e}"))),
        None => Ok(CapsuleDocument {
            snapshot: row.snapshot.0,
            pages: row.summary.pages.0,
        }),
    }
}

/// A capsule as a `.tldr` file, its images inline, for tldraw.com or another server.
#[utoipa::path(get, path = "/api/capsules/{id}/export", tag = "capsules", params(("id" = Uuid, Path)),
    responses((status = 200, description = "the `.tldr` file (JSON), as an attachment"), (status = 404)))]
pub async fn export(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id, "capsule")?;
    let row = capsules::get(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    let title = row.summary.title.clone();
    let mut snapshot = current_document(&state, row).await?.snapshot;
    inline_stored_images(&state, current.user.id, &mut snapshot).await?;
    let file = tldraw::tldr_file(&snapshot);
    let name = format!("{}.tldr", slugify(&title));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(ApiError::internal)?;
    let mut response = Json(file).into_response();
    response
        .headers_mut()
        .insert(CONTENT_DISPOSITION, disposition);
    Ok(response)
}

/// A new title for a copy.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../api-types/", optional_fields = nullable)]
pub struct CapsuleCopy {
    /// Default: the capsule's title and " (copy)".
    pub title: Option<String>,
}

/// A copy of a capsule, as a new capsule of the same trainer (its images shared, not copied).
#[utoipa::path(post, path = "/api/capsules/{id}/duplicate", tag = "capsules", params(("id" = Uuid, Path)),
    request_body = Option<CapsuleCopy>, responses((status = 201, body = Capsule), (status = 404), (status = 422)))]
pub async fn duplicate(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Capsule>)> {
    let copy: CapsuleCopy = optional_object_body(&body, "send `{\"title\": \"…\"}` or nothing")?;
    let id = parse_id(&id, "capsule")?;
    let row = capsules::get(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    let title = copy
        .title
        .unwrap_or_else(|| format!("{} (copy)", row.summary.title));
    let title = parse_title(&title).map_err(|m| ApiError::invalid("title", m))?;
    let document = current_document(&state, row).await?;
    Capsule::insert(&state, current.user.id, &title, document).await
}

/// Deletes a capsule. Running rooms keep the copy they started with.
#[utoipa::path(delete, path = "/api/capsules/{id}", tag = "capsules", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id, "capsule")?;
    capsules::delete(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    // Its editors close (their client shows that it is gone).
    state.live.canvases().ended(Doc::Capsule(id));
    Ok(StatusCode::NO_CONTENT)
}
