//! Trainer accounts.

use uuid::Uuid;

use super::{Db, StoreError, StoreResult, on_db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub created_at: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
}

/// Creates a user; `Conflict` when the (normalised) e-mail is taken.
pub async fn insert(db: &Db, user: NewUser<'_>, now: i64) -> StoreResult<UserRow> {
    let row = UserRow {
        id: Uuid::now_v7(),
        created_at: now,
        email: user.email.to_owned(),
        name: user.name.to_owned(),
        password_hash: user.password_hash.to_owned(),
    };
    on_db!(db, |pool| sqlx::query(
        "INSERT INTO users (id, created_at, email, name, password_hash) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(row.id)
    .bind(row.created_at)
    .bind(&row.email)
    .bind(&row.name)
    .bind(&row.password_hash)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_write)?;
    Ok(row)
}

pub async fn by_email(db: &Db, email: &str) -> StoreResult<Option<UserRow>> {
    let row = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, created_at, email, name, password_hash FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

pub async fn by_id(db: &Db, id: Uuid) -> StoreResult<Option<UserRow>> {
    let row = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, created_at, email, name, password_hash FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

/// Sets a user's password and, in the same transaction, deletes every log-in token of theirs
/// but `keep` (the caller's): a password changed because it leaked leaves no session open
/// elsewhere. Returns the hashes of the tokens deleted.
pub async fn change_password(
    db: &Db,
    id: Uuid,
    password_hash: &str,
    keep: &[u8],
) -> StoreResult<Vec<Vec<u8>>> {
    let deleted = on_db!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let deleted = sqlx::query_scalar(
            "DELETE FROM auth_tokens WHERE user_id = $1 AND token_hash <> $2 RETURNING token_hash",
        )
        .bind(id)
        .bind(keep)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        deleted
    });
    Ok(deleted)
}
