//! Quizzes: written as JSON or imported from Moodle's GIFT format.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::gift::{self, GiftWarning};
use crate::domain::lang::Lang;
use crate::domain::names::parse_title;
use crate::domain::protocol::ErrorCode;
use crate::domain::quiz::{Question, QuestionInput, QuizSettings, image_refs, parse_questions};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ApiError, ApiJson, ApiQuery, ApiResult, TextBody, parse_id};
use crate::http::iso;
use crate::store::quizzes::{self, QuizFields, QuizRow};
use crate::store::{StoreError, assets, capsules, now_ms};

#[derive(Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct Quiz {
    pub id: Uuid,
    pub title: String,
    pub capsule_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub settings: QuizSettings,
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<Question>,
    pub created_at: String,
    pub updated_at: String,
    /// Only after a GIFT import: what was skipped, with line numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    #[ts(optional)]
    pub warnings: Option<Vec<GiftWarning>>,
}

impl From<QuizRow> for Quiz {
    fn from(row: QuizRow) -> Self {
        Self {
            id: row.id,
            title: row.title,
            capsule_id: row.capsule_id,
            settings: row.settings.0,
            questions: row.questions.0,
            created_at: iso(row.created_at),
            updated_at: iso(row.updated_at),
            warnings: None,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../api-types/", optional_fields = nullable)]
pub struct NewQuiz {
    pub title: String,
    pub capsule_id: Option<Uuid>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    #[ts(as = "Option<QuizSettings>", optional)]
    pub settings: QuizSettings,
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<QuestionInput>,
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../api-types/", optional_fields = nullable)]
pub struct QuizPatch {
    pub title: Option<String>,
    /// `null` detaches the quiz from its capsule.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    #[ts(as = "Option<Option<Uuid>>", optional)]
    pub capsule_id: Option<Option<Uuid>>,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<QuizSettings>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub questions: Option<Vec<QuestionInput>>,
}

/// Tells a field that is absent (`None`) from one set to `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(de).map(Some)
    }
}

fn not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("quiz"),
        e => e.into(),
    }
}

fn checked_title(title: &str) -> ApiResult<String> {
    parse_title(title).map_err(|m| ApiError::invalid("title", m))
}

/// The questions, well-formed, whose images are all `owner`'s own (uploaded with
/// `POST /api/assets`): a quiz never shows a participant another trainer's image, nor one that
/// is gone.
async fn checked_questions(
    state: &AppState,
    owner: Uuid,
    inputs: Vec<QuestionInput>,
) -> ApiResult<Vec<Question>> {
    let questions =
        parse_questions(inputs).map_err(|e| ApiError::invalid(e.field, e.rule.said(Lang::En)))?;
    for image in image_refs(&questions) {
        match assets::info(&state.db, image.asset_id).await {
            Ok(asset) if asset.owner_id == owner => {}
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(ApiError::invalid_as(
                    ErrorCode::UnknownAsset,
                    image.field,
                    format_args!(
                        "the image of {} is not one of your images (deleted, or never \
                         uploaded): upload it again with POST /api/assets",
                        image.named
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(questions)
}

/// A quiz may name one of the caller's own capsules, nobody else's.
async fn checked_capsule(
    state: &AppState,
    owner: Uuid,
    capsule_id: Option<Uuid>,
) -> ApiResult<Option<Uuid>> {
    if let Some(id) = capsule_id {
        capsules::get(&state.db, owner, id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ApiError::invalid("capsule_id", "no such capsule"),
                e => e.into(),
            })?;
    }
    Ok(capsule_id)
}

/// Creates a quiz.
#[utoipa::path(post, path = "/api/quizzes", tag = "quizzes", request_body = NewQuiz,
    responses((status = 201, body = Quiz), (status = 422, description = "a rule is broken (`validation_failed`), or an image is not one of the caller's assets (`unknown_asset`); the message and `field` name the field")))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<NewQuiz>,
) -> ApiResult<(StatusCode, Json<Quiz>)> {
    let fields = QuizFields {
        title: checked_title(&body.title)?,
        capsule_id: checked_capsule(&state, current.user.id, body.capsule_id).await?,
        settings: body.settings,
        questions: checked_questions(&state, current.user.id, body.questions).await?,
    };
    let row = quizzes::insert(&state.db, current.user.id, fields, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// Only `gift` for now.
    pub format: String,
    pub title: Option<String>,
    pub capsule_id: Option<Uuid>,
    /// The language of the error and the warnings, `en` (default) or `fr`.
    #[param(value_type = Option<String>)]
    pub lang: Option<Lang>,
}

/// Imports a quiz from a text body; questions Pratico cannot run are listed in `warnings`.
#[utoipa::path(post, path = "/api/quizzes/import", tag = "quizzes", params(ImportParams),
    request_body(content = String, content_type = "text/plain"),
    responses((status = 201, body = Quiz), (status = 422, description = "syntax error, with its line number")))]
pub async fn import(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(params): ApiQuery<ImportParams>,
    TextBody(text): TextBody,
) -> ApiResult<(StatusCode, Json<Quiz>)> {
    if params.format != "gift" {
        return Err(ApiError::invalid(
            "format",
            "the only format supported is `gift`",
        ));
    }
    let title = checked_title(params.title.as_deref().unwrap_or("Imported quiz"))?;
    let lang = params.lang.unwrap_or_default();
    let imported = gift::parse_gift(&text, lang).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidGift,
            e.said(lang),
        )
    })?;
    let fields = QuizFields {
        title,
        capsule_id: checked_capsule(&state, current.user.id, params.capsule_id).await?,
        settings: QuizSettings::default(),
        questions: checked_questions(&state, current.user.id, imported.questions).await?,
    };
    let row = quizzes::insert(&state.db, current.user.id, fields, now_ms()).await?;
    let mut quiz = Quiz::from(row);
    quiz.warnings = Some(imported.warnings);
    Ok((StatusCode::CREATED, Json(quiz)))
}

/// The caller's quizzes, newest first.
#[utoipa::path(get, path = "/api/quizzes", tag = "quizzes", responses((status = 200, body = Vec<Quiz>)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Json<Vec<Quiz>>> {
    let rows = quizzes::list(&state.db, current.user.id).await?;
    Ok(Json(rows.into_iter().map(Quiz::from).collect()))
}

#[utoipa::path(get, path = "/api/quizzes/{id}", tag = "quizzes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Quiz), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Quiz>> {
    let id = parse_id(&id, "quiz")?;
    let row = quizzes::get(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    Ok(Json(row.into()))
}

/// Changes some fields of a quiz; the others stay.
#[utoipa::path(patch, path = "/api/quizzes/{id}", tag = "quizzes", params(("id" = Uuid, Path)),
    request_body = QuizPatch, responses((status = 200, body = Quiz), (status = 404),
        (status = 422, description = "`validation_failed` or `unknown_asset`, as for `POST /api/quizzes`")))]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<QuizPatch>,
) -> ApiResult<Json<Quiz>> {
    let id = parse_id(&id, "quiz")?;
    let mut row = quizzes::get(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    if let Some(title) = &patch.title {
        row.title = checked_title(title)?;
    }
    if let Some(capsule_id) = patch.capsule_id {
        row.capsule_id = checked_capsule(&state, current.user.id, capsule_id).await?;
    }
    if let Some(settings) = patch.settings {
        row.settings.0 = settings;
    }
    if let Some(questions) = patch.questions {
        row.questions.0 = checked_questions(&state, current.user.id, questions).await?;
    }
    let now = now_ms();
    quizzes::update(&state.db, &row, now)
        .await
        .map_err(not_found)?;
    row.updated_at = now;
    Ok(Json(row.into()))
}

#[utoipa::path(delete, path = "/api/quizzes/{id}", tag = "quizzes", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id, "quiz")?;
    quizzes::delete(&state.db, current.user.id, id)
        .await
        .map_err(not_found)?;
    Ok(StatusCode::NO_CONTENT)
}
