//! Past and live sessions, read from `room_events` alone.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::domain::events::EndReason;
use crate::domain::sessions::{SessionSummary, StoredEvent, summarize};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ApiError, ApiQuery, ApiResult};
use crate::store::events;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SessionFilter {
    /// Only sessions of this capsule.
    pub capsule_id: Option<Uuid>,
    /// Sessions started at or after this time (RFC 3339, or a date `YYYY-MM-DD` meaning its start in UTC).
    pub from: Option<String>,
    /// Sessions started before this time (same formats).
    pub to: Option<String>,
}

/// Reads `2026-11-27T09:00:00Z` or `2026-11-27` (midnight UTC) as epoch milliseconds.
fn parse_time(field: &str, value: &str) -> ApiResult<i64> {
    let parsed = OffsetDateTime::parse(value, &Rfc3339).or_else(|_| {
        let date_format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(value, &date_format).map(|d| d.midnight().assume_utc())
    });
    parsed
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| {
            ApiError::bad_request(
                "bad_query",
                format!("{field}: expected a date like 2026-11-27 or 2026-11-27T09:00:00Z"),
            )
        })
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Session {
    pub room_id: Uuid,
    pub room_name: String,
    pub capsule_id: Uuid,
    pub capsule_title: String,
    pub trainer_name: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub live: bool,
    pub duration_s: Option<i64>,
    pub participant_count: Option<usize>,
    #[schema(value_type = Option<String>)]
    pub end_reason: Option<EndReason>,
}

impl From<SessionSummary> for Session {
    fn from(s: SessionSummary) -> Self {
        Self {
            room_id: s.room_id,
            room_name: s.room_name,
            capsule_id: s.capsule_id,
            capsule_title: s.capsule_title,
            trainer_name: s.trainer_name,
            started_at: crate::http::iso(s.started_at),
            ended_at: s.ended_at.map(crate::http::iso),
            live: s.live,
            duration_s: s.duration_s,
            participant_count: s.participant_count,
            end_reason: s.end_reason,
        }
    }
}

/// The caller's sessions, live and ended, newest first.
#[utoipa::path(get, path = "/api/sessions", tag = "sessions", params(SessionFilter),
    responses((status = 200, body = Vec<Session>), (status = 400, description = "bad filter")))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(filter): ApiQuery<SessionFilter>,
) -> ApiResult<Json<Vec<Session>>> {
    let from = filter
        .from
        .as_deref()
        .map(|v| parse_time("from", v))
        .transpose()?;
    let to = filter
        .to
        .as_deref()
        .map(|v| parse_time("to", v))
        .transpose()?;
    let rows = events::session_outlines(
        &state.db,
        current.user.id,
        from.unwrap_or(i64::MIN),
        to.unwrap_or(i64::MAX),
    )
    .await?;
    let stored = rows.into_iter().filter_map(|row| {
        Some(StoredEvent {
            event: row.event()?,
            room_id: row.room_id,
            created_at: row.created_at,
        })
    });
    let sessions = summarize(stored)
        .into_iter()
        .filter(|s| filter.capsule_id.is_none_or(|id| s.capsule_id == id))
        .map(Session::from)
        .collect();
    Ok(Json(sessions))
}
