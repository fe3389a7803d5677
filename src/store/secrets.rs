//! Server secrets: generated once, kept in the database, the same for every node.

use super::{Db, StoreResult, on_db};

/// The secret called `name`, created from `generate` the first time it is asked for. Concurrent
/// first calls agree: the first insert wins and everyone reads it back.
pub async fn get_or_create(
    db: &Db,
    name: &str,
    generate: impl FnOnce() -> Vec<u8>,
    now: i64,
) -> StoreResult<Vec<u8>> {
    let candidate = generate();
    let (value,): (Vec<u8>,) = on_db!(db, |pool| {
        sqlx::query("INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(&candidate)
            .bind(now)
            .execute(pool)
            .await?;
        sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await?
    });
    Ok(value)
}
