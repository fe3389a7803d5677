//! Requests from other origins that would act with the trainer's cookie are refused.
//!
//! `SameSite=Lax` keeps the cookie off requests from other *sites*, not from other origins of the
//! same site: a page on a sibling subdomain or another port can still make the browser send it
//! with a form, a `no-cors` fetch or a WebSocket. So every request that can change something or
//! act live (any method but GET, HEAD and OPTIONS, and every WebSocket upgrade) and that would
//! log in by the cookie must come from this server's own pages, as the browser tells it in
//! `Sec-Fetch-Site` and `Origin`. Bearer tokens are not sent by browsers on their own, and
//! clients that send neither header (scripts, curl) are no browser page.

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN, UPGRADE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::logs_in_by_cookie;
use super::error::ApiError;
use crate::config::Config;
use crate::domain::protocol::ErrorCode;

pub async fn refuse_cross_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    if acts(request.method(), headers) && logs_in_by_cookie(headers, &state.config) {
        let own = own_origin(&state.config, &request);
        if let Err(why) = from_own_pages(headers, own.as_deref()) {
            return ApiError::new(StatusCode::FORBIDDEN, ErrorCode::CrossOrigin, why)
                .into_response();
        }
    }
    next.run(request).await
}

/// Whether the request may change something: an unsafe method, or a WebSocket (whose messages
/// act as the trainer).
fn acts(method: &Method, headers: &HeaderMap) -> bool {
    let safe = [Method::GET, Method::HEAD, Method::OPTIONS].contains(method);
    !safe || headers.contains_key(UPGRADE)
}

/// This server's origin: the public URL's when one is set (behind a proxy the `Host` may be
/// the proxy's idea), else the scheme this server knows and the request's host.
fn own_origin(config: &Config, request: &Request) -> Option<String> {
    if let Some(origin) = config.public_origin() {
        return Some(origin);
    }
    let host = match request.headers().get(HOST) {
        Some(host) => host.to_str().ok()?.to_owned(),
        None => request.uri().authority()?.to_string(),
    };
    let scheme = if config.serves_https() {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{host}"))
}

/// Whether the browser says the request comes from a page of `own` origin (or from the user,
/// typing an address); `Err` says why not. Headers it does not send are no evidence either way.
fn from_own_pages(headers: &HeaderMap, own: Option<&str>) -> Result<(), &'static str> {
    let site = headers.get("sec-fetch-site").map(|site| site.as_bytes());
    if site.is_some_and(|site| !matches!(site, b"same-origin" | b"none")) {
        return Err("refused: this request came from a page of another site or origin");
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let same = own.is_some_and(|own| origin.as_bytes().eq_ignore_ascii_case(own.as_bytes()));
        if !same {
            return Err("refused: this request came from a page of another origin");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().unwrap());
        }
        headers
    }

    const OWN: Option<&str> = Some("http://127.0.0.1:8080");

    #[test]
    fn own_pages_and_clients_without_browser_headers_pass() {
        for pairs in [
            &[][..],
            &[("sec-fetch-site", "same-origin")],
            &[("sec-fetch-site", "none")],
            &[("origin", "http://127.0.0.1:8080")],
            &[
                ("origin", "HTTP://127.0.0.1:8080"),
                ("sec-fetch-site", "same-origin"),
            ],
        ] {
            assert_eq!(from_own_pages(&headers(pairs), OWN), Ok(()), "{pairs:?}");
        }
    }

    #[test]
    fn other_sites_origins_and_opaque_origins_are_refused() {
        for pairs in [
            &[("sec-fetch-site", "same-site")][..],
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "something-new")],
            &[("origin", "http://127.0.0.1:8081")],
            &[("origin", "https://127.0.0.1:8080")],
            &[("origin", "null")],
            &[
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "same-site"),
            ],
        ] {
            assert!(from_own_pages(&headers(pairs), OWN).is_err(), "{pairs:?}");
        }
        let origin = headers(&[("origin", "http://127.0.0.1:8080")]);
        assert!(from_own_pages(&origin, None).is_err(), "no known origin");
    }

    #[test]
    fn unsafe_methods_and_upgrades_act() {
        let none = HeaderMap::new();
        assert!(!acts(&Method::GET, &none));
        assert!(!acts(&Method::HEAD, &none));
        assert!(!acts(&Method::OPTIONS, &none));
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(acts(&method, &none), "{method}");
        }
        assert!(acts(&Method::GET, &headers(&[("upgrade", "websocket")])));
    }
}
