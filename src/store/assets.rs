//! Assets: the files (images) of trainers' capsules, stored in the database beside them.

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
/// same trainer give the asset stored the first time.
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
    let inserted = on_db!(db, |pool| sqlx::query(
        "INSERT INTO assets (id, created_at, owner_id, content_type, bytes, sha256, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (owner_id, sha256) DO NOTHING"
    )
    .bind(id)
    .bind(now)
    .bind(owner_id)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(&sha256)
    .bind(data)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    let stored = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT id, owner_id, content_type, bytes FROM assets WHERE owner_id = $1 AND sha256 = $2"
    )
    .bind(owner_id)
    .bind(&sha256)
    .fetch_optional(pool)
    .await
    })?;
    Ok((stored.ok_or(StoreError::NotFound)?, inserted == 1))
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
