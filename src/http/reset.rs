//! The one-time link `pratico admin reset-password` and `create-trainer` print:
//! `/reset-password?token=…` shows a small form (plain HTML, no script: it works whatever the
//! web UI's state), and posting it sets the password, uses the link up and logs the account
//! out everywhere. The token travels in the query, which the request logs blank.

use std::fmt::Write;
use std::time::Instant;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, http::HeaderName};
use serde::Deserialize;

use super::AppState;
use super::api::accounts::password_problem;
use super::auth::{hash_password, hash_token};
use super::client::ClientAddr;
use crate::store::{admin, now_ms};

pub fn routes() -> Router<AppState> {
    Router::new().route("/reset-password", get(form).post(submit))
}

/// How long a link printed by `pratico admin` works.
pub const LINK_VALID_HOURS: i64 = 24;

#[derive(Deserialize)]
pub struct Link {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct NewPassword {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// The form, if the link still works.
async fn form(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    let hash = hash_token(&link.token);
    match admin::password_reset_user(&state.db, &hash, now_ms()).await {
        Ok(Some(_)) => page(StatusCode::OK, &form_body(&link.token, None)),
        Ok(None) => expired(),
        Err(error) => unavailable(&error),
    }
}

/// Sets the password. Attempts count with log-ins (`--auth-attempts-per-minute`), and the link
/// is looked at before the (slow) hashing: made-up links cost the server next to nothing.
async fn submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(body): Form<NewPassword>,
) -> Response {
    if state.auth_attempts.attempt(addr, Instant::now()).is_err() {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            "<h1>Too many attempts</h1><p>Wait a minute, then try again.</p>",
        );
    }
    let hash = hash_token(&body.token);
    match admin::password_reset_user(&state.db, &hash, now_ms()).await {
        Ok(Some(_)) => {}
        Ok(None) => return expired(),
        Err(error) => return unavailable(&error),
    }
    if let Some(problem) = password_problem(&body.password) {
        let message = format!("The password {problem}.");
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_body(&body.token, Some(&message)),
        );
    }
    if body.password != body.confirm {
        let message = "The two passwords differ.";
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_body(&body.token, Some(message)),
        );
    }
    let Ok(password_hash) = hash_password(body.password).await else {
        return page(StatusCode::INTERNAL_SERVER_ERROR, "<p>Try again later.</p>");
    };
    match admin::use_password_reset(&state.db, &hash, &password_hash, now_ms()).await {
        Ok(Some((user_id, deleted))) => {
            for token_hash in &deleted {
                state.live.logins().revoke(token_hash);
            }
            tracing::info!(%user_id, "password set through a one-time link");
            page(
                StatusCode::OK,
                "<h1>Password set</h1><p>You can now <a href=\"/\">log in</a> with it.</p>",
            )
        }
        Ok(None) => expired(),
        Err(error) => unavailable(&error),
    }
}

fn expired() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "<h1>This link does not work</h1><p>It was used already, or it expired. Ask your \
         administrator for a new one.</p>",
    )
}

fn unavailable(error: &dyn std::error::Error) -> Response {
    tracing::warn!(%error, "password link not checked");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "<h1>Try again later</h1><p>The server cannot reach its database.</p>",
    )
}

fn form_body(token: &str, problem: Option<&str>) -> String {
    let mut body = String::from("<h1>Choose your password</h1>");
    if let Some(problem) = problem {
        let _ = write!(
            body,
            "<p role=\"alert\"><strong>{}</strong></p>",
            escape(problem)
        );
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/reset-password\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <p><label>New password (8 characters or more)<br>\
         <input type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" required></label></p>\
         <p><label>The same again<br>\
         <input type=\"password\" name=\"confirm\" autocomplete=\"new-password\" minlength=\"8\" required></label></p>\
         <p><button type=\"submit\">Set the password</button></p></form>",
        escape(token)
    );
    body
}

fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Pratico Live</title></head><body>{body}</body></html>"
    );
    let headers = [
        (
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        // No script, no style, nothing fetched: the page is its form (the router's headers
        // already keep its address, which holds the token, from other sites).
        (
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        ),
        (
            HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex"),
        ),
    ];
    (status, headers, html).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
