//! Quizzes: questions a trainer prepares, optionally tied to a capsule.

use sqlx::types::Json;
use uuid::Uuid;

use super::{Db, StoreError, StoreResult, on_db};
use crate::domain::quiz::{Question, QuizSettings};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuizRow {
    pub id: Uuid,
    pub created_at: i64,
    pub updated_at: i64,
    pub owner_id: Uuid,
    pub capsule_id: Option<Uuid>,
    pub title: String,
    pub settings: Json<QuizSettings>,
    pub questions: Json<Vec<Question>>,
}

/// What a trainer writes; the row's times and ids are the store's business.
pub struct QuizFields {
    pub capsule_id: Option<Uuid>,
    pub title: String,
    pub settings: QuizSettings,
    pub questions: Vec<Question>,
}

macro_rules! quiz_columns {
    () => {
        "id, created_at, updated_at, owner_id, capsule_id, title, settings, questions"
    };
}

pub async fn insert(db: &Db, owner_id: Uuid, fields: QuizFields, now: i64) -> StoreResult<QuizRow> {
    let row = QuizRow {
        id: Uuid::now_v7(),
        created_at: now,
        updated_at: now,
        owner_id,
        capsule_id: fields.capsule_id,
        title: fields.title,
        settings: Json(fields.settings),
        questions: Json(fields.questions),
    };
    on_db!(db, |pool| {
        sqlx::query(
        "INSERT INTO quizzes (id, created_at, updated_at, owner_id, capsule_id, title, settings, questions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(row.id)
    .bind(now)
    .bind(now)
    .bind(owner_id)
    .bind(row.capsule_id)
    .bind(&row.title)
    .bind(&row.settings)
    .bind(&row.questions)
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(row)
}

pub async fn list(db: &Db, owner_id: Uuid) -> StoreResult<Vec<QuizRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        quiz_columns!(),
        " FROM quizzes WHERE owner_id = $1 ORDER BY created_at DESC, id DESC"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(owner_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The quiz `id` if `owner_id` owns it.
pub async fn get(db: &Db, owner_id: Uuid, id: Uuid) -> StoreResult<QuizRow> {
    const SQL: &str = concat!(
        "SELECT ",
        quiz_columns!(),
        " FROM quizzes WHERE id = $1 AND owner_id = $2"
    );
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(id)
        .bind(owner_id)
        .fetch_optional(pool)
        .await)?;
    row.ok_or(StoreError::NotFound)
}

pub async fn update(db: &Db, row: &QuizRow, now: i64) -> StoreResult<()> {
    let updated = on_db!(db, |pool| {
        sqlx::query(
        "UPDATE quizzes SET capsule_id = $1, title = $2, settings = $3, questions = $4, updated_at = $5
         WHERE id = $6 AND owner_id = $7"
    )
    .bind(row.capsule_id)
    .bind(&row.title)
    .bind(&row.settings)
    .bind(&row.questions)
    .bind(now)
    .bind(row.id)
    .bind(row.owner_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    })?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn delete(db: &Db, owner_id: Uuid, id: Uuid) -> StoreResult<()> {
    let deleted = on_db!(db, |pool| sqlx::query(
        "DELETE FROM quizzes WHERE id = $1 AND owner_id = $2"
    )
    .bind(id)
    .bind(owner_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if deleted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
