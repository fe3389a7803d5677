//! API errors: every failure under `/api` answers `{"error": {"code", "message"}}` with a status
//! that says what kind of failure it is. Codes are stable and machine-readable; messages are for
//! people; internal details are logged, never sent.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use std::time::Duration;

use axum::http::header::RETRY_AFTER;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::domain::protocol::ErrorCode;
use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    /// The JSON path of the offending input field, for validation errors.
    field: Option<String>,
    /// Seconds to wait before trying again (`Retry-After`), for 429s.
    retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// 429: too many requests from this client; try again after `wait`.
    pub fn too_many(code: ErrorCode, message: impl Into<String>, wait: Duration) -> Self {
        Self {
            retry_after: Some(wait.as_secs_f64().ceil() as u64),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    /// The same error, with a `Retry-After` of `wait`.
    pub fn retry_after(self, wait: Duration) -> Self {
        Self {
            retry_after: Some(wait.as_secs_f64().ceil() as u64),
            ..self
        }
    }

    /// 400: the request could not be read.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: no valid log-in.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    /// 404: no such resource, or not one the caller may see (we do not tell which).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("no such {what}"),
        )
    }

    /// 409: the request clashes with what exists.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422: well-formed, but a field breaks a rule; the message starts with the field's path.
    pub fn invalid(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        let field = field.into();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: ErrorCode::ValidationFailed,
            message: format!("{field}: {message}"),
            field: Some(field),
            retry_after: None,
        }
    }

    /// 422 with another code than `validation_failed`: the message starts with the field's path.
    pub fn invalid_as(
        code: ErrorCode,
        field: impl Into<String>,
        message: impl std::fmt::Display,
    ) -> Self {
        Self {
            code,
            ..Self::invalid(field, message)
        }
    }

    /// 500: logged in full, reported without details.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "something went wrong on our side; it has been logged",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
struct ErrorBody<'a> {
    error: ErrorFields<'a>,
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export_to = "../api-types/")]
struct ErrorFields<'a> {
    code: ErrorCode,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    field: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorFields {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::not_found("resource"),
            StoreError::Conflict => Self::conflict(ErrorCode::Conflict, "this already exists"),
            StoreError::Database(e) => database_error(e),
        }
    }
}

/// When the database may come back soon enough for a client to retry.
const DATABASE_RETRY: Duration = Duration::from_secs(5);

/// What a database failure means to a client: it is away (503, retry), it is full (507), or
/// something unexpected happened (500, logged in full).
fn database_error(error: sqlx::Error) -> ApiError {
    match &error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => {
            tracing::warn!(%error, "database unavailable");
            ApiError {
                retry_after: Some(DATABASE_RETRY.as_secs()),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::DatabaseUnavailable,
                    "the database does not answer; try again in a moment",
                )
            }
        }
        // PostgreSQL stores no NUL in text or jsonb (SQLite does).
        sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("22P05" | "22021")) => {
            ApiError::invalid("body", "text may not contain the NUL character (U+0000)")
        }
        // SQLITE_FULL, and PostgreSQL's disk_full.
        sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("13" | "53100")) => {
            tracing::error!(%error, "the database's disk is full");
            ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                ErrorCode::StorageFull,
                "the server's storage is full; nothing was saved",
            )
        }
        _ => ApiError::internal(error),
    }
}

/// Maps a body rejection to its error: 413 too large, 415 wrong type, 400 unreadable.
pub fn body_error(status: StatusCode, text: String) -> ApiError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            ErrorCode::PayloadTooLarge,
            "the request body is larger than this server accepts",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::new(status, ErrorCode::UnsupportedMediaType, text)
        }
        _ => ApiError::bad_request(ErrorCode::BadRequest, text),
    }
}

/// `Json<T>` whose rejections speak our error format: 400 for malformed JSON (with the line and
/// column), 415 without a JSON content type, 413 over the size limit, 422 for a wrong field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(data_error(&e.body_text())),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::bad_request(
                ErrorCode::MalformedJson,
                format!(
                    "the body is not valid JSON: {}",
                    inner_message(&e.body_text())
                ),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "send the body as JSON with `Content-Type: application/json`",
            )),
            Err(e) => Err(body_error(e.status(), e.body_text())),
        }
    }
}

/// axum prefixes serde's message with a sentence of its own; keep serde's part, which names the
/// field path, line and column.
fn inner_message(text: &str) -> &str {
    text.split_once(": ").map_or(text, |(_, rest)| rest)
}

fn data_error(text: &str) -> ApiError {
    let detail = inner_message(text);
    // serde_path_to_error reports `path.to.field: what went wrong`.
    match detail.split_once(": ") {
        Some((path, message)) if !path.contains(' ') && path != "." => {
            ApiError::invalid(path, message)
        }
        _ => ApiError::invalid("body", detail),
    }
}

/// Reads the raw body as UTF-8 text (for imports), with the same size and error handling.
pub struct TextBody(pub String);

impl<S: Send + Sync> FromRequest<S> for TextBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        String::from_request(req, state)
            .await
            .map(Self)
            .map_err(|e| body_error(e.status(), e.body_text()))
    }
}

/// Reads the raw body as bytes (uploads), with the same size and error handling.
pub struct BytesBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for BytesBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(req, state)
            .await
            .map(Self)
            .map_err(|e| body_error(e.status(), e.body_text()))
    }
}

/// A JSON object body read from raw bytes, or a 400 `bad_request` saying what was `expected`.
pub fn object_body<T: DeserializeOwned>(body: &[u8], expected: &str) -> ApiResult<T> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .filter(serde_json::Value::is_object)
        .and_then(|body| serde_json::from_value(body).ok())
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BadRequest, expected))
}

/// The same for an optional body: none (or only blanks) gives the default.
pub fn optional_object_body<T: DeserializeOwned + Default>(
    body: &[u8],
    expected: &str,
) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    object_body(body, expected)
}

/// Query-string parameters, with a 400 that names the bad parameter.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e: QueryRejection| {
                ApiError::bad_request(
                    ErrorCode::BadQuery,
                    inner_message(&e.body_text()).to_owned(),
                )
            })
    }
}

/// Reads an id from the path; anything that is not a UUID names no resource, hence 404.
pub fn parse_id(raw: &str, what: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found(what))
}
