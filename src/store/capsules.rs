//! Capsules: a trainer's tldraw documents.

use serde_json::Value;
use serde_json::value::RawValue;
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

/// How much of their storage a trainer uses: capsules and bytes of their documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Usage {
    pub capsules: i64,
    pub bytes: i64,
}

/// What one trainer may store (`--max-capsules-per-trainer`, `--max-capsule-storage-bytes`).
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub capsules: u64,
    pub bytes: u64,
}

impl Quota {
    /// For what the server itself stores (the sample deck given at sign-up).
    pub const NONE: Quota = Quota {
        capsules: u64::MAX,
        bytes: u64::MAX,
    };
}

/// Stores a new capsule whose document is `snapshot` (JSON text, stored as given), unless
/// `owner_id` would then hold more than `quota` allows: `None` then, and nothing is written.
/// The check and the write are one statement, so that uploads racing each other cannot both
/// slip past the quota.
pub async fn insert(
    db: &Db,
    owner_id: Uuid,
    title: &str,
    snapshot: &RawValue,
    pages: &[PageInfo],
    now: i64,
    quota: Quota,
) -> StoreResult<Option<CapsuleSummary>> {
    let summary = CapsuleSummary {
        id: Uuid::now_v7(),
        created_at: now,
        updated_at: now,
        owner_id,
        title: title.to_owned(),
        pages: Json(pages.to_vec()),
    };
    let bytes = clamp(snapshot.get().len() as u64);
    const SQL: &str = "INSERT INTO capsules (id, created_at, updated_at, owner_id, title,
             snapshot, pages, snapshot_bytes)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8
         WHERE (SELECT count(*) FROM capsules WHERE owner_id = $4) < $9
           AND (SELECT COALESCE(SUM(snapshot_bytes), 0) FROM capsules WHERE owner_id = $4) + $8
               <= $10";
    // The document is bound as the text it is: SQLite takes it borrowed (one copy, SQLite's
    // own), where `Json` would write it out once more; PostgreSQL needs it typed as jsonb.
    macro_rules! insert {
        ($pool:expr, $snapshot:expr) => {
            sqlx::query(SQL)
                .bind(summary.id)
                .bind(now)
                .bind(now)
                .bind(owner_id)
                .bind(title)
                .bind($snapshot)
                .bind(Json(pages))
                .bind(bytes)
                .bind(clamp(quota.capsules))
                .bind(clamp(quota.bytes))
                .execute($pool)
                .await?
                .rows_affected()
        };
    }
    let inserted = match db {
        Db::Sqlite(pool) => insert!(pool, snapshot.get()),
        Db::Postgres(pool) => insert!(pool, Json(snapshot)),
    };
    Ok((inserted == 1).then_some(summary))
}

/// A count or size as SQL's signed 64-bit integer (past it, as good as no limit).
fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// How much `owner_id` stores now.
pub async fn usage(db: &Db, owner_id: Uuid) -> StoreResult<Usage> {
    let usage = on_db!(db, |pool| sqlx::query_as(
        "SELECT count(*) AS capsules, CAST(COALESCE(SUM(snapshot_bytes), 0) AS bigint) AS bytes
         FROM capsules WHERE owner_id = $1"
    )
    .bind(owner_id)
    .fetch_one(pool)
    .await)?;
    Ok(usage)
}

/// The size of a capsule's document as stored, in bytes.
pub async fn size(db: &Db, owner_id: Uuid, id: Uuid) -> StoreResult<i64> {
    let row: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT snapshot_bytes FROM capsules WHERE id = $1 AND owner_id = $2"
    )
    .bind(id)
    .bind(owner_id)
    .fetch_optional(pool)
    .await)?;
    row.map(|(bytes,)| bytes).ok_or(StoreError::NotFound)
}

/// The capsule `id` if `owner_id` owns it, without its document.
pub async fn summary(db: &Db, owner_id: Uuid, id: Uuid) -> StoreResult<CapsuleSummary> {
    let row = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, created_at, updated_at, owner_id, title, pages FROM capsules
         WHERE id = $1 AND owner_id = $2"
    )
    .bind(id)
    .bind(owner_id)
    .fetch_optional(pool)
    .await)?;
    row.ok_or(StoreError::NotFound)
}

/// The capsule `id` if `owner_id` owns it, its document as the JSON text stored (sent on as
/// it is: never parsed).
pub async fn get_text(db: &Db, owner_id: Uuid, id: Uuid) -> StoreResult<(CapsuleSummary, String)> {
    let row: Option<TextRow> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, created_at, updated_at, owner_id, title, pages,
             CAST(snapshot AS text) AS snapshot
         FROM capsules WHERE id = $1 AND owner_id = $2"
    )
    .bind(id)
    .bind(owner_id)
    .fetch_optional(pool)
    .await)?;
    row.map(|row| (row.summary, row.snapshot))
        .ok_or(StoreError::NotFound)
}

#[derive(sqlx::FromRow)]
struct TextRow {
    #[sqlx(flatten)]
    summary: CapsuleSummary,
    snapshot: String,
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
    // Written out once, to be counted and stored: the text SQLite keeps (PostgreSQL's jsonb
    // text is near enough: the quota is a bound, not an invoice).
    let text = serde_json::value::to_raw_value(&document.snapshot)
        .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
    let bytes = clamp(text.get().len() as u64);
    let saved = on_db!(db, |pool| sqlx::query(
        "UPDATE capsules SET snapshot = $2, pages = $3, updated_at = $4, snapshot_bytes = $5
         WHERE id = $1"
    )
    .bind(id)
    .bind(Json(&text))
    .bind(Json(&document.pages))
    .bind(updated_at)
    .bind(bytes)
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
