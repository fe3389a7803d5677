//! Log-in tokens: random, expired, logged-out and resume tokens are refused on every trainer
//! route, and tokens are stored only as their SHA-256 hash.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pratico::store::Db;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::Digest;
use sha2::Sha256;

use super::{Carry, DAY_MS, NOT_FOUND, UNAUTHORIZED, World, get, random_token};
use crate::helpers::{TestApp, spawn_app};

#[tokio::test]
async fn every_trainer_route_refuses_random_expired_logged_out_and_resume_tokens_with_401() {
    let world = World::new().await;
    let (expired, logged_out) = (world.expired_token().await, world.logged_out_token().await);
    let bad_tokens = [
        ("a random token", random_token()),
        ("an expired token", expired.clone()),
        ("a logged-out token", logged_out.clone()),
        (
            "a participant's resume token",
            world.zoe.resume_token.clone().unwrap(),
        ),
    ];
    let mut failures = Vec::new();
    for route in world.trainer_routes() {
        for (what, token) in &bad_tokens {
            for carry in [Carry::Bearer, Carry::Cookie] {
                let answer = route.call(&world.app, Some(token), carry).await;
                if let Err(wrong) = UNAUTHORIZED.check(&answer) {
                    failures.push(format!("{route} with {what} as {carry:?}: {wrong}"));
                }
            }
        }
    }
    // The snapshot answers an invalid token as it answers a stranger: no such room (and 401
    // to no token at all).
    let snapshot = get(format!("/api/live/{}/snapshot", world.room.name));
    for (what, token) in &bad_tokens[..3] {
        let answer = snapshot.call(&world.app, Some(token), Carry::Bearer).await;
        if let Err(wrong) = NOT_FOUND.check(&answer) {
            failures.push(format!("{snapshot} with {what}: {wrong}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The trainer's own session was not touched by the other one's log-out.
    world
        .app
        .get("/api/me", &world.room.token)
        .await
        .expect(StatusCode::OK);
}

/// The rows of `auth_tokens`: (token_hash, created_at, expires_at).
async fn auth_token_rows(db: &Db) -> Vec<(Vec<u8>, i64, i64)> {
    const SQL: &str = "SELECT token_hash, created_at, expires_at FROM auth_tokens";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
    }
    .unwrap()
}

/// Everything the database holds, as text to search: on PostgreSQL every row of every table;
/// on SQLite the database files themselves (the write-ahead log included).
async fn whole_database(app: &TestApp, db: &Db) -> Vec<u8> {
    match db {
        Db::Postgres(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            assert!(tables.iter().any(|t| t == "auth_tokens"), "{tables:?}");
            let mut all = Vec::new();
            for table in tables {
                let sql = sqlx::AssertSqlSafe(format!("SELECT t::text FROM \"{table}\" t"));
                let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await.unwrap();
                all.extend(rows.join("\n").into_bytes());
            }
            all
        }
        Db::Sqlite(_) => {
            let path = app.database_url.trim_start_matches("sqlite://");
            let mut all = std::fs::read(path).unwrap();
            all.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            all
        }
    }
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn log_in_tokens_are_stored_only_as_their_sha256_hash() {
    let app = spawn_app().await;
    let password = "un mot de passe bien long";
    let account = json!({"email": "ana@example.org", "password": password, "name": "Ana Martin"});
    let signup = app.request(Method::POST, "/api/auth/signup", None);
    let signup = app.send(signup.json(&account)).await;
    let mut tokens = vec![signup.expect(StatusCode::CREATED)["token"].clone()];
    for _ in 0..2 {
        let login = app.request(Method::POST, "/api/auth/login", None);
        let login = app.send(login.json(&account)).await;
        tokens.push(login.expect(StatusCode::OK)["token"].clone());
    }
    let tokens: Vec<String> = tokens
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();

    let db = Db::connect(&app.database_url).await.unwrap();
    let rows = auth_token_rows(&db).await;
    let mut stored: Vec<Vec<u8>> = rows.iter().map(|(hash, _, _)| hash.clone()).collect();
    // SHA-256 computed here, not by the server's own function.
    let sha256 = |token: &str| Sha256::digest(token.as_bytes()).to_vec();
    let mut expected: Vec<Vec<u8>> = tokens.iter().map(|t| sha256(t)).collect();
    stored.sort();
    expected.sort();
    assert_eq!(
        stored, expected,
        "one row per log-in, keyed by SHA-256(token)"
    );
    for (_, created_at, expires_at) in &rows {
        assert_eq!(expires_at - created_at, 30 * DAY_MS, "the default TTL");
    }
    let everything = whole_database(&app, &db).await;
    for token in &tokens {
        let raw = URL_SAFE_NO_PAD.decode(token).unwrap();
        assert_eq!(raw.len(), 32, "256 random bits");
        assert!(!holds(&everything, token.as_bytes()), "{token} is stored");
        assert!(!holds(&everything, &raw), "{token}'s bytes are stored");
        // PostgreSQL shows `bytea` in hex.
        for shown in [hex::encode(&raw), hex::encode(token)] {
            assert!(
                !holds(&everything, shown.as_bytes()),
                "{token} is stored in hex"
            );
        }
    }
    assert!(
        !holds(&everything, password.as_bytes()),
        "the password is stored"
    );

    app.post("/api/auth/logout", &tokens[1], json!({}))
        .await
        .expect(StatusCode::NO_CONTENT);
    let left: Vec<Vec<u8>> = auth_token_rows(&db)
        .await
        .into_iter()
        .map(|(hash, _, _)| hash)
        .collect();
    assert_eq!(left.len(), 2, "logging out deletes that session's row");
    assert!(!left.contains(&sha256(&tokens[1])));
    app.get("/api/me", &tokens[0]).await.expect(StatusCode::OK);
}
