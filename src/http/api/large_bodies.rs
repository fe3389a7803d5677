//! Capsule documents are megabytes: reading, checking and writing one takes memory and CPU in
//! proportion. Those over `LARGE_BODY_BYTES` take turns (`--large-bodies-at-once`), their
//! parsing runs off the async workers, and a trainer's storage has a quota.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

use crate::domain::protocol::ErrorCode;
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult, BytesBody};
use crate::store::capsules::{self, Quota, Usage};

/// A document larger than this waits for its turn.
pub const LARGE_BODY_BYTES: u64 = 1024 * 1024;

/// How long a large body may wait for its turn before it is refused (503, try again).
const WAIT_AT_MOST: Duration = Duration::from_secs(30);

/// A turn for a document of `bytes` bytes: none needed under `LARGE_BODY_BYTES`.
pub async fn turn(state: &AppState, bytes: u64) -> ApiResult<Option<OwnedSemaphorePermit>> {
    if bytes <= LARGE_BODY_BYTES {
        return Ok(None);
    }
    let permit = state.large_bodies.clone().acquire_owned();
    match tokio::time::timeout(WAIT_AT_MOST, permit).await {
        Ok(Ok(permit)) => Ok(Some(permit)),
        Ok(Err(closed)) => Err(ApiError::internal(closed)),
        Err(_) => {
            metrics::counter!("http_large_bodies_refused_total").increment(1);
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "the server is busy with other large documents; try again in a few seconds",
            )
            .retry_after(Duration::from_secs(5)))
        }
    }
}

/// A JSON body, read once its turn came if it is large (by its `Content-Length`; a body
/// without one is taken as large).
pub async fn json_body(
    state: &AppState,
    request: Request,
) -> ApiResult<(Option<OwnedSemaphorePermit>, Bytes)> {
    let headers = request.headers();
    let json = (headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()))
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the body as JSON with `Content-Type: application/json`",
        ));
    }
    let length = (headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    let permit = turn(state, length).await?;
    let BytesBody(body) = BytesBody::from_request(request, state).await?;
    Ok((permit, body))
}

/// A JSON body that serde could not read: 400 when it is not JSON, 422 when a field is wrong.
pub fn unreadable(error: serde_json::Error) -> ApiError {
    match error.classify() {
        serde_json::error::Category::Data => ApiError::invalid("body", error),
        _ => ApiError::bad_request(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {error}"),
        ),
    }
}

/// Runs CPU-bound work on the blocking pool, so that the async workers keep answering.
pub async fn off_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)
}

/// The quota of every trainer.
pub fn quota(state: &AppState) -> Quota {
    Quota {
        capsules: state.config.max_capsules_per_trainer,
        bytes: state.config.max_capsule_storage_bytes,
    }
}

/// Refuses early a new capsule when the trainer already keeps as many as allowed.
pub async fn room_for_one_more(state: &AppState, owner_id: Uuid) -> ApiResult<()> {
    let usage = capsules::usage(&state.db, owner_id).await?;
    if usage.capsules as u64 >= quota(state).capsules {
        return Err(quota_exceeded(state, usage, 0));
    }
    Ok(())
}

/// 507 `quota_exceeded`, naming what is full and how much is used.
pub fn quota_exceeded(state: &AppState, usage: Usage, adding: u64) -> ApiError {
    let quota = quota(state);
    let message = if usage.capsules as u64 >= quota.capsules {
        format!(
            "you keep {} capsules, as many as this server allows each trainer ({}): delete one \
             to make room",
            usage.capsules, quota.capsules
        )
    } else {
        format!(
            "your capsules take {} of the {} this server allows each trainer, and this document \
             needs {} more: delete a capsule or make this one smaller",
            mib(usage.bytes as u64),
            mib(quota.bytes),
            mib(adding)
        )
    };
    ApiError::new(
        StatusCode::INSUFFICIENT_STORAGE,
        ErrorCode::QuotaExceeded,
        message,
    )
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
