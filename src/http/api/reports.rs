//! `GET /api/sessions/{room_id}/report`: a session's report in JSON, CSV, XLSX or HTML, for
//! the trainer who launched it.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::sessions::check_owner;
use crate::domain::protocol::ErrorCode;
use crate::domain::quiz::Scoring;
use crate::export::locale::{Lang, Locale};
use crate::export::{self, Format};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ApiError, ApiQuery, ApiResult, parse_id};
use crate::store::{events, now_ms};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// `json` (default), `csv` (a zip of every table, or one with `table`), `xlsx`, `html`.
    #[param(value_type = Option<String>)]
    pub format: Option<Format>,
    /// Recompute quiz points under `accuracy` or `speed` instead of the rule the quiz ran with.
    #[param(value_type = Option<String>)]
    pub scoring: Option<Scoring>,
    /// With `format=csv`: one table (`attendance`, `quiz_answers`, …) instead of the zip.
    pub table: Option<String>,
    /// The page's language, `en` (default) or `fr`. With `csv` or `xlsx`, asking for one gives
    /// column headers for people (`Première arrivée (UTC+01:00)`) and times on the
    /// `utc_offset` clock; without it, machine names (`first_joined_at`) and UTC.
    #[param(value_type = Option<String>)]
    pub lang: Option<Lang>,
    /// Clock times at this offset from UTC, in minutes (-720 to 840; 60 for UTC+01:00), on the
    /// HTML page (and in CSV and XLSX with `lang`). UTC by default.
    pub utc_offset: Option<i32>,
}

/// The HTML page holds names people typed: it may load nothing and run nothing.
const HTML_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

#[utoipa::path(get, path = "/api/sessions/{room_id}/report", tag = "sessions",
    params(("room_id" = uuid::Uuid, Path), ReportQuery),
    responses(
        (status = 200, description = "the report: JSON, text/csv, application/zip, XLSX or text/html"),
        (status = 400, description = "unknown format, scoring, table, lang or utc_offset"),
        (status = 404, description = "no such session of yours")))]
pub async fn report(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(room_id): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let room_id = parse_id(&room_id, "session")?;
    check_owner(&state, current.user.id, room_id).await?;
    let session = events::session_events(&state.db, room_id).await?;
    let format = query.format.unwrap_or_default();
    let offset = query.utc_offset.unwrap_or(0);
    let locale = Locale::new(query.lang.unwrap_or_default(), offset).ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::BadQuery,
            format!("utc_offset: {}", Locale::offset_rule()),
        )
    })?;
    let for_people = query.lang.is_some();
    let now = now_ms();
    // Folding and rendering a large session takes a while: off the async threads.
    let rendered = tokio::task::spawn_blocking(move || {
        let report = session.report(query.scoring, now);
        export::render(&report, format, query.table.as_deref(), &locale, for_people)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| {
        if e.is_bad_request() {
            ApiError::bad_request(ErrorCode::BadQuery, e.to_string())
        } else {
            ApiError::internal(e)
        }
    })?;
    let disposition = match format {
        Format::Json | Format::Html => "inline",
        Format::Csv | Format::Xlsx => "attachment",
    };
    let mut headers: Vec<(HeaderName, HeaderValue)> = vec![
        (
            CONTENT_TYPE,
            HeaderValue::from_static(rendered.content_type),
        ),
        (
            CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!(
                "{disposition}; filename=\"{}\"",
                rendered.file_name
            ))
            .map_err(ApiError::internal)?,
        ),
        // Personal data: no shared cache keeps it.
        (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    if format == Format::Html {
        headers.push((
            axum::http::header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(HTML_POLICY),
        ));
    }
    let mut response = rendered.bytes.into_response();
    for (name, value) in headers {
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}
