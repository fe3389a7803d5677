//! `room_events`: the append-only history every report is built from.

use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Db, StoreResult, on_db};
use crate::domain::events::RoomEvent;

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

    /// The typed event, or `None` for a type this build does not know.
    pub fn event(&self) -> Option<RoomEvent> {
        RoomEvent::from_parts(&self.kind, self.data.0.clone())
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

/// Inserts one `EventRow` through any executor of the backend at hand (a pool or a transaction),
/// so that events join the transaction of the change they record.
macro_rules! insert_event {
    ($executor:expr, $row:expr) => {{
        let row: &$crate::store::events::EventRow = $row;
        sqlx::query(
            "INSERT INTO room_events (id, created_at, room_id, user_id, type, data)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(row.id)
        .bind(row.created_at)
        .bind(row.room_id)
        .bind(row.user_id)
        .bind(&row.kind)
        .bind(&row.data)
        .execute($executor)
        .await
        .map(|_| ())
    }};
}
pub(crate) use insert_event;

/// Appends a batch of events in one transaction: all are stored or none.
pub async fn append(db: &Db, rows: &[EventRow]) -> StoreResult<()> {
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        for row in rows {
            insert_event!(&mut *tx, row)?;
        }
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
    row.ok_or(super::StoreError::NotFound)
}

/// The events that shape a trainer's list of sessions: starts in `[from, to)`, and the renames
/// and ends that followed them.
pub async fn session_outlines(
    db: &Db,
    user_id: Uuid,
    from: i64,
    to: i64,
) -> StoreResult<Vec<EventRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        event_columns!(),
        " FROM room_events
         WHERE user_id = $1 AND type IN ('session_started', 'room_renamed', 'session_ended')
           AND room_id IN (SELECT room_id FROM room_events
                           WHERE user_id = $1 AND type = 'session_started'
                             AND created_at >= $2 AND created_at < $3)
         ORDER BY created_at, id"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}
