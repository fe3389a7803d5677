//! The shared canvas: one room, some people drawing (a stroke grows every 50 ms each) and many
//! watching. Is every change delivered, how fast from the drawer's push to a watcher's screen
//! (the frame's arrival), and at what server CPU per delivered change.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use super::{Stage, Target, cpu_between};
use crate::net::{Dialer, Ws, now_us};
use crate::report::Run;
use crate::stats::Latencies;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// People drawing at once.
    #[arg(long, default_value_t = 100)]
    pub drawers: usize,
    /// People watching.
    #[arg(long, default_value_t = 1_000)]
    pub watchers: usize,
    /// Milliseconds between two updates of a drawer's stroke.
    #[arg(long, default_value_t = 50)]
    pub every_ms: u64,
    /// Seconds of drawing.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Clients that push changes to a shape of their own as fast as the server reads them,
    /// while the others draw (their changes are not counted: the figures are the others').
    #[arg(long, default_value_t = 0)]
    pub flooders: usize,
}

/// What a client does besides reading.
enum Role {
    Watcher,
    /// Grows a stroke every `every_ms`, each update stamped with its time.
    Drawer {
        id: String,
        page: String,
    },
    /// Changes a shape as fast as its socket takes it, unstamped.
    Flooder {
        id: String,
        page: String,
    },
}

/// One more point of a stroke (tldraw's delta encoding of a point, base64).
const POINT: &str = "AEAAQAAA";

/// What the clients saw.
#[derive(Default)]
struct Seen {
    latency: Latencies,
    delivered: AtomicU64,
    sent: AtomicU64,
    /// Drawers that have sent all their updates.
    done: AtomicU64,
}

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    let clients = settings.drawers + settings.flooders + settings.watchers;
    let env = [(
        "PRATICO_MAX_SOCKETS_PER_ADDRESS",
        (clients + 100).to_string(),
    )];
    let stage = Stage::open(target, sources, &env).await?;
    let room = stage.room(false).await?;
    let schema = pratico::tlschema::TlSchema::load()?.serialized().clone();
    let dialer = Dialer::new(stage.server.addr, sources);
    let path = |i: usize| {
        format!(
            "/api/live/{}/canvas?sessionId=bench-{i}&token={}",
            room.name,
            stage.api.token()
        )
    };
    let seen = Arc::new(Seen::default());
    let stop = CancellationToken::new();
    let since = std::time::Instant::now();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let mut ws = dialer.open_path(&path(i)).await?;
        connect(&mut ws, &schema)
            .await
            .with_context(|| format!("client {i} connects"))?;
        let (id, page) = (format!("shape:bench-{i}"), room.pages[0].clone());
        let role = if i < settings.drawers {
            Role::Drawer { id, page }
        } else if i < settings.drawers + settings.flooders {
            Role::Flooder { id, page }
        } else {
            Role::Watcher
        };
        tasks.push(tokio::spawn(client(
            ws,
            role,
            settings.clone(),
            Arc::clone(&seen),
            stop.clone(),
        )));
    }
    let mut run = Run::default();
    run.put("drawers", settings.drawers as f64);
    run.put("watchers", settings.watchers as f64);
    run.put("flooders", settings.flooders as f64);
    run.put("connect_s", since.elapsed().as_secs_f64());
    // Everyone's stroke exists and has been seen before the clock starts.
    tokio::time::sleep(Duration::from_secs(2)).await;
    seen.latency.reset();
    seen.delivered.store(0, Ordering::Relaxed);
    seen.sent.store(0, Ordering::Relaxed);
    let before = stage.usage();
    stop.cancel();
    // Every drawer has finished sending (a late one would be counted as received, not sent).
    let until = Instant::now() + Duration::from_secs(settings.seconds + 10);
    while seen.done.load(Ordering::Relaxed) < settings.drawers as u64 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = seen.sent.load(Ordering::Relaxed);
    let expected = sent * (clients as u64 - 1);
    let until = Instant::now() + Duration::from_secs(10);
    while seen.delivered.load(Ordering::Relaxed) < expected && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cpu_s = cpu_between(before, stage.usage());
    let delivered = seen.delivered.load(Ordering::Relaxed);
    for task in &tasks {
        task.abort();
    }
    run.put("changes_sent", sent as f64);
    run.put(
        "delivered_pct",
        100.0 * delivered as f64 / expected.max(1) as f64,
    );
    run.put("change_p50_ms", seen.latency.ms(0.5));
    run.put("change_p99_ms", seen.latency.ms(0.99));
    run.put("change_max_ms", seen.latency.ms(1.0));
    run.put("server_cpu_s", cpu_s);
    run.put("cpu_per_delivery_us", cpu_s * 1e6 / delivered.max(1) as f64);
    stage.finish(&mut run).await;
    Ok(run)
}

async fn connect(ws: &mut Ws, schema: &Value) -> anyhow::Result<()> {
    let hello = json!({"type": "connect", "connectRequestId": "bench", "lastServerClock": -1,
        "protocolVersion": 8, "schema": schema});
    ws.send(Message::text(hello.to_string())).await?;
    while let Some(frame) = ws.next().await {
        if let Message::Text(text) = frame? {
            let reply: Value = serde_json::from_str(&text)?;
            if reply["type"] == "connect" {
                return Ok(());
            }
        }
    }
    bail!("the canvas closed before its connect reply")
}

/// A client: reads every frame (recording the changes of others' strokes); a drawer or a
/// flooder also puts its stroke, then, once `start` is cancelled, changes it for `seconds`.
async fn client(ws: Ws, role: Role, settings: Settings, seen: Arc<Seen>, start: CancellationToken) {
    let (mut sink, mut stream) = ws.split();
    let reader = {
        let seen = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Some(Ok(frame)) = stream.next().await {
                if let Message::Text(text) = frame {
                    record(&text, &seen);
                }
            }
        })
    };
    // Like tldraw's client, every socket pings every 5 s (the server drops sessions silent
    // for 20 s).
    let mut ping = tokio::time::interval(Duration::from_secs(5));
    let ping_frame = || Message::text(r#"{"type":"ping"}"#);
    let (id, page, flooding) = match role {
        Role::Watcher => {
            loop {
                ping.tick().await;
                if sink.send(ping_frame()).await.is_err() {
                    break;
                }
            }
            let _ = reader.await;
            return;
        }
        Role::Drawer { id, page } => (id, page, false),
        Role::Flooder { id, page } => (id, page, true),
    };
    let stroke = json!({"id": id, "typeName": "shape", "type": "draw", "x": 0, "y": 0,
        "rotation": 0, "index": "a9", "parentId": page, "isLocked": false, "opacity": 1,
        "meta": {"t": 0},
        "props": {"color": "black", "fill": "none", "dash": "draw", "size": "m",
            "segments": [{"type": "free", "path": "AAAAAAAAAAAAAAA/"}], "isComplete": false,
            "isClosed": false, "isPen": false, "scale": 1, "scaleX": 1, "scaleY": 1}});
    let put = json!({"type": "push", "clientClock": 0, "diff": {&id: ["put", stroke]}});
    let _ = sink.send(Message::text(put.to_string())).await;
    loop {
        tokio::select! {
            _ = start.cancelled() => break,
            _ = ping.tick() => {
                let _ = sink.send(ping_frame()).await;
            }
        }
    }
    let begin = Instant::now();
    if flooding {
        let until = begin + Duration::from_secs(settings.seconds);
        let mut n = 0u64;
        while Instant::now() < until {
            n += 1;
            let change = json!({"x": ["put", n % 500]});
            let push = json!({"type": "push", "clientClock": n, "diff": {&id: ["patch", change]}});
            if sink.send(Message::text(push.to_string())).await.is_err() {
                break;
            }
        }
        let _ = reader.await;
        return;
    }
    let every = Duration::from_millis(settings.every_ms);
    let count = settings.seconds * 1000 / settings.every_ms.max(1);
    let mut offset = 16;
    for n in 1..=count {
        sleep_until(begin + every * n as u32).await;
        let grow = json!({"props": ["patch", {"segments": ["patch", {"0": ["patch",
            {"path": ["append", POINT, offset]}]}]}], "meta": ["patch", {"t": ["put", now_us()]}]});
        offset += POINT.len();
        let push = json!({"type": "push", "clientClock": n, "diff": {&id: ["patch", grow]}});
        if sink.send(Message::text(push.to_string())).await.is_err() {
            break;
        }
        seen.sent.fetch_add(1, Ordering::Relaxed);
    }
    seen.done.fetch_add(1, Ordering::Relaxed);
    let _ = reader.await;
}

/// Where a stroke change carries the time it was pushed (`meta.t`, a `put` in the patch).
const STAMP: &str = r#""t":["put","#;

/// Counts the stroke changes in a frame and how long each took to arrive. A scan for the
/// stamp rather than a parse: at a million changes a second the harness shares the server's
/// two cores, and parsing every frame was most of its time.
fn record(text: &str, seen: &Seen) {
    let now = now_us();
    let latencies: Vec<u64> = text
        .match_indices(STAMP)
        .filter_map(|(at, _)| {
            let digits = &text[at + STAMP.len()..];
            let end = digits
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(digits.len());
            digits[..end].parse::<u64>().ok()
        })
        .map(|t| now.saturating_sub(t))
        .collect();
    if !latencies.is_empty() {
        let count = latencies.len() as u64;
        seen.latency.record_all_us(latencies);
        seen.delivered.fetch_add(count, Ordering::Relaxed);
    }
}
