//! What `pratico admin` shares with running servers: their heartbeats, the requests it leaves
//! for them, and one-time links to set a password.

use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::{Db, StoreResult, on_db};

/// Says that server `node` is alive at `now` (its row is made on the first beat).
pub async fn beat(db: &Db, node: &str, started_at: i64, now: i64) -> StoreResult<()> {
    on_db!(db, |pool| sqlx::query(
        "INSERT INTO server_heartbeats (node, started_at, seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at"
    )
    .bind(node)
    .bind(started_at)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets server `node` (it stopped cleanly), and every heartbeat older than `stale_before`
/// (servers that died without a word).
pub async fn forget(db: &Db, node: &str, stale_before: i64) -> StoreResult<()> {
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM server_heartbeats WHERE node = $1 OR seen_at < $2"
    )
    .bind(node)
    .bind(stale_before)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The servers seen alive at or after `since`.
pub async fn alive_since(db: &Db, since: i64) -> StoreResult<Vec<String>> {
    let nodes = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT node FROM server_heartbeats WHERE seen_at >= $1 ORDER BY node"
    )
    .bind(since)
    .fetch_all(pool)
    .await)?;
    Ok(nodes)
}

/// What a request asks for: end the live room `target`.
pub const END_ROOM: &str = "end_room";
/// Close the sockets opened with the log-in tokens `data.token_hashes` (hex) of user `target`.
pub const REVOKE_LOGINS: &str = "revoke_logins";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: Uuid,
    pub created_at: i64,
    pub kind: String,
    pub target: Uuid,
    pub data: Json<Value>,
    pub claimed_by: Option<String>,
    pub done_at: Option<i64>,
    pub outcome: Option<Json<Value>>,
}

const REQUEST_COLUMNS: &str = "id, created_at, kind, target, data, claimed_by, done_at, outcome";

/// Records a request; its id.
pub async fn request(
    db: &Db,
    kind: &str,
    target: Uuid,
    data: &Value,
    now: i64,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    on_db!(db, |pool| {
        sqlx::query(
        "INSERT INTO admin_requests (id, created_at, kind, target, data) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(id)
    .bind(now)
    .bind(kind)
    .bind(target)
    .bind(Json(data))
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// Requests nobody has claimed yet, oldest first.
pub async fn unclaimed(db: &Db) -> StoreResult<Vec<RequestRow>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM admin_requests WHERE claimed_by IS NULL \
         ORDER BY created_at, id LIMIT 100"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

pub async fn get_request(db: &Db, id: Uuid) -> StoreResult<Option<RequestRow>> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM admin_requests WHERE id = $1");
    let row = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Takes request `id` for `by`; `false` if someone took it first. Exactly one claimant wins,
/// which is what keeps a server and the command from both carrying it out.
pub async fn claim(db: &Db, id: Uuid, by: &str, now: i64) -> StoreResult<bool> {
    let claimed = on_db!(db, |pool| sqlx::query(
        "UPDATE admin_requests SET claimed_by = $2, claimed_at = $3
         WHERE id = $1 AND claimed_by IS NULL"
    )
    .bind(id)
    .bind(by)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(claimed == 1)
}

/// Records how a claimed request went.
pub async fn finish(db: &Db, id: Uuid, outcome: &Value, now: i64) -> StoreResult<()> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE admin_requests SET done_at = $2, outcome = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .bind(Json(outcome))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets requests made before `before` (done or abandoned).
pub async fn purge_requests(db: &Db, before: i64) -> StoreResult<u64> {
    let purged = on_db!(db, |pool| sqlx::query(
        "DELETE FROM admin_requests WHERE created_at < $1"
    )
    .bind(before)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(purged)
}

/// Records a one-time link's token (its hash) for `user_id`, valid until `expires_at`; the
/// user's earlier links stop working.
pub async fn new_password_reset(
    db: &Db,
    token_hash: &[u8],
    user_id: Uuid,
    now: i64,
    expires_at: i64,
) -> StoreResult<()> {
    on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });
    Ok(())
}

/// The user a one-time link is for, if it exists and has not expired at `now`.
pub async fn password_reset_user(
    db: &Db,
    token_hash: &[u8],
    now: i64,
) -> StoreResult<Option<Uuid>> {
    let user = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await)?;
    Ok(user)
}

/// Sets the password of the user a one-time link is for, uses the link up, and deletes every
/// log-in token of that user, in one transaction. `None` if the link is unknown or expired
/// (or was used meanwhile); else the user and the hashes of the tokens deleted.
pub async fn use_password_reset(
    db: &Db,
    token_hash: &[u8],
    password_hash: &str,
    now: i64,
) -> StoreResult<Option<(Uuid, Vec<Vec<u8>>)>> {
    let done = on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        let user: Option<Uuid> = sqlx::query_scalar(
            "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = user else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        let deleted: Vec<Vec<u8>> =
            sqlx::query_scalar("DELETE FROM auth_tokens WHERE user_id = $1 RETURNING token_hash")
                .bind(user)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        Some((user, deleted))
    });
    Ok(done)
}
