//! Settings: every one is a flag with a `PRATICO_*` environment fallback, and the defaults make
//! `cargo run` work with nothing set up.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use uuid::Uuid;

use crate::domain::quiz::Scoring;
use crate::export::Format;
use crate::export::locale::Lang;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "pratico",
    version,
    about = "Pratico Live: live training sessions over tldraw capsules"
)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "PRATICO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database: `sqlite://path/to/file.db` (created if missing) or `postgres://user@host/db`.
    #[arg(
        long,
        global = true,
        env = "PRATICO_DATABASE_URL",
        default_value = "sqlite://data/pratico.db"
    )]
    pub database_url: String,

    /// Public base URL of this server, used to build the absolute join links of rooms
    /// (for example `https://live.example.org`) and of the one-time links `pratico admin`
    /// prints. Defaults to `http://<listen address>`.
    #[arg(long, global = true, env = "PRATICO_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Log filter, in `tracing` syntax (`info`, `pratico=debug,tower_http=info`, …).
    #[arg(long, env = "PRATICO_LOG", default_value = "info")]
    pub log: String,

    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, env = "PRATICO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// When set, `GET /metrics` answers only requests bearing it (`Authorization: Bearer …`);
    /// otherwise anyone who reaches the server may read the metrics.
    #[arg(long, env = "PRATICO_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Largest request body accepted, in bytes (capsules with images are large).
    #[arg(long, env = "PRATICO_MAX_BODY_BYTES", default_value_t = 20 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Capsules one trainer may keep; one more is refused with 507 `quota_exceeded`.
    #[arg(long, env = "PRATICO_MAX_CAPSULES_PER_TRAINER", default_value_t = 500)]
    pub max_capsules_per_trainer: u64,

    /// Bytes of capsule documents (their JSON text, images in the asset store not counted) one
    /// trainer may keep; a capsule past it is refused with 507 `quota_exceeded`.
    #[arg(long, env = "PRATICO_MAX_CAPSULE_STORAGE_BYTES", default_value_t = 1024 * 1024 * 1024)]
    pub max_capsule_storage_bytes: u64,

    /// Capsule documents over 1 MiB read, checked or written at once (uploads, reads,
    /// copies); others wait their turn, so that a burst of big decks costs a bounded amount of
    /// memory and CPU.
    #[arg(long, env = "PRATICO_LARGE_BODIES_AT_ONCE", default_value_t = 2)]
    pub large_bodies_at_once: usize,

    /// Largest file a trainer may upload to the asset store (an image of a capsule), in bytes.
    #[arg(long, env = "PRATICO_MAX_ASSET_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_asset_bytes: usize,

    /// An image of the asset store that no capsule, quiz or live room references is deleted
    /// once it is this old, in seconds (checked hourly, or more often when shorter).
    #[arg(long, env = "PRATICO_UNUSED_ASSET_GRACE_S", default_value_t = 86_400)]
    pub unused_asset_grace_s: u64,

    /// How long a log-in token stays valid, in days.
    #[arg(long, env = "PRATICO_TOKEN_TTL_DAYS", default_value_t = 30)]
    pub token_ttl_days: u32,

    /// A live client silent for this long (no message, no pong) is dropped, in seconds.
    #[arg(long, env = "PRATICO_HEARTBEAT_TIMEOUT_S", default_value_t = 30)]
    pub heartbeat_timeout_s: u64,

    /// Seats per room: participants who joined, online or not.
    #[arg(long, env = "PRATICO_MAX_PARTICIPANTS", default_value_t = 5_000)]
    pub max_participants: usize,

    /// Rooms up to this many seats tell every participant who comes and goes; beyond, only
    /// trainers are told, and participants get the head count once a second.
    #[arg(long, env = "PRATICO_ROSTER_LIMIT", default_value_t = 200)]
    pub roster_limit: usize,

    /// Live sockets one client address may hold open at once (a school behind one NAT is
    /// hundreds of participants on one address).
    #[arg(long, env = "PRATICO_MAX_SOCKETS_PER_ADDRESS", default_value_t = 2_000)]
    pub max_sockets_per_address: usize,

    /// New seats one client address may take in one room (rejoining a seat does not count).
    #[arg(long, env = "PRATICO_MAX_SEATS_PER_ADDRESS", default_value_t = 1_000)]
    pub max_seats_per_address: usize,

    /// Log-in and sign-up attempts per client address per minute (a burst of as many is
    /// allowed at once).
    #[arg(long, env = "PRATICO_AUTH_ATTEMPTS_PER_MINUTE", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub auth_attempts_per_minute: u32,

    /// Take the client's address from the last `X-Forwarded-For` entry rather than the TCP
    /// peer: set it only behind your own reverse proxy (which then must set that header),
    /// else clients could pick their own address.
    #[arg(long, env = "PRATICO_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Largest WebSocket message a client may send, in bytes; larger closes the connection.
    #[arg(long, env = "PRATICO_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub max_frame_bytes: usize,

    /// Messages per second a live connection may send, on average.
    #[arg(long, env = "PRATICO_RATE_PER_SEC", default_value_t = 20)]
    pub rate_per_sec: u32,

    /// Messages a live connection may send in a burst above the average rate.
    #[arg(long, env = "PRATICO_RATE_BURST", default_value_t = 40)]
    pub rate_burst: u32,

    /// A room nobody has been connected to for this many hours is ended (reason `idle`).
    #[arg(long, env = "PRATICO_IDLE_END_HOURS", default_value_t = 12.0)]
    pub idle_end_hours: f64,

    /// Mark the log-in cookie `Secure`. Default: when the public URL is `https://` (set it to
    /// `false` to turn that off, `true` to force it).
    #[arg(long, env = "PRATICO_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,

    /// tldraw licence key, handed to the web UI: the tldraw SDK needs one in production (over
    /// HTTPS on a real domain); without it, a canvas served that way hides itself after a few
    /// seconds.
    #[arg(long, env = "PRATICO_TLDRAW_LICENSE_KEY", hide_env_values = true)]
    pub tldraw_license_key: Option<String>,

    /// Erase the events of sessions whose last event is older than this many days (checked at
    /// start-up, then hourly). Unset: events are kept.
    #[arg(long, env = "PRATICO_EVENT_RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub event_retention_days: Option<u32>,

    /// Without a command, the server runs.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Write a session's report, from the database's events (for operators: any session).
    Report(ReportArgs),
    /// Operate the server: trainers, passwords, live rooms, sessions, database checks and
    /// backups. Works on the configured database whether the server runs or not.
    Admin(crate::admin::cli::AdminArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The session's room id.
    pub room_id: Uuid,
    /// `csv` is a zip of every table, or one table with `--table`.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// With `--format csv`: one table (`attendance`, `quiz_answers`, …) instead of a zip of all.
    #[arg(long)]
    pub table: Option<String>,
    /// Recompute quiz points under `accuracy` or `speed`.
    #[arg(long, value_parser = parse_scoring)]
    pub scoring: Option<Scoring>,
    /// The page's language (English by default); with `--format csv` or `xlsx`, column headers
    /// for people in it and times at `--utc-offset` (machine names and UTC without it).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// Clock times at this offset from UTC, in minutes (60 for UTC+01:00): on the HTML page,
    /// and in CSV and XLSX with `--lang`.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub utc_offset: i32,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn parse_scoring(value: &str) -> Result<Scoring, String> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .map_err(|_| "expected `accuracy` or `speed`".to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// The base of absolute links, without a trailing slash.
    pub fn public_base(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }

    /// Whether the server is reached over HTTPS, as its public URL says.
    pub fn serves_https(&self) -> bool {
        (self.public_url.as_deref()).is_some_and(|url| url.starts_with("https://"))
    }

    /// Whether the log-in cookie is `Secure`: as asked, else when served over HTTPS.
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies.unwrap_or_else(|| self.serves_https())
    }

    /// The log-in cookie's name. `__Host-` when the cookie is `Secure`: browsers then take it
    /// only from this very host, over HTTPS, for the whole site, so that a sibling subdomain
    /// cannot plant a cookie of that name (a plain name is all plain HTTP allows).
    pub fn cookie_name(&self) -> &'static str {
        if self.cookies_secure() {
            "__Host-pratico_token"
        } else {
            "pratico_token"
        }
    }

    /// The origin (`https://live.example.org`) of the public URL, when one is set and valid.
    pub fn public_origin(&self) -> Option<String> {
        let url = url::Url::parse(self.public_url.as_deref()?).ok()?;
        Some(url.origin().ascii_serialization()).filter(|origin| origin != "null")
    }

    /// A configuration for tests and embedding: defaults, with the given database.
    pub fn with_database(database_url: impl Into<String>) -> Self {
        let mut config = Self::parse_from(["pratico"]);
        config.database_url = database_url.into();
        config
    }
}
