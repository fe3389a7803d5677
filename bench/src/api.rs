//! What a trainer does over the REST API before a session: sign up, upload a capsule, write a
//! quiz, launch rooms.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// The five-page capsule of the integration tests.
const CAPSULE: &str = include_str!("../../tests/fixtures/tldraw/synthetic-5-pages-fr.tldr");

pub struct Api {
    base: String,
    http: reqwest::Client,
    token: String,
}

/// A launched room.
#[derive(Debug, Clone)]
pub struct Room {
    pub id: String,
    pub name: String,
}

/// A capsule's page ids, in order.
pub type Pages = Vec<String>;

impl Api {
    /// Signs a new trainer up.
    pub async fn trainer(addr: SocketAddr) -> anyhow::Result<Self> {
        let mut api = Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            token: String::new(),
        };
        let email = format!("{}@bench.invalid", uuid::Uuid::new_v4().simple());
        let body =
            json!({"email": email, "password": "benchmark password", "name": "Bench Trainer"});
        let answer = api.post("/api/auth/signup", body).await?;
        api.token = answer["token"].as_str().context("a token")?.to_owned();
        Ok(api)
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let answer = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = answer.status();
        let body: Value = answer.json().await?;
        if !status.is_success() {
            bail!("POST {path}: {status} {body}");
        }
        Ok(body)
    }

    /// Uploads the five-page capsule; returns its id and pages.
    pub async fn capsule(&self) -> anyhow::Result<(String, Pages)> {
        let capsule = self
            .post(
                "/api/capsules",
                json!({"title": "Bench", "snapshot": CAPSULE}),
            )
            .await?;
        let pages = capsule["pages"]
            .as_array()
            .context("pages")?
            .iter()
            .filter_map(|p| p["id"].as_str().map(str::to_owned))
            .collect();
        Ok((capsule["id"].as_str().context("id")?.to_owned(), pages))
    }

    /// A quiz of one single-choice question open for a minute: `c1` is right.
    pub async fn quiz(&self) -> anyhow::Result<String> {
        let question = json!({"kind": "single", "prompt": "Combien font 2 + 2 ?", "time_limit_s": 60,
            "choices": [{"text": "4", "correct": true}, {"text": "5"}]});
        let quiz = self
            .post(
                "/api/quizzes",
                json!({"title": "Bench", "questions": [question]}),
            )
            .await?;
        Ok(quiz["id"].as_str().context("id")?.to_owned())
    }

    pub async fn launch(&self, capsule_id: &str, quiz_id: Option<&str>) -> anyhow::Result<Room> {
        let room = self
            .post(
                "/api/rooms",
                json!({"capsule_id": capsule_id, "quiz_id": quiz_id}),
            )
            .await?;
        Ok(Room {
            id: room["id"].as_str().context("id")?.to_owned(),
            name: room["name"].as_str().context("name")?.to_owned(),
        })
    }
}
