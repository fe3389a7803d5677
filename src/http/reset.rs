//! The one-time link `pratico admin reset-password` and `create-trainer` print:
//! `/reset-password?token=…` shows a small form (plain HTML, no script: it works whatever the
//! web UI's state), and posting it sets the password, uses the link up and logs the account
//! out everywhere. The token travels in the query, which the request logs blank. In French
//! when the browser prefers it, else in English.

use std::fmt::Write;
use std::time::Instant;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
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

/// The page's words in one language.
struct Texts {
    lang: &'static str,
    choose: &'static str,
    new_password: &'static str,
    same_again: &'static str,
    submit: &'static str,
    too_short: &'static str,
    differ: &'static str,
    set: &'static str,
    expired: &'static str,
    unavailable: &'static str,
    too_many: &'static str,
}

const EN: Texts = Texts {
    lang: "en",
    choose: "Choose your password",
    new_password: "New password (8 characters or more)",
    same_again: "The same again",
    submit: "Set the password",
    too_short: "The password must be 8 to 1,024 characters long.",
    differ: "The two passwords differ.",
    set: "<h1>Password set</h1><p>You can now <a href=\"/\">log in</a> with it.</p>",
    expired: "<h1>This link does not work</h1><p>It was used already, or it expired. Ask your \
              administrator for a new one.</p>",
    unavailable: "<h1>Try again later</h1><p>The server cannot reach its database.</p>",
    too_many: "<h1>Too many attempts</h1><p>Wait a minute, then try again.</p>",
};

const FR: Texts = Texts {
    lang: "fr",
    choose: "Choisissez votre mot de passe",
    new_password: "Nouveau mot de passe (8 caractères ou plus)",
    same_again: "Le même, une seconde fois",
    submit: "Enregistrer le mot de passe",
    too_short: "Le mot de passe doit compter de 8 à 1 024 caractères.",
    differ: "Les deux mots de passe diffèrent.",
    set: "<h1>Mot de passe enregistré</h1><p>Vous pouvez maintenant \
          <a href=\"/\">vous connecter</a> avec.</p>",
    expired: "<h1>Ce lien ne fonctionne pas</h1><p>Il a déjà servi, ou il a expiré. \
              Demandez-en un nouveau à votre administrateur.</p>",
    unavailable: "<h1>Réessayez plus tard</h1><p>Le serveur n’atteint pas sa base de \
                  données.</p>",
    too_many: "<h1>Trop de tentatives</h1><p>Attendez une minute, puis réessayez.</p>",
};

/// French if the browser's first language is French, else English.
fn texts(headers: &HeaderMap) -> &'static Texts {
    let first = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if first.starts_with("fr") { &FR } else { &EN }
}

/// The form, if the link still works.
async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(link): Query<Link>,
) -> Response {
    let t = texts(&headers);
    let hash = hash_token(&link.token);
    match admin::password_reset_user(&state.db, &hash, now_ms()).await {
        Ok(Some(_)) => page(t, StatusCode::OK, &form_body(t, &link.token, None)),
        Ok(None) => page(t, StatusCode::NOT_FOUND, t.expired),
        Err(error) => unavailable(t, &error),
    }
}

/// Sets the password. Attempts count with log-ins (`--auth-attempts-per-minute`), and the link
/// is looked at before the (slow) hashing: made-up links cost the server next to nothing.
async fn submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(body): Form<NewPassword>,
) -> Response {
    let t = texts(&headers);
    if state.auth_attempts.attempt(addr, Instant::now()).is_err() {
        return page(t, StatusCode::TOO_MANY_REQUESTS, t.too_many);
    }
    let hash = hash_token(&body.token);
    match admin::password_reset_user(&state.db, &hash, now_ms()).await {
        Ok(Some(_)) => {}
        Ok(None) => return page(t, StatusCode::NOT_FOUND, t.expired),
        Err(error) => return unavailable(t, &error),
    }
    let problem = if password_problem(&body.password).is_some() {
        Some(t.too_short)
    } else if body.password != body.confirm {
        Some(t.differ)
    } else {
        None
    };
    if let Some(problem) = problem {
        let form = form_body(t, &body.token, Some(problem));
        return page(t, StatusCode::UNPROCESSABLE_ENTITY, &form);
    }
    let Ok(password_hash) = hash_password(body.password).await else {
        return page(t, StatusCode::INTERNAL_SERVER_ERROR, t.unavailable);
    };
    match admin::use_password_reset(&state.db, &hash, &password_hash, now_ms()).await {
        Ok(Some((user_id, deleted))) => {
            for token_hash in &deleted {
                state.live.logins().revoke(token_hash);
            }
            tracing::info!(%user_id, "password set through a one-time link");
            page(t, StatusCode::OK, t.set)
        }
        Ok(None) => page(t, StatusCode::NOT_FOUND, t.expired),
        Err(error) => unavailable(t, &error),
    }
}

fn unavailable(t: &Texts, error: &dyn std::error::Error) -> Response {
    tracing::warn!(%error, "password link not checked");
    page(t, StatusCode::SERVICE_UNAVAILABLE, t.unavailable)
}

fn form_body(t: &Texts, token: &str, problem: Option<&str>) -> String {
    let mut body = format!("<h1>{}</h1>", t.choose);
    if let Some(problem) = problem {
        let _ = write!(body, "<p role=\"alert\"><strong>{problem}</strong></p>");
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/reset-password\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <p><label>{}<br>\
         <input type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" required></label></p>\
         <p><label>{}<br>\
         <input type=\"password\" name=\"confirm\" autocomplete=\"new-password\" minlength=\"8\" required></label></p>\
         <p><button type=\"submit\">{}</button></p></form>",
        escape(token),
        t.new_password,
        t.same_again,
        t.submit
    );
    body
}

fn page(t: &Texts, status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Pratico Live</title></head><body>{body}</body></html>",
        t.lang
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
