//! Capsules: tldraw documents a trainer presents.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use std::collections::HashMap;

use axum::extract::Request;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::domain::capsule_text::{self, Scanned};
use crate::domain::content_policy::ContentPolicy;
use crate::domain::lang::Lang;
use crate::domain::names::{parse_title, slugify};
use crate::domain::protocol::ErrorCode;
use crate::domain::tldraw::{self, CapsuleDocument, PageInfo};
use crate::http::AppState;
use crate::http::api::assets::{inline_stored_images, store_inline_images};
use crate::http::api::large_bodies::{self, off_workers};
use crate::http::api::samples::{Language, blank_document};
use crate::http::auth::CurrentUser;
use crate::http::error::{ApiError, ApiQuery, ApiResult, optional_object_body, parse_id};
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
    pub snapshot: Option<Box<RawValue>>,
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
        let CapsuleDocument { snapshot, pages } = document;
        let text = off_workers(move || serde_json::value::to_raw_value(&snapshot))
            .await?
            .map_err(ApiError::internal)?;
        Self::insert_text(state, owner_id, title, &text, &pages).await
    }

    /// The same for a document already read and checked, as JSON text.
    async fn insert_text(
        state: &AppState,
        owner_id: Uuid,
        title: &str,
        snapshot: &RawValue,
        pages: &[PageInfo],
    ) -> ApiResult<(StatusCode, Json<Capsule>)> {
        let quota = large_bodies::quota(state);
        let inserted =
            capsules::insert(&state.db, owner_id, title, snapshot, pages, now_ms(), quota).await?;
        let Some(summary) = inserted else {
            let usage = capsules::usage(&state.db, owner_id).await?;
            let adding = snapshot.get().len() as u64;
            return Err(large_bodies::quota_exceeded(state, usage, adding));
        };
        Ok((StatusCode::CREATED, Json(Capsule::new(summary, None))))
    }

    fn new(summary: CapsuleSummary, snapshot: Option<Box<RawValue>>) -> Self {
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
fn read_snapshot(
    policy: &ContentPolicy,
    snapshot: Value,
    lang: Lang,
) -> ApiResult<CapsuleDocument> {
    let document =
        tldraw::read_document(snapshot).map_err(|e| ApiError::invalid("snapshot", e.said(lang)))?;
    policy
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
///
/// The document is never held as a JSON tree: it is read record by record off the async
/// workers (checked, policed, its pages and shapes counted) and stored as the text it came as.
#[utoipa::path(post, path = "/api/capsules", tag = "capsules", request_body = NewCapsule, params(LangQuery),
    responses((status = 201, body = Capsule), (status = 413),
        (status = 422, description = "not a tldraw 2+ document, or it holds an embed, a bookmark or a URL outside this server"),
        (status = 503, description = "too many large documents at once; `Retry-After` says when to try again"),
        (status = 507, description = "`quota_exceeded`: the trainer keeps as many capsules, or as many bytes of them, as allowed")))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<LangQuery>,
    request: Request,
) -> ApiResult<(StatusCode, Json<Capsule>)> {
    let lang = query.lang.unwrap_or_default();
    let owner = current.user.id;
    large_bodies::room_for_one_more(&state, owner).await?;
    let (_turn, body) = large_bodies::json_body(&state, request).await?;
    let policy = state.live.canvases().content_policy().clone();
    let max_image = state.config.max_asset_bytes;
    let (title, upload) =
        off_workers(move || read_upload(&body, &policy, max_image, lang)).await??;
    let title = parse_title(&title).map_err(|m| ApiError::invalid("title", m))?;
    let scanned = match upload {
        Upload::Document(document) => {
            return Capsule::insert(&state, owner, &title, document).await;
        }
        Upload::Scanned(scanned) => scanned,
    };
    let Scanned {
        mut snapshot,
        pages,
        inline_images,
        ..
    } = scanned;
    if !inline_images.is_empty() {
        let replacements = stored_images(&state, owner, inline_images).await?;
        snapshot = off_workers(move || capsule_text::replace_records(&snapshot, &replacements))
            .await?
            .map_err(ApiError::internal)?;
    }
    let snapshot = off_workers(move || RawValue::from_string(snapshot))
        .await?
        .map_err(ApiError::internal)?;
    Capsule::insert_text(&state, owner, &title, &snapshot, &pages).await
}

/// `NewCapsule`, its snapshot left as text.
#[derive(Deserialize)]
struct NewCapsuleText<'a> {
    title: String,
    #[serde(borrow)]
    snapshot: Option<&'a RawValue>,
    sample: Option<Language>,
}

enum Upload {
    /// A document uploaded, read.
    Scanned(Scanned),
    /// The sample deck, or a blank one.
    Document(CapsuleDocument),
}

/// Reads a `NewCapsule` body: its title and what the capsule starts from.
fn read_upload(
    body: &[u8],
    policy: &ContentPolicy,
    max_image: usize,
    lang: Lang,
) -> ApiResult<(String, Upload)> {
    let new: NewCapsuleText = serde_json::from_slice(body).map_err(large_bodies::unreadable)?;
    let upload = match (new.snapshot, new.sample) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "sample",
                "give a snapshot or a sample, not both",
            ));
        }
        (Some(snapshot), None) => Upload::Scanned(
            capsule_text::scan(snapshot.get(), policy, max_image)
                .map_err(|e| ApiError::invalid("snapshot", e.said(lang)))?,
        ),
        (None, Some(language)) => Upload::Document(language.sample_document()),
        (None, None) => Upload::Document(blank_document()),
    };
    Ok((new.title, upload))
}

/// Moves images found inline into the asset store: the asset records to put in their place.
async fn stored_images(
    state: &AppState,
    owner: Uuid,
    images: Vec<(String, Value)>,
) -> ApiResult<HashMap<String, String>> {
    let mut replacements = HashMap::new();
    for (id, mut record) in images {
        let mut snapshot = serde_json::json!({"store": {&id: record.take()}});
        store_inline_images(state, owner, &mut snapshot).await?;
        replacements.insert(id.clone(), snapshot["store"][&id].to_string());
    }
    Ok(replacements)
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

/// One capsule, with its snapshot (sent as the text stored, never parsed).
#[utoipa::path(get, path = "/api/capsules/{id}", tag = "capsules", params(("id" = Uuid, Path)),
    responses((status = 200, body = Capsule), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id, "capsule")?;
    with_document(&state, current.user.id, id).await
}

/// A capsule with its document, as a JSON answer written once at its size.
async fn with_document(state: &AppState, owner: Uuid, id: Uuid) -> ApiResult<Response> {
    let bytes = capsules::size(&state.db, owner, id)
        .await
        .map_err(not_found)?;
    let _turn = large_bodies::turn(state, bytes as u64).await?;
    let (summary, snapshot) = capsules::get_text(&state.db, owner, id)
        .await
        .map_err(not_found)?;
    // Checked as JSON (without building anything) and written out, off the async workers.
    let body = off_workers(move || {
        let snapshot = RawValue::from_string(snapshot)?;
        let mut body = Vec::with_capacity(snapshot.get().len() + 1024);
        serde_json::to_writer(&mut body, &Capsule::new(summary, Some(snapshot)))?;
        Ok::<_, serde_json::Error>(body)
    })
    .await?
    .map_err(ApiError::internal)?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
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
    request: Request,
) -> ApiResult<Response> {
    let id = parse_id(&id, "capsule")?;
    let owner = current.user.id;
    let current_row = capsules::summary(&state.db, owner, id)
        .await
        .map_err(not_found)?;
    let (turn, body) = large_bodies::json_body(&state, request).await?;
    let length = body.len() as u64;
    let patch = off_workers(move || serde_json::from_slice::<CapsulePatch>(&body))
        .await?
        .map_err(large_bodies::unreadable)?;
    let title = match &patch.title {
        Some(title) => parse_title(title).map_err(|m| ApiError::invalid("title", m))?,
        None => current_row.title.clone(),
    };
    if let Some(snapshot) = patch.snapshot {
        let usage = capsules::usage(&state.db, owner).await?;
        let old = capsules::size(&state.db, owner, id)
            .await
            .map_err(not_found)?;
        if (usage.bytes - old).max(0) as u64 + length > state.config.max_capsule_storage_bytes {
            return Err(large_bodies::quota_exceeded(&state, usage, length));
        }
        let lang = query.lang.unwrap_or_default();
        let policy = state.live.canvases().content_policy().clone();
        let mut document = off_workers(move || read_snapshot(&policy, snapshot, lang)).await??;
        store_inline_images(&state, owner, &mut document.snapshot).await?;
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
    drop(turn);
    capsules::rename(&state.db, owner, id, &title, now_ms())
        .await
        .map_err(not_found)?;
    with_document(&state, owner, id).await
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
    let size = capsules::size(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    let _turn = large_bodies::turn(&state, size as u64).await?;
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
    let size = capsules::size(&state.db, current.user.id, id)
        .await
        .map_err(not_found)? as u64;
    let row = capsules::get(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    let title = copy
        .title
        .unwrap_or_else(|| format!("{} (copy)", row.summary.title));
    let title = parse_title(&title).map_err(|m| ApiError::invalid("title", m))?;
    large_bodies::room_for_one_more(&state, current.user.id).await?;
    let _turn = large_bodies::turn(&state, size).await?;
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
