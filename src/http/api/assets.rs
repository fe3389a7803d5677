//! The asset store: images of trainers' capsules, uploaded once and referenced by URL in
//! tldraw documents (never inlined as `data:` URLs).

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::assets::{ImageKind, asset_id, decode_data_url, sniff, url_of};
use crate::domain::protocol::ErrorCode;
use crate::http::AppState;
use crate::http::auth::{CurrentUser, hash_token, token_from};
use crate::http::error::{ApiError, ApiQuery, ApiResult, BytesBody, body_error, parse_id};
use crate::store::assets::{self, AssetInfo};
use crate::store::{StoreError, auth_tokens, now_ms, rooms};

/// A stored asset.
#[derive(Debug, Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct Asset {
    pub id: Uuid,
    /// Where the asset is served (`/api/assets/{id}`): what a tldraw asset's `src` holds.
    pub url: String,
    pub content_type: String,
    #[ts(type = "number")]
    pub bytes: i64,
}

impl From<AssetInfo> for Asset {
    fn from(info: AssetInfo) -> Self {
        Asset {
            url: url_of(info.id),
            id: info.id,
            content_type: info.content_type,
            bytes: info.bytes,
        }
    }
}

/// The `src` of every asset record of a store snapshot.
fn asset_sources(snapshot: &mut Value) -> impl Iterator<Item = &mut Value> {
    let store = snapshot.get_mut("store").and_then(Value::as_object_mut);
    store
        .into_iter()
        .flat_map(|store| store.values_mut())
        .filter(|record| record["typeName"] == "asset")
        .filter_map(|record| record.pointer_mut("/props/src"))
}

/// Moves the images a document holds inline (`data:` URLs, as files saved by tldraw.com carry
/// them) into the asset store, owned by `owner_id`: their asset records then point at
/// `/api/assets/{id}`. Other inline files (a video, an image past `--max-asset-bytes`) stay as
/// they are.
pub async fn store_inline_images(
    state: &AppState,
    owner_id: Uuid,
    snapshot: &mut Value,
) -> ApiResult<()> {
    for src in asset_sources(snapshot) {
        let Some(bytes) = src.as_str().and_then(decode_data_url) else {
            continue;
        };
        let kind = sniff(&bytes).filter(|_| bytes.len() <= state.config.max_asset_bytes);
        let Some(kind) = kind else {
            continue;
        };
        let content_type = kind.content_type();
        let (stored, _) =
            assets::insert(&state.db, owner_id, content_type, &bytes, now_ms()).await?;
        *src = Value::String(url_of(stored.id));
    }
    Ok(())
}

/// The reverse, for a file that must stand alone (an exported `.tldr`): the images of
/// `owner_id`'s store that the document references are put back inline as `data:` URLs.
pub async fn inline_stored_images(
    state: &AppState,
    owner_id: Uuid,
    snapshot: &mut Value,
) -> ApiResult<()> {
    use base64::Engine;
    for src in asset_sources(snapshot) {
        let Some(id) = src.as_str().and_then(asset_id) else {
            continue;
        };
        let asset = match assets::get(&state.db, id).await {
            Ok(asset) if asset.info.owner_id == owner_id => asset,
            Ok(_) | Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        let data = base64::engine::general_purpose::STANDARD.encode(&asset.data);
        *src = Value::String(format!("data:{};base64,{data}", asset.info.content_type));
    }
    Ok(())
}

/// Stores an image (the file as the request body, or as the file of a `multipart/form-data`
/// body; its content, not its declared type, decides):
/// PNG, JPEG, GIF, WebP or SVG. The same bytes uploaded again by the same trainer give the same
/// asset (200 instead of 201).
#[utoipa::path(post, path = "/api/assets", tag = "capsules",
    request_body(content = Vec<u8>, description = "the image file", content_type = "image/*"),
    responses((status = 201, body = Asset), (status = 200, body = Asset, description = "already stored"),
               (status = 401), (status = 413, description = "over the size limit (`--max-asset-bytes`)"),
               (status = 415, description = "not a PNG, JPEG, GIF, WebP or SVG image")))]
pub async fn upload(
    State(state): State<AppState>,
    current: CurrentUser,
    request: Request,
) -> ApiResult<(StatusCode, Json<Asset>)> {
    let body = uploaded_file(&state, request).await?;
    // Past `--max-asset-bytes`, the body is refused (413) before it is read: see the route.
    let kind = sniff(&body).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send a PNG, JPEG, GIF, WebP or SVG image",
        )
    })?;
    let owner = current.user.id;
    let (stored, new) =
        assets::insert(&state.db, owner, kind.content_type(), &body, now_ms()).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(stored.into())))
}

/// The file of an upload: the body itself, or the first file of a `multipart/form-data` body
/// (a form's `<input type="file">`).
async fn uploaded_file(state: &AppState, request: Request) -> ApiResult<Bytes> {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        let BytesBody(body) = BytesBody::from_request(request, state).await?;
        return Ok(body);
    }
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|e| body_error(e.status(), e.body_text()))?;
    let unreadable = |e: MultipartError| body_error(e.status(), e.body_text());
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        if field.file_name().is_some() || field.name() == Some("file") {
            return field.bytes().await.map_err(unreadable);
        }
    }
    Err(ApiError::bad_request(
        ErrorCode::BadRequest,
        "the form holds no file: send it in a part named `file`",
    ))
}

/// Who is asking for an asset besides its trainer: a participant of a live room, with the
/// room's name and their resume token (image requests cannot carry a header).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AssetAccess {
    /// The live room's name.
    room: Option<String>,
    /// The participant's resume token.
    token: Option<String>,
}

/// Serves an asset to its trainer (log-in token or cookie) and to the participants of the
/// trainer's live rooms (`?room={name}&token={resume token}`); 404 for anyone else.
#[utoipa::path(get, path = "/api/assets/{id}", tag = "capsules",
    params(("id" = Uuid, Path), AssetAccess),
    responses((status = 200, description = "the file, with its content type"), (status = 404)))]
pub async fn serve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(access): ApiQuery<AssetAccess>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = parse_id(&id, "asset")?;
    let asset = match assets::get(&state.db, id).await {
        Ok(asset) => asset,
        Err(StoreError::NotFound) => return Err(ApiError::not_found("asset")),
        Err(e) => return Err(e.into()),
    };
    if !may_see(&state, asset.info.owner_id, &access, &headers).await? {
        return Err(ApiError::not_found("asset"));
    }
    let kind = ImageKind::from_content_type(&asset.info.content_type);
    let mut response = (
        [
            (CONTENT_TYPE, asset.info.content_type.clone()),
            // The bytes of an id never change; the response depends on who asks.
            (
                CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
            (
                HeaderName::from_static("x-content-type-options"),
                "nosniff".to_owned(),
            ),
        ],
        asset.data,
    )
        .into_response();
    if kind == Some(ImageKind::Svg) {
        // Opened on its own, an SVG is a document: it may neither run script nor load anything.
        response.headers_mut().insert(
            HeaderName::from_static("content-security-policy"),
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
                .parse()
                .expect("a valid header"),
        );
    }
    Ok(response)
}

/// Whether the caller is the asset's trainer, or a participant (not banned) of a live room of
/// that trainer.
async fn may_see(
    state: &AppState,
    owner_id: Uuid,
    access: &AssetAccess,
    headers: &HeaderMap,
) -> ApiResult<bool> {
    if let (Some(name), Some(token)) = (&access.room, &access.token) {
        let (room_id, trainer_id) = match rooms::key_by_name(&state.db, name).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let seat = state.live.key().verify(token, room_id);
        return Ok(match seat {
            Some(seat) if trainer_id == owner_id => {
                !crate::http::live::banned(state, room_id, seat).await?
            }
            _ => false,
        });
    }
    let Some(token) = token_from(headers, &state.config)? else {
        return Ok(false);
    };
    let user = auth_tokens::user_for(&state.db, &hash_token(&token), now_ms()).await?;
    Ok(user.is_some_and(|user| user.id == owner_id))
}
