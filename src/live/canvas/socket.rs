//! One canvas WebSocket: a reader that paces and forwards the client's frames to the room's
//! canvas task, and a writer that sends what the task queues, several data messages in one
//! `data` frame when they wait together.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tungstenite::Message;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use uuid::Uuid;

use super::{Canvases, Request, Who};
use crate::domain::canvas::{CLOSE_CODE, Reason};

/// What the canvas task sends a connection.
#[derive(Debug, Clone)]
pub(super) enum Wire {
    /// A message, serialised once for all its receivers; `data` ones may travel together.
    Message { text: Arc<str>, data: bool },
    /// Close with 4099 and this reason: the client stops and shows an error.
    Refuse(Reason),
    /// Close normally: the client reconnects.
    Goodbye,
}

/// Bytes read from a canvas socket at once (a larger frame grows the buffer).
const READ_BUFFER: usize = 4 * 1024;
/// Messages a connection may have waiting before it counts as too slow.
const OUT_QUEUE: usize = 4_096;
/// A socket with no frame at all for this long is gone (the protocol pings every 5 s).
const SILENCE: Duration = Duration::from_secs(45);

/// Serves one canvas socket of `session` (the client's `sessionId`) in a room, for `who` (or
/// refuses it with a reason).
pub async fn serve(
    upgraded: Upgraded,
    canvases: Arc<Canvases>,
    room_id: Uuid,
    session: String,
    who: Result<Who, Reason>,
) {
    // Small buffers: tungstenite's default read buffer (128 KiB, zero-filled) per connection is
    // most of the server's memory at 10,000 watchers (docs/benchmarks.md, canvas).
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(Some(canvases.config.max_message_bytes))
        .max_frame_size(Some(canvases.config.max_message_bytes));
    let stream =
        WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
    let (mut sink, mut stream) = stream.split();
    let who = match who {
        Ok(who) => who,
        Err(reason) => {
            let _ = sink.send(close(Some(reason))).await;
            return;
        }
    };
    metrics::gauge!("canvas_connections").increment(1.0);
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let conn = NEXT.fetch_add(1, Ordering::Relaxed);
    // Sessions are keyed by person too: a client cannot take over another's session id.
    let session = match who {
        Who::Trainer => format!("trainer/{session}"),
        Who::Participant(id) => format!("{id}/{session}"),
    };
    let (out, inbox) = mpsc::channel(OUT_QUEUE);
    let writer = tokio::spawn(write(sink, inbox));
    let mut task = canvases.task(room_id);
    let open = || Request::Open {
        session: session.clone(),
        conn,
        who,
        out: out.clone(),
    };
    if task.send(open()).await.is_err() {
        // The canvas was stopping: a new one loads the room afresh.
        task = canvases.task(room_id);
        let _ = task.send(open()).await;
    }
    drop(out);
    let mut pace = Pace::new(canvases.config.rate_per_sec, canvases.config.rate_burst);
    loop {
        let text = match tokio::time::timeout(SILENCE, stream.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => text.as_str().to_owned(),
            Ok(Some(Ok(Message::Binary(bytes)))) => match String::from_utf8(bytes.to_vec()) {
                Ok(text) => text,
                Err(_) => break,
            },
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => continue,
            _ => break,
        };
        // A client past its rate waits: its frames are read later, and nobody else's are.
        if let Some(wait) = pace.wait(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
        let frame = Request::Frame {
            session: session.clone(),
            conn,
            text,
        };
        if task.send(frame).await.is_err() {
            break;
        }
    }
    let _ = task.send(Request::Closed { session, conn }).await;
    drop(task);
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    metrics::gauge!("canvas_connections").decrement(1.0);
}

fn close(reason: Option<Reason>) -> Message {
    let (code, reason) = match reason {
        Some(reason) => (CloseCode::from(CLOSE_CODE), reason.as_str()),
        None => (CloseCode::Normal, ""),
    };
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Writes what the task queues until it says goodbye (or forgets the connection).
async fn write(
    mut sink: futures_util::stream::SplitSink<WebSocketStream<TokioIo<Upgraded>>, Message>,
    mut inbox: mpsc::Receiver<Wire>,
) {
    let mut data: Vec<Arc<str>> = Vec::new();
    while let Some(first) = inbox.recv().await {
        let mut next = Some(first);
        let mut ending = None;
        // Everything waiting now goes out together: data messages in one `data` frame.
        while let Some(wire) = next.take() {
            match wire {
                Wire::Message { text, data: true } => data.push(text),
                Wire::Message { text, data: false } => {
                    if !flush(&mut sink, &mut data).await
                        || sink.send(Message::text(text.to_string())).await.is_err()
                    {
                        return;
                    }
                }
                Wire::Refuse(reason) => ending = Some(Some(reason)),
                Wire::Goodbye => ending = Some(None),
            }
            if ending.is_some() {
                break;
            }
            next = inbox.try_recv().ok();
        }
        if !flush(&mut sink, &mut data).await {
            return;
        }
        if let Some(reason) = ending {
            let _ = sink.send(close(reason)).await;
            return;
        }
    }
    let _ = sink.send(close(None)).await;
}

/// Sends the waiting data messages as one `data` frame.
async fn flush(
    sink: &mut futures_util::stream::SplitSink<WebSocketStream<TokioIo<Upgraded>>, Message>,
    data: &mut Vec<Arc<str>>,
) -> bool {
    if data.is_empty() {
        return true;
    }
    let mut frame = String::from(r#"{"type":"data","data":["#);
    for (i, text) in data.drain(..).enumerate() {
        if i > 0 {
            frame.push(',');
        }
        frame.push_str(&text);
    }
    frame.push_str("]}");
    sink.send(Message::text(frame)).await.is_ok()
}

/// At most `rate` frames a second on average, `burst` at once: how long the next one waits.
struct Pace {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Pace {
    fn new(rate: u32, burst: u32) -> Pace {
        let burst = f64::from(burst.max(1));
        Pace {
            rate: f64::from(rate.max(1)),
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    fn wait(&mut self, now: Instant) -> Option<Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
        self.tokens -= 1.0;
        (self.tokens < 0.0).then(|| Duration::from_secs_f64(-self.tokens / self.rate))
    }
}
