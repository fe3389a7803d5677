//! Assets: the files (images) of trainers' capsules and quizzes, stored in the database beside
//! them.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Db, StoreError, StoreResult, on_db};

/// An asset without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssetInfo {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub content_type: String,
    pub bytes: i64,
}

/// An asset and its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssetRow {
    #[sqlx(flatten)]
    pub info: AssetInfo,
    pub data: Vec<u8>,
}

/// Stores `data` for `owner_id`, and whether it is new: the same bytes uploaded again by the
/// same trainer give the asset stored the first time (its age starting again, so that the
/// sweep of unused assets does not take it from under the document about to use it).
pub async fn insert(
    db: &Db,
    owner_id: Uuid,
    content_type: &str,
    data: &[u8],
    now: i64,
) -> StoreResult<(AssetInfo, bool)> {
    let sha256 = hex::encode(Sha256::digest(data));
    // Random (not time-ordered) ids: an asset's URL tells nothing of others'.
    let id = Uuid::new_v4();
    let stored: Option<AssetInfo> = on_db!(db, |pool| sqlx::query_as(
        "INSERT INTO assets (id, created_at, owner_id, content_type, bytes, sha256, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (owner_id, sha256) DO UPDATE SET created_at = excluded.created_at
         RETURNING id, owner_id, content_type, bytes"
    )
    .bind(id)
    .bind(now)
    .bind(owner_id)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(&sha256)
    .bind(data)
    .fetch_optional(pool)
    .await)?;
    let stored = stored.ok_or(StoreError::NotFound)?;
    let new = stored.id == id;
    Ok((stored, new))
}

/// The asset `id`, without its bytes.
pub async fn info(db: &Db, id: Uuid) -> StoreResult<AssetInfo> {
    let row = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, owner_id, content_type, bytes FROM assets WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    row.ok_or(StoreError::NotFound)
}

/// The asset `id` with its bytes.
pub async fn get(db: &Db, id: Uuid) -> StoreResult<AssetRow> {
    let row = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, owner_id, content_type, bytes, data FROM assets WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    row.ok_or(StoreError::NotFound)
}

/// Deletes the assets created before `created_before` that no document of their trainer
/// references any more (see `referenced`); returns how many.
pub async fn delete_unreferenced(db: &Db, created_before: i64) -> StoreResult<u64> {
    let candidates: Vec<(Uuid, Uuid)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, owner_id FROM assets WHERE created_at < $1"
    )
    .bind(created_before)
    .fetch_all(pool)
    .await)?;
    let mut deleted = 0;
    for (id, owner_id) in candidates {
        if !referenced(db, id, owner_id).await? {
            deleted += on_db!(db, |pool| sqlx::query("DELETE FROM assets WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()))?;
        }
    }
    Ok(deleted)
}

/// Whether a document of the trainer names the asset: a capsule, a quiz (a question's or a
/// choice's image), or a live room's copies: of its capsule, of the quiz it runs (checkpointed
/// in its state), and of the quizzes it started (`quiz_started` holds the questions, and is
/// committed before the state's checkpoint is).
async fn referenced(db: &Db, id: Uuid, owner_id: Uuid) -> StoreResult<bool> {
    let id = id.to_string();
    let found: Option<i32> = match db {
        Db::Sqlite(pool) => {
            sqlx::query_scalar(
                "SELECT 1 FROM capsules WHERE owner_id = $1 AND instr(snapshot, $2) > 0
                 UNION ALL
                 SELECT 1 FROM quizzes WHERE owner_id = $1 AND instr(questions, $2) > 0
                 UNION ALL
                 SELECT 1 FROM rooms WHERE created_by = $1
                     AND (instr(capsule_snapshot, $2) > 0 OR instr(state, $2) > 0)
                 UNION ALL
                 SELECT 1 FROM rooms r JOIN room_events e ON e.room_id = r.id
                 WHERE r.created_by = $1 AND e.type = 'quiz_started' AND instr(e.data, $2) > 0
                 LIMIT 1",
            )
            .bind(owner_id)
            .bind(&id)
            .fetch_optional(pool)
            .await?
        }
        Db::Postgres(pool) => {
            sqlx::query_scalar(
                "SELECT 1 FROM capsules WHERE owner_id = $1 AND strpos(snapshot::text, $2) > 0
                 UNION ALL
                 SELECT 1 FROM quizzes WHERE owner_id = $1 AND strpos(questions::text, $2) > 0
                 UNION ALL
                 SELECT 1 FROM rooms WHERE created_by = $1
                     AND (strpos(capsule_snapshot::text, $2) > 0 OR strpos(state::text, $2) > 0)
                 UNION ALL
                 SELECT 1 FROM rooms r JOIN room_events e ON e.room_id = r.id
                 WHERE r.created_by = $1 AND e.type = 'quiz_started'
                     AND strpos(e.data::text, $2) > 0
                 LIMIT 1",
            )
            .bind(owner_id)
            .bind(&id)
            .fetch_optional(pool)
            .await?
        }
    };
    Ok(found.is_some())
}
