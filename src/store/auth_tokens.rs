//! Log-in tokens, stored as SHA-256 hashes only.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::users::UserRow;
use super::{Db, StoreResult, on_db};

/// The form a token is stored and looked up in.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub async fn insert(
    db: &Db,
    token_hash: &[u8],
    user_id: Uuid,
    now: i64,
    expires_at: i64,
) -> StoreResult<()> {
    on_db!(db, |pool| {
        sqlx::query(
        "INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The user a token belongs to, if the token exists and has not expired at `now`.
pub async fn user_for(db: &Db, token_hash: &[u8], now: i64) -> StoreResult<Option<UserRow>> {
    let row = on_db!(db, |pool| sqlx::query_as(
        "SELECT u.id, u.created_at, u.email, u.name, u.password_hash
         FROM auth_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.expires_at > $2"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

pub async fn delete(db: &Db, token_hash: &[u8]) -> StoreResult<()> {
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM auth_tokens WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes every token of a user ("log out everywhere"); the hashes of those deleted.
pub async fn delete_for_user(db: &Db, user_id: Uuid) -> StoreResult<Vec<Vec<u8>>> {
    let deleted = on_db!(db, |pool| sqlx::query_scalar(
        "DELETE FROM auth_tokens WHERE user_id = $1 RETURNING token_hash"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    Ok(deleted)
}

/// Forgets tokens that expired before `now`; run at start-up and now and then.
pub async fn purge_expired(db: &Db, now: i64) -> StoreResult<u64> {
    let done = on_db!(db, |pool| sqlx::query(
        "DELETE FROM auth_tokens WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}
