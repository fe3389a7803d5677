//! What a live room writes: batches of events with their chat changes, and checkpoints. The
//! writes of many rooms go together in one transaction (`write_all`, see `live::committer`).

use std::sync::Arc;

use serde_json::value::RawValue;
use sqlx::types::Json;
use uuid::Uuid;

use super::events::{EventRow, insert_events};
use super::{Db, StoreError, StoreResult, on_db};
use crate::domain::room::{ChatMessage, LiveRoom, RoomParams};

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

/// What a room is now (`state.last_event` says which events it includes), with the quiz
/// columns of the seed: the quiz last started and the final scores of the last one ended.
/// Serialised by the room's own task, so that the writer of many rooms only writes.
#[derive(Debug)]
pub struct Checkpoint {
    room_id: Uuid,
    name: String,
    params: RoomParams,
    state: Box<RawValue>,
    quiz_id: Option<Uuid>,
    quiz_scores: Box<RawValue>,
    at: i64,
}

impl Checkpoint {
    pub fn of(room: &LiveRoom, at: i64) -> Self {
        Self {
            room_id: room.facts.id,
            name: room.name.clone(),
            params: room.params,
            state: raw_json(&room.state),
            quiz_id: room.quiz_id,
            quiz_scores: raw_json(&room.quiz_scores()),
            at,
        }
    }
}

fn raw_json(value: &impl serde::Serialize) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("a room's state is plain data")
}

/// One room's write: a batch of its chat (`chat_id`), a checkpoint, or one of the two changes
/// of the room's row that must be written alone (their refusal is an answer, not an outage).
#[derive(Debug)]
pub enum Write {
    Batch {
        chat_id: Uuid,
        batch: Arc<Batch>,
    },
    Checkpoint(Checkpoint),
    /// The room's new name with its `room_renamed` event; `Conflict` if a live room has it.
    Rename {
        room_id: Uuid,
        name: String,
        event: EventRow,
    },
    /// The closing events, then the room deleted with its chat; `NotFound` if it is gone.
    End {
        room_id: Uuid,
        events: Vec<EventRow>,
    },
    /// The room's shared canvas (a tldraw room snapshot) in `capsule_snapshot`; `NotFound` if
    /// the room is gone.
    Canvas {
        room_id: Uuid,
        snapshot: serde_json::Value,
    },
}

impl Write {
    /// Whether this write goes in a transaction of its own.
    pub fn alone(&self) -> bool {
        matches!(
            self,
            Write::Rename { .. } | Write::End { .. } | Write::Canvas { .. }
        )
    }
}

/// Writes one write in a transaction of its own.
pub async fn write_alone(db: &Db, write: &Write) -> StoreResult<()> {
    match write {
        Write::Rename {
            room_id,
            name,
            event,
        } => rename(db, *room_id, name, event).await,
        Write::End { room_id, events } => super::rooms::end(db, *room_id, events).await,
        Write::Canvas { room_id, snapshot } => {
            super::rooms::save_canvas(db, *room_id, snapshot).await
        }
        Write::Batch { .. } | Write::Checkpoint(_) => write_all(db, &[write]).await,
    }
}

/// Writes the writes of several rooms in one transaction: all of them or none.
pub async fn write_all(db: &Db, writes: &[&Write]) -> StoreResult<()> {
    let batches = || {
        writes.iter().filter_map(|w| match w {
            Write::Batch { chat_id, batch } => Some((*chat_id, batch)),
            _ => None,
        })
    };
    let events = || batches().flat_map(|(_, b)| &b.events);
    let chat_inserts: Vec<(Uuid, &ChatMessage)> = batches()
        .flat_map(|(chat_id, b)| b.chat_inserts.iter().map(move |m| (chat_id, m)))
        .collect();
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        insert_events!(tx, events())?;
        for chunk in chat_inserts.chunks(ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO chat_messages (id, created_at, chat_id, participant_id, author_name, text) ",
            );
            insert.push_values(chunk, |mut values, (chat_id, m)| {
                values
                    .push_bind(m.id)
                    .push_bind(m.created_at)
                    .push_bind(*chat_id)
                    .push_bind(m.participant_id)
                    .push_bind(&m.author_name)
                    .push_bind(&m.text);
            });
            insert.build().execute(&mut *tx).await?;
        }
        for (chat_id, batch) in batches() {
            for id in &batch.chat_deletes {
                sqlx::query("DELETE FROM chat_messages WHERE id = $1 AND chat_id = $2")
                    .bind(id)
                    .bind(chat_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for write in writes {
            let Write::Checkpoint(c) = write else {
                continue;
            };
            sqlx::query(
                "UPDATE rooms SET name = $1, params = $2, state = $3, quiz_id = $4,
                     quiz_scores = $5, updated_at = $6
                 WHERE id = $7",
            )
            .bind(&c.name)
            .bind(Json(c.params))
            .bind(Json(&c.state))
            .bind(c.quiz_id)
            .bind(Json(&c.quiz_scores))
            .bind(c.at)
            .bind(c.room_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// Rows per `INSERT` of chat messages (six values each, as events).
const ROWS_PER_INSERT: usize = super::events::ROWS_PER_INSERT;

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
async fn rename(db: &Db, room_id: Uuid, name: &str, event: &EventRow) -> StoreResult<()> {
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query("UPDATE rooms SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(room_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_write)?;
        insert_events!(tx, [event])?;
        tx.commit().await?;
    });
    Ok(())
}
