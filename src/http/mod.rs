//! The HTTP face of the server: routes, shared state, and the layers every request crosses
//! (request ids, tracing with the matched route, metrics, body limit, panic catching).

pub mod api;
pub mod auth;
pub mod canvas;
pub mod client;
pub mod error;
pub mod live;
pub mod openapi;
pub mod ops;
pub mod origin;
pub mod per_address;
pub mod reset;
pub mod serve;
pub mod web;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::header::{
    CACHE_CONTROL, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::domain::protocol::ErrorCode;
use crate::live::Live;
use crate::store::Db;
use error::ApiError;

/// What every handler may reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Base of absolute links (`https://live.example.org`), without a trailing slash.
    pub public_base: Arc<str>,
    pub metrics: PrometheusHandle,
    pub live: Arc<Live>,
    /// A real Argon2 hash checked when an e-mail is unknown, so that log-in takes as long
    /// whether or not an account exists.
    pub dummy_password_hash: Arc<str>,
    /// Open live sockets per client address.
    pub live_sockets: Arc<per_address::AddressSlots>,
    /// Log-in and sign-up attempts per client address.
    pub auth_attempts: Arc<per_address::Throttle>,
    /// Fetches of a live room's document per seat (a participant's, or the trainer's id).
    pub snapshot_fetches: Arc<per_address::Throttle<uuid::Uuid>>,
    /// Turns for reading, checking or writing a capsule document over `LARGE_BODY_BYTES`
    /// (`--large-bodies-at-once`): what bounds the memory a burst of big decks takes.
    pub large_bodies: Arc<tokio::sync::Semaphore>,
}

pub use crate::domain::rfc3339 as iso;

pub fn router(state: AppState) -> Router {
    use api::{accounts, assets, capsules, quizzes, reports, rooms, sessions};
    let api = Router::new()
        .route("/auth/signup", post(accounts::signup))
        .route("/auth/login", post(accounts::login))
        .route("/auth/logout", post(accounts::logout))
        .route("/auth/logout-all", post(accounts::logout_all))
        .route("/auth/password", post(accounts::change_password))
        .route("/me", get(accounts::me))
        .route("/capsules", post(capsules::create).get(capsules::list))
        .route(
            "/capsules/{id}",
            get(capsules::get)
                .patch(capsules::update)
                .delete(capsules::delete),
        )
        .route("/capsules/{id}/export", get(capsules::export))
        .route("/capsules/{id}/duplicate", post(capsules::duplicate))
        .route("/capsules/{id}/sync", get(canvas::capsule_upgrade))
        .route(
            "/assets",
            // Its own limit, past which the body is not even read.
            post(assets::upload).layer(DefaultBodyLimit::max(state.config.max_asset_bytes)),
        )
        .route("/assets/{id}", get(assets::serve))
        .route("/quizzes", post(quizzes::create).get(quizzes::list))
        .route("/quizzes/import", post(quizzes::import))
        .route(
            "/quizzes/{id}",
            get(quizzes::get)
                .patch(quizzes::update)
                .delete(quizzes::delete),
        )
        .route("/rooms", post(rooms::launch).get(rooms::list))
        .route("/rooms/{id}", get(rooms::get).patch(rooms::update))
        .route("/rooms/{id}/end", post(rooms::end))
        .route("/join/{name}", get(rooms::join_info))
        .route("/sessions", get(sessions::list))
        .route("/sessions/{room_id}", delete(sessions::erase))
        .route("/sessions/{room_id}/events", get(sessions::events))
        .route(
            "/sessions/{room_id}/report",
            // A large session's JSON, CSV or HTML is megabytes; zip and XLSX come compressed.
            get(reports::report).layer(
                CompressionLayer::new().compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("application/zip"))
                        .and(NotForContentType::const_new(
                            "application/vnd.openxmlformats",
                        )),
                ),
            ),
        )
        .route("/live/{name}", get(live::upgrade))
        .route("/live/{name}/canvas", get(canvas::upgrade))
        .route("/live/{name}/canvas/drawing", get(canvas::drawing))
        .route(
            "/live/{name}/canvas/drawing/{participant_id}",
            put(canvas::set_drawing),
        )
        .route("/live/{name}/canvas/capsule", post(canvas::save_board))
        // Compressed once per version of the document by the room's cache, not per request.
        .route("/live/{name}/snapshot", get(live::snapshot))
        .route("/openapi.json", get(ops::openapi))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            origin::refuse_cross_origin,
        ));

    Router::new()
        .nest("/api", api)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(reset::routes())
        .merge(web::routes())
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(middleware::from_fn(record_metrics))
        // Outside the metrics: a made-up method never becomes a series of its own.
        .layer(middleware::from_fn(refuse_unknown_methods))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a request handler panicked").into_response()
        }))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("-", |p| p.as_str());
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                let uri = loggable_uri(request.uri());
                tracing::info_span!("request", method = %request.method(), route, uri, request_id = id)
            }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The request's path and query as logged: a `token` in the query (canvas sockets, images
/// for participants: credentials an `<img>` or a WebSocket must carry there) is blanked, so that
/// whoever reads the logs cannot act as the participant or the trainer.
fn loggable_uri(uri: &Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("token") => format!("{name}=…"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{}?{}", uri.path(), query.join("&"))
}

async fn unknown_route(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        format!("no route for {method} {uri}"),
    )
}

async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// Over HTTPS, browsers are told to come back only that way (HSTS); API answers, which are a
/// trainer's or a participant's own, are kept by no cache unless their route says otherwise;
/// no answer is sniffed nor sends a referrer.
async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if api && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // No answer is read as another type than it says (an image as a script), and no page
    // tells another site where it was (a room's name and a token may be in its address).
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if state.config.serves_https() {
        let year = HeaderValue::from_static("max-age=31536000");
        headers.insert(STRICT_TRANSPORT_SECURITY, year);
    }
    response
}

/// The methods of HTTP (RFC 9110) and PATCH; anything else a client invents is refused before
/// it reaches a route or a metric.
const KNOWN_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::CONNECT,
    Method::TRACE,
];

async fn refuse_unknown_methods(request: Request, next: Next) -> Response {
    if KNOWN_METHODS.contains(request.method()) {
        return next.run(request).await;
    }
    metrics::counter!("http_requests_unknown_method_total").increment(1);
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        ErrorCode::MethodNotAllowed,
        "this server knows the methods of HTTP only",
    )
    .into_response()
}

/// Counts requests and their latency by matched route and known method (never by raw path or
/// by what a client writes: either would make the number of series unbounded).
async fn record_metrics(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    // One of `KNOWN_METHODS`: `refuse_unknown_methods` runs first.
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_a_query_never_reach_the_logs() {
        let uri: Uri = "/api/live/atelier/canvas?sessionId=s1&token=secret.value&x=1"
            .parse()
            .unwrap();
        assert_eq!(
            loggable_uri(&uri),
            "/api/live/atelier/canvas?sessionId=s1&token=…&x=1"
        );
        let uri: Uri = "/api/assets/1?TOKEN=a&room=r".parse().unwrap();
        assert_eq!(loggable_uri(&uri), "/api/assets/1?TOKEN=…&room=r");
        let plain: Uri = "/api/capsules".parse().unwrap();
        assert_eq!(loggable_uri(&plain), "/api/capsules");
    }
}
