//! `room_events`: the append-only history every report is built from.

use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Db, StoreError, StoreResult, on_db, rooms};
use crate::domain::events::RoomEvent;
use crate::domain::quiz::Scoring;
use crate::domain::report::{self, Scope, SessionReport};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub created_at: i64,
    pub room_id: Uuid,
    pub user_id: Uuid,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub data: Json<Value>,
}

impl EventRow {
    /// Stamps a new event. The id is a UUIDv7 and `created_at` is read from that same id, so the
    /// order by (created_at, id) is the order in which events were made.
    pub fn new(room_id: Uuid, user_id: Uuid, event: &RoomEvent) -> Self {
        Self::stamped(stamp(), room_id, user_id, event)
    }

    /// An event with a stamp taken earlier (when its data depends on the time it happens).
    pub fn stamped(stamp: (Uuid, i64), room_id: Uuid, user_id: Uuid, event: &RoomEvent) -> Self {
        let (id, created_at) = stamp;
        let (kind, data) = event.to_parts();
        Self {
            id,
            created_at,
            room_id,
            user_id,
            kind,
            data: Json(data),
        }
    }

    /// The typed event, or `None` for a type this build does not know. Same result as
    /// `RoomEvent::from_parts`, without copying the data: the type is read first, so serde
    /// decodes the data straight into its variant (reports decode 100,000s of these).
    pub fn event(&self) -> Option<RoomEvent> {
        use serde::Deserialize;
        use serde::de::value::MapDeserializer;
        let kind = Value::String(self.kind.clone());
        let parts = [("type", &kind), ("data", &self.data.0)];
        let parts = MapDeserializer::<_, serde_json::Error>::new(parts.into_iter());
        RoomEvent::deserialize(parts).ok()
    }
}

/// A fresh event id and the time it carries, in milliseconds.
pub fn stamp() -> (Uuid, i64) {
    let id = Uuid::now_v7();
    let (secs, nanos) = id
        .get_timestamp()
        .expect("a v7 id carries its time")
        .to_unix();
    (id, secs as i64 * 1_000 + i64::from(nanos / 1_000_000))
}

/// Rows per `INSERT` statement: six values each, well under SQLite's 32,766 bound values and
/// PostgreSQL's 65,535.
pub const ROWS_PER_INSERT: usize = 1_000;

/// Inserts `EventRow`s (any iterator of `&EventRow`) within the transaction `$tx`, so that
/// events join the transaction of the change they record: one statement per
/// `ROWS_PER_INSERT` rows, not one per row (a burst of 5,000 answers is five round trips).
macro_rules! insert_events {
    ($tx:expr, $rows:expr) => {{
        let rows: Vec<&$crate::store::events::EventRow> = $rows.into_iter().collect();
        let mut inserted = Ok(());
        for chunk in rows.chunks($crate::store::events::ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO room_events (id, created_at, room_id, user_id, type, data) ",
            );
            insert.push_values(chunk, |mut values, row| {
                values
                    .push_bind(row.id)
                    .push_bind(row.created_at)
                    .push_bind(row.room_id)
                    .push_bind(row.user_id)
                    .push_bind(&row.kind)
                    .push_bind(&row.data);
            });
            if let Err(error) = insert.build().execute(&mut *$tx).await {
                inserted = Err(error);
                break;
            }
        }
        inserted
    }};
}
pub(crate) use insert_events;

/// Appends a batch of events in one transaction: all are stored or none.
pub async fn append(db: &Db, rows: &[EventRow]) -> StoreResult<()> {
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        insert_events!(tx, rows)?;
        tx.commit().await?;
    });
    Ok(())
}

macro_rules! event_columns {
    () => {
        "id, created_at, room_id, user_id, type, data"
    };
}

/// Every event of one room, in the order the room applied them.
pub async fn for_room(db: &Db, room_id: Uuid) -> StoreResult<Vec<EventRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        event_columns!(),
        " FROM room_events WHERE room_id = $1 ORDER BY created_at, id"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(room_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// A room's first event (its `session_started`).
pub async fn first(db: &Db, room_id: Uuid) -> StoreResult<EventRow> {
    const SQL: &str = concat!(
        "SELECT ",
        event_columns!(),
        " FROM room_events WHERE room_id = $1 ORDER BY created_at, id LIMIT 1"
    );
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(room_id)
        .fetch_optional(pool)
        .await)?;
    row.ok_or(StoreError::NotFound)
}

/// Everything a session's report is folded from: its events, and whether its room is live.
pub struct SessionEvents {
    room_id: Uuid,
    rows: Vec<EventRow>,
    live: bool,
}

/// A session's events (`NotFound` when the room has none); a room still in `rooms` is live.
pub async fn session_events(db: &Db, room_id: Uuid) -> StoreResult<SessionEvents> {
    let rows = for_room(db, room_id).await?;
    if rows.is_empty() {
        return Err(StoreError::NotFound);
    }
    let live = match rooms::get_any(db, room_id).await {
        Ok(_) => true,
        Err(StoreError::NotFound) => false,
        Err(e) => return Err(e),
    };
    Ok(SessionEvents {
        room_id,
        rows,
        live,
    })
}

impl SessionEvents {
    /// The report, from the events alone; a live session's runs up to `now`. CPU-bound for
    /// large sessions: async callers run it off the async threads.
    pub fn report(&self, scoring: Option<Scoring>, now: i64) -> SessionReport {
        let scope = Scope {
            room_id: self.room_id,
            trainer_id: self.rows[0].user_id,
            live_now: self.live.then_some(now),
            scoring,
        };
        // Types this build does not know are skipped: a newer server may have written them.
        let events = self
            .rows
            .iter()
            .filter_map(|row| Some((row.created_at, row.event()?)));
        report::build(&scope, events)
    }
}

/// A page of a room's events, in order, after the event `after` (its created_at and id).
pub async fn for_room_after(
    db: &Db,
    room_id: Uuid,
    after: (i64, Uuid),
    limit: i64,
) -> StoreResult<Vec<EventRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        event_columns!(),
        " FROM room_events
         WHERE room_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3))
         ORDER BY created_at, id LIMIT $4"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(room_id)
        .bind(after.0)
        .bind(after.1)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Which of a trainer's sessions to list: started in `[from, to)`, of one capsule or any, newest
/// first, strictly before the session `before` (its start and room id), at most `limit`.
pub struct SessionQuery {
    pub user_id: Uuid,
    pub capsule_id: Option<Uuid>,
    pub from: i64,
    pub to: i64,
    pub before: (i64, Uuid),
    pub limit: i64,
}

/// The events that shape one page of a trainer's list of sessions: the starts the query picks,
/// and the renames and ends that followed them.
pub async fn session_outlines(db: &Db, query: &SessionQuery) -> StoreResult<Vec<EventRow>> {
    // `->>` reads the capsule id as text on both databases; '' stands for "any capsule".
    const SQL: &str = concat!(
        "SELECT ",
        event_columns!(),
        " FROM room_events
         WHERE user_id = $1 AND type IN ('session_started', 'room_renamed', 'session_ended')
           AND room_id IN (SELECT room_id FROM room_events
                           WHERE user_id = $1 AND type = 'session_started'
                             AND created_at >= $2 AND created_at < $3
                             AND ($4 = '' OR data->>'capsule_id' = $4)
                             AND (created_at < $5 OR (created_at = $5 AND room_id < $6))
                           ORDER BY created_at DESC, room_id DESC LIMIT $7)
         ORDER BY created_at, id"
    );
    let capsule = query
        .capsule_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(query.user_id)
        .bind(query.from)
        .bind(query.to)
        .bind(&capsule)
        .bind(query.before.0)
        .bind(query.before.1)
        .bind(query.limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Erases every event of one of a trainer's sessions; how many there were.
pub async fn erase_session(db: &Db, user_id: Uuid, room_id: Uuid) -> StoreResult<u64> {
    const SQL: &str = "DELETE FROM room_events WHERE room_id = $1 AND user_id = $2";
    let deleted = on_db!(db, |pool| sqlx::query(SQL)
        .bind(room_id)
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(deleted)
}

/// Erases the sessions whose last event is older than `before`, whole (never half a session),
/// and never one whose room is still live; how many events went.
pub async fn purge_sessions_before(db: &Db, before: i64) -> StoreResult<u64> {
    const SQL: &str = "DELETE FROM room_events
         WHERE room_id IN (SELECT room_id FROM room_events
                           GROUP BY room_id HAVING MAX(created_at) < $1)
           AND room_id NOT IN (SELECT id FROM rooms)";
    let deleted = on_db!(db, |pool| sqlx::query(SQL)
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(deleted)
}
