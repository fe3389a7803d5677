//! The way to one connection: a bounded queue of frames to write, and a close signal.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use axum::extract::ws::Utf8Bytes;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ConnId;
use crate::domain::protocol::ServerMessage;

/// Frames a connection may have waiting before it counts as too slow and is dropped. The queue
/// allocates as it fills, so a roomy bound costs nothing for clients that keep up; it must hold
/// a burst such as a trainer's view of thousands of participants joining at once.
pub const OUTBOX_FRAMES: usize = 8_192;

/// A message ready to write: serialised once, shared (reference-counted) by every connection
/// it goes to.
pub type Frame = Utf8Bytes;

impl From<&ServerMessage> for Frame {
    fn from(message: &ServerMessage) -> Self {
        Utf8Bytes::from(message.to_json())
    }
}

/// Cheap to clone; the actor keeps one per connection, the socket's tasks share another.
#[derive(Clone)]
pub struct Outbox {
    pub id: ConnId,
    frames: mpsc::Sender<Frame>,
    closing: Arc<Closing>,
}

struct Closing {
    token: CancellationToken,
    /// The close code and reason, set by whoever closes first.
    why: OnceLock<(u16, &'static str)>,
}

/// The receiving half, owned by the socket's writer task.
pub struct Inbox {
    pub frames: mpsc::Receiver<Frame>,
}

impl Outbox {
    pub fn new() -> (Self, Inbox) {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let (frames, rx) = mpsc::channel(OUTBOX_FRAMES);
        let outbox = Self {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            frames,
            closing: Arc::new(Closing {
                token: CancellationToken::new(),
                why: OnceLock::new(),
            }),
        };
        (outbox, Inbox { frames: rx })
    }

    /// Queues a frame without waiting; `false` when the queue is full (a client too slow to
    /// keep up) or the connection is gone.
    pub fn send(&self, frame: Frame) -> bool {
        self.frames.try_send(frame).is_ok()
    }

    /// Asks the connection to close with `code`; frames queued before are still written.
    pub fn close(&self, code: u16, reason: &'static str) {
        let _ = self.closing.why.set((code, reason));
        self.closing.token.cancel();
    }

    pub fn is_closing(&self) -> bool {
        self.closing.token.is_cancelled()
    }

    pub async fn closed(&self) {
        self.closing.token.cancelled().await
    }

    /// Why the connection is closing (normal closure if nobody said).
    pub fn close_reason(&self) -> (u16, &'static str) {
        self.closing.why.get().copied().unwrap_or((1000, ""))
    }
}
