//! Past and live sessions, read from `room_events` alone: the list, one session's events, and
//! its erasure. Pages are chained with a `Link: <…>; rel="next"` header.

use std::fmt::Display;
use std::str::FromStr;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LINK;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::domain::events::EndReason;
use crate::domain::protocol::ErrorCode;
use crate::domain::sessions::{SessionSummary, StoredEvent, summarize};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ApiError, ApiQuery, ApiResult, parse_id};
use crate::store::events::{self, SessionQuery};
use crate::store::{StoreError, rooms};

const SESSIONS_PER_PAGE: i64 = 50;
const MAX_SESSIONS_PER_PAGE: i64 = 200;
const EVENTS_PER_PAGE: i64 = 1_000;
const MAX_EVENTS_PER_PAGE: i64 = 10_000;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SessionFilter {
    /// Only sessions of this capsule.
    pub capsule_id: Option<Uuid>,
    /// Sessions started at or after this time (RFC 3339, or a date `YYYY-MM-DD` meaning its start in UTC).
    pub from: Option<String>,
    /// Sessions started before this time (same formats).
    pub to: Option<String>,
    /// Sessions per page (1–200, default 50).
    pub limit: Option<i64>,
    /// Where the previous page stopped: the cursor of its `Link` header.
    pub before: Option<String>,
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
                ErrorCode::BadQuery,
                format!("{field}: expected a date like 2026-11-27 or 2026-11-27T09:00:00Z"),
            )
        })
}

fn parse_limit(limit: Option<i64>, default: i64, max: i64) -> ApiResult<i64> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::bad_request(
            ErrorCode::BadQuery,
            format!("limit: between 1 and {max}"),
        )),
    }
}

/// A place in an ordered list: a time and an id, written `1764230400000_<uuid>`.
struct Cursor(i64, Uuid);

impl FromStr for Cursor {
    type Err = ApiError;
    fn from_str(s: &str) -> ApiResult<Self> {
        s.split_once('_')
            .and_then(|(at, id)| Some(Cursor(at.parse().ok()?, id.parse().ok()?)))
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::BadQuery,
                    "the cursor is not one this server gave",
                )
            })
    }
}

impl Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.0, self.1)
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `Link: <path?params&cursor=…>; rel="next"`, when there is a next page.
fn next_link(
    path: &str,
    params: &[(&str, Option<String>)],
) -> Option<(axum::http::HeaderName, HeaderValue)> {
    let query: Vec<String> = params
        .iter()
        .filter_map(|(name, value)| Some(format!("{name}={}", encode(value.as_deref()?))))
        .collect();
    let link = format!("<{path}?{}>; rel=\"next\"", query.join("&"));
    Some((LINK, HeaderValue::from_str(&link).ok()?))
}

#[derive(serde::Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
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

/// The caller's sessions, live and ended, newest first, a page at a time.
#[utoipa::path(get, path = "/api/sessions", tag = "sessions", params(SessionFilter),
    responses((status = 200, body = Vec<Session>, headers(("link" = String, description = "the next page, if any"))),
        (status = 400, description = "bad filter")))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(filter): ApiQuery<SessionFilter>,
) -> ApiResult<Response> {
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
    let limit = parse_limit(filter.limit, SESSIONS_PER_PAGE, MAX_SESSIONS_PER_PAGE)?;
    let before = match filter.before.as_deref() {
        Some(cursor) => cursor.parse()?,
        None => Cursor(i64::MAX, Uuid::max()),
    };
    let query = SessionQuery {
        user_id: current.user.id,
        capsule_id: filter.capsule_id,
        from: from.unwrap_or(i64::MIN),
        to: to.unwrap_or(i64::MAX),
        before: (before.0, before.1),
        // One more than asked tells whether there is a next page.
        limit: limit + 1,
    };
    let rows = events::session_outlines(&state.db, &query).await?;
    let stored = rows.into_iter().filter_map(|row| {
        Some(StoredEvent {
            event: row.event()?,
            room_id: row.room_id,
            created_at: row.created_at,
        })
    });
    let mut sessions = summarize(stored);
    let more = sessions.len() as i64 > limit;
    sessions.truncate(limit as usize);
    let link = more.then(|| sessions.last()).flatten().and_then(|last| {
        next_link(
            "/api/sessions",
            &[
                ("capsule_id", filter.capsule_id.map(|id| id.to_string())),
                ("from", filter.from.clone()),
                ("to", filter.to.clone()),
                ("limit", Some(limit.to_string())),
                (
                    "before",
                    Some(Cursor(last.started_at, last.room_id).to_string()),
                ),
            ],
        )
    });
    let sessions: Vec<Session> = sessions.into_iter().map(Session::from).collect();
    Ok((AppendHeaders(link), Json(sessions)).into_response())
}

/// The session's first event carries the trainer who launched it: anyone else is told the
/// session does not exist.
pub(super) async fn check_owner(state: &AppState, user_id: Uuid, room_id: Uuid) -> ApiResult<()> {
    match events::first(&state.db, room_id).await {
        Ok(first) if first.user_id == user_id => Ok(()),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::not_found("session")),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct EventsPage {
    /// Events per page (1–10000, default 1000).
    pub limit: Option<i64>,
    /// Where the previous page stopped: the cursor of its `Link` header.
    pub after: Option<String>,
}

// `SessionEvent` in TypeScript, where `Event` is the DOM's.
#[derive(serde::Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/", rename = "SessionEvent")]
pub struct Event {
    pub id: Uuid,
    pub created_at: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = Object)]
    pub data: Value,
}

/// A session's events as stored, in the order the room applied them, a page at a time.
#[utoipa::path(get, path = "/api/sessions/{room_id}/events", tag = "sessions",
    params(("room_id" = Uuid, Path), EventsPage),
    responses((status = 200, body = Vec<Event>, headers(("link" = String, description = "the next page, if any"))),
        (status = 404, description = "no such session of yours")))]
pub async fn events(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(room_id): Path<String>,
    ApiQuery(page): ApiQuery<EventsPage>,
) -> ApiResult<Response> {
    let room_id = parse_id(&room_id, "session")?;
    let limit = parse_limit(page.limit, EVENTS_PER_PAGE, MAX_EVENTS_PER_PAGE)?;
    let after = match page.after.as_deref() {
        Some(cursor) => cursor.parse()?,
        None => Cursor(i64::MIN, Uuid::nil()),
    };
    check_owner(&state, current.user.id, room_id).await?;
    let rows = events::for_room_after(&state.db, room_id, (after.0, after.1), limit).await?;
    let link = (rows.len() as i64 == limit)
        .then(|| rows.last())
        .flatten()
        .and_then(|last| {
            next_link(
                &format!("/api/sessions/{room_id}/events"),
                &[
                    ("limit", Some(limit.to_string())),
                    ("after", Some(Cursor(last.created_at, last.id).to_string())),
                ],
            )
        });
    let events: Vec<Event> = rows
        .into_iter()
        .map(|row| Event {
            id: row.id,
            created_at: crate::http::iso(row.created_at),
            kind: row.kind,
            data: row.data.0,
        })
        .collect();
    Ok((AppendHeaders(link), Json(events)).into_response())
}

/// Erases every event of an ended session (the right to erasure): afterwards it is gone from
/// the list, its events and its report. A live session must be ended first.
#[utoipa::path(delete, path = "/api/sessions/{room_id}", tag = "sessions",
    params(("room_id" = Uuid, Path)),
    responses((status = 204, description = "erased"), (status = 404, description = "no such session of yours"),
        (status = 409, description = "the session is live: end it first")))]
pub async fn erase(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(room_id): Path<String>,
) -> ApiResult<StatusCode> {
    let room_id = parse_id(&room_id, "session")?;
    check_owner(&state, current.user.id, room_id).await?;
    match rooms::get_any(&state.db, room_id).await {
        Ok(_) => {
            return Err(ApiError::conflict(
                ErrorCode::SessionLive,
                "this session is live: end it before erasing it",
            ));
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let erased = events::erase_session(&state.db, current.user.id, room_id).await?;
    tracing::info!(%room_id, erased, "session erased");
    Ok(StatusCode::NO_CONTENT)
}
