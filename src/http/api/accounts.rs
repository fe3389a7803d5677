//! Trainer accounts: sign-up, log-in, log-out, who am I.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::names::{parse_email, parse_person_name};
use crate::domain::protocol::ErrorCode;
use crate::http::AppState;
use crate::http::api::samples;
use crate::http::auth::{CurrentUser, cookie_header, hash_password, new_token, verify_password};
use crate::http::client::ClientAddr;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::iso;
use crate::store::users::{NewUser, UserRow};
use crate::store::{StoreError, auth_tokens, now_ms, users};

const MIN_PASSWORD: usize = 8;
/// Argon2 takes any length; the cap keeps one request from costing seconds of CPU.
const MAX_PASSWORD: usize = 1_024;

#[derive(Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub created_at: String,
}

impl From<&UserRow> for User {
    fn from(row: &UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email.clone(),
            name: row.name.clone(),
            created_at: iso(row.created_at),
        }
    }
}

// `AuthSession` in TypeScript, beside the session (room) list's `Session`.
#[derive(Serialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/", rename = "AuthSession")]
pub struct Session {
    pub user: User,
    /// Send it as `Authorization: Bearer <token>`; it is also set as an HttpOnly cookie.
    pub token: String,
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct Signup {
    pub email: String,
    pub password: String,
    pub name: String,
    /// The language of the sample capsule and quiz the account starts with (`fr` by default).
    #[serde(default)]
    #[ts(as = "Option<samples::Language>", optional)]
    pub language: samples::Language,
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct Login {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export, export_to = "../api-types/")]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// What is wrong with a new password (sign-up, password change, one-time link, `pratico
/// admin`), if anything.
pub fn password_problem(password: &str) -> Option<String> {
    let length = password.chars().count();
    (!(MIN_PASSWORD..=MAX_PASSWORD).contains(&length))
        .then(|| format!("must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long"))
}

/// The rules of a new password; 422 naming `field` otherwise.
fn check_new_password(field: &str, password: &str) -> ApiResult<()> {
    match password_problem(password) {
        Some(problem) => Err(ApiError::invalid(field, problem)),
        None => Ok(()),
    }
}

/// Password guessing and mass sign-ups are slowed per address (`--auth-attempts-per-minute`).
fn throttle(state: &AppState, ClientAddr(addr): ClientAddr) -> ApiResult<()> {
    state
        .auth_attempts
        .attempt(addr, Instant::now())
        .map_err(|wait| {
            ApiError::too_many(
                ErrorCode::RateLimited,
                "too many log-in or sign-up attempts from your address; wait a minute",
                wait,
            )
        })
}

/// Creates a trainer account, with a sample capsule and quiz, and logs it in.
#[utoipa::path(post, path = "/api/auth/signup", tag = "accounts", request_body = Signup,
    responses((status = 201, body = Session), (status = 409, description = "e-mail taken"),
              (status = 422, description = "invalid field"), (status = 429, description = "too many attempts from this address")))]
pub async fn signup(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(body): ApiJson<Signup>,
) -> ApiResult<Response> {
    throttle(&state, client)?;
    let email = parse_email(&body.email).map_err(|m| ApiError::invalid("email", m))?;
    let name = parse_person_name(&body.name).map_err(|m| ApiError::invalid("name", m))?;
    check_new_password("password", &body.password)?;
    let password_hash = hash_password(body.password).await?;
    let new = NewUser {
        email: &email,
        name: &name,
        password_hash: &password_hash,
    };
    let user = users::insert(&state.db, new, now_ms())
        .await
        .map_err(|e| match e {
            StoreError::Conflict => {
                ApiError::conflict(ErrorCode::EmailTaken, "an account already uses this e-mail")
            }
            e => e.into(),
        })?;
    // The account works without its samples: a failure here is logged, not fatal.
    if let Err(error) = samples::create(&state.db, user.id, body.language, now_ms()).await {
        tracing::warn!(%error, user = %user.id, "the sample capsule and quiz were not created");
    }
    start_session(&state, &user, StatusCode::CREATED).await
}

/// Logs in with e-mail and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "accounts", request_body = Login,
    responses((status = 200, body = Session), (status = 401, description = "wrong e-mail or password"),
              (status = 429, description = "too many attempts from this address")))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(body): ApiJson<Login>,
) -> ApiResult<Response> {
    throttle(&state, client)?;
    let wrong = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "wrong e-mail or password",
        )
    };
    let Ok(email) = parse_email(&body.email) else {
        return Err(wrong());
    };
    if body.password.chars().count() > MAX_PASSWORD {
        return Err(wrong());
    }
    let user = users::by_email(&state.db, &email).await?;
    // Verify against a real hash even for an unknown e-mail, so timing does not tell accounts apart.
    let stored = user.as_ref().map_or_else(
        || state.dummy_password_hash.to_string(),
        |u| u.password_hash.clone(),
    );
    let matches = verify_password(body.password, stored).await?;
    match user {
        Some(user) if matches => start_session(&state, &user, StatusCode::OK).await,
        _ => Err(wrong()),
    }
}

async fn start_session(
    state: &AppState,
    user: &UserRow,
    status: StatusCode,
) -> ApiResult<Response> {
    let (token, token_hash) = new_token();
    let now = now_ms();
    let ttl_ms = i64::from(state.config.token_ttl_days) * 24 * 3600 * 1000;
    auth_tokens::insert(&state.db, &token_hash, user.id, now, now + ttl_ms).await?;
    let cookie = cookie_header(Some(&token), (ttl_ms / 1000) as u64, &state.config);
    let body = Session {
        user: user.into(),
        token,
    };
    Ok((status, [cookie], Json(body)).into_response())
}

/// Logs out: the token stops working, the sockets opened with it close (4004 for live sockets,
/// 4099 `NOT_AUTHENTICATED` for canvases) and the cookie is cleared.
#[utoipa::path(post, path = "/api/auth/logout", tag = "accounts",
    responses((status = 204), (status = 401)))]
pub async fn logout(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Response> {
    auth_tokens::delete(&state.db, &current.token_hash).await?;
    state.live.logins().revoke(&current.token_hash);
    let cookie = cookie_header(None, 0, &state.config);
    Ok((StatusCode::NO_CONTENT, [cookie]).into_response())
}

/// Logs out everywhere: every token of the account stops working (this one too), their sockets
/// close, and the cookie is cleared.
#[utoipa::path(post, path = "/api/auth/logout-all", tag = "accounts",
    responses((status = 204), (status = 401)))]
pub async fn logout_all(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Response> {
    let deleted = auth_tokens::delete_for_user(&state.db, current.user.id).await?;
    for token_hash in &deleted {
        state.live.logins().revoke(token_hash);
    }
    let cookie = cookie_header(None, 0, &state.config);
    Ok((StatusCode::NO_CONTENT, [cookie]).into_response())
}

/// Changes the password. Every other log-in of the account stops working and its sockets close;
/// the caller's token keeps working. Attempts count with log-ins (`--auth-attempts-per-minute`):
/// a stolen token cannot be used to guess the password at speed.
#[utoipa::path(post, path = "/api/auth/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 204), (status = 401),
              (status = 403, description = "wrong current password (`invalid_credentials`)"),
              (status = 422, description = "the new password breaks the sign-up rules"),
              (status = 429, description = "too many attempts from this address")))]
pub async fn change_password(
    State(state): State<AppState>,
    client: ClientAddr,
    current: CurrentUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    throttle(&state, client)?;
    let stored = current.user.password_hash.clone();
    let known = body.current_password.chars().count() <= MAX_PASSWORD
        && verify_password(body.current_password, stored).await?;
    if !known {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidCredentials,
            "the current password is wrong",
        ));
    }
    check_new_password("new_password", &body.new_password)?;
    let password_hash = hash_password(body.new_password).await?;
    let deleted = users::change_password(
        &state.db,
        current.user.id,
        &password_hash,
        &current.token_hash,
    )
    .await?;
    for token_hash in &deleted {
        state.live.logins().revoke(token_hash);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The logged-in trainer.
#[utoipa::path(get, path = "/api/me", tag = "accounts", responses((status = 200, body = User), (status = 401)))]
pub async fn me(current: CurrentUser) -> Json<User> {
    Json((&current.user).into())
}
