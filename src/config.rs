//! Settings: every one is a flag with a `PRATICO_*` environment fallback, and the defaults make
//! `cargo run` work with nothing set up.

use std::net::SocketAddr;

use clap::{Parser, ValueEnum};

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
        env = "PRATICO_DATABASE_URL",
        default_value = "sqlite://data/pratico.db"
    )]
    pub database_url: String,

    /// Public base URL of this server, used to build the absolute join links of rooms
    /// (for example `https://live.example.org`). Defaults to `http://<listen address>`.
    #[arg(long, env = "PRATICO_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Log filter, in `tracing` syntax (`info`, `pratico=debug,tower_http=info`, …).
    #[arg(long, env = "PRATICO_LOG", default_value = "info")]
    pub log: String,

    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, env = "PRATICO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Largest request body accepted, in bytes (capsules with images are large).
    #[arg(long, env = "PRATICO_MAX_BODY_BYTES", default_value_t = 20 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// How long a log-in token stays valid, in days.
    #[arg(long, env = "PRATICO_TOKEN_TTL_DAYS", default_value_t = 30)]
    pub token_ttl_days: u32,

    /// A live client silent for this long (no message, no pong) is dropped, in seconds.
    #[arg(long, env = "PRATICO_HEARTBEAT_TIMEOUT_S", default_value_t = 30)]
    pub heartbeat_timeout_s: u64,

    /// Seats per room: participants who joined, online or not.
    #[arg(long, env = "PRATICO_MAX_PARTICIPANTS", default_value_t = 5_000)]
    pub max_participants: usize,

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

    /// Mark the log-in cookie `Secure` (set when serving over HTTPS).
    #[arg(long, env = "PRATICO_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// tldraw licence key, handed to the web UI: the tldraw SDK needs one in production (over
    /// HTTPS on a real domain); without it, a canvas served that way hides itself after a few
    /// seconds.
    #[arg(long, env = "PRATICO_TLDRAW_LICENSE_KEY", hide_env_values = true)]
    pub tldraw_license_key: Option<String>,
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

    /// A configuration for tests and embedding: defaults, with the given database.
    pub fn with_database(database_url: impl Into<String>) -> Self {
        let mut config = Self::parse_from(["pratico"]);
        config.database_url = database_url.into();
        config
    }
}
