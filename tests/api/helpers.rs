//! `spawn_app`: the real application on a free port, over a fresh database of its own.
//!
//! With `PRATICO_TEST_DATABASE=postgres` each test gets a new PostgreSQL database (created on
//! the server of `PRATICO_TEST_POSTGRES_URL`, the local one by default, and dropped
//! afterwards); otherwise a new SQLite file. `PRATICO_TEST_POSTGRES_URL` is the one name of the
//! test PostgreSQL server, for every test that needs one.

use std::net::SocketAddr;
use std::time::Duration;

use pratico::app::Application;
use pratico::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How long a test waits for a message or a condition before it fails.
pub const WAIT: Duration = Duration::from_secs(5);

/// How often `eventually` looks at its condition again.
const POLL: Duration = Duration::from_millis(50);

/// Polls `check` until it holds (state checkpointed with a delay, a task that runs later),
/// failing after `WAIT` with `what`.
pub async fn eventually(what: &str, check: impl AsyncFnMut() -> bool) {
    eventually_within(WAIT, what, check).await;
}

/// Polls `check` every `POLL` until it holds, failing with `what` once `limit` has passed.
pub async fn eventually_within(limit: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let until = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < until, "not true within {limit:?}: {what}");
        // The pause between two looks at the condition, not a wait for it.
        tokio::time::sleep(POLL).await;
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub database_url: String,
    shutdown: CancellationToken,
    _database: TestDatabase,
}

/// A database that exists for one test only.
pub enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres(#[allow(dead_code)] ScratchPostgres),
}

/// A PostgreSQL database with a unique name, created on a server and dropped with this value.
pub struct ScratchPostgres {
    pub url: String,
    server_url: String,
    name: String,
}

impl ScratchPostgres {
    pub async fn create(server_url: &str) -> Self {
        let name = format!("pratico_test_{}", Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(server_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL for tests at {server_url} is reachable: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut conn)
            .await
            .expect("test database is created");
        Self {
            url: url_with_database(server_url, &name),
            server_url: server_url.to_owned(),
            name,
        }
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        let (server_url, name) = (self.server_url.clone(), self.name.clone());
        // Drop runs outside async code: a short-lived runtime of its own does the cleanup.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()?.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&server_url).await?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await?;
                anyhow::Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// The PostgreSQL server tests use: `PRATICO_TEST_POSTGRES_URL`, else the local one.
pub fn postgres_server_url() -> String {
    std::env::var("PRATICO_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh PostgreSQL database, whatever database the suite runs on.
pub async fn postgres_database() -> (String, TestDatabase) {
    let scratch = ScratchPostgres::create(&postgres_server_url()).await;
    (scratch.url.clone(), TestDatabase::Postgres(scratch))
}

/// Whether the suite runs on PostgreSQL (`PRATICO_TEST_DATABASE=postgres`) or SQLite.
pub fn on_postgres() -> bool {
    std::env::var("PRATICO_TEST_DATABASE").is_ok_and(|db| db == "postgres")
}

async fn test_database() -> (String, TestDatabase) {
    if on_postgres() {
        return postgres_database().await;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}/pratico.db", dir.path().display());
    (url, TestDatabase::Sqlite(dir))
}

#[test]
fn the_test_postgres_server_is_named_by_one_variable() {
    let url = "postgres://someone@127.0.0.9:6543/elsewhere";
    // SAFETY: nextest runs each test in a process of its own: no other thread reads the
    // environment.
    unsafe { std::env::set_var("PRATICO_TEST_POSTGRES_URL", url) };
    assert_eq!(postgres_server_url(), url);
}

/// `postgres://user@host:port/db?opts` with its database replaced by `name`.
fn url_with_database(server_url: &str, name: &str) -> String {
    let (base, query) = server_url.split_once('?').unwrap_or((server_url, ""));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    if query.is_empty() {
        format!("{root}/{name}")
    } else {
        format!("{root}/{name}?{query}")
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the application with the default test configuration changed by `configure`.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let (database_url, database) = test_database().await;
    spawn_app_on(database_url, database, configure).await
}

/// Starts the application on `database` (at `database_url`, which the test's own reads use;
/// `configure` may point the server elsewhere, through a proxy say).
pub async fn spawn_app_on(
    database_url: String,
    database: TestDatabase,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    let mut config = Config::with_database(&database_url);
    config.listen = "127.0.0.1:0".parse().unwrap();
    // Tests sign many trainers up from one address; the throttle has tests of its own.
    config.auth_attempts_per_minute = 10_000;
    configure(&mut config);
    let app = Application::build(config)
        .await
        .expect("application builds");
    let addr = app.local_addr();
    let shutdown = app.shutdown_token();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        addr,
        client: reqwest::Client::new(),
        database_url,
        shutdown,
        _database: database,
    }
}

impl TestApp {
    /// A fresh database (SQLite or PostgreSQL, as for `spawn_app`) for a server the test runs
    /// itself, for example the real binary, at `addr`. No server is started here.
    pub async fn without_server(addr: SocketAddr) -> TestApp {
        let (database_url, database) = test_database().await;
        TestApp {
            addr,
            client: reqwest::Client::new(),
            database_url,
            shutdown: CancellationToken::new(),
            _database: database,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A response with its status and JSON body (`Value::Null` when there is none).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The `error.code` of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "unexpected answer: {:#}", self.body);
        self.body
    }

    /// Asserts an error answer: its status, its code, and a message for people.
    #[track_caller]
    pub fn expect_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "unexpected answer: {:#}", self.body);
        assert_eq!(self.code(), code, "unexpected error: {:#}", self.body);
        let message = self.body["error"]["message"].as_str().unwrap_or("");
        assert!(
            !message.is_empty(),
            "an error says what went wrong: {:#}",
            self.body
        );
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request is answered");
        let status = response.status();
        let bytes = response.bytes().await.expect("body is read");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, body }
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, self.url(path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// A GET without credentials (public routes).
    /// The body of a public page, whatever its status.
    pub async fn text(&self, path: &str) -> String {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        response.text().await.unwrap()
    }

    pub async fn get_public(&self, path: &str) -> Answer {
        self.send(self.request(Method::GET, path, None)).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.send(self.request(Method::GET, path, Some(token)))
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.send(self.request(Method::POST, path, Some(token)).json(&body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.send(self.request(Method::PATCH, path, Some(token)).json(&body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.send(self.request(Method::DELETE, path, Some(token)))
            .await
    }

    /// Signs a new trainer up and returns their token.
    pub async fn signup(&self, name: &str) -> String {
        let email = format!("{}@example.org", Uuid::new_v4().simple());
        let body = json!({"email": email, "password": "correct horse battery", "name": name});
        let answer = self
            .send(
                self.request(Method::POST, "/api/auth/signup", None)
                    .json(&body),
            )
            .await;
        answer.expect(StatusCode::CREATED)["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates a capsule from a fixture file under `tests/fixtures/tldraw/`.
    pub async fn capsule_from_fixture(&self, token: &str, title: &str, file: &str) -> Value {
        let snapshot = fixture_json(&format!("tldraw/{file}"));
        self.post(
            "/api/capsules",
            token,
            json!({"title": title, "snapshot": snapshot}),
        )
        .await
        .expect(StatusCode::CREATED)
    }

    /// Launches a room on `capsule_id` and returns it.
    pub async fn launch(&self, token: &str, capsule_id: &str) -> Value {
        self.post("/api/rooms", token, json!({"capsule_id": capsule_id}))
            .await
            .expect(StatusCode::CREATED)
    }
}

pub fn fixture_text(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

pub fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture_text(path)).expect("fixture is JSON")
}
