//! Who is calling: trainers' log-in tokens, sent as `Authorization: Bearer` or as a cookie.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::AppState;
use super::error::{ApiError, ApiResult};
use crate::config::Config;
use crate::domain::protocol::ErrorCode;
use crate::store::users::UserRow;
use crate::store::{auth_tokens, now_ms};

/// A fresh opaque token (256 random bits) and the hash under which it is stored.
pub fn new_token() -> (String, Vec<u8>) {
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = hash_token(&token);
    (token, hash)
}

pub use crate::store::auth_tokens::hash as hash_token;

/// Argon2id as OWASP's password storage cheat sheet lists it: 7 MiB of memory, 5 passes, one
/// lane, as strong as the crate's default (19 MiB, 2 passes) for the same CPU time, for a third
/// of the memory: each hash's memory is the server's peak at every sign-up and log-in.
fn argon2() -> Argon2<'static> {
    let params = argon2::Params::new(7 * 1024, 5, 1, None).expect("valid Argon2 parameters");
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Argon2id with a random salt; slow on purpose, so it runs off the async threads.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

pub async fn verify_password(password: String, stored: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let Ok(hash) = PasswordHash::new(&stored) else {
            return false;
        };
        // The hash says its own parameters (older ones used the crate's default).
        argon2().verify_password(password.as_bytes(), &hash).is_ok()
    })
    .await
    .map_err(ApiError::internal)
}

/// The token a request carries: the bearer header wins over the cookie. Two log-in cookies
/// are refused rather than one picked: the other may have been planted by a sibling site.
pub fn token_from(headers: &HeaderMap, config: &Config) -> ApiResult<Option<String>> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let bearer = value.to_str().ok().and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
        return Ok(bearer);
    }
    let mut cookies = log_in_cookies(headers, config.cookie_name());
    let first = cookies.next().map(str::to_owned);
    if cookies.next().is_some() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::DuplicateCookie,
            "the request carries two log-in cookies; clear this site's cookies and log in again",
        ));
    }
    Ok(first)
}

/// Whether the request's log-in, if any, is its cookie: what a page of another origin can make
/// a browser send.
pub fn logs_in_by_cookie(headers: &HeaderMap, config: &Config) -> bool {
    !headers.contains_key(AUTHORIZATION)
        && log_in_cookies(headers, config.cookie_name())
            .next()
            .is_some()
}

/// The values of every cookie called `name` the request carries.
fn log_in_cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(cookie, _)| *cookie == name)
        .map(|(_, value)| value)
}

/// `Set-Cookie` for a token (`None` clears the cookie). No `Domain`: the cookie stays with this
/// host, as the `__Host-` name (over HTTPS) requires.
pub fn cookie_header(
    token: Option<&str>,
    max_age_s: u64,
    config: &Config,
) -> (axum::http::HeaderName, HeaderValue) {
    let name = config.cookie_name();
    let secure = if config.cookies_secure() {
        "; Secure"
    } else {
        ""
    };
    let (token, max_age_s) = token.map_or(("", 0), |token| (token, max_age_s));
    let value =
        format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    (
        SET_COOKIE,
        HeaderValue::from_str(&value).expect("tokens are URL-safe"),
    )
}

/// The logged-in trainer. Extracting it answers 401 when the request has no valid token.
pub struct CurrentUser {
    pub user: UserRow,
    pub token_hash: Vec<u8>,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_from(&parts.headers, &state.config)?.ok_or_else(|| {
            ApiError::unauthorized("log in first: send `Authorization: Bearer <token>`")
        })?;
        let token_hash = hash_token(&token);
        let user = auth_tokens::user_for(&state.db, &token_hash, now_ms())
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized("this token is unknown or has expired; log in again")
            })?;
        Ok(Self { user, token_hash })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hashed_with_the_earlier_parameters_still_verify() {
        let earlier = Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        assert!(earlier.contains("m=19456,t=2,p=1"), "{earlier}");
        assert!(
            verify_password("correct horse".into(), earlier.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify_password("wrong horse".into(), earlier)
                .await
                .unwrap()
        );
        let now = hash_password("correct horse".into()).await.unwrap();
        assert!(now.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{now}");
        assert!(verify_password("correct horse".into(), now).await.unwrap());
    }
}
