//! What a live room writes: batches of events with their chat changes, and checkpoints.

use sqlx::types::Json;
use uuid::Uuid;

use super::events::{EventRow, insert_event};
use super::{Db, StoreError, StoreResult, on_db};
use crate::domain::live::{ChatMessage, LiveRoom};

/// Changes a room commits together: all of them or none.
#[derive(Debug, Default)]
pub struct Batch {
    pub events: Vec<EventRow>,
    pub chat_inserts: Vec<ChatMessage>,
    pub chat_deletes: Vec<Uuid>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.chat_inserts.is_empty() && self.chat_deletes.is_empty()
    }
}

pub async fn commit(db: &Db, chat_id: Uuid, batch: &Batch) -> StoreResult<()> {
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        for event in &batch.events {
            insert_event!(&mut *tx, event)?;
        }
        for m in &batch.chat_inserts {
            sqlx::query(
                "INSERT INTO chat_messages (id, created_at, chat_id, participant_id, author_name, text)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(m.id)
            .bind(m.created_at)
            .bind(chat_id)
            .bind(m.participant_id)
            .bind(&m.author_name)
            .bind(&m.text)
            .execute(&mut *tx)
            .await?;
        }
        for id in &batch.chat_deletes {
            sqlx::query("DELETE FROM chat_messages WHERE id = $1 AND chat_id = $2")
                .bind(id)
                .bind(chat_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// The last `limit` messages of a chat, oldest first.
pub async fn recent_chat(db: &Db, chat_id: Uuid, limit: i64) -> StoreResult<Vec<ChatMessage>> {
    let rows: Vec<(Uuid, i64, Uuid, String, String)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, created_at, participant_id, author_name, text FROM chat_messages
         WHERE chat_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    )
    .bind(chat_id)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .rev()
        .map(
            |(id, created_at, participant_id, author_name, text)| ChatMessage {
                id,
                created_at,
                participant_id,
                author_name,
                text,
            },
        )
        .collect())
}

/// Saves what the room is now (`state.last_event` says which events it includes), with the
/// quiz columns of the seed: the quiz last started and the final scores of the last one ended.
pub async fn checkpoint(db: &Db, room: &LiveRoom, now: i64) -> StoreResult<()> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE rooms SET name = $1, params = $2, state = $3, quiz_id = $4, quiz_scores = $5,
             updated_at = $6
         WHERE id = $7"
    )
    .bind(&room.name)
    .bind(Json(room.params))
    .bind(Json(&room.state))
    .bind(room.quiz_id)
    .bind(Json(&room.quiz_scores))
    .bind(now)
    .bind(room.facts.id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A room's events after `after` (id, created_at), in order; all of them for `None`.
pub async fn events_after(
    db: &Db,
    room_id: Uuid,
    after: Option<(Uuid, i64)>,
) -> StoreResult<Vec<EventRow>> {
    let (after_id, after_at) = after.unwrap_or((Uuid::nil(), i64::MIN));
    let rows = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, created_at, room_id, user_id, type, data FROM room_events
         WHERE room_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3))
         ORDER BY created_at, id"
    )
    .bind(room_id)
    .bind(after_at)
    .bind(after_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// Rooms nobody has touched since `before` (their checkpoint time), for the idle sweep.
pub async fn untouched_since(db: &Db, before: i64) -> StoreResult<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id FROM rooms WHERE updated_at < $1"
    )
    .bind(before)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Renames a live room, with the event that records it; `Conflict` if the name is taken.
pub async fn rename(db: &Db, room_id: Uuid, name: &str, event: &EventRow) -> StoreResult<()> {
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query("UPDATE rooms SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(room_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_write)?;
        insert_event!(&mut *tx, event)?;
        tx.commit().await?;
    });
    Ok(())
}
