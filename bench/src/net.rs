//! Opening live sockets from several loopback source addresses, and reading the server's
//! messages cheaply.

use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Ws = WebSocketStream<TcpStream>;

/// Opens connections to one server, taking the source addresses 127.0.0.1, 127.0.0.2, … in
/// turn: one address has about 28,000 ephemeral ports.
pub struct Dialer {
    server: SocketAddr,
    sources: Vec<Ipv4Addr>,
    next: AtomicUsize,
}

impl Dialer {
    pub fn new(server: SocketAddr, sources: u8) -> Self {
        Self {
            server,
            sources: (1..=sources.max(1))
                .map(|last| Ipv4Addr::new(127, 0, 0, last))
                .collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Opens every connection from `source` alone (the attackers of the flood scenario).
    pub fn from_address(server: SocketAddr, source: Ipv4Addr) -> Self {
        Self {
            server,
            sources: vec![source],
            next: AtomicUsize::new(0),
        }
    }

    /// Opens `ws://…/api/live/{room}`.
    pub async fn open(&self, room: &str) -> anyhow::Result<Ws> {
        self.open_path(&format!("/api/live/{room}")).await
    }

    /// Opens a WebSocket at `path` (with its query) from the next source address.
    pub async fn open_path(&self, path: &str) -> anyhow::Result<Ws> {
        let source = self.sources[self.next.fetch_add(1, Ordering::Relaxed) % self.sources.len()];
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(source.into(), 0))?;
        // A zero linger resets on close instead of lingering: it never blocks, and leaves no
        // TIME_WAIT behind to use up the ports of the next run.
        #[allow(deprecated)]
        socket.set_linger(Some(Duration::ZERO))?;
        socket.set_nodelay(true)?;
        let stream = socket.connect(self.server).await?;
        let url = format!("ws://{}{path}", self.server);
        // Small buffers: the harness holds tens of thousands of connections itself.
        let config = WebSocketConfig::default()
            .read_buffer_size(16 * 1024)
            .write_buffer_size(0);
        let (ws, _) =
            tokio_tungstenite::client_async_with_config(url, stream, Some(config)).await?;
        Ok(ws)
    }
}

/// The fields of server messages the harness looks at; the rest (a `welcome`'s state) is
/// skipped.
#[derive(Debug, Deserialize)]
pub struct Incoming<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    pub page_index: Option<u32>,
    #[serde(borrow)]
    pub text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub code: Option<Cow<'a, str>>,
    pub resume_token: Option<String>,
    pub you: Option<You>,
    pub question: Option<Question>,
    /// A participant's own result (`quiz_results`) or standing (`quiz_ended`).
    pub yours: Option<Yours>,
    /// What an `ack` answers.
    #[serde(borrow)]
    pub req: Option<Cow<'a, str>>,
    /// The room's settings (`params_changed`).
    pub params: Option<Params>,
    /// The questions from the class (`qa`).
    pub questions: Option<Vec<QaQuestion>>,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    pub qa: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct QaQuestion {
    pub question_id: String,
    pub text: String,
}

#[derive(Debug, Deserialize)]
pub struct You {
    pub participant_id: String,
}

#[derive(Debug, Deserialize)]
pub struct Yours {
    /// Whether they answered (in `quiz_results` only).
    #[serde(default)]
    pub answered: bool,
}

#[derive(Debug, Deserialize)]
pub struct Question {
    pub id: String,
    pub choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
pub struct Choice {
    pub id: String,
}

/// Microseconds since the harness started: one clock for every client of the process, so a
/// sender can stamp a message and every receiver can tell how long it took.
pub fn now_us() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// How often an otherwise silent client pings: well inside the server's heartbeat timeout
/// (30 s by default), as the protocol asks.
pub const HEARTBEAT: Duration = Duration::from_secs(10);

/// A random duration below `at_most`: spreads clients that would otherwise act in step.
pub fn jitter(at_most: Duration) -> Duration {
    Duration::from_micros(rand::random_range(0..at_most.as_micros().max(1) as u64))
}
