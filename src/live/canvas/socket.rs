//! One canvas WebSocket: a reader that paces and forwards the client's frames to the room's
//! canvas task, and the connection's writer, which writes what the task queues in the
//! connection's outbox (as the room's sockets do: frames encoded once, shared by every
//! receiver, written without a buffer of their own).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tungstenite::Message;
use tungstenite::protocol::{Role, WebSocketConfig};

use super::{Canvases, Doc, Request, Who};
use crate::domain::canvas::Reason;
use crate::domain::protocol::CloseCode;
use crate::live::logins::Login;
use crate::live::outbox::{self, Frame, Outbox};
use crate::live::wire::{ReadOnly, closing_handshake};

/// Bytes read from a canvas socket at once (a larger frame grows the buffer).
const READ_BUFFER: usize = 4 * 1024;
/// A socket with no frame at all for this long is gone (the protocol pings every 5 s).
const SILENCE: Duration = Duration::from_secs(45);
/// A write that cannot finish in this time is a client that stopped reading.
const PATIENCE: Duration = Duration::from_secs(20);

/// Closes a connection: with code 4099 and a reason (the client stops and shows an error), or
/// normally (`None`: the client reconnects).
pub(super) fn close(out: &Outbox, reason: Option<Reason>) {
    match reason {
        Some(reason) => out.close(CloseCode::CanvasRefused, reason.as_str()),
        None => out.close(CloseCode::Normal, ""),
    }
}

/// Serves one canvas socket of `session` (the client's `sessionId`) on a document, for `who`
/// (or refuses it with a reason); a trainer's socket closes when their `login` is revoked.
pub async fn serve(
    upgraded: Upgraded,
    canvases: Arc<Canvases>,
    doc: Doc,
    session: String,
    who: Result<Who, Reason>,
    login: Option<Login>,
) {
    let (read, write_half) = tokio::io::split(TokioIo::new(upgraded));
    // Small buffers: tungstenite's default read buffer (128 KiB, zero-filled) per connection is
    // most of the server's memory at 10,000 watchers (docs/benchmarks.md, canvas).
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(Some(canvases.config.max_message_bytes))
        .max_frame_size(Some(canvases.config.max_message_bytes));
    let mut stream =
        WebSocketStream::from_raw_socket(ReadOnly(read), Role::Server, Some(config)).await;
    let (out, inbox) = Outbox::new();
    let writer = tokio::spawn(outbox::write(write_half, inbox, out.clone(), PATIENCE));
    let who = match who {
        Ok(who) => who,
        Err(reason) => {
            close(&out, Some(reason));
            let _ = writer.await;
            return;
        }
    };
    if let Some(login) = login {
        let reason = Reason::NotAuthenticated.as_str();
        login.close_on_revoke(out.clone(), CloseCode::CanvasRefused, reason);
    }
    metrics::gauge!("canvas_connections").increment(1.0);
    let conn = out.id;
    // Sessions are keyed by person too: a client cannot take over another's session id.
    let session = match who {
        Who::Trainer => format!("trainer/{session}"),
        Who::Participant(id) => format!("{id}/{session}"),
    };
    let mut task = canvases.task(doc);
    let open = || Request::Open {
        session: session.clone(),
        who,
        out: out.clone(),
    };
    if task.send(open()).await.is_err() {
        // The canvas was stopping: a new one loads the room afresh.
        task = canvases.task(doc);
        let _ = task.send(open()).await;
    }
    let mut pace = Pace::new(canvases.config.rate_per_sec, canvases.config.rate_burst);
    let mut closed_by_us = false;
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(SILENCE, stream.next()) => next,
            _ = out.closed() => {
                closed_by_us = true;
                break;
            }
        };
        let text = match next {
            Ok(Some(Ok(Message::Text(text)))) => text.as_str().to_owned(),
            Ok(Some(Ok(Message::Binary(bytes)))) => match String::from_utf8(bytes.to_vec()) {
                Ok(text) => text,
                Err(_) => break,
            },
            Ok(Some(Ok(Message::Ping(payload)))) => {
                out.send(Frame::pong(&payload));
                continue;
            }
            Ok(Some(Ok(Message::Pong(_) | Message::Frame(_)))) => continue,
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
    close(&out, None);
    let _ = writer.await;
    if closed_by_us {
        closing_handshake(&mut stream).await;
    }
    metrics::gauge!("canvas_connections").decrement(1.0);
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
