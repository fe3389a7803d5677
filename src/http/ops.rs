//! Endpoints for operators: liveness, readiness, metrics, the API description.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::auth::{hash_token, token_from};
use super::error::{ApiError, ApiResult};
use crate::domain::protocol::ErrorCode;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200)))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// The process can serve: its database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200), (status = 503)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if state.db.ping().await {
        Ok(Json(
            json!({"status": "ready", "database": state.db.backend()}),
        ))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::DatabaseUnavailable,
            "the database does not answer",
        ))
    }
}

/// Prometheus metrics in the text exposition format; with `--metrics-token`, only for requests
/// bearing that token.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain"),
    (status = 401, description = "`--metrics-token` is set and the request does not bear it")))]
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(expected) = &state.config.metrics_token {
        let given = token_from(&headers, &state.config)?.unwrap_or_default();
        // Their hashes are compared, so the time taken says nothing about the token itself.
        if hash_token(&given) != hash_token(expected) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "the metrics need the operators' token (Authorization: Bearer …)",
            ));
        }
    }
    let body = state.metrics.render();
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response())
}

/// This API, described as OpenAPI 3.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations", responses((status = 200)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(super::openapi::document())
}
