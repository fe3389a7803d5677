//! Capsules: a trainer's tldraw documents.

use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Db, StoreError, StoreResult, on_db};
use crate::domain::tldraw::{CapsuleDocument, PageInfo};

/// A capsule without its snapshot, which can be megabytes: what listings need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CapsuleSummary {
    pub id: Uuid,
    pub created_at: i64,
    pub updated_at: i64,
    pub owner_id: Uuid,
    pub title: String,
    pub pages: Json<Vec<PageInfo>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CapsuleRow {
    #[sqlx(flatten)]
    pub summary: CapsuleSummary,
    pub snapshot: Json<Value>,
}

pub async fn insert(
    db: &Db,
    owner_id: Uuid,
    title: &str,
    snapshot: &Value,
    pages: &[PageInfo],
    now: i64,
) -> StoreResult<CapsuleSummary> {
    let summary = CapsuleSummary {
        id: Uuid::now_v7(),
        created_at: now,
        updated_at: now,
        owner_id,
        title: title.to_owned(),
        pages: Json(pages.to_vec()),
    };
    on_db!(db, |pool| sqlx::query(
        "INSERT INTO capsules (id, created_at, updated_at, owner_id, title, snapshot, pages)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(summary.id)
    .bind(now)
    .bind(now)
    .bind(owner_id)
    .bind(title)
    .bind(Json(snapshot))
    .bind(Json(pages))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(summary)
}

pub async fn list(db: &Db, owner_id: Uuid) -> StoreResult<Vec<CapsuleSummary>> {
    let rows = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, created_at, updated_at, owner_id, title, pages FROM capsules
         WHERE owner_id = $1 ORDER BY created_at DESC, id DESC"
    )
    .bind(owner_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// The capsule `id` if `owner_id` owns it.
pub async fn get(db: &Db, owner_id: Uuid, id: Uuid) -> StoreResult<CapsuleRow> {
    let row = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, created_at, updated_at, owner_id, title, pages, snapshot FROM capsules
         WHERE id = $1 AND owner_id = $2"
    )
    .bind(id)
    .bind(owner_id)
    .fetch_optional(pool)
    .await)?;
    row.ok_or(StoreError::NotFound)
}

/// Renames a capsule (its document is written by its editing task: `save_document`).
pub async fn rename(db: &Db, owner_id: Uuid, id: Uuid, title: &str, now: i64) -> StoreResult<()> {
    let updated = on_db!(db, |pool| sqlx::query(
        "UPDATE capsules SET title = $1, updated_at = $2 WHERE id = $3 AND owner_id = $4"
    )
    .bind(title)
    .bind(now)
    .bind(id)
    .bind(owner_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Whether `owner_id` has a capsule `id` (without reading its document).
pub async fn owns(db: &Db, owner_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let row: Option<(Uuid,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id FROM capsules WHERE id = $1 AND owner_id = $2"
    )
    .bind(id)
    .bind(owner_id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.is_some())
}

/// A capsule's document and when it was last changed, whoever owns it (for its editors, whose
/// owner was checked when they connected).
pub async fn document(db: &Db, id: Uuid) -> StoreResult<(Value, i64)> {
    let row: Option<(Json<Value>, i64)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT snapshot, updated_at FROM capsules WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    row.map(|(snapshot, updated_at)| (snapshot.0, updated_at))
        .ok_or(StoreError::NotFound)
}

/// Saves what a capsule's editors made of its document; `NotFound` once it was deleted.
pub async fn save_document(
    db: &Db,
    id: Uuid,
    document: &CapsuleDocument,
    updated_at: i64,
) -> StoreResult<()> {
    let saved = on_db!(db, |pool| sqlx::query(
        "UPDATE capsules SET snapshot = $2, pages = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(Json(&document.snapshot))
    .bind(Json(&document.pages))
    .bind(updated_at)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if saved == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn delete(db: &Db, owner_id: Uuid, id: Uuid) -> StoreResult<()> {
    let done = on_db!(db, |pool| sqlx::query(
        "DELETE FROM capsules WHERE id = $1 AND owner_id = $2"
    )
    .bind(id)
    .bind(owner_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
