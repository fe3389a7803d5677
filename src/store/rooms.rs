//! Live rooms and their chats: created at launch, deleted at the end of the session.

use std::collections::HashSet;

use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::events::{EventRow, insert_events};
use super::{Db, StoreError, StoreResult, on_db};
use crate::domain::events::RoomEvent;
use crate::domain::names::first_free_name;
use crate::domain::room::{RoomParams, RoomState};

/// A room without its capsule snapshot (which can be megabytes).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoomRow {
    pub id: Uuid,
    pub created_at: i64,
    pub created_by: Uuid,
    pub name: String,
    pub capsule_id: Uuid,
    pub capsule_title: String,
    pub quiz_id: Option<Uuid>,
    pub quiz_scores: Json<Value>,
    pub params: Json<RoomParams>,
    pub state: Json<RoomState>,
    pub updated_at: i64,
    /// The room's chat (one per room, made at launch).
    pub chat_id: Uuid,
}

macro_rules! room_columns {
    () => {
        "id, created_at, created_by, name, capsule_id, capsule_title, quiz_id, \
    quiz_scores, params, state, updated_at, \
    (SELECT c.id FROM chats c WHERE c.room_id = rooms.id ORDER BY c.created_at, c.id LIMIT 1) AS chat_id"
    };
}

pub struct NewRoom<'a> {
    pub created_by: Uuid,
    /// The name wanted: the capsule's slug, or the trainer's choice.
    pub base_name: &'a str,
    /// Whether `base_name` may get a `-2`, `-3`, … suffix when taken (409 otherwise).
    pub suffix_if_taken: bool,
    pub capsule_id: Uuid,
    pub capsule_title: &'a str,
    pub capsule_snapshot: RoomDocument<'a>,
    pub quiz_id: Option<Uuid>,
    pub params: RoomParams,
    pub state: RoomState,
}

/// What a room's `capsule_snapshot` starts as.
#[derive(Clone, Copy)]
pub enum RoomDocument<'a> {
    /// This document (the trainer's capsule `capsule_id` must exist all the same).
    Given(&'a Value),
    /// The capsule's stored document, copied by the database (never read by the server: a deck
    /// is megabytes). Speaker notes and what the content policy refuses are taken out where
    /// the room's document is read (`live::canvas`).
    CopyOfCapsule,
}

/// How many times a launch retries when a concurrent launch takes the name it picked.
const NAME_RACE_RETRIES: usize = 16;

/// Creates the room, its chat and the event built by `started` (given the final name) in one
/// transaction. Two launches racing for a name never get the same one: the loser of the unique
/// constraint picks the next free name and tries again.
pub async fn create(
    db: &Db,
    room: NewRoom<'_>,
    started: impl Fn(&str) -> RoomEvent,
    now: i64,
) -> StoreResult<RoomRow> {
    for _ in 0..NAME_RACE_RETRIES {
        let name = if room.suffix_if_taken {
            first_free_name(room.base_name, &names_like(db, room.base_name).await?)
        } else {
            room.base_name.to_owned()
        };
        match insert(db, &room, &name, &started(&name), now).await {
            Err(StoreError::Conflict) if room.suffix_if_taken => continue,
            Err(e) => return Err(e),
            Ok(id) => return get_any(db, id).await,
        }
    }
    Err(StoreError::Conflict)
}

async fn names_like(db: &Db, base: &str) -> StoreResult<HashSet<String>> {
    // Slugs hold no `%` or `_`, so LIKE matches exactly the suffixed forms.
    let names: Vec<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT name FROM rooms WHERE name = $1 OR name LIKE $2"
    )
    .bind(base)
    .bind(format!("{base}-%"))
    .fetch_all(pool)
    .await)?;
    Ok(names.into_iter().map(|(n,)| n).collect())
}

async fn insert(
    db: &Db,
    room: &NewRoom<'_>,
    name: &str,
    started: &RoomEvent,
    now: i64,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    let event = EventRow::new(id, room.created_by, started);
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        let given = match room.capsule_snapshot {
            RoomDocument::Given(snapshot) => Some(Json(snapshot)),
            RoomDocument::CopyOfCapsule => None,
        };
        let inserted = sqlx::query(
            "INSERT INTO rooms (id, created_at, created_by, name, capsule_id, capsule_title,
                 capsule_snapshot, quiz_id, quiz_scores, params, state, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, COALESCE($7, snapshot), $8, $9, $10, $11, $12
             FROM capsules WHERE id = $5 AND owner_id = $3",
        )
        .bind(id)
        .bind(now)
        .bind(room.created_by)
        .bind(name)
        .bind(room.capsule_id)
        .bind(room.capsule_title)
        .bind(given)
        .bind(room.quiz_id)
        .bind(Json(serde_json::json!([])))
        .bind(Json(room.params))
        .bind(Json(&room.state))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_write)?;
        // The capsule was deleted since it was read.
        if inserted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("INSERT INTO chats (id, created_at, room_id) VALUES ($1, $2, $3)")
            .bind(Uuid::now_v7())
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_events!(tx, [&event])?;
        tx.commit().await?;
    });
    Ok(id)
}

/// The room `id`, whoever launched it.
pub async fn get_any(db: &Db, id: Uuid) -> StoreResult<RoomRow> {
    const SQL: &str = concat!("SELECT ", room_columns!(), " FROM rooms WHERE id = $1");
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    row.ok_or(StoreError::NotFound)
}

/// The room `id` if `user_id` launched it.
pub async fn get(db: &Db, user_id: Uuid, id: Uuid) -> StoreResult<RoomRow> {
    let room = get_any(db, id).await?;
    if room.created_by != user_id {
        return Err(StoreError::NotFound);
    }
    Ok(room)
}

/// The id and the trainer of the room called `name`: all a live connection needs. Not the
/// whole row: its state lists every seat, and reading and parsing that for each of thousands
/// of connecting participants made joining a crowd quadratic.
pub async fn key_by_name(db: &Db, name: &str) -> StoreResult<(Uuid, Uuid)> {
    const SQL: &str = "SELECT id, created_by FROM rooms WHERE name = $1";
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(name)
        .fetch_optional(pool)
        .await)?;
    row.ok_or(StoreError::NotFound)
}

/// What the join page shows of the room called `name`, without its state (every seat).
#[derive(Debug, sqlx::FromRow)]
pub struct JoinCard {
    pub id: Uuid,
    pub name: String,
    pub capsule_title: String,
    pub trainer_name: String,
}

pub async fn join_card(db: &Db, name: &str) -> StoreResult<JoinCard> {
    const SQL: &str = "SELECT r.id, r.name, r.capsule_title, u.name AS trainer_name \
        FROM rooms r JOIN users u ON u.id = r.created_by WHERE r.name = $1";
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(name)
        .fetch_optional(pool)
        .await)?;
    row.ok_or(StoreError::NotFound)
}

pub async fn by_name(db: &Db, name: &str) -> StoreResult<RoomRow> {
    const SQL: &str = concat!("SELECT ", room_columns!(), " FROM rooms WHERE name = $1");
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(name)
        .fetch_optional(pool)
        .await)?;
    row.ok_or(StoreError::NotFound)
}

/// The live rooms `user_id` launched, newest first.
pub async fn list(db: &Db, user_id: Uuid) -> StoreResult<Vec<RoomRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        room_columns!(),
        " FROM rooms WHERE created_by = $1 ORDER BY created_at DESC, id DESC"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Every live room, oldest first (`pratico admin rooms`).
pub async fn list_all(db: &Db) -> StoreResult<Vec<RoomRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        room_columns!(),
        " FROM rooms ORDER BY created_at, id"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(SQL).fetch_all(pool).await)?;
    Ok(rows)
}

/// Appends the closing events, then deletes the room with its chats and their messages (the
/// foreign keys cascade), all in one transaction: the events stay, the rest is gone.
pub async fn end(db: &Db, room_id: Uuid, closing: &[EventRow]) -> StoreResult<()> {
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        insert_events!(tx, closing)?;
        let deleted = sqlx::query("DELETE FROM rooms WHERE id = $1")
            .bind(room_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
    });
    Ok(())
}

/// The capsule snapshot a room runs on, as the JSON text stored (it is sent as is).
pub async fn snapshot_text(db: &Db, id: Uuid) -> StoreResult<String> {
    let row: Option<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT CAST(capsule_snapshot AS text) FROM rooms WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    row.map(|(text,)| text).ok_or(StoreError::NotFound)
}

/// A live room's shared canvas as stored in `capsule_snapshot` (the capsule's store snapshot
/// at launch, the canvas's room snapshot once it has been edited), with the room's params.
pub async fn canvas(db: &Db, id: Uuid) -> StoreResult<(Value, RoomParams)> {
    let row: Option<(Json<Value>, Json<RoomParams>)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT capsule_snapshot, params FROM rooms WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    row.map(|(snapshot, params)| (snapshot.0, params.0))
        .ok_or(StoreError::NotFound)
}

/// Saves a live room's shared canvas; `NotFound` once the room has ended.
pub async fn save_canvas(db: &Db, id: Uuid, snapshot: &Value) -> StoreResult<()> {
    let saved = on_db!(db, |pool| sqlx::query(
        "UPDATE rooms SET capsule_snapshot = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(Json(snapshot))
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    if saved == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
